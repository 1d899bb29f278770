"""Which segments to code next: the ones whose coding would teach the suggester most.

Active learning for a researcher who codes a few segments at a time. A fitted
:class:`~thematic.suggest.CodeSuggester` scores every uncoded segment; each is worth coding in
proportion to how much its label could change the model for some code (:func:`informativeness`),
and the codes take turns, those with fewest coded examples first (:func:`ranked_by_code`):
macro-F1, the mean over codes, is what rare codes pull down, and a list led by the common
codes' doubts would leave them unseen. The chosen segments are spread out (:func:`choose_next`):
none nearly repeats another, and no interview supplies more than its share. The functions are
pure (scores in, choice out); :func:`simulate` replays the loop on a fully coded set, so the
benefit over coding segments at random can be measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.preprocessing import normalize

from thematic.errors import Errors, ParameterError

#: Codes with fewer labelled positives than this are "rare": their likely positives are sought.
RARE_BELOW = 5
#: Two chosen segments may not be more alike than this (cosine of the model's features).
MAX_SIMILARITY = 0.8


def informativeness(scores: np.ndarray, thresholds: np.ndarray, positives: np.ndarray, *,
                    rare_below: int = RARE_BELOW) -> tuple[np.ndarray, np.ndarray]:
    """How much coding each segment would teach, and the code that makes it so.

    For a code with at least *rare_below* labelled positives a segment teaches most when its
    score sits at the code's threshold (1 there, falling to 0 at a score of 0 or 1): the
    model cannot tell. For a rarer code the model's threshold means little, and a segment
    teaches in proportion to its score (a likely positive adds the example the code lacks).
    Each code's value is weighted by ``1 / sqrt(1 + positives)``; a segment is worth its best
    code.

    Returns
    -------
    value, code
        Per segment, the value (0-1) and the column of the code giving it.
    """
    scores = np.asarray(scores, dtype=float)
    thresholds = np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6)
    positives = np.asarray(positives, dtype=float)
    margin = np.where(scores >= thresholds, (1 - scores) / (1 - thresholds), scores / thresholds)
    per_code = np.where(positives < rare_below, scores, margin) / np.sqrt(1 + positives)
    return per_code.max(axis=1), per_code.argmax(axis=1), per_code


def ranked_by_code(per_code: np.ndarray, positives: np.ndarray, *, depth: int) -> np.ndarray:
    """Segment positions taking turns between codes, the codes with fewest labelled positives
    first: every code's most informative segment, then every code's second, and so on to
    *depth* (each segment listed once, at its first turn)."""
    codes = np.argsort(np.asarray(positives), kind="stable")
    tops = np.argsort(-per_code[:, codes], axis=0, kind="stable")[:depth]
    return np.asarray(list(dict.fromkeys(int(i) for i in tops.ravel())), dtype=int)


def choose_next(order: np.ndarray, *, n: int, interviews: Sequence[str] | None = None, features=None,
                max_similarity: float = MAX_SIMILARITY, most_per_interview: int | None = None) -> np.ndarray:
    """The *n* segments to code next, taken in *order* (positions, best first): a segment is
    skipped when it nearly repeats one already chosen (cosine of its *features* above
    *max_similarity*) or its interview has supplied *most_per_interview* (default: a fifth of
    *n*, at least 1). When too few remain under these rules, the rest follow in *order*."""
    if int(n) < 0:
        raise ParameterError(Errors.E908.format(n=n))
    order = np.asarray(order, dtype=int)
    n = min(int(n), len(order))
    if n == 0:
        return np.zeros(0, dtype=int)
    interviews = None if interviews is None else np.asarray(interviews)
    cap = most_per_interview or max(1, math.ceil(n / 5))
    shortlist = order[: max(10 * n, 200)]  # only the first few times n can be chosen
    similar = None
    if features is not None:
        unit = normalize(features[shortlist])
        product = unit @ unit.T
        similar = (product.toarray() if hasattr(product, "toarray") else np.asarray(product)) > max_similarity
    chosen: list[int] = []  # positions in the shortlist
    taken: dict[str, int] = {}
    for j, i in enumerate(shortlist):
        if len(chosen) == n:
            break
        interview = interviews[i] if interviews is not None else j
        if taken.get(interview, 0) >= cap or (similar is not None and chosen and similar[j, chosen].any()):
            continue
        chosen.append(j)
        taken[interview] = taken.get(interview, 0) + 1
    picked = [int(shortlist[j]) for j in chosen]
    if len(picked) < n:
        seen = set(picked)
        picked += [int(i) for i in order if int(i) not in seen][: n - len(picked)]
    return np.asarray(picked, dtype=int)


def next_segments(model, pool: pd.DataFrame, *, n: int, positives: np.ndarray,
                  interview_column: str = "interview_id") -> pd.DataFrame:
    """The *n* segments of *pool* (suggestion inputs plus *interview_column*) to code next,
    with ``value`` (what coding it would teach, 0-1) and ``why`` (the code behind it, its score
    and the labelled positives it has). *positives*: labelled positives per code of *model*."""
    from thematic.suggest import suggestion_inputs

    inputs = suggestion_inputs(pool)
    scores = model.predict_proba(inputs)
    value, best, per_code = informativeness(scores, model.thresholds_, positives)
    features = model.transform(inputs)
    interviews = pool[interview_column].astype(str).to_numpy() if interview_column in pool else None
    chosen = choose_next(ranked_by_code(per_code, positives, depth=n), n=n, interviews=interviews,
                         features=features)
    table = pool.iloc[chosen].reset_index(drop=True).copy()
    table.insert(0, "rank", np.arange(1, len(chosen) + 1))
    table["value"] = np.round(value[chosen], 4)
    table["why"] = [f"{model.codes_[best[i]]}: score {scores[i, best[i]]:.2f}, "
                    f"{int(positives[best[i]])} coded so far" for i in chosen]
    return table


def simulate(make_model: Callable[[], object], inputs: pd.DataFrame, Y: pd.DataFrame, *,
             pool: np.ndarray, start: int = 50, step: int = 50, budget: int = 300, seed: int = 0,
             method: str = "active", interview_column: str | None = None) -> tuple[np.ndarray, list[dict]]:
    """Replay coding on a fully coded set: *start* segments of *pool* at random, then *step*
    at a time chosen by *method* ("active": as :func:`next_segments` chooses; "random") until
    *budget*. Returns the rows chosen (in order) and, per round, how many
    were coded and the codes with at least one positive."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(pool)
    chosen = list(order[:start])
    rounds = []
    Y_all = Y.to_numpy(dtype=int)
    while len(chosen) < budget:
        taken = set(chosen)
        remaining = np.asarray([i for i in pool if i not in taken])
        want = min(step, budget - len(chosen))
        if method == "random":
            picked = [i for i in order if i not in taken][:want]
        else:
            model = clone(make_model()).fit(inputs.iloc[chosen], Y.iloc[chosen])
            candidates = inputs.iloc[remaining]
            positives = Y_all[chosen].sum(axis=0)
            _, _, per_code = informativeness(model.predict_proba(candidates), model.thresholds_, positives)
            interviews = (inputs[interview_column].iloc[remaining].astype(str).to_numpy()
                          if interview_column else None)
            features = model.transform(candidates)
            order = ranked_by_code(per_code, positives, depth=want)
            picked = remaining[choose_next(order, n=want, interviews=interviews, features=features)]
        chosen.extend(int(i) for i in picked)
        rounds.append({"coded": len(chosen), "codes_seen": int((Y_all[chosen].sum(axis=0) > 0).sum())})
    return np.asarray(chosen), rounds
