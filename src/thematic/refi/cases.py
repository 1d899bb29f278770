"""participants.csv and interviews.csv from a project's cases, variables, sets and sources.

Tools link people to documents in different ways, and each is read:

- a named ``Case`` with ``SourceRef``s is a participant and their interviews; a reference may
  name the source's GUID or the GUID of its text member (QualCoder's export does the latter);
- a ``Case`` without a name and with one ``SourceRef`` holds that source's variables (MAXQDA,
  Quirkos);
- a source variable ``participant_id`` links a source to its participant where no case does
  (thematic writes it, because QualCoder keeps cases but not their sources);
- a ``Set`` of sources is a yes/no column of interviews.csv, or the grouping (below);
- a source in no case becomes a participant of its own.

The grouping: a variable called ``group`` is the group column. Without one, a case variable
whose name says it groups people (group, stakeholder, category, cohort, arm, type, site), or
sets of sources that split the participants, become the group column when exactly one
candidate exists; otherwise every participant is in group ``unspecified`` and the report lists
the candidates and how to choose.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from thematic.refi.ids import ID_PATTERN, column, slug, unique_ids
from thematic.refi.model import Case, Project, TextSource
from thematic.refi.report import ImportReport
from thematic.refi.to_project import INTERVIEW_VARIABLE_TYPES, PARTICIPANT_VARIABLE

#: Columns an imported data folder's metadata files start with (the others follow).
PARTICIPANT_COLUMNS = ("participant_id", "group", "role")
INTERVIEW_COLUMNS = ("interview_id", "participant_id", "wave", "date", "duration_min", "transcript")

UNSPECIFIED = "unspecified"
PLACEHOLDER_DATE = "1970-01-01"
#: Words in a variable's name that say it groups participants.
GROUPING_WORDS = ("group", "stakeholder", "category", "cohort", "arm", "type", "site")
#: Columns that never hold the grouping.
_NOT_GROUPING = {"participant_id", "role", "label", "description", *INTERVIEW_VARIABLE_TYPES}
_MEMBER_GUID = re.compile(r"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
                          r"\.[A-Za-z0-9]+$")
MAX_EXAMPLES = 5


def case_tables(project: Project, interview_ids: dict[str, str],
                report: ImportReport) -> tuple[list[dict], list[dict]]:
    """participants.csv and interviews.csv rows; what cannot be linked is reported."""
    names = {v.guid: column(v.name) for v in project.variables}
    resolve = _source_resolver(project.sources)
    file_cases, people = _split_cases(project.cases, resolve)
    file_values: dict[str, dict] = defaultdict(dict)
    for case, source in file_cases:
        file_values[source].update(_values(case, names))
    if file_cases:
        report.converted.append(f"{len(file_cases)} unnamed case(s) with one source each were read as "
                                "that source's variables (interviews.csv columns), as MAXQDA and "
                                "Quirkos store them.")
    case_ids = unique_ids({c.guid: _values(c, names).get(PARTICIPANT_VARIABLE) or c.name or "case"
                           for c in people}, pattern=ID_PATTERN, sep="-", fallback="case", lower=False)
    participants: dict[str, dict] = {}
    participant_of: dict[str, str] = {}
    interview_defaults: dict[str, dict] = {}
    by_name: dict[str, str] = {}
    unresolved, conflicts = 0, []
    for case in people:
        pid = case_ids[case.guid]
        values = _values(case, names)
        row = {k: v for k, v in values.items()
               if k not in INTERVIEW_VARIABLE_TYPES and k != PARTICIPANT_VARIABLE}
        if case.description.strip():
            row["description" if "description" not in row else "case_description"] = case.description.strip()
        participants[pid] = {**row, "participant_id": pid}
        by_name.update({case.name: pid, pid: pid})
        for ref in case.sources:
            source = resolve.get(ref)
            if source is None:
                unresolved += 1
            elif source in participant_of:
                conflicts.append(f"source '{interview_ids[source]}' belongs to cases "
                                 f"'{participant_of[source]}' and '{pid}'; kept with the first.")
            else:
                participant_of[source] = pid
                interview_defaults[source] = {k: v for k, v in values.items()
                                              if k in INTERVIEW_VARIABLE_TYPES}
    report.defaults += conflicts
    if unresolved:
        report.not_imported.append(f"{unresolved} case SourceRef(s) name no text source of the file "
                                   "(nor its text member); those links were not imported.")
    interviews, missing, linked_by_variable = [], Counter(), 0
    for source in project.sources:
        iid = interview_ids[source.guid]
        values = {**interview_defaults.get(source.guid, {}), **file_values.get(source.guid, {}),
                  **{names.get(var, var): value for var, value in source.values}}
        named = values.pop(PARTICIPANT_VARIABLE, "").strip()
        if source.guid not in participant_of:
            if named:
                linked_by_variable += 1
                pid = by_name.setdefault(named, slug(named, pattern=ID_PATTERN, sep="-", lower=False)
                                         or "case")
                participants.setdefault(pid, {"participant_id": pid})
            else:
                pid, n = iid, 1
                while pid in participants:  # a case may already carry the source's name
                    n += 1
                    pid = f"{iid}-{n}"
                participants[pid] = {"participant_id": pid}
                missing["case"] += 1
            participant_of[source.guid] = pid
        elif named and by_name.get(named) != participant_of[source.guid]:
            values["source_participant_id"] = named
            report.defaults.append(f"source '{iid}': its variable participant_id '{named}' differs from "
                                   f"its case '{participant_of[source.guid]}'; the case was kept.")
        person = participants[participant_of[source.guid]]
        for key in ("group", "role", "label"):
            if key in values and not person.get(key):
                person[key] = values.pop(key)
        row = {"interview_id": iid, "participant_id": participant_of[source.guid]}
        for name, default in (("wave", "1"), ("date", (source.created or "")[:10] or PLACEHOLDER_DATE),
                              ("duration_min", "0")):
            if not values.get(name):
                missing[name] += 1
            row[name] = values.pop(name, "") or default
        row["transcript"] = f"raw/{iid}.txt"
        for key, value in values.items():
            row[key if key not in person and key not in row else f"source_{key}"] = value
        interviews.append(row)
    if linked_by_variable:
        report.converted.append(f"{linked_by_variable} source(s) in no case were linked to their "
                                "participant by their variable participant_id.")
    grouped_by_sets = _grouping(project, participants, interviews, resolve, interview_ids, report)
    _set_columns(project, interviews, resolve, interview_ids, grouped_by_sets, report)
    for row in participants.values():
        for name in ("group", "role"):
            if not row.get(name):
                row[name] = UNSPECIFIED
                missing[name] += 1
    _report_missing(missing, report)
    order = [names[v.guid] for v in project.variables]
    return (_complete(list(participants.values()), first=PARTICIPANT_COLUMNS, order=order),
            _complete(interviews, first=INTERVIEW_COLUMNS, order=order))


def _source_resolver(sources: list[TextSource]) -> dict[str, str]:
    """Any GUID a reference may use for a source (its own, its text members') -> its GUID."""
    resolve = {}
    for source in sources:
        for path in (source.path, source.rich_path):
            match = _MEMBER_GUID.search(path or "")
            if match:
                resolve.setdefault(match.group(1).lower(), source.guid)
    resolve.update({source.guid: source.guid for source in sources})
    return resolve


def _split_cases(cases: list[Case], resolve: dict[str, str]) -> tuple[list[tuple[Case, str]], list[Case]]:
    """Unnamed cases with exactly one known source (source variables), and the people."""
    file_cases, people = [], []
    for case in cases:
        known = [resolve[ref] for ref in case.sources if ref in resolve]
        if not case.name.strip() and len(case.sources) == 1 and known:
            file_cases.append((case, known[0]))
        else:
            people.append(case)
    return file_cases, people


def _values(case: Case, names: dict[str, str]) -> dict[str, str]:
    return {names.get(var, var): value for var, value in case.values}


def _grouping(project: Project, participants: dict[str, dict], interviews: list[dict],
              resolve: dict[str, str], interview_ids: dict[str, str], report: ImportReport) -> bool:
    """Fill the group column from the one candidate, or report the choice; True if sets were used."""
    people = list(participants.values())
    if any(row.get("group") for row in people):
        lacking = sum(not row.get("group") for row in people)
        if lacking:
            report.defaults.append(f"{lacking} participant(s) had no 'group' variable: set to "
                                   f"'{UNSPECIFIED}' in participants.csv.")
        return False
    if not people:
        return False
    candidates: dict[str, dict[str, str]] = {}
    others = []
    for name in sorted({key for row in people for key in row} - _NOT_GROUPING):
        values = {row["participant_id"]: row.get(name, "") for row in people}
        if not all(values.values()):
            continue
        if any(word in name for word in GROUPING_WORDS):
            candidates[f"case variable '{name}'"] = values
        elif 1 < len(set(values.values())) < len(values):
            others.append(name)
    by_sets = _set_partition(project, interviews, resolve, interview_ids)
    if by_sets:
        names = ", ".join(f"'{n}'" for n in sorted(set(by_sets.values())))
        candidates[f"the sets of sources {names}"] = by_sets
    if len(candidates) == 1:
        (what, values), = candidates.items()
        for row in people:
            row["group"] = values[row["participant_id"]]
        counts = Counter(values.values())
        report.converted.append(f"the group column was taken from {what}: "
                                + ", ".join(f"{g} ({n})" for g, n in sorted(counts.items())) + ".")
        return bool(by_sets)
    if candidates:
        report.to_check.append(
            "several variables could hold the participants' group: "
            + "; ".join(f"{what} ({len(set(v.values()))} values)" for what, v in candidates.items())
            + f". Every participant is in group '{UNSPECIFIED}': copy the one you mean into "
            "participants.csv's group column.")
    else:
        hint = (f" Variables that might: {', '.join(others)}." if others else "")
        report.defaults.append(f"nothing in the file names the participants' group, so all are in one "
                               f"group '{UNSPECIFIED}'.{hint} If the study compares groups, fill "
                               "participants.csv's group column.")
    return False


def _set_partition(project: Project, interviews: list[dict], resolve: dict[str, str],
                   interview_ids: dict[str, str]) -> dict[str, str]:
    """participant -> set name if sets of sources split every participant into exactly one set."""
    sets = [s for s in project.sets if s.member_sources]
    if len(sets) < 2:
        return {}
    participant = {row["interview_id"]: row["participant_id"] for row in interviews}
    group: dict[str, str] = {}
    for code_set in sets:
        for ref in code_set.member_sources:
            source = resolve.get(ref)
            if source is None:
                continue
            pid = participant[interview_ids[source]]
            if group.setdefault(pid, code_set.name) != code_set.name:
                return {}
    return group if set(group) == set(participant.values()) else {}


def _set_columns(project: Project, interviews: list[dict], resolve: dict[str, str],
                 interview_ids: dict[str, str], used: bool, report: ImportReport) -> None:
    """Each set of sources not used as the grouping becomes a yes/no column of interviews.csv."""
    source_sets = [s for s in project.sets if s.member_sources]
    note_sets = [s for s in project.sets if s.member_notes and not s.member_sources and not s.member_codes]
    if note_sets:
        report.not_imported.append(f"{len(note_sets)} set(s) of notes only ("
                                   + ", ".join(f"'{s.name}'" for s in note_sets[:MAX_EXAMPLES])
                                   + "): thematic does not group memos.")
    if used or not source_sets:
        return
    taken = {key for row in interviews for key in row}
    columns = unique_ids({s.guid: f"set_{s.name}" for s in source_sets}, pattern="[^a-z0-9_]+",
                         sep="_", fallback="set")
    for code_set in source_sets:
        name = columns[code_set.guid]
        while name in taken:
            name += "_"
        members = {interview_ids[resolve[r]] for r in code_set.member_sources if r in resolve}
        for row in interviews:
            row[name] = "yes" if row["interview_id"] in members else "no"
    report.converted.append(f"{len(source_sets)} set(s) of sources became yes/no columns of "
                            "interviews.csv: " + ", ".join(f"'{s.name}'" for s in source_sets[:MAX_EXAMPLES])
                            + ("..." if len(source_sets) > MAX_EXAMPLES else "") + ".")


def _report_missing(missing: Counter, report: ImportReport) -> None:
    for what, count in sorted(missing.items()):
        if what == "case":
            report.defaults.append(f"{count} source(s) belong to no case: each became a participant "
                                   "of its own.")
        elif what == "group":
            continue  # said by _grouping
        elif what == "role":
            report.defaults.append(f"{count} participant(s) had no 'role' variable: set to "
                                   f"'{UNSPECIFIED}' in participants.csv.")
        else:
            default = {"wave": "1", "date": f"the source's creation date or {PLACEHOLDER_DATE}",
                       "duration_min": "0"}[what]
            report.defaults.append(f"{count} interview(s) had no '{what}' variable: set to {default} "
                                   "in interviews.csv.")


def _complete(rows: list[dict], *, first: tuple[str, ...], order: list[str]) -> list[dict]:
    """Rows with the same columns: *first*, then those in *order*, then any others."""
    present = {key for row in rows for key in row}
    columns = list(first) + [c for c in order if c in present and c not in first]
    for row in rows:
        columns += [key for key in row if key not in columns]
    return [{name: row.get(name, "") for name in columns} for row in rows]
