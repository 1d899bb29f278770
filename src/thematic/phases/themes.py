"""Phase 03, theme mapping: agreement, disagreements, consensus, Table 1, prevalence, the map."""

from __future__ import annotations

import pandas as pd

from thematic import consensus, figures, methods, themes
from thematic.agreement import POOLED, agreement_table, disagreements, reliability, unit_sensitivity
from thematic.phases.base import PhaseResult, checked, load, steps_for
from thematic.segments import code_segments, combine_coders, segment_turns
from thematic.steps import Steps

PHASE = "03-theme-mapping"
UNITS = ("turn", "sentence", "character")


def map_themes(data, *, seed: int = 20200701, spacy_model: str = "en_core_web_sm", coding_rule: str = "union",
               agreement_unit: str = "turn", n_boot: int = 1000, adjudication_file: str = "adjudication.csv",
               reliability_statistic: str = "krippendorff_alpha", reliability_bar: float = 0.667,
               steps: Steps | None = None) -> PhaseResult:
    """Agreement between the coders, the consensus coding and the themes it evidences.

    Parameters
    ----------
    data
        The data folder, its Study or a Dataset.
    seed, n_boot
        The seed and number of the participant resamples behind every interval.
    spacy_model
        The pipeline de-identifying the memos and codebook prose shown.
    coding_rule, adjudication_file
        How coders combine where the adjudication file (if present) does not decide.
    agreement_unit, reliability_statistic, reliability_bar
        The unit agreement is measured on, and the statistic and bar of each code's verdict.
    steps
        Where the bootstraps are timed and their progress shown.

    Returns
    -------
    PhaseResult
        Sections ``status``, ``data``, ``hierarchy``, ``agreement``, ``units``, ``disagreements``,
        ``consensus`` (with the ``consensus.json`` record), ``table-1``, ``map``, ``levers`` and
        ``register``; ``values["final"]`` is the final coding.
    """
    checked(PHASE, seed=seed, spacy_model=spacy_model, coding_rule=coding_rule, agreement_unit=agreement_unit,
            n_boot=n_boot, adjudication_file=adjudication_file, reliability_statistic=reliability_statistic,
            reliability_bar=reliability_bar)
    steps = steps_for(steps, PHASE)
    dataset = load(data, model=spacy_model)
    out = PhaseResult(PHASE)
    ready = dataset.has_codings and len(dataset.coders) >= 2
    with out.section("status"):
        if not dataset.has_codebook:
            out.note("**No codebook yet.** Add `codebook.yaml` to the data folder; this phase is skipped.")
        elif not dataset.has_codings:
            out.note("**No codings yet.** The codebook is shown; agreement, prevalence and themes need codings.")
        elif not ready:
            out.note("Only one coder's file was found: agreement and consensus need two; the one coding is mapped "
                     "as it is.")
    with out.section("data"):
        statement = methods.methods_statement(methods.synthetic_declaration(dataset.settings),
                                              coders=dataset.coders if dataset.has_codings else [],
                                              interviews=len(dataset.interviews))
        out.note(statement or "The data folder does not declare itself synthetic (`study.yaml`): the codings are "
                 "reported as the coders' own.")
    with out.section("hierarchy"):
        if dataset.has_codebook:
            out.table(themes.code_hierarchy(dataset.codebook), "code-hierarchy",
                      caption="themes, their codes, and each code's kind (activity, barrier or facilitator)")
    if not dataset.has_codings:
        return out
    segments = segment_turns(dataset)
    coded = code_segments(segments, dataset.codings)
    register: list[dict] = []
    final = combine_coders(coded, rule="union")
    if ready:
        options = dict(seed=seed, n_boot=n_boot, statistic=reliability_statistic)
        with out.section("agreement"), steps("agreement intervals"):
            agreement = _agreement(out, dataset, segments, unit=agreement_unit, bar=reliability_bar, **options)
        register += methods.agreement_entries(agreement, shown_in="03 agreement-per-code", n_boot=n_boot, seed=seed)
        with out.section("units"), steps("agreement by unit"):
            register += _by_unit(out, dataset, segments, agreement, **options)
        with out.section("disagreements"):
            to_discuss = disagreements(segments, dataset.codings, dataset.codebook,
                                       unit="sentence" if agreement_unit == "sentence" else "turn")
            out.table(to_discuss, "disagreements", caption=f"{len(to_discuss)} units coded differently, in "
                      "discussion order", max_rows=40)
        with out.section("consensus"):
            final = _consensus(out, dataset, segments, coded, coding_rule=coding_rule,
                               adjudication_file=adjudication_file)
    _themes(out, dataset, segments, final)
    with out.section("register"):
        if ready:
            out.table(methods.statistics_register(register), methods.REGISTER,
                      caption="unit, n, interval method and seed of every statistic in this notebook")
    out.values.update(dataset=dataset, segments=segments, final=final, register=register)
    return out


