"""NLP-assisted coding (Braun & Clarke phase 2): suggest codebook codes for segments, and
measure honestly how often the suggestions agree with a human coder."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier

THRESHOLD_GRID = np.round(np.linspace(0.05, 0.95, 19), 2)


class CodeSuggester(BaseEstimator):
    """TF-IDF + one-vs-rest logistic regression over segment texts, multi-label.

    Each code gets its own decision threshold, chosen to maximise F1 in a cross-validation
    on the training data only.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of each logistic regression.
    ngram_range : tuple
        Word n-grams used as features.
    min_df : int
        Ignore terms in fewer than this many training segments.
    threshold_folds : int
        Folds of the inner cross-validation that picks thresholds.
    random_state : int
        Seed for the inner cross-validation split.
    """

    def __init__(self, *, C: float = 4.0, ngram_range: tuple[int, int] = (1, 2), min_df: int = 1,
                 threshold_folds: int = 3, random_state: int = 0):
        self.C = C
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.threshold_folds = threshold_folds
        self.random_state = random_state

    def _pipeline_parts(self) -> tuple[TfidfVectorizer, OneVsRestClassifier]:
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(self.ngram_range),
                                     min_df=self.min_df, stop_words="english")
        model = OneVsRestClassifier(LogisticRegression(C=self.C, class_weight="balanced",
                                                       max_iter=2000))
        return vectorizer, model

    def fit(self, texts: list[str], Y: pd.DataFrame | np.ndarray) -> CodeSuggester:
        """Learn from *texts* and their 0/1 code matrix *Y* (segments x codes)."""
        self.codes_ = list(Y.columns) if isinstance(Y, pd.DataFrame) else list(range(Y.shape[1]))
        Y = np.asarray(Y, dtype=int)
        self.vectorizer_, self.model_ = self._pipeline_parts()
        X = self.vectorizer_.fit_transform(list(texts))
        self.model_.fit(X, Y)
        self.thresholds_ = self._choose_thresholds(X, Y)
        return self

    def _choose_thresholds(self, X, Y: np.ndarray) -> np.ndarray:
        folds = min(self.threshold_folds, len(Y))
        if folds < 2:
            return np.full(Y.shape[1], 0.5)
        splitter = KFold(folds, shuffle=True, random_state=self.random_state)
        _, model = self._pipeline_parts()
        scores = cross_val_predict(model, X, Y, cv=splitter, method="predict_proba")
        thresholds = np.full(Y.shape[1], 1.0)
        for k in range(Y.shape[1]):
            if Y[:, k].sum() == 0:
                continue
            f1 = [_f1(Y[:, k], scores[:, k] >= t) for t in THRESHOLD_GRID]
            thresholds[k] = THRESHOLD_GRID[int(np.argmax(f1))]
        return thresholds

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Score of every code for every text (segments x codes)."""
        return self.model_.predict_proba(self.vectorizer_.transform(list(texts)))

    def predict(self, texts: list[str]) -> np.ndarray:
        """0/1 suggestions: a code's score at or above its threshold."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    def suggest(self, texts: list[str], *, top_k: int = 3, evidence_terms: int = 5) -> pd.DataFrame:
        """The *top_k* codes per text, ranked by score, with the terms that drove each score."""
        X = self.vectorizer_.transform(list(texts))
        scores = self.model_.predict_proba(X)
        vocabulary = self.vectorizer_.get_feature_names_out()
        rows = []
        for i in range(len(scores)):
            for rank, k in enumerate(np.argsort(-scores[i], kind="stable")[:top_k], start=1):
                weights = X[i].multiply(self.model_.estimators_[k].coef_).toarray().ravel() \
                    if hasattr(self.model_.estimators_[k], "coef_") else np.zeros(X.shape[1])
                top = [vocabulary[j] for j in np.argsort(-weights)[:evidence_terms] if weights[j] > 0]
                rows.append({"item": i, "rank": rank, "code": self.codes_[k],
                             "score": round(float(scores[i, k]), 4),
                             "above_threshold": bool(scores[i, k] >= self.thresholds_[k]),
                             "evidence": ", ".join(top)})
        return pd.DataFrame(rows)


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth & predicted).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def cross_validate(estimator: CodeSuggester, texts: list[str], Y: pd.DataFrame, groups: list[str], *,
                   n_splits: int = 5, top_k: int = 3) -> tuple[pd.DataFrame, dict[str, float]]:
    """Grouped cross-validation: no interview has segments in both train and test.

    Returns per-code precision, recall, F1 and support, and a summary with micro and macro
    averages and precision/recall at *top_k*.
    """
    Y_true = Y.to_numpy(dtype=int)
    predicted = np.zeros_like(Y_true)
    scores = np.zeros(Y_true.shape, dtype=float)
    texts = np.asarray(list(texts), dtype=object)
    for train, test in GroupKFold(n_splits=n_splits).split(texts, Y_true, groups):
        model = clone(estimator).fit(list(texts[train]), Y.iloc[train])
        scores[test] = model.predict_proba(list(texts[test]))
        predicted[test] = (scores[test] >= model.thresholds_).astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, predicted, average=None, zero_division=0)
    per_code = pd.DataFrame({"code": Y.columns, "precision": precision.round(3),
                             "recall": recall.round(3), "f1": f1.round(3), "support": support})
    summary = {}
    for average in ("micro", "macro"):
        p, r, f, _ = precision_recall_fscore_support(Y_true, predicted, average=average, zero_division=0)
        summary |= {f"{average}_precision": p, f"{average}_recall": r, f"{average}_f1": f}
    top = np.argsort(-scores, axis=1, kind="stable")[:, :top_k]
    hits = np.take_along_axis(Y_true, top, axis=1).sum(axis=1)
    has_codes = Y_true.sum(axis=1) > 0
    summary[f"precision_at_{top_k}"] = float(hits[has_codes].mean() / top_k) if has_codes.any() else 0.0
    summary[f"recall_at_{top_k}"] = float((hits[has_codes] / Y_true.sum(axis=1)[has_codes]).mean()) \
        if has_codes.any() else 0.0
    summary = {k: round(float(v), 4) for k, v in summary.items()}
    return per_code, summary | {"segments": len(Y_true), "folds": n_splits}
