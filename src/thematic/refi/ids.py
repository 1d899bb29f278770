"""Identifiers both ways: deterministic GUIDs for export, file- and id-safe names on import."""

from __future__ import annotations

import re
import unicodedata
import uuid
from functools import lru_cache

#: Namespace of every GUID thematic writes (a UUID 5 of the project's URL-like name).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://thematic.invalid/refi-qda")
#: Suffixes of document files that tools keep in source names ("interview1.txt").
DOCUMENT_SUFFIXES = (".txt", ".text", ".docx", ".doc", ".odt", ".rtf", ".pdf", ".md", ".html",
                     ".htm", ".vtt", ".srt")
#: Characters allowed in interview and participant ids (they name files).
ID_PATTERN = "[^A-Za-z0-9_-]+"


@lru_cache(maxsize=65536)
def guid(kind: str, key: str) -> str:
    """A deterministic GUID for the item *kind* with stable id *key*."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def slug(name: str, *, pattern: str, sep: str, lower: bool = True) -> str:
    """*name* in ASCII with every run of characters matching *pattern* replaced by *sep*."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.lower() if lower else ascii_name
    return re.sub(pattern, sep, ascii_name).strip(sep)


def column(name: str) -> str:
    """A CSV column name (lower case, ``_``) for a variable called *name*."""
    return slug(name, pattern="[^a-z0-9_]+", sep="_") or "variable"


def strip_suffix(name: str) -> str:
    """*name* without a document suffix (``interview1.txt`` -> ``interview1``)."""
    stem, dot, suffix = name.strip().rpartition(".")
    return stem if dot and stem and f".{suffix.lower()}" in DOCUMENT_SUFFIXES else name.strip()


def unique_ids(names: dict[str, str], *, pattern: str, sep: str, fallback: str,
               lower: bool = True) -> dict[str, str]:
    """Key -> a file- and id-safe form of its name, made unique with a numeric suffix."""
    out, used = {}, set()
    for key, name in names.items():
        base = slug(name, pattern=pattern, sep=sep, lower=lower) or fallback
        ident, n = base, 1
        while ident.lower() in used:
            n += 1
            ident = f"{base}{sep}{n}"
        used.add(ident.lower())
        out[key] = ident
    return out


def free_id(wanted: str, name: str, used: set[str]) -> str:
    """A code id matching ``^[a-z][a-z0-9_]*$`` not yet in *used* (which it is added to)."""
    base = wanted if re.fullmatch(r"[a-z][a-z0-9_]*", wanted) else slug(name, pattern="[^a-z0-9_]+", sep="_")
    if not base or not base[0].isalpha():
        base = f"code_{base}" if base else "code"
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}_{n}"
    used.add(ident)
    return ident
