"""Write the third de-identification evaluation set, held out as a whole.

Usage::

    python tools/build_deid_eval_3.py   # benchmarks/deid-eval-3/utterances.txt -> test.jsonl

The source, ``benchmarks/deid-eval-3/utterances.txt``, is hand-written and synthetic (every
person, number and address invented for thematic), in registers the first two sets do not use:
telephone interviews with fathers (some speaking English as a second language) and with
grandparents in Wales, Scotland and Northern Ireland; handover and supervision notes read aloud;
safeguarding-meeting minutes with capitalised headings and initials; unpunctuated lowercase
automatic transcription; timestamps, crosstalk, fillers, false starts and repeated words;
structured identifiers in other spellings (spoken digits, dots, dashes, brackets, ``+44`` and
``0044``, postcodes without a space, e-mail addresses said aloud); ages and dates of birth in
other wordings; names that are words, nicknames and initials; and look-alikes that must survive.
Its markup is that of :mod:`build_deid_eval` (``[[TYPE/kind*:text]]``, ``{{text/kind}}``),
parsed by the same function; its known-names list is ``benchmarks/deid-eval-3/known-names.yaml``.

Besides the NHS checksum and balanced markup checked by the parser, every span is checked
(:func:`build_deid_eval.check_row`, shared with the fourth set's builder):
its text is what the markup wrapped, it neither starts nor ends with a space, no two spans
overlap, a span marked known (``*``) is on the known-names list and one not marked is not, and
every whole-word mention of a known name, or of a person, place or organisation labelled elsewhere
in the same utterance, lies inside a labelled span (so the list and the labels agree). The output has the format of ``benchmarks/deidentify-utterances.jsonl``: a
header line with the known-names mapping, then one JSON object per utterance. The whole set is
held out: nobody tunes rules on it, and its errors are not looked at one by one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_deid_eval import build_held_out, held_out_main, known_surfaces  # noqa: E402,F401  (the one parser, checks and writer)

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "deid-eval-3"
SOURCE = FOLDER / "utterances.txt"
PREFIX = "t3-"


def build(source: Path = SOURCE, *, known: dict) -> list[dict]:
    """Parse and check the source: one row per utterance, in source order, ids ``t3-001``..."""
    return build_held_out(source, known=known, prefix=PREFIX)


if __name__ == "__main__":
    sys.exit(held_out_main(FOLDER, prefix=PREFIX, split="test-3"))
