import numpy as np
import pandas as pd

from thematic.suggest import CodeSuggester, cross_validate, suggestion_inputs

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
        features = model._features(suggestion_inputs(TEXTS))
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


def test_cluster_bootstrap_interval_widens_when_errors_cluster_in_interviews():
    from thematic.suggest import reliability_by_code

    interviews = [f"i{g}" for g in range(10) for _ in range(10)]
    truth = np.tile([1] * 5 + [0] * 5, 10)
    spread = truth.copy()  # every interview: one positive missed, one negative suggested
    for g in range(10):
        spread[g * 10 + 4], spread[g * 10 + 5] = 0, 1
    clustered = truth.copy()  # the same errors, all in two interviews
    clustered[80:100] = 1 - clustered[80:100]
    Y = pd.DataFrame({"code": truth})
    even = reliability_by_code(Y, spread[:, None], interviews, n_boot=500, seed=1).iloc[0]
    lumpy = reliability_by_code(Y, clustered[:, None], interviews, n_boot=500, seed=1).iloc[0]
    assert even["f1"] == lumpy["f1"] == 0.8 and even["kappa_model_vs_coder"] == 0.6
    assert lumpy["f1_high"] - lumpy["f1_low"] > 3 * (even["f1_high"] - even["f1_low"])
    assert lumpy["f1_low"] < 0.7 < even["f1_low"] and even["interviews"] == 10


def test_reliability_matches_sklearn_point_estimates_and_reports_the_second_coder():
    from sklearn.metrics import cohen_kappa_score, f1_score

    from thematic.suggest import reliability_by_code

    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, size=(60, 2))
    model = np.where(rng.random((60, 2)) < 0.8, truth, 1 - truth)
    other = np.where(rng.random((60, 2)) < 0.9, truth, 1 - truth)
    Y = pd.DataFrame(truth, columns=["a", "b"])
    table = reliability_by_code(Y, model, [f"i{i % 6}" for i in range(60)],
                                Y_other=pd.DataFrame(other, columns=["a", "b"]), n_boot=200)
    for k, code in enumerate(["a", "b"]):
        row = table.set_index("code").loc[code]
        assert row["f1"] == round(f1_score(truth[:, k], model[:, k]), 3)
        assert row["kappa_model_vs_coder"] == round(cohen_kappa_score(truth[:, k], model[:, k]), 3)
        assert row["kappa_coder_vs_coder"] == round(cohen_kappa_score(truth[:, k], other[:, k]), 3)
        assert row["kappa_low"] <= row["kappa_model_vs_coder"] <= row["kappa_high"]
        assert row["coder_kappa_low"] <= row["kappa_coder_vs_coder"] <= row["coder_kappa_high"]


def test_flags_read_the_lower_bound_and_say_when_there_is_not_enough_data():
    from thematic.suggest import flag_unreliable

    per_code = pd.DataFrame({"code": ["sure", "lucky", "rare"], "support": [40, 40, 4], "interviews": [8, 8, 2],
                             "f1": [0.8, 0.6, 0.9], "f1_low": [0.65, 0.3, 0.5],
                             "kappa_model_vs_coder": [0.7, 0.55, 0.9], "kappa_low": [0.5, 0.2, 0.4]})
    flagged = flag_unreliable(per_code).set_index("code")
    assert flagged["verdict"].to_dict() == {"sure": "reliable", "lucky": "unreliable", "rare": "not enough data"}
    assert flagged.loc["lucky", "why"] == "F1 lower bound 0.30 < 0.5; kappa lower bound 0.20 < 0.4"
    assert "coded in 2 interviews (< 3)" in flagged.loc["rare", "why"]
    assert flagged["reliable"].tolist() == [True, False, False]


def test_paired_macro_f1_difference_has_a_cluster_interval():
    from thematic.suggest import macro_f1_difference, suggestion_metrics

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, size=(80, 3))
    good = np.where(rng.random((80, 3)) < 0.9, truth, 1 - truth)
    poor = np.where(rng.random((80, 3)) < 0.6, truth, 1 - truth)
    groups = [f"i{i % 8}" for i in range(80)]
    result = macro_f1_difference(truth, good, poor, groups, n_boot=300)
    expected = (suggestion_metrics(truth, good, good)["macro_f1"] - suggestion_metrics(truth, poor, poor)["macro_f1"])
    assert abs(result["difference"] - expected) < 1e-3
    assert 0 < result["low"] < result["difference"] < result["high"]
    same = macro_f1_difference(truth, good, good, groups, n_boot=100)
    assert same == {"difference": 0.0, "low": 0.0, "high": 0.0}


