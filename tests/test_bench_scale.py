"""The scale benchmark: real-length synthetic studies, every phase timed, per-document work in parallel."""

from __future__ import annotations

import pandas as pd
import pytest

from thematic.bench import scale
from thematic.bench.synthetic import generate_real_length_study

PHASE_NAMES = [name for name, _ in scale.PHASES]


@pytest.fixture(scope="module")
def small_study(tmp_path_factory, sample_dataset):
    folder = tmp_path_factory.mktemp("scale") / "study"
    size = generate_real_length_study(folder, n_interviews=8, words_per_interview=900, source=None, seed=4)
    return folder, size


def test_real_length_study_has_work_for_every_phase_and_says_it_is_synthetic(small_study, tmp_path):
    from thematic.dataset import load_dataset
    folder, size = small_study
    assert size["interviews"] == 8 and size["participants"] == 6  # a quarter of the interviews are second waves
    assert 8 * 900 <= size["words"] < 8 * 900 * 1.5 and size["codings"] > 0
    data = load_dataset(folder)
    assert sorted(data.interviews["wave"].value_counts().to_dict().items()) == [(1, 6), (2, 2)]
    assert set(data.coders) == {"coder_a", "coder_b"} and len(data.codebook.themes) > 1
    assert data.participants["group"].nunique() > 1
    settings = data.settings
    assert settings.synthetic is True and "synthetic" in settings.synthetic_note
    raw = {p.name: p.read_text(encoding="utf-8") for p in (folder / "raw").glob("*.txt")}
    published = {p.name: p.read_text(encoding="utf-8") for p in (folder / "deidentified").glob("*.txt")}
    assert raw.keys() == published.keys() and any(raw[k] != published[k] for k in raw)  # identifiers to find
    again = generate_real_length_study(tmp_path / "again", n_interviews=8, words_per_interview=900, seed=4)
    assert again == size
    assert (tmp_path / "again" / "codings" / "coder_a.csv").read_bytes() == (folder / "codings" / "coder_a.csv").read_bytes()


def test_scale_quick_run_times_every_phase_end_to_end():
    result = scale.bench_scale(quick=True)
    names = [m.name for m in result.measures]
    for n in scale.QUICK_SIZES:
        for phase in PHASE_NAMES:
            assert f"{n} interviews: {phase}: CPU seconds per 1,000 words" in names
            assert f"{n} interviews: {phase}: wall seconds" in names
        assert f"{n} interviews: peak memory of the phases" in names
    small, large = scale.QUICK_SIZES[0], scale.QUICK_SIZES[-1]
    for phase in PHASE_NAMES:
        assert f"{phase}: cost per word, {large} vs {small} interviews" in names
    assert f"five phases: cost per word, {large} vs {small} interviews" in names
    assert all(m.value > 0 for m in result.measures)
    memory = [m for m in result.measures if "peak memory" in m.name]
    assert all(0.1 < m.value < 4 for m in memory)
    steps = "\n".join(result.notes)
    for step in ("de-identification audit", "parsing", "candidate codes", "cross-validation", "learning curve",
                 "agreement intervals", "wave change intervals", "quote selection"):
        assert step in steps


def test_summary_names_the_whole_report_ratio_when_the_render_was_timed():
    def run(words, cpu):
        phases = {name: {"cpu": cpu, "wall": cpu, "peak_gib": 1.0, "steps": {}} for name in PHASE_NAMES}
        phases[scale.RENDER] = {"cpu": 6 * cpu, "wall": 6 * cpu, "peak_gib": 1.5}
        return {"interviews": words // 1000, "words": words, "phases": phases, "load": (1.0, 1.0, 1.0)}

    result = scale.summarise({100: run(100_000, 10.0), 300: run(300_000, 33.0)})
    by_name = {m.name: m for m in result.measures}
    whole = by_name["whole report: cost per word, 300 vs 100 interviews"]
    assert whole.value == pytest.approx(1.1) and whole.met is True
    assert by_name["100 interviews: five phases: CPU seconds per 1,000 words"].value == pytest.approx(0.5)
    assert by_name["300 interviews: peak memory of the render (largest process)"].value == 1.5


# --- per-document work in parallel equals the serial result ----------------------------------------

def _located(folder):
    from thematic import triangulate
    from thematic.dataset import load_dataset
    from thematic.segments import code_segments, combine_coders, segment_turns

    data = load_dataset(folder)
    segments = segment_turns(data)
    final = combine_coders(code_segments(segments, data.codings), rule="union")
    spans = triangulate.coded_spans(data.codings, final, segments, rule="union")
    return data, triangulate.locate_spans(spans, segments, data.codebook, scopes=data.scopes)


def test_quote_candidates_and_selection_are_the_same_with_workers_and_on_dask(small_study):
    import joblib
    from dask.distributed import Client, LocalCluster

    from thematic import quotes

    data, located = _located(small_study[0])
    serial = quotes.candidates(located, data.texts)
    assert len(serial) > 20 and serial["interview_id"].nunique() == 8
    pd.testing.assert_frame_equal(quotes.candidates(located, data.texts, n_jobs=2), serial)
    check = quotes.identifier_check(["Nadia"])
    chosen, aside = quotes._select_quotes(located, data.texts, rules=quotes.QuoteRules(), check=check,
                                          group_order=data.groups)
    chosen2, aside2 = quotes._select_quotes(located, data.texts, rules=quotes.QuoteRules(), check=check,
                                            group_order=data.groups, n_jobs=2)
    assert len(chosen) > 5
    pd.testing.assert_frame_equal(chosen2, chosen)
    pd.testing.assert_frame_equal(aside2, aside)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster), joblib.parallel_backend("dask"):
        on_dask = quotes.candidates(located, data.texts, n_jobs=-1)
    pd.testing.assert_frame_equal(on_dask, serial)


