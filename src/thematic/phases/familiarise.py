"""Phase 01, familiarisation: the corpus, talk per interview, vocabulary, keyword in context, memos."""

from __future__ import annotations

import functools

import pandas as pd

from thematic import familiarise as corpus
from thematic import figures, kwic, vocabulary
from thematic.cache import SPACY_LIBRARIES, cache_results
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
    options = dict(spacy_model=spacy_model, top_n_terms=top_n_terms, min_term_count=min_term_count,
                   include_interviewer=include_interviewer, kwic_query=kwic_query, kwic_window=kwic_window)
    found, read = vocabulary_and_context.peek(dataset.texts, segments, **options)
    if not found:
        read = vocabulary_and_context.uncached(dataset.texts, segments, n_jobs=n_jobs, steps=steps, **options)
        vocabulary_and_context.put(read, dataset.texts, segments, **options)
    tables = read["tables"]
    with out.section("parsing"):
        out.table(tables["spacy-pipeline"], "spacy-pipeline",
                  caption="the pipeline that parsed the text and the components run")
        out.note("{summary}", summary=read["summary"] if not found else _reused_summary(read))
    with out.section("frequent"):
        _frequent(out, tables, groups, top_n=top_n_terms)
    with out.section("distinctive"):
        _distinctive(out, tables, groups, top_n=top_n_terms)
    parsed = _Parsed(dataset.texts, segments, spacy_model=spacy_model, n_jobs=n_jobs)
    with out.section("kwic"):
        out.widget(lambda: kwic.search_box(parsed.concordance, query=kwic_query, window=kwic_window,
                                           include_interviewer=include_interviewer))
        out.table(tables["kwic-per-group"], "kwic-per-group",
                  caption=f"'{kwic_query}': hits, interviews and participants per group")
        out.table(tables["kwic"], "kwic", caption=f"'{kwic_query}' in context ({kwic_window} characters each "
                                                   "side; offsets into the de-identified text)")
    with out.section("memos"):
        memos = corpus.load_memos(dataset)
        out.table(corpus.interview_profiles(summary, tables["key-terms"], memos), "interview-profiles",
                  caption="one row per interview: length, talk share, key terms and memo")
        out.table(memos.drop(columns="text"), "memos", caption="familiarisation memos and their SHA-256")
        out.html(corpus.memo_html(memos))
    out.values.update(dataset=dataset, segments=segments, parsed=parsed, hits=read["hits"])
    return out


@cache_results(depends_on=("thematic.vocabulary", "thematic.kwic", "thematic.parse", "thematic.nlp"),
               libraries=SPACY_LIBRARIES, ignore=("n_jobs", "steps"))
def vocabulary_and_context(texts: dict[str, str], segments: pd.DataFrame, *, spacy_model: str, top_n_terms: int,
                           min_term_count: int, include_interviewer: bool, kwic_query: str, kwic_window: int,
                           n_jobs: int = 1, steps: Steps | None = None) -> dict:
    """What phase 01 reads from the parses of *texts*: the vocabulary's tables, the keyword in
    context and each interview's key terms, with the pipeline that parsed them.

    Cached by the texts, the segments, the options, the code of the modules that compute them
    and the spaCy versions (:func:`thematic.cache.cached`), so a warm run neither loads the
    pipeline nor reads a parse. *n_jobs* and *steps* (where parsing and the vocabulary are timed)
    change how the result is computed, never what it is.

    Returns
    -------
    dict
        ``tables`` (by the names the phase shows them under, and ``key-terms``), ``hits`` (the
        keyword-in-context :class:`~thematic.kwic.Hit` list), ``summary`` (what parsing did),
        ``documents``, ``pipeline`` (its label) and ``components`` (those run).
    """
    steps = steps_for(steps, PHASE)
    nlp = load_pipeline(spacy_model)
    parser = DocParser(nlp, needs=vocabulary.PARSE_NEEDS, n_jobs=n_jobs, progress=False)
    with steps("parsing", total=len(texts)) as advance:
        docs = parser.parse_transcripts(texts, advance=advance)
    tables = {"spacy-pipeline": pd.DataFrame([describe(nlp) | {"components_run": ", ".join(parser.components)}])}
    with steps("vocabulary") as advance:
        occurrences = vocabulary.term_occurrences(docs, segments)
        advance(len(docs))
        options = dict(top_n=top_n_terms, include_interviewer=include_interviewer)
        for name, by, kind in (("frequent-lemmas-overall", None, "lemma"), ("frequent-phrases-overall", None, "phrase"),
                               ("frequent-terms", "group", "lemma"), ("frequent-phrases", "group", "phrase")):
            tables[name] = vocabulary.frequent_terms(occurrences, segments, by=by, kind=kind, **options)
        distinct = vocabulary.distinctive_terms(occurrences, top_n=top_n_terms, min_count=min_term_count,
                                                include_interviewer=include_interviewer)
        tables["distinctive-lemmas"] = distinct
        tables["distinctive-phrases"] = vocabulary.distinctive_terms(
            occurrences, kind="phrase", top_n=top_n_terms, min_count=2, include_interviewer=include_interviewer)
        tables["term-group-rates"] = vocabulary.term_rates(
            occurrences, segments, terms=vocabulary.leading_terms(distinct, per_group=6),
            include_interviewer=include_interviewer)
    hits = kwic.Concordance(docs, segments, tokenizer=nlp.tokenizer).search(
        kwic_query, window=kwic_window, include_interviewer=include_interviewer)
    tables["kwic-per-group"] = kwic.hits_per_group(hits)
    tables["kwic"] = kwic.hits_table(hits)[["interview_id", "label", "wave", "start", "end", "left", "match", "right"]]
    tables["key-terms"] = vocabulary.key_terms_per_interview(occurrences, include_interviewer=include_interviewer)
    return {"tables": tables, "hits": hits, "summary": parser.summary(), "documents": len(texts),
            "pipeline": parser.pipeline, "components": parser.components}


