"""Shared fixtures: the committed sample, and small data folders built on the fly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data-sample"
#: The read-only shared folder beside the project (absent in CI clones and for users);
#: THEMATIC_SHARED points elsewhere, e.g. from a git worktree.
SHARED = Path(os.environ.get("THEMATIC_SHARED") or ROOT.parent / "shared")


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """Results and parses cached in a folder of this test session (kernels inherit it), unless
    ``THEMATIC_CACHE_DIR`` is set: a test that counts what is computed never meets a result
    stored by an earlier session with other code."""
    if os.environ.get("THEMATIC_CACHE_DIR"):
        yield
        return
    os.environ["THEMATIC_CACHE_DIR"] = str(tmp_path_factory.mktemp("thematic-cache"))
    try:
        yield
    finally:
        os.environ.pop("THEMATIC_CACHE_DIR", None)


@pytest.fixture(scope="session")
def sample_dataset():
    from thematic import load_dataset

    return load_dataset(SAMPLE)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample's data folder (without the markup sources)."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("source"))
    return target


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A two-interview data folder with a two-code codebook and two coders."""
    data = tmp_path / "tiny"
    (data / "raw").mkdir(parents=True)
    (data / "deidentified").mkdir()
    (data / "codings").mkdir()
    (data / "participants.csv").write_text(
        "participant_id,group,role\nP1,referrer,health visitor\nP2,parent,mother\n", encoding="utf-8")
    (data / "interviews.csv").write_text(
        "interview_id,participant_id,wave,date,duration_min,transcript\n"
        "P1-W1,P1,1,2020-07-01,20,raw/P1-W1.txt\nP2-W1,P2,1,2020-08-01,15,raw/P2-W1.txt\n",
        encoding="utf-8")
    texts = {
        "P1-W1": "Interviewer: How do you share notes?\n\nParticipant: We have no shared system, so "
                 "things get lost.\n\nInterviewer: And meetings?\n\nParticipant: Video calls save a "
                 "long drive.\n",
        "P2-W1": "Interviewer: How was it?\n\nParticipant: I had five people visiting in one week.\n",
    }
    for interview_id, text in texts.items():
        (data / "raw" / f"{interview_id}.txt").write_text(text, encoding="utf-8")
        (data / "deidentified" / f"{interview_id}.txt").write_text(text, encoding="utf-8")
    (data / "study.yaml").write_text(
        "groups:\n  - {id: referrer, scope: professionals}\n  - {id: parent, scope: parents}\n",
        encoding="utf-8")
    (data / "codebook.yaml").write_text(
        """title: Tiny
themes:
  - id: T1
    name: Communication
    scope: professionals
    codes:
      - {id: no_shared_records, label: No shared records, kind: barrier, definition: No common system.}
      - {id: remote_working, label: Remote working, kind: facilitator, definition: Video contact.}
  - id: T2
    name: Parents
    scope: parents
    codes:
      - {id: overwhelmed, label: Overwhelmed, kind: barrier, definition: Too many professionals.}
""", encoding="utf-8")
    first = texts["P1-W1"].index("We have")
    video = texts["P1-W1"].index("Video")
    five = texts["P2-W1"].index("I had")
    (data / "codings" / "a.csv").write_text(
        "interview_id,start,end,code,coder,memo\n"
        f"P1-W1,{first},{first + 30},no_shared_records,a,\n"
        f"P1-W1,{video},{video + 20},remote_working,a,\n"
        f"P2-W1,{five},{five + 20},overwhelmed,a,\n", encoding="utf-8")
    (data / "codings" / "b.csv").write_text(
        "interview_id,start,end,code,coder,memo\n"
        f"P1-W1,{first},{first + 10},no_shared_records,b,unsure\n"
        f"P2-W1,{five},{five + 20},overwhelmed,b,\n", encoding="utf-8")
    return data


@pytest.fixture(scope="session")
def rendered_report(tmp_path_factory) -> Path:
    """The sample report rendered once per test session into a temporary folder, every notebook
    executed (``rerun``: never restored from a stored run, whatever ``THEMATIC_CACHE_DIR`` holds)."""
    from thematic.report import render_report

    out = tmp_path_factory.mktemp("e2e") / "reports"
    return render_report(ROOT / "params" / "sample.yaml", output_dir=out, progress=False, rerun=True,
                         echo=lambda message: None)


#: How the browser tests start Chromium (headless, no request of its own).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def _chromium() -> str:
    path = os.environ.get("THEMATIC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("THEMATIC_REQUIRE_BROWSER") == "1":
        pytest.fail("No Chromium found, and THEMATIC_REQUIRE_BROWSER=1: install Debian's 'chromium'.")
    pytest.skip("no Chromium on this machine (install Debian's 'chromium' to run the browser test)")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
