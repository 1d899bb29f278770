"""The review loop: suggestions go out ranked, a researcher accepts or rejects them, accepted
ones come back as that researcher's codings with their provenance.

Files in the data folder (next to ``codings/``)::

    review/suggestions-<coder>.csv   one row per suggestion, best first; the reviewer fills
                                     ``decision`` with accept, reject or leaves it blank
    review/review-log.csv            every decision applied: who, when, what, score, model

``apply_review`` appends accepted suggestions to ``codings/<coder>.csv`` (a coded span per
segment; the lines already there are left byte for byte as they were) and logs every
decision with its model, score and time; both files change together in one transaction of
the data folder. Applying twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field

from thematic import io
from thematic.dataset import CODING_COLUMNS, text_hash
from thematic.errors import DataError, Errors
from thematic.parameters import Parameter
from thematic.study import SAFE_ID, Study

DECISIONS = ("accept", "reject", "")
SUGGESTION_COLUMNS = ["suggestion_id", "segment_id", "interview_id", "start", "end", "code", "rank",
                      "score", "threshold", "evidence", "exemplars", "text", "model", "decision", "note"]
LOG_COLUMNS = ["time", "coder", "suggestion_id", "segment_id", "interview_id", "start", "end", "code",
               "score", "model", "decision", "note"]


def suggestions_path(data_dir: str | Path | Study, coder: str) -> Path:
    """Where the suggestions for *coder* to review live in the data folder."""
    return _study(data_dir).suggestions_path(coder)


def log_path(data_dir: str | Path | Study) -> Path:
    return _study(data_dir).suggestions_log


def _study(data_dir: str | Path | Study) -> Study:
    return data_dir if isinstance(data_dir, Study) else Study(data_dir)


def review_table(suggestions: pd.DataFrame, segments: pd.DataFrame, *, model: str) -> pd.DataFrame:
    """Suggestions (from :meth:`CodeSuggester.suggest` with a ``segment_id`` column) joined to
    their segments' spans, ranked by score, with empty ``decision`` and ``note`` columns."""
    spans = segments.set_index("segment_id")[["interview_id", "start", "end", "text"]]
    table = suggestions.join(spans, on="segment_id")
    table["suggestion_id"] = table["segment_id"] + "|" + table["code"].astype(str)
    table["model"], table["decision"], table["note"] = model, "", ""
    table = table.sort_values(["score", "segment_id", "code"], ascending=[False, True, True], kind="stable")
    return table[SUGGESTION_COLUMNS].reset_index(drop=True)


def build_suggestions(dataset, *, learn_from: str, reviewer: str, seed: int = 0, top_k: int = 3,
                      embedding=None) -> tuple[pd.DataFrame, object]:
    """Train on *learn_from*'s codings and suggest codes for the segments *reviewer* has not
    coded: the review table (above-threshold suggestions, best first) and the fitted model.

    The same data, codebook, coders and seed give the same table.
    """
    from thematic.segments import code_segments, segment_code_matrix, segment_turns
    from thematic.suggest import CodeSuggester, codebook_texts

    for coder in (learn_from, reviewer):
        if coder not in dataset.coders:
            raise DataError(Errors.E905.format(coder=coder, path=dataset.root / "codings",
                                               known=", ".join(dataset.coders) or "none"))
    segments = segment_turns(dataset)
    units = segments[~segments["is_interviewer"]].reset_index(drop=True)
    coded = code_segments(units, dataset.codings)
    codes = dataset.codebook.code_ids
    Y = segment_code_matrix(units, coded, coder=learn_from, codes=codes)
    model = CodeSuggester(code_texts=codebook_texts(dataset.codebook), embedding=embedding,
                          random_state=seed).fit(units["text"].tolist(), Y)
    mine = segment_code_matrix(units, coded, coder=reviewer, codes=codes)
    todo = units[mine.to_numpy().sum(axis=1) == 0].reset_index(drop=True)
    suggestions = model.suggest(todo["text"].tolist(), top_k=top_k)
    suggestions.insert(0, "segment_id", todo["segment_id"].to_numpy()[suggestions.pop("item").to_numpy()])
    suggestions = suggestions[suggestions["above_threshold"]].drop(columns="above_threshold")
    return review_table(suggestions, units, model=f"CodeSuggester/{model.fingerprint()}"), model


