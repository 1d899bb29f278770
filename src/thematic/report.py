"""``thematic report``: execute the phase notebooks with papermill and render the report.

Everything happens in this one Python process (papermill starts one kernel per notebook, and
a finished notebook's kernel exits gracefully while the next one runs: :mod:`thematic.kernels`;
HTML is rendered in-process by nbconvert, a notebook's two pages in a thread while the next
notebook runs in its kernel). The new report is written to a temporary folder beside the
target and swapped in only when every notebook has run, so a failure leaves the previous
complete report in place.

papermill, nbformat and nbconvert are imported by the functions that use them: a kernel that
imports this module for its :data:`PARAMETERS` does not pay for them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated

import jinja2
from pydantic import Field

from thematic import folders, io, kernels, reuse
from thematic.errors import Errors, ReportError
from thematic.parameters import (
    Parameter,
    declared_parameters,
    effective_parameters,
    for_notebook,
    load_parameters,
    resolved,
)
from thematic.provenance import build_manifest, consensus_record, now
from thematic.steps import REPORT_ENV, TIMINGS_DIR, read_timings

DEFAULT_TITLE = "Thematic analysis report"


@dataclass(frozen=True)
class Phase:
    """One notebook of the pipeline, as shown in the report index."""

    notebook: Path

    @property
    def name(self) -> str:
        return self.notebook.stem

    @property
    def summary(self) -> str:
        import nbformat

        nb = nbformat.read(self.notebook, as_version=4)
        first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
        lines = [line.strip("# ").strip() for line in first.splitlines() if line.strip()]
        summary = lines[1] if len(lines) > 1 else (lines[0] if lines else "")
        return re.sub(r"(\*\*|__|`)", "", summary)  # the index shows plain text, not Markdown

    @property
    def heading(self) -> str:
        """The notebook's first heading as plain text (e.g. ``00 · Prepare the data``), or its name."""
        import nbformat

        nb = nbformat.read(self.notebook, as_version=4)
        first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
        for line in first.splitlines():
            if line.startswith("#"):
                return re.sub(r"(\*\*|__|`)", "", line.strip("# ").strip()) or self.name
        return self.name


