"""Cluster bootstrap: resample whole participants (or interviews), never the units inside them.

Coding units of one interview are not independent: the same person talks about the same
things in the same words, and a coder reads the whole interview in one frame of mind. A
bootstrap that resamples turns treats 300 turns from 20 interviews as 300 independent
observations, and its intervals are too narrow. :class:`ClusterBootstrap` draws clusters
(participants, so that a person interviewed twice counts once; interviews where every person
gave one) with replacement, optionally within strata (stakeholder groups, whose sizes the
design fixed), and every unit of a drawn cluster comes along.

Intervals are percentile intervals, *expanded* for few clusters (Hesterberg 2015, "What
teachers should know about the bootstrap", The American Statistician 69(4)): the tail
probability is taken from Student's t with ``n - 1`` degrees of freedom and the factor
``sqrt(n / (n - 1))``, so that with 5 clusters a nominal 95% interval covers about 92% of the
time instead of about 80% (``docs/agreement-and-themes.md``, "How the intervals are computed").

The API, for any statistic::

    boot = ClusterBootstrap(clusters, strata=groups, n_boot=1000, seed=1)
    draws = boot.resampled_sums(values)            # fast path: statistics of per-cluster sums
    low, high = boot.interval(draws, n_clusters=boot.n_clusters)
    result = cluster_bootstrap(lambda idx: f1(y[idx], p[idx]), clusters, n_boot=1000, seed=1)
    reliability_flag(result.low, result.high, bar=0.6, n_clusters=result.n_clusters)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from thematic.errors import Errors, ParameterError

#: How an interval was computed, as printed in the reviewer's table.
METHOD = "expanded percentile, cluster bootstrap"
#: Fewest clusters carrying the thing measured before an interval is read at all.
MIN_CLUSTERS = 5
FLAGS = ("reliable", "uncertain", "unreliable", "not enough data")


@dataclass(frozen=True)
class Interval:
    """A point estimate with its cluster-bootstrap interval and what it rests on."""

    value: float
    low: float
    high: float
    n_units: int
    n_clusters: int
    n_boot: int
    seed: int
    confidence: float = 0.95
    method: str = METHOD

    def as_dict(self) -> dict:
        return asdict(self)

    def excludes(self, value: float = 0.0) -> bool:
        """True when the interval lies wholly above or below *value*."""
        return bool(np.isfinite(self.low) and np.isfinite(self.high) and (self.low > value or self.high < value))


def check_bootstrap(n_boot: int, confidence: float) -> None:
    """``n_boot`` is 0 (no intervals) or at least 100, and the confidence lies in (0, 1)."""
    if not (n_boot == 0 or n_boot >= 100) or not 0 < confidence < 1:
        raise ParameterError(Errors.E505.format(value=n_boot, confidence=confidence))


def cluster_column(frame: pd.DataFrame) -> str:
    """The column to cluster on: ``participant_id`` when present and filled, else ``interview_id``.

    Clustering on participants is clustering on interviews when every person gave one
    interview, and keeps a person's two interviews together when they gave two.
    """
    if "participant_id" in frame.columns and frame["participant_id"].notna().all():
        return "participant_id"
    if "interview_id" in frame.columns:
        return "interview_id"
    raise ParameterError(Errors.E510.format(columns=list(frame.columns)))


@lru_cache(maxsize=256)
def tail_probability(n_clusters: int, confidence: float = 0.95) -> float:
    """Two-sided tail probability of the expanded percentile interval for *n_clusters*.

    ``2 * Phi(-sqrt(n / (n - 1)) * t_{1 - a/2, n - 1})`` with ``a = 1 - confidence``;
    it tends to ``a`` as the clusters grow. NaN with fewer than two clusters.
    """
    # scipy.special's t quantile and normal CDF are what scipy.stats' ``t.ppf`` and
    # ``norm.sf`` compute, without importing scipy.stats (about a second at a cold start)
    from scipy.special import ndtr, stdtrit

    if n_clusters < 2:
        return float("nan")
    alpha = 1 - confidence
    z = np.sqrt(n_clusters / (n_clusters - 1)) * stdtrit(n_clusters - 1, 1 - alpha / 2)
    return float(2 * ndtr(-z))


def percentile_interval(draws: np.ndarray, *, confidence: float = 0.95,
                        n_clusters: int | None = None) -> tuple[float, float]:
    """Percentile interval of the finite *draws*, expanded for *n_clusters* when given.

    Works on the last axis: a 1-d array gives one interval, a 2-d array (columns are
    resamples) one per row. NaN when more than half the draws are undefined or fewer than
    two clusters carry the statistic.
    """
    draws = np.asarray(draws, dtype=float)
    if draws.ndim == 2:
        pairs = [percentile_interval(row, confidence=confidence, n_clusters=n_clusters) for row in draws]
        return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    finite = draws[np.isfinite(draws)]
    if len(draws) == 0 or len(finite) < len(draws) / 2:
        return np.nan, np.nan
    tail = 1 - confidence if n_clusters is None else tail_probability(n_clusters, confidence)
    if not np.isfinite(tail):
        return np.nan, np.nan
    low, high = np.percentile(finite, [100 * tail / 2, 100 * (1 - tail / 2)])
    return float(low), float(high)


class ClusterBootstrap:
    """Resamples of whole clusters, drawn once and shared by every statistic.

    Parameters
    ----------
    clusters
        One cluster label per unit (participant or interview id).
    strata
        One stratum label per unit (e.g. the stakeholder group), constant within a cluster:
        clusters are drawn within their stratum, keeping the design's group sizes.
    n_boot, seed
        Resamples and the seed they are drawn from (0 resamples: no intervals).

    Attributes
    ----------
    unit_cluster : ndarray
        Index of each unit's cluster.
    weights : ndarray
        ``(n_boot, n_clusters)``: how often each resample drew each cluster.
    """

    def __init__(self, clusters: Sequence, *, strata: Sequence | None = None, n_boot: int = 1000,
                 seed: int = 0):
        check_bootstrap(n_boot, 0.95)
        clusters = pd.Series(list(clusters), dtype=object)
        self.unit_cluster, labels = pd.factorize(clusters, sort=True)
        self.cluster_ids = list(labels)
        self.n_boot, self.seed = n_boot, seed
        if strata is None:
            stratum_of = np.zeros(len(labels), dtype=int)
        else:
            strata = pd.Series(list(strata), dtype=object)
            if len(strata) != len(clusters):
                raise ParameterError(Errors.E511.format(units=len(clusters), strata=len(strata)))
            per_cluster = strata.groupby(self.unit_cluster).nunique()
            mixed = [self.cluster_ids[i] for i in per_cluster.index[per_cluster > 1]]
            if mixed:
                raise ParameterError(Errors.E512.format(clusters=mixed[:5]))
            stratum_of = pd.factorize(strata.groupby(self.unit_cluster).first().sort_index(), sort=True)[0]
        self.cluster_stratum = stratum_of
        rng = np.random.default_rng(seed)
        self.weights = np.zeros((n_boot, len(labels)))
        for stratum in np.unique(stratum_of):
            members = np.flatnonzero(stratum_of == stratum)
            if n_boot:
                drawn = rng.multinomial(len(members), np.full(len(members), 1 / len(members)), size=n_boot)
                self.weights[:, members] = drawn

    @property
    def n_units(self) -> int:
        return len(self.unit_cluster)

    @property
    def n_clusters(self) -> int:
        return len(self.cluster_ids)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of the units' *values* (units on the first axis)."""
        values = np.asarray(values, dtype=float)
        out = np.zeros((self.n_clusters, *values.shape[1:]))
        np.add.at(out, self.unit_cluster, values)
        return out

    def resampled_sums(self, values: np.ndarray) -> np.ndarray:
        """Sums of *values* over each resample's units: ``(n_boot, ...)``, one matrix product."""
        sums = self.sums(values)
        return np.tensordot(self.weights, sums, axes=(1, 0))

    def clusters_with(self, mask: np.ndarray) -> int:
        """How many clusters hold at least one unit where *mask* is true."""
        return int(len(np.unique(self.unit_cluster[np.asarray(mask, dtype=bool)])))

    def indices(self) -> Iterator[np.ndarray]:
        """Each resample as unit indices (a cluster drawn twice brings its units twice)."""
        members = [np.flatnonzero(self.unit_cluster == c) for c in range(self.n_clusters)]
        for row in self.weights.astype(int):
            picked = [np.tile(members[c], k) for c in np.flatnonzero(row) for k in [row[c]]]
            yield np.concatenate(picked) if picked else np.zeros(0, dtype=int)

    def interval(self, draws: np.ndarray, *, confidence: float = 0.95,
                 n_clusters: int | None = None) -> tuple[float, float]:
        """Expanded percentile interval of *draws* for *n_clusters* (default: all clusters)."""
        return percentile_interval(draws, confidence=confidence,
                                   n_clusters=self.n_clusters if n_clusters is None else n_clusters)


