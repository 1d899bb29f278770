"""Code suggestions on real data: the NHS patient-feedback set (``thematic bench suggest``).

The data set
    ``../shared/datasets/nhs-patient-feedback/v6framework_230831.csv`` (or
    ``$THEMATIC_SHARED/datasets/...``): 7,908 Friends-and-Family-Test comments with a
    multi-label human coding. Text is the ``FFT answer`` column; codes are every column from
    ``Not assigned`` to the last one (50), as the data set's maintainers use them. Rows with an
    empty text or without any code are dropped, then codes nobody applied (4) are dropped.
    Each comment also has the survey question it answers (``FFT question``: the counterpart
    of an interviewer's question), the service type (``Service type 1``: the counterpart of a
    speaker's group), its respondent and, from its id, which of the respondent's answers it is.

The protocol (every figure reported is on the test part, scored once per configuration)
    *test part*: the maintainers' split, ``train_test_split(..., test_size=0.2,
    random_state=42)`` (shuffled, not stratified): 5,915 training and 1,479 test comments.
    *validation part*: 20% of the training part (``random_state=`` :data:`VALIDATION_SEED`);
    the rest is the *development part*. Every design and hyper-parameter choice (the tuned
    baseline's C and class weights here, the suggester's defaults in
    ``thematic bench suggest-validation``) is made by fitting on the development part and
    scoring the validation part; the chosen configurations are then fitted on the training part
    and scored on the test part. Training sizes: 300 comments (5 random subsets, seeds 0-4),
    1,000 (3 subsets, seeds 0-2) and the whole part; the median over subsets is reported.

The models, measured in the same run
    ``baseline``: plain TF-IDF (scikit-learn defaults) + one logistic regression per code
    (defaults), each code's threshold chosen out of fold (3-fold CV on the training data).
    ``baseline-tuned``: the same with C and class weights chosen on the validation part for
    each training size. Gains are stated over the stronger of the two in the same run.
    ``suggester-round1``: :class:`~thematic.suggest.CodeSuggester` with the first round's
    parameters (text only; those were chosen on the test part, so this row is optimistic; its
    embedding variant was measured once, before issue 18's changes, see the guide).
    ``suggester``: today's defaults, chosen on the validation part (``thematic bench
    suggest-validation``), with the survey structure as inputs; ``suggester-embed`` adds
    sentence embeddings when the ``[embed]`` extra is installed. The code names serve as the
    codebook texts. Active learning: from the same 50 random training comments, 50 at a time
    chosen by :mod:`thematic.active` or at random up to 300 (5 seeds), the default suggester
    fitted on them and scored on the test part.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
VALIDATION_SEED = 7
VALIDATION_SHARE = 0.2
#: Training sizes: name -> (comments or None for the whole part, subset seeds).
SIZES = {"300": (300, (0, 1, 2, 3, 4)), "1000": (1000, (0, 1, 2)), "full": (None, (0,))}
QUICK_SIZES = {"300": (150, (0,)), "full": (300, (0,))}
#: The tuned baseline's grid, searched on the validation part.
BASELINE_GRID = [{"C": c, "class_weight": w} for w in (None, "balanced") for c in (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)]
QUICK_GRID = [{"C": 1.0, "class_weight": None}, {"C": 10.0, "class_weight": "balanced"}]
#: The first round's CodeSuggester parameters (its defaults before issue 18).
ROUND1 = {"head": "svm", "C": 0.5, "word_ngrams": (1, 2), "char_ngrams": (3, 5), "char_features": 20_000,
          "bootstrap_below": 5, "threshold_folds": 3, "own_threshold_from": 10}

#: Issue 18's targets on the test part: size -> {figure: at least}.
TARGETS = {"300": {"macro_f1": 0.35, "recall_at_3": 0.82}, "1000": {"macro_f1": 0.45},
           "full": {"macro_f1": 0.58, "micro_f1": 0.74}}
#: Least macro-F1 gain over the stronger baseline, and most fit time over the plain one.
GAIN_TARGET, FIT_RATIO_TARGET = 0.05, 5.0
#: Active learning: seeds, comments coded in the end, and the least gain over random choice.
AL_SEEDS, AL_BUDGET, AL_GAIN_TARGET = (0, 1, 2, 3, 4), 300, 0.04


def shared_dir() -> Path:
    """The shared folder beside the project (``$THEMATIC_SHARED`` overrides)."""
    return Path(os.environ.get("THEMATIC_SHARED") or project_root().parent / "shared")


def load_nhs(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inputs and 0/1 code matrix of the NHS set, cleaned as the module docstring says.

    Inputs has one row per comment: ``text``, ``question`` (the survey question, whitespace
    normalised), ``group`` (service type, ``unknown`` when empty), ``respondent`` and
    ``position`` (which of the respondent's answers it is, scaled to (0, 1]).
    """
    raw = pd.read_csv(path, encoding="utf-8")
    raw.columns = raw.columns.str.strip()
    codes = list(raw.columns[list(raw.columns).index(FIRST_CODE_COLUMN):])
    Y = raw[codes].apply(pd.to_numeric, errors="coerce").fillna(0).clip(0, 1).astype(int)
    text = raw[TEXT_COLUMN].fillna("").astype(str).str.strip()
    keep = (text != "") & (Y.sum(axis=1) > 0)

    def column(name: str, default: str = "") -> pd.Series:
        if name not in raw:
            return pd.Series(default, index=raw.index)
        return raw[name].fillna(default).astype(str).map(lambda s: re.sub(r"\s+", " ", s).strip() or default)

    respondent = column("Respondent ID", "")
    answer = column("Comment ID").str.extract(r"Q(\d+)\s*$", expand=False).astype(float).fillna(1.0)
    answers = answer.groupby(respondent.where(respondent != "", raw.index.astype(str))).transform("max")
    inputs = pd.DataFrame({"text": text, "question": column("FFT question"),
                           "group": column("Service type 1", "unknown"),
                           "respondent": respondent, "position": (answer / answers).round(3)})
    Y = Y[keep].reset_index(drop=True)
    Y = Y.loc[:, Y.sum(axis=0) > 0]
    return inputs[keep].reset_index(drop=True), Y


