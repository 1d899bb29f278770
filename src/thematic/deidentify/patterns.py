"""Pattern detectors: e-mail, UK phone numbers, dates, ages, organisations by their endings."""

from __future__ import annotations

import re

from thematic.deidentify.words import DEFAULT_ALLOW, _dictionary_words, _is_word

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
_DECADE = (r"(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|"
           r"[2-9]0s|[2-9]0's)")
#: Relations an age in brackets or between commas belongs to, in notes ("Mum (24)", "Dad, 31,").
_RELATION = (r"mum|mam|mother|dad|father|baby|son|daughter|boy|girl|partner|sibling|brother|sister|"
             r"grandmother|grandfather|grandma|grandad|nan|gran|child|patient|client|stepdad|stepmum|"
             r"step-dad|step-mum|half-brother|half-sister|twin|carer|uncle|aunt|auntie|cousin|nephew|niece")
#: How ages are said: a subject, a form of "be" or "turn", an optional approximation and a number
#: with an optional "and a half", unit and "old" ("she's coming up two", "I'm nearly 38", "he's
#: 4 and a half", "mine's rising five", "I was like twenty-two", "he'll be three in March").
_AGE_SUBJECT = (r"(?:\b(?:[Ii]|[Hh]e|[Ss]he|[Yy]ou|baby|son|daughter|brother|sister|mum|eldest|youngest|"
                r"oldest|little one|middle one|[Mm]ine|[Yy]ours|[Oo]urs|our kid|[Hh]is|[Hh]ers|[Ww]ho|twins|boys|girls|"
    r"kids|lad|lass|toddler|grandson|granddaughter|nephew|niece)|"
                r"\b(?!(?:There|That|This|It|What|Which|Who|Here|We|They|Where)\b)[A-Z][a-z]+)"
                r"(?:'s|'m|'re|'ll\s+be|'d\s+be|\s+(?:am|was|is|were|are|turned|turns|turning|became|'ll be|will be|"
                r"would be|must be|might be|'ll turn|will turn))")
_AGE_APPROX = (r"(?:(?:about|nearly|only|just|almost|barely|around|roughly|like|coming up(?:\s+to)?|rising|"
               r"going on|not even|over|under|just turned|turned|literally|probably|maybe|gone|pushing|"
               r"knocking on|getting on for|well over|well under|past|bang on|already|still|now|only just)\s+)*")
_AGE_NUMBER = (rf"{_NUMBER_WORD}(?:-odd|-ish|ish)?(?:\s+and\s+a\s+(?:half|bit))?"
               rf"(?:\s+(?:years?|months?|month|weeks?|yrs?)(?:\s+old)?)?")
_NOT_AGE_AFTER = (r"(?!\s*(?:hours?|minutes?|days?|times?|of\b|people|sessions?|visits?|"
                  r"o'clock|pm|am|%|percent|per|miles?|mins?|weeks? (?:ago|later|before)|"
                  r"months? (?:ago|later|before|in\b)|years? (?:ago|later|before|in\b)|in\s+(?:the|a|an|total)\b|"
                  r"pregnant|(?:months?|weeks?)\s+pregnant|[/:.]\d|quid|pounds?|pence|p\b|£|cm|kg|ml|"
                  r"sessions|appointments|calls|kids|children|babies|of us|of them|or so\b))")
