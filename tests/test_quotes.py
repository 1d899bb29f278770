"""Quotes: identifier check, trimming, the declared selection rule, traceability."""

import pytest
from conftest import SAMPLE

from thematic import quotes, triangulate
from thematic.errors import DataError, ParameterError
from thematic.segments import code_segments, combine_coders, segment_turns


@pytest.fixture(scope="module")
def sample_quotes(sample_dataset):
    segments = segment_turns(sample_dataset)
    final = combine_coders(code_segments(segments, sample_dataset.codings))
    spans = triangulate.coded_spans(sample_dataset.codings, final, segments)
    located = triangulate.locate_spans(spans, segments, sample_dataset.codebook,
                                       scopes=sample_dataset.scopes)
    names = quotes.load_known_names(SAMPLE / "known-names.yaml")
    chosen, aside = quotes.select_quotes(located, sample_dataset.texts, check=quotes.identifier_check(names))
    return located, names, chosen, aside


def test_identifiers_left_skips_bracketed_placeholders():
    text = "Helen rang [Helen's team] and [clinical lead] about Willow Ward, call 07700 900 315."
    hits = quotes.identifiers_left(text, known_names=["Helen", "Will", "Willow Ward"])
    assert [(h["type"], text[h["start"]:h["end"]]) for h in hits] == [
        ("KNOWN_NAME", "Helen"), ("KNOWN_NAME", "Willow Ward"), ("PHONE", "07700 900 315")]
    for text, kind in [("write to a.b@trust.example today", "EMAIL"), ("near WX3 8QT", "POSTCODE"),
                       ("number 186 091 3903", "NHS_NUMBER"), ("ring 01632 960418", "PHONE")]:
        assert [h["type"] for h in quotes.identifiers_left(text)] == [kind]
    assert quotes.identifiers_left("[town] and [phone number], about [age] old") == []


def test_known_names_files(tmp_path):
    names = quotes.load_known_names(SAMPLE / "known-names.yaml")  # read by thematic.deidentify
    assert {"Helen", "Dr Helen Marwick", "Wexmoor", "Acorn"} <= set(names)
    (tmp_path / "names.txt").write_text("Ann Smith  # a participant\n\nOakfield\n", encoding="utf-8")
    assert quotes.load_known_names(tmp_path / "names.txt") == ["Ann Smith", "Oakfield"]
    (tmp_path / "names.csv").write_text("name,type\nOakfield,PLACE\n", encoding="utf-8")
    assert quotes.load_known_names(tmp_path / "names.csv") == ["Oakfield"]
    with pytest.raises(DataError, match="known-names files are"):
        quotes.load_known_names(tmp_path / "names.json")


def test_trim_keeps_whole_sentences_and_marks_omitted_middles():
    text = ("Alpha beta gamma delta. " * 1 + "Filler words here and there about nothing much at all today. "
            "Teams meetings helped the network plan together. Closing remark without the key words.")
    score = lambda sentences: [1.0 if "Teams" in s or "Alpha" in s else 0.0 for s in sentences]
    quote, pieces = quotes.trim(text, offset=100, max_words=12, score=score)
    assert quote == "Alpha beta gamma delta. [...] Teams meetings helped the network plan together."
    assert [text[a - 100:b - 100] for a, b in pieces] == ["Alpha beta gamma delta.",
                                                         "Teams meetings helped the network plan together."]
    short, pieces = quotes.trim("Short enough.", offset=5, max_words=12, score=score)
    assert short == "Short enough." and pieces == [(5, 18)]
    long_sentence = " ".join(f"w{i}" for i in range(30)) + "."
    cut, pieces = quotes.trim(long_sentence, offset=0, max_words=10, score=lambda s: [1.0] * len(s))
    assert cut.endswith("[...]") and len(cut.replace("[...]", "").split()) == 10


def test_sample_quotes_follow_the_rule(sample_quotes, sample_dataset):
    _, names, chosen, aside = sample_quotes
    rules = quotes.QuoteRules()
    assert len(chosen) and aside.empty
    assert (chosen["words"] <= rules.max_words).all()
    for (_, _), cell in chosen.groupby(["theme", "group"]):
        assert len(cell) <= rules.per_group
        if cell["participants_with_candidates"].iloc[0] >= rules.per_group:
            assert cell["participant_id"].is_unique  # coverage across participants first
    # parents' quotes only for their own theme and the shared one, professionals' never for the parents'
    assert set(chosen.loc[chosen["group"] == "parent", "theme"]) == {"T6", "T7"}
    assert set(chosen.loc[chosen["theme"] == "T6", "group"]) == {"parent"}
    assert set(chosen.loc[chosen["theme"] == "T7", "group"]) == {"parent", "service_team", "referrer", "commissioner"}
    labels = sample_dataset.participants.set_index("participant_id")["label"]
    assert (chosen["attribution"] == chosen["participant_id"].map(labels)).all()
    assert chosen["quote_id"].is_unique
    for quote in chosen["quote"]:
        assert quotes.identifiers_left(quote, known_names=names) == []


