"""Speaker turns: split a transcript into who said what, with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from thematic.errors import DataError, Errors

#: A turn starts a line: an optional timestamp, a speaker label of up to five words, a colon.
DEFAULT_SPEAKER_PATTERN = (
    r"^(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s+)?"
    r"(?P<speaker>[A-Z][A-Za-z0-9'.\-]*(?:[ ][A-Za-z0-9'.\-]+){0,4}):[ \t]+"
)
#: Speaker labels that mean the interviewer (compared case-insensitively).
INTERVIEWER_LABELS = ("interviewer", "i", "int", "researcher", "facilitator")


@dataclass(frozen=True)
class Turn:
    """One speaker turn. ``start``/``end`` are character offsets of the spoken text."""

    index: int
    speaker: str
    start: int
    end: int

    def text(self, transcript: str) -> str:
        return transcript[self.start:self.end]


def parse_turns(text: str, *, speaker_pattern: str = DEFAULT_SPEAKER_PATTERN,
                source: str = "<text>") -> list[Turn]:
    """Split *text* into speaker turns.

    A line that matches *speaker_pattern* starts a turn; following lines, up to the next
    such line, continue it. Offsets index into *text* unchanged, so spans found on a
    turn's text map straight back to the transcript.

    Raises
    ------
    DataError
        If text comes before the first turn, or no turn is found.
    """
    pattern = re.compile(speaker_pattern, re.MULTILINE)
    matches = list(pattern.finditer(text))
    if not matches:
        raise DataError(Errors.E011.format(path=source, pattern=speaker_pattern))
    leading = text[:matches[0].start()]
    if leading.strip():
        line = 1 + leading[:len(leading) - len(leading.lstrip())].count("\n")
        raise DataError(Errors.E010.format(path=source, line=line, pattern=speaker_pattern))
    turns = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        start, end = match.end(), stop
        while end > start and text[end - 1].isspace():
            end -= 1
        turns.append(Turn(index=index, speaker=match.group("speaker"), start=start, end=end))
    return turns


def is_interviewer(speaker: str, *, labels: tuple[str, ...] = INTERVIEWER_LABELS) -> bool:
    """Whether a speaker label names the interviewer."""
    return speaker.strip().lower() in labels
