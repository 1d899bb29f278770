"""Write the fifth de-identification evaluation set, held out as a whole and built blind.

Usage::

    python tools/build_deid_eval_5.py   # benchmarks/deid-eval-5/utterances.txt -> test.jsonl

The source, ``benchmarks/deid-eval-5/utterances.txt``, is hand-written and synthetic (every
person, number, address and local service invented for thematic; real towns and cities as
settings; no name generator used), by someone who had read neither the rules
(``src/thematic/deidentify/``) nor their tests nor the earlier sets' texts. It is weighted
towards people's names (about 60% of its identifiers), the kind a statistical name recogniser
is judged on, and written in registers no earlier set uses: raw speech-to-text output (no
capitals or punctuation, fillers, names split or merged by the recogniser); telephone
interviews with crosstalk and repairs; grandparents and kinship carers; fathers in prison and
in the forces; young parents' slang and texting style; interpreters relaying speech in the
third person; children's names in nursery and school talk; names in possessives, reported
speech, lists, vocatives, spelled out and after titles, with diminutives of other languages;
names that are English words (Summer, Rose, Hope, Will...) beside the same words as words; and
capitalised look-alikes (national bodies, brands, medicines, apps, programmes, festivals...).

It uses the markup, parser, span checks and writer of :mod:`build_deid_eval` (see
:func:`build_deid_eval.check_row`); its known-names list is
``benchmarks/deid-eval-5/known-names.yaml``. Held out: nobody tunes rules on it, and its
misses and false positives are not looked at one by one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_deid_eval import build_held_out, held_out_main, known_surfaces  # noqa: E402,F401  (the one parser, checks and writer)

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval-5"
SOURCE = FOLDER / "utterances.txt"
PREFIX = "t5-"


def build(source: Path = SOURCE, *, known: dict) -> list[dict]:
    """Parse and check the source: one row per utterance, in source order, ids ``t5-001``..."""
    return build_held_out(source, known=known, prefix=PREFIX)


if __name__ == "__main__":
    sys.exit(held_out_main(FOLDER, prefix=PREFIX, split="test-5"))