def _agreement(out: PhaseResult, dataset, segments, *, unit: str, bar: float, seed: int, n_boot: int,
               statistic: str) -> pd.DataFrame:
    agreement = agreement_table(segments, dataset.codings, dataset.codebook, unit=unit, n_boot=n_boot, seed=seed)
    agreement.insert(5, "reliability", reliability(agreement, statistic=statistic, bar=bar))
    out.table(agreement, "agreement-per-code",
              caption=f"{' vs '.join(dataset.coders)}, unit: {unit}, {n_boot} resamples of participants "
                      f"(seed {seed}); reliability read from the lower bound of {statistic} against {bar}")
    verdicts = agreement.loc[agreement["code"] != POOLED, "reliability"].value_counts()
    out.note("Reliability verdicts per code: " + ", ".join(f"{n} {verdict}" for verdict, n in verdicts.items()) + ".")
    out.figure(figures.agreement_intervals(agreement), "agreement-intervals")
    return agreement


def _by_unit(out: PhaseResult, dataset, segments, agreement: pd.DataFrame, *, seed: int, n_boot: int,
             statistic: str) -> list[dict]:
    by_unit = unit_sensitivity(segments, dataset.codings, dataset.codebook, statistic=statistic, n_boot=n_boot,
                               seed=seed)
    out.table(by_unit, "agreement-by-unit", caption=f"{statistic} per code on turns, sentences and characters, "
              f"with 95% intervals ({n_boot} resamples of participants, seed {seed})")
    per_code = by_unit[by_unit["code"] != POOLED]
    pooled = by_unit[by_unit["code"] == POOLED].iloc[0]
    out.note("Mean over codes: " + "; ".join(f"{unit} {per_code[unit].mean():.2f}" for unit in UNITS)
             + f" ({statistic}). Pooled over all codes: "
             + "; ".join(f"{unit} {pooled[unit]:.2f}" for unit in UNITS) + ".")
    overall = agreement[agreement["code"] == POOLED].iloc[0]
    return [methods.register_entry(f"agreement per code on {unit}s ({statistic})", shown_in="03 agreement-by-unit",
                                   unit=unit, units=per_code[f"{unit}_units"], interviews=overall["interviews"],
                                   clusters=overall["clusters"], cluster="participants", n_boot=n_boot, seed=seed)
            for unit in ("sentence", "character")]


def _consensus(out: PhaseResult, dataset, segments, coded, *, coding_rule: str, adjudication_file: str) -> pd.DataFrame:
    adjudication_path = dataset.study.confine(adjudication_file, what="adjudication_file")
    if adjudication_path.exists():
        merged = consensus.build_consensus(coded, rule="adjudication", unresolved=coding_rule,
                                           adjudication=consensus.read_adjudication(adjudication_path,
                                                                                    screen=dataset.screen))
    else:
        merged = consensus.build_consensus(coded, rule=coding_rule)
    out.record(consensus.RECORD_NAME, consensus.record_data(merged))
    record = merged.record
    out.note(f"**Rule:** {record['rule']}"
             + (f" (undecided disagreements: {record['unresolved']})" if record["unresolved"] else "")
             + f". {record['agreed_pairs']} segment-code pairs agreed, {record['disagreements']} disagreements: "
             f"{record['adjudicated']} adjudicated, {record['kept']} kept and {record['dropped']} dropped in all.")
    out.table(merged.decisions, "consensus-decisions", caption="each disagreement, the decision, who made it and why",
              max_rows=30)
    by_rule = {"consensus": merged.final,
               **{rule: combine_coders(coded, rule=rule) for rule in ("union", "intersection")}}
    out.table(themes.rule_sensitivity(by_rule, segments, dataset.codebook), "rule-sensitivity",
              caption="coded segments per theme under each way of combining the coders")
    return merged.final


def _themes(out: PhaseResult, dataset, segments, final: pd.DataFrame) -> None:
    names = {t.id: t.name for t in dataset.codebook.themes}
    with out.section("table-1"):
        out.table(themes.table_one(final, segments, dataset.codebook), "table-1",
                  caption="themes, their codes and evidence; barrier and facilitator codes with coded segments")
        out.table(themes.theme_prevalence(final, segments, dataset.codebook), "theme-prevalence",
                  caption="segments, interviews, participants and groups per theme")
        prevalence = out.table(themes.code_prevalence(final, segments, dataset.codebook), "code-prevalence",
                               caption="segments, interviews, participants and groups per code")
        out.figure(figures.theme_kind_sunburst(prevalence, names), "themes-sunburst")
    with out.section("map"):
        cooccurrence = out.table(themes.code_cooccurrence(final, dataset.codebook), "code-cooccurrence",
                                 caption="pairs of codes in the same segment, by Jaccard similarity", max_rows=25)
        out.figure(figures.thematic_map(prevalence, cooccurrence, names), "thematic-map")
        out.figure(figures.cooccurrence_heatmap(cooccurrence, dataset.codebook.code_ids), "cooccurrence-heatmap")
    with out.section("levers"):
        levers = out.table(themes.barriers_facilitators(final, segments, dataset.codebook), "barriers-facilitators",
                           caption="barrier and facilitator codes per theme")
        for theme in dataset.codebook.themes:
            out.table(themes.barriers_facilitators_side_by_side(levers, theme=theme.id),
                      f"barriers-facilitators-{theme.id}", caption=f"{theme.id}: {theme.name}")
