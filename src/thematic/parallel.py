"""Per-document work run in parallel through joblib.

Parsing and de-identification treat each transcript on its own, so they go through
:func:`map_documents`. ``n_jobs=1`` runs in-process (the default: deterministic, no start-up
cost); ``n_jobs=-1`` uses every core. Because this is joblib, a team whose corpus outgrows one
machine can run the same code on a Dask cluster with
``with joblib.parallel_backend("dask"): ...`` around the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from joblib import Parallel, delayed

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_documents(func: Callable[[Item], Result], items: Iterable[Item], *, n_jobs: int = 1,
                  batch_size: int | str = "auto") -> list[Result]:
    """Apply ``func`` to each item, in order, with ``n_jobs`` workers; return the results."""
    items = list(items)
    if n_jobs == 1 or len(items) <= 1:
        return [func(item) for item in items]
    return Parallel(n_jobs=n_jobs, batch_size=batch_size)(delayed(func)(item) for item in items)
