"""Show a table or figure in a notebook and keep it for reviewers as CSV or plotly JSON.

Notebooks display tables, figures and notes only through :class:`Publisher`, so every number
shown in the report is also a file under ``reports/tables`` or ``reports/figures``, and no text
from the data reaches the page as markup: table cells are escaped, figure text is escaped for
plotly, and notes are rendered Markdown without raw HTML or images, data values put in as text
(:mod:`thematic.markup`).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import display

from thematic import io, markup, tableview
from thematic.steps import REPORT_ENV


class Publisher:
    """Display tables and figures for one phase, and save them under *output_dir*.

    Parameters
    ----------
    output_dir
        The report folder (``tables/<phase>/`` and ``figures/<phase>/`` go below it), or
        None to display only (interactive use).
    phase
        The notebook's phase name, e.g. ``"01-familiarisation"``.
    """

    def __init__(self, output_dir: str | Path | None, *, phase: str):
        self.output_dir = io.resolve(output_dir) if output_dir else None
        self.phase = phase

    def table(self, frame: pd.DataFrame, name: str, *, caption: str = "", max_rows: int = 60,
              max_columns: int = 12) -> Path | None:
        """Show *frame* for reading and save all of it as ``tables/<phase>/<name>.csv``.

        The view (:func:`thematic.tableview.table_view`) puts text first, wraps long text,
        right-aligns numbers and shows the first *max_rows* rows and at most *max_columns*
        columns; the caption says what is left to the CSV and links to it (from the report's
        pages, ``../tables/<phase>/<name>.csv``).
        """
        name = file_name(name)
        path = None
        if self.output_dir is not None:
            path = io.write_csv(self.output_dir / "tables" / self.phase / f"{name}.csv", frame)
        view = tableview.table_view(frame, max_rows=max_rows, max_columns=max_columns)
        note = view.note
        head = f"<p class='thematic-caption'><b>{html.escape(name)}</b>"
        head += f": {html.escape(caption)}" if caption else ""
        head += f" ({html.escape(note)})" if note else ""
        if path:
            shown = f"tables/{self.phase}/{name}.csv"
            head += f" <a href=\"{html.escape(self.link(shown))}\" download>{html.escape(shown)}</a>"
        if view.same_in_every_row:
            same = "; ".join(f"{k} = {v}" for k, v in view.same_in_every_row.items())
            head += f"<br><span class='thematic-same'>In every row: {html.escape(same)}</span>"
        head += "</p>"
        plain = frame.head(max_rows).to_string()
        display({"text/html": tableview.STYLE + head + view.html,
                 "text/plain": f"{name}{f' ({note})' if note else ''}\n{plain}"}, raw=True)
        return path

    def figure(self, fig: go.Figure, name: str) -> Path | None:
        """Show *fig* and save it as ``figures/<phase>/<name>.json`` (plotly JSON).

        Every string of the figure goes through :func:`thematic.markup.safe_figure` first, so a
        group or theme named ``<a href=...>`` is drawn as those characters, not as a link.
        """
        name = file_name(name)
        spec = markup.safe_figure(json.loads(fig.to_json()))
        text = json.dumps(spec)
        path = None
        if self.output_dir is not None:
            path = io.write_text(self.output_dir / "figures" / self.phase / f"{name}.json", text)
        div = pio.to_html(spec, full_html=False, include_plotlyjs=False, div_id=f"{self.phase}-{name}",
                          config={"displaylogo": False, "responsive": True}, validate=False)
        display({"application/vnd.plotly.v1+json": spec, "text/html": div,
                 "text/plain": f"<figure {name}>"}, raw=True)
        return path

    def note(self, text: str, **values) -> None:
        """Show a note: *text* is Markdown the notebook wrote; each ``{name}`` in it is filled
        with ``values[name]``, text from the data, shown exactly as written.

        Raw HTML and images in *text* are not rendered (:func:`thematic.markup.markdown_html`):
        a note can neither run a script nor make a request, whatever it holds.
        """
        display({"text/html": markup.markdown_html(text, **values),
                 "text/plain": markup.plain_text(text, **values)}, raw=True)

    def html(self, fragment: str) -> None:
        """Show an HTML fragment the library built and escaped (e.g. the memos)."""
        display({"text/html": fragment, "text/plain": re.sub(r"<[^>]+>", "", fragment)}, raw=True)

    def link(self, relative: str) -> str:
        """The href of *relative* (a path inside the report folder) from where the output is read:
        ``../`` under ``thematic report`` (its pages in ``html/`` and notebooks in ``executed/``),
        else from the kernel's folder, as JupyterLab resolves links in a live notebook."""
        if self.output_dir is not None and not os.environ.get(REPORT_ENV):  # a live session
            return Path(os.path.relpath(self.output_dir / relative, Path.cwd())).as_posix()
        return f"../{relative}"

    def record(self, name: str, data: dict) -> Path | None:
        """Save *data* as the JSON record *name* in the report folder (e.g. ``consensus.json``,
        which the manifest then records); nothing is shown."""
        if self.output_dir is None:
            return None
        return io.write_json(self.output_dir / file_name(name), data)

    def document(self, folder: str, write) -> dict[str, Path]:
        """Write documents into *folder* of the report folder with *write(path) -> {kind: Path}*
        and show a link to each (nothing is written without a report folder)."""
        if self.output_dir is None:
            return {}
        folder = file_name(folder)
        written = write(self.output_dir / folder)
        self.note("Written: " + ", ".join(f"[`{folder}/{p.name}`]({self.link(f'{folder}/{p.name}')})"
                                          for p in written.values()))
        return written

    def show(self, result, section: str | None = None) -> None:
        """Display and save every item of a :class:`~thematic.phases.base.PhaseResult` (of one
        *section*, or all), in order: tables, figures, notes, HTML, records, documents, tables
        built from the report folder, and widgets (those marked interactive only in a live
        session alone, that is without a report folder)."""
        from thematic.phases import base

        for item in result.in_section(section):
            if isinstance(item, base.Table):
                self.table(item.frame, item.name, caption=item.caption, max_rows=item.max_rows)
            elif isinstance(item, base.Figure):
                self.figure(item.figure, item.name)
            elif isinstance(item, base.Note):
                self.note(item.text, **item.values)
            elif isinstance(item, base.Html):
                self.html(item.fragment)
            elif isinstance(item, base.Record):
                self.record(item.name, item.data)
            elif isinstance(item, base.Document):
                self.document(item.folder, item.write)
            elif isinstance(item, base.ReportTable):
                self.table(item.build(self.output_dir), item.name, caption=item.caption)
            elif isinstance(item, base.Widget) and not (item.interactive_only and self.output_dir is not None):
                display(item.build())


def file_name(name: str) -> str:
    """*name* made safe as a file name: names can hold a study's group or theme ids, and
    must never lead out of the report folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-")[:120]
    return safe or "unnamed"
