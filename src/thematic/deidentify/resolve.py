"""From findings to identifiers: trim, allow-list, merge overlaps, one placeholder per entity."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache

from thematic.deidentify.model import DETECTOR_PRIORITY, PLACEHOLDERS, Identifier, _Finding
from thematic.deidentify.patterns import TRANSCRIBER_NOTE
from thematic.deidentify.words import COMMON_WORD_NAMES, DEFAULT_ALLOW, TITLE_BEFORE


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's English stop words (imported when first needed: a warm report never is)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


KINSHIP_BEFORE_NAME = re.compile(
    r"(?i)(?:auntie|aunty|aunt|uncle|nan|nana|nanna|nanny|gran|granny|grandma|grandad|grandpa|cousin|"
    r"big|little|baby|sister|brother)\s+")
TITLE_BEFORE_NAME = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Dr\.|Mr\.|Mrs\.|Ms\.)\s+$")


def _trim(text: str, finding: _Finding) -> _Finding | None:
    """Trim determiners, possessives and punctuation from a finding; None if nothing is left."""
    start, end = finding.start, finding.end
    span = text[start:end]
    lead = re.match(r"(?i)(?:the|a|an|our|my|your|their|his|her)\s+", span)
    if lead and finding.detector in ("spacy_ner", "org_suffix"):
        start += lead.end()
    mojibake = re.search(r"[âÃ][\x80-\xbf€™œ\u2018-\u201d]", text[start:end])
    if mojibake:
        end = start + mojibake.start()  # "Weâ€™re": UTF-8 punctuation read as Latin-1 ends the word
        if text[start:end].lower() in _stop_words():
            return None
    while end > start and text[end - 1] in " .,;:!?'\"’)(-":
        end -= 1
    if text[start:end].endswith(("'s", "’s")) and finding.type in ("PERSON", "PLACE", "ORG") \
            and finding.detector != "known_names" and not re.match(r"(?:St\.?|Saint)\s", text[start:end]):
        end -= 2
    while start < end and text[start] in " '\"‘(-,;:!?" and not (text[start] == "(" and finding.type == "PHONE"):
        start += 1
    if finding.type == "PERSON" and finding.detector != "known_names":
        kin = KINSHIP_BEFORE_NAME.match(text, start, end)
        if kin and kin.end() < end:
            start = kin.end()  # "Auntie Pam": the relation stays, the name goes
        title = TITLE_BEFORE_NAME.search(text, max(0, start - 8), start)
        if title:
            start = title.start()  # "Dr Sam Okoye": one span with its title
    return replace(finding, start=start, end=end) if end > start else None


def _allowed(text: str, finding: _Finding, allow: frozenset[str]) -> bool:
    span = " ".join(text[finding.start:finding.end].split()).lower()
    if finding.detector in ("known_names", "form_field") or (
            finding.detector == "name_lexicon" and span in COMMON_WORD_NAMES):
        return False  # their context rules already decided ("known as (biscuit)" is a name)
    bare = re.sub(r"^the\s+", "", span)
    if re.fullmatch(r"(?:[a-z]\.){2,}[a-z]?\.?", bare) and bare.replace(".", "") in allow:
        return True  # "P.T.S", "C.P.N"
    if span in allow or span.rstrip("s") in allow or bare in allow or f"{bare}'s" in allow or f"{bare}s" in allow:
        return True
    if finding.detector == "spacy_ner":
        words = re.findall(r"[\w'-]+", span)
        if not words or all(w in allow for w in words):
            return True
        raw = text[finding.start:finding.end]
        if not any(ch.isupper() for ch in raw):
            return True  # NER on lowercase words is mostly noise; the lexicon handles names
        if TRANSCRIBER_NOTE.fullmatch(raw) or raw.startswith("[") or raw.endswith("]"):
            return True
    return False


@lru_cache(maxsize=8)
def _allow_pattern(allow: frozenset[str]) -> re.Pattern | None:
    """One case-insensitive pattern of every allowed phrase of two or more characters."""
    terms = sorted((a for a in allow if len(a) > 1), key=len, reverse=True)
    if not terms:
        return None
    return re.compile(rf"(?<![\w'’-])(?:{_trie_pattern([' '.join(t.split()) for t in terms])})(?:['’]s)?(?![\w'’-])",
                      re.IGNORECASE)


def _trie_pattern(terms: list[str]) -> str:
    """One pattern for many terms, as a trie of their characters (a space matches any run of
    whitespace): matching it costs about as much as matching one term, where an alternation of
    a thousand terms costs a thousand tries at every position. Longer terms are tried first, as
    they would be in an alternation sorted by length."""
    trie: dict = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [(r"\s+" if char == " " else re.escape(char)) + pattern(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return pattern(trie)


def _allowed_phrases(text: str, allow: frozenset[str]) -> list[tuple[int, int]]:
    pattern = _allow_pattern(allow)
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


LINKING_WORDS = frozenset(["and", "the", "of", "or", "a", "an", "for", "in", "on", "to", "with", "at", "from", "etc"])


def _only_allowed(text: str, start: int, end: int, phrases: list[tuple[int, int]]) -> bool:
    """Whether text[start:end] is made of allowed phrases, linking words and punctuation."""
    if not any(s < end and e > start for s, e in phrases):
        return False
    chars = list(text[start:end])
    for s, e in phrases:
        for position in range(max(s, start), min(e, end)):
            chars[position - start] = " "
    return all(word.lower() in LINKING_WORDS for word in re.findall(r"[A-Za-z0-9][\w'’-]*", "".join(chars)))


def without_allowed_lead(text: str, finding: _Finding, phrases: list[tuple[int, int]]) -> _Finding:
    """A model's finding that opens with an allowed phrase and a comma starts after them:
    "Zoom, Grace" (a list, not one name) is "Grace"."""
    if finding.detector != "spacy_ner":
        return finding
    for s, e in phrases:
        if s == finding.start and e < finding.end:
            comma = re.match(r"\s*,\s*", text[e:finding.end])
            if comma and e + comma.end() < finding.end:
                return replace(finding, start=e + comma.end())
    return finding


#: A web address, written ("www.nhs.uk/conditions", "https://gov.uk") or said ("nhs dot uk").
WEB_ADDRESS = re.compile(
    r"(?i)(?<![\w@.-])(?:https?://)?(?P<host>(?:[a-z0-9-]+(?:\.|\s+dot\s+))+(?:uk|com|org|net|scot|wales|gov|"
    r"info|io|co|ie))\b(?:/[^\s,;)]*)?")


def allowed_web_addresses(text: str, allow: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of web addresses whose site is on the allow-list: the domain of a national body or
    service ("nhs.uk", "www.gov.uk/universal-credit", "bbc.co.uk") identifies no one. The host is
    tried whole and without each leading label ("www.", "digital.")."""
    spans = []
    for m in WEB_ADDRESS.finditer(text):
        host = re.sub(r"\s+dot\s+", ".", m.group("host").lower())
        labels = host.split(".")
        if any(".".join(labels[i:]) in allow for i in range(len(labels) - 1)):
            spans.append(m.span())
    return spans


