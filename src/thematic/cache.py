"""Results of slow, deterministic steps, cached by their inputs and by the code computing them.

Cross-validation and learning curves give the same figures for the same data, parameters and
code, so a warm report reuses them (as the parse cache reuses parsed documents). The cache key
is joblib's hash of the call's arguments; the cache folder is named by a fingerprint of the
source of the modules given and the versions of the libraries that compute, so editing that
code or upgrading the library starts a fresh cache rather than returning stale figures.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from joblib import Memory

from thematic import __version__, io

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
    """
    module = inspect.getmodule(func)
    modules = tuple(dict.fromkeys([*([module] if module else []), *depends_on]))
    folder = Path(location) if location else results_dir()
    memory = Memory(location=str(folder / code_fingerprint(*modules)), verbose=0)
    return memory.cache(func)
