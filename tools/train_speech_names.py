"""Train the speech name recogniser (``speech_names``) and store it in the package.

The recogniser is a second spaCy ``ner`` component that labels PERSON only. It listens to the
shared ``tok2vec`` of ``en_core_web_sm`` (frozen, never updated), so at run time it adds one
transition-based pass and no embedding of its own. Only its own weights are stored
(``src/thematic/deidentify/speech_names/``); :mod:`thematic.deidentify.speech_names` adds it to
the loaded pipeline.

Training uses spaCy's own ``update`` on the synthetic corpus of
``tools/build_speech_names_corpus.py`` (train part), with a fixed seed on the CPU; the dev part
(other templates, other first names) is scored after every epoch and the best epoch is kept.

Usage (the shipped model; about 4.5 minutes on two shared cores, not run in CI)::

    python tools/build_speech_names_corpus.py --out build/speech-names.jsonl --sentences 40000 --seed 15
    python tools/train_speech_names.py --corpus build/speech-names.jsonl --epochs 6

``--own-tok2vec 64`` trains the alternative with an embedding of its own (3.4 MB; not shipped,
see docs/deidentification.md), ``--hidden`` sets the hidden width (64).

The model's digest is printed; put it in ``MODEL_SHA256`` of
``src/thematic/deidentify/speech_names.py`` (the de-identification cache key follows it).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "thematic" / "deidentify" / "speech_names"


def load(path: Path) -> dict[str, list[dict]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {part: [r for r in rows if r["split"] == part] for part in ("train", "dev")}


def score(nlp, component, rows: list[dict]) -> dict[str, float]:
    """Exact-span precision, recall and F of PERSON on *rows*, and the share of name-free rows
    with a false name."""
    docs = list(nlp.pipe([r["text"] for r in rows], batch_size=256))
    tp = fp = fn = 0
    clean = clean_flagged = 0
    for doc, row in zip(docs, rows, strict=True):
        doc = component(doc)
        found = {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"}
        gold = {(s, e) for s, e, _ in row["spans"]}
        tp += len(found & gold)
        fp += len(found - gold)
        fn += len(gold - found)
        if not gold:
            clean += 1
            clean_flagged += bool(found)
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    return {"p": precision, "r": recall, "f": 2 * precision * recall / max(1e-9, precision + recall),
            "name-free rows with a false name": clean_flagged / max(1, clean)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "build" / "speech-names.jsonl")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--own-tok2vec", type=int, default=0,
                        help="width of an embedding of its own (0: listen to the pipeline's tok2vec)")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()

    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    from thematic.deidentify.speech_names import COMPONENT, component_config
    from thematic.nlp import load_pipeline

    started = time.perf_counter()
    fix_random_seed(args.seed)
    rng = random.Random(args.seed)
    parts = load(args.corpus)
    base = load_pipeline("en_core_web_sm", disable=("parser", "tagger", "attribute_ruler", "lemmatizer", "ner"))
    # The frozen shared tok2vec runs once over the corpus: doc.tensor is what the listener reads.
    def embed(rows):
        docs = list(base.pipe([r["text"] for r in rows], batch_size=256))
        examples = []
        for doc, row in zip(docs, rows, strict=True):
            spans = [doc.char_span(s, e, label=label) for s, e, label in row["spans"]]
            if any(span is None for span in spans):
                continue  # a name that does not fall on token boundaries: skip the sentence
            examples.append(Example.from_dict(doc, {"entities": [(s, e, label) for s, e, label in row["spans"]]}))
        return examples

    train = embed(parts["train"])
    print(f"embedded {len(train)} training sentences in {time.perf_counter() - started:.0f} s", flush=True)
    nlp = spacy.blank("en")
    architecture = {"hidden_width": args.hidden, "own_tok2vec": args.own_tok2vec}
    ner = nlp.add_pipe("ner", name=COMPONENT, config=component_config(**architecture))
    ner.add_label("PERSON")
    ner.initialize(lambda: train[:500], nlp=nlp)
    optimizer = ner.create_optimizer()
    best, best_f = None, -1.0
    for epoch in range(args.epochs):
        rng.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=64):
            ner.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
        with ner.model.use_params(optimizer.averages):
            figures = score(base, ner, parts["dev"])
            if figures["f"] > best_f:
                best_f, best = figures["f"], ner.to_bytes()
        print(f"epoch {epoch + 1}: loss {losses.get(COMPONENT, 0):.1f}; dev (held-out templates and names) "
              + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
              + f"; {time.perf_counter() - started:.0f} s", flush=True)
    ner.from_bytes(best)
    if args.out.exists():
        shutil.rmtree(args.out)
    ner.to_disk(args.out, exclude=["vocab"])
    (args.out / "thematic.json").write_text(json.dumps(architecture, sort_keys=True) + "\n", encoding="utf-8")
    from thematic.deidentify.speech_names import model_digest

    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"best dev F {best_f:.3f}; stored {size / 1e6:.2f} MB in {args.out}; "
          f"MODEL_SHA256 = {model_digest(args.out)!r}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
