"""Keyword-in-context: every place a word or phrase was said, with the words around it.

A search matches lemmas by default, so *visit* finds *visited*, *visits* and *visiting*, and
*health visitor* finds *health visitors*; ``match="text"`` matches the words as typed
(case-insensitive). Each :class:`Hit` carries the interview, the speaker turn and the
character offsets of the match in the de-identified transcript, so it can be opened in
place, quoted or coded.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter

if TYPE_CHECKING:  # spaCy is imported by whoever parses the documents
    from spacy.tokens import Doc

Match = Literal["lemma", "text"]
_QUERY_TOKENS = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Hit:
    """One match: where it is (interview, turn, character offsets) and its context."""

    interview_id: str
    segment_id: str
    participant_id: str
    group: str
    role: str
    label: str
    wave: int
    speaker: str
    start: int  #: offset of the first matched character in the de-identified text
    end: int  #: offset just after the last matched character
    left: str
    match: str
    right: str


HIT_COLUMNS = [f.name for f in fields(Hit)]


@dataclass
class _Indexed:
    text: str
    lemmas: list[str]
    lowers: list[str]
    starts: np.ndarray
    ends: np.ndarray


class Concordance:
    """A searchable index of parsed transcripts.

    Parameters
    ----------
    docs
        ``{interview_id: Doc}`` of whole de-identified transcripts, parsed with lemmas
        (:func:`thematic.parse.parse_transcripts` with ``needs=("lemmas",)``).
    segments
        Speaker turns (:func:`thematic.segments.segment_turns`) of the same transcripts.
    tokenizer
        Splits a query into words as the documents were split (e.g. ``nlp.tokenizer``);
        default: words and punctuation marks.
    """

    def __init__(self, docs: Mapping[str, Doc], segments: pd.DataFrame, *,
                 tokenizer: Callable[[str], Iterable] | None = None):
        self.segments = segments.sort_values(["interview_id", "start"]).reset_index(drop=True)
        self.tokenizer = tokenizer
        self._docs: dict[str, _Indexed] = {}
        self._by_lemma: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._by_lower: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._lemmas_of: dict[str, set[str]] = defaultdict(set)
        self._forms_of: dict[str, set[str]] = defaultdict(set)
        for interview_id in sorted(docs):
            words = [t for t in docs[interview_id] if not t.is_space]
            indexed = _Indexed(
                text=docs[interview_id].text,
                lemmas=[(t.lemma_ or t.text).lower() for t in words],
                lowers=[t.lower_ for t in words],
                starts=np.array([t.idx for t in words], dtype=int),
                ends=np.array([t.idx + len(t) for t in words], dtype=int))
            self._docs[interview_id] = indexed
            for i, (lemma, lower) in enumerate(zip(indexed.lemmas, indexed.lowers, strict=True)):
                self._by_lemma[lemma].append((interview_id, i))
                self._by_lower[lower].append((interview_id, i))
                self._lemmas_of[lower].add(lemma)
                self._forms_of[lemma].add(lower)

    def query_words(self, query: str) -> list[str]:
        """*query* split into lower-case words the way the index was."""
        if self.tokenizer is not None:
            words = [getattr(t, "text", str(t)) for t in self.tokenizer(query)]
        else:
            words = _QUERY_TOKENS.findall(query)
        return [w.lower() for w in words if w.strip()]

    def search(self, query: str, *, match: Match = "lemma", window: int = 60,
               group: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
               wave: int | Iterable[int] | None = None, speaker: str | Iterable[str] | None = None,
               participant: str | Iterable[str] | None = None,
               interview: str | Iterable[str] | None = None,
               include_interviewer: bool = False, limit: int | None = None) -> list[Hit]:
        """Every occurrence of *query* that passes the filters, in transcript order.

        Parameters
        ----------
        query
            A word or phrase.
        match
            ``"lemma"`` (any inflection) or ``"text"`` (the words as typed, any case).
        window
            Characters of context on each side, cut at word boundaries and never beyond the
            speaker turn.
        group, role, wave, speaker, participant, interview
            Keep hits whose turn has one of these values (a value or a list). Unknown values
            are an error listing the known ones.
        include_interviewer
            Also search interviewer turns (always, if *speaker* names the interviewer).
        limit
            Return at most this many hits.
        """
        words = self.query_words(query or "")
        if not words:
            raise ParameterError(Errors.E403.format(value=query))
        if match not in ("lemma", "text"):
            raise ParameterError(Errors.E018.format(value=match, what="match mode", known=["lemma", "text"]))
        turns = self._filtered_turns(group=group, role=role, wave=wave, speaker=speaker,
                                     participant=participant, interview=interview,
                                     include_interviewer=include_interviewer or speaker is not None)
        hits = []
        for interview_id, first, last in self._matches(words, match):
            indexed = self._docs[interview_id]
            start, end = int(indexed.starts[first]), int(indexed.ends[last])
            turn = _turn_at(turns.get(interview_id), start, end)
            if turn is None:
                continue
            hits.append(Hit(
                interview_id=interview_id, segment_id=turn["segment_id"],
                participant_id=turn["participant_id"], group=turn["group"], role=turn["role"],
                label=turn["label"], wave=int(turn["wave"]), speaker=turn["speaker"],
                start=start, end=end,
                left=_left(indexed.text, max(int(turn["start"]), start - window), start),
                match=_squash(indexed.text[start:end]),
                right=_right(indexed.text, end, min(int(turn["end"]), end + window))))
            if limit is not None and len(hits) >= limit:
                break
        return hits

    def family(self, word: str) -> tuple[set[str], set[str]]:
        """The lemmas and word forms a lemma search for *word* matches: its lemmas, every form
        of them in the corpus, the regular inflections of the word that occur, and the lemmas of
        all those forms, so that *wait* finds *waiting list* as surely as *waiting* finds *wait*."""
        lemmas = self._lemmas_of.get(word, set()) | {word}
        forms = {form for lemma in lemmas for form in self._forms_of.get(lemma, ())} | {word}
        forms |= {form for form in inflections(word) if form in self._lemmas_of}
        for lemma in list(lemmas):
            forms |= {form for form in inflections(lemma) if form in self._lemmas_of}
        lemmas |= {lemma for form in forms for lemma in self._lemmas_of.get(form, ())}
        return lemmas, forms

    def _matches(self, words: list[str], match: Match) -> list[tuple[str, int, int]]:
        if match == "lemma":
            families = [self.family(w) for w in words]
        else:
            families = [(set(), {w}) for w in words]
        lemmas, forms = families[0]
        starts = {pos for lemma in lemmas for pos in self._by_lemma.get(lemma, [])}
        starts.update(pos for form in forms for pos in self._by_lower.get(form, []))
        found = []
        for interview_id, i in sorted(starts):
            indexed = self._docs[interview_id]
            last = i + len(words) - 1
            if last >= len(indexed.lowers):
                continue
            if all(indexed.lemmas[i + k] in families[k][0] or indexed.lowers[i + k] in families[k][1]
                   for k in range(1, len(words))):
                found.append((interview_id, i, last))
        return found

    def _filtered_turns(self, *, include_interviewer: bool, **filters) -> dict[str, pd.DataFrame]:
        turns = self.segments
        columns = {"group": "group", "role": "role", "wave": "wave", "speaker": "speaker",
                   "participant": "participant_id", "interview": "interview_id"}
        for name, value in filters.items():
            if value is None:
                continue
            column = columns[name]
            values = [value] if isinstance(value, (str, int, np.integer)) else list(value)
            known = sorted(self.segments[column].unique(), key=str)
            if column == "speaker":
                lowered = {str(k).lower(): k for k in known}
                values = [lowered.get(str(v).lower(), v) for v in values]
            elif column == "wave":
                values = [int(v) for v in values]
            unknown = [v for v in values if v not in set(known)]
            if unknown:
                raise ParameterError(Errors.E404.format(what=name, values=unknown, known=known))
            turns = turns[turns[column].isin(values)]
        if not include_interviewer:
            turns = turns[~turns["is_interviewer"].astype(bool)]
        return {interview_id: rows for interview_id, rows in turns.groupby("interview_id")}


def inflections(word: str) -> set[str]:
    """Regular English inflections of *word* (plural and third person, past, -ing), the forms a
    lemmatiser may leave as lemmas of their own ("waiting" in "waiting list")."""
    if not word.isalpha() or len(word) < 3:
        return set()
    forms = {word + "s", word + "es", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # stop, stopped, stopping
    return forms


def keyword_in_context(docs: Mapping[str, Doc], segments: pd.DataFrame, query: str,
                       **options) -> list[Hit]:
    """Search *docs* once for *query*; options as for :meth:`Concordance.search`."""
    return Concordance(docs, segments).search(query, **options)


def hits_table(hits: list[Hit]) -> pd.DataFrame:
    """Hits as a DataFrame, one row per hit, columns as the fields of :class:`Hit`."""
    return pd.DataFrame([asdict(h) for h in hits], columns=HIT_COLUMNS)


def hits_per_group(hits: list[Hit]) -> pd.DataFrame:
    """How many hits, interviews and participants per group: how widely a term is used."""
    table = hits_table(hits)
    summary = table.groupby("group").agg(hits=("start", "size"), interviews=("interview_id", "nunique"),
                                         participants=("participant_id", "nunique"))
    return summary.reset_index()


def search_box(concordance: Concordance, *, query: str = "", window: int = 60,
               include_interviewer: bool = False, page_size: int = 25):
    """An ipywidgets search box over *concordance* for interactive sessions (JupyterLab).

    Type a word or phrase, choose a group, wave and match mode, and the matching lines appear
    below, aligned on the keyword, *page_size* at a time with "previous"/"next" and a count
    ("26-50 of 112"). *include_interviewer* is the notebook's parameter: whether interviewer
    turns are searched too (a checkbox changes it). In a headless run (papermill, nbval) show
    :func:`hits_table` instead: widgets need a browser.
    """
    import ipywidgets as widgets

    segments = concordance.segments
    text = widgets.Text(value=query, placeholder="word or phrase", description="Search")
    group = widgets.Dropdown(options=["(all)", *sorted(segments["group"].unique())], description="Group")
    wave = widgets.Dropdown(options=["(all)", *sorted(int(w) for w in segments["wave"].unique())],
                            description="Wave")
    mode = widgets.ToggleButtons(options=["lemma", "text"], description="Match")
    interviewer = widgets.Checkbox(value=include_interviewer, description="interviewer turns too")
    previous, following = widgets.Button(description="previous"), widgets.Button(description="next")
    status, lines = widgets.HTML(), widgets.HTML()
    state = {"hits": [], "page": 0}

    def show() -> None:
        hits, page = state["hits"], state["page"]
        first = page * page_size
        shown = hits[first:first + page_size]
        status.value = (f"<b>{first + 1}-{first + len(shown)} of {len(hits)}</b> hit(s)" if hits
                        else ("no hit" if text.value.strip() else "type a word or phrase"))
        previous.disabled = page == 0
        following.disabled = first + page_size >= len(hits)
        lines.value = concordance_html(shown)

    def search(_=None) -> None:
        state["page"] = 0
        state["hits"] = [] if not text.value.strip() else concordance.search(
            text.value, match=mode.value, window=window, include_interviewer=interviewer.value,
            group=None if group.value == "(all)" else group.value,
            wave=None if wave.value == "(all)" else int(wave.value))
        show()

    def turn(step: int) -> None:
        state["page"] += step
        show()

    for control in (text, group, wave, mode, interviewer):
        control.observe(search, names="value")
    previous.on_click(lambda _: turn(-1))
    following.on_click(lambda _: turn(+1))
    search()
    return widgets.VBox([widgets.HBox([text, mode]), widgets.HBox([group, wave, interviewer]),
                         widgets.HBox([previous, following, status]), lines])


def concordance_html(hits: list[Hit]) -> str:
    """Hits as concordance lines, aligned on the keyword: left context right-aligned, the match
    in bold, right context left-aligned; interview, turn and offsets on each line (escaped)."""
    import html

    rows = "".join(
        f"<tr><td style='color:#57606a;white-space:nowrap'>{html.escape(h.interview_id)} "
        f"{html.escape(h.segment_id.rsplit(':', 1)[-1])} {h.start}</td>"
        f"<td style='text-align:right;white-space:nowrap'>{html.escape(h.left)}</td>"
        f"<td style='text-align:center;white-space:nowrap'><b>{html.escape(h.match)}</b></td>"
        f"<td style='text-align:left;white-space:nowrap'>{html.escape(h.right)}</td></tr>"
        for h in hits)
    return f"<table class='thematic-kwic' style='font-family:monospace;font-size:12px'>{rows}</table>"


def _turn_at(turns: pd.DataFrame | None, start: int, end: int) -> pd.Series | None:
    if turns is None or turns.empty:
        return None
    at = int(np.searchsorted(turns["start"].to_numpy(), start, side="right")) - 1
    if at < 0 or end > int(turns["end"].iloc[at]):
        return None
    return turns.iloc[at]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _left(text: str, lo: int, hi: int) -> str:
    piece = text[lo:hi]
    if lo > 0 and text[lo - 1].isalnum() and piece[:1].isalnum():
        piece = piece.split(None, 1)[1] if len(piece.split(None, 1)) > 1 else ""
    return _squash(piece)


def _right(text: str, lo: int, hi: int) -> str:
    piece = text[lo:hi]
    if hi < len(text) and text[hi].isalnum() and piece[-1:].isalnum():
        piece = piece.rsplit(None, 1)[0] if len(piece.rsplit(None, 1)) > 1 else ""
    return _squash(piece)


PARAMETERS = (
    Parameter("kwic_query", Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")],
              "the word or phrase shown in context (1 to 200 characters)"),
    Parameter("kwic_window", Annotated[int, Field(ge=1, le=2000)],
              "the characters of context shown each side of a keyword, 1 to 2000"),
)
