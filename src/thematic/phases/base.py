"""What a phase returns: its tables, figures, notes and records, in the order they are read.

A phase function (:mod:`thematic.phases`) does the work of one notebook and returns a
:class:`PhaseResult`; :meth:`thematic.present.Publisher.show` then displays each item and saves
it in the report folder (tables as CSV, figures as plotly JSON, records as JSON, documents as
their files). Tests read the same result directly: ``result.tables["table-1"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from thematic import markup
from thematic.parameters import declarations
from thematic.steps import Steps


@dataclass(frozen=True)
class Table:
    """A table to show (its first *max_rows* rows) and save whole as ``tables/<phase>/<name>.csv``."""

    name: str
    frame: pd.DataFrame
    caption: str = ""
    max_rows: int = 60
    section: str = ""


@dataclass(frozen=True)
class Figure:
    """A plotly figure to show and save as ``figures/<phase>/<name>.json``."""

    name: str
    figure: go.Figure
    section: str = ""


@dataclass(frozen=True)
class Note:
    """A Markdown note written by the library; ``{name}`` fields are filled with *values* as text."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)
    section: str = ""

    @property
    def plain(self) -> str:
        """The note as plain text, its values filled in."""
        return markup.plain_text(self.text, **self.values)


@dataclass(frozen=True)
class Html:
    """An HTML fragment the library built and escaped (e.g. the memos)."""

    fragment: str
    section: str = ""


@dataclass(frozen=True)
class Record:
    """A JSON record saved at *name* in the report folder (e.g. ``consensus.json``)."""

    name: str
    data: dict
    section: str = ""


@dataclass(frozen=True)
class Document:
    """Files written into *folder* of the report folder by *write(path) -> {kind: Path}*
    (e.g. the member-check documents); shown as links once written."""

    folder: str
    write: Callable[[Path], dict[str, Path]]
    section: str = ""


@dataclass(frozen=True)
class ReportTable:
    """A table built from the report folder as far as it is written (None when interactive):
    *build(report_dir)* (e.g. every phase's statistics register in one table)."""

    name: str
    build: Callable[[Path | None], pd.DataFrame]
    caption: str = ""
    section: str = ""


@dataclass(frozen=True)
class Widget:
    """An interactive control (*build()* makes it); with *interactive_only* it is shown only in
    a live session, never in the report."""

    build: Callable[[], Any]
    interactive_only: bool = True
    section: str = ""


Item = Table | Figure | Note | Html | Record | Document | ReportTable | Widget


@dataclass
class PhaseResult:
    """The outcome of one phase: its items in reading order, grouped by section.

    Parameters
    ----------
    phase
        The phase's name, as its notebook is named (``"03-theme-mapping"``).
    items
        Tables, figures, notes, records, documents and widgets, in the order they are shown.
    values
        What later calls may need (e.g. the final coding), by name; never shown.
    """

    phase: str
    items: list[Item] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    _section: str = field(default="", repr=False, compare=False)

    # --- building ---------------------------------------------------------------------------

    @contextmanager
    def section(self, name: str) -> Iterator[PhaseResult]:
        """Items added in the body belong to section *name* (a notebook shows one section per cell)."""
        before, self._section = self._section, name
        try:
            yield self
        finally:
            self._section = before

    def table(self, frame: pd.DataFrame, name: str, *, caption: str = "", max_rows: int = 60) -> pd.DataFrame:
        self.items.append(Table(name, frame, caption, max_rows, self._section))
        return frame

    def figure(self, figure: go.Figure, name: str) -> go.Figure:
        self.items.append(Figure(name, figure, self._section))
        return figure

    def note(self, text: str, **values: Any) -> None:
        self.items.append(Note(text, values, self._section))

    def skipped(self, why: str) -> PhaseResult:
        """This result, with a status note that the phase is skipped and *why* (Markdown)."""
        with self.section("status"):
            self.note(f"{why} This phase is skipped.")
        return self

    def html(self, fragment: str) -> None:
        self.items.append(Html(fragment, self._section))

    def record(self, name: str, data: dict) -> None:
        self.items.append(Record(name, data, self._section))

    def document(self, folder: str, write: Callable[[Path], dict[str, Path]]) -> None:
        self.items.append(Document(folder, write, self._section))

    def report_table(self, name: str, build: Callable[[Path | None], pd.DataFrame], *, caption: str = "") -> None:
        self.items.append(ReportTable(name, build, caption, self._section))

    def widget(self, build: Callable[[], Any], *, interactive_only: bool = True) -> None:
        self.items.append(Widget(build, interactive_only, self._section))

    # --- reading ----------------------------------------------------------------------------

    @property
    def sections(self) -> list[str]:
        """The section names, in order of first appearance."""
        return list(dict.fromkeys(item.section for item in self.items))

    def in_section(self, name: str | None) -> list[Item]:
        """The items of section *name* (every item with None)."""
        return [item for item in self.items if name is None or item.section == name]

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name."""
        return {item.name: item.frame for item in self.items if isinstance(item, Table)}

    @property
    def figures(self) -> dict[str, go.Figure]:
        """Every figure by name."""
        return {item.name: item.figure for item in self.items if isinstance(item, Figure)}

    @property
    def notes(self) -> list[str]:
        """Every note as plain text, in order."""
        return [item.plain for item in self.items if isinstance(item, Note)]

    @property
    def records(self) -> dict[str, dict]:
        """Every JSON record by name."""
        return {item.name: item.data for item in self.items if isinstance(item, Record)}


def checked(source: str, **values: Any) -> dict[str, Any]:
    """*values* checked against their declared parameters (:func:`thematic.parameters.declarations`),
    so a phase called directly refuses ``coding_rule="majority"`` naming the parameter, as the
    report does before any notebook runs. Returns the values, normalised."""
    known = declarations(values)
    return {name: known[name].check(value, source=source) if name in known else value
            for name, value in values.items()}


def steps_for(steps: Steps | None, phase: str) -> Steps:
    """*steps*, or steps of *phase* kept in memory (progress shown unless in a report run)."""
    return steps if steps is not None else Steps(phase=phase)


def load(data: Any, *, model: str | None = "en_core_web_sm", require_deidentified: bool = False):
    """A :class:`~thematic.dataset.Dataset` from a data folder, a Study or a Dataset; with
    *model*, as published (memos and codebook de-identified with that pipeline)."""
    from thematic.dataset import Dataset, load_dataset

    dataset = data if isinstance(data, Dataset) else load_dataset(data, require_deidentified=require_deidentified)
    return dataset.for_publication(model=model) if model else dataset
