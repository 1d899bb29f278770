"""REFI-QDA with real clients: what each one loads of our export, and what we load of theirs.

qualitative-coding (``qc``) and portableQDA are installed from PyPI by ``make clients`` into
venvs of their own (``.venv-clients/``; their pins clash with ours) and driven through their
own readers and writers by the probes in ``tests/clients/``. A client that is not installed
is skipped with the reason. QualCoder is not on PyPI or in Debian: its importer's rules are
modelled in ``tests/clients/qualcoder_model.py`` and our export is checked against them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, SAMPLE

from thematic.codebook import parse_codebook
from thematic.dataset import load_dataset
from thematic.refi import export_refi, import_refi

CLIENTS = Path(os.environ.get("THEMATIC_CLIENTS") or ROOT / ".venv-clients")
PROBES = Path(__file__).parent / "clients"
sys.path.insert(0, str(PROBES))

import qualcoder_model  # noqa: E402


def _client(name: str) -> Path:
    python = CLIENTS / name / "bin" / "python"
    if not python.exists():
        pytest.skip(f"REFI-QDA client '{name}' is not installed in {CLIENTS}: run 'make clients'")
    return python


def _run(python: Path, probe: str, *args: str | Path, cwd: Path) -> None:
    env = {**os.environ, "PYTHONBREAKPOINT": "0"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(python), str(PROBES / probe), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clients") / "sample.qdpx"
    export_refi(SAMPLE, path)
    return path


@pytest.fixture(scope="module")
def in_qc(exported) -> tuple[Path, dict]:
    """The sample export loaded by qc's own REFI-QDA reader: its project folder and contents."""
    python = _client("qc")
    work = exported.parent
    _run(python, "qc_probe.py", "import", exported, work / "qc", work / "qc.json", cwd=work)
    return work / "qc", json.loads((work / "qc.json").read_text(encoding="utf-8"))


def _sample_codings() -> pd.DataFrame:
    return pd.concat(pd.read_csv(path, dtype=str, keep_default_na=False)
                     for path in sorted((SAMPLE / "codings").glob("*.csv")))


# ----------------------------------------------------------------------- qualitative-coding

def test_qc_loads_every_text_code_and_coder_of_our_export(in_qc, sample_dataset):
    _, held = in_qc
    stored = {p.stem: p.read_text(encoding="utf-8") for p in (SAMPLE / "deidentified").glob("*.txt")}
    assert held["documents"] == {f"{iid}.txt": text for iid, text in stored.items()}  # 25, byte for byte
    assert held["coders"] == ["coder_a", "coder_b"]
    codebook = sample_dataset.codebook
    assert held["code_tree"] == {t.name: {c.label: {} for c in t.codes} for t in codebook.themes}
    assert len(held["codes_used"]) == len(codebook.code_ids)
    # qc codes lines, not spans, and its reader puts every selection without a 'line:N' name on
    # line 0 (qualitative-coding 1.7.8): each coder then holds one coded line per code and text
    codings = _sample_codings()
    expected = codings.drop_duplicates(["interview_id", "code", "coder"]).groupby("coder").size()
    assert held["coded_lines_per_coder"] == expected.to_dict()
    assert {row[2] for row in held["coded_lines"]} == {0}


