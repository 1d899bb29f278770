"""The suggester's fits in worker processes give the figures the one-process loops gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from thematic import suggest
from thematic import suggestion_review as review
from thematic.suggest import CodeSuggester, suggestion_inputs, suggestion_metrics


def hand_made(seed: int = 0, n: int = 90):
    """Segments of three topics with noise words, three codes (one rare), nine interviews."""
    rng = np.random.default_rng(seed)
    topics = [["notes", "system", "records", "share"], ["video", "calls", "drive", "remote"],
              ["weather", "dog", "garden", "rain"]]
    noise = ["the", "we", "often", "said", "team", "week", "very", "then"]
    texts, rows = [], []
    for i in range(n):
        topic = int(rng.integers(3))
        stray = topics[int(rng.integers(3))]
        words = [*rng.choice(topics[topic], 3), *rng.choice(noise, 4), *rng.choice(stray, 1)]
        texts.append(" ".join(rng.permutation(words)))
        rows.append([int(topic == 0), int(topic == 1), int(topic == 1 and rng.random() < 0.15)])
    Y = pd.DataFrame(rows, columns=["records", "remote", "rare"], index=[f"s{i}" for i in range(n)])
    groups = [f"int{i % 9}" for i in range(n)]
    units = pd.DataFrame({"segment_id": Y.index, "interview_id": groups, "text": texts,
                          "group": ["a" if i % 2 else "b" for i in range(n)]})
    return units, Y, groups


def reference_out_of_fold(estimator, X, Y, groups, *, n_splits=5):
    """The loop :func:`thematic.suggest.out_of_fold` ran before (issue 17)."""
    inputs = suggestion_inputs(X)
    Y_true = Y.to_numpy(dtype=int)
    predicted = np.zeros_like(Y_true)
    scores = np.zeros(Y_true.shape, dtype=float)
    for train, test in GroupKFold(n_splits=min(n_splits, len(set(groups)))).split(inputs, Y_true, list(groups)):
        model = clone(estimator).fit(inputs.iloc[train], Y.iloc[train])
        scores[test] = model.predict_proba(inputs.iloc[test])
        predicted[test] = (scores[test] >= model.thresholds_).astype(int)
    return scores, predicted


def reference_learning_curve(estimator, X, Y, groups, *, sizes, n_splits=5, seed=0):
    """The loop :func:`thematic.suggest.learning_curve` ran before (issue 17)."""
    inputs = suggestion_inputs(X)
    Y_true = Y.to_numpy(dtype=int)
    groups = list(groups)
    folds = list(GroupKFold(n_splits=min(n_splits, len(set(groups)))).split(inputs, Y_true, groups))
    largest = max(len(train) for train, _ in folds)
    rows, done = [], {}
    for size in sizes:
        effective = min(size, largest)
        if effective not in done:
            rng = np.random.default_rng(seed)
            scores = np.zeros(Y_true.shape)
            predicted = np.zeros_like(Y_true)
            used = []
            for train, test in folds:
                chosen = np.sort(rng.permutation(train)[:size])
                used.append(len(chosen))
                model = clone(estimator).fit(inputs.iloc[chosen], Y.iloc[chosen])
                scores[test] = model.predict_proba(inputs.iloc[test])
                predicted[test] = (scores[test] >= model.thresholds_).astype(int)
            done[effective] = {"trained_on": round(float(np.mean(used)), 1)} | suggestion_metrics(
                Y_true, scores, predicted)
        rows.append({"requested": size, "capped": bool(done[effective]["trained_on"] < size)} | done[effective])
    return pd.DataFrame(rows)


def reference_unseen(model, taught, Y, todo, *, top_k=3, n_splits=5):
    """The loop :func:`thematic.suggestion_review.unseen_suggestions` ran before (issue 17)."""
    seen = todo["interview_id"].isin(set(taught["interview_id"])).to_numpy()
    parts = []
    if (~seen).any():
        parts.append((todo[~seen], model))
    interviews = sorted(set(todo.loc[seen, "interview_id"]))
    if interviews:
        held = np.array(interviews)
        for _, test in GroupKFold(n_splits=min(n_splits, len(interviews))).split(held, groups=held):
            out = set(held[test])
            keep = ~taught["interview_id"].isin(out).to_numpy()
            parts.append((todo[todo["interview_id"].isin(out)], clone(model).fit(taught[keep], Y[keep])))
    tables = []
    for rows, fitted in parts:
        rows = rows.reset_index(drop=True)
        table = fitted.suggest(rows, top_k=top_k)
        table.insert(0, "segment_id", rows["segment_id"].to_numpy()[table.pop("item").to_numpy()])
        tables.append(table)
    order = {segment: i for i, segment in enumerate(todo["segment_id"])}
    return pd.concat(tables, ignore_index=True).sort_values(
        ["segment_id", "rank"], key=lambda c: c.map(order) if c.name == "segment_id" else c,
        kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_out_of_fold_in_workers_equals_the_loop(seed):
    units, Y, groups = hand_made(seed)
    model = CodeSuggester(code_texts={"rare": ["remote video drive far"]}, random_state=seed)
    old = reference_out_of_fold(model, units, Y, groups, n_splits=4)
    for n_jobs in (1, 2):
        new = suggest.out_of_fold.uncached(model, units, Y, groups, n_splits=4, n_jobs=n_jobs)
        np.testing.assert_array_equal(new[0], old[0])
        np.testing.assert_array_equal(new[1], old[1])


def test_learning_curve_in_workers_equals_the_loop():
    units, Y, groups = hand_made(3)
    model = CodeSuggester(random_state=5)
    sizes = [20, 40, 500, 1000]  # the last two are capped to one run
    old = reference_learning_curve(model, units, Y, groups, sizes=sizes, n_splits=3, seed=11)
    for n_jobs in (1, 2):
        new = suggest.learning_curve.uncached(model, units, Y, groups, sizes=sizes, n_splits=3, seed=11,
                                              n_jobs=n_jobs)
        pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_unseen_suggestions_in_workers_equal_the_loop():
    units, Y, groups = hand_made(4)
    taught, todo = units.iloc[:70], units.iloc[50:]  # todo: some interviews seen, some rows not taught
    model = CodeSuggester(random_state=2).fit(taught, Y.iloc[:70])
    old = reference_unseen(model, taught.reset_index(drop=True), Y.iloc[:70].reset_index(drop=True), todo)
    for n_jobs in (1, 2):
        new = review.unseen_suggestions(model, taught.reset_index(drop=True), Y.iloc[:70].reset_index(drop=True),
                                        todo, n_jobs=n_jobs)
        pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_n_jobs_is_not_part_of_the_cache_key(tmp_path, monkeypatch):
    from thematic.cache import CACHE_ENV, recording

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units, Y, groups = hand_made(0, n=45)
    model = CodeSuggester(random_state=0)
    with recording() as calls:
        first = suggest.out_of_fold(model, units, Y, groups, n_splits=3, n_jobs=2)
        again = suggest.out_of_fold(model, units, Y, groups, n_splits=3, n_jobs=1)
    assert [event.hit for event in calls] == [False, True]
    np.testing.assert_array_equal(first[0], again[0])


def test_suggestions_and_the_next_list_share_one_fit(tmp_path, monkeypatch):
    """The suggestions for review and the next list learn from the same segments: one fit."""
    from thematic.bench.synthetic import generate_study
    from thematic.cache import CACHE_ENV, computed, recording
    from thematic.dataset import load_dataset

    generate_study(tmp_path / "study", n_interviews=4, seed=2)
    coding = sorted((tmp_path / "study" / "codings").glob("*.csv"))[0]
    frame = pd.read_csv(coding, dtype=str, keep_default_na=False)
    frame[frame["interview_id"] != sorted(frame["interview_id"].unique())[0]].to_csv(coding, index=False)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    dataset = load_dataset(tmp_path / "study")
    coder = coding.stem  # one interview left uncoded by this coder: the next list has a pool
    with recording() as events:
        review.build_suggestions(dataset, learn_from=coder, reviewer=coder, seed=1)
        review.build_next(dataset, coder=coder, n=5, seed=1)
    assert computed(events)["thematic.suggestion_review.fitted_suggester"] == 1
    assert [e.hit for e in events if e.function.endswith("fitted_suggester")] == [False, True]


def test_fits_with_a_sentence_encoder_stay_in_this_process():
    """Workers would each encode every text again: the encoder's folds run here, sharing it."""
    from thematic.embeddings import SentenceEncoder

    class Model:
        encoded = 0

        def encode(self, texts, **_):
            Model.encoded += len(texts)
            return np.array([[len(t), t.count("e") + 1.0] for t in texts])

        def get_embedding_dimension(self):
            return 2

    units, Y, groups = hand_made(2, n=45)
    model = CodeSuggester(embedding=SentenceEncoder(Model(), name="fake"), random_state=0)
    suggest.out_of_fold.uncached(model, units, Y, groups, n_splits=3, n_jobs=2)
    assert Model.encoded == units["text"].nunique()  # encoded here, once each


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_suggestions_with_their_fit_in_the_pool_equal_fit_then_refits(n_jobs, tmp_path, monkeypatch):
    from thematic.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units, Y, _ = hand_made(6)
    taught, todo = units.iloc[:70], pd.concat([units.iloc[60:], units.iloc[:3].assign(interview_id="new")])
    model = CodeSuggester(random_state=4)
    fitted = clone(model).fit(taught, Y.iloc[:70])
    old = reference_unseen(fitted, taught.reset_index(drop=True), Y.iloc[:70], todo)  # exemplars by segment id
    old = old[old["above_threshold"]].drop(columns="above_threshold")
    assert old["exemplars"].str.startswith("s").all()
    new, new_model = review._fitted_suggestions.uncached(taught, Y.iloc[:70], todo, model=model, top_k=3,
                                                         n_jobs=n_jobs)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    np.testing.assert_array_equal(new_model.predict_proba(units), fitted.predict_proba(units))
    assert new_model.exemplar_ids_ == fitted.exemplar_ids_
    found, stored = review.fitted_suggester.peek(model, taught, Y.iloc[:70])  # the next list reuses it
    assert found and np.array_equal(stored.predict_proba(units), fitted.predict_proba(units))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_evaluate_in_one_pool_equals_cross_validation_and_learning_curve_loops(n_jobs, tmp_path, monkeypatch):
    """Cross-validation and the learning curve fitted in one batch: the figures of the two loops."""
    from thematic.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units, Y, groups = hand_made(7)
    model = CodeSuggester(code_texts={"rare": ["remote video drive far"]}, random_state=3)
    sizes = [20, 40, 500, 1000]
    (scores, predicted), curve = suggest.evaluate(model, units, Y, groups, n_splits=4, sizes=sizes, seed=9,
                                                  n_jobs=n_jobs)
    old_scores, old_predicted = reference_out_of_fold(model, units, Y, groups, n_splits=4)
    np.testing.assert_array_equal(scores, old_scores)
    np.testing.assert_array_equal(predicted, old_predicted)
    pd.testing.assert_frame_equal(curve, reference_learning_curve(model, units, Y, groups, sizes=sizes, n_splits=4,
                                                                  seed=9), check_exact=True)


