"""Owned output folders: thematic replaces only folders it made, never a user's."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from thematic import folders
from thematic.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file below *folder* with the SHA-256 of its bytes (hidden files included)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _fill(staging: folders.Staging, text: str = "new") -> None:
    (staging.path / "index.html").write_text(text)


def test_a_new_folder_is_created_and_marked(tmp_path: Path):
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging)
    assert (tmp_path / "out" / "index.html").read_text() == "new"
    assert json.loads((tmp_path / "out" / folders.MARKER).read_text())["kind"] == "report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_an_owned_folder_is_replaced_whole(tmp_path: Path):
    for text in ("first", "second"):
        with folders.owned_output(tmp_path / "out", kind="report") as staging:
            _fill(staging, text)
            (staging.path / f"{text}.txt").write_text(text)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [folders.MARKER, "index.html", "second.txt"]


def test_an_empty_folder_may_be_used(tmp_path: Path):
    (tmp_path / "out").mkdir()
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging)
    assert (tmp_path / "out" / "index.html").exists()


def test_a_folder_thematic_did_not_make_is_refused_and_kept(tmp_path: Path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.docx").write_text("years of work")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"\[E802\].*thesis.*not empty and thematic did not make it"):
        with folders.owned_output(mine, kind="report") as staging:
            _fill(staging)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["data", "data/codings", "above", "cwd", "home", "root", "project"])
def test_protected_places_are_refused(tmp_path: Path, monkeypatch, where: str):
    data = tmp_path / "above" / "data"
    (data / "codings").mkdir(parents=True)
    (data / "codings" / "a.csv").write_text("interview_id,start,end,code,coder\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("THEMATIC_PROJECT_ROOT", str(work))
    target = {"data": data, "data/codings": data / "codings", "above": tmp_path / "above",
              "cwd": Path("."), "home": Path("~"), "root": Path("/"), "project": work}[where]
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"\[E801\].*refusing to write the report there"):
        folders.check_target(target, kind="report", data_dirs=[data])
    assert _snapshot(tmp_path) == before


def test_a_symbolic_link_or_a_file_is_refused(tmp_path: Path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(OutputError, match="symbolic link"):
        folders.check_target(tmp_path / "link", kind="report")
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="it is a file"):
        folders.check_target(tmp_path / "file", kind="report")


def test_a_report_from_before_markers_is_still_replaced(tmp_path: Path):
    old = tmp_path / "reports"
    old.mkdir()
    (old / "index.html").write_text("old")
    (old / "manifest.json").write_text(json.dumps({"thematic_version": "0.1.0", "phases": []}))
    with folders.owned_output(old, kind="report") as staging:
        _fill(staging)
    assert (old / "index.html").read_text() == "new"


def test_a_failure_leaves_the_old_folder_and_no_staging(tmp_path: Path):
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging, "old")
    with pytest.raises(RuntimeError):
        with folders.owned_output(tmp_path / "out", kind="report") as staging:
            _fill(staging, "half")
            raise RuntimeError("killed")
    assert (tmp_path / "out" / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_failed_run_is_kept_without_touching_a_foreign_failed_folder(tmp_path: Path):
    (tmp_path / "out.failed").mkdir()
    (tmp_path / "out.failed" / "mine.txt").write_text("not thematic's")
    with pytest.raises(RuntimeError):
        with folders.owned_output(tmp_path / "out", kind="report") as staging:
            _fill(staging, "broken")
            kept = folders.keep_failed(staging)
            raise RuntimeError("notebook failed")
    assert kept == tmp_path / "out.failed-2"
    assert (kept / "index.html").read_text() == "broken"
    assert (tmp_path / "out.failed" / "mine.txt").read_text() == "not thematic's"


def test_leftovers_of_interrupted_runs_are_removed(tmp_path: Path):
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging, "first")
    for name in (".out.tmp-999999", ".out.old", ".out.import-abc123"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x").write_text("x")
    (tmp_path / ".outside.tmp-1").mkdir()  # another folder's: left alone
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", ".outside.tmp-1", "out"]


def test_a_folder_left_aside_by_a_killed_swap_is_put_back_not_removed(tmp_path: Path):
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging, "complete")
    os.replace(tmp_path / "out", tmp_path / ".out.old")  # killed between the two renames of a swap
    (tmp_path / ".out.tmp-999999").mkdir()
    folders.check_target(tmp_path / "out", kind="report")
    assert (tmp_path / "out" / "index.html").read_text() == "complete"
    with pytest.raises(RuntimeError):
        with folders.owned_output(tmp_path / "out", kind="report") as staging:
            raise RuntimeError("failed")
    assert (tmp_path / "out" / "index.html").read_text() == "complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_second_writer_is_told_who_is_writing(tmp_path: Path):
    with folders.owned_output(tmp_path / "out", kind="report") as staging:
        _fill(staging)
        with pytest.raises(OutputError, match=rf"\[E803\].*out is being written by process {os.getpid()}"):
            with folders.owned_output(tmp_path / "out", kind="report"):
                pass
    assert (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("target", ["data", "."])
def test_report_cli_refuses_the_data_folder_and_the_project(sample_copy: Path, tmp_path: Path, target: str):
    params = tmp_path / "mine.yaml"
    params.write_text(f"data_dir: {sample_copy}\n")
    output = sample_copy if target == "data" else ROOT
    before = _snapshot(sample_copy)
    result = subprocess.run([sys.executable, "-m", "thematic.cli", "report", "--params", str(params),
                             "-o", str(output), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1
    assert "[E801]" in result.stderr and str(output) in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(sample_copy) == before
    assert (ROOT / ".git").exists() and (ROOT / "pyproject.toml").is_file()  # .git is a file in a worktree
