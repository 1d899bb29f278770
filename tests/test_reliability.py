"""Careless users, unlucky crashes and hostile data folders (issue 19), tried as a user would.

Each case runs the ``thematic`` command and checks the exit code, that the message names the
file (and says what to do) instead of a traceback, and that the data folder is byte-identical
afterwards, or consistent after a kill at each write step. Cases that belong to one module are
tested with it: confinement of paths and ids and the killed ``deidentify`` in
``test_study.py``, owned output folders in ``test_folders.py``, every parameter in
``test_parameters.py``, YAML limits in ``test_io.py``, long texts in ``test_nlp.py``, escaping
in ``test_markup.py`` and ``test_present.py``, and the report in a browser with planted markup
in ``test_browser.py``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner

from thematic import load_dataset
from thematic.cli import main
from thematic.segments import segment_turns
from thematic.study import TRANSACTION

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below *folder* (hidden ones too), files with their SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*")) if not p.is_symlink()}


def _thematic(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def _refused(result, *names: str, code: str | None = None, exit_code: int = 1) -> str:
    """Assert one clean message: the exit code, each of *names* in it, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output and result.output.startswith(("error:", "Usage:")), result.output
    for name in names:
        assert name in result.output, (name, result.output)
    if code:
        assert f"[{code}]" in result.output, result.output
    return result.output


# --- what a data folder holds ----------------------------------------------------------------------

def test_participants_in_utf16_are_read_or_refused_by_name(tiny_data: Path):
    path = tiny_data / "participants.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    before = _snapshot(tiny_data)
    result = _thematic("validate", tiny_data)
    if result.exit_code == 0:  # decoded (a UTF-16 file starts with a byte-order mark)
        assert "2 participants in 2 group(s)" in result.output
    else:
        _refused(result, "participants.csv")
    assert _snapshot(tiny_data) == before


def test_nul_bytes_in_participants_are_refused_once_not_once_per_coding(tiny_data: Path):
    path = tiny_data / "participants.csv"
    path.write_bytes(path.read_bytes().replace(b"P1,", b"P\x001,", 1))
    before = _snapshot(tiny_data)
    output = _refused(_thematic("validate", tiny_data), "participants.csv")
    assert output.count("\n  - ") <= 3  # no cascade of 'unknown interview' for every coding
    assert _snapshot(tiny_data) == before


def test_codings_that_are_not_text_are_refused_by_name(tiny_data: Path):
    path = tiny_data / "codings" / "a.csv"
    path.write_bytes(path.read_bytes() + b"P1-W1,0,5,remote_working,a,\x81\x8d\x8f\x90\x9d\n")
    before = _snapshot(tiny_data)
    _refused(_thematic("validate", tiny_data), "codings/a.csv")
    assert _snapshot(tiny_data) == before


