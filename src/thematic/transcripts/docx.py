"""Word .docx transcripts: paragraphs, or tables of speaker | text (time | speaker | text).

The document body is read from its XML (python-docx opens and checks the package): text of
runs, tracked insertions kept, tracked deletions (and moved-from text) left out, tabs and line
breaks kept, field codes and text-box fallbacks skipped. Comments, and text in page headers,
footers and footnotes, are not part of the transcript: they are ignored with a note.

A table is read as the transcript when it has a column of speaker labels and yields more turns
than the paragraphs do; paragraphs before it are the header. Otherwise the paragraphs (one per
Word paragraph, tables as ``cell | cell`` lines) go through the text layouts of
:mod:`thematic.transcripts.layouts` (``docx-inline``, ``docx-label-line``).
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from thematic.errors import DataError, Errors
from thematic.transcripts.labels import (
    LINE,
    TIMESTAMP,
    clean_timestamp,
    is_interviewer,
    label_key,
)
from thematic.transcripts.layouts import parse_transcript
from thematic.transcripts.model import Part, Transcript, assemble

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: A .docx may expand to at most this many bytes (a zip bomb is refused, not read).
MAX_EXPANDED_BYTES = 500_000_000
#: A cell of a time column (a timestamp, or a row number: not words of the transcript).
_STAMP_CELL = re.compile(rf"\s*(?:{TIMESTAMP}|\d{{1,6}})\s*")
_CLOCK_CELL = re.compile(rf"\s*{TIMESTAMP}\s*")
#: Words of a table's header row.
HEADER_WORDS = frozenset("""
    speaker speakers name who person time timestamp timecode time code start begin end text
    transcript transcription dialogue utterance speech content contents words said line no
    number # response responses comment comments notes
""".split())
_SKIPPED = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "instrText", W + "delText",
            W + "sectPr", W + "tblPr", W + "trPr", W + "tcPr", W + "tblGrid", MC + "Fallback"}


def read_docx(path: str | Path, *, interviewer: Sequence[str] = ()) -> Transcript:
    """The transcript in the Word document at *path*.

    Raises
    ------
    DataError
        If the file is not a valid .docx (E206) or holds no speaker turns (E208).
    """
    path = Path(path)
    document = _open(path)
    counts: Counter = Counter()
    blocks = list(_blocks(document.element.body, counts))
    notes = _notes(document, counts)
    if not any(text.strip() for kind, content in blocks for text in _texts(kind, content)):
        raise DataError(Errors.E202.format(path=path))
    tabled = _from_tables(blocks, interviewer=interviewer, source=str(path), notes=notes)
    if tabled is not None:
        outside = [(kind, content) for kind, content in blocks
                   if kind == "p" or _columns(content) is None]
        try:
            rest = parse_transcript(_as_text(outside), interviewer=interviewer, source=str(path))
        except DataError:
            return tabled
        if len(tabled.turns) >= len(rest.turns):
            return tabled
    return parse_transcript(_as_text(blocks), interviewer=interviewer, source=str(path),
                            layout_prefix="docx-", notes=notes)


def _open(path: Path):
    import docx
    from docx.opc.exceptions import OpcError
    from lxml import etree

    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(Errors.E206.format(path=path, detail="it is an old binary Word .doc file"))
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise DataError(Errors.E206.format(path=path, detail="not a zip package")) from None
    if expanded > MAX_EXPANDED_BYTES:
        raise DataError(Errors.E206.format(path=path, detail=f"it would expand to {expanded:,} bytes"))
    try:
        return docx.Document(str(path))
    except (OpcError, KeyError, ValueError, etree.LxmlError, zipfile.BadZipFile, OSError) as error:
        detail = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise DataError(Errors.E206.format(path=path, detail=f"{type(error).__name__}: {detail}")) from None


def _blocks(element, counts: Counter) -> Iterator[tuple[str, object]]:
    """Body-level paragraphs (``("p", text)``) and tables (``("tbl", rows)``), in order."""
    for child in element:
        tag = child.tag
        if tag == W + "p":
            yield "p", _text(child, counts)
        elif tag == W + "tbl":
            yield "tbl", _rows(child, counts)
        elif tag in (W + "del", W + "moveFrom"):
            counts["deleted"] += 1
        elif tag in _SKIPPED:
            continue
        elif tag == MC + "AlternateContent":
            choice = child.find(MC + "Choice")
            if choice is not None:
                yield from _blocks(choice, counts)
        else:  # content controls, custom XML, block-level insertions
            if tag in (W + "ins", W + "moveTo"):
                counts["inserted"] += 1
            yield from _blocks(child.find(W + "sdtContent") if tag == W + "sdt" else child, counts)


def _text(element, counts: Counter) -> str:
    out: list[str] = []
    _walk(element, out, counts)
    return "".join(out)


def _walk(element, out: list[str], counts: Counter) -> None:
    for child in element:
        tag = child.tag
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "del", W + "moveFrom"):
            counts["deleted"] += 1
        elif tag in _SKIPPED or not isinstance(tag, str):
            continue
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":  # a paragraph inside a text box
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            _walk(child, out, counts)
        else:
            if tag in (W + "ins", W + "moveTo"):
                counts["inserted"] += 1
            _walk(child, out, counts)


def _rows(table, counts: Counter) -> list[list[str | None]]:
    """The rows of a table as lists of cell texts; a repeated header row ends with None."""
    rows = []
    for row in _children(table, W + "tr"):
        cells = []
        for cell in _children(row, W + "tc"):
            paragraphs = []
            for block in cell:
                if block.tag == W + "p":
                    paragraphs.append(_text(block, counts))
                elif block.tag == W + "tbl":
                    paragraphs += [" | ".join(c for c in r if c) for r in _rows(block, counts)]
            cells.append("\n".join(p for p in paragraphs if p.strip()).strip())
        header = row.find(f"{W}trPr/{W}tblHeader") is not None
        rows.append(cells + ([None] if header else []))
    return rows


def _children(element, tag: str) -> Iterator:
    """Children of *element* with *tag*, looking through content controls and custom XML."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _children(child, tag)


