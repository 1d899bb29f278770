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
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from spacy.tokens import Doc

from thematic.errors import Errors, ParameterError
from thematic.parameters import Parameter

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

    def _matches(self, words: list[str], match: Match) -> list[tuple[str, int, int]]:
        if match == "lemma":
            wanted = [self._lemmas_of.get(w, set()) | {w} for w in words]
            first_index, column = self._by_lemma, "lemmas"
            alternatives = [self._by_lower.get(w, []) for w in words[:1]]
        else:
            wanted = [{w} for w in words]
            first_index, column = self._by_lower, "lowers"
            alternatives = []
        starts = {pos for lemma in wanted[0] for pos in first_index.get(lemma, [])}
        starts.update(pos for listed in alternatives for pos in listed)
        found = []
        for interview_id, i in sorted(starts):
            indexed = self._docs[interview_id]
            tokens = getattr(indexed, column)
            last = i + len(words) - 1
            if last >= len(tokens):
                continue
            if all(tokens[i + k] in wanted[k] or indexed.lowers[i + k] == words[k]
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


def search_box(concordance: Concordance, *, query: str = "", window: int = 60, limit: int = 40):
    """An ipywidgets search box over *concordance* for interactive sessions (JupyterLab).

    Type a word or phrase, choose a group and wave, and matching lines appear below. In a
    headless run (papermill, nbval) show :func:`hits_table` instead: widgets need a browser.
    """
    import ipywidgets as widgets
    from IPython.display import HTML, display

    segments = concordance.segments
    text = widgets.Text(value=query, placeholder="word or phrase", description="Search")
    group = widgets.Dropdown(options=["(all)", *sorted(segments["group"].unique())], description="Group")
    wave = widgets.Dropdown(options=["(all)", *sorted(segments["wave"].unique())], description="Wave")
    mode = widgets.ToggleButtons(options=["lemma", "text"], description="Match")
    out = widgets.Output()

    def refresh(_=None) -> None:
        out.clear_output()
        with out:
            if not text.value.strip():
                return
            hits = concordance.search(
                text.value, match=mode.value, window=window, limit=limit,
                group=None if group.value == "(all)" else group.value,
                wave=None if wave.value == "(all)" else int(wave.value))
            table = hits_table(hits)[["interview_id", "label", "wave", "start", "left", "match", "right"]]
            display(HTML(f"<p>{len(hits)} hit(s){' (first ' + str(limit) + ')' if len(hits) >= limit else ''}</p>"
                         + table.to_html(index=False, border=0)))

    for control in (text, group, wave, mode):
        control.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([text, mode]), widgets.HBox([group, wave]), out])


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
