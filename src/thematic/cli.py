"""The ``thematic`` command line: ``report``, ``validate``, ``deidentify``, ``bench``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from thematic import __version__
from thematic.errors import Errors, ParameterError, ThematicError


@click.group()
@click.version_option(__version__, prog_name="thematic")
@click.option("-v", "--verbose", is_flag=True, help="Log what each step does.")
def main(verbose: bool) -> None:
    """Reproducible thematic analysis of interview transcripts."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--params", "params_file", default="params/sample.yaml", show_default=True,
              type=click.Path(dir_okay=False), help="YAML parameter file.")
@click.option("-o", "--output", "output_dir", default=None, type=click.Path(file_okay=False),
              help="Report folder [default: reports/ in the project root].")
@click.option("--notebooks", "notebooks_dir", default=None, type=click.Path(file_okay=False),
              help="Folder of phase notebooks [default: notebooks/ in the project root].")
@click.option("--kernel", "kernel_name", default="python3", show_default=True, help="Jupyter kernel.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def report(params_file: str, output_dir: str | None, notebooks_dir: str | None, kernel_name: str,
           quiet: bool) -> None:
    """Run every phase notebook and render the HTML report with its provenance."""
    from thematic.report import render_report

    _run(lambda: render_report(params_file, output_dir=output_dir, notebooks_dir=notebooks_dir,
                               kernel_name=kernel_name, progress=not quiet, echo=click.echo))


@main.command()
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
def validate(data_dir: str) -> None:
    """Check a data folder and list every problem, with file and line."""
    from thematic import io
    from thematic.dataset import load_dataset
    from thematic.errors import DataError
    from thematic.ingest import check_transcripts

    def check() -> None:
        problems, dataset = [], None
        try:
            dataset = load_dataset(data_dir, require_deidentified=False)
        except DataError as error:
            problems += error.problems
        root = io.resolve(data_dir)
        if root.is_dir():
            problems += [p for p in check_transcripts(root) if p not in problems]
        if problems:
            raise DataError(problems)
        click.echo(f"{Path(dataset.root)}: {len(dataset.participants)} participants, "
                   f"{len(dataset.interviews)} interviews, {len(dataset.texts)} de-identified "
                   f"transcripts, {len(dataset.codings)} codings by {len(dataset.coders)} coder(s): OK")
        if dataset.not_deidentified:
            click.echo(Errors.E307.format(path=Path(dataset.root) / "deidentified",
                                          ids=", ".join(dataset.not_deidentified), data_dir=data_dir))

    _run(check)


@main.command()
@click.argument("names", nargs=-1)
@click.option("--quick", is_flag=True, help="Smaller sizes: a smoke run, figures not meaningful.")
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
def bench(names: tuple[str, ...], quick: bool, list_only: bool) -> None:
    """Run benchmarks (all, or those NAMES) and print their figures against their targets."""
    import pandas as pd

    from thematic.bench import discover

    def run() -> None:
        available = discover()
        if list_only:
            click.echo("\n".join(available))
            return
        unknown = sorted(set(names) - set(available))
        if unknown:
            raise ParameterError(Errors.E018.format(value=", ".join(unknown), what="benchmark",
                                                    known=", ".join(available)))
        tables = []
        for name in names or available:
            result = available[name](quick=quick)
            click.echo(f"\n== {result.name} ==")
            for note in result.notes:
                click.echo(f"  {note}")
            table = result.table()
            click.echo(table.drop(columns="benchmark").to_string(index=False))
            tables.append(table)
        if tables:
            missed = pd.concat(tables).query("met == 'NO'")
            click.echo(f"\n{len(missed)} target(s) missed" if len(missed) else "\nall targets met")

    _run(run)


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False))
@click.option("--review", "review_file", default=None, type=click.Path(dir_okay=False),
              help="Review CSV to apply and update [default: DATA_DIR/deidentification/review.csv].")
@click.option("--known-names", default=None, type=click.Path(dir_okay=False),
              help="Known-names file [default: DATA_DIR/known-names.yaml if present].")
@click.option("--model", default="en_core_web_sm", show_default=True, help="spaCy pipeline.")
@click.option("--n-jobs", default=1, show_default=True, type=int, help="Transcripts processed in parallel (-1: all cores).")
@click.option("--dry-run", is_flag=True, help="Find identifiers and report, write nothing.")
def deidentify(data_dir: str, review_file: str | None, known_names: str | None, model: str, n_jobs: int,
               dry_run: bool) -> None:
    """De-identify DATA_DIR/raw into DATA_DIR/deidentified, with audit logs and a review file."""
    from thematic.review import audit_summary, deidentify_folder

    def run() -> None:
        result = deidentify_folder(data_dir, review_file=review_file, known_names=known_names, model=model,
                                   n_jobs=n_jobs, write=not dry_run, progress=click.echo)
        summary = audit_summary(result.identifiers)
        click.echo(summary.to_string(index=False) if len(summary) else "no identifiers found")
        click.echo(f"{len(result.changed)} de-identified text(s) {'would change' if dry_run else 'written'}, "
                   f"{len(result.unchanged)} unchanged; {result.remapped_codings} coding(s) moved onto the new text")
        click.echo(result.review_status.to_string(index=False))
        if not dry_run:
            click.echo(f"review file: {result.review_file} (mark 'false positive' or add 'missed' rows, "
                       "then run again). It shows original text: keep it with raw/.")

    _run(run)


def _run(action) -> None:
    try:
        action()
    except ThematicError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
