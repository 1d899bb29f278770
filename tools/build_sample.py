"""Render the synthetic sample from its markup sources (``data-sample/source``).

Usage::

    python tools/build_sample.py            # check every source, then write the sample
    python tools/build_sample.py --check ID [ID ...]   # only check the named sources

Writes ``raw/`` (identifiers in clear), ``deidentified/`` (bracketed placeholders),
``deidentification-gold.csv`` (where every planted identifier is, in raw offsets),
``known-names.yaml`` (the researcher's file of known names, from ``source/cast.yaml``) and two
simulated coders' codings under ``codings/``. See ``data-sample/README.md``.

This is a maintenance script for the sample, not part of the library: it depends only on
the standard library and PyYAML so that it can run before the package is installed.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from thematic.dataset import text_hash

SAMPLE = Path(__file__).resolve().parent.parent / "data-sample"
SOURCE = SAMPLE / "source"
SPEAKERS = ("Interviewer", "Participant")
IDENTIFIER_TYPES = {
    "PERSON", "ORG", "PLACE", "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER", "DATE_OF_BIRTH", "AGE",
}
MIN_WORDS = 700
IDENTIFIER = re.compile(r"\{([^{}|]+)\|([A-Z_]+)\|(\[[^\]{}|]+\])\}")
CODED = re.compile(r"<<([a-z_,\s]+)\|(.*?)>>", re.DOTALL)
WORD = re.compile(r"[A-Za-z0-9']+")


@dataclass
class Rendered:
    interview_id: str
    raw: str = ""
    deidentified: str = ""
    identifiers: list[tuple[int, int, str, str]] = field(default_factory=list)  # raw offsets
    codes: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)  # deid offsets
    problems: list[str] = field(default_factory=list)


def load_codebook() -> dict[str, str | None]:
    """Map code id -> scope (None: the code applies to every group), from data-sample/codebook.yaml."""
    book = yaml.safe_load((SAMPLE / "codebook.yaml").read_text(encoding="utf-8"))
    return {
        code["id"]: code.get("scope", theme.get("scope"))
        for theme in book["themes"]
        for code in theme["codes"]
    }


def load_groups() -> dict[str, str]:
    """Map interview id -> stakeholder group."""
    with open(SAMPLE / "participants.csv", encoding="utf-8") as f:
        group = {row["participant_id"]: row["group"] for row in csv.DictReader(f)}
    with open(SAMPLE / "interviews.csv", encoding="utf-8") as f:
        return {row["interview_id"]: group[row["participant_id"]] for row in csv.DictReader(f)}


def render(interview_id: str, text: str, scopes: dict[str, str], group: str) -> Rendered:
    """Render one markup source into raw and de-identified text with span annotations."""
    out = Rendered(interview_id)
    raw, deid = io.StringIO(), io.StringIO()
    scope_wanted = "parents" if group == "parent" else "professionals"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    for n, para in enumerate(paragraphs, start=1):
        where = f"{interview_id}.txt, turn {n}"
        speaker, sep, _ = para.partition(":")
        if not sep or speaker not in SPEAKERS:
            out.problems.append(f"{where}: turn must start with 'Interviewer:' or 'Participant:'")
        if "\n" in para:
            out.problems.append(f"{where}: a turn is one paragraph; join its lines")
            para = " ".join(para.split("\n"))
        if n > 1:
            raw.write("\n\n")
            deid.write("\n\n")
        pos = 0
        for m in CODED.finditer(para):
            _render_plain(para[pos:m.start()], raw, deid, out, where)
            codes = tuple(c.strip() for c in m.group(1).split(",") if c.strip())
            for code in codes:
                if code not in scopes:
                    out.problems.append(f"{where}: unknown code id {code!r}")
                elif scopes[code] and scopes[code] != scope_wanted:
                    out.problems.append(f"{where}: code {code!r} is for {scopes[code]}, not {group}")
            if speaker != "Participant":
                out.problems.append(f"{where}: codes only on participant turns")
            start = deid.tell()
            _render_plain(m.group(2), raw, deid, out, where)
            out.codes.append((start, deid.tell(), codes))
            pos = m.end()
        _render_plain(para[pos:], raw, deid, out, where)
    out.raw, out.deidentified = raw.getvalue() + "\n", deid.getvalue() + "\n"
    words = len(WORD.findall(out.raw))
    if words < MIN_WORDS:
        out.problems.append(f"{interview_id}.txt: {words} words, fewer than {MIN_WORDS}")
    return out


def _render_plain(chunk: str, raw: io.StringIO, deid: io.StringIO, out: Rendered, where: str) -> None:
    for bad in ("<<", ">>"):
        if bad in chunk:
            out.problems.append(f"{where}: stray {bad!r} (unbalanced or nested code markup)")
    pos = 0
    for m in IDENTIFIER.finditer(chunk):
        _write_text(chunk[pos:m.start()], raw, deid, out, where)
        surface, kind, placeholder = m.groups()
        if kind not in IDENTIFIER_TYPES:
            out.problems.append(f"{where}: unknown identifier type {kind!r}")
        start = raw.tell()
        raw.write(surface)
        deid.write(placeholder)
        out.identifiers.append((start, raw.tell(), kind, placeholder))
        pos = m.end()
    _write_text(chunk[pos:], raw, deid, out, where)


def _write_text(text: str, raw: io.StringIO, deid: io.StringIO, out: Rendered, where: str) -> None:
    for bad in ("{", "}", "|"):
        if bad in text:
            out.problems.append(f"{where}: stray {bad!r} near {text[max(0, text.find(bad) - 30):][:60]!r}")
    raw.write(text)
    deid.write(text)


# --- two simulated coders -----------------------------------------------------------------
#
# Each coder is simulated on its own from the written gold coding, as two people reading the
# same transcripts apart would code them: neither sees the other's work. What they share is
# the text: a passage carrying several codes, or a long one, is harder for both (a property of
# the passage, drawn independently for each coder). What each has of its own: boundary habits,
# a base rate of missing and of adding codes, a few codes it reads narrowly (misses more) and a
# few it over-applies, a tendency to pick a neighbouring code of the same theme or a code of
# another theme, and a frame of mind per interview (some interviews coded more loosely than
# others), which makes its departures cluster within interviews as real coders' do.

@dataclass(frozen=True)
class CoderStyle:
    """How one simulated coder departs from the gold coding (probabilities per decision)."""

    name: str
    miss: float              # drops a gold code
    add: float               # codes an uncoded participant sentence (per sentence)
    swap_within: float       # applies a sibling code of the same theme instead
    swap_across: float       # applies a code of another theme instead (same kind preferred)
    extra: float             # adds a second code to a coded passage
    widen: float             # codes the whole turn
    extend: float            # runs on to the end of the next sentence
    narrow: float            # codes only the first sentence
    late_start: float        # starts at the second sentence
    mood: float              # spread (log scale) of the per-interview frame of mind
    narrow_codes: int = 3    # codes this coder reads narrowly (misses 2.5 times as often)
    favourite_codes: int = 3  # codes this coder over-applies when adding
    voice: str = "terse"     # which memo phrasing the coder writes


CODERS = (
    CoderStyle("coder_a", miss=0.09, add=0.035, swap_within=0.06, swap_across=0.03, extra=0.06,
               widen=0.20, extend=0.10, narrow=0.05, late_start=0.03, mood=0.45, voice="terse"),
    CoderStyle("coder_b", miss=0.15, add=0.015, swap_within=0.08, swap_across=0.05, extra=0.03,
               widen=0.04, extend=0.03, narrow=0.22, late_start=0.10, mood=0.60, voice="reflective"),
)
SENTENCE_END = re.compile(r"[.?!](?=\s|$)")
MEMOS = {
    "terse": {
        "swap": ["Between '{gold}' and '{applied}'; went with the latter.", "'{applied}'? Could be '{gold}'.",
                 "Read as '{applied}' rather than '{gold}'.", "Closer to '{applied}' on balance.",
                 "'{gold}' or '{applied}': check."],
        "extra": ["Also '{applied}'.", "Double-coded: '{applied}' too.", "Plus '{applied}'.",
                  "Touches '{applied}' as well."],
        "add": ["Possible '{applied}'.", "Weak '{applied}'; flag.", "'{applied}'? Not sure it counts.",
                "Tentatively '{applied}'."],
    },
    "reflective": {
        "swap": ["I hesitated here: this reads to me more like '{applied}' than '{gold}', but I can see both.",
                 "Coded as '{applied}'. The speaker's emphasis seemed to be there, though '{gold}' is arguable.",
                 "Borderline between '{gold}' and '{applied}'; worth agreeing a rule for passages like this.",
                 "I took this as '{applied}'. If we read it as about '{gold}' instead I would not object.",
                 "Not sure the definition of '{gold}' stretches this far, so '{applied}'."],
        "extra": ["The same words also seem to me to speak to '{applied}', so I added it.",
                  "Added '{applied}' as a second code; the passage does two things at once.",
                  "This also carries '{applied}', I think, though less strongly."],
        "add": ["Nobody may have coded this, but it sounded like '{applied}' to me; happy to drop it.",
                "A passing remark that could be '{applied}'. Raise at the coding meeting?",
                "I wondered about '{applied}' here; leaving it in so we can discuss it.",
                "Possibly '{applied}', although the speaker moves on quickly."],
    },
}


@dataclass(frozen=True)
class CodebookInfo:
    """What the simulation needs from the codebook."""

    themes: dict[str, list[str]]
    theme_of: dict[str, str]
    kind_of: dict[str, str]
    labels: dict[str, str]
    scope_of: dict[str, str | None]


def codebook_info(book: dict) -> CodebookInfo:
    themes = {t["id"]: [c["id"] for c in t["codes"]] for t in book["themes"]}
    codes = [(t, c) for t in book["themes"] for c in t["codes"]]
    return CodebookInfo(themes=themes, theme_of={c["id"]: t["id"] for t, c in codes},
                        kind_of={c["id"]: c["kind"] for _, c in codes},
                        labels={c["id"]: c["label"] for _, c in codes},
                        scope_of={c["id"]: c.get("scope", t.get("scope")) for t, c in codes})


def _rng(*key: object) -> random.Random:
    digest = hashlib.sha256("/".join(map(str, key)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _turn_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n\n", 0, pos)
    start = 0 if start < 0 else start + 2
    start = text.index(":", start) + 2
    end = text.find("\n\n", pos)
    return start, (len(text.rstrip("\n")) if end < 0 else end)


def _habits(style: CoderStyle, info: CodebookInfo) -> tuple[set[str], list[str]]:
    """The codes this coder reads narrowly and the ones it over-applies (fixed per coder)."""
    rng = _rng(style.name, "habits")
    codes = sorted(info.theme_of)
    narrow = set(rng.sample(codes, style.narrow_codes))
    favourites = rng.sample([c for c in codes if c not in narrow], style.favourite_codes)
    return narrow, favourites


def _mood(style: CoderStyle, interview_id: str) -> float:
    """This coder's frame of mind for one interview: a multiplier on its miss and add rates."""
    return math.exp(_rng(style.name, interview_id, "mood").gauss(0.0, style.mood))


