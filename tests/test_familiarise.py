"""Corpus overview, methods table, talk per interview, memos and the familiarisation figures."""

import pandas as pd
import pytest

from thematic import familiarise, figures, io, load_dataset
from thematic.disclosure import name_hash
from thematic.segments import segment_turns


def test_methods_table_reports_the_sample_as_the_study_did(sample_dataset):
    segments = segment_turns(sample_dataset)
    table = familiarise.methods_table(sample_dataset, segments).set_index("Stakeholder group")
    assert table.loc["All", "Participants"] == 21 and table.loc["All", "Interviews"] == 25
    assert table.loc["All", "Duration, min: mean (range)"] == "33.4 (12-80)"
    assert table.loc["The service team", "Interviews"] == 8 and table.loc["The service team", "Participants"] == 4
    assert list(table.index) == ["Parents", "The service team", "Referrers", "Commissioners", "All"]
    roles = familiarise.participants_by_role(sample_dataset)
    assert roles["participants"].sum() == 21 and roles["interviews"].sum() == 25
    assert roles.set_index("role").loc["clinical lead", "waves"] == "1, 2"


def test_interview_summary_adds_talk_columns_and_duration(sample_dataset):
    segments = segment_turns(sample_dataset)
    summary = familiarise.interview_summary(segments, interviews=sample_dataset.interviews)
    assert len(summary) == 25
    assert (summary["participant_words"] + summary["interviewer_words"] == summary["words"]).all()
    row = summary.set_index("interview_id").loc["PAR03-W1"]
    assert row["duration_min"] == 12
    assert row["participant_share"] == pytest.approx(row["participant_words"] / row["words"], abs=1e-3)


def test_memos_are_read_hashed_and_missing_ones_listed(sample_copy, caplog):
    (sample_copy / "memos" / "NOPE-W9.md").write_text("# stray\n", encoding="utf-8")
    dataset = load_dataset(sample_copy)
    memos = familiarise.load_memos(dataset).set_index("interview_id")
    assert memos.loc["PAR02-W1", "status"] == "memo" and len(memos.loc["PAR02-W1", "sha256"]) == 64
    assert memos.loc["PAR01-W1", "status"] == "missing"
    stray = memos[memos["status"] == "no such interview"]
    assert list(stray.index) == [f"unnamed-{name_hash('NOPE-W9.md')}"]  # a file name can name someone
    assert "NOPE-W9" not in caplog.text and "[E340]" in caplog.text
    text = familiarise.memo_html(memos.reset_index())
    assert "<h3>PAR02-W1</h3>" in text and "<h4>Familiarisation memo" in text
    assert "No memo yet for" in text and "PAR01-W1" in text


def test_memo_markup_shows_as_text_and_makes_no_request(sample_copy):
    (sample_copy / "memos" / "PAR01-W1.md").write_text(
        "Heard <inaudible> twice.\n\n<script>alert(1)</script>\n\n<img src='http://example.org/x.png'>\n\n"
        "![chart](http://example.org/y.png) and [notes](javascript:alert(1)) **bold**\n", encoding="utf-8")
    memos = familiarise.load_memos(load_dataset(sample_copy))
    text = familiarise.memo_html(memos)
    assert "&lt;inaudible&gt;" in text and "&lt;script&gt;" in text and "<script" not in text
    assert "<img" not in text and "javascript:" not in text.replace("[notes](javascript:alert(1))", "")
    assert "<strong>bold</strong>" in text


def test_interview_profiles_join_summary_key_terms_and_memos(sample_dataset):
    segments = segment_turns(sample_dataset)
    summary = familiarise.interview_summary(segments, interviews=sample_dataset.interviews)
    keys = pd.DataFrame({"interview_id": ["PAR02-W1"], "key_terms": ["family nurse; tablet"]})
    profiles = familiarise.interview_profiles(summary, keys, familiarise.load_memos(sample_dataset))
    row = profiles.set_index("interview_id")
    assert row.loc["PAR02-W1", "key_terms"] == "family nurse; tablet" and row.loc["PAR02-W1", "memo"] == "memo"
    assert row.loc["PAR01-W1", "key_terms"] == "" and row.loc["PAR01-W1", "memo"] == "missing"


def test_familiarisation_figures_build():
    distinct = pd.DataFrame({"group": ["parent", "parent", "referrer"], "term": ["a", "b", "c"],
                             "count": [3, 2, 4], "count_rest": [0, 1, 2], "log_odds": [1.0, 0.5, 0.7],
                             "z": [2.0, 1.0, 1.5]})
    fig = figures.distinctive_terms(distinct)
    assert len(fig.data) == 2 and fig.layout.annotations[0].text in {"parent", "referrer"}
    rates = pd.DataFrame({"referrer": [1.0, 0.0], "parent": [0.5, 2.0]}, index=["a", "b"])
    heat = figures.term_group_heatmap(rates)
    assert list(heat.data[0].x) == ["parent", "referrer"]  # study order, not alphabetical
    summary = pd.DataFrame({"interview_id": ["A", "B"], "group": ["parent", "referrer"], "label": ["x", "y"],
                            "wave": [1, 1], "words": [10, 20], "turns": [2, 4], "participant_share": [0.8, 0.6]})
    share = figures.talk_share(summary)
    assert share.layout.yaxis.range == (0, 1) and len(share.layout.shapes) == 1


def test_memos_are_shown_deidentified_and_clean_ones_unchanged(sample_copy):
    memo = sample_copy / "memos" / "PAR02-W1.md"
    memo.write_text(memo.read_text(encoding="utf-8") + "\nHer sister Bronwen Tillotson rang on 07700 900 417.\n",
                    encoding="utf-8")
    memos = familiarise.load_memos(load_dataset(sample_copy)).set_index("interview_id")
    assert memos.loc["PAR02-W1", "text"].endswith("Her sister [person 1] rang on [phone number].")
    assert memos.loc["PAR02-W1", "sha256"] == io.sha256_file(memo)  # the file as written
    for name in ("COM02-W1", "REF05-W1", "TEAM01-W1", "TEAM01-W2"):  # nothing to remove in the others
        assert memos.loc[name, "text"] == io.read_text(sample_copy / "memos" / f"{name}.md").strip()
