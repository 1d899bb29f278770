"""Character offsets between a text as stored and as thematic reads it.

:func:`thematic.io.read_text` turns ``\\r\\n`` into ``\\n`` so that offsets mean the same on
every platform; REFI-QDA offsets count code points of the text as stored, ``\\r`` included.
:class:`LineEndings` converts between the two. A lone ``\\r`` or a non-breaking space keeps its
length, so only ``\\r\\n`` pairs matter.
"""

from __future__ import annotations

from bisect import bisect_left


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
