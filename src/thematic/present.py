"""Show a table or figure in a notebook and keep it for reviewers as CSV or plotly JSON.

Notebooks display tables and figures only through :class:`Publisher`, so every number
shown in the report is also a file under ``reports/tables`` or ``reports/figures``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown, display

from thematic import io


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

    def table(self, frame: pd.DataFrame, name: str, *, caption: str = "", max_rows: int = 60) -> Path | None:
        """Show *frame* (first *max_rows* rows) and save all of it as ``tables/<phase>/<name>.csv``."""
        name = file_name(name)
        path = None
        if self.output_dir is not None:
            path = io.write_csv(self.output_dir / "tables" / self.phase / f"{name}.csv", frame)
        shown = frame.head(max_rows)
        body = shown.to_html(classes="thematic-table", border=0, na_rep="",
                             index=any(n is not None for n in frame.index.names),
                             float_format=lambda v: f"{v:,.3f}".rstrip("0").rstrip("."))
        note = f" (first {max_rows} of {len(frame)} rows; all in the CSV)" if len(frame) > max_rows else ""
        head = f"<p class='thematic-caption'><b>{html.escape(name)}</b>"
        head += f": {html.escape(caption)}" if caption else ""
        head += html.escape(note) + (f" <code>tables/{self.phase}/{name}.csv</code>" if path else "") + "</p>"
        display({"text/html": head + body, "text/plain": f"{name}{note}\n{shown.to_string()}"}, raw=True)
        return path

    def figure(self, fig: go.Figure, name: str) -> Path | None:
        """Show *fig* and save it as ``figures/<phase>/<name>.json`` (plotly JSON)."""
        name = file_name(name)
        path = None
        spec = json.loads(fig.to_json())
        if self.output_dir is not None:
            path = io.write_text(self.output_dir / "figures" / self.phase / f"{name}.json", fig.to_json())
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"{self.phase}-{name}",
                          config={"displaylogo": False, "responsive": True})
        display({"application/vnd.plotly.v1+json": spec, "text/html": div,
                 "text/plain": f"<figure {name}>"}, raw=True)
        return path

    def note(self, text: str) -> None:
        """Show a Markdown note (e.g. why a step was skipped)."""
        display(Markdown(text))

    def html(self, fragment: str) -> None:
        """Show an HTML fragment the library built and escaped (e.g. the memos)."""
        display({"text/html": fragment, "text/plain": re.sub(r"<[^>]+>", "", fragment)}, raw=True)


def file_name(name: str) -> str:
    """*name* made safe as a file name: names can hold a study's group or theme ids, and
    must never lead out of the report folder."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-")[:120]
    return safe or "unnamed"
