"""Familiarisation (Braun & Clarke phase 1): who was interviewed, how much was said, and
which words each stakeholder group uses."""

from __future__ import annotations

import re

import pandas as pd
from spacy.language import Language

from thematic.dataset import Dataset


def corpus_overview(dataset: Dataset, segments: pd.DataFrame) -> pd.DataFrame:
    """Participants, interviews, duration and words per stakeholder group, plus a total row.

    Words count participant speech only (interviewer turns excluded).
    """
    interviews = dataset.interviews
    spoken = segments[~segments["is_interviewer"]].groupby("group")["words"].sum()

    def describe(frame: pd.DataFrame) -> dict:
        minutes = frame["duration_min"]
        return {
            "participants": frame["participant_id"].nunique(), "interviews": len(frame),
            "duration_mean_min": round(minutes.mean(), 1), "duration_median_min": minutes.median(),
            "duration_min_min": minutes.min(), "duration_max_min": minutes.max(),
        }

    rows = {group: describe(frame) for group, frame in interviews.groupby("group")}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["participant_words"] = spoken.reindex(table.index).fillna(0).astype(int)
    total = describe(interviews) | {"participant_words": int(spoken.sum())}
    table.loc["all"] = total
    table.index.name = "group"
    return table


def interview_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per interview: turns, words, and the participant's share of the words spoken."""
    grouped = segments.groupby(["interview_id", "group", "label", "wave"])
    table = grouped.agg(turns=("turn", "size"), words=("words", "sum"))
    participant = segments[~segments["is_interviewer"]].groupby("interview_id")["words"].sum()
    table["participant_share"] = (
        participant.reindex(table.index.get_level_values("interview_id")).to_numpy() / table["words"]
    ).round(3)
    return table.reset_index().sort_values("interview_id").reset_index(drop=True)


def frequent_terms(segments: pd.DataFrame, nlp: Language, *, by: str = "group", top_n: int = 15,
                   include_interviewer: bool = False, batch_size: int = 64) -> pd.DataFrame:
    """The *top_n* most frequent content lemmas per value of *by*, with rate per 1,000 words.

    Stop words, punctuation, numbers and transcriber notes (``[inaudible]``) are left out.
    Only the tagger, attribute ruler and lemmatizer are needed, so the parser and NER are
    disabled while parsing.
    """
    chosen = segments if include_interviewer else segments[~segments["is_interviewer"]]
    needed = {"tok2vec", "tagger", "attribute_ruler", "lemmatizer"}
    disabled = [name for name in nlp.pipe_names if name not in needed]
    rows = []
    with nlp.select_pipes(disable=disabled):
        texts = (_strip_notes(t) for t in chosen["text"])
        for key, doc in zip(chosen[by], nlp.pipe(texts, batch_size=batch_size), strict=True):
            rows.extend((key, tok.lemma_.lower()) for tok in doc
                        if tok.is_alpha and not tok.is_stop and len(tok) > 2)
    terms = pd.DataFrame(rows, columns=[by, "term"])
    counts = terms.value_counts([by, "term"]).rename("count").reset_index()
    totals = chosen.groupby(by)["words"].sum()
    counts["per_1000_words"] = (1000 * counts["count"] / counts[by].map(totals)).round(2)
    counts = counts.sort_values([by, "count", "term"], ascending=[True, False, True])
    return counts.groupby(by).head(top_n).reset_index(drop=True)


def _strip_notes(text: str) -> str:
    """Drop bracketed transcriber notes and placeholders before counting words."""
    return re.sub(r"\[[^\]]*\]", " ", text)
