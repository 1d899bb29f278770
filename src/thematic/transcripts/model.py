"""A parsed transcript: its text, the header before the first turn, and the speaker turns.

Offsets are character offsets into :attr:`Transcript.text`, so a span found on a turn's text
maps straight back to the transcript. :meth:`Transcript.canonical_text` writes the one layout
every later step reads (de-identified texts are written in it)::

    <header paragraph(s), if any>

    [00:00:13] Interviewer: text of the first turn

    Participant: text of the second turn
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from thematic.transcripts.labels import is_generic, label_key


@dataclass(frozen=True)
class Turn:
    """One speaker turn: ``start``/``end`` are the offsets of the spoken text (label and
    timestamp excluded); ``timestamp`` is the turn's time as written (``00:01:23``), if any."""

    index: int
    speaker: str
    start: int
    end: int
    is_interviewer: bool = False
    timestamp: str | None = None

    def text(self, transcript_text: str) -> str:
        return transcript_text[self.start:self.end]


@dataclass(frozen=True)
class Speaker:
    """A distinct speaker label with its number of turns."""

    label: str
    turns: int
    is_interviewer: bool


@dataclass(frozen=True)
class Transcript:
    """A transcript as parsed from one file or text.

    Attributes
    ----------
    text
        The string every offset indexes.
    turns
        The speaker turns, in order.
    header, footer
        Spans of the preamble before the first turn (a title, Otter's summary block, date and
        place) and of a closing line after the last (``Transcribed by https://otter.ai``):
        never coded, never an error.
    layout
        How the file was laid out: ``inline``, ``label-line``, ``docx-inline``,
        ``docx-label-line``, ``docx-table``, ``webvtt``, ``srt`` or ``pattern``.
    notes
        What the user should know about the reading (comments ignored, captions repaired);
        they never quote the transcript.
    source
        The file (or name) the transcript was read from, for messages.
    interviewer
        The interviewer names declared for it, if any.
    """

    text: str
    turns: tuple[Turn, ...]
    header: tuple[int, int] | None = None
    footer: tuple[int, int] | None = None
    layout: str = "inline"
    notes: tuple[str, ...] = ()
    source: str = "<text>"
    interviewer: tuple[str, ...] = field(default=())

    @property
    def speakers(self) -> tuple[Speaker, ...]:
        """Distinct speakers in order of first appearance, with their turn counts."""
        counts: dict[str, list] = {}
        for turn in self.turns:
            entry = counts.setdefault(turn.speaker, [0, turn.is_interviewer])
            entry[0] += 1
        return tuple(Speaker(label, n, flag) for label, (n, flag) in counts.items())

    @property
    def header_text(self) -> str:
        return self.text[self.header[0]:self.header[1]] if self.header else ""

    @property
    def footer_text(self) -> str:
        return self.text[self.footer[0]:self.footer[1]] if self.footer else ""

    @property
    def renames(self) -> dict[str, str]:
        """Speaker labels the canonical text replaces: each label that is not a generic role
        (a name, initials) becomes ``Interviewer`` or ``Participant``, numbered when there
        are several of a kind, never clashing with a label that is kept."""
        speakers = self.speakers
        kept = {label_key(s.label) for s in speakers if is_generic(s.label)}
        renamed: dict[str, str] = {}
        for role, flag in (("Interviewer", True), ("Participant", False)):
            group = [s.label for s in speakers if s.is_interviewer == flag and not is_generic(s.label)]
            if len(group) == 1 and label_key(role) not in kept:
                renamed[group[0]] = role
                continue
            number = 0
            for label in group:
                number += 1
                while label_key(f"{role} {number}") in kept:
                    number += 1
                renamed[label] = f"{role} {number}"
        return renamed

    def canonical_text(self) -> str:
        """The transcript in the canonical layout: header paragraph(s), then one
        ``[timestamp] Speaker: text`` paragraph per turn, a blank line between paragraphs,
        ``\\n`` line endings and a final newline; labels that are names become roles
        (:attr:`renames`). Text already in this layout comes back unchanged."""
        renames = self.renames
        parts = [self.header_text] if self.header else []
        for turn in self.turns:
            stamp = f"[{turn.timestamp}] " if turn.timestamp else ""
            parts.append(f"{stamp}{renames.get(turn.speaker, turn.speaker)}: {turn.text(self.text)}")
        if self.footer:
            parts.append(self.footer_text)
        return clean_newlines("\n\n".join(parts)) + "\n"


def finished(transcript: Transcript) -> Transcript:
    """*transcript* with a note saying how many speaker labels the canonical text renames."""
    count = len(transcript.renames)
    if not count:
        return transcript
    note = (f"{count} speaker label(s) are not role labels (names or initials?) and become "
            "Interviewer/Participant in the canonical (de-identified) text")
    return replace(transcript, notes=(*transcript.notes, note))


def clean_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` as ``\\n``, non-breaking spaces as spaces."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


@dataclass(frozen=True)
class Part:
    """A turn before it has offsets: used by readers that build the text themselves."""

    speaker: str
    text: str
    timestamp: str | None = None


def assemble(parts: Sequence[Part], *, header: str = "", footer: str = "", layout: str,
             notes: Sequence[str] = (), source: str = "<text>",
             marks: dict[str, bool] | None = None, interviewer: Sequence[str] = ()) -> Transcript:
    """A :class:`Transcript` whose text is written in the canonical layout from *parts*
    (for tables and captions, whose files have no text to index).

    *marks* says which speaker labels are interviewers.
    """
    marks = marks or {}
    chunks, turns, offset = [], [], 0
    header_span = footer_span = None
    if header.strip():
        header = header.strip()
        header_span = (0, len(header))
        chunks.append(header)
        offset = len(header) + 2
    for part in parts:
        body = part.text.strip()
        if not body:
            continue
        stamp = f"[{part.timestamp}] " if part.timestamp else ""
        prefix = f"{stamp}{part.speaker}: "
        start = offset + len(prefix)
        turns.append(Turn(len(turns), part.speaker, start, start + len(body),
                          marks.get(part.speaker, False), part.timestamp))
        chunks.append(prefix + body)
        offset = start + len(body) + 2
    if footer.strip():
        footer = footer.strip()
        footer_span = (offset, offset + len(footer))
        chunks.append(footer)
    text = "\n\n".join(chunks) + "\n"
    return finished(Transcript(text=text, turns=tuple(turns), header=header_span,
                               footer=footer_span, layout=layout, notes=tuple(notes),
                               source=source, interviewer=tuple(interviewer)))


def words(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(re.findall(r"\S+", text))
