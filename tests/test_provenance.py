"""The manifest: inputs recorded by hash, data-folder files never by a name a person chose."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from thematic import io
from thematic.disclosure import name_hash
from thematic.provenance import input_hashes, study_file_labels


def test_files_of_a_study_are_recorded_by_interview_id_or_a_hash(sample_copy: Path):
    raw = sample_copy / "raw"
    (raw / "PAR03-W1.txt").rename(raw / "Maisie Calloway interview.txt")
    interviews = pd.read_csv(sample_copy / "interviews.csv", dtype=str, keep_default_na=False)
    interviews.loc[interviews["interview_id"] == "PAR03-W1", "transcript"] = "raw/Maisie Calloway interview.txt"
    interviews.to_csv(sample_copy / "interviews.csv", index=False)
    (sample_copy / "memos" / "Jane Smith.md").write_text("stray\n", encoding="utf-8")
    root = sample_copy.parent
    hashes = input_hashes([sample_copy], root=root, studies=[sample_copy])
    assert not any("Calloway" in key or "Jane" in key or "service-lead" in key for key in hashes)
    assert hashes["data/raw/PAR03-W1.txt"] == io.sha256_file(raw / "Maisie Calloway interview.txt")
    assert hashes[f"data/memos/unnamed-{name_hash('memos/Jane Smith.md')}.md"] == io.sha256_file(
        sample_copy / "memos" / "Jane Smith.md")
    for kept in ("data/participants.csv", "data/codings/coder_a.csv", "data/deidentified/PAR03-W1.txt",
                 "data/memos/PAR02-W1.md", "data/member-check/comments.csv", "data/README.md"):
        assert kept in hashes, kept
    assert len(hashes) == len(list(io.iter_files(sample_copy)))  # every file recorded, none merged
    labels = study_file_labels(sample_copy, root=root)
    assert labels[(sample_copy / "member-check" / "service-lead-response.yaml").resolve()].startswith(
        "data/member-check/unnamed-")


def test_other_inputs_keep_their_paths(tmp_path: Path):
    (tmp_path / "params.yaml").write_text("seed: 1\n", encoding="utf-8")
    assert list(input_hashes([tmp_path / "params.yaml"], root=tmp_path)) == ["params.yaml"]