def export_suggestions(table: pd.DataFrame, path: str | Path) -> Path:
    """Write *table* for review at *path*, keeping decisions already made in an existing file
    for the same suggestion ids (re-exporting never loses a reviewer's work)."""
    path = Path(path)
    table = table.copy()
    if path.exists():
        previous = read_suggestions(path).set_index("suggestion_id")
        for column in ("decision", "note"):
            kept = table["suggestion_id"].map(previous[column])
            table[column] = kept.where(kept.notna() & (kept != ""), table[column])
    return io.write_csv(path, table)


def read_suggestions(path: str | Path) -> pd.DataFrame:
    """Read a reviewed suggestions file; an unknown decision names its file and line."""
    path = Path(path)
    frame = io.read_csv(path, required=("suggestion_id", "segment_id", "interview_id", "start", "end",
                                        "code", "score", "model", "decision"))
    if "note" not in frame.columns:
        frame["note"] = ""
    frame["decision"] = frame["decision"].str.lower().str.strip()
    problems = [Errors.E904.format(path=path, line=row["_line"], value=row["decision"], id=row["suggestion_id"])
                for _, row in frame.iterrows() if row["decision"] not in DECISIONS]
    if problems:
        raise DataError("\n".join(problems))
    return frame


def read_log(data_dir: str | Path | Study) -> pd.DataFrame:
    """The review log of *data_dir* (empty when nothing was applied yet)."""
    path = log_path(data_dir)
    if not path.exists():
        return pd.DataFrame(columns=LOG_COLUMNS)
    return io.read_csv(path, required=tuple(LOG_COLUMNS))[LOG_COLUMNS]


def apply_review(data_dir: str | Path | Study, *, coder: str,
                 now: Callable[[], str] | None = None) -> pd.DataFrame:
    """Turn the accepted suggestions of ``review/suggestions-<coder>.csv`` into codings of
    *coder* and log every decision not logged before.

    Returns the newly logged decisions. Decisions already in the log are skipped, so running
    this twice adds nothing. Accepted codings are appended to ``codings/<coder>.csv`` (with
    the decision's note as memo); who accepted what, when, from which model and score is in
    the log.
    """
    from thematic.dataset import load_dataset

    study = _study(data_dir)
    source = study.suggestions_path(coder)
    study.check_writable(command="suggest apply", what=f"codings/{coder}.csv and the review log")
    if not source.exists():
        raise DataError(Errors.E001.format(path=source, hint="Export suggestions first "
                                           "(notebook 02 or 'thematic suggest export')."))
    reviewed = read_suggestions(source)
    decided = reviewed[reviewed["decision"] != ""]
    log = read_log(study)
    done = set(zip(log["coder"], log["suggestion_id"], strict=True))
    new = decided[[(coder, s) not in done for s in decided["suggestion_id"]]]
    stamp = (now or _utc_now)()
    entries = pd.DataFrame({"time": stamp, "coder": coder, "suggestion_id": new["suggestion_id"],
                            "segment_id": new["segment_id"], "interview_id": new["interview_id"],
                            "start": new["start"], "end": new["end"], "code": new["code"],
                            "score": new["score"], "model": new["model"], "decision": new["decision"],
                            "note": new["note"]}, columns=LOG_COLUMNS)
    if entries.empty:
        return entries
    accepted = entries[entries["decision"] == "accept"]
    with study.transaction() as transaction:
        if not accepted.empty:
            texts = load_dataset(study, require_deidentified=False).texts
            codings_file = study.codings_path(coder)
            transaction.write_bytes(codings_file, _appended(codings_file, accepted, coder=coder, texts=texts))
        transaction.write_csv(study.suggestions_log, pd.concat([log, entries], ignore_index=True)[LOG_COLUMNS])
    return entries.reset_index(drop=True)