def test_round_trip_through_qc_keeps_texts_codes_coders_and_hierarchy(in_qc, tmp_path, sample_dataset):
    folder, held = in_qc
    python = _client("qc")
    _run(python, "qc_probe.py", "export", folder, tmp_path / "from-qc.qdpx", cwd=tmp_path)
    report = import_refi(tmp_path / "from-qc.qdpx", tmp_path / "back", deidentified=True)
    back = load_dataset(tmp_path / "back")  # valid as imported
    for path in sorted((SAMPLE / "deidentified").glob("*.txt")):  # same ids, same bytes
        assert (tmp_path / "back" / "deidentified" / path.name).read_bytes() == path.read_bytes()
    assert back.coders == ["coder_a", "coder_b"]
    codebook = sample_dataset.codebook
    # the hierarchy, in qc's order (alphabetical); qc writes every code codable, so each theme
    # is also a code of its own
    assert {t.name: sorted(c.label for c in t.codes) for t in back.codebook.themes} == {
        t.name: sorted([t.name, *(c.label for c in t.codes)]) for t in codebook.themes}
    assert back.codings.groupby("coder").size().to_dict() == held["coded_lines_per_coder"]
    # spans as qc keeps them: the whole first line of each text, character for character
    for row in back.codings.itertuples():
        assert back.texts[row.interview_id][row.start:row.end] == back.texts[row.interview_id].split("\n")[0] + "\n"
    assert "belong to no case" in "\n".join(report.defaults)  # qc keeps no cases: said, not hidden


def test_qc_export_imports_with_spans_on_the_lines_qc_coded(tmp_path):
    """A project made in qc (texts imported, lines coded by two coders), exported by qc's own
    writer: every span we import is the line qc coded, character for character."""
    python = _client("qc")
    texts = {"first.txt": "Speaker: one\nSpeaker: two, caf\u00e9 \U0001f600\nSpeaker: three\n",
             "second.txt": "Speaker: alpha\nSpeaker: beta\n"}
    coded = [["first.txt", 1, "warmth", "ann"], ["first.txt", 2, "warmth", "bob"],
             ["first.txt", 2, "distance", "ann"], ["second.txt", 0, "distance", "bob"]]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"documents": texts, "coded": coded}), encoding="utf-8")
    _run(python, "qc_probe.py", "build", spec, tmp_path / "made", cwd=tmp_path)
    _run(python, "qc_probe.py", "export", tmp_path / "made", tmp_path / "made.qdpx", cwd=tmp_path)
    report = import_refi(tmp_path / "made.qdpx", tmp_path / "data", deidentified=True)
    dataset = load_dataset(tmp_path / "data")
    assert sorted(dataset.texts) == ["first", "second"]  # names without '.txt', not 'first-txt'
    got = sorted((f"{r.interview_id}.txt", dataset.texts[r.interview_id][:r.start].count("\n"), r.code, r.coder)
                 for r in dataset.codings.itertuples())
    assert got == sorted(tuple(c) for c in coded)
    for row in dataset.codings.itertuples():
        text = dataset.texts[row.interview_id]
        assert text[row.start:row.end] == text.splitlines(keepends=True)[text[:row.start].count("\n")]
    assert report.not_imported == []


# ------------------------------------------------------------------------------ portableQDA

def test_portableqda_reads_our_codebook(tmp_path, sample_dataset):
    python = _client("portableqda")
    export_refi(SAMPLE, tmp_path / "book.qdc")
    _run(python, "portableqda_probe.py", tmp_path / "book.qdc", tmp_path / "book.json", cwd=tmp_path)
    held = json.loads((tmp_path / "book.json").read_text(encoding="utf-8"))
    themes = sorted(t.name for t in sample_dataset.codebook.themes)
    # portableQDA 0.4.2 reads top-level codes only ("code nesting not supported"): the themes
    assert held["codes"] == themes and held["sets"] == themes
    nested = [w for w in held["warnings"] if "code nesting not supported" in w]
    assert len(nested) == len(sample_dataset.codebook.code_ids) + len(themes)  # the codes, the descriptions


# ------------------------------------------------------------------- QualCoder (its rules)

