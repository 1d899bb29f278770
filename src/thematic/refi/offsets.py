"""Character offsets: between a text as stored and as thematic reads it, and between the
conventions QDA tools use to count positions.

:func:`thematic.io.read_text` turns ``\\r\\n`` into ``\\n`` so that offsets mean the same on
every platform; REFI-QDA offsets count code points of the text as stored, ``\\r`` included.
:class:`LineEndings` converts between the two. A lone ``\\r`` or a non-breaking space keeps its
length, so only ``\\r\\n`` pairs matter.

Not every tool counts as the standard says: QualCoder's "MAXQDA line endings" export and
ATLAS.ti store ``\\r\\n`` in the text but count each line break once, and tools built on
UTF-16 strings count a character beyond the Basic Multilingual Plane (an emoji) twice.
:func:`detect_convention` tells which :class:`Convention` a source's positions follow by
checking the text each selection names (its ``name``, where the tool stores the selected
text) against the text at its positions under each convention.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field


class LineEndings:
    """The ``\\r\\n`` pairs of one stored text, for converting offsets both ways."""

    def __init__(self, stored: str):
        positions, start = [], 0
        while (index := stored.find("\r\n", start)) != -1:
            positions.append(index)
            start = index + 2
        self.stored = positions
        self.normalised = [position - k for k, position in enumerate(positions)]

    def to_normalised(self, offset: int) -> int:
        """The offset in the normalised text of *offset* in the stored text."""
        return offset - bisect_left(self.stored, offset)

    def to_stored(self, offset: int) -> int:
        """The offset in the stored text of *offset* in the normalised text."""
        return offset + bisect_left(self.normalised, offset)


@dataclass(frozen=True)
class Convention:
    """How a tool counts positions: ``\\r\\n`` as one character or two, and code points or
    UTF-16 code units."""

    name: str
    crlf_once: bool = False
    utf16: bool = False


STANDARD = Convention("code points of the stored text (REFI-QDA)")
CRLF_ONCE = Convention("line breaks (\\r\\n) counted once", crlf_once=True)
UTF16 = Convention("UTF-16 code units (an emoji counts twice)", utf16=True)
UTF16_CRLF_ONCE = Convention("UTF-16 code units, line breaks counted once", crlf_once=True, utf16=True)
#: In order of preference when several conventions fit the evidence.
CONVENTIONS = (STANDARD, CRLF_ONCE, UTF16, UTF16_CRLF_ONCE)


class Positions:
    """Converts positions counted under *convention* to code points of the *stored* text."""

    def __init__(self, stored: str, convention: Convention):
        self.convention = convention
        self.endings = LineEndings(stored) if convention.crlf_once else None
        counted = stored.replace("\r\n", "\n") if convention.crlf_once else stored
        self.length = len(counted)
        self.wide: list[int] = []  # UTF-16 offsets of characters that take two code units
        if convention.utf16:
            astral = [match.start() for match in _ASTRAL.finditer(counted)]
            self.wide = [index + k for k, index in enumerate(astral)]
            self.length += len(astral)

    def to_stored(self, position: int) -> int | None:
        """The code point offset in the stored text, or None if *position* is outside the
        text or splits a character (the middle of a surrogate pair)."""
        if not 0 <= position <= self.length:
            return None
        if self.wide:
            before = bisect_left(self.wide, position)
            if before and self.wide[before - 1] + 1 == position:
                return None
            position -= before
        return self.endings.to_stored(position) if self.endings else position


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
_ELLIPSIS = ("...", "\u2026")
#: A name shorter than the text it names must be at least this long to count as its beginning.
MIN_PREFIX = 20


def ambiguous(stored: str) -> bool:
    """Whether conventions disagree on *stored*: it holds ``\\r\\n`` or a non-BMP character."""
    return "\r\n" in stored or _ASTRAL.search(stored) is not None


def names_text(name: str, text: str) -> bool:
    """Whether a selection's *name* is the *text* at its positions.

    Whitespace is compared collapsed (XML attributes may turn line breaks into spaces); a name
    ending in an ellipsis, or at least :data:`MIN_PREFIX` characters long, may be the
    beginning of the text (tools shorten long names).
    """
    wanted, shortened = _SPACE.sub(" ", name).strip(), False
    for ellipsis in _ELLIPSIS:
        if wanted.endswith(ellipsis):
            wanted, shortened = wanted[: -len(ellipsis)].rstrip(), True
    if not wanted:
        return False
    found = _SPACE.sub(" ", text).strip()
    if found == wanted:
        return True
    return (shortened or len(wanted) >= MIN_PREFIX) and found.startswith(wanted)


@dataclass
class Detection:
    """Which convention a source's positions follow, and the evidence.

    ``checked`` selections have a name that matches their text under at least one
    convention; ``matches`` counts, per convention, the checked selections it explains;
    ``decided`` is False when no name could be checked (the standard is then assumed) and
    ``conflict`` is True when no single convention explains every checked selection.
    """

    convention: Convention = STANDARD
    checked: int = 0
    named: int = 0
    matches: dict[str, int] = field(default_factory=dict)
    decided: bool = False
    conflict: bool = False

    @property
    def unexplained(self) -> int:
        """Checked selections whose name does not match their text under the chosen convention."""
        return self.checked - self.matches.get(self.convention.name, 0)


def detect_convention(stored: str, selections: Sequence[tuple[int, int, str]]) -> Detection:
    """The convention that makes each selection's name (``(start, end, name)``) match its text.

    The standard wins whenever it explains every checked selection; otherwise the first
    convention (in :data:`CONVENTIONS` order) that explains all of them; if none does, the
    one explaining most (the standard on a tie), with ``conflict`` set.
    """
    mappers = [Positions(stored, convention) for convention in CONVENTIONS]
    detection = Detection(matches={c.name: 0 for c in CONVENTIONS})
    for start, end, name in selections:
        if not name.strip():
            continue
        detection.named += 1
        fits = []
        for mapper in mappers:
            first, last = mapper.to_stored(start), mapper.to_stored(end)
            fits.append(first is not None and last is not None and first < last
                        and names_text(name, stored[first:last]))
        if any(fits):
            detection.checked += 1
            for mapper, fit in zip(mappers, fits, strict=True):
                detection.matches[mapper.convention.name] += fit
    if not detection.checked:
        return detection
    detection.decided = True
    complete = [c for c in CONVENTIONS if detection.matches[c.name] == detection.checked]
    if complete:
        detection.convention = complete[0]
    else:
        detection.conflict = True
        best = max(detection.matches.values())
        detection.convention = next(c for c in CONVENTIONS if detection.matches[c.name] == best)
    return detection
