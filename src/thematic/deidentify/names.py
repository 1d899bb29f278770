"""Names: known names in context, names the NER misses (lexicon), second thoughts on NER."""

from __future__ import annotations

import re
from dataclasses import replace

from thematic.deidentify.known_names import KnownNames
from thematic.deidentify.model import _Finding
from thematic.deidentify.patterns import _ORDINAL_WORD, ORG_WORDS, TRANSCRIBER_NOTE
from thematic.deidentify.words import (
    COMMON_WORD_NAMES,
    MONTH_NAMES,
    NAME_CONTEXT_AFTER,
    NAME_CONTEXT_BEFORE,
    PERSON_BEFORE,
    PLACE_BEFORE,
    STRONG_AFTER,
    STRONG_BEFORE,
    TEMPORAL_BEFORE,
    _dictionary_words,
    _first_names,
    _gb_places,
    _is_word,
    _last_names,
    _non_noun_words,
    _noun_only_words,
)

def _names_pattern(known: KnownNames) -> re.Pattern | None:
    surfaces = sorted({s for n in known.names for s in n.surfaces}, key=len, reverse=True)
    if not surfaces:
        return None
    alternation = "|".join(r"\s+".join(map(re.escape, s.split())) for s in surfaces)
    return re.compile(rf"(?<![\w@.])(?:{alternation})(?![\w@]|\.\w)", re.IGNORECASE)


NAME_AFTER = re.compile(
    r"(?:'s\b(?!\s+(?:been|got|going|not|just|a|an|the)\b)|,?\s+(?:she's|he's)\s+called|\s+(?:was|wasn't|is|isn't|"
    r"has|hasn't|had|hadn't|did|didn't|does|doesn't|said|says|cried|cries|slept|sleeps|smiled|"
    r"looked|looks|loves?|loved|stayed|came|went|got|gets|seems|seemed|started|needed|doing|and\s+(?:I|me)\b))")
#: What only a person does, after a month that is also a name ("May was born", "June said").
PERSON_VERB_AFTER = re.compile(
    r"(?:'s\s+(?:nursery|school|dad|mum|nan|cot|bottle|feed|nappy|teeth|first|birthday)\b|,?\s+(?:she's|he's)\s+called|"
    r"\s+(?:was\s+born|said|says|cried|cries|slept|sleeps|smiled|smiles|giggled|crawled|laughed|loves?|loved|"
    r"wanted|wants|told|asked|rang|texted|and\s+(?:I|me)\b))")
#: After a month, words that talk about it as a time ("May was hard", "June is always busy").
MONTH_AS_TIME_AFTER = re.compile(r"\s+(?:was|is|were|has\s+been|had\s+been)\s+(?:a\s+|an\s+|the\s+|so\s+|really\s+|"
                                 r"always\s+|very\s+)*(?:hard|busy|awful|lovely|tough|difficult|good|bad|quiet|"
                                 r"wet|cold|hot|month|time|worst|best|horrible|great|mad|manic)\b")
#: Words after a capitalised ambiguous word that make it the ordinary word ("Will this...").
WORD_AFTER = re.compile(r"\s+(?:this|that|it|you|they|we|he|she|there|the|a|an|your|my|our|be|do|have|I|"
                        r"someone|somebody|anyone|anybody|everyone|not)\b")


#: Where a lowercase word that is also a name ("mark", "jade", "will") is the name: after a verb
#: of talking to someone or "me and", before a verb of saying or "and me", or "so X from".
LOWER_NAME_BEFORE = re.compile(
    r"(?:\b(?:told|tell|telling|asked|ask|asking|rang|ring|ringing|phoned|phone|texted|text|"
    r"messaged|message|emailed|thanked|thank|thanks|me\s+and|called|named|partner|husband|wife|"
    r"(?:said|spoke|speak|speaking|talked|talking|talk|chatted|chatting)\s+to|"
    r"boyfriend|girlfriend|fiance|fiancee|ex|(?:text|message|call|lift|letter|card|present)\s+off)\s+)$")
