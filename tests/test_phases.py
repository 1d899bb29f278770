"""Each phase called as a function, on the sample and on a study of another shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE
from thematic import phases
from thematic.errors import ParameterError
from thematic.phases.base import PhaseResult
from thematic.present import Publisher
from thematic.steps import REPORT_ENV, Steps, read_timings, show_progress

SAMPLE_GROUPS = ["parent", "service_team", "referrer", "commissioner"]


def _one_group_no_waves(target: Path) -> Path:
    """The sample with no group column, no study.yaml and no wave column."""
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("source", "study.yaml"))
    participants = pd.read_csv(target / "participants.csv", dtype=str, keep_default_na=False)
    participants.drop(columns=["group", "label"]).to_csv(target / "participants.csv", index=False)
    interviews = pd.read_csv(target / "interviews.csv", dtype=str, keep_default_na=False)
    interviews.drop(columns=["wave"]).to_csv(target / "interviews.csv", index=False)
    return target


@pytest.fixture(scope="module")
def one_group(tmp_path_factory) -> Path:
    return _one_group_no_waves(tmp_path_factory.mktemp("shape") / "data")


# --- a notebook imports what its phase needs --------------------------------------------------------

HEAVY = ("spacy", "sklearn", "presidio_analyzer", "nbformat", "nbconvert", "papermill", "jsonschema", "torch")


@pytest.mark.parametrize(("function", "imported"), [
    ("prepare", []), ("familiarise", []), ("suggest_codes", ["sklearn"]), ("map_themes", []),
    ("triangulate_themes", []),
])
def test_importing_a_phase_imports_no_library_it_may_not_need(function: str, imported: list[str]):
    """spaCy, Presidio and the report runner are imported only by a step that computes (a
    warm run finds its results in the cache); scikit-learn only by code suggestions."""
    code = (f"import inspect, sys\nfrom thematic import phases\n"
            f"before = [m for m in {HEAVY!r} if m in sys.modules]\nfunction = phases.{function}\n"
            "from thematic.parameters import declarations\n"  # what the phase's own check imports
            "found = declarations(n for n in inspect.signature(function).parameters if n not in ('data', 'steps'))\n"
            f"print(before, [m for m in {HEAVY!r} if m in sys.modules], len(found) > 1)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"[] {imported} True"


def test_a_phase_is_its_function_even_once_its_module_is_imported():
    import thematic.phases.familiarise as module_or_function

    assert phases.familiarise is module_or_function is phases.familiarise.__globals__["familiarise"]
    assert phases.prepare.__module__ == "thematic.phases.prepare"
    with pytest.raises(AttributeError):
        phases.no_such_phase  # noqa: B018


# --- parameters are checked before any work ------------------------------------------------------

@pytest.mark.parametrize(("call", "options", "name"), [
    (phases.map_themes, {"coding_rule": "majority"}, "coding_rule"),
    (phases.triangulate_themes, {"coding_rule": "majority"}, "coding_rule"),
    (phases.map_themes, {"n_boot": -5}, "n_boot"),
    (phases.suggest_codes, {"cv_folds": 1}, "cv_folds"),
    (phases.familiarise, {"top_n_terms": 0}, "top_n_terms"),
    (phases.prepare, {"deidentify_audit": "yes"}, "deidentify_audit"),
])
def test_a_bad_parameter_is_refused_by_name_before_any_work(tmp_path, call, options, name):
    missing = tmp_path / "no-such-folder"  # never read: the parameter is refused first
    started = time.perf_counter()
    with pytest.raises(ParameterError, match=rf"\[E809\] Parameter '{name}' in .*: must"):
        call(missing, **options)
    assert time.perf_counter() - started < 2


def test_coding_rule_majority_is_refused_by_the_report_before_any_notebook_runs(tmp_path):
    from thematic.report import render_report

    params = tmp_path / "mine.yaml"
    params.write_text(f"data_dir: {SAMPLE}\ncoding_rule: majority\n")
    with pytest.raises(ParameterError, match=r"Parameter 'coding_rule' in .*mine.yaml: must be 'union' or "
                                             r"'intersection'; got 'majority'"):
        render_report(params, output_dir=tmp_path / "r", progress=False, echo=lambda m: None)
    assert not (tmp_path / "r").exists() and not (tmp_path / "r.failed").exists()


# --- 00 prepare -----------------------------------------------------------------------------------

def test_prepare_lists_the_inputs_and_the_coding_units():
    result = phases.prepare(SAMPLE, deidentify_audit=False)
    assert result.sections == ["inputs", "audit", "units"]
    assert len(result.tables["interviews"]) == 25 and result.tables["interviews"]["turns"].gt(0).all()
    by_group = result.tables["segments-by-group"]
    assert set(by_group["group"]) == set(SAMPLE_GROUPS) and set(by_group["is_interviewer"]) == {True, False}
    assert by_group["segments"].sum() == len(result.values["segments"])
    assert "No de-identification audit: `raw/` is absent or `deidentify_audit` is off." in result.notes
    assert any("These data are synthetic." in n for n in result.notes)
    assert list(result.figures) == ["words-per-interview"]


# --- 01 familiarisation -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def familiarised(tmp_path_factory) -> tuple[PhaseResult, Path]:
    timings = tmp_path_factory.mktemp("timings")
    steps = Steps(phase="01-familiarisation", record_to=timings, progress=False)
    return phases.familiarise(SAMPLE, kwic_query="waiting list", steps=steps), timings


def test_familiarise_on_the_sample(familiarised):
    result, timings = familiarised
    assert result.tables["methods-table"]["Stakeholder group"].tolist()[-1] == "All"
    assert len(result.tables["methods-table"]) == len(SAMPLE_GROUPS) + 1
    kwic = result.tables["kwic"]
    assert len(kwic) > 0 and kwic["match"].str.lower().str.startswith("waiting list").all()
    assert result.tables["kwic-per-group"]["hits"].sum() == len(kwic)
    assert result.tables["frequent-terms"].groupby("group").size().max() <= 12
    assert [s.name for s in read_timings(timings, "01-familiarisation")] == ["parsing", "vocabulary"]
    assert read_timings(timings, "01-familiarisation")[0].items == 25


def test_the_search_box_is_shown_only_in_a_live_session(familiarised, tmp_path, monkeypatch):
    result, _ = familiarised
    shown = []
    monkeypatch.setattr("thematic.present.display", lambda obj, **kw: shown.append(obj))
    Publisher(tmp_path / "report", phase=result.phase).show(result, "kwic")
    assert all(isinstance(o, dict) for o in shown)  # tables only
    shown.clear()
    Publisher(None, phase=result.phase).show(result, "kwic")
    assert type(shown[0]).__name__ == "VBox" and len(shown) == 3


# --- 02 code suggestions ----------------------------------------------------------------------------

def test_suggest_codes_on_the_sample():
    result = phases.suggest_codes(SAMPLE, cv_folds=3, candidate_topics=4, learning_sizes=[50, 5000])
    summary = result.tables["evaluation-summary"].iloc[0]
    assert summary["folds"] == 3 and summary["reference_coder"] == "coder_a"
    assert summary["segments"] == len(result.values["units"]) and 0 < summary["micro_f1"] < 1
    curve = result.tables["learning-curve"]
    assert curve["requested"].tolist() == sorted(curve["requested"].tolist()) and set(curve["requested"]) == {50, 5000}
    assert len(result.tables["candidate-codes"]) == 4
    suggestions = result.values["suggestions"]
    coded = result.values["coded"]
    own = set(coded.loc[coded["coder"] == "coder_a", "segment_id"])
    assert len(suggestions) > 0 and not set(suggestions["segment_id"]) & own
    assert "Nothing to code next: every participant segment counts as coded by coder_a." in result.notes


# --- 03 theme mapping -------------------------------------------------------------------------------

def test_map_themes_on_the_sample(tmp_path):
    steps = Steps(phase="03-theme-mapping", record_to=tmp_path, progress=False)
    result = phases.map_themes(SAMPLE, n_boot=0, steps=steps)
    assert result.tables["table-1"]["theme"].tolist() == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    record = result.records["consensus.json"]
    assert record["disagreements"] == len(record["decisions"]) == len(result.tables["consensus-decisions"])
    assert record["agreed_pairs"] > 0
    agreement = result.tables["agreement-per-code"]
    assert agreement["code"].iloc[-1] == "(pooled)" or "(pooled)" in set(agreement["code"])
    assert [s.name for s in read_timings(tmp_path, "03-theme-mapping")] == ["agreement intervals", "agreement by unit"]
    Publisher(tmp_path, phase=result.phase).show(result)
    written = json.loads((tmp_path / "consensus.json").read_text())
    assert written["rule"] == record["rule"] and len(written["decisions"]) == record["disagreements"]
    assert (tmp_path / "tables" / "03-theme-mapping" / "table-1.csv").exists()
    assert (tmp_path / "figures" / "03-theme-mapping" / "thematic-map.json").exists()


def test_map_themes_with_one_coder_maps_the_coding_as_it_is(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("source"))
    (data / "codings" / "coder_b.csv").unlink()
    result = phases.map_themes(data, n_boot=0)
    assert "Only one coder's file was found" in result.notes[0]
    assert "agreement-per-code" not in result.tables and not result.records
    assert result.tables["table-1"]["segments"].gt(0).any()


# --- 04 triangulation -------------------------------------------------------------------------------

def test_triangulate_on_the_sample(tmp_path):
    result = phases.triangulate_themes(SAMPLE, n_boot=200)
    counts = result.tables["convergence-counts"].set_index("convergence")["pairs"]
    assert counts["partial agreement"] > 0 and counts["dissonance"] > 0
    waves = result.tables["waves"]
    assert set(waves["group"]) == {"service_team"} and waves[["change_low", "change_high"]].notna().all().all()
    assert "waves-service_team" in result.figures
    assert {"scope-parents", "scope-professionals"} <= set(result.tables)
    Publisher(tmp_path, phase=result.phase).show(result, "member-check")
    assert sorted(p.name for p in (tmp_path / "member-check").iterdir()) == [
        "member-check-comments.csv", "member-check.docx", "member-check.html"]


# --- a study of another shape: one group, no waves --------------------------------------------------

def test_phases_on_one_group_without_waves(one_group):
    prepared = phases.prepare(one_group, deidentify_audit=False)
    assert len(prepared.tables["segments-by-group"]["group"].unique()) == 1
    mapped = phases.map_themes(one_group, n_boot=0)
    assert mapped.tables["table-1"]["theme"].tolist() == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    triangulated = phases.triangulate_themes(one_group, n_boot=0)
    assert set(triangulated.tables["convergence-by-theme"]["convergence"]) == {"single group"}
    assert "No participant was interviewed in more than one wave: nothing to compare over time." in triangulated.notes
    assert "waves" not in triangulated.tables


def test_familiarise_on_one_group(one_group):
    result = phases.familiarise(one_group, kwic_query="team", steps=Steps(phase="x", progress=False))
    assert len(result.tables["methods-table"]) == 2
    assert len(result.tables["kwic"]) == result.tables["kwic-per-group"]["hits"].sum() > 0


# --- progress -----------------------------------------------------------------------------------------

def test_no_progress_bar_under_the_report(monkeypatch):
    monkeypatch.delenv(REPORT_ENV, raising=False)
    assert show_progress() and Steps(phase="x").progress
    monkeypatch.setenv(REPORT_ENV, "1")
    assert not show_progress() and not Steps(phase="x").progress
    from thematic.parse import DocParser

    assert DocParser("en_core_web_sm", use_cache=False).progress is False


def test_phases_that_need_codings_say_they_are_skipped_without_them(sample_copy):
    from thematic.steps import Steps

    shutil.rmtree(sample_copy / "codings")
    for phase in (phases.suggest_codes, phases.triangulate_themes):
        result = phase(sample_copy, steps=Steps(phase="test", progress=False))
        assert result.sections == ["status"] and not result.tables and not result.figures
        assert result.notes[0].startswith("**No codings yet.**") and result.notes[0].endswith("This phase is skipped.")
