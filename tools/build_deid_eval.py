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

The held-out sets (``deid-eval-3``, ``-4``, ``-5``) share its parser, span checks and writer:
:func:`build_held_out`, :func:`write_held_out`, and :func:`held_out_main`, the whole ``main`` of
``tools/build_deid_eval_4.py`` and ``_5.py``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval"
SEED = 15
TYPES = ("PERSON", "ORG", "PLACE", "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER", "DATE_OF_BIRTH", "AGE", "DATE")
MARK = re.compile(r"\[\[(?P<type>[A-Z_]+)(?:/(?P<kind>[\w-]+))?(?P<known>\*)?:(?P<text>.+?)\]\]"
                  r"|\{\{(?P<look>.+?)/(?P<lkind>[\w-]+)\}\}")
NAMED = ("PERSON", "PLACE", "ORG")


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


def known_surfaces(known: dict) -> set[str]:
    """Every surface of a known-names mapping, lower-cased."""
    surfaces = set()
    for entry in known["names"]:
        values = entry["surface"] if isinstance(entry["surface"], list) else [entry["surface"]]
        surfaces |= {v.lower() for v in values}
    return surfaces


def check_row(row: dict, line: str, *, surfaces: set[str], where: str) -> None:
    """Raise ``ValueError`` naming *where* when a span of a held-out set's *row* is inconsistent.

    Each span's text is what its mark wrapped; no span starts or ends with a space or overlaps
    another; a span marked known is on the known-names list (*surfaces*) and one not marked is
    not; every whole-word mention of a known name, or of a person, place or organisation labelled
    elsewhere in the utterance, lies inside a labelled span.
    """
    text = row["text"]
    wrapped = [(m.group("text") or m.group("look"), bool(m.group("known")), bool(m.group("look")))
               for m in MARK.finditer(line)]
    spans = sorted([(s["start"], s["end"], False) for s in row["identifiers"]]
                   + [(s["start"], s["end"], True) for s in row["lookalikes"]])
    if len(spans) != len(wrapped):
        raise ValueError(f"{where}: {len(wrapped)} marks but {len(spans)} spans")
    for (start, end, _), (surface, known, _) in zip(spans, wrapped, strict=True):
        if text[start:end] != surface:
            raise ValueError(f"{where}: span {start}-{end} is {text[start:end]!r}, marked {surface!r}")
        if not surface.strip() or surface != surface.strip():
            raise ValueError(f"{where}: span {surface!r} starts or ends with a space")
        if known and surface.lower() not in surfaces:
            raise ValueError(f"{where}: {surface!r} is marked known but is not on the known-names list")
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise ValueError(f"{where}: overlapping spans")
    for span in row["identifiers"]:
        if not span["known"] and text[span["start"]:span["end"]].lower() in surfaces:
            raise ValueError(f"{where}: {text[span['start']:span['end']]!r} is on the known-names list; mark it *")
    named = {text[s["start"]:s["end"]].lower() for s in row["identifiers"] if s["type"] in NAMED}
    for surface in surfaces | named:
        for m in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text, flags=re.IGNORECASE):
            inside = {i for s, e, _ in spans for i in range(s, e)}
            if any(c not in inside for c in range(m.start(), m.end()) if not text[c].isspace()):
                raise ValueError(f"{where}: name {m.group()!r} at {m.start()} is not labelled")


def marked_lines(source: Path) -> Iterator[tuple[int, str, str]]:
    """``(line number, section, line)`` for each utterance of a source: ``## Section: ...``
    lines name the section; blank lines and ``#`` comments are skipped."""
    section = ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].split(":")[0].strip()
        elif line.strip() and not line.startswith("#"):
            yield number, section, line


def build_held_out(source: Path, *, known: dict, prefix: str) -> list[dict]:
    """Parse and check a held-out set's source: one row per utterance, in source order, ids
    ``<prefix>001``... (every line checked by :func:`check_row`)."""
    surfaces = known_surfaces(known)
    rows = []
    for number, section, line in marked_lines(source):
        where = f"{source.name}:{number}"
        if line != line.strip():
            raise ValueError(f"{where}: leading or trailing space")
        row = parse_line(line, where=where)
        check_row(row, line, surfaces=surfaces, where=where)
        rows.append({"id": f"{prefix}{len(rows) + 1:03d}", "section": section, "line": number, **row})
    return rows


def write_held_out(path: Path, rows: list[dict], *, known: dict, split: str, source: str) -> str:
    """Write a held-out set (:func:`write_set`) and return a one-line summary of its counts."""
    header = {"known_names": known, "split": split, "held_out": True, "count": len(rows),
              "source": f"{source} (hand-written, synthetic)"}
    write_set(path, header, rows)
    ids = Counter(s["type"] for r in rows for s in r["identifiers"])
    looks = sum(len(r["lookalikes"]) for r in rows)
    return (f"wrote {path.name}: {len(rows)} utterances, {sum(ids.values())} identifiers "
            f"({', '.join(f'{k} {v}' for k, v in sorted(ids.items()))}), {looks} look-alikes")


def held_out_main(folder: Path, *, prefix: str, split: str) -> int:
    """Build a held-out set's ``test.jsonl`` from *folder*'s ``utterances.txt`` and
    ``known-names.yaml`` (ids ``<prefix>001``..., header ``split``) and print its counts: the
    whole of each held-out set's builder (``tools/build_deid_eval_4.py``, ``_5.py``)."""
    known = yaml.safe_load((folder / "known-names.yaml").read_text(encoding="utf-8"))
    rows = build_held_out(folder / "utterances.txt", known=known, prefix=prefix)
    print(write_held_out(folder / "test.jsonl", rows, known=known, split=split,
                         source=f"benchmarks/{folder.name}/utterances.txt"))
    return 0


def build(source: Path = FOLDER / "utterances.txt") -> dict[str, list[dict]]:
    """Parse the source and deal each section's lines into ``dev`` and ``test``."""
    sections: dict[str, list[dict]] = {}
    for number, section, line in marked_lines(source):
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
