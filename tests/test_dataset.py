from pathlib import Path

import pytest

from thematic import load_dataset
from thematic.errors import DataError


def test_sample_loads_with_its_study_design(sample_dataset):
    people = sample_dataset.participants
    assert people.groupby("group").size().to_dict() == {
        "commissioner": 3, "parent": 5, "referrer": 9, "service_team": 4}
    interviews = sample_dataset.interviews
    assert len(interviews) == 25 and len(sample_dataset.texts) == 25
    assert interviews.loc[interviews["group"] == "service_team", "wave"].value_counts().to_dict() == {1: 4, 2: 4}
    assert sample_dataset.coders == ["coder_a", "coder_b"]


def test_tiny_folder_loads(tiny_data: Path):
    dataset = load_dataset(tiny_data)
    assert dataset.has_codings and len(dataset.codings) == 5
    assert dataset.participants["label"].tolist() == ["Referrer 1", "Parent 1"]


def test_every_problem_is_listed_with_file_and_line(tiny_data: Path):
    interviews = tiny_data / "interviews.csv"
    interviews.write_text(interviews.read_text() + "P3-W1,P9,one,2020-13-01,x,raw/P3-W1.txt\n")
    with pytest.raises(DataError) as caught:
        load_dataset(tiny_data)
    message = str(caught.value)
    assert "interviews.csv, line 4: unknown participant_id 'P9'" in message
    assert "line 4: 'one' in column 'wave' is not a whole number" in message
    assert "'2020-13-01' in column 'date' is not a date" in message
    assert "'x' in column 'duration_min'" in message
    assert "raw/P3-W1.txt: file not found" in message
    assert len(caught.value.problems) >= 5


def test_coding_outside_transcript_and_unknown_code(tiny_data: Path):
    codings = tiny_data / "codings" / "b.csv"
    codings.write_text(codings.read_text() + "P1-W1,5,99999,no_shared_records,b,\nP2-W1,0,4,made_up,b,\n")
    with pytest.raises(DataError) as caught:
        load_dataset(tiny_data)
    message = str(caught.value)
    assert "b.csv, line 4: span 5-99999 lies outside the transcript of 'P1-W1'" in message
    assert "b.csv, line 5: unknown code 'made_up'" in message


def test_malformed_codebook_names_the_code(tiny_data: Path):
    book = tiny_data / "codebook.yaml"
    book.write_text(book.read_text().replace("kind: barrier, definition: No common", "kind: obstacle, definition: No common"))
    with pytest.raises(DataError, match=r"codebook.yaml: theme 1 \(id T1\), code 1 "
                                        r"\(id no_shared_records\), kind: Input should be"):
        load_dataset(tiny_data)


def test_folder_without_codebook_or_deidentified_text(tiny_data: Path):
    (tiny_data / "codebook.yaml").unlink()
    for path in (tiny_data / "codings").iterdir():
        path.unlink()
    (tiny_data / "deidentified" / "P2-W1.txt").unlink()
    with pytest.raises(DataError, match="no de-identified text for P2-W1"):
        load_dataset(tiny_data)
    dataset = load_dataset(tiny_data, require_deidentified=False)
    assert dataset.not_deidentified == ["P2-W1"] and not dataset.has_codebook and not dataset.has_codings
    assert dataset.inventory().set_index("item").loc["interviews awaiting de-identification", "count"] == 1


def test_missing_folder_says_what_to_do(tmp_path: Path):
    with pytest.raises(DataError, match="Set data_dir"):
        load_dataset(tmp_path / "nope")
