"""Triangulation (Braun & Clarke phase 6): themes across stakeholder groups and waves.

The steps follow the triangulation protocol of Farmer et al. (2006, Qualitative Health
Research 16(3)): the analysis coding is measured per theme and group (*salience*), each
group's account of a theme is summarised as a *prominence* level and a *stance* (mostly
barrier, mostly facilitator, mixed), and every pair of groups is given one of the protocol's
convergence codes (agreement, partial agreement, silence, dissonance) by the declared
:class:`ConvergenceRules`. Every decision carries its evidence as text.

Coded volume is measured in characters of the participants' own talk, on the coders' spans
(not on whole speaker turns), because with turns as units nearly every participant carries
nearly every theme: presence alone saturates, volume does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from thematic.cache import cache_results
from thematic.codebook import Codebook
from thematic.markup import literal
from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter, rules, rules_from_parameter
from thematic.segments import Rule
from thematic.settings import arrange, in_scope
from thematic.themes import locate_codings

Interval = tuple[int, int]
CONVERGENCE = ("agreement", "partial agreement", "silence", "dissonance")
#: Convergence codes plus the two cases the protocol's four codes do not cover.
CONVERGENCE_ORDER = (*CONVERGENCE, "absent in both", "out of scope")
PAIR_COLUMNS = ["theme", "group_a", "group_b", "pair", "convergence", "prominence_a", "prominence_b",
                "prominence_agrees", "stance_a", "stance_b", "meaning", "barrier_gap", "code_similarity",
                "meaning_evidence", "evidence"]


# --- character spans -------------------------------------------------------------------------

def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same characters as *intervals*."""
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intersect_intervals(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    """Characters covered by both lists of merged intervals."""
    out, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < end:
            out.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return out


def covered(intervals: Iterable[Interval]) -> int:
    """Number of characters covered by *intervals* (overlaps counted once)."""
    return sum(end - start for start, end in merge_intervals(intervals))


def coded_spans(codings: pd.DataFrame, final: pd.DataFrame, segments: pd.DataFrame, *,
                rule: Rule = "union", coders: list[str] | None = None) -> pd.DataFrame:
    """The analysis coding as character spans: what each kept (segment, code) covers.

    *final* is the output of :func:`thematic.segments.combine_coders` with the same *rule*.
    Within each (segment, code) it keeps, the characters are those that any coder's span
    covers (``union``) or that every coder's span covers (``intersection``), clipped to the
    segment. Only participants' turns are kept: interviewers' talk is not an account.

    Returns one row per span: segment_id, interview_id, code, start, end.
    """
    columns = ["segment_id", "interview_id", "code", "start", "end"]
    if rule not in ("union", "intersection"):
        raise ParameterError(Errors.E018.format(value=rule, what="coding rule",
                                                known=["union", "intersection"]))
    spoken = segments.loc[~segments["is_interviewer"], ["segment_id", "interview_id", "start", "end"]]
    if codings.empty or final.empty or spoken.empty:
        return pd.DataFrame(columns=columns)
    coders = coders or sorted(codings["coder"].unique())
    mine = codings[codings["coder"].isin(coders)]
    merged = mine.merge(spoken, on="interview_id", suffixes=("", "_seg"))
    merged = merged[(merged["start"] < merged["end_seg"]) & (merged["start_seg"] < merged["end"])]
    merged = merged.merge(final[["segment_id", "code"]], on=["segment_id", "code"])
    merged["start"] = merged[["start", "start_seg"]].max(axis=1)
    merged["end"] = merged[["end", "end_seg"]].min(axis=1)
    # One pass over the spans sorted by (segment, interview, code, coder): a groupby per
    # segment and code took seconds on a study of real size.
    merged = merged.sort_values(["segment_id", "interview_id", "code", "coder"], kind="stable")
    keys = list(zip(merged["segment_id"], merged["interview_id"], merged["code"], strict=True))
    by, starts, ends = merged["coder"].tolist(), merged["start"].tolist(), merged["end"].tolist()
    rows = []
    first = 0
    while first < len(keys):
        last = first
        spans_by_coder: dict[str, list[tuple[int, int]]] = {}
        while last < len(keys) and keys[last] == keys[first]:
            spans_by_coder.setdefault(by[last], []).append((starts[last], ends[last]))
            last += 1
        per_coder = [merge_intervals(spans_by_coder[coder]) for coder in sorted(spans_by_coder)]
        if rule == "union":
            kept = merge_intervals(i for coder_spans in per_coder for i in coder_spans)
        else:
            kept = per_coder[0] if len(per_coder) == len(coders) else []
            for other in per_coder[1:]:
                kept = intersect_intervals(kept, other)
        segment_id, interview_id, code = keys[first]
        rows += [(segment_id, interview_id, code, s, e) for s, e in kept]
        first = last
    return pd.DataFrame(rows, columns=columns)


# --- scope: parents apart --------------------------------------------------------------------

def locate_spans(spans: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                 scopes: dict[str, str]) -> pd.DataFrame:
    """Spans joined with segment metadata and the codebook, with ``in_scope`` and ``chars``.

    A span is in scope when its code's scope (from the codebook: the code's, else its
    theme's) applies to the group whose transcript it is in (:func:`thematic.settings.in_scope`:
    a code without a scope applies to every group); *scopes* maps each group to its scope (the
    study's settings, ``Dataset.scopes``).
    """
    meta = segments[["segment_id", "participant_id", "group", "label", "wave"]]
    codes = codebook.codes[["code", "label", "kind", "scope", "theme", "theme_name"]].rename(
        columns={"label": "code_label"})
    located = spans.merge(meta, on="segment_id").merge(codes, on="code")
    located["group_scope"] = located["group"].map(lambda g: scopes.get(g))
    located["in_scope"] = [in_scope(code, group) for code, group in
                           zip(located["scope"], located["group_scope"], strict=True)]
    located["chars"] = located["end"] - located["start"]
    return located


def scope_exclusions(located: pd.DataFrame, codebook: Codebook, groups: Iterable[str]) -> pd.DataFrame:
    """What the scope rules keep and set aside, per theme and group (*groups* in display order).

    One row per theme and group: the theme's scope, codings (distinct segment-code pairs)
    kept and excluded, and characters excluded, so a reader sees how much coding of, e.g.,
    professionals' codes in parents' transcripts was left out of the scoped results.
    """
    rows = []
    for theme in codebook.themes:
        mine = located[located["theme"] == theme.id]
        for group in dict.fromkeys(groups):
            cell = mine[mine["group"] == group]
            kept, out = cell[cell["in_scope"]], cell[~cell["in_scope"]]
            rows.append({"theme": theme.id, "theme_scope": theme.scope or "all groups", "group": group,
                         "codings_kept": len(kept[["segment_id", "code"]].drop_duplicates()),
                         "codings_excluded": len(out[["segment_id", "code"]].drop_duplicates()),
                         "participants_excluded": int(out["participant_id"].nunique()),
                         "chars_excluded": int(out["chars"].sum())})
    return pd.DataFrame(rows)


# --- salience: theme (or code) x group -------------------------------------------------------

@cache_results(depends_on=("thematic.settings", "thematic.themes", "thematic.codebook"))
def salience(located: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
             level: Literal["theme", "code"] = "theme", scoped: bool = True,
             group_order: Sequence[str] = (), scopes: dict[str, str | None] | None = None) -> pd.DataFrame:
    """Per theme (or code) and group: presence, coded volume and share of participants' talk.

    Columns: theme[, code], group, in_scope, participants_in_group, participants_with_theme,
    participant_share, coded_segments, segments_in_group, segment_share, coded_chars,
    talk_chars, talk_share (pooled over the group), talk_share_mean (mean of each
    participant's share of their own talk: every participant weighs the same),
    activity_chars, barrier_chars, facilitator_chars, barrier_share (barrier characters over
    barrier + facilitator characters; empty when neither was coded), stance_segments.

    With ``scoped=True`` cells outside a theme's scope are zero and ``in_scope`` is False.
    Groups come in *group_order* (the study's), others after them by name. *scopes* (group ->
    scope, the study's settings) decides which cells are in scope; without it the scopes
    recorded in *located* are used.
    """
    spoken = segments[~segments["is_interviewer"]].assign(chars=lambda f: f["end"] - f["start"])
    talk_by_participant = spoken.groupby("participant_id")["chars"].sum()
    group_of = spoken.groupby("participant_id")["group"].first()
    talk = spoken.groupby("group").agg(participants_in_group=("participant_id", "nunique"),
                                       segments_in_group=("segment_id", "nunique"),
                                       talk_chars=("chars", "sum"))
    data = located[located["in_scope"]] if scoped else located
    key = "theme" if level == "theme" else "code"
    items = ([t.id for t in codebook.themes] if level == "theme" else codebook.code_ids)
    codes = codebook.codes.set_index("code")
    scope_of = ({t.id: t.scope for t in codebook.themes} if level == "theme"
                else codes["scope"].to_dict())
    groups = arrange(talk.index, order=group_order)
    if scopes is None:
        scopes = located.drop_duplicates("group").set_index("group")["group_scope"].to_dict() if len(located) else {}
    cells = [key, "group"]
    coded = coded_chars_by(data, cells)
    by_participant = coded_chars_by(data, [*cells, "participant_id"])
    by_kind = coded_chars_by(data, [*cells, "kind"])
    present = data.groupby(cells)["participant_id"].nunique()
    segments_coded = data.groupby(cells)["segment_id"].nunique()
    stance = data[data["kind"] != "activity"].groupby(cells)["segment_id"].nunique()
    rows = []
    for item in items:
        for group in groups:
            members = group_of[group_of == group].index
            shares = [by_participant.get((item, group, p), 0) / talk_by_participant[p] for p in members]
            kinds = {k: by_kind.get((item, group, k), 0) for k in ("activity", "barrier", "facilitator")}
            stance_chars = kinds["barrier"] + kinds["facilitator"]
            row = {
                "theme": item if level == "theme" else codes.loc[item, "theme"],
                **({"code": item} if level == "code" else {}),
                "group": group,
                "in_scope": in_scope(scope_of[item], scopes.get(group)),
                "participants_in_group": int(talk.loc[group, "participants_in_group"]),
                "participants_with_theme": int(present.get((item, group), 0)),
                "coded_segments": int(segments_coded.get((item, group), 0)),
                "segments_in_group": int(talk.loc[group, "segments_in_group"]),
                "coded_chars": int(coded.get((item, group), 0)),
                "talk_chars": int(talk.loc[group, "talk_chars"]),
                "talk_share_mean": round(sum(shares) / len(shares), 4) if shares else 0.0,
                "activity_chars": kinds["activity"], "barrier_chars": kinds["barrier"],
                "facilitator_chars": kinds["facilitator"],
                "barrier_share": round(kinds["barrier"] / stance_chars, 3) if stance_chars else None,
                "stance_segments": int(stance.get((item, group), 0)),
            }
            rows.append(row)
    table = pd.DataFrame(rows)
    table["participant_share"] = (table["participants_with_theme"] / table["participants_in_group"]).round(3)
    table["segment_share"] = (table["coded_segments"] / table["segments_in_group"]).round(4)
    table["talk_share"] = (table["coded_chars"] / table["talk_chars"]).round(4)
    first = ["theme", "code"] if level == "code" else ["theme"]
    order = [*first, "group", "in_scope", "participants_in_group", "participants_with_theme",
             "participant_share", "coded_segments", "segments_in_group", "segment_share", "coded_chars",
             "talk_chars", "talk_share", "talk_share_mean", "activity_chars", "barrier_chars",
             "facilitator_chars", "barrier_share", "stance_segments"]
    return table[order]


def _intervals_by(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, list[Interval]]:
    return {k: list(zip(part["start"], part["end"], strict=True)) for k, part in frame.groupby(keys)}


def coded_chars_by(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, int]:
    """Per value of *keys*, the characters its spans cover, overlaps within an interview
    counted once (what :func:`_coded_chars` gives each part), in one pass over all of them.

    Spans are sorted within each (keys, interview); a span adds what it reaches beyond the
    furthest end of the spans before it (nothing when it lies within them), which is the
    length of the union. Rows with a missing key are left out, as ``groupby`` leaves them.
    """
    columns = [*keys, "interview_id"]
    spans = frame[[*columns, "start", "end"]].dropna(subset=columns)
    if spans.empty:
        return {}
    spans = spans.sort_values([*columns, "start", "end"], kind="stable")
    block = spans.groupby(columns, sort=False).ngroup().to_numpy()
    starts, ends = spans["start"].to_numpy(dtype=np.int64), spans["end"].to_numpy(dtype=np.int64)
    reach = pd.Series(ends).groupby(block).cummax().to_numpy()
    first = np.r_[True, block[1:] != block[:-1]]
    before = np.where(first, np.iinfo(np.int64).min, np.r_[0, reach[:-1]])
    added = np.where(first, ends - starts, np.maximum(ends - np.maximum(starts, before), 0))
    totals = pd.Series(added).groupby([spans[k].to_numpy() for k in keys]).sum()
    return {(k if isinstance(k, tuple) else (k,)): int(v) for k, v in totals.items()}


def _coded_chars(frame: pd.DataFrame) -> int:
    """Characters covered by the spans of *frame*, overlaps within an interview counted once."""
    return sum(covered(v) for v in _intervals_by(frame, ["interview_id"]).values())


# --- convergence (Farmer et al. 2006) ---------------------------------------------------------

class ConvergenceRules(BaseModel):
    """The declared rules that turn salience into the protocol's convergence codes.

    Farmer et al. (2006) compare two sources theme by theme on two elements, **prominence**
    and **meaning**, and code the comparison *agreement* (both elements agree), *partial
    agreement* (one agrees, the other does not), *dissonance* (neither agrees) or *silence*
    (one source covers the theme, the other is silent on it).

    **Prominence** of a theme in a group is ``silent`` when no more than
    ``silent_participant_share`` of the group's participants carry it or its share of their
    talk is below ``silent_talk_share``. Otherwise it is ``salient`` when at least
    ``salient_participant_share`` of the participants carry it and its share of the group's
    theme-coded talk reaches ``salient_ratio`` times an even share (``1/k`` for the ``k``
    themes in the group's scope); else ``minor``. Two groups' prominence agrees when the level
    is the same. Share of talk is ``volume_measure``: ``participant_mean`` (each participant's
    share of their own talk, averaged: every participant weighs the same) or ``pooled``.

    **Meaning** is what the group says within the theme: its **stance** (the barrier share of
    the characters coded barrier or facilitator: ``barrier`` from ``stance_majority``,
    ``facilitator`` up to ``1 - stance_majority``, ``mixed`` between, ``unclear`` with fewer
    than ``stance_min_segments`` barrier/facilitator turns) and the **codes** it uses (its
    profile of coded volume over the theme's codes). Two groups' meaning differs when both
    stances are read and their barrier shares differ by at least ``meaning_stance_gap``, or
    when both have ``meaning_min_segments`` coded turns and the cosine similarity of their code
    profiles is below ``meaning_code_similarity``. Meaning that cannot be read on either
    count (too little coding) is not counted as a difference; the evidence says so.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    salient_ratio: float = Field(0.75, gt=0, description=(
        "salient if the theme's share of the group's theme-coded talk is at least this times 1/k"))
    salient_participant_share: float = Field(0.5, ge=0, le=1, description=(
        "salient needs at least this share of the group's participants to carry the theme"))
    silent_talk_share: float = Field(0.005, ge=0, le=1, description=(
        "silent if the theme's share of the group's talk is below this"))
    silent_participant_share: float = Field(0.0, ge=0, le=1, description=(
        "silent if no more than this share of the group's participants carry the theme"))
    stance_majority: float = Field(0.65, gt=0.5, le=1, description=(
        "mostly barrier (or facilitator) if barrier (facilitator) codes hold at least this share"))
    stance_min_segments: int = Field(3, ge=1, description=(
        "barrier/facilitator segments needed before a stance is read"))
    meaning_stance_gap: float = Field(0.3, gt=0, le=1, description=(
        "meaning differs if the two groups' barrier shares differ by at least this"))
    meaning_code_similarity: float = Field(0.5, ge=0, le=1, description=(
        "meaning differs if the cosine similarity of the groups' code profiles is below this"))
    meaning_min_segments: int = Field(3, ge=1, description=(
        "coded segments of the theme each group needs before its code profile is compared"))
    volume_measure: Literal["participant_mean", "pooled"] = Field("participant_mean", description=(
        "share of talk averaged over participants, or pooled over the group's talk"))

    def table(self) -> pd.DataFrame:
        """The rules as a table: parameter, value, default, meaning."""
        return rules_table(self)

    @classmethod
    def from_parameters(cls, values: dict) -> ConvergenceRules:
        """Build from a notebook parameter (a dict); a bad value is a ParameterError."""
        return rules_from_parameter(cls, values, message=Errors.E600)


def rules_table(rules: BaseModel) -> pd.DataFrame:
    """Any pydantic rule object as a table: parameter, value, default, meaning."""
    return pd.DataFrame([{"parameter": name, "value": getattr(rules, name), "default": field.default,
                          "meaning": field.description or ""}
                         for name, field in type(rules).model_fields.items()])


def protocol_table(rules: ConvergenceRules) -> pd.DataFrame:
    """The convergence rule as applied, with the thresholds in force: one row per decision.

    Printed beside the convergence matrix so that a reader can check every cell by hand.
    """
    r = rules
    share = "mean share of each participant's talk" if r.volume_measure == "participant_mean" \
        else "share of the group's pooled talk"
    rows = [
        ("prominence", "silent", f"at most {r.silent_participant_share:.0%} of the group's participants carry "
                                 f"the theme, or it takes under {r.silent_talk_share:.1%} of their talk ({share})"),
        ("prominence", "salient", f"at least {r.salient_participant_share:.0%} of participants carry it and it "
                                  f"holds at least {r.salient_ratio:g} x 1/k of the group's theme-coded talk "
                                  "(k: themes in the group's scope)"),
        ("prominence", "minor", "voiced, but not salient"),
        ("prominence", "agrees", "both groups at the same level (salient and salient, minor and minor)"),
        ("meaning", "stance", f"barrier share of barrier+facilitator characters: barrier from "
                              f"{r.stance_majority:.0%}, facilitator up to {1 - r.stance_majority:.0%}, mixed "
                              f"between; unclear under {r.stance_min_segments} barrier/facilitator turns"),
        ("meaning", "differs", f"barrier shares {r.meaning_stance_gap:.0%} or more apart (both stances read), "
                               f"or code profiles with cosine similarity under {r.meaning_code_similarity:g} "
                               f"(both with {r.meaning_min_segments}+ coded turns)"),
        ("meaning", "agrees", "no difference found; 'unclear' when neither count could be read"),
        ("convergence", "agreement", "prominence agrees and meaning agrees"),
        ("convergence", "partial agreement", "one of prominence and meaning agrees, the other differs"),
        ("convergence", "dissonance", "prominence differs and meaning differs"),
        ("convergence", "silence", "one group voices the theme, the other is silent"),
        ("convergence", "absent in both", "both groups silent (outside the protocol's four codes)"),
        ("convergence", "out of scope", "the theme does not apply to one of the groups"),
    ]
    return pd.DataFrame(rows, columns=["element", "decision", "rule"])


def group_profiles(matrix: pd.DataFrame, rules: ConvergenceRules, *,
                   codes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per theme and group: prominence, stance and code profile, with the evidence.

    *matrix* is the theme-level :func:`salience` table; *codes* the code-level one (for the
    code profiles that meaning compares; without it meaning rests on stance alone).
    ``theme_share`` is the theme's share of the group's talk coded with any in-scope theme.
    """
    share_col = "talk_share_mean" if rules.volume_measure == "participant_mean" else "talk_share"
    scoped = matrix[matrix["in_scope"]]
    totals = scoped.groupby("group")[share_col].sum()
    themes_in_scope = scoped.groupby("group")["theme"].nunique()
    profile_of = {}
    if codes is not None and len(codes):
        for (theme, group), part in codes[codes["in_scope"]].groupby(["theme", "group"], sort=False):
            profile_of[theme, group] = dict(zip(part["code"], part[share_col].astype(float), strict=True))
    rows = []
    for _, cell in matrix.iterrows():
        group = cell["group"]
        share, people = float(cell[share_col]), float(cell["participant_share"])
        total = float(totals.get(group, 0.0))
        relative = share / total if total else 0.0
        k = int(themes_in_scope.get(group, 0))
        bar = rules.salient_ratio / k if k else 1.0
        carried = f"{cell['participants_with_theme']}/{cell['participants_in_group']} participants"
        if not cell["in_scope"]:
            prominence, why = "out of scope", "theme outside this group's scope"
        elif people <= rules.silent_participant_share or share < rules.silent_talk_share:
            prominence = "silent"
            why = (f"{carried} (silent at <= {rules.silent_participant_share:.0%}), talk {share:.1%} "
                   f"(silent below {rules.silent_talk_share:.1%})")
        elif people >= rules.salient_participant_share and relative >= bar:
            prominence = "salient"
            why = (f"{carried} (>= {rules.salient_participant_share:.0%}), {relative:.0%} of coded "
                   f"talk (>= {bar:.0%} = {rules.salient_ratio:g} x 1/{k}), talk {share:.1%}")
        else:
            prominence = "minor"
            why = (f"{carried}, {relative:.0%} of coded talk, talk {share:.1%} (salient needs "
                   f">= {rules.salient_participant_share:.0%} of participants and >= {bar:.0%})")
        barrier = cell["barrier_share"]
        if prominence in ("out of scope", "silent") or pd.isna(barrier) \
                or cell["stance_segments"] < rules.stance_min_segments:
            stance = "unclear"
            stance_why = f"{cell['stance_segments']} barrier/facilitator segments (needs {rules.stance_min_segments})"
        else:
            stance = ("barrier" if barrier >= rules.stance_majority
                      else "facilitator" if barrier <= 1 - rules.stance_majority else "mixed")
            stance_why = (f"barrier {barrier:.0%} of barrier+facilitator characters in "
                          f"{cell['stance_segments']} segments (majority {rules.stance_majority:.0%})")
        profile = {c: v for c, v in profile_of.get((cell["theme"], group), {}).items() if v > 0}
        rows.append({"theme": cell["theme"], "group": group, "prominence": prominence,
                     "stance": stance, "talk_share_used": round(share, 4),
                     "theme_share": round(relative, 4), "participant_share": people,
                     "barrier_share": barrier, "coded_segments": int(cell["coded_segments"]),
                     "codes_used": ", ".join(sorted(profile, key=lambda c: (-profile[c], c))),
                     "code_profile": profile,
                     "prominence_evidence": why, "stance_evidence": stance_why})
    return pd.DataFrame(rows)


def code_similarity(first: dict[str, float], second: dict[str, float]) -> float:
    """Cosine similarity of two code profiles (code -> coded volume); NaN if either is empty."""
    keys = sorted(set(first) | set(second))
    a = np.array([first.get(k, 0.0) for k in keys])
    b = np.array([second.get(k, 0.0) for k in keys])
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norm) if norm else float("nan")


