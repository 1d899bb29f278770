"""Tables for reading: a DataFrame as a self-contained, escaped HTML view.

The same HTML shows in JupyterLab and in the report (its style travels with it, since
JupyterLab does not load the report's style sheet). What the view does:

- text columns first and left-aligned (the first two, then long text, then the others); long text wrapped in a bounded width, clamped to a few
  lines, the whole text shown on a click (``<details>``: no script, works offline);
- numbers right-aligned, one number of decimals per column chosen from its magnitude; an
  estimate and its ``_low``/``_high`` bounds shown as one cell, ``0.49 [0.30, 0.89]``;
- in a wide table, columns holding one value in every row said once above it, not repeated;
- wide tables cut to a short view (the CSV holds every column), tall ones scroll in a box
  with the header kept in sight;
- every header and cell escaped: data text never becomes markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Text up to this long stays on one line (ids, labels).
SHORT_TEXT = 32
#: Text longer than this is clamped to a few lines, the rest shown on a click.
LONG_TEXT = 90

STYLE = """<style>
div.thematic-view{max-height:36em;overflow:auto;margin:.2em 0 1em 0;border:1px solid #e1e4e8;max-width:100%;
 width:fit-content}
div.thematic-view table.thematic-table{border-collapse:collapse;font-size:12.5px;margin:0;table-layout:auto;width:auto}
div.thematic-view table.thematic-table th,div.thematic-view table.thematic-table td{padding:.3em .6em;
 border:none;border-bottom:1px solid #e1e4e8;vertical-align:top;line-height:1.35;max-width:none}
div.thematic-view table.thematic-table th{position:sticky;top:0;background:#f6f8fa;z-index:1;text-align:left;
 font-weight:600;min-width:4em}
div.thematic-view table.thematic-table th.n,div.thematic-view table.thematic-table td.n{text-align:right;
 font-variant-numeric:tabular-nums;white-space:nowrap}
div.thematic-view table.thematic-table td.t{text-align:left;min-width:8em;max-width:22em}
div.thematic-view table.thematic-table td.s{white-space:nowrap;min-width:0}
div.thematic-view table.thematic-table td.long{text-align:left;min-width:18em;max-width:34em}
div.thematic-view details>summary{display:block;cursor:pointer;list-style:none}
div.thematic-view details>summary::-webkit-details-marker{display:none}
div.thematic-view details:not([open])>summary>span{display:-webkit-box;-webkit-line-clamp:3;
 -webkit-box-orient:vertical;overflow:hidden}
div.thematic-view details:not([open])>summary::after{content:"show all";font-size:.85em;color:#0969da}
p.thematic-caption{margin:.8em 0 .2em 0}
p.thematic-caption a,p.thematic-caption code{font-size:.85em;color:#0969da}
p.thematic-caption span.thematic-same{color:#57606a}
</style>"""


@dataclass(frozen=True)
class TableView:
    """What :func:`table_view` made: the HTML table, and what the caption should say about it."""

    html: str
    rows_shown: int
    rows: int
    columns_shown: list[str]
    columns_left_out: list[str]
    same_in_every_row: dict[str, str]

    @property
    def note(self) -> str:
        """Plain text: which rows and columns the view leaves to the CSV."""
        parts = []
        if self.rows_shown < self.rows:
            parts.append(f"first {self.rows_shown} of {self.rows} rows")
        if self.columns_left_out:
            parts.append(f"{len(self.columns_left_out)} more columns ({', '.join(self.columns_left_out)})")
        return f"{'; '.join(parts)}: all in the CSV" if parts else ""


def table_view(frame: pd.DataFrame, *, max_rows: int = 60, max_columns: int = 12) -> TableView:
    """*frame* as an HTML table for reading.

    Parameters
    ----------
    frame
        Any DataFrame; a named index becomes columns.
    max_rows
        Rows shown (the first ones).
    max_columns
        Columns shown, after merging intervals and setting aside columns with one value.

    Returns
    -------
    TableView
        The escaped HTML (style not included: see :data:`STYLE`) and what it leaves out.
    """
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    frame = frame.loc[:, ~frame.columns.duplicated()]
    rows = len(frame)
    same = {}
    if rows > 1 and frame.shape[1] > max_columns:  # a wide table: say a column's one value once
        for column in frame.columns:
            values = frame[column].map(_plain)  # as shown (lists in cells are not hashable)
            if values.nunique() == 1 and values.iloc[0] != "":
                same[str(column)] = values.iloc[0]
    columns = [c for c in frame.columns if str(c) not in same] or list(frame.columns)
    numeric = [c for c in columns if _is_number(frame[c])]
    intervals = {c: (f"{c}_low", f"{c}_high") for c in numeric
                 if f"{c}_low" in frame.columns and f"{c}_high" in frame.columns}
    bounds = {b for pair in intervals.values() for b in pair}
    columns = [c for c in columns if c not in bounds]
    long = [c for c in columns if c not in numeric and frame[c].map(_plain).str.len().max() > LONG_TEXT]
    short = [c for c in columns if c not in numeric and c not in long]
    text = short[:2] + long + short[2:]  # the long text near the left, after the labels
    ordered = text + [c for c in columns if c in numeric]
    shown, left_out = _short_view(ordered, text=text, long=long, intervals=intervals, max_columns=max_columns)
    body = frame.head(max_rows)
    formats = {c: _number_format(frame[c]) for c in numeric}
    head = "".join(f"<th class='{'n' if c in numeric else 't'}'>{_header(c, interval=c in intervals)}</th>"
                   for c in shown)
    lines = []
    for row in body.itertuples(index=False, name=None):
        values = dict(zip(frame.columns, row, strict=True))
        cells = []
        for column in shown:
            if column in numeric:
                cell = formats[column](values[column])
                if column in intervals:
                    low, high = (formats[column](values[b]) for b in intervals[column])
                    cell += f" [{low}, {high}]" if low or high else ""
                cells.append(f"<td class='n'>{html.escape(cell)}</td>")
            else:
                cells.append(_text_cell(values[column]))
        lines.append(f"<tr>{''.join(cells)}</tr>")
    table = (f"<div class='thematic-view'><table class='thematic-table'><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(lines)}</tbody></table></div>")
    return TableView(html=table, rows_shown=len(body), rows=rows, columns_shown=[str(c) for c in shown],
                     columns_left_out=[str(c) for c in left_out], same_in_every_row=same)


def _short_view(ordered: list, *, text: list, long: list, intervals: dict,
                max_columns: int) -> tuple[list, list]:
    """At most *max_columns* of *ordered*: the first short text columns, the long text,
    estimates with intervals, then the rest in order; what is left out, in order."""
    if len(ordered) <= max_columns:
        return ordered, []
    first = [c for c in text if c not in long][:max(1, max_columns // 2)] + long[:max(1, max_columns // 3)]
    priority = first + [c for c in ordered if c in intervals and c not in first]
    priority += [c for c in ordered if c not in priority]
    keep = set(priority[:max_columns])
    return [c for c in ordered if c in keep], [c for c in ordered if c not in keep]


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _number_format(values: pd.Series):
    """A formatter for one numeric column: whole numbers without decimals, others with a
    number of decimals that suits the column's largest value (the same for every row)."""
    finite = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    whole = finite.empty or bool((finite == finite.round()).all())
    largest = float(finite.abs().max()) if not finite.empty else 0.0
    if whole:
        spec = ",.0f" if largest >= 10_000 else ".0f"
    elif largest >= 100:
        spec = ",.1f"
    elif largest >= 1:
        spec = ".2f"
    elif largest >= 0.01:
        spec = ".3f"
    else:
        spec = ".3g"

    def shown(value) -> str:
        if _plain(value) == "":
            return ""
        try:
            return format(float(value), spec)
        except (TypeError, ValueError):
            return str(value)

    return shown


def _plain(value) -> str:
    """A cell as text; missing values (None, NaN, NA, NaT) as nothing."""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # a list or array in a cell: shown as it prints
        pass
    return str(value)


def _header(column, *, interval: bool) -> str:
    """A header escaped, with a line-break opportunity after each underscore."""
    text = html.escape(str(column)).replace("_", "_<wbr>")
    return f"{text} <span title='95% interval'>[low, high]</span>" if interval else text


def _text_cell(value) -> str:
    text = _plain(value)
    if len(text) <= SHORT_TEXT:
        return f"<td class='t s'>{html.escape(text)}</td>"
    if len(text) <= LONG_TEXT:
        return f"<td class='t'>{html.escape(text)}</td>"
    return (f"<td class='long'><details><summary title='click to show all or less'><span>{html.escape(text)}"
            "</span></summary></details></td>")
