"""Importing thematic and loading a spaCy pipeline imports neither torch nor transformers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

CHECK = """
import sys
import thematic
from thematic.nlp import load_pipeline
from thematic.deidentify import find_identifiers
nlp = load_pipeline("en_core_web_sm")
found = find_identifiers("Sarah Jones rang from Leeds on 07700 900 123.")
import thinc.compat
print(sorted({i.type for i in found}), "torch" in sys.modules, "transformers" in sys.modules, thinc.compat.has_torch)
import torch
print(torch.tensor([1.0, 2.0]).sum().item())
"""


def _run(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    return done.stdout.strip().splitlines()


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_spacy_and_presidio_load_without_torch_which_still_imports_when_asked():
    found, tensor = _run({})
    assert found == "['PERSON', 'PHONE', 'PLACE'] False False False" and tensor == "3.0"
    kept, _ = _run({"THEMATIC_KEEP_IMPORTS": "1"})  # the hook can be switched off
    assert kept.startswith("['PERSON', 'PHONE', 'PLACE'] True")
