"""Reading transcripts as delivered: .txt encodings, .docx paragraphs and tables, WebVTT."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from thematic.errors import DataError
from thematic.ingest import read_transcript
from thematic.transcripts import parse_turns


def test_text_in_utf8_bom_cp1252_with_crlf_and_nbsp(tmp_path: Path):
    (tmp_path / "bom.txt").write_bytes("\ufeffI: Caf\u00e9?\r\n\r\nP3: Yes\u00a0please.\r\n".encode("utf-8"))
    (tmp_path / "win.txt").write_bytes("I: Caf\u00e9 \u2013 ok?\r\n\r\nP3: Yes.\r\n".encode("cp1252"))
    assert read_transcript(tmp_path / "bom.txt") == "I: Caf\u00e9?\n\nP3: Yes please.\n"
    assert read_transcript(tmp_path / "win.txt") == "I: Caf\u00e9 \u2013 ok?\n\nP3: Yes.\n"


def test_docx_paragraphs_and_table_rows_become_turns(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("Interviewer: How did it start?")
    document.add_paragraph("")
    document.add_paragraph("Mother 2: With\u00a0a phone call.")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("00:20", "RESEARCHER", "And then?"), ("00:31", "P3", "A visit.")], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.save(tmp_path / "t.docx")
    text = read_transcript(tmp_path / "t.docx")
    assert text == ("Interviewer: How did it start?\n\nMother 2: With a phone call.\n\n"
                    "RESEARCHER: And then?\n\nP3: A visit.\n")
    assert [t.speaker for t in parse_turns(text)] == ["Interviewer", "Mother 2", "RESEARCHER", "P3"]


def test_webvtt_voices_and_inline_labels_join_into_turns(tmp_path: Path):
    (tmp_path / "t.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Hello, how are you?\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Interviewer>Take your time.\n\n"
        "00:00:05.000 --> 00:00:08.000\nP3: Fine, thanks.\n", encoding="utf-8")
    assert read_transcript(tmp_path / "t.vtt") == ("Interviewer: Hello, how are you? Take your time.\n\n"
                                                   "P3: Fine, thanks.\n")


@pytest.mark.parametrize("name, content, message", [
    ("t.doc", b"binary", "unsupported transcript format '.doc'"),
    ("t.docx", b"not a zip", "cannot read as a Word document"),
    ("t.vtt", b"NOT VTT\n", "line 1: not a WebVTT file"),
])
def test_bad_files_name_the_file(tmp_path: Path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_transcript(tmp_path / name)


def test_timestamped_speaker_labels_parse():
    text = "00:20 RESEARCHER: Hello.\n\n[00:31] Mother 2: Hi.\n"
    assert [t.speaker for t in parse_turns(text)] == ["RESEARCHER", "Mother 2"]


def test_validate_lists_broken_transcripts_unknown_ids_and_bad_yaml(tiny_data: Path):
    from click.testing import CliRunner

    from thematic.cli import main

    (tiny_data / "raw" / "P2-W1.txt").write_text("no speaker here\n\nstill none\n", encoding="utf-8")
    (tiny_data / "raw" / "P9-W1.txt").write_text("I: stray\n", encoding="utf-8")
    (tiny_data / "deidentified" / "P9-W1.txt").write_text("I: stray\n", encoding="utf-8")
    (tiny_data / "codebook.yaml").write_text("themes:\n  - id: T1\n    name: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 1
    output = result.output
    assert "problems found" in output  # also: the codings cannot be checked without a codebook
    assert "P2-W1.txt: no speaker turns found" in output
    assert "raw/P9-W1.txt: unknown transcript" in output
    assert "deidentified/P9-W1.txt: unknown transcript ('P9-W1' is not an interview_id" in output
    assert "codebook.yaml: not valid YAML (line 4, column 1" in output


def test_validate_says_what_to_run_before_deidentification(tiny_data: Path):
    from click.testing import CliRunner

    from thematic.cli import main

    for path in (tiny_data / "deidentified").glob("*.txt"):
        path.unlink()
    for path in (tiny_data / "codings").glob("*.csv"):
        path.unlink()
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 0, result.output
    assert f"Run 'thematic deidentify {tiny_data}'" in result.output
