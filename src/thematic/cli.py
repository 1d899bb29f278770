"""The ``thematic`` command line: ``report``, ``validate``, ``bench``."""

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
    from thematic.dataset import load_dataset

    def check() -> None:
        dataset = load_dataset(data_dir, require_deidentified=False)
        click.echo(f"{Path(dataset.root)}: {len(dataset.participants)} participants, "
                   f"{len(dataset.interviews)} interviews, {len(dataset.texts)} de-identified "
                   f"transcripts, {len(dataset.codings)} codings by {len(dataset.coders)} coder(s): OK")
        if dataset.not_deidentified:
            click.echo(f"not yet de-identified: {', '.join(dataset.not_deidentified)}")

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


@main.group()
def suggest() -> None:
    """Code suggestions: export them for review, apply the reviewed ones."""


@suggest.command("export")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--coder", required=True, help="The reviewing coder (suggestions for segments they left uncoded).")
@click.option("--learn-from", default=None, help="Coder whose codings the model learns from [default: --coder].")
@click.option("--seed", default=20200701, show_default=True, type=int, help="Seed of the model's inner CV.")
@click.option("--embed", is_flag=True, help="Add sentence embeddings (needs the [embed] extra).")
def suggest_export(data_dir: str, coder: str, learn_from: str | None, seed: int, embed: bool) -> None:
    """Write DATA_DIR/review/suggestions-CODER.csv, ranked by score, for review."""
    from thematic import io
    from thematic import suggestion_review as review
    from thematic.dataset import load_dataset

    def run() -> None:
        dataset = load_dataset(io.resolve(data_dir), require_deidentified=False)
        table, _ = review.build_suggestions(dataset, learn_from=learn_from or coder, reviewer=coder,
                                            seed=seed, embedding="minilm" if embed else None)
        path = review.export_suggestions(table, review.suggestions_path(dataset.root, coder))
        click.echo(f"{len(table)} suggestions written to {path}; mark 'decision' accept or reject, "
                   f"then run: thematic suggest apply {data_dir} --coder {coder}")

    _run(run)


@suggest.command("apply")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--coder", required=True, help="The reviewing coder whose decisions are applied.")
def suggest_apply(data_dir: str, coder: str) -> None:
    """Turn accepted suggestions into codings of CODER; log every decision."""
    from thematic import io
    from thematic import suggestion_review as review

    def run() -> None:
        entries = review.apply_review(io.resolve(data_dir), coder=coder)
        accepted = int((entries["decision"] == "accept").sum()) if len(entries) else 0
        click.echo(f"{len(entries)} new decision(s) logged, {accepted} accepted into codings/{coder}.csv")

    _run(run)


def _run(action) -> None:
    try:
        action()
    except ThematicError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
