"""How fast the report rebuilds, on the sample and on a synthetic study of real size.

For each study, four renders through :func:`thematic.report.render_report`, in this process:

* *trivial*: as many notebooks as the report has, each holding only the real notebook's
  parameters cell and one print, so the figure is kernel start-up, papermill and nbconvert;
* *cold*: the report with empty caches (and no stored run of any notebook);
* *warm, executed*: the report again with ``rerun`` (every notebook executed), caches filled,
  nothing changed;
* *warm, reused*: the report again as ``thematic report`` runs it by default: nothing changed,
  so every notebook's stored run is restored (:mod:`thematic.reuse`) and none is executed.

The trivial, cold and executed renders run with ``rerun``, so none of them is restored.

The studies: the sample (``params/sample.yaml``), and the real-size study
(:func:`thematic.bench.synthetic.generate_real_size_study`: the sample's design, 25 interviews,
transcripts as long as their stated durations at 150 words a minute, about 125,000 words;
synthetic, and its ``study.yaml`` says so).

Then the floor of each phase of the cold render, measured in this process on the same study:
its trivial notebook (kernel start-up, papermill, nbconvert) plus the work that cannot be
skipped: 00 the de-identifier's spaCy pass (NER, parser off) over the raw transcripts; 01
spaCy over the de-identified transcripts with the components vocabulary needs; 02 spaCy's
lemmas of the participants' segments (candidate codes) and the code suggester's fits that
cross-validation needs (one full-data fit timed, times ``cv_folds + 1``); 03 and 04 nothing
beyond the kernel. Imports are not counted in a floor.

Each phase's time is printed next to its floor (cold) and its trivial notebook (warm), with the
named steps it recorded (:mod:`thematic.steps`). Targets: warm (executed, and reused) within 2x
of trivial, and (on the real-size study) cold within 1.5x of the sum of the floors.
"""

from __future__ import annotations

import json
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

#: The studies the benchmark renders, in order.
STUDIES = ("sample", "real-size")


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


def real_size_params(params: Path, folder: Path) -> Path:
    """Generate the real-size study in ``folder/real-size`` and write its parameter file (a
    copy of *params* pointing at it)."""
    from thematic.bench.synthetic import generate_real_size_study

    data = folder / "real-size"
    size = generate_real_size_study(data)
    values = dict(io.read_yaml(params))
    values["data_dir"] = str(data)
    values["title"] = f"Real-size synthetic study ({size['interviews']} interviews, {size['words']:,} words)"
    target = folder / "real-size.yaml"
    io.write_text(target, yaml.safe_dump(values, sort_keys=False))
    return target


def _timed_render(params: Path, output: Path, **kwargs) -> float:
    t0 = time.perf_counter()
    render_report(params, output_dir=output, progress=False, echo=lambda message: None, **kwargs)
    return time.perf_counter() - t0


def _phases(report: Path) -> list[dict]:
    return json.loads((report / "manifest.json").read_text(encoding="utf-8"))["phases"]


def measure_floors(params: Path) -> dict[str, dict[str, float]]:
    """Seconds of the unskippable work of each phase on the study of *params* (see the module
    docstring), by phase name and piece of work."""
    from thematic import vocabulary
    from thematic.dataset import load_dataset
    from thematic.nlp import load_pipeline
    from thematic.parse import components_for
    from thematic.segments import answer_context, code_segments, segment_code_matrix, segment_turns
    from thematic.suggest import CodeSuggester, codebook_texts
    from thematic.transcripts import read_transcript

    values = io.read_yaml(params)
    model = values.get("spacy_model", "en_core_web_sm")
    dataset = load_dataset(io.resolve(values["data_dir"]), require_deidentified=False)
    floors: dict[str, dict[str, float]] = {}

    def timed(phase: str, name: str, func) -> None:
        started = time.perf_counter()
        func()
        floors.setdefault(phase, {})[name] = time.perf_counter() - started

    raws = [read_transcript(dataset.root / row.transcript).canonical_text()
            for row in dataset.interviews.itertuples() if (dataset.root / row.transcript).is_file()]
    ner = load_pipeline(model, disable=("parser",))
    list(ner.pipe(raws[:1]))  # load the models before timing
    timed("00-prepare", "spaCy NER pass over raw/", lambda: list(ner.pipe(raws, batch_size=8)))
    nlp = load_pipeline(model)
    texts = [dataset.texts[i] for i in sorted(dataset.texts)]
    with nlp.select_pipes(enable=list(components_for(nlp, vocabulary.PARSE_NEEDS))):
        timed("01-familiarisation", "spaCy pass (vocabulary's components)",
              lambda: list(nlp.pipe(texts, batch_size=8)))
    if dataset.has_codings:
        units = answer_context(segment_turns(dataset))
        with nlp.select_pipes(enable=list(components_for(nlp, ("lemmas",)))):
            timed("02-code-suggestions", "spaCy lemmas of participants' segments",
                  lambda: list(nlp.pipe(units["text"].tolist(), batch_size=64)))
        coded = code_segments(units, dataset.codings)
        Y = segment_code_matrix(units, coded, coder=dataset.coders[0], codes=dataset.codebook.code_ids)
        suggester = CodeSuggester(code_texts=codebook_texts(dataset.codebook), random_state=0)
        folds = int(values.get("cv_folds", 5))
        timed("02-code-suggestions", f"one suggester fit x {folds + 1}", lambda: suggester.fit(units, Y))
        floors["02-code-suggestions"][f"one suggester fit x {folds + 1}"] *= folds + 1
    return floors


