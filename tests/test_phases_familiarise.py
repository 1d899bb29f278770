"""Phase 01 on warm caches: what it reads from the parses is cached, equal to a cold run's, and
computed again exactly when a transcript, a coding unit or a parameter changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from thematic import phases
from thematic.cache import computed, recording

CACHED = "thematic.phases.familiarise.vocabulary_and_context"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    from thematic.bench.synthetic import generate_study

    data = tmp_path_factory.mktemp("familiarise") / "study"
    generate_study(data, n_interviews=4, seed=5)
    return data


def _run(data: Path, **options) -> tuple:
    with recording() as events:
        result = phases.familiarise(data, kwic_query="waiting", **options)
    return result, computed(events).get(CACHED, 0)


def _cold(data: Path, cache: Path, monkeypatch, **options):
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(cache))
    return _run(data, **options)[0]


def _same(one, other) -> None:
    assert [(type(i).__name__, i.section, getattr(i, "name", "")) for i in one.items] == \
           [(type(i).__name__, i.section, getattr(i, "name", "")) for i in other.items]
    assert one.tables.keys() == other.tables.keys()
    for name in one.tables:
        pd.testing.assert_frame_equal(one.tables[name], other.tables[name], obj=name)
    assert {k: f.to_json() for k, f in one.figures.items()} == {k: f.to_json() for k, f in other.figures.items()}
    parsing = [n for n in one.notes if "document(s) with" in n]
    assert [n for n in one.notes if n not in parsing] == [n for n in other.notes if "document(s) with" not in n]


def test_a_warm_run_reads_the_vocabulary_from_the_cache_and_equals_a_cold_run(study, tmp_path, monkeypatch):
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))
    cold, done = _run(study)
    assert done == 1 and any("0 from the cache, 4 parsed" in n for n in cold.notes)
    warm, done = _run(study)
    assert done == 0
    _same(warm, cold)
    assert any(n.startswith("4 document(s) with ") and n.endswith("read from the results cache, 0 parsed")
               for n in warm.notes)
    # the search box of a live session parses on first use, and finds what the report shows
    hits = warm.values["parsed"].concordance.search("waiting", window=70)
    assert [(h.interview_id, h.start, h.end) for h in hits] == \
           [(h.interview_id, h.start, h.end) for h in warm.values["hits"]] and hits
    # workers change how the parses are made, not what they are: the same result is reused
    assert _run(study, n_jobs=2)[1] == 0


def test_a_warm_run_loads_no_spacy_pipeline(study, tmp_path):
    env_cache = tmp_path / "cache"
    code = ("import sys\nfrom thematic import phases\n"
            f"phases.familiarise({str(study)!r}, kwic_query='waiting')\n"
            "print('spacy' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "THEMATIC_CACHE_DIR": str(env_cache)}).stdout.strip()
            for _ in range(2)]
    assert runs == ["True", "False"]


def test_a_change_recomputes_what_reads_it_and_equals_a_cold_run(study, tmp_path, monkeypatch):
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))
    first, _ = _run(study)

    # one parameter
    changed, done = _run(study, top_n_terms=5)
    assert done == 1 and changed.tables["frequent-terms"].groupby("group").size().max() <= 5
    _same(changed, _cold(study, tmp_path / "cold-1", monkeypatch, top_n_terms=5))
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))

    # one transcript: a turn added changes the text and the segments
    transcript = sorted((study / "deidentified").glob("*.txt"))[0]
    transcript.write_text(transcript.read_text(encoding="utf-8")
                          + "Participant: The waiting room was full, so we waited outside.\n\n", encoding="utf-8")
    changed, done = _run(study)
    assert done == 1
    assert len(changed.tables["kwic"]) > len(first.tables["kwic"])
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "cold-2"))
    cold, _ = _run(study)
    _same(changed, cold)
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))
    assert _run(study)[1] == 0
