"""Inter-coder agreement: the statistics on plain matrices, and per code on our codings.

Two layers:

* **Statistics on a reliability matrix** (rows units, columns coders, NaN missing), each
  returning an :class:`AgreementResult` whose ``.value`` is the statistic:
  :func:`percent_agreement`, :func:`cohen_kappa` (statsmodels), :func:`fleiss_kappa`
  (statsmodels), :func:`krippendorff_alpha` (the ``krippendorff`` package, four levels of
  measurement) and :func:`gwet_ac1` (Gwet 2008; written here, no maintained library exists).
  :func:`bootstrap_ci` resamples units for any of them.
* **Agreement on codings** (:func:`agreement_table`): per code, does each coder apply the code
  to a unit (1) or not (0)? Units are participant turns, sentences or characters of the
  participant turns in the code's scope. Every statistic, with a bootstrap interval, the number
  of units and the code's prevalence; and a pooled row over all unit x code decisions.
  Intervals resample whole participants (:mod:`thematic.resample`) within stakeholder groups,
  because the units of one interview are not independent; :func:`reliability` reads them
  from the lower bound; :func:`unit_sensitivity` sets turns, sentences and characters side
  by side.

The bootstrap of :func:`agreement_table` does not call the libraries a thousand times per
code. For nominal data each statistic is a ratio of sums over units of quantities that depend
only on the unit's *pattern* (which coder gave which value), so a resample is summarised by how
often it drew each pattern and all resamples are one matrix product (:class:`PatternStatistics`).
The tests check that this gives the libraries' values to 1e-12.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field

from thematic import resample
from thematic.cache import SPACY_LIBRARIES, cache_results
from thematic.codebook import Codebook
from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter
from thematic.settings import in_scope

Level = Literal["nominal", "ordinal", "interval", "ratio"]
Unit = Literal["turn", "sentence", "character"]
LEVELS = ("nominal", "ordinal", "interval", "ratio")
UNITS = ("turn", "sentence", "character")
STATISTICS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "fleiss_kappa")
POOLED = "(pooled)"
Cluster = Literal["participant", "interview", "unit"]
CLUSTERS = ("participant", "interview", "unit")
#: Krippendorff (2004, Content Analysis, 2nd ed., p. 241): alpha below .667 supports no
#: conclusions, .667-.800 tentative ones only.
RELIABILITY_BAR = 0.667


@dataclass(frozen=True)
class AgreementResult:
    """One agreement statistic on one reliability matrix.

    ``n_units`` counts the units the statistic used: units rated by both coders (Cohen),
    by every coder (Fleiss), or by at least two coders (alpha, AC1, percent agreement).
    ``observed`` and ``expected`` are the observed and chance agreement where the statistic
    has them (NaN otherwise); ``ci_low``/``ci_high`` a bootstrap interval if one was asked for.
    """

    statistic: str
    value: float
    n_units: int
    n_coders: int
    observed: float = float("nan")
    expected: float = float("nan")
    level: str = "nominal"
    ci_low: float = float("nan")
    ci_high: float = float("nan")

    def __float__(self) -> float:
        return float(self.value)

    def as_dict(self) -> dict:
        return asdict(self)


# --- plain matrices ----------------------------------------------------------------------------

def as_matrix(matrix, *, minimum_coders: int = 2) -> np.ndarray:
    """A units x coders float array (NaN missing); raises ParameterError for any other shape."""
    array = np.asarray(matrix.to_numpy() if isinstance(matrix, pd.DataFrame) else matrix, dtype=float)
    if array.ndim != 2 or array.shape[1] < minimum_coders:
        raise ParameterError(Errors.E501.format(minimum=minimum_coders, shape=array.shape))
    return array


def encode(matrix: np.ndarray, *, categories: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integer category codes (-1 missing) and the sorted categories they index."""
    values = matrix[~np.isnan(matrix)]
    cats = np.unique(values if categories is None else np.concatenate([values, np.asarray(categories, float)]))
    codes = np.full(matrix.shape, -1, dtype=int)
    present = ~np.isnan(matrix)
    codes[present] = np.searchsorted(cats, matrix[present])
    return codes, cats


def percent_agreement(matrix) -> AgreementResult:
    """Share of agreeing coder pairs within units, averaged over units with two or more ratings.

    With two coders: the share of units both coded that they coded alike.
    """
    stats = PatternStatistics.from_matrix(as_matrix(matrix))
    value = float(stats.percent_agreement(stats.totals)[0])
    return AgreementResult("percent_agreement", value, stats.n_units("pairable"), stats.n_coders,
                           observed=value)


