"""Load and validate a study's data folder into DataFrames: the :class:`Dataset` snapshot.

All reading goes through :class:`thematic.study.Study` (the folder's layout is described
there). Only ``interview_id``, ``participant_id`` and ``transcript`` are required in
``interviews.csv`` and only ``participant_id`` in ``participants.csv``; a missing ``wave`` is
wave 1, missing dates and durations are warnings, and tables that need them say so.

Validation collects every problem before raising, each naming file, line and id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from thematic import io
from thematic.codebook import Codebook, parse_codebook
from thematic.errors import DataError, Errors
from thematic.settings import SINGLE_GROUP, StudySettings
from thematic.study import Study, check_id
from thematic.transcripts import parse_turns

if TYPE_CHECKING:
    from thematic.disclosure import Screen

PARTICIPANT_COLUMNS = ("participant_id",)
INTERVIEW_COLUMNS = ("interview_id", "participant_id", "transcript")
OPTIONAL_INTERVIEW_COLUMNS = ("wave", "date", "duration_min", "interviewer")
CODING_COLUMNS = ("interview_id", "start", "end", "code", "coder")
#: The group of participants whose group cell is blank (a study being set up).
UNASSIGNED = "unassigned"
#: Characters of the SHA-256 of a coded span kept with the coding (``text_hash``) to detect drift.
TEXT_HASH_LENGTH = 12


@dataclass
class Dataset:
    """A validated study: metadata tables, de-identified texts, codebook, codings, settings.

    ``participants`` has ``participant_id, group, role, label`` and the study's case
    variables; ``interviews`` has ``interview_id, participant_id, transcript, wave, date,
    duration_min, interviewer`` joined with the participant's columns.
    """

    study: Study
    participants: pd.DataFrame
    interviews: pd.DataFrame
    texts: dict[str, str]
    settings: StudySettings = field(default_factory=StudySettings)
    codebook: Codebook | None = None
    codings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=[*CODING_COLUMNS, "memo"]))
    not_deidentified: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Set by :meth:`for_publication`: what masks text before it is published.
    screen: Screen | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        return self.study.root

    @property
    def has_codebook(self) -> bool:
        return self.codebook is not None

    @property
    def has_codings(self) -> bool:
        return self.codebook is not None and not self.codings.empty

    @property
    def coders(self) -> list[str]:
        return sorted(self.codings["coder"].unique())

    @property
    def groups(self) -> list[str]:
        """The stakeholder groups present, in the study's order."""
        return self.settings.order(self.participants["group"])

    @property
    def scopes(self) -> dict[str, str | None]:
        """The codebook scope of each group (None: every theme applies)."""
        return self.settings.scopes(self.groups)

    @property
    def has_dates(self) -> bool:
        return bool(self.interviews["date"].notna().any())

    @property
    def has_durations(self) -> bool:
        return bool(self.interviews["duration_min"].notna().any())

    @property
    def waves(self) -> list[int]:
        return sorted(int(w) for w in self.interviews["wave"].unique())

    def inventory(self) -> pd.DataFrame:
        """What the data folder holds, for the report: one row per kind of input."""
        rows = [
            ("participants", len(self.participants), "participants.csv"),
            ("stakeholder groups", len(self.groups), "participants.csv"),
            ("interviews", len(self.interviews), "interviews.csv"),
            ("waves", len(self.waves), "interviews.csv"),
            ("de-identified transcripts", len(self.texts), "deidentified/"),
            ("interviews awaiting de-identification", len(self.not_deidentified), "raw/"),
            ("themes in codebook", len(self.codebook.themes) if self.codebook else 0, "codebook.yaml"),
            ("codes in codebook", len(self.codebook.code_ids) if self.codebook else 0, "codebook.yaml"),
            ("coders", len(self.coders), "codings/"),
            ("coded spans", len(self.codings), "codings/"),
        ]
        return pd.DataFrame(rows, columns=["item", "count", "source"])

    def deidentified_path(self, interview_id: str) -> Path:
        return self.study.deidentified_path(interview_id)

    @property
    def published(self) -> bool:
        """Whether this is the study as a report may show it (see :meth:`for_publication`)."""
        return self.screen is not None

    def publication_screen(self, *, model: str = "en_core_web_sm") -> Screen:
        """The screen text of this study passes before it is published (:mod:`thematic.disclosure`):
        its known names, the de-identifier's recognizers, and as vocabulary its codebook's names,
        the participants' attribution labels and roles and the groups' names."""
        if self.screen is None:
            from thematic.disclosure import Screen

            groups = [name for g in self.groups for name in (g, self.settings.label(g), self.settings.plural(g))]
            labels = [*self.participants["label"], *self.participants["role"], *groups]
            return Screen.for_study(self.study, model=model, codebook=self.codebook, vocabulary=labels)
        return self.screen

    def for_publication(self, *, model: str = "en_core_web_sm") -> Dataset:
        """This study as a report or an export may show it: the codebook's prose and the coding
        memos de-identified, its names and labels and the participants' attribution labels and
        roles checked for identifiers (:mod:`thematic.disclosure`).

        Transcripts are already de-identified; the analysis is unchanged (codings keep their
        spans). Never write a published dataset back into the data folder: its memos and
        codebook are no longer the researcher's own words.
        """
        if self.screen is not None:
            return self
        screen = self.publication_screen(model=model)
        participants, interviews = self.participants.copy(), self.interviews.copy()
        for frame in (participants, interviews):
            for column in ("label", "role"):
                frame[column] = frame[column].map(screen.check)
        return replace(self, participants=participants, interviews=interviews,
                       codebook=screen.codebook(self.codebook) if self.codebook else None,
                       codings=screen.codings(self.codings), screen=screen)


