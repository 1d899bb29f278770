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


def test_exemplars_are_segments_the_model_learnt_from_in_other_interviews(exported):
    data, dataset, table, path = exported
    units, coded = review.study_units(dataset)
    coded_by_a = set(coded.loc[coded["coder"] == "coder_a", "segment_id"])
    shown = table.assign(exemplar=table["exemplars"].str.split("; ")).explode("exemplar")
    shown = shown[shown["exemplar"].fillna("") != ""]
    assert len(shown) > 0 and set(shown["exemplar"]) <= coded_by_a  # segment ids, not row numbers
    interview = shown["exemplar"].str.split(":").str[0]
    assert (interview != shown["interview_id"]).all()  # never the segment's own interview


def test_units_and_model_built_once_give_the_same_suggestions(exported):
    """Notebook 02 builds the units and the suggester once and hands them on."""
    _, dataset, table, _ = exported
    units = review.study_units(dataset)
    model = review.suggester(dataset, seed=1)
    reused, fitted = review.build_suggestions(dataset, learn_from="coder_a", reviewer="coder_b", seed=1,
                                              units=units, model=model)
    pd.testing.assert_frame_equal(table, reused)
    assert fitted is not model and not hasattr(model, "vectorizers_")  # the template is cloned, never fitted


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


@pytest.fixture
def half_coded(sample_copy):
    """The sample with coder_b's codings kept for 12 of the 25 interviews only."""
    path = sample_copy / "codings" / "coder_b.csv"
    codings = pd.read_csv(path, dtype=str, keep_default_na=False)
    kept = sorted(codings["interview_id"].unique())[:12]
    codings[codings["interview_id"].isin(kept)].to_csv(path, index=False)
    return sample_copy, kept


def test_next_list_spreads_over_uncoded_interviews_and_coding_it_teaches(half_coded):
    import math

    data, kept = half_coded
    dataset = load_dataset(data)
    table = review.build_next(dataset, coder="coder_b", n=20, seed=1)
    assert list(table.columns) == review.NEXT_COLUMNS and len(table) == 20
    assert not table["interview_id"].isin(kept).any()  # hand-coded interviews count as coded throughout
    assert table["interview_id"].value_counts().max() <= math.ceil(20 / 5)
    assert table["value"].between(0, 1).all() and table["why"].str.contains("coded so far").all()
    assert table["model"].str.startswith("CodeSuggester/").all() and (table["codes"] == "").all()
    again = review.build_next(load_dataset(data), coder="coder_b", n=20, seed=1)
    pd.testing.assert_frame_equal(table, again)

    path = review.export_next(table, review.next_path(data, "coder_b"))
    filled = review.read_next(path).drop(columns="_line")
    code = dataset.codebook.code_ids[0]
    filled.loc[0, "codes"] = f"{code}; {dataset.codebook.code_ids[1]}"
    filled.loc[1, "codes"] = "None"
    filled.to_csv(path, index=False)
    entries = review.apply_review(data, coder="coder_b", codes=dataset.codebook.code_ids,
                                  now=lambda: "2026-01-02T00:00:00+00:00")
    assert entries["decision"].tolist() == ["coded", "coded", "none"]
    codings = pd.read_csv(data / "codings" / "coder_b.csv", dtype=str, keep_default_na=False)
    added = codings.tail(2)  # appended at the end of the coder's file
    assert sorted(added["code"]) == sorted(dataset.codebook.code_ids[:2])
    assert set(added["interview_id"]) == {table.loc[0, "interview_id"]}
    assert review.apply_review(data, coder="coder_b").empty
    # the two segments now count as coded: the next list moves on, their interviews do not
    after = review.build_next(load_dataset(data), coder="coder_b", n=20, seed=1)
    assert not after["segment_id"].isin(table["segment_id"].iloc[:2]).any()
    assert not after["interview_id"].isin(kept).any()


def test_next_list_refuses_unknown_codes_and_keeps_filled_rows(half_coded):
    data, _ = half_coded
    dataset = load_dataset(data)
    table = review.build_next(dataset, coder="coder_b", n=5, seed=1)
    path = review.export_next(table.assign(codes=["no_such_code"] + [""] * 4), review.next_path(data, "coder_b"))
    with pytest.raises(DataError, match=r"next-coder_b.csv, line 2: code 'no_such_code'"):
        review.apply_review(data, coder="coder_b", codes=dataset.codebook.code_ids)
    review.export_next(table.iloc[2:], path)  # a new list keeps the filled row
    assert review.read_next(path)["codes"].tolist()[0] == "no_such_code"


def test_first_next_list_without_any_coding_is_random_and_spread(sample_copy):
    (sample_copy / "codings" / "coder_b.csv").unlink()
    dataset = load_dataset(sample_copy)
    table = review.build_next(dataset, coder="coder_b", n=10, seed=3)
    assert len(table) == 10 and (table["model"] == "random").all()
    assert table["interview_id"].value_counts().max() <= 2


def test_suggest_next_command_writes_the_list_and_refuses_a_negative_count(half_coded):
    from click.testing import CliRunner

    from thematic.cli import main

    data, _ = half_coded
    runner = CliRunner()
    out = runner.invoke(main, ["suggest", "next", str(data), "--coder", "coder_b", "-n", "6"])
    assert out.exit_code == 0, out.output
    assert "6 segments listed" in out.output and len(review.read_next(review.next_path(data, "coder_b"))) == 6
    bad = runner.invoke(main, ["suggest", "next", str(data), "--coder", "coder_b", "-n", "-1"])
    assert bad.exit_code == 1 and "[E908]" in bad.output


class _Recorder:
    """A stand-in suggester that records which interviews it learnt from and says, for each
    segment it scores, whether its interview was among them."""

    def __init__(self):
        self.seen = set()

    def get_params(self, deep=False):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, units, Y):
        self.seen = set(units["interview_id"])
        return self

    def suggest(self, units, top_k=3):
        return pd.DataFrame({"item": range(len(units)), "code": "c", "rank": 1, "score": 0.5,
                             "above_threshold": True,
                             "evidence": ["own interview seen" if i in self.seen else "unseen"
                                          for i in units["interview_id"]]})


def test_no_suggestion_is_scored_by_a_model_that_saw_its_interview():
    taught = pd.DataFrame({"segment_id": [f"I{i}:t{j}" for i in range(6) for j in range(3)],
                           "interview_id": [f"I{i}" for i in range(6) for _ in range(3)]})
    Y = pd.DataFrame({"c": [1, 0, 1] * 6})
    todo = pd.DataFrame({"segment_id": ["I0:t1", "I3:t2", "NEW:t1", "I5:t1"],
                         "interview_id": ["I0", "I3", "NEW", "I5"]})
    table = review.unseen_suggestions(_Recorder().fit(taught, Y), taught, Y, todo)
    assert list(table["segment_id"]) == list(todo["segment_id"])  # in the order asked
    assert set(table["evidence"]) == {"unseen"}
