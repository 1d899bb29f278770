"""A REFI-QDA :class:`~thematic.refi.model.Project` as the files of a data folder, with a report
of everything that was not imported as it was stored.

Pure functions: :func:`project_to_files` returns relative path -> bytes and the
:class:`~thematic.refi.report.ImportReport`; :mod:`thematic.refi.exchange` writes them.

- Interview ids are the source names, a document suffix dropped (``interview1.txt`` ->
  ``interview1``); other characters than letters, digits, ``-`` and ``_`` become ``-``, and
  names that give the same id get ``-2``, ``-3``: both are reported.
- Positions are checked against the text each selection names and converted from the
  convention the tool used (:func:`~thematic.refi.offsets.detect_convention`); a conversion is
  reported, and so is a source whose names no convention explains.
- Coding memos are the notes of the coding and selection and the selection's description,
  each text once. A source's description and the notes it references become its
  familiarisation memo ``memos/<interview_id>.md``; other notes are written to ``memos/`` as
  text, a note repeating a source's memo once.
"""

from __future__ import annotations

import csv
import io as stringio
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from thematic import io
from thematic import study as layout
from thematic.dataset import CODING_COLUMNS, text_hash
from thematic.refi.cases import INTERVIEW_COLUMNS, MAX_EXAMPLES, PARTICIPANT_COLUMNS, case_tables
from thematic.refi.codes import dump_codebook, project_codebook
from thematic.refi.ids import ID_PATTERN, strip_suffix, unique_ids
from thematic.refi.model import Project, TextSource
from thematic.refi.offsets import (
    STANDARD,
    LineEndings,
    Positions,
    ambiguous,
    detect_convention,
)
from thematic.refi.report import ImportReport


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
    converted: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)


def convert_source(job: SourceJob) -> SourceResult:
    """Coding rows of one source, offsets converted to thematic's normalised text."""
    source, text = job.source, job.source.text or ""
    endings = LineEndings(text)
    rows, problems, used, converted, to_check = [], [], set(), [], []
    uncoded, unknown = 0, Counter()
    positions = Positions(text, STANDARD)
    if ambiguous(text) and source.selections:
        detection = detect_convention(text, [(s.start, s.end, s.name) for s in source.selections])
        positions = Positions(text, detection.convention)
        if detection.convention is not STANDARD:
            converted.append(f"source '{source.name}': positions counted as {detection.convention.name}, "
                             f"not as the standard's code points: the text each of "
                             f"{detection.matches[detection.convention.name]} of {detection.checked} "
                             "checked selection(s) names is there; positions converted.")
        if detection.conflict or (detection.decided and detection.unexplained):
            to_check.append(f"source '{source.name}': {detection.unexplained} of {detection.checked} "
                            f"selection(s) do not hold the text they name under any one convention; "
                            f"imported as {detection.convention.name}. Check their spans in the tool.")
        elif not detection.decided:
            to_check.append(f"source '{source.name}': its text has Windows line breaks or characters "
                            "beyond the Basic Multilingual Plane, and no selection names its text, so "
                            "the positions could not be checked: read as the standard says (code "
                            "points of the stored text). Check a few spans.")
    normalised = io.normalise_text(text)
    for selection in source.selections:
        first, last = positions.to_stored(selection.start), positions.to_stored(selection.end)
        if first is None or last is None or not 0 <= first < last <= len(text):
            problems.append(f"source '{source.name}': selection {selection.name[:40] or selection.guid} "
                            f"({selection.start}-{selection.end}) lies outside its text of "
                            f"{len(text)} characters; not imported.")
            continue
        if not selection.codings:
            uncoded += 1
            continue
        start, end = endings.to_normalised(first), endings.to_normalised(last)
        for coding in selection.codings:
            code = job.codes.get(coding.code)
            if code is None:
                unknown[coding.code] += 1
                continue
            user = coding.user or selection.user or source.user or job.default_user
            note_ids = [n for n in (*coding.notes, *selection.notes) if n in job.notes]
            used.update(note_ids)
            texts = [job.notes[n].strip() for n in note_ids] + [selection.description.strip()]
            memo = "\n\n".join(dict.fromkeys(t for t in texts if t))
            rows.append({"interview_id": job.interview_id, "start": start, "end": end, "code": code,
                         "coder": job.coders.get(user or "", "unknown_coder"), "memo": memo,
                         "text_hash": text_hash(normalised[start:end])})
    for code, count in sorted(unknown.items()):
        problems.append(f"source '{source.name}': {count} coding(s) refer to code {code}, which is "
                        "not a codable code of the codebook; not imported.")
    if uncoded:
        problems.append(f"source '{source.name}': {uncoded} selection(s) without any code; "
                        "thematic stores codings, not bare selections; not imported.")
    return SourceResult(job.interview_id, text, rows, problems, used, converted, to_check)


