"""How a whole report scales: synthetic studies of 100, 300 and 1,000 real-length interviews.

Each size runs in a fresh Python process (so its peak memory is its own) on a study from
:func:`thematic.bench.synthetic.generate_real_length_study` (about 5,000 words an interview, two
coders, the sample's codebook, groups, known names and a second wave for a quarter of the
interviews; synthetic, and its ``study.yaml`` says so). The process runs the five phase functions
a report calls, in order and on empty caches (``thematic.phases``: prepare with its
de-identification audit, familiarise, suggest_codes, map_themes, triangulate_themes), then,
as a separate line, the full ``thematic report`` render of the same folder on its own empty
cache (the kernels are child processes: their CPU time is the process's children's).

Cost is CPU seconds per 1,000 words (process time of the process and its worker processes,
:func:`cpu_seconds`, which a neighbour's load on a shared machine disturbs far less than wall
time; wall time is printed too), per phase and for the whole. Targets:
the cost per word of the whole report at the largest size within 1.15x of that at the smallest,
and peak memory under 4 GiB. ``python -m thematic.bench.scale --sizes 100 300`` runs chosen sizes
and writes every figure to a JSON file as it is measured (a long run killed half-way keeps what
finished).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from thematic.bench import BenchResult, register

SIZES = (100, 300, 1000)
WORDS = 5000
QUICK_SIZES = (4, 8)
QUICK_WORDS = 600
#: The phases a report runs, in its order: (name in the figures, function in thematic.phases).
PHASES = (("00 prepare", "prepare"), ("01 familiarise", "familiarise"), ("02 suggest codes", "suggest_codes"),
          ("03 map themes", "map_themes"), ("04 triangulate", "triangulate_themes"))
RENDER = "thematic report (full render)"
#: Phase options of a quick run: small resamples and learning sizes, so a test runs in a minute.
QUICK_OPTIONS = {"suggest_codes": {"learning_sizes": [20, 40], "cv_folds": 2},
                 "map_themes": {"n_boot": 100}, "triangulate_themes": {"n_boot": 100}}


def _peak_gib() -> float:
    """Peak resident memory of this process, GiB (``ru_maxrss`` is in KiB on Linux)."""
    import resource  # here: POSIX only, and discovering the benchmarks must not need it

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def cpu_seconds() -> float:
    """CPU seconds of this process and of its worker processes: its own, those of the children
    it has waited for, and those of the children still running (joblib's pool of workers, which
    fit the code suggester's folds, stays alive between calls, so its CPU shows in neither of
    the first two)."""
    import resource  # here: POSIX only, and discovering the benchmarks must not need it

    import psutil

    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    running = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:  # ended meanwhile
            continue
        running += times.user + times.system
    return time.process_time() + done.ru_utime + done.ru_stime + running


def run_phases(data_dir: str | Path, *, options: dict[str, dict] | None = None,
               record=None) -> dict[str, dict]:
    """Run the five phase functions on *data_dir*, in the report's order; time each.

    Parameters
    ----------
    data_dir
        The study's data folder.
    options
        Extra keyword options per phase function name (e.g. ``{"map_themes": {"n_boot": 50}}``).
    record
        Called with ``(name, figures)`` after each phase (to save figures as they come).

    Returns
    -------
    dict
        Per phase: ``cpu`` (with its workers') and ``wall`` seconds, ``peak_gib`` (of the process so far) and
        ``steps`` (the named steps the phase timed, in wall seconds).
    """
    import thematic.phases as phases
    from thematic.steps import Steps

    options = options or {}
    figures: dict[str, dict] = {}
    for name, function in PHASES:
        steps = Steps(phase=name, progress=False)
        cpu, wall = cpu_seconds(), time.perf_counter()
        getattr(phases, function)(data_dir, steps=steps, **options.get(function, {}))
        figures[name] = {"cpu": cpu_seconds() - cpu, "wall": time.perf_counter() - wall,
                         "peak_gib": _peak_gib(), "steps": {t.name: t.seconds for t in steps.times}}
        if record:
            record(name, figures[name])
    return figures


def render_report(data_dir: str | Path, *, workdir: str | Path, cache_dir: str | Path) -> dict:
    """The full ``thematic report`` of *data_dir* in a child process on the empty cache *cache_dir*:
    wall seconds, CPU seconds of the children (the runner and its kernels) and their peak memory."""
    import resource

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    params = workdir / "params.yaml"
    params.write_text(f"title: Scale benchmark (synthetic)\ndata_dir: {Path(data_dir).resolve()}\n", encoding="utf-8")
    env = {**os.environ, "THEMATIC_CACHE_DIR": str(cache_dir)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "thematic.cli", "report", "--params", str(params),
                           "-o", str(workdir / "report"), "--quiet"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - wall
    if done.returncode:
        raise RuntimeError(f"thematic report failed on {data_dir}:\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, "peak_gib": after.ru_maxrss / 2**20}


def measure(n_interviews: int, workdir: str | Path, *, words: int = WORDS, render: bool = True,
            quick: bool = False, output: str | Path | None = None) -> dict:
    """In a fresh process: generate the study, render the full report, then run the phases.

    The figures go to *output* (JSON) after every phase, and are returned.
    """
    from thematic.bench.synthetic import generate_real_length_study

    workdir = Path(workdir)
    folder = workdir / f"study-{n_interviews}"
    os.environ["THEMATIC_CACHE_DIR"] = str(workdir / f"cache-{n_interviews}")  # empty: a cold run
    started = time.perf_counter()
    size = generate_real_length_study(folder, n_interviews=n_interviews, words_per_interview=words,
                                      seed=n_interviews)
    run = {**size, "generate_wall": time.perf_counter() - started, "phases": {}, "load": os.getloadavg()}

    def record(name: str, figures: dict) -> None:
        run["phases"][name] = figures
        run["load"] = os.getloadavg()
        if output:
            Path(output).write_text(json.dumps(run, indent=1), encoding="utf-8")

    if render:  # first, while this process is small: Linux carries a parent's peak memory into
        # the children it forks (ru_maxrss survives exec), so a render started after the phases
        # would report their peak as its own
        rendered = render_report(folder, workdir=workdir / f"render-{n_interviews}",
                                 cache_dir=workdir / f"render-cache-{n_interviews}")
    run_phases(folder, options=QUICK_OPTIONS if quick else None, record=record)
    run["peak_gib"] = _peak_gib()
    if render:
        record(RENDER, rendered)
    return run


def _start_child(n_interviews: int, workdir: str | Path, *, words: int, render: bool, quick: bool
                 ) -> tuple[subprocess.Popen, Path]:
    """Start :func:`measure` in a fresh Python process; the process and its figures file."""
    output = Path(workdir) / f"figures-{n_interviews}.json"
    errors = output.with_name(f"stderr-{n_interviews}.txt").open("w", encoding="utf-8")  # a file: no pipe to fill
    code = ("import sys; from thematic.bench.scale import measure; "
            "measure(int(sys.argv[1]), sys.argv[2], words=int(sys.argv[3]), render=sys.argv[4] == '1', "
            "quick=sys.argv[5] == '1', output=sys.argv[6])")
    child = subprocess.Popen([sys.executable, "-c", code, str(n_interviews), str(workdir), str(words),
                              "1" if render else "0", "1" if quick else "0", str(output)],
                             stdout=subprocess.DEVNULL, stderr=errors)
    errors.close()  # the child holds its own copy
    return child, output


def _finish_child(n_interviews: int, child: subprocess.Popen, output: Path) -> dict:
    child.wait()
    if child.returncode:
        stderr = output.with_name(f"stderr-{n_interviews}.txt").read_text(encoding="utf-8")
        raise RuntimeError(f"scale benchmark at {n_interviews} interviews failed:\n{stderr[-3000:]}")
    return json.loads(output.read_text(encoding="utf-8"))


def measure_in_child(n_interviews: int, workdir: str | Path, *, words: int = WORDS, render: bool = True,
                     quick: bool = False) -> dict:
    """:func:`measure` in a fresh Python process; its figures."""
    child, output = _start_child(n_interviews, workdir, words=words, render=render, quick=quick)
    return _finish_child(n_interviews, child, output)


def summarise(runs: dict[int, dict]) -> BenchResult:
    """The printed figures of *runs* (size -> :func:`measure`'s figures)."""
    sizes = sorted(runs)
    result = BenchResult("scale", notes=[
        f"synthetic studies of {', '.join(map(str, sizes))} interviews of about "
        f"{round(runs[sizes[0]]['words'] / runs[sizes[0]]['interviews']):,} words, recombined from data-sample/ "
        "(thematic.bench.synthetic.generate_real_length_study), each size in its own process, empty caches"])
    for n in sizes:
        run = runs[n]
        per_k = 1000 / run["words"]
        result.add(f"{n} interviews: words", run["words"])
        for name, figures in run["phases"].items():
            result.add(f"{n} interviews: {name}: CPU seconds per 1,000 words", figures["cpu"] * per_k, "s")
            result.add(f"{n} interviews: {name}: wall seconds", figures["wall"], "s")
        phases = [f for name, f in run["phases"].items() if name != RENDER]
        result.add(f"{n} interviews: five phases: CPU seconds per 1,000 words",
                   sum(f["cpu"] for f in phases) * per_k, "s")
        result.add(f"{n} interviews: peak memory of the phases", max(f["peak_gib"] for f in phases), "GiB",
                   at_most=4)
        if RENDER in run["phases"]:
            result.add(f"{n} interviews: peak memory of the render (largest process)",
                       run["phases"][RENDER]["peak_gib"], "GiB", at_most=4)
        load = ", ".join(f"{x:.1f}" for x in run["load"])
        for name, figures in run["phases"].items():
            if figures.get("steps"):
                steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in figures["steps"].items())
                result.notes.append(f"{n} interviews, {name}, wall seconds per step: {steps}")
        result.notes.append(f"{n} interviews: load average at the end {load}")
    if len(sizes) > 1:
        small, large = runs[sizes[0]], runs[sizes[-1]]
        for name in large["phases"]:
            if name in small["phases"]:
                ratio = (large["phases"][name]["cpu"] / large["words"]) / (small["phases"][name]["cpu"] / small["words"])
                result.add(f"{name}: cost per word, {sizes[-1]} vs {sizes[0]} interviews", ratio, "x")
        whole = RENDER if all(RENDER in runs[n]["phases"] for n in (sizes[0], sizes[-1])) else None
        if whole:
            ratio = ((large["phases"][whole]["cpu"] / large["words"])
                     / (small["phases"][whole]["cpu"] / small["words"]))
            result.add(f"whole report: cost per word, {sizes[-1]} vs {sizes[0]} interviews", ratio, "x", at_most=1.15)
        else:
            cost = {n: sum(f["cpu"] for k, f in runs[n]["phases"].items() if k != RENDER) / runs[n]["words"]
                    for n in (sizes[0], sizes[-1])}
            result.add(f"five phases: cost per word, {sizes[-1]} vs {sizes[0]} interviews",
                       cost[sizes[-1]] / cost[sizes[0]], "x", at_most=1.15)
    return result


def run_sizes(sizes: Sequence[int], *, words: int = WORDS, render: bool = True, quick: bool = False,
              workdir: str | Path | None = None) -> BenchResult:
    """Measure every size (each in its own process; side by side when *quick*) and summarise."""
    with tempfile.TemporaryDirectory(prefix="thematic-scale-") as tmp:
        root = Path(workdir or tmp)
        if quick:  # a smoke run: the sizes side by side (CPU seconds stay each process's own)
            children = {n: _start_child(n, root, words=words, render=render, quick=quick) for n in sizes}
            runs = {n: _finish_child(n, *children[n]) for n in sizes}
        else:  # one after the other, so that wall times and memory are not shared
            runs = {n: measure_in_child(n, root, words=words, render=render, quick=quick) for n in sizes}
    return summarise(runs)


@register("scale")
def bench_scale(*, quick: bool = False, sizes: Sequence[int] | None = None) -> BenchResult:
    """The scale benchmark: 100, 300 and 1,000 interviews of 5,000 words (quick: tiny studies,
    small resamples, no render); *sizes* chooses the numbers of interviews."""
    if quick:
        result = run_sizes(sizes or QUICK_SIZES, words=QUICK_WORDS, quick=True, render=False)
        result.notes.append("quick run: tiny studies, small resamples, no report render; figures not meaningful")
        return result
    return run_sizes(sizes or SIZES)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m thematic.bench.scale --sizes 100 300 [--words 5000] [--no-render] [--workdir D]``."""
    parser = argparse.ArgumentParser(prog="python -m thematic.bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="interviews per study")
    parser.add_argument("--words", type=int, default=WORDS, help="words per interview")
    parser.add_argument("--no-render", action="store_true", help="time the phases only, not the full report")
    parser.add_argument("--quick", action="store_true", help="small resamples and learning sizes")
    parser.add_argument("--workdir", default=None, help="keep the studies and per-size figures-N.json here")
    args = parser.parse_args(argv)
    result = run_sizes(args.sizes, words=args.words, render=not args.no_render, quick=args.quick,
                       workdir=args.workdir)
    print(result.table().drop(columns="benchmark").to_string(index=False))
    print("\n".join(result.notes))


if __name__ == "__main__":
    main()
