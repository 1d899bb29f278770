"""Benchmarks that print their figures: ``thematic bench [NAME ...]``.

Each module in this package measures one concern and registers a function with
:func:`register`. A benchmark returns a :class:`BenchResult` whose measures carry their
target, so the printed table says which targets are met. Speed figures are ratios measured in
the same run (this machine is shared and noisy), never absolute seconds compared to constants.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Measure:
    """One printed figure: its value, unit and, where there is one, the target it must meet."""

    name: str
    value: float
    unit: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class BenchResult:
    """What one benchmark measured, with notes on how (sizes, split, seed)."""

    name: str
    measures: list[Measure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str = "", *, at_least: float | None = None,
            at_most: float | None = None) -> Measure:
        """Record a figure and, with ``at_least`` or ``at_most``, whether it meets its target."""
        target, met = "", None
        if at_least is not None:
            target, met = f">= {at_least:g}", bool(value >= at_least)
        elif at_most is not None:
            target, met = f"<= {at_most:g}", bool(value <= at_most)
        measure = Measure(name, float(value), unit, target, met)
        self.measures.append(measure)
        return measure

    def table(self) -> pd.DataFrame:
        rows = [{"benchmark": self.name, "measure": m.name, "value": m.value, "unit": m.unit,
                 "target": m.target, "met": "" if m.met is None else ("yes" if m.met else "NO")}
                for m in self.measures]
        return pd.DataFrame(rows, columns=["benchmark", "measure", "value", "unit", "target", "met"])


#: name -> function(quick: bool) -> BenchResult, filled by the modules of this package.
BENCHMARKS: dict[str, Callable[..., BenchResult]] = {}


def register(name: str):
    """Decorator: make ``func(*, quick=False) -> BenchResult`` runnable as ``thematic bench name``."""

    def decorate(func: Callable[..., BenchResult]) -> Callable[..., BenchResult]:
        BENCHMARKS[name] = func
        return func

    return decorate


def discover() -> dict[str, Callable[..., BenchResult]]:
    """Import every module of this package so that their benchmarks register themselves."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(BENCHMARKS.items()))