#: A filler between "was" and the age, as people think aloud: "she was, what, eleven months".
_AGE_FILLER = r"(?:,?\s*(?:what|erm|um|uh|er|like|oh|i\s+think|i'd\s+say|bless\s+(?:her|him))\s*,)?"
_AGE_UNIT = r"(?:years?|yrs?|months?|weeks?|days?)"
AGE_PATTERNS = (
    # "aged 19", "age of nineteen", "at 19 weeks" (a baby's age; not "at 12 weeks pregnant")
    re.compile(rf"\b(?:aged|age of|at age|age,|age is|age was|age:|age)\s+(?P<age>{_NUMBER_WORD}(?:\s+and\s+a\s+half)?"
               rf"(?:\s+(?:years?|months?|weeks?)(?:\s+old)?)?)\b{_NOT_AGE_AFTER}", re.IGNORECASE),
    re.compile(rf"\b[Aa]t\s+(?P<age>{_NUMBER_WORD}(?:\s+and\s+a\s+half)?\s+(?:months?|weeks?))\b{_NOT_AGE_AFTER}"),
    # "a 34-year-old", "four months old", "my 18 month old"
    re.compile(rf"\b(?P<age>{_NUMBER_WORD}[- ]?(?:years?|yrs?|months?|weeks?|days?)[- ]old)\b", re.IGNORECASE),
    # "I was nineteen", "Hope was about four months", "she's coming up two", "he'll be three"
    re.compile(rf"{_AGE_SUBJECT}{_AGE_FILLER}\s+(?P<age>{_AGE_APPROX}{_AGE_NUMBER})\b{_NOT_AGE_AFTER}"),
    # a list or form: "Maisie, 8 months, ..."
    re.compile(rf"\b[A-Z][a-z]+,\s+(?P<age>{_NUMBER_WORD}\s+(?:years?|months?|weeks?)(?:\s+old)?)(?=\s*[,.;)]|$)"),
    # after a person, set off by a comma: "a little boy, four months at the time", "has a baby, 4 months"
    re.compile(rf"(?i)\b(?:baby|boy|girl|son|daughter|lad|lass|toddler|child|kid|newborn|little\s+one|twins|mum|"
               rf"mam|dad|brother|sister|niece|nephew|grandson|granddaughter),\s+(?:about\s+|only\s+|just\s+|"
               rf"nearly\s+|almost\s+)?(?P<age>{_NUMBER_WORD}\s+{_AGE_UNIT}(?:\s+old)?)\b"),
    # "quite young, nineteen," "she was young, only 17."
    re.compile(rf"(?i)\byoung,\s+(?:only\s+|just\s+|about\s+)?(?P<age>{_NUMBER_WORD})(?=\s*[,.;)]|\s*$)"),
    # a decade of life: "in her forties", "in his early thirties", "in my late 20s", "he's mid-forties"
    re.compile(rf"(?i)\b(?:in\s+(?:his|her|my|their|your|our|its)\s+|(?:he's|she's|i'm|he\s+is|she\s+is|i\s+am|"
               rf"was|were)\s+(?=(?:early|mid|late)))(?P<age>(?:(?:early|mid|late)[- ]?\s*)?{_DECADE})\b"),
    # "just turned 40", "turning five next week", "coming up to 18 months" without a subject
    re.compile(rf"(?i)\b(?:just\s+turned|turned|turning|coming\s+up\s+to)\s+(?P<age>{_NUMBER_WORD}"
               rf"(?:\s+and\s+a\s+half)?(?:\s+(?:years?|months?|weeks?)(?:\s+old)?)?)\b"
               rf"(?!\s*(?:o'clock|pm|am|degrees|[:.]\d|per\s?cent|%|minutes?|mins?|hours?|days?|times?|of\b|"
               rf"people|in\s+the\s+(?:morning|afternoon|evening|night)|round|around|out|up|down|off|on\b))"),
    # notes: "14 yo", "3 y/o", "32yo", "2 yrs old"
    re.compile(r"(?i)(?<![\w/])(?P<age>\d{1,3}\s?(?:yo|y/o|y\.o\.?|yrs?\s+old|mths?\s+old|m/o))(?![\w/])"),
    # notes: a relation and the age in brackets or between commas: "Mum (24)", "Dad, 31, works"
    re.compile(rf"(?i)\b(?:{_RELATION})\s*\(\s*(?P<age>\d{{1,2}}(?:\s*(?:yrs?|years?|y|months?|mths?|m|"
               rf"weeks?|wks?|/52|/12))?)\s*\)"),
    re.compile(rf"(?i)\b(?:{_RELATION}),\s+(?:aged\s+)?(?P<age>\d{{1,2}}|{_NUMBER_WORD})(?=\s*[,;)]|\s*\.(?!\d)|"
               rf"\s+(?:and|with|who|lives|is|was|has)\b)"),
    # a baby's age in weeks or months as clinicians write it: "baby 6/52", "10/12 old"
    re.compile(r"(?i)(?:\b(?:baby|infant|son|daughter|boy|girl|aged|age|twins)\b[^.\n]{0,20}?)(?P<age>\d{1,2}/(?:52|12))"
               r"(?![\d/])|(?<![\d/])(?P<old>\d{1,2}/(?:52|12))(?=\s+old\b)"),
    # the age a parent was at a birth: "I had him at nineteen", "fell pregnant at 16", "a mum at 17"
    re.compile(rf"(?i)\b(?:had|having|have)\s+(?:him|her|them|(?:my|our|the)\s+(?:son|daughter|first|eldest|"
               rf"oldest|youngest|baby|boy|girl|little\s+one|kids|twins|children)|a\s+baby|twins|kids|children)"
               rf"\s+at\s+(?P<age>{_NUMBER_WORD})\b{_NOT_AGE_AFTER}(?!\s*(?:o'clock|[:.]\d|weeks|wks))"),
    re.compile(rf"(?i)\b(?:pregnant|a\s+(?:mum|mam|mother|dad|father|parent|grandma|nan|gran|grandad|granny))\s+"
               rf"at\s+(?P<age>{_NUMBER_WORD})\b(?!\s*(?:o'clock|[:.]\d|weeks|wks|am|pm))"),
    # "a year old", "a month and a half old"
    re.compile(r"(?i)\b(?P<age>(?:a|one)\s+(?:year|month|week|day)(?:\s+and\s+a\s+half)?[- ]old)\b"),
    # "in my life of 68 years", "a lifetime of 80 years"
    re.compile(rf"(?i)\b(?:life|lifetime)\s+of\s+(?P<age>{_NUMBER_WORD}\s+(?:years|yrs))\b"),
    # "a 71 yr of age lady", "68 years of age"
    re.compile(rf"(?i)\b(?P<age>{_NUMBER_WORD}\s*(?:years?|yrs?|yr|months?)\.?\s+of\s+age)\b"),
)
#: A subject in lowercase transcription ("alfie is six now"): the age needs a time word after it.
LOWER_AGE = re.compile(
    rf"\b(?P<subject>[a-z]+)(?:'s|\s+(?:is|was|turned|turns|'ll\s+be|will\s+be))\s+(?P<age>{_AGE_APPROX}"
    rf"{_NUMBER_WORD}(?:\s+and\s+a\s+half)?)(?=\s+(?:now|today|next|this\s+(?:year|month|week)|at\s+the\s+time|"
    rf"then|last\s+(?:week|month)|on\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day|in\s+{_MONTH}\b))")
