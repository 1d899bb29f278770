"""The ``thematic`` command line: report, validate, bench, qdpx, agreement, membercheck."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from thematic import __version__
from thematic.errors import Errors, ParameterError, ThematicError
from thematic.parameters import option_type

#: Options checked as the report parameters of the same meaning are (thematic.parameters).
SPACY_MODEL = option_type("thematic.nlp", "spacy_model", metavar="NAME")
N_JOBS = option_type("thematic.parallel", "n_jobs", metavar="INTEGER")
N_BOOT = option_type("thematic.agreement", "n_boot", metavar="INTEGER")
SEED = option_type("thematic.parameters", "seed", metavar="INTEGER")
KWIC_WINDOW = option_type("thematic.kwic", "kwic_window", metavar="INTEGER")


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
@click.option("--rerun", is_flag=True,
              help="Execute every notebook, even those whose inputs did not change since a stored run.")
def report(params_file: str, output_dir: str | None, notebooks_dir: str | None, kernel_name: str,
           quiet: bool, rerun: bool) -> None:
    """Run every phase notebook and render the HTML report with its provenance.

    A notebook none of whose inputs changed since its last run (notebook, parameters, data
    folder, earlier phases' outputs, thematic's code, installed packages, Python, kernel) is
    restored from that run instead, and the report says so; --rerun executes them all."""
    from thematic.report import render_report

    _run(lambda: render_report(params_file, output_dir=output_dir, notebooks_dir=notebooks_dir,
                               kernel_name=kernel_name, progress=not quiet, rerun=rerun, echo=click.echo))


@main.command()
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--explain", "explain_file", default=None, type=click.Path(dir_okay=False),
              help="Show how one transcript FILE is read: layout, speakers, header, first turns.")
@click.option("--quiet", is_flag=True, help="Only problems and the summary line, not one line per transcript.")
def validate(data_dir: str, explain_file: str | None, quiet: bool) -> None:
    """Check a data folder and list every problem, with file and line; then, per transcript, the
    layout, speakers and turns that were read."""
    from thematic.dataset import load_dataset
    from thematic.errors import DataError
    from thematic.study import Study
    from thematic.transcripts import check_transcripts, describe, explain, read_transcript

    def check() -> None:
        if explain_file:
            study = Study(data_dir) if Path(data_dir).is_dir() else None
            declared = _declared_interviewer(study, explain_file) if study else ()
            click.echo(explain(read_transcript(explain_file, interviewer=declared)))
            return
        study = Study(data_dir)
        problems, dataset = [], None
        try:
            dataset = load_dataset(study, require_deidentified=False)
        except DataError as error:
            problems += error.problems
        problems += [p for p in check_transcripts(study) if p not in problems]
        if problems:
            raise DataError(problems)
        for row in dataset.interviews.itertuples(index=False):
            info = describe(read_transcript(study.inside(row.transcript, what="transcript",
                                                         source=study.interviews_file),
                                            interviewer=row.interviewer))
            if not quiet:
                speakers = ", ".join(f"{s['label']}{' (interviewer)' if s['interviewer'] else ''}: {s['turns']}"
                                     for s in info["speakers"])
                header = f", header of {info['header_words']} words" if info["header_words"] else ""
                click.echo(f"  {row.interview_id:<20} {info['layout']:<12} {info['turns']:>4} turns{header}; {speakers}")
            for note in info["notes"]:
                click.echo(f"  {row.interview_id}: note: {note}")
            for warning in info["warnings"]:
                click.echo(f"warning: {row.transcript} ({row.interview_id}): {warning}", err=True)
        for warning in dataset.warnings:
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"{study.root}: {len(dataset.participants)} participants in {len(dataset.groups)} "
                   f"group(s), {len(dataset.interviews)} interviews, {len(dataset.texts)} de-identified "
                   f"transcripts, {len(dataset.codings)} codings by {len(dataset.coders)} coder(s): OK")
        if dataset.not_deidentified:
            click.echo(Errors.E307.format(path=study.deidentified_dir,
                                          ids=", ".join(dataset.not_deidentified), data_dir=data_dir))

    _run(check)


def _declared_interviewer(study, path: str) -> tuple[str, ...]:
    """The interviewer interviews.csv declares for the transcript at *path*, if it names it."""
    from thematic.dataset import load_dataset
    from thematic.errors import DataError

    try:
        interviews = load_dataset(study, require_deidentified=False).interviews
    except DataError:
        return ()
    target = Path(path).resolve()
    for row in interviews.itertuples(index=False):
        if (study.root / row.transcript).resolve() == target:
            return row.interviewer
    return ()


@main.command()
@click.argument("transcripts_dir", type=click.Path(file_okay=False))
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(file_okay=False),
              help="The new data folder to create (it must not exist, or be empty).")
@click.option("--model", default="en_core_web_sm", show_default=True, type=SPACY_MODEL,
              help="spaCy pipeline for finding names.")
@click.option("--no-names", is_flag=True, help="Do not look for names (an empty known-names.yaml).")
def init(transcripts_dir: str, output_dir: str, model: str, no_names: bool) -> None:
    """Scaffold a data folder from a folder of transcripts, validate it, say what to do next."""
    from thematic.scaffold import scaffold_study

    _run(lambda: click.echo(scaffold_study(transcripts_dir, output_dir, model=model,
                                           find_names=not no_names).text()))


@main.command()
@click.argument("names", nargs=-1)
@click.option("--quick", is_flag=True, help="Smaller sizes: a smoke run, figures not meaningful.")
@click.option("--list", "list_only", is_flag=True, help="List the benchmarks and exit.")
@click.option("--sizes", default=None, metavar="N,N,...",
              help="Interviews per study, for the benchmarks that take sizes (scale): --sizes 100,300.")
def bench(names: tuple[str, ...], quick: bool, list_only: bool, sizes: str | None) -> None:
    """Run benchmarks (all, or those NAMES) and print their figures against their targets."""
    import inspect

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
        chosen = list(names or available)
        options: dict = {}
        if sizes is not None:
            takes = [n for n, f in available.items() if "sizes" in inspect.signature(f).parameters]
            values = [v.strip() for v in sizes.split(",")]
            if not all(v.isdigit() and int(v) >= 2 for v in values):
                raise ParameterError(Errors.E970.format(value=sizes, takes=", ".join(takes)))
            if not names or set(chosen) - set(takes):
                others = sorted(set(chosen) - set(takes)) or sorted(set(available) - set(takes))
                raise ParameterError(Errors.E971.format(names=", ".join(others), takes=", ".join(takes)))
            options["sizes"] = [int(v) for v in values]
        tables = []
        for name in chosen:
            result = available[name](quick=quick, **options)
            click.echo(f"\n== {result.name} ==")
            for note in result.notes:
                click.echo(f"  {note}")
            table = result.table()
            click.echo(table.drop(columns="benchmark").to_string(
                index=False, formatters={"value": _figure}))
            tables.append(table)
        if tables:
            missed = pd.concat(tables).query("met == 'NO'")
            click.echo(f"\n{len(missed)} target(s) missed" if len(missed) else "\nall targets met")

    _run(run)


@main.group()
def qdpx() -> None:
    """Exchange projects with NVivo, ATLAS.ti, MAXQDA and QualCoder (REFI-QDA)."""


@qdpx.command("export")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="FILE.qdpx for the whole project, FILE.qdc for the codebook alone.")
@click.option("--n-jobs", default=1, show_default=True, type=N_JOBS, help="Parallel workers for reading texts.")
@click.option("--variables", default=None, metavar="COLUMNS",
              help="Comma-separated participants.csv columns to export as case variables (and "
                   "interviews.csv columns besides wave, date, duration_min) [default: the group only].")
def qdpx_export(data_dir: str, output: str, n_jobs: int, variables: str | None) -> None:
    """Write DATA_DIR's de-identified texts, codebook, codings, memos and cases as REFI-QDA."""
    from thematic.refi import export_refi

    chosen = None if variables is None else [v.strip() for v in variables.split(",") if v.strip()]

    def run() -> None:
        project = export_refi(data_dir, output, n_jobs=n_jobs, variables=chosen)
        counts = project.counts()
        click.echo(f"{output}: {counts['text_sources']} sources, {counts['codes']} codes, "
                   f"{counts['users']} users, {counts['codings']} codings, {counts['cases']} cases")

    _run(run)


