"""The vectorised character counts of agreement equal the per-unit loop they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thematic import agreement as ag


def reference_character_counts(units: pd.DataFrame, codings: pd.DataFrame, *, code: str,
                               coders: list[str]) -> np.ndarray:
    """The per-unit loop :func:`thematic.agreement.pattern_counts` ran before (issue 17)."""
    n_patterns = 2 ** len(coders)
    counts = np.zeros((len(units), n_patterns))
    spans = codings[(codings["code"] == code) & codings["coder"].isin(coders)]
    by_interview = dict(tuple(spans.groupby("interview_id")))
    for i, row in enumerate(units.itertuples(index=False)):
        length = row.end - row.start
        mine = by_interview.get(row.interview_id)
        if mine is None:
            counts[i, 0] = length
            continue
        mine = mine[(mine["start"] < row.end) & (mine["end"] > row.start)]
        if mine.empty:
            counts[i, 0] = length
            continue
        index = np.zeros(length, dtype=int)
        for j, coder in enumerate(coders):
            flags = np.zeros(length, dtype=bool)
            for span in mine[mine["coder"] == coder].itertuples(index=False):
                flags[max(span.start, row.start) - row.start:min(span.end, row.end) - row.start] = True
            index += flags * 2**j
        counts[i] = np.bincount(index, minlength=n_patterns)
    return counts


def random_study(seed: int, *, interviews: int = 6, coders: int = 2, codes: int = 3):
    """Units (turns, some interviews starting past 0, gaps between turns) and random spans,
    some crossing turn boundaries, running past the text or empty."""
    rng = np.random.default_rng(seed)
    units, spans = [], []
    for i in range(interviews):
        position = int(rng.integers(0, 50))
        for t in range(int(rng.integers(1, 8))):
            position += int(rng.integers(0, 20))
            length = int(rng.integers(1, 120))
            units.append({"unit_id": f"i{i}.t{t}", "interview_id": f"i{i}", "start": position,
                          "end": position + length})
            position += length
        for _ in range(int(rng.integers(0, 12))):
            start = int(rng.integers(-10, position + 10))
            spans.append({"interview_id": f"i{i}", "start": start, "end": start + int(rng.integers(0, 150)),
                          "code": f"c{rng.integers(codes)}", "coder": f"k{rng.integers(coders + 1)}"})
    spans.append({"interview_id": "elsewhere", "start": 0, "end": 40, "code": "c0", "coder": "k0"})
    return pd.DataFrame(units), pd.DataFrame(spans)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("n_coders", [2, 3])
def test_character_counts_equal_the_per_unit_loop(seed, n_coders):
    units, spans = random_study(seed, coders=n_coders)
    coders = [f"k{j}" for j in range(n_coders)]
    for code in ("c0", "c1", "c2", "absent"):
        fast = ag.pattern_counts(units, spans, code=code, coders=coders, unit="character")
        slow = reference_character_counts(units, spans, code=code, coders=coders)
        np.testing.assert_array_equal(fast, slow)
        assert fast.sum() == (units["end"] - units["start"]).sum()


def test_character_counts_of_overlapping_units_and_shuffled_rows():
    units, spans = random_study(7)
    units = pd.concat([units, units.iloc[[0, 2]].assign(end=lambda u: u["end"] + 30)]).sample(frac=1, random_state=3)
    fast = ag.character_counts(units, spans, code="c1", coders=["k0", "k1"])
    slow = reference_character_counts(units, spans, code="c1", coders=["k0", "k1"])
    np.testing.assert_array_equal(fast, slow)


def test_character_counts_of_no_units():
    _, spans = random_study(1)
    empty = pd.DataFrame(columns=["unit_id", "interview_id", "start", "end"])
    assert ag.character_counts(empty, spans, code="c0", coders=["k0", "k1"]).shape == (0, 4)
