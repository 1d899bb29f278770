"""A data folder as a REFI-QDA :class:`~thematic.refi.model.Project`, shaped as clients read it.

What the clients measured here need (see ``docs/refi-qda.md``):

- **one** ``PlainTextSelection`` **per coding**, its coder as ``creatingUser`` on the
  selection and on the coding: QualCoder takes the coder from the selection (a selection shared
  by two coders goes to "default") and keeps one coding per code, span and coder;
- the coded text as the selection's ``name`` (QualCoder does the same), which lets an importer
  check the positions;
- a ``creationDateTime`` on every source, selection, coding and note (QualCoder's importer
  stops on a note without one);
- the coding memo as the selection's ``Description`` (what QualCoder reads as the coding memo)
  and as a ``Note`` referenced from the coding (the standard's way);
- each familiarisation memo (``memos/<interview_id>.md``) as the source's ``Description`` and as
  a journal ``Note`` stored as a text member, not referenced from the source (QualCoder treats
  a note referenced from a source as an annotation and drops it when it has no selection).

Dates are derived from the data, never from the clock, so the same folder gives the same bytes:
a source is dated by its interview's ``date``; selections, codings and notes by the latest
interview date of the study (coding follows the interviews); a study without dates by
:data:`NO_DATE`. GUIDs are UUID 5 of stable ids (theme, code, coder, participant, interview,
coding).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import pandas as pd

from thematic import __version__
from thematic.dataset import Dataset
from thematic.errors import Errors, ParameterError
from thematic.refi.codes import codebook_to_codes, describe
from thematic.refi.ids import guid
from thematic.refi.model import (
    Case,
    Coding,
    Note,
    Project,
    Selection,
    TextSource,
    User,
    Variable,
)
from thematic.refi.offsets import LineEndings

#: Typed interview variables; every other variable is text.
INTERVIEW_VARIABLE_TYPES = {"wave": "Integer", "date": "Date", "duration_min": "Float"}
#: Case variables exported when none are named: the stakeholder group only.
DEFAULT_VARIABLES = ("group",)
#: The time stamp of every element when the study has no interview dates (the Unix epoch).
NO_DATE = "1970-01-01T00:00:00Z"
#: Source variable naming the participant, so that the link survives tools that drop the
#: case's ``SourceRef`` (QualCoder keeps cases and their variables, not their sources).
PARTICIPANT_VARIABLE = "participant_id"


def stamp(value: object) -> str | None:
    """An ``xsd:dateTime`` (midnight UTC) for a date, or None for a missing one."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return f"{pd.Timestamp(value):%Y-%m-%d}T00:00:00Z"


