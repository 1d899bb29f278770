"""Per-document work run in parallel through joblib.

Parsing and de-identification treat each transcript on its own, so they go through
:func:`map_documents`. ``n_jobs=1`` runs in-process (the default: deterministic, no start-up
cost); ``n_jobs=-1`` uses every core. Because this is joblib, a team whose corpus outgrows one
machine can run the same code on a Dask cluster with
``with joblib.parallel_backend("dask"): ...`` around the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, TypeVar

from joblib import Parallel, delayed
from pydantic import AfterValidator

from thematic.parameters import Parameter

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_documents(func: Callable[[Item], Result], items: Iterable[Item], *, n_jobs: int = 1,
                  batch_size: int | str = "auto") -> list[Result]:
    """Apply ``func`` to each item, in order, with ``n_jobs`` workers; return the results."""
    items = list(items)
    if n_jobs == 1 or len(items) <= 1:
        return [func(item) for item in items]
    return Parallel(n_jobs=n_jobs, batch_size=batch_size)(delayed(func)(item) for item in items)


def _workers(value: int) -> int:
    if value == 0 or value < -1:
        raise ValueError("must be 1 or more (worker processes), or -1 for every core")
    return value


#: A number of workers as joblib takes it: 1 or more, or -1 for every core (0 means nothing).
NJobs = Annotated[int, AfterValidator(_workers)]
PARAMETERS = (Parameter("n_jobs", NJobs, "the number of worker processes (1 or more, -1: every core)"),)