@qdpx.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output_dir", required=True, type=click.Path(file_okay=False),
              help="Data folder to create (for a .qdc: the folder to put codebook.yaml in).")
@click.option("--force", is_flag=True, help="Replace an existing folder or codebook.yaml.")
@click.option("--n-jobs", default=1, show_default=True, type=N_JOBS,
              help="Parallel workers for converting sources.")
@click.option("--deidentified", is_flag=True,
              help="The project's texts are de-identified already: also write them to deidentified/. "
                   "Without it they go to raw/ and wait for 'thematic deidentify'.")
def qdpx_import(file: str, output_dir: str, force: bool, n_jobs: int, deidentified: bool) -> None:
    """Import a .qdpx project or .qdc codebook; print what could not be mapped."""
    from thematic.refi import import_refi

    _run(lambda: click.echo(import_refi(file, output_dir, force=force, n_jobs=n_jobs,
                                        deidentified=deidentified).text()))


@main.command()
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--unit", type=click.Choice(["turn", "sentence", "character"]), default="turn", show_default=True,
              help="Unit of analysis: participant turns, their sentences, or characters.")
@click.option("--coders", default=None, help="Comma-separated coders to compare [default: all].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--n-boot", default=1000, show_default=True, type=N_BOOT, help="Bootstrap resamples (0: no intervals).")
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed of the bootstrap.")
def agreement(data_dir: str, unit: str, coders: str | None, as_json: bool, n_boot: int, seed: int) -> None:
    """Inter-coder agreement per code: kappa, alpha, AC1, percent agreement, 95% intervals."""
    import json

    from thematic.agreement import STATISTICS, agreement_table
    from thematic.dataset import load_dataset
    from thematic.segments import segment_turns

    def run() -> None:
        dataset = load_dataset(data_dir)
        if not dataset.has_codings:
            raise ParameterError(Errors.E504.format(known=dataset.coders))
        chosen = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
        table = agreement_table(segment_turns(dataset), dataset.codings, dataset.codebook, coders=chosen,
                                unit=unit, n_boot=n_boot, seed=seed)
        if as_json:
            click.echo(json.dumps(_agreement_json(table, data_dir=str(dataset.root), unit=unit, n_boot=n_boot,
                                                  seed=seed, statistics=STATISTICS), indent=2))
            return
        click.echo(_agreement_text(table, statistics=STATISTICS, n_boot=n_boot, seed=seed))

    _run(run)


