"""Cluster bootstrap: whole interviews are resampled, intervals widen when units are correlated."""

import numpy as np
import pandas as pd
import pytest

from thematic import resample
from thematic.errors import ParameterError


def _interviews(coded_per_interview: list[int], units: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Units (1 coded, 0 not) and their interview, *coded_per_interview[i]* coded in interview i."""
    values, clusters = [], []
    for i, coded in enumerate(coded_per_interview):
        values += [1] * coded + [0] * (units - coded)
        clusters += [f"I{i:02d}"] * units
    return np.array(values, dtype=float), np.array(clusters)


def test_interval_widens_when_units_are_correlated_within_interviews():
    # The same 60 coded units out of 200 (prevalence 0.3) either spread evenly, 3 in each of
    # 20 interviews, or all in 6 interviews coded throughout: only the second is correlated.
    spread, clusters = _interviews([3] * 20)
    lumped, _ = _interviews([10] * 6 + [0] * 14)
    assert spread.mean() == lumped.mean() == 0.3
    mean = lambda values: (lambda index: values[index].mean())  # noqa: E731
    even = resample.cluster_bootstrap(mean(spread), clusters, n_boot=2000, seed=3)
    bunched = resample.cluster_bootstrap(mean(lumped), clusters, n_boot=2000, seed=3)
    by_unit = resample.cluster_bootstrap(mean(lumped), np.arange(len(lumped)), n_boot=2000, seed=3)
    # every interview alike: any resample of interviews has prevalence 0.3 exactly
    assert (even.low, even.high) == (pytest.approx(0.3), pytest.approx(0.3))
    # coded interviews or not: the interval spans about two binomial(20, 0.3) standard errors each way
    assert bunched.low < 0.15 and bunched.high > 0.45
    # resampling units ignores the interviews and is about half as wide
    assert (by_unit.high - by_unit.low) < 0.6 * (bunched.high - bunched.low)
    assert bunched.n_clusters == 20 and by_unit.n_clusters == 200 and bunched.n_units == 200
    assert bunched.excludes(0.0) and not bunched.excludes(0.3)


def test_fast_sums_equal_resampled_indices():
    values, clusters = _interviews([1, 4, 7, 2, 9, 0, 5])
    boot = resample.ClusterBootstrap(clusters, n_boot=200, seed=11)
    fast = boot.resampled_sums(values) / boot.resampled_sums(np.ones_like(values))
    slow = np.array([values[index].mean() for index in boot.indices()])
    assert fast == pytest.approx(slow)
    assert boot.weights.sum(axis=1).tolist() == [7] * 200  # seven interviews drawn each time


def test_strata_keep_group_sizes_and_clusters_stay_in_one_stratum():
    clusters = ["P1", "P1", "P2", "P3", "P3", "P4"]
    groups = ["a", "a", "a", "b", "b", "b"]
    boot = resample.ClusterBootstrap(clusters, strata=groups, n_boot=300, seed=0)
    assert (boot.weights[:, :2].sum(axis=1) == 2).all() and (boot.weights[:, 2:].sum(axis=1) == 2).all()
    with pytest.raises(ParameterError, match="more than one stratum"):
        resample.ClusterBootstrap(clusters, strata=["a", "b", "a", "b", "b", "b"], n_boot=100)
    with pytest.raises(ParameterError, match="strata labels"):
        resample.ClusterBootstrap(clusters, strata=["a"], n_boot=100)
    with pytest.raises(ParameterError, match="n_boot"):
        resample.ClusterBootstrap(clusters, n_boot=10)


def test_expanded_interval_is_wider_for_few_clusters():
    draws = np.random.default_rng(0).normal(size=4000)
    plain = resample.percentile_interval(draws)
    five = resample.percentile_interval(draws, n_clusters=5)
    many = resample.percentile_interval(draws, n_clusters=10_000)
    assert five[1] - five[0] > 1.4 * (plain[1] - plain[0])
    assert many == pytest.approx(plain, abs=0.02)
    assert resample.tail_probability(5) == pytest.approx(0.0019, abs=1e-4)
    assert np.isnan(resample.percentile_interval(draws, n_clusters=1)[0])
    half_undefined = np.r_[draws[:10], np.full(20, np.nan)]
    assert np.isnan(resample.percentile_interval(half_undefined)[0])


def test_flags_read_the_lower_bound():
    assert resample.reliability_flag(0.62, 0.90, bar=0.6, n_clusters=12) == "reliable"
    # a point estimate of 0.76 above the bar is not enough when the interval reaches below it
    assert resample.reliability_flag(0.45, 0.95, bar=0.6, n_clusters=12) == "uncertain"
    assert resample.reliability_flag(0.10, 0.55, bar=0.6, n_clusters=12) == "unreliable"
    # too few interviews carry the code: no verdict either way
    assert resample.reliability_flag(0.10, 0.30, bar=0.6, n_clusters=3) == "not enough data"
    assert resample.reliability_flag(np.nan, np.nan, bar=0.6, n_clusters=30) == "not enough data"


def test_cluster_column_prefers_participants():
    frame = pd.DataFrame({"interview_id": ["A-W1", "A-W2"], "participant_id": ["A", "A"]})
    assert resample.cluster_column(frame) == "participant_id"
    assert resample.cluster_column(frame.drop(columns="participant_id")) == "interview_id"
    with pytest.raises(ParameterError, match="participant_id"):
        resample.cluster_column(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("n_clusters", [2, 3, 5, 21, 25, 100, 1000])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_tail_probability_equals_scipy_stats_formula(n_clusters, confidence):
    # computed with scipy.special (no scipy.stats import): bit-for-bit the scipy.stats formula
    from scipy import stats

    alpha = 1 - confidence
    z = np.sqrt(n_clusters / (n_clusters - 1)) * stats.t.ppf(1 - alpha / 2, n_clusters - 1)
    assert resample.tail_probability(n_clusters, confidence) == float(2 * stats.norm.sf(z))