def gwet_ac1(matrix, *, categories: Sequence | None = None) -> AgreementResult:
    """Gwet's (2008) AC1 for any number of coders and missing ratings (nominal categories).

    ``pa`` is the pairwise agreement of :func:`percent_agreement`; chance agreement is
    ``pe = sum_k pi_k (1 - pi_k) / (q - 1)`` with ``pi_k`` the mean share of a unit's ratings in
    category k over units rated at least once, and ``q`` the number of categories: those
    observed, or *categories* (pass ``(0, 1)`` for a binary code that may be all 0).
    """
    stats = PatternStatistics.from_matrix(as_matrix(matrix), categories=categories)
    value, pa, pe = stats.gwet_ac1(stats.totals, parts=True)
    return AgreementResult("gwet_ac1", float(value[0]), stats.n_units("pairable"), stats.n_coders,
                           observed=float(pa[0]), expected=float(pe[0]))


def cohen_kappa(matrix) -> AgreementResult:
    """Cohen's (1960) kappa of two coders (statsmodels), over units both coded.

    NaN when chance agreement is 1 (both coders used a single, identical category).
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    array = as_matrix(matrix)
    if array.shape[1] != 2:
        raise ParameterError(Errors.E502.format(n=array.shape[1]))
    complete = array[~np.isnan(array).any(axis=1)]
    codes, cats = encode(complete)
    table = np.zeros((len(cats), len(cats)))
    np.add.at(table, (codes[:, 0], codes[:, 1]), 1)
    n = table.sum()
    observed = np.trace(table) / n if n else np.nan
    expected = float(table.sum(0) @ table.sum(1)) / n**2 if n else np.nan
    value = np.nan
    if n and expected < 1:
        value = float(cohens_kappa(table, return_results=False))
    return AgreementResult("cohen_kappa", value, int(n), 2, observed=observed, expected=expected)


def fleiss_kappa(matrix) -> AgreementResult:
    """Fleiss' (1971) kappa (statsmodels) over the units every coder rated.

    Fleiss' kappa needs the same number of ratings per unit, so units with a missing rating
    are left out (``n_units`` says how many were used); use :func:`krippendorff_alpha` to keep them.
    """
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

    array = as_matrix(matrix)
    complete = array[~np.isnan(array).any(axis=1)]
    if len(complete) == 0 or len(np.unique(complete)) < 2:
        return AgreementResult("fleiss_kappa", np.nan, len(complete), array.shape[1])
    table, _ = aggregate_raters(complete)
    return AgreementResult("fleiss_kappa", float(sm_fleiss_kappa(table, method="fleiss")),
                           len(complete), array.shape[1])


def krippendorff_alpha(matrix, *, level: Level = "nominal") -> AgreementResult:
    """Krippendorff's alpha (the ``krippendorff`` package) at a level of measurement.

    Any number of coders; missing ratings allowed; units with fewer than two ratings are not
    pairable and do not count. NaN when fewer than two distinct values were used.
    """
    import krippendorff

    if level not in LEVELS:
        raise ParameterError(Errors.E018.format(value=level, what="level of measurement", known=list(LEVELS)))
    array = as_matrix(matrix)
    pairable = int(((~np.isnan(array)).sum(axis=1) >= 2).sum())
    values = np.unique(array[~np.isnan(array)])
    value = np.nan
    if len(values) >= 2 and pairable:
        value = float(krippendorff.alpha(reliability_data=array.T, level_of_measurement=level))
    return AgreementResult("krippendorff_alpha", value, pairable, array.shape[1], level=level)


def bootstrap_ci(matrix, statistic: Callable[[np.ndarray], AgreementResult], *, n_boot: int = 1000,
                 seed: int = 0, confidence: float = 0.95) -> AgreementResult:
    """*statistic* on *matrix* with a percentile bootstrap interval from resampled units (rows).

    Resamples where the statistic is undefined (NaN) are left out; if more than half are, the
    interval is NaN.
    """
    _check_bootstrap(n_boot, confidence)
    array = as_matrix(matrix)
    result = statistic(array)
    rng = np.random.default_rng(seed)
    draws = np.array([statistic(array[rng.integers(0, len(array), len(array))]).value
                      for _ in range(n_boot)])
    low, high = percentile_interval(draws, confidence=confidence)
    return AgreementResult(**{**result.as_dict(), "ci_low": low, "ci_high": high})


def percentile_interval(draws: np.ndarray, *, confidence: float = 0.95,
                        n_clusters: int | None = None) -> tuple[float, float]:
    """Percentile interval of the finite *draws*; see :func:`thematic.resample.percentile_interval`."""
    return resample.percentile_interval(draws, confidence=confidence, n_clusters=n_clusters)


_check_bootstrap = resample.check_bootstrap


def _divide(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1), np.nan)


class PatternStatistics:
    """Nominal agreement statistics as functions of how often each rating pattern occurs.

    A *pattern* is one row of integer category codes (-1 missing), one per coder. Every
    statistic below takes ``totals``, an array (resamples x patterns) of pattern counts, and
    returns one value per resample, so a whole bootstrap is ``weights @ counts`` and one call.
    """

    def __init__(self, patterns: np.ndarray, *, n_categories: int, totals: np.ndarray | None = None):
        self.patterns = np.asarray(patterns, dtype=int)
        self.n_coders = self.patterns.shape[1]
        self.q = n_categories
        self.totals = None if totals is None else np.atleast_2d(np.asarray(totals, dtype=float))
        rated = self.patterns >= 0
        self.m = rated.sum(axis=1).astype(float)
        self.r = np.stack([(self.patterns == k).sum(axis=1) for k in range(self.q)], axis=1).astype(float)
        self.pairable = (self.m >= 2).astype(float)
        self.rated = (self.m >= 1).astype(float)
        self.complete = (self.m == self.n_coders).astype(float)
        pairs = np.where(self.m >= 2, self.m * (self.m - 1), 1)
        self.pair_agreement = (self.r * (self.r - 1)).sum(axis=1) / pairs * self.pairable
        self.share = self.r / np.where(self.m > 0, self.m, 1)[:, None]
        self.same_value = (self.r * (self.r - 1)).sum(axis=1) / np.where(self.m >= 2, self.m - 1, 1) * self.pairable

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, *, categories: Sequence | None = None) -> PatternStatistics:
        codes, cats = encode(matrix, categories=categories)
        patterns, counts = np.unique(codes, axis=0, return_counts=True)
        return cls(patterns, n_categories=len(cats), totals=counts)

    @classmethod
    def binary(cls, n_coders: int) -> PatternStatistics:
        """All 2**n_coders patterns of a binary code (0 not applied, 1 applied), no missing."""
        patterns = np.array(list(itertools.product((0, 1), repeat=n_coders)))[:, ::-1]
        return cls(patterns, n_categories=2)

    def n_units(self, which: str) -> int:
        return int(self.totals[0] @ getattr(self, which))

    def percent_agreement(self, totals: np.ndarray) -> np.ndarray:
        return _divide(totals @ self.pair_agreement, totals @ self.pairable)

    def gwet_ac1(self, totals: np.ndarray, *, parts: bool = False):
        pa = self.percent_agreement(totals)
        pi = _divide(totals @ (self.share * self.rated[:, None]), (totals @ self.rated)[:, None])
        pe = (pi * (1 - pi)).sum(axis=1) / (self.q - 1) if self.q > 1 else np.full(len(totals), np.nan)
        value = _divide(pa - pe, 1 - pe)
        return (value, pa, pe) if parts else value

    def fleiss_kappa(self, totals: np.ndarray) -> np.ndarray:
        n = totals @ self.complete
        agreement = _divide(totals @ (self.pair_agreement * self.complete), n)
        p = _divide(totals @ (self.r * self.complete[:, None]), (n * self.n_coders)[:, None])
        chance = (p**2).sum(axis=1)
        return _divide(agreement - chance, np.where(chance < 1 - 1e-12, 1 - chance, 0))

    def krippendorff_alpha(self, totals: np.ndarray) -> np.ndarray:
        n_c = totals @ (self.r * self.pairable[:, None])
        n = n_c.sum(axis=1)
        disagreement = n - totals @ self.same_value
        expected = n**2 - (n_c**2).sum(axis=1)
        return 1 - _divide((n - 1) * disagreement, np.where(expected > 1e-12, expected, 0))

    def cohen_kappa(self, totals: np.ndarray) -> np.ndarray:
        if self.n_coders != 2:
            return np.full(len(totals), np.nan)
        n = totals @ self.complete
        agree = ((self.patterns[:, 0] == self.patterns[:, 1]) * self.complete).astype(float)
        first = np.stack([(self.patterns[:, 0] == k) * self.complete for k in range(self.q)], axis=1)
        second = np.stack([(self.patterns[:, 1] == k) * self.complete for k in range(self.q)], axis=1)
        observed = _divide(totals @ agree, n)
        chance = _divide(((totals @ first) * (totals @ second)).sum(axis=1), n**2)
        return _divide(observed - chance, np.where(chance < 1 - 1e-12, 1 - chance, 0))

    def all(self, totals: np.ndarray) -> dict[str, np.ndarray]:
        return {name: getattr(self, name)(totals) for name in STATISTICS}


# --- our codings -------------------------------------------------------------------------------

def coding_units(segments: pd.DataFrame, *, unit: Unit = "turn") -> pd.DataFrame:
    """The units of analysis: participant turns, their sentences, or (for ``character``) turns.

    Columns ``unit_id``, ``segment_id`` (the turn a unit belongs to), ``interview_id``,
    ``participant_id`` (when the segments have it), ``group``, ``scope`` (the group's codebook
    scope, when the segments have it), ``start``, ``end``, ``text``. Sentences come from
    :func:`thematic.nlp.sentence_spans` (spaCy's rule-based sentencizer).
    """
    if unit not in UNITS:
        raise ParameterError(Errors.E018.format(value=unit, what="unit of analysis", known=list(UNITS)))
    turns = segments[~segments["is_interviewer"]]
    if "participant_id" not in turns.columns:
        turns = turns.assign(participant_id=turns["interview_id"])
    if "scope" not in turns.columns:
        turns = turns.assign(scope=None)
    columns = ["unit_id", "segment_id", "interview_id", "participant_id", "group", "scope", "start", "end",
               "text"]
    if unit in ("turn", "character"):
        return turns.assign(unit_id=turns["segment_id"])[columns].reset_index(drop=True)
    from thematic.nlp import sentence_spans

    rows = []
    for turn in turns.itertuples(index=False):
        body_offset = turn.end - len(turn.text)
        for number, (start, end) in enumerate(sentence_spans(turn.text), start=1):
            rows.append({"unit_id": f"{turn.segment_id}.s{number:02d}", "segment_id": turn.segment_id,
                         "interview_id": turn.interview_id, "participant_id": turn.participant_id,
                         "group": turn.group, "scope": turn.scope,
                         "start": body_offset + start, "end": body_offset + end,
                         "text": turn.text[start:end]})
    return pd.DataFrame(rows, columns=columns)


def unit_codes(units: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Which coder gave which code to which unit (spans overlapping by one character or more)."""
    columns = ["unit_id", "coder", "code"]
    if codings.empty or units.empty:
        return pd.DataFrame(columns=columns)
    merged = codings.merge(units[["unit_id", "interview_id", "start", "end"]], on="interview_id",
                           suffixes=("", "_unit"))
    overlap = (merged["start"] < merged["end_unit"]) & (merged["start_unit"] < merged["end"])
    return merged.loc[overlap, columns].drop_duplicates().sort_values(columns).reset_index(drop=True)


def pattern_counts(units: pd.DataFrame, codings: pd.DataFrame, *, code: str, coders: Sequence[str],
                   unit: Unit = "turn", hits: pd.DataFrame | None = None) -> np.ndarray:
    """Counts (one row per unit row, one column per binary pattern) of one code's ratings.

    A pattern's index is ``sum(2**j for coders j who applied the code)``. For turns and
    sentences each row holds a single 1; for characters each row counts the turn's characters
    in each pattern.
    """
    n_patterns = 2 ** len(coders)
    counts = np.zeros((len(units), n_patterns))
    if unit != "character":
        hits = unit_codes(units, codings) if hits is None else hits
        mine = hits[hits["code"] == code]
        index = np.zeros(len(units), dtype=int)
        position = pd.Series(np.arange(len(units)), index=units["unit_id"].to_numpy())
        for j, coder in enumerate(coders):
            rows = position.reindex(mine.loc[mine["coder"] == coder, "unit_id"]).dropna().astype(int)
            index[rows.to_numpy()] += 2**j
        counts[np.arange(len(units)), index] = 1
        return counts
    return character_counts(units, codings, code=code, coders=coders)


def character_counts(units: pd.DataFrame, codings: pd.DataFrame, *, code: str,
                     coders: Sequence[str]) -> np.ndarray:
    """Per unit row, how many of its characters fall in each binary pattern of *code*.

    One pass per coder over all interviews laid end to end: each coder's spans of *code*,
    clipped to the stretch of text the units of their interview cover, mark the characters
    they cover (a difference array summed cumulatively); a character's pattern is
    ``sum(2**j for coders j whose spans cover it)``; and a unit's count of pattern p is the
    difference of the running count of p at its two ends. Exact integer counts.
    """
    n_patterns = 2 ** len(coders)
    counts = np.zeros((len(units), n_patterns))
    if units.empty:
        return counts
    interview, labels = pd.factorize(units["interview_id"])
    starts = units["start"].to_numpy(dtype=np.int64)
    ends = units["end"].to_numpy(dtype=np.int64)
    low = np.full(len(labels), np.iinfo(np.int64).max)
    np.minimum.at(low, interview, starts)
    high = np.zeros(len(labels), dtype=np.int64)
    np.maximum.at(high, interview, ends)
    high = np.maximum(high, low)
    offset = np.r_[0, np.cumsum(high - low)]  # interview i covers [offset[i], offset[i + 1])
    where = pd.Index(labels)
    spans = codings[(codings["code"] == code) & codings["coder"].isin(coders)]
    pattern = np.zeros(offset[-1], dtype=np.int64)
    for j, coder in enumerate(coders):
        mine = spans[spans["coder"] == coder]
        i = where.get_indexer(mine["interview_id"])
        known = i >= 0
        i = i[known]
        first = np.clip(mine["start"].to_numpy(dtype=np.int64)[known], low[i], high[i])
        last = np.clip(mine["end"].to_numpy(dtype=np.int64)[known], low[i], high[i])
        keep = first < last
        marks = np.zeros(offset[-1] + 1, dtype=np.int64)
        np.add.at(marks, offset[i[keep]] + first[keep] - low[i[keep]], 1)
        np.add.at(marks, offset[i[keep]] + last[keep] - low[i[keep]], -1)
        pattern += (np.cumsum(marks[:-1]) > 0) * 2**j
    begin = offset[interview] + starts - low[interview]
    stop = offset[interview] + ends - low[interview]
    for p in range(n_patterns):
        running = np.r_[0, np.cumsum(pattern == p)]
        counts[:, p] = running[stop] - running[begin]
    return counts


@cache_results(depends_on=(resample, "thematic.settings", "thematic.nlp", "thematic.codebook"),
               libraries=SPACY_LIBRARIES)
def agreement_table(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *,
                    coders: Sequence[str] | None = None, unit: Unit = "turn", n_boot: int = 1000,
                    seed: int = 0, confidence: float = 0.95, double_coded_only: bool = True,
                    scopes: dict[str, str] | None = None, cluster: Cluster = "participant") -> pd.DataFrame:
    """Per code, and pooled: every agreement statistic with a cluster-bootstrap interval.

    Parameters
    ----------
    segments
        Speaker turns (:func:`thematic.segments.segment_turns`).
    codings
        Character-span codings (``Dataset.codings``): interview_id, start, end, code, coder.
    coders
        The coders to compare (default: all in *codings*, sorted).
    unit
        ``turn``, ``sentence`` or ``character``: what one rating is about. A code marks a turn
        or sentence when one of its spans overlaps it; for ``character`` every character of the
        participant turns in the code's scope is a unit.
    n_boot, seed, confidence
        *n_boot* resamples from ``seed`` (0: no intervals); expanded percentile intervals
        (:func:`thematic.resample.percentile_interval`) for the clusters a code's units come from.
    double_coded_only
        Use only interviews every compared coder coded (has at least one coding in). Teams often
        double-code a subset of interviews; an interview one coder never opened would otherwise
        count all the other coder's codes as disagreements.
    scopes
        The study's settings: the codebook scope each group's transcripts take. A code applies
        to the participant turns of the groups whose scope is its scope (a code without a
        scope to every group's).
    cluster
        What a resample draws: ``participant`` (default; a person's interviews stay together),
        ``interview``, or ``unit`` (each turn on its own, ignoring that units of one interview
        are alike: only to show how much narrower that is). Clusters are drawn within each
        stakeholder group, so the groups keep their sizes.

    Returns
    -------
    DataFrame
        One row per code in codebook order, then ``(pooled)``: every unit x code decision of
        all codes as one binary rating. Columns: code, label, theme, kind, scope, unit, units,
        cluster (what was resampled), clusters (how many the code's units come from),
        interviews, coded_clusters and coded_interviews (those where a coder applied the code),
        prevalence (share of units at least one coder coded) with ``prevalence_low/high``,
        ``coded_by_<coder>``, all_coders, and per statistic its value and ``_low``/``_high``
        interval bounds. Cohen's kappa is NaN unless exactly two coders are compared.
    """
    _check_bootstrap(n_boot, confidence)
    if cluster not in CLUSTERS:
        raise ParameterError(Errors.E018.format(value=cluster, what="bootstrap cluster", known=list(CLUSTERS)))
    known = sorted(codings["coder"].unique())
    coders = list(coders) if coders else known
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise ParameterError(Errors.E503.format(unknown=unknown, known=known))
    if len(coders) < 2:
        raise ParameterError(Errors.E504.format(known=coders))
    stats = PatternStatistics.binary(len(coders))
    codes = codebook.codes.set_index("code")
    units = coding_units(segments, unit=unit)
    if double_coded_only:
        units = units[units["interview_id"].isin(double_coded(codings, coders=coders))].reset_index(drop=True)
    group_scope = (units["group"].map(lambda g: scopes.get(g)) if scopes is not None else units["scope"]).to_numpy()
    hits = unit_codes(units, codings) if unit != "character" else None
    column = {"participant": resample.cluster_column(units), "interview": "interview_id",
              "unit": "segment_id"}[cluster]
    boot = resample.ClusterBootstrap(units[column], strata=units["group"].fillna(""), n_boot=n_boot, seed=seed)
    interview_index = pd.factorize(units["interview_id"])[0]
    described = {"unit": unit, "cluster": column.removesuffix("_id") if cluster != "unit" else "unit"}
    rows, pooled = [], np.zeros((len(units), len(stats.patterns)))
    scoped_units: dict[object, tuple[np.ndarray, pd.DataFrame]] = {}
    for code in codebook.code_ids:
        scope = codes.loc[code, "scope"]
        if scope not in scoped_units:
            mask = np.array([in_scope(scope, g) for g in group_scope], dtype=bool)
            scoped_units[scope] = (mask, units[mask])
        mask, scoped = scoped_units[scope]
        counts = np.zeros((len(units), len(stats.patterns)))
        if mask.any():
            counts[mask] = pattern_counts(scoped, codings, code=code, coders=coders, unit=unit, hits=hits)
        pooled += counts
        rows.append(_agreement_row(code, codes.loc[code], counts, mask, boot, interview_index, stats,
                                   coders, confidence) | described)
    info = pd.Series({"label": "all codes", "theme": "", "kind": "", "scope": "all"})
    rows.append(_agreement_row(POOLED, info, pooled, pooled.sum(axis=1) > 0, boot, interview_index, stats,
                               coders, confidence) | described)
    columns = ["code", "label", "theme", "kind", "scope", "unit", "units", "cluster", "clusters", "interviews",
               "coded_clusters", "coded_interviews", "prevalence", "prevalence_low", "prevalence_high",
               *[f"coded_by_{c}" for c in coders], "all_coders",
               *[f"{name}{suffix}" for name in STATISTICS for suffix in ("", "_low", "_high")]]
    return pd.DataFrame(rows)[columns]


def double_coded(codings: pd.DataFrame, *, coders: Sequence[str]) -> list[str]:
    """Interviews every one of *coders* has at least one coding in, sorted."""
    sets = [set(codings.loc[codings["coder"] == coder, "interview_id"]) for coder in coders]
    return sorted(set.intersection(*sets)) if sets else []


def _agreement_row(code: str, info: pd.Series, counts: np.ndarray, mask: np.ndarray,
                   boot: resample.ClusterBootstrap, interview_index: np.ndarray, stats: PatternStatistics,
                   coders: Sequence[str], confidence: float) -> dict:
    """One code's statistics from its pattern counts (rows: all units; zero outside *mask*)."""
    totals = counts.sum(axis=0)[None, :]
    n_units = totals.sum()
    coded = counts[:, 1:].sum(axis=1) > 0
    n_clusters = boot.clusters_with(mask)
    row = {"code": code, "label": info["label"], "theme": info["theme"], "kind": info["kind"],
           "scope": info["scope"] if isinstance(info["scope"], str) else "", "units": int(n_units),
           "clusters": n_clusters, "interviews": int(len(np.unique(interview_index[mask]))),
           "coded_clusters": boot.clusters_with(coded),
           "coded_interviews": int(len(np.unique(interview_index[coded]))),
           "prevalence": float(1 - totals[0, 0] / n_units) if n_units else np.nan}
    for j, coder in enumerate(coders):
        applied = [p for p in range(len(stats.patterns)) if p & 2**j]
        row[f"coded_by_{coder}"] = int(totals[0, applied].sum())
    row["all_coders"] = int(totals[0, -1])
    point = stats.all(totals)
    draws = boot.resampled_sums(counts) if boot.n_boot and n_units else None
    interval = (lambda values: boot.interval(values, confidence=confidence, n_clusters=n_clusters)) \
        if draws is not None else (lambda values: (np.nan, np.nan))
    if draws is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            prevalence = 1 - draws[:, 0] / draws.sum(axis=1)
        row["prevalence_low"], row["prevalence_high"] = interval(prevalence)
        resampled = stats.all(draws)
    else:
        row["prevalence_low"] = row["prevalence_high"] = np.nan
    for name in STATISTICS:
        row[name] = float(point[name][0])
        row[f"{name}_low"], row[f"{name}_high"] = interval(resampled[name]) if draws is not None else (np.nan, np.nan)
    return row


def reliability(table: pd.DataFrame, *, statistic: str = "krippendorff_alpha", bar: float = RELIABILITY_BAR,
                min_clusters: int = resample.MIN_CLUSTERS) -> pd.Series:
    """Each code's reliability verdict, read from the lower bound of *statistic*'s interval.

    ``reliable`` only when the lower bound reaches *bar*; ``unreliable`` when the upper bound
    falls short of it; ``uncertain`` between; ``not enough data`` when fewer than
    *min_clusters* participants' interviews carry the code (``coded_clusters``) or the
    interval is undefined. See :func:`thematic.resample.reliability_flag`.
    """
    if statistic not in STATISTICS:
        raise ParameterError(Errors.E018.format(value=statistic, what="agreement statistic", known=list(STATISTICS)))
    return pd.Series([resample.reliability_flag(low, high, bar=bar, n_clusters=n, min_clusters=min_clusters)
                      for low, high, n in zip(table[f"{statistic}_low"], table[f"{statistic}_high"],
                                              table["coded_clusters"], strict=True)],
                     index=table.index, name="reliability")


def unit_sensitivity(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *,
                     units: Sequence[Unit] = UNITS, statistic: str = "cohen_kappa",
                     **options) -> pd.DataFrame:
    """Per code, one statistic on each unit of analysis side by side, with intervals.

    Columns: code, label, theme, then per unit ``<unit>``, ``<unit>_low``, ``<unit>_high``,
    ``<unit>_prevalence`` and ``<unit>_units``. *options* go to :func:`agreement_table` (coders, n_boot,
    seed, scopes, cluster...).
    """
    if statistic not in STATISTICS:
        raise ParameterError(Errors.E018.format(value=statistic, what="agreement statistic", known=list(STATISTICS)))
    table = None
    for unit in units:
        one = agreement_table(segments, codings, codebook, unit=unit, **options)
        part = one[["code", statistic, f"{statistic}_low", f"{statistic}_high", "prevalence", "units"]].rename(
            columns={statistic: unit, f"{statistic}_low": f"{unit}_low", f"{statistic}_high": f"{unit}_high",
                     "prevalence": f"{unit}_prevalence", "units": f"{unit}_units"})
        table = one[["code", "label", "theme"]].merge(part, on="code") if table is None \
            else table.merge(part, on="code")
    return table


def disagreements(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *,
                  coders: Sequence[str] | None = None, unit: Unit = "turn",
                  double_coded_only: bool = True) -> pd.DataFrame:
    """Per code, the units the coders coded differently, ordered for a discussion meeting.

    Order: codes with the most disagreements first (settling one definition resolves many
    units at once, so the longest discussions come while the team is fresh; ties in codebook
    order); within a code, units where a coder left a memo first (the memo records the
    coder's reasoning, so the discussion starts from it), then transcript order (interview,
    position) so that neighbouring units are read in context. For ``character`` units the
    turns are listed (a disagreement on some characters of a turn).

    Columns: discussion_order, code, label, theme, kind, unit_id, segment_id, interview_id,
    participant (attribution label), group, coded_by, not_coded_by, ``memo_<coder>``, text.
    With *double_coded_only*, only interviews every coder coded (see :func:`agreement_table`).
    """
    known = sorted(codings["coder"].unique())
    coders = list(coders) if coders else known
    unknown = [c for c in coders if c not in known]
    if unknown:
        raise ParameterError(Errors.E503.format(unknown=unknown, known=known))
    units = coding_units(segments, unit="turn" if unit == "character" else unit)
    if double_coded_only:
        units = units[units["interview_id"].isin(double_coded(codings, coders=coders))]
    hits = unit_codes(units, codings[codings["coder"].isin(coders)])
    given = hits.groupby(["unit_id", "code"])["coder"].agg(lambda c: sorted(set(c))).reset_index(name="by")
    given = given[given["by"].map(len) < len(coders)]
    columns = ["discussion_order", "code", "label", "theme", "kind", "unit_id", "segment_id", "interview_id",
               "participant", "group", "coded_by", "not_coded_by", *[f"memo_{c}" for c in coders], "text"]
    if given.empty:
        return pd.DataFrame(columns=columns)
    given["coded_by"] = given["by"].map(", ".join)
    given["not_coded_by"] = given["by"].map(lambda by: ", ".join(c for c in coders if c not in by))
    table = given.merge(units, on="unit_id").merge(
        codebook.codes[["code", "label", "theme", "kind"]], on="code")
    table = table.merge(segments[["segment_id", "label"]].rename(columns={"label": "participant"}),
                        on="segment_id")
    memos = _unit_memos(table, codings, coders)
    for coder in coders:
        table[f"memo_{coder}"] = memos[coder]
    has_memo = table[[f"memo_{c}" for c in coders]].ne("").any(axis=1)
    size = table.groupby("code")["unit_id"].transform("size")
    rank = table["code"].map({code: i for i, code in enumerate(codebook.code_ids)})
    table = table.assign(_size=-size, _rank=rank, _memo=~has_memo).sort_values(
        ["_size", "_rank", "_memo", "interview_id", "start"])
    table["discussion_order"] = np.arange(1, len(table) + 1)
    return table[columns].reset_index(drop=True)


def _unit_memos(table: pd.DataFrame, codings: pd.DataFrame, coders: Sequence[str]) -> dict[str, list[str]]:
    """Per coder, the memos of their spans of the row's code overlapping the row's unit."""
    spans = codings[codings["coder"].isin(coders) & codings["memo"].ne("")]
    lookup = {key: group for key, group in spans.groupby(["interview_id", "code", "coder"])}
    memos = {coder: [] for coder in coders}
    for row in table.itertuples(index=False):
        for coder in coders:
            mine = lookup.get((row.interview_id, row.code, coder))
            found = [] if mine is None else mine.loc[(mine["start"] < row.end) & (mine["end"] > row.start), "memo"]
            memos[coder].append(" | ".join(dict.fromkeys(found)))
    return memos


def pairwise_agreement(segments: pd.DataFrame, coded: pd.DataFrame, codebook: Codebook, *,
                       coders: tuple[str, str]) -> pd.DataFrame:
    """Per code: Cohen's kappa and percent agreement of two coders over turns, no intervals.

    Kept for existing callers; *coded* is ``code_segments`` output (segment, coder, code).
    :func:`agreement_table` is the full analysis.
    """
    spans = coded.merge(segments[["segment_id", "interview_id", "start", "end"]], on="segment_id")
    table = agreement_table(segments, spans, codebook, coders=list(coders), unit="turn", n_boot=0)
    table = table[table["code"] != POOLED]
    keep = ["code", "units", f"coded_by_{coders[0]}", f"coded_by_{coders[1]}", "all_coders",
            "prevalence", "percent_agreement", "cohen_kappa"]
    return table[keep].rename(columns={"all_coders": "both"}).reset_index(drop=True)


def _resamples(value: int) -> int:
    if not (value == 0 or value >= 100):
        raise ValueError("must be 0 (no intervals) or at least 100")
    return value


PARAMETERS = (
    Parameter("agreement_unit", Unit, "the unit of analysis for agreement: turn, sentence or character"),
    Parameter("n_boot", Annotated[int, Field(le=100_000), AfterValidator(_resamples)],
              "the number of bootstrap resamples: 0 for no intervals, else 100 to 100,000"),
    Parameter("reliability_statistic", Literal[STATISTICS],
              f"the statistic whose interval decides each code's reliability: one of {', '.join(STATISTICS)}"),
    Parameter("reliability_bar", Annotated[float, Field(gt=0, le=1)],
              "the lower bound a code's interval must reach to be called reliable, above 0 and at most 1"),
)
