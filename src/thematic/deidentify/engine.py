"""Presidio's analyzer on the project's spaCy pipeline, with this package's recognizers."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import lru_cache

from thematic.deidentify.initials import find_initials
from thematic.deidentify.known_names import KnownNames, with_name_parts
from thematic.deidentify.model import IDENTIFIER_TYPES, Identifier, _Finding
from thematic.deidentify.names import _gazetteer_finder, _known_names_finder, _lexicon_finder, _retype
from thematic.deidentify.patterns import (
    _find_ages,
    _find_dates,
    _find_emails,
    _find_form_names,
    _find_orgs,
    _find_phones,
    _find_places,
)
from thematic.deidentify.phones import find_phones
from thematic.deidentify.resolve import _allowed_phrases, propagate, resolve, without_allowed_lead
from thematic.deidentify.speech_names import enabled as speech_names_enabled
from thematic.deidentify.speech_names import finder as speech_names_finder
from thematic.deidentify.speech_names import load_pipeline_with
from thematic.deidentify.spoken import find_spoken
from thematic.deidentify.words import DEFAULT_ALLOW, _dictionary_words, _first_names, _is_word, _noun_only_words

# --- Presidio recognizers --------------------------------------------------------------------

def _import_presidio() -> None:
    """Import Presidio without its Hugging Face engine and without torch.

    ``presidio_analyzer.nlp_engine`` imports ``transformers.pipeline`` whenever transformers is
    installed (the ``[embed]`` extra brings it), which takes about ten seconds here and is
    never used: our NLP engine is spaCy. Its device detector imports torch (about four seconds)
    to look for a GPU our spaCy pipeline would not use. Presidio falls back quietly when either
    import fails (to its spaCy engine, and to the CPU), so both are hidden while Presidio loads
    and are importable again afterwards.
    """
    if "presidio_analyzer" in sys.modules:
        return
    hidden = [name for name in ("transformers", "torch") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes 'import torch' or 'from transformers import ...' raise ImportError
    try:
        import presidio_analyzer  # noqa: F401
        import presidio_analyzer.nlp_engine  # noqa: F401
    finally:
        for name in hidden:
            sys.modules.pop(name, None)


def _recognizer_classes():
    """Import Presidio lazily (it is slow to import) and define our recognizers on it."""
    _import_presidio()
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    class RegexRecognizer(EntityRecognizer):
        """Findings of a function ``find(text) -> [(start, end, type, score, extra)]``."""

        def __init__(self, name: str, entities: list[str], find):
            self._find = find
            super().__init__(supported_entities=entities, name=name, supported_language="en")

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [RecognizerResult(kind, start, end, score,
                                     recognition_metadata={"recognizer_name": self.name,
                                                           "detector": self.name, **extra})
                    for start, end, kind, score, extra in self._find(text, nlp_artifacts)]

    return RegexRecognizer


def _no_context_enhancer():
    """Presidio's context enhancer deep-copies every result to raise scores near context words;
    our scores are fixed by the recognizers (checksums, patterns, context rules), so skip it."""
    _import_presidio()
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class NoContextEnhancer(ContextAwareEnhancer):
        def __init__(self):
            super().__init__(context_similarity_factor=0, min_score_with_context_similarity=0,
                             context_prefix_count=0, context_suffix_count=0)

        def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            return raw_results

    return NoContextEnhancer()


@lru_cache(maxsize=4)
def build_analyzer(model: str = "en_core_web_sm", *, speech_names: bool = False):
    """Presidio's AnalyzerEngine on our spaCy pipeline (parser disabled), with the built-in
    recognizers this package uses. Known names are added per call. With *speech_names*, the
    pipeline also runs the name recogniser trained on speech (:mod:`~thematic.deidentify.speech_names`)
    and its names are findings of detector ``speech_names``."""
    _import_presidio()
    from presidio_analyzer import AnalyzerEngine, Pattern, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import NhsRecognizer, SpacyRecognizer
    from presidio_analyzer.predefined_recognizers.country_specific.uk.uk_postcode_recognizer import (
        UkPostcodeRecognizer,
    )

    from thematic.nlp import load_pipeline

    pipeline = load_pipeline_with(model) if speech_names else load_pipeline(model, disable=("parser",))

    class ThematicSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine on the pipeline thematic loaded (not en_core_web_lg)."""

        def load(self) -> None:
            self.nlp = {"en": pipeline}

    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE",
                                          "LOC": "PLACE", "FAC": "PLACE"},
        labels_to_ignore=["DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY",
                          "PERCENT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT"],
        default_score=0.85)
    engine = ThematicSpacyEngine(models=[{"lang_code": "en", "model_name": model}],
                                 ner_model_configuration=ner_config)
    engine.load()
    RegexRecognizer = _recognizer_classes()
    recognizers = [
        SpacyRecognizer(supported_entities=["PERSON", "ORG", "PLACE"], name="spacy_ner"),
        NhsRecognizer(supported_entity="NHS_NUMBER", name="nhs_number"),
        UkPostcodeRecognizer(supported_entity="POSTCODE", name="uk_postcode",
                             patterns=[Pattern("UK postcode", UkPostcodeRecognizer.PATTERNS[0].regex, 0.9)]),
        RegexRecognizer("email", ["EMAIL"], _find_emails),
        RegexRecognizer("uk_phone", ["PHONE"], lambda text, doc: [*find_phones(text), *_find_phones(text, doc)]),
        RegexRecognizer("spoken", ["PHONE", "NHS_NUMBER", "POSTCODE", "EMAIL", "PERSON"],
                        lambda text, doc: find_spoken(text, doc, allow=DEFAULT_ALLOW)),
        RegexRecognizer("date", ["DATE", "DATE_OF_BIRTH"], _find_dates),
        RegexRecognizer("age", ["AGE"], _find_ages),
        RegexRecognizer("org_suffix", ["ORG"], _find_orgs),
        RegexRecognizer("place_pattern", ["PLACE", "ORG"], _find_places),
        RegexRecognizer("form_field", ["PERSON"], _find_form_names),
        RegexRecognizer("initials", ["PERSON"], find_initials),
    ]
    if speech_names:
        recognizers.append(RegexRecognizer("speech_names", ["PERSON"], speech_names_finder(model)))
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                              context_aware_enhancer=_no_context_enhancer())
    return analyzer


