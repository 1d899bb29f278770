"""Salience counts coded characters in one pass: the same table as the loop per cell it replaced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from thematic import load_dataset
from thematic import triangulate as tri
from thematic.bench.synthetic import generate_study
from thematic.codebook import Codebook
from thematic.segments import code_segments, combine_coders, segment_turns
from thematic.settings import arrange, in_scope
from thematic.triangulate import _coded_chars, covered


# The function as it was before issue 17: the reference the new one must equal.
def reference_salience(located: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook, *,
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


def random_spans(seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 2000, n)
    return pd.DataFrame({"interview_id": rng.choice(["i1", "i2", "i3", "i4"], n),
                         "theme": rng.choice(["t1", "t2", "t3"], n), "kind": rng.choice(["activity", "barrier"], n),
                         "start": start, "end": start + rng.integers(1, 200, n)})


@pytest.mark.parametrize("seed", range(20))
def test_coded_chars_by_equals_the_union_per_part(seed):
    spans = random_spans(seed, n=int(np.random.default_rng(seed).integers(1, 400)))
    fast = tri.coded_chars_by(spans, ["theme", "kind"])
    slow = {key: _coded_chars(part) for key, part in spans.groupby(["theme", "kind"])}
    assert fast == slow
    one = tri.coded_chars_by(spans, ["theme"])
    assert one == {(key,): _coded_chars(part) for (key,), part in spans.groupby(["theme"])}
    assert sum(one.values()) == sum(covered(zip(p["start"], p["end"], strict=True))
                                    for _, p in spans.groupby(["theme", "interview_id"]))


def test_coded_chars_by_of_nothing():
    assert tri.coded_chars_by(random_spans(0).iloc[:0], ["theme"]) == {}


def _located(dataset):
    segments = segment_turns(dataset)
    final = combine_coders(code_segments(segments, dataset.codings), rule="union")
    spans = tri.coded_spans(dataset.codings, final, segments, rule="union")
    return segments, tri.locate_spans(spans, segments, dataset.codebook, scopes=dataset.scopes)


@pytest.mark.parametrize("source", ["sample", "generated"])
def test_salience_equals_the_loop_per_cell(source, sample_dataset, tmp_path):
    if source == "sample":
        dataset = sample_dataset
    else:
        generate_study(tmp_path / "study", n_interviews=9, seed=5)
        dataset = load_dataset(tmp_path / "study")
    segments, located = _located(dataset)
    for level in ("theme", "code"):
        for scoped in (True, False):
            for scopes in (dataset.scopes, None):
                options = dict(level=level, scoped=scoped, group_order=dataset.groups, scopes=scopes)
                new = tri.salience.uncached(located, segments, dataset.codebook, **options)
                old = reference_salience(located, segments, dataset.codebook, **options)
                pd.testing.assert_frame_equal(new, old, check_exact=True)
