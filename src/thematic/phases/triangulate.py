"""Phase 04, triangulation: themes across groups, convergence, waves, scopes apart, quotes, member check."""

from __future__ import annotations

import pandas as pd

from thematic import figures, membercheck, methods, quotes, triangulate
from thematic.phases.base import PhaseResult, checked, load, steps_for
from thematic.segments import code_segments, combine_coders, segment_turns
from thematic.steps import Steps

PHASE = "04-triangulation"
DEFAULT_CONVERGENCE = {"salient_ratio": 0.75, "salient_participant_share": 0.5, "silent_talk_share": 0.005,
                       "silent_participant_share": 0.0, "stance_majority": 0.65, "stance_min_segments": 3,
                       "meaning_stance_gap": 0.3, "meaning_code_similarity": 0.5, "meaning_min_segments": 3,
                       "volume_measure": "participant_mean"}
DEFAULT_QUOTES = {"per_group": 2, "max_words": 60, "min_words": 12}


def triangulate_themes(data, *, seed: int = 20200701, spacy_model: str = "en_core_web_sm",
                       coding_rule: str = "union", n_boot: int = 1000, min_wave_participants: int = 4,
                       convergence_rules: dict | None = None, quote_rules: dict | None = None,
                       known_names: str = "known-names.yaml", n_jobs: int = 1,
                       steps: Steps | None = None) -> PhaseResult:
    """Each theme compared across the stakeholder groups, over time, with quotes and the member check.

    Parameters
    ----------
    data
        The data folder, its Study or a Dataset.
    seed, n_boot, min_wave_participants
        The resamples of participants behind the intervals of wave change, and the fewest
        people interviewed twice for a verdict.
    spacy_model
        The pipeline de-identifying the memos, comments and codebook prose shown.
    coding_rule
        How the coders' spans combine.
    convergence_rules, quote_rules
        The rules of convergence and of quote selection (None: the defaults).
    known_names
        The known-names file (relative to the data folder) the quote check uses; "" for patterns only.
    n_jobs
        Worker processes finding quote candidates, one interview each (-1: every core).
    steps
        Where the bootstraps are timed and their progress shown.

    Returns
    -------
    PhaseResult
        Sections ``status``, ``scope``, ``salience``, ``convergence``, ``waves``, ``apart``,
        ``quotes``, ``member-check`` (with its documents) and ``register``.
    """
    convergence_rules = DEFAULT_CONVERGENCE if convergence_rules is None else convergence_rules
    quote_rules = DEFAULT_QUOTES if quote_rules is None else quote_rules
    checked(PHASE, seed=seed, spacy_model=spacy_model, coding_rule=coding_rule, n_boot=n_boot,
            min_wave_participants=min_wave_participants, convergence_rules=convergence_rules,
            quote_rules=quote_rules, known_names=known_names, n_jobs=n_jobs)
    steps = steps_for(steps, PHASE)
    dataset = load(data, model=spacy_model)
    out = PhaseResult(PHASE)
    if not dataset.has_codings:
        return out.skipped("**No codings yet.** Triangulation compares coded themes across groups: add a "
                           "codebook and codings, then re-run.")
    segments = segment_turns(dataset)
    interviews = segments["interview_id"].nunique()
    final = combine_coders(code_segments(segments, dataset.codings), rule=coding_rule)
    spans = triangulate.coded_spans(dataset.codings, final, segments, rule=coding_rule)
    scopes, groups = dataset.scopes, figures.Groups.of(dataset)
    located = triangulate.locate_spans(spans, segments, dataset.codebook, scopes=scopes)
    names = {t.id: t.name for t in dataset.codebook.themes}
    register: list[dict] = []
    with out.section("scope"):
        _scope(out, dataset, located)
    with out.section("salience"):
        matrix = out.table(triangulate.salience(located, segments, dataset.codebook, level="theme", scopes=scopes,
                                                group_order=dataset.groups),
                           "theme-by-group", caption="presence, coded volume and share of talk per theme and group "
                                                     "(scoped)")
        out.figure(figures.salience_heatmap(matrix, names, groups=groups), "theme-by-group")
        by_code = triangulate.salience(located, segments, dataset.codebook, level="code", scopes=scopes,
                                       group_order=dataset.groups)
        out.table(by_code[by_code["in_scope"]], "code-by-group", caption="the same per code (in-scope cells only)",
                  max_rows=40)
        register.append(methods.register_entry(
            "coded share of talk per theme and group (presence, volume)", shown_in="04 theme-by-group",
            unit="characters of participants' talk", units=int(matrix.drop_duplicates("group")["talk_chars"].sum()),
            interviews=interviews))
    with out.section("convergence"):
        rules = triangulate.ConvergenceRules.from_parameters(convergence_rules)
        profiles, pairs, overall = _convergence(out, dataset, matrix, by_code, rules, names)
        register.append(methods.register_entry(
            "convergence code per theme and pair of groups", shown_in="04 convergence-pairs",
            unit="theme x pair of groups (coded characters)", units=int((pairs["convergence"] != "out of scope").sum()),
            interviews=interviews))
    with out.section("waves"), steps("wave change intervals"):
        waves = triangulate.wave_change(located, segments, dataset.codebook, scopes=scopes, n_boot=n_boot, seed=seed,
                                        min_participants=min_wave_participants, group_order=dataset.groups)
        _waves(out, dataset, waves, n_boot=n_boot, seed=seed)
        register += methods.wave_entries(waves, shown_in="04 waves", n_boot=n_boot, seed=seed) if len(waves) else []
    with out.section("apart"):
        for scope, table in triangulate.scopes_apart(by_code, dataset.codebook).items():
            out.table(table, f"scope-{scope}", caption=f"themes of scope {scope!r}, by code, in the groups it covers")
    with out.section("quotes"), steps("quote selection"):
        chosen = _quotes(out, dataset, located, quote_rules=quote_rules, known_names=known_names, n_jobs=n_jobs)
    with out.section("member-check"):
        _member_check(out, dataset, chosen, overall, profiles)
    with out.section("register"):
        mine = out.table(methods.statistics_register(register), methods.REGISTER,
                         caption="unit, n, interval method and seed of every statistic in this notebook")
        out.report_table("statistics-register-all",
                         lambda report_dir: methods.collect_registers(report_dir, phase=PHASE, current=mine),
                         caption="every statistic of the report in one table")
    out.values.update(dataset=dataset, segments=segments, located=located, pairs=pairs, waves=waves, quotes=chosen)
    return out


