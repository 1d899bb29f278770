"""NLP-assisted coding (Braun & Clarke phase 2): suggest codebook codes for segments, and
measure honestly how often the suggestions agree with a human coder.

:class:`CodeSuggester` is a scikit-learn estimator over lists of texts and a 0/1 code matrix.
Features are word and character n-gram TF-IDF (the default, needing nothing beyond
scikit-learn) and, optionally, sentence embeddings (:mod:`thematic.embeddings`, the
``[embed]`` extra). One class-balanced linear SVM per code scores each text. An inner
cross-validation on the training data only gives out-of-fold decision values, from which each
code's score is calibrated to a probability (Platt scaling) and its threshold chosen. Codes with few
coded examples are bootstrapped from their codebook text (definition, inclusion note,
examples). Each suggestion carries its evidence: the terms that drove the score and the
nearest human-coded exemplars.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter

#: Candidate decision thresholds for each code (a score at or above it is suggested).
THRESHOLD_GRID = np.round(np.concatenate([np.arange(0.02, 0.1, 0.02), np.arange(0.1, 0.96, 0.05)]), 2)
#: Version of the suggestion method, recorded in every accepted suggestion's provenance.
METHOD_VERSION = "3"
#: Per-code linear models the suggester can use.
HEADS = ("svm", "logistic")


class CodeSuggester(BaseEstimator):
    """Suggest codes for texts: TF-IDF (+ optional sentence embeddings) and one linear model
    per code, with calibrated scores and per-code thresholds chosen on training data only.

    Parameters
    ----------
    head : {"svm", "logistic"}
        Each code's model: a class-balanced linear SVM (the default: better and faster on
        the NHS benchmark) or a class-balanced logistic regression.
    C : float
        Inverse regularisation strength of each code's model.
    word_ngrams : tuple
        Word n-gram range of the word TF-IDF.
    char_ngrams : tuple or None
        Character n-gram range (within word boundaries) of a second TF-IDF; None disables it.
    char_features : int
        Most frequent character n-grams kept (those in at least 3 texts).
    embedding : None, str or object
        None (TF-IDF only), ``"minilm"`` (the bundled all-MiniLM-L6-v2, needs the ``[embed]``
        extra) or an object with ``encode(texts) -> ndarray`` and a ``name``.
    embedding_weight : float
        Scale of the (unit-length) embedding block next to the unit-length TF-IDF blocks.
    code_texts : mapping or None
        Code -> codebook texts (definition, inclusion note, examples) used as extra positive
        examples for codes with fewer than *bootstrap_below* coded examples.
    bootstrap_below : int
        Codes with fewer coded training examples than this are bootstrapped from *code_texts*.
    threshold_folds : int
        Folds of the inner cross-validation whose out-of-fold scores calibrate each code and
        pick its threshold.
    own_threshold_from : int
        Codes with at least this many coded examples get their own calibration and
        threshold; rarer codes share the calibration fitted on all codes and the threshold
        that maximises their mean F1.
    random_state : int
        Seed of the inner cross-validation split.
    """

    def __init__(self, *, head: str = "svm", C: float = 0.5, word_ngrams: tuple[int, int] = (1, 2),
                 char_ngrams: tuple[int, int] | None = (3, 5), char_features: int = 20_000, embedding=None,
                 embedding_weight: float = 1.0, code_texts: Mapping[str, Sequence[str]] | None = None,
                 bootstrap_below: int = 5, threshold_folds: int = 3, own_threshold_from: int = 10,
                 random_state: int = 0):
        self.head = head
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.char_features = char_features
        self.embedding = embedding
        self.embedding_weight = embedding_weight
        self.code_texts = code_texts
        self.bootstrap_below = bootstrap_below
        self.threshold_folds = threshold_folds
        self.own_threshold_from = own_threshold_from
        self.random_state = random_state

    # -- features -------------------------------------------------------------------------
    def _encoder(self):
        if self.embedding is None or not isinstance(self.embedding, str):
            return self.embedding
        from thematic.embeddings import load_encoder

        return load_encoder(self.embedding)

    def _new_vectorizers(self) -> list[TfidfVectorizer]:
        vectorizers = [TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(self.word_ngrams),
                                       strip_accents="unicode")]
        if self.char_ngrams:
            vectorizers.append(TfidfVectorizer(sublinear_tf=True, analyzer="char_wb",
                                               ngram_range=tuple(self.char_ngrams), min_df=3,
                                               max_features=self.char_features, strip_accents="unicode"))
        return vectorizers

    def _features(self, texts: list[str], *, fit: bool = False) -> sparse.csr_matrix:
        if fit:
            self.vectorizers_ = self._new_vectorizers()
            self.encoder_ = self._encoder()
        blocks = []
        for vectorizer in self.vectorizers_:
            matrix = vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts)
            blocks.append(normalize(matrix))
        if self.encoder_ is not None:
            embedded = normalize(np.asarray(self.encoder_.encode(texts), dtype=float))
            blocks.append(sparse.csr_matrix(embedded * self.embedding_weight))
        return sparse.hstack(blocks, format="csr")

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], Y: pd.DataFrame | np.ndarray) -> CodeSuggester:
        """Learn from *texts* and their 0/1 code matrix *Y* (segments x codes).

        With a DataFrame, its columns name the codes and its index identifies the exemplars
        shown as evidence.
        """
        texts = [str(t) for t in texts]
        if isinstance(Y, pd.DataFrame):
            self.codes_, exemplar_ids = list(Y.columns), [str(i) for i in Y.index]
        else:
            self.codes_, exemplar_ids = list(range(np.shape(Y)[1])), [str(i) for i in range(len(texts))]
        Y = np.asarray(Y, dtype=int)
        if len(texts) != len(Y):
            raise ParameterError(Errors.E900.format(texts=len(texts), rows=len(Y)))
        if self.head not in HEADS:
            raise ParameterError(Errors.E906.format(head=self.head, known=list(HEADS)))
        with threadpool_limits(limits=1):  # many small fits: BLAS threads only contend
            return self._fit(texts, Y, exemplar_ids)

    def _fit(self, texts: list[str], Y: np.ndarray, exemplar_ids: list[str]) -> CodeSuggester:
        extra_texts, extra_Y = self._bootstrap_examples(Y)
        self.bootstrapped_ = sorted({self.codes_[k] for k in np.flatnonzero(extra_Y.sum(axis=0))},
                                    key=str) if len(extra_Y) else []
        all_texts = texts + extra_texts
        all_Y = np.vstack([Y, extra_Y]) if len(extra_Y) else Y
        X = self._features(all_texts, fit=True)
        self.heads_ = self._fit_heads(X, all_Y)
        self.thresholds_ = self._choose_thresholds(X, all_Y, n_coded=len(texts))
        # Evidence: the human-coded exemplars (not the codebook texts) and their features.
        self.exemplar_X_ = X[: len(texts)]
        self.exemplar_Y_ = Y
        self.exemplar_ids_ = exemplar_ids
        self.exemplar_texts_ = texts
        self.support_ = Y.sum(axis=0)
        return self

    def _bootstrap_examples(self, Y: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Codebook texts as extra positive examples for codes with few coded examples."""
        texts, rows = [], []
        if not self.code_texts:
            return texts, np.zeros((0, Y.shape[1]), dtype=int)
        for k, code in enumerate(self.codes_):
            if Y[:, k].sum() >= self.bootstrap_below:
                continue
            for text in self.code_texts.get(code, ()):
                if str(text).strip():
                    row = np.zeros(Y.shape[1], dtype=int)
                    row[k] = 1
                    texts.append(str(text))
                    rows.append(row)
        return texts, (np.array(rows) if rows else np.zeros((0, Y.shape[1]), dtype=int))

    def _new_head(self) -> LinearSVC | LogisticRegression:
        if self.head == "logistic":
            return LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)
        # tol 1e-2: on the NHS benchmark the same figures to 4 decimals as the default 1e-4,
        # at a third of the fitting time.
        return LinearSVC(C=self.C, class_weight="balanced", tol=1e-2, random_state=self.random_state)

    def _fit_heads(self, X, Y: np.ndarray) -> list[LinearSVC | LogisticRegression | None]:
        heads = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for k in range(Y.shape[1]):
                positives = int(Y[:, k].sum())
                heads.append(None if positives in (0, len(Y)) else clone(self._new_head()).fit(X, Y[:, k]))
        return heads

    @staticmethod
    def _decisions(X, heads) -> np.ndarray:
        """Raw decision values (signed distance to each code's boundary); NaN without a head."""
        decisions = np.full((X.shape[0], len(heads)), np.nan)
        for k, head in enumerate(heads):
            if head is not None:
                decisions[:, k] = head.decision_function(X)
        return decisions

    def _scores(self, X, heads) -> np.ndarray:
        """Calibrated scores in [0, 1]; 0 for a code without a model."""
        return _calibrate(self._decisions(X, heads), self.calibration_)

    def _choose_thresholds(self, X, Y: np.ndarray, *, n_coded: int) -> np.ndarray:
        """Calibrate each code on out-of-fold decision values of the coded rows, then pick the
        grid threshold maximising F1 of the calibrated out-of-fold scores.

        A code with fewer than *own_threshold_from* coded examples (its own curve and
        threshold would rest on too few cases) gets the calibration fitted on all codes
        pooled and the threshold that maximises the mean F1 of those rare codes; so does a
        code learnt only from its codebook texts. Codebook texts stay in every training fold
        and are never scored. A code without any model keeps 0.5 (its score is always 0).
        """
        thresholds = np.full(Y.shape[1], 0.5)
        self.calibration_ = np.tile([1.0, 0.0], (Y.shape[1], 1))
        folds = min(self.threshold_folds, n_coded)
        if folds < 2:
            return thresholds
        coded = np.arange(n_coded)
        extra = np.arange(n_coded, len(Y))
        decisions = np.full((n_coded, Y.shape[1]), np.nan)
        for train, test in KFold(folds, shuffle=True, random_state=self.random_state).split(coded):
            rows = np.concatenate([train, extra])
            decisions[test] = self._decisions(X[test], self._fit_heads(X[rows], Y[rows]))
        truth = Y[:n_coded]
        self.calibration_ = _fit_calibration(decisions, truth, own_from=self.own_threshold_from)
        scores = _calibrate(decisions, self.calibration_)
        positives = truth.sum(axis=0)
        # Codes too rare for their own threshold share one, chosen to maximise their mean F1
        # (the quantity macro-F1 averages), not F1 pooled over all codes, which the common
        # codes dominate.
        rare = [k for k in range(Y.shape[1])
                if 0 < positives[k] < self.own_threshold_from]
        if rare:
            shared = [np.mean([_f1(truth[:, k], scores[:, k] >= t) for k in rare]) for t in THRESHOLD_GRID]
        else:
            shared = [_f1(truth.ravel(), (scores >= t).ravel()) for t in THRESHOLD_GRID]
        self.pooled_threshold_ = float(THRESHOLD_GRID[int(np.argmax(shared))])
        for k in range(Y.shape[1]):
            if positives[k] < self.own_threshold_from:
                # also codes known only from their codebook texts (no coded example)
                if positives[k] > 0 or self.heads_[k] is not None:
                    thresholds[k] = self.pooled_threshold_
                continue
            f1 = [_f1(truth[:, k], scores[:, k] >= t) for t in THRESHOLD_GRID]
            thresholds[k] = THRESHOLD_GRID[int(np.argmax(f1))]
        return thresholds

    # -- predicting -------------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Score of every code for every text (segments x codes)."""
        with threadpool_limits(limits=1):
            return self._scores(self._features([str(t) for t in texts]), self.heads_)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """0/1 suggestions: a code's score at or above its threshold."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    def suggest(self, texts: Sequence[str], *, top_k: int = 3, evidence_terms: int = 5,
                exemplars: int = 2) -> pd.DataFrame:
        """The *top_k* codes per text ranked by score, each with its evidence.

        Columns: item (position in *texts*), rank, code, score, threshold, above_threshold,
        evidence (the words whose weights raised the score most), exemplars (ids of the
        nearest human-coded segments carrying the code).
        """
        texts = [str(t) for t in texts]
        X = self._features(texts)
        scores = self._scores(X, self.heads_)
        vocabulary = self.vectorizers_[0].get_feature_names_out()
        n_words = len(vocabulary)
        similarity = (X @ self.exemplar_X_.T).toarray() if exemplars else None
        rows = []
        for i in range(len(texts)):
            for rank, k in enumerate(np.argsort(-scores[i], kind="stable")[:top_k], start=1):
                rows.append({"item": i, "rank": rank, "code": self.codes_[k],
                             "score": round(float(scores[i, k]), 4),
                             "threshold": float(self.thresholds_[k]),
                             "above_threshold": bool(scores[i, k] >= self.thresholds_[k]),
                             "evidence": ", ".join(self._top_terms(X[i], k, vocabulary, n_words,
                                                                   evidence_terms)),
                             "exemplars": "; ".join(self._nearest(similarity, i, k, exemplars))})
        return pd.DataFrame(rows, columns=["item", "rank", "code", "score", "threshold",
                                           "above_threshold", "evidence", "exemplars"])

    def _top_terms(self, row, k: int, vocabulary, n_words: int, n: int) -> list[str]:
        head = self.heads_[k]
        if head is None or n == 0:
            return []
        words = row[:, :n_words]
        weights = words.multiply(head.coef_[:, :n_words]).toarray().ravel()
        order = np.argsort(-weights, kind="stable")[:n]
        return [vocabulary[j] for j in order if weights[j] > 0]

    def _nearest(self, similarity, i: int, k: int, n: int) -> list[str]:
        if similarity is None:
            return []
        carriers = np.flatnonzero(self.exemplar_Y_[:, k])
        if len(carriers) == 0:
            return []
        order = carriers[np.argsort(-similarity[i, carriers], kind="stable")[:n]]
        return [self.exemplar_ids_[j] for j in order]

    def fingerprint(self) -> str:
        """A short hash of the method version, parameters and training data: what produced
        a suggestion, recorded in the provenance of accepted ones."""
        params = {k: (v if not hasattr(v, "name") else v.name) for k, v in self.get_params().items()
                  if k != "code_texts"}
        digest = hashlib.sha256(json.dumps({"version": METHOD_VERSION, "params": params,
                                            "codes": [str(c) for c in self.codes_],
                                            "code_texts": _jsonable(self.code_texts)},
                                           sort_keys=True, default=str).encode())
        for text, row in zip(self.exemplar_texts_, self.exemplar_Y_, strict=True):
            digest.update(text.encode())
            digest.update(row.tobytes())
        return digest.hexdigest()[:12]


def _fit_calibration(decisions: np.ndarray, truth: np.ndarray, *, own_from: int) -> np.ndarray:
    """Platt scaling: per code, (a, b) with P(code) = 1 / (1 + exp(-(a * decision + b))),
    fitted on out-of-fold decision values. Codes with fewer than *own_from* positives share
    the pair fitted on all codes' values pooled, as does a code whose own fit would reverse
    its ranking (a slope not above 0, from noise in few cases). This is scikit-learn's
    sigmoid calibration, fitted on decision values the inner cross-validation already has
    rather than on new fits."""
    def platt(d: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        model = LogisticRegression(C=100.0).fit(d.reshape(-1, 1), y)
        return float(model.coef_[0, 0]), float(model.intercept_[0])

    known = ~np.isnan(decisions)
    pooled = (platt(decisions[known], truth[known]) if len(set(truth[known].tolist())) == 2
              else (1.0, 0.0))
    calibration = np.tile(pooled, (truth.shape[1], 1))
    for k in range(truth.shape[1]):
        rows = known[:, k]
        positives = int(truth[rows, k].sum())
        if positives >= own_from and positives < rows.sum():
            slope, intercept = platt(decisions[rows, k], truth[rows, k])
            if slope > 0:
                calibration[k] = slope, intercept
    return calibration


def _calibrate(decisions: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Calibrated scores; 0 where a code has no model (NaN decision)."""
    return np.nan_to_num(expit(decisions * calibration[:, 0] + calibration[:, 1]), nan=0.0)