def interview_ids(project: Project, report: ImportReport) -> dict[str, str]:
    """Source GUID -> interview id: the name without a document suffix, made safe and unique."""
    wanted = {s.guid: strip_suffix(s.name) for s in project.sources}
    ids = unique_ids(wanted, pattern=ID_PATTERN, sep="-", fallback="source", lower=False)
    changed = [f"'{s.name}' -> '{ids[s.guid]}'" for s in project.sources if ids[s.guid] != wanted[s.guid]]
    if changed:
        report.converted.append(f"{len(changed)} source name(s) changed to make interview ids (letters, "
                                "digits, '-' and '_'; duplicates numbered): "
                                + ", ".join(changed[:MAX_EXAMPLES])
                                + (" ..." if len(changed) > MAX_EXAMPLES else "")
                                + ".")
    return ids


def project_to_files(project: Project, *, source: str, n_jobs: int = 1,
                     deidentified: bool = False) -> tuple[dict[str, bytes], ImportReport]:
    """The files of a data folder (relative path -> bytes) for *project*, and the report.

    Texts go to ``raw/``, and to ``deidentified/`` too only when the user says they are
    de-identified (*deidentified*): until then they wait for ``thematic deidentify``.
    """
    from thematic.parallel import map_documents

    report = ImportReport(source=source, origin=project.origin, read=project.counts())
    report.not_imported += project.problems
    for other in project.other_sources:
        report.not_imported.append(
            f"{other.kind} '{other.name}': {other.selections} selection(s), {other.codings} "
            "coding(s); thematic analyses plain text only.")
    files: dict[str, bytes] = {}
    coders = unique_ids({u.guid: u.name for u in project.users}, pattern="[^a-z0-9_]+", sep="_",
                        fallback="coder")
    codebook, code_ids = project_codebook(project, report=report)
    files[layout.CODEBOOK] = dump_codebook(codebook)
    ids = interview_ids(project, report)
    notes = {n.guid: n.text for n in project.notes}
    default_user = project.users[0].guid if len(project.users) == 1 else None
    jobs = [SourceJob(ids[s.guid], s, code_ids, coders, notes, default_user) for s in project.sources]
    results = map_documents(convert_source, jobs, n_jobs=n_jobs)
    rows, used_notes = [], set()
    for result in results:
        files[f"raw/{result.interview_id}.txt"] = result.stored.encode("utf-8")
        if deidentified:
            files[f"deidentified/{result.interview_id}.txt"] = result.stored.encode("utf-8")
        rows += result.rows
        report.not_imported += result.problems
        report.converted += result.converted
        report.to_check += result.to_check
        used_notes |= result.used_notes
    if any(r["coder"] == "unknown_coder" for r in rows):
        report.defaults.append("codings without a creating user were given coder 'unknown_coder'.")
    by_coder = defaultdict(list)
    for row in rows:
        by_coder[row["coder"]].append(row)
    for coder, coder_rows in sorted(by_coder.items()):
        coder_rows.sort(key=lambda r: (r["interview_id"], r["start"], r["end"], r["code"]))
        files[f"codings/{coder}.csv"] = _csv([*CODING_COLUMNS, "memo", "text_hash"], coder_rows)
    participants, interviews = case_tables(project, ids, report)
    files[layout.PARTICIPANTS] = _csv(list(participants[0]) if participants else list(PARTICIPANT_COLUMNS),
                                     participants)
    files[layout.INTERVIEWS] = _csv(list(interviews[0]) if interviews else list(INTERVIEW_COLUMNS),
                                   interviews)
    memos, free = _memos(project, ids, used_notes, report)
    files.update(memos)
    _report_code_sets(project, report)
    _report_colours(project, report)
    where = "raw/ and deidentified/" if deidentified else \
        "raw/ only, awaiting de-identification"
    report.written = {f"interviews ({where})": len(results),
                      "participants": len(participants),
                      "themes": len(codebook.themes), "codes": len(codebook.code_ids),
                      "coders": len(by_coder), "codings": len(rows),
                      "familiarisation memos": len(memos) - free, "other memos": free}
    if deidentified:
        report.to_check.append("Imported texts are the tool's sources as they were, copied to deidentified/ "
                               "because the import was told they are de-identified (--deidentified): "
                               "nothing checked that they are.")
    elif project.origin.startswith("thematic"):
        report.to_check.append(f"This project was written by {project.origin}, whose exports hold "
                               "de-identified texts: if it is yours, import again with --deidentified.")
    return files, report


