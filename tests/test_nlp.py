"""spaCy pipelines: loaded only from installed packages; texts of any length parsed in pieces."""

from __future__ import annotations

import pytest

from thematic.errors import ModelError
from thematic.nlp import chunk_spans, load_pipeline, pipe_texts, resolve_model, sentence_spans


def _transcript(turns: int) -> str:
    return "".join(f"{'Interviewer' if n % 2 else 'Participant'}: We met Sarah Jones in Leeds on turn {n}. "
                   f"She rang the health visitor twice.\n\n" for n in range(turns))


def test_chunks_cover_the_text_exactly_and_cut_between_turns():
    text = _transcript(40)
    spans = chunk_spans(text, max_chars=500)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(0 < e - s <= 500 for s, e in spans) and len(spans) > 1
    assert all(text[s:e].endswith("\n\n") for s, e in spans[:-1])  # every cut after a blank line
    assert chunk_spans("short", max_chars=500) == [(0, 5)] and chunk_spans("") == [(0, 0)]


def test_a_turn_longer_than_a_chunk_is_cut_at_lines_sentences_then_spaces():
    text = "Participant: " + "One long answer. " * 60 + "\nnext line\n" + "x" * 300
    spans = chunk_spans(text, max_chars=200)
    assert "".join(text[s:e] for s, e in spans) == text and all(e - s <= 200 for s, e in spans)
    assert text[spans[0][0]:spans[0][1]].endswith(". ")
    assert any(text[s:e] == "x" * 200 for s, e in spans)  # no place to cut: cut inside the word


def test_a_long_text_parses_with_exact_offsets():
    nlp = load_pipeline("en_core_web_sm")
    text = _transcript(30)
    whole = pipe_texts(nlp, [text], max_chars=len(text))[0]
    pieces = pipe_texts(nlp, [text, "Participant: Hello."], max_chars=300)
    assert pieces[0].text == text and pieces[1].text == "Participant: Hello."
    assert [(t.idx, t.text) for t in pieces[0]] == [(t.idx, t.text) for t in whole]
    names = [(e.text, e.start_char) for e in pieces[0].ents if e.label_ == "PERSON"]
    assert names and all(text[s:s + len(n)] == n for n, s in names)
    assert [(e.start_char, e.end_char) for e in pieces[0].ents] == [(e.start_char, e.end_char) for e in whole.ents]


def test_sentences_of_a_text_longer_than_spacy_takes():
    text = "We met. " * 130_000 + "The end."  # 1,040,008 characters: spaCy alone refuses it
    spans = sentence_spans(text)
    assert len(spans) == 130_001 and spans[-1] == (len(text) - 8, len(text))
    assert all(text[s:e] in ("We met.", "The end.") for s, e in spans[:3] + spans[-2:])


@pytest.mark.parametrize("name", ["../../../etc", "/usr/lib", "en_core_web_sm/..", "", "C:\\models\\x"])
def test_a_pipeline_is_never_loaded_from_a_path(name: str):
    with pytest.raises(ModelError, match=r"\[E810\] .*never from a path"):
        load_pipeline(name)


def test_the_fallback_chain_is_resolved_before_loading(monkeypatch):
    from thematic import nlp

    choice = resolve_model("en_core_web_sm")
    assert load_pipeline("en_core_web_sm").meta["thematic_loaded_as"] == choice.loaded and choice.version
    monkeypatch.setattr(nlp, "FALLBACK_MODELS", ())
    with pytest.raises(ModelError, match=r"\[E016\] No spaCy pipeline found: tried \['no_such_pipeline'\]"):
        resolve_model("no_such_pipeline")


def test_describe_names_the_package_that_loaded():
    from thematic.nlp import describe

    described = describe(load_pipeline("en_core_web_sm"))
    assert described["requested_or_loaded"] == resolve_model("en_core_web_sm").loaded
    assert described["version"] and "ner" in described["components"]


def test_the_sentencizer_splits_as_spacys_own_and_imports_no_entry_point_package():
    """Built without the entry-point components (Presidio registers one): the same sentences as
    ``spacy.blank("en")`` with a sentencizer, and Presidio is not imported for it."""
    import subprocess
    import sys

    import spacy

    from thematic.nlp import sentence_spans, sentencizer

    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    texts = ["Yes. We met weekly! Did it help? [pause] Mostly... I think so.",
             "No full stop at the end", "Dr. Smith said so. Then [team leader] left.\n\nNew line here."]
    for text in texts:
        assert [(s.start_char, s.end_char) for s in sentencizer()(text).sents] == \
            [(s.start_char, s.end_char) for s in reference(text).sents]
        assert sentence_spans(text)
    code = ("import sys; from thematic.nlp import sentencizer; sentencizer()('One. Two.'); "
            "print('presidio_analyzer' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
