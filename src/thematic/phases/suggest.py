"""Phase 02, code suggestions: candidate codes, suggestions measured against a coder, review, next."""

from __future__ import annotations

import pandas as pd

from thematic import candidates, figures, suggest
from thematic import suggestion_review as review
from thematic.phases.base import PhaseResult, checked, load, steps_for
from thematic.segments import segment_code_matrix
from thematic.steps import Steps
from thematic.suggest import codebook_texts, flag_unreliable, reliability_by_code, suggestion_metrics

PHASE = "02-code-suggestions"
VERDICTS = ("reliable", "unreliable", "not enough data")


def suggest_codes(data, *, seed: int = 20200701, spacy_model: str = "en_core_web_sm", reference_coder: str = "",
                  reviewing_coder: str = "", cv_folds: int = 5, candidate_topics: int = 8,
                  learning_sizes: list[int] | None = None, use_embeddings: bool = False,
                  export_for_review: bool = False, next_segments: int = 40, n_jobs: int = -1,
                  steps: Steps | None = None) -> PhaseResult:
    """Candidate codes, codebook suggestions measured by grouped cross-validation, and the review loop.

    Parameters
    ----------
    data
        The data folder, its Study or a Dataset.
    seed
        The seed of the topic models, the suggester, the intervals and the learning curve's draws.
    spacy_model
        The pipeline of the candidates' lemmas and noun phrases (and the memos' de-identification).
    reference_coder, reviewing_coder
        Whose coding the model learns from ("": the first coder), and who reviews ("": the same).
    cv_folds, learning_sizes
        Grouped cross-validation folds, and the training sizes of the learning curve.
    candidate_topics
        Inductive candidate codes proposed from the uncoded segments.
    use_embeddings
        Add sentence embeddings to the TF-IDF features.
    export_for_review, next_segments
        Write the suggestions and the next list into the data folder's ``review/`` (with their
        panels), and how many segments the next list holds.
    n_jobs
        Worker processes for the suggester's fits of cross-validation, the learning curve and
        the suggestions' refits (-1: every core; 1: in the kernel). Each fit is seeded, so the
        figures are the same with any number.
    steps
        Where the slow steps are timed and their progress shown.

    Returns
    -------
    PhaseResult
        Sections ``status``, ``candidates``, ``evaluation``, ``per-code``, ``learning-curve``,
        ``review``, ``next`` and ``log``.
    """
    learning_sizes = [100, 300, 1000] if learning_sizes is None else learning_sizes
    checked(PHASE, seed=seed, spacy_model=spacy_model, reference_coder=reference_coder,
            reviewing_coder=reviewing_coder, cv_folds=cv_folds, candidate_topics=candidate_topics,
            learning_sizes=learning_sizes, use_embeddings=use_embeddings, export_for_review=export_for_review,
            next_segments=next_segments, n_jobs=n_jobs)
    steps = steps_for(steps, PHASE)
    dataset = load(data, model=spacy_model)
    out = PhaseResult(PHASE)
    if not dataset.has_codings:
        return out.skipped("**No codings yet.** Code suggestions learn from human coding: add a `codebook.yaml` "
                           "and at least one coder's file under `codings/`, then re-run.")
    units, coded = review.study_units(dataset)  # participants' segments with the question each answers
    coder = reference_coder or dataset.coders[0]
    others = [c for c in dataset.coders if c != coder]
    codes = dataset.codebook.code_ids
    Y = segment_code_matrix(units, coded, coder=coder, codes=codes)
    embedding = "minilm" if use_embeddings else None
    model = review.suggester(dataset, embedding=embedding, seed=seed)
    groups = units["interview_id"].tolist()
    with out.section("candidates"), steps("candidate codes"):
        _candidates(out, dataset, units, coded, n_topics=candidate_topics, seed=seed, model=spacy_model)
    with out.section("evaluation"), steps("cross-validation"):  # and the learning curve's fits, in one pool
        (scores, predicted), curve = suggest.evaluate(model, units, Y, groups, n_splits=cv_folds,
                                                      sizes=learning_sizes, seed=seed, n_jobs=n_jobs)
        summary = suggestion_metrics(Y.to_numpy(), scores, predicted)
        out.table(pd.DataFrame([summary | {"reference_coder": coder, "segments": len(Y),
                                           "coded_segments": int((Y.sum(axis=1) > 0).sum()),
                                           "features": "TF-IDF + sentence embeddings" if embedding else "TF-IDF",
                                           "folds": cv_folds}]),
                  "evaluation-summary", caption="micro and macro averages, precision and recall at 3")
    with out.section("per-code"), steps("per-code intervals"):
        second = segment_code_matrix(units, coded, coder=others[0], codes=codes) if others else None
        per_code = _per_code(out, Y, predicted, groups, second=second, coder=coder, other=others[0] if others else "",
                             seed=seed)
    with out.section("learning-curve"), steps("learning curve"):
        out.table(curve, "learning-curve", caption="grouped CV figures by number of coded segments learnt from")
        out.figure(figures.suggestion_learning_curve(curve), "learning-curve")
    reviewer = reviewing_coder or coder
    with out.section("review"), steps("suggestions for review"):
        table, _ = review.build_suggestions(dataset, learn_from=coder, reviewer=reviewer, seed=seed,
                                            embedding=embedding, reliability=per_code, units=(units, coded),
                                            model=model, n_jobs=n_jobs)
        out.table(table.drop(columns=["text", "decision", "note"]), "suggestions-for-review",
                  caption=f"for {reviewer}, best first (model {table['model'].iloc[0] if len(table) else '-'})",
                  max_rows=25)
        if export_for_review:
            path = review.export_suggestions(table, review.suggestions_path(dataset.study, reviewer))
            out.widget(lambda: review.review_panel(path), interactive_only=False)
    with out.section("next"), steps("what to code next"):
        _next(out, dataset, reviewer=reviewer, n=next_segments, seed=seed, embedding=embedding, units=(units, coded),
              model=model, export=export_for_review)
    with out.section("log"):
        log = review.read_log(dataset.study)
        if log.empty:
            out.note("No suggestions reviewed yet.")
        else:
            out.table(review.log_summary(log), "review-summary", caption="decisions per coder and code")
            out.table(log.drop(columns=["note"]), "review-log", caption="every decision applied, oldest first")
    out.values.update(dataset=dataset, units=units, coded=coded, Y=Y, model=model, per_code=per_code,
                      suggestions=table)
    return out