def _number(value) -> float | int | None:
    import math

    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _agreement_json(table, *, data_dir: str, unit: str, n_boot: int, seed: int, statistics) -> dict:
    coder_columns = [c for c in table.columns if c.startswith("coded_by_")]
    rows = []
    for row in table.to_dict(orient="records"):
        rows.append({
            "code": row["code"], "label": row["label"], "theme": row["theme"], "kind": row["kind"],
            "scope": row["scope"], "units": row["units"], "clusters": row["clusters"],
            "interviews": row["interviews"],
            "prevalence": _number(row["prevalence"]),
            "coded_by": {c.removeprefix("coded_by_"): row[c] for c in coder_columns},
            "all_coders": row["all_coders"],
            **{name: {"value": _number(row[name]), "ci_low": _number(row[f"{name}_low"]),
                      "ci_high": _number(row[f"{name}_high"])} for name in statistics},
        })
    return {"data_dir": data_dir, "unit": unit, "coders": [c.removeprefix("coded_by_") for c in coder_columns],
            "n_boot": n_boot, "seed": seed, "confidence": 0.95, "resampled": table["cluster"].iloc[0],
            "codes": [r for r in rows if r["code"] != "(pooled)"],
            "pooled": next((r for r in rows if r["code"] == "(pooled)"), None)}