LOWER_AGE_SUBJECTS = frozenset(["son", "daughter", "baby", "kid", "girl", "boy", "brother", "sister", "eldest",
                                "youngest", "middle", "oldest", "lad", "lass", "one"])
#: A correction of an age just said: "three months [inaudible] no, four", "two, sorry, three".
AGE_CORRECTION = re.compile(
    rf"\s*(?:\[[^\]\n]{{0,30}}\]\s*)?,?\s*(?:(?:no|sorry|i\s+mean|or|actually|wait|well|nah),?\s+)+"
    rf"(?P<age>{_AGE_APPROX}{_NUMBER_WORD}(?:\s+and\s+a\s+half)?(?:\s+{_AGE_UNIT}(?:\s+old)?)?)\b"
    rf"(?!\s*(?:of\b|people|times?|hours?|minutes?|o'clock|pm|am))", re.IGNORECASE)
EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
#: UK numbers as Ofcom's numbering plan writes them: 0 + area code (2-5 digits, bracketed or not)
#: + local number, or +44 with an optional (0); groups split by spaces or hyphens.
PHONE_PATTERN = re.compile(
    r"(?<![\w+(])(?:\+44\s?(?:\(0\)\s?)?|\(0\d{2,4}\)|0)\d{0,4}(?:[\s-]?\d{2,4}){1,3}(?![\w])")
ORG_SUFFIXES = {
    "Surgery": "[GP surgery]", "Medical Practice": "[GP surgery]", "Medical Centre": "[GP surgery]",
    "Health Centre": "[health centre]", "Ward": "[ward]", "Children's Centre": "[children's centre]",
    "Family Hub": "[family hub]", "Hospital": "[hospital]", "Clinic": "[clinic]",
    "Primary School": "[school]", "School": "[school]", "Nursery": "[nursery]", "Academy": "[school]",
    "CCG": "[clinical commissioning group]", "Borough Council": "[local authority]",
    "County Council": "[local authority]", "City Council": "[local authority]",
    "District Council": "[local authority]", "Council": "[local authority]",
    "NHS Foundation Trust": "[NHS trust]", "NHS Trust": "[NHS trust]", "Royal Infirmary": "[hospital]",
    "General Infirmary": "[hospital]", "Infirmary": "[hospital]", "Wing": "[hospital]",
    "Memorial Hospital": "[hospital]", "Community Hospital": "[hospital]", "Hospitals": "[hospital]",
    "Children's Social Care": "[local authority]", "Library": "[library]", "Hub": "[hub]",
    "Foundation Trust": "[NHS trust]", "Centre": "[organisation]", "Project": "[organisation]",
    "Trust": "[organisation]", "Charity": "[organisation]",
}
_SUFFIX_ALTERNATION = "|".join(re.escape(s).replace("'", "['’]")
                               for s in sorted(ORG_SUFFIXES, key=len, reverse=True))
ORG_PATTERN = re.compile(
    r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][a-z'’]+|[A-Z]{2,})"
    r"(?:(?:,\s+|\s+(?:and\s+|&\s+|on\s+|upon\s+|in\s+|under\s+)?)[A-Z][a-z'’]+){0,5}\s+"
    rf"(?P<suffix>{_SUFFIX_ALTERNATION})\b")
ORG_WORDS = re.compile(r"(?i)\b(?:council|trust|surgery|practice|centre|center|team|service|hub|ward|"
                       r"hospital|school|group|project|charity|unit|ccg|nhs|clinic|nursery|academy|"
                       r"partnership|foundation|association|society|church|university|college)\b")
