"""``thematic bench parse``: the parse cache against plain spaCy, cold and warm.

From one run, on the sample's de-identified transcripts (repeated, each copy made distinct so
that nothing is served from the cache by accident):

- cold: words/s of :class:`thematic.parse.DocParser` with an empty cache folder against raw
  ``nlp.pipe`` with the same components on the same texts (target >= 0.9x: hashing,
  serialising and writing the cache may cost at most a tenth);
- warm: the same call again, everything read from the cache (target >= 20x faster than cold);
- with ``quick=False`` also a parallel cold parse (``n_jobs=2``) against ``n_jobs=1``, shown
  without a target: on a shared machine it says more about the neighbours than the code.

Raw and cold are timed in pairs, chunk by chunk and in alternating order, so that both see the
same load on a shared machine (a whole-corpus run of one after the other did not: the load
changed between them by more than the difference being measured). The target is checked on the
median of the paired ratios; the ratio of total times is printed beside it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from thematic.bench import BenchResult, register
from thematic.dataset import load_dataset
from thematic.io import project_root
from thematic.nlp import load_pipeline
from thematic.parse import DocCache, DocParser, components_for

NEEDS = ("lemmas", "noun_chunks")


def _texts(repeats: int, *, limit: int | None = None) -> list[str]:
    dataset = load_dataset(project_root() / "data-sample")
    base = [dataset.texts[i] for i in sorted(dataset.texts)][:limit]
    return [text if copy == 0 else f"{text}\n\nInterviewer: That was copy {copy}.\n"
            for copy in range(repeats) for text in base]


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


@register("parse")
def parse_benchmark(*, quick: bool = False) -> BenchResult:
    """Cold cached parse vs raw ``nlp.pipe``, and warm vs cold."""
    repeats, limit = (1, 4) if quick else (3, None)
    texts = _texts(repeats, limit=limit)
    words = sum(len(t.split()) for t in texts)
    nlp = load_pipeline("en_core_web_sm")
    components = components_for(nlp, NEEDS)
    with nlp.select_pipes(enable=list(components)):
        list(nlp.pipe(texts[:1]))  # load and warm the models before any timing

    def raw(chunk: list[str]) -> None:
        with nlp.select_pipes(enable=list(components)):
            docs = list(nlp.pipe(chunk))
        assert len(docs) == len(chunk)

    with tempfile.TemporaryDirectory(prefix="thematic-bench-parse-") as tmp:
        folder = Path(tmp) / "cache"
        cold = DocParser(nlp, needs=NEEDS, cache_dir=folder, progress=False)
        size = 2 if quick else 4
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        raw_times, cold_times = [], []
        for number, chunk in enumerate(chunks):  # paired: each chunk both ways, order alternating
            steps = [("raw", lambda c=chunk: raw(c)), ("cold", lambda c=chunk: cold.parse(c))]
            for kind, step in steps if number % 2 == 0 else steps[::-1]:
                seconds = _timed(step)
                if kind == "raw":
                    raw_times.append(seconds)
                else:
                    cold_times.append(seconds)
                    assert cold.stats.parsed == len(chunk), cold.stats
        t_raw, t_cold = sum(raw_times), sum(cold_times)
        paired = statistics.median(r / c for r, c in zip(raw_times, cold_times, strict=True))
        warm = DocParser(nlp, needs=NEEDS, cache_dir=folder, progress=False)
        t_warm = _timed(lambda: warm.parse(texts))
        assert warm.stats.parsed == 0 and warm.stats.from_cache == len(texts), warm.stats
        docs = warm.parse(texts)
        writer = DocCache(Path(tmp) / "write-only")
        t_write = _timed(lambda: [writer.save(warm.key(t), d) for t, d in zip(texts, docs, strict=True)])
        parallel_ratio = None
        if not quick:
            serial = _timed(lambda: DocParser(nlp, needs=NEEDS, cache_dir=Path(tmp) / "serial",
                                              progress=False).parse(texts))
            two = _timed(lambda: DocParser(nlp, needs=NEEDS, cache_dir=Path(tmp) / "parallel", n_jobs=2,
                                           progress=False).parse(texts))
            parallel_ratio = serial / two

    result = BenchResult("parse", notes=[
        f"{len(texts)} transcripts ({words:,} words): the sample x {repeats}, copies made distinct",
        (f"pipeline {nlp.meta.get('lang')}_{nlp.meta.get('name')} {nlp.meta.get('version')}, "
         f"components run: {', '.join(components)} (needs: {', '.join(NEEDS)})"),
        (f"cold vs raw is paired: {len(chunks)} chunks of {size} transcripts, each parsed raw and "
         "through an empty cache back to back (order alternating), so both see the same machine load; "
         "the target is on the median of the paired ratios, robust to a neighbour's burst in one pair"),
    ])
    result.add("raw nlp.pipe", words / t_raw, "words/s")
    result.add("cached parse, cold", words / t_cold, "words/s")
    result.add("cached parse, warm", words / t_warm, "words/s")
    result.add("cold vs raw nlp.pipe, ratio of total times", t_raw / t_cold, "x")
    result.add("cold vs raw nlp.pipe (words/s ratio), median of pairs", paired, "x", at_least=0.9)
    result.add("warm vs cold (times faster)", t_cold / t_warm, "x", at_least=20)
    result.add("cache writing (serialise + atomic write) as share of cold time", 100 * t_write / t_cold, "%")
    if parallel_ratio is not None:
        result.add("cold n_jobs=2 vs n_jobs=1 (times faster)", parallel_ratio, "x")
    if not quick:
        _real_size(result, nlp, components)
    return result


def _real_size(result: BenchResult, nlp, components: tuple[str, ...]) -> None:
    """Raw, cold and warm parses of the real-size synthetic study (one pass each)."""
    from thematic.bench.synthetic import generate_real_size_study

    with tempfile.TemporaryDirectory(prefix="thematic-bench-parse-real-") as tmp:
        generate_real_size_study(Path(tmp) / "study")
        dataset = load_dataset(Path(tmp) / "study")
        texts = [dataset.texts[i] for i in sorted(dataset.texts)]
        words = sum(len(t.split()) for t in texts)

        def raw() -> None:
            with nlp.select_pipes(enable=list(components)):
                list(nlp.pipe(texts, batch_size=8))

        t_raw = _timed(raw)
        cold = DocParser(nlp, needs=NEEDS, cache_dir=Path(tmp) / "cache", progress=False)
        t_cold = _timed(lambda: cold.parse(texts))
        warm = DocParser(nlp, needs=NEEDS, cache_dir=Path(tmp) / "cache", progress=False)
        t_warm = _timed(lambda: warm.parse(texts))
    result.notes.append(f"real-size study (synthetic, the sample's design at 150 words a minute): "
                        f"{len(texts)} transcripts, {words:,} words, one pass each")
    result.add("real-size study: raw nlp.pipe", words / t_raw, "words/s")
    result.add("real-size study: cached parse, cold", words / t_cold, "words/s")
    result.add("real-size study: cached parse, warm", words / t_warm, "words/s")
    result.add("real-size study: cold vs raw nlp.pipe", t_raw / t_cold, "x")
    result.add("real-size study: warm vs cold (times faster)", t_cold / t_warm, "x", at_least=20)
