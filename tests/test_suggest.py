import numpy as np
import pandas as pd

from thematic.suggest import CodeSuggester, cross_validate

TEXTS = [f"we never share notes on the system {i}" for i in range(12)] + \
        [f"video calls saved a long drive today {i}" for i in range(12)] + \
        [f"the weather was lovely and the dog barked {i}" for i in range(12)]
Y = pd.DataFrame({"records": [1] * 12 + [0] * 24, "remote": [0] * 12 + [1] * 12 + [0] * 12})
GROUPS = [f"int{i % 6}" for i in range(36)]


def test_suggester_learns_and_explains():
    model = CodeSuggester(random_state=0).fit(TEXTS, Y)
    assert model.codes_ == ["records", "remote"]
    assert model.predict(["nobody can see our notes on the system"]).tolist() == [[1, 0]]
    top = model.suggest(["a long drive, so video calls"], top_k=1).iloc[0]
    assert top["code"] == "remote" and top["above_threshold"] and "video" in top["evidence"]


def test_suggestions_are_deterministic():
    first = CodeSuggester(random_state=3).fit(TEXTS, Y).predict_proba(TEXTS)
    second = CodeSuggester(random_state=3).fit(TEXTS, Y).predict_proba(TEXTS)
    assert np.array_equal(first, second)


def test_grouped_cross_validation_reports_per_code_and_averages():
    per_code, summary = cross_validate(CodeSuggester(), TEXTS, Y, GROUPS, n_splits=3)
    assert per_code["code"].tolist() == ["records", "remote"]
    assert summary["macro_f1"] > 0.9 and summary["segments"] == 36 and summary["folds"] == 3
    assert 0 <= summary["precision_at_3"] <= 1 and summary["recall_at_3"] == 1.0