WARD_NUMBER = re.compile(r"\b[Ww]ard\s+(?:\d{1,2}[A-Z]?|[A-Z]\d?)\b")
#: Wards are named by a word and a number ("I'm on Rowan 1", "moved to Redwood 2"): a capitalised
#: word and one or two digits after "on/onto/to/from/off" is a ward unless the word is generic.
NAMED_WARD = re.compile(
    r"\b(?:on|onto|to|from|off|back\s+to)\s+(?P<name>(?P<word>[A-Z][a-z]+)\s+\d{1,2}[A-Za-z]?)\b"
    r"(?!\s*(?:%|pm|am|[:.]\d|mins?\b|minutes|hours?|days?|weeks?|months?|years?|times|x\b|of\b|or\b|-\s*\d|to\s+\d))")
NOT_WARD_WORDS = frozenset([
    "level", "page", "channel", "year", "day", "week", "stage", "step", "platform", "floor", "room", "bay", "bed",
    "covid", "tier", "phase", "band", "gate", "terminal", "chapter", "section", "part", "number", "no", "line",
    "route", "bus", "zone", "class", "form", "grade", "key", "area", "block", "flat", "team", "group", "session",
    "round", "series", "season", "episode", "question", "box", "table", "door", "window", "option", "dose",
    "tablet", "tablets", "code", "type", "size", "junction", "exit", "row", "seat", "item", "point", "top",
    "under", "over", "about", "around", "only", "just", "nearly", "approx", "appointment", "appointments",
])
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
    from thematic.deidentify.words import _first_names

    found = []
    matches = [m for pattern in AGE_PATTERNS for m in pattern.finditer(text)]
    for m in LOWER_AGE.finditer(text):
        subject = m.group("subject")
        if subject in _first_names() or subject in LOWER_AGE_SUBJECTS:
            matches.append(m)
    for m in matches:
        if "old" in m.re.groupindex and m.group("old"):
            found.append((m.start("old"), m.end("old"), "AGE", 0.8, {}))
            continue
        if m.group("age") is None:
            continue
        age = m.group("age").lower()
        if age in ("one", "a") and not re.match(r"\s*(?:[!.,;?]|$|now|today|in\b)", text[m.end("age"):]):
            continue  # "she's one of...", "I was one who..."
        if not re.search(r"\d|[a-z]{3}", age):
            continue
        found.append((m.start("age"), m.end("age"), "AGE", 0.8, {}))
    for start, end, *_ in list(found):  # an age corrected as it is said is an age too
        correction = AGE_CORRECTION.match(text, end)
        if correction is not None and not any(s <= correction.start("age") < e for s, e, *_ in found):
            found.append((correction.start("age"), correction.end("age"), "AGE", 0.8, {}))
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
    for m in NAMED_WARD.finditer(text):
        word = m.group("word").lower()
        if word not in NOT_WARD_WORDS and word not in DEFAULT_ALLOW and not re.fullmatch(_MONTH, word) \
                and not word.endswith("day"):
            found.append((m.start("name"), m.end("name"), "ORG", 0.75, {"placeholder": "[ward]"}))
    return found + _find_lowercase_suffix_orgs(text, _doc) + _find_schools(text) + _find_lowercase_institutions(text)




# --- places: streets, hyphenated and "upon" towns, "the X" after a place word, hospitals by name

#: Street types of UK addresses; a street is one to three capitalised words and a type, with or
#: without a house number ("off High Street", "14 Mafeking Grove", "near Queen's Drive").
STREET_TYPES = ("Street", "Road", "Lane", "Drive", "Close", "Avenue", "Crescent", "Way", "Terrace", "Grove",
                "Place", "Gardens", "Court", "Approach", "Row", "Walk", "Mews", "Square", "Parade", "Rise",
                "Fold", "Croft", "Wynd", "Brow", "Hill", "Green", "Vale", "Boulevard", "Gate", "View", "Heights")
#: Capitalised words that start a sentence or a title, never a street or place name.
NOT_A_NAME_START = frozenset([
    "The", "A", "An", "No", "By", "Any", "Every", "This", "That", "These", "Those", "Our", "My", "Your",
    "One", "Which", "Each", "Some", "All", "Both", "Its", "His", "Her", "Their", "In", "On", "At", "To",
    "From", "Of", "And", "Or", "But", "So", "If", "It", "I", "We", "You", "He", "She", "They", "Yeah",
    "Well", "Oh", "Erm", "Um", "Just", "Then", "When", "What", "Where", "Why", "How", "Please", "Go",
    "Get", "Not", "Very", "Really", "Top", "Long", "Half", "Right", "Left", "Next", "Last", "First",
])
STREET_PATTERN = re.compile(
    r"(?:\b\d{1,4}[A-Za-z]?,?\s+)?\b(?P<name>(?:[A-Z][a-z'’]+\s+){1,3})"
    rf"(?P<type>{'|'.join(STREET_TYPES)})\b(?!['’]s|\s+(?:Surgery|Medical|Health|Children|Family|School|Primary))")
