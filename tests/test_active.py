import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from thematic import active
from thematic.errors import ParameterError


def test_informativeness_seeks_doubt_for_known_codes_and_likely_positives_for_rare_ones():
    scores = np.array([[0.5, 0.9], [0.95, 0.1], [0.25, 0.6]])
    thresholds = np.array([0.5, 0.5])
    positives = np.array([8, 0])  # code 0 is known, code 1 rare
    value, best, per_code = active.informativeness(scores, thresholds, positives)
    assert per_code[:, 0] == pytest.approx(np.array([1.0, 0.1, 0.5]) / 3)  # 1 at its threshold
    assert per_code[:, 1] == pytest.approx([0.9, 0.1, 0.6])  # the score itself, weight 1
    assert best.tolist() == [1, 1, 1] and value == pytest.approx([0.9, 0.1, 0.6])


def test_codes_take_turns_fewest_positives_first():
    per_code = np.array([[0.9, 0.1, 0.5], [0.8, 0.2, 0.4], [0.1, 0.9, 0.3], [0.2, 0.8, 0.9]])
    order = active.ranked_by_code(per_code, np.array([5, 0, 2]), depth=2)
    # code 1 (0 positives) picks 2, code 2 picks 3, code 0 picks 0; then their second choices
    assert order.tolist() == [2, 3, 0, 1]


def test_choice_caps_each_interview_and_skips_near_repeats():
    order = np.arange(8)
    interviews = ["a", "a", "a", "b", "b", "c", "c", "d"]
    chosen = active.choose_next(order, n=4, interviews=interviews, most_per_interview=1)
    assert chosen.tolist() == [0, 3, 5, 7]
    features = sparse.csr_matrix(np.array([[1, 0], [1, 0.01], [0, 1], [0.7, 0.7]]))
    assert active.choose_next(np.arange(4), n=2, features=features).tolist() == [0, 2]
    # when too few remain under the rules, the rest follow in order
    assert active.choose_next(np.arange(3), n=3, interviews=["a"] * 3, most_per_interview=1).tolist() == [0, 1, 2]
    with pytest.raises(ParameterError, match="Asked for -1 segments"):
        active.choose_next(order, n=-1)


def test_simulation_codes_the_budget_and_active_finds_the_rare_code_sooner():
    from thematic.suggest import CodeSuggester

    rng = np.random.default_rng(0)
    common = [f"the staff were kind and caring {i}" for i in range(150)]
    rare = [f"could not find parking near the entrance {i}" for i in range(6)]
    other = [f"waited hours for the ambulance {i}" for i in range(44)]
    texts = common + rare + other
    Y = pd.DataFrame({"staff": [1] * 150 + [0] * 50, "parking": [0] * 150 + [1] * 6 + [0] * 44,
                      "waiting": [0] * 156 + [1] * 44})
    order = rng.permutation(len(texts))
    inputs = pd.DataFrame({"text": np.asarray(texts)[order]})
    Y = Y.iloc[order].reset_index(drop=True)
    pool = np.arange(len(texts))
    make = lambda: CodeSuggester(char_ngrams=None, code_texts={"parking": ["parking"]})  # noqa: E731
    found = {}
    for method in ("active", "random"):
        chosen, rounds = active.simulate(make, inputs, Y, pool=pool, start=10, step=5, budget=20, seed=2,
                                         method=method)
        assert len(chosen) == 20 and len(set(chosen)) == 20 and rounds[-1]["coded"] == 20
        found[method] = int(Y.iloc[chosen]["parking"].sum())
    assert found["active"] > found["random"]
