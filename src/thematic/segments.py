"""Coding units: speaker turns with stable ids, and which codes each coder gave them.

Character spans are canonical; segments are a view on them. A coded span marks every
segment it overlaps, so codings survive re-segmentation.
"""

from __future__ import annotations

import pandas as pd

from thematic.consensus import Rule, combine_coders  # noqa: F401  (combine_coders lives in consensus)
from thematic.dataset import Dataset
from thematic.transcripts import parse_transcript

SEGMENT_COLUMNS = ["segment_id", "interview_id", "participant_id", "group", "scope", "role", "label",
                   "wave", "turn", "speaker", "is_interviewer", "start", "end", "words", "text"]


def segment_turns(dataset: Dataset) -> pd.DataFrame:
    """One row per speaker turn of every de-identified transcript.

    ``segment_id`` is ``<interview_id>:t<turn>`` (turn numbered from 1, zero-padded), stable
    as long as the transcript's turns do not change. ``scope`` is the codebook scope of the
    participant's group (the study's settings; None: every theme applies). The interviewer is
    who ``interviews.csv`` declares (column ``interviewer``), else a speaker labelled as one.
    """
    meta = dataset.interviews.set_index("interview_id")
    scopes = dataset.scopes
    rows = []
    for interview_id, text in sorted(dataset.texts.items()):
        info = meta.loc[interview_id]
        transcript = parse_transcript(text, interviewer=info["interviewer"], source=interview_id)
        for turn in transcript.turns:
            body = turn.text(text)
            rows.append({
                "segment_id": f"{interview_id}:t{turn.index + 1:03d}",
                "interview_id": interview_id, "participant_id": info["participant_id"],
                "group": info["group"], "scope": scopes.get(info["group"]), "role": info["role"],
                "label": info["label"], "wave": int(info["wave"]), "turn": turn.index + 1,
                "speaker": turn.speaker,
                "is_interviewer": turn.is_interviewer,
                "start": turn.start, "end": turn.end, "words": len(body.split()), "text": body,
            })
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def code_segments(segments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Which coder gave which code to which segment: one row per (segment, coder, code).

    A coding marks a segment when their character spans overlap by at least one character.
    """
    columns = ["segment_id", "coder", "code"]
    if codings.empty or segments.empty:
        return pd.DataFrame(columns=columns)
    merged = codings.merge(segments[["segment_id", "interview_id", "start", "end"]],
                           on="interview_id", suffixes=("", "_seg"))
    overlap = (merged["start"] < merged["end_seg"]) & (merged["start_seg"] < merged["end"])
    hits = merged.loc[overlap, columns].drop_duplicates()
    return hits.sort_values(columns).reset_index(drop=True)


def segment_code_matrix(segments: pd.DataFrame, coded: pd.DataFrame, *, coder: str,
                        codes: list[str]) -> pd.DataFrame:
    """A 0/1 matrix, segments x codes, of one coder's coding (all segments kept)."""
    mine = coded[coded["coder"] == coder]
    matrix = pd.crosstab(mine["segment_id"], mine["code"]).clip(upper=1)
    return matrix.reindex(index=segments["segment_id"], columns=codes, fill_value=0).astype(int)


def answer_context(segments: pd.DataFrame) -> pd.DataFrame:
    """The participants' segments with what frames each answer: the interview's structure.

    Takes every turn (from :func:`segment_turns`, interviewer turns included) and returns the
    non-interviewer rows with three more columns: ``question``, the text of the latest
    interviewer turn before the segment in the same interview ("" when none came before, or
    the transcript marks no interviewer); ``position``, the segment's place in its interview,
    from 0 (first turn) to 1 (last turn); and ``group`` as it was (the speaker's group).
    """
    if segments.empty:
        return segments.assign(question=pd.Series(dtype=str), position=pd.Series(dtype=float))
    ordered = segments.sort_values(["interview_id", "turn"], kind="stable")
    asked = ordered["text"].where(ordered["is_interviewer"].astype(bool))
    question = asked.groupby(ordered["interview_id"], sort=False).ffill().fillna("")
    turns = ordered.groupby("interview_id", sort=False)["turn"]
    first, last = turns.transform("min"), turns.transform("max")
    position = ((ordered["turn"] - first) / (last - first).where(last > first)).fillna(0.0).round(4)
    framed = ordered.assign(question=question, position=position).loc[segments.index]  # original order
    return framed[~framed["is_interviewer"].astype(bool)].reset_index(drop=True)
