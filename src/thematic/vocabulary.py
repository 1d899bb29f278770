"""Vocabulary of a corpus: which words and phrases each stakeholder group uses, and which
distinguish it from the others.

The unit is a *term occurrence*: a content lemma (``"visit"`` for *visited*, *visits*) or a
noun phrase reduced to its content lemmas (``"health visitor"`` for *the health visitors*),
with its character offsets in the de-identified transcript and the speaker turn it falls in.
Counting, ranking and keyword-in-context all start from the table :func:`term_occurrences`
builds, so a number in a table can always be traced to the places it was counted.

Distinctive terms are ranked by the weighted log-odds ratio with an informative Dirichlet
prior of Monroe, Colaresi & Quinn (2008, *Political Analysis* 16(4), 372-403), whose
z-score shrinks the evidence of rare terms, so that a word said twice by one person does not
top the list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter

if TYPE_CHECKING:  # spaCy is imported by whoever parses the documents
    from spacy.tokens import Doc, Span, Token

KINDS = ("lemma", "phrase")
#: What to ask :mod:`thematic.parse` for: lemmas and noun phrases (the parser, no NER). The
#: notebook, ``thematic kwic`` and other steps use the same needs, so they share one cache.
PARSE_NEEDS = ("lemmas", "noun_chunks")
#: Words of spoken English that carry little content in an interview transcript; they are
#: left out of term counts on top of spaCy's stop words. Pass ``stop_words=`` to change.
SPOKEN_FILLERS = frozenset({
    "erm", "err", "um", "umm", "uh", "er", "mm", "mmm", "hmm", "yeah", "yep", "yes", "okay", "ok",
    "oh", "ah", "right", "like", "sort", "kind", "bit", "lot", "thing", "stuff", "really",
    "actually", "basically", "obviously", "literally", "mean", "know", "think", "say", "get",
    "go", "gonna", "wanna", "got", "sure", "maybe", "probably", "quite", "little", "lovely",
    "hello", "hiya", "bye", "thank", "thanks", "alright", "cheers",
})
#: Bracketed transcriber notes and de-identification placeholders: ``[inaudible]``, ``[town]``.
BRACKETED = re.compile(r"\[[^\]\n]*\]")
OCCURRENCE_COLUMNS = ["interview_id", "segment_id", "kind", "term", "start", "end", "surface"]


def term_occurrences(docs: Mapping[str, Doc], segments: pd.DataFrame, *,
                     kinds: tuple[str, ...] = KINDS,
                     stop_words: frozenset[str] | set[str] = SPOKEN_FILLERS,
                     min_length: int = 3) -> pd.DataFrame:
    """Every content lemma and noun phrase of the parsed transcripts, with where it was said.

    Parameters
    ----------
    docs
        ``{interview_id: Doc}`` of whole de-identified transcripts (see
        :func:`thematic.parse.parse_transcripts`); lemmas need ``"lemmas"`` and phrases
        ``"noun_chunks"``.
    segments
        Speaker turns (:func:`thematic.segments.segment_turns`): an occurrence belongs to the
        turn whose span contains it; words outside every turn (speaker labels) are dropped.
    kinds
        ``"lemma"`` and/or ``"phrase"``.
    stop_words
        Lemmas left out on top of spaCy's stop words (default :data:`SPOKEN_FILLERS`).
    min_length
        Shortest lemma kept, in characters.

    Returns
    -------
    DataFrame
        One row per occurrence: ``interview_id, segment_id, kind, term, start, end, surface``
        plus the segment's ``participant_id, group, role, label, wave, speaker,
        is_interviewer``; ``start``/``end`` are offsets into the de-identified text.
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ParameterError(Errors.E408.format(value=", ".join(unknown), known=", ".join(KINDS)))
    rows: list[tuple] = []
    for interview_id in sorted(docs):
        doc = docs[interview_id]
        masked = _bracketed_mask(doc)
        if "lemma" in kinds:
            for token in doc:
                lemma = _content_lemma(token, masked, stop_words, min_length)
                if lemma:
                    rows.append((interview_id, "lemma", lemma, token.idx, token.idx + len(token), token.text))
        if "phrase" in kinds and doc.has_annotation("DEP"):
            text = doc.text  # built from the tokens on every call: once per document, not per phrase
            for chunk in doc.noun_chunks:
                phrase = _content_phrase(chunk, masked, stop_words)
                if phrase:
                    term, start, end = phrase
                    rows.append((interview_id, "phrase", term, start, end, text[start:end]))
    found = pd.DataFrame(rows, columns=["interview_id", "kind", "term", "start", "end", "surface"])
    return _attach_segments(found, segments)


