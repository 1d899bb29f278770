"""Keyword-in-context on the sample: lemma and phrase search, filters, offsets."""

import pytest

from thematic import kwic
from thematic.errors import ParameterError
from thematic.parse import parse_transcripts
from thematic.segments import segment_turns


@pytest.fixture(scope="module")
def concordance(sample_dataset, tmp_path_factory):
    segments = segment_turns(sample_dataset)
    docs = parse_transcripts(sample_dataset.texts, nlp="en_core_web_sm", needs=("lemmas",),
                             cache_dir=tmp_path_factory.mktemp("cache"), progress=False)
    return kwic.Concordance(docs, segments)


def test_lemma_search_finds_inflections_with_offsets_into_the_text(concordance, sample_dataset):
    hits = concordance.search("visit")
    assert hits and {"visit", "visits", "visited", "visiting"} & {h.match.lower() for h in hits} >= {"visits"}
    for hit in hits:
        text = sample_dataset.texts[hit.interview_id]
        assert " ".join(text[hit.start:hit.end].split()).lower() == hit.match.lower()
        assert hit.speaker.lower() != "interviewer"
        assert len(hit.left) <= 60 and len(hit.right) <= 60
    exact = concordance.search("visits", match="text")
    assert exact and {h.match.lower() for h in exact} == {"visits"} and len(exact) < len(hits)


def test_phrase_search_and_filters(concordance):
    phrase = concordance.search("health visitor", group="parent")
    assert phrase and all(h.group == "parent" for h in phrase)
    assert {h.match.lower() for h in phrase} <= {"health visitor", "health visitors"}
    wave2 = concordance.search("consultation", group="service_team", wave=2)
    assert wave2 and all(h.wave == 2 and h.group == "service_team" for h in wave2)
    assert len(concordance.search("consultation", limit=2)) == 2
    interviewer = concordance.search("evaluation", speaker="Interviewer")
    assert interviewer and all(h.speaker == "Interviewer" for h in interviewer)
    table = kwic.hits_table(wave2)
    assert list(table.columns) == kwic.HIT_COLUMNS and len(table) == len(wave2)
    per_group = kwic.hits_per_group(concordance.search("health visitor")).set_index("group")
    assert per_group["hits"].sum() == len(concordance.search("health visitor"))


def test_bad_queries_and_filters_say_what_is_known(concordance):
    with pytest.raises(ParameterError, match="needs a word"):
        concordance.search("  ")
    with pytest.raises(ParameterError, match=r"Unknown group \['parents'\].*parent"):
        concordance.search("visit", group="parents")
    assert concordance.search("zebra crossing") == []


def test_a_lemma_search_matches_every_inflection_both_ways(concordance):
    wait, waiting = concordance.search("wait"), concordance.search("waiting")
    assert [h.start for h in wait] == [h.start for h in waiting]
    assert {"wait", "waiting"} <= {h.match.lower() for h in wait}
    assert any(h.right.lower().startswith("list") for h in wait if h.match.lower() == "waiting")
    assert kwic.inflections("stop") >= {"stops", "stopped", "stopping"}
    assert kwic.inflections("carry") >= {"carries", "carried"} and kwic.inflections("use") >= {"used", "using"}


def test_search_box_pages_its_hits_and_honours_the_interviewer_parameter(concordance):
    pytest.importorskip("ipywidgets")
    box = kwic.search_box(concordance, query="visit", page_size=10)
    (text, _), (_, _, interviewer), (previous, following, status), lines = (
        box.children[0].children, box.children[1].children, box.children[2].children, box.children[3])
    total = len(concordance.search("visit"))
    assert f"1-10 of {total}" in status.value and previous.disabled and not following.disabled
    assert lines.value.count("<tr>") == 10 and "<b>" in lines.value
    following.click()
    assert f"11-20 of {total}" in status.value and not previous.disabled
    interviewer.value = True
    assert f"of {len(concordance.search('visit', include_interviewer=True))}" in status.value
    on = kwic.search_box(concordance, query="evaluation", include_interviewer=True)
    assert on.children[1].children[2].value is True
    text.value = "<script>"
    assert "&lt;script&gt;" not in lines.value and "no hit" in status.value


def test_kwic_command_prints_hits_with_offsets(monkeypatch, tmp_path):
    from click.testing import CliRunner
    from conftest import SAMPLE

    from thematic.cli import main

    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "cache"))
    out = CliRunner().invoke(main, ["kwic", "joint visit", "--data-dir", str(SAMPLE), "--group", "service_team",
                                    "--window", "30"])
    assert out.exit_code == 0, out.output
    assert "[joint visit" in out.output and "TEAM" in out.output and "hit(s) for 'joint visit'" in out.output
    bad = CliRunner().invoke(main, ["kwic", "visit", "--data-dir", str(SAMPLE), "--group", "nobody"])
    assert bad.exit_code == 1 and "Unknown group" in bad.output
