"""Convert between thematic's data folder and a REFI-QDA :class:`Project`.

Pure functions: :func:`dataset_to_project` builds a project from a loaded
:class:`~thematic.dataset.Dataset` and the stored (not normalised) texts;
:func:`project_to_files` turns a project into the files of a data folder, with a report of
what could not be mapped. Reading and writing files happens in :mod:`thematic.refi.exchange`.

GUIDs are UUID 5 of stable ids (theme, code, coder, participant, interview, span), so the same
data export to the same XML.
"""

from __future__ import annotations

import csv
import io as stringio
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

import yaml

from thematic import __version__
from thematic.codebook import Codebook, Theme, parse_codebook
from thematic.dataset import (
    CODING_COLUMNS,
    INTERVIEW_COLUMNS,
    PARTICIPANT_COLUMNS,
    Dataset,
)
from thematic.refi.model import (
    Case,
    Code,
    CodeSet,
    Coding,
    Note,
    Project,
    Selection,
    TextSource,
    User,
    Variable,
)
from thematic.refi.offsets import LineEndings

#: Namespace of every GUID thematic writes (a UUID 5 of the project's URL-like name).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://thematic.invalid/refi-qda")
#: Typed interview variables; every other variable is text.
INTERVIEW_VARIABLE_TYPES = {"wave": "Integer", "date": "Date", "duration_min": "Float"}
#: The last paragraph of a code's or theme's description carries what REFI-QDA has no place
#: for (thematic id, kind, scope), so that a round trip through a QDA tool keeps them.
TRAILER = "thematic: "
_PREFIXES = {"include": "Include: ", "exclude": "Exclude: ", "example": "Example: "}
UNGROUPED_THEME = "ungrouped"
UNSPECIFIED = "unspecified"
PLACEHOLDER_DATE = "1970-01-01"


