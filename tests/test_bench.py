import pytest
from click.testing import CliRunner

from thematic.bench import BENCHMARKS, BenchResult, register
from thematic.cli import main


def test_measure_records_target_and_whether_it_is_met():
    result = BenchResult("demo")
    assert result.add("ratio", 0.95, "x", at_least=0.9).met is True
    assert result.add("memory", 5.0, "GiB", at_most=4).met is False
    table = result.table()
    assert list(table["met"]) == ["yes", "NO"]
    assert list(table["target"]) == [">= 0.9", "<= 4"]


def test_bench_command_runs_a_registered_benchmark_and_rejects_unknown_names():
    @register("unit-test-demo")
    def demo(*, quick: bool = False) -> BenchResult:
        result = BenchResult("unit-test-demo", notes=[f"quick={quick}"])
        result.add("answer", 42, at_least=1)
        return result

    try:
        runner = CliRunner()
        out = runner.invoke(main, ["bench", "unit-test-demo", "--quick"])
        assert out.exit_code == 0, out.output
        assert "quick=True" in out.output and "answer" in out.output
        assert "all targets met" in out.output
        bad = runner.invoke(main, ["bench", "no-such-bench"])
        assert bad.exit_code == 1 and "no-such-bench" in bad.output
    finally:
        BENCHMARKS.pop("unit-test-demo")


def test_generated_study_is_valid_deterministic_and_keeps_codings_on_their_text(tmp_path, sample_dataset):
    from thematic.bench.synthetic import generate_study
    from thematic.dataset import load_dataset

    first = generate_study(tmp_path / "a", n_interviews=6, source=sample_dataset, seed=3)
    second = generate_study(tmp_path / "b", n_interviews=6, source=sample_dataset, seed=3)
    assert first == second and first["codings"] > 0
    study = load_dataset(tmp_path / "a")
    assert len(study.texts) == 6 and set(study.coders) == set(sample_dataset.coders)
    # A moved coding covers the same words it covered in the sample.
    sample_spans = {sample_dataset.texts[c.interview_id][c.start:c.end]
                    for c in sample_dataset.codings.itertuples()}
    moved = study.codings.iloc[0]
    assert any(study.texts[moved.interview_id][moved.start:moved.end] in span for span in sample_spans)


def test_trivial_notebooks_keep_only_the_parameters_cell(tmp_path):
    import nbformat

    from conftest import ROOT
    from thematic.bench.report import write_trivial_notebooks
    from thematic.parameters import declared_parameters

    real = sorted((ROOT / "notebooks").glob("*.ipynb"))
    trivial = write_trivial_notebooks(real, tmp_path)
    for original, copy in zip(real, trivial, strict=True):
        assert declared_parameters(copy).declared == declared_parameters(original).declared
        assert len(nbformat.read(copy, as_version=4).cells) == 3


def test_the_real_size_study_has_the_sample_design_at_150_words_a_minute(tmp_path):
    """25 interviews with the sample's ids, groups, waves and durations, each as long as its
    stated duration at 150 words a minute; raw text with identifiers, codings valid on the
    de-identified text; the folder says it is synthetic."""
    from conftest import SAMPLE
    from thematic import io, load_dataset
    from thematic.bench.synthetic import generate_real_size_study
    from thematic.segments import segment_turns

    size = generate_real_size_study(tmp_path / "real")
    study, sample = load_dataset(tmp_path / "real"), load_dataset(SAMPLE)
    assert size["interviews"] == len(study.interviews) == len(sample.interviews) == 25
    columns = ["interview_id", "participant_id", "group", "wave", "duration_min"]
    assert study.interviews[columns].equals(sample.interviews[columns])
    words = segment_turns(study).groupby("interview_id")["words"].sum().sort_index()
    goal = (study.interviews.set_index("interview_id")["duration_min"] * 150).sort_index()
    assert (words >= goal).all() and (words < goal + 600).all()  # one question and answer over at most
    assert 120_000 <= words.sum() <= 140_000 and size["words"] > 120_000
    assert study.coders == sample.coders and size["codings"] == len(study.codings) > 3 * len(sample.codings)
    raw = "".join(io.read_text(p) for p in (tmp_path / "real" / "raw").glob("*.txt"))
    deidentified = "".join(study.texts.values())
    assert raw != deidentified and deidentified.count("[") > 100  # placeholders where raw has names
    settings = io.read_yaml(tmp_path / "real" / "study.yaml")
    assert settings["synthetic"] is True and "synthetic" in settings["synthetic_note"]
    assert study.settings.synthetic
    with pytest.raises(FileExistsError):
        generate_real_size_study(tmp_path / "real")
