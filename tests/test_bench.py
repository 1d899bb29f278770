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
