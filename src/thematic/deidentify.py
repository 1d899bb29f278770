"""Find identifiers in interview text and replace them with bracketed role placeholders.

Detection is Presidio's analyzer running on our spaCy pipeline (:mod:`thematic.nlp`), with
recognizers made for UK interview transcripts:

- ``known_names``: the researcher's file of known names (participants, family, staff,
  services, wards, places), matched case-insensitively; a name that is also an ordinary word
  ("Will", "Hope", "May") only where its context says it is a name;
- ``email``, ``uk_phone`` (spaced, ``+44`` and ``(0)`` forms), ``uk_postcode`` and
  ``nhs_number`` (mod-11 checksum, Presidio's), ``date_of_birth`` / ``date`` (several
  formats; a birth word nearby makes it a date of birth), ``age`` (stated ages of people);
- ``org_suffix``: names of surgeries, wards, hubs, councils by their last word;
- ``spacy_ner``: the pipeline's PERSON / ORG / GPE / LOC / FAC entities, and
  ``name_lexicon``: lowercase first names the pipeline misses.

An allow-list keeps domain terms (roles, services, weekdays, "NHS", "Mum"). Overlapping
findings are merged; every entity gets one placeholder throughout a transcript.

This module is pure: text and known names in, spans out. Reading and writing data folders is
in :mod:`thematic.review`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from thematic import io
from thematic.errors import DataError, Errors

log = logging.getLogger(__name__)

#: Identifier types and the placeholder used when no known name gives a role.
PLACEHOLDERS = {
    "PERSON": "[person]",
    "ORG": "[organisation]",
    "PLACE": "[place]",
    "PHONE": "[phone number]",
    "EMAIL": "[email address]",
    "POSTCODE": "[postcode]",
    "NHS_NUMBER": "[NHS number]",
    "DATE_OF_BIRTH": "[date of birth]",
    "AGE": "[age]",
    "DATE": "[date]",
}
IDENTIFIER_TYPES = tuple(PLACEHOLDERS)

#: Which detector wins when two findings overlap (lower first); the merged span takes its type.
DETECTOR_PRIORITY = {
    "review": -1, "known_names": 0, "email": 1, "uk_phone": 2, "nhs_number": 3, "uk_postcode": 4,
    "date_of_birth": 5, "date": 6, "age": 7, "org_suffix": 8, "spacy_ner": 9, "name_lexicon": 10,
}

#: Names that are also ordinary English words: redacted only where the context says "name".
COMMON_WORD_NAMES = frozenset([
    "will", "hope", "may", "faith", "grace", "rose", "mark", "joy", "dawn", "june", "april",
    "august", "summer", "autumn", "holly", "ivy", "amber", "ruby", "sky", "star", "bill",
    "pat", "sue", "rob", "sam", "jack", "frank", "art", "guy", "dean", "chris", "mason",
    "penny", "sandy", "victor", "miles", "lily", "daisy", "hazel", "poppy", "iris",
    "heather", "jasmine", "melody", "honey", "angel", "page",
])
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: Terms never redacted (case-insensitive, whole span): roles, services, family words, days.
DEFAULT_ALLOW = frozenset([
    *WEEKDAYS, *MONTH_NAMES, "nhs", "the nhs", "mum", "mam", "mom", "mummy", "dad", "daddy",
    "nan", "nana", "nanna", "grandma", "grandad", "granny", "baby", "health visitor",
    "health visitors", "health visiting", "gp", "gps", "midwife", "midwives", "social worker",
    "social care", "social services", "children's services", "early help", "sure start",
    "family nurse partnership", "fnp", "camhs", "iapt", "perinatal", "perinatal team",
    "the perinatal team", "mother and baby unit", "covid", "covid-19", "coronavirus", "zoom",
    "teams", "microsoft teams", "whatsapp", "facebook", "skype", "universal credit",
    "christmas", "easter", "interviewer", "participant", "researcher", "english", "british",
    "ccg", "ccgs", "the ccg", "council", "the council", "a&e", "ofsted", "nice", "public health",
    "local authority", "the local authority", "the trust", "trust", "parent-infant",
    "infant mental health", "bumps", "erm", "yeah", "okay", "ok", "hiya", "lockdown",
    "video interaction guidance", "vig", "circle of security", "newborn behavioural observation",
    "nbo", "mellow parenting", "incredible years", "solihull", "solihull approach", "triple p",
    "cpn", "ot", "hv", "hvs", "senco", "dwp", "youtube", "google", "instagram", "tiktok",
])

_NUMBER_WORD = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|"
                r"three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|"
                r"nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
                r"nineteen|\d{1,3})")
_ORDINAL_WORD = (r"(?:(?:twenty|thirty)[- ]?(?:first|second|third|fourth|fifth|sixth|seventh|"
                 r"eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
                 r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
                 r"eighteenth|nineteenth|twentieth|thirtieth)")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_YEAR = r"(?:(?:19|20)\d{2})"
DATE_PATTERN = re.compile(
    rf"(?<![\w/.-])(?:"
    rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"                   # 14/09/1998, 3.6.20
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"                                          # 2020-06-03
    rf"|(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}\b(?:,?\s+{_YEAR})?"        # the 3rd of March 2020
    rf"|{_MONTH}\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR})?"                  # March the ninth, May 14
    rf")(?![\w/])", re.IGNORECASE)
BIRTH_CONTEXT = re.compile(
    r"\b(?:born|birth|birthday|d\.?o\.?b|due date|was due|arrived|came along|delivered|"
    r"induced|section)\b", re.IGNORECASE)
_AGE_SUBJECT = (r"(?:\b(?:[Ii]|[Hh]e|[Ss]he|[Yy]ou|baby|son|daughter|brother|sister|mum|eldest|youngest|"
                r"oldest|little one|middle one)|"
                r"\b(?!(?:There|That|This|It|What|Which|Who|Here|We|They|Where)\b)[A-Z][a-z]+)"
                r"(?:'s|'m|'re|\s+(?:was|is|were|are|turned|turns|turning|became|'ll be|will be))")
AGE_PATTERNS = (
    # "aged 19", "age of nineteen"
    re.compile(rf"\b(?:aged|age of|at age)\s+(?P<age>{_NUMBER_WORD}(?:\s+(?:years?|months?|weeks?)(?:\s+old)?)?)\b",
               re.IGNORECASE),
    # "a 34-year-old", "four months old", "six weeks old"
    re.compile(rf"\b(?P<age>{_NUMBER_WORD}[- ](?:years?|months?|weeks?|days?)[- ]old)\b", re.IGNORECASE),
    # "I was nineteen", "Hope was about four months", "she's eight"
    re.compile(rf"{_AGE_SUBJECT}\s+(?:(?:about|nearly|only|just|almost|barely|around|coming up to|"
               rf"not even|over|under)\s+)?(?P<age>{_NUMBER_WORD}(?:\s+(?:months?|weeks?|years?))?"
               rf"(?:\s+old)?)(?!\s*(?:hours?|minutes?|days?|times?|of|people|sessions?|visits?|"
               rf"o'clock|pm|am|%|percent|per|in the|miles?|mins?|weeks? (?:ago|later)|"
               rf"months? (?:ago|later|in)|years? (?:ago|later|in)|in\b|pregnant|(?:months?|weeks?)\s+pregnant|[/:.]\d))\b"),
)
EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
PHONE_PATTERN = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?(?:[\s-]?\d{2,4}){1,3}(?![\w])")
ORG_SUFFIXES = {
    "Surgery": "[GP surgery]", "Medical Practice": "[GP surgery]", "Medical Centre": "[GP surgery]",
    "Health Centre": "[health centre]", "Ward": "[ward]", "Children's Centre": "[children's centre]",
    "Family Hub": "[family hub]", "Hospital": "[hospital]", "Clinic": "[clinic]",
    "Primary School": "[school]", "School": "[school]", "Nursery": "[nursery]", "Academy": "[school]",
    "CCG": "[clinical commissioning group]", "Borough Council": "[local authority]",
    "County Council": "[local authority]", "City Council": "[local authority]",
    "District Council": "[local authority]", "Council": "[local authority]",
    "NHS Foundation Trust": "[NHS trust]", "NHS Trust": "[NHS trust]",
    "Foundation Trust": "[NHS trust]", "Centre": "[organisation]", "Project": "[organisation]",
    "Trust": "[organisation]", "Charity": "[organisation]",
}
_SUFFIX_ALTERNATION = "|".join(re.escape(s).replace("'", "['’]")
                               for s in sorted(ORG_SUFFIXES, key=len, reverse=True))
ORG_PATTERN = re.compile(
    r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][a-z'’]+|[A-Z]{2,})"
    r"(?:\s+(?:and\s+|&\s+|on\s+|upon\s+)?[A-Z][a-z'’]+){0,3}\s+"
    rf"(?P<suffix>{_SUFFIX_ALTERNATION})\b")
ORG_WORDS = re.compile(r"(?i)\b(?:council|trust|surgery|practice|centre|center|team|service|hub|ward|"
                       r"hospital|school|group|project|charity|unit|ccg|nhs|clinic|nursery|academy|"
                       r"partnership|foundation|association|society|church|university|college)\b")
WARD_NUMBER = re.compile(r"\b[Ww]ard\s+(?:\d{1,2}[A-Z]?|[A-Z]\d?)\b")
TRANSCRIBER_NOTE = re.compile(r"\[[^\]\n]{0,60}\]")
#: Words before a capitalised month that make it a date, not a name ("in May").
TEMPORAL_BEFORE = frozenset([
    "in", "of", "since", "until", "till", "by", "early", "late", "mid", "last", "next",
    "this", "that", "from", "through", "before", "after", "during", "end", "beginning",
    "start", "around", "about",
])
PERSON_BEFORE = frozenset([
    "with", "and", "baby", "little", "called", "named", "daughter", "son", "dear", "love",
    "for", "baby's", "daughter's", "son's", "is", "me",
])


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: where, what, by which detector, and its placeholder.

    The original text is deliberately not kept: audit logs built from these spans can be
    shared without disclosing what was removed.
    """

    start: int
    end: int
    type: str
    detector: str
    score: float
    placeholder: str = ""

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type, "detector": self.detector,
                "score": round(self.score, 3), "placeholder": self.placeholder}