@lru_cache(maxsize=65536)
def guid(kind: str, key: str) -> str:
    """A deterministic GUID for the item *kind* with stable id *key*."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


# --------------------------------------------------------------------------- export

def codebook_to_codes(codebook: Codebook) -> tuple[list[Code], list[CodeSet]]:
    """Themes as non-codable parent codes (and as sets), codes as their codable children."""
    codes, sets = [], []
    for theme in codebook.themes:
        children = tuple(
            Code(guid=guid("code", code.id), name=code.label, codable=True,
                 description=_code_description(code))
            for code in theme.codes)
        codes.append(Code(guid=guid("theme", theme.id), name=theme.name, codable=False,
                          description=_describe(theme.description, id=theme.id, scope=theme.scope),
                          children=children))
        sets.append(CodeSet(guid=guid("set", theme.id), name=theme.name,
                            description=theme.description,
                            member_codes=tuple(child.guid for child in children)))
    return codes, sets


def dataset_to_project(dataset: Dataset, *, stored_texts: dict[str, str]) -> Project:
    """A REFI-QDA project of *dataset*: de-identified sources, users, codebook, codings, cases.

    *stored_texts* are the de-identified texts as stored (line endings kept); offsets in the
    codings (on the normalised text) are converted to offsets on them.
    """
    codebook = dataset.codebook
    project = Project(name=codebook.title if codebook else dataset.root.name,
                      origin=f"thematic {__version__}",
                      description=_describe(codebook.description, version=codebook.version)
                      if codebook else "")
    coders = dataset.coders if not dataset.codings.empty else []
    project.users = [User(guid=guid("user", coder), name=coder) for coder in coders]
    if codebook:
        project.codes, project.sets = codebook_to_codes(codebook)
    participants = dataset.participants
    participant_columns = [c for c in participants.columns if c not in ("participant_id", "_line")]
    interview_columns = [c for c in dataset.interviews.columns
                         if c not in participants.columns and c not in
                         ("interview_id", "transcript", "_line")]
    project.variables = [
        Variable(guid=guid("variable", name), name=name,
                 type=INTERVIEW_VARIABLE_TYPES.get(name, "Text"))
        for name in [*participant_columns, *interview_columns]]
    variable_guid = {v.name: v.guid for v in project.variables}
    interviews = dataset.interviews[dataset.interviews["interview_id"].isin(list(dataset.texts))]
    interview_rows = interviews.to_dict("records")
    own_interviews = defaultdict(list)
    for row in interview_rows:
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
    for row in interview_rows:
        iid = row["interview_id"]
        stored = stored_texts[iid]
        endings = LineEndings(stored)
        own = sorted(codings_of[iid], key=lambda c: (c["start"], c["end"], c["coder"], c["code"]))
        selections, seen = [], Counter()
        for (start, end), group in groupby(own, key=lambda c: (int(c["start"]), int(c["end"]))):
            span = f"{iid}:{start}:{end}"
            selection_codings = []
            for coding in group:
                key = f"{span}:{coding['code']}:{coding['coder']}"
                seen[key] += 1
                if seen[key] > 1:
                    key = f"{key}:{seen[key]}"
                notes = ()
                if coding["memo"]:
                    note = Note(guid=guid("memo", key), name=f"{coding['coder']}: {coding['code']} "
                                f"in {iid} {start}-{end}", text=coding["memo"],
                                user=guid("user", coding["coder"]))
                    project.notes.append(note)
                    notes = (note.guid,)
                selection_codings.append(Coding(guid=guid("coding", key), code=guid("code", coding["code"]),
                                                user=guid("user", coding["coder"]), notes=notes))
            users = {c.user for c in selection_codings}
            selections.append(Selection(
                guid=guid("selection", span), start=endings.to_stored(start),
                end=endings.to_stored(end), name=f"{iid} {start}-{end}",
                user=users.pop() if len(users) == 1 else None, codings=tuple(selection_codings)))
        values = tuple((variable_guid[c], _value_text(row[c])) for c in interview_columns
                       if _value_text(row[c]))
        project.sources.append(TextSource(guid=guid("source", iid), name=iid, text=stored,
                                          selections=tuple(selections), values=values))
    return project


def _value_text(value: object) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _code_description(code) -> str:
    paragraphs = [code.definition.strip()]
    if code.include:
        paragraphs.append(_PREFIXES["include"] + code.include.strip())
    if code.exclude:
        paragraphs.append(_PREFIXES["exclude"] + code.exclude.strip())
    paragraphs += [_PREFIXES["example"] + example.strip() for example in code.examples]
    return _describe("\n\n".join(p for p in paragraphs if p), id=code.id, kind=code.kind,
                     scope=code.scope)


def _describe(text: str, **fields: str | None) -> str:
    trailer = "; ".join(f"{key}={value}" for key, value in fields.items() if value)
    return "\n\n".join(part for part in (text.strip(), TRAILER + trailer if trailer else "") if part)


# --------------------------------------------------------------------------- import

def parse_description(text: str) -> dict[str, object]:
    """Split a description written by :func:`_code_description` back into its fields.

    A description from another tool is all definition; fields absent are absent from the
    result.
    """
    fields: dict[str, object] = {}
    rest, examples = [], []
    for paragraph in re.split(r"\n\s*\n", text.strip()) if text.strip() else []:
        if paragraph.startswith(TRAILER):
            for item in paragraph[len(TRAILER):].split(";"):
                key, _, value = item.strip().partition("=")
                if key and value:
                    fields[key] = value
        elif paragraph.startswith(_PREFIXES["include"]):
            fields["include"] = paragraph[len(_PREFIXES["include"]):]
        elif paragraph.startswith(_PREFIXES["exclude"]):
            fields["exclude"] = paragraph[len(_PREFIXES["exclude"]):]
        elif paragraph.startswith(_PREFIXES["example"]):
            examples.append(paragraph[len(_PREFIXES["example"]):])
        else:
            rest.append(paragraph)
    fields["text"] = "\n\n".join(rest)
    if examples:
        fields["examples"] = examples
    return fields


@dataclass
class ImportReport:
    """What an import read, wrote, could not map, and what it filled in by default."""

    source: str
    origin: str = ""
    read: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    not_imported: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"# Import of {self.source}", ""]
        if self.origin:
            lines += [f"Written by: {self.origin}", ""]
        lines += ["## Read", *(f"- {k}: {v}" for k, v in self.read.items()), "",
                  "## Written", *(f"- {k}: {v}" for k, v in self.written.items()), ""]
        for title, items in (("Not imported", self.not_imported),
                             ("Filled in by default (check and edit)", self.defaults),
                             ("To fix before analysis", self.to_check)):
            lines += [f"## {title}", *(f"- {item}" for item in items or ["nothing"]), ""]
        return "\n".join(lines)


@dataclass(frozen=True)
class SourceJob:
    """One text source to convert, with what it needs (picklable for map_documents)."""

    interview_id: str
    source: TextSource
    codes: dict[str, str]
    coders: dict[str, str]
    notes: dict[str, str]
    default_user: str | None


@dataclass(frozen=True)
class SourceResult:
    interview_id: str
    stored: str
    rows: list[dict]
    problems: list[str]
    used_notes: set[str]


def convert_source(job: SourceJob) -> SourceResult:
    """Coding rows of one source, offsets converted to thematic's normalised text."""
    source, text = job.source, job.source.text or ""
    endings = LineEndings(text)
    rows, problems, used = [], [], set()
    uncoded, unknown = 0, Counter()
    for selection in source.selections:
        if not 0 <= selection.start < selection.end <= len(text):
            problems.append(f"source '{source.name}': selection {selection.name or selection.guid} "
                            f"({selection.start}-{selection.end}) lies outside its text of "
                            f"{len(text)} characters; not imported.")
            continue
        if not selection.codings:
            uncoded += 1
            continue
        start, end = endings.to_normalised(selection.start), endings.to_normalised(selection.end)
        for coding in selection.codings:
            code = job.codes.get(coding.code)
            if code is None:
                unknown[coding.code] += 1
                continue
            user = coding.user or selection.user or source.user or job.default_user
            note_ids = [n for n in (*coding.notes, *selection.notes) if n in job.notes]
            used.update(note_ids)
            memo = "\n\n".join(job.notes[n] for n in note_ids) or selection.description
            rows.append({"interview_id": job.interview_id, "start": start, "end": end, "code": code,
                         "coder": job.coders.get(user or "", "unknown_coder"), "memo": memo.strip()})
    for code, count in sorted(unknown.items()):
        problems.append(f"source '{source.name}': {count} coding(s) refer to code {code}, which is "
                        "not a codable code of the codebook; not imported.")
    if uncoded:
        problems.append(f"source '{source.name}': {uncoded} selection(s) without any code; "
                        "thematic stores codings, not bare selections; not imported.")
    return SourceResult(job.interview_id, text, rows, problems, used)


