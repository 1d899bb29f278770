"""The review loop: suggestions go out ranked, a researcher accepts or rejects them, accepted
ones come back as that researcher's codings with their provenance.

Files in the data folder (next to ``codings/``)::

    review/suggestions-<coder>.csv   one row per suggestion, best first; the reviewer fills
                                     ``decision`` with accept, reject or leaves it blank
    review/next-<coder>.csv          the segments whose coding would teach the model most
                                     (active learning); the coder fills ``codes`` with the
                                     code ids that apply (separated by ";") or ``none``
    review/review-log.csv            every decision applied: who, when, what, score, model

``apply_review`` appends accepted suggestions and the codes given in the next list to
``codings/<coder>.csv`` (a coded span per segment; the lines already there are left byte for
byte as they were) and logs every decision with its model, score and time; both files change
together in one transaction of the data folder. Applying twice changes nothing the second time.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field

from thematic import io
from thematic.cache import cache_results
from thematic.dataset import CODING_COLUMNS, text_hash
from thematic.errors import DataError, Errors
from thematic.parameters import Parameter
from thematic.study import SAFE_ID, Study

DECISIONS = ("accept", "reject", "")
SUGGESTION_COLUMNS = ["suggestion_id", "segment_id", "interview_id", "start", "end", "code", "rank",
                      "score", "threshold", "trust", "evidence", "exemplars", "text", "model", "decision", "note"]
NEXT_COLUMNS = ["rank", "segment_id", "interview_id", "start", "end", "value", "why", "text", "model", "codes",
                "note"]
#: What a coder writes in the next list's ``codes`` for a segment no code fits.
NO_CODE = "none"
LOG_COLUMNS = ["time", "coder", "suggestion_id", "segment_id", "interview_id", "start", "end", "code",
               "score", "model", "decision", "note"]


def suggestions_path(data_dir: str | Path | Study, coder: str) -> Path:
    """Where the suggestions for *coder* to review live in the data folder."""
    return _study(data_dir).suggestions_path(coder)


def next_path(data_dir: str | Path | Study, coder: str) -> Path:
    """Where the list of segments for *coder* to code next lives in the data folder."""
    return _study(data_dir).next_path(coder)


def log_path(data_dir: str | Path | Study) -> Path:
    return _study(data_dir).suggestions_log


def _study(data_dir: str | Path | Study) -> Study:
    return data_dir if isinstance(data_dir, Study) else Study(data_dir)


def trust_labels(reliability: pd.DataFrame | None) -> dict[str, str]:
    """Code -> how far to trust its suggestions: the verdict of
    :func:`~thematic.suggest.flag_unreliable` and the lower bound of the cross-validated
    kappa against the coder, next to the kappa of two coders on the same segments."""
    if reliability is None or reliability.empty:
        return {}
    labels = {}
    for row in reliability.to_dict("records"):
        parts = [row.get("verdict", "")]
        if pd.notna(row.get("kappa_low", np.nan)):
            parts.append(f"kappa >= {row['kappa_low']:.2f}")
        if pd.notna(row.get("kappa_coder_vs_coder", np.nan)):
            parts.append(f"coders {row['kappa_coder_vs_coder']:.2f}")
        labels[row["code"]] = "; ".join(p for p in parts if p)
    return labels


def review_table(suggestions: pd.DataFrame, segments: pd.DataFrame, *, model: str,
                 trust: dict[str, str] | None = None) -> pd.DataFrame:
    """Suggestions (from :meth:`CodeSuggester.suggest` with a ``segment_id`` column) joined to
    their segments' spans, ranked by score, with each code's *trust* label (see
    :func:`trust_labels`) and empty ``decision`` and ``note`` columns."""
    spans = segments.set_index("segment_id")[["interview_id", "start", "end", "text"]]
    table = suggestions.join(spans, on="segment_id")
    table["suggestion_id"] = table["segment_id"] + "|" + table["code"].astype(str)
    table["trust"] = [(trust or {}).get(code, "") for code in table["code"]]
    table["model"], table["decision"], table["note"] = model, "", ""
    table = table.sort_values(["score", "segment_id", "code"], ascending=[False, True, True], kind="stable")
    return table[SUGGESTION_COLUMNS].reset_index(drop=True)


def study_units(dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The participants' segments with their context (:func:`~thematic.segments.answer_context`)
    and which coder gave which code to each."""
    from thematic.segments import answer_context, code_segments, segment_turns

    units = answer_context(segment_turns(dataset))
    return units, code_segments(units, dataset.codings)


