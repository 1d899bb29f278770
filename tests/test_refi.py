"""REFI-QDA exchange: export, import, round trip, schemas, line endings and the real samples."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import SAMPLE, SHARED

from thematic.cli import main
from thematic.codebook import parse_codebook
from thematic.dataset import load_dataset
from thematic.errors import DataError, OutputError
from thematic.refi import export_refi, import_refi, read_refi
from thematic.refi.offsets import LineEndings

REFI = SHARED / "refi-qda"
NS = "{urn:QDA-XML:project:1.0}"


def _needs_shared() -> None:
    if not (REFI / "samples").exists():
        pytest.skip("../shared/refi-qda is not available")


def _schema(name: str):
    _needs_shared()
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(REFI / name))


@pytest.fixture(scope="module")
def sample_qdpx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "sample.qdpx"
    export_refi(SAMPLE, path)
    return path


def test_sample_exports_a_schema_valid_project(sample_qdpx):
    schema = _schema("Project-mrt2019.xsd")
    schema.validate(zipfile.ZipFile(sample_qdpx).read("project.qde").decode("utf-8"))


def test_sample_exports_a_schema_valid_codebook(tmp_path):
    schema = _schema("Codebook-mrt2019.xsd")
    export_refi(SAMPLE, tmp_path / "sample.qdc")
    schema.validate(str(tmp_path / "sample.qdc"))


def test_export_holds_sources_users_codes_codings_cases_and_memos(sample_qdpx, sample_dataset):
    project = read_refi(sample_qdpx)
    counts = project.counts()
    codebook = sample_dataset.codebook
    assert counts["users"] == 2 and {u.name for u in project.users} == {"coder_a", "coder_b"}
    assert counts["codes"] == len(codebook.themes) + len(codebook.code_ids)
    assert [c.name for c in project.codes] == [t.name for t in codebook.themes]
    assert not any(c.codable for c in project.codes)
    assert all(child.codable for c in project.codes for child in c.children)
    assert [s.name for s in project.sets] == [t.name for t in codebook.themes]
    assert counts["codings"] == len(sample_dataset.codings)
    assert counts["text_sources"] == len(sample_dataset.texts)
    assert counts["cases"] == len(sample_dataset.participants)
    # without --variables, the stakeholder group only: participants.csv may hold attributes
    # that must not leave the team
    assert {v.name for v in project.variables} == {"group", "wave", "date", "duration_min", "participant_id"}
    memos = len(list((SAMPLE / "memos").glob("*.md")))
    assert counts["notes"] == int((sample_dataset.codings["memo"] != "").sum()) + memos
    members = zipfile.ZipFile(sample_qdpx).namelist()
    assert members[0] == "project.qde"
    assert sum(m.startswith("sources/") and m.endswith(".txt") for m in members) == 25 + memos
    # every source is the de-identified text, never the raw one
    texts = {s.name: s.text for s in project.sources}
    assert texts == sample_dataset.texts


def test_export_is_reproducible(sample_qdpx, tmp_path):
    export_refi(SAMPLE, tmp_path / "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == sample_qdpx.read_bytes()


def test_round_trip_gives_the_same_content(tmp_path, sample_dataset):
    """With every case variable named, everything comes back; the codebook as published (its
    examples de-identified: the sample's quote the service and two of its staff by name)."""
    variables = [c for c in sample_dataset.participants.columns if c not in ("participant_id", "_line")]
    sample_qdpx = tmp_path / "all.qdpx"
    export_refi(SAMPLE, sample_qdpx, variables=variables)
    report = import_refi(sample_qdpx, tmp_path / "data", deidentified=True)
    assert report.not_imported == [] and report.defaults == []
    data = tmp_path / "data"
    for name in ("participants.csv", "interviews.csv"):
        assert pd.read_csv(data / name, dtype=str).equals(pd.read_csv(SAMPLE / name, dtype=str)), name
    for name in ("codings/coder_a.csv", "codings/coder_b.csv"):
        # every row back; a coding repeated by its coder (same span and code) comes back memo first
        got, want = (pd.read_csv(path / name, dtype=str, keep_default_na=False) for path in (data, SAMPLE))
        assert got.sort_values(list(got.columns), ignore_index=True).equals(
            want.sort_values(list(want.columns), ignore_index=True)), name
        assert got[list(got.columns)[:5]].equals(want[list(want.columns)[:5]]), name
    published = sample_dataset.for_publication().codebook
    assert parse_codebook(yaml.safe_load((data / "codebook.yaml").read_text())) == published
    examples = [e for t in published.themes for c in t.codes for e in c.examples]
    assert sum("[the service]" in e or "[clinical lead]" in e or "[practitioner]" in e for e in examples) == 3
    for path in sorted((SAMPLE / "deidentified").glob("*.txt")):
        assert (data / "deidentified" / path.name).read_bytes() == path.read_bytes()
    reloaded = load_dataset(data)
    columns = list(sample_dataset.codings.columns)
    assert reloaded.codings.sort_values(columns, ignore_index=True).equals(
        sample_dataset.codings.sort_values(columns, ignore_index=True))
    export_refi(data, tmp_path / "again.qdpx", variables=variables)
    first, second = read_refi(sample_qdpx), read_refi(tmp_path / "again.qdpx")
    first.problems = second.problems = []
    assert first == second


def test_codebook_round_trip(tmp_path, sample_dataset):
    export_refi(SAMPLE, tmp_path / "book.qdc")
    report = import_refi(tmp_path / "book.qdc", tmp_path / "folder")
    imported = parse_codebook(yaml.safe_load((tmp_path / "folder" / "codebook.yaml").read_text()))
    assert imported.themes == sample_dataset.for_publication().codebook.themes  # examples de-identified
    assert report.written == {"themes": len(sample_dataset.codebook.themes), "codes": len(sample_dataset.codebook.code_ids)}
    assert (tmp_path / "folder" / "import-report.md").exists()
    with pytest.raises(DataError, match="already exists"):
        import_refi(tmp_path / "book.qdc", tmp_path / "folder")


def test_crlf_sources_keep_their_line_endings_and_offsets(tiny_data, tmp_path):
    path = tiny_data / "deidentified" / "P1-W1.txt"
    normalised = path.read_text(encoding="utf-8")
    path.write_bytes(normalised.replace("\n", "\r\n").encode("utf-8"))
    dataset = load_dataset(tiny_data)
    export_refi(tiny_data, tmp_path / "crlf.qdpx")
    project = read_refi(tmp_path / "crlf.qdpx")
    source = next(s for s in project.sources if s.name == "P1-W1")
    assert "\r\n" in source.text
    stored_spans = {source.text[s.start:s.end].replace("\r\n", "\n") for s in source.selections}
    rows = dataset.codings[dataset.codings["interview_id"] == "P1-W1"]
    assert stored_spans == {normalised[r.start:r.end] for r in rows.itertuples()}
    import_refi(tmp_path / "crlf.qdpx", tmp_path / "back", deidentified=True)
    assert (tmp_path / "back" / "raw" / "P1-W1.txt").read_bytes() == path.read_bytes()
    back = load_dataset(tmp_path / "back")
    assert back.codings[["interview_id", "start", "end", "code", "coder", "memo"]].equals(
        dataset.codings[["interview_id", "start", "end", "code", "coder", "memo"]])


def test_line_endings_convert_offsets_both_ways():
    stored = "a\r\nbc\r\n\r\nd\re"
    normalised = stored.replace("\r\n", "\n")
    endings = LineEndings(stored)
    for offset in range(len(normalised) + 1):
        back = endings.to_stored(offset)
        assert endings.to_normalised(back) == offset
        assert stored[:back].replace("\r\n", "\n") == normalised[:offset]


def test_export_refuses_other_suffixes_and_writes_nothing(tmp_path):
    with pytest.raises(DataError, match="not a REFI-QDA file"):
        export_refi(SAMPLE, tmp_path / "out.zip")
    assert list(tmp_path.iterdir()) == []


def test_import_refuses_to_overwrite_a_folder_without_force(sample_qdpx, tmp_path):
    target = tmp_path / "study"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="already exists and is not empty"):
        import_refi(sample_qdpx, target, deidentified=True)
    assert (target / "notes.txt").read_text() == "keep me"
    with pytest.raises(OutputError, match=r"\[E802\].*thematic did not make it"):
        import_refi(sample_qdpx, target, force=True, deidentified=True)  # --force never replaces a folder it did not make
    assert (target / "notes.txt").read_text() == "keep me"
    (target / "notes.txt").unlink()
    import_refi(sample_qdpx, target, deidentified=True)
    (target / "codebook.yaml").write_text("edited")
    import_refi(sample_qdpx, target, force=True, deidentified=True)  # one of its own imports: replaced whole
    assert (target / "codebook.yaml").read_text() != "edited"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".study.lock", "study"]


