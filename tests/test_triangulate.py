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
    assert (t3.loc[["service_team", "referrer"], "participant_share"] == 1.0).all()
    assert t3.loc["referrer", "talk_share_mean"] > 2 * t3.loc["commissioner", "talk_share_mean"]
    assert not matrix.loc[("T1", "parent"), "in_scope"] and matrix.loc[("T6", "parent"), "in_scope"]
    assert matrix.loc["T7", "in_scope"].all()  # the theme without a scope applies to every group


# --- the protocol, from hand-made codings ----------------------------------------------------------
#
# Farmer et al. (2006): two sources agree on a theme when both its prominence and its meaning
# agree, partly agree when one does, are dissonant when neither does, and one is silent when
# it does not cover the theme the other covers. Each study below is built so that the class
# follows from that definition: the prominence and meaning of each group are set by hand.

TURN = 200  # characters of participant talk per turn


def _hand_coded(plan: dict[str, dict[str, list[tuple[str, int]]]]):
    """A study of two groups x two participants x four participant turns, coded by *plan*.

    ``plan[group][turn]`` (turn "1".."4") lists (code, characters) coded from the start of
    that turn, the same for both participants of the group. Codebook: theme T (barrier codes
    tb1, tb2, facilitator codes tf1, tf2) and theme F (activity code fa), both for every group.
    """
    from thematic.codebook import parse_codebook

    segments, codings = [], []
    for group, turns in plan.items():
        for person in (1, 2):
            pid, iid, offset = f"{group}{person}", f"{group}{person}-W1", 0
            for turn in range(1, 9):
                speaker = "Interviewer" if turn % 2 else "Participant"
                length = 20 if speaker == "Interviewer" else TURN
                segments.append({"segment_id": f"{iid}:t{turn:03d}", "interview_id": iid, "participant_id": pid,
                                 "group": group, "role": group, "label": pid, "wave": 1, "turn": turn,
                                 "speaker": speaker, "is_interviewer": speaker == "Interviewer",
                                 "start": offset, "end": offset + length, "words": length // 5,
                                 "text": "w" * length})
                if speaker == "Participant":
                    pos = offset
                    for code, chars in turns.get(str(turn // 2), []):
                        codings.append({"interview_id": iid, "start": pos, "end": pos + chars, "code": code,
                                        "coder": "a", "memo": ""})
                        pos += chars
                offset += length + 2
    book = parse_codebook({"themes": [
        {"id": "T", "name": "target", "codes": [
            {"id": code, "label": code, "kind": kind, "definition": "d"}
            for code, kind in [("tb1", "barrier"), ("tb2", "barrier"), ("tf1", "facilitator"),
                               ("tf2", "facilitator")]]},
        {"id": "F", "name": "filler", "codes": [{"id": "fa", "label": "fa", "kind": "activity",
                                                 "definition": "d"}]}]})
    segments, codings = pd.DataFrame(segments), pd.DataFrame(codings)
    final = combine_coders(code_segments(segments, codings))
    spans = triangulate.coded_spans(codings, final, segments)
    scopes = {g: "" for g in plan}
    located = triangulate.locate_spans(spans, segments, book, scopes=scopes)
    rules = triangulate.ConvergenceRules()
    themes = triangulate.salience(located, segments, book, scopes=scopes)
    codes = triangulate.salience(located, segments, book, level="code", scopes=scopes)
    profiles = triangulate.group_profiles(themes, rules, codes=codes)
    pairs = triangulate.convergence(profiles, rules, group_order=list(plan))
    return profiles.set_index(["theme", "group"]), pairs.set_index("theme")


#: T prominent (400 of 500 coded characters, 80% >= 0.75 x 1/2), mostly barrier (75%).
LOUD_BARRIER = {"1": [("tb1", 100)], "2": [("tb1", 100)], "3": [("tb1", 100), ("fa", 100)], "4": [("tf1", 100)]}
#: T prominent, mostly facilitator (25% barrier): the same codes, the other way round.
LOUD_FACILITATOR = {"1": [("tf1", 100)], "2": [("tf1", 100)], "3": [("tf1", 100), ("fa", 100)], "4": [("tb1", 100)]}
#: T minor (100 of 400 coded characters, 25% < 37.5%), mostly barrier (75%), same codes.
QUIET_BARRIER = {"1": [("tb1", 25), ("fa", 100)], "2": [("tb1", 25), ("fa", 100)], "3": [("tb1", 25), ("fa", 100)],
                 "4": [("tf1", 25)]}
#: T minor and mostly facilitator (25% barrier).
QUIET_FACILITATOR = {"1": [("tf1", 25), ("fa", 100)], "2": [("tf1", 25), ("fa", 100)],
                     "3": [("tf1", 25), ("fa", 100)], "4": [("tb1", 25)]}
#: T not coded at all; F coded.
SILENT = {"1": [("fa", 100)], "2": [("fa", 100)]}


@pytest.mark.parametrize("north, south, prominence, meaning, expected", [
    (LOUD_BARRIER, LOUD_BARRIER, ("salient", "salient"), "same", "agreement"),
    # the same prominence and opposed stances: one element agrees, so partial agreement (not dissonance)
    (LOUD_BARRIER, LOUD_FACILITATOR, ("salient", "salient"), "different", "partial agreement"),
    (LOUD_BARRIER, QUIET_BARRIER, ("salient", "minor"), "same", "partial agreement"),
    (LOUD_BARRIER, QUIET_FACILITATOR, ("salient", "minor"), "different", "dissonance"),
    (LOUD_BARRIER, SILENT, ("salient", "silent"), "unclear", "silence"),
])
def test_convergence_classes_follow_the_protocol(north, south, prominence, meaning, expected):
    profiles, pairs = _hand_coded({"north": north, "south": south})
    assert (profiles.loc[("T", "north"), "prominence"], profiles.loc[("T", "south"), "prominence"]) == prominence
    pair = pairs.loc["T"]
    assert (pair["group_a"], pair["group_b"]) == ("north", "south")
    assert pair["meaning"] == meaning
    assert pair["prominence_agrees"] == (prominence[0] == prominence[1])
    assert pair["convergence"] == expected


def test_meaning_also_differs_when_the_codes_used_differ():
    # both salient and wholly barrier, but on different barrier codes: same stance, other content
    other = {turn: [("tb2" if code == "tb1" else "tf2" if code == "tf1" else code, n) for code, n in spans]
             for turn, spans in LOUD_BARRIER.items()}
    profiles, pairs = _hand_coded({"north": LOUD_BARRIER, "south": other})
    pair = pairs.loc["T"]
    assert pair["barrier_gap"] == 0 and pair["code_similarity"] == 0
    assert (pair["meaning"], pair["convergence"]) == ("different", "partial agreement")
    assert "similarity 0.00" in pair["evidence"]
    assert profiles.loc[("T", "south"), "codes_used"] == "tb2, tf2"


def test_classify_is_the_published_rule():
    assert triangulate.classify("salient", "salient", "same")[0] == "agreement"
    assert triangulate.classify("minor", "minor", "unclear") == (
        "agreement", "same prominence and meaning (meaning not readable)")
    assert triangulate.classify("salient", "minor", "same")[0] == "partial agreement"
    assert triangulate.classify("minor", "minor", "different")[0] == "partial agreement"
    assert triangulate.classify("salient", "minor", "different")[0] == "dissonance"
    assert triangulate.classify("silent", "minor", "unclear")[0] == "silence"
    assert triangulate.classify("silent", "silent", "unclear")[0] == "absent in both"
    assert triangulate.classify("out of scope", "minor", "same")[0] == "out of scope"
    table = triangulate.protocol_table(triangulate.ConvergenceRules(meaning_stance_gap=0.4))
    assert "40%" in table.set_index("decision").loc["differs", "rule"]
    assert set(table["decision"]) >= set(triangulate.CONVERGENCE)


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
    codebook, rules = sample_dataset.codebook, triangulate.ConvergenceRules()
    profiles = triangulate.group_profiles(triangulate.salience(located, segments, codebook), rules,
                                          codes=triangulate.salience(located, segments, codebook, level="code"))
    pairs = triangulate.convergence(profiles, rules, group_order=sample_dataset.groups)
    overall = triangulate.theme_convergence(pairs, profiles, codebook).set_index("theme")
    assert overall.loc["T6", "convergence"] == "single group"  # the parents' own theme stands apart
    compared = pairs[pairs["convergence"] != "out of scope"].set_index(["theme", "group_a", "group_b"])
    # five professionals' themes x three pairs, and the shared theme T7 x six pairs of all four groups
    assert len(compared) == 5 * 3 + 6
    # parents meet the others on T7: mostly facilitator and minor for parents, mostly barrier and
    # salient for commissioners (uncertain funding): both elements differ
    t7 = compared.loc[("T7", "parent", "commissioner")]
    assert (t7["prominence_a"], t7["prominence_b"], t7["meaning"]) == ("minor", "salient", "different")
    assert t7["convergence"] == "dissonance" and overall.loc["T7", "convergence"] == "dissonance"
    assert compared.loc[("T7", "parent", "service_team"), "convergence"] == "partial agreement"
    assert compared.loc[("T2", "service_team", "referrer"), "convergence"] == "agreement"
    counts = triangulate.convergence_counts(pairs).set_index("convergence")["pairs"]
    assert counts["silence"] == 0 and counts["dissonance"] == 2 and counts.sum() == len(pairs)
    summary = triangulate.convergence_summary(pairs, profiles, rules)
    assert "**silence**: none of 21 comparisons. Every group voices" in summary
    basis = triangulate.comparison_basis(codebook, sample_dataset.scopes)
    assert "**parent** (scope parents): own themes T6; compared with the other groups on T7." in basis


def test_sample_wave_change_has_intervals_and_finds_the_group_from_the_data(sample_located, sample_dataset):
    segments, located = sample_located
    scopes = sample_dataset.scopes
    waves = triangulate.wave_change(located, segments, sample_dataset.codebook, scopes=scopes, n_boot=1000, seed=1)
    assert set(waves["group"]) == {"service_team"}  # the only group with people interviewed twice
    assert "T6" not in set(waves["theme"])  # the parents' theme does not apply to the team
    waves = waves.set_index("theme")
    assert (waves["participants"] == 4).all() and (waves["first_wave"] == "1").all()
    t4 = waves.loc["T4"]
    assert t4["direction"] == "rose" and t4["participants_up"] == 4 and 0 < t4["change_low"] < t4["change"]
    assert waves.loc["T2", "direction"] == "fell" and waves.loc["T2", "change_high"] < 0
    # two members up, two down: the interval spans zero, so no direction is claimed
    assert waves.loc["T3", "direction"] == "no clear change"
    assert waves.loc["T3", "change_low"] < 0 < waves.loc["T3", "change_high"]
    strict = triangulate.wave_change(located, segments, sample_dataset.codebook, scopes=scopes, n_boot=200,
                                     min_participants=5)
    assert set(strict["direction"]) == {"not enough data"}
    unbooted = triangulate.wave_change(located, segments, sample_dataset.codebook, scopes=scopes, n_boot=0)
    assert set(unbooted["direction"]) == {"no interval"} and unbooted["change_low"].isna().all()
    one_wave = segments.assign(wave=1)
    assert triangulate.wave_change(located, one_wave, sample_dataset.codebook).empty
    assert triangulate.repeat_participants(segments.drop(columns="wave")).empty