def compare_meaning(a: pd.Series, b: pd.Series, rules: ConvergenceRules) -> dict:
    """Whether two groups' accounts of a theme mean the same: stance and codes, with the evidence.

    Returns meaning (``same``, ``different`` or ``unclear``), barrier_gap, code_similarity and
    a sentence of evidence.
    """
    notes, differs, read = [], False, False
    gap = np.nan
    if a["stance"] != "unclear" and b["stance"] != "unclear":
        read = True
        gap = abs(float(a["barrier_share"]) - float(b["barrier_share"]))
        differs |= gap >= rules.meaning_stance_gap
        notes.append(f"barrier shares {float(a['barrier_share']):.0%} and {float(b['barrier_share']):.0%}, "
                     f"{gap:.0%} apart ({'at least' if gap >= rules.meaning_stance_gap else 'under'} "
                     f"{rules.meaning_stance_gap:.0%})")
    else:
        notes.append("stance not read in both groups")
    similarity = np.nan
    profiles = a.get("code_profile"), b.get("code_profile")
    if all(isinstance(p, dict) and p for p in profiles) and \
            min(a["coded_segments"], b["coded_segments"]) >= rules.meaning_min_segments:
        read = True
        similarity = code_similarity(*profiles)
        differs |= similarity < rules.meaning_code_similarity
        notes.append(f"code profiles similarity {similarity:.2f} "
                     f"({'below' if similarity < rules.meaning_code_similarity else 'at or above'} "
                     f"{rules.meaning_code_similarity:g})")
    else:
        notes.append(f"code profiles not compared (needs {rules.meaning_min_segments} coded segments in each)")
    meaning = "different" if differs else "same" if read else "unclear"
    return {"meaning": meaning, "barrier_gap": round(gap, 3) if np.isfinite(gap) else np.nan,
            "code_similarity": round(similarity, 3) if np.isfinite(similarity) else np.nan,
            "meaning_evidence": "; ".join(notes)}