@dataclass(frozen=True)
class KnownName:
    """A name the researcher knows, its other spellings, its type and placeholder."""

    surfaces: tuple[str, ...]
    type: str
    placeholder: str
    interviews: tuple[str, ...] = ()
    ambiguous: bool | None = None  # None: decided from COMMON_WORD_NAMES

    def is_ambiguous(self, surface: str) -> bool:
        if self.ambiguous is not None:
            return self.ambiguous
        return surface.lower() in COMMON_WORD_NAMES


@dataclass(frozen=True)
class KnownNames:
    """The researcher's file of known names and allowed terms."""

    names: tuple[KnownName, ...] = ()
    allow: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    def for_interview(self, interview_id: str | None) -> KnownNames:
        """The names that apply to one interview (global ones plus its own)."""
        names = tuple(n for n in self.names if not n.interviews or interview_id in n.interviews)
        return replace(self, names=names)


def parse_known_names(data: object, *, source: str = "<known names>") -> KnownNames:
    """Build :class:`KnownNames` from parsed YAML (``names:`` list, optional ``allow:`` list).

    Each entry: ``surface`` (a string or a list of spellings), ``type`` (one of
    :data:`IDENTIFIER_TYPES`), ``placeholder`` (e.g. ``"[health visitor]"``), optional
    ``interviews`` (ids it applies to; default all) and ``ambiguous`` (true for a name that is
    also an ordinary word, if not in the built-in list). Every problem is listed.
    """
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("names", []), list):
        raise DataError(Errors.E301.format(path=source, place="top level",
                                           detail="expected a mapping with a 'names:' list"))
    names = []
    for number, entry in enumerate(data.get("names") or [], start=1):
        place = f"names entry {number}"
        if not isinstance(entry, dict):
            problems.append(Errors.E301.format(path=source, place=place, detail="not a mapping"))
            continue
        surfaces = entry.get("surface")
        surfaces = [surfaces] if isinstance(surfaces, str) else surfaces
        kind, placeholder = entry.get("type"), entry.get("placeholder") or ""
        if not surfaces or not all(isinstance(s, str) and s.strip() for s in surfaces):
            problems.append(Errors.E301.format(path=source, place=place, detail="'surface' missing or empty"))
            continue
        if kind not in PLACEHOLDERS:
            problems.append(Errors.E301.format(path=source, place=f"{place} ({surfaces[0][:1]}...)",
                                               detail=f"type {kind!r} is not one of {list(IDENTIFIER_TYPES)}"))
            continue
        placeholder = placeholder or PLACEHOLDERS[kind]
        if not (placeholder.startswith("[") and placeholder.endswith("]")):
            problems.append(Errors.E301.format(path=source, place=place,
                                               detail=f"placeholder {placeholder!r} must be in [brackets]"))
        interviews = entry.get("interviews") or ()
        interviews = (interviews,) if isinstance(interviews, str) else tuple(interviews)
        names.append(KnownName(tuple(s.strip() for s in surfaces), kind, placeholder, interviews,
                               entry.get("ambiguous")))
    allow = data.get("allow") or []
    if not isinstance(allow, list):
        problems.append(Errors.E301.format(path=source, place="allow", detail="expected a list of terms"))
        allow = []
    if problems:
        raise DataError(problems)
    return KnownNames(tuple(names), frozenset(str(a).strip().lower() for a in allow), source)