def test_sample_quotes_are_traceable_and_deterministic(sample_quotes, sample_dataset):
    located, names, chosen, _ = sample_quotes
    trace = quotes.verify_quotes(chosen, sample_dataset.texts)
    assert trace["traceable"].all()
    row = chosen.iloc[0]
    a, b = map(int, row["pieces"].split(";")[0].split("-"))
    assert row["quote"].startswith(sample_dataset.texts[row["interview_id"]][a:b])
    again, _ = quotes.select_quotes(located, sample_dataset.texts, check=quotes.identifier_check(names))
    assert again.equals(chosen)
    tampered = chosen.assign(quote=chosen["quote"].str.replace("the", "a", n=1))
    assert not quotes.verify_quotes(tampered, sample_dataset.texts)["traceable"].all()


def test_flagged_candidates_are_set_aside(sample_quotes, sample_dataset):
    located = sample_quotes[0]
    flag_team = lambda text: [{"type": "KNOWN_NAME", "start": 0, "end": 1}] if "team" in text else []
    chosen, aside = quotes.select_quotes(located, sample_dataset.texts, check=flag_team)
    assert len(aside) and not chosen["quote"].str.contains("team").any()
    assert set(aside.columns) == {"theme", "group", "interview_id", "start", "end", "reason"}  # no text


def test_quote_rules_are_validated():
    assert quotes.QuoteRules.from_parameters({"per_group": 3}).per_group == 3
    with pytest.raises(ParameterError, match="max_words"):
        quotes.QuoteRules.from_parameters({"max_words": 2})


def test_triangulation_benchmark_quick():
    from thematic.bench import discover

    result = discover()["triangulation"](quick=True)
    table = result.table().set_index("measure")
    assert table.loc["quotes re-derived exactly from offsets", "met"] == "yes"
    assert table.loc["check recall, patterns alone (pattern types)", "value"] >= 0.95


def _balanced(text: str) -> bool:
    """Every ']' closes a '[' opened before it, and every '[' is closed."""
    depth = 0
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if depth < 0:
            return False
    return depth == 0


def test_no_sample_quote_cuts_a_placeholder(sample_quotes, sample_dataset):
    """Every piece of every quote holds whole placeholders and notes (3 of 32 did not, before)."""
    chosen = sample_quotes[2]
    assert len(chosen) >= 20
    for q in chosen.itertuples():
        for piece in q.pieces.split(";"):
            a, b = map(int, piece.split("-"))
            text = sample_dataset.texts[q.interview_id][a:b]
            assert _balanced(text), (q.quote_id, text[:40], text[-40:])
        assert _balanced(q.quote.replace(quotes.ELLIPSIS, "")), q.quote_id
        assert "[ [...]" not in q.quote and "[...] ]" not in q.quote


def test_sentences_never_end_inside_a_bracket():
    text = "Oh good. [crosstalk] Erm, yes. She said [inaudible] and left. [clinical lead] rang."
    pieces = [text[a:b] for a, b in quotes.sentences(text)]
    assert pieces == ["Oh good.", "[crosstalk] Erm, yes.", "She said [inaudible] and left.", "[clinical lead] rang."]
    assert all(_balanced(p) for p in pieces)


def test_a_candidate_starting_or_ending_inside_a_placeholder_takes_it_whole():
    import pandas as pd

    text = "Participant: Then [clinical lead] and the team went round every health visiting team in [town] that winter."
    start, end = text.index("lead]"), text.index("own]") + 2  # a coding that cut both placeholders
    located = pd.DataFrame([{"theme": "T1", "group": "g", "participant_id": "P1", "label": "P 1",
                             "interview_id": "I1", "segment_id": "I1:t001", "start": start, "end": end,
                             "in_scope": True}])
    found = quotes.candidates(located, {"I1": text}, min_words=3)
    assert found["text"].tolist() == ["[clinical lead] and the team went round every health visiting team in [town]"]
    assert (found["start"].iloc[0], found["end"].iloc[0]) == (text.index("[clinical"), text.index("[town]") + 6)


def test_a_long_sentence_is_never_cut_inside_a_placeholder():
    words = "one two three four five six seven eight nine".split()
    sentence = " ".join(words) + " [health visitor from the north] and many more words after it to go on."
    cut, pieces = quotes.trim(sentence, offset=0, max_words=11, score=lambda s: [1.0] * len(s))
    assert cut == "one two three four five six seven eight nine [...]"
    assert pieces == [(0, len(" ".join(words)))]
    opening = "[inaudible crosstalk here] " + " ".join(words * 3) + "."
    cut, pieces = quotes.trim(opening, offset=0, max_words=2, score=lambda s: [1.0] * len(s))
    assert cut == "[inaudible crosstalk here] [...]" and _balanced(cut.replace(quotes.ELLIPSIS, ""))
