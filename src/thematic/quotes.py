"""Illustrative quotes: chosen by a declared rule, trimmed, attributed, traceable and checked.

The rule, in order:

1. **Candidates** are the stretches of a participant's turn that the analysis coding gives a
   theme (in-scope spans of the theme's codes, merged), with at least ``min_words`` words.
2. **Representativeness** of a candidate is the cosine similarity of its TF-IDF vector to the
   centroid of all the theme's candidates (across groups).
3. **Coverage first**: within a theme and group, participants are taken in turn (the
   participant with the most representative candidate first), each giving their best
   remaining candidate, until ``per_group`` quotes are chosen; a participant gives a second
   quote only once every participant with a candidate has given one.
4. **Trimming**: a candidate longer than ``max_words`` keeps its most representative whole
   sentences that fit, in their original order; an omitted middle part becomes ``[...]``
   (the quote starts at its first kept sentence). A single sentence longer than the bound is
   cut at a word boundary and ends in ``[...]``. No edge of a candidate, a sentence or a cut
   ever falls inside a bracketed placeholder or transcriber note (``[clinical lead]``,
   ``[crosstalk]``): a candidate grows to take the whole bracket, a sentence boundary moves
   before it, and a cut moves before it.
5. **Check**: a trimmed quote in which :func:`identifiers_left` finds anything is set aside.

Ties break on interview id and offset, so the choice is deterministic. Every quote records
its interview, segment and the character offsets of each kept piece in the de-identified
text, so ``text[start:end]`` of each piece gives back its words exactly.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from thematic import io
from thematic.cache import SPACY_LIBRARIES, cached
from thematic.errors import DataError, Errors
from thematic.nlp import sentencizer
from thematic.parallel import map_documents
from thematic.parameters import Parameter, rules, rules_from_parameter
from thematic.settings import arrange
from thematic.study import DataFile
from thematic.triangulate import merge_intervals

ELLIPSIS = "[...]"

#: Patterns of identifiers that de-identification replaces by bracketed placeholders.
IDENTIFIER_PATTERNS = {
    "EMAIL": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "PHONE": r"(?<!\d)(?:\+44\s?|0)\d{3,4}\s?\d{3}\s?\d{3,4}(?!\d)",
    "POSTCODE": r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
    "NHS_NUMBER": r"(?<!\d)\d{3}\s?\d{3}\s?\d{4}(?!\d)",
}
IdentifierCheck = Callable[[str], list[dict]]


class QuoteRules(BaseModel):
    """How many quotes to choose per theme and group, and how long they may be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_group: int = Field(2, ge=1, description="quotes per theme and stakeholder group")
    max_words: int = Field(60, ge=10, description="longest quote in words, after trimming")
    min_words: int = Field(12, ge=1, description="shortest coded stretch that can become a quote")

    @classmethod
    def from_parameters(cls, values: dict) -> QuoteRules:
        return rules_from_parameter(cls, values, message=Errors.E606)


# --- identifiers --------------------------------------------------------------------------------

def load_known_names(path: str | Path) -> list[str]:
    """Every spelling in a known-names file (``.yaml``, ``.csv`` or ``.txt``), longest first.

    The file is read by :func:`thematic.deidentify.load_known_names`, the one reader of
    known-names files (formats in ``docs/deidentification.md``). Names that are also ordinary
    words ("Will", "May", "Hope": ambiguous entries) are left out: a plain whole-word search
    cannot tell the name from the word, and the de-identifier has judged them in context.
    """
    from thematic.deidentify import load_known_names as read_known_names

    names = [surface for entry in read_known_names(path).names for surface in entry.surfaces
             if not entry.is_ambiguous(surface)]
    return sorted({n for n in names if n and len(n) > 1}, key=lambda n: (-len(n), n))


def identifiers_left(text: str, *, known_names: Iterable[str] = ()) -> list[dict]:
    """Identifiers left in *text*: known names outside ``[brackets]`` and identifier patterns.

    Returns one dict per hit: type (``KNOWN_NAME`` or a key of :data:`IDENTIFIER_PATTERNS`),
    start, end. A name matches as a whole word, case-sensitively. This is a deliberately small
    check of finished quotes; de-identification of whole transcripts is a separate step.
    """
    bracketed = [m.span() for m in re.finditer(r"\[[^\]]*\]", text)]

    def inside(start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in bracketed)

    hits = []
    names = sorted(set(known_names), key=lambda n: (-len(n), n))
    if names:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")
        hits += [{"type": "KNOWN_NAME", "start": m.start(), "end": m.end()} for m in pattern.finditer(text)]
    for kind, pattern in IDENTIFIER_PATTERNS.items():
        hits += [{"type": kind, "start": m.start(), "end": m.end()} for m in re.finditer(pattern, text)]
    return sorted((h for h in hits if not inside(h["start"], h["end"])), key=lambda h: (h["start"], h["type"]))


