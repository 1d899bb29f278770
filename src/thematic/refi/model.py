"""An in-memory REFI-QDA project: what a ``.qdpx`` or ``.qdc`` file holds, as typed objects.

The model follows the REFI-QDA 1.0 (QDA-XML) element names so that :mod:`read` and
:mod:`write` stay thin. Text offsets are Unicode code points on the source text as stored
(line endings included), which is what the standard specifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: How REFI-QDA names archive members that live in the ``sources/`` folder.
INTERNAL_PREFIX = "internal://"


@dataclass(frozen=True)
class User:
    guid: str
    name: str


@dataclass(frozen=True)
class Code:
    """A code; ``children`` are its sub-codes (a tree of any depth)."""

    guid: str
    name: str
    codable: bool = True
    description: str = ""
    color: str | None = None
    children: tuple[Code, ...] = ()

    def walk(self, parents: tuple[Code, ...] = ()):
        """Yield ``(code, parents)`` for this code and every descendant, depth first."""
        yield self, parents
        for child in self.children:
            yield from child.walk((*parents, self))


@dataclass(frozen=True)
class CodeSet:
    """A ``Set``: a named group of codes, sources or notes (thematic writes one per theme)."""

    guid: str
    name: str
    description: str = ""
    member_codes: tuple[str, ...] = ()
    member_sources: tuple[str, ...] = ()
    member_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variable:
    guid: str
    name: str
    type: str = "Text"  # Text, Boolean, Integer, Float, Date or DateTime


@dataclass(frozen=True)
class Coding:
    """One code applied to a selection by one user; ``notes`` are GUIDs of attached notes."""

    guid: str
    code: str
    user: str | None = None
    notes: tuple[str, ...] = ()
    created: str | None = None  # creationDateTime, ``YYYY-MM-DDThh:mm:ssZ``


@dataclass(frozen=True)
class Selection:
    """A ``PlainTextSelection``: code points ``start`` to ``end`` of the source text."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    user: str | None = None
    codings: tuple[Coding, ...] = ()
    notes: tuple[str, ...] = ()
    created: str | None = None


@dataclass(frozen=True)
class TextSource:
    """A text document. ``text`` is filled from the archive member or inline content."""

    guid: str
    name: str
    text: str | None = None
    path: str | None = None
    description: str = ""
    user: str | None = None
    selections: tuple[Selection, ...] = ()
    values: tuple[tuple[str, str], ...] = ()  # (variable GUID, value as text)
    notes: tuple[str, ...] = ()
    created: str | None = None  # creationDateTime
    rich_path: str | None = field(default=None, compare=False)  # richTextPath, read only


@dataclass(frozen=True)
class OtherSource:
    """A source thematic cannot analyse (picture, PDF, audio, video): kept for the report."""

    kind: str
    guid: str
    name: str
    selections: int = 0
    codings: int = 0


@dataclass(frozen=True)
class Case:
    """A ``Case``; one without a name and with one SourceRef holds that source's variables
    (how MAXQDA and Quirkos store document variables)."""

    guid: str
    name: str
    description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (variable GUID, value as text)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A ``Note``: its text inline (``PlainTextContent``) or, with ``member``, as an archive
    member ``sources/<guid>.txt`` (how QualCoder and NVivo store journals)."""

    guid: str
    name: str
    text: str = ""
    user: str | None = None
    created: str | None = None
    description: str = ""
    member: bool = False
    selections: int = field(default=0, compare=False)  # PlainTextSelections inside, read only


@dataclass
class Project:
    """A REFI-QDA project; a ``.qdc`` codebook fills only ``codes`` and ``sets``.

    ``problems`` lists, in words, what was read but cannot be represented (unsupported
    selections, unreadable sources); importers add them to their report.
    """

    name: str
    origin: str = ""
    description: str = ""
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[TextSource] = field(default_factory=list)
    other_sources: list[OtherSource] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def all_codes(self) -> list[tuple[Code, tuple[Code, ...]]]:
        """Every code with its ancestors, in document order."""
        return [pair for code in self.codes for pair in code.walk()]

    def counts(self) -> dict[str, int]:
        """How many users, codes, text sources, selections and codings the project holds."""
        selections = [s for source in self.sources for s in source.selections]
        return {
            "users": len(self.users),
            "codes": len(self.all_codes()),
            "sets": len(self.sets),
            "cases": len(self.cases),
            "variables": len(self.variables),
            "text_sources": len(self.sources),
            "other_sources": len(self.other_sources),
            "selections": len(selections),
            "codings": sum(len(s.codings) for s in selections),
            "notes": len(self.notes),
        }
