"""The researcher's known-names file: parsing, checking and per-interview selection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from thematic import io
from thematic.deidentify.model import IDENTIFIER_TYPES, PLACEHOLDERS
from thematic.deidentify.words import COMMON_WORD_NAMES
from thematic.errors import DataError, Errors

@dataclass(frozen=True)
class KnownName:
    """A name the researcher knows, its other spellings, its type and placeholder."""

    surfaces: tuple[str, ...]
    type: str
    placeholder: str
    interviews: tuple[str, ...] = ()
    ambiguous: bool | None = None  # None: decided from COMMON_WORD_NAMES

    def is_ambiguous(self, surface: str) -> bool:
        if self.ambiguous is not None:
            return self.ambiguous
        return surface.lower() in COMMON_WORD_NAMES


@dataclass(frozen=True)
class KnownNames:
    """The researcher's file of known names and allowed terms."""

    names: tuple[KnownName, ...] = ()
    allow: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    def including(self, names: tuple[KnownName, ...]) -> KnownNames:
        """These known names and *names* (e.g. the speaker labels of one transcript)."""
        return replace(self, names=self.names + tuple(names)) if names else self

    def for_interview(self, interview_id: str | None) -> KnownNames:
        """The names that apply to one interview (global ones plus its own)."""
        names = tuple(n for n in self.names if not n.interviews or interview_id in n.interviews)
        return replace(self, names=names)


#: Titles that are part of a known name's spelling, never a name of their own.
TITLES = frozenset(["dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "nurse", "sister", "auntie", "aunty",
                    "uncle", "nan", "nana", "grandma", "grandad", "dr.", "mr.", "mrs.", "ms.", "father", "rev"])


@lru_cache(maxsize=1)
def _nicknames():
    """The ``nicknames`` package's table of English given names and their diminutives
    (hand-curated, Apache-2.0): ``{name: {diminutives}}``, lowercase."""
    from nicknames import NickNamer

    return NickNamer().nickname_lookup


def with_name_parts(known: KnownNames, *, is_word: Callable[[str], bool] = lambda word: False) -> KnownNames:
    """*known* plus, for each person, the parts of the spellings given and the diminutives of
    the first name, with the same placeholder: "Sunita Bains" is also "Sunita" and "Bains",
    "Elizabeth Mensah" also "Liz", "Beth" and "Libby". A part or diminutive that is a dictionary
    word (*is_word*) or a name that is also a word ("Will" of William) keeps the context rules of
    names that are words; one that belongs to two people with different placeholders is left
    out (it cannot say who), and so is anything shorter than three letters or a title.
    """
    people = [n for n in known.names if n.type == "PERSON"]
    if not people:
        return known
    given = {" ".join(s.lower().split()) for n in known.names for s in n.surfaces}
    candidates: dict[str, set[str]] = {}
    owners: dict[str, KnownName] = {}
    for name in people:
        parts = {w for s in name.surfaces for w in s.lower().replace(".", ". ").split()
                 if w.strip(".") not in TITLES and len(w) >= 3 and w.isalpha()}
        firsts = {words[0] for s in name.surfaces if (words := [w for w in s.lower().split()
                                                                if w.strip(".") not in TITLES])}
        for first in firsts:
            parts |= {d for d in _nicknames().get(first, ()) if len(d) >= 3 and d.isalpha()}
        for part in parts - given:
            candidates.setdefault(part, set()).add(name.placeholder)
            owners.setdefault(part, name)
    extra = []
    for part in sorted(candidates):
        if len(candidates[part]) > 1:
            continue  # "Smith" of two people with different roles: it cannot say who
        owner = owners[part]
        ambiguous = True if (is_word(part) or part in COMMON_WORD_NAMES) else owner.ambiguous
        extra.append(KnownName((part,), owner.type, owner.placeholder, owner.interviews, ambiguous))
    return known.including(tuple(extra))