def test_cli_export_and_import(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["qdpx", "export", str(SAMPLE), "-o", str(tmp_path / "s.qdpx")])
    assert result.exit_code == 0, result.output
    # 7 themes + 41 codes; 463 + 412 codings (data-sample/codings)
    assert "25 sources, 48 codes, 2 users, 875 codings, 21 cases" in result.output
    result = runner.invoke(main, ["qdpx", "import", str(tmp_path / "s.qdpx"), "-o", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert "## Not imported\n- nothing" in result.output
    assert (tmp_path / "d" / "import-report.md").read_text() in result.output
    result = runner.invoke(main, ["qdpx", "import", str(tmp_path / "nope.qdpx"), "-o", str(tmp_path / "e")])
    assert result.exit_code == 1 and "nope.qdpx: file not found" in result.output


# ----------------------------------------------------------------- real exports from other tools

def _count(qde: bytes) -> dict[str, int]:
    """Counted straight from the XML, independently of thematic's reader."""
    root = ET.fromstring(qde)
    text_codings = sum(len(sel.findall(f"{NS}Coding")) for sel in root.iter(f"{NS}PlainTextSelection"))
    return {"codes": len(list(root.iter(f"{NS}Code"))), "users": len(list(root.iter(f"{NS}User"))),
            "text_codings": text_codings, "all_codings": len(list(root.iter(f"{NS}Coding")))}


def _import_sample(name: str, tmp_path: Path):
    _needs_shared()
    path = REFI / "samples" / name
    counts = _count(zipfile.ZipFile(path).read("project.qde"))
    report = import_refi(path, tmp_path / "data", deidentified=True)
    return tmp_path / "data", counts, report


def test_qualcoder_sample_imports_with_its_counts(tmp_path):
    data, counts, report = _import_sample("qc-demo.qdpx", tmp_path)
    assert counts == {"codes": 262, "users": 1, "text_codings": 205, "all_codings": 205}
    codebook = parse_codebook(yaml.safe_load((data / "codebook.yaml").read_text()))
    assert len(codebook.code_ids) == counts["codes"]  # every code is codable, none lost
    codings = pd.concat(pd.read_csv(p, dtype=str) for p in (data / "codings").glob("*.csv"))
    assert len(codings) == counts["text_codings"]
    assert sorted(p.stem for p in (data / "codings").glob("*.csv")) == ["cp"]
    assert report.read["users"] == 1 and report.written["codings"] == 205
    dataset = load_dataset(data)  # QualCoder's 'Speaker 1:' transcripts validate as they are
    assert len(dataset.codings) == 205 and len(dataset.texts) == 2


def test_two_coder_sample_imports_and_reports_what_it_cannot_map(tmp_path):
    data, counts, _ = _import_sample("qdapy-two-coders.qdpx", tmp_path)
    assert counts == {"codes": 4, "users": 2, "text_codings": 6, "all_codings": 7}
    assert sorted(p.stem for p in (data / "codings").glob("*.csv")) == ["ann", "bob"]
    ann = pd.read_csv(data / "codings" / "ann.csv", dtype=str, keep_default_na=False)
    bob = pd.read_csv(data / "codings" / "bob.csv", dtype=str, keep_default_na=False)
    assert len(ann) + len(bob) == counts["text_codings"]
    assert len(bob) == 2
    codebook = parse_codebook(yaml.safe_load((data / "codebook.yaml").read_text()))
    assert len(codebook.code_ids) == counts["codes"]
    # offsets are code points: the span after the first sentence reaches past 'Frühjahr'
    text = (data / "deidentified" / "Interview-01.txt").read_text(encoding="utf-8")
    second = ann[ann["code"] == "beruflich"].iloc[0]
    assert (int(second["start"]), int(second["end"])) == (47, 106)
    assert "Frühjahr" in text[47:106] and text[47:106].endswith("deutlich eng")
    assert ann.iloc[0]["memo"] == "Traegt das Team wirklich?"
    # the inline PlainTextContent source is imported too
    assert (data / "raw" / "Interview-02.txt").read_text(encoding="utf-8").startswith("Am Anfang")
    written = (data / "import-report.md").read_text()
    for expected in ("PDFSource 'Leitfaden': 1 selection(s), 1 coding(s)", "PictureSource 'Whiteboard'",
                     "1 selection(s) without any code", "generated theme 'ungrouped'",
                     "no speaker turns found"):
        assert expected in written
    assert (data / "memos" / "Memo.txt").read_text(encoding="utf-8").startswith("Erste Durchsicht")
    participants = pd.read_csv(data / "participants.csv", dtype=str)
    assert list(participants["participant_id"]) == ["Station-A", "Interview-02"]


def test_sample_import_leaves_nothing_on_failure(tmp_path):
    _needs_shared()
    broken = tmp_path / "broken.qdpx"
    shutil.copy(REFI / "samples" / "qdapy-two-coders.qdpx", broken)
    with zipfile.ZipFile(broken, "a") as archive:
        archive.writestr("../escape.txt", "x")
    with pytest.raises(DataError, match="escape.txt"):
        import_refi(broken, tmp_path / "out", deidentified=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.qdpx"]


def test_offsets_count_code_points_beyond_the_basic_plane(tmp_path):
    text = "Speaker: 😀 Frühjahr war\r\nSpeaker: schön\r\n"
    start = text.index("schön")
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <Users><User guid="11111111-1111-1111-1111-111111111111" name="Ann"/></Users>
      <CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Gut" isCodable="true"/>
      </Codes></CodeBook>
      <Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="t" plainTextPath="internal://t.txt">
        <PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{start}"
            endPosition="{start + 5}" creatingUser="11111111-1111-1111-1111-111111111111">
          <Coding guid="55555555-5555-5555-5555-555555555555"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
        </PlainTextSelection></TextSource></Sources></Project>""".encode()
    with zipfile.ZipFile(tmp_path / "e.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/t.txt", text.encode("utf-8"))
    import_refi(tmp_path / "e.qdpx", tmp_path / "data", deidentified=True)
    dataset = load_dataset(tmp_path / "data")
    row = dataset.codings.iloc[0]
    assert (row["coder"], row["code"]) == ("ann", "gut")
    assert dataset.texts["t"][row["start"]:row["end"]] == "schön"


def test_benchmark_quick_run_measures_a_faithful_round_trip():
    from thematic.bench.refi import bench_refi

    result = bench_refi(quick=True)
    fidelity = {m.name: m.value for m in result.measures}
    assert fidelity["codings back unchanged after export + import"] == 1.0
    assert fidelity["codebook back unchanged (as published: its text de-identified)"] == 1.0


def test_codebook_exports_from_a_folder_holding_only_a_codebook(tmp_path):
    (tmp_path / "book").mkdir()
    shutil.copy(SAMPLE / "codebook.yaml", tmp_path / "book" / "codebook.yaml")
    project = export_refi(tmp_path / "book", tmp_path / "book.qdc")
    assert project.counts()["codes"] == 48 and project.counts()["sets"] == 7  # 7 themes and their 41 codes
    with pytest.raises(DataError, match="no codebook.yaml to export"):
        export_refi(tmp_path, tmp_path / "none.qdc")
    assert not (tmp_path / "none.qdc").exists()


def test_import_into_a_file_is_refused(sample_qdpx, tmp_path):
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(DataError, match="is a file"):
        import_refi(sample_qdpx, tmp_path / "data", force=True, deidentified=True)
    assert (tmp_path / "data").read_text() == "not a folder"


def test_case_and_source_variables_never_overwrite_ids(tmp_path):
    var = '<Variable guid="{g}" name="{n}" typeOfVariable="Text"/>'
    value = '<VariableValue><VariableRef targetGUID="{g}"/><TextValue>{v}</TextValue></VariableValue>'
    guids = {name: f"aaaaaaaa-0000-0000-0000-00000000000{i}" for i, name in
             enumerate(["Participant ID", "Group", "interview_id", "wave"])}
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <Variables>{"".join(var.format(g=g, n=n) for n, g in guids.items())}</Variables>
      <Cases><Case guid="bbbbbbbb-0000-0000-0000-000000000001" name="Jo">
        {value.format(g=guids["Participant ID"], v="P 07")}{value.format(g=guids["Group"], v="parent")}
        {value.format(g=guids["wave"], v="2")}
        <SourceRef targetGUID="cccccccc-0000-0000-0000-000000000001"/></Case></Cases>
      <Sources><TextSource guid="cccccccc-0000-0000-0000-000000000001" name="int 1" plainTextPath="internal://t.txt">
        {value.format(g=guids["interview_id"], v="X9")}</TextSource></Sources></Project>""".encode()
    with zipfile.ZipFile(tmp_path / "v.qdpx", "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/t.txt", b"Speaker: hello\n")
    import_refi(tmp_path / "v.qdpx", tmp_path / "data", deidentified=True)
    dataset = load_dataset(tmp_path / "data")
    person = dataset.participants.iloc[0]
    assert (person["participant_id"], person["group"], person["role"]) == ("P-07", "parent", "unspecified")
    interview = dataset.interviews.iloc[0]
    assert (interview["interview_id"], interview["participant_id"], interview["wave"]) == ("int-1", "P-07", 2)
    assert interview["source_interview_id"] == "X9"


def test_codings_of_unknown_codes_and_spans_outside_the_text_are_reported(tmp_path):
    sel = ('<PlainTextSelection guid="{g}" startPosition="{s}" endPosition="{e}">'
           '<Coding guid="{g2}"><CodeRef targetGUID="{c}"/></Coding></PlainTextSelection>')
    known, unknown = "22222222-2222-2222-2222-222222222222", "99999999-9999-9999-9999-999999999999"
    selections = "".join([
        sel.format(g="44444444-0000-0000-0000-000000000001", g2="55555555-0000-0000-0000-000000000001",
                   s=0, e=7, c=known),
        sel.format(g="44444444-0000-0000-0000-000000000002", g2="55555555-0000-0000-0000-000000000002",
                   s=0, e=7, c=unknown),
        sel.format(g="44444444-0000-0000-0000-000000000003", g2="55555555-0000-0000-0000-000000000003",
                   s=5, e=500, c=known)])
    qde = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <CodeBook><Codes><Code guid="{known}" name="Known" isCodable="true"/></Codes></CodeBook>
      <Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="t">
        <PlainTextContent>Speaker: hello there</PlainTextContent>{selections}</TextSource></Sources></Project>"""
    with zipfile.ZipFile(tmp_path / "u.qdpx", "w") as archive:
        archive.writestr("project.qde", qde.encode())
    report = import_refi(tmp_path / "u.qdpx", tmp_path / "data", deidentified=True)
    text = "\n".join(report.not_imported)
    assert f"1 coding(s) refer to code {unknown}" in text
    assert "(5-500) lies outside its text of 20 characters" in text
    assert report.written["codings"] == 1
    assert "unknown_coder" in "\n".join(report.defaults)


def test_exports_of_other_shapes_are_schema_valid_and_dated_from_the_data(tiny_data, tmp_path):
    """Windows line endings, an emoji, a familiarisation memo, both coders on one span, a chosen
    subset of case variables: valid under the XSD, reproducible, and back unchanged."""
    schema = _schema("Project-mrt2019.xsd")
    path = tiny_data / "deidentified" / "P1-W1.txt"
    path.write_bytes(path.read_text(encoding="utf-8").replace("drive.", "drive 🚗.")
                     .replace("\n", "\r\n").encode("utf-8"))
    (tiny_data / "memos").mkdir()
    (tiny_data / "memos" / "P2-W1.md").write_text("# Memo\n\nShort & <plain>.\n", encoding="utf-8")
    before = load_dataset(tiny_data)
    project = export_refi(tiny_data, tmp_path / "t.qdpx", variables=["group"])
    qde = zipfile.ZipFile(tmp_path / "t.qdpx").read("project.qde")
    schema.validate(qde.decode("utf-8"))
    export_refi(tiny_data, tmp_path / "again.qdpx", variables=["group"])
    assert (tmp_path / "again.qdpx").read_bytes() == (tmp_path / "t.qdpx").read_bytes()
    assert {v.name for v in project.variables} == {"group", "wave", "date", "duration_min", "participant_id"}
    root = ET.fromstring(qde)
    selections = list(root.iter(f"{NS}PlainTextSelection"))
    assert len(selections) == len(before.codings)  # both coders' codings of one span apart
    assert {s.get("creationDateTime") for s in selections} == {"2020-08-01T00:00:00Z"}
    assert [s.get("creationDateTime") for s in root.iter(f"{NS}TextSource")] == [
        "2020-07-01T00:00:00Z", "2020-08-01T00:00:00Z"]
    journal = next(n for n in root.iter(f"{NS}Note") if n.get("plainTextPath"))
    assert journal.get("name") == "P2-W1: familiarisation memo"
    import_refi(tmp_path / "t.qdpx", tmp_path / "back", deidentified=True)
    back = load_dataset(tmp_path / "back")
    columns = ["interview_id", "start", "end", "code", "coder", "memo"]
    assert back.codings[columns].equals(before.codings[columns])
    assert back.texts == before.texts
    assert (tmp_path / "back" / "memos" / "P2-W1.md").read_text(encoding="utf-8") == "# Memo\n\nShort & <plain>.\n"
    assert list(back.participants.columns[:3]) == ["participant_id", "group", "role"]
    assert set(back.participants["role"]) == {"unspecified"}  # not exported, so not invented


def test_cli_exports_only_the_case_variables_named(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["qdpx", "export", str(SAMPLE), "-o", str(tmp_path / "s.qdpx"),
                                  "--variables", "group, role"])
    assert result.exit_code == 0, result.output
    project = read_refi(tmp_path / "s.qdpx")
    case_variables = {v for case in project.cases for v, _ in case.values}
    assert {v.name for v in project.variables if v.guid in case_variables} == {"group", "role"}
    result = runner.invoke(main, ["qdpx", "export", str(SAMPLE), "-o", str(tmp_path / "t.qdpx"),
                                  "--variables", "group,nhs_number"])
    assert result.exit_code == 1 and "[E715]" in result.output and "'nhs_number'" in result.output
    assert not (tmp_path / "t.qdpx").exists()


def test_a_taguette_codebook_with_an_empty_sets_element_imports_with_a_word(tmp_path):
    """Taguette 1.5 writes ``<Sets/>`` (invalid: the schema wants at least one Set)."""
    (tmp_path / "tags.qdc").write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5">'
        '<Codes><Code guid="11111111-1111-1111-1111-111111111111" name="interesting" isCodable="true">'
        '<Description>worth a look</Description></Code></Codes><Sets/></CodeBook>', encoding="utf-8")
    report = import_refi(tmp_path / "tags.qdc", tmp_path / "folder")
    codebook = parse_codebook(yaml.safe_load((tmp_path / "folder" / "codebook.yaml").read_text()))
    assert [c.label for c in codebook.themes[0].codes] == ["interesting"]
    assert "an empty <Sets/> element" in "\n".join(report.not_imported)


def _identifiable(tiny_data: Path) -> tuple[Path, dict[str, str]]:
    """*tiny_data* as a QDA tool would hold it before de-identification: a name in P1-W1 before
    its coded spans, a coding memo and a codebook example naming someone, and case attributes
    that must not leave the team. Returns the folder and the coded text of each coding."""
    path = tiny_data / "deidentified" / "P1-W1.txt"
    text = path.read_text(encoding="utf-8").replace("Participant: We have", "Participant: Sarah Okafor here. We have")
    path.write_text(text, encoding="utf-8")
    (tiny_data / "raw" / "P1-W1.txt").write_text(text, encoding="utf-8")
    shift = len("Sarah Okafor here. ")
    for coder in ("a", "b"):
        frame = pd.read_csv(tiny_data / "codings" / f"{coder}.csv", dtype=str, keep_default_na=False)
        moved = frame["interview_id"] == "P1-W1"
        frame.loc[moved, "start"] = (frame.loc[moved, "start"].astype(int) + shift).astype(str)
        frame.loc[moved, "end"] = (frame.loc[moved, "end"].astype(int) + shift).astype(str)
        frame.loc[frame["memo"] != "", "memo"] = "unsure; ask Ottoline Farquharson"
        frame.to_csv(tiny_data / "codings" / f"{coder}.csv", index=False)
    book = yaml.safe_load((tiny_data / "codebook.yaml").read_text(encoding="utf-8"))
    book["themes"][0]["codes"][0]["examples"] = ["Ambrose Kettleby never saw my notes."]
    (tiny_data / "codebook.yaml").write_text(yaml.safe_dump(book), encoding="utf-8")
    participants = pd.read_csv(tiny_data / "participants.csv", dtype=str, keep_default_na=False)
    participants["full_name"] = ["Georgiana Wrexham", "Delphine Quarrie"]
    participants["nhs_number"] = ["943 476 5919", ""]
    participants.to_csv(tiny_data / "participants.csv", index=False)
    interviews = pd.read_csv(tiny_data / "interviews.csv", dtype=str, keep_default_na=False)
    interviews["interviewer"] = "Cressida Hollinghurst"
    interviews.to_csv(tiny_data / "interviews.csv", index=False)
    dataset = load_dataset(tiny_data)
    coded = {f"{r.coder}:{r.code}": dataset.texts[r.interview_id][r.start:r.end] for r in dataset.codings.itertuples()}
    return tiny_data, coded


def test_export_carries_no_case_attribute_unless_named_and_no_name_in_memos_or_codebook(tiny_data, tmp_path):
    data, _ = _identifiable(tiny_data)
    export_refi(data, tmp_path / "t.qdpx")
    with zipfile.ZipFile(tmp_path / "t.qdpx") as archive:
        everything = "\n".join(archive.read(m).decode("utf-8") for m in archive.namelist())
    for planted in ("Wrexham", "Quarrie", "943 476 5919", "Hollinghurst", "Farquharson", "Kettleby"):
        assert planted not in everything, planted
    project = read_refi(tmp_path / "t.qdpx")
    assert {v.name for v in project.variables} == {"group", "wave", "date", "duration_min", "participant_id"}
    memos = {s.description for source in project.sources for s in source.selections if s.description}
    assert memos == {"unsure; ask [person 1]"}
    # named, they go: the user's decision
    export_refi(data, tmp_path / "named.qdpx", variables=["group", "full_name", "interviewer"])
    qde = zipfile.ZipFile(tmp_path / "named.qdpx").read("project.qde").decode("utf-8")
    assert "Wrexham" in qde and "Hollinghurst" in qde and "943 476 5919" not in qde


def test_an_import_waits_for_deidentification_and_codings_move_onto_its_text(tiny_data, tmp_path):
    """Texts of a QDA tool are identifiable until shown otherwise: raw/ only, validate says they
    await 'thematic deidentify', and de-identifying moves the codings (on the raw text) along."""
    from thematic.review import deidentify_folder

    data, coded = _identifiable(tiny_data)
    export_refi(data, tmp_path / "t.qdpx")
    report = import_refi(tmp_path / "t.qdpx", tmp_path / "back")
    back = tmp_path / "back"
    assert sorted(p.name for p in (back / "raw").iterdir()) == ["P1-W1.txt", "P2-W1.txt"]
    assert not (back / "deidentified").exists()
    assert "[E341]" in report.text() and "--deidentified" in report.text()
    assert "This project was written by thematic" in report.text()
    waiting = load_dataset(back, require_deidentified=False)
    assert waiting.not_deidentified == ["P1-W1", "P2-W1"] and waiting.texts == {} and waiting.codings.empty
    assert any("[E342]" in w and "3 coding(s)" in w for w in waiting.warnings)
    result = CliRunner().invoke(main, ["validate", str(back)])
    assert result.exit_code == 0 and "[E307]" in result.output and "P1-W1, P2-W1" in result.output
    with pytest.raises(DataError, match="no de-identified text for P1-W1, P2-W1"):
        load_dataset(back)
    deidentify_folder(back)
    done = load_dataset(back)
    assert "Sarah Okafor" not in done.texts["P1-W1"] and "[person 1] here. We have" in done.texts["P1-W1"]
    moved = {f"{r.coder}:{r.code}": done.texts[r.interview_id][r.start:r.end] for r in done.codings.itertuples()}
    assert moved == coded and len(done.codings) == 5
