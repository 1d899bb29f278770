"""thematic.reuse: the key of a notebook's run, the store of runs, and reports that reuse them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from thematic import reuse
from thematic.errors import Errors

NOTEBOOK = ROOT / "notebooks" / "03-theme-mapping.ipynb"
PHASES = ["00-prepare", "01-familiarisation", "02-code-suggestions", "03-theme-mapping", "04-triangulation"]


# --- the key ------------------------------------------------------------------------------------

@pytest.fixture
def setup(sample_copy: Path, tmp_path: Path):
    """A copy of the sample, a copy of notebook 03, an empty staging folder, and a key function."""
    notebook = tmp_path / "notebooks" / NOTEBOOK.name
    notebook.parent.mkdir()
    shutil.copy(NOTEBOOK, notebook)
    staging = tmp_path / "staging"
    staging.mkdir()
    parameters = {"data_dir": str(sample_copy), "output_dir": str(staging), "seed": 1, "coding_rule": "union"}

    def key(**changed) -> str | None:
        runs = reuse.Runs(data_dir=sample_copy, kernel_name="python3", notebooks_dir=notebook.parent,
                          store=reuse.Store(tmp_path / "store"), echo=lambda m: None)
        return runs.decide(notebook, {**parameters, **changed}, staging=staging).key

    return sample_copy, notebook, staging, key


def test_the_key_changes_with_each_input_and_only_then(setup, monkeypatch):
    data, notebook, staging, key = setup
    for toggled in ("THEMATIC_SOMETHING", "OMP_NUM_THREADS", "UNRELATED_VARIABLE_OF_THE_SHELL"):
        monkeypatch.delenv(toggled, raising=False)  # as an earlier test or library may have left them
    first = key()
    assert first is not None and len(first) == 32 and key() == first  # stable

    changed = {}
    transcript = data / "deidentified" / "PAR01-W1.txt"
    original = transcript.read_bytes()
    transcript.write_bytes(original + b"\n")
    changed["one transcript"] = key()
    transcript.write_bytes(original)
    assert key() == first  # back as it was, back to the same key

    coding = sorted((data / "codings").glob("*.csv"))[0]
    original = coding.read_bytes()
    coding.write_bytes(original.replace(b",", b", ", 1))
    changed["one coding file"] = key()
    coding.write_bytes(original)

    changed["one parameter"] = key(seed=2)
    assert key(output_dir="/elsewhere") == first  # where the report is staged is no input

    original = notebook.read_bytes()
    notebook.write_bytes(original.replace(b"Theme mapping", b"Theme  mapping", 1))
    changed["the notebook"] = key()
    notebook.write_bytes(original)

    (data / ".hidden-note.txt").write_text("a hidden file is read too", encoding="utf-8")
    changed["a hidden file of the data folder"] = key()
    (data / ".hidden-note.txt").unlink()

    (staging / "tables" / "01-familiarisation").mkdir(parents=True)
    (staging / "tables" / "01-familiarisation" / "x.csv").write_text("a\n1\n", encoding="utf-8")
    changed["a table an earlier phase wrote"] = key()
    for owned in ("html/00-prepare.html", "executed/00-prepare.ipynb", "timings/00-prepare.json"):
        (staging / owned).parent.mkdir(parents=True, exist_ok=True)
        (staging / owned).write_text("runner's own, or timings", encoding="utf-8")
    assert key() == changed["a table an earlier phase wrote"]  # pages, notebooks, timings: no input
    shutil.rmtree(staging / "tables")

    monkeypatch.setenv("THEMATIC_SOMETHING", "1")
    changed["a THEMATIC_ variable"] = key()
    monkeypatch.delenv("THEMATIC_SOMETHING")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    changed["OMP_NUM_THREADS"] = key()
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setenv("UNRELATED_VARIABLE_OF_THE_SHELL", "1")
    assert key() == first

    assert key() == first
    assert len(set(changed.values())) == len(changed) and first not in changed.values(), changed


def test_the_key_changes_with_thematic_source_and_templates(setup, monkeypatch, tmp_path: Path):
    import thematic

    _, _, _, key = setup
    first = key()
    copy = tmp_path / "thematic-copy"
    shutil.copytree(Path(thematic.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(thematic, "__file__", str(copy / "__init__.py"))
    assert key() == first  # the same source, elsewhere: the same key
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert key() == first  # bytecode is no input
    template = copy / "templates" / "report.css"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    css = key()
    (copy / "agreement.py").write_text((copy / "agreement.py").read_text(encoding="utf-8") + "\n# x\n",
                                       encoding="utf-8")
    source = key()
    assert len({first, css, source}) == 3


def test_the_key_changes_with_an_installed_distribution_or_the_kernel(setup, monkeypatch):
    _, _, _, key = setup
    first = key()
    monkeypatch.setattr(reuse, "distributions", lambda: [("pandas", "0.0.1")])
    assert key() != first
    monkeypatch.undo()
    assert key() == first
    monkeypatch.setattr(reuse, "kernel_spec", lambda name: {"argv": ["/other/python"], "env": {}, "language": "python"})
    assert key() != first


def test_a_notebook_not_marked_for_reuse_has_no_key(setup, tmp_path: Path):
    data, notebook, staging, _ = setup
    plain = nbformat.read(notebook, as_version=4)
    del plain.metadata["thematic"]
    nbformat.write(plain, tmp_path / "mine.ipynb")
    runs = reuse.Runs(data_dir=data, kernel_name="python3", notebooks_dir=tmp_path, store=reuse.Store(tmp_path / "s"))
    decision = runs.decide(tmp_path / "mine.ipynb", {"data_dir": str(data)}, staging=staging)
    assert decision.key is None and decision.entry is None and decision.reason == "not marked for reuse"


def test_every_committed_phase_notebook_is_marked_for_reuse():
    for phase in PHASES:
        assert reuse.reusable(json.loads((ROOT / "notebooks" / f"{phase}.ipynb").read_text(encoding="utf-8")))


def test_the_cache_inside_the_data_folder_is_no_input(sample_copy: Path, monkeypatch):
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(sample_copy / ".cache"))
    runs = reuse.Runs(data_dir=sample_copy, kernel_name="python3", notebooks_dir=ROOT / "notebooks")
    before = runs.data_hashes()
    (sample_copy / ".cache" / "results").mkdir(parents=True)
    (sample_copy / ".cache" / "results" / "x.pkl").write_bytes(b"cached")
    assert runs.data_hashes() == before
    assert any(p.startswith("deidentified/") for p in before)


def test_links_in_the_data_folder_are_followed_once(tmp_path: Path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "a.txt").write_text("a", encoding="utf-8")
    (data / "sub" / "loop").symlink_to(data)  # a cycle
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text("b", encoding="utf-8")
    (data / "linked").symlink_to(outside)
    hashes = reuse.folder_hashes(data)
    assert sorted(hashes) == ["linked/b.txt", "sub/a.txt"]
    (outside / "b.txt").write_text("changed", encoding="utf-8")
    assert reuse.folder_hashes(data)["linked/b.txt"] != hashes["linked/b.txt"]


def test_pure_helpers():
    assert reuse.changed_files({"a": "1", "b": "2"}, {"a": "1", "b": "3", "c": "4"}) == (["b", "c"], [])
    assert reuse.changed_files({"a": "1"}, {}) == ([], ["a"])
    assert reuse.key_parameters({"output_dir": "/x", "seed": 1}) == {"seed": 1}
    assert reuse.staged_inputs({"tables/a/x.csv": "1", "timings/a.json": "2", "html/a.html": "3",
                                "consensus.json": "4"}) == {"tables/a/x.csv": "1", "consensus.json": "4"}
    nb = {"metadata": {"papermill": {"output_path": "/old/.r.tmp-1/executed/a.ipynb",
                                     "parameters": {"output_dir": "/old/.r.tmp-1"}}},
          "cells": [{"metadata": {"tags": ["injected-parameters"]}, "source": 'output_dir = "/old/.r.tmp-1"\n'},
                    {"metadata": {}, "source": "print('/old/.r.tmp-1')"}]}
    out = reuse.retarget_notebook(nb, old="/old/.r.tmp-1", new="/new/.r.tmp-2")
    assert out["cells"][0]["source"] == 'output_dir = "/new/.r.tmp-2"\n'
    assert out["cells"][1]["source"] == "print('/old/.r.tmp-1')"  # only what papermill wrote
    assert out["metadata"]["papermill"] == {"output_path": "/new/.r.tmp-2/executed/a.ipynb",
                                            "parameters": {"output_dir": "/new/.r.tmp-2"}}


# --- the store ------------------------------------------------------------------------------------

KEY = "0123456789abcdef0123456789abcdef"


def _staged_run(tmp_path: Path) -> tuple[Path, Path]:
    staging = tmp_path / ".r.tmp-1"
    (staging / "tables" / "03-theme-mapping").mkdir(parents=True)
    (staging / "tables" / "03-theme-mapping" / "t.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (staging / "timings").mkdir()
    (staging / "timings" / "03-theme-mapping.json").write_text('{"steps": []}\n', encoding="utf-8")
    (staging / "executed").mkdir()
    executed = staging / "executed" / "03-theme-mapping.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f'output_dir = "{staging}"', metadata={"tags": ["injected-parameters"]})]
    nbformat.write(nb, executed)
    return staging, executed


def _store(tmp_path: Path, **options) -> tuple[reuse.Store, Path]:
    staging, executed = _staged_run(tmp_path)
    store = reuse.Store(tmp_path / "store", **options)
    store.save("03-theme-mapping.ipynb", KEY, executed=executed, staging=staging,
               files=["tables/03-theme-mapping/t.csv", "timings/03-theme-mapping.json"],
               executed_at="2026-01-02T03:04:05+00:00", seconds=12.345)
    return store, staging


def test_a_stored_run_is_restored_whole_into_a_new_staging_folder(tmp_path: Path):
    store, old = _store(tmp_path)
    entry = store.load("03-theme-mapping.ipynb", KEY)
    assert (entry.executed_at, entry.seconds, entry.output_dir) == ("2026-01-02T03:04:05+00:00", 12.35, str(old))
    new = tmp_path / ".r.tmp-2"
    new.mkdir()
    written = store.restore(entry, staging=new, executed=new / "executed" / "03-theme-mapping.ipynb")
    assert written == ["tables/03-theme-mapping/t.csv", "timings/03-theme-mapping.json"]
    assert (new / "tables" / "03-theme-mapping" / "t.csv").read_bytes() == \
        (old / "tables" / "03-theme-mapping" / "t.csv").read_bytes()
    restored = nbformat.read(new / "executed" / "03-theme-mapping.ipynb", as_version=4)
    assert restored.cells[0].source == f'output_dir = "{new}"'
    assert store.load("03-theme-mapping.ipynb", "f" * 32) is None


@pytest.mark.parametrize("damage", ["truncated notebook", "missing file", "garbage entry", "altered table",
                                    "entry of another key", "a path leading out", "empty entry folder"])
def test_a_damaged_entry_is_refused_and_the_notebook_executed(tmp_path: Path, damage: str, monkeypatch):
    store, _ = _store(tmp_path)
    entry = store.folder("03-theme-mapping.ipynb") / KEY
    record = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
    if damage == "truncated notebook":
        data = (entry / "executed.ipynb").read_bytes()
        (entry / "executed.ipynb").write_bytes(data[: len(data) // 2])
    elif damage == "missing file":
        (entry / "files" / "timings" / "03-theme-mapping.json").unlink()
    elif damage == "garbage entry":
        (entry / "entry.json").write_text("{not json", encoding="utf-8")
    elif damage == "altered table":
        (entry / "files" / "tables" / "03-theme-mapping" / "t.csv").write_text("a,b\n9,9\n", encoding="utf-8")
    elif damage == "entry of another key":
        (entry / "entry.json").write_text(json.dumps({**record, "key": "f" * 32}), encoding="utf-8")
    elif damage == "a path leading out":
        (tmp_path / "store" / "evil.csv").write_text("x", encoding="utf-8")
        files = {"../../evil.csv": reuse.io.sha256_file(tmp_path / "store" / "evil.csv")}
        (entry / "entry.json").write_text(json.dumps({**record, "files": files}), encoding="utf-8")
    elif damage == "empty entry folder":
        shutil.rmtree(entry)
        entry.mkdir()
    with pytest.raises(reuse.Damaged):
        store.load("03-theme-mapping.ipynb", KEY)

    messages = []
    runs = reuse.Runs(data_dir=None, kernel_name="python3", notebooks_dir=tmp_path, store=store,
                      echo=messages.append)
    monkeypatch.setattr(reuse, "phase_key", lambda inputs: KEY)  # the key the damaged entry was stored under
    notebook = tmp_path / "03-theme-mapping.ipynb"
    shutil.copy(NOTEBOOK, notebook)
    staging = tmp_path / "new-staging"
    staging.mkdir()
    decision = runs.decide(notebook, {"seed": 1}, staging=staging)
    assert decision.entry is None and decision.reason == "stored run damaged"
    assert len(messages) == 1 and messages[0].startswith("[E019] The stored run of 03-theme-mapping.ipynb")
    assert "\n" not in messages[0]
    assert not any(staging.iterdir())  # nothing restored


def test_hostile_notebook_names_stay_inside_the_store(tmp_path: Path):
    staging, executed = _staged_run(tmp_path)
    store = reuse.Store(tmp_path / "store")
    for name in ("../../escape.ipynb", "<script>alert(1)</script>.ipynb", "..", "a/b.ipynb", ""):
        folder = store.folder(name)
        assert folder.parent == store.root and folder.resolve().is_relative_to(store.root.resolve())
        store.save(name, KEY, executed=executed, staging=staging, files=["tables/03-theme-mapping/t.csv"],
                   executed_at="x", seconds=1.0)
        assert store.load(name, KEY) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.tmp-1", "store"]
    assert len({store.folder(n) for n in ("a.ipynb", "a!.ipynb", "a?.ipynb")}) == 3
    with pytest.raises(ValueError):
        store.save("x.ipynb", KEY, executed=executed, staging=staging, files=["../outside.csv"],
                   executed_at="x", seconds=1.0)
    with pytest.raises(reuse.Damaged):
        store.load("x.ipynb", "../" + KEY[3:])


def test_the_store_keeps_the_newest_entries_of_each_notebook(tmp_path: Path):
    staging, executed = _staged_run(tmp_path)
    store = reuse.Store(tmp_path / "store", keep=3)
    keys = [f"{n:032x}" for n in range(5)]
    for key in keys:
        store.save("a.ipynb", key, executed=executed, staging=staging, files=[], executed_at="x", seconds=1.0)
        time.sleep(0.01)
    store.save("b.ipynb", keys[0], executed=executed, staging=staging, files=[], executed_at="x", seconds=1.0)
    assert [p.name for p in store.entries("a.ipynb")] == keys[:1:-1]
    assert [p.name for p in store.entries("b.ipynb")] == keys[:1]
    assert reuse.KEEP == 3


KILLED_STORE = """
import shutil, sys, time
from pathlib import Path
from thematic import reuse
copy = shutil.copyfile
def slow(src, dst, **kw):
    out = copy(src, dst, **kw)
    print("copied", flush=True)
    time.sleep(30)
    return out