def _scope(out: PhaseResult, dataset, located: pd.DataFrame) -> None:
    exclusions = out.table(triangulate.scope_exclusions(located, dataset.codebook, dataset.groups), "scope",
                           caption="codings kept and excluded by the codebook's scope rules")
    excluded = int(exclusions["codings_excluded"].sum())
    out.table(triangulate.shared_themes(dataset.codebook, dataset.scopes), "shared-themes",
              caption="which groups each theme applies to")
    scope_rules = ", ".join(f"{group} → {scope or 'every theme'}" for group, scope in dataset.scopes.items())
    out.note("Scope rules (study.yaml): {rules}. {excluded} of {total} codings fell outside their theme's scope "
             "and are left out of everything below.", rules=scope_rules, excluded=excluded,
             total=excluded + int(exclusions["codings_kept"].sum()))
    basis = triangulate.comparison_basis(dataset.codebook, dataset.scopes)
    if basis:
        out.note(basis)


def _convergence(out: PhaseResult, dataset, matrix, by_code, rules, names):
    out.table(rules.table(), "convergence-rules", caption="the rules in force (parameter convergence_rules)")
    profiles = triangulate.group_profiles(matrix, rules, codes=by_code)
    out.table(profiles[profiles["prominence"] != "out of scope"].drop(columns="code_profile"), "group-profiles",
              caption="prominence, stance and codes used of each theme in each group, with the evidence")
    pairs = triangulate.convergence(profiles, rules, group_order=dataset.groups)
    out.figure(figures.convergence_matrix(pairs, names, groups=figures.Groups.of(dataset)), "convergence-matrix")
    out.table(triangulate.protocol_table(rules), "convergence-protocol",
              caption="how each cell of the matrix is decided, with the thresholds in force")
    out.table(triangulate.convergence_counts(pairs), "convergence-counts",
              caption="theme x pair comparisons per convergence code")
    out.note(triangulate.convergence_summary(pairs, profiles, rules))
    out.table(pairs[pairs["convergence"] != "out of scope"], "convergence-pairs",
              caption="convergence code of each theme for each pair of groups: prominence and meaning compared "
                      "separately")
    overall = out.table(triangulate.theme_convergence(pairs, profiles, dataset.codebook), "convergence-by-theme",
                        caption="a global assessment per theme across the groups it applies to")
    return profiles, pairs, overall