def _check_coders(dataset, *coders: str) -> None:
    for coder in coders:
        if coder not in dataset.coders:
            raise DataError(Errors.E905.format(coder=coder, path=dataset.study.codings_dir,
                                               known=", ".join(dataset.coders) or "none"))


def build_suggestions(dataset, *, learn_from: str, reviewer: str, seed: int = 0, top_k: int = 3,
                      embedding=None, reliability: pd.DataFrame | None = None,
                      units: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                      model=None, n_jobs: int = 1) -> tuple[pd.DataFrame, object]:
    """Train on *learn_from*'s codings (the segments that count as coded by them, see
    :func:`labelled_segments`) and suggest codes for the segments *reviewer* has not coded:
    the review table (above-threshold suggestions, best first) and the fitted model.

    *reliability* (from :func:`~thematic.suggest.reliability_by_code` and
    :func:`~thematic.suggest.flag_unreliable`) labels each suggestion with how far its code
    can be trusted. The same data, codebook, coders and seed give the same table.

    *units* (``(units, coded)`` of :func:`study_units`) and *model* (an unfitted
    :class:`~thematic.suggest.CodeSuggester`, cloned here) reuse what a caller has already
    built; by default both are built from *dataset*, *embedding* and *seed*. The refits of
    :func:`unseen_suggestions` run in *n_jobs* worker processes (the same results with any number).
    """
    from thematic.segments import segment_code_matrix

    _check_coders(dataset, learn_from, reviewer)
    units, coded = units if units is not None else study_units(dataset)
    codes = dataset.codebook.code_ids
    taught = labelled_segments(units, coded, read_log(dataset.study), coder=learn_from).to_numpy()
    Y = segment_code_matrix(units, coded, coder=learn_from, codes=codes)[taught]
    mine = segment_code_matrix(units, coded, coder=reviewer, codes=codes)
    todo = units[mine.to_numpy().sum(axis=1) == 0].reset_index(drop=True)
    unfitted = model if model is not None else suggester(dataset, embedding=embedding, seed=seed)
    suggestions, model = _fitted_suggestions(units[taught], Y, todo, model=unfitted, top_k=top_k, n_jobs=n_jobs)
    return review_table(suggestions, units, model=f"CodeSuggester/{model.fingerprint()}",
                        trust=trust_labels(reliability)), model


@cache_results(depends_on=("thematic.suggest", "thematic.embeddings"))
def fitted_suggester(model, taught: pd.DataFrame, Y: pd.DataFrame):
    """A clone of the unfitted suggester *model* fitted on *taught* and *Y*; cached by its
    inputs, so the suggestions for review and the next list, which learn from the same
    segments, fit it once."""
    from sklearn.base import clone

    return clone(model).fit(taught, Y)


@cache_results(depends_on=("thematic.suggest", "thematic.resample", "thematic.embeddings"), ignore=("n_jobs",))
def _fitted_suggestions(taught: pd.DataFrame, Y: pd.DataFrame, todo: pd.DataFrame, *, model,
                        top_k: int, n_jobs: int = 1) -> tuple[pd.DataFrame, object]:
    """A clone of the unfitted suggester *model* fitted on *taught* and *Y*, and its
    above-threshold suggestions for *todo* (:func:`unseen_suggestions`); cached by its inputs
    (the model by its parameters), so a warm report fits nothing. The fit (unless
    :func:`fitted_suggester` has it already) runs in the same pool as the refits."""
    found, fitted = fitted_suggester.peek(model, taught, Y)
    suggestions, fitted = _unseen(fitted if found else model, taught.reset_index(drop=True),
                                  Y, todo, top_k=top_k, n_jobs=n_jobs,  # Y's index: the exemplars' ids
                                  fit_on=None if found else (taught, Y))
    if not found:
        fitted_suggester.put(fitted, model, taught, Y)
    return suggestions[suggestions["above_threshold"]].drop(columns="above_threshold"), fitted