LOWER_NAME_AFTER = re.compile(
    r"(?:\s+(?:said|says|rang|rings|phoned|texted|messaged|emailed|reckons|reckoned|told|asked|"
    r"and\s+(?:me|i)\b|from\s+(?:the|work|downstairs|next\s+door|church|school|nursery|group)|"
    # what only a person does: "summer was born", "jade cried all night"
    r"was\s+born|cried|cries|slept|sleeps|smiled|smiles|giggled|crawled|crawls|toddled|was\s+teething|"
    r"was\s+(?:working|crying|sleeping|screaming|feeding|poorly|off\s+sick|on\s+nights|inside|sectioned))|"
    r",?\s+(?:my|our|his|her)\s+(?:neighbour|friend|sister|brother|cousin|mate|partner|ex|husband|wife|"
    r"boyfriend|girlfriend|auntie|niece|nephew|key\s+worker|social\s+worker|health\s+visitor))\b")
LOWER_NAME_SO_FROM = re.compile(r"\b(?:so|yeah|and|like|with|was|is|it's|that's|saw|met|see|um|erm|er|uh|oh|"
                                r"well|then|but|cos|because)\s+$")
#: Before a known name said as the object that ends a clause: "the spit of mark,", "went with summer."
KNOWN_OBJECT_BEFORE = re.compile(
    r"\b(?:of|with|to|for|like|and|at|see|saw|got|took|take|bring|brought|hold|held|fed|feed|pick|picked|"
    r"up|bath|bathed|leave|left|love|miss|missed)\s+$")


def _lowercase_name_context(text: str, start: int, end: int) -> bool:
    """Whether a lowercase word at ``text[start:end]`` stands where speech puts a name."""
    before, after = text[max(0, start - 30):start].lower(), text[end:end + 40].lower()
    if LOWER_NAME_BEFORE.search(before):
        return True
    if re.match(r"\s+from\b", after):
        return LOWER_NAME_SO_FROM.search(before) is not None or not before.strip()
    return LOWER_NAME_AFTER.match(after) is not None


def _is_name_in_context(text: str, start: int, end: int, doc, *, known: bool = False) -> bool:
    """Decide whether an ambiguous word ("Will", "hope", "May") is used as a name here. A
    *known* name (one the researcher listed for this study) is also a name in lowercase as the
    object that ends a clause ("she's the spit of mark, everyone says").
    """
    surface = text[start:end]
    if not surface[:1].isupper():
        # lowercase "will", "hope", "may" are the words, unless speech puts a name there ("i told mark")
        if surface.lower() in MONTH_NAMES:
            return False
        if _lowercase_name_context(text, start, end):
            return True
        before = text[max(0, start - 30):start].lower()
        return known and re.match(r"\s*(?:[,.!?;]|$)", text[end:end + 3]) is not None \
            and KNOWN_OBJECT_BEFORE.search(before) is not None and not DETERMINER_END.search(before)
    lower = surface.lower()
    before = re.findall(r"[A-Za-z']+", text[max(0, start - 30):start])
    after = text[end:end + 30]
    previous = before[-1].lower() if before else ""
    sentence_start = _starts_sentence(text, start)
    tokens = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
    person_entity = tokens is not None and any(t.ent_type_ == "PERSON" for t in tokens)
    if lower in MONTH_NAMES:
        if previous in TEMPORAL_BEFORE - {"after", "before", "during", "from", "around", "about"}:
            return False
        if re.match(rf"(?i)\s*(?:\d|(?:the\s+)?{_ORDINAL_WORD}\b)", after):
            return False  # "May the fourteenth", "May 3rd" are dates
        if PERSON_VERB_AFTER.match(after) or (
                (NAME_AFTER.match(after) or person_entity) and not MONTH_AS_TIME_AFTER.match(after)):
            return True  # "May cried", "May's nursery"; not "May was hard" (a month is talked about too)
        if tokens is not None and len(tokens) and tokens[0].i > 0 and doc[tokens[0].i - 1].pos_ == "VERB":
            return True  # "holding May", "fed May"
        if previous == "and":
            word_before = before[-2].lower() if len(before) > 1 else ""
            return word_before not in MONTH_NAMES
        return previous in PERSON_BEFORE
    if NAME_AFTER.match(after):
        return True
    if WORD_AFTER.match(after) and (sentence_start or previous in ("and", "but", "so", "i", "just")):
        return False  # "Will this take long?", "Hope you're well", "May I ask"
    if person_entity:
        return True
    nxt = doc[tokens[-1].i + 1] if tokens is not None and len(tokens) and tokens[-1].i + 1 < len(doc) else None
    if not sentence_start and nxt is not None and nxt.pos_ == "NOUN" and nxt.text.islower() \
            and not NAME_AFTER.match(after) and nxt.lower_ not in TIME_NOUNS:
        return False  # "Summer school", "Will power": the word as a modifier of a noun
    pos = tokens[0].pos_ if tokens is not None and len(tokens) else ""
    following = doc[tokens[-1].i + 1] if tokens is not None and len(tokens) and tokens[-1].i + 1 < len(doc) else None
    if sentence_start and following is not None and following.tag_ in ("VBZ", "VBD") \
            and following.lower_ not in ("is", "was", "does", "did", "has", "had"):
        return True  # "Grace brings...", "Hope cried"
    if sentence_start and pos not in ("PROPN", ""):
        return False
    if sentence_start and tokens is not None and len(tokens) and tokens[-1].i + 1 < len(doc) \
            and doc[tokens[-1].i + 1].pos_ == "NOUN" and doc[tokens[-1].i + 1].text.islower():
        return False  # "Grace periods", "Hope springs"
    # "by the Grace of", "a Mark", "in Faith" are words even capitalised
    return not (previous in ("a", "an", "the", "of", "by", "no", "some", "any", "in", "full", "top")
                and lower in ("grace", "faith", "hope", "joy", "mark", "will", "art", "page", "star", "sky"))


