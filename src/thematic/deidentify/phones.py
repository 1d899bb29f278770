"""Phone numbers, found by Google's libphonenumber (the ``phonenumbers`` package) rather than by
hand-written patterns: UK numbers in every layout people write them (``07700 900315``,
``(0113) 496 0238``, ``+44 (0)113 496 0348``, ``0044 7700 900164``, ``0161.496.0123``, an
extension) and the numbers of other countries a participant may give (``+48 601 234 567``).

libphonenumber's strictest test rejects the ranges Ofcom keeps for drama and examples (07700 900xxx,
01632 960xxx), which invented transcripts use; so a UK number it finds is also kept when its
national number has the shape of Ofcom's numbering plan (10 digits, or 9 for a few old area codes,
starting 1, 2, 3, 5, 7 or 8), and a number of another country when libphonenumber calls it
possible and it was written with its international prefix (``+`` or ``00``).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: First digits of UK national numbers in Ofcom's plan: 01/02 geographic, 03 non-geographic,
#: 05 corporate, 07 mobile and personal, 08 freephone and special rates (09 premium is not a person's).
UK_NATIONAL_FIRST = frozenset("123578")
#: A web address or DOI, whose digits are never a phone number.
LINK = re.compile(r"(?i)\b(?:https?://|www\.|doi:\s*|doi\.org/)\S+")


def uk_national_shape(national: str) -> bool:
    """Whether *national* (the digits after the trunk 0 or +44) is shaped as a UK number is."""
    return national[:1] in UK_NATIONAL_FIRST and (len(national) == 10 or (len(national) == 9 and national[0] == "1"))


@lru_cache(maxsize=1)
def _phonenumbers():
    import phonenumbers

    return phonenumbers


def _keep(match, raw: str) -> bool:
    phonenumbers = _phonenumbers()
    number = match.number
    digits = re.sub(r"\D", "", raw.split("x")[0].split("ext")[0])
    if number.country_code == 44:
        national = str(number.national_number)
        return phonenumbers.is_valid_number(number) or uk_national_shape(national)
    international = raw.lstrip("( ").startswith(("+", "00"))
    return international and len(digits) >= 8 and (
        phonenumbers.is_valid_number(number) or phonenumbers.is_possible_number(number))


def find_phones(text: str, _doc=None) -> list[tuple[int, int, str, float, dict]]:
    """UK and international phone numbers in *text* as ``(start, end, "PHONE", score, {})``."""
    phonenumbers = _phonenumbers()
    found = []
    links = [m.span() for m in LINK.finditer(text)]
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        raw = match.raw_string
        if sum(ch.isdigit() for ch in raw) < 9 or not _keep(match, raw.lower()):
            continue  # "2019", "3 14 15": counts and years, not numbers
        if any(s <= match.start < e for s, e in links) or text[match.start - 1:match.start] in tuple("/.=_-") \
                and match.start > 0:
            continue  # digits of a web address or a DOI ("doi.org/10.1007/s00737-015-0548-6")
        found.append((match.start, match.end, "PHONE", 0.95, {}))
    return found