def _boundaries(text: str, start: int, end: int, style: CoderStyle, rng: random.Random) -> tuple[int, int]:
    turn_start, turn_end = _turn_bounds(text, start)
    roll = rng.random()
    if roll < style.widen:
        return turn_start, turn_end
    roll -= style.widen
    if roll < style.extend:
        m = SENTENCE_END.search(text, end + 1, turn_end)
        return start, (m.end() if m else turn_end)
    roll -= style.extend
    if roll < style.narrow:
        m = SENTENCE_END.search(text, start, end)
        return start, (m.end() if m and m.end() < end - 20 else end)
    roll -= style.narrow
    if roll < style.late_start:
        m = SENTENCE_END.search(text, start, end)
        if m and m.end() + 1 < end - 20:
            later = m.end()
            while text[later] == " ":
                later += 1
            return later, end
    return start, end


def _across(code: str, info: CodebookInfo, allowed: list[str], rng: random.Random) -> str | None:
    """A code of another theme the coder might confuse with *code*: same kind first."""
    others = [c for c in allowed if info.theme_of[c] != info.theme_of[code]]
    same_kind = [c for c in others if info.kind_of[c] == info.kind_of[code]]
    pool = same_kind or others
    return rng.choice(pool) if pool else None


def _memo(style: CoderStyle, situation: str, rng: random.Random, **labels: str) -> str:
    return rng.choice(MEMOS[style.voice][situation]).format(**labels)


