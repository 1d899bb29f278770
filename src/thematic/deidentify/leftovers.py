"""Words a person should look at after de-identification: what the detectors left that could
still be a name, a place or a number.

No detector finds every name in speech it was not built on (docs/deidentification.md measures
how many it misses on unseen text), so :func:`words_to_check` lists, for one text, the words
left in it that look like identifiers:

- a capitalised word, or an abbreviation, that is neither a dictionary word nor on the
  allow-list ("Okonkwo", "Thornbury", "LTHT");
- a capitalised dictionary word inside a sentence ("at Rose's"): its capitalised occurrences
  only ("rose" the flower is not listed with it);
- a lowercase word that is a first name and not a dictionary word ("priya", "jayden");
- a number of five or more digits, once spaces and dashes are taken out.

Words inside transcriber notes ("[inaudible]"), speaker labels, allowed phrases ("Universal
Credit") and the identifiers already found are not listed. Each word is listed once per text,
with every place it occurs; the researcher marks it ``ok`` or ``missed`` (``thematic
deidentify`` applies the marks: :mod:`thematic.review`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from thematic.deidentify.model import Identifier
from thematic.deidentify.patterns import TRANSCRIBER_NOTE
from thematic.deidentify.resolve import _allowed_phrases
from thematic.deidentify.words import MONTH_NAMES, WEEKDAYS

#: Why a word is listed.
REASONS = {
    "capitalised": "capitalised, not a dictionary word",
    "capitalised inside a sentence": "a capitalised word inside a sentence",
    "abbreviation": "abbreviation not on the allow-list",
    "first name": "a first name, not a dictionary word",
    "number": "a long number",
}

_WORD = re.compile(r"[^\W_][\w'’-]*")
_NUMBER = re.compile(r"\d[\d \-]{3,}\d")
#: A speaker label at the start of a line ("Participant:", "Interviewer 2:"): three words at
#: most, so that a sentence with a colon ("Kowalski rang and said: ...") is not taken for one.
_LABEL = re.compile(r"(?m)^[^\W\d_][\w'.-]*(?:[ \t][\w'.-]+){0,2}:")
#: Text before a word that starts a sentence, a line, a quote or a list item.
_SENTENCE_START = re.compile(r"(?:^|[.?!:;\n\]\"“‘«„¿¡(…]|--|—|–|\s-)\s*[\"“‘«„']?$")
_CALENDAR = frozenset(MONTH_NAMES + WEEKDAYS + ("christmas", "easter", "eid", "diwali", "ramadan", "hanukkah"))
#: Words that are capitalised in speech for reasons of their own.
_ALWAYS_CAPITALISED = frozenset(["i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "mr", "mrs", "ms", "dr", "mx",
                                 "miss", "prof", "st"])


@dataclass(frozen=True)
class WordToCheck:
    """One word left in a text that may be an identifier, with the spans where it occurs."""

    word: str
    spans: tuple[tuple[int, int], ...]
    reason: str
    #: The occurrence that put the word on the list (shown in context); the first by default.
    shown: tuple[int, int] | None = None

    @property
    def start(self) -> int:
        return (self.shown or self.spans[0])[0]

    @property
    def end(self) -> int:
        return (self.shown or self.spans[0])[1]

    @property
    def count(self) -> int:
        return len(self.spans)


def words_to_check(text: str, identifiers: Sequence[Identifier], *,
                   is_word: Callable[[str], bool], is_first_name: Callable[[str], bool],
                   allow: frozenset[str] = frozenset()) -> list[WordToCheck]:
    """The words of *text* outside *identifiers* that may still identify someone.

    Parameters
    ----------
    is_word
        Whether a lowercase word is a dictionary word (with its inflections).
    is_first_name
        Whether a lowercase word is a first name.
    allow
        Lowercase terms that are never identifiers (the allow-list and the study's own).

    Returns
    -------
    list of WordToCheck
        One per distinct word (case folded), in order of first occurrence.
    """
    taken = _merged(sorted([(i.start, i.end) for i in identifiers]
                           + [m.span() for m in TRANSCRIBER_NOTE.finditer(text)]
                           + [m.span() for m in _LABEL.finditer(text)]
                           + _allowed_phrases(text, allow)))
    starts = [s for s, _ in taken]

    def outside(start: int, end: int) -> bool:
        before = bisect.bisect_left(starts, end) - 1  # the last span starting before *end*
        return before < 0 or taken[before][1] <= start

    occurrences: dict[str, list[tuple[int, int]]] = {}
    reasons: dict[str, str] = {}
    words: dict[str, str] = {}
    shown: dict[str, tuple[int, int]] = {}
    for match in _WORD.finditer(text):
        start = match.start()
        word = re.sub(r"['’]s$", "", match.group()).strip("'’-")
        start += match.group().index(word[:1]) if word else 0
        if not re.search(r"[^\W\d_]", word) or not outside(start, start + len(word)):
            continue
        key = word.lower()
        occurrences.setdefault(key, []).append((start, start + len(word)))
        if key not in reasons:
            reason = _reason(word, is_word=is_word, is_first_name=is_first_name, allow=allow,
                             sentence_start=_SENTENCE_START.search(text, max(0, start - 30), start) is not None)
            if reason:
                reasons[key], words[key], shown[key] = reason, word, (start, start + len(word))
    for match in _NUMBER.finditer(text):
        key = " ".join(match.group().split())
        if len(re.sub(r"\D", "", key)) >= 5 and outside(*match.span()):
            occurrences.setdefault(key, []).append(match.span())
            reasons.setdefault(key, "number")
            words.setdefault(key, match.group())
    # a word listed once is listed wherever it occurs ("Rose" inside a sentence and at the start
    # of one; "okonkwo" as well as "Okonkwo"), but a dictionary word only where it is capitalised
    listed = []
    for key, reason in reasons.items():
        spans = occurrences[key]
        if reason == "capitalised inside a sentence":
            spans = [(s, e) for s, e in spans if text[s].isupper()]
        listed.append(WordToCheck(words[key], tuple(spans), REASONS[reason], shown.get(key)))
    return sorted(listed, key=lambda w: w.spans[0][0])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _reason(word: str, *, is_word, is_first_name, allow: frozenset[str], sentence_start: bool) -> str:
    lower = word.lower().replace("’", "'")  # "I’ve", "Won’t": curly apostrophes as straight ones
    if lower in _ALWAYS_CAPITALISED or lower in allow or len(word) < 2:
        return ""
    if word.isupper():
        return "" if is_word(lower) else "abbreviation"
    if word[0].isupper():
        if word[:-1].isupper() and lower[:-1] in allow:  # "OTs"
            return ""
        if is_word(lower):
            return "" if sentence_start or lower in _CALENDAR else "capitalised inside a sentence"
        parts = [p for p in re.split(r"-", lower) if p]  # "Mother-Baby"
        return "" if len(parts) > 1 and all(is_word(p) or p in allow for p in parts) else "capitalised"
    if word.islower() and is_first_name(lower) and not is_word(lower):
        return "first name"
    return ""