def _known_names_finder(known: KnownNames):
    pattern = _names_pattern(known)
    by_surface = {}
    for index, name in enumerate(known.names):
        for surface in name.surfaces:
            by_surface.setdefault(" ".join(surface.lower().split()), (index, name))

    def find(text, nlp_artifacts):
        if pattern is None:
            return []
        doc = getattr(nlp_artifacts, "tokens", None)
        found = []
        for m in pattern.finditer(text):
            index, name = by_surface[" ".join(m.group().lower().split())]
            if name.is_ambiguous(m.group()) and not _is_name_in_context(text, m.start(), m.end(), doc, known=True):
                continue
            found.append((m.start(), m.end(), name.type, 1.0,
                          {"placeholder": name.placeholder, "entity": f"known:{index}"}))
        return found

    return find


#: Parts of speech a lowercase name never has ("ran", "hung" are verbs that are also names).
FUNCTION_POS = frozenset(["VERB", "AUX", "ADP", "DET", "PRON", "CCONJ", "SCONJ", "NUM", "PART", "INTJ", "ADV"])
#: Lowercase words of speech and texting that are also in first-name lists but not in a dictionary.
NOT_NAMES_LOWER = frozenset([
    "til", "till", "cos", "coz", "cuz", "uni", "lol", "omg", "hun", "babe", "bday", "tho", "thru", "ur", "ya",
    "yeah", "yep", "yup", "nope", "innit", "dunno", "gonna", "wanna", "gotta", "kinda", "sorta", "telly", "mam",
    "nan", "ta", "aye", "och", "lass", "lad", "bairn", "wee", "hiya", "bye", "okay", "hmm", "mmm", "erm", "um",
    "uh", "ah", "eh", "oi", "mate", "bro", "sis", "fam", "cuppa", "brekkie", "nappy", "nappies", "buggy", "mum",
    "dad", "ma", "pa", "mummy", "daddy", "nana", "nanna", "grandma", "grandad", "gran", "granny", "auntie",
])
#: Words before a lowercase word that make it a common noun, not a name.
DETERMINERS = frozenset(["a", "an", "the", "my", "your", "his", "her", "our", "their", "this", "that", "these",
                         "those", "some", "any", "no", "every", "each", "at", "per", "of"])
#: A determiner or possessive ending the text before a word ("the spit of a mark").
DETERMINER_END = re.compile(r"\b(?:a|an|the|my|your|his|her|our|their|this|that|some|any|no|every|full\s+of|"
                            r"lot\s+of|lots\s+of|bit\s+of)\s+$")
#: Lowercase nouns after a name that do not make it a modifier ("told Will yesterday").
TIME_NOUNS = frozenset(["yesterday", "today", "tonight", "tomorrow", "morning", "afternoon", "evening",
                        "night", "week", "weekend", "time", "mum", "dad"])


#: Text before a word that starts a sentence, or an item of a list ("- Early contact ..."):
#: the start, or an end of sentence, colon, line break or bracket, then a list marker or quote.
SENTENCE_START = re.compile(r"(?:^|[.?!:\n\]])\s*(?:[-*•–]\s+)?[\"']?$")