def test_the_question_block_separates_answers_whose_words_do_not():
    from thematic.suggest import CodeSuggester, suggestion_inputs

    answers = [f"yes it was fine really {i}" for i in range(40)]
    questions = ["How did the referral go?"] * 20 + ["What about the travelling?"] * 20
    inputs = pd.DataFrame({"text": answers, "question": questions, "group": ["referrer"] * 40})
    Yq = pd.DataFrame({"referral": [1] * 20 + [0] * 20, "travel": [0] * 20 + [1] * 20})
    new = pd.DataFrame({"text": ["yes it was fine"] * 2,
                        "question": ["And the referral itself?", "Was travelling a problem?"]})
    with_question = CodeSuggester(question_weight=0.5, group_weight=0.5, random_state=0).fit(inputs, Yq)
    assert with_question.blocks_ == ["words", "characters", "question"]  # one group: no group block
    assert with_question.predict_proba(new).argmax(axis=1).tolist() == [0, 1]
    text_only = CodeSuggester(random_state=0).fit(inputs, Yq)
    assert text_only.blocks_ == ["words", "characters"]
    assert text_only.predict_proba(new)[0].tolist() == text_only.predict_proba(new)[1].tolist()
    # plain texts still work: no question, no group, no position
    assert with_question.predict_proba(["yes it was fine"]).shape == (1, 2)
    framed = suggestion_inputs(pd.DataFrame({"text": ["a", None], "position": [0.5, "x"]}))
    assert framed["text"].tolist() == ["a", ""] and framed["question"].tolist() == ["", ""]
    assert framed["position"].iloc[0] == 0.5 and np.isnan(framed["position"].iloc[1])


def test_group_and_position_blocks_and_a_table_without_text():
    import pytest

    from thematic.errors import ParameterError
    from thematic.suggest import CodeSuggester

    inputs = pd.DataFrame({"text": TEXTS, "group": ["parent", "referrer"] * 18,
                           "position": np.linspace(0, 1, 36)})
    model = CodeSuggester(group_weight=0.5, position_weight=0.5, position_bins=4, random_state=0).fit(inputs, Y)
    assert model.blocks_ == ["words", "characters", "group", "position"]
    features = model.transform(inputs.iloc[:1].assign(group="commissioner", position=1.0))
    assert features.shape[1] == model.transform(inputs).shape[1]
    assert features[0, -4:].toarray().tolist() == [[0, 0, 0, 0.5]]  # the last bin, weighted
    assert features[0, -6:-4].toarray().tolist() == [[0, 0]]  # a group never seen: no signal
    with pytest.raises(ParameterError, match=r"\[E907\].*'text' column"):
        model.fit(pd.DataFrame({"words": TEXTS}), Y)


def test_blocks_stay_out_when_the_data_carry_nothing_for_them():
    from thematic.suggest import CodeSuggester

    bare = pd.DataFrame({"text": TEXTS, "question": [""] * 36, "group": [None] * 36,
                         "position": [np.nan] * 36})
    model = CodeSuggester(question_weight=0.5, group_weight=0.5, position_weight=0.5, random_state=0).fit(bare, Y)
    assert model.blocks_ == ["words", "characters"]
    plain = CodeSuggester(random_state=0).fit(TEXTS, Y)
    assert np.allclose(model.predict_proba(TEXTS), plain.predict_proba(TEXTS))


def test_a_sentence_encoder_is_shared_across_folds_not_copied():
    from thematic.embeddings import SentenceEncoder
    from thematic.suggest import out_of_fold

    class Model:  # stands in for a sentence-transformers model: counts what it encodes
        encoded = 0

        def encode(self, texts, **_):
            Model.encoded += len(texts)
            return np.array([[len(t), t.count("e") + 1.0] for t in texts])

        def get_embedding_dimension(self):
            return 2

    encoder = SentenceEncoder(Model(), name="fake")
    out_of_fold(CodeSuggester(embedding=encoder, random_state=0), TEXTS, Y, GROUPS, n_splits=3)
    assert Model.encoded == len(set(TEXTS))  # each text once, whatever the folds


def test_plain_int_vocabulary_scores_as_scikit_learns_own(tmp_path):
    """The fitted vectorizers keep ints as indices (faster to pickle): the same columns as the
    numpy integers scikit-learn leaves, so the same features and scores, also after a pickle."""
    import joblib
    from sklearn.base import clone

    model = CodeSuggester(random_state=0).fit(TEXTS, Y)
    for vectorizer in model.vectorizers_:
        assert all(type(index) is int for index in vectorizer.vocabulary_.values())
        plain = clone(vectorizer).fit(TEXTS)  # scikit-learn's own vocabulary on the same texts
        assert {k: int(v) for k, v in plain.vocabulary_.items()} == vectorizer.vocabulary_
        np.testing.assert_array_equal(plain.transform(TEXTS).toarray(), vectorizer.transform(TEXTS).toarray())
    joblib.dump(model, tmp_path / "model.pkl")
    np.testing.assert_array_equal(joblib.load(tmp_path / "model.pkl").predict_proba(TEXTS), model.predict_proba(TEXTS))
