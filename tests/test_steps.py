"""Tests of thematic.steps: timed, recorded steps of a phase."""

import json
import time

import pytest

from thematic.steps import Steps, StepTime, read_timings, timings_path


def test_steps_are_timed_counted_and_written_after_each_step(tmp_path):
    steps = Steps(phase="01-x", record_to=tmp_path, progress=False)
    with steps("reading", total=3) as advance:
        for _ in range(3):
            advance()
    assert json.loads(timings_path(tmp_path, "01-x").read_text())["steps"][0]["items"] == 3
    with steps("sleeping"):
        time.sleep(0.05)
    recorded = read_timings(tmp_path, "01-x")
    assert [t.name for t in recorded] == ["reading", "sleeping"]
    assert recorded[1].seconds >= 0.05 and recorded[1].items is None
    assert recorded == steps.times


def test_a_failing_step_is_not_recorded_and_earlier_ones_stay(tmp_path):
    steps = Steps(phase="p", record_to=tmp_path, progress=False)
    with steps("first"):
        pass
    with pytest.raises(RuntimeError), steps("second"):
        raise RuntimeError("boom")
    assert [t.name for t in read_timings(tmp_path, "p")] == ["first"]


def test_in_memory_steps_and_missing_timings(tmp_path):
    steps = Steps(phase="p", progress=True)
    with steps("quick", total=2) as advance:
        advance(2)
    assert steps.times == [StepTime(name="quick", seconds=steps.times[0].seconds, items=2)]
    assert read_timings(tmp_path, "p") == []


def test_a_long_step_shows_a_bar_in_a_terminal_even_when_it_cannot_count(monkeypatch, capsys):
    monkeypatch.setattr("thematic.steps.PROGRESS_DELAY", 0.2)
    monkeypatch.delenv("THEMATIC_REPORT", raising=False)
    steps = Steps(phase="p")
    with steps("uncounted"):
        time.sleep(0.8)
    with steps("quick"):
        pass
    err = capsys.readouterr().err
    assert "uncounted" in err and "quick" not in err


def test_in_a_kernel_the_bar_is_a_widget_and_nothing_of_it_remains(tmp_path, monkeypatch):
    """Run in a real kernel: the bar appears after the delay (also for a step that cannot count),
    and its output is emptied when the step ends; under the report (THEMATIC_REPORT) no bar at all."""
    import nbformat
    import papermill

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"},
                                            "language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(
        "import time\nimport thematic.steps as s\ns.PROGRESS_DELAY = 0.3\nsteps = s.Steps(phase='x')\n"
        "with steps('counted', total=3) as advance:\n    for _ in range(3):\n        time.sleep(0.4)\n"
        "        advance()\nwith steps('uncounted'):\n    time.sleep(1)\nprint([t.name for t in steps.times])")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    for report, bars in (("", 2), ("1", 0)):
        monkeypatch.setenv("THEMATIC_REPORT", report)
        papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                                   progress_bar=False)
        outputs = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs
        shown = [o for o in outputs if o.output_type == "display_data"]
        assert len(shown) == bars and all(o.data == {} for o in shown), report
        assert [o.text for o in outputs if o.output_type == "stream"] == ["['counted', 'uncounted']\n"], report