def load_known_names(path: str | Path) -> KnownNames:
    """Read a known-names file: YAML (see :func:`parse_known_names`) or CSV with columns
    ``surface, type, placeholder[, interviews, ambiguous]`` (one spelling per row; rows with
    the same type and placeholder in the same interviews are one entity)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        frame = io.read_csv(path, required=("surface", "type", "placeholder"))
        entries = [{"surface": row["surface"], "type": row["type"], "placeholder": row["placeholder"],
                    "interviews": [i for i in row.get("interviews", "").replace(";", " ").split() if i],
                    "ambiguous": {"yes": True, "true": True, "no": False, "false": False}.get(
                        str(row.get("ambiguous", "")).lower())}
                   for _, row in frame.iterrows()]
        return parse_known_names({"names": entries}, source=str(path))
    return parse_known_names(io.read_yaml(path), source=str(path))


# --- Presidio recognizers --------------------------------------------------------------------

def _recognizer_classes():
    """Import Presidio lazily (it is slow to import) and define our recognizers on it."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    class RegexRecognizer(EntityRecognizer):
        """Findings of a function ``find(text) -> [(start, end, type, score, extra)]``."""

        def __init__(self, name: str, entities: list[str], find):
            self._find = find
            super().__init__(supported_entities=entities, name=name, supported_language="en")

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [RecognizerResult(kind, start, end, score,
                                     recognition_metadata={"recognizer_name": self.name,
                                                           "detector": self.name, **extra})
                    for start, end, kind, score, extra in self._find(text, nlp_artifacts)]

    return RegexRecognizer


