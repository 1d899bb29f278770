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