#: A street with its type in lowercase, as people type it, after a word that says where ("the
#: nurse at Heather close", "lives off Mafeking road"): the capitalised name makes it a street.
LOWER_STREET = re.compile(
    r"\b(?:at|on|in|off|near|from|to|down|up|round|along|into|onto|opposite|behind|past)\s+"
    r"(?P<name>(?:[A-Z][a-z'’]+\s+){1,2})(?P<type>street|road|lane|avenue|crescent|terrace|grove|gardens|close|"
    r"drive|way|mews|court|rise|walk)\b")
#: A street all in lowercase, as automatic transcription writes it ("off the london road", "on meadow
#: lane"): after a word that says where, an optional "the", one or two name words and a street type
#: that is seldom an ordinary word in that position. The name words must not be generic
#: (``GENERIC_STREET_WORDS``: "the main road", "the fast lane", "the ring road").
SPOKEN_STREET = re.compile(
    r"\b(?:at|on|in|off|near|from|to|down|up|round|along|into|onto|opposite|behind|past|by|top\s+of|"
    r"bottom\s+of|end\s+of)\s+(?:the\s+)?(?P<number>(?:number\s+)?(?:\d{1,4}[a-z]?|"
    rf"{_NUMBER_WORD})\s+)?(?P<name>(?:[a-z][a-z'’]+\s+){{1,2}})"
    r"(?P<type>street|road|lane|avenue|crescent|terrace|grove|gardens|mews|drive|close|parade|estate)\b")
#: Words that make "X road" an ordinary phrase, not a street's name.
GENERIC_STREET_WORDS = frozenset([
    "main", "same", "other", "wrong", "right", "whole", "slip", "ring", "back", "side", "dirt", "country", "private",
    "busy", "high", "next", "bottom", "top", "new", "old", "big", "little", "long", "short", "fast", "slow", "bus",
    "cycle", "car", "test", "memory", "middle", "outside", "inside", "inner", "outer", "near", "far", "open",
    "quiet", "local", "council", "housing", "industrial", "trading", "retail", "real", "business", "school",
    "access", "service", "link", "relief", "bypass", "dual", "toll", "trunk", "farm", "a", "an", "this", "that",
    "his", "her", "my", "our", "your", "their", "its", "same", "one", "two", "every", "each", "any", "some",
    "no", "open", "lovely", "nice", "horrible", "rough", "posh", "quiet", "rural", "urban", "city", "town",
    "good", "bad", "best", "worst", "last", "first", "end", "far", "express", "inside", "hard", "wet", "fire",
    "garden", "gardens", "front", "rear", "shared", "communal", "family", "sat", "get", "go", "went", "drove",
    "the", "coast", "coastal", "open", "airport", "motorway", "hospital", "station", "church", "park",
])
#: An estate or neighbourhood by its name ("the Meadowell Estate", "on the Thorntree estate").
NAMED_ESTATE = re.compile(r"\b(?P<name>(?:[A-Z][a-z'’]+\s+){1,2})[Ee]state\b(?!\s+[Aa]gent)")
#: Towns named with a linking word: "Barrow-in-Furness", "Stoke-on-Trent", "Kingston upon Hull".
LINKED_PLACE = re.compile(
    r"\b[A-Z][a-z]+(?:-(?:in|on|under|upon|le|by|super|en|the|cum|next|with|over|at)-[A-Za-z][a-z]+)+"
    r"(?:-[A-Z][a-z]+)?\b|\b[A-Z][a-z]+\s+upon\s+[A-Z][a-z]+\b")
#: Hospitals by their own names: "St Mary's", "the Royal Oldham", "Calderdale Royal".
SAINT_NAME = re.compile(r"\bSt\.?\s+[A-Z][a-z]+['’]s\b")
ROYAL_NAME = re.compile(
    r"\bRoyal\s+(?!Mail|Family|Society|Navy|Air|Bank|College|Mint|Institution|Academy|Marines|Ballet|Opera|"
    r"Courts|Assent|Highness|Infirmary|Hospital|Free|Albert|Variety|Wedding)[A-Z][a-z]+\b"
    r"|\b(?!The\b)[A-Z][a-z]+\s+Royal\b(?!\s+[A-Z])")