def project_to_files(project: Project, *, source: str, n_jobs: int = 1) -> tuple[dict[str, bytes], ImportReport]:
    """The files of a data folder (relative path -> bytes) for *project*, and the report."""
    from thematic.parallel import map_documents

    report = ImportReport(source=source, origin=project.origin, read=project.counts())
    report.not_imported += project.problems
    for other in project.other_sources:
        report.not_imported.append(
            f"{other.kind} '{other.name}': {other.selections} selection(s), {other.codings} "
            "coding(s); thematic analyses plain text only.")
    files: dict[str, bytes] = {}
    coders = _unique_ids({u.guid: u.name for u in project.users}, pattern="[^a-z0-9_]+", sep="_",
                         fallback="coder")
    codebook, code_ids = project_codebook(project, report=report)
    files["codebook.yaml"] = dump_codebook(codebook)
    interview_ids = _unique_ids({s.guid: s.name for s in project.sources}, pattern="[^A-Za-z0-9_-]+",
                                sep="-", fallback="source", lower=False)
    notes = {n.guid: n.text for n in project.notes}
    default_user = project.users[0].guid if len(project.users) == 1 else None
    jobs = [SourceJob(interview_ids[s.guid], s, code_ids, coders, notes, default_user)
            for s in project.sources]
    results = map_documents(convert_source, jobs, n_jobs=n_jobs)
    rows, used_notes = [], set()
    for result in results:
        files[f"raw/{result.interview_id}.txt"] = result.stored.encode("utf-8")
        files[f"deidentified/{result.interview_id}.txt"] = result.stored.encode("utf-8")
        rows += result.rows
        report.not_imported += result.problems
        used_notes |= result.used_notes
    if any(r["coder"] == "unknown_coder" for r in rows):
        report.defaults.append("codings without a creating user were given coder 'unknown_coder'.")
    by_coder = defaultdict(list)
    for row in rows:
        by_coder[row["coder"]].append(row)
    for coder, coder_rows in sorted(by_coder.items()):
        coder_rows.sort(key=lambda r: (r["interview_id"], r["start"], r["end"], r["code"]))
        files[f"codings/{coder}.csv"] = _csv([*CODING_COLUMNS, "memo"], coder_rows)
    participants, interviews = _cases(project, interview_ids, report)
    files["participants.csv"] = _csv(list(participants[0]) if participants else list(PARTICIPANT_COLUMNS),
                                     participants)
    files["interviews.csv"] = _csv(list(interviews[0]) if interviews else list(INTERVIEW_COLUMNS),
                                   interviews)
    free = [n for n in project.notes if n.guid not in used_notes]
    memo_names = _unique_ids({n.guid: n.name for n in free}, pattern="[^A-Za-z0-9_-]+", sep="-",
                             fallback="memo", lower=False)
    for note in free:
        files[f"memos/{memo_names[note.guid]}.txt"] = note.text.encode("utf-8")
    if free:
        report.not_imported.append(f"{len(free)} note(s) not attached to a coding were written to "
                                   "memos/ as text; thematic's analysis does not read them.")
    _report_sets(project, report)
    report.written = {"interviews (raw/ and deidentified/)": len(results),
                      "participants": len(participants),
                      "themes": len(codebook.themes), "codes": len(codebook.code_ids),
                      "coders": len(by_coder), "codings": len(rows), "memos": len(free)}
    report.to_check.append("Imported texts are the tool's sources as they were: if they are not "
                           "de-identified yet, run thematic's de-identification on raw/ before "
                           "analysis (deidentified/ holds an unmodified copy).")
    return files, report


