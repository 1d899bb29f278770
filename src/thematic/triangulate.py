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
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from thematic.codebook import Codebook
from thematic.errors import Errors, ParameterError
from thematic.parameters import rules_from_parameter
from thematic.segments import Rule
from thematic.settings import arrange, in_scope
from thematic.themes import locate_codings

Interval = tuple[int, int]
CONVERGENCE = ("agreement", "partial agreement", "silence", "dissonance")
#: Convergence codes plus the two cases the protocol's four codes do not cover.
CONVERGENCE_ORDER = (*CONVERGENCE, "absent in both", "out of scope")


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
    rows = []
    for (segment_id, interview_id, code), spans in merged.groupby(
            ["segment_id", "interview_id", "code"], sort=True):
        per_coder = [merge_intervals(zip(part["start"], part["end"], strict=True))
                     for _, part in spans.groupby("coder")]
        if rule == "union":
            kept = merge_intervals(i for coder_spans in per_coder for i in coder_spans)
        else:
            kept = per_coder[0] if len(per_coder) == len(coders) else []
            for other in per_coder[1:]:
                kept = intersect_intervals(kept, other)
        rows += [(segment_id, interview_id, code, s, e) for s, e in kept]
    return pd.DataFrame(rows, columns=columns)


# --- scope: parents apart --------------------------------------------------------------------