def simulate_coder(doc: Rendered, style: CoderStyle, info: CodebookInfo, allowed: list[str]) -> list[dict]:
    """One coder's codings of one interview, simulated on its own from the gold spans.

    *allowed* lists the codes that apply to this interview's group (its scope's codes and the
    codes without a scope).
    """
    text, rows = doc.deidentified, []
    narrow_codes, favourites = _habits(style, info)
    mood = _mood(style, doc.interview_id)
    for i, (start, end, codes) in enumerate(doc.codes):
        rng = _rng(style.name, doc.interview_id, i)
        difficulty = 1.0 + 0.6 * (len(codes) > 1) + 0.4 * (end - start > 250)
        start, end = _boundaries(text, start, end, style, rng)
        for code in codes:
            miss = style.miss * mood * difficulty * (2.5 if code in narrow_codes else 1.0)
            if rng.random() < min(miss, 0.9):
                continue
            memo, applied = "", code
            roll = rng.random()
            siblings = [c for c in info.themes[info.theme_of[code]] if c != code and c in allowed]
            if roll < style.swap_within * difficulty and siblings:
                applied = rng.choice(siblings)
            elif roll < (style.swap_within + style.swap_across) * difficulty:
                applied = _across(code, info, allowed, rng) or code
            if applied != code and rng.random() < 0.7:  # most swaps leave a note, not all
                memo = _memo(style, "swap", rng, gold=info.labels[code], applied=info.labels[applied])
            rows.append(_row(doc, start, end, applied, style.name, memo))
            if rng.random() < style.extra * mood:
                pool = [c for c in siblings + favourites if c in allowed and c != applied]
                if pool:
                    also = rng.choice(pool)
                    rows.append(_row(doc, start, end, also, style.name,
                                     _memo(style, "extra", rng, applied=info.labels[also])))
    rows += _additions(doc, style, info, allowed, favourites, mood)
    unique = {}
    for row in rows:  # one coding per span and code: a coder does not code the same words twice
        unique.setdefault((row["start"], row["end"], row["code"]), row)
    return list(unique.values())


