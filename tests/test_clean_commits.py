"""Notebooks are committed without outputs: the committed ones hold none, and the git filter the
repository configures (``.gitattributes`` + ``make git-filter``) strips them on commit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _in_git() -> bool:
    return shutil.which("git") is not None and (ROOT / ".git").exists()


def _committed_notebooks() -> dict[str, str]:
    """Every notebook as it is (or is about to be) committed: the git index where there is one
    (with the filter installed the file on disk may hold outputs the commit will not), else the
    files on disk."""
    if _in_git():
        paths = [p for p in _git("ls-files", "-z", "--", "*.ipynb").split("\0") if p]
        return {p: _git("show", f":{p}") for p in paths}
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for p in ROOT.rglob("*.ipynb") if not {".venv", ".ipynb_checkpoints", "reports"} & set(p.parts)}


def dirty_cells(text: str) -> list[str]:
    """Where a notebook (its JSON text) holds outputs or execution counts, one line per cell."""
    notebook = json.loads(text)
    found = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {number}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"cell {number}: execution count {cell['execution_count']}")
    return found


def test_committed_notebooks_hold_no_outputs_or_execution_counts():
    notebooks = _committed_notebooks()
    assert any(p.startswith("notebooks/") for p in notebooks), sorted(notebooks)
    dirty = {path: found for path, text in notebooks.items() if (found := dirty_cells(text))}
    assert not dirty, ("notebooks committed with outputs (run `make setup` so that git strips them, "
                       f"or clear them in JupyterLab): {dirty}")


def test_the_check_sees_outputs_and_counts():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# x"),
        nbformat.v4.new_code_cell("1 + 1", execution_count=3,
                                  outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"},
                                                                  execution_count=3)]),
        nbformat.v4.new_code_cell("x = 1")])
    assert dirty_cells(nbformat.writes(notebook)) == ["cell 2: 1 output(s)", "cell 2: execution count 3"]


def test_gitattributes_sends_notebooks_through_the_filter():
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.ipynb filter=nbstripout" in attributes and "*.ipynb diff=ipynb" in attributes


def test_the_configured_filter_strips_outputs_on_commit_and_keeps_what_papermill_needs(tmp_path: Path):
    if not (shutil.which("git") and shutil.which("make")):
        pytest.skip("needs git and make")
    pytest.importorskip("nbstripout")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "t@example.org", cwd=repo)
    _git("config", "user.name", "t", cwd=repo)
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    # the Makefile's own recipe, with this test's Python standing in for .venv/bin
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "git-filter", f"BIN={Path(sys.executable).parent}"],
                   cwd=repo, check=True, capture_output=True)
    source = nbformat.read(ROOT / "notebooks" / "00-prepare.ipynb", as_version=4)
    executed = nbformat.from_dict(json.loads(json.dumps(source)))
    for count, cell in enumerate((c for c in executed.cells if c.cell_type == "code"), start=1):
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="identifiable output\n")]
    nbformat.write(executed, repo / "nb.ipynb")
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "executed notebook", cwd=repo)

    committed = _git("show", "HEAD:nb.ipynb", cwd=repo)
    assert dirty_cells(committed) == [] and "identifiable output" not in committed
    assert "identifiable output" in (repo / "nb.ipynb").read_text(encoding="utf-8")  # the work stays on disk
    kept = nbformat.reads(committed, as_version=4)
    assert {"kernelspec", "language_info"} <= set(kept.metadata)  # papermill needs both
    assert [c.id for c in kept.cells] == [c.id for c in source.cells]  # ids kept: small diffs
    tagged = [c for c in kept.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].source == next(
        c.source for c in source.cells if "parameters" in c.metadata.get("tags", []))