# --- from findings to identifiers --------------------------------------------------------------

def find_identifiers(text: str, *, known_names: KnownNames | None = None, interview_id: str | None = None,
                     model: str = "en_core_web_sm", score_threshold: float = 0.5,
                     use_lexicon: bool = True, speech_names: bool | None = None) -> list[Identifier]:
    """Find the identifiers in *text*: non-overlapping spans with type, detector, score and a
    placeholder that is the same for every mention of one entity in this text.

    Parameters
    ----------
    text
        The transcript (or any text); offsets index into it unchanged.
    known_names
        The researcher's known names and allow-list (:func:`load_known_names`).
    interview_id
        Restricts interview-specific known names (family members) to their interview.
    model
        spaCy pipeline for Presidio's NER and the context rules.
    score_threshold
        Findings scoring below are dropped (NHS numbers without a valid checksum never pass).
    use_lexicon
        Also look for lowercase first names from a census name list.
    speech_names
        Also run the name recogniser trained on speech; None: as the environment variable
        ``THEMATIC_SPEECH_NAMES`` says, else wherever *model* is the pipeline it was trained
        with (:func:`thematic.deidentify.speech_names.enabled`).
    """
    return find_identifiers_batch([text], known_names=known_names, interview_ids=[interview_id],
                                  model=model, score_threshold=score_threshold, use_lexicon=use_lexicon,
                                  speech_names=speech_names)[0]


def find_identifiers_batch(texts: Sequence[str], *, known_names: KnownNames | None = None,
                           interview_ids: Sequence[str | None] | None = None,
                           model: str = "en_core_web_sm", score_threshold: float = 0.5,
                           use_lexicon: bool = True, speech_names: bool | None = None) -> list[list[Identifier]]:
    """:func:`find_identifiers` for many texts, running spaCy over them in one ``pipe``."""
    analyzer = build_analyzer(model, speech_names=speech_names_enabled(speech_names, model=model))
    known_names = known_names or KnownNames()
    interview_ids = list(interview_ids) if interview_ids is not None else [None] * len(texts)
    allow = DEFAULT_ALLOW | known_names.allow
    RegexRecognizer = _recognizer_classes()
    lexicon = RegexRecognizer("name_lexicon", ["PERSON"], _lexicon_finder(allow, model)) if use_lexicon else None
    gazetteer = RegexRecognizer("place_gazetteer", ["PLACE"], _gazetteer_finder(allow, model)) if use_lexicon else None
    artifacts = analyzer.nlp_engine.process_batch(list(texts), language="en", batch_size=32)
    finders: dict[KnownNames, object] = {}
    dictionary = _dictionary_words(model)
    is_word = lambda word: _is_word(word, dictionary)  # noqa: E731
    first_names = _first_names()
    noun_only = _noun_only_words(model)
    results = []
    for (text, nlp_artifacts), interview_id in zip(artifacts, interview_ids, strict=True):
        own = known_names.for_interview(interview_id)
        if own not in finders:
            # a part that is a word ("Baker", "Bob") keeps the context rules, unless the
            # dictionary has it only as a noun of its own and it is a first name ("Harvey")
            expanded = with_name_parts(own, is_word=lambda w: is_word(w) and not (w in noun_only and w in first_names))
            finders[own] = RegexRecognizer("known_names", list(IDENTIFIER_TYPES), _known_names_finder(expanded))
        ad_hoc = [finders[own]]
        if lexicon is not None:
            ad_hoc += [lexicon, gazetteer]
        findings = analyzer.analyze(text, language="en", nlp_artifacts=nlp_artifacts,
                                    score_threshold=score_threshold, ad_hoc_recognizers=ad_hoc)
        phrases = _allowed_phrases(text, allow)
        findings = [_retype(text, without_allowed_lead(text, _from_presidio(f), phrases), model, nlp_artifacts.tokens)
                    for f in findings]
        found = resolve(text, [f for f in findings if f is not None], allow=allow)
        results.append(propagate(text, found, allow=allow, is_word=is_word, is_first_name=first_names.__contains__))
    return results


def _from_presidio(result) -> _Finding:
    meta = result.recognition_metadata or {}
    detector = meta.get("detector") or meta.get("recognizer_name") or "presidio"
    return _Finding(result.start, result.end, result.entity_type, detector, float(result.score),
                    meta.get("placeholder", ""), meta.get("entity", ""))


