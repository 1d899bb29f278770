"""Triangulation: span-based coding, scope rules, salience, convergence rules, waves."""

import pandas as pd
import pytest

from thematic import load_dataset, triangulate
from thematic.errors import ParameterError
from thematic.segments import code_segments, combine_coders, segment_turns


@pytest.fixture
def tiny(tiny_data):
    dataset = load_dataset(tiny_data)
    return dataset, segment_turns(dataset)


def _located(dataset, segments, codings=None, rule="union"):
    codings = dataset.codings if codings is None else codings
    final = combine_coders(code_segments(segments, codings), rule=rule)
    spans = triangulate.coded_spans(codings, final, segments, rule=rule)
    return triangulate.locate_spans(spans, segments, dataset.codebook, scopes=dataset.scopes)


@pytest.fixture(scope="module")
def sample_located(sample_dataset):
    segments = segment_turns(sample_dataset)
    return segments, _located(sample_dataset, segments)


def test_interval_helpers():
    assert triangulate.merge_intervals([(5, 9), (0, 3), (2, 4), (9, 10)]) == [(0, 4), (5, 10)]
    assert triangulate.intersect_intervals([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]
    assert triangulate.covered([(0, 10), (5, 15)]) == 15


def test_coded_spans_follow_the_coding_rule(tiny):
    dataset, segments = tiny
    text = dataset.texts["P1-W1"]
    first = text.index("We have")
    union = _located(dataset, segments, rule="union").set_index("code")
    inter = _located(dataset, segments, rule="intersection").set_index("code")
    # coder a coded 30 characters, coder b the first 10 of them
    assert (union.loc["no_shared_records", "start"], union.loc["no_shared_records", "end"]) == (first, first + 30)
    assert (inter.loc["no_shared_records", "start"], inter.loc["no_shared_records", "end"]) == (first, first + 10)
    assert "remote_working" not in inter.index  # only coder a gave it
    with pytest.raises(ParameterError, match="coding rule"):
        triangulate.coded_spans(dataset.codings, combine_coders(code_segments(segments, dataset.codings)),
                                segments, rule="majority")


def _with_coding(dataset, interview_id: str, start: int, end: int) -> pd.DataFrame:
    """The dataset's codings plus one 'no_shared_records' coding by coder a."""
    extra = pd.DataFrame([{"interview_id": interview_id, "start": start, "end": end,
                           "code": "no_shared_records", "coder": "a", "memo": ""}])
    return pd.concat([dataset.codings, extra], ignore_index=True)


def test_interviewer_turns_are_not_counted(tiny):
    dataset, segments = tiny
    question = dataset.texts["P1-W1"].index("How do you")
    located = _located(dataset, segments, _with_coding(dataset, "P1-W1", question, question + 10))
    spoken = set(segments.loc[~segments["is_interviewer"], "segment_id"])
    assert set(located["segment_id"]) <= spoken


def test_scope_rules_keep_parents_apart_and_count_what_they_exclude(tiny):
    dataset, segments = tiny
    five = dataset.texts["P2-W1"].index("I had")
    located = _located(dataset, segments, _with_coding(dataset, "P2-W1", five, five + 12))
    table = triangulate.scope_exclusions(located, dataset.codebook, segments["group"]).set_index(["theme", "group"])
    assert table.loc[("T1", "parent"), "codings_excluded"] == 1
    assert table.loc[("T1", "parent"), "chars_excluded"] == 12
    assert table.loc[("T1", "referrer"), "codings_kept"] == 2
    assert table.loc[("T2", "parent"), "codings_kept"] == 1
    matrix = triangulate.salience(located, segments, dataset.codebook).set_index(["theme", "group"])
    assert matrix.loc[("T1", "parent"), "coded_chars"] == 0  # the stray coding is out of scope
    assert not matrix.loc[("T1", "parent"), "in_scope"] and matrix.loc[("T2", "parent"), "in_scope"]
    unscoped = triangulate.salience(located, segments, dataset.codebook, scoped=False).set_index(["theme", "group"])
    assert unscoped.loc[("T1", "parent"), "coded_chars"] == 12


def test_salience_measures_volume_not_only_presence(tiny):
    dataset, segments = tiny
    matrix = triangulate.salience(_located(dataset, segments), segments, dataset.codebook).set_index(["theme", "group"])
    cell = matrix.loc[("T1", "referrer")]
    spoken = segments[(segments["group"] == "referrer") & ~segments["is_interviewer"]]
    talk = int((spoken["end"] - spoken["start"]).sum())
    assert cell["participants_with_theme"] == 1 and cell["participant_share"] == 1.0
    assert cell["coded_chars"] == 30 + 20 and cell["talk_chars"] == talk
    assert cell["talk_share"] == round(50 / talk, 4)
    assert cell["barrier_chars"] == 30 and cell["facilitator_chars"] == 20
    assert cell["barrier_share"] == round(30 / 50, 3)
    by_code = triangulate.salience(_located(dataset, segments), segments, dataset.codebook, level="code")
    assert set(by_code["code"]) == set(dataset.codebook.code_ids)


def test_sample_presence_saturates_but_volume_differs(sample_located, sample_dataset):
    segments, located = sample_located
    matrix = triangulate.salience(located, segments, sample_dataset.codebook).set_index(["theme", "group"])
    t3 = matrix.loc["T3"]
    assert (t3.loc[["service_team", "referrer", "commissioner"], "participant_share"] == 1.0).all()
    assert t3.loc["referrer", "talk_share_mean"] > 2 * t3.loc["commissioner", "talk_share_mean"]
    assert not matrix.loc[("T1", "parent"), "in_scope"] and matrix.loc[("T6", "parent"), "in_scope"]


def _cell(group, *, people=1.0, share=0.2, barrier=0.5, stance_segments=5, in_scope=True, theme="T"):
    return {"theme": theme, "group": group, "in_scope": in_scope, "participants_with_theme": int(people * 4),
            "participants_in_group": 4, "participant_share": people, "talk_share_mean": share,
            "talk_share": share, "barrier_share": barrier, "stance_segments": stance_segments}


def test_convergence_codes_follow_the_declared_rules():
    rules = triangulate.ConvergenceRules()
    matrix = pd.DataFrame([
        _cell("service_team", barrier=0.9), _cell("referrer", barrier=0.1),     # dissonance
        _cell("commissioner", people=0.0, share=0.0),                           # silent
        _cell("service_team", theme="U"), _cell("referrer", theme="U"),        # agreement
        _cell("commissioner", theme="U", people=0.25, share=0.01),              # minor
        _cell("service_team", theme="V"), _cell("referrer", theme="V"),
        _cell("commissioner", theme="V"),
        _cell("parent", theme="V", in_scope=False, share=0.0),
    ])  # groups in the study's order: pairs follow it
    profiles = triangulate.group_profiles(matrix, rules).set_index(["theme", "group"])
    assert profiles.loc[("T", "service_team"), "stance"] == "barrier"
    assert profiles.loc[("T", "referrer"), "stance"] == "facilitator"
    assert profiles.loc[("T", "commissioner"), "prominence"] == "silent"
    assert profiles.loc[("U", "commissioner"), "prominence"] == "minor"
    assert profiles.loc[("V", "parent"), "prominence"] == "out of scope"
    assert ">= 50%" in profiles.loc[("U", "service_team"), "prominence_evidence"]
    pairs = triangulate.convergence(profiles.reset_index()).set_index(["theme", "group_a", "group_b"])
    assert pairs.loc[("T", "service_team", "referrer"), "convergence"] == "dissonance"
    assert pairs.loc[("T", "service_team", "commissioner"), "convergence"] == "silence"
    assert pairs.loc[("U", "service_team", "referrer"), "convergence"] == "agreement"
    assert pairs.loc[("U", "service_team", "commissioner"), "convergence"] == "partial agreement"
    assert pairs.loc[("V", "referrer", "parent"), "convergence"] == "out of scope"
    assert "mostly barrier" in pairs.loc[("T", "service_team", "referrer"), "evidence"]
    # a stricter stance rule turns the dissonance into partial agreement
    lenient = triangulate.ConvergenceRules(stance_majority=0.95)
    pairs = triangulate.convergence(triangulate.group_profiles(matrix, lenient))
    assert "dissonance" not in set(pairs["convergence"])


def test_convergence_rules_are_validated():
    assert triangulate.ConvergenceRules.from_parameters({}).salient_ratio == 0.75
    with pytest.raises(ParameterError, match="stance_majority"):
        triangulate.ConvergenceRules.from_parameters({"stance_majority": 0.4})
    with pytest.raises(ParameterError, match="Known rule parameters"):
        triangulate.ConvergenceRules.from_parameters({"salience": 1})
    table = triangulate.ConvergenceRules(salient_ratio=1.0).table().set_index("parameter")
    assert table.loc["salient_ratio", "value"] == 1.0 and table.loc["salient_ratio", "default"] == 0.75
    assert table["meaning"].str.len().min() > 10


def test_sample_convergence(sample_located, sample_dataset):
    segments, located = sample_located
    codebook = sample_dataset.codebook
    matrix = triangulate.salience(located, segments, codebook)
    profiles = triangulate.group_profiles(matrix, triangulate.ConvergenceRules())
    pairs = triangulate.convergence(profiles)
    overall = triangulate.theme_convergence(pairs, profiles, codebook).set_index("theme")
    assert overall.loc["T6", "convergence"] == "single group"  # the parents' theme stands apart
    assert overall.loc["T5", "convergence"] == "agreement"
    assert overall.loc["T1", "convergence"] == "partial agreement"
    assert set(overall["convergence"]) <= {*triangulate.CONVERGENCE, "single group", "absent in both"}
    compared = pairs[pairs["convergence"] != "out of scope"]
    assert len(compared) == 5 * 3  # five professionals' themes x three pairs of professional groups


def test_sample_team_wave_change(sample_located, sample_dataset):
    segments, located = sample_located
    waves = triangulate.wave_change(located, segments, sample_dataset.codebook, group="service_team").set_index("theme")
    assert waves.loc["T4", "direction"] == "rose" and waves.loc["T4", "participants_up"] == 4
    assert waves.loc["T2", "direction"] == "fell"
    assert waves.loc["T6", "talk_share_first"] == 0 and waves.loc["T6", "direction"] == "steady"
    assert (waves["participants"] == 4).all()
    single = triangulate.wave_change(located, segments, sample_dataset.codebook, group="referrer")
    assert single.empty  # one wave only: nothing to compare