def parse_known_names(data: object, *, source: str = "<known names>") -> KnownNames:
    """Build :class:`KnownNames` from parsed YAML (``names:`` list, optional ``allow:`` list).

    Each entry: ``surface`` (a string or a list of spellings), ``type`` (one of
    :data:`IDENTIFIER_TYPES`), ``placeholder`` (e.g. ``"[health visitor]"``), optional
    ``interviews`` (ids it applies to; default all) and ``ambiguous`` (true for a name that is
    also an ordinary word, if not in the built-in list). Every problem is listed.
    """
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("names", []), list):
        raise DataError(Errors.E301.format(path=source, place="top level",
                                           detail="expected a mapping with a 'names:' list"))
    names = []
    for number, entry in enumerate(data.get("names") or [], start=1):
        place = f"names entry {number}"
        if not isinstance(entry, dict):
            problems.append(Errors.E301.format(path=source, place=place, detail="not a mapping"))
            continue
        surfaces = entry.get("surface")
        surfaces = [surfaces] if isinstance(surfaces, str) else surfaces
        kind, placeholder = entry.get("type"), entry.get("placeholder") or ""
        if not surfaces or not all(isinstance(s, str) and s.strip() for s in surfaces):
            problems.append(Errors.E301.format(path=source, place=place, detail="'surface' missing or empty"))
            continue
        if kind not in PLACEHOLDERS:
            problems.append(Errors.E301.format(path=source, place=f"{place} ({surfaces[0][:1]}...)",
                                               detail=f"type {kind!r} is not one of {list(IDENTIFIER_TYPES)}"))
            continue
        placeholder = placeholder or PLACEHOLDERS[kind]
        if not (placeholder.startswith("[") and placeholder.endswith("]")):
            problems.append(Errors.E301.format(path=source, place=place,
                                               detail=f"placeholder {placeholder!r} must be in [brackets]"))
        interviews = entry.get("interviews") or ()
        interviews = (interviews,) if isinstance(interviews, str) else tuple(interviews)
        names.append(KnownName(tuple(s.strip() for s in surfaces), kind, placeholder, interviews,
                               entry.get("ambiguous")))
    allow = data.get("allow") or []
    if not isinstance(allow, list):
        problems.append(Errors.E301.format(path=source, place="allow", detail="expected a list of terms"))
        allow = []
    terms = []
    for number, item in enumerate(allow, start=1):
        term = item.get("term") if isinstance(item, dict) else item
        if not isinstance(term, str | int) or not str(term).strip():
            problems.append(Errors.E301.format(path=source, place=f"allow entry {number}",
                                               detail="expected a term, or a mapping with 'term' and 'reason'"))
            continue
        terms.append(" ".join(str(term).lower().split()))
    if problems:
        raise DataError(problems)
    return KnownNames(tuple(names), frozenset(terms), source)


def load_known_names(path: str | Path) -> KnownNames:
    """Read a known-names file; the one reader of these files in thematic.

    - ``.yaml`` / ``.yml``: see :func:`parse_known_names`;
    - ``.csv``: a ``surface`` (or ``name``) column, optional ``type`` (default PERSON),
      ``placeholder`` (default the type's), ``interviews`` (ids separated by ``;`` or spaces)
      and ``ambiguous`` (yes/no); one spelling a row, each row one entity;
    - ``.txt``: one name a line, optionally ``name | TYPE | [placeholder]``; ``#`` starts a comment.

    Every malformed entry is listed (E301, E322); another suffix is refused (E321).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = io.read_csv(path)
        column = "surface" if "surface" in frame.columns else "name" if "name" in frame.columns else None
        if column is None:
            raise DataError(Errors.E301.format(path=path, place="header",
                                               detail="expected a 'surface' (or 'name') column"))
        entries = [{"surface": row[column], "type": row.get("type") or "PERSON",
                    "placeholder": row.get("placeholder", ""),
                    "interviews": [i for i in row.get("interviews", "").replace(";", " ").split() if i],
                    "ambiguous": {"yes": True, "true": True, "no": False, "false": False}.get(
                        str(row.get("ambiguous", "")).lower())}
                   for _, row in frame.iterrows()]
        return parse_known_names({"names": entries}, source=str(path))
    if suffix == ".txt":
        return parse_known_names({"names": _text_entries(path)}, source=str(path))
    if suffix in (".yaml", ".yml"):
        return parse_known_names(io.read_yaml(path), source=str(path))
    raise DataError(Errors.E321.format(path=path, suffix=path.suffix))


def _text_entries(path: Path) -> list[dict]:
    entries, problems = [], []
    for number, line in enumerate(io.read_text(path).splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        parts = [part.strip() for part in content.split("|")]
        if len(parts) > 3 or not parts[0]:
            problems.append(Errors.E322.format(path=path, line=number, detail=f"cannot read {len(parts)} fields"))
            continue
        entry = {"surface": parts[0], "type": parts[1] if len(parts) > 1 and parts[1] else "PERSON"}
        if len(parts) > 2:
            entry["placeholder"] = parts[2]
        entries.append(entry)
    if problems:
        raise DataError(problems)
    return entries
