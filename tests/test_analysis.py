"""Familiarisation, agreement, theme mapping and triangulation on the tiny folder and the sample."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from thematic import familiarise, load_dataset, themes, triangulate
from thematic.agreement import pairwise_agreement
from thematic.segments import code_segments, combine_coders, segment_turns


@pytest.fixture
def tiny(tiny_data):
    dataset = load_dataset(tiny_data)
    segments = segment_turns(dataset)
    return dataset, segments, code_segments(segments, dataset.codings)


def test_corpus_overview_counts_participant_words_only(tiny):
    dataset, segments, _ = tiny
    table = familiarise.corpus_overview(dataset, segments)
    assert table.loc[familiarise.TOTAL, "interviews"] == 2
    assert list(table.index) == ["referrer", "parent", familiarise.TOTAL]  # the study's order (study.yaml)
    assert table.loc["parent", "participant_words"] == len("I had five people visiting in one week.".split())
    assert table.loc[familiarise.TOTAL, "duration_mean_min"] == 17.5


def test_interview_summary_talk_share(tiny):
    _, segments, _ = tiny
    summary = familiarise.interview_summary(segments).set_index("interview_id")
    p2 = segments[segments["interview_id"] == "P2-W1"]
    expected = p2.loc[~p2["is_interviewer"], "words"].sum() / p2["words"].sum()
    assert summary.loc["P2-W1", "participant_share"] == pytest.approx(expected, abs=1e-3)


def test_agreement_matches_sklearn_on_the_same_units(tiny):
    dataset, segments, coded = tiny
    table = pairwise_agreement(segments, coded, dataset.codebook, coders=("a", "b")).set_index("code")
    # professionals' units: the two referrer turns; a coded both, b coded only the first
    assert table.loc["remote_working", "units"] == 2
    assert table.loc["remote_working", "percent_agreement"] == 0.5
    x, y = np.array([1, 0]), np.array([1, 0])
    assert table.loc["no_shared_records", "cohen_kappa"] == pytest.approx(cohen_kappa_score(x, y))
    assert np.isnan(table.loc["overwhelmed", "cohen_kappa"])  # one unit, both coded: undefined


def test_sample_agreement_is_partial(sample_dataset):
    segments = segment_turns(sample_dataset)
    coded = code_segments(segments, sample_dataset.codings)
    table = pairwise_agreement(segments, coded, sample_dataset.codebook, coders=("coder_a", "coder_b"))
    assert 0.4 < table["cohen_kappa"].mean() < 0.9
    assert (table["cohen_kappa"] < 1).all()


def test_table_one_and_prevalence(tiny):
    dataset, segments, coded = tiny
    final = combine_coders(coded)
    table = themes.table_one(final, segments, dataset.codebook).set_index("theme")
    assert table.loc["T1", "segments"] == 2 and table.loc["T1", "barriers"] == 1
    assert table.loc["T2", "groups"] == "parent"
    prevalence = themes.code_prevalence(final, segments, dataset.codebook).set_index("code")
    assert prevalence.loc["remote_working", "interviews"] == 1


def test_theme_group_matrix_shares(tiny):
    dataset, segments, coded = tiny
    matrix = triangulate.theme_group_matrix(combine_coders(coded), segments, dataset.codebook,
                                            dataset.participants).set_index(["theme", "group"])
    assert matrix.loc[("T1", "referrer"), "share"] == 1.0
    assert matrix.loc[("T1", "parent"), "share"] == 0.0
    assert len(matrix) == 4


def test_sample_team_waves_differ(sample_dataset):
    segments = segment_turns(sample_dataset)
    final = combine_coders(code_segments(segments, sample_dataset.codings))
    waves = triangulate.wave_comparison(final, segments, sample_dataset.codebook, group="service_team").set_index("theme")
    # the sample is written so that coordination of roles (T4) grows between the waves
    assert waves.loc["T4", "wave_2_per_1000_words"] > 2 * waves.loc["T4", "wave_1_per_1000_words"]
    assert waves.loc["T6"].sum() == 0
