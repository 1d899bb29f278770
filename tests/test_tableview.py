"""Tables for reading: text first, long text clamped, numbers aligned, wide tables cut, all escaped."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from thematic.tableview import LONG_TEXT, table_view


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<t[dh] class='([^']*)'>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]


def test_text_first_left_numbers_right_with_one_number_of_decimals_per_column():
    frame = pd.DataFrame({"n": [3, 12], "share": [0.12345, 0.5], "code": ["a", "b"],
                          "words": [1234.5, 99.0], "count": [1.0, np.nan]})
    view = table_view(frame)
    assert view.columns_shown == ["code", "n", "share", "words", "count"]
    assert _cells(view.html)[0] == ["t", "n", "n", "n", "n"]
    assert _cells(view.html)[1] == ["t s", "n", "n", "n", "n"]
    assert re.findall(r"<td class='n'>([^<]*)</td>", view.html) == [
        "3", "0.123", "1,234.5", "1", "12", "0.500", "99.0", ""]


def test_long_text_is_clamped_but_whole_in_the_page_and_escaped():
    long = "word " * 40 + "<script>alert(1)</script> end"
    view = table_view(pd.DataFrame({"code": ["a"], "text": [long]}))
    assert len(long) > LONG_TEXT
    assert "<td class='long'><details><summary" in view.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; end" in view.html and "<script>" not in view.html


def test_estimates_and_their_bounds_share_a_cell_and_constant_columns_are_said_once():
    frame = pd.DataFrame({"code": ["a", "b"], "unit": ["turn", "turn"], "kappa": [0.4866, 0.61],
                          "kappa_low": [0.3048, 0.0], "kappa_high": [0.8873, 0.79]})
    view = table_view(frame, max_columns=3)  # a wide table
    assert view.columns_shown == ["code", "kappa"] and view.same_in_every_row == {"unit": "turn"}
    assert table_view(frame).columns_shown == ["code", "unit", "kappa"]  # a narrow one shows it
    assert "0.487 [0.305, 0.887]" in view.html and "0.610 [0.000, 0.790]" in view.html


def test_a_wide_table_is_cut_to_a_short_view_and_says_what_is_left_to_the_csv():
    frame = pd.DataFrame({"code": ["a", "b"], "label": ["x", "y"],
                          **{f"m{i}": [float(i), i + 0.5] for i in range(20)},
                          "kappa": [0.1, 0.2], "kappa_low": [0.0, 0.1], "kappa_high": [0.2, 0.3]})
    view = table_view(frame, max_columns=8, max_rows=1)
    assert len(view.columns_shown) == 8 and view.columns_shown[:2] == ["code", "label"]
    assert "kappa" in view.columns_shown  # an estimate with its interval comes before other numbers
    assert view.columns_left_out == [f"m{i}" for i in range(5, 20)]
    assert view.note == "first 1 of 2 rows; 15 more columns (" + ", ".join(view.columns_left_out) + "): all in the CSV"
    assert view.html.count("<tr>") == 2


def test_headers_and_index_are_escaped_and_a_named_index_becomes_a_column():
    frame = pd.DataFrame({"<b>x</b>": [1, 2]}, index=pd.Index(["<i>", "j"], name="the_group"))
    view = table_view(frame)
    assert view.columns_shown == ["the_group", "<b>x</b>"]
    assert "the_<wbr>group" in view.html and "&lt;b&gt;x&lt;/b&gt;" in view.html and "&lt;i&gt;" in view.html
    assert "<b>" not in view.html and "<i>" not in view.html
