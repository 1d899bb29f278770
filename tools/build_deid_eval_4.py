"""Write the fourth de-identification evaluation set, held out as a whole and built blind.

Usage::

    python tools/build_deid_eval_4.py   # benchmarks/deid-eval-4/utterances.txt -> test.jsonl

The source, ``benchmarks/deid-eval-4/utterances.txt``, is hand-written and synthetic (every
person, number, address, handle and local service invented for thematic; real towns and cities
as settings), by someone who had read neither the rules (``src/thematic/deidentify/``) nor
their tests, in registers no earlier set uses: interviews with professionals about cases and
colleagues (service managers, speech and language therapists, housing officers, school nurses,
interpreters, police liaison, pharmacists); focus groups with speaker labels in several layouts
(``P3:``, ``[Facilitator]``, ``SPEAKER_02 00:14:31``, ``Interviewer -``) and overlapping
speech; field notes, e-mails, text messages and social-media posts (handles, hashtags) quoted
in interviews; Scottish, Welsh, Irish, Nigerian and South Asian English with curly quotes,
guillemets, dashes, ellipsis characters, several apostrophes, shouting and Title Case; names of
other origins (Vietnamese, Tamil, Sinhala, Nepali, Akan, Shona, Tigrinya, Kurdish, Brazilian,
Lithuanian and Latvian, Roma and Irish Traveller, Filipino, Cantonese, Hebrew, Greek, Turkish)
with particles and double-barrelled surnames; partial postcodes; and look-alikes of other kinds
(days, months, festivals, religions, nationalities, job titles, service types...).

It uses the markup, parser, span checks and writer of :mod:`build_deid_eval` (see
:func:`build_deid_eval.check_row`); its known-names list is
``benchmarks/deid-eval-4/known-names.yaml``. Held out: nobody tunes rules on it, and its
misses and false positives are not looked at one by one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_deid_eval import build_held_out, held_out_main, known_surfaces  # noqa: E402,F401  (the one parser, checks and writer)

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval-4"
SOURCE = FOLDER / "utterances.txt"
PREFIX = "t4-"


def build(source: Path = SOURCE, *, known: dict) -> list[dict]:
    """Parse and check the source: one row per utterance, in source order, ids ``t4-001``..."""
    return build_held_out(source, known=known, prefix=PREFIX)


if __name__ == "__main__":
    sys.exit(held_out_main(FOLDER, prefix=PREFIX, split="test-4"))
