"""Identifiers said or spelled aloud (``thematic.deidentify.spoken``): a grammar of spoken digits
and letters, then the validators of the written forms. Sentences written for this file; the
NHS numbers are invented with a valid mod-11 check digit."""

from __future__ import annotations

import pytest

from thematic.deidentify.spoken import (
    find_spelled,
    find_spoken_emails,
    find_spoken_numbers,
    find_spoken_postcodes,
    nhs_checksum_ok,
)


def found(finder, text: str) -> list[tuple[str, str]]:
    return [(text[start:end], kind) for start, end, kind, *_ in finder(text)]


@pytest.mark.parametrize("text, said", [
    # interview speech, digits in words with "double"
    ("yeah it's oh seven seven double four, nine hundred, three one five", "oh seven seven double four, nine hundred, three one five"),
    # lowercase automatic transcription, "zero" and no punctuation
    ("my number is zero seven seven zero zero nine zero zero five two six thanks", "zero seven seven zero zero nine zero zero five two six"),
    # "treble" and a landline said in groups
    ("the office is oh one one three, four nine six, treble oh eight", "oh one one three, four nine six, treble oh eight"),
    # digits and words mixed, as a typist writes what she hears
    ("text me on 07700 nine hundred, seven one two", "07700 nine hundred, seven one two"),
    # an international number said with "plus"
    ("er plus four four seven seven double oh nine double oh one six four", "plus four four seven seven double oh nine double oh one six four"),
    # pairs of digits: "forty-six"
    ("it was oh seven seven double oh, nine hundred, forty-six, one", "oh seven seven double oh, nine hundred, forty-six, one"),
])
def test_phone_numbers_said_aloud(text, said):
    assert found(find_spoken_numbers, text) == [(said, "PHONE")]


def test_an_nhs_number_said_aloud_is_checked_by_its_check_digit():
    assert nhs_checksum_ok("9434765919") and not nhs_checksum_ok("9434765918")
    text = "nhs number nine four three, four seven six, five nine one nine"
    assert found(find_spoken_numbers, text) == [("nine four three, four seven six, five nine one nine", "NHS_NUMBER")]
    # the same digits with a wrong check digit are not an NHS number
    assert found(find_spoken_numbers, "nine four three four seven six five nine one eight") == []


@pytest.mark.parametrize("text", [
    "we had one or two, maybe three or four, five visits, six at most",
    "oh, one of them said two or three weeks",
    "I was like one two three four, breathe",
    "she counted one two three four five six seven eight nine ten at the group",
])
def test_counting_and_interjections_are_not_numbers(text):
    assert found(find_spoken_numbers, text) == []


@pytest.mark.parametrize("text, said", [
    ("the postcode is L S six, two A B", "L S six, two A B"),
    ("postcode ls6 two ab thanks", "ls6 two ab"),
    ("it's M one four, five X Y", "M one four, five X Y"),
])
def test_postcodes_said_one_character_at_a_time(text, said):
    assert found(find_spoken_postcodes, text) == [(said, "POSTCODE")]


@pytest.mark.parametrize("text", ["I was in A and E at six", "we went to B and Q at two on a Sunday",
                                  "it's at six to ten in the hall"])
def test_letters_and_digits_in_speech_are_not_postcodes(text):
    assert found(find_spoken_postcodes, text) == []


@pytest.mark.parametrize("text, said", [
    ("it's jo dot bloggs at gmail dot com", "jo dot bloggs at gmail dot com"),
    ("email me at sarah underscore k85 at hotmail dot co dot uk", "sarah underscore k85 at hotmail dot co dot uk"),
    ("my email address is sarah k 85 at yahoo dot co dot uk ok", "sarah k 85 at yahoo dot co dot uk"),
    ("send it to d dot okafor at nhs dot net please", "d dot okafor at nhs dot net"),
    # "at" said, the domain written; "@" written with spaces
    ("it's jo dot bloggs at gmail.com", "jo dot bloggs at gmail.com"),
    ("Email: k.nowak @ outlook.co.uk", "k.nowak @ outlook.co.uk"),
])
def test_email_addresses_said_aloud(text, said):
    assert found(find_spoken_emails, text) == [(said, "EMAIL")]


@pytest.mark.parametrize("text", ["look at nhs dot uk for it", "she laughed at me at the dot of nine",
                                  "it was all at nhs.uk and we looked at gov.uk",
                                  "we met at the centre at ten"])
def test_at_and_dot_in_speech_are_not_addresses(text):
    assert found(find_spoken_emails, text) == []


@pytest.mark.parametrize("text, said", [
    ("her surname is Smith, that's S M I T H", "S M I T H"),
    ("it's spelt k-a-t-e with a k", "k-a-t-e"),
    ("Kowalczyk, K-O-W-A-L-C-Z-Y-K", "K-O-W-A-L-C-Z-Y-K"),
    ("Jones, J.O.N.E.S, like the singer", "J.O.N.E.S"),
    ("J for Juliet, O for Oscar", "J for Juliet, O for Oscar"),
])
def test_words_spelled_out(text, said):
    assert found(find_spelled, text) == [(said, "PERSON")]


def test_spelled_allowed_terms_and_ordinary_hyphens_stay():
    assert find_spelled("it's N-H-S, not private", allow=frozenset(["nhs"])) == []
    assert found(find_spelled, "a T-shirt, the X-ray and a U-turn") == []