def _texts(kind: str, content) -> list[str]:
    if kind == "p":
        return [content]
    return [cell for row in content for cell in row if cell]


def _as_text(blocks) -> str:
    """Paragraphs as paragraphs of text; tables as one ``cell | cell`` line per row."""
    paragraphs = []
    for kind, content in blocks:
        if kind == "p":
            if content.strip():
                paragraphs.append(content.strip("\n"))
        else:
            rows = [" | ".join(c for c in row if c) for row in content]
            if any(rows):
                paragraphs.append("\n".join(r for r in rows if r))
    return "\n\n".join(paragraphs).replace("\u00a0", " ") + "\n"


def _notes(document, counts: Counter) -> list[str]:
    from lxml import etree

    notes, comments, hidden = [], 0, 0
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if not re.search(r"/(comments|header\d*|footer\d*|footnotes|endnotes)\.xml$", name):
            continue
        try:
            root = etree.fromstring(part.blob)
        except etree.LxmlError:
            continue
        if name.endswith("/comments.xml"):
            comments += len(root.findall(W + "comment"))
        else:
            hidden += any((t.text or "").strip() for t in root.iter(W + "t"))
    if comments:
        notes.append(f"{comments} Word comment(s) ignored")
    if counts["deleted"]:
        notes.append(f"{counts['deleted']} tracked deletion(s) ignored (deleted text left out)")
    if counts["inserted"]:
        notes.append(f"{counts['inserted']} tracked insertion(s) kept")
    if hidden:
        notes.append("text in page headers, footers or footnotes ignored")
    return notes