def load_dataset(data_dir: str | Path | Study, *, require_deidentified: bool = True) -> Dataset:
    """Load and validate the data folder *data_dir* (relative paths from the project root).

    Parameters
    ----------
    data_dir
        The study's data folder, or a :class:`~thematic.study.Study`.
    require_deidentified
        If False, interviews without a de-identified text are listed in
        ``Dataset.not_deidentified`` instead of being an error (used before de-identification).

    Raises
    ------
    DataError
        Listing every problem found, each with file, line and id.
    """
    study = data_dir if isinstance(data_dir, Study) else Study(data_dir)
    problems: list[str] = []
    warnings: list[str] = []
    settings = _settings(study, problems)
    participants = _participants(study, settings, problems, warnings)
    interviews = _interviews(study, participants, problems, warnings)
    texts, missing = {}, []
    # With participants or interviews unreadable, the texts are unknown: codings are then
    # checked for their columns and codes only (one bad line is not reported once per coding).
    texts_known = not problems
    for interview_id in interviews["interview_id"] if texts_known else []:
        path = study.deidentified_path(interview_id)
        if not path.exists():
            missing.append(interview_id)
            continue
        try:
            texts[interview_id] = study.read_text(path)
            parse_turns(texts[interview_id], source=str(path))
        except DataError as error:
            problems += error.problems
    if missing and require_deidentified:
        problems.append(Errors.E008.format(
            path=study.deidentified_dir,
            detail=f"no de-identified text for {', '.join(missing)}. Run 'thematic deidentify' "
                   "or notebook 00-prepare first."))
    codebook = None
    if study.codebook_file.exists():
        try:
            codebook = parse_codebook(io.read_yaml(study.codebook_file), source=str(study.codebook_file))
        except DataError as error:
            problems += error.problems
    codings = _codings(study, texts if texts_known else None, codebook, problems,
                       waiting=set(missing), warnings=warnings)
    if problems:
        raise DataError(problems)
    warnings += _ids_naming_someone(study, participants, interviews)
    if settings.groups:
        unused = [g.id for g in settings.groups if g.id not in set(participants["group"])]
        if unused:
            warnings.append(Errors.W102.format(path=study.settings_file, groups=unused))
    return Dataset(study=study, participants=participants, interviews=interviews, texts=texts,
                   settings=settings, codebook=codebook, codings=codings, not_deidentified=missing,
                   warnings=warnings)


def _settings(study: Study, problems: list[str]) -> StudySettings:
    try:
        return study.settings()
    except DataError as error:
        problems += error.problems
        return StudySettings()


