"""Theme mapping (Braun & Clarke phases 3-5): codes under themes, prevalence, Table 1."""

from __future__ import annotations

import pandas as pd

from thematic.codebook import Codebook
from thematic.settings import in_scope


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
    table["scope"] = table["scope"].fillna("")  # no scope: every group's
    table = table.join(counts)
    for column in ("segments", "interviews", "participants", "groups"):
        table[column] = table[column].fillna(0).astype(int)
    return table.reset_index()


def table_one(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Table 1: each theme with its scope, codes, and how widely it is evidenced.

    Counts of activity, barrier and facilitator codes; coded segments and participants; the
    groups whose interviews carry the theme; and the barrier and facilitator codes named, each
    with its number of coded segments.
    """
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
    coded = located.groupby("code")["segment_id"].nunique()
    for kind in ("barrier", "facilitator"):
        table[f"{kind}_codes"] = [
            "; ".join(f"{c.label} ({int(coded.get(c.id, 0))})" for c in theme.codes if c.kind == kind)
            for theme in codebook.themes]
    return table.reset_index()


def code_hierarchy(codebook: Codebook) -> pd.DataFrame:
    """The codebook as a code -> theme hierarchy: theme, theme_name, scope, kind, code, label.

    ``kind`` is the deductive dimension within a theme: activity, barrier or facilitator.
    Rows in codebook order (themes, then codes within a theme).
    """
    columns = ["theme", "theme_name", "scope", "kind", "code", "label", "definition"]
    return codebook.codes[columns].fillna({"scope": ""}).reset_index(drop=True)


def theme_prevalence(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                     scopes: dict[str, str] | None = None) -> pd.DataFrame:
    """Per theme: coded segments, interviews, participants and groups, with the groups named.

    A segment counts once per theme however many of its codes it carries. ``participant_share``
    is the share of the participants in the theme's scope (the groups whose settings give them
    the theme's scope; every participant for a theme without one) whose interviews carry the theme.
    """
    located = locate_codings(final, segments, codebook)
    counts = located.groupby("theme").agg(
        segments=("segment_id", "nunique"), interviews=("interview_id", "nunique"),
        participants=("participant_id", "nunique"), groups=("group", "nunique"),
        group_names=("group", lambda g: ", ".join(sorted(set(g)))))
    if scopes is None:  # the scope of each segment's group, as segment_turns gives it
        scopes = (dict(zip(segments["group"], segments["scope"], strict=True)) if "scope" in segments.columns
                  else {})
    people = segments.groupby("group")["participant_id"].unique()
    rows = []
    for theme in codebook.themes:
        covered = {p for g, ids in people.items() if in_scope(theme.scope, scopes.get(g)) for p in ids}
        rows.append({"theme": theme.id, "theme_name": theme.name, "scope": theme.scope or "all groups",
                     "codes": len(theme.codes), "participants_in_scope": len(covered)})
    table = pd.DataFrame(rows).set_index("theme").join(counts)
    for column in ("segments", "interviews", "participants", "groups"):
        table[column] = table[column].fillna(0).astype(int)
    table["group_names"] = table["group_names"].fillna("")
    table["participant_share"] = (table["participants"] / table["participants_in_scope"].where(
        table["participants_in_scope"] > 0))
    return table.reset_index()


def code_cooccurrence(final: pd.DataFrame, codebook: Codebook, *, min_segments: int = 1) -> pd.DataFrame:
    """Pairs of codes given to the same segment, with Jaccard similarity of their segment sets.

    Columns: code_a, code_b (codebook order), theme_a, theme_b, segments_a, segments_b,
    segments_both, jaccard (both / either). Only pairs sharing at least *min_segments*
    segments; sorted by Jaccard, then shared segments, descending.
    """
    columns = ["code_a", "code_b", "theme_a", "theme_b", "segments_a", "segments_b", "segments_both", "jaccard"]
    order = {code: i for i, code in enumerate(codebook.code_ids)}
    theme = dict(zip(codebook.codes["code"], codebook.codes["theme"], strict=True))
    pairs = final[["segment_id", "code"]].drop_duplicates()
    sizes = pairs.groupby("code")["segment_id"].nunique()
    both = pairs.merge(pairs, on="segment_id", suffixes=("_a", "_b"))
    both = both[both["code_a"].map(order) < both["code_b"].map(order)]
    shared = both.groupby(["code_a", "code_b"])["segment_id"].nunique().reset_index(name="segments_both")
    shared = shared[shared["segments_both"] >= min_segments]
    if shared.empty:
        return pd.DataFrame(columns=columns)
    shared["segments_a"] = shared["code_a"].map(sizes).astype(int)
    shared["segments_b"] = shared["code_b"].map(sizes).astype(int)
    either = shared["segments_a"] + shared["segments_b"] - shared["segments_both"]
    shared["jaccard"] = shared["segments_both"] / either
    shared["theme_a"], shared["theme_b"] = shared["code_a"].map(theme), shared["code_b"].map(theme)
    shared = shared.sort_values(["jaccard", "segments_both", "code_a", "code_b"],
                                ascending=[False, False, True, True])
    return shared[columns].reset_index(drop=True)


def barriers_facilitators(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per theme, its barrier and facilitator codes with how widely each is evidenced.

    Long format: theme, theme_name, kind, code, label, segments, participants, groups (named).
    Barriers first, then facilitators; within each, most participants first.
    """
    prevalence = code_prevalence(final, segments, codebook)
    located = locate_codings(final, segments, codebook)
    named = located.groupby("code")["group"].agg(lambda g: ", ".join(sorted(set(g))))
    table = prevalence[prevalence["kind"].isin(["barrier", "facilitator"])].copy()
    table["theme_name"] = table["theme"].map({t.id: t.name for t in codebook.themes})
    table["groups"] = table["code"].map(named).fillna("")
    theme_rank = {t.id: i for i, t in enumerate(codebook.themes)}
    table = table.assign(_theme=table["theme"].map(theme_rank), _kind=table["kind"].eq("facilitator"))
    table = table.sort_values(["_theme", "_kind", "participants", "segments"], ascending=[True, True, False, False])
    return table[["theme", "theme_name", "kind", "code", "label", "segments", "participants", "groups"]] \
        .reset_index(drop=True)


def barriers_facilitators_side_by_side(table: pd.DataFrame, *, theme: str) -> pd.DataFrame:
    """One theme's barriers and facilitators in two columns, as in a paper's table.

    Each cell is ``label (n participants)``; the shorter column is padded with blanks.
    """
    mine = table[table["theme"] == theme]
    def cells(kind: str) -> list[str]:
        rows = mine[mine["kind"] == kind]
        return [f"{r.label} ({r.participants} participant{'s' if r.participants != 1 else ''})"
                for r in rows.itertuples(index=False)]
    barriers, facilitators = cells("barrier"), cells("facilitator")
    depth = max(len(barriers), len(facilitators))
    return pd.DataFrame({"barriers": barriers + [""] * (depth - len(barriers)),
                         "facilitators": facilitators + [""] * (depth - len(facilitators))})


def rule_sensitivity(codings_by_rule: dict[str, pd.DataFrame], segments: pd.DataFrame,
                     codebook: Codebook) -> pd.DataFrame:
    """Coded segments per theme under each way of combining coders (one column per rule).

    *codings_by_rule* maps a name ("union", "intersection", "consensus") to a final coding
    (segment_id, code). Shows how far the findings depend on the rule.
    """
    table = pd.DataFrame({"theme": [t.id for t in codebook.themes], "name": [t.name for t in codebook.themes]})
    for rule, final in codings_by_rule.items():
        located = locate_codings(final, segments, codebook)
        table[f"segments_{rule}"] = table["theme"].map(located.groupby("theme")["segment_id"].nunique()) \
            .fillna(0).astype(int)
    return table
