"""Caption files: WebVTT (.vtt, Zoom, Teams) and SubRip (.srt).

A caption's speaker is its ``<v Name>`` voice tag or a ``Name: text`` label at the start of
one of its lines (a label must recur, be a role label such as ``Interviewer`` or ``Speaker 2``,
or open its caption in a file where most captions open with a label, as Zoom writes them); a
caption without either continues the speaker before it.
Consecutive captions of one speaker become one turn, stamped with the time of its first
caption. Tags (``<c>``, ``<i>``, ``<00:00:01.000>``) are removed and entities decoded.

Nothing is dropped silently: a timing line with a malformed arrow (``00:00:03.000 ->
00:00:05.000``) is read as a timing line, and text outside any caption is kept with the
caption before it, each with a note giving its line. ``NOTE``, ``STYLE`` and ``REGION`` blocks
and the header block of a WebVTT file are not speech and are skipped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence

from thematic.errors import DataError, Errors
from thematic.transcripts.labels import (
    LINE,
    can_be_speaker,
    is_generic,
    is_interviewer,
    is_weak,
    label_key,
)
from thematic.transcripts.model import Part, Transcript, assemble

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
TIMING = re.compile(rf"[ \t]*(?P<start>{_TIME})[ \t]+-->[ \t]+(?P<end>{_TIME})(?:[ \t].*)?")
#: A timing line written wrongly: two times with something else (or nothing) between them,
#: or an arrow with a broken time.
LOOSE_TIMING = re.compile(rf"[ \t]*(?P<start>{_TIME})[ \t]*(?:-+>|=+>|\u2014>|\u2013>|>|-{{1,3}}|\u2013|\u2014)?"
                          rf"[ \t]*(?:{_TIME})(?:[ \t].*)?|.*-->.*")
VOICE = re.compile(r"<v(?:\.[\w.\-]+)*[ \t]+([^>]+)>")
TAGS = re.compile(r"</?(?:c|i|b|u|v|lang|ruby|rt|font)(?:[.\s][^>]*)?>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>"
                  r"|\{\\[^}]*\}")
SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
#: Label of text whose speaker the captions do not give.
UNKNOWN = "Unknown speaker"


def looks_like_captions(text: str) -> str | None:
    """``"webvtt"`` or ``"srt"`` if *text* (say, a .txt file) is a caption file, else None."""
    head = text.lstrip("\ufeff \n")
    if head.startswith("WEBVTT"):
        return "webvtt"
    lines = head.split("\n", 3)
    if len(lines) >= 2 and lines[0].strip().isdigit() and TIMING.fullmatch(lines[1]):
        return "srt"
    return None


def parse_captions(text: str, *, kind: str, interviewer: Sequence[str] = (),
                   source: str = "<text>") -> Transcript:
    """The transcript in the WebVTT (``kind="webvtt"``) or SubRip (``"srt"``) *text*.

    Raises
    ------
    DataError
        If no caption is found (E207).
    """
    lines = text.lstrip("\ufeff").split("\n")
    notes: list[str] = []
    start = 0
    if kind == "webvtt":
        if lines and lines[0].startswith("WEBVTT"):
            while start < len(lines) and lines[start].strip():  # the header block
                if start and TIMING.fullmatch(lines[start]):  # a first caption right below it
                    start -= 1 if start > 1 else 0
                    break
                start += 1
        else:
            notes.append("no 'WEBVTT' line at the top; read as captions anyway")
    cues, repaired, stray, skipped = _cues(lines, start)
    if not any(time for _, time, _ in cues):
        detail = "no timing line found" if kind == "srt" or start else "no 'WEBVTT' line and no caption"
        raise DataError(Errors.E207.format(path=source, detail=detail))
    if repaired:
        notes.append(f"{len(repaired)} caption(s) with a malformed timing line (line(s) "
                     f"{_lines(repaired)}) read anyway")
    if stray:
        notes.append(f"text outside any caption (line(s) {_lines(stray)}) kept with the caption before it")
    if skipped:
        notes.append(f"{skipped} NOTE/STYLE/REGION block(s) skipped")
    segments = _segments(cues, interviewer)
    if all(speaker is None for speaker, _, _ in segments):
        notes.append(f"the captions name no speaker: all text is one turn of '{UNKNOWN}'. Name the "
                     "speakers ('Name: text') to tell the interviewer from the participant")
    parts: list[Part] = []
    names: dict[str, str] = {}
    for speaker, body, stamp in segments:
        label = names.setdefault(label_key(speaker or UNKNOWN), speaker or UNKNOWN)
        if not body:
            continue
        if parts and parts[-1].speaker == label:
            parts[-1] = Part(label, f"{parts[-1].text} {body}", parts[-1].timestamp)
        else:
            parts.append(Part(label, body, stamp))
    if not parts:
        raise DataError(Errors.E207.format(path=source, detail="the captions hold no text"))
    marks = {p.speaker: is_interviewer(p.speaker, interviewer=interviewer) for p in parts}
    return assemble(parts, layout=kind, notes=notes, source=source, marks=marks,
                    interviewer=interviewer)


def _cues(lines: list[str], start: int):
    """Captions as (line of timing, start time, text lines); with the lines of repaired
    timings, of stray text, and the number of skipped blocks."""
    cues: list[tuple[int, str, list[str]]] = []
    repaired, stray, skipped = [], [], 0
    number = start
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        block_start = number
        while number < len(lines) and lines[number].strip():
            number += 1
        block = lines[block_start:number]
        if block[0].split(" ", 1)[0].split("\t", 1)[0] in SKIPPED_BLOCKS:
            skipped += 1
            continue
        timing = next((k for k in range(min(2, len(block))) if TIMING.fullmatch(block[k])), None)
        if timing is None:
            timing = next((k for k in range(min(2, len(block))) if LOOSE_TIMING.fullmatch(block[k])
                           and re.search(r"\d:\d", block[k])), None)
            if timing is not None:
                repaired.append(block_start + timing + 1)
        if timing is None:
            if cues:
                cues[-1][2].extend(block)
                stray.append(block_start + 1)
            elif not all(line.strip().isdigit() for line in block):
                cues.append((block_start + 1, "", list(block)))
                stray.append(block_start + 1)
            continue
        match = re.match(rf"[ \t]*({_TIME})", block[timing])
        cues.append((block_start + timing + 1, match.group(1) if match else "", block[timing + 1:]))
    return cues, repaired, stray, skipped


def _segments(cues, interviewer: Sequence[str]) -> list[tuple[str | None, str, str | None]]:
    """(speaker or None to continue, text, time) per caption line, speakers decided over the
    whole file: voices always; a ``Name:`` label when it recurs, is a role label, or opens its
    caption in a file where most captions open with one (Zoom names every caption)."""
    lines = []  # (voice, label, text, time, opens its caption)
    opened = 0
    for _, time, payload in cues:
        stamp = re.sub(r"[.,]\d+$", "", time) or None
        for position, line in enumerate(payload):
            voice = VOICE.search(line)
            body = html.unescape(TAGS.sub("", line)).replace("\u00a0", " ").strip()
            label = None
            if not voice:
                match = LINE.match(body)
                if match and (match["sep"] or "").strip(" ") == ":" and match.end() < len(body):
                    label = " ".join(match["label"].split())
                    label = label if can_be_speaker(label) else None
            opened += bool(label) and position == 0
            lines.append((" ".join(voice.group(1).split()) if voice else None, label, body, stamp,
                          position == 0))
            stamp = None
    declared = {label_key(name) for name in interviewer}
    counts = Counter(label_key(label) for _, label, _, _, _ in lines if label)
    voiced = {label_key(voice) for voice, _, _, _, _ in lines if voice}
    named_captions = opened >= 0.5 * len(cues)

    def is_speaker(label: str, first: bool) -> bool:
        key = label_key(label)
        return (key in declared or key in voiced or counts[key] >= 2 or (named_captions and first)
                or (is_generic(label) and not is_weak(label)))

    segments: list[tuple[str | None, str, str | None]] = []
    current: str | None = None
    for voice, label, body, stamp, first in lines:
        if voice:
            current = voice
        elif label and is_speaker(label, first):
            current = label
            body = body[LINE.match(body).end():].strip()
        segments.append((current, body, stamp))
    return segments


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