def _find_emails(text, _doc):
    return [(m.start(), m.end(), "EMAIL", 1.0, {}) for m in EMAIL_PATTERN.finditer(text)]


def _find_phones(text, _doc):
    found = []
    for m in PHONE_PATTERN.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        national = digits[2:] if m.group().startswith("+44") else digits[1:]
        if m.group().startswith("+44") and "(0)" in m.group():
            national = national[1:]
        if len(national) in (9, 10) and national[0] in "123578":
            found.append((m.start(), m.end(), "PHONE", 0.95, {}))
    return found


def _find_dates(text, _doc):
    found = []
    for m in DATE_PATTERN.finditer(text):
        before = re.split(r"[.?!\n]\s", text[max(0, m.start() - 100):m.start()])[-1]
        after = re.split(r"[.?!\n](?:\s|$)", text[m.end():m.end() + 60])[0]
        window = before + m.group() + after  # the sentence around the date
        kind = "DATE_OF_BIRTH" if BIRTH_CONTEXT.search(window) else "DATE"
        if re.fullmatch(rf"(?i){_MONTH}\s+\d{{1,2}}", m.group()) and kind == "DATE":
            continue  # "May 2" on its own is too often a count ("in March 3 of them")
        found.append((m.start(), m.end(), kind, 0.9, {"detector": "date_of_birth" if kind == "DATE_OF_BIRTH" else "date"}))
    return found


def _find_ages(text, _doc):
    found = []
    for pattern in AGE_PATTERNS:
        for m in pattern.finditer(text):
            if m.group("age").lower() not in ("one", "a"):
                found.append((m.start("age"), m.end("age"), "AGE", 0.8, {}))
    return found


def _find_orgs(text, _doc):
    found = []
    for m in ORG_PATTERN.finditer(text):
        start = m.start()
        first = m.group().split()[0]
        if first.lower() in DEFAULT_ALLOW or first in ("The", "A", "Our", "My", "Your", "Their", "Her", "His",
                                                       "One", "Two", "Each", "Every", "Another", "Which",
                                                       "That", "This", "Some", "Any", "All", "Both", "No"):
            rest = m.group()[len(first):].lstrip()
            if len(rest.split()) < 2:
                continue
            start = m.end() - len(rest)
        suffix = m.group("suffix").replace("’", "'")
        found.append((start, m.end(), "ORG", 0.8, {"placeholder": ORG_SUFFIXES.get(suffix, "[organisation]")}))
    for m in WARD_NUMBER.finditer(text):
        found.append((m.start(), m.end(), "ORG", 0.8, {"placeholder": "[ward]"}))
    return found


def _names_pattern(known: KnownNames) -> re.Pattern | None:
    surfaces = sorted({s for n in known.names for s in n.surfaces}, key=len, reverse=True)
    if not surfaces:
        return None
    alternation = "|".join(r"\s+".join(map(re.escape, s.split())) for s in surfaces)
    return re.compile(rf"(?<![\w@.])(?:{alternation})(?![\w@]|\.\w)", re.IGNORECASE)


