"""The one door to a data folder: confinement, ids, optional metadata, settings, transactions."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from thematic import load_dataset
from thematic.cli import main
from thematic.dataset import text_hash, with_text_hashes
from thematic.errors import DataError
from thematic.study import TRANSACTION, Study

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _interviews(data: Path, rows: str, header: str = "interview_id,participant_id,transcript") -> None:
    (data / "interviews.csv").write_text(f"{header}\n{rows}", encoding="utf-8")


# --- confinement ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("transcript", "reason"), [
    ("../secret.txt", "goes up with '..'"),
    ("raw/../../secret.txt", "goes up with '..'"),
    ("/etc/hostname", "absolute path"),
    ("raw/link.txt", "a link leads outside the folder"),
])
def test_transcript_paths_stay_inside_the_data_folder(tiny_data: Path, transcript: str, reason: str):
    (tiny_data.parent / "secret.txt").write_text("Interviewer: hi\n\nParticipant: my secret\n")
    (tiny_data / "raw" / "link.txt").symlink_to(tiny_data.parent / "secret.txt")
    _interviews(tiny_data, f"P1-W1,P1,{transcript}\nP2-W1,P2,raw/P2-W1.txt\n")
    with pytest.raises(DataError, match=rf"\[E101\] .*interviews.csv, line 2: transcript '{transcript}' "
                                        rf"leads outside the data folder .*{reason}"):
        load_dataset(tiny_data)
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 1 and "[E101]" in result.output and "Traceback" not in result.output


def test_deidentify_refuses_a_folder_that_escapes_and_writes_nothing(tiny_data: Path):
    _interviews(tiny_data, "P1-W1,P1,../../outside.txt\nP2-W1,P2,raw/P2-W1.txt\n")
    before = _snapshot(tiny_data.parent)
    result = CliRunner().invoke(main, ["deidentify", str(tiny_data)])
    assert result.exit_code == 1 and "[E101]" in result.output
    assert _snapshot(tiny_data.parent) == before


@pytest.mark.parametrize(("value", "code"), [("../../X", "E102"), ("/tmp/X", "E102"), ("a b", "E102"),
                                             ("p1-w1", "E103")])
def test_interview_ids_must_be_safe_file_names(tiny_data: Path, value: str, code: str):
    _interviews(tiny_data, f"P1-W1,P1,raw/P1-W1.txt\n{value},P2,raw/P2-W1.txt\n")
    before = _snapshot(tiny_data.parent)
    with pytest.raises(DataError, match=rf"\[{code}\] .*interviews.csv, line 3: interview_id '{value}'"):
        load_dataset(tiny_data)
    CliRunner().invoke(main, ["deidentify", str(tiny_data)])
    assert _snapshot(tiny_data.parent) == before


def test_a_coder_name_cannot_name_a_path(tiny_data: Path):
    study = Study(tiny_data)
    with pytest.raises(DataError, match=r"\[E102\].*coder '../x'"):
        study.suggestions_path("../x")
    with pytest.raises(DataError, match=r"\[E101\].*known_names '/etc/passwd'.*absolute path"):
        study.confine("/etc/passwd", what="known_names")


def test_a_transcript_path_that_is_a_folder_is_named(tiny_data: Path):
    _interviews(tiny_data, "P1-W1,P1,raw\nP2-W1,P2,raw/P2-W1.txt\n")
    with pytest.raises(DataError, match=r"\[E106\] .*raw \(interviews.csv line 2\) is a folder"):
        load_dataset(tiny_data)


# --- optional metadata and settings ----------------------------------------------------------------

def test_only_ids_and_transcripts_are_required(tiny_data: Path):
    (tiny_data / "study.yaml").unlink()
    (tiny_data / "participants.csv").write_text("participant_id\nP1\nP2\n", encoding="utf-8")
    _interviews(tiny_data, "P1-W1,P1,raw/P1-W1.txt\nP2-W1,P2,raw/P2-W1.txt\n")
    dataset = load_dataset(tiny_data)
    assert dataset.groups == ["participant"] and list(dataset.participants["label"]) == ["Participant 1", "Participant 2"]
    assert dataset.waves == [1] and not dataset.has_dates and not dataset.has_durations
    assert dataset.scopes == {"participant": None}
    warnings = "\n".join(dataset.warnings)
    assert "[W101]" in warnings and "no date for 2 interview(s)" in warnings and "no duration_min" in warnings
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 0 and "warning: [W101]" in result.output


def test_partly_filled_metadata_and_bad_values(tiny_data: Path):
    header = "interview_id,participant_id,wave,date,duration_min,transcript"
    _interviews(tiny_data, "P1-W1,P1,,,-5,raw/P1-W1.txt\nP2-W1,P2,2,2020-13-45,,raw/P2-W1.txt\n", header=header)
    with pytest.raises(DataError) as error:
        load_dataset(tiny_data)
    problems = "\n".join(error.value.problems)
    assert "line 2: '-5' in column 'duration_min' is not a number of minutes, 0 or more" in problems
    assert "line 3: '2020-13-45' in column 'date' is not a date" in problems
    _interviews(tiny_data, "P1-W1,P1,,,15,raw/P1-W1.txt\nP2-W1,P2,2,,,raw/P2-W1.txt\n", header=header)
    dataset = load_dataset(tiny_data)
    assert list(dataset.interviews["wave"]) == [1, 2] and dataset.interviews["duration_min"].isna().sum() == 1


def test_the_study_names_its_grouping_column_order_and_scopes(tiny_data: Path):
    (tiny_data / "participants.csv").write_text(
        "participant_id,site\nP1,north\nP2,south\n", encoding="utf-8")
    (tiny_data / "study.yaml").write_text(
        "grouping: site\ngroups:\n  - {id: south, label: Carer, scope: parents}\n"
        "  - {id: north, scope: professionals}\n", encoding="utf-8")
    dataset = load_dataset(tiny_data)
    assert dataset.groups == ["south", "north"]
    assert dataset.participants.set_index("participant_id").loc["P2", "label"] == "Carer 1"
    assert dataset.scopes == {"south": "parents", "north": "professionals"}
    (tiny_data / "study.yaml").write_text("grouping: region\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"\[E105\] .*no column 'region' to group participants by"):
        load_dataset(tiny_data)


def test_declared_interviewer_marks_the_interviewer_turns(tiny_data: Path):
    from thematic.segments import segment_turns

    for interview_id in ("P1-W1", "P2-W1"):
        path = tiny_data / "deidentified" / f"{interview_id}.txt"
        path.write_text(path.read_text().replace("Interviewer:", "Moderator:"), encoding="utf-8")
    shutil_rmtree(tiny_data / "codings")
    _interviews(tiny_data, "P1-W1,P1,raw/P1-W1.txt,Moderator\nP2-W1,P2,raw/P2-W1.txt,\n",
                header="interview_id,participant_id,transcript,interviewer")
    segments = segment_turns(load_dataset(tiny_data))
    speakers = segments.groupby(["interview_id", "speaker"])["is_interviewer"].first().to_dict()
    assert speakers[("P1-W1", "Moderator")] and not speakers[("P1-W1", "Participant")]


def shutil_rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)


# --- codings that drift from their text --------------------------------------------------------------

def test_a_coding_whose_text_changed_is_found(tiny_data: Path):
    dataset = load_dataset(tiny_data)
    path = tiny_data / "codings" / "a.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = with_text_hashes(frame.astype({"start": int, "end": int}), dataset.texts)
    frame.to_csv(path, index=False)
    assert len(load_dataset(tiny_data).codings) == 5
    text = (tiny_data / "deidentified" / "P1-W1.txt").read_text()
    (tiny_data / "deidentified" / "P1-W1.txt").write_text(text.replace("We have", "We had"), encoding="utf-8")
    with pytest.raises(DataError, match=r"\[E110\] .*a.csv, line 2: the text at \d+-\d+ of 'P1-W1' is no longer"):
        load_dataset(tiny_data)
    assert text_hash("abc") == hashlib.sha256(b"abc").hexdigest()[:12]


# --- transactions and kills -----------------------------------------------------------------------

def test_a_transaction_puts_every_file_in_place_or_none(tiny_data: Path):
    study = Study(tiny_data)
    before = _snapshot(tiny_data)
    with pytest.raises(RuntimeError):
        with study.transaction() as transaction:
            transaction.write_text(study.deidentified_path("P1-W1"), "changed")
            raise RuntimeError("killed")
    assert _snapshot(tiny_data) == before and not (tiny_data / TRANSACTION).exists()
    with study.transaction() as transaction:
        transaction.write_text(study.deidentified_path("P1-W1"), "one")
        transaction.write_text(study.root / "memos" / "P1-W1.md", "two")
    assert (tiny_data / "deidentified" / "P1-W1.txt").read_text() == "one"
    assert (tiny_data / "memos" / "P1-W1.md").read_text() == "two"
    assert not (tiny_data / TRANSACTION).exists()


def test_an_unjournaled_transaction_is_dropped_and_a_journaled_one_finished(tiny_data: Path):
    study = Study(tiny_data)
    staged = tiny_data / TRANSACTION / "files"
    staged.mkdir(parents=True)
    (staged / "0").write_text("half")
    before = _snapshot(tiny_data)
    Study(tiny_data)  # opening the study drops the unjournaled staging
    assert not (tiny_data / TRANSACTION).exists()
    assert {k: v for k, v in before.items() if not k.startswith(TRANSACTION)} == _snapshot(tiny_data)
    staged.mkdir(parents=True)
    (staged / "1").write_text("new text")
    (tiny_data / TRANSACTION / "journal.json").write_text(
        '{"moves": [["0", "deidentified/P1-W1.txt"], ["1", "deidentified/P2-W1.txt"]]}')
    Study(tiny_data)  # "0" was already moved before the kill; "1" is finished now
    assert (tiny_data / "deidentified" / "P2-W1.txt").read_text() == "new text"
    assert not (tiny_data / TRANSACTION).exists()
    (staged).mkdir(parents=True)
    (tiny_data / TRANSACTION / "journal.json").write_text('{"moves": [["0", "../../escape.txt"]]}')
    (staged / "0").write_text("x")
    with pytest.raises(DataError, match=r"\[E101\]"):
        Study(tiny_data)
    assert not (tiny_data.parent.parent / "escape.txt").exists()
    del study


KILLER = textwrap.dedent("""
    import os, sys
    import thematic.study as study
    from thematic.cli import main
    point, count = sys.argv[1], {"moves": 0}
    original_replace, original_write = os.replace, study.io.write_text
    def write_text(path, text):
        if point == "before-journal" and str(path).endswith("journal.json"):
            os._exit(9)
        return original_write(path, text)
    def replace(src, dst):
        if study.TRANSACTION in str(src):
            count["moves"] += 1
            if point == "after-first-move" and count["moves"] == 2:
                os._exit(9)
        return original_replace(src, dst)
    study.io.write_text = write_text
    study.os.replace = replace
    main(["deidentify", sys.argv[2]])