def _waves(out: PhaseResult, dataset, waves: pd.DataFrame, *, n_boot: int, seed: int) -> None:
    if waves.empty:
        out.note("No participant was interviewed in more than one wave: nothing to compare over time.")
        return
    out.table(waves, "waves", caption="first wave against last, per group interviewed more than once and theme, "
                                      f"with 95% intervals ({n_boot} resamples of participants, seed {seed})")
    for group, part in waves.groupby("group", sort=False):
        out.figure(figures.wave_change_chart(part, group_label=dataset.settings.plural(group)), f"waves-{group}")
        out.note(triangulate.wave_summary(part, group=group))


def _quotes(out: PhaseResult, dataset, located, *, quote_rules: dict, known_names: str, n_jobs: int) -> pd.DataFrame:
    names_found, names_path = quotes.known_names_for(dataset.study, known_names)
    out.note("Identifier check: {count} known names from `{file}` and identifier patterns."
             if names_path else "Identifier check: no known-names file found; identifier patterns only.",
             count=len(names_found), file=names_path.name if names_path else "")
    chosen, set_aside = quotes.select_quotes(located, dataset.texts,
                                             rules=quotes.QuoteRules.from_parameters(quote_rules),
                                             check=quotes.identifier_check(names_found), group_order=dataset.groups,
                                             n_jobs=n_jobs)
    trace = quotes.verify_quotes(chosen, dataset.texts)
    out.table(chosen[["quote_id", "theme", "group", "attribution", "interview_id", "pieces", "words", "score",
                      "participants_with_candidates", "quote"]], "quotes",
              caption=f"{len(chosen)} quotes; {int(trace['traceable'].sum())} re-derived exactly from their offsets")
    out.table(set_aside, "quotes-set-aside", caption="candidates the identifier check rejected (offsets only)")
    return chosen


def _member_check(out: PhaseResult, dataset, chosen, overall, profiles) -> None:
    summary = membercheck.build_summary(dataset.codebook, chosen, convergence=overall, profiles=profiles,
                                        group_names={g: dataset.settings.plural(g) for g in dataset.groups},
                                        scopes=dataset.scopes)
    out.note(f"Member-check document `{summary['document_id']}`: {len(summary['themes'])} themes, "
             f"{len(chosen)} quotes, {len(membercheck.item_ids(summary))} items to comment on.")
    out.document("member-check", lambda folder: membercheck.write_member_check(summary, folder))
    comments = membercheck.published_comments(dataset)
    if len(comments):
        comments["on_this_document"] = comments["document_id"] == summary["document_id"]
        out.table(comments.drop(columns=["source_sha256"]), "member-check-comments",
                  caption="comments recorded from the member check (the audit trail)")
    else:
        out.note("No member-check comments recorded yet.")