NAME_AFTER = re.compile(
    r"(?:'s\b(?!\s+(?:been|got|going|not|just|a|an|the)\b)|,?\s+(?:she's|he's)\s+called|\s+(?:was|wasn't|is|isn't|"
    r"has|hasn't|had|hadn't|did|didn't|does|doesn't|said|says|cried|cries|slept|sleeps|smiled|"
    r"looked|looks|loves?|loved|stayed|came|went|got|gets|seems|seemed|started|needed|doing|and\s+(?:I|me)\b))")
#: Words after a capitalised ambiguous word that make it the ordinary word ("Will this...").
WORD_AFTER = re.compile(r"\s+(?:this|that|it|you|they|we|he|she|there|the|a|an|your|my|our|be|do|have|I|"
                        r"someone|somebody|anyone|anybody|everyone|not)\b")


def _is_name_in_context(text: str, start: int, end: int, doc) -> bool:
    """Decide whether an ambiguous word ("Will", "hope", "May") is used as a name here."""
    surface = text[start:end]
    if not surface[:1].isupper():
        return False  # lowercase "will", "hope", "may" are the words
    lower = surface.lower()
    before = re.findall(r"[A-Za-z']+", text[max(0, start - 30):start])
    after = text[end:end + 30]
    previous = before[-1].lower() if before else ""
    sentence_start = re.search(r"(?:^|[.?!:\n\]])\s*[\"']?$", text[max(0, start - 40):start]) is not None
    tokens = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
    person_entity = tokens is not None and any(t.ent_type_ == "PERSON" for t in tokens)
    if lower in MONTH_NAMES:
        if previous in TEMPORAL_BEFORE - {"after", "before", "during", "from", "around", "about"}:
            return False
        if re.match(rf"(?i)\s*(?:\d|(?:the\s+)?{_ORDINAL_WORD}\b)", after):
            return False  # "May the fourteenth", "May 3rd" are dates
        if NAME_AFTER.match(after) or person_entity:
            return True
        if tokens is not None and len(tokens) and tokens[0].i > 0 and doc[tokens[0].i - 1].pos_ == "VERB":
            return True  # "holding May", "fed May"
        if previous == "and":
            word_before = before[-2].lower() if len(before) > 1 else ""
            return word_before not in MONTH_NAMES
        return previous in PERSON_BEFORE
    if NAME_AFTER.match(after):
        return True
    if WORD_AFTER.match(after) and (sentence_start or previous in ("and", "but", "so", "i", "just")):
        return False  # "Will this take long?", "Hope you're well", "May I ask"
    if person_entity:
        return True
    pos = tokens[0].pos_ if tokens is not None and len(tokens) else ""
    following = doc[tokens[-1].i + 1] if tokens is not None and len(tokens) and tokens[-1].i + 1 < len(doc) else None
    if sentence_start and following is not None and following.tag_ in ("VBZ", "VBD") \
            and following.lower_ not in ("is", "was", "does", "did", "has", "had"):
        return True  # "Grace brings...", "Hope cried"
    if sentence_start and pos not in ("PROPN", ""):
        return False
    if sentence_start and tokens is not None and len(tokens) and tokens[-1].i + 1 < len(doc) \
            and doc[tokens[-1].i + 1].pos_ == "NOUN" and doc[tokens[-1].i + 1].text.islower():
        return False  # "Grace periods", "Hope springs"
    # "by the Grace of", "a Mark", "in Faith" are words even capitalised
    return not (previous in ("a", "an", "the", "of", "by", "no", "some", "any", "in")
                and lower in ("grace", "faith", "hope", "joy", "mark", "will", "art", "page", "star", "sky"))


def _known_names_finder(known: KnownNames):
    pattern = _names_pattern(known)
    by_surface = {}
    for index, name in enumerate(known.names):
        for surface in name.surfaces:
            by_surface.setdefault(" ".join(surface.lower().split()), (index, name))

    def find(text, nlp_artifacts):
        if pattern is None:
            return []
        doc = getattr(nlp_artifacts, "tokens", None)
        found = []
        for m in pattern.finditer(text):
            index, name = by_surface[" ".join(m.group().lower().split())]
            if name.is_ambiguous(m.group()) and not _is_name_in_context(text, m.start(), m.end(), doc):
                continue
            found.append((m.start(), m.end(), name.type, 1.0,
                          {"placeholder": name.placeholder, "entity": f"known:{index}"}))
        return found

    return find


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Lowercase first names from the ``names`` package (US census first-name lists)."""
    import names as names_package

    folder = Path(names_package.__file__).parent
    found = set()
    for file in ("dist.female.first", "dist.male.first"):
        for line in io.read_text(folder / file).splitlines():
            if line.split():
                found.add(line.split()[0].lower())
    return frozenset(found)


@lru_cache(maxsize=8)
def _dictionary_words(model: str) -> frozenset[str]:
    """English words known to the pipeline's lemmatizer (its WordNet-derived index)."""
    from thematic.nlp import load_pipeline

    nlp = load_pipeline(model, disable=("parser",))
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", {})
    return frozenset(word for words in table.values() for word in words)