@pytest.mark.parametrize("name", ["codebook.yaml", "study.yaml"])
def test_a_yaml_file_nested_5000_deep_is_refused_not_a_recursion_error(tiny_data: Path, name: str):
    (tiny_data / name).write_text("themes: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    before = _snapshot(tiny_data)
    _refused(_thematic("validate", tiny_data), name, "nested more than 50 levels", code="E806")
    assert _snapshot(tiny_data) == before


def test_an_alias_bomb_in_the_codebook_is_refused_at_once(tiny_data: Path):
    lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]" for i in range(1, 10)]
    (tiny_data / "codebook.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(_thematic("validate", tiny_data), "codebook.yaml", "alias bomb", code="E807")


def test_a_transcript_path_that_is_a_folder_is_named(tiny_data: Path):
    (tiny_data / "interviews.csv").write_text(
        "interview_id,participant_id,transcript\nP1-W1,P1,raw\nP2-W1,P2,raw/P2-W1.txt\n", encoding="utf-8")
    before = _snapshot(tiny_data)
    for command in ("validate", "deidentify"):
        _refused(_thematic(command, tiny_data), "interviews.csv line 2", "is a folder", code="E106")
    assert _snapshot(tiny_data) == before


# --- deidentify's options ------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [bytes(range(256)) * 8, b"This is a note, not a review.\n"])
def test_deidentify_refuses_a_review_file_that_is_not_a_review(tiny_data: Path, content: bytes):
    review = tiny_data / "deidentification" / "review.csv"
    review.parent.mkdir()
    review.write_bytes(content)
    before = _snapshot(tiny_data)
    _refused(_thematic("deidentify", tiny_data, "--review", review), "review.csv")
    assert _snapshot(tiny_data) == before


def test_deidentify_will_not_rewrite_a_review_file_outside_the_data_folder(tiny_data: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("interview_id,start,end,decision\n", encoding="utf-8")
    before, kept = _snapshot(tiny_data), outside.read_bytes()
    _refused(_thematic("deidentify", tiny_data, "--review", outside), "elsewhere.csv", "--dry-run", code="E812")
    assert _snapshot(tiny_data) == before and outside.read_bytes() == kept


def test_deidentify_refuses_a_known_names_file_nested_too_deep(tiny_data: Path):
    (tiny_data / "known-names.yaml").write_text("names: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    before = _snapshot(tiny_data)
    _refused(_thematic("deidentify", tiny_data), "known-names.yaml", code="E806")
    assert _snapshot(tiny_data) == before


# --- the report's parameters and folder ---------------------------------------------------------------

@pytest.fixture
def project(monkeypatch) -> Path:
    monkeypatch.setenv("THEMATIC_PROJECT_ROOT", str(ROOT))
    return ROOT


def test_report_with_no_data_folder_fails_before_running(project: Path, tmp_path: Path):
    params = tmp_path / "mine.yaml"
    params.write_text("data_dir: null\n", encoding="utf-8")
    _refused(_thematic("report", "--params", params, "-o", tmp_path / "out", "--quiet"),
             "'data_dir'", "mine.yaml", "must be set", code="E809")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


@pytest.mark.parametrize("target", ["/", "~"])
def test_report_refuses_the_root_and_the_home_folder(project: Path, target: str):
    _refused(_thematic("report", "-o", target, "--quiet"), "refusing to write the report there", code="E801")


def test_report_refuses_a_report_folder_that_is_a_symbolic_link(project: Path, tmp_path: Path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter.docx").write_text("years of work", encoding="utf-8")
    (tmp_path / "reports").symlink_to(precious)
    before = _snapshot(tmp_path)
    _refused(_thematic("report", "-o", tmp_path / "reports", "--quiet"), "reports", "symbolic link", code="E801")
    assert _snapshot(tmp_path) == before and (tmp_path / "reports").is_symlink()


# --- a read-only data folder ------------------------------------------------------------------------

def _read_only(folder: Path, command: list[str]) -> list[str]:
    """*command* run with *folder* read-only: a read-only bind mount in a mount namespace of its
    own when running as root (root ignores file modes), else the folder's write bits removed."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
        return command
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("running as root without permission to make a read-only mount")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(folder), *command]


READ_ONLY_SCRIPT = textwrap.dedent("""
    import sys
    from click.testing import CliRunner
    from thematic.cli import main
    for args in sys.argv[1:]:
        result = CliRunner().invoke(main, args.split("|"))
        print(f"=== {args}\\n{result.exit_code}\\n{result.output}")
""")


def test_a_read_only_data_folder_is_read_and_never_half_written(tiny_data: Path, tmp_path: Path):
    data = str(tiny_data)
    _suggestions_file(tiny_data)
    comments = tmp_path / "comments.csv"
    comments.write_text("item_id,comment\nT1,Rings true.\n", encoding="utf-8")
    writers = {f"deidentify|{data}": "deidentify", f"suggest|export|{data}|--coder|a": "suggest export",
               f"suggest|apply|{data}|--coder|a": "suggest apply",
               f"membercheck|record|{data}|--from|{comments}": "membercheck record"}
    readers = {f"validate|{data}": "2 participants", f"agreement|{data}|--n-boot|0": "no intervals",
               f"qdpx|export|{data}|-o|{tmp_path / 'study.qdpx'}": "2 sources"}
    commands = [*readers, *writers]
    before = _snapshot(tiny_data)
    try:
        run = subprocess.run(_read_only(tiny_data, [sys.executable, "-c", READ_ONLY_SCRIPT, *commands]),
                             capture_output=True, text=True, env=ENV, timeout=600)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(tiny_data)], check=False)
    assert run.returncode == 0, run.stderr
    results = {block.split("\n", 1)[0]: block.split("\n", 2)[1:] for block in run.stdout.split("=== ")[1:]}
    for args, expected in readers.items():
        code, output = results[args]
        assert code == "0" and expected in output, (args, output)
    for args, command in writers.items():
        code, output = results[args]
        assert code == "1" and output.startswith(f"error: [E811] {data}: cannot write to the data folder"), output
        assert f"'thematic {command}'" in output and "nothing was changed" in output and "Traceback" not in output
    assert _snapshot(tiny_data) == before


def test_a_read_only_output_folder_is_named_before_any_work(tiny_data: Path, tmp_path: Path):
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    transcripts = tiny_data / "raw"
    writers = {f"init|{transcripts}|-o|{shelf / 'new'}|--no-names": shelf / ".new.lock",
               f"qdpx|export|{tiny_data}|-o|{shelf / 'x.qdpx'}": shelf,
               f"report|--params|{ROOT / 'params' / 'sample.yaml'}|-o|{shelf / 'rep'}|--quiet": shelf / ".rep.lock"}
    try:
        run = subprocess.run(_read_only(shelf, [sys.executable, "-c", READ_ONLY_SCRIPT, *writers]),
                             capture_output=True, text=True, env={**ENV, "THEMATIC_PROJECT_ROOT": str(ROOT)},
                             timeout=600)
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(shelf)], check=False)
    assert run.returncode == 0, run.stderr
    results = {block.split("\n", 1)[0]: block.split("\n", 2)[1:] for block in run.stdout.split("=== ")[1:]}
    for args, named in writers.items():
        code, output = results[args]
        assert code == "1" and output.startswith(f"error: [E804] {named}") and "Traceback" not in output, output
    assert list(shelf.iterdir()) == []


def _suggestions_file(data: Path, *, coder: str = "a") -> Path:
    """A reviewed suggestions file: one accepted suggestion for a segment *coder* left uncoded."""
    dataset = load_dataset(data)
    segment = segment_turns(dataset).query("interview_id == 'P2-W1' and not is_interviewer").iloc[0]
    row = {"suggestion_id": f"{segment.segment_id}|no_shared_records", "segment_id": segment.segment_id,
           "interview_id": "P2-W1", "start": segment.start, "end": segment.end, "code": "no_shared_records",
           "rank": 1, "score": 0.9, "threshold": 0.5, "evidence": "", "exemplars": "", "text": segment.text,
           "model": "CodeSuggester/test", "decision": "accept", "note": "reviewed"}
    path = data / "review" / f"suggestions-{coder}.csv"
    path.parent.mkdir(exist_ok=True)
    pd.DataFrame([row]).to_csv(path, index=False)
    return path


# --- killed at each write step ---------------------------------------------------------------------------

KILLER = textwrap.dedent("""
    import os, sys
    import thematic.study as study
    from thematic.cli import main
    point, args = sys.argv[1], sys.argv[2:]
    moved = {"files": 0}
    original_replace, original_write = os.replace, study.io.write_text
    def write_text(path, text):
        if point == "before-journal" and str(path).endswith("journal.json"):
            os._exit(9)
        return original_write(path, text)
    def replace(src, dst):
        if study.TRANSACTION + "/files/" in str(src):
            if point == "before-first-move" or (point == "after-first-move" and moved["files"] == 1):
                os._exit(9)
            moved["files"] += 1
        return original_replace(src, dst)
    def rmtree(path, *rest, **options):
        if point == "before-cleanup" and str(path).endswith(study.TRANSACTION):
            os._exit(9)  # every file moved, the journal not yet removed
        return original_rmtree(path, *rest, **options)
    original_rmtree = study.shutil.rmtree
    study.io.write_text = write_text
    study.os.replace = replace
    study.shutil.rmtree = rmtree
    main(args)
""")
POINTS = ["before-journal", "before-first-move", "after-first-move", "before-cleanup"]


def _kill(point: str, *args) -> None:
    killed = subprocess.run([sys.executable, "-c", KILLER, point, *map(str, args)], env=ENV,
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == 9, killed.stdout + killed.stderr


@pytest.mark.parametrize("point", POINTS)
def test_suggest_apply_killed_mid_write_leaves_codings_and_log_consistent(tiny_data: Path, point: str):
    _suggestions_file(tiny_data)
    codings_before = (tiny_data / "codings" / "a.csv").read_bytes()
    _kill(point, "suggest", "apply", tiny_data, "--coder", "a")
    dataset = load_dataset(tiny_data)  # opening the study finishes or drops the interrupted write
    assert not (tiny_data / TRANSACTION).exists()
    added = dataset.codings.query("coder == 'a' and interview_id == 'P2-W1' and code == 'no_shared_records'")
    logged = (tiny_data / "review" / "review-log.csv").exists()
    assert len(added) == int(logged)  # both the coding and its log entry, or neither
    if point == "before-journal":
        assert not logged and (tiny_data / "codings" / "a.csv").read_bytes() == codings_before
    else:
        assert logged  # the journal was written: the next command finished the run
    result = _thematic("suggest", "apply", tiny_data, "--coder", "a")  # running again adds nothing twice
    assert result.exit_code == 0, result.output
    final = load_dataset(tiny_data).codings
    assert len(final.query("coder == 'a' and code == 'no_shared_records' and interview_id == 'P2-W1'")) == 1


@pytest.mark.parametrize("point", [p for p in POINTS if p != "after-first-move"])  # it writes one file
def test_membercheck_record_killed_mid_write_leaves_comments_whole(tiny_data: Path, tmp_path: Path, point: str):
    source = tmp_path / "comments.csv"
    source.write_text("item_id,comment,reviewer\nT1,Rings true.,Lead\ngeneral,Thank you.,Lead\n", encoding="utf-8")
    _kill(point, "membercheck", "record", tiny_data, "--from", source)
    load_dataset(tiny_data)
    assert not (tiny_data / TRANSACTION).exists()
    target = tiny_data / "member-check" / "comments.csv"
    recorded = pd.read_csv(target, dtype=str, keep_default_na=False) if target.exists() else pd.DataFrame()
    if point == "before-journal":
        assert recorded.empty
    else:
        assert list(recorded["comment"]) == ["Rings true.", "Thank you."]
    again = _thematic("membercheck", "record", tiny_data, "--from", source)
    assert again.exit_code == (1 if point != "before-journal" else 0), again.output  # recorded once only
    assert len(pd.read_csv(target)) == 2


FOLDER_KILLER = textwrap.dedent("""
    import os, sys
    import thematic.folders as folders
    from thematic import io
    from thematic.cli import main
    point, args = sys.argv[1], sys.argv[2:]
    original_replace, original_csv = os.replace, io.write_csv
    def replace(src, dst):
        if point == "between-renames" and ".tmp-" in str(src):
            os._exit(9)  # the old folder is aside, the new one not yet in place
        return original_replace(src, dst)
    def write_csv(path, frame):
        if point == "mid-fill":
            os._exit(9)
        return original_csv(path, frame)
    def write_tree(folder, files):
        for number, (name, data) in enumerate(files.items()):
            if point == "mid-fill" and number == len(files) // 2:
                os._exit(9)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        return folder
    folders.os.replace = replace
    io.write_csv = write_csv
    io.write_tree = write_tree
    main(args)
""")


@pytest.mark.parametrize("point", ["mid-fill", "between-renames"])
def test_qdpx_import_killed_leaves_the_previous_folder_whole(sample_copy: Path, tmp_path: Path, point: str):
    project = tmp_path / "study.qdpx"
    assert _thematic("qdpx", "export", sample_copy, "-o", project).exit_code == 0
    target = tmp_path / "imported"
    assert _thematic("qdpx", "import", project, "-o", target).exit_code == 0
    (target / "memos").mkdir(exist_ok=True)
    (target / "memos" / "later-work.md").write_text("A researcher's notes since the import.", encoding="utf-8")
    before = _snapshot(target)
    killed = subprocess.run([sys.executable, "-c", FOLDER_KILLER, point, "qdpx", "import", str(project),
                             "-o", str(target), "--force"], env=ENV, capture_output=True, text=True, timeout=600)
    assert killed.returncode == 9, killed.stderr
    validated = _thematic("validate", target)  # any command that opens the folder puts it back
    assert validated.exit_code == 0, validated.output
    assert _snapshot(target) == before
    again = _thematic("qdpx", "import", project, "-o", target, "--force")
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".imported.lock", "data", "imported", "study.qdpx"]


def test_init_killed_mid_fill_leaves_no_folder_and_no_leftover(tmp_path: Path):
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    for n in (1, 2):
        (transcripts / f"P{n}-W1.txt").write_text(f"Interviewer: How was it?\n\nParticipant: Fine {n}.\n",
                                                  encoding="utf-8")
    killed = subprocess.run([sys.executable, "-c", FOLDER_KILLER, "mid-fill", "init", str(transcripts),
                             "-o", str(tmp_path / "study"), "--no-names"], env=ENV, capture_output=True,
                            text=True, timeout=600)
    assert killed.returncode == 9, killed.stderr
    assert not (tmp_path / "study").exists()
    result = _thematic("init", transcripts, "-o", tmp_path / "study", "--no-names")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".study.lock", "study", "transcripts"]


# --- three reports at once into one folder -------------------------------------------------------------

@pytest.mark.slow
def test_three_concurrent_reports_into_one_folder_leave_one_whole_report(tmp_path: Path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# Slow\nA notebook that takes its time."),
                nbformat.v4.new_code_cell("output_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import time\ntime.sleep(20)\nprint(seed)")]
    nbformat.write(nb, notebooks / "00-slow.ipynb")
    out = tmp_path / "reports"
    runs = []
    for seed in (1, 2, 3):
        params = tmp_path / f"p{seed}.yaml"
        params.write_text(f"seed: {seed}\ntitle: run {seed}\n", encoding="utf-8")
        runs.append(subprocess.Popen([sys.executable, "-m", "thematic.cli", "report", "--params", str(params),
                                      "-o", str(out), "--notebooks", str(notebooks), "--quiet"], cwd=ROOT,
                                     env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    finished = [(run.wait(timeout=600), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in finished)
    assert codes == [0, 1, 1], finished
    for code, stderr in finished:
        if code:
            # "by process <pid>", or "by another process" when it is read before the winner wrote its pid
            assert "[E803]" in stderr and "is being written by" in stderr and "Traceback" not in stderr
    winner = next(n for n, (code, _) in enumerate(finished, start=1) if code == 0)
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert f'"title": "run {winner}"' in manifest and (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".reports.lock", "notebooks", "p1.yaml", "p2.yaml",
                                                          "p3.yaml", "reports"]
    shutil.rmtree(out)


# --- long transcripts ----------------------------------------------------------------------------

LONG_ID = "PAR01-W1"


def _grow(text: str, folder: Path, size: int) -> str:
    """*text* followed by turns of the sample's other transcripts in *folder*, to *size* characters."""
    turns = [t for p in sorted(folder.glob("*.txt")) if p.stem != LONG_ID
             for t in p.read_text(encoding="utf-8").split("\n\n") if t.strip()]
    parts, total = [text.rstrip("\n")], len(text)
    while total < size:
        parts.append(turns[(len(parts) - 1) % len(turns)])
        total += len(parts[-1]) + 2
    return "\n\n".join(parts) + "\n"


def _distinctive_names(data: Path) -> set[str]:
    from thematic.deidentify import load_known_names

    ordinary = {"Will", "May", "Hope"}  # names that are also words
    return {s for n in load_known_names(data / "known-names.yaml").names for s in n.surfaces
            if s not in ordinary and " " in s}


@pytest.mark.slow
@pytest.mark.parametrize("size", [2_000_000, 10_000_000])
def test_a_long_transcript_is_validated_and_deidentified_in_pieces(sample_copy: Path, size: int):
    import re
    import time

    shutil.rmtree(sample_copy / "codings")  # de-identification alone
    raw = sample_copy / "raw" / f"{LONG_ID}.txt"
    raw.write_text(_grow(raw.read_text(encoding="utf-8"), sample_copy / "raw", size), encoding="utf-8")
    assert _thematic("validate", sample_copy).exit_code == 0
    started = time.perf_counter()
    result = _thematic("deidentify", sample_copy)
    seconds = time.perf_counter() - started
    print(f"\ndeidentify with a {size / 1e6:.0f} MB transcript: {seconds:.0f} s")
    assert result.exit_code == 0, result.output
    text = (sample_copy / "deidentified" / f"{LONG_ID}.txt").read_text(encoding="utf-8")
    assert len(text) > 0.95 * size
    assert not [name for name in _distinctive_names(sample_copy) if name in text]
    people = sorted({int(n) for n in re.findall(r"\[person (\d+)\]", text)})
    assert people == list(range(1, len(people) + 1))  # numbered once across the whole text
    audit = pd.read_csv(sample_copy / "deidentification" / "audit" / f"{LONG_ID}.csv")
    assert audit["end"].max() <= len(raw.read_text(encoding="utf-8")) and (audit["start"] < audit["end"]).all()
    validated = _thematic("validate", sample_copy)
    assert validated.exit_code == 0 and "25 de-identified transcripts" in validated.output, validated.output


@pytest.mark.slow
def test_a_2mb_transcript_goes_through_the_whole_report(sample_copy: Path, tmp_path: Path):
    import time

    from thematic.report import render_report

    for folder in ("raw", "deidentified"):  # the codings' offsets lie in the unchanged start
        path = sample_copy / folder / f"{LONG_ID}.txt"
        path.write_text(_grow(path.read_text(encoding="utf-8"), sample_copy / folder, 2_000_000), encoding="utf-8")
    params = tmp_path / "long.yaml"
    params.write_text(f"data_dir: {sample_copy}\ntitle: A 2 MB transcript\n", encoding="utf-8")
    started = time.perf_counter()
    out = render_report(params, output_dir=tmp_path / "r", notebooks_dir=ROOT / "notebooks", progress=False,
                        echo=lambda m: None)
    print(f"\nreport with a 2 MB transcript: {time.perf_counter() - started:.0f} s")
    for executed in (out / "executed").glob("*.ipynb"):
        notebook = nbformat.read(executed, as_version=4)
        errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (executed.name, errors)
    talk = pd.read_csv(out / "tables" / "01-familiarisation" / "talk-per-interview.csv").set_index("interview_id")
    assert talk.loc[LONG_ID, "words"] > 300_000
    kwic = pd.read_csv(out / "tables" / "01-familiarisation" / "kwic.csv")
    assert (kwic["interview_id"] == LONG_ID).sum() > 10 and (kwic["start"] > 1_000_000).any()