def cluster_bootstrap(statistic: Callable[[np.ndarray], float], clusters: Sequence, *,
                      strata: Sequence | None = None, n_boot: int = 1000, seed: int = 0,
                      confidence: float = 0.95) -> Interval:
    """Any *statistic* of a resample (given as unit indices) with its cluster-bootstrap interval.

    ``statistic(np.arange(n_units))`` is the point estimate; undefined resamples (NaN) are
    left out, and if more than half are undefined the interval is NaN.
    """
    check_bootstrap(n_boot, confidence)
    boot = ClusterBootstrap(clusters, strata=strata, n_boot=n_boot, seed=seed)
    value = float(statistic(np.arange(boot.n_units)))
    draws = np.array([statistic(index) for index in boot.indices()], dtype=float)
    low, high = boot.interval(draws, confidence=confidence) if n_boot else (np.nan, np.nan)
    return Interval(value, low, high, boot.n_units, boot.n_clusters, n_boot, seed, confidence)


def reliability_flag(low: float, high: float, *, bar: float, n_clusters: int,
                     min_clusters: int = MIN_CLUSTERS) -> str:
    """Read a reliability interval against *bar*, from its lower bound.

    ``not enough data`` when fewer than *min_clusters* clusters (interviews or participants)
    carry the code or the interval is undefined; ``reliable`` only when the lower bound
    reaches the bar; ``unreliable`` when even the upper bound falls short; ``uncertain``
    when the interval straddles the bar.
    """
    if n_clusters < min_clusters or not (np.isfinite(low) and np.isfinite(high)):
        return "not enough data"
    if low >= bar:
        return "reliable"
    if high < bar:
        return "unreliable"
    return "uncertain"
