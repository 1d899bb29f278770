"""Initials that stand for a person, found by where and how they are written, not by a list:

- a title and an initial ("Mrs K", "Dr S.", "Mr J B");
- an initial and a surname ("J. Patel", "A.B. Okafor");
- a child or relation by an initial, as case notes write them ("baby R", "Child A", "Mum K");
- initials with a role in brackets ("JB (health visitor)", "CD (SW)");
- initials in an attendee list of minutes ("Present: AB, CD (SW), EF"; "Apologies: GH");
- initials as the subject of a minute ("JB to refer", "KT said", "AO reported").

Initials that are an allowed term ("GP (locum)", "HV to visit", "NHS") stay: a role is not a person.
"""

from __future__ import annotations

import re
from functools import lru_cache

from thematic.deidentify.words import DEFAULT_ALLOW, _dictionary_words, _is_word, _last_names

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?"
TITLE_INITIAL = re.compile(rf"\b{_TITLE}\s+(?P<name>(?!I\b)[A-Z](?:\.?\s?[A-Z](?![a-z]))?\.?)(?![\w'’&-])")
INITIAL_SURNAME = re.compile(r"(?<![\w.])(?P<name>(?!I\.)(?:[A-Z]\.\s?){1,2}[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)\b")
RELATION_INITIAL = re.compile(
    r"(?i:\b(?:baby|child|infant|mum|mam|mother|dad|father|sibling|brother|sister|son|daughter|boy|girl|"
    r"grandma|gran|nan|grandad|patient|client|young\s+person|yp|cyp|stepdad|step-dad|partner))\s+"
    r"(?P<name>(?!I\b)[A-Z])(?![\w&'’-])")
ROLE_BRACKET = re.compile(r"(?<![\w&])(?P<name>[A-Z]{2,3}|(?:[A-Z]\.){2,3})\s*\((?P<role>[^()\n]{1,40})\)")
ATTENDEES = re.compile(
    r"(?im)^\W*(?:present|attendees|attending|in\s+attendance|attended\s+by|apologies(?:\s+received)?|invited|"
    r"chair(?:ed\s+by)?|minutes?(?:\s+taken\s+by|\s+taker)?|note\s+taker|also\s+present)\s*[:\-–]\s*(?P<items>[^\n]*)")
MINUTE_SUBJECT = re.compile(
    r"(?<![\w&])(?P<name>[A-Z]{2,3})\s+(?:to\s+(?:refer|contact|chase|send|arrange|visit|liaise|complete|update|"
    r"follow|book|ring|call|phone|share|discuss|check|attend|speak|provide|invite|email|e-mail|write|review|"
    r"support|seek|request|make|ask|inform|see)|said|says|reported|reports|advised|agreed|explained|confirmed|"
    r"stated|noted|shared|raised|asked|feels|felt|visited|spoke|met)\b")
#: Words in a bracket after initials that say it is a person's role or relation.
ROLE_WORDS = re.compile(
    r"(?i)\b(?:worker|visitor|nurse|midwife|teacher|chair|minutes?|officer|manager|lead|practitioner|senco|"
    r"mum|mam|mother|dad|father|grand(?:mother|father|ma|pa|ad)|aunt|auntie|uncle|partner|carer|"
    r"step-?(?:dad|mum)|sibling|brother|sister|gp|hv|sw|mw|fsw|dsl|iro|ehw|cpn|therapist|psychologist|"
    r"paediatrician|consultant|advocate|idva|locum|student|head|deputy|interpreter|guardian)\b")


def _allowed(initials: str) -> bool:
    return initials.replace(".", "").lower() in DEFAULT_ALLOW


def find_initials(text: str, _doc=None) -> list[tuple[int, int, str, float, dict]]:
    """Initials that stand for a person, as ``(start, end, "PERSON", score, extra)``."""
    found = []

    def add(start: int, end: int, score: float) -> None:
        found.append((start, end, "PERSON", score, {"detector": "initials"}))

    for m in TITLE_INITIAL.finditer(text):
        add(m.start(), m.end("name"), 0.85)
    for m in INITIAL_SURNAME.finditer(text):
        surname = m.group("name").split(".")[-1].strip()
        if surname.lower() in _not_surnames() or (_is_dictionary_word(surname.lower())
                                                  and surname.lower() not in _last_names()):
            continue  # "plan A. Then we...", "the P. T. Service": a word, not a surname ("J. Baker" is one)
        add(m.start("name"), m.end("name"), 0.8)
    for m in RELATION_INITIAL.finditer(text):
        add(m.start("name"), m.end("name"), 0.8)
    for m in ROLE_BRACKET.finditer(text):
        if not _allowed(m.group("name")) and ROLE_WORDS.search(m.group("role")):
            add(m.start("name"), m.end("name"), 0.8)
    for m in ATTENDEES.finditer(text):
        offset = m.start("items")
        items = re.sub(r"\([^()]*\)", lambda b: " " * len(b.group()), m.group("items"))  # roles in brackets
        for item in re.finditer(r"(?<![\w&.])(?:[A-Z]{2,3}|(?:[A-Z]\.){2,3})(?![\w&])", items):
            if not _allowed(item.group()):
                add(offset + item.start(), offset + item.end(), 0.8)
    for m in MINUTE_SUBJECT.finditer(text):
        if not _allowed(m.group("name")):
            add(m.start("name"), m.end("name"), 0.7)
    return found


def _is_dictionary_word(lower: str, model: str = "en_core_web_sm") -> bool:
    return _is_word(lower, _dictionary_words(model))


@lru_cache(maxsize=1)
def _not_surnames() -> frozenset[str]:
    from thematic.deidentify.patterns import NOT_A_NAME_START
    from thematic.deidentify.resolve import _stop_words

    return frozenset(w.lower() for w in NOT_A_NAME_START) | _stop_words()
