"""``thematic qdpx export`` and ``thematic qdpx import``: the file-level operations.

Export loads and validates a data folder, builds a project and writes a ``.qdpx`` (or the
codebook alone as ``.qdc``) atomically. Import reads a ``.qdpx``/``.qdc`` safely, converts it
and writes a new data folder through a temporary folder swapped in at the end, so a failed
import leaves nothing behind and never half-overwrites an existing folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from thematic import folders, io
from thematic.codebook import parse_codebook
from thematic.dataset import load_dataset
from thematic.disclosure import Screen
from thematic.study import Study
from thematic.errors import DataError, Errors
from thematic.parallel import map_documents
from thematic.refi.archive import PROJECT_MEMBER, Limits, read_archive, write_archive
from thematic.refi.codes import codebook_to_codes, dump_codebook, project_codebook
from thematic.refi.model import Project
from thematic.refi.read import read_codebook, read_project
from thematic.refi.report import ImportReport
from thematic.refi.to_folder import project_to_files
from thematic.refi.to_project import dataset_to_project
from thematic.refi.write import codebook_xml, project_xml, source_member

REPORT_NAME = "import-report.md"
MAX_CODEBOOK_BYTES = 64 * 1024 * 1024
#: Validation problems listed in the import report (the rest are counted).
MAX_LISTED = 20


def export_refi(data_dir: str | os.PathLike, output: str | os.PathLike, *, n_jobs: int = 1,
                variables: Iterable[str] | None = None) -> Project:
    """Write the data folder *data_dir* as a ``.qdpx`` project or ``.qdc`` codebook (by suffix).

    Only de-identified texts are exported and the folder must validate first; a ``.qdc``
    needs only a valid ``codebook.yaml``. *variables* names the participants.csv columns to
    export as case variables, and interviews.csv columns other than wave, date and duration
    (None: the stakeholder group only). Familiarisation memos (``memos/<interview_id>.md``)
    are exported with their interviews. Everything a person wrote that the file carries
    (memos, coding memos, the codebook's text) passes the de-identifier first, as in a report
    (:mod:`thematic.disclosure`).
    """
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise DataError(Errors.E700.format(path=output, suffix=output.suffix))
    if suffix == ".qdc":
        study = Study(data_dir)
        book = study.codebook_file
        if not book.exists():
            raise DataError(Errors.E714.format(path=book, detail="no codebook.yaml to export."))
        codebook = parse_codebook(io.read_yaml(book), source=str(book))
        codebook = Screen.for_study(study, codebook=codebook).codebook(codebook)
        project = Project(name=codebook.title, origin=_origin())
        project.codes, project.sets = codebook_to_codes(codebook)
        io.write_bytes(output, codebook_xml(project))
        return project
    dataset = load_dataset(data_dir).for_publication()
    ids = list(dataset.texts)
    stored = dict(zip(ids, map_documents(io.read_text_verbatim,
                                         [dataset.deidentified_path(i) for i in ids],
                                         n_jobs=n_jobs), strict=True))
    for iid in ids:
        if len(stored[iid]) - stored[iid].count("\r\n") != len(dataset.texts[iid]):
            raise DataError(Errors.E714.format(path=dataset.deidentified_path(iid),
                                               detail="stored and normalised text differ in length."))
    written = [iid for iid in ids if dataset.study.memo_path(iid).is_file()]
    masked = dataset.screen.mask_all([io.read_text(dataset.study.memo_path(i)) for i in written], interview_ids=written)
    memos = dict(zip(written, masked, strict=True))
    project = dataset_to_project(dataset, stored_texts=stored, memos=memos, variables=variables)
    members = {PROJECT_MEMBER: project_xml(project)}
    members.update({source_member(s): (s.text or "").encode("utf-8") for s in project.sources})
    members.update({source_member(n): n.text.encode("utf-8") for n in project.notes if n.member})
    write_archive(output, members)
    return project


def read_refi(path: str | os.PathLike, *, limits: Limits | None = None) -> Project:
    """A Project from a ``.qdpx`` (safely unpacked) or ``.qdc`` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        members = read_archive(path, limits=limits)
        return read_project(members.pop(PROJECT_MEMBER), members=members, path=str(path))
    if suffix == ".qdc":
        if not path.is_file():
            raise DataError(Errors.E001.format(path=path, hint="Give the path of a .qdc file."))
        size = path.stat().st_size
        if size > MAX_CODEBOOK_BYTES:
            raise DataError(Errors.E704.format(path=path, what="the codebook", size=size,
                                               limit=MAX_CODEBOOK_BYTES))
        project = read_codebook(path.read_bytes(), path=str(path), member="the codebook")
        project.name = path.stem
        return project
    raise DataError(Errors.E700.format(path=path, suffix=path.suffix))


def import_refi(path: str | os.PathLike, output_dir: str | os.PathLike, *, force: bool = False,
                n_jobs: int = 1, limits: Limits | None = None, deidentified: bool = False) -> ImportReport:
    """Import a ``.qdpx`` project into a new data folder, or a ``.qdc`` codebook into a folder.

    A project import writes participants.csv, interviews.csv, the texts, codebook.yaml,
    codings/<coder>.csv, memos/ and ``import-report.md``; a codebook import writes
    codebook.yaml and the report. Existing content is replaced only with *force*.

    The texts go to ``raw/`` only: a QDA tool usually holds identifiable transcripts, so they
    wait for ``thematic deidentify`` (``validate`` says so, no analysis reads them, and the
    codings, on the raw text, are moved onto the de-identified text when it is written). With
    *deidentified* (the user says the tool held de-identified texts) they are also written to
    ``deidentified/`` as they are.
    """
    path, target = Path(path), Path(output_dir)
    project = read_refi(path, limits=limits)
    folders.restore_interrupted(target)  # a folder an interrupted import left aside counts as there
    if target.exists() and not target.is_dir():
        raise DataError(Errors.E716.format(path=target))
    if path.suffix.lower() == ".qdc":
        return _import_codebook(project, path=path, target=target, force=force)
    if target.exists() and not force and (target.is_symlink() or any(target.iterdir())):
        raise DataError(Errors.E713.format(path=target))
    files, report = project_to_files(project, source=str(path), n_jobs=n_jobs, deidentified=deidentified)
    if not deidentified:
        report.to_check.append(Errors.E341.format(path=target))
    with folders.owned_output(target, kind="data folder") as staging:
        io.write_tree(staging.path, files)
        _check(staging.path, target, report)
        io.write_text(staging.path / REPORT_NAME, report.text())
    return report


def _import_codebook(project: Project, *, path: Path, target: Path, force: bool) -> ImportReport:
    report = ImportReport(source=str(path), origin=project.origin, read=project.counts())
    report.not_imported += project.problems
    codebook, _ = project_codebook(project, report=report)
    destination = target / "codebook.yaml"
    if destination.exists() and not force:
        raise DataError(Errors.E713.format(path=destination))
    report.written = {"themes": len(codebook.themes), "codes": len(codebook.code_ids)}
    io.write_bytes(destination, dump_codebook(codebook))
    io.write_text(target / REPORT_NAME, report.text())
    return report


def _check(staging: Path, target: Path, report: ImportReport) -> None:
    """Validate the imported folder as thematic will; list what to fix in the report."""
    try:
        load_dataset(staging, require_deidentified=False)
    except DataError as error:
        problems = [p.replace(str(staging), str(target)) for p in error.problems]
        report.to_check += problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            report.to_check.append(f"... and {len(problems) - MAX_LISTED} more: run "
                                   f"'thematic validate {target}' for the full list.")


def _origin() -> str:
    from thematic import __version__

    return f"thematic {__version__}"
