"""How the analysis scales: generated studies of 100, 300 and 1,000 interviews.

Each size runs in a fresh Python process (so its peak memory is its own) through the library
calls the report makes: validation, segmentation, the spaCy parse for familiarisation (cold
cache, the components notebook 01 needs) and its term occurrences, codings onto segments,
agreement with bootstrap intervals, prevalence, Table 1 and the theme x group salience.
Cost is CPU seconds per 1,000 words (process time, which a neighbour's load on a shared
machine disturbs far less than wall time; wall time is printed too). Targets: the cost per word
at 1,000 interviews within 1.15x of that at 100, and peak memory under 4 GiB at 1,000.
De-identification is per document and measured by its own benchmark (``deidentify``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from thematic.bench import BenchResult, register

SIZES = (100, 300, 1000)
QUICK_SIZES = (5, 10, 20)


def run_pipeline(data_dir: str | Path, *, cache_dir: str | Path) -> dict[str, tuple[float, float]]:
    """The analysis steps on one data folder; (CPU seconds, wall seconds) per step."""
    from thematic.agreement import agreement_table
    from thematic.dataset import load_dataset
    from thematic.parse import parse_transcripts
    from thematic.segments import code_segments, combine_coders, segment_turns
    from thematic.themes import code_prevalence, table_one
    from thematic.triangulate import theme_group_matrix
    from thematic.vocabulary import PARSE_NEEDS, term_occurrences

    seconds: dict[str, tuple[float, float]] = {}

    def timed(name, func, *args, **kwargs):
        cpu, wall = time.process_time(), time.perf_counter()
        value = func(*args, **kwargs)
        seconds[name] = (time.process_time() - cpu, time.perf_counter() - wall)
        return value

    dataset = timed("load and validate", load_dataset, data_dir)
    segments = timed("segment", segment_turns, dataset)
    docs = timed("parse (cold cache)", parse_transcripts, dataset.texts, needs=PARSE_NEEDS,
                 cache_dir=cache_dir, progress=False)
    timed("term occurrences", term_occurrences, docs, segments)
    del docs
    coded = timed("map codings", code_segments, segments, dataset.codings)
    final = timed("combine coders", combine_coders, coded, rule="union")
    timed("agreement with intervals", agreement_table, segments, dataset.codings, dataset.codebook,
          n_boot=200, seed=0)
    timed("prevalence", code_prevalence, final, segments, dataset.codebook)
    timed("table 1", table_one, final, segments, dataset.codebook)
    timed("theme x group", theme_group_matrix, final, segments, dataset.codebook,
          dataset.participants)
    return seconds


def _measure(n_interviews: int, workdir: str) -> dict:
    """Run in a child process: generate a study, run the pipeline, report time and peak memory."""
    import resource

    from thematic.bench.synthetic import generate_study

    folder = Path(workdir) / f"study-{n_interviews}"
    size = generate_study(folder, n_interviews=n_interviews, seed=n_interviews)
    steps = run_pipeline(folder, cache_dir=Path(workdir) / f"cache-{n_interviews}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**size, "cpu_seconds": sum(cpu for cpu, _ in steps.values()),
            "wall_seconds": sum(wall for _, wall in steps.values()), "steps": steps,
            "peak_gib": peak_kib / 2**20}


def _in_child(n_interviews: int, workdir: str) -> dict:
    code = ("import json, sys; from thematic.bench.scale import _measure; "
            "print(json.dumps(_measure(int(sys.argv[1]), sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", code, str(n_interviews), workdir],
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"scale benchmark at {n_interviews} interviews failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


@register("scale")
def bench_scale(*, quick: bool = False) -> BenchResult:
    sizes = QUICK_SIZES if quick else SIZES
    result = BenchResult("scale", notes=[
        f"studies of {', '.join(map(str, sizes))} interviews recombined from data-sample/ "
        "(thematic.bench.synthetic), each measured in its own process"])
    with tempfile.TemporaryDirectory(prefix="thematic-scale-") as workdir:
        runs = {n: _in_child(n, workdir) for n in sizes}
    for n, run in runs.items():
        result.add(f"{n} interviews: words", run["words"])
        result.add(f"{n} interviews: CPU seconds per 1,000 words", run["cpu_seconds"] / run["words"] * 1000, "s")
        result.add(f"{n} interviews: wall seconds per 1,000 words", run["wall_seconds"] / run["words"] * 1000, "s")
        result.add(f"{n} interviews: peak memory", run["peak_gib"], "GiB")
        steps = ", ".join(f"{name} {cpu:.1f}" for name, (cpu, _) in run["steps"].items())
        result.notes.append(f"{n} interviews, CPU seconds per step: {steps}")
    small, large = runs[sizes[0]], runs[sizes[-1]]
    ratio = (large["cpu_seconds"] / large["words"]) / (small["cpu_seconds"] / small["words"])
    result.add(f"cost per word, {sizes[-1]} vs {sizes[0]} interviews", ratio, "x", at_most=1.15)
    result.add(f"peak memory at {sizes[-1]} interviews", large["peak_gib"], "GiB", at_most=4)
    return result
