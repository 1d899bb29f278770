"""The parse benchmark runs (quick) and reports its two targets from one run."""

from thematic.bench import discover


def test_parse_benchmark_quick_reports_cold_and_warm_ratios():
    result = discover()["parse"](quick=True)
    measures = {m.name: m for m in result.measures}
    assert measures["cold vs raw nlp.pipe (words/s ratio), median of pairs"].target == ">= 0.9"
    assert measures["warm vs cold (times faster)"].target == ">= 20"
    assert measures["cached parse, warm"].value > measures["cached parse, cold"].value > 0
    assert any("components run" in note for note in result.notes)
