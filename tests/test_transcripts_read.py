"""Reading transcript files: encodings, .docx, captions, and bad input named with file and line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from thematic.errors import DataError
from thematic.transcripts import parse_turns, read_transcript

TURNS = [("I", "Caf\u00e9 \u2013 ok?"), ("P3", "Yes please.")]
CANONICAL = "I: Caf\u00e9 \u2013 ok?\n\nP3: Yes please.\n"


def _read(path: Path) -> list[tuple[str, str]]:
    transcript = read_transcript(path)
    return [(t.speaker, t.text(transcript.text)) for t in transcript.turns]


@pytest.mark.parametrize("name, data", [
    ("utf8.txt", CANONICAL.encode("utf-8")),
    ("bom.txt", "\ufeffI: Caf\u00e9 \u2013 ok?\r\n\r\nP3: Yes\u00a0please.\r\n".encode("utf-8")),
    ("win.txt", CANONICAL.replace("\n", "\r\n").encode("cp1252")),
    ("mac.txt", CANONICAL.replace("\n", "\r").encode("utf-8")),
    ("utf16le.txt", CANONICAL.encode("utf-16")),
    ("utf16be.txt", b"\xfe\xff" + CANONICAL.replace("\n", "\r\n").encode("utf-16-be")),
    ("utf16-no-bom.txt", CANONICAL.encode("utf-16-le")),
    ("utf16be-no-bom.txt", CANONICAL.encode("utf-16-be")),
    ("mixed.txt", "I: Caf\u00e9 \u2013 ok?\n\n".encode("utf-8") + "P3: Yes please.\n".encode("cp1252")),
])
def test_text_in_any_encoding_and_line_ending_reads_the_same(tmp_path: Path, name, data):
    (tmp_path / name).write_bytes(data)
    transcript = read_transcript(tmp_path / name)
    assert [(t.speaker, t.text(transcript.text)) for t in transcript.turns] == TURNS
    assert transcript.canonical_text() == CANONICAL


def test_a_text_file_holding_captions_is_read_as_captions(tmp_path: Path):
    (tmp_path / "t.txt").write_text("1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi.\n\n2\n00:00:02,000 --> "
                                    "00:00:03,000\nBen: Hello.\n\n3\n00:00:03,000 --> 00:00:04,000\nAnna: Bye."
                                    "\n\n4\n00:00:04,000 --> 00:00:05,000\nBen: Bye.\n", encoding="utf-8")
    transcript = read_transcript(tmp_path / "t.txt")
    assert transcript.layout == "srt" and [s.label for s in transcript.speakers] == ["Anna", "Ben"]


def test_webvtt_voices_and_inline_labels_join_into_turns(tmp_path: Path):
    (tmp_path / "t.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Hello, how are you?\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v Interviewer>Take your time.\n\n"
        "00:00:05.000 --> 00:00:08.000\nP3: Fine, thanks.\n", encoding="utf-8")
    transcript = read_transcript(tmp_path / "t.vtt")
    assert transcript.canonical_text() == ("[00:00:01] Interviewer: Hello, how are you? Take your time.\n\n"
                                           "[00:00:05] P3: Fine, thanks.\n")


def test_captions_keep_stray_text_and_read_a_malformed_arrow_with_a_note(tmp_path: Path):
    (tmp_path / "t.vtt").write_text(
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nInterviewer: Hello.\n\n"
        "2\n00:00:03.000 - 00:00:05.000\nParticipant: Hi, I was\n\nlate today.\n", encoding="utf-8")
    transcript = read_transcript(tmp_path / "t.vtt")
    assert [(t.speaker, t.text(transcript.text)) for t in transcript.turns] == [
        ("Interviewer", "Hello."), ("Participant", "Hi, I was late today.")]
    assert transcript.notes == ("1 caption(s) with a malformed timing line (line(s) 8) read anyway",
                                "text outside any caption (line(s) 11) kept with the caption before it")


def test_zoom_captions_name_every_caption_so_a_name_seen_once_is_a_speaker(tmp_path: Path):
    cues = [("Ana Silva", "Welcome back."), ("Ana Silva", "Who wants to start?"), ("Ben Ode", "Me."),
            ("Ana Silva", "Go on."), ("Cy Park", "Sorry, can I add one thing first?"), ("Ben Ode", "Sure.")]
    body = "\n\n".join(f"{n}\n00:00:0{n}.000 --> 00:00:0{n}.900\n{name}: {text}"
                       for n, (name, text) in enumerate(cues, start=1))
    (tmp_path / "t.vtt").write_text("WEBVTT\n" + body + "\n", encoding="utf-8")  # no blank line after WEBVTT
    transcript = read_transcript(tmp_path / "t.vtt")
    assert [(t.speaker, t.text(transcript.text)) for t in transcript.turns] == [
        ("Ana Silva", "Welcome back. Who wants to start?"), ("Ben Ode", "Me."), ("Ana Silva", "Go on."),
        ("Cy Park", "Sorry, can I add one thing first?"), ("Ben Ode", "Sure.")]


def test_captions_without_speakers_are_one_turn_with_a_note(tmp_path: Path):
    (tmp_path / "t.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHello there.\n\n"
                                    "2\n00:00:02,000 --> 00:00:04,000\nGeneral Kenobi.\n", encoding="utf-8")
    transcript = read_transcript(tmp_path / "t.srt")
    assert [(t.speaker, t.text(transcript.text)) for t in transcript.turns] == [
        ("Unknown speaker", "Hello there. General Kenobi.")]
    assert "the captions name no speaker" in transcript.notes[0]


def test_docx_paragraphs_and_a_table_of_turns(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("Interviewer: How did it start?")
    document.add_paragraph("")
    document.add_paragraph("Mother 2: With\u00a0a phone call.")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [("00:20", "RESEARCHER", "And then?"), ("00:31", "P3", "A visit.")],
                          strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.save(tmp_path / "t.docx")
    transcript = read_transcript(tmp_path / "t.docx")
    assert transcript.layout == "docx-inline"
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Mother 2"]
    assert transcript.turns[1].text(transcript.text) == ("With a phone call.\n\n00:20 | RESEARCHER | And then?\n"
                                                         "00:31 | P3 | A visit.")


def test_docx_table_with_row_numbers_and_a_notes_column(tmp_path: Path):
    document = docx.Document()
    table = document.add_table(rows=0, cols=4)
    rows = [("1", "Int", "Where do you live now?", ""), ("2", "Resp", "Near the park.", "check"),
            ("3", "Int", "Since when?", ""), ("4", "Resp", "Since the spring.", "")]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "t.docx")
    transcript = read_transcript(tmp_path / "t.docx")
    assert transcript.layout == "docx-table"
    assert [(t.speaker, t.text(transcript.text), t.timestamp) for t in transcript.turns] == [
        ("Int", "Where do you live now?", None), ("Resp", "Near the park.", None),
        ("Int", "Since when?", None), ("Resp", "Since the spring.", None)]
    assert "1 cell(s) of other table columns ignored" in transcript.notes


def test_docx_table_keeps_words_typed_in_the_speaker_column(tmp_path: Path):
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    rows = [("Speaker", "Text"), ("Interviewer", "And after that, where did the two of you go?"),
            ("Respondent", "We moved to my sister's, which was a squeeze with the dogs."),
            ("Interviewer", "Where to?"), ("Then the flat over the shop, for a year", "Respondent said so."),
            ("Respondent", "A bigger place in the end, with a yard for the bikes.")]
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.save(tmp_path / "t.docx")
    transcript = read_transcript(tmp_path / "t.docx")
    assert [t.text(transcript.text) for t in transcript.turns][2] == (
        "Where to?\nThen the flat over the shop, for a year\nRespondent said so.")
    assert "1 cell(s) of the speaker or time column that are not labels or times kept as text of their turn" \
        in transcript.notes


def _docx_with_broken_content_types(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Interviewer: hello")
    document.save(path.with_suffix(".ok"))
    with zipfile.ZipFile(path.with_suffix(".ok")) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[:40] if info.filename == "[Content_Types].xml" else data)


@pytest.mark.parametrize("name, content, message", [
    ("t.doc", b"binary", r"t.doc: thematic cannot read '.doc' files. Open it in Word or LibreOffice and save it "
                         r"as .docx"),
    ("t.pdf", b"%PDF-1.4", r"t.pdf: thematic cannot read '.pdf' files. Export the transcript as .docx or .txt"),
    ("t.rtf", b"{\\rtf1", r"t.rtf: thematic cannot read '.rtf' files"),
    ("t.txt", b"%PDF-1.7 ...", r"t.txt: the file is a PDF, not plain text"),
    ("t.txt", b"PK\x03\x04....", r"t.txt: the file is a zip package \(a .docx renamed\?\)"),
    ("t.docx", b"not a zip", r"t.docx: not a valid Word .docx document \(not a zip package\)"),
    ("t.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     r"t.docx: not a valid Word .docx document \(it is an old binary Word .doc file\)"),
    ("t.vtt", b"NOT VTT\n", r"t.vtt: no captions found \(no 'WEBVTT' line and no caption\)"),
    ("t.srt", b"just text\n", r"t.srt: no captions found \(no timing line found\)"),
    ("t.txt", b"", r"t.txt: the file is empty"),
    ("t.txt", b"  \n\r\n\t\n", r"t.txt: the file is empty"),
    ("t.txt", b"I: hi\nR: there\x00\x00x\n", r"t.txt, line 2: NUL bytes in a text file"),
    ("t.txt", b"I: hi\nR: ok\nI: caf\x81\n", r"t.txt, line 3: cannot decode as UTF-8 or Windows-1252"),
    ("t.txt", b"\xff\xfeI\x00:\x00\x00\xd8", r"t.txt, line 1: cannot decode as UTF-16-LE"),
    ("t.txt", b"Dear diary, nothing happened.\n", r"t.txt: no speaker turns found"),
])
def test_bad_files_name_the_file_line_and_what_to_do(tmp_path: Path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_transcript(tmp_path / name)


def test_a_broken_word_package_and_a_folder_are_clear_errors(tmp_path: Path):
    _docx_with_broken_content_types(tmp_path / "broken.docx")
    with pytest.raises(DataError, match=r"broken.docx: not a valid Word .docx document \(XMLSyntaxError"):
        read_transcript(tmp_path / "broken.docx")
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DataError, match=r"folder.txt is a folder, not a file"):
        read_transcript(tmp_path / "folder.txt")
    with pytest.raises(DataError, match=r"missing.txt: file not found"):
        read_transcript(tmp_path / "missing.txt")
    empty = docx.Document()
    empty.save(tmp_path / "empty.docx")
    with pytest.raises(DataError, match=r"empty.docx: the file is empty"):
        read_transcript(tmp_path / "empty.docx")


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


def test_validate_names_a_transcript_path_that_is_a_folder(tiny_data: Path):
    from click.testing import CliRunner

    from thematic.cli import main

    (tiny_data / "raw" / "P2-W1.txt").unlink()
    (tiny_data / "raw" / "P2-W1.txt").mkdir()
    result = CliRunner().invoke(main, ["validate", str(tiny_data)])
    assert result.exit_code == 1
    assert "raw/P2-W1.txt (interviews.csv line 3) is a folder, not a transcript" in result.output
    assert "Traceback" not in result.output


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