@dataclass(frozen=True)
class Parts:
    """Row positions of the protocol's parts: test, train (= dev + validation), dev, validation."""

    train: np.ndarray
    test: np.ndarray
    dev: np.ndarray
    validation: np.ndarray


def protocol_parts(n_rows: int) -> Parts:
    """The maintainers' test split, then a validation part carved from the training part only."""
    train, test = train_test_split(np.arange(n_rows), test_size=0.2, random_state=SPLIT_SEED)
    dev, validation = train_test_split(train, test_size=VALIDATION_SHARE, random_state=VALIDATION_SEED)
    return Parts(train=train, test=test, dev=dev, validation=validation)


def subset(pool: np.ndarray, size: int | None, seed: int) -> np.ndarray:
    """*size* rows of *pool* drawn at random with *seed* (all of it when None or larger)."""
    if size is None or size >= len(pool):
        return pool
    return np.sort(np.random.default_rng(seed).choice(pool, size=size, replace=False))


class PlainBaseline(BaseEstimator):
    """TF-IDF (scikit-learn defaults) + one logistic regression per code; per-code thresholds
    chosen out of fold (3-fold CV on the training data, the same grid as the suggester).

    Texts only: given a DataFrame, it reads its ``text`` column.
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | None = None, random_state: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X, Y):
        texts = _texts(X)
        Y = np.asarray(Y, dtype=int)
        self.vectorizer_ = TfidfVectorizer()
        features = self.vectorizer_.fit_transform(texts)
        self.heads_ = self._fit_heads(features, Y)
        scores = np.zeros(Y.shape)
        for train, test in KFold(3, shuffle=True, random_state=self.random_state).split(features):
            scores[test] = _score_plain(features[test], self._fit_heads(features[train], Y[train]))
        self.thresholds_ = np.full(Y.shape[1], 0.5)
        for k in range(Y.shape[1]):
            if Y[:, k].any():
                f1 = [_f1(Y[:, k], scores[:, k] >= t) for t in THRESHOLD_GRID]
                self.thresholds_[k] = THRESHOLD_GRID[int(np.argmax(f1))]
        return self

    def _fit_heads(self, X, Y):
        heads = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for k in range(Y.shape[1]):
                heads.append(LogisticRegression(C=self.C, max_iter=1000, class_weight=self.class_weight)
                             .fit(X, Y[:, k]) if 0 < Y[:, k].sum() < len(Y)
                             else float(Y[:, k].mean()) if len(Y) else 0.0)
        return heads

    def predict_proba(self, X):
        return _score_plain(self.vectorizer_.transform(_texts(X)), self.heads_)


def _texts(X) -> list[str]:
    return (X["text"] if isinstance(X, pd.DataFrame) else pd.Series(list(X))).astype(str).tolist()


def _score_plain(X, heads):
    return np.column_stack([h.predict_proba(X)[:, 1] if hasattr(h, "predict_proba")
                            else np.full(X.shape[0], h) for h in heads])


def evaluate(model, fit_X, fit_Y, eval_X, eval_Y) -> dict[str, float]:
    """Fit *model*, score *eval_X*; figures plus fit and predict seconds (one BLAS thread)."""
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        model.fit(fit_X, fit_Y)
        fitted = time.perf_counter()
        scores = model.predict_proba(eval_X)
        predicted = (scores >= model.thresholds_).astype(int)
        done = time.perf_counter()
    return suggestion_metrics(np.asarray(eval_Y), scores, predicted) | {
        "fit_seconds": round(fitted - start, 2), "predict_seconds": round(done - fitted, 2)}


@dataclass
class Stage:
    """One side of the protocol: where models learn (a pool) and where they are scored."""

    name: str
    inputs: pd.DataFrame
    Y: pd.DataFrame
    pool: np.ndarray
    scored: np.ndarray
    sizes: dict

    def runs(self):
        """(size name, seed, chosen rows) for every training subset."""
        for size_name, (size, seeds) in self.sizes.items():
            for seed in seeds:
                yield size_name, seed, subset(self.pool, size, seed)

    def measure(self, make: Callable[[], object], rows: np.ndarray, *, text_only: bool = False) -> dict[str, float]:
        fit_X, eval_X = self.inputs.iloc[rows], self.inputs.iloc[self.scored]
        if text_only:
            fit_X, eval_X = fit_X["text"].tolist(), eval_X["text"].tolist()
        return evaluate(make(), fit_X, self.Y.iloc[rows], eval_X, self.Y.iloc[self.scored])


def stages(inputs: pd.DataFrame, Y: pd.DataFrame, *, quick: bool = False) -> tuple[Stage, Stage]:
    """The validation stage (learn on dev, score validation) and the test stage (learn on the
    training part, score the test part), with the same training sizes."""
    parts = protocol_parts(len(inputs))
    sizes = QUICK_SIZES if quick else SIZES
    test = parts.test[:200] if quick else parts.test
    validation = parts.validation[:200] if quick else parts.validation
    return (Stage("validation", inputs, Y, parts.dev, validation, sizes),
            Stage("test", inputs, Y, parts.train, test, sizes))


def run_models(stage: Stage, models, *, log: Callable[[str], None] = print) -> pd.DataFrame:
    """Every model at every training subset of *stage*: one row per (size, seed, model).

    *models* maps a name to (factory, options for :meth:`Stage.measure`), or is a function of
    the size name returning such a mapping (models tuned per size).
    """
    rows = []
    for size_name, seed, chosen in stage.runs():
        for name, (make, options) in (models(size_name) if callable(models) else models).items():
            figures = stage.measure(make, chosen, **options)
            rows.append({"stage": stage.name, "size": size_name, "trained_on": len(chosen), "seed": seed,
                         "model": name} | figures)
            log(f"  {stage.name} {size_name} seed {seed} {name}: macro-F1 {figures['macro_f1']:.3f} "
                f"micro-F1 {figures['micro_f1']:.3f} R@3 {figures['recall_at_3']:.3f} fit {figures['fit_seconds']}s")
    return pd.DataFrame(rows)


def medians(table: pd.DataFrame) -> pd.DataFrame:
    """Median figures over subsets, per (size, model)."""
    return table.groupby(["size", "model"], sort=False).median(numeric_only=True)


def choose_baseline(stage: Stage, *, grid: Sequence[dict] = tuple(BASELINE_GRID),
                    log: Callable[[str], None] = print) -> tuple[dict[str, dict], pd.DataFrame]:
    """The tuned baseline's parameters per training size: the grid point with the best median
    validation macro-F1 (ties: the earlier grid point). Returns the choices and the table."""
    models = {_grid_name(point): (lambda point=point: PlainBaseline(**point), {"text_only": True})
              for point in grid}
    table = run_models(stage, models, log=log)
    summary = medians(table)["macro_f1"]
    chosen = {}
    for size_name in stage.sizes:
        scores = [summary.loc[(size_name, _grid_name(point))] for point in grid]
        chosen[size_name] = dict(grid[int(np.argmax(scores))])
    return chosen, table


def _grid_name(point: dict) -> str:
    return f"baseline C={point['C']:g} {point['class_weight'] or 'unweighted'}"


def _encoder(result: BenchResult, embedding: bool):
    if not embedding:
        return None
    from thematic import embeddings

    if embeddings.available("minilm"):
        return embeddings.load_encoder("minilm")
    result.notes.append("the [embed] extra is not installed: the embedding rows were not measured")
    return None


def test_models(codes: list[str], tuned: dict, encoder) -> dict[str, tuple[Callable[[], object], dict]]:
    """The configurations scored on the test part, by name (see the module docstring)."""
    code_texts = {c: [c] for c in codes}
    models = {
        "baseline": (lambda: PlainBaseline(), {"text_only": True}),
        "baseline-tuned": (lambda: PlainBaseline(**tuned), {"text_only": True}),
        "suggester-round1": (lambda: CodeSuggester(**ROUND1, code_texts=code_texts), {"text_only": True}),
        "suggester": (lambda: CodeSuggester(code_texts=code_texts), {}),
    }
    if encoder is not None:
        models["suggester-embed"] = (lambda: CodeSuggester(embedding=encoder, code_texts=code_texts), {})
    return models


def run(*, quick: bool = False, path: Path | None = None, embedding: bool = True,
        log: Callable[[str], None] = print) -> BenchResult:
    """The protocol on the NHS set: tune the baseline on validation, score every configuration
    once on the test part (see the module docstring)."""
    result = BenchResult("suggest")
    path = path or shared_dir() / NHS_FILE
    if not path.exists():
        result.notes.append(f"skipped: {path} not found (the NHS set lives in the shared folder; "
                            "set THEMATIC_SHARED to its location)")
        return result
    inputs, Y = load_nhs(path)
    validation, test = stages(inputs, Y, quick=quick)
    encoder = _encoder(result, embedding and not quick)
    result.notes.append(
        f"{len(inputs)} comments with text and at least one code, {Y.shape[1]} codes applied; train "
        f"{len(test.pool)} / test {len(test.scored)} (train_test_split test_size=0.2, random_state={SPLIT_SEED}); "
        f"validation {len(validation.scored)} carved from train (random_state={VALIDATION_SEED}), "
        f"development {len(validation.pool)}" + (" [quick: small sizes, 200 scored; figures not meaningful]"
                                                    if quick else ""))
    log("suggest bench: choosing the tuned baseline on the validation part")
    chosen, _ = choose_baseline(validation, grid=QUICK_GRID if quick else BASELINE_GRID, log=log)
    for size_name, point in chosen.items():
        result.notes.append(f"baseline-tuned at {size_name}: C={point['C']:g}, "
                            f"class_weight={point['class_weight']} (best validation macro-F1)")
    if encoder is not None:  # encode every text once: the embedding rows' fit time leaves encoding out
        log("suggest bench: encoding the training and test texts")
        start = time.perf_counter()
        encoder.encode(inputs["text"].iloc[np.concatenate([test.pool, test.scored])].tolist())
        seconds = time.perf_counter() - start
        result.add("sentence encoder texts per second", (len(test.pool) + len(test.scored)) / seconds, "/s")
        result.notes.append("suggester-embed: texts encoded once before fitting, so its fit time leaves out "
                            "encoding (see 'sentence encoder texts per second')")
    log("suggest bench: scoring on the test part")
    codes = list(Y.columns)
    table = run_models(test, lambda size_name: test_models(codes, chosen[size_name], encoder), log=log)
    report_test(result, table, quick=quick)
    log("suggest bench: active learning on the training part, scored on the test part")
    report_active(result, active_learning(inputs, Y, test, quick=quick, log=log), quick=quick)
    return result


def active_learning(inputs: pd.DataFrame, Y: pd.DataFrame, stage: Stage, *, quick: bool = False,
                    log: Callable[[str], None] = print) -> pd.DataFrame:
    """The active-learning simulation of *stage*: from the same 50 random comments, 50 at a
    time chosen by :mod:`thematic.active` or at random up to 300, the default suggester
    (TF-IDF) fitted on them and scored; one row per (seed, method)."""
    from thematic import active

    code_texts = {c: [c] for c in Y.columns}
    make = lambda: CodeSuggester(code_texts=code_texts)  # noqa: E731
    seeds, budget = ((0,), 150) if quick else (AL_SEEDS, AL_BUDGET)
    rows = []
    for seed in seeds:
        for method in ("active", "random"):
            chosen, rounds = active.simulate(make, inputs, Y, pool=stage.pool, budget=budget, seed=seed,
                                             method=method, interview_column="respondent")
            figures = evaluate(make(), inputs.iloc[chosen], Y.iloc[chosen], inputs.iloc[stage.scored],
                               Y.iloc[stage.scored])
            rows.append({"stage": stage.name, "seed": seed, "method": method, "coded": len(chosen),
                         "codes_seen": rounds[-1]["codes_seen"] if rounds else np.nan} | figures)
            log(f"  {stage.name} active learning {method} seed {seed}: macro-F1 {figures['macro_f1']:.3f}")
    return pd.DataFrame(rows)


def report_active(result: BenchResult, table: pd.DataFrame, *, quick: bool = False) -> None:
    """Medians over seeds of the simulation's figures, and the gain of choosing over chance."""
    summary = table.groupby("method").median(numeric_only=True)
    budget = int(table["coded"].max())
    for method in ("active", "random"):
        for figure in ("macro_f1", "micro_f1", "recall_at_3", "codes_seen"):
            result.add(f"{budget} chosen {method} {figure}", summary.loc[method, figure])
    result.add(f"{budget} chosen active minus random macro_f1",
               summary.loc["active", "macro_f1"] - summary.loc["random", "macro_f1"],
               at_least=None if quick else AL_GAIN_TARGET)
    result.notes.append("active learning per run:\n" + table.drop(columns="stage").to_string(index=False))