def _participants(study: Study, settings: StudySettings, problems: list[str],
                  warnings: list[str]) -> pd.DataFrame:
    path = study.participants_file
    frame = study.read_table(path, required=PARTICIPANT_COLUMNS)
    grouping = settings.grouping
    if grouping not in frame.columns:
        if grouping != "group" or "group" in frame.columns:
            problems.append(Errors.E105.format(path=path, column=grouping, settings=study.settings_file,
                                               columns=[c for c in frame.columns if c != "_line"]))
        frame["group"] = SINGLE_GROUP
    elif grouping != "group":
        frame["group"] = frame[grouping]
    for column in ("role", "label"):
        if column not in frame.columns:
            frame[column] = ""
    _check_ids(frame, "participant_id", path, problems)
    blank = frame["group"] == ""
    if blank.any():
        warnings.append(Errors.W103.format(path=path, column=grouping, count=int(blank.sum()),
                                           examples=_short(list(frame.loc[blank, "participant_id"]), 4),
                                           group=UNASSIGNED))
        frame.loc[blank, "group"] = UNASSIGNED
    numbers = frame.groupby("group").cumcount() + 1
    default = frame["group"].map(settings.label)
    frame["label"] = frame["label"].where(frame["label"] != "", default + " " + numbers.astype(str))
    front = ["participant_id", "group", "role", "label"]
    return frame[front + [c for c in frame.columns if c not in front]]


def _ids_naming_someone(study: Study, participants: pd.DataFrame, interviews: pd.DataFrame) -> list[str]:
    """Warnings (E343) for participant and interview ids holding a known name: a file name
    someone chose ("Jane Smith.docx") easily becomes an id, and ids are in every table."""
    from thematic.disclosure import ids_naming_someone

    try:
        known = study.read_known_names()
    except DataError:
        return []  # a malformed known-names file is reported where it is read
    warnings = []
    for frame, column, path in ((participants, "participant_id", study.participants_file),
                                (interviews, "interview_id", study.interviews_file)):
        flagged = ids_naming_someone(frame[column], known)
        if flagged:
            warnings.append(Errors.E343.format(path=path, what=column, ids=_short(flagged, 4)))
    return warnings


def _check_ids(frame: pd.DataFrame, column: str, path: Path, problems: list[str]) -> None:
    """Every id safe to name a file, unique, and unique ignoring case (Windows, macOS)."""
    first_seen: dict[str, tuple[str, int]] = {}
    for _, row in frame.iterrows():
        value, line = row[column], row["_line"]
        if not value:
            problems.append(Errors.E002.format(path=path, line=line, column=column))
            continue
        try:
            check_id(value, what=column, path=path, line=line)
        except DataError as error:
            problems += error.problems
            continue
        seen = first_seen.get(value.lower())
        if seen is None:
            first_seen[value.lower()] = (value, line)
        elif seen[0] == value:
            problems.append(Errors.E004.format(path=path, line=line, what=column, value=value))
        else:
            problems.append(Errors.E103.format(path=path, line=line, what=column, value=value,
                                               other=seen[0], first=seen[1]))


def _interviews(study: Study, participants: pd.DataFrame, problems: list[str],
                warnings: list[str]) -> pd.DataFrame:
    path = study.interviews_file
    frame = study.read_table(path, required=INTERVIEW_COLUMNS)
    for column in OPTIONAL_INTERVIEW_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    _check_ids(frame, "interview_id", path, problems)
    known = set(participants["participant_id"])
    for _, row in frame.iterrows():
        line = row["_line"]
        for column in ("participant_id", "transcript"):
            if not row[column]:
                problems.append(Errors.E002.format(path=path, line=line, column=column))
        if row["participant_id"] and row["participant_id"] not in known:
            problems.append(Errors.E005.format(path=path, line=line, what="participant_id",
                                               value=row["participant_id"], known=_short(sorted(known))))
        checks = (("wave", "a whole number of 1 or more", lambda v: int(v) >= 1),
                  ("duration_min", "a number of minutes, 0 or more", lambda v: float(v) >= 0 and np.isfinite(float(v))),
                  ("date", "a date (YYYY-MM-DD)", lambda v: pd.Timestamp(v) is not pd.NaT))
        for column, expected, check in checks:
            try:
                if row[column] and not check(row[column]):
                    raise ValueError(row[column])
            except (ValueError, TypeError, OverflowError):
                problems.append(Errors.E006.format(path=path, line=line, value=row[column],
                                                   column=column, expected=expected))
        if row["transcript"]:
            try:
                transcript = study.inside(row["transcript"], what="transcript", source=path, line=line)
            except DataError as error:
                problems += error.problems
                continue
            if transcript.is_dir():
                problems.append(Errors.E106.format(path=transcript, line=line))
            elif not transcript.exists():
                problems.append(Errors.E001.format(path=transcript,
                                                   hint=f"(interviews.csv line {line}, {row['interview_id']})"))
    if frame.empty:
        problems.append(Errors.E017.format(path=path))
    if problems:
        return frame
    for column, consequence in (("date", "tables and figures by date are left out"),
                                ("duration_min", "tables and figures of interview length are left out")):
        blank = frame.loc[frame[column] == "", "interview_id"].tolist()
        if blank:
            warnings.append(Errors.W101.format(path=path, column=column, count=len(blank),
                                               examples=_short(blank, 4), consequence=consequence))
    frame["wave"] = frame["wave"].replace("", "1").astype(int)
    frame["duration_min"] = pd.to_numeric(frame["duration_min"].replace("", np.nan)).astype(float)
    frame["date"] = pd.to_datetime(frame["date"].replace("", None))
    frame["interviewer"] = frame["interviewer"].map(
        lambda v: tuple(name.strip() for name in v.split(";") if name.strip()))
    extra = [c for c in participants.columns if c != "_line"]
    return frame.merge(participants[extra], on="participant_id", how="left")


