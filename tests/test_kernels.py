"""The report runner's kernels exit gracefully (their clean-up runs) while the next notebook runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

psutil = pytest.importorskip("psutil")

from thematic.errors import ReportError
from thematic.report import render_report

#: What each test notebook runs: its kernel's pid, then an exit handler that takes *linger*
#: seconds and writes when it finished (as a loky or Dask clean-up would run at exit).
CELL = """import atexit, json, os, time
from pathlib import Path
marks = Path(marker_dir)
import psutil
(marks / f"{name}.start").write_text(json.dumps({"pid": os.getpid(), "at": time.time(),
                                               "born": psutil.Process().create_time()}))
time.sleep(0.5)

def _clean_up():
    time.sleep(linger)
    (marks / f"{name}.exit").write_text(json.dumps({"at": time.time()}))

atexit.register(_clean_up)
"""


def _notebooks(folder: Path, names: list[str], *, linger: float, failing: str | None = None) -> Path:
    folder.mkdir()
    for name in names:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        parameters = nbformat.v4.new_code_cell(f'marker_dir = ""\nname = "{name}"\nlinger = {linger}\n'
                                               "output_dir = None")
        parameters.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}\n\nA test notebook."), parameters,
                    nbformat.v4.new_code_cell(CELL)]
        if name == failing:
            nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _marks(folder: Path, name: str) -> tuple[dict, dict | None]:
    start = json.loads((folder / f"{name}.start").read_text())
    exit_file = folder / f"{name}.exit"
    return start, json.loads(exit_file.read_text()) if exit_file.exists() else None


def _exited(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def params(tmp_path: Path) -> Path:
    marks = tmp_path / "marks"
    marks.mkdir()
    path = tmp_path / "params.yaml"
    path.write_text(f"title: Kernels\nmarker_dir: {marks}\n", encoding="utf-8")
    return path


def test_a_kernel_exits_gracefully_while_the_next_notebook_runs(tmp_path: Path, params: Path):
    names = ["00-first", "01-second", "02-third"]
    notebooks = _notebooks(tmp_path / "notebooks", names, linger=1.5)
    report = render_report(params, output_dir=tmp_path / "report", notebooks_dir=notebooks,
                           progress=False, echo=lambda m: None)
    marks = tmp_path / "marks"
    for before, after in zip(names, names[1:]):
        start, exit_ = _marks(marks, before)
        assert exit_ is not None and _exited(start["pid"])  # the exit handler ran, the kernel is gone
        # the next notebook's kernel was started while this notebook ran, and the next notebook
        # ran before this kernel had finished its clean-up
        assert _marks(marks, after)[0]["born"] < start["at"] + 0.25
        assert _marks(marks, after)[0]["at"] < exit_["at"]
    last, last_exit = _marks(marks, names[-1])
    assert last_exit is not None and _exited(last["pid"])  # the last kernel too, before the runner returned
    manifest = json.loads((report / "manifest.json").read_text())
    assert [p["name"] for p in manifest["phases"]] == names
    assert all(p["seconds"] < 1.5 + 30 for p in manifest["phases"])
    assert sorted(p.name for p in (report / "executed").iterdir()) == [f"{n}.ipynb" for n in names]


def test_a_failing_notebook_reports_its_cell_and_every_kernel_exits(tmp_path: Path, params: Path):
    names = ["00-first", "01-second", "02-third"]
    notebooks = _notebooks(tmp_path / "notebooks", names, linger=0.5, failing="01-second")
    with pytest.raises(ReportError, match=r"01-second.ipynb failed at cell \d+ \(ValueError: planted failure\)"):
        render_report(params, output_dir=tmp_path / "report", notebooks_dir=notebooks,
                      progress=False, echo=lambda m: None)
    marks = tmp_path / "marks"
    for name in names[:2]:
        start, exit_ = _marks(marks, name)
        assert exit_ is not None and _exited(start["pid"])
    assert not (marks / "02-third.start").exists()  # its kernel was started, never used, and stopped
    kernels = [p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    assert kernels == []
    assert not (tmp_path / "report").exists()
    assert (tmp_path / "report.failed" / "executed" / "01-second.ipynb").exists()
