import html

import pandas as pd
import pytest

from thematic import io, load_dataset
from thematic import suggestion_review as review
from thematic.errors import DataError


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Suggestions for coder_b learnt from coder_a on a copy of the sample, exported once."""
    import shutil

    from conftest import SAMPLE

    data = tmp_path_factory.mktemp("review") / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("source"))
    dataset = load_dataset(data)
    table, model = review.build_suggestions(dataset, learn_from="coder_a", reviewer="coder_b", seed=1)
    path = review.export_suggestions(table, review.suggestions_path(data, "coder_b"))
    return data, dataset, table, path


def test_suggestions_are_ranked_and_rerun_gives_the_same(exported):
    data, dataset, table, path = exported
    assert len(table) > 0 and list(table.columns) == review.SUGGESTION_COLUMNS
    assert table["score"].is_monotonic_decreasing
    assert (table["decision"] == "").all() and table["model"].str.startswith("CodeSuggester/").all()
    again, _ = review.build_suggestions(dataset, learn_from="coder_a", reviewer="coder_b", seed=1)
    pd.testing.assert_frame_equal(table, again)


def test_accepted_suggestions_become_codings_with_provenance_once(exported):
    data, _, table, path = exported
    edited = review.read_suggestions(path).drop(columns="_line")
    edited.loc[0, "decision"] = "accept"
    edited.loc[1, "decision"] = "Reject"
    edited.to_csv(path, index=False)
    before = (data / "codings" / "coder_b.csv").read_bytes()
    entries = review.apply_review(data, coder="coder_b", now=lambda: "2026-01-01T00:00:00+00:00")
    assert sorted(entries["decision"]) == ["accept", "reject"]
    after = (data / "codings" / "coder_b.csv").read_bytes()
    assert after.startswith(before) and after[len(before):].count(b"\n") == 1  # one line appended, nothing rewritten
    codings = pd.read_csv(data / "codings" / "coder_b.csv", dtype=str, keep_default_na=False)
    row = codings.iloc[-1]
    assert row["code"] == table.loc[0, "code"] and int(row["start"]) == table.loc[0, "start"]
    assert load_dataset(data).codings.query("coder == 'coder_b'").shape[0] == len(codings)
    assert review.apply_review(data, coder="coder_b").empty  # nothing new the second time
    log = review.read_log(data)
    assert len(log) == 2 and set(review.log_summary(log)["coder"]) == {"coder_b"}
    accepted = log[log["decision"] == "accept"].iloc[0]  # provenance: model, score and time in the log
    assert accepted["model"] == table.loc[0, "model"] and float(accepted["score"]) == table.loc[0, "score"]
    assert accepted["time"] == "2026-01-01T00:00:00+00:00"
    # re-exporting keeps the decisions already made
    review.export_suggestions(table, path)
    assert review.read_suggestions(path)["decision"].iloc[:2].tolist() == ["accept", "reject"]


def test_bad_decision_names_file_and_line(exported, tmp_path):
    _, _, table, _ = exported
    path = tmp_path / "s.csv"
    table.assign(decision=["maybe"] + [""] * (len(table) - 1)).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"s.csv, line 2: decision 'maybe'"):
        review.read_suggestions(path)


def test_unknown_coder_is_a_clear_error(exported):
    _, dataset, _, _ = exported
    with pytest.raises(DataError, match="No coder 'nobody'"):
        review.build_suggestions(dataset, learn_from="nobody", reviewer="coder_b")


def test_headless_panel_falls_back_to_a_table(exported):
    _, _, table, path = exported
    shown = review.review_panel(path, page_size=5)
    assert isinstance(shown, pd.DataFrame) and len(shown) == 5


def test_panel_pages_wraps_and_confirms_each_saved_decision(exported, tmp_path):
    widgets = pytest.importorskip("ipywidgets")
    _, _, table, path = exported
    copy = tmp_path / "suggestions.csv"
    copy.write_bytes(path.read_bytes())
    frame = review.read_suggestions(copy).drop(columns="_line")
    frame.loc[0, "text"] = "word " * 60 + "<b>markup</b>"
    frame["decision"] = ""
    io.write_csv(copy, frame)
    panel = review._panel(copy, review.read_suggestions(copy).drop(columns="_line"), widgets, page_size=3, width=40)
    (previous, following, status), rows = panel.children[0].children, panel.children[1]
    assert f"1-3 of {len(frame)}" in status.value and len(rows.children) == 3
    label = rows.children[0].children[1].value
    assert "&lt;b&gt;markup&lt;/b&gt;" in label and max(len(html.unescape(line)) for line in label.split("<br>")[1:-1]) <= 40
    choice, note = rows.children[0].children[0].children
    choice.value = "accept"
    assert "saved: accept" in note.value
    assert review.read_suggestions(copy)["decision"].iloc[0] == "accept"
    following.click()
    assert f"4-6 of {len(frame)}" in status.value