def _additions(doc: Rendered, style: CoderStyle, info: CodebookInfo, allowed: list[str],
               favourites: list[str], mood: float) -> list[dict]:
    """Codes this coder adds to participant sentences the gold coding leaves uncoded."""
    text, coded = doc.deidentified, [(s, e) for s, e, _ in doc.codes]
    rows = []
    rng = _rng(style.name, doc.interview_id, "additions")
    own = [c for c in favourites if c in allowed]
    for m in re.finditer(r"(?m)^Participant: (.+)$", text):
        pos = m.start(1)
        for sent in re.finditer(r"[^.?!]+[.?!]", m.group(1)):
            s, e = pos + sent.start(), pos + sent.end()
            if e - s <= 60 or any(s < ce and cs < e for cs, ce in coded):
                continue
            if rng.random() >= style.add * mood:
                continue
            while text[s] == " ":
                s += 1
            code = rng.choice(own) if own and rng.random() < 0.5 else rng.choice(allowed)
            rows.append(_row(doc, s, e, code, style.name, _memo(style, "add", rng, applied=info.labels[code])))
    return rows


def _row(doc: Rendered, start: int, end: int, code: str, coder: str, memo: str) -> dict:
    """One coding, with the hash of the text it covers (``thematic validate`` checks it)."""
    return {"interview_id": doc.interview_id, "start": start, "end": end,
            "code": code, "coder": coder, "memo": memo,
            "text_hash": text_hash(doc.deidentified[start:end])}


# --- the researcher's known names ----------------------------------------------------------

KNOWN_NAMES_HEADER = """\
# Known names of the sample study: what a researcher knows before de-identifying (staff,
# services, places, and each parent's family from recruitment). Rendered by
# tools/build_sample.py from source/cast.yaml: edit that file, not this one.
# Format: docs/deidentification.md. Phone numbers, e-mails, postcodes, NHS numbers, dates and
# ages are not listed: pattern recognizers find them.
"""


