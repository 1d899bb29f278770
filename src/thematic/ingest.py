"""Read transcripts as transcription services deliver them: .txt, .docx and WebVTT.

Every format becomes the same plain text: one speaker turn per paragraph (``Speaker: text``),
paragraphs separated by a blank line, ``\\n`` line endings and no non-breaking spaces, so that
:func:`thematic.transcripts.parse_turns` and character offsets work the same on all of them.
Text files go through :func:`thematic.io.read_text` (UTF-8, UTF-8 with BOM, Windows-1252).
"""

from __future__ import annotations

import re
from pathlib import Path

from thematic import io
from thematic.errors import DataError, Errors

SUPPORTED_SUFFIXES = (".txt", ".docx", ".vtt")
#: A speaker label written inside a caption or a table cell ("RESEARCHER: so...").
INLINE_SPEAKER = re.compile(r"^(?P<speaker>[A-Z][A-Za-z0-9'.\-]*(?: [A-Za-z0-9'.\-]+){0,3}):\s+(?P<text>.*)$", re.DOTALL)


def read_transcript(path: str | Path) -> str:
    """The text of the transcript at *path* (.txt, .docx or .vtt) as turns in paragraphs.

    Raises
    ------
    DataError
        If the file is missing, undecodable, of another format or malformed (naming the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return io.read_text(path)
    if not path.exists():
        raise DataError(Errors.E001.format(path=path, hint="Check the path in interviews.csv."))
    if suffix == ".docx":
        return _normalise("\n\n".join(docx_paragraphs(path)))
    if suffix == ".vtt":
        return _normalise("\n\n".join(vtt_turns(path)))
    raise DataError(Errors.E302.format(path=path, suffix=suffix or "(none)"))


def docx_paragraphs(path: Path) -> list[str]:
    """Non-empty paragraphs of a Word document, in order; a table row becomes one turn
    (``speaker | text`` or ``time | speaker | text`` layouts, as some services deliver)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise DataError(Errors.E303.format(path=path, detail=type(error).__name__)) from None
    paragraphs = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in child.iter() if node.tag.endswith("}t"))
            if text.strip():
                paragraphs.append(" ".join(text.split()))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                if len(cells) >= 2 and re.fullmatch(r"\[?\d{1,2}:\d{2}(?::\d{2})?\]?", cells[0]):
                    cells = cells[1:]
                if len(cells) >= 2:
                    paragraphs.append(f"{cells[0].rstrip(':')}: {' '.join(cells[1:])}")
                elif cells:
                    paragraphs.append(cells[0])
    return paragraphs


def vtt_turns(path: Path) -> list[str]:
    """Speaker turns from WebVTT captions: consecutive captions by one voice (``<v Name>``
    or an inline ``NAME:`` label) are joined into one turn."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_string(io.read_text(path))
    except (MalformedFileError, MalformedCaptionError) as error:
        line = re.search(r"line (\d+)", str(error))
        raise DataError(Errors.E304.format(path=path, line=line.group(1) if line else 1,
                                           detail=str(error) or type(error).__name__)) from None
    turns: list[list[str]] = []
    current = None
    for caption in captions:
        text = " ".join(caption.text.split())
        speaker = caption.voice
        inline = INLINE_SPEAKER.match(text)
        if not speaker and inline:
            speaker, text = inline.group("speaker"), inline.group("text")
        speaker = speaker or current or "Speaker"
        if not text:
            continue
        if turns and speaker == current:
            turns[-1].append(text)
        else:
            turns.append([speaker, text])
            current = speaker
    return [f"{turn[0]}: {' '.join(turn[1:])}" for turn in turns]


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return text.strip() + "\n" if text.strip() else ""


def check_transcripts(study, *, speaker_pattern: str | None = None) -> list[str]:
    """Problems with the raw transcripts of a :class:`thematic.study.Study` (for ``thematic
    validate``): unreadable or turn-less files, paths leading outside the folder, files in
    ``raw/`` or ``deidentified/`` that no interview in interviews.csv refers to. Every problem
    names its file (and line where there is one)."""
    from thematic.transcripts import DEFAULT_SPEAKER_PATTERN, parse_turns

    pattern = speaker_pattern or DEFAULT_SPEAKER_PATTERN
    try:
        interviews = study.read_table(study.interviews_file, required=("interview_id", "transcript"))
    except DataError:
        return []  # reported by load_dataset
    problems = []
    referenced = set()
    for _, row in interviews.iterrows():
        if not row["transcript"]:
            continue
        try:
            path = study.inside(row["transcript"], what="transcript", source=study.interviews_file,
                                line=row["_line"])
        except DataError:
            continue  # reported by load_dataset
        referenced.add(path.resolve())
        if not path.is_file():
            continue  # reported by load_dataset
        try:
            parse_turns(read_transcript(path), speaker_pattern=pattern, source=str(path))
        except DataError as error:
            problems += error.problems
    known_ids = set(interviews["interview_id"])
    for path in sorted(study.raw_dir.glob("*")) if study.raw_dir.is_dir() else []:
        if path.is_file() and not path.name.startswith(".") and path.resolve() not in referenced:
            problems.append(Errors.E308.format(path=path, what="no row of interviews.csv names this transcript"))
    deidentified = study.deidentified_dir
    for path in sorted(deidentified.glob("*.txt")) if deidentified.is_dir() else []:
        if path.stem not in known_ids:
            problems.append(Errors.E308.format(path=path, what=f"'{path.stem}' is not an interview_id in interviews.csv"))
    return problems
