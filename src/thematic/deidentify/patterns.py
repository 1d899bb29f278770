"""Pattern detectors: e-mail, UK phone numbers, dates, ages, organisations by their endings."""

from __future__ import annotations

import re

from thematic.deidentify.words import DEFAULT_ALLOW

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