def _starts_sentence(text: str, start: int) -> bool:
    return SENTENCE_START.search(text[max(0, start - 40):start]) is not None


def _sentence_initial(doc, token) -> bool:
    if token.i == 0:
        return True
    previous = doc[token.i - 1]
    if previous.text in ("-", "*", "•", "–") and _starts_sentence(doc.text, previous.idx):
        return True  # a list item: "- Early relationship building"
    return previous.is_space or previous.text in (".", "?", "!", ":", '"', "'", "]") or "\n" in previous.text


def _lexicon_finder(allow: frozenset[str], model: str):
    """Names the pipeline's NER misses. Capitalised: a census first name, or any proper noun
    that is not a dictionary word (typed PLACE after "in/from/to", else PERSON); ambiguous
    words only where their context says "name". Lowercase: a census first name or a
    non-dictionary word in a naming context ("told callum that", "my partner aoife works")."""
    lexicon = _first_names()
    dictionary = _dictionary_words(model)
    noun_only = _noun_only_words(model)

    def find(text, nlp_artifacts):
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        found = []
        for token in doc:
            lower = token.lower_
            if len(lower) < 3 or not token.is_alpha or token.pos_ == "PRON":
                continue
            start, end = token.idx, token.idx + len(token.text)
            previous = doc[token.i - 1].lower_ if token.i > 0 else ""
            following = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
            if lower in COMMON_WORD_NAMES:
                if lower in lexicon and _is_name_in_context(text, start, end, doc):
                    found.append((start, end, "PERSON", 0.7, {}))
                continue
            if token.ent_type_ in ("PERSON", "ORG", "GPE", "LOC", "FAC") and not token.text.islower():
                continue  # the NER finding covers it (lowercase NER findings are dropped as noise)
            if lower not in allow and _in_place_name(doc, token) and not _sentence_initial(doc, token):
                found.append((start, end, "PLACE", 0.6, {}))  # "up Moss Side", "in Bishop Auckland"
                continue
            if token.is_stop or lower in allow or TRANSCRIBER_NOTE.fullmatch(text[max(0, start - 1):end + 1]):
                continue
            is_word = _is_word(lower, dictionary) or token.lemma_.lower() in dictionary
            if _signs_off(doc, token) and not token.text.islower() and (lower in lexicon or not is_word) \
                    and not _typo(token.text, model):
                found.append((start, end, "PERSON", 0.9, {}))  # a message read aloud: "Bev x"
                continue
            two_back = doc[token.i - 2].lower_ if token.i > 1 else ""
            strong = previous in STRONG_BEFORE or following in STRONG_AFTER or \
                (previous == "and" and two_back in ("me", "i")) or (previous == "me" and following == "and")
            weak = previous in NAME_CONTEXT_BEFORE and following in NAME_CONTEXT_AFTER
            if token.text.islower():
                # scored above the NER's 0.85 so that Presidio keeps this finding, not the NER's
                # (lowercase NER findings are dropped as noise)
                if previous in DETERMINERS or lower in NOT_NAMES_LOWER or \
                        (previous in ("has", "have", "had", "'ve", "having", "'s") and lower in ("ben", "bin")) or \
                        (two_back in DETERMINERS and doc[token.i - 1].pos_ in ("ADJ", "VERB")):
                    continue  # "my job", "at uni", "a named link"
                # a first name that the dictionary knows only as a noun of its own ("harvey",
                # "fatima"): a name where the tagger or the NER takes it for one
                named = lower in lexicon and lower in noun_only and (
                    token.pos_ == "PROPN" or token.ent_type_ == "PERSON")
                if lower in lexicon and (not is_word or named) and token.pos_ not in FUNCTION_POS:
                    found.append((start, end, "PERSON", 0.9, {}))  # "stacey", "tomasz": names, not words
                elif (not is_word and (strong or weak or _lowercase_name_context(text, start, end)
                                       or _vocative(doc, token))) \
                        or (lower in lexicon and token.pos_ not in FUNCTION_POS and (
                            strong or _lowercase_name_context(text, start, end))):
                    found.append((start, end, "PERSON", 0.9, {}))  # "told jade", "so jade from the group"
                continue
            if not token.text[0].isupper() or token.text.isupper() or _typo(token.text, model):
                continue
            initial = _sentence_initial(doc, token)
            before_tok = doc[token.i - 1] if token.i > 0 else None
            after_tok = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if (token.pos_ == "PROPN" or not is_word) and (
                    (before_tok is not None and before_tok.text[:1].isupper() and not initial
                     and (before_tok.lower_ in lexicon or before_tok.ent_type_ == "PERSON"))
                    or (after_tok is not None and after_tok.ent_type_ == "PERSON" and after_tok.text[:1].isupper())):
                found.append((start, end, "PERSON", 0.6, {}))  # the other half of "Bethany Fitzgerald"
                continue
            if is_word and lower not in lexicon and not (initial and token.pos_ == "PROPN" and following in STRONG_AFTER):
                continue  # a dictionary word is a name only as a PROPN before "said", "rang"...
            if initial and is_word and not (token.pos_ == "PROPN" and following in NAME_CONTEXT_AFTER):
                continue  # "Will", "Rose", "Lewis" starting a sentence need more evidence
            if initial and not (following in NAME_CONTEXT_AFTER or token.pos_ == "PROPN"):
                continue
            kind = "PLACE" if previous in PLACE_BEFORE and lower not in lexicon else "PERSON"
            found.append((start, end, kind, 0.6, {}))
        return found + _lowercase_surnames(doc, found, dictionary)

    return find


