"""Load and validate a study's data folder into typed objects and DataFrames.

A data folder holds::

    participants.csv      participant_id, group, role[, label, any case variables]
    interviews.csv        interview_id, participant_id, wave, date, duration_min, transcript
    raw/                  transcripts as delivered (read only by de-identification)
    deidentified/         <interview_id>.txt, the text every analysis step reads
    codebook.yaml         optional until coding starts
    codings/<coder>.csv   optional: interview_id, start, end, code, coder[, memo]

Validation collects every problem before raising, each naming file, line and id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from thematic import io
from thematic.codebook import Codebook, parse_codebook
from thematic.errors import DataError, Errors
from thematic.transcripts import DEFAULT_SPEAKER_PATTERN, parse_turns

PARTICIPANT_COLUMNS = ("participant_id", "group", "role")
INTERVIEW_COLUMNS = ("interview_id", "participant_id", "wave", "date", "duration_min", "transcript")
CODING_COLUMNS = ("interview_id", "start", "end", "code", "coder")
#: How a group is named in quote attributions ("Referrer 5") when participants.csv has no label.
GROUP_LABELS = {"parent": "Parent", "service_team": "Practitioner",
                "referrer": "Referrer", "commissioner": "Commissioner"}


@dataclass
class Dataset:
    """A validated study: metadata tables, de-identified texts, codebook and codings."""

    root: Path
    participants: pd.DataFrame
    interviews: pd.DataFrame
    texts: dict[str, str]
    codebook: Codebook | None = None
    codings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=[*CODING_COLUMNS, "memo"]))
    not_deidentified: list[str] = field(default_factory=list)

    @property
    def has_codebook(self) -> bool:
        return self.codebook is not None

    @property
    def has_codings(self) -> bool:
        return self.codebook is not None and not self.codings.empty

    @property
    def coders(self) -> list[str]:
        return sorted(self.codings["coder"].unique())

    def inventory(self) -> pd.DataFrame:
        """What the data folder holds, for the report: one row per kind of input."""
        rows = [
            ("participants", len(self.participants), "participants.csv"),
            ("interviews", len(self.interviews), "interviews.csv"),
            ("de-identified transcripts", len(self.texts), "deidentified/"),
            ("interviews awaiting de-identification", len(self.not_deidentified), "raw/"),
            ("themes in codebook", len(self.codebook.themes) if self.codebook else 0, "codebook.yaml"),
            ("codes in codebook", len(self.codebook.code_ids) if self.codebook else 0, "codebook.yaml"),
            ("coders", len(self.coders), "codings/"),
            ("coded spans", len(self.codings), "codings/"),
        ]
        return pd.DataFrame(rows, columns=["item", "count", "source"])

    def deidentified_path(self, interview_id: str) -> Path:
        return deidentified_path(self.root, interview_id)


def deidentified_path(root: Path, interview_id: str) -> Path:
    """Where the de-identified text of *interview_id* lives in the data folder *root*."""
    return root / "deidentified" / f"{interview_id}.txt"


def load_dataset(data_dir: str | Path, *, speaker_pattern: str = DEFAULT_SPEAKER_PATTERN,
                 require_deidentified: bool = True) -> Dataset:
    """Load and validate the data folder *data_dir* (relative paths from the project root).

    Parameters
    ----------
    data_dir
        The study's data folder.
    speaker_pattern
        Regular expression that starts a speaker turn (group ``speaker``).
    require_deidentified
        If False, interviews without a de-identified text are listed in
        ``Dataset.not_deidentified`` instead of being an error (used before de-identification).

    Raises
    ------
    DataError
        Listing every problem found, each with file, line and id.
    """
    root = io.resolve(data_dir)
    if not root.is_dir():
        raise DataError(Errors.E001.format(path=root, hint="Set data_dir to your study's data folder."))
    problems: list[str] = []
    participants = _participants(root / "participants.csv", problems)
    interviews = _interviews(root / "interviews.csv", participants, problems, root)
    texts, missing = {}, []
    for interview_id in interviews["interview_id"]:
        path = deidentified_path(root, interview_id)
        if not path.exists():
            missing.append(interview_id)
            continue
        try:
            texts[interview_id] = io.read_text(path)
            parse_turns(texts[interview_id], speaker_pattern=speaker_pattern, source=str(path))
        except DataError as error:
            problems += error.problems
    if missing and require_deidentified:
        problems.append(Errors.E008.format(
            path=root / "deidentified",
            detail=f"no de-identified text for {', '.join(missing)}. Run 'thematic deidentify' "
                   "or notebook 00-prepare first."))
    codebook = None
    if (root / "codebook.yaml").exists():
        try:
            codebook = parse_codebook(io.read_yaml(root / "codebook.yaml"),
                                      source=str(root / "codebook.yaml"))
        except DataError as error:
            problems += error.problems
    codings = _codings(root / "codings", texts, codebook, problems)
    if problems:
        raise DataError(problems)
    return Dataset(root=root, participants=participants, interviews=interviews, texts=texts,
                   codebook=codebook, codings=codings, not_deidentified=missing)


def _participants(path: Path, problems: list[str]) -> pd.DataFrame:
    frame = io.read_csv(path, required=PARTICIPANT_COLUMNS)
    for _, row in frame.iterrows():
        for column in PARTICIPANT_COLUMNS:
            if not row[column]:
                problems.append(Errors.E002.format(path=path, line=row["_line"], column=column))
    for _, row in frame[frame["participant_id"].duplicated()].iterrows():
        problems.append(Errors.E004.format(path=path, line=row["_line"], what="participant_id",
                                           value=row["participant_id"]))
    if "label" not in frame.columns:
        frame["label"] = ""
    numbers = frame.groupby("group").cumcount() + 1
    default = frame["group"].map(lambda g: GROUP_LABELS.get(g, g.replace("_", " ").title()))
    frame["label"] = frame["label"].where(frame["label"] != "", default + " " + numbers.astype(str))
    return frame


def _interviews(path: Path, participants: pd.DataFrame, problems: list[str], root: Path) -> pd.DataFrame:
    frame = io.read_csv(path, required=INTERVIEW_COLUMNS)
    known = set(participants["participant_id"])
    for _, row in frame.iterrows():
        line = row["_line"]
        for column in INTERVIEW_COLUMNS:
            if not row[column]:
                problems.append(Errors.E002.format(path=path, line=line, column=column))
        if row["participant_id"] and row["participant_id"] not in known:
            problems.append(Errors.E005.format(path=path, line=line, what="participant_id",
                                               value=row["participant_id"],
                                               known=_short(sorted(known))))
        checks = (("wave", "a whole number", lambda v: int(v) >= 1),
                  ("duration_min", "a number of minutes", lambda v: float(v) >= 0),
                  ("date", "a date (YYYY-MM-DD)", lambda v: pd.Timestamp(v)))
        for column, expected, check in checks:
            try:
                if row[column]:
                    check(row[column])
            except (ValueError, TypeError):
                problems.append(Errors.E006.format(path=path, line=line, value=row[column],
                                                   column=column, expected=expected))
        if row["transcript"] and not (root / row["transcript"]).exists():
            problems.append(Errors.E001.format(path=root / row["transcript"],
                                               hint=f"(interviews.csv line {line}, {row['interview_id']})"))
    for _, row in frame[frame["interview_id"].duplicated()].iterrows():
        problems.append(Errors.E004.format(path=path, line=row["_line"], what="interview_id",
                                           value=row["interview_id"]))
    if frame.empty:
        problems.append(Errors.E017.format(path=path))
    if problems:
        return frame
    frame["wave"] = frame["wave"].astype(int)
    frame["duration_min"] = frame["duration_min"].astype(float)
    frame["date"] = pd.to_datetime(frame["date"])
    extra = [c for c in participants.columns if c not in ("_line",)]
    return frame.merge(participants[extra], on="participant_id", how="left")


def _codings(folder: Path, texts: dict[str, str], codebook: Codebook | None,
             problems: list[str]) -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        frame = io.read_csv(path, required=CODING_COLUMNS)
        if "memo" not in frame.columns:
            frame["memo"] = ""
        known_codes = set(codebook.code_ids) if codebook else set()
        for _, row in frame.iterrows():
            line, interview = row["_line"], row["interview_id"]
            if interview not in texts:
                problems.append(Errors.E005.format(path=path, line=line, what="interview_id",
                                                   value=interview, known=_short(sorted(texts))))
                continue
            if codebook is None:
                problems.append(Errors.E008.format(path=path, detail="codings need a codebook.yaml"))
                break
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


def _short(values: list[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")
