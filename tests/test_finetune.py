"""Few-shot fine-tuning of the sentence encoder (needs the [finetune] extra; the
checks of arguments and of a missing extra run without it)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from thematic import finetune
from thematic.errors import ModelError, ParameterError
from thematic.suggest import CodeSuggester

TEXTS = ["the staff were kind", "nurses very caring", "doctor was lovely and kind",
         "long wait at reception", "waited two hours", "the queue took ages",
         "parking was awful", "no parking spaces", "car park full"]
Y = np.array([[1, 0, 0]] * 3 + [[0, 1, 0]] * 3 + [[0, 0, 1]] * 3)

needs_extra = pytest.mark.skipif(not finetune.available_for_fine_tuning("minilm"),
                                 reason="the [finetune] extra (setfit) is not installed")


def _gap(encoder) -> float:
    """Mean cosine of same-code pairs minus that of different-code pairs."""
    vectors = encoder.encode(TEXTS)
    similarity = vectors @ vectors.T
    same = (Y @ Y.T) > 0
    off_diagonal = ~np.eye(len(TEXTS), dtype=bool)
    return float(similarity[same & off_diagonal].mean() - similarity[~same].mean())


@needs_extra
def test_fine_tuning_pulls_same_code_segments_together_and_is_deterministic():
    from thematic.embeddings import load_encoder

    before = _gap(load_encoder("minilm"))
    tuned, report = finetune.fine_tune(TEXTS, Y, budget_s=120, iterations=2, batch_size=4, seed=0)
    again, _ = finetune.fine_tune(TEXTS, Y, budget_s=120, iterations=2, batch_size=4, seed=0)
    assert report.pairs == 36 and report.steps_planned == 9 and report.steps_done == 9
    assert not report.stopped_early
    assert _gap(tuned) > before + 0.05
    assert np.array_equal(tuned.encode(TEXTS), again.encode(TEXTS))
    # the stock encoder is untouched by fine-tuning a copy
    assert _gap(load_encoder("minilm")) == pytest.approx(before)


@needs_extra
def test_budget_stops_training_early_with_a_warning():
    with pytest.warns(UserWarning, match=r"\[W260\]"):
        _, report = finetune.fine_tune(TEXTS, Y, budget_s=0.5, iterations=50, batch_size=4, seed=0)
    assert report.stopped_early
    assert 1 <= report.steps_done < report.steps_planned == 225


@needs_extra
def test_suggester_fine_tunes_and_leaves_no_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    frame = pd.DataFrame(Y, columns=["kind", "waiting", "parking"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no W260: the budget is ample
        model = CodeSuggester(embedding="minilm", fine_tune=True, fine_tune_iterations=2,
                              fine_tune_budget_s=120, threshold_folds=2, random_state=0).fit(TEXTS, frame)
    assert "embedding" in model.blocks_
    assert model.encoder_.name == "minilm-finetuned"
    assert model.fine_tune_report_.steps_done == model.fine_tune_report_.steps_planned
    scores = model.predict_proba(["a kind nurse", "hours in the queue"])
    assert scores.shape == (2, 3)
    assert scores[0].argmax() == 0 and scores[1].argmax() == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["tmp"]  # no checkpoint, no model kept


def test_fine_tuning_needs_a_bundled_encoder():
    with pytest.raises(ParameterError, match=r"\[E982\]"):
        CodeSuggester(fine_tune=True).fit(TEXTS, Y)


def test_options_are_checked_before_anything_loads():
    with pytest.raises(ParameterError, match=r"\[E981\].*budget_s"):
        finetune.fine_tune(TEXTS, Y, budget_s=0)
    with pytest.raises(ParameterError, match=r"\[E981\].*iterations"):
        finetune.fine_tune(TEXTS, Y, iterations=0)
    with pytest.raises(ParameterError, match=r"\[E900\]"):
        finetune.fine_tune(TEXTS[:3], Y)
    with pytest.raises(ParameterError, match=r"\[E902\]"):
        finetune.fine_tune(TEXTS, Y, name="bert")


def test_without_the_extra_fine_tuning_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(finetune, "available_for_fine_tuning", lambda name="minilm": False)
    with pytest.raises(ModelError, match=r"\[E980\].*\[finetune\]"):
        finetune.fine_tune(TEXTS, Y)


@needs_extra
@pytest.mark.parametrize("codes", [np.zeros((9, 3), dtype=int), np.ones((9, 1), dtype=int)])
def test_nothing_to_contrast_keeps_the_stock_encoder(codes):
    from thematic.embeddings import load_encoder

    with pytest.warns(UserWarning, match=r"\[W261\]"):
        encoder, report = finetune.fine_tune(TEXTS, codes)
    assert encoder is load_encoder("minilm")
    assert report.steps_done == 0 and not report.stopped_early