def _lowercase_surnames(doc, found: list[tuple], dictionary: frozenset[str]) -> list[tuple]:
    """The surname after a lowercase first name already found ("sarah kowalczyk", "gemma wright"):
    a lowercase word that is a surname of Faker's lists or no dictionary word, not a function word."""
    starts = {start for start, _, kind, *_ in found if kind == "PERSON"}
    added = []
    for token in doc:
        if token.i == 0 or not token.text.islower() or len(token.text) < 2 or token.is_stop \
                or token.lower_ in NOT_NAMES_LOWER or not re.fullmatch(r"[a-z]+(?:['’-][a-z]+)?", token.text):
            continue
        previous = doc[token.i - 1]
        if previous.idx not in starts or not previous.text.islower() or token.idx != previous.idx + len(previous.text) + 1:
            continue
        word = token.lower_.replace("’", "'")
        is_word = _is_word(word, dictionary)
        if (word in _last_names() and token.pos_ not in FUNCTION_POS) or (not is_word and "'" not in word) \
                or re.fullmatch(r"(?:o|d)'[a-z]{3,}", word):  # "kowalczyk" (tagged anything), "o'brien"
            added.append((token.idx, token.idx + len(token.text), "PERSON", 0.9, {}))
    return added


#: Words after which a capitalised word is emphasis, never a name ("very Ill", "so Grateful").
INTENSIFIERS = frozenset(["very", "so", "really", "too", "quite", "extremely", "more", "most", "less", "least",
                          "incredibly", "absolutely", "totally", "bit", "how"])


def _dropped_g(lower: str, dictionary: frozenset[str]) -> bool:
    """A verb form with its g dropped, as speech is typed ("gettin", "nothin")."""
    return lower.endswith("in") and lower not in _first_names() and _is_word(f"{lower}g", dictionary)


#: Adjectives that are part of the names of places and organisations ("Royal Oldham", "North Tees").
NAME_ADJECTIVES = frozenset(["royal", "general", "north", "south", "east", "west", "northern", "southern", "eastern",
                             "western", "great", "greater", "new", "old", "upper", "lower", "central", "little",
                             "high", "low", "holy", "sacred", "national", "united", "st", "saint", "city", "county"])
#: Words that say where: a run of capitalised proper nouns after one is a place ("up Moss Side").
PLACE_PREPOSITIONS = PLACE_BEFORE | frozenset(["up", "down", "off", "via", "across"])


def _in_place_name(doc, token) -> bool:
    """Whether *token* is part of a run of two or more capitalised proper nouns right after a
    word that says where ("we live up Moss Side", "my dad's in Bishop Auckland")."""
    def capital(t) -> bool:
        return t.pos_ == "PROPN" and t.text[:1].isupper() and not t.text.isupper() and t.is_alpha

    if not capital(token):
        return False
    first = token.i
    while first > 0 and capital(doc[first - 1]):
        first -= 1
    last = token.i
    while last + 1 < len(doc) and capital(doc[last + 1]):
        last += 1
    return last > first and first > 0 and doc[first - 1].lower_ in PLACE_PREPOSITIONS and last - first < 3


