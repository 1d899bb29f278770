"""Initials standing for a person, found by position and format (``thematic.deidentify.initials``).
Sentences written for this file in the registers of case notes, minutes and interviews."""

from __future__ import annotations

import pytest

from thematic.deidentify.initials import find_initials


def initials(text: str) -> list[str]:
    return sorted({text[start:end] for start, end, *_ in find_initials(text)})


@pytest.mark.parametrize("text, expected", [
    ("Mrs K came to the door in her dressing gown", ["Mrs K"]),                     # notes read aloud
    ("seen by Dr S. on the ward round", ["Dr S."]),
    ("Mr J B was not at home", ["Mr J B"]),
    ("J. Patel from the practice rang back", ["J. Patel"]),                            # initial and surname
    ("letter copied to A.B. Okafor and J. Baker", ["A.B. Okafor", "J. Baker"]),
    ("baby R was feeding well; Child A attends nursery", ["A", "R"]),                  # case-note relations
    ("Mum K said she is coping", ["K"]),
    ("JB (health visitor) visited on Tuesday", ["JB"]),                                 # role in brackets
    ("Present: AB, CD (SW), EF\nApologies: GH", ["AB", "CD", "EF", "GH"]),            # attendee lists
    ("Chair: MD. Minute taker: RT", ["MD", "RT"]),
    ("Action: JB to refer to CAMHS. KT said mum is coping. PW reported no concerns", ["JB", "KT", "PW"]),
])
def test_initials_that_stand_for_a_person(text, expected):
    assert initials(text) == expected


@pytest.mark.parametrize("text", [
    "we went with plan A. Then we left it",                # a letter ending a sentence
    "So do I. Thanks, bye",
    "the P. T. Service was late",                          # initials of a service, then a word
    "shame the Dr I saw on the 16th was rude",             # "I" after a title is the pronoun
    "GP to review. HV to visit. CAMHS said no",            # roles and services are allowed terms
    "EHA (early help assessment) opened in May",           # an acronym explained in brackets
    "NHS (England) guidance, the BBC said",
    "the US is far away and the UK said so",
    "I went to A&E with baby I think",
])
def test_roles_acronyms_and_letters_stay(text):
    assert initials(text) == []