def _study(result: BenchResult, label: str, params: Path, *, tmp: Path, real_dir: Path,
           trivial_dir: Path, floors: bool) -> dict[str, float]:
    """Trivial, cold and warm renders of one study, its phases and floors, added to *result*."""
    with mock.patch.dict(os.environ, {CACHE_ENV: str(tmp / f"cache-{label}")}):
        trivial = _timed_render(params, tmp / f"{label}-trivial", notebooks_dir=trivial_dir, rerun=True)
        cold = _timed_render(params, tmp / f"{label}-cold", notebooks_dir=real_dir, rerun=True)
        warm = _timed_render(params, tmp / f"{label}-warm", notebooks_dir=real_dir, rerun=True)
        reused = _timed_render(params, tmp / f"{label}-reused", notebooks_dir=real_dir)
    kernels = {p["name"]: p["seconds"] for p in _phases(tmp / f"{label}-trivial")}
    runs = [p["run"] for p in _phases(tmp / f"{label}-reused")]
    result.notes.append(f"{label}: warm reused render: {runs.count('reused')} of {len(runs)} notebooks "
                        "restored from their stored run, none executed" if set(runs) == {"reused"} else
                        f"{label}: warm reused render: runs {runs} (not every notebook was reused)")
    work = measure_floors(params) if floors else {}
    floor_total = 0.0
    reused_phases = {p["name"]: p for p in _phases(tmp / f"{label}-reused")}
    for cold_phase, warm_phase in zip(_phases(tmp / f"{label}-cold"), _phases(tmp / f"{label}-warm"), strict=True):
        name = cold_phase["name"]
        pieces = {"kernel (trivial notebook)": kernels[name], **work.get(name, {})}
        floor = sum(pieces.values())
        floor_total += floor
        result.add(f"{label}: {name} cold", cold_phase["seconds"], "s")
        if floors:
            result.add(f"{label}: {name} floor", floor, "s")
            result.add(f"{label}: {name} cold vs floor", cold_phase["seconds"] / floor, "x")
        result.add(f"{label}: {name} warm, executed", warm_phase["seconds"], "s")
        result.add(f"{label}: {name} warm, executed vs its trivial notebook",
                   warm_phase["seconds"] / kernels[name], "x")
        result.add(f"{label}: {name} warm, reused (restored, not executed)", reused_phases[name]["seconds"], "s")
        result.notes.append(f"{label} {name}: floor " + ", ".join(f"{k} {v:.1f} s" for k, v in pieces.items()))
        for run, phase in (("cold", cold_phase), ("warm", warm_phase)):
            if phase.get("steps"):
                result.notes.append(f"{label} {name} {run} steps: " + ", ".join(
                    f"{s['name']} {s['seconds']:.1f} s" for s in phase["steps"]))
    result.add(f"{label}: trivial notebooks", trivial, "s")
    result.add(f"{label}: report, cold caches", cold, "s")
    result.add(f"{label}: report, warm caches, executed (--rerun)", warm, "s")
    result.add(f"{label}: report, warm, REUSED (stored runs restored, no notebook executed)", reused, "s")
    result.add(f"{label}: warm executed (--rerun) report vs trivial notebooks", warm / trivial, "x", at_most=2)
    result.add(f"{label}: warm REUSED report vs trivial notebooks", reused / trivial, "x", at_most=2)
    if floors:
        result.add(f"{label}: floors, summed", floor_total, "s")
        target = {"at_most": 1.5} if label == "real-size" else {}
        result.add(f"{label}: cold report vs summed floors", cold / floor_total, "x", **target)
    result.add(f"{label}: cold vs warm", cold / warm, "x")
    return {"trivial": trivial, "cold": cold, "warm": warm, "reused": reused}


@register("report")
def bench_report(*, quick: bool = False, params_file: str = "params/sample.yaml",
                 studies: tuple[str, ...] = STUDIES) -> BenchResult:
    """Trivial, cold and warm renders of the sample and of the real-size study (``quick``: the
    first notebook of the sample only, no floors)."""
    root = io.project_root()
    params = io.resolve(params_file, root=root)
    notebooks = find_notebooks(root / "notebooks")
    if quick:
        notebooks, studies = notebooks[:1], ("sample",)
    result = BenchResult("report", notes=[
        f"{len(notebooks)} notebooks, parameters {params.relative_to(root)}; trivial notebooks keep "
        "only each notebook's parameters cell; floors: trivial notebook + spaCy passes and fits "
        "(thematic.bench.report); the real-size study is synthetic"])
    with tempfile.TemporaryDirectory(prefix="thematic-bench-report-") as tmp:
        tmp = Path(tmp)
        real_dir = root / "notebooks"
        if quick:  # one notebook: its own parameters only, copied alone into a folder
            params = _params_declared_by(params, notebooks, tmp / "params.yaml")
            real_dir = tmp / "one-notebook"
            real_dir.mkdir()
            (real_dir / notebooks[0].name).write_bytes(notebooks[0].read_bytes())
        trivial_dir = tmp / "trivial-notebooks"
        write_trivial_notebooks(notebooks, trivial_dir)
        for label in studies:
            study_params = params if label == "sample" else real_size_params(params, tmp)
            if label != "sample":
                from thematic.dataset import load_dataset

                data = load_dataset(io.resolve(io.read_yaml(study_params)["data_dir"]))
                words = sum(len(t.split()) for t in data.texts.values())
                result.notes.append(f"real-size study (synthetic): {len(data.interviews)} interviews, "
                                    f"{words:,} words")
            _study(result, label, study_params, tmp=tmp, real_dir=real_dir, trivial_dir=trivial_dir,
                   floors=not quick)
    return result