def _signs_off(doc, token) -> bool:
    """Whether *token* signs a message off with kisses: "Bev x", "love, Jo xx"."""
    nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if nxt is None or not re.fullmatch(r"x{1,4}|xo+", nxt.text):
        return False
    after = doc[token.i + 2] if token.i + 2 < len(doc) else None
    return after is None or after.is_punct or after.is_quote or "\n" in after.text or after.is_space


def _vocative(doc, token) -> bool:
    """Whether *token* stands alone between a comma and the end of a sentence, as a name said
    to or about someone does ("it was ravi's wife, manpreet?", "thanks, jojo.")."""
    before = doc[token.i - 1] if token.i > 0 else None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return before is not None and before.text == "," and (after is None or after.text in (".", "?", "!", "..."))


#: "The", "Any"... run together with the next word in hasty writing ("Theparamedics").
FUNCTION_PREFIX = re.compile(r"^(?:The|Any|My|To|Of|And|In|On|For|With|Some)(?=[a-z]{4,}$)")


#: A pronoun run onto the word before it in hasty writing ("Thankyou").
FUNCTION_SUFFIX = re.compile(r"(?:you|u|all|me)$")
#: Little words that a doubled letter turns into something else ("Fromm").
SHORT_FUNCTION_WORDS = frozenset(["from", "the", "and", "with", "for", "but", "then", "than", "that", "this",
                                  "when", "what", "they", "them", "were", "was", "have", "had", "got", "get"])


def _typo(span: str, model: str) -> bool:
    """Whether a single-word span is two words run together or has a stray inner capital."""
    if " " in span.strip():
        return False
    if re.fullmatch(r"[a-z]+[A-Z][a-z]+", span) or re.search(r"[a-z]\.[a-z]", span):
        return True
    prefix = FUNCTION_PREFIX.match(span)
    if prefix and _is_word(span[prefix.end():].lower(), _dictionary_words(model)):
        return True
    lower = span.lower()
    together = FUNCTION_SUFFIX.search(lower)
    if together and _is_word(lower[:together.start()], _dictionary_words(model)):
        return True  # "Thankyou", "Seeyou"
    # a doubled letter on a little word, as hasty typing leaves it: "Fromm", "Thee", "Andd"
    return any(lower[i] == lower[i - 1] and lower[:i] + lower[i + 1:] in SHORT_FUNCTION_WORDS
               for i in range(1, len(lower)))


#: A pronoun, alone or with its contraction, with either apostrophe: never a name.
PRONOUN = re.compile(r"(?i)(?:i|you|he|she|we|they|it|that|there|here|who|what|let)(?:['’](?:m|re|s|ve|ll|d))?")


#: A personal title and one or two capitalised words: a person, whatever the model's label.
TITLED_NAME = re.compile(r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Doctor)\.?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?")