def _agreement_text(table, *, statistics, n_boot: int, seed: int) -> str:
    import pandas as pd

    def cell(row, name: str) -> str:
        value, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
        if pd.isna(value):
            return "-"
        return f"{value:.3f}" + ("" if pd.isna(low) else f" [{low:.2f}, {high:.2f}]")

    shown = pd.DataFrame({
        "code": table["code"], "units": table["units"], "prevalence": table["prevalence"].map("{:.3f}".format),
        **{name: [cell(row, name) for _, row in table.iterrows()] for name in statistics},
    })
    head = (f"unit: {table['unit'].iloc[0]}; 95% expanded percentile intervals from {n_boot} resamples of "
            f"{table['cluster'].iloc[0]}s within groups (seed {seed})" if n_boot
            else f"unit: {table['unit'].iloc[0]}; no intervals (--n-boot 0)")
    return head + "\n" + shown.to_string(index=False)


@main.group()
def membercheck() -> None:
    """The member check: record a stakeholder's comments on the member-check summary."""


@membercheck.command("record")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False),
              help="Filled-in comments template (.csv or .yaml) or the edited member-check .docx.")
@click.option("--reviewer", default="", help="Who commented, where the file does not say.")
@click.option("--date", "commented_on", default="", help="When they commented (YYYY-MM-DD), where the file does not say.")
@click.option("--again", is_flag=True, help="Record a file that was recorded before.")
def membercheck_record(data_dir: str, source: str, reviewer: str, commented_on: str, again: bool) -> None:
    """Append the comments in a file to DATA_DIR/member-check/comments.csv (the audit trail)."""
    from thematic.dataset import load_dataset
    from thematic.membercheck import record_comments

    def record() -> None:
        dataset = load_dataset(data_dir, require_deidentified=False)
        if dataset.codebook is None:
            raise ParameterError(Errors.E001.format(path=dataset.root / "codebook.yaml",
                                                    hint="Comments refer to the codebook's themes."))
        added = record_comments(dataset.root, source, codebook=dataset.codebook, reviewer=reviewer,
                                commented_on=commented_on, again=again)
        click.echo(f"recorded {len(added)} comment(s) from {source} "
                   f"in {dataset.root / 'member-check' / 'comments.csv'}")
        unnamed = added[added["reviewer"] == ""]
        if len(unnamed):
            click.echo(f"warning: {len(unnamed)} comment(s) without a reviewer; pass --reviewer next time",
                       err=True)

    _run(record)


@main.command()
@click.argument("query")
@click.option("--data-dir", default="data-sample", show_default=True, type=click.Path(file_okay=False),
              help="The study's data folder.")