#: A capitalised name after a place word and "the": "to the Meadows", "up the Headrow".
THE_PLACE = re.compile(
    r"\b(?:to|in|from|at|near|round|around|up|down|over|off|past|by|into|outside)\s+the\s+"
    r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b")
#: Generic facility words a capitalised "the X" often is, in patient comments and forms.
GENERIC_PLACE_WORDS = frozenset([
    "hospital", "hospitals", "ward", "wards", "surgery", "clinic", "centre", "center", "unit", "department",
    "ambulance", "doctor", "doctors", "nurse", "nurses", "reception", "pharmacy", "chemist", "library",
    "park", "shops", "shop", "house", "home", "office", "council", "school", "nursery", "practice", "team",
    "service", "services", "staff", "emergency", "outpatients", "inpatients", "maternity", "community",
    "city", "town", "village", "hub", "church", "mosque", "temple", "gym", "pool", "university", "college",
    "police", "station", "airport", "bus", "train", "car", "hospice", "refuge", "hostel", "court", "jail",
    "prison", "paramedics", "crew", "consultant", "registrar", "midwife", "midwives", "ward's", "internet",
    "queue", "system", "phone", "telephone", "app", "website", "group", "groups", "course", "programme",
])


def _name_start(match: re.Match, group: str) -> int | None:
    """Where the name in *group* starts once leading sentence words ("The", "Our") are skipped."""
    for word in re.finditer(r"\S+", match.group(group)):
        if word.group() not in NOT_A_NAME_START:
            return match.start(group) + word.start()
    return None


def _find_places(text, _doc):
    found = []
    for m in STREET_PATTERN.finditer(text):
        start = _name_start(m, "name")
        if start is None:
            continue
        start = m.start() if m.group()[:1].isdigit() else start
        found.append((start, m.end(), "PLACE", 0.8, {"placeholder": "[street]"}))
    for m in LOWER_STREET.finditer(text):
        start = _name_start(m, "name")
        if start is None or any(w.lower() in GENERIC_PLACE_WORDS or re.fullmatch(_MONTH, w.lower())
                                or w.lower().endswith("day") for w in text[start:m.start("type")].split()):
            continue
        found.append((start, m.end(), "PLACE", 0.75, {"placeholder": "[street]"}))
    for m in SPOKEN_STREET.finditer(text):
        words = m.group("name").split()
        if any(w.strip("'’") in GENERIC_STREET_WORDS or w in DEFAULT_ALLOW or re.fullmatch(_MONTH, w)
               or w.endswith(("ing", "ly")) for w in words):
            continue
        placeholder = "[estate]" if m.group("type") == "estate" else "[street]"
        start = m.start("number") if m.group("number") else m.start("name")
        found.append((start, m.end(), "PLACE", 0.75, {"placeholder": placeholder}))
    for m in NAMED_ESTATE.finditer(text):
        start = _name_start(m, "name")
        words = text[start:m.end("name")].split() if start is not None else []
        if not words or all(w.lower() in GENERIC_STREET_WORDS or w.lower() in DEFAULT_ALLOW for w in words):
            continue
        found.append((start, m.end(), "PLACE", 0.75, {"placeholder": "[estate]"}))
    for m in LINKED_PLACE.finditer(text):
        found.append((m.start(), m.end(), "PLACE", 0.8, {"placeholder": "[town]"}))
    for pattern in (SAINT_NAME, ROYAL_NAME):
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), "ORG", 0.75, {"placeholder": "[hospital]"}))
    for m in THE_PLACE.finditer(text):
        words = m.group("name").split()
        if all(w.lower() in GENERIC_PLACE_WORDS or w.lower() in DEFAULT_ALLOW for w in words) \
                or words[0] in NOT_A_NAME_START:
            continue
        found.append((m.start("name"), m.end("name"), "PLACE", 0.7, {}))
    return found


#: Named units with a lowercase ending, as patients write them: "James Cook hospital", "Kingsley ward".
LOWER_SUFFIX_ORG = re.compile(
    r"\b(?P<name>(?:(?:north|south|east|west|upper|lower)\s+)?(?:[A-Z][a-z'’]+\s+){1,3}(?:general\s+)?)"
    r"(?P<suffix>hospital|infirmary|ward|surgery|nursery|unit|hub|clinic|"
    r"health centre|medical centre|children's centre|general|gen|NHS\s+(?:foundation\s+)?trust)\b")
GENERIC_ORG_WORDS = GENERIC_PLACE_WORDS | frozenset([
    "mental", "health", "general", "day", "acute", "baby", "special", "care", "district", "local", "children's",
    "neonatal", "psychiatric", "rehab", "rehabilitation", "secure", "medium", "low", "high", "intensive",
    "assessment", "admissions", "a&e", "nhs", "private", "main", "new", "old", "big", "little", "other",
    "attorney", "secretary", "surgeon", "director", "inspector", "governor", "consul", "postmaster", "in",
])