def classify(prominence_a: str, prominence_b: str, meaning: str) -> tuple[str, str]:
    """The protocol's convergence code of one comparison, and the reason.

    *prominence_a/b* are ``salient``, ``minor``, ``silent`` or ``out of scope``; *meaning* is
    ``same``, ``different`` or ``unclear`` (read as not different). Agreement when both
    elements agree, partial agreement when one does, dissonance when neither does, silence
    when one group voices the theme and the other does not (Farmer et al. 2006).
    """
    if "out of scope" in (prominence_a, prominence_b):
        return "out of scope", "theme outside the scope of at least one group"
    silent = (prominence_a == "silent", prominence_b == "silent")
    if all(silent):
        return "absent in both", "neither group voices the theme"
    if any(silent):
        return "silence", "one group voices the theme, the other is silent"
    same_prominence = prominence_a == prominence_b
    same_meaning = meaning != "different"
    if same_prominence and same_meaning:
        return "agreement", "same prominence and meaning" + (" (meaning not readable)" if meaning == "unclear" else "")
    if same_prominence:
        return "partial agreement", "same prominence, different meaning"
    if same_meaning:
        return "partial agreement", "same meaning, different prominence" + (
            " (meaning not readable)" if meaning == "unclear" else "")
    return "dissonance", "different prominence and different meaning"


