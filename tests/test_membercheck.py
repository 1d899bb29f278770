"""Member check: the HTML and Word documents, and recording the comments back."""

import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from thematic import load_dataset, membercheck
from thematic.cli import main
from thematic.errors import DataError


def _quotes():
    return pd.DataFrame([
        {"quote_id": "T1-Q1", "theme": "T1", "group": "referrer", "attribution": "Referrer 1",
         "quote": "We have no shared system, so things get lost."},
        {"quote_id": "T2-Q1", "theme": "T2", "group": "parent", "attribution": "Mother 1",
         "quote": "I had five people <visiting> in one week & more."},
    ])


@pytest.fixture
def summary(tiny_data):
    dataset = load_dataset(tiny_data)
    convergence = pd.DataFrame([{"theme": "T1", "convergence": "single group"},
                                {"theme": "T2", "convergence": "single group"}])
    return membercheck.build_summary(dataset.codebook, _quotes(), convergence=convergence)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.urls, self.ids, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self.urls += [attrs[k] for k in ("src", "href") if k in attrs]
        if "id" in attrs:
            self.ids.append(attrs["id"])

    def handle_data(self, data):
        self.text.append(data)


def test_summary_has_stable_document_id_and_items(summary, tiny_data):
    assert summary["document_id"].startswith("MC-")
    again = membercheck.build_summary(load_dataset(tiny_data).codebook, _quotes(), convergence=None)
    assert again["document_id"] != summary["document_id"]  # what the reader sees changed
    assert membercheck.item_ids(summary) == ["T1", "T1-Q1", "T2", "T2-Q1", "general"]


def test_html_is_self_contained_and_parses(summary, tmp_path):
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    page = paths["html"].read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.urls == [] and "script" not in parser.tags and "link" not in parser.tags
    assert {"T1", "T1-Q1", "T2", "T2-Q1", "general"} <= set(parser.ids)
    text = " ".join(parser.text)
    assert "I had five people <visiting> in one week & more." in text  # escaped in HTML, intact as text
    assert "&lt;visiting&gt;" in page and "Mother 1" in text
    assert "No common system." in text  # code definitions


def test_docx_opens_and_holds_themes_quotes_and_comment_tables(summary, tmp_path):
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    document = docx.Document(str(paths["docx"]))
    assert document.core_properties.identifier == summary["document_id"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "T1. Communication" in headings and "T2. Parents" in headings
    body = "\n".join(p.text for p in document.paragraphs)
    assert "I had five people <visiting> in one week & more." in body and "Mother 1 · T2-Q1" in body
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0] == [["Item", "Your comments"], ["T1", ""], ["T1-Q1", ""]]
    template = pd.read_csv(paths["template"], keep_default_na=False)
    assert list(template["item_id"]) == membercheck.item_ids(summary)


def test_docx_holds_text_with_characters_word_cannot(tiny_data, tmp_path):
    quotes = _quotes()
    quotes.loc[0, "quote"] = "Line one\x0bline two\x0c<script>x</script> &amp;"  # Word's manual line break
    summary = membercheck.build_summary(load_dataset(tiny_data).codebook, quotes)
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    body = "\n".join(p.text for p in docx.Document(str(paths["docx"])).paragraphs)
    assert "“Line one line two <script>x</script> &amp;”" in body


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_docx_converts_with_libreoffice(summary, tmp_path):
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                           str(paths["docx"])], check=False, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and (tmp_path / "member-check.pdf").stat().st_size > 1000


