"""Write the third de-identification evaluation set, held out as a whole.

Usage::

    python tools/build_deid_eval_3.py   # benchmarks/deid-eval-3/utterances.txt -> test.jsonl

The source, ``benchmarks/deid-eval-3/utterances.txt``, is hand-written and synthetic (every
person, number and address invented for thematic), in registers the first two sets do not use:
telephone interviews with fathers (some speaking English as a second language) and with
grandparents in Wales, Scotland and Northern Ireland; handover and supervision notes read aloud;
safeguarding-meeting minutes with capitalised headings and initials; unpunctuated lowercase
automatic transcription; timestamps, crosstalk, fillers, false starts and repeated words;
structured identifiers in other spellings (spoken digits, dots, dashes, brackets, ``+44`` and
``0044``, postcodes without a space, e-mail addresses said aloud); ages and dates of birth in
other wordings; names that are words, nicknames and initials; and look-alikes that must survive.
Its markup is that of :mod:`build_deid_eval` (``[[TYPE/kind*:text]]``, ``{{text/kind}}``),
parsed by the same function; its known-names list is ``benchmarks/deid-eval-3/known-names.yaml``.

Besides the NHS checksum and balanced markup checked by the parser, every span is checked here:
its text is what the markup wrapped, it neither starts nor ends with a space, no two spans
overlap, a span marked known (``*``) is on the known-names list and one not marked is not, and
every whole-word mention of a known name, or of a person, place or organisation labelled elsewhere
in the same utterance, lies inside a labelled span (so the list and the labels agree). The output has the format of ``benchmarks/deidentify-utterances.jsonl``: a
header line with the known-names mapping, then one JSON object per utterance. The whole set is
held out: nobody tunes rules on it, and its errors are not looked at one by one.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_deid_eval import parse_line, write_set  # noqa: E402  (the one parser and writer of this markup)

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval-3"
SOURCE = FOLDER / "utterances.txt"
OUTPUT = FOLDER / "test.jsonl"
NAMED = ("PERSON", "PLACE", "ORG")
MARKED = re.compile(r"\[\[(?P<type>[A-Z_]+)(?:/[\w-]+)?(?P<known>\*)?:(?P<text>.+?)\]\]|\{\{(?P<look>.+?)/[\w-]+\}\}")


def known_surfaces(known: dict) -> set[str]:
    """Every surface of the known-names mapping, lower-cased."""
    surfaces = set()
    for entry in known["names"]:
        values = entry["surface"] if isinstance(entry["surface"], list) else [entry["surface"]]
        surfaces |= {v.lower() for v in values}
    return surfaces


def check_row(row: dict, line: str, *, surfaces: set[str], where: str) -> None:
    """Raise ``ValueError`` naming *where* when a span of *row* is inconsistent (see module doc)."""
    text = row["text"]
    wrapped = [(m.group("text") or m.group("look"), bool(m.group("known")), bool(m.group("look")))
               for m in MARKED.finditer(line)]
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


def build(source: Path = SOURCE, *, known: dict) -> list[dict]:
    """Parse and check the source: one row per utterance, in source order, ids ``t3-001``..."""
    surfaces = known_surfaces(known)
    rows, section = [], ""
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("## "):
            section = line[3:].split(":")[0].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{source.name}:{number}"
        if line != line.strip():
            raise ValueError(f"{where}: leading or trailing space")
        row = parse_line(line, where=where)
        check_row(row, line, surfaces=surfaces, where=where)
        rows.append({"id": f"t3-{len(rows) + 1:03d}", "section": section, "line": number, **row})
    return rows


def main() -> int:
    known = yaml.safe_load((FOLDER / "known-names.yaml").read_text(encoding="utf-8"))
    rows = build(known=known)
    header = {"known_names": known, "split": "test-3", "held_out": True, "count": len(rows),
              "source": "benchmarks/deid-eval-3/utterances.txt (hand-written, synthetic)"}
    write_set(OUTPUT, header, rows)
    ids = Counter(s["type"] for r in rows for s in r["identifiers"])
    looks = sum(len(r["lookalikes"]) for r in rows)
    print(f"wrote {OUTPUT.name}: {len(rows)} utterances, {sum(ids.values())} identifiers "
          f"({', '.join(f'{k} {v}' for k, v in sorted(ids.items()))}), {looks} look-alikes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