def project_codebook(project: Project, *, report: ImportReport | None = None) -> tuple[Codebook, dict[str, str]]:
    """Our two-level codebook from a code tree of any depth, and code GUID -> code id.

    Top-level codes with children (or not codable) become themes; every codable code below
    becomes a code of that theme (deeper levels are flattened). Codable top-level codes
    without children go under a generated theme.
    """
    report = report or ImportReport(source="")
    themes, code_ids, used_ids = [], {}, set()
    ungrouped = []
    no_kind = flattened = 0
    meta = parse_description(project.description)
    theme_ids = set()

    def make_code(code: Code, theme_scope: str | None) -> dict:
        nonlocal no_kind
        fields = parse_description(code.description)
        ident = _free_id(str(fields.get("id") or ""), code.name, used_ids)
        code_ids[code.guid] = ident
        kind = fields.get("kind")
        if kind not in ("activity", "barrier", "facilitator"):
            no_kind += 1
            kind = "activity"
        entry = {"id": ident, "label": code.name or ident, "kind": kind,
                 "definition": fields["text"]}
        for key in ("include", "exclude"):
            if fields.get(key):
                entry[key] = fields[key]
        if fields.get("examples"):
            entry["examples"] = fields["examples"]
        if fields.get("scope") and fields["scope"] != theme_scope:
            entry["scope"] = str(fields["scope"])
        return entry

    for top in project.codes:
        if not top.children and top.codable:
            ungrouped.append(top)
            continue
        fields = parse_description(top.description)
        scope = str(fields["scope"]) if fields.get("scope") else None  # none: the theme applies to every group
        theme_id = str(fields.get("id") or f"T{len(themes) + 1}")
        while theme_id in theme_ids:
            theme_id = f"{theme_id}_"
        theme_ids.add(theme_id)
        codes = []
        for code, parents in top.walk():
            if code is top and not code.codable:
                continue
            if len(parents) > 1:
                flattened += 1
            if code.codable:
                codes.append(make_code(code, scope))
        themes.append({"id": theme_id, "name": top.name, "scope": scope,
                       "description": fields["text"], "codes": codes})
    if ungrouped:
        themes.append({"id": UNGROUPED_THEME, "name": "Codes without a theme", "scope": None,
                       "description": "Generated on import: top-level codes that had no sub-codes.",
                       "codes": [make_code(code, None) for code in ungrouped]})
        report.defaults.append(f"{len(ungrouped)} top-level code(s) without sub-codes were put under "
                               f"the generated theme '{UNGROUPED_THEME}' (no scope: every group).")
    if no_kind:
        report.defaults.append(f"{no_kind} code(s) had no thematic kind; set to 'activity'.")
    if flattened:
        report.defaults.append(f"{flattened} code(s) nested more than one level below their theme "
                               "were listed directly under it (thematic codebooks have two levels).")
    for code, _ in project.all_codes():
        if not code.codable and code.children and code not in project.codes:
            report.defaults.append(f"code group '{code.name}' (not codable) was dropped; its "
                                   "sub-codes were kept under the theme.")
    data = {"title": project.name or "Imported codebook",
            "description": meta["text"] or f"Imported from {project.origin or 'a REFI-QDA file'}.",
            "version": str(meta.get("version") or "1"), "themes": themes}
    for theme in data["themes"]:
        if not theme["description"]:
            del theme["description"]
    return parse_codebook(data, source="imported codebook"), code_ids