def test_comments_from_an_edited_docx(summary, tmp_path):
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    document = docx.Document(str(paths["docx"]))
    document.tables[0].rows[2].cells[1].text = "This quote is typical."
    document.add_comment(document.paragraphs[1].runs, text="Overall fair.", author="Service lead")
    document.core_properties.last_modified_by = "Service lead"
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    comments = membercheck.read_comments(edited)
    assert list(comments["item_id"]) == ["T1-Q1", "general"]
    assert list(comments["comment"]) == ["This quote is typical.", "Overall fair."]
    assert set(comments["reviewer"]) == {"Service lead"}
    assert set(comments["document_id"]) == {summary["document_id"]}
    not_ours = tmp_path / "other.docx"
    docx.Document().save(str(not_ours))
    with pytest.raises(DataError, match="member-check document id"):
        membercheck.read_comments(not_ours)
    (tmp_path / "broken.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataError, match="not a Word document"):
        membercheck.read_comments(tmp_path / "broken.docx")


def test_record_comments_appends_to_the_audit_trail(summary, tiny_data, tmp_path):
    codebook = load_dataset(tiny_data).codebook
    paths = membercheck.write_member_check(summary, tmp_path / "mc")
    template = pd.read_csv(paths["template"], keep_default_na=False)
    template.loc[template["item_id"] == "T1", "comment"] = "Rings true."
    template.loc[template["item_id"] == "general", ["comment", "reviewer"]] = ["Thanks.", "Lead B"]
    filled = tmp_path / "filled.csv"
    template.to_csv(filled, index=False)
    when = datetime(2021, 3, 1, 9, 30, tzinfo=UTC)
    added = membercheck.record_comments(tiny_data, filled, codebook=codebook, reviewer="Lead A",
                                        commented_on="2021-02-27", now=when)
    assert list(added["item_id"]) == ["T1", "general"] and list(added["reviewer"]) == ["Lead A", "Lead B"]
    trail = membercheck.recorded_comments(tiny_data)
    assert list(trail["comment_id"]) == ["C0001", "C0002"]
    assert set(trail["recorded_at"]) == {"2021-03-01T09:30:00Z"} and set(trail["commented_on"]) == {"2021-02-27"}
    assert set(trail["document_id"]) == {summary["document_id"]} and trail["source_sha256"].str.len().eq(64).all()
    before = (tiny_data / "member-check" / "comments.csv").read_bytes()
    with pytest.raises(DataError, match="already recorded"):
        membercheck.record_comments(tiny_data, filled, codebook=codebook)
    assert (tiny_data / "member-check" / "comments.csv").read_bytes() == before
    membercheck.record_comments(tiny_data, filled, codebook=codebook, again=True)
    assert list(membercheck.recorded_comments(tiny_data)["comment_id"])[-1] == "C0004"


def test_record_rejects_unknown_items_and_empty_files(tiny_data, tmp_path):
    codebook = load_dataset(tiny_data).codebook
    bad = tmp_path / "bad.yaml"
    bad.write_text("reviewer: Lead\ncomments:\n  T1: fine\n  T9-Q1: what is this\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown member-check item 'T9-Q1'") as error:
        membercheck.record_comments(tiny_data, bad, codebook=codebook)
    assert "comment 2" in str(error.value)
    assert not (tiny_data / "member-check" / "comments.csv").exists()
    empty = tmp_path / "empty.csv"
    empty.write_text("item_id,comment\nT1,\n", encoding="utf-8")
    with pytest.raises(DataError, match="no comments found"):
        membercheck.record_comments(tiny_data, empty, codebook=codebook)
    with pytest.raises(DataError, match="cannot read member-check comments"):
        membercheck.read_comments(_touch(tmp_path / "notes.txt"))


def _touch(path):
    path.write_text("x", encoding="utf-8")
    return path


def test_cli_records_comments(sample_copy, tmp_path):
    response = tmp_path / "reply.yaml"
    response.write_text("comments:\n  - {item_id: T4, comment: The joint planning is real.}\n", encoding="utf-8")
    (sample_copy / "member-check" / "comments.csv").unlink(missing_ok=True)
    runner = CliRunner()
    result = runner.invoke(main, ["membercheck", "record", str(sample_copy), "--from", str(response),
                                  "--reviewer", "Clinical lead", "--date", "2021-03-18"])
    assert result.exit_code == 0, result.output
    assert "recorded 1 comment(s)" in result.output
    trail = membercheck.recorded_comments(sample_copy)
    assert trail.iloc[-1][["item_id", "reviewer", "commented_on"]].tolist() == ["T4", "Clinical lead", "2021-03-18"]
    again = runner.invoke(main, ["membercheck", "record", str(sample_copy), "--from", str(response)])
    assert again.exit_code == 1 and "already recorded" in again.output


def test_sample_comments_are_recorded():
    from conftest import SAMPLE

    trail = membercheck.recorded_comments(SAMPLE)
    assert len(trail) >= 7 and set(trail["item_id"]) >= {"T1", "T6", "general"}
    assert (trail["reviewer"] != "").all()


def test_summary_says_where_a_theme_is_prominent(tiny_data):
    codebook = load_dataset(tiny_data).codebook
    profiles = pd.DataFrame([
        {"theme": "T1", "group": "service_team", "prominence": "salient"},
        {"theme": "T1", "group": "referrer", "prominence": "salient"},
        {"theme": "T1", "group": "commissioner", "prominence": "minor"},
        {"theme": "T1", "group": "parent", "prominence": "out of scope"},
        {"theme": "T2", "group": "parent", "prominence": "salient"},
    ])
    names = {"service_team": "the service team", "referrer": "referrers", "commissioner": "commissioners"}
    summary = membercheck.build_summary(codebook, _quotes(), profiles=profiles, group_names=names)
    texts = {t["id"]: t["convergence_text"] for t in summary["themes"]}
    assert texts["T1"] == "Most prominent among the service team and referrers; less so among commissioners."
    assert texts["T2"] == ""  # one group only: nothing to compare


def test_each_theme_says_whose_interviews_it_comes_from(tiny_data):
    dataset = load_dataset(tiny_data)
    summary = membercheck.build_summary(dataset.codebook, _quotes(), scopes=dataset.scopes,
                                        group_names={"referrer": "referrers", "parent": "parents"})
    texts = {t["id"]: t["scope_text"] for t in summary["themes"]}
    assert texts == {"T1": "Theme from the interviews with referrers", "T2": "Theme from the interviews with parents"}
    unscoped = membercheck.build_summary(dataset.codebook, _quotes())
    assert {t["scope_text"] for t in unscoped["themes"]} == {"Theme from all the interviews"}


def test_published_comments_hide_the_reviewer_and_names_in_comments(sample_copy):
    """The member check's reviewer is a participant: a report shows 'reviewer 1', never the name,
    nor the file the comments came from; names in a comment are de-identified."""
    path = sample_copy / "member-check" / "comments.csv"
    comments = pd.read_csv(path, dtype=str, keep_default_na=False)
    extra = comments.iloc[0].copy()
    extra["comment_id"], extra["reviewer"] = "C0099", "Harriet Vossberg"
    extra["comment"] = "Fair, though Delphine Quarrie at the children's centre saw it differently."
    extra["source_file"] = "reply from Harriet Vossberg.docx"
    pd.concat([comments, extra.to_frame().T]).to_csv(path, index=False)
    shown = membercheck.published_comments(load_dataset(sample_copy))
    assert "source_file" not in shown.columns and len(shown) == len(comments) + 1
    assert shown["reviewer"].tolist() == ["reviewer 1"] * len(comments) + ["reviewer 2"]
    assert shown["comment"].iloc[-1] == "Fair, though [person 1] at the children's centre saw it differently."
    assert shown["comment"].iloc[:-1].tolist() == comments["comment"].tolist()  # nothing to remove there
    assert "Vossberg" not in shown.to_csv()