#: Schools as English schools are named: "Oakfield Primary", "St Anne's Infants", "Ashworth Academy",
#: "Moorside Juniors", "Holy Cross RC", "St Peter's C of E" (the word "School" is left off in speech).
SCHOOL = re.compile(
    r"\b(?P<name>(?:(?:St\.?|Saint)\s+)?(?:[A-Z][a-z'’-]+\s+){1,3})(?P<suffix>Primary|Infants?|Juniors?|Junior\s+School|"
    r"Infant\s+School|Grammar|Academy|College|Pre-?[Ss]chool|C\s?of\s?E|CE|RC)\b"
    r"(?!\s+(?:[Cc]are|[Hh]ealth|[Mm]ental|[Tt]eams?|[Ss]ervices?|[Nn]urse|of\s+[A-Z]))")


def _find_schools(text: str) -> list[tuple]:
    found = []
    for m in SCHOOL.finditer(text):
        start = _name_start(m, "name")
        words = [w.lower().strip("'’") for w in text[start:m.start("suffix")].split()] if start is not None else []
        if not words or all(w in GENERIC_ORG_WORDS or w in DEFAULT_ALLOW or w in ("st", "saint", "new", "royal")
                            for w in words):
            continue  # "Royal College", "Mental Health Academy"
        if " ".join(words + [m.group("suffix").lower()]) in DEFAULT_ALLOW:
            continue
        found.append((start, m.end(), "ORG", 0.75, {"placeholder": "[school]"}))
    return found


#: A named institution in lowercase transcription: "at oakfield primary", "james cook hospital",
#: "leeds general infirmary", "st anne's infants", "moorside surgery".
LOWER_INSTITUTION = re.compile(
    r"(?<![\w'’-])(?P<name>(?:(?:st\.?|saint)\s+)?(?:[a-z][a-z'’-]+\s+){1,3})"
    r"(?P<suffix>hospital|infirmary|primary|academy|infants|juniors|nursery|school|college|surgery|"
    r"medical\s+centre|health\s+centre|children's\s+centre|family\s+hub|practice)\b")
#: Words inside a named institution that are not names but belong to it ("leeds general infirmary").
INSTITUTION_WORDS = frozenset(["general", "royal", "district", "university", "memorial", "community", "county",
                               "city", "children's", "women's", "infants", "junior", "infant", "primary", "c",
                               "e", "of", "and", "st", "st.", "saint", "north", "south", "east", "west", "upper",
                               "lower", "great", "little", "new", "old", "victoria", "queen", "queen's", "king's",
                               "hospital", "teaching"])


def _find_lowercase_institutions(text: str) -> list[tuple]:
    """Hospitals, schools, nurseries and practices named in lowercase: the words before the ending
    from the first name-like word (a UK place, a first or last name, or no dictionary word; not a
    determiner or a word of speech), with at least one that is no dictionary word or a place."""
    from thematic.deidentify.resolve import _stop_words
    from thematic.deidentify.words import _first_names, _gb_places, _last_names

    if not re.search(r"(?:hospital|infirmary|primary|academy|infants|juniors|nursery|school|college|surgery|"
                     r"centre|hub|practice)\b", text):
        return []
    dictionary, places, firsts, lasts = (_dictionary_words("en_core_web_sm"), _gb_places(), _first_names(),
                                         _last_names())
    stop = _stop_words()
    found = []
    for m in LOWER_INSTITUTION.finditer(text):
        words = list(re.finditer(r"\S+", m.group("name")))
        while words and (words[0].group() in stop or words[0].group() in GENERIC_ORG_WORDS
                         or words[0].group() in DEFAULT_ALLOW or not _name_like(words[0].group(), places, firsts, lasts)
                         and words[0].group() not in ("st", "st.", "saint")):
            words.pop(0)
        bare = [w.group().strip("'’").removesuffix("'s").removesuffix("’s") for w in words]
        cut = max((i + 1 for i, n in enumerate(bare) if n in stop and n not in INSTITUTION_WORDS), default=0)
        words, names = words[cut:], bare[cut:]  # "she's at oakfield": the name starts after the last stop word
        if not names or not all(n in INSTITUTION_WORDS or _name_like(n, places, firsts, lasts) for n in names):
            continue
        evidence = any(n in places or not _is_word(n, dictionary) for n in names if n not in INSTITUTION_WORDS) or any(
            (a in firsts and b in lasts) or (a in ("st", "st.", "saint") and b in firsts) for a, b in zip(names, names[1:]))
        if not evidence or any(n in SPEECH_WORDS for n in names):
            continue  # "the big school", "meadow primary", "uni college": words only, no name
        start = m.start("name") + words[0].start()
        found.append((start, m.end(), "ORG", 0.75, {"placeholder": _INSTITUTION_PLACEHOLDER.get(
            m.group("suffix").split()[0], "[organisation]")}))
    return found


