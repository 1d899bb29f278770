"""Word lists the detectors consult: names that are also words, months, the allow-list (data in
``allow.yaml``), first names (census and Faker's locales) and the pipeline's dictionary."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from thematic import io

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


def _is_word(lower: str, dictionary: frozenset[str]) -> bool:
    """Whether *lower* is a dictionary word, allowing common inflections ("calmer", "signed")."""
    if lower in dictionary:
        return True
    for suffix in ("s", "es", "ed", "d", "er", "r", "est", "ly", "ing", "ally"):
        if lower.endswith(suffix) and lower[:-len(suffix)] in dictionary:
            return True
    return False


