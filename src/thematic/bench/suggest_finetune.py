"""Few-shot fine-tuning of the sentence encoder on the NHS set (``thematic bench suggest-finetune``).

The protocol of :mod:`thematic.bench.suggest` at 300 training comments (subset seeds 0-4):

``thematic bench suggest-finetune``
    Validation part: learn on the development part, score the validation part. Three
    configurations in the same run: the default suggester (TF-IDF), the suggester with the stock
    MiniLM vectors (``embedding="minilm"``) and with MiniLM fine-tuned on the 300 comments
    (``fine_tune=True``). This is where the option is judged.
``thematic bench suggest-finetune-test``
    The same on the test part (learn on the training part) for the fine-tuning that did best on
    validation (:data:`CHOSEN`), scored once to check the validation verdict. Neither
    fine-tuning beat the stock vectors on validation, so the option is not offered
    (``docs/code-suggestions.md``).

Fit time is wall time of ``fit``. For the fine-tuned model it holds everything the researcher
waits for: loading the encoder, fine-tuning (under its budget), encoding the training texts
with the fine-tuned encoder, and the heads. The stock-embedding row's texts are encoded once
before any fit (as in ``thematic bench suggest``), so its fit time leaves encoding out. The
machine's load average is printed beside the figures: on a shared machine the fit time is
only as good as the load it ran under.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict

import numpy as np

from thematic.bench import BenchResult, register
from thematic.bench import suggest as nhs
from thematic.suggest import CodeSuggester

#: Training comments and subset seeds (the protocol's 300-comment size).
SIZE, SEEDS = 300, (0, 1, 2, 3, 4)
#: The fit-time budget issue 18 sets for 300 segments, in seconds.
FIT_BUDGET_S = 180.0
#: The fine-tuning options measured, by name. ``finetuned`` was fixed before looking at any
#: score: SetFit's usual cosine-similarity loss, learning rate 2e-5 and batch 16, with pairs
#: and time bounded so that fine-tuning plus encoding fits the budget on this 2-core machine.
#: Under load it finished only a fifth of its steps in the budget, so ``finetuned-short``
#: (a third of the pairs at five times the learning rate) was tried next, on validation too.
FINE_TUNE = {"finetuned": {"fine_tune": True, "fine_tune_iterations": 3, "fine_tune_budget_s": 120.0},
             "finetuned-short": {"fine_tune": True, "fine_tune_iterations": 1, "fine_tune_budget_s": 120.0,
                                 "fine_tune_learning_rate": 1e-4}}
#: The configuration with the best validation macro-F1 (0.338 against 0.330), the one scored on test.
CHOSEN = "finetuned-short"


class _Recorded:
    """A suggester whose fit appends its fine-tuning report (and the load then) to *reports*."""

    def __init__(self, model: CodeSuggester, reports: list[dict]):
        self.model, self.reports = model, reports

    def fit(self, X, Y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # W260 is recorded in the report as stopped_early
            self.model.fit(X, Y)
        self.reports.append(asdict(self.model.fine_tune_report_) | {"load": _load()})
        self.thresholds_ = self.model.thresholds_
        return self

    def predict_proba(self, X):
        return self.model.predict_proba(X)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def run(stage_name: str = "validation", *, configs: Sequence[str] = tuple(FINE_TUNE), quick: bool = False,
        path=None, log: Callable[[str], None] = print) -> BenchResult:
    """Default, stock embeddings and each fine-tuning of *configs* (names in :data:`FINE_TUNE`)
    at 300 comments on *stage_name* (``validation`` or ``test``)."""
    result = BenchResult("suggest-finetune" + ("" if stage_name == "validation" else "-test"))
    path = path or nhs.shared_dir() / nhs.NHS_FILE
    if not path.exists():
        result.notes.append(f"skipped: {path} not found (set THEMATIC_SHARED)")
        return result
    from thematic import embeddings
    from thematic.finetune import available_for_fine_tuning

    if not available_for_fine_tuning("minilm"):
        result.notes.append("skipped: the [embed] extra (torch, sentence-transformers, setfit, the bundled "
                            "MiniLM) is not installed")
        return result
    inputs, Y = nhs.load_nhs(path)
    validation, test = nhs.stages(inputs, Y, quick=quick)
    stage = validation if stage_name == "validation" else test
    size, seeds = (60, (0,)) if quick else (SIZE, SEEDS)
    stage.sizes = {str(SIZE): (size, seeds)}
    code_texts = {c: [c] for c in Y.columns}
    encoder = embeddings.load_encoder("minilm")
    result.notes.append(f"load average (1, 5, 15 min) at start: {_load()}; 2 cores, shared")
    log(f"suggest-finetune: encoding the {stage_name} texts with the stock encoder (load {_load()})")
    chosen = np.concatenate([rows for _, _, rows in stage.runs()] + [stage.scored])
    encoder.encode(inputs["text"].iloc[np.unique(chosen)].tolist())
    reports: dict[str, list[dict]] = {name: [] for name in configs}

    def fine_tuned(name: str) -> _Recorded:
        options = FINE_TUNE[name] | ({"fine_tune_iterations": 1, "fine_tune_budget_s": 30.0} if quick else {})
        return _Recorded(CodeSuggester(embedding="minilm", code_texts=code_texts, random_state=0, **options),
                         reports[name])

    models = {"suggester": (lambda: CodeSuggester(code_texts=code_texts), {}),
              "suggester-embed": (lambda: CodeSuggester(embedding=encoder, code_texts=code_texts), {})}
    models |= {f"suggester-{name}": (lambda name=name: fine_tuned(name), {}) for name in configs}
    table = nhs.run_models(stage, models, log=lambda line: log(f"{line} (load {_load()})"))
    summary = table.groupby("model", sort=False).median(numeric_only=True)
    for model in models:
        for figure in ("macro_f1", "micro_f1", "precision_at_3", "recall_at_3"):
            result.add(f"{stage_name} {size} {model} {figure}", summary.loc[model, figure])
        result.add(f"{stage_name} {size} {model} fit (median)", summary.loc[model, "fit_seconds"], "s")
    for name in configs:
        model = f"suggester-{name}"
        slowest = float(table.loc[table["model"] == model, "fit_seconds"].max())
        result.add(f"{stage_name} {size} {model} fit (slowest subset)", slowest, "s",
                   at_most=None if quick else FIT_BUDGET_S)
        for reference in ("suggester", "suggester-embed"):
            result.add(f"{stage_name} {size} {name} minus {reference} macro_f1",
                       summary.loc[model, "macro_f1"] - summary.loc[reference, "macro_f1"])
        result.notes.append(f"{name} ({FINE_TUNE[name]}) per subset: " + "; ".join(
            f"{r['steps_done']}/{r['steps_planned']} steps in {r['seconds']} s"
            f"{' (stopped by budget)' if r['stopped_early'] else ''}, load {r['load']}" for r in reports[name]))
    result.notes.append(f"load average (1, 5, 15 min) at end: {_load()}")
    result.notes.append("per run:\n" + table.drop(columns="stage").to_string(index=False))
    return result


@register("suggest-finetune")
def bench_finetune(*, quick: bool = False) -> BenchResult:
    """NHS validation part, 300 comments: does fine-tuning MiniLM beat the default and stock MiniLM?"""
    return run("validation", quick=quick)


@register("suggest-finetune-test")
def bench_finetune_test(*, quick: bool = False) -> BenchResult:
    """NHS test part, 300 comments: the fine-tuned option scored once (run it only after validation)."""
    return run("test", configs=(CHOSEN,), quick=quick)
