"""Phase 01, familiarisation: the corpus, talk per interview, vocabulary, keyword in context, memos."""

from __future__ import annotations

import pandas as pd

from thematic import familiarise as corpus
from thematic import figures, kwic, vocabulary
from thematic.nlp import describe, load_pipeline
from thematic.parse import DocParser
from thematic.phases.base import PhaseResult, checked, load, steps_for
from thematic.segments import segment_turns
from thematic.steps import Steps

PHASE = "01-familiarisation"


def familiarise(data, *, spacy_model: str = "en_core_web_sm", top_n_terms: int = 12, min_term_count: int = 3,
                include_interviewer: bool = False, kwic_query: str = "consultation", kwic_window: int = 70,
                n_jobs: int = 1, steps: Steps | None = None) -> PhaseResult:
    """Everything Braun and Clarke's first phase reads, for one study.

    Parameters
    ----------
    data
        The data folder, its Study or a Dataset.
    spacy_model, n_jobs
        The pipeline that parses the transcripts, and its worker processes.
    top_n_terms, min_term_count, include_interviewer
        Terms per group, the least count of a distinctive term, whether interviewer speech counts.
    kwic_query, kwic_window
        The word or phrase shown in context, and the characters of context on each side.
    steps
        Where the slow steps (parsing, vocabulary) are timed and their progress shown.

    Returns
    -------
    PhaseResult
        Sections ``corpus``, ``talk``, ``parsing``, ``frequent``, ``distinctive``, ``kwic`` and
        ``memos``; in a live session the ``kwic`` section also holds the search box.
    """
    checked(PHASE, spacy_model=spacy_model, top_n_terms=top_n_terms, min_term_count=min_term_count,
            include_interviewer=include_interviewer, kwic_query=kwic_query, kwic_window=kwic_window, n_jobs=n_jobs)
    steps = steps_for(steps, PHASE)
    dataset = load(data, model=spacy_model)
    segments = segment_turns(dataset)
    groups = figures.Groups.of(dataset)
    out = PhaseResult(PHASE)
    with out.section("corpus"):
        out.table(corpus.methods_table(dataset, segments), "methods-table",
                  caption="participants, interviews and interview duration per stakeholder group (cite in Methods)")
        out.table(corpus.participants_by_role(dataset), "participants-by-role",
                  caption="participants and interviews per group and role, with the waves interviewed")
        out.table(corpus.corpus_overview(dataset, segments), "corpus-overview",
                  caption="participants, interviews, duration (minutes: mean, median, range) and participant "
                          "words per group")
        if dataset.has_durations:
            out.figure(figures.duration_by_group(dataset.interviews.dropna(subset=["duration_min"]), groups=groups),
                       "duration-by-group")
        else:
            out.note("No interview durations in `interviews.csv`: the duration figure is left out.")
    with out.section("talk"):
        summary = out.table(corpus.interview_summary(segments, interviews=dataset.interviews), "talk-per-interview",
                            caption="turns, words and the participant's share of words per interview")
        out.figure(figures.talk_share(summary, groups=groups), "talk-share")
    with out.section("parsing"):
        nlp = load_pipeline(spacy_model)
        parser = DocParser(nlp, needs=vocabulary.PARSE_NEEDS, n_jobs=n_jobs, progress=False)
        with steps("parsing", total=len(dataset.texts)) as advance:
            docs = parser.parse_transcripts(dataset.texts, advance=advance)
        out.table(pd.DataFrame([describe(nlp) | {"components_run": ", ".join(parser.components)}]),
                  "spacy-pipeline", caption="the pipeline that parsed the text and the components run")
        out.note("{summary}", summary=parser.summary())
    with steps("vocabulary") as advance:
        occurrences = vocabulary.term_occurrences(docs, segments)
        advance(len(docs))
        with out.section("frequent"):
            _frequent(out, occurrences, segments, groups, top_n=top_n_terms, include_interviewer=include_interviewer)
        with out.section("distinctive"):
            _distinctive(out, occurrences, segments, groups, top_n=top_n_terms, min_count=min_term_count,
                         include_interviewer=include_interviewer)
    with out.section("kwic"):
        concordance = kwic.Concordance(docs, segments, tokenizer=nlp.tokenizer)
        out.widget(lambda: kwic.search_box(concordance, query=kwic_query, window=kwic_window,
                                           include_interviewer=include_interviewer))
        hits = concordance.search(kwic_query, window=kwic_window, include_interviewer=include_interviewer)
        out.table(kwic.hits_per_group(hits), "kwic-per-group",
                  caption=f"'{kwic_query}': hits, interviews and participants per group")
        out.table(kwic.hits_table(hits)[["interview_id", "label", "wave", "start", "end", "left", "match", "right"]],
                  "kwic", caption=f"'{kwic_query}' in context ({kwic_window} characters each side; offsets into "
                                  "the de-identified text)")
    with out.section("memos"):
        memos = corpus.load_memos(dataset)
        key_terms = vocabulary.key_terms_per_interview(occurrences, include_interviewer=include_interviewer)
        out.table(corpus.interview_profiles(summary, key_terms, memos), "interview-profiles",
                  caption="one row per interview: length, talk share, key terms and memo")
        out.table(memos.drop(columns="text"), "memos", caption="familiarisation memos and their SHA-256")
        out.html(corpus.memo_html(memos))
    out.values.update(dataset=dataset, segments=segments, docs=docs, concordance=concordance, hits=hits)
    return out


def _frequent(out: PhaseResult, occurrences, segments, groups, *, top_n: int, include_interviewer: bool) -> None:
    options = dict(top_n=top_n, include_interviewer=include_interviewer)
    out.table(vocabulary.frequent_terms(occurrences, segments, by=None, **options), "frequent-lemmas-overall",
              caption=f"top {top_n} lemmas, all groups")
    out.table(vocabulary.frequent_terms(occurrences, segments, by=None, kind="phrase", **options),
              "frequent-phrases-overall", caption=f"top {top_n} noun phrases, all groups")
    terms = out.table(vocabulary.frequent_terms(occurrences, segments, by="group", **options), "frequent-terms",
                      caption=f"top {top_n} lemmas per group")
    out.figure(figures.terms_by_group(terms, groups=groups), "frequent-terms")
    out.table(vocabulary.frequent_terms(occurrences, segments, by="group", kind="phrase", **options),
              "frequent-phrases", caption=f"top {top_n} noun phrases per group")


def _distinctive(out: PhaseResult, occurrences, segments, groups, *, top_n: int, min_count: int,
                 include_interviewer: bool) -> None:
    distinct = out.table(vocabulary.distinctive_terms(occurrences, top_n=top_n, min_count=min_count,
                                                      include_interviewer=include_interviewer),
                         "distinctive-lemmas", caption="lemmas most distinctive of each group (log-odds z vs the rest)")
    out.figure(figures.distinctive_terms(distinct, groups=groups), "distinctive-lemmas")
    out.table(vocabulary.distinctive_terms(occurrences, kind="phrase", top_n=top_n, min_count=2,
                                           include_interviewer=include_interviewer),
              "distinctive-phrases", caption="noun phrases most distinctive of each group (said at least twice)")
    top = vocabulary.leading_terms(distinct, per_group=6)
    rates = out.table(vocabulary.term_rates(occurrences, segments, terms=top, include_interviewer=include_interviewer),
                      "term-group-rates", caption="uses per 1,000 words of each group's six most distinctive lemmas")
    out.figure(figures.term_group_heatmap(rates, groups=groups), "term-group-heatmap")
