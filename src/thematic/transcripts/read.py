"""Read a transcript file of any supported format: .txt (.text, .md), .docx, .vtt, .srt.

Text files are decoded by :func:`thematic.io.read_text` (UTF-8 with or without BOM, UTF-16,
Windows-1252; CRLF and CR line endings, non-breaking spaces). Every error names the file and,
where there is one, the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from thematic import io
from thematic.errors import DataError, Errors
from thematic.transcripts.captions import looks_like_captions, parse_captions
from thematic.transcripts.docx import read_docx
from thematic.transcripts.layouts import parse_transcript
from thematic.transcripts.model import Transcript

TEXT_SUFFIXES = (".txt", ".text", ".md")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".vtt", ".srt")
#: What to do with the formats that are not read.
CONVERT = {
    ".doc": "Open it in Word or LibreOffice and save it as .docx (Word Document).",
    ".rtf": "Open it in Word or LibreOffice and save it as .docx, or as plain text (.txt).",
    ".odt": "Open it in LibreOffice and save it as .docx (File > Save As > Word 2007-365).",
    ".pages": "Export it from Pages as Word (.docx).",
    ".pdf": "Export the transcript as .docx or .txt from the tool that made it; text copied out "
            "of a PDF loses its layout.",
    ".json": "Export the transcript as .txt, .docx, .vtt or .srt from the transcription service.",
    ".csv": "Export the transcript as .txt or .docx.",
}
#: First bytes of files that are not plain text.
MAGIC = ((b"%PDF-", "a PDF", ".pdf"), (b"{\\rtf", "an RTF document", ".rtf"),
         (b"\xd0\xcf\x11\xe0", "an old binary Word .doc (or other Office) file", ".doc"),
         (b"PK\x03\x04", "a zip package (a .docx renamed?)", None))


def read_transcript(path: str | Path, *, interviewer: Sequence[str] = ()) -> Transcript:
    """The transcript in the file at *path*.

    Parameters
    ----------
    path
        A .txt (.text, .md), .docx, .vtt or .srt file.
    interviewer
        Speaker labels of the interviewer(s), case-insensitive (see
        :func:`thematic.transcripts.parse_transcript`).

    Raises
    ------
    DataError
        If the file is missing (E001), a folder (E201), empty (E202), undecodable or holding
        NUL bytes (E203, E204), of a format not read (E205, E209), a broken Word document
        (E206), captions without any caption (E207), or without speaker turns (E208).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Errors.E001.format(path=path, hint="Check the path in interviews.csv."))
    if path.is_dir():
        raise DataError(Errors.E201.format(path=path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = CONVERT.get(suffix, "Use .txt, .docx, .vtt or .srt (convert the file to one of them).")
        raise DataError(Errors.E205.format(path=path, suffix=suffix or "(no suffix)", hint=hint))
    if path.stat().st_size == 0:
        raise DataError(Errors.E202.format(path=path))
    if suffix == ".docx":
        return read_docx(path, interviewer=interviewer)
    with open(path, "rb") as handle:
        head = handle.read(8)
    for magic, what, real in MAGIC:
        if head.startswith(magic):
            hint = CONVERT.get(real, "Give the transcript as .txt, .docx, .vtt or .srt.") if real else \
                "If it is a Word document, give it the .docx suffix."
            raise DataError(Errors.E209.format(path=path, what=what, hint=hint))
    text = io.read_text(path)
    if not text.strip():
        raise DataError(Errors.E202.format(path=path))
    kind = {".vtt": "webvtt", ".srt": "srt"}.get(suffix) or looks_like_captions(text)
    if kind:
        return parse_captions(text, kind=kind, interviewer=interviewer, source=str(path))
    return parse_transcript(text, interviewer=interviewer, source=str(path))