def _bracketed_mask(doc: Doc) -> np.ndarray:
    """True for tokens inside a bracketed note or placeholder."""
    mask = np.zeros(len(doc), dtype=bool)
    for match in BRACKETED.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None:
            mask[span.start:span.end] = True
    return mask


def _content_lemma(token: Token, masked: np.ndarray, stop_words, min_length: int) -> str:
    if masked[token.i] or not token.is_alpha or token.is_stop or len(token) < min_length:
        return ""
    lemma = (token.lemma_ or token.text).lower()
    if len(lemma) < min_length or lemma in stop_words or token.vocab[lemma].is_stop:
        return ""
    return lemma


def _content_phrase(chunk: Span, masked: np.ndarray, stop_words) -> tuple[str, int, int] | None:
    """The chunk's content words (two or more; the last one lemmatised, so *the health
    visitors* becomes ``health visitor`` and *governing body* stays), and their offsets."""
    kept = [t for t in chunk if not masked[t.i] and t.is_alpha and not t.is_stop
            and t.pos_ not in ("DET", "PRON", "NUM") and (t.lemma_ or t.text).lower() not in stop_words]
    if len(kept) < 2 or kept[-1].i - kept[0].i != len(kept) - 1:
        return None
    words = [t.lower_ for t in kept[:-1]] + [(kept[-1].lemma_ or kept[-1].text).lower()]
    term = " ".join(words)
    return term, kept[0].idx, kept[-1].idx + len(kept[-1])