def locate_spans(spans: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                 scopes: dict[str, str]) -> pd.DataFrame:
    """Spans joined with segment metadata and the codebook, with ``in_scope`` and ``chars``.

    A span is in scope when its code's scope (from the codebook: the code's, else its
    theme's) applies to the group whose transcript it is in (:func:`thematic.settings.in_scope`);
    *scopes* maps each group to its scope (the study's settings, ``Dataset.scopes``).
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
            rows.append({"theme": theme.id, "theme_scope": theme.scope, "group": group,
                         "codings_kept": len(kept[["segment_id", "code"]].drop_duplicates()),
                         "codings_excluded": len(out[["segment_id", "code"]].drop_duplicates()),
                         "participants_excluded": int(out["participant_id"].nunique()),
                         "chars_excluded": int(out["chars"].sum())})
    return pd.DataFrame(rows)


# --- salience: theme (or code) x group -------------------------------------------------------

def salience(located: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
             level: Literal["theme", "code"] = "theme", scoped: bool = True,
             group_order: Sequence[str] = ()) -> pd.DataFrame:
    """Per theme (or code) and group: presence, coded volume and share of participants' talk.

    Columns: theme[, code], group, in_scope, participants_in_group, participants_with_theme,
    participant_share, coded_segments, segments_in_group, segment_share, coded_chars,
    talk_chars, talk_share (pooled over the group), talk_share_mean (mean of each
    participant's share of their own talk: every participant weighs the same),
    activity_chars, barrier_chars, facilitator_chars, barrier_share (barrier characters over
    barrier + facilitator characters; empty when neither was coded), stance_segments.

    With ``scoped=True`` cells outside a theme's scope are zero and ``in_scope`` is False.
    Groups come in *group_order* (the study's), others after them by name.
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
    scopes = located.drop_duplicates("group").set_index("group")["group_scope"].to_dict() if len(located) else {}
    rows = []
    for item in items:
        mine = data[data[key] == item]
        for group in groups:
            cell = mine[mine["group"] == group]
            coded_chars = _coded_chars(cell)
            by_participant = {pid: _coded_chars(part) for (pid,), part in cell.groupby(["participant_id"])}
            members = group_of[group_of == group].index
            shares = [by_participant.get(p, 0) / talk_by_participant[p] for p in members]
            kinds = {k: _coded_chars(cell[cell["kind"] == k]) for k in ("activity", "barrier", "facilitator")}
            stance_chars = kinds["barrier"] + kinds["facilitator"]
            row = {
                "theme": item if level == "theme" else codes.loc[item, "theme"],
                **({"code": item} if level == "code" else {}),
                "group": group,
                "in_scope": in_scope(scope_of[item], scopes.get(group)),
                "participants_in_group": int(talk.loc[group, "participants_in_group"]),
                "participants_with_theme": int(cell["participant_id"].nunique()),
                "coded_segments": int(cell["segment_id"].nunique()),
                "segments_in_group": int(talk.loc[group, "segments_in_group"]),
                "coded_chars": int(coded_chars),
                "talk_chars": int(talk.loc[group, "talk_chars"]),
                "talk_share_mean": round(sum(shares) / len(shares), 4) if shares else 0.0,
                "activity_chars": kinds["activity"], "barrier_chars": kinds["barrier"],
                "facilitator_chars": kinds["facilitator"],
                "barrier_share": round(kinds["barrier"] / stance_chars, 3) if stance_chars else None,
                "stance_segments": int(cell.loc[cell["kind"] != "activity", "segment_id"].nunique()),
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


def _coded_chars(frame: pd.DataFrame) -> int:
    """Characters covered by the spans of *frame*, overlaps within an interview counted once."""
    return sum(covered(v) for v in _intervals_by(frame, ["interview_id"]).values())


# --- convergence (Farmer et al. 2006) ---------------------------------------------------------

class ConvergenceRules(BaseModel):
    """The declared rules that turn salience into convergence codes.

    **Prominence** of a theme in a group is ``silent`` when no more than
    ``silent_participant_share`` of the group's participants carry it or its share of their
    talk is below ``silent_talk_share``. Otherwise it is ``salient`` when at least
    ``salient_participant_share`` of the participants carry it and its share of the group's
    theme-coded talk reaches ``salient_ratio`` times an even share (``1/k`` for the ``k``
    themes in the group's scope); else ``minor``. Share of talk is ``volume_measure``:
    ``participant_mean`` (each participant's share of their own talk, averaged: every
    participant weighs the same) or ``pooled`` (long interviews weigh more). Prominence is
    relative within a group because, with speaker turns as units, nearly every participant
    carries nearly every theme.

    **Stance** is ``barrier`` when barrier codes hold at least ``stance_majority`` of the
    characters coded barrier or facilitator, ``facilitator`` when they hold at most
    ``1 - stance_majority``, ``mixed`` between, and ``unclear`` with fewer than
    ``stance_min_segments`` barrier/facilitator segments.

    **Convergence** of two groups that both voice a theme: ``agreement`` when prominence and
    stance match (an ``unclear`` stance cannot contradict), ``dissonance`` when one is mostly
    barrier and the other mostly facilitator, else ``partial agreement``. ``silence``: one
    voices the theme, the other is silent.
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


def group_profiles(matrix: pd.DataFrame, rules: ConvergenceRules) -> pd.DataFrame:
    """Per theme and group: prominence and stance, and the thresholds that decided them.

    *matrix* is the theme-level :func:`salience` table. ``theme_share`` is the theme's share
    of the group's talk coded with any in-scope theme.
    """
    share_col = "talk_share_mean" if rules.volume_measure == "participant_mean" else "talk_share"
    scoped = matrix[matrix["in_scope"]]
    totals = scoped.groupby("group")[share_col].sum()
    themes_in_scope = scoped.groupby("group")["theme"].nunique()
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
        rows.append({"theme": cell["theme"], "group": group, "prominence": prominence,
                     "stance": stance, "talk_share_used": round(share, 4),
                     "theme_share": round(relative, 4), "participant_share": people,
                     "barrier_share": barrier, "prominence_evidence": why, "stance_evidence": stance_why})
    return pd.DataFrame(rows)


def convergence(profiles: pd.DataFrame) -> pd.DataFrame:
    """Convergence code of every theme for every pair of groups, with the evidence.

    Pairs where the theme is outside either group's scope are ``out of scope``; pairs where
    both groups are silent are ``absent in both`` (the protocol's four codes compare
    accounts, and there is none).
    """
    rows = []
    for theme, mine in profiles.groupby("theme", sort=False):
        by_group = mine.set_index("group")
        for first, second in combinations(list(dict.fromkeys(mine["group"])), 2):
            a, b = by_group.loc[first], by_group.loc[second]
            code, reason = _pair_code(a, b)
            rows.append({
                "theme": theme, "group_a": first, "group_b": second, "pair": f"{first} / {second}",
                "convergence": code, "prominence_a": a["prominence"], "prominence_b": b["prominence"],
                "stance_a": a["stance"], "stance_b": b["stance"],
                "evidence": (f"{reason}. {first}: {a['prominence']} ({a['prominence_evidence']}), stance "
                             f"{a['stance']} ({a['stance_evidence']}). {second}: {b['prominence']} "
                             f"({b['prominence_evidence']}), stance {b['stance']} ({b['stance_evidence']})."),
            })
    return pd.DataFrame(rows, columns=["theme", "group_a", "group_b", "pair", "convergence", "prominence_a",
                                       "prominence_b", "stance_a", "stance_b", "evidence"])


def _pair_code(a: pd.Series, b: pd.Series) -> tuple[str, str]:
    if "out of scope" in (a["prominence"], b["prominence"]):
        return "out of scope", "theme outside the scope of at least one group"
    silent = (a["prominence"] == "silent", b["prominence"] == "silent")
    if all(silent):
        return "absent in both", "neither group voices the theme"
    if any(silent):
        return "silence", "one group voices the theme, the other is silent"
    stances = {a["stance"], b["stance"]}
    if stances == {"barrier", "facilitator"}:
        return "dissonance", "mostly barrier in one group, mostly facilitator in the other"
    same_prominence = a["prominence"] == b["prominence"]
    same_meaning = a["stance"] == b["stance"] or "unclear" in stances
    if same_prominence and same_meaning:
        return "agreement", "same prominence and compatible stance"
    if same_prominence:
        return "partial agreement", "same prominence, different stance"
    if same_meaning:
        return "partial agreement", "compatible stance, different prominence"
    return "partial agreement", "different prominence and stance (not opposed)"


def theme_convergence(pairs: pd.DataFrame, profiles: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One convergence code per theme across all the groups in its scope.

    Dissonance if any pair is dissonant; else silence if any in-scope group is silent; else
    agreement if every pair agrees; else partial agreement. A theme whose scope holds a single
    group is ``single group`` (nothing to triangulate within scope).
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
        rows.append({"theme": theme.id, "name": theme.name, "scope": theme.scope,
                     "groups_in_scope": len(groups), "convergence": code,
                     **{f"pairs_{c.replace(' ', '_')}": int(counts.get(c, 0)) for c in CONVERGENCE},
                     "silent_groups": ", ".join(silent), "profiles": profile})
    return pd.DataFrame(rows)


# --- change over time --------------------------------------------------------------------------

def longitudinal_groups(segments: pd.DataFrame, *, group_order: Sequence[str] = ()) -> list[str]:
    """Groups with at least one participant interviewed in more than one wave (study order)."""
    waves = segments.groupby(["group", "participant_id"])["wave"].nunique()
    return arrange(waves[waves > 1].index.get_level_values("group"), order=group_order)


def wave_change(located: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
                group: str, min_change: float = 0.01) -> pd.DataFrame:
    """Per theme: one group's first wave against its last, on participants who gave both.

    Columns: theme, name, participants (interviewed in both waves), carried_first,
    carried_last, talk_share_first, talk_share_last (mean of participants' shares),
    change (last - first, in share of talk), direction (``rose``/``fell`` when the change is
    at least *min_change*, else ``steady``), participants_up, participants_down,
    barrier_share_first, barrier_share_last.
    """
    spoken = segments[(segments["group"] == group) & ~segments["is_interviewer"]]
    spoken = spoken.assign(chars=spoken["end"] - spoken["start"])
    waves = sorted(spoken["wave"].unique())
    columns = ["theme", "name", "participants", "carried_first", "carried_last", "talk_share_first",
               "talk_share_last", "change", "direction", "participants_up", "participants_down",
               "barrier_share_first", "barrier_share_last"]
    if len(waves) < 2:
        return pd.DataFrame(columns=columns)
    first, last = waves[0], waves[-1]
    per_wave = spoken.groupby(["participant_id", "wave"])["chars"].sum().unstack()
    both = sorted(per_wave.dropna(subset=[first, last]).index)
    mine = located[(located["group"] == group) & located["in_scope"] & located["participant_id"].isin(both)]
    rows = []
    for theme in codebook.themes:
        cell = mine[mine["theme"] == theme.id]
        shares = {}
        for wave in (first, last):
            part = cell[cell["wave"] == wave]
            shares[wave] = {p: _coded_chars(part[part["participant_id"] == p]) / per_wave.loc[p, wave]
                            for p in both}
        mean = {w: sum(s.values()) / len(both) if both else 0.0 for w, s in shares.items()}
        change = mean[last] - mean[first]
        barrier = {}
        for wave in (first, last):
            part = cell[cell["wave"] == wave]
            b = _coded_chars(part[part["kind"] == "barrier"])
            f = _coded_chars(part[part["kind"] == "facilitator"])
            barrier[wave] = round(b / (b + f), 3) if b + f else None
        rows.append({
            "theme": theme.id, "name": theme.name, "participants": len(both),
            "carried_first": int(cell.loc[cell["wave"] == first, "participant_id"].nunique()),
            "carried_last": int(cell.loc[cell["wave"] == last, "participant_id"].nunique()),
            "talk_share_first": round(mean[first], 4), "talk_share_last": round(mean[last], 4),
            "change": round(change, 4),
            "direction": "rose" if change >= min_change else "fell" if change <= -min_change else "steady",
            "participants_up": sum(shares[last][p] > shares[first][p] for p in both),
            "participants_down": sum(shares[last][p] < shares[first][p] for p in both),
            "barrier_share_first": barrier[first], "barrier_share_last": barrier[last],
        })
    return pd.DataFrame(rows, columns=columns)


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
