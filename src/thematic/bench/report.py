"""How fast the report rebuilds: the sample report against the runner's own overhead.

Three renders through :func:`thematic.report.render_report`, in this process:

* *trivial*: as many notebooks as the report has, each holding only the real notebook's
  parameters cell and one print, so the figure is kernel start-up, papermill and nbconvert;
* *cold*: the sample report with empty caches;
* *warm*: the sample report again, caches filled.

Targets: warm within 2x of trivial (the analysis itself costs no more than the machinery that
runs it). Cold against warm is printed for information.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from unittest import mock

import nbformat
import yaml

from thematic import io
from thematic.bench import BenchResult, register
from thematic.cache import CACHE_ENV
from thematic.report import find_notebooks, render_report


def write_trivial_notebooks(notebooks: list[Path], folder: Path) -> list[Path]:
    """Copies of *notebooks* with only their first cell, parameters cell and one print."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        real = nbformat.read(path, as_version=4)
        parameters = [c for c in real.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        trivial = nbformat.v4.new_notebook(metadata=real.metadata)
        trivial.cells = [real.cells[0], *parameters[:1],
                         nbformat.v4.new_code_cell("print('trivial notebook ran')")]
        nbformat.write(trivial, folder / path.name)
        written.append(folder / path.name)
    return written


def _params_declared_by(params: Path, notebooks: list[Path], target: Path) -> Path:
    """A copy of *params* keeping only what *notebooks* declare (for a run on a subset)."""
    from thematic.parameters import declared_parameters, runner_parameters

    declared = set(runner_parameters()).union(*(declared_parameters(nb).declared for nb in notebooks))
    values = io.read_yaml(params)
    kept = {name: value for name, value in values.items() if name in declared}
    if "data_dir" in kept:
        kept["data_dir"] = str(io.resolve(kept["data_dir"]))
    io.write_text(target, yaml.safe_dump(kept, sort_keys=False))
    return target


def _timed_render(params: Path, output: Path, **kwargs) -> float:
    t0 = time.perf_counter()
    render_report(params, output_dir=output, progress=False, echo=lambda message: None, **kwargs)
    return time.perf_counter() - t0


@register("report")
def bench_report(*, quick: bool = False, params_file: str = "params/sample.yaml") -> BenchResult:
    root = io.project_root()
    params = io.resolve(params_file, root=root)
    notebooks = find_notebooks(root / "notebooks")
    if quick:
        notebooks = notebooks[:1]
    result = BenchResult("report", notes=[
        f"{len(notebooks)} notebooks, parameters {params.relative_to(root)}; trivial notebooks keep "
        "only each notebook's parameters cell"])
    with tempfile.TemporaryDirectory(prefix="thematic-bench-report-") as tmp, \
            mock.patch.dict(os.environ, {CACHE_ENV: str(Path(tmp) / "cache")}):
        tmp = Path(tmp)
        real_dir = root / "notebooks"
        if quick:  # one notebook: its own parameters only, copied alone into a folder
            params = _params_declared_by(params, notebooks, tmp / "params.yaml")
            real_dir = tmp / "one-notebook"
            real_dir.mkdir()
            (real_dir / notebooks[0].name).write_bytes(notebooks[0].read_bytes())
        trivial_dir = tmp / "trivial-notebooks"
        write_trivial_notebooks(notebooks, trivial_dir)
        trivial = _timed_render(params, tmp / "trivial", notebooks_dir=trivial_dir)
        cold = _timed_render(params, tmp / "cold", notebooks_dir=real_dir)
        warm = _timed_render(params, tmp / "warm", notebooks_dir=real_dir)
    result.add("trivial notebooks", trivial, "s")
    result.add("report, cold caches", cold, "s")
    result.add("report, warm caches", warm, "s")
    result.add("warm report vs trivial notebooks", warm / trivial, "x", at_most=2)
    result.add("cold vs warm", cold / warm, "x")
    return result