def _codings(study: Study, texts: dict[str, str] | None, codebook: Codebook | None,
             problems: list[str], *, waiting: set[str] = frozenset(),
             warnings: list[str] | None = None) -> pd.DataFrame:
    """Every coder's codings, checked against the de-identified texts (``None``: unknown, then
    only codes are checked). Codings of interviews *waiting* for de-identification (after
    ``thematic qdpx import``) refer to the raw text: they are left out with a warning until
    ``thematic deidentify`` moves them."""
    frames = []
    known_codes = set(codebook.code_ids) if codebook else set()
    for path in study.coding_files():
        try:
            check_id(path.stem, what="coder (file name)", path=path, line="-")
        except DataError as error:
            problems += error.problems
            continue
        frame = study.read_table(path, required=CODING_COLUMNS)
        for column in ("memo", "text_hash"):
            if column not in frame.columns:
                frame[column] = ""
        if codebook is None and len(frame):
            problems.append(Errors.E008.format(path=path, detail="codings need a codebook.yaml"))
            continue
        later = frame["interview_id"].isin(waiting)
        if later.any():
            if warnings is not None:
                warnings.append(Errors.E342.format(path=path, count=int(later.sum()),
                                                   interviews=_short(sorted(set(frame.loc[later, "interview_id"])), 4)))
            frame = frame[~later]
        for _, row in frame.iterrows():
            line, interview = row["_line"], row["interview_id"]
            if texts is None:
                if row["code"] not in known_codes:
                    problems.append(Errors.E005.format(path=path, line=line, what="code",
                                                       value=row["code"], known=_short(sorted(known_codes))))
                continue
            if interview not in texts:
                problems.append(Errors.E005.format(path=path, line=line, what="interview_id",
                                                   value=interview, known=_short(sorted(texts))))
                continue
            if row["code"] not in known_codes:
                problems.append(Errors.E005.format(path=path, line=line, what="code",
                                                   value=row["code"], known=_short(sorted(known_codes))))
            try:
                start, end = int(row["start"]), int(row["end"])
            except ValueError:
                problems.append(Errors.E006.format(path=path, line=line, value=f"{row['start']}-{row['end']}",
                                                   column="start/end", expected="whole numbers"))
                continue
            length = len(texts[interview])
            if not 0 <= start < end <= length:
                problems.append(Errors.E009.format(path=path, line=line, start=start, end=end,
                                                   interview=interview, length=length))
            elif row["text_hash"] and row["text_hash"] != text_hash(texts[interview][start:end]):
                problems.append(Errors.E110.format(path=path, line=line, start=start, end=end,
                                                   interview=interview))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*CODING_COLUMNS, "memo"])
    codings = pd.concat(frames, ignore_index=True)
    if problems:
        return codings
    codings["start"] = codings["start"].astype(int)
    codings["end"] = codings["end"].astype(int)
    codings = codings[[*CODING_COLUMNS, "memo"]]
    return codings.sort_values(["interview_id", "start", "end", "code", "coder"]).reset_index(drop=True)


def text_hash(text: str) -> str:
    """The check stored with a coding: the first hex digits of the SHA-256 of the coded text."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:TEXT_HASH_LENGTH]


def with_text_hashes(codings: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    """*codings* with ``text_hash`` filled in from the texts they were coded on."""
    out = codings.copy()
    out["text_hash"] = [text_hash(texts[row.interview_id][int(row.start):int(row.end)])
                        for row in out.itertuples()]
    return out


def _short(values: list[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")