def convergence(profiles: pd.DataFrame, rules: ConvergenceRules | None = None, *,
                group_order: Sequence[str] | None = None) -> pd.DataFrame:
    """Convergence code of every theme for every pair of groups, with the evidence.

    Prominence and meaning are compared separately (:func:`compare_meaning`), then
    :func:`classify` applies the protocol. Pairs where the theme is outside either group's
    scope are ``out of scope``; pairs where both groups are silent are ``absent in both``.
    Groups are paired in *group_order* (the study's; groups it does not name follow by name).
    """
    rules = rules or ConvergenceRules()
    rows = []
    for theme, mine in profiles.groupby("theme", sort=False):
        by_group = mine.set_index("group")
        for first, second in combinations(arrange(by_group.index, order=group_order or ()), 2):
            a, b = by_group.loc[first], by_group.loc[second]
            meaning = compare_meaning(a, b, rules)
            code, reason = classify(a["prominence"], b["prominence"], meaning["meaning"])
            rows.append({
                "theme": theme, "group_a": first, "group_b": second, "pair": f"{first} / {second}",
                "convergence": code, "prominence_a": a["prominence"], "prominence_b": b["prominence"],
                "prominence_agrees": a["prominence"] == b["prominence"],
                "stance_a": a["stance"], "stance_b": b["stance"], **meaning,
                "evidence": (f"{reason}. Meaning: {meaning['meaning_evidence']}. {first}: {a['prominence']} "
                             f"({a['prominence_evidence']}), stance {a['stance']} ({a['stance_evidence']}), "
                             f"codes {a.get('codes_used', '') or 'none'}. {second}: {b['prominence']} "
                             f"({b['prominence_evidence']}), stance {b['stance']} ({b['stance_evidence']}), "
                             f"codes {b.get('codes_used', '') or 'none'}."),
            })
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def theme_convergence(pairs: pd.DataFrame, profiles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """A global assessment per theme across the groups it applies to, with the pair counts.

    Dissonance if any pair is dissonant; else silence if some (not all) groups are silent;
    else agreement if every pair agrees; else partial agreement. ``single group`` when the
    theme applies to one group only (nothing to triangulate).
    """
    rows = []
    for theme in codebook.themes:
        mine = pairs[(pairs["theme"] == theme.id) & (pairs["convergence"] != "out of scope")]
        scoped = profiles[(profiles["theme"] == theme.id) & (profiles["prominence"] != "out of scope")]
        groups = list(scoped["group"])
        counts = mine["convergence"].value_counts()
        silent = list(scoped.loc[scoped["prominence"] == "silent", "group"])
        if len(groups) < 2:
            code = "single group"
        elif counts.get("dissonance", 0):
            code = "dissonance"
        elif silent and len(silent) < len(groups):
            code = "silence"
        elif len(silent) == len(groups):
            code = "absent in both"
        elif counts.get("agreement", 0) == len(mine):
            code = "agreement"
        else:
            code = "partial agreement"
        profile = "; ".join(f"{g}: {p}/{s}" for g, p, s in
                            zip(scoped["group"], scoped["prominence"], scoped["stance"], strict=True))
        rows.append({"theme": theme.id, "name": theme.name, "scope": theme.scope or "all groups",
                     "groups_in_scope": len(groups), "convergence": code,
                     **{f"pairs_{c.replace(' ', '_')}": int(counts.get(c, 0)) for c in CONVERGENCE},
                     "silent_groups": ", ".join(silent), "profiles": profile})
    return pd.DataFrame(rows)


def convergence_summary(pairs: pd.DataFrame, profiles: pd.DataFrame, rules: ConvergenceRules) -> str:
    """In words, which of the protocol's four codes occur, where, and why a code does not.

    One Markdown bullet per code: how many theme x pair comparisons have it, with examples;
    for a code that never occurs, what the data show instead (for silence, the quietest voice).
    Theme and group ids come from the study's files and are written as literal text.
    """
    compared = pairs[~pairs["convergence"].isin(["out of scope", "absent in both"])]
    if compared.empty:
        return ("No comparison: no theme is voiced by two groups it applies to, so the protocol's codes "
                "do not arise (one group only, or groups that share no theme).")
    lines = []
    for code in CONVERGENCE:
        mine = compared[compared["convergence"] == code]
        if len(mine):
            examples = ", ".join(f"{literal(r.theme)} {literal(r.group_a)} / {literal(r.group_b)}"
                                 for r in mine.head(4).itertuples())
            more = f" and {len(mine) - 4} more" if len(mine) > 4 else ""
            lines.append(f"- **{code}**: {len(mine)} of {len(compared)} comparisons ({examples}{more}).")
            continue
        lines.append(f"- **{code}**: none of {len(compared)} comparisons. {_why_none(code, compared, profiles, rules)}")
    return "\n".join(lines)


def _why_none(code: str, compared: pd.DataFrame, profiles: pd.DataFrame, rules: ConvergenceRules) -> str:
    if code == "silence":
        shared = profiles[profiles["theme"].isin(compared["theme"]) & ~profiles["prominence"].isin(
            ["out of scope", "silent"])]
        if shared.empty:
            return "No theme is voiced by two groups."
        quiet = shared.sort_values("talk_share_used").iloc[0]
        return (f"Every group voices every theme that applies to it and to another group. The quietest voice is "
                f"{literal(quiet['group'])} on {literal(quiet['theme'])}: {quiet['participant_share']:.0%} of its "
                "participants carry "
                f"it, in {quiet['talk_share_used']:.1%} of their talk, where silence needs no participant or under "
                f"{rules.silent_talk_share:.1%} of talk.")
    if code == "dissonance":
        both = compared[~compared["prominence_agrees"] & (compared["meaning"] == "different")]
        return ("No pair differs in both prominence and meaning." if both.empty else "")
    if code == "agreement":
        return "Every pair differs in prominence, in meaning, or is silent."
    return "Every pair agrees on both elements, or on neither."


def shared_themes(codebook: Codebook, scopes: dict[str, str]) -> pd.DataFrame:
    """Which themes each group shares with the others: how groups analysed apart are compared.

    One row per theme: theme, name, scope, groups (it applies to), shared (applies to more
    than one group). A group whose own scope holds only its own themes is compared with the
    others on the shared themes alone.
    """
    rows = []
    for theme in codebook.themes:
        groups = [g for g, s in scopes.items() if in_scope(theme.scope, s)]
        rows.append({"theme": theme.id, "name": theme.name, "scope": theme.scope or "all groups",
                     "groups": ", ".join(groups), "shared": len(groups) > 1})
    return pd.DataFrame(rows)


def comparison_basis(codebook: Codebook, scopes: dict[str, str]) -> str:
    """In words, how each set of groups analysed apart is compared with the others.

    For every scope that does not cover all groups and has themes of its own: its groups are
    analysed apart on those themes and compared with the other groups on the themes that
    apply to both (themes without a scope, the question asked of every group). Empty when
    every group shares every theme.
    """
    applies = {t.id: {g for g, s in scopes.items() if in_scope(t.scope, s)} for t in codebook.themes}
    notes = []
    for scope in sorted(set(scopes.values())):
        members = {g for g, s in scopes.items() if s == scope}
        own = [t.id for t in codebook.themes if applies[t.id] and applies[t.id] <= members]
        if members == set(scopes) or not own:
            continue
        common = [t for t, groups in applies.items() if groups & members and groups - members]
        listed = ", ".join(literal(g) for g in arrange(members, order=scopes))
        shared = f"compared with the other groups on {', '.join(map(literal, common))}" if common else \
            "no theme shared with the other groups, so not triangulated with them"
        notes.append(f"**{listed}** (scope {literal(scope)}): own themes {', '.join(map(literal, own))}; {shared}.")
    if not notes:
        return ""
    return ("Groups with themes of their own are compared with the others only on the themes that apply to "
            "both (a theme without a scope is the question the study asks of every group). " + " ".join(notes))


def convergence_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """How many theme x pair comparisons fell in each class (all six, zeros kept)."""
    counts = pairs["convergence"].value_counts()
    return pd.DataFrame({"convergence": list(CONVERGENCE_ORDER),
                         "pairs": [int(counts.get(c, 0)) for c in CONVERGENCE_ORDER]})


# --- change over time --------------------------------------------------------------------------

def repeat_participants(segments: pd.DataFrame) -> pd.DataFrame:
    """Participants interviewed in more than one wave: participant_id, group, first_wave, last_wave.

    Taken from the data (the ``wave`` of each interview), so any group interviewed repeatedly
    is found; empty when every participant gave one interview or no waves are recorded.
    """
    columns = ["participant_id", "group", "first_wave", "last_wave"]
    spoken = segments[~segments["is_interviewer"]]
    if "wave" not in spoken.columns or spoken.empty:
        return pd.DataFrame(columns=columns)
    waves = spoken.assign(wave=spoken["wave"].fillna(1)).groupby("participant_id").agg(
        group=("group", "first"), first_wave=("wave", "min"), last_wave=("wave", "max"))
    return waves[waves["first_wave"] < waves["last_wave"]].reset_index()[columns]


@cache_results(depends_on=("thematic.resample", "thematic.settings", "thematic.themes"))
def wave_change(located: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                scopes: dict[str, str] | None = None, group_order: Sequence[str] | None = None,
                n_boot: int = 1000, seed: int = 0, confidence: float = 0.95,
                min_participants: int = 4) -> pd.DataFrame:
    """Per group interviewed in more than one wave, and per theme: each person's first wave
    against their last, with a cluster-bootstrap interval of the mean change.

    Parameters
    ----------
    located
        :func:`locate_spans` output (in-scope spans count).
    scopes
        Group -> scope (the study's settings): only the themes that apply to the group are
        compared. Without it every theme is.
    group_order
        The study's group order, for the rows.
    n_boot, seed, confidence
        Resamples of participants (each person one cluster) and the interval's confidence;
        expanded percentile intervals (:mod:`thematic.resample`).
    min_participants
        Fewer people interviewed twice than this: ``not enough data``.

    Returns
    -------
    DataFrame
        group, theme, name, participants, first_wave, last_wave, carried_first, carried_last,
        talk_share_first, talk_share_last (mean of participants' coded share of their own
        talk), change (last - first), change_low, change_high, direction (``rose`` or
        ``fell`` only when the interval excludes zero, else ``no clear change``; ``not enough
        data`` below *min_participants*; ``no interval`` when *n_boot* is 0), participants_up,
        participants_down,
        barrier_share_first, barrier_share_last.
    """
    from thematic import resample

    resample.check_bootstrap(n_boot, confidence)
    columns = ["group", "theme", "name", "participants", "first_wave", "last_wave", "carried_first",
               "carried_last", "talk_share_first", "talk_share_last", "change", "change_low", "change_high",
               "direction", "participants_up", "participants_down", "barrier_share_first",
               "barrier_share_last"]
    repeated = repeat_participants(segments)
    if repeated.empty:
        return pd.DataFrame(columns=columns)
    spoken = segments[~segments["is_interviewer"]]
    spoken = spoken.assign(chars=spoken["end"] - spoken["start"], wave=spoken["wave"].fillna(1))
    talk = spoken.groupby(["participant_id", "wave"])["chars"].sum()
    first_of = repeated.set_index("participant_id")["first_wave"]
    last_of = repeated.set_index("participant_id")["last_wave"]
    data = located[located["in_scope"]].assign(wave=lambda f: f["wave"].fillna(1))
    rows = []
    for group in arrange(repeated["group"].unique(), order=group_order or ()):
        people = sorted(repeated.loc[repeated["group"] == group, "participant_id"])
        mine = data[data["participant_id"].isin(people)]
        for theme in codebook.themes:
            if scopes is not None and not in_scope(theme.scope, scopes.get(group)):
                continue
            cell = mine[mine["theme"] == theme.id]
            at_first = cell[cell["wave"] == cell["participant_id"].map(first_of)]
            at_last = cell[cell["wave"] == cell["participant_id"].map(last_of)]
            own_first = dict(tuple(at_first.groupby("participant_id", sort=False)))  # not a scan per person
            own_last = dict(tuple(at_last.groupby("participant_id", sort=False)))
            first = np.array([_coded_chars(own_first.get(p, at_first.iloc[:0])) /
                              max(talk.get((p, first_of[p]), 0), 1) for p in people])
            last = np.array([_coded_chars(own_last.get(p, at_last.iloc[:0])) /
                             max(talk.get((p, last_of[p]), 0), 1) for p in people])
            diffs = last - first
            interval = resample.cluster_bootstrap(lambda index, d=diffs: d[index].mean(), people,
                                                  n_boot=n_boot, seed=seed, confidence=confidence)
            if len(people) < min_participants:
                direction = "not enough data"
            elif not n_boot:
                direction = "no interval"
            elif interval.excludes(0.0):
                direction = "rose" if interval.low > 0 else "fell"
            else:
                direction = "no clear change"
            rows.append({
                "group": group, "theme": theme.id, "name": theme.name, "participants": len(people),
                "first_wave": _wave_label(first_of[people]), "last_wave": _wave_label(last_of[people]),
                "carried_first": int(at_first["participant_id"].nunique()),
                "carried_last": int(at_last["participant_id"].nunique()),
                "talk_share_first": round(float(first.mean()), 4), "talk_share_last": round(float(last.mean()), 4),
                "change": round(float(diffs.mean()), 4),
                "change_low": round(interval.low, 4) if np.isfinite(interval.low) else np.nan,
                "change_high": round(interval.high, 4) if np.isfinite(interval.high) else np.nan,
                "direction": direction,
                "participants_up": int((diffs > 0).sum()), "participants_down": int((diffs < 0).sum()),
                "barrier_share_first": _barrier_share(at_first), "barrier_share_last": _barrier_share(at_last),
            })
    return pd.DataFrame(rows, columns=columns)


def _wave_label(waves: pd.Series) -> str:
    values = sorted({int(w) if float(w).is_integer() else w for w in waves})
    return ", ".join(map(str, values))


def _barrier_share(frame: pd.DataFrame) -> float | None:
    barrier = _coded_chars(frame[frame["kind"] == "barrier"])
    facilitator = _coded_chars(frame[frame["kind"] == "facilitator"])
    return round(barrier / (barrier + facilitator), 3) if barrier + facilitator else None


# --- kept for the simple presence view ---------------------------------------------------------

def theme_group_matrix(final: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
                       participants: pd.DataFrame) -> pd.DataFrame:
    """Per theme and group: participants whose interviews carry the theme, and their share.

    Presence only, on whole segments and without scope rules; :func:`salience` is the full
    measure. Long format: theme, group, participants_with_theme, participants_in_group,
    share, coded_segments.
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
                    group: str) -> pd.DataFrame:
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


def wave_summary(part: pd.DataFrame, *, group: str) -> str:
    """One group's change over time (rows of :func:`wave_change` for *group*) in a sentence:
    each theme that rose or fell with its shares, change, interval and people who moved, then
    the themes with no clear change."""
    named = part[part["direction"].isin(["rose", "fell"])]
    changes = "; ".join(
        f"{r.theme} {r.direction} from {r.talk_share_first:.1%} to {r.talk_share_last:.1%} of their talk "
        f"({100 * r.change:+.1f} points, 95% interval {100 * r.change_low:+.1f} to {100 * r.change_high:+.1f}; "
        f"{r.participants_up} up, {r.participants_down} down)" for r in named.itertuples())
    unclear = part.loc[part["direction"] == "no clear change", "theme"].tolist()
    return (f"**{group}** ({part['participants'].iloc[0]} people interviewed twice): "
            + (changes or "no clear change in any theme")
            + (f". No clear change: {', '.join(unclear)}." if unclear else "."))


def scopes_apart(by_code: pd.DataFrame, codebook) -> dict[str, pd.DataFrame]:
    """Per codebook scope (in name order), its themes' in-scope rows of *by_code* (code-level
    :func:`salience`) with each code's label and kind: the groups a scope covers, analysed apart."""
    labels = codebook.codes.set_index("code")[["label", "kind"]]
    theme_scope = {t.id: t.scope for t in codebook.themes}
    columns = ["code", "label", "kind", "group", "participants_with_theme", "participants_in_group",
               "coded_segments", "talk_share_mean"]
    in_scope = by_code[by_code["in_scope"]]
    return {scope: in_scope[in_scope["theme"].map(theme_scope) == scope].join(labels, on="code")[columns]
            for scope in sorted({s for s in theme_scope.values() if s})}


PARAMETERS = (
    Parameter("convergence_rules", rules(ConvergenceRules),
              f"a mapping of the rules of convergence ({', '.join(ConvergenceRules.model_fields)}; "
              "see docs/triangulation.md)"),
    Parameter("min_wave_participants", Annotated[int, Field(ge=1, le=100_000)],
              "the fewest people interviewed in two waves for a change to be shown, 1 or more"),
)
