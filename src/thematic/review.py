"""De-identifying a data folder: audit logs, the researcher's review, and codings kept valid.

``thematic deidentify DATA_DIR`` (and notebook ``00-prepare``) go through :func:`deidentify_folder`:

1. read each ``raw/`` transcript (never written) and find its identifiers
   (:func:`thematic.deidentify.find_identifiers`);
2. apply the review file's decisions: ``false positive`` rows are kept as text, ``missed``
   rows are added;
3. write ``deidentified/<id>.txt``, ``deidentification/audit/<id>.csv`` (offsets, type,
   detector, score, placeholder: never the original text) and the review file, atomically;
4. if a de-identified text that already has codings would change, move the codings through
   the alignment of old and new text, or refuse (:data:`Errors.E306`) when a coded span's
   boundary falls inside changed text.

The review file is the one place besides ``raw/`` that shows original text (its ``text``
column), so that a researcher can judge each finding; it lives in the data folder and nothing
in it is copied into reports.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from thematic import io
from thematic.deidentify import (
    PLACEHOLDERS,
    Identifier,
    KnownNames,
    _Finding,
    apply_identifiers,
    assign_placeholders,
    find_identifiers_batch,
    load_known_names,
)
from thematic.errors import DataError, Errors
from thematic.parallel import map_documents

AUDIT_COLUMNS = ("interview_id", "start", "end", "type", "detector", "score", "placeholder", "decision")
REVIEW_COLUMNS = ("interview_id", "start", "end", "type", "placeholder", "detector", "score",
                  "decision", "text", "note")
DECISIONS = ("", "ok", "false positive", "missed")
KNOWN_NAMES_FILES = ("known-names.yaml", "known-names.yml", "known-names.csv")


# --- measuring against a gold standard ------------------------------------------------------

def identifiers_frame(found: dict[str, Sequence[Identifier]]) -> pd.DataFrame:
    """One row per identifier: interview_id, start, end, type, detector, score, placeholder."""
    rows = [{"interview_id": interview_id, **identifier.as_dict()}
            for interview_id, identifiers in found.items() for identifier in identifiers]
    return pd.DataFrame(rows, columns=["interview_id", "start", "end", "type", "detector", "score",
                                       "placeholder"])


def score_against_gold(found: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Recall and precision per type of *found* spans against *gold* spans (same offsets).

    A gold identifier is recalled only if found spans cover all of its characters; a found span
    is correct (precision) if it overlaps a gold identifier. ``type_right`` is the share of
    recalled identifiers whose covering span has the gold type. No text is involved.
    """
    rows = []
    covered, type_right = [], []
    for g in gold.itertuples():
        spans = found[(found["interview_id"] == g.interview_id) & (found["start"] < g.end)
                      & (found["end"] > g.start)]
        chars = set()
        for s in spans.itertuples():
            chars |= set(range(max(s.start, g.start), min(s.end, g.end)))
        is_covered = len(chars) == g.end - g.start
        covered.append(is_covered)
        type_right.append(is_covered and g.type in set(spans["type"]))
    gold = gold.assign(covered=covered, type_right=type_right)
    correct = []
    for s in found.itertuples():
        hits = gold[(gold["interview_id"] == s.interview_id) & (gold["start"] < s.end) & (gold["end"] > s.start)]
        correct.append(len(hits) > 0)
    found = found.assign(correct=correct)
    for kind in sorted(set(gold["type"]) | set(found["type"])):
        g, f = gold[gold["type"] == kind], found[found["type"] == kind]
        rows.append({"type": kind, "gold": len(g), "found": len(f),
                     "recall": g["covered"].mean() if len(g) else float("nan"),
                     "precision": f["correct"].mean() if len(f) else float("nan"),
                     "type_right": g.loc[g["covered"], "type_right"].mean() if g["covered"].any() else float("nan")})
    rows.append({"type": "all", "gold": len(gold), "found": len(found),
                 "recall": gold["covered"].mean() if len(gold) else float("nan"),
                 "precision": found["correct"].mean() if len(found) else float("nan"),
                 "type_right": gold.loc[gold["covered"], "type_right"].mean() if gold["covered"].any() else float("nan")})
    return pd.DataFrame(rows)


def audit_summary(found: pd.DataFrame) -> pd.DataFrame:
    """Counts of identifiers per type and detector (no text)."""
    if found.empty:
        return pd.DataFrame(columns=["type", "detector", "identifiers", "interviews"])
    return (found.groupby(["type", "detector"])
            .agg(identifiers=("start", "size"), interviews=("interview_id", "nunique"))
            .reset_index().sort_values(["type", "detector"]).reset_index(drop=True))
