"""The transcripts benchmark: speed figures from one quick run, and its renderings of a dialogue
in every layout read back exactly (fictional dialogue; the NHS text is used only by the bench)."""

from pathlib import Path

from thematic.bench import discover
from thematic.bench.transcripts import render, score
from thematic.transcripts import read_transcript

DIALOGUE = [
    ("Maren Holt", True, "Thanks for talking to me. How did the walking group start?"),
    ("Tobias Wren", False, "A notice in the surgery.\nNote: it was pinned upside down, which made me read it."),
    ("Maren Holt", True, "Who comes along?"),
    ("Tobias Wren", False, "Retired people mostly, and two new mums with prams at 10:30."),
    ("Maren Holt", True, "What keeps you going back?"),
    ("Tobias Wren", False, "The cafe at the end. Reason: they do a proper scone."),
    ("Maren Holt", True, "Anything you would change?"),
    ("Tobias Wren", False, "A second route for wet weather, away from the mud."),
]


def test_every_rendered_layout_reads_back_exactly(tmp_path: Path):
    files = render(DIALOGUE, tmp_path)
    assert len(files) == 16
    for layout, path in files.items():
        ok, share = score(DIALOGUE, read_transcript(path), encoding="cp1252" if "cp1252" in layout else "utf-8")
        assert ok, layout
        assert share == 1.0, layout


def test_transcripts_benchmark_quick_reports_speed_against_linear_time():
    result = discover()["transcripts"](quick=True)
    measures = {m.name: m for m in result.measures}
    ratio = measures["time ratio / size ratio (1 = linear)"]
    assert ratio.target == "<= 1.5" and ratio.value > 0
    assert measures["throughput (large)"].value > 0
    assert any("generated synthetic transcripts" in note for note in result.notes)
