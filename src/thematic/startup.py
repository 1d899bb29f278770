"""What importing thematic does first: keep spaCy from importing torch and transformers it
never uses.

Two imports cost every notebook kernel seconds on this project's machines, for nothing:

- spaCy imports thinc, whose ``compat`` module imports torch whenever it is installed (it is,
  for the optional sentence embeddings) to offer PyTorch layers that pipelines such as
  ``en_core_web_sm`` do not have (about 4 s);
- loading any spaCy pipeline imports every package that registers spaCy factories, among
  them ``presidio_analyzer``, whose NLP engines import transformers (about 10 s) and whose
  device detector imports torch to look for a GPU; thematic runs Presidio on spaCy, on the CPU.

:func:`hide_unused_imports` registers an import hook that runs those modules, when something
first imports them, with ``import torch`` and ``import transformers`` failing (both libraries
fall back quietly), then un-hides them: ``import torch`` (sentence embeddings) works as ever
when something asks for it. Nothing is imported before it is needed.

thinc keeps torch when a spaCy transformer package is installed (``spacy-transformers``,
``spacy-curated-transformers``: their pipelines need its PyTorch layers); nothing is hidden
from a module already imported, or when ``THEMATIC_KEEP_IMPORTS=1`` is set.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

#: Environment variable: set to 1 to leave every import as it is.
KEEP_ENV = "THEMATIC_KEEP_IMPORTS"
#: spaCy packages whose pipelines run PyTorch layers through thinc.
TORCH_PIPELINES = ("spacy_transformers", "spacy_curated_transformers")
#: Module -> the imports hidden while it runs.
HIDDEN = {
    "thinc.compat": ("torch",),
    "presidio_analyzer": ("torch", "transformers"),
    "presidio_analyzer.nlp_engine": ("torch", "transformers"),
}


class _Hiding(importlib.abc.Loader):
    """Runs a module with the imports *hidden* failing (those not imported elsewhere yet)."""

    def __init__(self, loader: importlib.abc.Loader, hidden: tuple[str, ...]):
        self.loader = loader
        self.hidden = hidden

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        hidden = [name for name in self.hidden if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # "import name" raises ImportError
        try:
            self.loader.exec_module(module)
        finally:
            for name in hidden:
                sys.modules.pop(name, None)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the modules of :data:`HIDDEN` through the other finders and gives each a
    :class:`_Hiding` loader; removes itself when none is left to find."""

    def __init__(self, modules: dict[str, tuple[str, ...]]):
        self.modules = dict(modules)

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        hidden = self.modules.pop(name)
        if not self.modules:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _Hiding(spec.loader, hidden)
                return spec
        return None


def hide_unused_imports() -> bool:
    """Register the import hook (see the module docstring); True if registered."""
    if os.environ.get(KEEP_ENV) == "1" or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    modules = {name: hidden for name, hidden in HIDDEN.items() if name not in sys.modules}
    if any(importlib.util.find_spec(name) is not None for name in TORCH_PIPELINES):
        modules.pop("thinc.compat", None)
    if not modules:
        return False
    sys.meta_path.insert(0, _Finder(modules))
    return True