@dataclass(frozen=True)
class NameCheck:
    """:func:`identifiers_left` over fixed known names, as a function ``text -> hits``. Two
    checks over the same names are equal, so results computed with one can be cached."""

    known_names: tuple[str, ...] = ()

    def __call__(self, text: str) -> list[dict]:
        return identifiers_left(text, known_names=self.known_names)


def identifier_check(known_names: Iterable[str] = ()) -> IdentifierCheck:
    """A check function ``text -> hits`` over the given known names (see :func:`identifiers_left`)."""
    return NameCheck(tuple(known_names))


# --- candidates and representativeness ----------------------------------------------------------

def candidates(located: pd.DataFrame, texts: dict[str, str], *, min_words: int = 12,
               n_jobs: int = 1) -> pd.DataFrame:
    """Stretches of participants' turns coded with each theme (in-scope spans only).

    One row per merged stretch: theme, group, participant_id, label, interview_id, segment_id,
    start, end, words, text; sorted by the first six, then start. Each interview's stretches are
    found on their own, with *n_jobs* workers (:func:`thematic.parallel.map_documents`; joblib's
    Dask backend when one is active).
    """
    scoped = located[located["in_scope"]]
    items = [(texts[interview_id], part[[*CANDIDATE_KEYS, "start", "end"]], min_words)
             for interview_id, part in scoped.groupby("interview_id", sort=True)]
    rows = [row for found in map_documents(_interview_candidates, items, n_jobs=n_jobs) for row in found]
    pool = pd.DataFrame(rows, columns=[*CANDIDATE_KEYS, "start", "end", "words", "text"])
    return pool.sort_values([*CANDIDATE_KEYS, "start"], kind="stable").reset_index(drop=True)


#: What identifies a candidate's turn and theme; a stretch is merged within one of these.
CANDIDATE_KEYS = ["theme", "group", "participant_id", "label", "interview_id", "segment_id"]


def _interview_candidates(item: tuple[str, pd.DataFrame, int]) -> list[tuple]:
    """The candidate rows of one interview: its text, its located spans and the least words."""
    text, part, min_words = item
    spans = brackets(text)  # once per interview, not once per stretch
    rows = []
    for key, own in part.groupby(CANDIDATE_KEYS, sort=True):
        for start, end in merge_intervals(zip(own["start"], own["end"], strict=True)):
            start, end = _strip(text, *_widen(text, start, end, spans=spans))
            body = text[start:end]
            words = len(body.split())
            if words >= min_words:
                rows.append((*key, start, end, words, body))
    return rows


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


#: A bracketed placeholder or transcriber note on one line: ``[clinical lead]``, ``[crosstalk]``.
BRACKETED = re.compile(r"\[[^\[\]\n]*\]")


def brackets(text: str) -> list[tuple[int, int]]:
    """The spans of every bracketed placeholder or transcriber note in *text*."""
    return [m.span() for m in BRACKETED.finditer(text)]


