"""Synthetic studies of any size, recombined from the sample, for scaling benchmarks.

Each generated interview alternates interviewer and participant turns drawn (with a fixed seed)
from the sample's turns of the same stakeholder group, until it reaches a length drawn from the
sample's own transcript lengths. The sample's two coders' codings travel with the turns they
were made on, so coding density, agreement and theme spread stay like the sample's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from thematic import io
from thematic.dataset import Dataset, load_dataset
from thematic.segments import segment_turns


def generate_study(target: str | Path, *, n_interviews: int, source: Dataset | None = None,
                   seed: int = 0, length_scale: float = 1.0) -> dict:
    """Write a data folder of ``n_interviews`` interviews to *target*; return its size.

    Parameters
    ----------
    target
        Folder to create (must not exist).
    n_interviews
        Number of interviews (one participant each; groups in the sample's proportions).
    source
        Study to recombine (default: ``data-sample/``).
    seed
        Random seed; the same seed gives the same study.
    length_scale
        Multiplies the transcript lengths drawn from the source (1.0 keeps the source's).
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; generate_study writes a new folder.")
    source = source or load_dataset(io.project_root() / "data-sample")
    rng = np.random.default_rng(seed)
    segments = segment_turns(source)
    words_per_interview = segments.groupby("interview_id")["words"].sum().to_numpy()
    interviewer = segments[segments["is_interviewer"]]
    participant = segments[~segments["is_interviewer"]]
    codings = source.codings
    groups = source.participants["group"].to_numpy()
    roles = source.participants.set_index("group")["role"].groupby(level=0).first()

    participants, interviews, coding_rows = [], [], []
    (target / "raw").mkdir(parents=True)
    (target / "deidentified").mkdir()
    (target / "codings").mkdir()
    for number in range(1, n_interviews + 1):
        group = str(rng.choice(groups))
        participant_id, interview_id = f"S{number:05d}", f"S{number:05d}-W1"
        participants.append({"participant_id": participant_id, "group": group, "role": roles[group],
                             "label": f"{group} {number}"})
        interviews.append({"interview_id": interview_id, "participant_id": participant_id, "wave": 1,
                           "date": "2020-07-01", "duration_min": int(rng.integers(12, 81)),
                           "transcript": f"raw/{interview_id}.txt"})
        pool = participant[participant["group"] == group]
        goal = float(rng.choice(words_per_interview)) * length_scale
        parts, words, offset = [], 0, 0
        while words < goal:
            question = interviewer.iloc[int(rng.integers(len(interviewer)))]
            answer = pool.iloc[int(rng.integers(len(pool)))]
            for speaker, turn in (("Interviewer", question), ("Participant", answer)):
                prefix = f"{speaker}: "
                body_start = offset + len(prefix)
                parts.append(prefix + turn["text"] + "\n\n")
                offset += len(parts[-1])
                words += turn["words"]
                if speaker == "Participant":
                    coding_rows += _moved_codings(codings, turn, interview_id, body_start)
        text = "".join(parts)
        # The source text is already de-identified; it stands in for the raw one too.
        io.write_text(target / "raw" / f"{interview_id}.txt", text)
        io.write_text(target / "deidentified" / f"{interview_id}.txt", text)
    pd.DataFrame(participants).to_csv(target / "participants.csv", index=False)
    pd.DataFrame(interviews).to_csv(target / "interviews.csv", index=False)
    coded = pd.DataFrame(coding_rows, columns=["interview_id", "start", "end", "code", "coder", "memo"])
    for coder, rows in coded.groupby("coder"):
        rows.to_csv(target / "codings" / f"{coder}.csv", index=False)
    if (source.root / "codebook.yaml").exists():
        (target / "codebook.yaml").write_bytes((source.root / "codebook.yaml").read_bytes())
    return {"interviews": n_interviews, "words": int(sum(len(t.split()) for t in _texts(target))),
            "codings": len(coded)}


def _moved_codings(codings: pd.DataFrame, turn: pd.Series, interview_id: str, body_start: int) -> list[dict]:
    """The source codings overlapping *turn*, clipped to it and shifted to its new place."""
    mine = codings[(codings["interview_id"] == turn["interview_id"]) & (codings["start"] < turn["end"])
                   & (codings["end"] > turn["start"])]
    shift = body_start - int(turn["start"])
    return [{"interview_id": interview_id, "start": max(int(c.start), int(turn["start"])) + shift,
             "end": min(int(c.end), int(turn["end"])) + shift, "code": c.code, "coder": c.coder,
             "memo": ""} for c in mine.itertuples()]


def _texts(folder: Path):
    for path in sorted((folder / "deidentified").glob("*.txt")):
        yield path.read_text(encoding="utf-8")
