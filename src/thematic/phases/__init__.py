"""The phases of the analysis as functions, one module per notebook.

Each takes a study (its data folder, :class:`~thematic.study.Study` or a loaded Dataset) and
the notebook's parameters, and returns a :class:`~thematic.phases.base.PhaseResult` that
:meth:`thematic.present.Publisher.show` displays and saves; tests call them directly.

======================  ==========================  ====================================
notebook                function                    module
======================  ==========================  ====================================
``00-prepare``          :func:`prepare`             :mod:`thematic.phases.prepare`
``01-familiarisation``  :func:`familiarise`         :mod:`thematic.phases.familiarise`
``02-code-suggestions`` :func:`suggest_codes`       :mod:`thematic.phases.suggest`
``03-theme-mapping``    :func:`map_themes`          :mod:`thematic.phases.themes`
``04-triangulation``    :func:`triangulate_themes`  :mod:`thematic.phases.triangulate`
======================  ==========================  ====================================

A function's module is imported when the function is first asked for
(``phases.map_themes``, ``from thematic.phases import map_themes``), so a notebook's kernel
imports what its own phase needs and not the libraries of the others (scikit-learn, spaCy).
``prepare`` and ``familiarise`` have the names of their modules: the package keeps the
function under that name when the module is imported.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from thematic.phases.base import PhaseResult

if TYPE_CHECKING:
    from thematic.phases.familiarise import familiarise
    from thematic.phases.prepare import prepare
    from thematic.phases.suggest import suggest_codes
    from thematic.phases.themes import map_themes
    from thematic.phases.triangulate import triangulate_themes

#: Each phase function and the module defining it (imported at first use).
MODULES = {
    "prepare": "thematic.phases.prepare",
    "familiarise": "thematic.phases.familiarise",
    "suggest_codes": "thematic.phases.suggest",
    "map_themes": "thematic.phases.themes",
    "triangulate_themes": "thematic.phases.triangulate",
}

__all__ = ["PhaseResult", "familiarise", "map_themes", "prepare", "suggest_codes", "triangulate_themes"]


def __getattr__(name: str) -> Any:
    if name not in MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    function = getattr(importlib.import_module(MODULES[name]), name)
    setattr(sys.modules[__name__], name, function)
    return function


def __dir__() -> list[str]:
    return sorted({*globals(), *MODULES})


class _Package(types.ModuleType):
    """This package: importing the module ``thematic.phases.prepare`` sets the package's
    ``prepare`` to its function ``prepare``, not to the module (as for ``familiarise``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and MODULES.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