TITLE_BEFORE = frozenset([
    "called", "named", "mrs", "mr", "ms", "dr", "miss", "nurse", "auntie", "aunty", "uncle",
])


PLACE_BEFORE = frozenset([
    "in", "to", "from", "at", "near", "round", "around", "out", "outside", "past",
    "towards", "into",
])
NAME_CONTEXT_BEFORE = frozenset([
    "told", "tell", "ask", "asked", "rang", "ring", "phoned", "called", "named", "partner",
    "husband", "wife", "boyfriend", "girlfriend", "daughter", "son", "sister", "brother",
    "cousin", "friend", "was", "with", "saw", "see", "thank", "thanks",
])
NAME_CONTEXT_AFTER = frozenset([
    "said", "says", "rang", "phoned", "emailed", "texted", "told", "asked", "works",
    "worked", "came", "went", "was", "is", "had", "has", "did", "does", "wanted", "thinks",
    "thought", "from", "and",
])


STRONG_BEFORE = frozenset([
    "told", "tell", "ask", "asked", "rang", "ring", "phoned", "texted", "emailed", "called",
    "named", "partner", "husband", "wife", "boyfriend", "girlfriend", "fiance", "daughter",
    "son", "sister", "brother", "friend", "thank", "thanks", "mrs", "mr", "ms", "dr", "miss",
])
STRONG_AFTER = frozenset([
    "said", "says", "rang", "phoned", "emailed", "texted", "works", "worked", "told",
    "asked", "reckons",
])


def _sentence_initial(doc, token) -> bool:
    if token.i == 0:
        return True
    previous = doc[token.i - 1]
    return previous.is_space or previous.text in (".", "?", "!", ":", '"', "'", "]") or "\n" in previous.text


def _lexicon_finder(allow: frozenset[str], model: str):
    """Names the pipeline's NER misses. Capitalised: a census first name, or any proper noun
    that is not a dictionary word (typed PLACE after "in/from/to", else PERSON); ambiguous
    words only where their context says "name". Lowercase: a census first name or a
    non-dictionary word in a naming context ("told callum that", "my partner aoife works")."""
    lexicon = _first_names()
    dictionary = _dictionary_words(model)

    def find(text, nlp_artifacts):
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        found = []
        for token in doc:
            lower = token.lower_
            if len(lower) < 3 or not token.is_alpha or token.pos_ == "PRON":
                continue
            start, end = token.idx, token.idx + len(token.text)
            previous = doc[token.i - 1].lower_ if token.i > 0 else ""
            following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
            if lower in COMMON_WORD_NAMES:
                if lower in lexicon and token.text[0].isupper() and _is_name_in_context(text, start, end, doc):
                    found.append((start, end, "PERSON", 0.7, {}))
                continue
            if token.ent_type_ in ("PERSON", "ORG", "GPE", "LOC", "FAC"):
                continue  # the NER finding covers it
            if token.is_stop or lower in allow or TRANSCRIBER_NOTE.fullmatch(text[max(0, start - 1):end + 1]):
                continue
            is_word = _is_word(lower, dictionary) or token.lemma_.lower() in dictionary
            two_back = doc[token.i - 2].lower_ if token.i > 1 else ""
            strong = previous in STRONG_BEFORE or following in STRONG_AFTER or \
                (previous == "and" and two_back in ("me", "i")) or (previous == "me" and following == "and")
            weak = previous in NAME_CONTEXT_BEFORE and following in NAME_CONTEXT_AFTER
            if token.text.islower():
                if (lower in lexicon and not is_word and (strong or weak or token.pos_ == "PROPN")) or \
                        (not is_word and (strong or weak)) or (lower in lexicon and strong):
                    found.append((start, end, "PERSON", 0.6, {}))
                continue
            if not token.text[0].isupper() or token.text.isupper():
                continue
            initial = _sentence_initial(doc, token)
            before_tok = doc[token.i - 1] if token.i > 0 else None
            after_tok = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if (token.pos_ == "PROPN" or not is_word) and (
                    (before_tok is not None and before_tok.text[:1].isupper() and not initial
                     and (before_tok.lower_ in lexicon or before_tok.ent_type_ == "PERSON"))
                    or (after_tok is not None and after_tok.ent_type_ == "PERSON" and after_tok.text[:1].isupper())):
                found.append((start, end, "PERSON", 0.6, {}))  # the other half of "Bethany Fitzgerald"
                continue
            if is_word and lower not in lexicon and not (initial and token.pos_ == "PROPN" and following in STRONG_AFTER):
                continue  # a dictionary word is a name only as a PROPN before "said", "rang"...
            if initial and is_word and not (token.pos_ == "PROPN" and following in NAME_CONTEXT_AFTER):
                continue  # "Will", "Rose", "Lewis" starting a sentence need more evidence
            if initial and not (following in NAME_CONTEXT_AFTER or token.pos_ == "PROPN"):
                continue
            kind = "PLACE" if previous in PLACE_BEFORE and lower not in lexicon else "PERSON"
            found.append((start, end, kind, 0.6, {}))
        return found

    return find