def test_evaluate_fills_and_reads_the_caches_of_both(tmp_path, monkeypatch):
    from thematic.cache import CACHE_ENV, recording

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    units, Y, groups = hand_made(8, n=45)
    model = CodeSuggester(random_state=1)
    with recording() as calls:
        (scores, _), curve = suggest.evaluate(model, units, Y, groups, n_splits=3, sizes=[10, 20], seed=2, n_jobs=2)
        again = suggest.out_of_fold(model, units, Y, groups, n_splits=3, n_jobs=1)
        curve_again = suggest.learning_curve(model, units, Y, groups, sizes=[10, 20], n_splits=3, seed=2)
    assert [(event.function.rsplit(".", 1)[1], event.hit) for event in calls] == [
        ("out_of_fold", False), ("learning_curve", False), ("out_of_fold", True), ("learning_curve", True)]
    np.testing.assert_array_equal(again[0], scores)
    pd.testing.assert_frame_equal(curve_again, curve)
    with recording() as calls:  # one of the two missing: only its fits are made
        suggest.evaluate(model, units, Y, groups, n_splits=3, sizes=[10, 30], seed=2, n_jobs=1)
    assert [(event.function.rsplit(".", 1)[1], event.hit) for event in calls] == [
        ("out_of_fold", True), ("learning_curve", False)]