shutil.copyfile = slow
staging = Path(sys.argv[1])
reuse.Store(Path(sys.argv[2])).save("03-theme-mapping.ipynb", sys.argv[3], executed=staging / "executed" /
    "03-theme-mapping.ipynb", staging=staging, files=["tables/03-theme-mapping/t.csv",
    "timings/03-theme-mapping.json"], executed_at="x", seconds=1.0)
"""


def test_a_store_killed_half_way_leaves_no_entry_taken_as_valid(tmp_path: Path):
    staging, executed = _staged_run(tmp_path)
    store = reuse.Store(tmp_path / "store")
    process = subprocess.Popen([sys.executable, "-c", KILLED_STORE, str(staging), str(store.root), KEY],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert process.stdout.readline().strip() == "copied"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    left = list(store.folder("03-theme-mapping.ipynb").iterdir())
    assert [p.name.startswith(".tmp-") for p in left] == [True]  # the half-written entry, hidden
    assert store.load("03-theme-mapping.ipynb", KEY) is None
    assert store.entries("03-theme-mapping.ipynb") == []
    os.utime(left[0], (time.time() - 2 * reuse.STALE_SECONDS,) * 2)
    store.save("03-theme-mapping.ipynb", KEY, executed=executed, staging=staging,
               files=["tables/03-theme-mapping/t.csv"], executed_at="x", seconds=1.0)
    assert [p.name for p in store.folder("03-theme-mapping.ipynb").iterdir()] == [KEY]  # left-over removed
    assert store.load("03-theme-mapping.ipynb", KEY).files.keys() == {"tables/03-theme-mapping/t.csv"}


def test_a_run_that_wrote_into_the_data_folder_is_not_stored(setup, tmp_path: Path):
    data, notebook, staging, _ = setup
    messages = []
    store = reuse.Store(tmp_path / "store")
    runs = reuse.Runs(data_dir=data, kernel_name="python3", notebooks_dir=notebook.parent, store=store,
                      echo=messages.append)
    decision = runs.decide(notebook, {"data_dir": str(data), "output_dir": str(staging)}, staging=staging)
    (data / "review").mkdir(exist_ok=True)
    (data / "review" / "suggestions-a.csv").write_text("x\n", encoding="utf-8")  # as export_for_review does
    (staging / "executed").mkdir()
    shutil.copy(notebook, staging / "executed" / notebook.name)
    assert runs.remember(decision, notebook, staging=staging, executed=staging / "executed" / notebook.name,
                         executed_at="x", seconds=1.0) == "not stored (wrote into the data folder)"
    assert messages == [Errors.E020.format(notebook=notebook.name)]
    assert store.entries(notebook.name) == []


# --- reports that reuse (real papermill runs) -------------------------------------------------------

def _outputs(report: Path) -> dict[str, bytes]:
    """Every table, figure, record and document of a report (not its pages, manifest or index)."""
    return {p.relative_to(report).as_posix(): p.read_bytes() for p in reuse.io.iter_files(report)
            if p.relative_to(report).parts[0] not in ("html", "executed", "timings", "manifest.json", "index.html")
            and p.suffix != ".docx"}


def _cell_outputs(report: Path, phase: str) -> list:
    nb = nbformat.read(report / "executed" / f"{phase}.ipynb", as_version=4)
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])]
            for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]


@pytest.mark.slow
def test_reports_reuse_unchanged_phases_and_equal_executed_ones(tmp_path: Path, monkeypatch):
    from thematic.report import render_report

    cache = tmp_path / "cache"  # this test's own store; the session's results and parses, if any
    session = os.environ.get("THEMATIC_CACHE_DIR")
    if session and Path(session).is_dir():
        shutil.copytree(session, cache, ignore=shutil.ignore_patterns(reuse.STORE_DIR))
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(cache))
    params = tmp_path / "sample.yaml"
    params.write_text((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    def render(name: str, **options) -> tuple[Path, dict, list[str]]:
        said: list[str] = []
        out = render_report(params, output_dir=tmp_path / name, progress=False, echo=said.append, **options)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return out, {p["name"]: p for p in manifest["phases"]}, said

    executed, first, said = render("executed")
    assert {(p["run"], p["stored"]) for p in first.values()} == {("executed", "stored")}, (first, said)

    reused, second, said = render("reused")
    assert {name: p["run"] for name, p in second.items()} == dict.fromkeys(PHASES, "reused"), (second, said)
    assert all(second[n]["key"] == first[n]["key"] for n in PHASES)
    assert all(second[n]["reused_from"] == {"executed_at": first[n]["executed_at"],
                                            "seconds": round(first[n]["seconds"], 2)} for n in PHASES)
    assert said[-2].startswith("[thematic report] reused 5 of 5 notebooks")
    assert _outputs(reused) == _outputs(executed)  # every table, figure and record byte-equal
    for phase in PHASES:
        assert _cell_outputs(reused, phase) == _cell_outputs(executed, phase)
        assert second[phase]["steps"] == first[phase]["steps"]  # the timings of the run reused
        assert str(tmp_path / ".reused.tmp-") in (reused / "executed" / f"{phase}.ipynb").read_text(encoding="utf-8")
        page = (reused / "html" / f"{phase}.html").read_text(encoding="utf-8")
        assert f"Reused: none of this notebook&#39;s inputs changed since the run of {first[phase]['executed_at']}" \
            in page
        assert '<p class="thematic-run">' not in (executed / "html" / f"{phase}.html").read_text(encoding="utf-8")
    index = (reused / "index.html").read_text(encoding="utf-8")
    assert index.count("reused: inputs unchanged since the run of") == len(PHASES)

    rerun, third, _ = render("rerun", rerun=True)
    assert {p["run"] for p in third.values()} == {"executed"} and all(p["why"] == "--rerun" for p in third.values())
    assert _outputs(rerun) == _outputs(executed)

    # only the last phase's own parameter changes: 00 to 03 reused, 04 executed
    params.write_text(params.read_text(encoding="utf-8") + "min_wave_participants: 3\n", encoding="utf-8")
    partial, fourth, _ = render("partial")
    assert {n: p["run"] for n, p in fourth.items()} == {**dict.fromkeys(PHASES[:4], "reused"),
                                                        "04-triangulation": "executed"}
    assert fourth["04-triangulation"]["key"] != first["04-triangulation"]["key"]

    # a damaged entry: that phase is executed, and the later one reused (its inputs are equal)
    store = reuse.Store(cache / reuse.STORE_DIR)
    entry = store.folder("03-theme-mapping.ipynb") / first["03-theme-mapping"]["key"]
    (entry / "executed.ipynb").write_bytes((entry / "executed.ipynb").read_bytes()[:100])
    damaged, fifth, said = render("damaged")
    assert {n: p["run"] for n, p in fifth.items()} == {**dict.fromkeys(PHASES[:3], "reused"),
                                                       "03-theme-mapping": "executed", "04-triangulation": "reused"}
    assert [m for m in said if m.startswith("[E019]")] == [Errors.E019.format(
        notebook="03-theme-mapping.ipynb", problem="executed.ipynb is altered or truncated")]
    assert _outputs(damaged) == _outputs(partial)


@pytest.mark.slow
def test_a_changed_transcript_executes_every_phase_again(tmp_path: Path, sample_copy: Path, monkeypatch):
    """The data folder is one input of every phase: one changed transcript, nothing reused."""
    from thematic.report import render_report

    params = tmp_path / "p.yaml"
    params.write_text(f"data_dir: {sample_copy}\n", encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for phase in PHASES[:2]:  # two phases are enough to show it
        shutil.copy(ROOT / "notebooks" / f"{phase}.ipynb", notebooks)

    def runs() -> list[str]:
        out = render_report(params, output_dir=tmp_path / "r", notebooks_dir=notebooks, progress=False,
                            echo=lambda m: None)
        return [p["run"] for p in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["phases"]]

    assert runs() == ["executed", "executed"]
    assert runs() == ["reused", "reused"]
    transcript = sample_copy / "deidentified" / "PAR02-W1.txt"
    transcript.write_text(transcript.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert runs() == ["executed", "executed"]


def test_the_report_command_takes_rerun(monkeypatch, tmp_path: Path):
    from click.testing import CliRunner

    import thematic.report
    from thematic.cli import main

    calls = []
    monkeypatch.setattr(thematic.report, "render_report", lambda *args, **kwargs: calls.append(kwargs))
    for extra, expected in (([], False), (["--rerun"], True)):
        result = CliRunner().invoke(main, ["report", "-o", str(tmp_path / "r"), "--quiet", *extra])
        assert result.exit_code == 0, result.output
        assert calls.pop()["rerun"] is expected


def test_an_entry_json_nested_beyond_reason_is_damaged_not_fatal(tmp_path: Path, monkeypatch):
    store, _ = _store(tmp_path)
    entry = store.folder("03-theme-mapping.ipynb") / KEY
    (entry / "entry.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    messages = []
    runs = reuse.Runs(data_dir=None, kernel_name="python3", notebooks_dir=tmp_path, store=store, echo=messages.append)
    monkeypatch.setattr(reuse, "phase_key", lambda inputs: KEY)
    notebook = tmp_path / "03-theme-mapping.ipynb"
    shutil.copy(NOTEBOOK, notebook)
    staging = tmp_path / "s"
    staging.mkdir()
    assert runs.decide(notebook, {}, staging=staging).entry is None
    assert len(messages) == 1 and messages[0].startswith("[E019]")