def dump_codebook(codebook: Codebook) -> bytes:
    """codebook.yaml, fields in the order people read them, empty optional fields left out."""
    def theme_dict(theme: Theme) -> dict:
        out = {"id": theme.id, "name": theme.name, **({"scope": theme.scope} if theme.scope else {})}
        if theme.description:
            out["description"] = theme.description
        out["codes"] = [
            {key: (list(value) if isinstance(value, tuple) else value)
             for key, value in code.model_dump().items()
             if key in ("id", "label", "kind", "definition") or value not in ("", (), None)}
            for code in theme.codes]
        return out

    data = {"title": codebook.title, "description": codebook.description, "version": codebook.version,
            "themes": [theme_dict(theme) for theme in codebook.themes]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def _cases(project: Project, interview_ids: dict[str, str], report: ImportReport) -> tuple[list[dict], list[dict]]:
    """participants.csv and interviews.csv rows from cases, variables and sources."""
    names = {v.guid: _column(v.name) for v in project.variables}
    # a case variable 'participant_id' (e.g. NVivo's "Participant ID") names the participant
    case_ids = _unique_ids({c.guid: {names.get(var, var): value for var, value in c.values}
                            .get("participant_id") or c.name for c in project.cases},
                           pattern="[^A-Za-z0-9_-]+", sep="-", fallback="case", lower=False)
    participant_of: dict[str, str] = {}
    participants: dict[str, dict] = {}
    interview_defaults: dict[str, dict] = {}
    for case in project.cases:
        pid = case_ids[case.guid]
        values = {names.get(var, var): value for var, value in case.values}
        row = {**{k: v for k, v in values.items() if k not in INTERVIEW_VARIABLE_TYPES},
               "participant_id": pid}
        participants[pid] = row
        for source in case.sources:
            if source not in interview_ids:
                continue
            if source in participant_of:
                report.defaults.append(f"source '{interview_ids[source]}' belongs to cases "
                                       f"'{participant_of[source]}' and '{pid}'; kept with the first.")
                continue
            participant_of[source] = pid
            interview_defaults[source] = {k: v for k, v in values.items() if k in INTERVIEW_VARIABLE_TYPES}
    interviews, missing = [], Counter()
    for source in project.sources:
        iid = interview_ids[source.guid]
        if source.guid not in participant_of:
            participants[iid] = {"participant_id": iid}
            participant_of[source.guid] = iid
            missing["case"] += 1
        values = {**interview_defaults.get(source.guid, {}),
                  **{names.get(var, var): value for var, value in source.values}}
        person = participants[participant_of[source.guid]]
        for key in ("group", "role", "label"):
            if key in values and not person.get(key):
                person[key] = values.pop(key)
        row = {"interview_id": iid, "participant_id": participant_of[source.guid]}
        for column, default in (("wave", "1"), ("date", (source.created or "")[:10] or PLACEHOLDER_DATE),
                                ("duration_min", "0")):
            if not values.get(column):
                missing[column] += 1
            row[column] = values.pop(column, "") or default
        row["transcript"] = f"raw/{iid}.txt"
        for key, value in values.items():
            row[key if key not in person and key not in row else f"source_{key}"] = value
        interviews.append(row)
    for row in participants.values():
        for column in ("group", "role"):
            if not row.get(column):
                row[column] = UNSPECIFIED
                missing[column] += 1
    for what, count in sorted(missing.items()):
        if what == "case":
            report.defaults.append(f"{count} source(s) belong to no case: each became a participant "
                                   f"of its own (group and role '{UNSPECIFIED}').")
        elif what in ("group", "role"):
            report.defaults.append(f"{count} participant(s) had no '{what}' variable: set to "
                                   f"'{UNSPECIFIED}' in participants.csv.")
        else:
            default = {"wave": "1", "date": f"the source's creation date or {PLACEHOLDER_DATE}",
                       "duration_min": "0"}[what]
            report.defaults.append(f"{count} interview(s) had no '{what}' variable: set to {default} "
                                   "in interviews.csv.")
    order = [names[v.guid] for v in project.variables]
    return (_complete(list(participants.values()), first=PARTICIPANT_COLUMNS, order=order),
            _complete(interviews, first=INTERVIEW_COLUMNS, order=order))


def _report_sets(project: Project, report: ImportReport) -> None:
    """Report sets that are not simply a theme and its codes (as thematic writes them)."""
    tree = {code.guid: {child.guid for child, _ in code.walk() if child is not code}
            for code in project.codes}
    names = {code.guid: code.name for code in project.codes}
    for code_set in project.sets:
        mirrors = any(names[g] == code_set.name and members == set(code_set.member_codes)
                      for g, members in tree.items())
        if not mirrors:
            report.not_imported.append(f"set '{code_set.name}' ({len(code_set.member_codes)} "
                                       "member(s)): thematic groups codes by theme only.")


def _complete(rows: list[dict], *, first: tuple[str, ...], order: list[str]) -> list[dict]:
    """Rows with the same columns: *first*, then those in *order*, then any others."""
    present = {key for row in rows for key in row}
    columns = list(first) + [c for c in order if c in present and c not in first]
    for row in rows:
        columns += [key for key in row if key not in columns]
    return [{column: row.get(column, "") for column in columns} for row in rows]


def _csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = stringio.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _column(name: str) -> str:
    return _slug(name, pattern="[^a-z0-9_]+", sep="_") or "variable"


def _slug(name: str, *, pattern: str, sep: str, lower: bool = True) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = ascii_name.lower() if lower else ascii_name
    return re.sub(pattern, sep, ascii_name).strip(sep)


def _unique_ids(names: dict[str, str], *, pattern: str, sep: str, fallback: str,
                lower: bool = True) -> dict[str, str]:
    """GUID -> a file- and id-safe name, made unique with a numeric suffix."""
    out, used = {}, set()
    for key, name in names.items():
        base = _slug(name, pattern=pattern, sep=sep, lower=lower) or fallback
        ident, n = base, 1
        while ident.lower() in used:
            n += 1
            ident = f"{base}{sep}{n}"
        used.add(ident.lower())
        out[key] = ident
    return out


def _free_id(wanted: str, name: str, used: set[str]) -> str:
    """A code id matching ``^[a-z][a-z0-9_]*$`` not yet in *used* (which it is added to)."""
    base = wanted if re.fullmatch(r"[a-z][a-z0-9_]*", wanted) else _slug(name, pattern="[^a-z0-9_]+", sep="_")
    if not base or not base[0].isalpha():
        base = f"code_{base}" if base else "code"
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}_{n}"
    used.add(ident)
    return ident