def report_test(result: BenchResult, table: pd.DataFrame, *, quick: bool = False) -> None:
    """Add the test-part figures, the gains over the stronger baseline and the fit-time ratios."""
    summary = medians(table)
    models = list(dict.fromkeys(table["model"]))
    ours = [m for m in models if m.startswith("suggester")]
    for size_name in dict.fromkeys(table["size"]):
        for model in models:
            figures = summary.loc[(size_name, model)]
            for figure in ("macro_f1", "micro_f1", "precision_at_3", "recall_at_3"):
                target = None if quick or model not in ours else TARGETS.get(size_name, {}).get(figure)
                result.add(f"{size_name} {model} {figure}", figures[figure], at_least=target)
            result.add(f"{size_name} {model} fit", figures["fit_seconds"], "s")
        stronger = max(("baseline", "baseline-tuned"), key=lambda m: summary.loc[(size_name, m), "macro_f1"])
        result.add(f"{size_name} stronger baseline is {stronger}", summary.loc[(size_name, stronger), "macro_f1"])
        plain_fit = max(summary.loc[(size_name, "baseline"), "fit_seconds"], 1e-9)
        for model in ours:
            gain = summary.loc[(size_name, model), "macro_f1"] - summary.loc[(size_name, stronger), "macro_f1"]
            result.add(f"{size_name} {model} macro_f1 gain over {stronger}", gain,
                       at_least=None if quick else GAIN_TARGET)
            ratio = summary.loc[(size_name, model), "fit_seconds"] / plain_fit
            no_torch = "embed" not in model
            result.add(f"{size_name} {model} fit time / baseline", ratio, "x",
                       at_most=FIT_RATIO_TARGET if no_torch and not quick else None)
    result.notes.append("figures are medians over the subsets of each size (300: seeds 0-4; 1000: seeds 0-2)")
    result.notes.append("per run:\n" + table.drop(columns="stage").to_string(index=False))


@register("suggest")
def bench_suggest(*, quick: bool = False) -> BenchResult:
    """NHS patient feedback, honest protocol: baselines and suggesters scored once on the test part."""
    return run(quick=quick)
