"""The Publisher: every table, figure and note from the data reaches the page as text."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.express as px
import pytest

from thematic import io, present

HOSTILE = '<img src="http://127.0.0.1:9/x"> & <inaudible>'


@pytest.fixture
def shown(monkeypatch) -> list[dict]:
    outputs = []
    monkeypatch.setattr(present, "display", lambda data, raw: outputs.append(data))
    return outputs


def test_a_table_escapes_cells_headers_and_caption(tmp_path: Path, shown):
    frame = pd.DataFrame({HOSTILE: [HOSTILE]})
    path = present.Publisher(tmp_path, phase="p").table(frame, "t", caption=HOSTILE)
    page = shown[0]["text/html"]
    assert "<img" not in page and "<inaudible>" not in page and page.count("&lt;img") == 3
    assert pd.read_csv(path).columns[0] == HOSTILE  # the CSV keeps the text as it is


def test_a_figure_draws_data_text_as_text_and_saves_what_it_shows(tmp_path: Path, shown):
    frame = pd.DataFrame({"group": [HOSTILE, "<a href='http://127.0.0.1:9/'>x</a>"], "n": [1, 2]})
    fig = px.bar(frame, x="group", y="n", title=f"Groups: {HOSTILE}", hover_data=["group"])
    path = present.Publisher(tmp_path, phase="p").figure(fig, "f")
    saved = json.loads(path.read_text())
    assert saved["data"][0]["x"] == ['&lt;img src="http://127.0.0.1:9/x"&gt; &amp; &lt;inaudible&gt;',
                                     "&lt;a href='http://127.0.0.1:9/'&gt;x&lt;/a&gt;"]
    assert saved["layout"]["title"]["text"].startswith("Groups: &lt;img")
    assert "<br>" in saved["data"][0]["hovertemplate"]  # plotly's own layout tag stays a tag
    assert shown[0]["application/vnd.plotly.v1+json"] == saved
    assert "<img" not in shown[0]["text/html"] and "<a href" not in shown[0]["text/html"]


def test_a_note_puts_values_in_as_text(shown):
    present.Publisher(None, phase="p").note("**Scope rules:** {rules}. <b>raw</b>", rules=HOSTILE)
    page = shown[0]["text/html"]
    assert page == ("<p><strong>Scope rules:</strong> &lt;img src=&quot;http://127.0.0.1:9/x&quot;&gt; &amp; "
                    "&lt;inaudible&gt;. &lt;b&gt;raw&lt;/b&gt;</p>\n")
    assert shown[0]["text/plain"] == f"**Scope rules:** {HOSTILE}. <b>raw</b>"


def test_a_table_carries_its_style_and_links_its_csv_from_the_report_pages(tmp_path: Path, shown, monkeypatch):
    monkeypatch.setenv("THEMATIC_REPORT", "1")
    frame = pd.DataFrame({"code": ["a", "b"], "n": [1, 2]})
    present.Publisher(tmp_path, phase="03-x").table(frame, "per code", caption="c")
    page = shown[0]["text/html"]
    assert page.startswith("<style>") and "div.thematic-view" in page  # JupyterLab has no report.css
    assert '<a href="../tables/03-x/per-code.csv" download>tables/03-x/per-code.csv</a>' in page
    present.Publisher(None, phase="03-x").table(frame, "per code")
    assert "<a href" not in shown[1]["text/html"]  # nothing saved, nothing to link


def test_in_a_live_notebook_links_lead_from_the_kernels_folder_to_the_report(tmp_path: Path, shown, monkeypatch):
    monkeypatch.delenv("THEMATIC_REPORT", raising=False)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # where JupyterLab starts a notebook's kernel
    publisher = present.Publisher(tmp_path / "reports", phase="03-x")
    publisher.table(pd.DataFrame({"n": [1]}), "per code")
    assert '<a href="../reports/tables/03-x/per-code.csv" download>tables/03-x/per-code.csv</a>' in shown[0]["text/html"]
    assert (tmp_path / "notebooks" / "../reports/tables/03-x/per-code.csv").exists()
    publisher.document("member-check", lambda folder: {"docx": io.write_text(folder / "a.docx", "x")})
    assert "../reports/member-check/a.docx" in shown[1]["text/html"]