def resolve(text: str, findings: Iterable[_Finding], *, allow: frozenset[str] = DEFAULT_ALLOW) -> list[Identifier]:
    """Trim, filter against the allow-list, merge overlaps and assign placeholders."""
    cleaned = []
    phrases = _allowed_phrases(text, allow)
    sites = allowed_web_addresses(text, allow)
    for finding in findings:
        trimmed = _trim(text, finding)
        if trimmed is None or _allowed(text, trimmed, allow):
            continue
        if finding.detector not in ("known_names", "review") and \
                any(s <= trimmed.start and trimmed.end <= e for s, e in sites):
            continue  # part of the web address of a national site: "www.nhs.uk/start4life"
        decided = finding.detector == "name_lexicon" and text[trimmed.start:trimmed.end].lower() in COMMON_WORD_NAMES
        if finding.detector not in ("known_names", "review", "form_field") and not decided and \
                _only_allowed(text, trimmed.start, trimmed.end, phrases):
            continue  # allowed phrases and linking words only: "Peppa" of "Peppa Pig", "OT, Social Services"
        cleaned.append(trimmed)
    cleaned = _inside_transcriber_notes(text, cleaned)
    cleaned.sort(key=lambda f: (f.start, -f.end))
    merged: list[list[_Finding]] = []
    for finding in cleaned:
        last_end = max(f.end for f in merged[-1]) if merged else -1
        # "Bethany Fitzgerald" found in two halves, "Bishop" + "Auckland" by two detectors: one name
        joins_name = (merged and finding.start == last_end + 1 and text[last_end] == " " and (
            (finding.type == "PERSON" and any(f.type == "PERSON" for f in merged[-1]))
            or (finding.type in ("PERSON", "PLACE") and all(f.type in ("PERSON", "PLACE") for f in merged[-1])
                and text[finding.start].isupper() and text[min(f.start for f in merged[-1])].isupper()
                and any(f.type == "PLACE" for f in [*merged[-1], finding]))))
        if merged and (finding.start < last_end or joins_name):
            merged[-1].append(finding)
        else:
            merged.append([finding])
    return assign_placeholders(text, [found for group in merged for found in _settle(text, group)])