def find_notebooks(folder: Path) -> list[Path]:
    """The phase notebooks of *folder*, in name order (``00-...`` first)."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        raise ReportError(Errors.E001.format(path=folder / "*.ipynb", hint="No notebooks to run."))
    return notebooks


def render_report(params_file: str | os.PathLike = "params/sample.yaml", *,
                  output_dir: str | os.PathLike | None = None,
                  notebooks_dir: str | os.PathLike | None = None,
                  kernel_name: str = "python3", progress: bool = True, rerun: bool = False,
                  echo: Callable[[str], None] = print) -> Path:
    """Run every phase notebook and write the report folder.

    Parameters
    ----------
    params_file
        YAML parameter file; relative paths inside it are resolved from the project root.
    output_dir
        Report folder (default ``reports/`` in the project root).
    notebooks_dir
        Folder of phase notebooks (default ``notebooks/`` in the project root).
    kernel_name
        Jupyter kernel to run the notebooks with.
    progress
        Show progress bars.
    rerun
        Execute every notebook. Otherwise a notebook none of whose inputs changed since a stored
        run is restored from that run (:mod:`thematic.reuse`; the manifest and the index say
        which); either way the stored runs are refreshed.
    echo
        Where progress messages go.

    Returns
    -------
    Path
        The report folder, holding ``index.html``, ``manifest.json``, ``executed/``,
        ``html/``, ``tables/`` and ``figures/``.

    Raises
    ------
    ParameterError
        If the parameter file has unknown keys or wrong types.
    ReportError
        If a notebook fails; the message names the notebook, the cell and the error.
    """
    params_file = io.resolve(params_file)
    root = io.project_root()
    notebooks_dir = io.resolve(notebooks_dir or "notebooks", root=root)
    output = io.resolve(output_dir or "reports", root=root)
    phases = [Phase(p) for p in find_notebooks(notebooks_dir)]
    declared = [declared_parameters(p.notebook) for p in phases]
    values = load_parameters(params_file, declared)
    title = values.pop("title", DEFAULT_TITLE)
    effective = effective_parameters(values, declared)
    data_dirs = [str(io.resolve(effective["data_dir"]))] if effective.get("data_dir") else []
    with folders.owned_output(output, kind="report", data_dirs=data_dirs) as staging:
        _write_report(phases, declared, values, title=title, staging=staging, root=root,
                      params_file=params_file, notebooks_dir=notebooks_dir, kernel_name=kernel_name,
                      progress=progress, echo=echo, resolved_values=resolved(effective),
                      runs=reuse.Runs(data_dir=Path(data_dirs[0]) if data_dirs else None, kernel_name=kernel_name,
                                      notebooks_dir=notebooks_dir, rerun=rerun, echo=echo))
    echo(f"[thematic report] wrote {output / 'index.html'}")
    return output


def _write_report(phases: list[Phase], declared: list, values: dict, *, title: str,
                  staging: folders.Staging, root: Path, params_file: Path, notebooks_dir: Path,
                  kernel_name: str, progress: bool, echo: Callable[[str], None],
                  resolved_values: dict, runs: reuse.Runs) -> None:
    """Run the notebooks into *staging* and write the HTML pages, manifest and index there.

    A notebook's pages are rendered in a second thread while the next notebook runs (the
    kernel is another process, so the two use two cores); what is written is the same as
    rendering them one after the other at the end."""
    from tqdm.auto import tqdm

    folder = staging.path
    (folder / "executed").mkdir()
    started = now()
    bar = tqdm(phases, desc="report", unit="notebook", disable=not progress)
    sockets = tempfile.mkdtemp(prefix="thematic-kernel-")
    retirer = kernels.Retirer()
    assets = _assets()
    pages = _PageWriter(phases, folder, title, assets)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="thematic-pages") as renderer:
        rendered: list[Future] = []

        def write_pages(number: int, run: dict) -> None:
            rendered.append(renderer.submit(pages.write, number, run=run))

        def settle() -> None:
            """No page is being written once this returns (before a failed run's folder moves)."""
            for future in rendered:
                future.cancel()
            wait(rendered)

        try:
            with _kernels_know_they_run_a_report():
                timings = _run_notebooks(phases, declared, values, staging=staging, bar=bar,
                                         notebooks_dir=notebooks_dir, kernel_name=kernel_name,
                                         sockets=sockets, retirer=retirer, echo=echo, runs=runs,
                                         on_executed=write_pages,
                                         on_failure=settle)
        except BaseException:
            settle()
            raise
        finally:
            retirer.join()  # every kernel has exited and been cleaned up
            shutil.rmtree(sockets, ignore_errors=True)
        echo("[thematic report] rendering HTML")
        entries = [future.result() for future in rendered]
    for entry, run in zip(entries, timings, strict=True):
        entry.update(run, seconds=round(run["seconds"], 2))
        entry["steps"] = phase_steps(folder, entry["name"])
    reused = [entry["name"] for entry in entries if entry["run"] == "reused"]
    echo(f"[thematic report] reused {len(reused)} of {len(entries)} notebooks"
         + (f" ({', '.join(reused)}): inputs unchanged" if reused else "")
         + ("; --rerun executes every one" if reused else ""))
    manifest = build_manifest(
        root=root, params_file=params_file, parameters={"title": title, **values},
        inputs=[params_file, *(p.notebook for p in phases),
                *([Path(resolved_values["data_dir"])] if "data_dir" in resolved_values else [])],
        started=started, finished=now(), kernel_name=kernel_name, phases=entries,
        studies=[Path(resolved_values["data_dir"])] if "data_dir" in resolved_values else [])
    manifest["resolved_parameters"] = resolved_values
    consensus = consensus_record(folder)
    if consensus is not None:
        manifest["consensus"] = consensus
    io.write_json(folder / "manifest.json", manifest)
    used_by = {name: [p.name for p, d in zip(phases, declared, strict=True) if name in d.declared]
               for name in manifest["parameters"]}
    used_by["title"] = ["report index"]
    io.write_text(folder / "index.html", _index_html(title, manifest, entries, used_by, assets["css"],
                                                     documents=_documents(folder)))


def _run_notebooks(phases: list[Phase], declared: list, values: dict, *, staging: folders.Staging,
                   bar, notebooks_dir: Path, kernel_name: str, sockets: str, retirer: kernels.Retirer,
                   echo: Callable[[str], None], on_executed: Callable[[int, dict], object] = lambda n, run: None,
                   on_failure: Callable[[], object] = lambda: None, runs: reuse.Runs | None = None) -> list[dict]:
    """Execute each phase notebook into ``staging/executed``, or restore it when *runs* finds a
    stored run with the same inputs (:mod:`thematic.reuse`); return how each was run (``run``:
    executed or reused, ``key``, ``seconds`` in this run, ``reused_from``: when the restored run
    was executed and its seconds).
    ``on_executed(n, run)`` is called when the *n*-th notebook has run (or was restored),
    ``on_failure()`` when one failed, before the staging folder is moved. Each notebook's kernel listens on its own
    sockets in *sockets* and, once the notebook has run, exits while the next one runs
    (:mod:`thematic.kernels`; the caller joins *retirer*).

    On failure the staging folder is kept as ``<output>.failed`` and a ReportError raised.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    pool = kernels.Kernels(kernel_name=kernel_name, socket_dir=sockets, cwd=str(notebooks_dir), retirer=retirer)
    runs = runs or reuse.Runs(data_dir=None, kernel_name=kernel_name, notebooks_dir=notebooks_dir, rerun=True,
                              echo=echo)
    timings = []
    try:
        for number, (phase, nb_params) in enumerate(zip(bar, declared, strict=True)):
            bar.set_postfix_str(phase.name)
            t0 = time.perf_counter()
            executed = staging.path / "executed" / phase.notebook.name
            parameters = for_notebook(values, nb_params, output_dir=str(staging.path))
            decision = runs.decide(phase.notebook, parameters, staging=staging.path)
            if decision.entry is not None and runs.restore(decision, staging=staging.path, executed=executed):
                pool.release(number)  # a kernel started ahead for it is not needed
                entry = decision.entry
                echo(f"[thematic report] reused {phase.name}: inputs unchanged since the run of {entry.executed_at}")
                timings.append({"run": "reused", "key": decision.key, "seconds": time.perf_counter() - t0,
                                "reused_from": {"executed_at": entry.executed_at, "seconds": entry.seconds}})
                on_executed(number, timings[-1])
                continue
            echo(f"[thematic report] running {phase.name}")
            executed_at = now()
            following = number + 1 if number + 1 < len(phases) else None

            async def start_next(notebook, following=following) -> None:  # this kernel is ready
                if following is not None:
                    await pool.start_async(following)

            try:
                papermill.execute_notebook(
                    str(phase.notebook), str(executed),
                    parameters=parameters,
                    kernel_name=kernel_name, cwd=str(notebooks_dir), progress_bar=False,
                    request_save_on_cell_execute=False, log_output=False, km=pool.start(number),
                    on_notebook_start=start_next)
            except PapermillExecutionError as error:
                previous = (f"The previous report in {staging.target} was left in place"
                            if staging.target.exists() else f"No report was written to {staging.target}")
                pool.release_all()
                on_failure()
                kept = folders.keep_failed(staging)
                raise ReportError(Errors.E015.format(
                    notebook=phase.notebook.name, cell=error.exec_count, ename=error.ename,
                    evalue=error.evalue, previous=previous, kept=kept)) from None
            finally:
                pool.release(number)
            seconds = time.perf_counter() - t0
            stored = runs.remember(decision, phase.notebook, staging=staging.path, executed=executed,
                                   executed_at=executed_at, seconds=seconds)
            timings.append({"run": "executed", "key": decision.key, "seconds": seconds, "executed_at": executed_at,
                            "why": decision.reason, "stored": stored})
            on_executed(number, timings[-1])
    finally:
        pool.release_all()
    return timings


@contextmanager
def _kernels_know_they_run_a_report() -> Iterator[None]:
    """Kernels started in the body inherit :data:`thematic.steps.REPORT_ENV`, so the phases draw
    no progress bar (nothing of one may remain in an executed notebook or its HTML page)."""
    before = os.environ.get(REPORT_ENV)
    os.environ[REPORT_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(REPORT_ENV, None)
        else:
            os.environ[REPORT_ENV] = before


def _template_dir() -> Path:
    return Path(str(resources.files("thematic") / "templates"))


#: plotly.js, written once beside the phase pages (``html/``) and loaded by each of them.
PLOTLY_JS = "plotly.min.js"


def _assets() -> dict[str, str]:
    from plotly.offline import get_plotlyjs

    return {"plotly_js": get_plotlyjs(), "css": (_template_dir() / "report.css").read_text("utf-8")}


def page_title(phase_heading: str, report_title: str, *, with_code: bool) -> str:
    """The browser title of a phase page: the phase first (what a tab shows), then the report."""
    return f"{phase_heading}{' (with code)' if with_code else ''} | {report_title}"


class _PageWriter:
    """Writes a reader (code hidden) and a reviewer (code shown) page per executed notebook,
    and plotly.js once beside them (a page loads it from there: offline, and each page small)."""

    def __init__(self, phases: list[Phase], staging: Path, title: str, assets: dict[str, str]):
        self.phases, self.staging, self.title, self.assets = phases, staging, title, assets
        self.exporters: dict[bool, object] = {}

    def write(self, number: int, *, run: dict | None = None) -> dict:
        """Write the pages of the *number*-th phase; return its entry for the index. A *run*
        that was reused (see :func:`_run_notebooks`) is said at the top of both pages."""
        import nbformat

        html_dir = self.staging / "html"
        if not self.exporters:
            io.write_text(html_dir / PLOTLY_JS, self.assets["plotly_js"])
            self.exporters = {hide_code: _phase_exporter(hide_code) for hide_code in (True, False)}
        phases, phase, title = self.phases, self.phases[number], self.title
        executed = nbformat.read(self.staging / "executed" / phase.notebook.name, as_version=4)
        reader, reviewer = f"{phase.name}.html", f"{phase.name}.code.html"
        before = phases[number - 1].name if number > 0 else None
        after = phases[number + 1].name if number + 1 < len(phases) else None
        for filename, hide_code, other, other_label, label, suffix in (
            (reader, True, reviewer, "Show code (reviewer version)", "reader version", ".html"),
            (reviewer, False, reader, "Hide code (reader version)", "reviewer version", ".code.html"),
        ):
            body, _ = self.exporters[hide_code].from_notebook_node(executed, resources={
                "metadata": {"name": page_title(phase.heading, title, with_code=not hide_code)},
                "thematic": {
                    "css": self.assets["css"], "plotly_src": PLOTLY_JS,
                    "title": f"{title}: {phase.name}", "index_href": "../index.html",
                    "other_href": other, "other_label": other_label, "version_label": label,
                    "previous_href": before and f"{before}{suffix}", "previous_label": before,
                    "next_href": after and f"{after}{suffix}", "next_label": after,
                    "run_note": run_note(run)}})
            io.write_text(html_dir / filename, body)
        return {
            "name": phase.name, "summary": phase.summary, "reader": f"html/{reader}",
            "reviewer": f"html/{reviewer}", "executed": f"executed/{phase.notebook.name}",
            "tables": _listed(self.staging, "tables", phase.name),
            "figures": _listed(self.staging, "figures", phase.name),
        }


def run_note(run: dict | None) -> str:
    """The line a phase page shows about how it was run: nothing for a notebook executed in
    this run, the date of the run it was restored from for a reused one."""
    if not run or run.get("run") != "reused":
        return ""
    since = run["reused_from"]
    return (f"Reused: none of this notebook's inputs changed since the run of {since['executed_at']} "
            f"(run time then {since['seconds']:.1f} s), so this page shows that run's results. "
            "'thematic report --rerun' executes it again.")


def _render_html(phases: list[Phase], staging: Path, title: str, assets: dict[str, str]) -> list[dict]:
    """Write the pages of every executed notebook (:class:`_PageWriter`), one after the other."""
    pages = _PageWriter(phases, staging, title, assets)
    return [pages.write(number) for number in range(len(phases))]


def _phase_exporter(hide_code: bool):
    """The exporter of a phase page: the ``thematic_phase`` template (:func:`_template_dir`)."""
    from thematic.htmlpage import PageExporter

    return PageExporter(template_name="thematic_phase", exclude_input=hide_code,
                        exclude_input_prompt=hide_code, exclude_output_prompt=True,
                        extra_template_basedirs=[str(_template_dir())])


def _listed(staging: Path, kind: str, phase: str) -> list[str]:
    folder = staging / kind / phase
    return [str(p.relative_to(staging)) for p in io.iter_files(folder)] if folder.is_dir() else []


#: What the runner itself writes; anything else a notebook writes is listed as a document.
_RUNNER_OUTPUTS = {"html", "executed", "tables", "figures", "manifest.json", "index.html", TIMINGS_DIR}


def phase_steps(report_dir: Path, phase: str) -> list[dict]:
    """The named steps a phase recorded in ``timings/<phase>.json`` (:class:`thematic.steps.Steps`),
    as the manifest keeps them: name, seconds and items (None when not counted), in the order
    they ran."""
    return [{"name": step.name, "seconds": step.seconds, "items": step.items}
            for step in read_timings(report_dir, phase)]


def _documents(staging: Path) -> list[str]:
    """Files the notebooks wrote beside the runner's own outputs (e.g. the member-check document)."""
    return [str(path.relative_to(staging)) for path in io.iter_files(staging)
            if path.relative_to(staging).parts[0] not in _RUNNER_OUTPUTS]


def _index_html(title: str, manifest: dict, entries: list[dict], used_by: dict, css: str, *,
                documents: list[str]) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_template_dir()),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    # A parameter's value as JSON the reader sees as written (then HTML-escaped), unlike
    # jinja's tojson, which writes '<' as \u003c.
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    return env.get_template("index.html.j2").render(
        title=title, manifest=manifest, phases=entries, used_by=used_by, css=css,
        documents=documents)


PARAMETERS = (Parameter("title", Annotated[str, Field(min_length=1, max_length=300)],
                        "the report's title, 1 to 300 characters"),)
