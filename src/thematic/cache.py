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
import inspect
import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import joblib
from joblib.hashing import NumpyHasher

from thematic import __version__, io

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder (parsed documents, cached results).
CACHE_ENV = "THEMATIC_CACHE_DIR"
Func = TypeVar("Func", bound=Callable)


def cache_root() -> Path:
    """``$THEMATIC_CACHE_DIR``, else ``.cache/thematic`` in the project root: every cache's parent."""
    configured = os.environ.get(CACHE_ENV)
    return io.resolve(configured) if configured else io.project_root() / ".cache" / "thematic"


def results_dir() -> Path:
    """Where :func:`cached` results go: ``results/`` in :func:`cache_root`."""
    return cache_root() / "results"


def code_fingerprint(*modules: ModuleType) -> str:
    """A short hash of thematic's version, the modules' source and the numeric libraries' versions."""
    import numpy
    import pandas
    import sklearn

    digest = hashlib.sha256(f"{__version__} {numpy.__version__} {pandas.__version__} "
                            f"{sklearn.__version__}".encode())
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


class _StableHasher(NumpyHasher):
    """joblib's hasher, with frozensets hashed in a fixed order as it hashes sets: Python orders
    a set of strings differently in every process, so joblib's own hash of one (inside a
    dataclass of known names, say) would never find a result stored by another process."""

    dispatch = NumpyHasher.dispatch.copy()
    dispatch[frozenset] = NumpyHasher.save_set


def stable_hash(value: object) -> str:
    """The MD5 of *value* as joblib hashes it, the same in every process."""
    return _StableHasher(hash_name="md5").hash(value)


def cached(func: Func, *, depends_on: tuple[ModuleType, ...] = (), location: str | Path | None = None) -> Func:
    """*func* wrapped so that a call with equal arguments returns the stored result.

    Parameters
    ----------
    func
        A deterministic function (same arguments, same result).
    depends_on
        Modules whose code the result depends on besides *func*'s own (for example the module
        of the estimator it fits); a change to any of them starts a new cache.
    location
        Cache folder (default :func:`results_dir`).

    Each result is stored as ``<location>/<code fingerprint>/<module.function>/<key>.pkl``,
    where the key is :func:`stable_hash` of the arguments (bound to the signature, defaults
    applied, so ``f(1)`` and ``f(x=1)`` are one call); the arguments themselves are never stored.
    """
    module = inspect.getmodule(func)
    modules = tuple(dict.fromkeys([*([module] if module else []), *depends_on]))
    folder = (Path(location) if location else results_dir()) / code_fingerprint(*modules) / \
        f"{func.__module__}.{func.__qualname__}"
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        path = folder / f"{stable_hash(dict(bound.arguments))}.pkl"
        if path.is_file():
            try:
                return joblib.load(path)
            except Exception as error:  # noqa: BLE001 - an unreadable entry is computed again
                log.warning("cached result %s is unreadable (%s); computing it again", path, error)
        result = func(*args, **kwargs)
        with io.atomic_path(path) as tmp:
            joblib.dump(result, tmp)
        return result

    return wrapper  # type: ignore[return-value]
