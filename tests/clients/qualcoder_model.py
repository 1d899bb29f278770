"""What QualCoder's REFI-QDA project import keeps of a ``project.qde``: a model for the tests.

QualCoder is not on PyPI or in Debian, so it cannot be installed where the tests run. This
module states, in a few lines each, the rules its importer (``RefiImport`` in QualCoder's
``refi.py``) applies, as read from its source, and counts what a project would give under
them. It is written for thematic's tests and checked against the figures measured with
QualCoder 4 itself on thematic's old export (issue 21: 193 codings dropped as duplicates, 300
assigned to "default", 0 of 183 coding memos, a crash on a note without a date).

The rules:

- a coding's coder is the ``creatingUser`` (else ``modifyingUser``) **of its selection**,
  matched to a ``User``; otherwise "default";
- one coding per code, source, start, end and coder (a database constraint); the others are
  dropped as "Duplicated text coding for code and coder";
- a coding's memo is its selection's ``Description``;
- every ``Note`` needs ``creationDateTime`` or ``modifiedDateTime`` (the importer stops
  otherwise);
- a note referenced from a ``TextSource`` is an annotation, kept only if it holds a
  ``PlainTextSelection``; any other note with a ``name`` and a ``plainTextPath`` is a journal;
  notes with inline text are not imported;
- a source's ``Description`` is its memo; named cases and their variables are kept, their
  ``SourceRef``s are not.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

NS = "{urn:QDA-XML:project:1.0}"


class QualCoderWouldStop(Exception):
    """The importer would stop with an exception (as QualCoder does on a note without a date)."""


@dataclass
class Loaded:
    sources: int = 0
    codes: int = 0
    codings_per_coder: Counter = field(default_factory=Counter)
    duplicates: int = 0
    coding_memos: int = 0
    source_memos: int = 0
    journals: int = 0
    annotations: int = 0
    cases: int = 0
    case_variables: int = 0
    file_variables: int = 0


def load(qde: bytes) -> Loaded:
    """What QualCoder's importer would keep of *qde*, under the rules above."""
    root = ET.fromstring(qde)
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    loaded = Loaded(codes=len(list(root.iter(f"{NS}Code"))))
    seen = set()
    noted = set()
    for source in root.iter(f"{NS}TextSource"):
        loaded.sources += 1
        loaded.source_memos += bool((source.findtext(f"{NS}Description") or "").strip())
        loaded.file_variables += len(source.findall(f"{NS}VariableValue"))
        noted |= {ref.get("targetGUID") for ref in source.findall(f"{NS}NoteRef")}
        for selection in source.findall(f"{NS}PlainTextSelection"):
            user = selection.get("creatingUser") or selection.get("modifyingUser")
            owner = users.get(user, "default")
            memo = (selection.findtext(f"{NS}Description") or "").strip()
            for coding in selection.findall(f"{NS}Coding"):
                key = (coding.find(f"{NS}CodeRef").get("targetGUID"), source.get("guid"),
                       selection.get("startPosition"), selection.get("endPosition"), owner)
                if key in seen:
                    loaded.duplicates += 1
                    continue
                seen.add(key)
                loaded.codings_per_coder[owner] += 1
                loaded.coding_memos += bool(memo)
    for note in root.iter(f"{NS}Note"):
        if note.get("creationDateTime") is None and note.get("modifiedDateTime") is None:
            raise QualCoderWouldStop(f"AttributeError: note {note.get('guid')} has no date")
        if note.get("guid") in noted:
            loaded.annotations += note.find(f"{NS}PlainTextSelection") is not None
        elif note.get("plainTextPath") and note.get("name"):
            loaded.journals += 1
    for case in root.iter(f"{NS}Case"):
        if case.get("name") is not None:
            loaded.cases += 1
            loaded.case_variables += len(case.findall(f"{NS}VariableValue"))
    return loaded
