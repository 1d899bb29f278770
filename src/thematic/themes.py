"""Theme mapping (Braun & Clarke phases 3-5): codes under themes, prevalence, Table 1."""

from __future__ import annotations

import pandas as pd

from thematic.codebook import Codebook


def locate_codings(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The analysis coding joined with segment metadata and the code -> theme hierarchy."""
    meta = segments[["segment_id", "interview_id", "participant_id", "group", "wave", "words"]]
    codes = codebook.codes[["code", "label", "kind", "scope", "theme", "theme_name"]]
    return final.merge(meta, on="segment_id").merge(codes, on="code")


def code_prevalence(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per code: segments, interviews, participants and groups it was applied in.

    Every code of the codebook is listed, with zeros for codes never applied.
    """
    located = locate_codings(final, segments, codebook)
    counts = located.groupby("code").agg(
        segments=("segment_id", "nunique"), interviews=("interview_id", "nunique"),
        participants=("participant_id", "nunique"), groups=("group", "nunique"))
    table = codebook.codes[["theme", "code", "label", "kind", "scope"]].set_index("code")
    table = table.join(counts).fillna(0)
    for column in ("segments", "interviews", "participants", "groups"):
        table[column] = table[column].astype(int)
    return table.reset_index()


def table_one(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Table 1: each theme with its scope, codes, and how widely it is evidenced."""
    located = locate_codings(final, segments, codebook)
    counts = located.groupby("theme").agg(
        segments=("segment_id", "nunique"), participants=("participant_id", "nunique"),
        groups=("group", lambda g: ", ".join(sorted(set(g)))))
    rows = []
    for theme in codebook.themes:
        kinds = pd.Series([code.kind for code in theme.codes]).value_counts()
        rows.append({
            "theme": theme.id, "name": theme.name, "scope": theme.scope, "codes": len(theme.codes),
            "activities": int(kinds.get("activity", 0)), "barriers": int(kinds.get("barrier", 0)),
            "facilitators": int(kinds.get("facilitator", 0)),
        })
    table = pd.DataFrame(rows).set_index("theme").join(counts)
    table[["segments", "participants"]] = table[["segments", "participants"]].fillna(0).astype(int)
    table["groups"] = table["groups"].fillna("")
    return table.reset_index()