def unseen_suggestions(model, taught: pd.DataFrame, Y: pd.DataFrame, todo: pd.DataFrame, *,
                       top_k: int = 3, n_splits: int = 5, n_jobs: int = 1) -> pd.DataFrame:
    """Suggestions for the *todo* segments from a model that never saw their interview.

    A segment the training coder coded would otherwise come back with its own coding as
    evidence, at a score near 1: another coder's decision repeated, not a suggestion. So the
    todo segments of interviews in the training data are scored by *model* refitted without
    those interviews (grouped folds, as in cross-validation); the others by *model* as fitted.
    Returns :meth:`CodeSuggester.suggest`'s table with ``segment_id`` in place of ``item``.
    The refits run in *n_jobs* worker processes (joblib; the same results with any number),
    in this process when *model* has a sentence encoder (see :func:`~thematic.suggest.fitted_folds`).
    """
    return _unseen(model, taught, Y, todo, top_k=top_k, n_splits=n_splits, n_jobs=n_jobs)[0]


def _unseen(model, taught: pd.DataFrame, Y: pd.DataFrame, todo: pd.DataFrame, *, top_k: int = 3,
            n_splits: int = 5, n_jobs: int = 1,
            fit_on: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> tuple[pd.DataFrame, object]:
    """:func:`unseen_suggestions` and the model as fitted. With *fit_on* (segments and their
    code matrix), *model* is unfitted and a clone of it is fitted on them first, as one more
    task of the pool (the largest, so it goes first)."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    seen = todo["interview_id"].isin(set(taught["interview_id"])).to_numpy()
    tasks = []
    if fit_on is not None:
        tasks.append((model, *fit_on, todo[~seen], True))
    elif (~seen).any():
        tasks.append((model, None, None, todo[~seen], False))
    interviews = sorted(set(todo.loc[seen, "interview_id"]))
    if interviews:
        folds = GroupKFold(n_splits=min(n_splits, len(interviews)))
        held = np.array(interviews)
        for _, test in folds.split(held, groups=held):
            out = set(held[test])
            keep = ~taught["interview_id"].isin(out).to_numpy()
            tasks.append((model, taught[keep], Y[keep], todo[todo["interview_id"].isin(out)], False))
    if n_jobs == 1 or len(tasks) <= 1 or getattr(model, "embedding", None) is not None:
        results = [_suggestions_of(*task, top_k=top_k) for task in tasks]
    else:
        results = Parallel(n_jobs=n_jobs)(delayed(_suggestions_of)(*task, top_k=top_k) for task in tasks)
    fitted = results[0][1] if fit_on is not None else model
    tables = [table for table, _ in results if table is not None]
    order = {segment: i for i, segment in enumerate(todo["segment_id"])}
    combined = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=SUGGEST_COLUMNS)
    return combined.sort_values(["segment_id", "rank"], key=lambda c: c.map(order) if c.name == "segment_id" else c,
                                kind="stable").reset_index(drop=True), fitted


#: The columns of :func:`unseen_suggestions`.
SUGGEST_COLUMNS = ["segment_id", "rank", "code", "score", "threshold", "above_threshold", "evidence", "exemplars"]


def _suggestions_of(model, taught: pd.DataFrame | None, Y: pd.DataFrame | None, rows: pd.DataFrame,
                    keep_model: bool, *, top_k: int) -> tuple[pd.DataFrame | None, object]:
    """:meth:`CodeSuggester.suggest` for *rows* by *model* (a clone refitted on *taught* and *Y*
    when given), with ``segment_id`` in place of ``item`` (None for no rows), and the fitted
    model when *keep_model* (else None: a refit is not sent back)."""
    from sklearn.base import clone

    fitted = model if taught is None else clone(model).fit(taught, Y)
    table = None
    if len(rows):
        rows = rows.reset_index(drop=True)
        table = fitted.suggest(rows, top_k=top_k)
        table.insert(0, "segment_id", rows["segment_id"].to_numpy()[table.pop("item").to_numpy()])
    return table, fitted if keep_model else None


def code_reliability(dataset, *, coder: str, second: str | None = None, seed: int = 0, embedding=None,
                     n_splits: int = 5) -> pd.DataFrame:
    """How far each code's suggestions can be trusted on this study: grouped cross-validation
    against *coder* (:func:`~thematic.suggest.out_of_fold`), F1 and kappa with interview-cluster
    intervals next to *second* coder's kappa, and the verdict of
    :func:`~thematic.suggest.flag_unreliable`."""
    from thematic.segments import segment_code_matrix
    from thematic.suggest import CodeSuggester, codebook_texts, flag_unreliable, out_of_fold, reliability_by_code

    _check_coders(dataset, coder, *([second] if second else []))
    units, coded = study_units(dataset)
    units = units[labelled_segments(units, coded, read_log(dataset.study), coder=coder).to_numpy()]
    codes = dataset.codebook.code_ids
    Y = segment_code_matrix(units, coded, coder=coder, codes=codes)
    model = CodeSuggester(code_texts=codebook_texts(dataset.codebook), embedding=embedding, random_state=seed)
    groups = units["interview_id"].tolist()
    _, predicted = out_of_fold(model, units, Y, groups, n_splits=n_splits)
    other = segment_code_matrix(units, coded, coder=second, codes=codes) if second else None
    return flag_unreliable(reliability_by_code(Y, predicted, groups, Y_other=other, seed=seed))


def labelled_segments(units: pd.DataFrame, coded: pd.DataFrame, log: pd.DataFrame, *, coder: str) -> pd.Series:
    """Which of *units* count as coded by *coder*, as a boolean Series on their segment ids.

    A segment reviewed through thematic (an accepted or rejected suggestion, or a segment of
    the next list coded or marked ``none``, as the review log records) counts on its own. An
    interview in which *coder* coded any other segment counts as coded throughout: coders
    code a transcript from end to end, so a segment left without a code there has none.
    """
    mine = set(coded.loc[coded["coder"] == coder, "segment_id"])
    reviewed = set(log.loc[log["coder"] == coder, "segment_id"]) if len(log) else set()
    by_hand = set(units.loc[units["segment_id"].isin(mine - reviewed), "interview_id"])
    labelled = units["interview_id"].isin(by_hand) | units["segment_id"].isin(mine | reviewed)
    return pd.Series(labelled.to_numpy(), index=units["segment_id"].to_numpy())


def suggester(dataset, *, embedding=None, seed: int = 0):
    """The (unfitted) :class:`~thematic.suggest.CodeSuggester` of *dataset*'s codebook."""
    from thematic.suggest import CodeSuggester, codebook_texts

    return CodeSuggester(code_texts=codebook_texts(dataset.codebook), embedding=embedding, random_state=seed)


def build_next(dataset, *, coder: str, n: int = 40, seed: int = 0, embedding=None,
               units: tuple[pd.DataFrame, pd.DataFrame] | None = None, model=None) -> pd.DataFrame:
    """The *n* segments *coder* has not coded whose coding would teach the suggester most
    (:mod:`thematic.active`), for ``review/next-<coder>.csv``.

    The model learns from the segments *coder* has coded (see :func:`labelled_segments`). With
    no coded segment yet, the first list is drawn at random, spread over interviews. *units*
    and *model* as for :func:`build_suggestions`.
    """
    from thematic import active
    from thematic.segments import segment_code_matrix

    if dataset.codebook is None:
        raise DataError(Errors.E909.format(path=dataset.study.codebook_file))
    units, coded = units if units is not None else study_units(dataset)
    log = read_log(dataset.study)
    labelled = labelled_segments(units, coded, log, coder=coder).to_numpy()
    pool = units[~labelled].reset_index(drop=True)
    if pool.empty:
        return pd.DataFrame(columns=NEXT_COLUMNS)
    codes = dataset.codebook.code_ids
    Y = segment_code_matrix(units, coded, coder=coder, codes=codes)[labelled]
    if labelled.sum() >= 2 and Y.to_numpy().any():
        unfitted = model if model is not None else suggester(dataset, embedding=embedding, seed=seed)
        table, name = _next_by_model(units[labelled], Y, pool, model=unfitted, n=n)
    else:
        order = np.random.default_rng(seed).permutation(len(pool))
        chosen = active.choose_next(order, n=n, interviews=pool["interview_id"].astype(str).to_numpy())
        table = pool.iloc[chosen].reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        table["value"], table["why"] = np.nan, "at random: nothing coded to learn from yet"
        name = "random"
    table["model"], table["codes"], table["note"] = name, "", ""
    return table[NEXT_COLUMNS]


@cache_results(depends_on=("thematic.active", "thematic.suggest", "thematic.resample", "thematic.embeddings"))
def _next_by_model(labelled: pd.DataFrame, Y: pd.DataFrame, pool: pd.DataFrame, *, model,
                   n: int) -> tuple[pd.DataFrame, str]:
    """The *n* segments of *pool* whose coding would teach a clone of the unfitted suggester
    *model*, fitted on *labelled*, most (:func:`thematic.active.next_segments`), and the
    model's name; cached by its inputs."""
    from thematic import active

    model = fitted_suggester(model, labelled, Y)
    table = active.next_segments(model, pool, n=n, positives=Y.to_numpy().sum(axis=0))
    return table, f"CodeSuggester/{model.fingerprint()}"


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


def export_next(table: pd.DataFrame, path: str | Path) -> Path:
    """Write the next list *table* at *path*. Rows of an existing file whose ``codes`` are
    filled stay (first, as they were) until applied: a new list never loses coding work."""
    path = Path(path)
    if path.exists():
        previous = read_next(path).drop(columns="_line")
        filled = previous[previous["codes"] != ""]
        table = pd.concat([filled, table[~table["segment_id"].isin(filled["segment_id"])]], ignore_index=True)
    return io.write_csv(path, table[NEXT_COLUMNS])


def read_next(path: str | Path, *, codes: list[str] | None = None) -> pd.DataFrame:
    """Read a next list; with *codes* (the codebook's ids), a ``codes`` cell naming any other
    code than those or ``none`` is an error naming the file and line."""
    path = Path(path)
    frame = io.read_csv(path, required=("segment_id", "interview_id", "start", "end", "codes"))
    for column in ("model", "note"):
        if column not in frame.columns:
            frame[column] = ""
    frame["codes"] = frame["codes"].map(_split_codes).map(";".join)
    if codes is not None:
        known = set(codes) | {NO_CODE}
        problems = [Errors.E910.format(path=path, line=row["_line"], value=value, id=row["segment_id"])
                    for _, row in frame.iterrows() for value in row["codes"].split(";")
                    if value and value not in known]
        if problems:
            raise DataError(problems)
    return frame


def _split_codes(cell: str) -> list[str]:
    parts = [p.strip() for p in str(cell).replace(",", ";").split(";")]
    parts = [NO_CODE if p.lower() == NO_CODE else p for p in parts if p]
    return list(dict.fromkeys(parts))


def apply_review(data_dir: str | Path | Study, *, coder: str, codes: list[str] | None = None,
                 now: Callable[[], str] | None = None) -> pd.DataFrame:
    """Turn the accepted suggestions of ``review/suggestions-<coder>.csv`` and the codes given
    in ``review/next-<coder>.csv`` into codings of *coder*; log every decision not logged
    before (accept, reject; coded, none for the next list).

    Returns the newly logged decisions. Decisions already in the log are skipped, so running
    this twice adds nothing. Codings are appended to ``codings/<coder>.csv`` (with the
    decision's note as memo); who decided what, when, from which model and score is in the
    log. *codes*, the codebook's ids, lets a mistyped code in the next list be refused.
    """
    from thematic.dataset import load_dataset

    study = _study(data_dir)
    study.check_writable(command="suggest apply", what=f"codings/{coder}.csv and the review log")
    sources = [p for p in (study.suggestions_path(coder), study.next_path(coder)) if p.exists()]
    if not sources:
        raise DataError(Errors.E001.format(path=study.suggestions_path(coder), hint="Export suggestions "
                                           "or a next list first (notebook 02, 'thematic suggest export' "
                                           "or 'thematic suggest next')."))
    decided = []
    if study.suggestions_path(coder).exists():
        reviewed = read_suggestions(study.suggestions_path(coder))
        decided.append(reviewed.loc[reviewed["decision"] != "", ["suggestion_id", "segment_id", "interview_id",
                                                                 "start", "end", "code", "score", "model",
                                                                 "decision", "note"]])
    if study.next_path(coder).exists():
        decided.append(_next_decisions(read_next(study.next_path(coder), codes=codes)))
    decided = pd.concat(decided, ignore_index=True)
    log = read_log(study)
    done = set(zip(log["coder"], log["suggestion_id"], strict=True))
    new = decided[[(coder, s) not in done for s in decided["suggestion_id"]]]
    stamp = (now or _utc_now)()
    entries = pd.DataFrame({"time": stamp, "coder": coder, **{c: new[c] for c in LOG_COLUMNS[2:]}},
                           columns=LOG_COLUMNS)
    if entries.empty:
        return entries
    added = entries[entries["decision"].isin(["accept", "coded"])]
    with study.transaction() as transaction:
        if not added.empty:
            texts = load_dataset(study, require_deidentified=False).texts
            codings_file = study.codings_path(coder)
            transaction.write_bytes(codings_file, _appended(codings_file, added, coder=coder, texts=texts))
        transaction.write_csv(study.suggestions_log, pd.concat([log, entries], ignore_index=True)[LOG_COLUMNS])
    return entries.reset_index(drop=True)


def _appended(path: Path, added: pd.DataFrame, *, coder: str, texts: dict[str, str]) -> bytes:
    """The bytes of the codings file *path* with one line per new coding added at its end."""
    rows = pd.DataFrame({"interview_id": added["interview_id"], "start": added["start"].astype(int),
                         "end": added["end"].astype(int), "code": added["code"], "coder": coder,
                         "memo": added["note"]})
    rows["text_hash"] = [text_hash(texts[r.interview_id][r.start:r.end]) if r.interview_id in texts else ""
                         for r in rows.itertuples()]
    if not path.exists():
        return io.csv_bytes(rows)
    existing = path.read_bytes()
    columns = io.read_csv(path, required=CODING_COLUMNS).columns.drop("_line")
    body = io.csv_bytes(rows.reindex(columns=columns).fillna("")).split(b"\n", 1)[1]  # no header line
    return existing + (b"" if existing.endswith(b"\n") or not existing else b"\n") + body


def _next_decisions(frame: pd.DataFrame) -> pd.DataFrame:
    """The next list's filled rows as log decisions: ``coded`` per code given, or ``none``."""
    rows = []
    for row in frame[frame["codes"] != ""].to_dict("records"):
        for code in row["codes"].split(";"):
            none = code == NO_CODE
            rows.append({"suggestion_id": f"{row['segment_id']}|next|{code}", "segment_id": row["segment_id"],
                         "interview_id": row["interview_id"], "start": row["start"], "end": row["end"],
                         "code": "" if none else code, "score": "", "model": row["model"],
                         "decision": NO_CODE if none else "coded", "note": row["note"]})
    return pd.DataFrame(rows, columns=["suggestion_id", "segment_id", "interview_id", "start", "end", "code",
                                       "score", "model", "decision", "note"])


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


def review_panel(path: str | Path, *, page_size: int = 20, width: int = 100):
    """An ipywidgets panel to accept or reject suggestions, saving each decision to *path*.

    It shows *page_size* suggestions at a time with "previous"/"next" and says which ("21-40 of
    41"); each segment is wrapped at word boundaries; every click is saved to the CSV at once
    and confirmed beside the buttons ("saved: accept"). Headless (no ipywidgets, or not in a
    kernel with a front end) it returns the table to show instead: the CSV can be edited by
    hand just the same.
    """
    path = Path(path)
    table = read_suggestions(path).drop(columns="_line")
    try:
        import ipywidgets as widgets
        from IPython import get_ipython
    except ImportError:
        return table.head(page_size)
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return table.head(page_size)
    return _panel(path, table, widgets, page_size=page_size, width=width)


def _panel(path: Path, table: pd.DataFrame, widgets, *, page_size: int, width: int):
    state = {"page": 0}
    previous, following = widgets.Button(description="previous"), widgets.Button(description="next")
    status, rows = widgets.HTML(), widgets.VBox()

    def save(suggestion_id: str, decision: str, note) -> None:
        current = read_suggestions(path).drop(columns="_line")
        current.loc[current["suggestion_id"] == suggestion_id, "decision"] = decision
        io.write_csv(path, current)
        table.loc[table["suggestion_id"] == suggestion_id, "decision"] = decision
        note.value = f"<small style='color:#1a7f37'>saved: {_escape(decision or 'undecided')}</small>"

    def row_widget(row: pd.Series):
        choice = widgets.ToggleButtons(options=[("accept", "accept"), ("reject", "reject"), ("-", "")],
                                       value=row["decision"], style={"button_width": "70px"})
        note = widgets.HTML("<small>&nbsp;</small>")
        choice.observe(lambda change, sid=row["suggestion_id"]: save(sid, change["new"], note), names="value")
        body = "<br>".join(_escape(line) for line in textwrap.wrap(str(row.get("text", "")), width=width))
        label = widgets.HTML(f"<b>{_escape(row['code'])}</b> ({float(row['score']):.2f}) "
                             f"<code>{_escape(row['segment_id'])}</code><br>{body}"
                             f"<br><small>evidence: {_escape(row.get('evidence', ''))}</small>")
        return widgets.HBox([widgets.VBox([choice, note]), label])

    def show() -> None:
        first = state["page"] * page_size
        shown = table.iloc[first:first + page_size]
        status.value = (f"<b>{first + 1}-{first + len(shown)} of {len(table)}</b> suggestions; decisions are "
                        f"saved to <code>{_escape(path)}</code> as you click, then run "
                        "<code>thematic suggest apply</code>" if len(table) else "no suggestions")
        previous.disabled = state["page"] == 0
        following.disabled = first + page_size >= len(table)
        rows.children = [row_widget(row) for _, row in shown.iterrows()]

    def turn(step: int) -> None:
        state["page"] += step
        show()

    previous.on_click(lambda _: turn(-1))
    following.on_click(lambda _: turn(+1))
    show()
    return widgets.VBox([widgets.HBox([previous, following, status]), rows])


def next_panel(path: str | Path, *, codes: list[str], max_rows: int = 40):
    """An ipywidgets panel to code the segments of a next list, saving each segment's codes to
    *path* as they are chosen (``none`` when no code applies).

    Headless (no ipywidgets, or not in a kernel with a front end) it returns the table to show
    instead: the CSV's ``codes`` column can be filled by hand just the same.
    """
    path = Path(path)
    table = read_next(path).drop(columns="_line")
    try:
        import ipywidgets as widgets
        from IPython import get_ipython
    except ImportError:
        return table.head(max_rows)
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return table.head(max_rows)

    def save(segment_id: str, chosen: tuple[str, ...]) -> None:
        current = read_next(path).drop(columns="_line")
        current.loc[current["segment_id"] == segment_id, "codes"] = ";".join(chosen)
        io.write_csv(path, current)

    rows = []
    options = [*codes, NO_CODE]
    for _, row in table.head(max_rows).iterrows():
        given = tuple(c for c in row["codes"].split(";") if c in options)
        choice = widgets.SelectMultiple(options=options, value=given, rows=4, layout={"width": "260px"})
        choice.observe(lambda change, sid=row["segment_id"]: save(sid, change["new"]), names="value")
        label = widgets.HTML(f"<code>{row['segment_id']}</code>: {_escape(row.get('text', ''))[:400]}"
                             f"<br><small>{_escape(row.get('why', ''))}</small>")
        rows.append(widgets.HBox([choice, label]))
    return widgets.VBox([widgets.HTML(f"Codes are saved to <code>{path}</code> as you choose them; then run "
                                      "<code>thematic suggest apply</code>."), *rows])


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
    Parameter("next_segments", Annotated[int, Field(ge=1, le=10_000)],
              "the number of uncoded segments listed to code next, 1 to 10,000"),
)
