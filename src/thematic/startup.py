"""What importing thematic does first: keep spaCy from importing torch it never uses.

spaCy imports thinc, and thinc imports torch whenever it is installed (it is, for the optional
sentence embeddings) to offer its PyTorch layers: about 4 seconds of every notebook kernel's
start on this project's machines, for pipelines (``en_core_web_sm`` and the like) that have no
PyTorch layer. So, before anything imports spaCy, :func:`thinc_without_torch` imports thinc's
compatibility module with torch hidden, then un-hides it: thinc then runs without its PyTorch
shims, and ``import torch`` (sentence embeddings) works as ever when something asks for it.

Not done when a spaCy transformer package is installed (``spacy-transformers``,
``spacy-curated-transformers``: their pipelines need thinc's PyTorch layers), when thinc or torch
is already imported, or when ``THEMATIC_THINC_TORCH=1`` is set.
"""

from __future__ import annotations

import importlib.util
import os
import sys

#: Environment variable: set to 1 to let thinc import torch as usual.
KEEP_TORCH_ENV = "THEMATIC_THINC_TORCH"
#: spaCy packages whose pipelines run PyTorch layers through thinc.
TORCH_PIPELINES = ("spacy_transformers", "spacy_curated_transformers")


def thinc_without_torch() -> bool:
    """Import ``thinc.compat`` with torch hidden (see the module docstring); True if done."""
    if os.environ.get(KEEP_TORCH_ENV) == "1" or "thinc" in sys.modules or "torch" in sys.modules:
        return False
    if importlib.util.find_spec("thinc") is None:
        return False
    if any(importlib.util.find_spec(name) is not None for name in TORCH_PIPELINES):
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError
    try:
        import thinc.compat  # noqa: F401
    finally:
        del sys.modules["torch"]
    return True