def test_quote_candidates_equal_the_rule_stretch_by_stretch(small_study):
    """The per-interview rewrite against the rule written out directly (one stretch at a time)."""
    from thematic import quotes
    from thematic.triangulate import merge_intervals

    data, located = _located(small_study[0])
    expected = []
    scoped = located[located["in_scope"]]
    for key, part in scoped.groupby(quotes.CANDIDATE_KEYS, sort=True):
        text = data.texts[key[4]]
        for start, end in merge_intervals(zip(part["start"], part["end"], strict=True)):
            start, end = quotes._strip(text, *quotes._widen(text, start, end))
            if len(text[start:end].split()) >= 12:
                expected.append((*key, start, end, len(text[start:end].split()), text[start:end]))
    found = quotes.candidates(located, data.texts)
    assert list(found.itertuples(index=False, name=None)) == expected


def test_deidentification_audit_is_the_same_with_workers(small_study, tmp_path, monkeypatch):
    from thematic import review

    folder = small_study[0]
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "serial"))
    serial = review.deidentify_folder(folder, write=False, n_jobs=1)
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "workers"))
    workers = review.deidentify_folder(folder, write=False, n_jobs=2)
    assert len(serial.identifiers) > 10
    pd.testing.assert_frame_equal(workers.identifiers, serial.identifiers)
    assert (workers.changed, workers.unchanged) == (serial.changed, serial.unchanged)


def test_prepare_and_triangulate_take_n_jobs_and_check_it(small_study):
    from thematic import phases
    from thematic.errors import ParameterError

    with pytest.raises(ParameterError, match="n_jobs"):
        phases.prepare(small_study[0], n_jobs=0)
    with pytest.raises(ParameterError, match="n_jobs"):
        phases.triangulate_themes(small_study[0], n_jobs=-2)


def test_bench_command_passes_sizes_to_the_scale_benchmark_only(monkeypatch):
    from click.testing import CliRunner

    from thematic.cli import main

    seen = {}

    def fake(*, quick=False, sizes=None):
        seen.update(quick=quick, sizes=sizes)
        return scale.summarise({n: {"interviews": n, "words": 1000 * n, "load": (0, 0, 0), "phases": {
            name: {"cpu": n, "wall": n, "peak_gib": 0.5, "steps": {}} for name in PHASE_NAMES}} for n in sizes})

    from thematic import bench

    bench.discover()
    monkeypatch.setitem(bench.BENCHMARKS, "scale", fake)
    runner = CliRunner()
    out = runner.invoke(main, ["bench", "scale", "--sizes", "3, 6", "--quick"])
    assert out.exit_code == 0, out.output
    assert seen == {"quick": True, "sizes": [3, 6]}
    assert "five phases: cost per word, 6 vs 3 interviews" in out.output
    bad = runner.invoke(main, ["bench", "scale", "--sizes", "3,x"])
    assert bad.exit_code == 1 and "[E970]" in bad.output
    other = runner.invoke(main, ["bench", "scale", "parse", "--sizes", "3,6"])
    assert other.exit_code == 1 and "[E971]" in other.output and "parse" in other.output


def test_cpu_seconds_count_the_work_of_worker_processes():
    """The code suggester fits in joblib's pool of workers, which outlives each call: their CPU
    is counted as the phase's, not lost (the process's own time alone missed it)."""
    import time

    from joblib import Parallel, delayed

    def spin(seconds: float) -> float:
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass
        return seconds

    own, before = time.process_time(), scale.cpu_seconds()
    Parallel(n_jobs=2)(delayed(spin)(0.6) for _ in range(2))  # the workers stay alive afterwards
    counted, by_itself = scale.cpu_seconds() - before, time.process_time() - own
    assert counted >= 1.1 and by_itself < 0.6
