"""Few-shot contrastive fine-tuning of the bundled sentence encoder (the ``[finetune]`` extra).

SetFit's first phase (Tunstall et al. 2022, the ``setfit`` library): pairs of coded segments
that share a code are pulled together, pairs that share none pushed apart (cosine-similarity
loss), so that the sentence vectors of a study separate its codes. The code suggester then
learns its linear heads on the fine-tuned vectors as on the stock ones
(``CodeSuggester(embedding="minilm", fine_tune=True)``).

The fine-tuned model lives in memory only: it learnt from interview text, so it is never
written to the data folder, the report folder or the cache (setfit's checkpoints go to a
temporary folder that is removed). Fine-tuning is deterministic for a seed as long as it runs
to its planned number of steps; when the time budget stops it early, the steps done depend on
the machine's speed, and a warning (W260) says so.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from thematic.embeddings import KNOWN_ENCODERS, SentenceEncoder, available
from thematic.errors import Errors, ModelError, ParameterError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FineTuneReport:
    """What one fine-tuning did: pairs and steps planned, steps done, seconds, early stop."""

    pairs: int
    steps_planned: int
    steps_done: int
    seconds: float
    stopped_early: bool


def available_for_fine_tuning(name: str = "minilm") -> bool:
    """Whether encoder *name* and setfit (with its torch stack) are installed."""
    import importlib.util

    return available(name) and importlib.util.find_spec("setfit") is not None


def fine_tune(texts: Sequence[str], Y: np.ndarray, *, name: str = "minilm", budget_s: float = 120.0,
              iterations: int = 3, batch_size: int = 16, learning_rate: float = 2e-5,
              max_length: int = 64, seed: int = 0, threads: int = 1) -> tuple[SentenceEncoder, FineTuneReport]:
    """A copy of encoder *name* fine-tuned contrastively on *texts* and their 0/1 codes *Y*.

    Parameters
    ----------
    texts, Y
        Coded segments and their code matrix (segments x codes). A pair of segments is
        positive when they share at least one code, negative otherwise (a segment without
        codes is a negative for every other).
    budget_s
        Wall-clock seconds fine-tuning may take, loading and pair building included; training
        stops before the step that would overrun it.
    iterations
        SetFit's ``num_iterations``: ``2 * iterations * len(texts)`` pairs (half positive),
        one epoch.
    batch_size, learning_rate, max_length
        Pairs per step, the body's learning rate and the longest input in tokens.
    seed
        Seeds the order of the pairs in batches and dropout (setfit draws which pairs to use
        with its own fixed seed).
    threads
        torch threads while training (restored afterwards). One is faster than two on a
        machine whose cores are busy.

    Raises
    ------
    ModelError
        If the ``[finetune]`` extra is not installed.
    ParameterError
        If *name* is unknown, *texts* and *Y* differ in length or an option is out of range.
    """
    if name not in KNOWN_ENCODERS:
        raise ParameterError(Errors.E902.format(name=name, known=sorted(KNOWN_ENCODERS)))
    Y = np.asarray(Y, dtype=int)
    if len(texts) != len(Y):
        raise ParameterError(Errors.E900.format(texts=len(texts), rows=len(Y)))
    for option, value, least in (("iterations", iterations, 1), ("batch_size", batch_size, 1),
                                 ("max_length", max_length, 8)):
        if not value >= least:
            raise ParameterError(Errors.E981.format(option=option, value=value, least=least))
    if not budget_s > 0:
        raise ParameterError(Errors.E981.format(option="budget_s", value=budget_s, least=0))
    if not available_for_fine_tuning(name):
        raise ModelError(Errors.E980.format(name=name))
    shares = (Y @ Y.T) > 0
    if not shares.any() or shares.all():  # no code at all, or every pair shares one
        from thematic.embeddings import load_encoder

        warnings.warn(Errors.W261.format(segments=len(Y), why="no segment has a code" if not shares.any()
                                         else "every pair of segments shares a code"), stacklevel=2)
        return load_encoder(name), FineTuneReport(pairs=0, steps_planned=0, steps_done=0, seconds=0.0,
                                                  stopped_early=False)
    start = time.perf_counter()
    import importlib

    import torch
    from sentence_transformers import SentenceTransformer
    from setfit import SetFitModel, Trainer, TrainingArguments
    from transformers import PrinterCallback, ProgressCallback, TrainerCallback

    class Budget(TrainerCallback):
        """Stop before the step that would overrun the budget (judged by the slowest step so far)."""

        def __init__(self):
            self.steps, self.slowest, self.last, self.stopped = 0, 0.0, None, False

        def on_step_begin(self, args, state, control, **kwargs):
            self.last = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            now = time.perf_counter()
            self.steps += 1
            self.slowest = max(self.slowest, now - self.last)
            if now - start + self.slowest > budget_s:
                self.stopped = control.should_training_stop = True
            return control

    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with _quiet(), tempfile.TemporaryDirectory(prefix="thematic-finetune-") as scratch:
            path = importlib.import_module(KNOWN_ENCODERS[name]).get_model_path()
            body = SentenceTransformer(str(path), device="cpu")
            body.max_seq_length = max_length
            model = SetFitModel(model_body=body, multi_target_strategy="one-vs-rest")
            args = TrainingArguments(output_dir=scratch, batch_size=(batch_size, batch_size), num_epochs=(1, 1),
                                     num_iterations=iterations, body_learning_rate=(learning_rate, learning_rate),
                                     max_length=max_length, seed=seed, save_strategy="no", report_to="none",
                                     show_progress_bar=False, logging_strategy="no",
                                     logging_first_step=False)
            budget = Budget()
            trainer = Trainer(model=model, args=args, callbacks=[budget])
            for printer in (ProgressCallback, PrinterCallback):  # no progress bar, no loss lines
                trainer.st_trainer.remove_callback(printer)
            trainer.st_trainer.args.dataloader_pin_memory = False  # CPU only
            labels = [row.tolist() for row in Y]
            pairs = 2 * iterations * len(texts)
            trainer.train_embeddings([str(t) for t in texts], labels, args=args)
    finally:
        torch.set_num_threads(previous_threads)
    body.eval()
    planned = -(-pairs // batch_size)
    stopped = budget.stopped and budget.steps < planned  # not when the last step ran out the clock
    report = FineTuneReport(pairs=pairs, steps_planned=planned, steps_done=budget.steps,
                            seconds=round(time.perf_counter() - start, 2), stopped_early=stopped)
    if stopped:
        warnings.warn(Errors.W260.format(done=budget.steps, planned=planned, budget=budget_s), stacklevel=2)
    log.info("fine-tuned %s: %s", name, report)
    return SentenceEncoder(body, name=f"{name}-finetuned"), report


@contextlib.contextmanager
def _quiet():
    """Silence setfit's and transformers' info logging and progress bars while training."""
    from transformers.utils import logging as transformers_logging

    names = ("setfit", "transformers", "sentence_transformers", "datasets", "accelerate")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        from setfit import logging as setfit_logging

        setfit_logging.set_verbosity_warning()
        setfit_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - setfit without its logging module
        pass
    transformers_logging.disable_progress_bar()  # "Loading weights" while the body loads
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
        transformers_logging.enable_progress_bar()