#: Words of speech no dictionary lists, never the name of an institution.
SPEECH_WORDS = frozenset(["uni", "sixth", "form", "tech", "poly", "erm", "um", "yeah", "like", "cos", "kinda", "proper",
                          "gonna", "wanna", "innit", "dunno", "telly", "mam", "nan", "our", "me"])


def _name_like(word: str, places, firsts, lasts) -> bool:
    word = word.strip("'’").removesuffix("'s").removesuffix("’s")
    return word in places or word in firsts or word in lasts or word in INSTITUTION_WORDS or \
        not _is_word(word, _dictionary_words("en_core_web_sm"))


_INSTITUTION_PLACEHOLDER = {"hospital": "[hospital]", "infirmary": "[hospital]", "primary": "[school]",
                            "academy": "[school]", "infants": "[school]", "juniors": "[school]", "school": "[school]",
                            "college": "[school]", "nursery": "[nursery]", "surgery": "[GP surgery]",
                            "practice": "[GP surgery]", "medical": "[GP surgery]", "health": "[health centre]",
                            "children's": "[children's centre]", "family": "[family hub]"}


def _find_lowercase_suffix_orgs(text, _doc):
    found = []
    for m in LOWER_SUFFIX_ORG.finditer(text):
        start = _name_start(m, "name")
        words = [w.lower().strip("'’") for w in text[start:m.start("suffix")].split()] if start is not None else []
        if start is None or all(w in GENERIC_ORG_WORDS or w in ("north", "south", "east", "west", "upper", "lower")
                                for w in words) or (words[0].endswith("ly") and len(words) == 1):
            continue  # "Mental Health unit", "Fortunately clinic"
        suffix = m.group("suffix").lower()
        placeholder = {"ward": "[ward]", "surgery": "[GP surgery]", "nursery": "[nursery]", "hospital": "[hospital]",
                       "infirmary": "[hospital]", "general": "[hospital]", "gen": "[hospital]"}.get(
            suffix, "[NHS trust]" if suffix.endswith("trust") else "[organisation]")
        found.append((start, m.end(), "ORG", 0.75, {"placeholder": placeholder}))
    return found


# --- names given in a form's field or said as a name -------------------------------------------

#: A form's name field ("Name: Jade Pickles.", "Mother's name - ...", "GP's name:", "NOK: ..."), a name said as
#: one ("her name's jade", "my partner's name is Tomasz") or a nickname introduced as one ("known
#: as (train)", capitalised or quoted): what follows is a name, whatever word it is.
FORM_NAME = re.compile(
    r"(?:(?<=^)|(?<=[\n.;|:,(]))\s*(?:(?:full|first|last|sur|maiden|patient|[A-Za-z]+['’]s)\s*)?"
    r"(?:name|nok|next\s+of\s+kin)\s*[:=–-]\s*"
    r"(?P<name>[A-Za-z][A-Za-z'’-]+(?:\s+[A-Z][A-Za-z'’-]+){0,3})"
    r"|\b(?:her|his|my|their|your|baby's|the\s+baby's|son's|daughter's|partner's)\s+name(?:'s|\s+is|\s+was)\s+"
    r"(?P<said>[A-Za-z][a-z'’-]+(?:\s+[A-Z][A-Za-z'’-]+)?)"
    # a nickname introduced as one: "he is known as (train)", "she goes by 'Bee'", "nicknamed Tiny"
    r"|\b(?:known\s+as|goes\s+by|went\s+by|nicknamed|calls\s+(?:him|her)self)\s+"
    r"(?:[(\"'‘“]\s*(?P<alias>[A-Za-z][A-Za-z'’-]*)\s*[)\"'’”]|(?-i:(?P<capital>[A-Z][a-z'’-]+)))",
    re.IGNORECASE)
#: Words a form field holds that are not a name ("Name: not given", "name is important").
NOT_A_FORM_NAME = frozenset(["not", "n/a", "na", "none", "unknown", "redacted", "withheld", "given", "the", "a",
                             "an", "my", "your", "her", "his", "and", "or", "is", "was", "of", "on", "in", "to",
                             "important", "spelt", "spelled", "wrong", "right", "down", "there", "what", "that",
                             "it", "just", "like", "something", "different", "same", "changed", "please", "date",
                             "dob", "address", "postcode", "age", "tel", "phone", "email", "nhs", "also"])


def _find_form_names(text, _doc):
    found = []
    for m in FORM_NAME.finditer(text):
        group = next(g for g in ("name", "said", "alias", "capital") if m.group(g))
        words = list(re.finditer(r"\S+", m.group(group)))
        while words and words[-1].group().lower().strip("'’") in NOT_A_FORM_NAME:
            words.pop()  # "Name: Jade Pickles DOB ..." ends before the next field
        if not words or words[0].group().lower() in NOT_A_FORM_NAME:
            continue
        found.append((m.start(group), m.start(group) + words[-1].end(), "PERSON", 0.85, {}))
    return found