@click.option("--group", multiple=True, help="Only this stakeholder group (repeatable).")
@click.option("--role", multiple=True, help="Only this role (repeatable).")
@click.option("--wave", multiple=True, type=int, help="Only this wave (repeatable).")
@click.option("--speaker", multiple=True, help="Only this speaker label, e.g. Interviewer (repeatable).")
@click.option("--text", "as_text", is_flag=True, help="Match the words as typed, not their lemmas.")
@click.option("--window", default=60, show_default=True, type=KWIC_WINDOW, help="Characters of context each side.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1), help="Show at most this many hits.")
@click.option("--model", default="en_core_web_sm", show_default=True, type=SPACY_MODEL, help="spaCy pipeline.")
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


def _figure(value: float) -> str:
    """A benchmark figure: whole thousands with separators, otherwise four significant digits."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


@main.command()
@click.argument("data_dir", type=click.Path(file_okay=False))
@click.option("--review", "review_file", default=None, type=click.Path(dir_okay=False),
              help="Review CSV to apply and update [default: DATA_DIR/deidentification/review.csv].")
@click.option("--known-names", default=None, type=click.Path(dir_okay=False),
              help="Known-names file [default: DATA_DIR/known-names.yaml if present].")
@click.option("--model", default="en_core_web_sm", show_default=True, type=SPACY_MODEL, help="spaCy pipeline.")
@click.option("--n-jobs", default=1, show_default=True, type=N_JOBS,
              help="Transcripts processed in parallel (-1: all cores).")
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
            click.echo(f"words to check: {result.words_to_check} not yet marked, in {result.check_file} "
                       "(words left that may identify someone: mark each 'ok', or 'missed' with a type, "
                       "then run again). It shows original text: keep it with raw/.")

    _run(run)


@main.group()
def suggest() -> None:
    """Code suggestions: export them for review, list what to code next, apply the decisions."""


@suggest.command("export")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--coder", required=True, help="The reviewing coder (suggestions for segments they left uncoded).")
@click.option("--learn-from", default=None, help="Coder whose codings the model learns from [default: --coder].")
@click.option("--seed", default=20200701, show_default=True, type=SEED, help="Seed of the model's inner CV.")
@click.option("--embed", is_flag=True, help="Add sentence embeddings (needs the [embed] extra).")
def suggest_export(data_dir: str, coder: str, learn_from: str | None, seed: int, embed: bool) -> None:
    """Write DATA_DIR/review/suggestions-CODER.csv, ranked by score, for review."""
    from thematic import io
    from thematic import suggestion_review as review
    from thematic.dataset import load_dataset
    from thematic.study import Study

    def run() -> None:
        study = Study(io.resolve(data_dir))
        study.check_writable(command="suggest export", what=f"review/suggestions-{coder}.csv")
        dataset = load_dataset(study, require_deidentified=False)
        teacher, embedding = learn_from or coder, "minilm" if embed else None
        second = next((c for c in dataset.coders if c != teacher), None)
        trust = review.code_reliability(dataset, coder=teacher, second=second, seed=seed, embedding=embedding)
        table, _ = review.build_suggestions(dataset, learn_from=teacher, reviewer=coder, seed=seed,
                                            embedding=embedding, reliability=trust)
        path = review.export_suggestions(table, review.suggestions_path(dataset.root, coder))
        click.echo(f"{len(table)} suggestions written to {path}; mark 'decision' accept or reject, "
                   f"then run: thematic suggest apply {data_dir} --coder {coder}")

    _run(run)


@suggest.command("next")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--coder", required=True, help="The coder who will code the listed segments.")
@click.option("-n", "n", default=40, show_default=True, type=int, help="Segments to list.")
@click.option("--seed", default=20200701, show_default=True, type=int, help="Seed of the model's inner CV.")
@click.option("--embed", is_flag=True, help="Add sentence embeddings (needs the [embed] extra).")
def suggest_next(data_dir: str, coder: str, n: int, seed: int, embed: bool) -> None:
    """Write DATA_DIR/review/next-CODER.csv: the uncoded segments whose coding would teach most."""
    from thematic import io
    from thematic import suggestion_review as review
    from thematic.dataset import load_dataset

    def run() -> None:
        dataset = load_dataset(io.resolve(data_dir), require_deidentified=False)
        table = review.build_next(dataset, coder=coder, n=n, seed=seed, embedding="minilm" if embed else None)
        if table.empty:
            click.echo(f"nothing to list: every segment counts as coded by {coder}")
            return
        path = review.export_next(table, review.next_path(dataset.root, coder))
        click.echo(f"{len(table)} segments listed in {path}; fill 'codes' with code ids separated by ';' "
                   f"(or 'none'), then run: thematic suggest apply {data_dir} --coder {coder}")

    _run(run)


@suggest.command("apply")
@click.argument("data_dir", default="data-sample", type=click.Path(file_okay=False))
@click.option("--coder", required=True, help="The reviewing coder whose decisions are applied.")
def suggest_apply(data_dir: str, coder: str) -> None:
    """Turn accepted suggestions and the next list's codes into codings of CODER; log every decision."""
    from thematic import io
    from thematic import suggestion_review as review

    def run() -> None:
        from thematic.dataset import load_dataset

        folder = io.resolve(data_dir)
        dataset = load_dataset(folder, require_deidentified=False)
        codes = dataset.codebook.code_ids if dataset.codebook is not None else None
        entries = review.apply_review(folder, coder=coder, codes=codes)
        added = int(entries["decision"].isin(["accept", "coded"]).sum()) if len(entries) else 0
        click.echo(f"{len(entries)} new decision(s) logged, {added} coding(s) added to codings/{coder}.csv")

    _run(run)


def _run(action) -> None:
    """Run a command's action; an error becomes one message (its code, file and what to do)
    and exit code 1, never a traceback."""
    try:
        action()
    except ThematicError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OSError as error:  # permissions, a folder where a file should be, a full disk...
        where = error.filename or "a file"
        click.echo(f"error: {Errors.E804.format(path=where, detail=error.strerror or error)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