def _attach_segments(found: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Add each occurrence's speaker turn; drop occurrences outside every turn."""
    meta_cols = ["segment_id", "participant_id", "group", "role", "label", "wave", "speaker", "is_interviewer"]
    if found.empty:
        return pd.DataFrame(columns=[*OCCURRENCE_COLUMNS, *meta_cols[1:]])
    parts = []
    by_interview = dict(tuple(segments.groupby("interview_id", sort=False)))  # once: not a scan per interview
    for interview_id, rows in found.groupby("interview_id", sort=True):
        turns = by_interview.get(interview_id)
        if turns is None or turns.empty:
            continue
        turns = turns.sort_values("start")
        starts, ends = turns["start"].to_numpy(), turns["end"].to_numpy()
        at = np.searchsorted(starts, rows["start"].to_numpy(), side="right") - 1
        inside = (at >= 0) & (rows["end"].to_numpy() <= ends[np.clip(at, 0, None)])
        kept = rows[inside].copy()
        kept["segment_id"] = turns["segment_id"].to_numpy()[at[inside]]
        parts.append(kept)
    if not parts:
        return pd.DataFrame(columns=[*OCCURRENCE_COLUMNS, *meta_cols[1:]])
    joined = pd.concat(parts, ignore_index=True).merge(segments[meta_cols], on="segment_id", how="left")
    columns = [*OCCURRENCE_COLUMNS, *meta_cols[1:]]
    return joined[columns].sort_values(["interview_id", "start", "kind"]).reset_index(drop=True)


def _speech(occurrences: pd.DataFrame, segments: pd.DataFrame, *, kind: str,
            include_interviewer: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    if kind not in KINDS:
        raise ParameterError(Errors.E408.format(value=kind, known=", ".join(KINDS)))
    terms = occurrences[occurrences["kind"] == kind]
    if not include_interviewer:
        terms = terms[~terms["is_interviewer"].astype(bool)]
        segments = segments[~segments["is_interviewer"].astype(bool)]
    return terms, segments


def term_counts(occurrences: pd.DataFrame, *, by: str = "group", kind: str = "lemma",
                include_interviewer: bool = False) -> pd.DataFrame:
    """A terms x values-of-*by* table of counts (interviewer speech left out by default)."""
    terms, _ = _speech(occurrences, occurrences, kind=kind, include_interviewer=include_interviewer)
    table = pd.crosstab(terms["term"], terms[by])
    table.columns.name = by
    return table.sort_index()


def frequent_terms(occurrences: pd.DataFrame, segments: pd.DataFrame, *, by: str | None = "group",
                   kind: str = "lemma", top_n: int = 15, include_interviewer: bool = False) -> pd.DataFrame:
    """The *top_n* most frequent terms overall (``by=None``) or per value of *by*.

    Columns: *by* (``"all"`` when overall), ``term``, ``count``, ``per_1000_words`` (per
    1,000 words spoken by that group, so groups of different size compare), ``interviews``
    (how many interviews use it: a term one talkative person repeats shows here) and
    ``speakers`` (how many participants).
    """
    terms, speech = _speech(occurrences, segments, kind=kind, include_interviewer=include_interviewer)
    key = by or "_all"
    terms = terms.assign(_all="all")
    speech = speech.assign(_all="all")
    grouped = terms.groupby([key, "term"])
    table = grouped.agg(count=("term", "size"), interviews=("interview_id", "nunique"),
                        speakers=("participant_id", "nunique")).reset_index()
    words = speech.groupby(key)["words"].sum()
    table["per_1000_words"] = (1000 * table["count"] / table[key].map(words)).round(2)
    table = table.sort_values([key, "count", "interviews", "term"], ascending=[True, False, False, True])
    table = table.groupby(key).head(top_n).reset_index(drop=True)
    table = table[[key, "term", "count", "per_1000_words", "interviews", "speakers"]]
    return table.rename(columns={"_all": "group"}) if by is None else table


def weighted_log_odds(counts: pd.DataFrame, *, prior: pd.Series | None = None,
                      prior_scale: float | None = None) -> pd.DataFrame:
    """Weighted log-odds ratios of each column (group) against all other columns pooled.

    For term *w*, group *i* and the rest *j* (Monroe, Colaresi & Quinn 2008, eq. 15-22)::

        a_w     = a_0 * p_w                      informative Dirichlet prior
        delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w))
                - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))
        var_w   = 1 / (y_wi + a_w) + 1 / (y_wj + a_w)
        z_w     = delta_w / sqrt(var_w)

    Parameters
    ----------
    counts
        Terms (index) x groups (columns), non-negative counts, at least two columns.
    prior
        Background counts or proportions *p_w* per term (e.g. from a larger corpus). Default:
        the pooled counts of *counts* itself.
    prior_scale
        The prior's total weight *a_0*. Default: the number of term occurrences in *prior*
        (with the default prior, *a_w* is then the term's pooled count).

    Returns
    -------
    DataFrame
        One row per (group, term): ``count`` (in the group), ``count_rest``, ``log_odds``
        (delta), ``se`` and ``z``; sorted by group, then z descending.
    """
    y = counts.astype(float)
    if y.shape[1] < 2 or (y.to_numpy() < 0).any() or not np.allclose(y.to_numpy(), np.round(y.to_numpy())):
        raise ParameterError(Errors.E406.format(detail=f"{y.shape[0]} terms x {y.shape[1]} groups"))
    pooled = y.sum(axis=1)
    background = pooled if prior is None else prior.reindex(y.index).astype(float)
    lacking = background.index[~(background > 0)]
    if len(lacking):
        raise ParameterError(Errors.E405.format(count=len(lacking), examples=", ".join(map(str, lacking[:5]))))
    a0 = float(prior_scale) if prior_scale is not None else float(background.sum())
    alpha = (a0 * background / background.sum()).to_numpy()
    total = float(y.to_numpy().sum())
    frames = []
    for group in y.columns:
        yi = y[group].to_numpy()
        yj = pooled.to_numpy() - yi
        ni = yi.sum()
        nj = total - ni
        delta = (np.log((yi + alpha) / (ni + a0 - yi - alpha))
                 - np.log((yj + alpha) / (nj + a0 - yj - alpha)))
        se = np.sqrt(1.0 / (yi + alpha) + 1.0 / (yj + alpha))
        frames.append(pd.DataFrame({"group": group, "term": y.index, "count": yi.astype(int),
                                    "count_rest": yj.astype(int), "log_odds": delta, "se": se,
                                    "z": delta / se}))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["group", "z", "term"], ascending=[True, False, True]).reset_index(drop=True)


def distinctive_terms(occurrences: pd.DataFrame, *, by: str = "group", kind: str = "lemma",
                      top_n: int = 10, min_count: int = 3, include_interviewer: bool = False,
                      prior_scale: float | None = None) -> pd.DataFrame:
    """The terms most distinctive of each value of *by* against the rest, by log-odds z-score.

    Terms said fewer than *min_count* times in the group are not listed (they still count in
    the totals). Columns: *by*, ``term``, ``count``, ``count_rest``, ``log_odds``, ``se``,
    ``z``, ``rank``.
    """
    counts = term_counts(occurrences, by=by, kind=kind, include_interviewer=include_interviewer)
    if counts.shape[1] < 2:
        return pd.DataFrame(columns=[by, "term", "count", "count_rest", "log_odds", "se", "z", "rank"])
    table = weighted_log_odds(counts, prior_scale=prior_scale)
    table = table[(table["count"] >= min_count) & (table["z"] > 0)]
    table = table.groupby("group").head(top_n).copy()
    table["rank"] = table.groupby("group").cumcount() + 1
    table[["log_odds", "se", "z"]] = table[["log_odds", "se", "z"]].round(3)
    return table.rename(columns={"group": by}).reset_index(drop=True)


def leading_terms(table: pd.DataFrame, *, by: str = "group", per_group: int = 6) -> list[str]:
    """The first *per_group* terms of each value of *by* in a ranked table (e.g. the output of
    :func:`distinctive_terms`), in order and without repeats: rows for :func:`term_rates`."""
    return list(dict.fromkeys(table.groupby(by, sort=False).head(per_group)["term"]))


def term_rates(occurrences: pd.DataFrame, segments: pd.DataFrame, *, terms: list[str],
               by: str = "group", kind: str = "lemma", include_interviewer: bool = False) -> pd.DataFrame:
    """Uses of each of *terms* per 1,000 words spoken, per value of *by* (terms x values)."""
    used, speech = _speech(occurrences, segments, kind=kind, include_interviewer=include_interviewer)
    words = speech.groupby(by)["words"].sum()
    counts = pd.crosstab(used["term"], used[by]).reindex(index=terms, columns=words.index, fill_value=0)
    return (1000 * counts / words).round(2)


def key_terms_per_interview(occurrences: pd.DataFrame, *, top_n: int = 5, min_count: int = 2,
                            kinds: tuple[str, ...] = ("phrase", "lemma"),
                            include_interviewer: bool = False) -> pd.DataFrame:
    """Each interview's most distinctive terms against the rest of the corpus.

    Noun phrases are ranked first, then lemmas not already part of a listed phrase fill up to
    *top_n*, each by log-odds z-score (interview vs all other interviews). Columns: ``interview_id``, ``key_terms`` (joined by
    "; "), ``key_phrases``, ``key_lemmas``.
    """
    picked: dict[str, dict[str, list[str]]] = {}
    for kind in kinds:
        counts = term_counts(occurrences, by="interview_id", kind=kind, include_interviewer=include_interviewer)
        if counts.shape[1] < 2:
            continue
        table = weighted_log_odds(counts)
        table = table[(table["count"] >= min_count) & (table["z"] > 0)]
        for interview_id, rows in table.groupby("group"):
            picked.setdefault(interview_id, {})[kind] = list(rows["term"].head(top_n))
    rows = []
    for interview_id in sorted(occurrences["interview_id"].unique()):
        found = picked.get(interview_id, {})
        phrases = found.get("phrase", [])
        in_phrases = {word for phrase in phrases for word in phrase.split()}
        lemmas = [lemma for lemma in found.get("lemma", []) if lemma not in in_phrases]
        merged = list(dict.fromkeys([*phrases, *lemmas]))[:top_n]
        rows.append({"interview_id": interview_id, "key_terms": "; ".join(merged),
                     "key_phrases": "; ".join(found.get("phrase", [])),
                     "key_lemmas": "; ".join(found.get("lemma", []))})
    return pd.DataFrame(rows, columns=["interview_id", "key_terms", "key_phrases", "key_lemmas"])


PARAMETERS = (
    Parameter("top_n_terms", Annotated[int, Field(ge=1, le=1000)],
              "the number of terms shown per group, 1 to 1000"),
    Parameter("min_term_count", Annotated[int, Field(ge=1)],
              "how often a group must say a term for it to count as distinctive, 1 or more"),
    Parameter("include_interviewer", bool, "whether the interviewer's words count (true or false)"),
)
