"""Benchmark of the triangulation step on the sample: the quote check, the quote rule, saturation.

``thematic bench triangulation`` prints:

- recall of the quote identifier check on every identifier planted in the sample's *raw*
  transcripts (``deidentification-gold.csv``), each judged on a window of raw text around it:
  with every planted name known (the matching logic), with patterns alone (pattern types
  only), and with the sample's ``known-names.yaml`` list only (family members' first names that
  participants mention in passing are not in it);
- the share of de-identified candidate quotes the check flags (false alarms);
- whether every chosen quote is re-derived exactly from its offsets, honours coverage across
  participants, and comes out the same on a second run;
- how saturated presence is (cells where every participant carries the theme) against the
  spread of the volume measure, which is why convergence rests on volume.
"""

from __future__ import annotations

import time

import pandas as pd

from thematic import io, quotes, triangulate
from thematic.bench import BenchResult, register
from thematic.dataset import load_dataset
from thematic.segments import code_segments, combine_coders, segment_turns

#: Gold types a text-level check cannot be expected to find (ages, dates: context-dependent).
NOT_CHECKED = {"AGE", "DATE_OF_BIRTH"}
WINDOW = 80


@register("triangulation")
def bench_triangulation(*, quick: bool = False) -> BenchResult:
    result = BenchResult("triangulation")
    root = io.project_root() / "data-sample"
    dataset = load_dataset(root)
    names = quotes.load_known_names(root / "known-names.yaml")
    gold = pd.read_csv(root / "deidentification-gold.csv")
    gold = gold[~gold["type"].isin(NOT_CHECKED)]
    if quick:
        gold = gold.groupby("type").head(5)
    raw = {i: io.read_text(root / "raw" / f"{i}.txt") for i in sorted(gold["interview_id"].unique())}
    planted = sorted({raw[r.interview_id][r.start:r.end] for r in gold.itertuples()
                      if r.type not in quotes.IDENTIFIER_PATTERNS})
    pattern_rows = gold[gold["type"].isin(quotes.IDENTIFIER_PATTERNS)]
    hits = {"all": 0, "cast": 0, "patterns": 0}
    for row in gold.itertuples():
        text = raw[row.interview_id]
        hits["all"] += _found(text, row.start, row.end, planted)
        hits["cast"] += _found(text, row.start, row.end, names)
        if row.type in quotes.IDENTIFIER_PATTERNS:
            hits["patterns"] += _found(text, row.start, row.end, ())
    result.add("check recall, every planted name known", hits["all"] / len(gold), "share", at_least=0.95)
    result.add("check recall, patterns alone (pattern types)", hits["patterns"] / max(len(pattern_rows), 1),
               "share", at_least=0.95)
    result.add("check recall, known-names.yaml names only", hits["cast"] / len(gold), "share")

    t0 = time.perf_counter()
    segments = segment_turns(dataset)
    final = combine_coders(code_segments(segments, dataset.codings))
    spans = triangulate.coded_spans(dataset.codings, final, segments)
    located = triangulate.locate_spans(spans, segments, dataset.codebook,
                                       scopes=dataset.scopes)
    matrix = triangulate.salience(located, segments, dataset.codebook)
    profiles = triangulate.group_profiles(matrix, triangulate.ConvergenceRules())
    triangulate.theme_convergence(triangulate.convergence(profiles), profiles, dataset.codebook)
    check = quotes.identifier_check(names)
    chosen, _ = quotes.select_quotes(located, dataset.texts, check=check)
    elapsed = time.perf_counter() - t0

    pool = quotes.candidates(located, dataset.texts)
    flagged = sum(bool(check(text)) for text in pool["text"])
    result.add("de-identified candidates flagged (known-names.yaml names)", flagged / max(len(pool), 1), "share",
               at_most=0.05)
    strict = quotes.identifier_check(planted)
    flagged = sum(bool(strict(text)) for text in pool["text"])
    result.add("de-identified candidates flagged (every planted name)", flagged / max(len(pool), 1), "share",
               at_most=0.05)
    result.add("quotes re-derived exactly from offsets",
               quotes.verify_quotes(chosen, dataset.texts)["traceable"].mean(), "share", at_least=1.0)
    rules = quotes.QuoteRules()
    cells = [cell["participant_id"].is_unique for _, cell in chosen.groupby(["theme", "group"])
             if cell["participants_with_candidates"].iloc[0] >= rules.per_group]
    result.add("cells with quotes from distinct participants", sum(cells) / max(len(cells), 1), "share",
               at_least=1.0)
    if not quick:
        again, _ = quotes.select_quotes(located, dataset.texts, check=check)
        result.add("same quotes on a second run", float(again.equals(chosen)), "share", at_least=1.0)
    scoped = matrix[matrix["in_scope"]]
    result.add("in-scope cells where every participant carries the theme",
               (scoped["participant_share"] == 1.0).mean(), "share")
    result.add("spread of share of talk over in-scope cells (max / min)",
               scoped["talk_share_mean"].max() / max(scoped["talk_share_mean"].min(), 1e-9), "x")
    result.add("triangulation + quote selection, sample", elapsed, "s")
    result.notes += [(f"{len(gold)} planted identifiers ({', '.join(sorted(gold['type'].unique()))}); "
                      "ages and dates of birth are not a text-pattern check's job"),
                     f"{len(names)} known names from data-sample/known-names.yaml; window +-{WINDOW} characters",
                     f"{len(pool)} candidate quotes, {len(chosen)} chosen"]
    return result


def _found(text: str, start: int, end: int, names) -> bool:
    lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
    hits = quotes.identifiers_left(text[lo:hi], known_names=names)
    return any(h["start"] < end - lo and start - lo < h["end"] for h in hits)