def _settle(text: str, group: list[_Finding]) -> list[_Finding]:
    """One finding for a group of overlapping or adjoining ones, or the known names in it.

    The researcher's known names keep their own placeholders when what joins them adds only
    punctuation, linking words and lowercase words of cased text: "Niamh Tomasz" (two people),
    "X Council and Y Council", ", Tomasz's" found wider by NER, "Tomasz's nursery" (the nursery
    stays). Known names with one placeholder side by side ("Ifeoma" "Okafor") are one span. A
    capitalised word beyond the known names ("Little Steps Team", "Dr Niamh") or lowercase text
    throughout keeps the one merged span, as does any group without a known name.
    """
    known = sorted((f for f in group if f.detector == "known_names"), key=lambda f: f.start)
    if not known or _overlapping(known):
        return [_merge(group)]
    start, end = min(f.start for f in group), max(f.end for f in group)
    chars = list(text[start:end])
    for f in known:
        chars[f.start - start:f.end - start] = " " * (f.end - f.start)
    leftover = re.findall(r"[^\W_][\w'’-]*", "".join(chars))
    if not any(ch.isupper() for ch in text[start:end]) or not all(
            word.islower() or word.lower() in LINKING_WORDS for word in leftover):
        return [_merge(group)]
    settled = [known[0]]
    for f in known[1:]:
        last = settled[-1]
        if f.placeholder == last.placeholder and not text[last.end:f.start].strip():
            settled[-1] = replace(last, end=f.end)
        else:
            settled.append(f)
    return settled


def _overlapping(findings: list[_Finding]) -> bool:
    ordered = sorted(findings, key=lambda f: f.start)
    return any(b.start < a.end for a, b in zip(ordered, ordered[1:]))


def _inside_transcriber_notes(text: str, findings: list[_Finding]) -> list[_Finding]:
    notes = [(m.start(), m.end()) for m in TRANSCRIBER_NOTE.finditer(text)]
    if not notes:
        return findings
    return [f for f in findings if f.detector in ("known_names", "review")
            or not any(s <= f.start and f.end <= e for s, e in notes)]


def _merge(group: list[_Finding]) -> _Finding:
    best = min(group, key=lambda f: (DETECTOR_PRIORITY.get(f.detector, 20), -(f.end - f.start)))
    start, end = min(f.start for f in group), max(f.end for f in group)
    score = max(f.score for f in group)
    return replace(best, start=start, end=end, score=score)


