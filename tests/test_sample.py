"""The committed sample is what data-sample/README.md says it is."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE, SHARED


#: First names in the sample that are also ordinary English words, planted on purpose.
LOOK_ALIKES = {"Will", "May", "Hope"}


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


def test_interviews_match_the_study(sample_dataset):
    minutes = sample_dataset.interviews["duration_min"]
    assert 30 <= minutes.mean() <= 36 and minutes.min() == 12 and minutes.max() == 80
    roles = sample_dataset.participants.query("group == 'referrer'")["role"].value_counts()
    assert roles["health visitor"] == 3 and len(roles) == 7


def test_transcripts_are_long_enough(sample_dataset):
    counts = {i: words(t) for i, t in sample_dataset.texts.items()}
    assert min(counts.values()) >= 600, counts
    assert sum(counts.values()) >= 30_000


def test_deidentified_text_holds_no_planted_identifier():
    gold = pd.read_csv(SAMPLE / "deidentification-gold.csv")
    assert set(gold["type"]) >= {"PERSON", "ORG", "PLACE", "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER",
                                 "DATE_OF_BIRTH", "AGE"}
    for interview_id, rows in gold.groupby("interview_id"):
        raw = (SAMPLE / "raw" / f"{interview_id}.txt").read_text(encoding="utf-8")
        clean = (SAMPLE / "deidentified" / f"{interview_id}.txt").read_text(encoding="utf-8")
        for row in rows.itertuples():
            surface = raw[row.start:row.end]
            if surface in LOOK_ALIKES or row.type in {"AGE", "DATE_OF_BIRTH"}:
                continue  # names that are also words ("Will this take long?") may stay as words
            assert not re.search(rf"\b{re.escape(surface)}\b", clean), (interview_id, row.type, surface)


def test_sample_is_rebuilt_identically_from_its_sources(tmp_path):
    """tools/build_sample.py --check accepts every source (rendering is tested by the loader)."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_sample.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PROBLEM" not in done.stdout


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="../shared/seed is not on this machine")
def test_no_sentence_copied_from_the_seed_paper():
    tokens = lambda text: re.findall(r"[a-z']+", text.lower())  # noqa: E731
    shingles = set()
    for paper in (SHARED / "seed").iterdir():
        w = tokens(paper.read_text(encoding="utf-8", errors="ignore"))
        shingles |= {" ".join(w[i:i + 8]) for i in range(len(w) - 7)}
    for path in [*SAMPLE.rglob("*.txt"), *SAMPLE.rglob("*.yaml"), *SAMPLE.rglob("*.md")]:
        w = tokens(path.read_text(encoding="utf-8"))
        copied = {" ".join(w[i:i + 8]) for i in range(len(w) - 7)} & shingles
        assert not copied, (path.name, sorted(copied)[:3])
