"""Code suggestions on real data: the NHS patient-feedback set (``thematic bench suggest``).

The data set and split
    ``../shared/datasets/nhs-patient-feedback/v6framework_230831.csv`` (or
    ``$THEMATIC_SHARED/datasets/...``): 7,908 Friends-and-Family-Test comments with a
    multi-label human coding. Text is the ``FFT answer`` column; codes are every column from
    ``Not assigned`` to the last one (50), as the data set's maintainers use them. Rows with an
    empty text or without any code are dropped, then codes nobody applied (4) are dropped.
    The split is the maintainers': ``train_test_split(texts, Y, test_size=0.2,
    random_state=42)`` (shuffled, not stratified). Training sizes: 300 comments (5 random
    subsets of the training part, seeds 0-4, the median of each figure reported), 1,000
    (seed 0) and the full training part. Every model is scored on the whole test part.

The models, measured in the same run
    ``baseline``: plain TF-IDF (scikit-learn defaults) + one-vs-rest logistic regression
    (defaults), each code's threshold chosen by 3-fold CV on the training data, as the
    suggester does. ``baseline-balanced``: the same with class-balanced weights, which ranks
    codes better (its R@3 is nearer the figures issue 9 quotes for the plain baseline); the
    suggester's gain is reported over the stronger of the two. ``suggester``: :class:`~thematic.suggest.CodeSuggester` with its
    defaults, the code names as codebook texts, and sentence embeddings when the ``[embed]``
    extra is installed; ``suggester-tfidf`` is the same without embeddings (the fallback).
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, train_test_split
from threadpoolctl import threadpool_limits

from thematic.bench import BenchResult, register
from thematic.io import project_root
from thematic.suggest import THRESHOLD_GRID, CodeSuggester, _f1, suggestion_metrics

NHS_FILE = Path("datasets") / "nhs-patient-feedback" / "v6framework_230831.csv"
TEXT_COLUMN = "FFT answer"
FIRST_CODE_COLUMN = "Not assigned"
SPLIT_SEED = 42
SUBSET_SEEDS = (0, 1, 2, 3, 4)

#: Issue 9's targets: size -> {figure: at least}.
TARGETS = {"300": {"macro_f1": 0.40, "recall_at_3": 0.85}, "1000": {"macro_f1": 0.48},
           "full": {"macro_f1": 0.60, "micro_f1": 0.76}}


def shared_dir() -> Path:
    """The shared folder beside the project (``$THEMATIC_SHARED`` overrides)."""
    return Path(os.environ.get("THEMATIC_SHARED") or project_root().parent / "shared")


def load_nhs(path: Path) -> tuple[list[str], pd.DataFrame]:
    """Texts and 0/1 code matrix of the NHS set, cleaned as the module docstring says."""
    raw = pd.read_csv(path, encoding="utf-8")
    raw.columns = raw.columns.str.strip()
    codes = list(raw.columns[list(raw.columns).index(FIRST_CODE_COLUMN):])
    Y = raw[codes].apply(pd.to_numeric, errors="coerce").fillna(0).clip(0, 1).astype(int)
    text = raw[TEXT_COLUMN].fillna("").astype(str).str.strip()
    keep = (text != "") & (Y.sum(axis=1) > 0)
    Y = Y[keep].reset_index(drop=True)
    Y = Y.loc[:, Y.sum(axis=0) > 0]
    return text[keep].tolist(), Y


def nhs_split(texts: list[str], Y: pd.DataFrame):
    """The maintainers' split: unstratified 80/20 with ``random_state=42``."""
    return train_test_split(texts, Y, test_size=0.2, random_state=SPLIT_SEED)


class PlainBaseline(BaseEstimator):
    """TF-IDF + one-vs-rest logistic regression with scikit-learn defaults; per-code
    thresholds by 3-fold CV on the training data (the same grid as the suggester)."""

    def __init__(self, *, class_weight: str | None = None, random_state: int = 0):
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, texts, Y):
        Y = np.asarray(Y, dtype=int)
        self.vectorizer_ = TfidfVectorizer()
        X = self.vectorizer_.fit_transform(texts)
        self.heads_ = _fit_plain(X, Y, self.class_weight)
        scores = np.zeros(Y.shape)
        for train, test in KFold(3, shuffle=True, random_state=self.random_state).split(X):
            scores[test] = _score_plain(X[test], _fit_plain(X[train], Y[train], self.class_weight))
        self.thresholds_ = np.full(Y.shape[1], 0.5)
        for k in range(Y.shape[1]):
            if Y[:, k].any():
                f1 = [_f1(Y[:, k], scores[:, k] >= t) for t in THRESHOLD_GRID]
                self.thresholds_[k] = THRESHOLD_GRID[int(np.argmax(f1))]
        return self

    def predict_proba(self, texts):
        return _score_plain(self.vectorizer_.transform(texts), self.heads_)


def _fit_plain(X, Y, class_weight=None):
    heads = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k in range(Y.shape[1]):
            heads.append(LogisticRegression(max_iter=1000, class_weight=class_weight).fit(X, Y[:, k])
                         if 0 < Y[:, k].sum() < len(Y) else float(Y[:, k].mean()) if len(Y) else 0.0)
    return heads


def _score_plain(X, heads):
    return np.column_stack([h.predict_proba(X)[:, 1] if hasattr(h, "predict_proba")
                            else np.full(X.shape[0], h) for h in heads])


