"""Agreement: published examples, the fast bootstrap against the libraries, interval coverage.

Three questions a methods reviewer asks:

* are the statistics right? Krippendorff's (2011) and irrCAC's worked examples, to 3 decimals;
* is the fast per-code bootstrap the same statistic as the libraries' and how much faster is
  it? (every code of the sample; the same resamples through statsmodels/krippendorff in a loop);
* do the 95% intervals cover? Simulated two-coder binary codings with a known population kappa
  and AC1, at a common and a rare prevalence.
"""

from __future__ import annotations

import time

import numpy as np

from thematic import agreement as ag
from thematic.bench import BenchResult, register
from thematic.settings import in_scope

_nan = np.nan
_KRIPPENDORFF_C = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _nan, _nan, _nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _nan, 3],
    [_nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _nan]]).T
_EXAMPLES = [  # (what, function, matrix, published value)
    ("alpha nominal", lambda m: ag.krippendorff_alpha(m), _KRIPPENDORFF_C, 0.743),
    ("alpha ordinal", lambda m: ag.krippendorff_alpha(m, level="ordinal"), _KRIPPENDORFF_C, 0.815),
    ("alpha interval", lambda m: ag.krippendorff_alpha(m, level="interval"), _KRIPPENDORFF_C, 0.849),
    ("alpha ratio", lambda m: ag.krippendorff_alpha(m, level="ratio"), _KRIPPENDORFF_C, 0.797),
]


def _abstractors() -> np.ndarray:
    table = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    return np.array([(i, j) for i in range(3) for j in range(3) for _ in range(table[i][j])], dtype=float)


def _population(prevalence: float, kappa: float) -> np.ndarray:
    """Probabilities of patterns (neither, a only, b only, both) with equal marginals and a given kappa."""
    p = prevalence
    both = p * p + kappa * p * (1 - p)
    return np.array([1 - 2 * p + both, p - both, p - both, both])


def _coverage(*, prevalence: float, kappa: float, n_units: int, reps: int, n_boot: int, seed: int) -> dict:
    stats = ag.PatternStatistics.binary(2)
    probs = _population(prevalence, kappa)
    truth = {name: float(value[0]) for name, value in stats.all(probs[None, :]).items()}
    rng = np.random.default_rng(seed)
    hits = {"cohen_kappa": 0, "gwet_ac1": 0}
    for _ in range(reps):
        units = rng.choice(4, size=n_units, p=probs)
        counts = np.eye(4)[units]
        weights = rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=n_boot)
        draws = stats.all(weights @ counts)
        for name in hits:
            low, high = ag.percentile_interval(draws[name])
            hits[name] += bool(low <= truth[name] <= high)
    return {name: hit / reps for name, hit in hits.items()}


def _clustered_study(rng: np.random.Generator, *, interviews: int, units: int) -> tuple[np.ndarray, np.ndarray]:
    """Two coders' binary codings of *interviews* x *units*, alike within an interview.

    Each interview has its own prevalence (Beta(1.5, 8.5), mean 0.15: some interviews are full
    of a code, others barely touch it) and each coder its own error rate in it (Beta(1, 9),
    mean 0.10: a coder reads a whole interview in one frame of mind). Returns one-hot pattern
    counts per unit and each unit's interview.
    """
    prevalence = rng.beta(1.5, 8.5, size=interviews)
    errors = rng.beta(1.0, 9.0, size=(interviews, 2))
    truth = rng.random((interviews, units)) < prevalence[:, None]
    flips = rng.random((interviews, units, 2)) < errors[:, None, :]
    coded = truth[..., None] ^ flips
    pattern = (coded[..., 0] * 1 + coded[..., 1] * 2).ravel()
    return np.eye(4)[pattern], np.repeat(np.arange(interviews), units)


def _clustered_coverage(*, interviews: int, units: int, reps: int, n_boot: int, seed: int) -> dict:
    """Coverage of kappa intervals from resampling units vs whole interviews, on clustered codings."""
    from thematic.resample import ClusterBootstrap

    stats = ag.PatternStatistics.binary(2)
    rng = np.random.default_rng(seed)
    population, _ = _clustered_study(rng, interviews=200_000, units=units)
    truth = float(stats.cohen_kappa(population.sum(axis=0)[None, :])[0])
    hits = {"units": 0, "interviews, plain percentile": 0, "interviews, expanded": 0}
    for rep in range(reps):
        counts, clusters = _clustered_study(rng, interviews=interviews, units=units)
        by_unit = ClusterBootstrap(np.arange(len(counts)), n_boot=n_boot, seed=rep)
        by_interview = ClusterBootstrap(clusters, n_boot=n_boot, seed=rep)
        unit_draws = stats.cohen_kappa(by_unit.resampled_sums(counts))
        interview_draws = stats.cohen_kappa(by_interview.resampled_sums(counts))
        for name, (low, high) in {
                "units": ag.percentile_interval(unit_draws),
                "interviews, plain percentile": ag.percentile_interval(interview_draws),
                "interviews, expanded": ag.percentile_interval(interview_draws, n_clusters=interviews)}.items():
            hits[name] += bool(low <= truth <= high)
    return {name: hit / reps for name, hit in hits.items()}


