"""Canaries: a distinctive identifier planted in each door by which text reaches a report or an
export, and a scan of every output for them (used by ``test_leaks.py``).

A door is a place in a data folder that holds text written by a person rather than the
transcript itself: a memo, a member-check comment and its reviewer, an adjudication reason, a
coding memo, the codebook, a transcript's file name, participants.csv's case attributes; and
the raw transcript itself, with a child's nickname the de-identifier finds only once.
Every canary is fictional and appears nowhere else in the sample.
"""

from __future__ import annotations

import csv
import io as stringio
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import yaml

#: door -> the strings planted there (searched case-insensitively; digits with any spacing).
CANARIES: dict[str, tuple[str, ...]] = {
    "memo": ("Tillotson", "07700 900 417"),
    "member-check comment": ("Quarrie",),
    "member-check reviewer": ("Vossberg",),
    "adjudication reason": ("Ruhlmann",),
    "coding memo": ("Farquharson",),
    "codebook definition": ("Attwater",),
    "codebook example": ("Kettleby",),
    "transcript file name": ("Calloway",),
    "case attribute: full name": ("Wrexham",),
    "case attribute: NHS number": ("943 476 5919",),
    "case attribute: mobile": ("07700 900 832",),
    "nickname in raw transcript": ("jojo",),
}
NICKNAME_TURN = ("\n\nParticipant: Jojo was born in the March, two weeks early. me and jojo went to the "
                 "baby group every week after that, and jojo loved the songs. I told the nurse that jojo "
                 "was poorly one week, so jojo stayed home, and jojo's nan came round to help.\n")


def plant(data: Path) -> dict[str, tuple[str, ...]]:
    """Plant a canary in every door of the data folder *data* (a copy of the sample); returns
    :data:`CANARIES`. The nickname goes into ``raw/PAR01-W1.txt`` only: running
    ``thematic deidentify`` afterwards is what should remove it."""
    memo = data / "memos" / "PAR02-W1.md"
    memo.write_text(memo.read_text(encoding="utf-8") + "\nFollow-up: her sister Bronwen Tillotson rang the "
                    "team on 07700 900 417 to say the visits had helped.\n", encoding="utf-8")

    comments = pd.read_csv(data / "member-check" / "comments.csv", dtype=str, keep_default_na=False)
    extra = comments.iloc[0].copy()
    extra["comment_id"] = f"C{len(comments) + 1:04d}"
    extra["comment"] = "Fair, though Delphine Quarrie at the children's centre saw it differently."
    extra["reviewer"] = "Harriet Vossberg"
    extra["source_file"] = "reply from Harriet Vossberg.docx"
    pd.concat([comments, extra.to_frame().T]).to_csv(data / "member-check" / "comments.csv", index=False)

    adjudication = pd.read_csv(data / "adjudication.csv", dtype=str, keep_default_na=False)
    adjudication["reason"] = adjudication["reason"] + " Ingrid Ruhlmann agreed at the meeting."
    adjudication.to_csv(data / "adjudication.csv", index=False)

    coder = pd.read_csv(data / "codings" / "coder_a.csv", dtype=str, keep_default_na=False)
    has_memo = coder["memo"] != ""
    coder.loc[has_memo, "memo"] = coder.loc[has_memo, "memo"] + " Ask Ottoline Farquharson."
    coder.to_csv(data / "codings" / "coder_a.csv", index=False)

    book = yaml.safe_load((data / "codebook.yaml").read_text(encoding="utf-8"))
    code = book["themes"][0]["codes"][0]
    code["definition"] += " As when Rosalind Attwater first joined."
    code["examples"].append("Our health visitor Ambrose Kettleby came round on the Tuesday and stayed an hour.")
    (data / "codebook.yaml").write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True), encoding="utf-8")

    (data / "raw" / "PAR03-W1.txt").rename(data / "raw" / "Maisie Calloway interview.txt")
    interviews = pd.read_csv(data / "interviews.csv", dtype=str, keep_default_na=False)
    interviews.loc[interviews["interview_id"] == "PAR03-W1", "transcript"] = "raw/Maisie Calloway interview.txt"
    interviews.to_csv(data / "interviews.csv", index=False)

    participants = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    first = participants["participant_id"] == "PAR01"
    for column, value in (("full_name", "Georgiana Wrexham"), ("nhs_number", "943 476 5919"),
                          ("mobile", "07700 900 832")):
        participants[column] = ""
        participants.loc[first, column] = value
    participants.to_csv(data / "participants.csv", index=False, quoting=csv.QUOTE_MINIMAL)

    raw = data / "raw" / "PAR01-W1.txt"
    raw.write_text(raw.read_text(encoding="utf-8").rstrip("\n") + NICKNAME_TURN, encoding="utf-8")
    return CANARIES


def pattern(canary: str) -> re.Pattern:
    """A canary as a search: case-insensitive; a number matches with any spacing of its digits."""
    if re.fullmatch(r"[\d ]+", canary):
        return re.compile(r"(?<!\d)" + r"[\s-]*".join(canary.replace(" ", "")) + r"(?!\d)")
    return re.compile(re.escape(canary), re.IGNORECASE)


def texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every text inside *path* (a file or folder): plain files decoded, zip archives (.docx,
    .qdpx) opened member by member, spaCy DocBin files turned back into their texts."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        name = str(file.relative_to(path.parent if path.is_file() else path))
        data = file.read_bytes()
        yield from _decoded(name, data)


def _decoded(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    yield name, data.decode("utf-8", "replace")  # the name itself is searched too (see scan)
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(stringio.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield from _decoded(f"{name}!{member}", archive.read(member))
        except zipfile.BadZipFile:
            pass
    if name.endswith(".spacy"):
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        for number, doc in enumerate(DocBin().from_bytes(data).get_docs(Vocab())):
            yield f"{name}#doc{number}", doc.text


def scan(paths: list[Path], canaries: dict[str, tuple[str, ...]] = CANARIES) -> dict[str, list[str]]:
    """``{door: [where a canary of that door was found, ...]}`` over every text (and every file
    or member name) under *paths*; doors whose canaries were not found are left out."""
    found: dict[str, list[str]] = {}
    searches = {door: [pattern(c) for c in planted] for door, planted in canaries.items()}
    for path in paths:
        if not path.exists():
            continue
        for name, text in texts(path):
            for door, patterns in searches.items():
                if any(p.search(text) or p.search(name) for p in patterns):
                    found.setdefault(door, []).append(name)
    return {door: sorted(set(where)) for door, where in sorted(found.items())}