def _jsonable(mapping) -> dict:
    return {str(k): list(v) for k, v in (mapping or {}).items()}


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth.astype(bool) & predicted.astype(bool)).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def codebook_texts(codebook) -> dict[str, list[str]]:
    """Code id -> its label, definition, inclusion note and examples (for bootstrapping)."""
    return {code.id: [t for t in (code.label, code.definition, code.include, *code.examples) if t]
            for theme in codebook.themes for code in theme.codes}


# -- measuring ------------------------------------------------------------------------------
def suggestion_metrics(Y_true: np.ndarray, scores: np.ndarray, predicted: np.ndarray, *,
                       top_k: int = 3) -> dict[str, float]:
    """Micro and macro precision/recall/F1 and precision/recall at *top_k*.

    Macro averages run over the codes present in *Y_true* (a code nobody applied has no
    recall to measure). P@k and R@k run over the rows with at least one code.
    """
    Y_true = np.asarray(Y_true, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    present = np.flatnonzero(Y_true.sum(axis=0) > 0)
    summary: dict[str, float] = {}
    for average in ("micro", "macro"):
        labels = present if average == "macro" else np.arange(Y_true.shape[1])
        if len(labels) == 0:
            p = r = f = 0.0
        else:
            p, r, f, _ = precision_recall_fscore_support(Y_true[:, labels], predicted[:, labels],
                                                         average=average, zero_division=0)
        summary |= {f"{average}_precision": p, f"{average}_recall": r, f"{average}_f1": f}
    has_codes = Y_true.sum(axis=1) > 0
    if has_codes.any():
        top = np.argsort(-scores, axis=1, kind="stable")[:, :top_k]
        hits = np.take_along_axis(Y_true, top, axis=1).sum(axis=1)[has_codes]
        summary[f"precision_at_{top_k}"] = hits.mean() / top_k
        summary[f"recall_at_{top_k}"] = (hits / Y_true.sum(axis=1)[has_codes]).mean()
    else:
        summary[f"precision_at_{top_k}"] = summary[f"recall_at_{top_k}"] = 0.0
    return {k: round(float(v), 4) for k, v in summary.items()}


def out_of_fold(estimator: CodeSuggester, texts: Sequence[str], Y: pd.DataFrame, groups: Sequence[str], *,
                n_splits: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Grouped cross-validated scores and 0/1 suggestions: no group (interview) has segments
    in both the training and the test part of a fold."""
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ParameterError(Errors.E901.format(groups=n_groups))
    Y_true = Y.to_numpy(dtype=int)
    predicted = np.zeros_like(Y_true)
    scores = np.zeros(Y_true.shape, dtype=float)
    texts = np.asarray([str(t) for t in texts], dtype=object)
    for train, test in GroupKFold(n_splits=min(n_splits, n_groups)).split(texts, Y_true, list(groups)):
        model = clone(estimator).fit(list(texts[train]), Y.iloc[train])
        scores[test] = model.predict_proba(list(texts[test]))
        predicted[test] = (scores[test] >= model.thresholds_).astype(int)
    return scores, predicted


def cross_validate(estimator: CodeSuggester, texts: Sequence[str], Y: pd.DataFrame, groups: Sequence[str], *,
                   n_splits: int = 5, top_k: int = 3) -> tuple[pd.DataFrame, dict[str, float]]:
    """Grouped cross-validation: no interview has segments in both train and test.

    Returns per-code precision, recall, F1 and support, and a summary with micro and macro
    averages and precision/recall at *top_k*.
    """
    scores, predicted = out_of_fold(estimator, texts, Y, groups, n_splits=n_splits)
    return per_code_metrics(Y, predicted), suggestion_metrics(Y.to_numpy(dtype=int), scores, predicted,
                                                              top_k=top_k) | {
        "segments": int(len(Y)), "folds": min(n_splits, len(set(groups)))}


def per_code_metrics(Y: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1, support and suggested count of every code."""
    precision, recall, f1, support = precision_recall_fscore_support(
        Y.to_numpy(dtype=int), predicted, average=None, zero_division=0)
    return pd.DataFrame({"code": list(Y.columns), "precision": precision.round(3),
                         "recall": recall.round(3), "f1": f1.round(3), "support": support,
                         "suggested": np.asarray(predicted).sum(axis=0)})


def kappa_by_code(Y_model: np.ndarray, Y_coder: pd.DataFrame, Y_other: pd.DataFrame | None) -> pd.DataFrame:
    """Cohen's kappa per code: model vs the reference coder, next to the second coder vs the
    reference coder on the same segments (NaN when a code is constant in both ratings)."""
    rows = []
    for k, code in enumerate(Y_coder.columns):
        truth = Y_coder[code].to_numpy(dtype=int)
        row = {"code": code, "kappa_model_vs_coder": _kappa(truth, np.asarray(Y_model)[:, k])}
        if Y_other is not None:
            row["kappa_coder_vs_coder"] = _kappa(truth, Y_other[code].to_numpy(dtype=int))
        rows.append(row)
    return pd.DataFrame(rows)


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    if len(set(a) | set(b)) < 2:
        return float("nan")
    return round(float(cohen_kappa_score(a, b)), 3)


def flag_unreliable(per_code: pd.DataFrame, *, min_support: int = 5, min_f1: float = 0.5,
                    min_kappa: float = 0.4) -> pd.DataFrame:
    """Add ``reliable`` and ``why`` columns by a declared rule.

    A code's suggestions are unreliable when it has fewer than *min_support* coded segments,
    or cross-validated F1 below *min_f1*, or (where given) model-vs-coder kappa below
    *min_kappa*.
    """
    reasons = []
    for _, row in per_code.iterrows():
        why = []
        if row["support"] < min_support:
            why.append(f"only {int(row['support'])} coded segments (< {min_support})")
        if row["f1"] < min_f1:
            why.append(f"F1 {row['f1']:.2f} < {min_f1}")
        kappa = row.get("kappa_model_vs_coder", np.nan)
        if pd.notna(kappa) and kappa < min_kappa:
            why.append(f"kappa {kappa:.2f} < {min_kappa}")
        reasons.append("; ".join(why))
    return per_code.assign(reliable=[not r for r in reasons], why=reasons)


def learning_curve(estimator: CodeSuggester, texts: Sequence[str], Y: pd.DataFrame, groups: Sequence[str], *,
                   sizes: Sequence[int] = (100, 300, 1000), n_splits: int = 5, seed: int = 0) -> pd.DataFrame:
    """Grouped CV scores when the model learns from only *n* coded segments per fold.

    Sizes above what a fold's training part holds are capped there; ``trained_on`` says how
    many segments the model actually learned from (mean over folds) and ``capped`` says so.
    """
    texts = np.asarray([str(t) for t in texts], dtype=object)
    Y_true = Y.to_numpy(dtype=int)
    groups = list(groups)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ParameterError(Errors.E901.format(groups=n_groups))
    folds = list(GroupKFold(n_splits=min(n_splits, n_groups)).split(texts, Y_true, groups))
    largest = max(len(train) for train, _ in folds)
    rows, done = [], {}
    for size in sizes:
        effective = min(size, largest)
        if effective not in done:  # sizes capped to the same number are one run, not several
            rng = np.random.default_rng(seed)
            scores = np.zeros(Y_true.shape)
            predicted = np.zeros_like(Y_true)
            used = []
            for train, test in folds:
                chosen = np.sort(rng.permutation(train)[:size])
                used.append(len(chosen))
                model = clone(estimator).fit(list(texts[chosen]), Y.iloc[chosen])
                scores[test] = model.predict_proba(list(texts[test]))
                predicted[test] = (scores[test] >= model.thresholds_).astype(int)
            done[effective] = {"trained_on": round(float(np.mean(used)), 1)} | suggestion_metrics(
                Y_true, scores, predicted)
        rows.append({"requested": size, "capped": bool(done[effective]["trained_on"] < size)} | done[effective])
    return pd.DataFrame(rows)


PARAMETERS = (
    Parameter("cv_folds", Annotated[int, Field(ge=2, le=100)],
              "the number of grouped cross-validation folds, 2 to 100"),
    Parameter("learning_sizes", Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=50)],
              "the numbers of coded segments the learning curve trains on, a list of 1 to 50 whole "
              "numbers of 1 or more"),
)
