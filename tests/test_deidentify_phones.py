"""Phone numbers through libphonenumber (``thematic.deidentify.phones``). Every number here is
invented for this file, most in Ofcom's ranges kept for drama (07700 900xxx, 01632 960xxx,
0113 496 0xxx, 020 7946 0xxx)."""

from __future__ import annotations

import pytest

from thematic.deidentify.phones import find_phones, uk_national_shape


def numbers(text: str) -> list[str]:
    return [text[start:end] for start, end, *_ in find_phones(text)]


@pytest.mark.parametrize("text, number", [
    ("her mobile's 07700 900461 if you need her", "07700 900461"),                     # interview speech
    ("Tel: (0113) 496 0571 (office hours)", "(0113) 496 0571"),                        # a form read aloud
    ("ring +44 (0)113 496 0348 from abroad", "+44 (0)113 496 0348"),
    ("from Spain he dialled 0044 7700 900718", "0044 7700 900718"),
    ("the number on the letter was 0161.496.0123", "0161.496.0123"),                  # dots
    ("switchboard 020-7946-0958 ext. 214, ask for the duty desk", "020-7946-0958 ext. 214"),  # dashes, extension
    ("call the unit on 01632 960 418 x 23", "01632 960 418 x 23"),
    ("my sister in Warsaw is on +48 601 234 567", "+48 601 234 567"),                  # another country's number
    ("his dad in Lagos, +234 803 123 4567, never answers", "+234 803 123 4567"),
    ("the freephone line is 0800 123 4567", "0800 123 4567"),
])
def test_phone_numbers_in_the_layouts_people_write(text, number):
    assert numbers(text) == [number]


@pytest.mark.parametrize("text", [
    "she was born in 2019 and walked at 14 months",
    "the scores were 3 14 15 and then 22",
    "ring 999 or 111 if it gets worse",
    "about 1200 families a year use the hub",
    "in 2020-2021 we saw 340 referrals",
    "invoice 48213 was paid on the 3rd",
])
def test_counts_years_and_national_numbers_are_not_phone_numbers(text):
    assert numbers(text) == []


def test_uk_national_shape_follows_ofcoms_plan():
    assert uk_national_shape("7700900461")        # 07 mobile, 10 digits
    assert uk_national_shape("113496057")         # a 9-digit geographic number (01xx areas)
    assert not uk_national_shape("9098790000")    # 09 premium rate is not a person's number
    assert not uk_national_shape("77009004")      # too short


def test_digits_of_a_web_address_or_doi_are_not_phone_numbers():
    text = "see <https://doi.org/10.1007/s00737-015-0548-6> and doi.org/10.1191/1478088706qp0630a"
    assert numbers(text) == []