def _memos(project: Project, ids: dict[str, str], used: set[str],
           report: ImportReport) -> tuple[dict[str, bytes], int]:
    """``memos/<interview_id>.md`` from each source's description and referenced notes, and
    ``memos/<name>.txt`` for every other note (a note repeating a source's memo is kept once)."""
    notes = {note.guid: note for note in project.notes}
    files, attached, annotations = {}, set(), 0
    for source in project.sources:
        texts = [source.description.strip()]
        for ref in source.notes:
            if ref in notes:
                attached.add(ref)
                annotations += notes[ref].selections > 0
                texts.append(notes[ref].text.strip())
        memo = "\n\n".join(dict.fromkeys(t for t in texts if t))
        if memo:
            files[f"memos/{ids[source.guid]}.md"] = (memo + "\n").encode("utf-8")
    if annotations:
        report.converted.append(f"{annotations} note(s) on a span of a source (annotations) were added "
                                "to that interview's memo without their span: thematic's memos are "
                                "per interview.")
    kept = {data.decode("utf-8").strip() for data in files.values()}
    free = [n for n in project.notes if n.guid not in used and n.guid not in attached]
    repeats = [n for n in free if n.text.strip() and n.text.strip() in kept]
    others = [n for n in free if n not in repeats]
    names = unique_ids({n.guid: n.name for n in others}, pattern=ID_PATTERN, sep="-", fallback="memo",
                       lower=False)
    for note in others:
        files[f"memos/{names[note.guid]}.txt"] = note.text.encode("utf-8")
    if repeats:
        report.converted.append(f"{len(repeats)} note(s) repeating a source's memo (as thematic exports "
                                "familiarisation memos) were kept once, as memos/<interview>.md.")
    if others:
        report.not_imported.append(f"{len(others)} note(s) attached to no coding or source were written to "
                                   "memos/ as text; thematic's analysis does not read them.")
    return files, len(others)


def _report_code_sets(project: Project, report: ImportReport) -> None:
    """Report sets of codes that are not simply a theme and its codes (as thematic writes them)."""
    tree = {code.guid: {child.guid for child, _ in code.walk() if child is not code}
            for code in project.codes}
    names = {code.guid: code.name for code in project.codes}
    for code_set in project.sets:
        if not code_set.member_codes:
            continue
        mirrors = any(names[g] == code_set.name and members == set(code_set.member_codes)
                      for g, members in tree.items())
        if not mirrors:
            report.not_imported.append(f"set '{code_set.name}' ({len(code_set.member_codes)} "
                                       "code(s)): thematic groups codes by theme only.")


def _report_colours(project: Project, report: ImportReport) -> None:
    coloured = sum(1 for code, _ in project.all_codes() if code.color)
    if coloured:
        report.not_imported.append(f"the colours of {coloured} code(s): thematic colours themes itself.")


def _csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = stringio.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")

