"""Identifiers said or spelled aloud, as a transcript writes speech down.

A small grammar turns what is said into what would be written, then the validators of the
written forms decide:

- digits said as words ("oh seven seven double four, nine hundred ...", "treble two", "zero",
  "nought", pairs such as "forty-six", digits and words mixed) become a digit string: a UK phone
  number by the shape of Ofcom's numbering plan, or an NHS number by its mod-11 checksum;
- letters and digits said one by one ("L S six, two A B") become a postcode when the whole run
  is one by the Royal Mail's format;
- an e-mail address said aloud ("jo dot bloggs at gmail dot com", "... dot co dot uk");
- a word spelled out letter by letter ("S-M-I-T-H", "that's S M I T H", "J for Juliet").

Nothing here depends on a benchmark's sentences: each rule is a way identifiers are spoken.
"""

from __future__ import annotations

import re

from thematic.deidentify.phones import uk_national_shape

DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2",
               "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
TEEN_WORDS = {"ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
              "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19"}
TENS_WORDS = {"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
              "eighty": "8", "ninety": "9"}
REPEAT_WORDS = {"double": 2, "treble": 3, "triple": 3}
#: One token of a spoken number: a word, digits, or a letter (the tokenizer keeps hyphenated pairs).
_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?|\d+|\+")
#: What may separate the tokens of one spoken run: spaces, commas, hyphens, dots.
_GAP = re.compile(r"(?:[\s,.\-–]|\.\.\.)*")


def _digits_of(word: str) -> str | None:
    """The digits a spoken number word stands for ("seven" -> "7", "forty-six" -> "46")."""
    lower = word.lower()
    if lower.isdigit():
        return lower
    if lower in DIGIT_WORDS:
        return DIGIT_WORDS[lower]
    if lower in TEEN_WORDS:
        return TEEN_WORDS[lower]
    tens, _, unit = lower.partition("-")
    if tens in TENS_WORDS and (not unit or unit in DIGIT_WORDS and unit not in ("oh", "o", "nil", "nought", "zero")):
        return TENS_WORDS[tens] + (DIGIT_WORDS[unit] if unit else "0")
    return None


def _tokens(text: str) -> list[re.Match]:
    """Tokens, less the clitics of a contraction ("it's", "I'm"): an "s" after an apostrophe is no letter."""
    return [t for t in _TOKEN.finditer(text) if t.start() == 0 or text[t.start() - 1] not in "'’"]


def _runs(text: str, tokens: list[re.Match], accept) -> list[list[tuple[int, int, str]]]:
    """Maximal runs of consecutive tokens that *accept* turns into characters: ``(start, end,
    chars)`` per token; *accept(token, previous_chars, next_token)* returns chars or None."""
    runs, current = [], []
    for i, token in enumerate(tokens):
        if current and not _GAP.fullmatch(text[current[-1][1]:token.start()]):
            runs.append(current)
            current = []
        following = tokens[i + 1].group() if i + 1 < len(tokens) else ""
        chars = accept(token.group(), current[-1][2] if current else None, following)
        if chars is None:
            if current:
                runs.append(current)
            current = []
            continue
        current.append((token.start(), token.end(), chars))
    if current:
        runs.append(current)
    return runs


def _spoken_digit(word: str, previous: str | None, following: str) -> str | None:
    lower = word.lower()
    if lower in REPEAT_WORDS:
        return "" if _digits_of(following) is not None and len(_digits_of(following)) == 1 else None
    if lower == "plus" and _digits_of(following) is not None:
        return "+"
    if lower in ("hundred", "thousand"):
        return ("00" if lower == "hundred" else "000") if previous else None
    if lower in ("o", "oh") and previous is None and _digits_of(following) is None:
        return None  # "oh, right": an interjection, not a nought
    return _digits_of(word)