def _reused_summary(read: dict) -> str:
    """The parsing note of a run that found phase 01's results in the cache (nothing parsed)."""
    components = ", ".join(read["components"]) or "tokenizer only"
    return (f"{read['documents']} document(s) with {read['pipeline']} ({components}): vocabulary and keyword "
            "in context read from the results cache, 0 parsed")


class _Parsed:
    """The parsed transcripts and their concordance, parsed (through the parse cache) when first
    asked for: the search box of a live session needs them, a report run never does."""

    def __init__(self, texts: dict[str, str], segments: pd.DataFrame, *, spacy_model: str, n_jobs: int):
        self._texts, self._segments, self._model, self._n_jobs = texts, segments, spacy_model, n_jobs

    @functools.cached_property
    def nlp(self):
        return load_pipeline(self._model)

    @functools.cached_property
    def docs(self) -> dict:
        """``{interview_id: Doc}`` with the components the vocabulary needs."""
        parser = DocParser(self.nlp, needs=vocabulary.PARSE_NEEDS, n_jobs=self._n_jobs, progress=False)
        return parser.parse_transcripts(self._texts)

    @functools.cached_property
    def concordance(self) -> kwic.Concordance:
        return kwic.Concordance(self.docs, self._segments, tokenizer=self.nlp.tokenizer)


def _frequent(out: PhaseResult, tables: dict, groups, *, top_n: int) -> None:
    out.table(tables["frequent-lemmas-overall"], "frequent-lemmas-overall", caption=f"top {top_n} lemmas, all groups")
    out.table(tables["frequent-phrases-overall"], "frequent-phrases-overall",
              caption=f"top {top_n} noun phrases, all groups")
    terms = out.table(tables["frequent-terms"], "frequent-terms", caption=f"top {top_n} lemmas per group")
    out.figure(figures.terms_by_group(terms, groups=groups), "frequent-terms")
    out.table(tables["frequent-phrases"], "frequent-phrases", caption=f"top {top_n} noun phrases per group")


def _distinctive(out: PhaseResult, tables: dict, groups, *, top_n: int) -> None:
    distinct = out.table(tables["distinctive-lemmas"], "distinctive-lemmas",
                         caption="lemmas most distinctive of each group (log-odds z vs the rest)")
    out.figure(figures.distinctive_terms(distinct, groups=groups), "distinctive-lemmas")
    out.table(tables["distinctive-phrases"], "distinctive-phrases",
              caption="noun phrases most distinctive of each group (said at least twice)")
    rates = out.table(tables["term-group-rates"], "term-group-rates",
                      caption="uses per 1,000 words of each group's six most distinctive lemmas")
    out.figure(figures.term_group_heatmap(rates, groups=groups), "term-group-heatmap")