def _appended(path: Path, accepted: pd.DataFrame, *, coder: str, texts: dict[str, str]) -> bytes:
    """The bytes of the codings file *path* with one line per accepted suggestion added at its end."""
    added = pd.DataFrame({"interview_id": accepted["interview_id"], "start": accepted["start"].astype(int),
                          "end": accepted["end"].astype(int), "code": accepted["code"], "coder": coder,
                          "memo": accepted["note"]})
    added["text_hash"] = [text_hash(texts[r.interview_id][r.start:r.end]) if r.interview_id in texts else ""
                          for r in added.itertuples()]
    if not path.exists():
        return io.csv_bytes(added)
    existing = path.read_bytes()
    columns = io.read_csv(path, required=CODING_COLUMNS).columns.drop("_line")
    rows = io.csv_bytes(added.reindex(columns=columns).fillna(""))
    body = rows.split(b"\n", 1)[1]  # without the header line
    return existing + (b"" if existing.endswith(b"\n") or not existing else b"\n") + body


def _utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def log_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Decisions per coder and code: accepted, rejected, acceptance rate."""
    if log.empty:
        return pd.DataFrame(columns=["coder", "code", "accepted", "rejected", "acceptance_rate"])
    counts = pd.crosstab([log["coder"], log["code"]], log["decision"])
    counts = counts.reindex(columns=["accept", "reject"], fill_value=0)
    table = counts.rename(columns={"accept": "accepted", "reject": "rejected"}).reset_index()
    table["acceptance_rate"] = (table["accepted"] / (table["accepted"] + table["rejected"])).round(3)
    return table.rename_axis(columns=None)


def review_panel(path: str | Path, *, max_rows: int = 30):
    """An ipywidgets panel to accept or reject suggestions, saving each decision to *path*.

    Headless (no ipywidgets, or not in a kernel with a front end) it returns the table to
    show instead: the CSV can be edited by hand just the same.
    """
    path = Path(path)
    table = read_suggestions(path).drop(columns="_line")
    try:
        import ipywidgets as widgets
        from IPython import get_ipython
    except ImportError:
        return table.head(max_rows)
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return table.head(max_rows)

    def save(suggestion_id: str, decision: str) -> None:
        current = read_suggestions(path).drop(columns="_line")
        current.loc[current["suggestion_id"] == suggestion_id, "decision"] = decision
        io.write_csv(path, current)

    rows = []
    for _, row in table.head(max_rows).iterrows():
        choice = widgets.ToggleButtons(options=[("accept", "accept"), ("reject", "reject"), ("-", "")],
                                       value=row["decision"], style={"button_width": "70px"})
        choice.observe(lambda change, sid=row["suggestion_id"]: save(sid, change["new"]), names="value")
        label = widgets.HTML(f"<b>{row['code']}</b> ({float(row['score']):.2f}) "
                             f"<code>{row['segment_id']}</code>: {_escape(row.get('text', ''))[:300]}"
                             f"<br><small>evidence: {_escape(row.get('evidence', ''))}</small>")
        rows.append(widgets.HBox([choice, label]))
    return widgets.VBox([widgets.HTML(f"Decisions are saved to <code>{path}</code> as you click; "
                                      "then run <code>thematic suggest apply</code>."), *rows])


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))


#: A coder named by a parameter: empty (the notebook's default choice) or a coder's file name.
Coder = Annotated[str, Field(pattern=rf"^(|{SAFE_ID.pattern})$")]
PARAMETERS = (
    Parameter("reference_coder", Coder, "the coder whose coding the model learns from ('' for the first), "
                                        "a coder's file name in codings/"),
    Parameter("reviewing_coder", Coder, "the coder who reviews the suggestions ('' for the reference "
                                        "coder), a coder's file name in codings/"),
    Parameter("export_for_review", bool, "whether notebook 02 writes the suggestions into the data "
                                         "folder for review (true or false)"),
)
