"""No canary reaches a report, a cache or an export, whichever door it was planted in.

A copy of the sample gets a canary in every door (``canaries.py``: a memo, a member-check
comment and its reviewer, an adjudication reason, a coding memo, the codebook's definitions and
examples, a transcript's file name, participants.csv's case attributes, and a child's nickname
in a raw transcript); it is de-identified, the whole report is rendered with caches of its own,
a .qdpx is exported, and every file is searched: HTML, CSV, JSON, executed notebooks, the
member-check .docx unzipped, the parse cache's documents turned back into text, the results
cache, and every member of the .qdpx.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from canaries import CANARIES, plant, scan
from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def leaked(tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """Where each door's canary was found: {"report"|"cache"|"qdpx": {door: [files]}}."""
    from thematic.refi import export_refi
    from thematic.report import render_report
    from thematic.review import deidentify_folder

    work = tmp_path_factory.mktemp("canaries")
    data = work / "data"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("source"))
    plant(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("THEMATIC_CACHE_DIR", str(work / "cache"))  # the kernels inherit it
        deidentify_folder(data)
        params = work / "params.yaml"
        params.write_text(f"data_dir: {data}\ntitle: canaries\n", encoding="utf-8")
        render_report(params, output_dir=work / "report", notebooks_dir=ROOT / "notebooks", progress=False,
                      echo=lambda message: None)
    export_refi(data, work / "export.qdpx")
    assert (work / "report" / "member-check" / "member-check.docx").is_file()
    assert list((work / "cache" / "docs").rglob("*.spacy")) and list((work / "cache" / "results").rglob("*.pkl"))
    return {"report": scan([work / "report"]), "cache": scan([work / "cache"]),
            "qdpx": scan([work / "export.qdpx"])}


@pytest.mark.parametrize("door", list(CANARIES))
def test_no_canary_reaches_a_report_cache_or_export(leaked, door):
    found = {where: doors[door] for where, doors in leaked.items() if door in doors}
    assert found == {}, f"{door} ({', '.join(CANARIES[door])}) found in {found}"


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The search itself: a canary in a zip member, a file name, a spaced number, any case."""
    import zipfile

    (tmp_path / "a.csv").write_text("x,JOJO\n", encoding="utf-8")
    (tmp_path / "Calloway.txt").write_text("nothing\n", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "b.docx", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:t>rang 07700900417</w:t>")
    found = scan([tmp_path])
    assert found == {"memo": ["b.docx!word/document.xml"], "nickname in raw transcript": ["a.csv"],
                     "transcript file name": ["Calloway.txt"]}