def known_names(cast: dict) -> dict:
    """The known-names file (see docs/deidentification.md) derived from the cast."""
    names = []

    def add(surfaces, kind, placeholder, interviews=None):
        entry = {"surface": surfaces if len(surfaces) > 1 else surfaces[0], "type": kind,
                 "placeholder": placeholder}
        if interviews:
            entry["interviews"] = interviews
        names.append(entry)

    setting = cast["setting"]
    for place in [setting["county"], *setting["towns"]]:
        add([place["name"]], place["type"], place["placeholder"])
    service = setting["service"]
    add([service["name"], service["short"]], service["type"], service["placeholder"])
    for org in setting["organisations"]:
        add([org["name"]], org["type"], org["placeholder"])
    for person in cast["staff"]:
        add([person["name"], *person.get("also", [])], "PERSON", person["placeholder"])
    add([cast["interviewer"]["name"]], "PERSON", cast["interviewer"]["placeholder"])
    for interview_id, family in sorted(cast.get("families", {}).items()):
        for role, surfaces in family.items():
            add(surfaces if isinstance(surfaces, list) else [surfaces], "PERSON", f"[{role}]", [interview_id])
    return {"names": names, "allow": list(cast.get("allow", []))}


def check_canary(cast: dict, docs: list[Rendered]) -> list[str]:
    """The canary must be planted in raw/ and removed from every de-identified text."""
    canary = cast.get("canary")
    if not canary:
        return []
    problems = []
    if not any(canary in d.raw for d in docs):
        problems.append(f"cast.yaml: canary {canary!r} is not planted in any source")
    problems += [f"{d.interview_id}.txt: canary {canary!r} survives de-identification"
                 for d in docs if canary in d.deidentified]
    return problems


# --- writing ------------------------------------------------------------------------------

def write_sample(docs: list[Rendered]) -> None:
    info = codebook_info(yaml.safe_load((SAMPLE / "codebook.yaml").read_text(encoding="utf-8")))
    groups = load_groups()
    for sub in ("raw", "deidentified", "codings"):
        (SAMPLE / sub).mkdir(exist_ok=True)
    gold = []
    coded = {style.name: [] for style in CODERS}
    for doc in docs:
        (SAMPLE / "raw" / f"{doc.interview_id}.txt").write_text(doc.raw, encoding="utf-8")
        (SAMPLE / "deidentified" / f"{doc.interview_id}.txt").write_text(doc.deidentified, encoding="utf-8")
        gold += [
            {"interview_id": doc.interview_id, "start": s, "end": e, "type": t, "placeholder": p}
            for s, e, t, p in doc.identifiers
        ]
        scope = "parents" if groups[doc.interview_id] == "parent" else "professionals"
        allowed = sorted(c for c, sc in info.scope_of.items() if sc in (None, scope))
        for style in CODERS:
            coded[style.name] += simulate_coder(doc, style, info, allowed)
    _write_csv(SAMPLE / "deidentification-gold.csv", gold)
    cast = yaml.safe_load((SOURCE / "cast.yaml").read_text(encoding="utf-8"))
    (SAMPLE / "known-names.yaml").write_text(
        KNOWN_NAMES_HEADER + yaml.safe_dump(known_names(cast), sort_keys=False, allow_unicode=True,
                                            width=100), encoding="utf-8")
    for name, rows in coded.items():
        rows.sort(key=lambda r: (r["interview_id"], r["start"], r["end"], r["code"]))
        _write_csv(SAMPLE / "codings" / f"{name}.csv", rows)


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", nargs="*", metavar="ID", help="only check these sources")
    args = parser.parse_args(argv)
    scopes, groups = load_codebook(), load_groups()
    ids = args.check if args.check else sorted(groups)
    docs, problems = [], []
    for interview_id in ids:
        path = SOURCE / f"{interview_id}.txt"
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        doc = render(interview_id, path.read_text(encoding="utf-8"), scopes, groups[interview_id])
        docs.append(doc)
        problems += doc.problems
        words = len(WORD.findall(doc.raw))
        print(f"{interview_id}: {words} words, {len(doc.codes)} coded passages, "
              f"{len(doc.identifiers)} identifiers")
    if args.check is None:
        problems += check_canary(yaml.safe_load((SOURCE / "cast.yaml").read_text(encoding="utf-8")), docs)
    for problem in problems:
        print("PROBLEM", problem)
    if problems:
        return 1
    print(f"total: {sum(len(WORD.findall(d.raw)) for d in docs)} words in {len(docs)} transcripts")
    if args.check is None:
        write_sample(docs)
        print(f"wrote {SAMPLE}/raw, deidentified, codings, deidentification-gold.csv, known-names.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