def _expand_repeats(run: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """Apply "double" and "treble" to the digit after them ("double four" -> "44")."""
    out = []
    for index, (start, end, chars) in enumerate(run):
        word = text[start:end].lower()
        if word in REPEAT_WORDS and index + 1 < len(run):
            nxt = run[index + 1]
            run[index + 1] = (start, nxt[1], nxt[2] * REPEAT_WORDS[word])
            continue
        out.append((start, end, chars))
    return out


def nhs_checksum_ok(digits: str) -> bool:
    """The NHS number's mod-11 check digit (NHS Data Dictionary)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _classify_digits(digits: str) -> str | None:
    if digits.startswith("+44"):
        national = digits[3:].removeprefix("0")
        return "PHONE" if uk_national_shape(national) else None
    if digits.startswith("+"):
        return "PHONE" if 8 <= len(digits) - 1 <= 15 else None
    if digits.startswith("0044") and uk_national_shape(digits[4:]):
        return "PHONE"
    if digits.startswith("0") and uk_national_shape(digits[1:]):
        return "PHONE"
    if nhs_checksum_ok(digits):
        return "NHS_NUMBER"
    return None


def find_spoken_numbers(text: str, _doc=None, *, tokens: list[re.Match] | None = None
                        ) -> list[tuple[int, int, str, float, dict]]:
    """Phone and NHS numbers said as words, or as words and digits mixed."""
    found = []
    for run in _runs(text, _tokens(text) if tokens is None else tokens, _spoken_digit):
        run = _expand_repeats(run, text)
        words = sum(not text[s:e].isdigit() for s, e, _ in run)
        if words < 2:
            continue  # written digits alone are the written detectors' business
        digits = "".join(chars for _, _, chars in run)
        kind = _classify_digits(digits)
        if kind is None and len(digits) > 10:
            # a run may carry a word before the number ("it's one, oh seven ..."): drop leading tokens
            for skip in range(1, min(4, len(run) - 1)):
                kind = _classify_digits("".join(chars for _, _, chars in run[skip:]))
                if kind is not None:
                    run = run[skip:]
                    break
        if kind is None:
            continue
        found.append((run[0][0], run[-1][1], kind, 0.9, {"detector": "spoken_number"}))
    return found


# --- postcodes said one character at a time ---------------------------------------------------

POSTCODE = re.compile(r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\d[A-Z]{2}")
#: Two-letter words that are never half of a postcode said aloud.
SHORT_WORDS = frozenset(["of", "to", "in", "on", "at", "is", "it", "as", "an", "be", "by", "do", "go", "he",
                         "me", "my", "no", "so", "up", "us", "we", "or", "if", "am", "oh", "ok", "hi", "ah",
                         "eh", "er", "um", "uh", "ya", "ye", "yo"])


def _spoken_postcode_char(word: str, previous: str | None, following: str) -> str | None:
    if len(word) > 6:
        return None  # no piece of a postcode, nor "double" or "treble", is longer
    lower = word.lower()
    if lower in REPEAT_WORDS:
        return ""
    digit = _digits_of(word)
    if digit is not None and len(digit) == 1 and lower not in ("o", "oh"):
        return digit
    if re.fullmatch(r"[A-Za-z]", word) and word not in ("I", "a"):
        return word.upper()
    if re.fullmatch(r"[A-Za-z]{2}", word) and lower not in SHORT_WORDS:
        return word.upper()
    if re.fullmatch(r"[A-Za-z]{1,2}\d{1,2}[A-Za-z]?|\d[A-Za-z]{2}", word):
        return word.upper()
    return None


def find_spoken_postcodes(text: str, _doc=None, *, tokens: list[re.Match] | None = None
                          ) -> list[tuple[int, int, str, float, dict]]:
    """Postcodes said one character at a time ("L S six, two A B", "ls6 two ab")."""
    found = []
    for run in _runs(text, _tokens(text) if tokens is None else tokens, _spoken_postcode_char):
        run = _expand_repeats(run, text)
        if len(run) < 3:
            continue  # "LS6 2AB" written is the postcode recognizer's
        if not any(c.isdigit() for _, _, c in run) or not any(c.isalpha() for _, _, c in run):
            continue
        for first in range(len(run)):
            for last in range(min(len(run), first + 7), first + 2, -1):  # a postcode is said in 3 to 7 pieces
                piece = "".join(c for _, _, c in run[first:last])
                if 5 <= len(piece) <= 7 and POSTCODE.fullmatch(piece):
                    found.append((run[first][0], run[last - 1][1], "POSTCODE", 0.85, {"detector": "spoken_postcode"}))
                    break
            else:
                continue
            break
    return found


# --- e-mail addresses said aloud -------------------------------------------------------------

_DOT = r"(?:\s+dot\s+|\.)"
_TLD = (rf"(?:com|net|org|(?:co|org|ac|gov|nhs|sch|police|ltd|plc){_DOT}uk|nhs{_DOT}net|uk|ie|info|me|io|eu|"
        rf"scot|wales)")
_PART = r"[A-Za-z0-9]+"
_JOIN = r"(?:\s+(?:dot|underscore|dash|hyphen|point)\s+|[._-])"
#: "at" said or "@" written with spaces, a domain with "dot" said or "." written, mixed as typists do.
SPOKEN_EMAIL = re.compile(
    rf"(?i)\b(?P<local>{_PART}(?:{_JOIN}{_PART})*)\s+(?:at|@)\s+(?P<domain>(?:{_PART}(?:{_DOT}|\s+dash\s+|-))+?"
    rf"{_TLD})\b")
#: After one of these, every word up to "at" is the address ("my email's sarah k 85 at ...").
EMAIL_CUE = re.compile(r"(?i)\b(?:e-?mail(?:\s+address)?|address)(?:'s|\s+is|\s+was|:)?\s+")
NOT_LOCAL = frozenset(["me", "him", "her", "us", "them", "it", "you", "look", "looking", "be", "is", "was", "email",
                       "e-mail", "address", "there", "here", "that", "this"])


def _stop_words() -> frozenset[str]:
    from thematic.deidentify.resolve import _stop_words as stop_words

    return stop_words()


def find_spoken_emails(text: str, _doc=None) -> list[tuple[int, int, str, float, dict]]:
    """E-mail addresses said aloud: "jo dot bloggs at gmail dot com", "... at nhs dot net"."""
    found = []
    for m in SPOKEN_EMAIL.finditer(text):
        start = m.start("local")
        local = m.group("local").lower()
        if local in NOT_LOCAL or local in _stop_words():
            continue  # "email me at ...", "it was at nhs.uk": no address before "at"
        cue = None
        for cue in EMAIL_CUE.finditer(text, max(0, start - 60), start):
            pass
        between = text[cue.end():start].lower().split() if cue is not None else []
        cued = cue is not None and len(between) <= 3 and not any(w in NOT_LOCAL or w == "at" for w in between)
        said = "@" in m.group() or re.search(r"(?i)\sdot\s", m.group("domain")) or re.search(r"[\s._-]", local)
        if not said and not cued:
            continue  # "we looked at gov.uk": one word, "at" and a written site is not an address said aloud
        if cued and cue.end() < start:
            start = cue.end()  # "my email's sarah k 85 at ...": every word after the cue
        found.append((start, m.end(), "EMAIL", 0.9, {"detector": "spoken_email"}))
    return found


# --- words spelled out letter by letter -------------------------------------------------------

#: Three or more letters joined by hyphens ("S-M-I-T-H", "k-a-t-e"), or capitals spaced out after a
#: word that says spelling is coming ("that's S M I T H", "spelt J O E").
SPELLED = re.compile(
    r"(?<![\w-])(?P<hyphens>[A-Za-z](?:-[A-Za-z]){2,}|[A-Z](?:\.[A-Z]){3,}\.?)(?![\w-])"
    r"|(?:\b(?:spelt|spelled|spell|spelling|that's|thats|it's|its|is|as)\s*:?\s+)(?P<spaced>[A-Z](?:[ .][A-Z]){2,})\b(?!\.?\w)")
#: A letter said with a word for it: "J for Juliet", "M as in Mike", in a run.
PHONETIC = re.compile(r"\b[A-Za-z]\s+(?:for|as\s+in)\s+[A-Z][a-z]+(?:(?:,\s*|\s+)[A-Za-z]\s+(?:for|as\s+in)\s+[A-Z][a-z]+)*")


def find_spelled(text: str, _doc=None, *, allow: frozenset[str] = frozenset()) -> list[tuple[int, int, str, float, dict]]:
    """Words spelled out letter by letter, taken as a person's name (what people spell aloud in
    an interview is nearly always a name) unless the letters make an allowed term ("N-H-S")."""
    found = []
    for m in SPELLED.finditer(text):
        group = "hyphens" if m.group("hyphens") else "spaced"
        word = re.sub(r"[^A-Za-z]", "", m.group(group)).lower()
        if word in allow:
            continue
        found.append((m.start(group), m.end(group), "PERSON", 0.85, {"detector": "spelled"}))
    for m in PHONETIC.finditer(text):
        found.append((m.start(), m.end(), "PERSON", 0.8, {"detector": "spelled"}))
    return found


def find_spoken(text: str, doc=None, *, allow: frozenset[str] = frozenset()) -> list[tuple[int, int, str, float, dict]]:
    """Every identifier said or spelled aloud (:func:`find_spoken_numbers`, postcodes, e-mail
    addresses, spelled words)."""
    tokens = _tokens(text)
    return [*find_spoken_numbers(text, tokens=tokens), *find_spoken_postcodes(text, tokens=tokens),
            *find_spoken_emails(text),
            *find_spelled(text, allow=allow)]
