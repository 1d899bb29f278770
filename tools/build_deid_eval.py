"""Write the second de-identification evaluation set, split into development and held-out parts.

Usage::

    python tools/build_deid_eval.py   # benchmarks/deid-eval/utterances.txt -> dev.jsonl, test.jsonl

The source, ``benchmarks/deid-eval/utterances.txt``, is hand-written (synthetic, for thematic):
one utterance a line, grouped by register (casual parent speech, professionals, text messages
read aloud, focus-group crosstalk, British place naming, lists and forms, names that are words,
look-alikes, ages), marked up inline:

- ``[[TYPE:text]]``, ``[[TYPE/kind:text]]``: an identifier to remove, with an optional finer
  kind for reporting; ``[[TYPE*:text]]``: one on the set's known-names list;
- ``{{text/kind}}``: a look-alike that must survive, and its kind (charity, retailer, ...).

Each section's lines are shuffled with a fixed seed and dealt alternately into a development
part (rules may be tuned on it) and a held-out test part (measured, never tuned on). Both files
have the format of ``benchmarks/deidentify-utterances.jsonl``: a header line with the
known-names mapping (``benchmarks/deid-eval/known-names.yaml``), then one JSON object per
utterance. Needs only the standard library and PyYAML.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval"
SEED = 15
TYPES = ("PERSON", "ORG", "PLACE", "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER", "DATE_OF_BIRTH", "AGE", "DATE")
MARK = re.compile(r"\[\[(?P<type>[A-Z_]+)(?:/(?P<kind>[\w-]+))?(?P<known>\*)?:(?P<text>.+?)\]\]"
                  r"|\{\{(?P<look>.+?)/(?P<lkind>[\w-]+)\}\}")


def nhs_checksum_ok(digits: str) -> bool:
    """Whether a 10-digit NHS number's mod-11 check digit holds."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def parse_line(line: str, *, where: str) -> dict:
    """One marked-up line -> text, identifier spans and look-alike spans."""
    text, identifiers, lookalikes, pos = "", [], [], 0
    for m in MARK.finditer(line):
        text += line[pos:m.start()]
        pos = m.end()
        if m.group("look"):
            lookalikes.append({"start": len(text), "end": len(text) + len(m.group("look")), "kind": m.group("lkind")})
            text += m.group("look")
            continue
        kind, surface = m.group("type"), m.group("text")
        if kind not in TYPES:
            raise ValueError(f"{where}: unknown type {kind}")
        if kind == "NHS_NUMBER" and not nhs_checksum_ok(re.sub(r"\D", "", surface)):
            raise ValueError(f"{where}: NHS number {surface} fails its checksum")
        identifiers.append({
            "start": len(text), "end": len(text) + len(surface), "type": kind,
            "kind": m.group("kind") or kind.lower(), "known": bool(m.group("known")),
            "lowercase": surface.islower(),
            "sentence_start": re.search(r"(?:^|[.?!:'\]]\s*)$", text) is not None})
        text += surface
    text += line[pos:]
    if "[[" in text or "{{" in text:
        raise ValueError(f"{where}: unbalanced markup")
    return {"text": text, "identifiers": identifiers, "lookalikes": lookalikes}


def build(source: Path = FOLDER / "utterances.txt") -> dict[str, list[dict]]:
    """Parse the source and deal each section's lines into ``dev`` and ``test``."""
    sections: dict[str, list[dict]] = {}
    section = ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].split(":")[0].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        row = parse_line(line, where=f"{source.name}:{number}")
        sections.setdefault(section, []).append({"line": number, "section": section, **row})
    rng = random.Random(SEED)
    parts: dict[str, list[dict]] = {"dev": [], "test": []}
    for rows in sections.values():
        order = list(rows)
        rng.shuffle(order)
        for index, row in enumerate(order):
            parts["dev" if index % 2 == 0 else "test"].append(row)
    for name, rows in parts.items():
        rows.sort(key=lambda r: r["line"])
        for index, row in enumerate(rows, start=1):
            row["id"] = f"{name}{index:03d}"
    return parts


def write_set(path: Path, header: dict, rows: list[dict]) -> None:
    """Write a set in the benchmark's JSONL format: *header*, then one utterance a line."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(header, ensure_ascii=False) + "\n")
        for row in rows:
            ordered = {"id": row["id"], "section": row["section"], "line": row["line"], "text": row["text"],
                       "identifiers": row["identifiers"], "lookalikes": row["lookalikes"]}
            f.write(json.dumps(ordered, ensure_ascii=False) + "\n")


def main() -> int:
    known = yaml.safe_load((FOLDER / "known-names.yaml").read_text(encoding="utf-8"))
    for name, rows in build().items():
        path = FOLDER / f"{name}.jsonl"
        header = {"known_names": known, "split": name, "seed": SEED, "count": len(rows),
                  "source": "benchmarks/deid-eval/utterances.txt (hand-written, synthetic)"}
        write_set(path, header, rows)
        ids = sum(len(r["identifiers"]) for r in rows)
        looks = sum(len(r["lookalikes"]) for r in rows)
        print(f"wrote {path.name}: {len(rows)} utterances, {ids} identifiers, {looks} look-alikes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