def _from_tables(blocks, *, interviewer: Sequence[str], source: str, notes: list[str]) -> Transcript | None:
    """The transcript read from the document's table(s), or None if no table is one."""
    header_parts: list[str] = []
    parts: list[Part] = []
    outside = ignored = misplaced = 0
    found = False
    names: dict[str, str] = {}
    for kind, content in blocks:
        roles = _columns(content) if kind == "tbl" else None
        if roles is None:
            texts = [t for t in _texts(kind, content) if t.strip()] if kind == "p" else \
                [" | ".join(c for c in row if c) for row in content if any(row)]
            if not found:
                header_parts += texts
            elif texts and parts:
                parts[-1] = Part(parts[-1].speaker, "\n".join([parts[-1].text, *texts]), parts[-1].timestamp)
                outside += len(texts)
            continue
        found = True
        time_col, speaker_col, text_col = roles
        for row in content:
            if (row and row[-1] is None) or _is_header(row, roles):
                continue
            cells = row + [""] * (max(roles[1:]) + 1 - len(row))
            label, stamp = _speaker_cell(cells[speaker_col])
            body = cells[text_col]
            kept = [cells[speaker_col]] if cells[speaker_col] and not label else []
            if time_col is not None and cells[time_col]:
                if _CLOCK_CELL.fullmatch(cells[time_col]):
                    stamp = clean_timestamp(cells[time_col])
                elif not _STAMP_CELL.fullmatch(cells[time_col]):
                    kept.insert(0, cells[time_col])
            if kept:  # words in the speaker or time column are kept as text, never dropped
                misplaced += len(kept)
                body = "\n".join([*kept, body]) if body.strip() else "\n".join(kept)
            ignored += sum(1 for j, c in enumerate(row) if c and j not in roles)
            if not body.strip():
                continue
            if not label and parts:
                label = parts[-1].speaker
            label = names.setdefault(label_key(label or "Unknown speaker"), label or "Unknown speaker")
            if parts and label_key(parts[-1].speaker) == label_key(label):
                parts[-1] = Part(parts[-1].speaker, parts[-1].text + "\n" + body, parts[-1].timestamp)
            else:
                parts.append(Part(label, body, stamp))
    if not found or len(parts) < 2:
        return None
    notes = list(notes)
    if outside:
        notes.append(f"{outside} paragraph(s) after the transcript table kept with the turn before them")
    if ignored:
        notes.append(f"{ignored} cell(s) of other table columns ignored")
    if misplaced:
        notes.append(f"{misplaced} cell(s) of the speaker or time column that are not labels or times "
                     "kept as text of their turn")
    marks = {p.speaker: is_interviewer(p.speaker, interviewer=interviewer) for p in parts}
    return assemble(parts, header="\n\n".join(h.strip() for h in header_parts), layout="docx-table",
                    notes=notes, source=source, marks=marks, interviewer=interviewer)


def _columns(rows: list[list]) -> tuple[int | None, int, int] | None:
    """(time column or None, speaker column, text column) of a transcript table, or None."""
    data = [[c for c in row if c is not None] for row in rows]
    data = [row for row in data if any(row)]
    widths = Counter(len(row) for row in data)
    if len(data) < 2 or not widths:
        return None
    width = widths.most_common(1)[0][0]
    if width < 2:
        return None
    usable = [row for row in data if len(row) == width]
    columns = list(zip(*usable, strict=True))

    def stamp_share(column) -> float:
        filled = [c for c in column if c]
        return sum(bool(_STAMP_CELL.fullmatch(c)) for c in filled) / len(filled) if filled else 0.0

    def label_share(column) -> float:
        filled = [c for c in column if c]
        return sum(bool(_speaker_cell(c)[0]) for c in filled) / len(filled) if filled else 0.0

    words = [sum(len(c.split()) for c in column) / len(column) for column in columns]
    stamps = [j for j, column in enumerate(columns) if stamp_share(column) >= 0.6]
    time_col = stamps[0] if stamps else None
    others = [j for j in range(width) if j not in stamps]
    if not others:
        return None
    text_col = max(others, key=lambda j: (words[j], j))  # the wordiest; on a tie the rightmost
    speakers = [j for j in others if j != text_col and label_share(columns[j]) >= 0.6 and words[j] <= 6]
    if not speakers:
        return None
    speaker_col = max(speakers, key=lambda j: (sum(1 for c in columns[j] if c), label_share(columns[j]),
                                               -len({label_key(c) for c in columns[j] if c}), -j))
    keys = Counter(label_key(c) for c in columns[speaker_col] if c)
    if not keys or keys.most_common(1)[0][1] < 2:
        return None
    return time_col, speaker_col, text_col


def _speaker_cell(cell: str) -> tuple[str, str | None]:
    """The speaker label in a table cell (``Interviewer:``, ``Sara Smith 00:13``) and its
    timestamp; ``("", None)`` if the cell is not a label."""
    cell = " ".join(cell.split())
    if not cell:
        return "", None
    match = LINE.match(cell)
    if not match or match.end() < len(cell):
        return "", None
    return " ".join(match["label"].split()), (clean_timestamp(match["ts1"] or match["ts2"])
                                              if match["ts1"] or match["ts2"] else None)


def _is_header(row: list, roles) -> bool:
    """A header row: its speaker and text cells are column titles (``Speaker | Text``)."""
    _, speaker_col, text_col = roles
    cells = [(row[j] if j < len(row) else "") or "" for j in (speaker_col, text_col)]
    return all(c.casefold().strip(" :") in HEADER_WORDS or not c for c in cells) and any(cells)