def evaluate(model, train_texts, train_Y, test_texts, test_Y, *, clear=None) -> dict[str, float]:
    """Fit *model*, score the test part; figures plus fit and predict seconds."""
    if clear:
        clear()
    with threadpool_limits(limits=1):  # the same for every model: one BLAS thread
        start = time.perf_counter()
        model.fit(list(train_texts), train_Y)
        fitted = time.perf_counter()
        if clear:
            clear()
        scores = model.predict_proba(list(test_texts))
        predicted = (scores >= model.thresholds_).astype(int)
        done = time.perf_counter()
    return suggestion_metrics(np.asarray(test_Y), scores, predicted) | {
        "fit_seconds": round(fitted - start, 2), "predict_seconds": round(done - fitted, 2)}


def _subset(n_train: int, size: int | None, seed: int) -> np.ndarray:
    if size is None or size >= n_train:
        return np.arange(n_train)
    return np.sort(np.random.default_rng(seed).choice(n_train, size=size, replace=False))


def run(*, quick: bool = False, path: Path | None = None, embedding: str | None | bool = True) -> BenchResult:
    """Measure the baseline and the suggester on the NHS set (see the module docstring)."""
    result = BenchResult("suggest")
    path = path or shared_dir() / NHS_FILE
    if not path.exists():
        result.notes.append(f"skipped: {path} not found (the NHS set lives in the shared folder; "
                            "set THEMATIC_SHARED to its location)")
        return result
    texts, Y = load_nhs(path)
    X_train, X_test, Y_train, Y_test = nhs_split(texts, Y)
    codes = list(Y.columns)
    Y_train, Y_test = Y_train.reset_index(drop=True), Y_test.reset_index(drop=True)
    if quick:
        X_test, Y_test = X_test[:200], Y_test.iloc[:200]
        sizes = {"300": (150, (0,)), "full": (300, (0,))}
        embedding = False
    else:
        sizes = {"300": (300, SUBSET_SEEDS), "1000": (1000, (0,)), "full": (None, (0,))}
    models = {"baseline": lambda: PlainBaseline(),
              "baseline-balanced": lambda: PlainBaseline(class_weight="balanced"),
              "suggester-tfidf": lambda: CodeSuggester(code_texts={c: [c] for c in codes})}
    encoder = None
    if embedding:
        from thematic import embeddings

        if embeddings.available("minilm"):
            encoder = embeddings.load_encoder("minilm")
            models["suggester"] = lambda: CodeSuggester(embedding=encoder, code_texts={c: [c] for c in codes})
        else:
            result.notes.append("the [embed] extra is not installed: only the TF-IDF suggester was measured")
    print(f"suggest bench: {sum(len(s) for _, s in sizes.values()) * len(models)} fits to run", flush=True)
    result.notes.append(f"{len(texts)} comments with text and at least one code, {len(codes)} codes applied; "
                        f"train {len(X_train)} / test {len(X_test)} (train_test_split test_size=0.2, "
                        f"random_state={SPLIT_SEED}, unstratified)" + (" [quick: 150 and 300 training comments, test cut to 200; figures not meaningful]" if quick else ""))
    rows = []
    for size_name, (size, seeds) in sizes.items():
        for seed in seeds:
            chosen = _subset(len(X_train), size, seed)
            train_texts = [X_train[i] for i in chosen]
            train_Y = Y_train.iloc[chosen]
            for model_name, make in models.items():
                clear = encoder.clear if (encoder is not None and model_name == "suggester") else None
                figures = evaluate(make(), train_texts, train_Y, X_test, Y_test, clear=clear)
                rows.append({"size": size_name, "trained_on": len(chosen), "seed": seed,
                             "model": model_name} | figures)
                print(f"  {rows[-1]}", flush=True)
    table = pd.DataFrame(rows)
    medians = table.groupby(["size", "model"], sort=False).median(numeric_only=True)
    ours = [name for name in models if name.startswith("suggester")]
    for size_name in sizes:
        for model_name in models:
            figures = medians.loc[(size_name, model_name)]
            for figure in ("macro_f1", "micro_f1", "precision_at_3", "recall_at_3"):
                target = TARGETS.get(size_name, {}).get(figure) if model_name in ours and not quick else None
                result.add(f"{size_name} {model_name} {figure}", figures[figure], at_least=target)
            result.add(f"{size_name} {model_name} fit", figures["fit_seconds"], "s")
            result.add(f"{size_name} {model_name} predict", figures["predict_seconds"], "s")
        base = medians.loc[(size_name, "baseline")]
        for model_name in ours:
            figures = medians.loc[(size_name, model_name)]
            for baseline in ("baseline", "baseline-balanced"):
                gain = figures["macro_f1"] - medians.loc[(size_name, baseline), "macro_f1"]
                result.add(f"{size_name} {model_name} macro_f1 gain over {baseline}", gain,
                           at_least=None if quick else 0.05)
            result.add(f"{size_name} {model_name} fit time / baseline",
                       figures["fit_seconds"] / max(base["fit_seconds"], 1e-9), "x", at_most=None if quick else 5)
        if "suggester" in models:
            difference = (medians.loc[(size_name, "suggester"), "macro_f1"]
                          - medians.loc[(size_name, "suggester-tfidf"), "macro_f1"])
            result.add(f"{size_name} embeddings minus tfidf-only macro_f1", difference)
    result.notes.append("suggester-tfidf is the default; suggester adds sentence embeddings (the [embed] extra); "
                        f"figures at 300 are medians over subsets seeded {list(sizes['300'][1])}")
    result.notes.append("per run:\n" + table.to_string(index=False))
    return result


@register("suggest")
def bench_suggest(*, quick: bool = False) -> BenchResult:
    """NHS patient feedback: baseline vs CodeSuggester at 300, 1,000 and all training comments."""
    return run(quick=quick)
