"""Words left after de-identification for a person to check (thematic.deidentify.leftovers)."""

from __future__ import annotations

import pytest

from thematic.deidentify import Identifier, find_identifiers
from thematic.deidentify.leftovers import REASONS, words_to_check
from thematic.deidentify.words import DEFAULT_ALLOW, word_tests


@pytest.fixture(scope="module")
def tests_of_words():
    return word_tests("en_core_web_sm")


def listed(text, identifiers=(), *, tests_of_words, allow=DEFAULT_ALLOW) -> dict[str, tuple[str, int]]:
    is_word, is_first_name = tests_of_words
    return {w.word: (w.reason, w.count) for w in words_to_check(
        text, list(identifiers), is_word=is_word, is_first_name=is_first_name, allow=allow)}


def test_unknown_capitalised_words_abbreviations_lowercase_first_names_and_numbers(tests_of_words):
    text = ("Interviewer: So who came round?\n"
            "Participant: Well, Mrs Adeyemi-Hartley came twice, and the LTHT lot. "
            "Then zainab rang. The ref was 4829 1173 55, I wrote it down. We've done our best, honestly.")
    assert listed(text, tests_of_words=tests_of_words) == {
        "Adeyemi-Hartley": (REASONS["capitalised"], 1),
        "LTHT": (REASONS["abbreviation"], 1),
        "zainab": (REASONS["first name"], 1),
        "4829 1173 55": (REASONS["number"], 1),
    }


def test_a_capitalised_dictionary_word_inside_a_sentence_is_listed_but_not_at_its_start(tests_of_words):
    text = "We met at Rose's flat, then went to the Bath. Rose is lovely. In March it was quiet."
    words = listed(text, tests_of_words=tests_of_words)
    assert words == {"Rose": (REASONS["capitalised inside a sentence"], 2),
                     "Bath": (REASONS["capitalised inside a sentence"], 1)}
    assert next(iter(words_to_check(text, [], is_word=tests_of_words[0], is_first_name=tests_of_words[1]))).start \
        == text.index("Rose")


def test_a_dictionary_word_is_listed_where_it_is_capitalised_and_shown_where_it_was_found(tests_of_words):
    text = "It was a long day. Day one, we went to Family Day at the centre. A family day, really."
    is_word, is_first_name = tests_of_words
    words = words_to_check(text, [], is_word=is_word, is_first_name=is_first_name)
    day, family = text.index("Day one"), text.index("Family")
    inside = text.index("Day at")
    assert [(w.word, w.spans, w.start) for w in words] == [
        ("Day", ((day, day + 3), (inside, inside + 3)), inside),  # "Day one" opens a sentence: shown inside one
        ("Family", ((family, family + 6),), family)]


def test_identifiers_notes_labels_and_allowed_phrases_are_not_listed(tests_of_words):
    text = "Speaker 2: [inaudible Okonkwo] She applied for Universal Credit with Okonkwo. Thanks, Okonkwo."
    first = text.index("Okonkwo.")
    second = text.rindex("Okonkwo")
    found = [Identifier(first, first + 7, "PERSON", "spacy_ner", 0.85, "[person 1]"),
             Identifier(second, second + 7, "PERSON", "repeated_name", 0.85, "[person 1]")]
    assert listed(text, found, tests_of_words=tests_of_words) == {}


def test_other_punctuation_and_contractions(tests_of_words):
    text = ("“Honestly,” she said — Nkechi’s mum wasn’t there… «Doesn’t matter», I said. Won't happen again. "
            "Then I’ve said, and I’d say, and I’ll say it. Won’t matter.")
    assert listed(text, tests_of_words=tests_of_words) == {"Nkechi": (REASONS["capitalised"], 1)}


def test_a_name_the_detectors_miss_is_on_the_list(tests_of_words):
    """End to end: whatever the detectors leave of an invented surname, the list shows it."""
    text = "Yeah the social worker, Ms Przybylowicz-Onuoha, she was fine with us."
    found = find_identifiers(text)
    left = listed(text, found, tests_of_words=tests_of_words)
    covered = any(i.start <= text.index("Przybylowicz") < i.end for i in found)
    assert covered or "Przybylowicz-Onuoha" in left


def test_a_sentence_with_a_colon_is_not_a_speaker_label(tests_of_words):
    text = "Participant 2: fine.\nOkafor rang me and said: come in on Friday."
    assert listed(text, tests_of_words=tests_of_words) == {"Okafor": (REASONS["capitalised"], 1)}