""")


@pytest.mark.parametrize("point", ["before-journal", "after-first-move"])
def test_deidentify_killed_mid_write_leaves_codings_consistent(tiny_data: Path, point: str):
    raw = tiny_data / "raw" / "P1-W1.txt"
    raw.write_text(raw.read_text().replace("Participant: We have", "Participant: Dr Quentin Brackwater said we have"),
                   encoding="utf-8")
    (tiny_data / "deidentified" / "P1-W1.txt").write_text(raw.read_text(), encoding="utf-8")
    (tiny_data / "known-names.yaml").write_text(
        "names:\n  - {surface: Quentin Brackwater, type: PERSON, placeholder: '[doctor]'}\n", encoding="utf-8")
    texts = load_dataset(tiny_data).texts
    for coder in ("a", "b"):  # re-code on the new text, with the text check
        path = tiny_data / "codings" / f"{coder}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).astype({"start": int, "end": int})
        shift = len("Dr Quentin Brackwater said ")
        frame.loc[frame["interview_id"] == "P1-W1", ["start", "end"]] += shift
        with_text_hashes(frame, texts).to_csv(path, index=False)
    before = _snapshot(tiny_data)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    killed = subprocess.run([sys.executable, "-c", KILLER, point, str(tiny_data)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == 9, killed.stderr
    if point == "before-journal":
        assert _snapshot(tiny_data) == {**before, **{k: v for k, v in _snapshot(tiny_data).items()
                                                     if k.startswith(TRANSACTION)}}
    dataset = load_dataset(tiny_data)  # opening the study repairs or drops the interrupted write
    assert not (tiny_data / TRANSACTION).exists()
    after = dataset.texts["P1-W1"]
    coded = dataset.codings[dataset.codings["interview_id"] == "P1-W1"]
    assert {after[s:e][:7] for s, e in zip(coded["start"], coded["end"], strict=True)} <= {"we have", "Video c"}
    if point == "before-journal":
        assert "Quentin" in after  # nothing was written
    else:
        assert "Quentin" not in after and "[doctor]" in after  # the run was finished
    result = CliRunner().invoke(main, ["deidentify", str(tiny_data)])
    assert result.exit_code == 0, result.output
    assert "[doctor]" in load_dataset(tiny_data).texts["P1-W1"]