def dataset_to_project(dataset: Dataset, *, stored_texts: Mapping[str, str],
                       memos: Mapping[str, str] | None = None,
                       variables: Iterable[str] | None = None) -> Project:
    """A REFI-QDA project of *dataset*: de-identified sources, users, codebook, codings, cases.

    Parameters
    ----------
    dataset
        The loaded data folder.
    stored_texts
        The de-identified texts as stored (line endings kept); the codings' offsets (on the
        normalised text) are converted to offsets on them.
    memos
        Familiarisation memo text by interview id.
    variables
        The participants.csv columns to export as case variables, and any interviews.csv
        columns besides ``wave``, ``date`` and ``duration_min`` (always exported) to export as
        source variables. None exports the stakeholder group only: participants.csv may hold
        attributes (names, NHS numbers, phone numbers) that must not leave the team.

    Pass a :meth:`~thematic.dataset.Dataset.for_publication` dataset: its coding memos and
    codebook are then de-identified like everything else an export carries.

    Raises
    ------
    ParameterError
        If *variables* names a column neither participants.csv nor interviews.csv has.
    """
    codebook, memos = dataset.codebook, memos or {}
    project = Project(name=codebook.title if codebook else "study",
                      origin=f"thematic {__version__}",
                      description=describe(codebook.description, version=codebook.version)
                      if codebook else "")
    interviews = dataset.interviews[dataset.interviews["interview_id"].isin(list(dataset.texts))]
    dates = [s for s in map(stamp, interviews["date"]) if s] if "date" in interviews else []
    created = max(dates, default=NO_DATE)
    coders = dataset.coders if not dataset.codings.empty else []
    project.users = [User(guid=guid("user", coder), name=coder) for coder in coders]
    if codebook:
        project.codes, project.sets = codebook_to_codes(codebook)
    participants = dataset.participants
    chosen = set(DEFAULT_VARIABLES if variables is None else variables)
    own = [c for c in interviews.columns if c not in participants.columns
           and c not in ("interview_id", "transcript", "_line")]
    unknown = sorted(chosen - set(participants.columns) - set(own) - {"_line"})
    if unknown:
        known = [c for c in [*participants.columns, *own] if c not in ("_line", "participant_id")]
        raise ParameterError(Errors.E715.format(path=dataset.study.participants_file,
                                                names=", ".join(map(repr, unknown)), known=", ".join(known)))
    participant_columns = [c for c in participants.columns if c not in ("participant_id", "_line")
                           and c in chosen]
    interview_columns = [c for c in own if (c in INTERVIEW_VARIABLE_TYPES or c in chosen)
                         and interviews[c].map(_value_text).astype(bool).any()]
    names = [*participant_columns, *interview_columns, PARTICIPANT_VARIABLE]
    project.variables = [Variable(guid=guid("variable", name), name=name,
                                  type=INTERVIEW_VARIABLE_TYPES.get(name, "Text")) for name in names]
    variable_guid = {v.name: v.guid for v in project.variables}
    rows = interviews.to_dict("records")
    own_interviews = defaultdict(list)
    for row in rows:
        own_interviews[row["participant_id"]].append(row["interview_id"])
    for row in participants.to_dict("records"):
        pid = row["participant_id"]
        project.cases.append(Case(
            guid=guid("case", pid), name=pid,
            values=tuple((variable_guid[c], str(row[c])) for c in participant_columns if str(row[c])),
            sources=tuple(guid("source", iid) for iid in own_interviews[pid])))
    codings_of = defaultdict(list)
    for coding in dataset.codings.to_dict("records"):
        codings_of[coding["interview_id"]].append(coding)
    for row in rows:
        iid = row["interview_id"]
        selections = _selections(iid, stored_texts[iid], codings_of[iid], created=created,
                                 notes=project.notes)
        values = [(variable_guid[c], _value_text(row[c])) for c in interview_columns
                  if _value_text(row[c])]
        values.append((variable_guid[PARTICIPANT_VARIABLE], str(row["participant_id"])))
        memo = memos.get(iid, "").strip()
        project.sources.append(TextSource(
            guid=guid("source", iid), name=iid, text=stored_texts[iid], description=memo,
            selections=selections, values=tuple(values),
            created=stamp(row.get("date")) or created))
        if memo:
            project.notes.append(Note(guid=guid("familiarisation-memo", iid),
                                      name=f"{iid}: familiarisation memo", text=memo,
                                      created=created, member=True))
    return project


def _selections(iid: str, stored: str, codings: list[dict], *, created: str,
                notes: list[Note]) -> tuple[Selection, ...]:
    """One selection per coding row, named by its text, dated, its memo as description and note."""
    endings = LineEndings(stored)
    seen, selections = Counter(), []
    # a repeated coding (same coder, span and code) after the one with a memo: tools that keep
    # one coding per code, span and coder (QualCoder) then keep the memo
    order = sorted(codings, key=lambda c: (int(c["start"]), int(c["end"]), c["coder"], c["code"],
                                           not c["memo"]))
    for coding in order:
        start, end = endings.to_stored(int(coding["start"])), endings.to_stored(int(coding["end"]))
        key = f"{iid}:{coding['start']}:{coding['end']}:{coding['code']}:{coding['coder']}"
        seen[key] += 1
        if seen[key] > 1:
            key = f"{key}:{seen[key]}"
        user, memo = guid("user", coding["coder"]), coding["memo"]
        note_refs = ()
        if memo:
            note = Note(guid=guid("memo", key), name=f"{coding['coder']}: {coding['code']} in {iid} "
                        f"{coding['start']}-{coding['end']}", text=memo, user=user, created=created)
            notes.append(note)
            note_refs = (note.guid,)
        selections.append(Selection(
            guid=guid("selection", key), start=start, end=end, name=stored[start:end],
            description=memo, user=user, created=created,
            codings=(Coding(guid=guid("coding", key), code=guid("code", coding["code"]), user=user,
                            notes=note_refs, created=created),)))
    return tuple(selections)


def _value_text(value: object) -> str:
    if isinstance(value, tuple):  # several names, e.g. the interviewers
        return ";".join(value)
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
