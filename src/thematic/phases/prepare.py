"""Phase 00, prepare: what the data folder holds, the de-identification audit, the coding units."""

from __future__ import annotations

from thematic import familiarise, figures, methods, review, transcripts
from thematic.phases.base import PhaseResult, checked, load, steps_for
from thematic.segments import segment_turns
from thematic.steps import Steps

PHASE = "00-prepare"


def prepare(data, *, spacy_model: str = "en_core_web_sm", deidentify_audit: bool = True, n_jobs: int = 1,
            steps: Steps | None = None) -> PhaseResult:
    """Inventory, synthetic-data statement, de-identification audit and coding units of a study.

    Parameters
    ----------
    data
        The data folder, its :class:`~thematic.study.Study` or a loaded Dataset (interviews not
        yet de-identified are allowed and listed).
    spacy_model
        The pipeline the de-identification audit runs with.
    deidentify_audit
        Re-run de-identification on ``raw/`` in memory and score it (nothing is written).
    n_jobs
        Worker processes of the audit, one transcript each (-1: every core; joblib's Dask
        backend when one is active: ``docs/report-and-scale.md``).
    steps
        Where the slow steps are timed and their progress shown.

    Returns
    -------
    PhaseResult
        Sections ``inputs``, ``audit`` and ``units``; ``values["segments"]`` holds the units.
    """
    checked(PHASE, spacy_model=spacy_model, deidentify_audit=deidentify_audit, n_jobs=n_jobs)
    steps = steps_for(steps, PHASE)
    dataset = load(data, model=None)
    out = PhaseResult(PHASE)
    with out.section("inputs"):
        out.table(dataset.inventory(), "inventory", caption="inputs found in the data folder")
        for warning in dataset.warnings:
            out.note("**Warning:** {warning}", warning=warning)
        if dataset.not_deidentified:
            out.note("**{count} interview(s) have no de-identified text yet** ({ids}). They are left out of every "
                     "analysis until they are de-identified and reviewed.", count=len(dataset.not_deidentified),
                     ids=", ".join(dataset.not_deidentified))
        statement = methods.methods_statement(methods.synthetic_declaration(dataset.settings),
                                              coders=dataset.coders if dataset.has_codings else [],
                                              interviews=len(dataset.interviews))
        if statement:
            out.note(statement)
    with out.section("audit"):
        if deidentify_audit and (dataset.root / "raw").is_dir():
            with steps("de-identification audit") as advance:  # no count while it runs: elapsed time
                audit = review.deidentify_folder(dataset.study, model=spacy_model, write=False, n_jobs=n_jobs,
                                                 dataset=dataset)
                advance(len(dataset.interviews))
            _audit(out, dataset, audit)
        else:
            out.note("No de-identification audit: `raw/` is absent or `deidentify_audit` is off.")
    with out.section("units"):
        segments = segment_turns(dataset)
        header_table = transcripts.headers(dataset.texts)
        if len(header_table):
            out.table(header_table, "transcript-headers", caption="text before the first turn (and after the "
                      "last) of the de-identified transcripts: never coded")
        summary = familiarise.interview_table(dataset.interviews, segments)
        out.table(summary, "interviews", caption="one row per interview, with turns and words after segmentation")
        if len(segments):
            out.table(familiarise.units_by_group(segments), "segments-by-group",
                      caption="coding units per stakeholder group and speaker")
            out.figure(figures.words_per_interview(summary.dropna(subset=["words"]), groups=figures.Groups.of(dataset)),
                       "words-per-interview")
    out.values.update(dataset=dataset, segments=segments)
    return out


def _audit(out: PhaseResult, dataset, audit: review.FolderResult) -> None:
    by_detector = review.audit_summary(audit.identifiers)
    out.table(by_detector, "deidentification-by-detector",
              caption="identifiers found in raw/ per type and detector (no original text)")
    if len(by_detector):
        out.figure(figures.identifiers_by_type(by_detector), "identifiers-by-type")
    out.table(audit.review_status, "deidentification-review",
              caption=f"researcher review of the findings ({audit.review_file.name})")
    out.note(f"{len(audit.unchanged)} of {len(audit.unchanged) + len(audit.changed)} committed "
             "de-identified texts are exactly what this run produces; the others differ (for "
             "instance by reviewed decisions or placeholder wording) and are kept as committed.")
    gold_path = dataset.study.gold_file
    if gold_path.exists():
        out.table(review.score_against_gold(audit.identifiers, review.read_gold(gold_path)), "deidentification-vs-gold",
                  caption="recall (identifier fully covered) and precision (finding overlaps an identifier) per "
                          "type against the gold standard")
