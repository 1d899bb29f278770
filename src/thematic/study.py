"""The one door to a study's data folder: every path named once, every read and write.

A data folder holds::

    study.yaml                 optional settings: groups, order, labels, scopes (thematic.settings)
    participants.csv           participant_id[, group, role, label, any case variables]
    interviews.csv             interview_id, participant_id, transcript[, wave, date,
                               duration_min, interviewer]
    raw/                       transcripts as delivered (read by de-identification only)
    deidentified/<id>.txt      the de-identified text every analysis reads
    known-names.yaml           names the researcher knows (.yml, .csv or .txt also read)
    codebook.yaml              themes and codes, once coding starts
    codings/<coder>.csv        interview_id, start, end, code, coder[, memo, text_hash]
    memos/<id>.md              familiarisation memos
    adjudication.csv           decisions on the coders' disagreements
    deidentification/          review.csv, check.csv and audit/<id>.csv of thematic deidentify
    deidentification-gold.csv  where the identifiers are (a synthetic study's answer key)
    member-check/comments.csv  the member check's comments
    review/                    suggestions-<coder>.csv and next-<coder>.csv for review,
                               review-log.csv of decisions

**Confinement.** Every path that comes from the folder's own files (a transcript path in
``interviews.csv``) or from an id that names a file is checked to lie inside the folder once
links are followed; absolute paths, ``..`` and links leading out are refused with the file and
line. **Crash consistency.** Commands that change several files at once write them in a
:meth:`Study.transaction`: all files are staged inside the folder, a journal is written, and
only then are they renamed into place; a run killed at any point leaves the folder as before,
or (if the journal was written) is finished by the next command that opens the study.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import AfterValidator, Field

from thematic import io
from thematic.errors import DataError, Errors
from thematic.folders import restore_interrupted
from thematic.parameters import Parameter
from thematic.settings import StudySettings, parse_settings

#: Ids that name files: letters, digits, '.', '_' and '-', starting with a letter or digit.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
TRANSACTION = ".thematic-transaction"

# The names of a data folder's files and folders: each named here once. Code that writes a new
# data folder (thematic init, a REFI-QDA import) uses these names; everything else asks a Study.
SETTINGS = "study.yaml"
PARTICIPANTS = "participants.csv"
INTERVIEWS = "interviews.csv"
RAW = "raw"
DEIDENTIFIED = "deidentified"
CODEBOOK = "codebook.yaml"
CODINGS = "codings"
MEMOS = "memos"
KNOWN_NAMES_FILES = ("known-names.yaml", "known-names.yml", "known-names.csv", "known-names.txt")


def check_id(value: str, *, what: str, path: Path | str, line: int | str = "?") -> str:
    """*value* if it is a safe id (it names files), else a DataError naming file and line."""
    if not SAFE_ID.fullmatch(value) or ".." in value:
        raise DataError(Errors.E102.format(path=path, line=line, what=what, value=value))
    return value


def outside_reason(relative: str) -> str | None:
    """Why the path *relative* (given relative to a data folder) would lead outside it, before
    links are followed: empty, absolute, or going up with ``..``; None if none of these."""
    if not relative:
        return "it is empty"
    if Path(relative).is_absolute() or re.match(r"^[A-Za-z]:[\\/]", relative) or relative.startswith("~"):
        return "it is an absolute path"
    if ".." in Path(relative.replace("\\", "/")).parts:
        return "it goes up with '..'"
    return None


class Study:
    """A study's data folder: its paths, settings, and every read and write of its files.

    Parameters
    ----------
    data_dir
        The folder (relative paths from the project root, see :func:`thematic.io.resolve`).

    Raises
    ------
    DataError
        If *data_dir* is not a folder.
    """

    def __init__(self, data_dir: str | os.PathLike):
        if data_dir is None or str(data_dir).strip() == "":
            raise DataError(Errors.E001.format(path="(none)", hint="Set data_dir to your study's data folder."))
        self.root = io.resolve(data_dir)
        restore_interrupted(self.root)  # a folder a killed import left aside is put back first
        if not self.root.is_dir():
            raise DataError(Errors.E001.format(path=self.root, hint="Set data_dir to your study's data folder."))
        self._real_root = self.root.resolve()
        recover(self)

    def __repr__(self) -> str:
        return f"Study({str(self.root)!r})"

    # --- paths: each named once ------------------------------------------------------------

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS

    @property
    def participants_file(self) -> Path:
        return self.root / PARTICIPANTS

    @property
    def interviews_file(self) -> Path:
        return self.root / INTERVIEWS

    @property
    def raw_dir(self) -> Path:
        return self.root / RAW

    @property
    def deidentified_dir(self) -> Path:
        return self.root / DEIDENTIFIED

    @property
    def codebook_file(self) -> Path:
        return self.root / CODEBOOK

    @property
    def codings_dir(self) -> Path:
        return self.root / CODINGS

    @property
    def memos_dir(self) -> Path:
        return self.root / MEMOS

    @property
    def adjudication_file(self) -> Path:
        return self.root / "adjudication.csv"

    @property
    def deidentification_dir(self) -> Path:
        return self.root / "deidentification"

    @property
    def review_file(self) -> Path:
        """The researcher's review of de-identification findings."""
        return self.deidentification_dir / "review.csv"

    @property
    def check_file(self) -> Path:
        """Words left after de-identification for the researcher to mark ``ok`` or ``missed``."""
        return self.deidentification_dir / "check.csv"

    @property
    def gold_file(self) -> Path:
        return self.root / "deidentification-gold.csv"

    @property
    def member_check_dir(self) -> Path:
        return self.root / "member-check"

    @property
    def comments_file(self) -> Path:
        return self.member_check_dir / "comments.csv"

    @property
    def suggestions_dir(self) -> Path:
        return self.root / "review"

    @property
    def suggestions_log(self) -> Path:
        return self.suggestions_dir / "review-log.csv"

    @property
    def known_names_file(self) -> Path | None:
        """The first of ``known-names.yaml/.yml/.csv/.txt`` that exists, or None."""
        return next((self.root / n for n in KNOWN_NAMES_FILES if (self.root / n).is_file()), None)

    def deidentified_path(self, interview_id: str) -> Path:
        return self.deidentified_dir / f"{check_id(interview_id, what='interview_id', path=self.interviews_file)}.txt"

    def audit_path(self, interview_id: str) -> Path:
        return self.deidentification_dir / "audit" / f"{check_id(interview_id, what='interview_id', path=self.interviews_file)}.csv"

    def memo_path(self, interview_id: str) -> Path:
        return self.memos_dir / f"{check_id(interview_id, what='interview_id', path=self.interviews_file)}.md"

    def codings_path(self, coder: str) -> Path:
        return self.codings_dir / f"{check_id(coder, what='coder', path=self.codings_dir)}.csv"

    def next_path(self, coder: str) -> Path:
        """The segments whose coding by *coder* would teach the suggester most (active learning)."""
        return self.suggestions_dir / f"next-{check_id(coder, what='coder', path=self.suggestions_dir)}.csv"

    def suggestions_path(self, coder: str) -> Path:
        return self.suggestions_dir / f"suggestions-{check_id(coder, what='coder', path=self.suggestions_dir)}.csv"

    def coding_files(self) -> list[Path]:
        """The coders' files, ``codings/*.csv``, sorted."""
        return sorted(self.codings_dir.glob("*.csv")) if self.codings_dir.is_dir() else []

    def inside(self, relative: str, *, what: str, source: Path | str, line: int | str = "?") -> Path:
        """The path *relative* names inside the folder, or a DataError if it leads outside.

        Absolute paths, ``..`` and links that resolve outside the folder are refused.
        """
        reason = outside_reason(relative)
        path = self.root / relative
        if reason is None and not path.resolve().is_relative_to(self._real_root):
            reason = "a link leads outside the folder"
        if reason:
            raise DataError(Errors.E101.format(path=source, line=line, what=what, value=relative,
                                               root=self.root, reason=reason))
        return path

    def confine(self, path: str | os.PathLike, *, what: str) -> Path:
        """A path given by a parameter (relative to the folder) confined like :meth:`inside`."""
        return self.inside(str(path), what=what, source="parameter")

    # --- reading -----------------------------------------------------------------------------

    def settings(self) -> StudySettings:
        """The study's settings from ``study.yaml`` (defaults when it is absent)."""
        if not self.settings_file.is_file():
            return StudySettings()
        return parse_settings(io.read_yaml(self.settings_file), source=str(self.settings_file))

    def read_table(self, path: Path, *, required: tuple[str, ...] = ()) -> pd.DataFrame:
        """A CSV of the folder, as strings, with ``_line`` (see :func:`thematic.io.read_csv`)."""
        return io.read_csv(path, required=required)

    def read_text(self, path: Path) -> str:
        """A text file of the folder (UTF-8, line endings normalised)."""
        return io.read_text(path)

    def read_known_names(self, path: Path | None = None):
        """The known names (:class:`thematic.deidentify.KnownNames`) from *path* or the folder's file."""
        from thematic.deidentify import KnownNames, load_known_names

        path = path or self.known_names_file
        return load_known_names(path) if path else KnownNames()

    # --- writing -----------------------------------------------------------------------------

    def check_writable(self, *, command: str, what: str) -> None:
        """Fail now, before any work, if the folder cannot be written (read-only, full, not
        ours): *command* writes *what* into it. Nothing is left behind.

        Raises
        ------
        DataError
            E811, naming the folder, the command and what it writes.
        """
        try:
            handle, probe = tempfile.mkstemp(dir=self.root, prefix=".thematic-probe-")
            os.close(handle)
            os.unlink(probe)
        except OSError as error:
            raise DataError(Errors.E811.format(path=self.root, detail=error.strerror or error,
                                               command=command, what=what)) from None

    def owns(self, path: Path) -> bool:
        """Whether *path* lies inside the folder once links are followed."""
        return Path(path).resolve().is_relative_to(self._real_root)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Stage several files and put them all in place, or none (see the module docstring)."""
        transaction = Transaction(self)
        try:
            yield transaction
        except BaseException:
            transaction.abort()
            raise
        transaction.commit()


class Transaction:
    """Files staged inside the data folder, renamed into place together on :meth:`commit`."""

    def __init__(self, study: Study):
        self.study = study
        self.folder = study.root / TRANSACTION
        if self.folder.exists():
            shutil.rmtree(self.folder)
        (self.folder / "files").mkdir(parents=True)
        self.moves: list[tuple[str, str]] = []

    def write_bytes(self, path: Path, data: bytes) -> Path:
        """Stage *data* for *path* (a file inside the folder)."""
        relative = Path(path).resolve().relative_to(self.study._real_root) if Path(path).is_absolute() \
            else Path(path)
        staged = self.folder / "files" / str(len(self.moves))
        staged.write_bytes(data)
        os.chmod(staged, 0o666 & ~io.umask())
        self.moves.append((staged.name, relative.as_posix()))
        return path

    def write_text(self, path: Path, text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    def write_csv(self, path: Path, frame: pd.DataFrame) -> Path:
        return self.write_bytes(path, io.csv_bytes(frame))

    def commit(self) -> None:
        """Write the journal (the point of no return), then move every staged file into place."""
        for name in os.listdir(self.folder / "files"):
            _fsync(self.folder / "files" / name)
        io.write_text(self.folder / "journal.json", json.dumps({"moves": self.moves}))
        _finish(self.study, self.folder)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def recover(study: Study) -> bool:
    """Finish a transaction a killed command left journaled, or drop one it left unjournaled.

    Called whenever a study is opened; returns whether there was anything to do.
    """
    folder = study.root / TRANSACTION
    if not folder.is_dir() or folder.is_symlink():
        return False
    if (folder / "journal.json").is_file():
        _finish(study, folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return True


def _finish(study: Study, folder: Path) -> None:
    moves = json.loads((folder / "journal.json").read_text(encoding="utf-8"))["moves"]
    for staged_name, relative in moves:
        staged = folder / "files" / staged_name
        target = study.inside(relative, what="transaction target", source=folder / "journal.json")
        if staged.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
    shutil.rmtree(folder, ignore_errors=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


# --- report parameters naming the data folder and files in it -------------------------------------

def _existing_folder(value: str) -> str:
    """A data folder that exists, as an absolute path (relative ones from the project root)."""
    path = io.resolve(value)
    if not path.is_dir():
        raise ValueError(f"must be a folder that exists ({path} is not)")
    if not (path / INTERVIEWS).is_file():
        raise ValueError(f"must be a study's data folder, holding {INTERVIEWS} ({path} has none; "
                         "'thematic init' makes one from a folder of transcripts)")
    return str(path)


def _inside_data_folder(value: str) -> str:
    """A file named relative to the data folder (links are checked when it is opened)."""
    reason = outside_reason(value) if value else None
    if reason:
        raise ValueError(f"must name a file inside the data folder ({reason})")
    return value


#: A file in the data folder named by a parameter ("" where the parameter allows none).
DataFile = Annotated[str, Field(max_length=500), AfterValidator(_inside_data_folder)]
PARAMETERS = (
    Parameter("data_dir", Annotated[str, Field(min_length=1), AfterValidator(_existing_folder)],
              "the study's data folder (relative to the project root, or absolute)",
              record=lambda value: str(io.resolve(value))),
)
