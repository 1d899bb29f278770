"""From findings to identifiers: trim, allow-list, merge overlaps, one placeholder per entity."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from thematic.deidentify.model import DETECTOR_PRIORITY, PLACEHOLDERS, Identifier, _Finding
from thematic.deidentify.patterns import TRANSCRIBER_NOTE
from thematic.deidentify.words import COMMON_WORD_NAMES, DEFAULT_ALLOW

def _trim(text: str, finding: _Finding) -> _Finding | None:
    """Trim determiners, possessives and punctuation from a finding; None if nothing is left."""
    start, end = finding.start, finding.end
    span = text[start:end]
    lead = re.match(r"(?i)(?:the|a|an|our|my|your|their|his|her)\s+", span)
    if lead and finding.detector in ("spacy_ner", "org_suffix"):
        start += lead.end()
    while end > start and text[end - 1] in " .,;:!?'\"’)(-":
        end -= 1
    if text[start:end].endswith(("'s", "’s")) and finding.type in ("PERSON", "PLACE", "ORG") \
            and finding.detector != "known_names":
        end -= 2
    while start < end and text[start] in " '\"‘(-":
        start += 1
    return replace(finding, start=start, end=end) if end > start else None


def _allowed(text: str, finding: _Finding, allow: frozenset[str]) -> bool:
    span = " ".join(text[finding.start:finding.end].split()).lower()
    if finding.detector == "known_names" or (finding.detector == "name_lexicon" and span in COMMON_WORD_NAMES):
        return False  # their context rules already decided
    if span in allow or span.rstrip("s") in allow or re.sub(r"^the\s+", "", span) in allow:
        return True
    if finding.detector == "spacy_ner":
        words = re.findall(r"[\w'-]+", span)
        if not words or all(w in allow for w in words):
            return True
        raw = text[finding.start:finding.end]
        if not any(ch.isupper() for ch in raw):
            return True  # NER on lowercase words is mostly noise; the lexicon handles names
        if TRANSCRIBER_NOTE.fullmatch(raw) or raw.startswith("[") or raw.endswith("]"):
            return True
    return False


def resolve(text: str, findings: Iterable[_Finding], *, allow: frozenset[str] = DEFAULT_ALLOW) -> list[Identifier]:
    """Trim, filter against the allow-list, merge overlaps and assign placeholders."""
    cleaned = []
    for finding in findings:
        trimmed = _trim(text, finding)
        if trimmed is None or _allowed(text, trimmed, allow):
            continue
        cleaned.append(trimmed)
    cleaned = _inside_transcriber_notes(text, cleaned)
    cleaned.sort(key=lambda f: (f.start, -f.end))
    merged: list[list[_Finding]] = []
    for finding in cleaned:
        last_end = max(f.end for f in merged[-1]) if merged else -1
        joins_name = (finding.type == "PERSON" and merged and any(f.type == "PERSON" for f in merged[-1])
                      and finding.start == last_end + 1 and text[last_end] == " ")
        if merged and (finding.start < last_end or joins_name):
            merged[-1].append(finding)
        else:
            merged.append([finding])
    return assign_placeholders(text, [_merge(group) for group in merged])


def _inside_transcriber_notes(text: str, findings: list[_Finding]) -> list[_Finding]:
    notes = [(m.start(), m.end()) for m in TRANSCRIBER_NOTE.finditer(text)]
    if not notes:
        return findings
    return [f for f in findings if f.detector in ("known_names", "review")
            or not any(s <= f.start and f.end <= e for s, e in notes)]


def _merge(group: list[_Finding]) -> _Finding:
    best = min(group, key=lambda f: (DETECTOR_PRIORITY.get(f.detector, 20), -(f.end - f.start)))
    start, end = min(f.start for f in group), max(f.end for f in group)
    score = max(f.score for f in group)
    return replace(best, start=start, end=end, score=score)


def assign_placeholders(text: str, findings: list[_Finding]) -> list[Identifier]:
    """One placeholder per entity: known names keep theirs; other people are numbered
    ("[person 1]") by first mention, and a later mention by part of a name ("Sarah" after
    "Sarah Jones") is the same person."""
    people: dict[str, str] = {}
    identifiers = []
    for f in sorted(findings, key=lambda f: f.start):
        placeholder = f.placeholder
        if not placeholder and f.type == "PERSON":
            key = " ".join(re.findall(r"[a-z']+", text[f.start:f.end].lower())) or text[f.start:f.end].lower()
            key = re.sub(r"^(?:dr|mr|mrs|ms|miss|nurse)\s+", "", key)
            placeholder = people.get(key) or next(
                (p for k, p in people.items() if set(key.split()) <= set(k.split()) or set(k.split()) <= set(key.split())), "")
            if not placeholder:
                placeholder = f"[person {len(set(people.values())) + 1}]"
            people[key] = placeholder
        identifiers.append(Identifier(f.start, f.end, f.type, f.detector, f.score,
                                      placeholder or PLACEHOLDERS.get(f.type, "[redacted]")))
    return identifiers


def apply_identifiers(text: str, identifiers: Iterable[Identifier]) -> str:
    """Replace each identifier's span by its placeholder (spans must not overlap)."""
    out, pos = [], 0
    for identifier in sorted(identifiers, key=lambda i: i.start):
        if identifier.start < pos:
            raise ValueError(f"overlapping identifiers at {identifier.start}")
        out += [text[pos:identifier.start], identifier.placeholder]
        pos = identifier.end
    out.append(text[pos:])
    return "".join(out)
