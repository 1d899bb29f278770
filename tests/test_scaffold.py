"""`thematic init`: a data folder scaffolded from a folder of transcripts in many layouts."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from thematic import load_dataset
from thematic.cli import main
from thematic.errors import DataError, OutputError
from thematic.scaffold import interview_ids, participant_and_wave, scaffold_study

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"


@pytest.fixture
def transcripts(tmp_path: Path) -> Path:
    """Real-looking deliveries: several layouts, a wave marker, spaces and odd case in names."""
    folder = tmp_path / "delivered"
    folder.mkdir()
    for name, target in (("otter.txt", "P01 wave1.txt"), ("rev.txt", "P01 wave2.txt"),
                         ("zoom.vtt", "Focus group (north).vtt"), ("captions.srt", "p02_T1.srt"),
                         ("inline-abbrev-crlf.txt", "interview 3.TXT")):
        shutil.copy(FIXTURES / name, folder / target)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a transcript: left out
    return folder


def test_ids_and_waves_come_from_file_names():
    assert participant_and_wave("P01_W2") == ("P01", 2)
    assert participant_and_wave("p01-wave10") == ("p01", 10)
    assert participant_and_wave("P01 T1") == ("P01", 1)
    assert participant_and_wave("Focus-group") == ("Focus-group", 1)
    assert participant_and_wave("P01W2") == ("P01", 2)
    assert participant_and_wave("interview-3") == ("interview-3", 1)
    assert interview_ids(["a b.txt", "A-B.vtt", "(x).txt", ".hidden.txt"]) == {
        "a b.txt": "a-b", "A-B.vtt": "A-B-2", "(x).txt": "x", ".hidden.txt": "hidden"}


def test_init_writes_a_valid_folder_and_copies_the_transcripts_untouched(transcripts: Path, tmp_path: Path):
    report = scaffold_study(transcripts, tmp_path / "study", find_names=False)
    study = tmp_path / "study"
    assert report.problems == [] and report.unreadable == []
    interviews = pd.read_csv(study / "interviews.csv", dtype=str, keep_default_na=False).set_index("interview_id")
    assert sorted(interviews.index) == ["Focus-group-north", "P01-wave1", "P01-wave2", "interview-3", "p02_T1"]
    assert interviews.loc["P01-wave2", "participant_id"] == "P01" and interviews.loc["P01-wave2", "wave"] == "2"
    assert interviews.loc["interview-3", "transcript"] == "raw/interview 3.TXT"
    assert (interviews[["date", "duration_min"]] == "").all().all()
    for row in interviews.itertuples():
        source = transcripts / Path(row.transcript).name
        assert hashlib.sha256((study / row.transcript).read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
        assert row.speakers  # every file's speakers were found
    participants = pd.read_csv(study / "participants.csv", dtype=str, keep_default_na=False)
    assert sorted(participants["participant_id"]) == ["Focus-group-north", "P01", "interview-3", "p02"]
    assert set(yaml.safe_load((study / "params.yaml").read_text())) == {"title", "data_dir"}
    assert not (study / "raw" / "notes.pdf").exists()
    dataset = load_dataset(study, require_deidentified=False)
    assert dataset.groups == ["unassigned"] and sorted(dataset.not_deidentified) == sorted(interviews.index)
    assert "[W103]" in "\n".join(dataset.warnings)
    text = report.text()
    assert "validate: OK" in text and "thematic deidentify" in text


def test_init_never_writes_over_a_folder(transcripts: Path, tmp_path: Path):
    existing = tmp_path / "mine"
    existing.mkdir()
    (existing / "notes.txt").write_text("keep")
    with pytest.raises(OutputError, match=r"\[E805\]"):
        scaffold_study(transcripts, existing, find_names=False)
    assert sorted(p.name for p in existing.iterdir()) == ["notes.txt"]
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "interview.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(DataError, match=r"\[E111\] .*no transcript found"):
        scaffold_study(tmp_path / "scans", tmp_path / "new", find_names=False)
    result = CliRunner().invoke(main, ["init", str(transcripts), "-o", str(existing), "--no-names"])
    assert result.exit_code == 1 and "[E805]" in result.output


def test_init_then_deidentify_then_validate(transcripts: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["init", str(transcripts), "-o", str(tmp_path / "study")])
    assert result.exit_code == 0, result.output
    names = yaml.safe_load((tmp_path / "study" / "known-names.yaml").read_text())["names"]
    assert names and all(entry["placeholder"].startswith("[") for entry in names)
    result = CliRunner().invoke(main, ["deidentify", str(tmp_path / "study")])
    assert result.exit_code == 0, result.output
    dataset = load_dataset(tmp_path / "study")
    assert len(dataset.texts) == 5
    for entry in names:  # every name init listed is gone from the de-identified texts
        assert all(entry["surface"] not in text for text in dataset.texts.values()), entry["surface"]


def test_init_lists_a_name_once_with_the_type_it_was_found_as_most(tmp_path: Path):
    source = tmp_path / "transcripts"
    source.mkdir()
    (source / "P1.txt").write_text(
        "Interviewer: How was it?\n"
        "Participant: It was two sessions on Zoom, Grace and Dr Marwick ran it. Grace was lovely, "
        "and I\u2019m- I\u2019m still in touch with Grace. Dr Marwick rang me.\n", encoding="utf-8")
    scaffold_study(source, tmp_path / "study")
    names = yaml.safe_load((tmp_path / "study" / "known-names.yaml").read_text(encoding="utf-8"))["names"]
    surfaces = [entry["surface"] for entry in names]
    assert len(surfaces) == len(set(surfaces))
    assert {entry["surface"]: entry["type"] for entry in names} == {"Grace": "PERSON", "Dr Marwick": "PERSON"}