def _no_context_enhancer():
    """Presidio's context enhancer deep-copies every result to raise scores near context words;
    our scores are fixed by the recognizers (checksums, patterns, context rules), so skip it."""
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class NoContextEnhancer(ContextAwareEnhancer):
        def __init__(self):
            super().__init__(context_similarity_factor=0, min_score_with_context_similarity=0,
                             context_prefix_count=0, context_suffix_count=0)

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            return raw_results

    return NoContextEnhancer()


@lru_cache(maxsize=4)
def build_analyzer(model: str = "en_core_web_sm"):
    """Presidio's AnalyzerEngine on our spaCy pipeline (parser disabled), with the built-in
    recognizers this package uses. Known names are added per call."""
    from presidio_analyzer import AnalyzerEngine, Pattern, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import NhsRecognizer, SpacyRecognizer
    from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_postcode_recognizer import (
        UkPostcodeRecognizer,
    )

    from thematic.nlp import load_pipeline

    pipeline = load_pipeline(model, disable=("parser",))

    class ThematicSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine on the pipeline thematic loaded (not en_core_web_lg)."""

        def load(self) -> None:
            self.nlp = {"en": pipeline}

    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE",
                                          "LOC": "PLACE", "FAC": "PLACE"},
        labels_to_ignore=["DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY",
                          "PERCENT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"],
        default_score=0.85)
    engine = ThematicSpacyEngine(models=[{"lang_code": "en", "model_name": model}],
                                 ner_model_configuration=ner_config)
    engine.load()
    RegexRecognizer = _recognizer_classes()
    recognizers = [
        SpacyRecognizer(supported_entities=["PERSON", "ORG", "PLACE"], name="spacy_ner"),
        NhsRecognizer(supported_entity="NHS_NUMBER", name="nhs_number"),
        UkPostcodeRecognizer(supported_entity="POSTCODE", name="uk_postcode",
                             patterns=[Pattern("UK postcode", UkPostcodeRecognizer.PATTERNS[0].regex, 0.9)]),
        RegexRecognizer("email", ["EMAIL"], _find_emails),
        RegexRecognizer("uk_phone", ["PHONE"], _find_phones),
        RegexRecognizer("date", ["DATE", "DATE_OF_BIRTH"], _find_dates),
        RegexRecognizer("age", ["AGE"], _find_ages),
        RegexRecognizer("org_suffix", ["ORG"], _find_orgs),
    ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                              context_aware_enhancer=_no_context_enhancer())
    return analyzer


# --- from findings to identifiers --------------------------------------------------------------

def find_identifiers(text: str, *, known_names: KnownNames | None = None, interview_id: str | None = None,
                     model: str = "en_core_web_sm", score_threshold: float = 0.5,
                     use_lexicon: bool = True) -> list[Identifier]:
    """Find the identifiers in *text*: non-overlapping spans with type, detector, score and a
    placeholder that is the same for every mention of one entity in this text.

    Parameters
    ----------
    text
        The transcript (or any text); offsets index into it unchanged.
    known_names
        The researcher's known names and allow-list (:func:`load_known_names`).
    interview_id
        Restricts interview-specific known names (family members) to their interview.
    model
        spaCy pipeline for Presidio's NER and the context rules.
    score_threshold
        Findings scoring below are dropped (NHS numbers without a valid checksum never pass).
    use_lexicon
        Also look for lowercase first names from a census name list.
    """
    return find_identifiers_batch([text], known_names=known_names, interview_ids=[interview_id],
                                  model=model, score_threshold=score_threshold, use_lexicon=use_lexicon)[0]


def find_identifiers_batch(texts: Sequence[str], *, known_names: KnownNames | None = None,
                           interview_ids: Sequence[str | None] | None = None,
                           model: str = "en_core_web_sm", score_threshold: float = 0.5,
                           use_lexicon: bool = True) -> list[list[Identifier]]:
    """:func:`find_identifiers` for many texts, running spaCy over them in one ``pipe``."""
    analyzer = build_analyzer(model)
    known_names = known_names or KnownNames()
    interview_ids = list(interview_ids) if interview_ids is not None else [None] * len(texts)
    allow = DEFAULT_ALLOW | known_names.allow
    RegexRecognizer = _recognizer_classes()
    lexicon = RegexRecognizer("name_lexicon", ["PERSON"], _lexicon_finder(allow, model)) if use_lexicon else None
    artifacts = analyzer.nlp_engine.process_batch(list(texts), language="en", batch_size=32)
    finders: dict[KnownNames, object] = {}
    results = []
    for (text, nlp_artifacts), interview_id in zip(artifacts, interview_ids, strict=True):
        own = known_names.for_interview(interview_id)
        if own not in finders:
            finders[own] = RegexRecognizer("known_names", list(IDENTIFIER_TYPES), _known_names_finder(own))
        ad_hoc = [finders[own]]
        if lexicon is not None:
            ad_hoc.append(lexicon)
        findings = analyzer.analyze(text, language="en", nlp_artifacts=nlp_artifacts,
                                    score_threshold=score_threshold, ad_hoc_recognizers=ad_hoc)
        findings = [_retype(text, _from_presidio(f), model, nlp_artifacts.tokens) for f in findings]
        results.append(resolve(text, [f for f in findings if f is not None], allow=allow))
    return results


@dataclass(frozen=True)
class _Finding(Identifier):
    """A detector's candidate before merging: an :class:`Identifier` plus the known entity it
    matched. Only :func:`assign_placeholders` turns it into a plain Identifier."""

    entity: str = ""


def _from_presidio(result) -> _Finding:
    meta = result.recognition_metadata or {}
    detector = meta.get("detector") or meta.get("recognizer_name") or "presidio"
    return _Finding(result.start, result.end, result.entity_type, detector, float(result.score),
                    meta.get("placeholder", ""), meta.get("entity", ""))


def _retype(text: str, finding: _Finding, model: str, doc=None) -> _Finding | None:
    """Second thoughts on the pipeline's entities: a single dictionary word starting a sentence
    ("Calmer.", "Background's...") is not a name; a first name tagged as a place is a person;
    an entity running across a sentence end ("I. Thanks") is noise."""
    if finding.detector != "spacy_ner":
        return finding
    span = text[finding.start:finding.end]
    if re.search(r"[.?!]\s", span):
        return None
    words = span.split()
    if len(words) == 1 and words[0].lower() in COMMON_WORD_NAMES and \
            not _is_name_in_context(text, finding.start, finding.end, doc):
        return None  # "Grace periods", "Will this...": the same rule as for known names
    if len(words) == 1:
        lower = words[0].lower().removesuffix("'s")
        dictionary, lexicon = _dictionary_words(model), _first_names()
        sentence_start = re.search(r"(?:^|[.?!:\n\]])\s*[\"']?$", text[max(0, finding.start - 40):finding.start])
        if sentence_start and _is_word(lower, dictionary) and lower not in lexicon:
            return None
        if finding.type in ("PLACE", "ORG") and lower in lexicon and lower not in dictionary:
            return replace(finding, type="PERSON")
    before = re.findall(r"[A-Za-z']+", text[max(0, finding.start - 20):finding.start])
    first = words[0].lower() if words else ""
    if before and before[-1].lower() in PLACE_BEFORE and first not in _first_names() and \
            finding.type in ("PERSON", "ORG") and not ORG_WORDS.search(span):
        return replace(finding, type="PLACE")
    return finding


def _is_word(lower: str, dictionary: frozenset[str]) -> bool:
    """Whether *lower* is a dictionary word, allowing common inflections ("calmer", "signed")."""
    if lower in dictionary:
        return True
    for suffix in ("s", "es", "ed", "d", "er", "r", "est", "ly", "ing", "ally"):
        if lower.endswith(suffix) and lower[:-len(suffix)] in dictionary:
            return True
    return False


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
