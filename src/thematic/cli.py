"""The ``thematic`` command line: ``report``, ``validate``, ``bench``, ``kwic``."""

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


@main.command()
@click.argument("query")
@click.option("--data-dir", default="data-sample", show_default=True, type=click.Path(file_okay=False),
              help="The study's data folder.")
@click.option("--group", multiple=True, help="Only this stakeholder group (repeatable).")
@click.option("--role", multiple=True, help="Only this role (repeatable).")
@click.option("--wave", multiple=True, type=int, help="Only this wave (repeatable).")
@click.option("--speaker", multiple=True, help="Only this speaker label, e.g. Interviewer (repeatable).")
@click.option("--text", "as_text", is_flag=True, help="Match the words as typed, not their lemmas.")
@click.option("--window", default=60, show_default=True, help="Characters of context each side.")
@click.option("--limit", default=50, show_default=True, help="Show at most this many hits.")
@click.option("--model", default="en_core_web_sm", show_default=True, help="spaCy pipeline.")
def kwic(query: str, data_dir: str, group: tuple[str, ...], role: tuple[str, ...], wave: tuple[int, ...],
         speaker: tuple[str, ...], as_text: bool, window: int, limit: int, model: str) -> None:
    """Show QUERY (a word or phrase) in context in the de-identified transcripts."""
    from thematic.dataset import load_dataset
    from thematic.kwic import Concordance
    from thematic.parse import DocParser
    from thematic.segments import segment_turns
    from thematic.vocabulary import PARSE_NEEDS

    def search() -> None:
        dataset = load_dataset(data_dir, require_deidentified=False)
        parser = DocParser(model, needs=PARSE_NEEDS)
        concordance = Concordance(parser.parse_transcripts(dataset.texts), segment_turns(dataset),
                                  tokenizer=parser.nlp.tokenizer)
        hits = concordance.search(query, match="text" if as_text else "lemma", window=window,
                                  group=group or None, role=role or None, wave=wave or None,
                                  speaker=speaker or None)
        for hit in hits[:limit]:
            click.echo(f"{hit.interview_id:>10} {hit.start:>6}  {hit.left:>{window}} "
                       f"[{hit.match}] {hit.right}")
        shown = f", first {limit} shown" if len(hits) > limit else ""
        click.echo(f"{len(hits)} hit(s) for {query!r}{shown}", err=True)

    _run(search)


def _run(action) -> None:
    try:
        action()
    except ThematicError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