def test_our_export_meets_qualcoders_importer(exported, sample_dataset):
    loaded = qualcoder_model.load(zipfile.ZipFile(exported).read("project.qde"))
    codings = _sample_codings()
    repeats = codings.duplicated(["interview_id", "start", "end", "code", "coder"])
    codebook = sample_dataset.codebook
    assert loaded.sources == 25 and loaded.cases == 21
    assert loaded.codes == len(codebook.code_ids) + len(codebook.themes)
    assert "default" not in loaded.codings_per_coder
    assert dict(loaded.codings_per_coder) == codings[~repeats].groupby("coder").size().to_dict()
    assert loaded.duplicates == int(repeats.sum())  # the same coder, span and code twice in the data
    assert loaded.coding_memos == int((codings["memo"] != "").sum()) > 0  # the memo of a repeat first
    memos = len(list((SAMPLE / "memos").glob("*.md")))
    assert loaded.journals == loaded.source_memos == memos == 5


def test_qualcoder_model_reproduces_what_qualcoder_did_to_a_shared_selection():
    """The rules on a selection shared by two coders with an undated memo note, as thematic
    exported before: QualCoder stops on the note; without it both codings go to "default" and
    the second is a duplicate."""
    qde = """<Project xmlns="urn:QDA-XML:project:1.0" name="p">
      <Users><User guid="u1" name="ann"/><User guid="u2" name="bob"/></Users>
      <Sources><TextSource guid="s1" name="t" plainTextPath="internal://s1.txt">
        <PlainTextSelection guid="x" startPosition="0" endPosition="4">
          <Coding guid="c1" creatingUser="u1"><CodeRef targetGUID="k"/><NoteRef targetGUID="n"/></Coding>
          <Coding guid="c2" creatingUser="u2"><CodeRef targetGUID="k"/></Coding>
        </PlainTextSelection></TextSource></Sources>
      <Notes><Note guid="n" name="memo"><PlainTextContent>why</PlainTextContent></Note></Notes></Project>"""
    with pytest.raises(qualcoder_model.QualCoderWouldStop):
        qualcoder_model.load(qde.encode())
    dated = qde.replace('name="memo"', 'name="memo" creationDateTime="2020-01-01T00:00:00Z"')
    loaded = qualcoder_model.load(dated.encode())
    assert loaded.codings_per_coder == Counter({"default": 1}) and loaded.duplicates == 1
    assert loaded.coding_memos == 0


def test_every_selection_is_dated_named_and_owned(exported):
    root = qualcoder_model.ET.fromstring(zipfile.ZipFile(exported).read("project.qde"))
    ns = qualcoder_model.NS
    users = {u.get("guid") for u in root.iter(f"{ns}User")}
    for element in [*root.iter(f"{ns}PlainTextSelection"), *root.iter(f"{ns}Coding")]:
        assert element.get("creatingUser") in users and element.get("creationDateTime")
    for element in [*root.iter(f"{ns}TextSource"), *root.iter(f"{ns}Note")]:
        assert element.get("creationDateTime")
    dates = {e.get("creationDateTime") for e in root.iter(f"{ns}PlainTextSelection")}
    assert dates == {"2021-02-09T00:00:00Z"} == {max(
        f"{d}T00:00:00Z" for d in pd.read_csv(SAMPLE / "interviews.csv")["date"])}
    texts = {s.get("name"): s for s in root.iter(f"{ns}TextSource")}
    for source in texts.values():
        stored = zipfile.ZipFile(exported).read(source.get("plainTextPath").replace("internal://", "sources/"))
        text = stored.decode("utf-8")
        for selection in source.iter(f"{ns}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert selection.get("name") == text[start:end]


def test_round_trip_keeps_memos_and_familiarisation_memos(exported, tmp_path):
    import_refi(exported, tmp_path / "back", deidentified=True)
    for path in sorted((SAMPLE / "memos").glob("*.md")):
        assert (tmp_path / "back" / "memos" / path.name).read_text(encoding="utf-8").strip() == \
            path.read_text(encoding="utf-8").strip()
    assert sorted(p.name for p in (tmp_path / "back" / "memos").iterdir()) == sorted(
        p.name for p in (SAMPLE / "memos").glob("*.md"))
    codebook = parse_codebook(yaml.safe_load((tmp_path / "back" / "codebook.yaml").read_text()))
    assert codebook.title