def _bracket_around(position: int, spans: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """The bracket that *position* falls strictly inside (between its ``[`` and ``]``), if any.
    *spans* are sorted and do not overlap (as :func:`brackets` gives them): a binary search."""
    index = bisect.bisect_left(spans, (position, -1)) - 1  # the last bracket opening before position
    if index >= 0 and spans[index][0] < position < spans[index][1]:
        return spans[index]
    return None


def _widen(text: str, start: int, end: int, *, spans: Sequence[tuple[int, int]] | None = None) -> tuple[int, int]:
    """*start*-*end* grown so that neither edge cuts a bracket: a placeholder is kept whole
    (*spans*: the brackets of *text*, when already found)."""
    spans = brackets(text) if spans is None else spans
    around = _bracket_around(start, spans)
    start = around[0] if around else start
    around = _bracket_around(end, spans)
    return start, around[1] if around else end


class ThemeScorer:
    """TF-IDF vectors of candidates, and their similarity to their theme's centroid."""

    def __init__(self, candidates: pd.DataFrame):
        from sklearn.feature_extraction.text import TfidfVectorizer  # here: the identifier check stays light

        self.vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
        matrix = self.vectorizer.fit_transform(candidates["text"]) if len(candidates) else None
        self.centroids = {}
        if matrix is not None:
            for theme, index in candidates.groupby("theme").indices.items():
                centroid = np.asarray(matrix[index].mean(axis=0)).ravel()
                norm = np.linalg.norm(centroid)
                self.centroids[theme] = centroid / norm if norm else centroid

    def score(self, texts: list[str], theme: str) -> np.ndarray:
        """Cosine similarity of each text to *theme*'s centroid (0 for an unknown theme)."""
        if theme not in self.centroids or not texts:
            return np.zeros(len(texts))
        vectors = self.vectorizer.transform(texts)  # rows are L2-normalised
        return np.asarray(vectors @ self.centroids[theme]).ravel()


# --- trimming -----------------------------------------------------------------------------------

def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of *text* (offsets relative to it), from spaCy's rule-based sentencizer.

    A boundary the sentencizer puts inside a bracket ("Oh good. [" | "crosstalk] Erm") moves
    before the bracket, so that every sentence holds whole placeholders and notes only.
    """
    from thematic.nlp import sentencizer  # here: importing spaCy takes seconds

    spans = brackets(text)
    bounds = [s.start_char for s in sentencizer()(text).sents][1:]
    moved = [around[0] if (around := _bracket_around(b, spans)) else b for b in bounds]
    edges = [0, *sorted(set(moved)), len(text)]
    stripped = [_strip(text, a, b) for a, b in zip(edges, edges[1:], strict=False)]
    return [(a, b) for a, b in stripped if b > a]


def trim(text: str, *, offset: int, max_words: int, score: Callable[[list[str]], np.ndarray]) -> tuple[str, list[tuple[int, int]]]:
    """Shorten *text* to at most *max_words* words, marking omitted middle parts ``[...]``.

    Returns the quote and the absolute character spans (``offset`` added) of the kept pieces.
    """
    if len(text.split()) <= max_words:
        return text, [(offset, offset + len(text))]
    spans = sentences(text)
    scores = score([text[s:e] for s, e in spans])
    order = sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    chosen, words = [], 0
    for i in order:
        n = len(text[spans[i][0]:spans[i][1]].split())
        if words + n <= max_words:
            chosen.append(i)
            words += n
    if not chosen:  # the best sentence alone is too long: cut it at a word boundary
        s, e = spans[order[0]]
        cut = _cut(text[s:e], max_words)
        return f"{text[s:s + cut].rstrip(',;:')} {ELLIPSIS}", [(offset + s, offset + s + cut)]
    chosen.sort()
    pieces: list[tuple[int, int]] = []
    for previous, i in zip([None, *chosen], chosen, strict=False):
        s, e = spans[i]
        if previous is not None and i == previous + 1:
            pieces[-1] = (pieces[-1][0], offset + e)  # consecutive sentences form one piece
        else:
            pieces.append((offset + s, offset + e))
    return f" {ELLIPSIS} ".join(text[a - offset:b - offset] for a, b in pieces), pieces


def _cut(sentence: str, max_words: int) -> int:
    """Where to cut *sentence* after at most *max_words* words: a word boundary outside any
    bracket (before a placeholder the limit would split; after it if it opens the sentence)."""
    cut = [m.end() for m in re.finditer(r"\S+", sentence)][max_words - 1]
    around = _bracket_around(cut, brackets(sentence))
    if around:
        before = sentence[:around[0]].rstrip()
        cut = len(before) if before else around[1]
    return cut


# --- selection ----------------------------------------------------------------------------------

def select_quotes(located: pd.DataFrame, texts: dict[str, str], *, rules: QuoteRules | None = None,
                  check: IdentifierCheck | None = None,
                  group_order: Sequence[str] = (), n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose, trim, attribute and check quotes per theme and group (groups in *group_order*).

    The candidates are found per interview with *n_jobs* workers (:func:`candidates`); the
    result is the same for any *n_jobs*.

    Returns ``(quotes, set_aside)``. ``quotes``: quote_id, theme, group, rank, attribution,
    participant_id, interview_id, segment_id, start, end (of the candidate), pieces
    (``start-end`` of each kept piece, ``;``-separated), words, score, participants_with_candidates,
    quote. ``set_aside``: candidates a check rejected (ids and offsets, never their text).

    With the check of :func:`identifier_check` (or none), the result is cached by its inputs
    (:mod:`thematic.cache`): a warm report selects nothing again. Any other check function is
    called afresh every time.
    """
    rules = rules or QuoteRules()
    check = check or identifier_check()
    if isinstance(check, NameCheck):
        return _select_quotes_cached(located, texts, rules=rules, check=check, group_order=tuple(group_order),
                                     n_jobs=n_jobs)
    return _select_quotes(located, texts, rules=rules, check=check, group_order=group_order, n_jobs=n_jobs)


def _select_quotes(located: pd.DataFrame, texts: dict[str, str], *, rules: QuoteRules, check: IdentifierCheck,
                   group_order: Sequence[str], n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`select_quotes` itself (*n_jobs* is part of the cache key: results are equal for any)."""
    pool = candidates(located, texts, min_words=rules.min_words, n_jobs=n_jobs)
    scorer = ThemeScorer(pool)
    pool["score"] = 0.0
    for theme, index in pool.groupby("theme").groups.items():
        pool.loc[index, "score"] = scorer.score(list(pool.loc[index, "text"]), theme)
    pool = pool.sort_values(["theme", "group", "score", "interview_id", "start"],
                            ascending=[True, True, False, True, True])
    chosen, aside = [], []
    for (theme, group), cell in pool.groupby(["theme", "group"], sort=True):
        queues = {pid: list(part.itertuples(index=False)) for pid, part in cell.groupby("participant_id", sort=False)}
        order = list(queues)  # participants by their best candidate (cell is sorted by score)
        picked = 0
        while picked < rules.per_group and any(queues.values()):
            for pid in order:
                if picked >= rules.per_group or not queues[pid]:
                    continue
                while queues[pid]:
                    row = queues[pid].pop(0)
                    quote, pieces = trim(row.text, offset=row.start, max_words=rules.max_words,
                                         score=lambda ts, theme=theme: scorer.score(ts, theme))
                    hits = check(quote)
                    if hits:
                        aside.append({"theme": theme, "group": group, "interview_id": row.interview_id,
                                      "start": row.start, "end": row.end,
                                      "reason": "identifier found: " + ", ".join(sorted({h["type"] for h in hits}))})
                        continue
                    picked += 1
                    chosen.append({
                        "quote_id": "", "theme": theme, "group": group, "rank": picked,
                        "attribution": row.label, "participant_id": row.participant_id,
                        "interview_id": row.interview_id, "segment_id": row.segment_id,
                        "start": row.start, "end": row.end,
                        "pieces": ";".join(f"{a}-{b}" for a, b in pieces),
                        "words": len(quote.replace(ELLIPSIS, "").split()), "score": round(float(row.score), 4),
                        "participants_with_candidates": len(order), "quote": quote,
                    })
                    break
    quotes = pd.DataFrame(chosen, columns=["quote_id", "theme", "group", "rank", "attribution",
                                           "participant_id", "interview_id", "segment_id", "start", "end",
                                           "pieces", "words", "score", "participants_with_candidates", "quote"])
    if len(quotes):
        quotes["_g"] = quotes["group"].map(arrange(quotes["group"], order=group_order).index)
        quotes = quotes.sort_values(["theme", "_g", "rank"]).drop(columns="_g").reset_index(drop=True)
        quotes["quote_id"] = quotes["theme"] + "-Q" + (quotes.groupby("theme").cumcount() + 1).astype(str)
    return quotes, pd.DataFrame(aside, columns=["theme", "group", "interview_id", "start", "end", "reason"])


_select_quotes_cached = cached(_select_quotes, depends_on=("thematic.nlp", "thematic.settings", "thematic.triangulate"),
                               libraries=SPACY_LIBRARIES)


def verify_quotes(quotes: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    """Re-derive every quote from its offsets; one row per quote with ``traceable`` True/False."""
    rows = []
    for q in quotes.itertuples(index=False):
        pieces = [tuple(map(int, p.split("-"))) for p in q.pieces.split(";")]
        text = texts[q.interview_id]
        rebuilt = f" {ELLIPSIS} ".join(text[a:b] for a, b in pieces)
        ok = rebuilt == q.quote or (q.quote.endswith(ELLIPSIS) and q.quote.startswith(rebuilt.rstrip(",;:")))
        inside = all(q.start <= a < b <= q.end for a, b in pieces)
        rows.append({"quote_id": q.quote_id, "interview_id": q.interview_id, "pieces": q.pieces,
                     "traceable": bool(ok and inside)})
    return pd.DataFrame(rows, columns=["quote_id", "interview_id", "pieces", "traceable"])


def known_names_for(study, known_names_file: str) -> tuple[list[str], Path | None]:
    """Known names from *known_names_file*, a path inside the study's data folder (a
    :class:`thematic.study.Study`); an empty name or a missing file gives no names."""
    if not known_names_file:
        return [], None
    path = study.confine(known_names_file, what="known_names")
    if not path.is_file():
        return [], None
    return load_known_names(path), path


PARAMETERS = (
    Parameter("quote_rules", rules(QuoteRules),
              f"a mapping of the rules of quote selection ({', '.join(QuoteRules.model_fields)})"),
    Parameter("known_names", DataFile,
              "the known-names file the quote check reads, relative to the data folder ('' for none)"),
)