def _retype(text: str, finding: _Finding, model: str, doc=None) -> _Finding | None:
    """Second thoughts on the pipeline's entities: a single dictionary word starting a sentence
    or a list item ("Calmer.", "- Long, reflective") is not a name; a first name tagged as a
    place is a person; an entity running across a sentence end or a paragraph break ("I.
    Thanks") is noise."""
    if finding.detector != "spacy_ner":
        return finding
    span = text[finding.start:finding.end]
    if re.search(r"[.?!]\s|\n\s*\n", span) or _typo(span, model):
        return None  # across a sentence end or a paragraph break ("Memo\n\n- Long"): noise
    if PRONOUN.fullmatch(span.strip(" -,.;:!?")):
        return None  # "I’m- I’m always": the model, thrown by a curly apostrophe and a false start
    if finding.type != "PERSON" and TITLED_NAME.fullmatch(span):
        return replace(finding, type="PERSON")  # "Dr Penhallow" tagged an organisation
    tokens = doc.char_span(finding.start, finding.end, alignment_mode="expand") if doc is not None else None
    if tokens is not None and len(tokens):
        lead = 0
        while lead < len(tokens) and (tokens[lead].pos_ in ("VERB", "AUX", "ADV", "ADP", "PRON", "INTJ") or (
                (tokens[lead].pos_ == "ADJ" or tokens[lead].lower_ in _non_noun_words(model))
                and tokens[lead].lower_ not in NAME_ADJECTIVES and lead < len(tokens) - 1)) \
                and tokens[lead].lower_ not in _first_names() \
                and (tokens[lead].text.islower() or _is_word(tokens[lead].lower_, _dictionary_words(model))):
            lead += 1  # "rang Mohammed", "Gave us", "Fantastic Health Visitor": verbs and adjectives are not
            # part of a name ("Sparkbrook" tagged a verb is; "Royal", "North" are)
        if lead == len(tokens):
            return None
        if lead:
            finding = replace(finding, start=tokens[lead].idx)
            span = text[finding.start:finding.end]
    words = span.split()
    if len(words) == 1 and words[0].lower() in COMMON_WORD_NAMES and \
            not _is_name_in_context(text, finding.start, finding.end, doc):
        return None  # "Grace periods", "Will this...": the same rule as for known names
    if len(words) == 1:
        lower = words[0].lower().removesuffix("'s")
        dictionary, lexicon = _dictionary_words(model), _first_names()
        sentence_start = _starts_sentence(text, finding.start)  # or a list item: "- Long, reflective"
        lemma = tokens[0].lemma_.lower() if tokens is not None and len(tokens) else lower
        if sentence_start and (_is_word(lower, dictionary) or lemma in dictionary) and lower not in lexicon:
            return None
        previous = doc[tokens[0].i - 1].lower_ if tokens is not None and len(tokens) and tokens[0].i > 0 else ""
        if _is_word(lower, dictionary) and lower not in lexicon and (
                previous in INTENSIFIERS or _dropped_g(lower, dictionary)
                or (lower in _non_noun_words(model) and previous not in ("and", "&", "of", "the"))):
            return None  # emphasis in hasty writing: "he was very Ill", "Gettin seen", "Transgender"
        if finding.type in ("PLACE", "ORG") and lower in lexicon and (
                lower not in dictionary or finding.type == "ORG"):
            return replace(finding, type="PERSON")  # "in touch with Grace" tagged an organisation
    before = re.findall(r"[A-Za-z']+", text[max(0, finding.start - 20):finding.start])
    first = words[0].lower() if words else ""
    if before and before[-1].lower() in PLACE_PREPOSITIONS and first not in _first_names() and \
            finding.type in ("PERSON", "ORG") and not ORG_WORDS.search(span):
        return replace(finding, type="PLACE")
    return finding




#: Linking words inside place names ("Stoke on Trent", "Barrow in Furness").
LINKING = frozenset(["upon", "on", "in", "under", "le", "by", "the", "of", "and", "with", "next", "sea"])
#: Words after which a place name that is also a word is the place ("moved to Bury").
GAZETTEER_BEFORE = PLACE_PREPOSITIONS | frozenset(["near", "outside", "round", "around"])


def _gazetteer_finder(allow: frozenset[str], model: str):
    """Towns, villages and districts of the UK from a gazetteer (:func:`_gb_places`), in any
    case, as lowercase transcription writes them ("we moved to oldham", "over in cramlington").
    A place that is also a dictionary word ("Bury", "Church", "Street") only capitalised, after
    a word that says where and not at the start of a sentence; a place that is a first name
    ("Stanley", "Beverley") is left to the name detectors; none after a determiner."""
    places, dictionary, lexicon = _gb_places(), _dictionary_words(model), _first_names()
    starts = frozenset(re.split(r"[\s-]", place)[0] for place in places)

    def find(text, nlp_artifacts):
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        found, taken = [], -1
        for i, token in enumerate(doc):
            if i <= taken or token.lower_ not in starts or not token.is_alpha \
                    or (i > 0 and doc[i - 1].lower_ in DETERMINERS - {"at", "of"}):
                continue
            for n in (4, 3, 2, 1):  # the longest name first: "east ham" before "ham"
                if i + n > len(doc):
                    continue
                last = doc[i + n - 1]
                span = text[token.idx:last.idx + len(last.text)]
                key = " ".join(span.lower().split())
                if key not in places or not last.is_alpha or key in allow or key in MONTH_NAMES:
                    continue
                words = key.replace("-", " ").split()
                if n == 1 and key in lexicon:
                    break
                if all(_is_word(w, dictionary) or w in LINKING for w in words) and not (
                        span[:1].isupper() and i > 0 and doc[i - 1].lower_ in GAZETTEER_BEFORE
                        and not _sentence_initial(doc, token)):
                    break
                found.append((token.idx, token.idx + len(span), "PLACE", 0.9, {}))  # above the NER's 0.85
                taken = i + n - 1
                break
        return found

    return find