def _candidates(out: PhaseResult, dataset, units, coded, *, n_topics: int, seed: int, model: str) -> None:
    uncoded = units[~units["segment_id"].isin(coded["segment_id"])].reset_index(drop=True)
    if len(uncoded) < 2 * n_topics:
        out.note(f"Only {len(uncoded)} uncoded participant segments: too few for {n_topics} candidates.")
        return
    found, exemplars = candidates.candidate_codes(uncoded, n_topics=n_topics, seeds=[seed + i for i in range(5)],
                                                  code_texts=codebook_texts(dataset.codebook), model=model)
    out.note(f"{len(uncoded)} of {len(units)} participant segments are uncoded by every coder.")
    out.table(found, "candidate-codes", caption="inductive candidates: top terms, groups, stability, "
              "closest existing code")
    out.table(exemplars, "candidate-exemplars", caption="the five segments most typical of each candidate")


def _per_code(out: PhaseResult, Y, predicted, groups, *, second, coder: str, other: str, seed: int) -> pd.DataFrame:
    per_code = flag_unreliable(reliability_by_code(Y, predicted, groups, Y_other=second, seed=seed))
    if second is None:
        out.note("Only one coder: no coder-vs-coder kappa to compare with.")
    out.table(per_code, "evaluation-per-code",
              caption=f"per code against {coder}; kappa of {other or 'no second coder'} vs {coder} alongside")
    out.figure(figures.kappa_model_vs_coder(per_code), "kappa-per-code")
    out.figure(figures.metric_by_code(per_code, metric="f1", title="F1 of suggestions per code"), "f1-per-code")
    verdicts = per_code["verdict"].value_counts()
    out.note("By the rule above: " + ", ".join(f"**{verdicts.get(v, 0)}** {v}" for v in VERDICTS)
             + f" of {len(per_code)} codes.")
    return per_code


def _next(out: PhaseResult, dataset, *, reviewer: str, n: int, seed: int, embedding, units, model,
          export: bool) -> None:
    upcoming = review.build_next(dataset, coder=reviewer, n=n, seed=seed, embedding=embedding, units=units,
                                 model=model)
    if upcoming.empty:
        out.note(f"Nothing to code next: every participant segment counts as coded by {reviewer}.")
        return
    out.table(upcoming.drop(columns=["text", "codes", "note"]), "code-next",
              caption=f"for {reviewer}: the segments whose coding would teach the model most")
    if export:
        path = review.export_next(upcoming, review.next_path(dataset.study, reviewer))
        codes = dataset.codebook.code_ids
        out.widget(lambda: review.next_panel(path, codes=codes), interactive_only=False)