@register("agreement")
def bench_agreement(*, quick: bool = False) -> BenchResult:
    from thematic.dataset import load_dataset
    from thematic.segments import segment_turns

    result = BenchResult("agreement")
    errors = [abs(round(func(matrix).value, 3) - value) for _, func, matrix, value in _EXAMPLES]
    abstractors = _abstractors()
    errors += [abs(ag.gwet_ac1(abstractors).value - 0.8493305), abs(ag.cohen_kappa(abstractors).value - 0.7964094)]
    result.add("published examples: largest error (3 decimals)", max(errors), at_most=0.0005)

    dataset = load_dataset("data-sample")
    segments = segment_turns(dataset)
    n_boot = 100 if quick else 1000
    ag.agreement_table(segments, dataset.codings, dataset.codebook, n_boot=100, seed=0)  # warm-up: imports
    started = time.perf_counter()
    table = ag.agreement_table(segments, dataset.codings, dataset.codebook, n_boot=n_boot, seed=1)
    fast = time.perf_counter() - started

    units = ag.coding_units(segments, unit="turn")
    codes = dataset.codebook.codes
    codes = codes.head(3) if quick else codes
    loop_boot = 20 if quick else 50
    worst, started = 0.0, time.perf_counter()
    rng = np.random.default_rng(1)
    for code, scope in zip(codes["code"], codes["scope"], strict=True):
        mine = units[[in_scope(scope, unit_scope) for unit_scope in units["scope"]]]
        counts = ag.pattern_counts(mine, dataset.codings, code=code, coders=["coder_a", "coder_b"])
        index = counts.argmax(axis=1)
        matrix = np.stack([index & 1, index >> 1], axis=1).astype(float)
        row = table.set_index("code").loc[code]
        worst = max(worst, abs(ag.cohen_kappa(matrix).value - row["cohen_kappa"]),
                    abs(ag.krippendorff_alpha(matrix).value - row["krippendorff_alpha"]),
                    abs(ag.fleiss_kappa(matrix).value - row["fleiss_kappa"]))
        for _ in range(loop_boot):
            sample = matrix[rng.integers(0, len(matrix), len(matrix))]
            ag.cohen_kappa(sample), ag.krippendorff_alpha(sample), ag.fleiss_kappa(sample)
    slow_per_resample = (time.perf_counter() - started) / (loop_boot * len(codes))
    fast_per_resample = fast / (n_boot * len(dataset.codebook.code_ids))
    result.add("fast vs library point estimates: largest difference", worst, at_most=1e-9)
    result.add("bootstrap speed-up over calling the libraries per resample", slow_per_resample / fast_per_resample,
               "x", at_least=20)
    result.add("agreement table, all codes, turns", fast, "s")

    reps, boots = (40, 200) if quick else (400, 1000)
    for prevalence in (0.2, 0.03):
        covered = _coverage(prevalence=prevalence, kappa=0.6, n_units=300, reps=reps, n_boot=boots, seed=7)
        for name, share in covered.items():
            result.add(f"95% interval coverage, {name}, prevalence {prevalence}", share, at_least=0.9)
    clustered_reps = 100 if quick else 400
    covered = _clustered_coverage(interviews=20, units=15, reps=clustered_reps, n_boot=boots, seed=11)
    result.add("95% coverage, kappa, units alike within interviews, resampling units", covered["units"])
    result.add("95% coverage, same, resampling interviews (plain percentile)", covered["interviews, plain percentile"])
    result.add("95% coverage, same, resampling interviews (expanded percentile)", covered["interviews, expanded"],
               at_least=0.9)
    result.notes += [
        (f"clustered coverage: {clustered_reps} simulated studies of 20 interviews x 15 units, prevalence "
         f"Beta(1.5, 8.5) and each coder's error rate Beta(1, 9) drawn per interview, {boots} resamples, "
         "seed 11; truth: kappa of 200,000 interviews"),
        (f"sample: {len(dataset.codebook.code_ids)} codes, coders coder_a vs coder_b, turn units, "
         f"{n_boot} resamples of participants (fast path, timed after a warm-up call); library loop over "
         f"{len(codes)} codes x {loop_boot} resamples (Cohen, alpha, Fleiss per resample)"),
        f"coverage: {reps} simulated studies of 300 units, population kappa 0.6, {boots} resamples each, seed 7",
    ]
    return result
