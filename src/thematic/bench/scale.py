"""How the analysis scales: generated studies of 100, 300 and 1,000 interviews.

Each size runs in a fresh Python process (so its peak memory is its own) through the same
steps as the report's library calls. Cost is seconds per 1,000 words; the target is that the
cost per word at 1,000 interviews stays within 1.15x of that at 100, with peak memory under
4 GiB at 1,000.
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


def run_pipeline(data_dir: str | Path) -> dict[str, float]:
    """The corpus-level analysis steps on one data folder; seconds per step."""
    from thematic.agreement import agreement_table
    from thematic.dataset import load_dataset
    from thematic.segments import code_segments, combine_coders, segment_turns
    from thematic.themes import code_prevalence, table_one
    from thematic.triangulate import theme_group_matrix

    seconds: dict[str, float] = {}

    def timed(name, func, *args, **kwargs):
        t0 = time.perf_counter()
        value = func(*args, **kwargs)
        seconds[name] = time.perf_counter() - t0
        return value

    dataset = timed("load and validate", load_dataset, data_dir)
    segments = timed("segment", segment_turns, dataset)
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
    steps = run_pipeline(folder)
    total = sum(steps.values())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**size, "seconds": total, "steps": steps, "peak_gib": peak_kib / 2**20}


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
        per_kword = run["seconds"] / run["words"] * 1000
        result.add(f"{n} interviews: words", run["words"])
        result.add(f"{n} interviews: seconds per 1,000 words", per_kword, "s")
        result.add(f"{n} interviews: peak memory", run["peak_gib"], "GiB")
        slowest = max(run["steps"], key=run["steps"].get)
        result.notes.append(f"{n} interviews: {run['seconds']:.1f} s in all, slowest step "
                            f"'{slowest}' {run['steps'][slowest]:.1f} s")
    small, large = runs[sizes[0]], runs[sizes[-1]]
    ratio = (large["seconds"] / large["words"]) / (small["seconds"] / small["words"])
    result.add(f"cost per word, {sizes[-1]} vs {sizes[0]} interviews", ratio, "x", at_most=1.15)
    result.add(f"peak memory at {sizes[-1]} interviews", large["peak_gib"], "GiB", at_most=4)
    return result
