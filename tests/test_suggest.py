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


def test_rare_code_is_bootstrapped_from_codebook_text_and_gets_the_pooled_threshold():
    from thematic.suggest import CodeSuggester

    Yr = Y.assign(parking=[0] * 36)
    Yr.loc[0, "parking"] = 1
    model = CodeSuggester(code_texts={"parking": ["parking car park fees at the clinic"]}, random_state=0)
    model.fit(TEXTS, Yr)
    assert model.bootstrapped_ == ["parking"]
    assert model.thresholds_[2] == model.pooled_threshold_
    scores = model.predict_proba(["the car park fees were steep"])[0]
    assert scores.argmax() == 2


def test_code_known_only_from_its_codebook_text_gets_the_shared_threshold():
    Yr = Y.assign(parking=[0] * 36)
    model = CodeSuggester(code_texts={"parking": ["parking car park fees at the clinic"]}, random_state=0)
    model.fit(TEXTS, Yr)
    assert model.bootstrapped_ == ["parking"] and model.thresholds_[2] == model.pooled_threshold_


def test_scores_are_calibrated_probabilities_that_keep_each_codes_order():
    import pytest

    from thematic.errors import ParameterError

    for head in ("svm", "logistic"):
        model = CodeSuggester(head=head, random_state=0).fit(TEXTS, Y)
        features = model._features(TEXTS)
        decisions = model._decisions(features, model.heads_)
        scores = model.predict_proba(TEXTS)
        assert ((0 <= scores) & (scores <= 1)).all()
        assert (model.calibration_[:, 0] > 0).all()  # a larger decision value, a larger score
        for k in range(2):
            order = np.argsort(decisions[:, k], kind="stable")
            assert np.all(np.diff(scores[order, k]) >= -1e-12)
        # a clear positive scores high, a clear negative low
        assert scores[0, 0] > 0.5 > scores[30, 0]
    with pytest.raises(ParameterError, match="Unknown head 'forest'"):
        CodeSuggester(head="forest").fit(TEXTS, Y)


def test_suggestions_carry_nearest_human_coded_exemplars():
    indexed = Y.set_axis([f"seg{i:02d}" for i in range(36)])
    model = CodeSuggester(random_state=0).fit(TEXTS, indexed)
    row = model.suggest(["video calls saved a long drive today 5"], top_k=1, exemplars=2).iloc[0]
    assert row["exemplars"].split("; ")[0] == "seg17" and len(row["exemplars"].split("; ")) == 2
    assert len(model.fingerprint()) == 12


def test_mismatched_lengths_are_a_clear_error():
    import pytest

    from thematic.errors import ParameterError

    with pytest.raises(ParameterError, match="got 2 texts but 36 rows"):
        CodeSuggester().fit(TEXTS[:2], Y)


def test_metrics_kappa_flags_and_learning_curve():
    from thematic.suggest import flag_unreliable, kappa_by_code, learning_curve, suggestion_metrics

    truth = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.7], [0.1, 0.1]])
    summary = suggestion_metrics(truth, scores, (scores >= 0.5).astype(int), top_k=1)
    assert summary["micro_f1"] == 1.0 and summary["precision_at_1"] == 1.0
    assert summary["recall_at_1"] == round((1 + 1 + 0.5) / 3, 4)
    frame = pd.DataFrame(truth, columns=["a", "b"])
    kappas = kappa_by_code(truth, frame, frame.assign(b=[0, 0, 0, 0]))
    assert kappas["kappa_model_vs_coder"].tolist() == [1.0, 1.0]
    assert kappas["kappa_coder_vs_coder"].tolist()[1] == 0.0
    per_code = pd.DataFrame({"code": ["a", "b"], "f1": [0.9, 0.9], "support": [10, 2],
                             "kappa_model_vs_coder": [0.2, 0.9]})
    flagged = flag_unreliable(per_code)
    assert flagged["reliable"].tolist() == [False, False]
    assert "kappa 0.20" in flagged.loc[0, "why"] and "only 2 coded" in flagged.loc[1, "why"]
    curve = learning_curve(CodeSuggester(char_ngrams=None), TEXTS, Y, GROUPS, sizes=(12, 1000), n_splits=3)
    assert curve["trained_on"].tolist() == [12, 24] and curve["capped"].tolist() == [False, True]
