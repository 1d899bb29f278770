"""Triangulation (Braun & Clarke phase 6): themes across stakeholder groups and waves."""

from __future__ import annotations

import pandas as pd

from thematic.codebook import Codebook
from thematic.themes import locate_codings


def theme_group_matrix(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
                       participants: pd.DataFrame) -> pd.DataFrame:
    """Per theme and group: participants whose interviews carry the theme, and their share.

    Long format: theme, group, participants_with_theme, participants_in_group, share,
    coded_segments.
    """
    located = locate_codings(final, segments, codebook)
    sizes = participants.groupby("group")["participant_id"].nunique()
    carried = located.groupby(["theme", "group"]).agg(
        participants_with_theme=("participant_id", "nunique"), coded_segments=("segment_id", "nunique"))
    grid = pd.MultiIndex.from_product([[t.id for t in codebook.themes], sorted(sizes.index)],
                                      names=["theme", "group"])
    table = carried.reindex(grid, fill_value=0).reset_index()
    table["participants_in_group"] = table["group"].map(sizes).astype(int)
    table["share"] = (table["participants_with_theme"] / table["participants_in_group"]).round(3)
    return table[["theme", "group", "participants_with_theme", "participants_in_group", "share",
                  "coded_segments"]]


def wave_comparison(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                    group: str = "service_team") -> pd.DataFrame:
    """Per theme: coded segments per 1,000 participant words in each wave, for one group."""
    spoken = segments[(segments["group"] == group) & ~segments["is_interviewer"]]
    words = spoken.groupby("wave")["words"].sum()
    located = locate_codings(final, spoken, codebook)
    counts = located.groupby(["theme", "wave"])["segment_id"].nunique().unstack(fill_value=0)
    counts = counts.reindex(index=[t.id for t in codebook.themes], columns=sorted(words.index),
                            fill_value=0)
    rates = (1000 * counts / words).round(2)
    rates.columns = [f"wave_{w}_per_1000_words" for w in rates.columns]
    return rates.rename_axis("theme").reset_index()