def assign_placeholders(text: str, findings: list[_Finding]) -> list[Identifier]:
    """One placeholder per entity: known names keep theirs; other people are numbered
    ("[person 1]") by first mention, and a later mention by part of a name ("Sarah" after
    "Sarah Jones") is the same person."""
    people: dict[str, str] = {}
    identifiers = []
    for f in sorted(findings, key=lambda f: f.start):
        placeholder = f.placeholder
        if not placeholder and f.type == "PERSON":
            key = " ".join(re.findall(r"[a-z']+", text[f.start:f.end].lower())) or text[f.start:f.end].lower()
            key = re.sub(r"^(?:dr|mr|mrs|ms|miss|nurse)\s+", "", key)
            placeholder = people.get(key) or next(
                (p for k, p in people.items() if set(key.split()) <= set(k.split()) or set(k.split()) <= set(key.split())), "")
            if not placeholder:
                placeholder = f"[person {len(set(people.values())) + 1}]"
            people[key] = placeholder
        identifiers.append(Identifier(f.start, f.end, f.type, f.detector, f.score,
                                      placeholder or PLACEHOLDERS.get(f.type, "[redacted]")))
    return identifiers


#: Types naming an entity whose other mentions in the same text are the same entity.
NAMED_TYPES = ("PERSON", "PLACE", "ORG")
_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"


def propagate(text: str, identifiers: list[Identifier], *, allow: frozenset[str] = DEFAULT_ALLOW,
              is_word: Callable[[str], bool] = lambda word: False,
              is_first_name: Callable[[str], bool] = lambda word: False) -> list[Identifier]:
    """A name found once is a name everywhere in *text*.

    Every other whole-word mention, in any case, of a person, place or organisation found
    somewhere in the text gets the same placeholder ("Jojo was born" found, "me and jojo",
    "jojo's nan" kept before), and so does a part of a person's full name ("sarah" after
    "Sarah Jones"). So that a wrong finding does not spread: a name that is also a word
    ("Will", "May"), an allowed term or a title is never carried over; one made only of
    dictionary words that are not first names ("Bean") neither; and a name that is also a
    dictionary word ("Grant", "Lulu") is not carried to a lowercase mention after a determiner
    ("a grant"). Nothing inside a bracketed note or an identifier already found is touched.
    """
    surfaces: dict[str, tuple[Identifier, bool]] = {}
    for found in sorted(identifiers, key=lambda i: i.start):
        if found.type not in NAMED_TYPES:
            continue
        span = " ".join(text[found.start:found.end].split())
        words = re.findall(_NAME_WORD, span)
        for candidate in [span, *(words if found.type == "PERSON" and len(words) > 1 else [])]:
            key = candidate.lower()
            parts = re.findall(r"[^\W\d_]+", key)
            if len(key) < 3 or not parts or key in allow or key in COMMON_WORD_NAMES or key in TITLE_BEFORE:
                continue
            wordy = [is_word(part) or part in allow for part in parts]
            if all(wordy) and not any(is_first_name(part) for part in parts):
                continue
            surfaces.setdefault(key, (found, any(wordy)))
    if not surfaces:
        return identifiers
    alternation = "|".join(r"\s+".join(map(re.escape, key.split()))
                           for key in sorted(surfaces, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-]|['’][^\W\ds])", re.IGNORECASE)
    taken = [(i.start, i.end) for i in identifiers]
    taken += [m.span() for m in TRANSCRIBER_NOTE.finditer(text)]
    added = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        source, wordy = surfaces[" ".join(match.group(0).lower().split())]
        if wordy and match.group(0).islower() and DETERMINER_BEFORE.search(text, 0, start):
            continue
        added.append(Identifier(start, end, source.type, "repeated_name", source.score, source.placeholder))
    return sorted([*identifiers, *added], key=lambda i: i.start)


#: A determiner or possessive just before a word: "a grant", "the carol", "my bean".
DETERMINER_BEFORE = re.compile(r"(?i)\b(?:a|an|the|my|your|his|her|our|their|this|that|some|any|no|every)\s+$")


def apply_identifiers(text: str, identifiers: Iterable[Identifier]) -> str:
    """Replace each identifier's span by its placeholder (spans must not overlap)."""
    out, pos = [], 0
    for identifier in sorted(identifiers, key=lambda i: i.start):
        if identifier.start < pos:
            raise ValueError(f"overlapping identifiers at {identifier.start}")
        out += [text[pos:identifier.start], identifier.placeholder]
        pos = identifier.end
    out.append(text[pos:])
    return "".join(out)
