"""Measure the de-identifier with and without the speech name recogniser, on development sets only.

Sets: the template-held-out dev part of the synthetic speech corpus
(``tools/build_speech_names_corpus.py``), and the benchmark's development sets ``utterances``,
``dev`` (``benchmarks/deid-eval/dev.jsonl``), ``test-3`` (``benchmarks/deid-eval-3``, seen since
round 3), ``nhs`` (real, where ``../shared`` is present) and ``sample``. The held-out sets
(``test-4``, ``nhs-test-2``) are never read here. Throughput is measured as ``thematic bench
deidentify`` does (utterances, dev and test texts; best of three interleaved runs against the
spaCy NER-only pipeline), with the recogniser on and off.

Usage::

    THEMATIC_SHARED=/work/shared python tools/eval_speech_names.py --corpus build/speech-names.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

SUMMARY = {"recall: all identifiers": "all", "recall: known names": "known",
           "recall: unknown person names": "unknown names", "recall: person names, lowercase": "lowercase names",
           "recall: PERSON": "PERSON", "look-alikes removed": "look-alikes removed", "precision": "precision"}


def corpus_set(path: Path, *, limit: int):
    """The dev part of the generated corpus as a LabelledSet (names only; name-free sentences
    count for precision)."""
    from thematic.bench.deidentify import GOLD_COLUMNS, LabelledSet

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == "dev"][:limit]
    ids = [f"g{n:05d}" for n in range(len(rows))]
    gold = pd.DataFrame([{"interview_id": i, "start": s, "end": e, "type": "PERSON", "kind": "person",
                          "known": False, "lowercase": r["text"][s:e].islower()}
                         for i, r in zip(ids, rows, strict=True) for s, e, _ in r["spans"]], columns=GOLD_COLUMNS)
    return LabelledSet("generated-dev", "synthetic speech corpus, dev part (held-out templates and first names)",
                       ids, [r["text"] for r in rows], {}, gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("build/speech-names.jsonl"))
    parser.add_argument("--limit", type=int, default=1500, help="generated dev sentences scored")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()

    from thematic.bench.deidentify import (BASELINE_LABELS, DATA, EVAL_3, EVAL_DEV, EVAL_TEST, NHS_LABELS, _words,
                                           nhs_set, sample_set, score_set, utterance_set)
    from thematic.deidentify import find_identifiers_batch, parse_known_names
    from thematic.nlp import load_pipeline

    sets = [] if args.speed_only else [corpus_set(args.corpus, limit=args.limit),
            utterance_set("utterances", DATA, "first set (development)"),
            utterance_set("dev", EVAL_DEV, "second set, dev part (development)"),
            utterance_set("test-3", EVAL_3, "third set (seen since round 3)"),
            sample_set()]
    nhs = None if args.speed_only else nhs_set(NHS_LABELS, name="nhs", description="real NHS comments (development)")
    if nhs is not None:
        sets.insert(4, nhs)
    for labelled in [] if args.speed_only else sets:
        known = parse_known_names(labelled.known_names, source=labelled.name) if labelled.known_names else None
        line = []
        for on in (False, True):
            found = find_identifiers_batch(labelled.texts, known_names=known, interview_ids=labelled.ids,
                                           speech_names=on)
            figures = score_set(labelled, [[(i.start, i.end, i.type) for i in spans] for spans in found])
            line.append(figures)
        print(f"{labelled.name} ({len(labelled.texts)} texts, {len(labelled.gold)} identifiers, "
              f"{len(labelled.lookalikes)} look-alikes):")
        for figure, short in SUMMARY.items():
            if figure in line[0]:
                n = line[0].get(f"n: {figure.removeprefix('recall: ')}", line[0].get("n: found spans" if figure ==
                                "precision" else "n: look-alikes", float("nan")))
                print(f"  {short:22s} off {line[0][figure]:.3f}  on {line[1][figure]:.3f}   (n {n:.0f} off)")
    if args.no_speed:
        return
    speed = [utterance_set("utterances", DATA, ""), utterance_set("dev", EVAL_DEV, ""),
             utterance_set("test", EVAL_TEST, "")]
    texts = [t for s in speed for t in s.texts]
    known = parse_known_names(speed[0].known_names, source=DATA)
    baseline = load_pipeline("en_core_web_sm")
    for on in (False, True):
        find_identifiers_batch(texts[:5], known_names=known, speech_names=on)  # load once, outside the timing
    times: dict[str, list[float]] = {"off": [], "on": [], "spacy": []}
    for _ in range(3):  # interleaved, best of three, as the benchmark
        for name in ("off", "on", "spacy"):
            started = time.perf_counter()
            if name == "spacy":
                [[(e.start_char, e.end_char, BASELINE_LABELS[e.label_]) for e in doc.ents
                  if e.label_ in BASELINE_LABELS] for doc in baseline.pipe(texts, batch_size=32)]
            else:
                find_identifiers_batch(texts, known_names=known, speech_names=name == "on")
            times[name].append(time.perf_counter() - started)
    words = _words(texts)
    wps = {name: words / min(t) for name, t in times.items()}
    print(f"throughput on {words} words (utterances, dev, test): spaCy NER-only {wps['spacy']:.0f} words/s; "
          f"ours off {wps['off']:.0f} ({wps['off'] / wps['spacy']:.2f}x); on {wps['on']:.0f} "
          f"({wps['on'] / wps['spacy']:.2f}x)")


if __name__ == "__main__":
    main()
