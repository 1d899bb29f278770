"""De-identifying a data folder: audit logs, the researcher's review, and codings kept valid.

``thematic deidentify DATA_DIR`` (and notebook ``00-prepare``) go through :func:`deidentify_folder`:

1. read each ``raw/`` transcript (never written) and find its identifiers
   (:func:`thematic.deidentify.find_identifiers`);
2. apply the review file's decisions: ``false positive`` rows are kept as text, ``missed``
   rows are added;
3. write ``deidentified/<id>.txt``, ``deidentification/audit/<id>.csv`` (offsets, type,
   detector, score, placeholder: never the original text) and the review file, atomically;
4. if a de-identified text that already has codings would change, move the codings through
   the alignment of old and new text, or refuse (:data:`Errors.E306`) when a coded span's
   boundary falls inside changed text.

The review file is the one place besides ``raw/`` that shows original text (its ``text``
column), so that a researcher can judge each finding; it lives in the data folder and nothing
in it is copied into reports.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from thematic import io
from thematic.cache import cached, map_cached
from thematic.deidentify import (
    PLACEHOLDERS,
    Identifier,
    KnownName,
    KnownNames,
    _Finding,
    apply_identifiers,
    assign_placeholders,
    find_identifiers_batch,
)
from thematic.deidentify.leftovers import WordToCheck, words_to_check
from thematic.deidentify.speech_names import enabled as speech_names_enabled
from thematic.deidentify.words import DEFAULT_ALLOW, word_tests
from thematic.errors import DataError, Errors
from thematic.nlp import chunk_spans
from thematic.parallel import map_documents
from thematic.parameters import Parameter
from thematic.study import Study
from thematic.transcripts import read_transcript

if TYPE_CHECKING:
    from thematic.dataset import Dataset

REVIEW_COLUMNS = ("interview_id", "start", "end", "type", "placeholder", "detector", "score",
                  "decision", "text", "note")
DECISIONS = ("", "ok", "false positive", "missed")
CHECK_COLUMNS = ("interview_id", "word", "count", "reason", "context", "decision", "type", "placeholder", "note")


# --- measuring against a gold standard ------------------------------------------------------

def identifiers_frame(found: dict[str, Sequence[Identifier]]) -> pd.DataFrame:
    """One row per identifier: interview_id, start, end, type, detector, score, placeholder."""
    rows = [{"interview_id": interview_id, **identifier.as_dict()}
            for interview_id, identifiers in found.items() for identifier in identifiers]
    return pd.DataFrame(rows, columns=["interview_id", "start", "end", "type", "detector", "score",
                                       "placeholder"])


def score_against_gold(found: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Recall and precision per type of *found* spans against *gold* spans (same offsets).

    A gold identifier is recalled only if found spans cover all of its characters; a found span
    is correct (precision) if it overlaps a gold identifier. ``type_right`` is the share of
    recalled identifiers whose covering span has the gold type. No text is involved.
    """
    rows = []
    covered, type_right = [], []
    found_by = _spans_by_interview(found)
    for g in gold.itertuples():
        starts, ends, types = found_by.get(g.interview_id, _NO_SPANS)
        hit = (starts < g.end) & (ends > g.start)
        chars = set()
        for start, end in zip(starts[hit], ends[hit], strict=True):
            chars |= set(range(max(int(start), g.start), min(int(end), g.end)))
        is_covered = len(chars) == g.end - g.start
        covered.append(is_covered)
        type_right.append(is_covered and g.type in set(types[hit]))
    gold = gold.assign(covered=covered, type_right=type_right)
    gold_by = _spans_by_interview(gold)
    correct = []
    for f in found.itertuples():
        starts, ends, _ = gold_by.get(f.interview_id, _NO_SPANS)
        correct.append(bool(((starts < f.end) & (ends > f.start)).any()))
    found = found.assign(correct=correct)
    for kind in sorted(set(gold["type"]) | set(found["type"])):
        g, f = gold[gold["type"] == kind], found[found["type"] == kind]
        rows.append({"type": kind, "gold": len(g), "found": len(f),
                     "recall": g["covered"].mean() if len(g) else float("nan"),
                     "precision": f["correct"].mean() if len(f) else float("nan"),
                     "type_right": g.loc[g["covered"], "type_right"].mean() if g["covered"].any() else float("nan")})
    rows.append({"type": "all", "gold": len(gold), "found": len(found),
                 "recall": gold["covered"].mean() if len(gold) else float("nan"),
                 "precision": found["correct"].mean() if len(found) else float("nan"),
                 "type_right": gold.loc[gold["covered"], "type_right"].mean() if gold["covered"].any() else float("nan")})
    return pd.DataFrame(rows)


_NO_SPANS = (np.array([], dtype=int), np.array([], dtype=int), np.array([], dtype=object))


def _spans_by_interview(frame: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per interview, the starts, ends and types of *frame*'s spans as arrays."""
    return {interview_id: (part["start"].to_numpy(dtype=int), part["end"].to_numpy(dtype=int),
                           part["type"].to_numpy(dtype=object))
            for interview_id, part in frame.groupby("interview_id", sort=False)}


def audit_summary(found: pd.DataFrame) -> pd.DataFrame:
    """Counts of identifiers per type and detector (no text)."""
    if found.empty:
        return pd.DataFrame(columns=["type", "detector", "identifiers", "interviews"])
    return (found.groupby(["type", "detector"])
            .agg(identifiers=("start", "size"), interviews=("interview_id", "nunique"))
            .reset_index().sort_values(["type", "detector"]).reset_index(drop=True))


# --- the review file ----------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """One researcher decision from the review file (raw offsets)."""

    interview_id: str
    decision: str
    start: int | None = None
    end: int | None = None
    type: str = ""
    placeholder: str = ""
    text: str = ""
    line: int | None = None  # in the file it came from


def read_review(path: Path) -> list[Decision]:
    """Parse the review file; every malformed row is listed (file and line)."""
    frame = io.read_csv(path, required=("interview_id", "start", "end", "decision"))
    problems, decisions = [], []
    for _, row in frame.iterrows():
        decision = " ".join(str(row["decision"]).lower().replace("_", " ").split())
        decision = {"fp": "false positive", "false-positive": "false positive", "keep": "false positive",
                    "add": "missed", "miss": "missed", "accept": "ok", "yes": "ok"}.get(decision, decision)
        if decision not in DECISIONS:
            problems.append(Errors.E305.format(path=path, line=row["_line"],
                                               detail=f"decision {row['decision']!r} is not one of {list(DECISIONS[1:])}"))
            continue
        try:
            start = int(row["start"]) if row["start"] != "" else None
            end = int(row["end"]) if row["end"] != "" else None
        except ValueError:
            problems.append(Errors.E305.format(path=path, line=row["_line"], detail="start/end are not whole numbers"))
            continue
        kind = row.get("type", "") or ""
        if decision == "missed" and ((start is None or end is None) and not row.get("text")):
            problems.append(Errors.E305.format(path=path, line=row["_line"], detail="a 'missed' row needs start and end, or text"))
            continue
        if decision == "missed" and kind not in PLACEHOLDERS:
            problems.append(Errors.E305.format(path=path, line=row["_line"],
                                               detail=f"type {kind!r} is not one of {list(PLACEHOLDERS)}"))
            continue
        if decision:
            decisions.append(Decision(row["interview_id"], decision, start, end, kind,
                                      row.get("placeholder", "") or "", row.get("text", "") or "", row["_line"]))
    if problems:
        raise DataError(problems)
    return decisions


def apply_review(text: str, identifiers: list[Identifier], decisions: Sequence[Decision], *,
                 source: str = "review", is_word: Callable[[str], bool] | None = None) -> list[Identifier]:
    """Drop identifiers marked ``false positive`` and add the ``missed`` ones (a missed row with
    text but no offsets adds every occurrence of that text, in any case; with *is_word*, a
    capitalised dictionary word, "Rose" or "Hope", only where it is capitalised); placeholders
    are reassigned."""
    rejected = {(d.start, d.end) for d in decisions if d.decision == "false positive"}
    kept = [i for i in identifiers if (i.start, i.end) not in rejected]
    added = []
    for d in decisions:
        if d.decision != "missed":
            continue
        if d.start is not None and d.end is not None:
            if not 0 <= d.start < d.end <= len(text) or (d.text and text[d.start:d.end] != d.text):
                raise DataError(Errors.E305.format(path=source, line="?", detail=(
                    f"missed span {d.start}-{d.end} of {d.interview_id} does not match the raw text")))
            spans = [(d.start, d.end)]
        else:
            matches = re.finditer(rf"(?<!\w){re.escape(d.text)}(?!\w)", text, re.IGNORECASE)
            if is_word is not None and d.text[:1].isupper() and is_word(d.text.lower()):
                matches = (m for m in matches if m.group()[0].isupper())  # "Hope" the name, not "hope"
            spans = [m.span() for m in matches]
        added += [_Finding(s, e, d.type, "review", 1.0, d.placeholder or "", f"review:{d.text.lower()}") for s, e in spans]
    findings = [_Finding(i.start, i.end, i.type, i.detector, i.score, i.placeholder) for i in kept
                if not any(a.start < i.end and i.start < a.end for a in added)]
    return assign_placeholders(text, sorted(findings + added, key=lambda f: f.start))


def review_rows(interview_id: str, raw: str, identifiers: Sequence[Identifier],
                previous: Sequence[Decision]) -> list[dict]:
    """Rows of the review file for one interview: every finding (its earlier decision kept)
    and every researcher-added row."""
    earlier = {(d.start, d.end): d for d in previous}
    rows = []
    for i in identifiers:
        d = earlier.get((i.start, i.end))
        rows.append({"interview_id": interview_id, "start": i.start, "end": i.end, "type": i.type,
                     "placeholder": i.placeholder, "detector": i.detector, "score": round(i.score, 3),
                     "decision": d.decision if d and d.decision != "missed" else ("missed" if d else ""),
                     "text": raw[i.start:i.end], "note": ""})
    seen = {(i.start, i.end) for i in identifiers}
    for d in previous:
        if d.decision == "false positive" and (d.start, d.end) not in seen:
            rows.append({"interview_id": interview_id, "start": d.start, "end": d.end, "type": d.type,
                         "placeholder": d.placeholder, "detector": "", "score": "", "decision": d.decision,
                         "text": raw[d.start:d.end] if d.start is not None else d.text, "note": ""})
        elif d.decision == "missed" and d.start is None:
            rows.append({"interview_id": interview_id, "start": "", "end": "", "type": d.type,
                         "placeholder": d.placeholder, "detector": "", "score": "", "decision": d.decision,
                         "text": d.text, "note": "every occurrence"})
    return rows


# --- words left to check --------------------------------------------------------------------

def read_checks(path: Path) -> list[Decision]:
    """The researcher's marks on the words to check: ``ok`` (not an identifier) or ``missed``
    (an identifier: every occurrence of the word in that interview is replaced, like a
    ``missed`` review row with text). Every malformed row is listed (E309)."""
    frame = io.read_csv(path, required=("interview_id", "word", "decision"))
    problems, marks = [], []
    for _, row in frame.iterrows():
        decision = " ".join(str(row["decision"]).lower().split())
        decision = {"miss": "missed"}.get(decision, decision)  # no "yes"/"no": which would they mean?
        kind = row.get("type", "") or ""
        if decision not in ("", "ok", "missed"):
            problems.append(Errors.E309.format(path=path, line=row["_line"],
                                               detail=f"decision {row['decision']!r} is not '', 'ok' or 'missed'"))
        elif not str(row["word"]).strip() or not str(row["interview_id"]).strip():
            problems.append(Errors.E309.format(path=path, line=row["_line"], detail="interview_id or word is empty"))
        elif decision == "missed" and kind not in PLACEHOLDERS:
            problems.append(Errors.E309.format(path=path, line=row["_line"],
                                               detail=f"type {kind!r} is not one of {list(PLACEHOLDERS)}"))
        elif decision:
            marks.append(Decision(row["interview_id"], decision, None, None, kind,
                                  row.get("placeholder", "") or "", str(row["word"]).strip(), row["_line"]))
    if problems:
        raise DataError(problems)
    return marks


def _from_checks(row: dict, checks: Sequence[Decision]) -> bool:
    return any(c.decision == "missed" and c.interview_id == row["interview_id"] and c.text == row["text"]
               for c in checks)


def check_file_rows(listed: dict[str, Sequence[WordToCheck]], raws: dict[str, str],
                    final: dict[str, Sequence[Identifier]], marks: Sequence[Decision]) -> list[dict]:
    """Rows of the words-to-check file: every earlier mark kept, then each word listed now that
    has no mark, with its context (identifiers already replaced there, the word in «»)."""
    def row(interview_id: str, word: WordToCheck) -> dict:
        return {"interview_id": interview_id, "word": word.word, "count": word.count, "reason": word.reason,
                "context": _context(raws[interview_id], final[interview_id], word.start, word.end),
                "decision": "", "type": "", "placeholder": "", "note": ""}

    now = {(i, w.word.lower()): row(i, w) for i, words in listed.items() for w in words}
    rows = []
    for m in marks:
        listed_now = now.pop((m.interview_id, m.text.lower()), None)  # an 'ok' word is still there
        rows.append({**(listed_now or {"interview_id": m.interview_id, "word": m.text, "count": "", "reason": "",
                                       "context": "", "note": ""}),
                     "decision": m.decision, "type": m.type, "placeholder": m.placeholder})
    return rows + list(now.values())


def _context(raw: str, identifiers: Sequence[Identifier], start: int, end: int, *, width: int = 50) -> str:
    """The text around raw[start:end], identifiers replaced by their placeholders."""
    left, right = max(0, start - width), min(len(raw), end + width)
    inside = [i for i in identifiers if i.start < right and i.end > left]
    left = min([left, *(i.start for i in inside if i.end <= start)])
    right = max([right, *(i.end for i in inside if i.start >= end)])
    before = apply_identifiers(raw[left:start], [_shifted(i, left) for i in inside if i.end <= start])
    after = apply_identifiers(raw[end:right], [_shifted(i, end) for i in inside if i.start >= end])
    return " ".join(f"{before}«{raw[start:end]}»{after}".split())


def _shifted(identifier: Identifier, by: int) -> Identifier:
    return Identifier(identifier.start - by, identifier.end - by, identifier.type, identifier.detector,
                      identifier.score, identifier.placeholder)


# --- keeping codings valid ----------------------------------------------------------------

def align(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Opcodes (tag, i1, i2, j1, j2) turning *old* into *new*: paragraphs first, then
    words inside changed paragraphs (fast on long transcripts)."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    offsets_old = [0]
    for line in old_lines:
        offsets_old.append(offsets_old[-1] + len(line))
    offsets_new = [0]
    for line in new_lines:
        offsets_new.append(offsets_new[-1] + len(line))
    opcodes = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        i1, i2, j1, j2 = offsets_old[a1], offsets_old[a2], offsets_new[b1], offsets_new[b2]
        if tag == "equal":
            opcodes.append(("equal", i1, i2, j1, j2))
            continue
        # words, not characters: "[person 1]" -> "[participant]" must not align letter by letter
        old_words, new_words = _WORDS.findall(old[i1:i2]), _WORDS.findall(new[j1:j2])
        old_at, new_at = _starts(old_words, i1), _starts(new_words, j1)
        for t, x1, x2, y1, y2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
            opcodes.append((t, old_at[x1], old_at[x2], new_at[y1], new_at[y2]))
    return opcodes


_WORDS = re.compile(r"\w+|\s+|[^\w\s]", re.DOTALL)


def _starts(words: list[str], offset: int) -> list[int]:
    starts = [offset]
    for word in words:
        starts.append(starts[-1] + len(word))
    return starts




def map_offset(position: int, opcodes: Sequence[tuple[str, int, int, int, int]], *, side: str) -> int | None:
    """Where *position* of the old text lies in the new text, or None if it falls inside a change.

    ``side="start"`` maps the start of a change to the start of its replacement,
    ``side="end"`` maps the end of a change to the end of its replacement.
    """
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" and i1 <= position < i2 or (tag == "equal" and position == i2 and side == "end"):
            return j1 + position - i1
        if tag != "equal":
            if position == i1 and side == "start":
                return j1
            if position == i2 and side == "end":
                return j2
            if i1 < position < i2:
                return None
    return 0 if position == 0 and not opcodes else None


def remap_codings(codings: pd.DataFrame, old: str, new: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Move codings (``start``/``end`` on *old*) onto *new*; return (moved, blocked) rows."""
    opcodes = align(old, new)
    moved, blocked = [], []
    for index, row in codings.iterrows():
        start, end = map_offset(int(row["start"]), opcodes, side="start"), map_offset(int(row["end"]), opcodes, side="end")
        if start is None or end is None or not start < end:
            blocked.append(index)
        else:
            moved.append((index, start, end))
    out = codings.copy()
    cast = int if pd.api.types.is_integer_dtype(out["start"]) else str
    for index, start, end in moved:
        out.loc[index, "start"], out.loc[index, "end"] = cast(start), cast(end)
    return out.drop(index=blocked), codings.loc[blocked]


# --- the whole folder ---------------------------------------------------------------------

@dataclass
class FolderResult:
    """What de-identifying a data folder found and (unless a dry run) wrote."""

    identifiers: pd.DataFrame                      # no original text
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    remapped_codings: int = 0
    review_file: Path | None = None
    review_status: pd.DataFrame = field(default_factory=pd.DataFrame)
    check_file: Path | None = None
    words_to_check: int = 0                        # listed and not yet marked (written runs only)
    written: bool = False


#: Words before a name in a speaker label that are not part of what identifies the person.
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev", "nurse", "cllr"}


def speaker_names(renames: dict[str, str]) -> tuple[KnownName, ...]:
    """Known names from the speaker labels the canonical text renamed ("Sara Smith" became
    "Participant 2"): the label and each of its name words are replaced wherever the
    transcript mentions them (the header's list of speakers, "thanks Sara"), by the label's
    placeholder, so a name a transcription service put in a label never survives elsewhere."""
    names = []
    for label, renamed in renames.items():
        words = [w for w in re.findall(r"[^\W\d_][\w'-]*", label) if w.lower() not in _TITLES and len(w) > 2]
        surfaces = tuple(dict.fromkeys([label, *words]))
        names.append(KnownName(surfaces=surfaces, type="PERSON", placeholder=f"[{renamed.lower()}]"))
    return tuple(names)


#: A placeholder numbered per text ("[person 3]"): renumbered when a text is detected in pieces.
_NUMBERED = re.compile(r"\[person \d+\]")


def _detect(item: tuple[str, str, KnownNames, str, frozenset[str], bool]) -> list[Identifier]:
    """The identifiers of one transcript. A long one is detected in pieces cut at turn
    boundaries (:func:`thematic.nlp.chunk_spans`); their spans are moved to the offsets of the
    whole text and people are numbered across it ("[person 3]" is one person throughout).

    *item* is ``(interview_id, text, known names, model, allow, speech names)``; the shipped
    allow-list (``allow``, used inside the de-identifier) and whether the name recogniser trained on
    speech runs are part of it so that a cached result is never served after either changed."""
    interview_id, text, known, model, _, speech_names = item
    spans = chunk_spans(text)
    # one piece in memory at a time
    found = [find_identifiers_batch([text[start:end]], known_names=known, interview_ids=[interview_id],
                                    model=model, speech_names=speech_names)[0] for start, end in spans]
    if len(spans) == 1:
        return found[0]
    findings = [_Finding(i.start + offset, i.end + offset, i.type, i.detector, i.score,
                         "" if i.detector != "known_names" and _NUMBERED.fullmatch(i.placeholder) else i.placeholder)
                for (offset, _), identifiers in zip(spans, found, strict=True) for i in identifiers]
    return assign_placeholders(text, findings)


@functools.lru_cache(maxsize=1)
def _detect_cached():
    """:func:`_detect` through the results cache (:mod:`thematic.cache`): an unchanged raw
    transcript with unchanged known names is not detected again (the de-identification audit of
    notebook ``00-prepare`` runs at every report). The cache holds offsets, types, detectors,
    scores and placeholders, never text; its key is a hash."""
    from thematic.disclosure import DEIDENTIFIER_LIBRARIES, DEIDENTIFIER_MODULES

    return cached(_detect, depends_on=(*DEIDENTIFIER_MODULES, "thematic.nlp"), libraries=DEIDENTIFIER_LIBRARIES)


def deidentify_folder(data_dir: str | Path | Study, *, review_file: str | Path | None = None,
                      known_names: str | Path | None = None, model: str = "en_core_web_sm",
                      n_jobs: int = 1, write: bool = True,
                      progress: Callable[[str], None] | None = None, dataset: Dataset | None = None) -> FolderResult:
    """De-identify every raw transcript of the data folder *data_dir*.

    Parameters
    ----------
    review_file
        The researcher's review CSV [default: ``deidentification/review.csv`` in the folder].
        Its decisions are applied; with *write*, it is rewritten with the new findings (earlier
        decisions kept).
    known_names
        Known-names file [default: ``known-names.yaml`` (or .yml/.csv/.txt) in the folder, if any].
    n_jobs
        Workers for the per-transcript detection (:func:`thematic.parallel.map_documents`).
    write
        False for a dry run (notebook ``00-prepare``): nothing in the data folder is written.
    dataset
        The folder as already loaded (``load_dataset(data_dir, require_deidentified=False)``),
        so that it is not read again; None reads it.

    Every file it changes (de-identified texts, the codings moved onto them, audit logs, the
    review file) is written in one :meth:`~thematic.study.Study.transaction`: a run killed at
    any point leaves the folder as it was, or finished.

    Raises
    ------
    DataError
        Bad input (every problem listed), or a change that would invalidate codings (E306),
        in which case nothing is written.
    """
    from thematic.dataset import load_dataset

    study = data_dir if isinstance(data_dir, Study) else Study(data_dir)
    review_path = io.resolve(review_file) if review_file else study.review_file
    if write:
        study.check_writable(command="deidentify", what="the de-identified texts, audit logs and review file")
        if not study.owns(review_path):
            raise DataError(Errors.E812.format(path=review_path, what="review file", root=study.root,
                                               command="deidentify", default=study.review_file))
    dataset = dataset if dataset is not None else load_dataset(study, require_deidentified=False)
    known = study.read_known_names(io.resolve(known_names) if known_names else None)
    decisions = read_review(review_path) if review_path.exists() else []
    checks = read_checks(study.check_file) if study.check_file.exists() else []
    interviews = set(dataset.interviews["interview_id"])
    _refuse_unknown_interviews(decisions, Errors.E305, review_path, known=interviews, listing=study.interviews_file)
    _refuse_unknown_interviews(checks, Errors.E309, study.check_file, known=interviews, listing=study.interviews_file)
    decisions += [c for c in checks if c.decision == "missed"]
    problems, raws, speakers = [], {}, {}
    for row in dataset.interviews.itertuples(index=False):
        try:
            path = study.inside(row.transcript, what="transcript", source=study.interviews_file)
            transcript = read_transcript(path, interviewer=row.interviewer)
        except DataError as error:
            problems += error.problems
            continue
        raws[row.interview_id] = transcript.canonical_text()
        speakers[row.interview_id] = speaker_names(transcript.renames)
    if problems:
        raise DataError(problems)
    ids = list(raws)
    if progress:
        progress(f"finding identifiers in {len(ids)} transcript(s)")
    speech_names = speech_names_enabled(model=model)
    items = [(i, raws[i], known.for_interview(i).including(speakers[i]), model, DEFAULT_ALLOW, speech_names)
             for i in ids]
    found = map_cached(_detect_cached(), items,
                       compute=lambda missing: map_documents(_detect, missing, n_jobs=n_jobs))
    by_interview = {d.interview_id: [] for d in decisions}
    for d in decisions:
        by_interview[d.interview_id].append(d)
    is_word, is_first_name = word_tests(model)
    final, texts = {}, {}
    for interview_id, identifiers in zip(ids, found, strict=True):
        final[interview_id] = apply_review(raws[interview_id], identifiers, by_interview.get(interview_id, []),
                                           source=str(review_path), is_word=is_word)
        texts[interview_id] = apply_identifiers(raws[interview_id], final[interview_id])
    result = FolderResult(identifiers=identifiers_frame(final), review_file=review_path,
                          review_status=_review_status(decisions, final))
    current = {i: study.read_text(study.deidentified_path(i)) for i in ids if study.deidentified_path(i).exists()}
    for interview_id in ids:
        same = current.get(interview_id) == texts[interview_id]
        (result.unchanged if same else result.changed).append(interview_id)
    if not write:
        return result
    # an interview without a de-identified text yet (imported by 'thematic qdpx import') has its
    # codings on the raw text: they move from there
    coded_on = {**{i: raws[i] for i in ids if i not in current}, **current}
    codings_updates = _codings_updates(study, coded_on, {i: texts[i] for i in result.changed})
    result.remapped_codings = sum(n for _, _, n in codings_updates)
    rows = [r for i in ids for r in review_rows(i, raws[i], final[i], by_interview.get(i, []))
            if not (r["decision"] == "missed" and r["start"] == "" and _from_checks(r, checks))]
    allow = DEFAULT_ALLOW | known.allow
    judged = {i: [Identifier(d.start, d.end, d.type, "review", 1.0, "") for d in by_interview.get(i, [])
                  if d.decision == "false positive" and d.start is not None] for i in ids}
    listed = {i: words_to_check(raws[i], [*final[i], *judged[i]], is_word=is_word, is_first_name=is_first_name,
                                allow=allow) for i in ids}
    check_rows = check_file_rows(listed, raws, final, checks)
    result.check_file = study.check_file
    result.words_to_check = sum(not r["decision"] for r in check_rows)
    with study.transaction() as transaction:
        for interview_id in ids:
            if interview_id in result.changed:
                transaction.write_text(study.deidentified_path(interview_id), texts[interview_id])
            transaction.write_csv(study.audit_path(interview_id), identifiers_frame({interview_id: final[interview_id]}))
        for path, frame, _ in codings_updates:
            transaction.write_csv(path, frame)
        transaction.write_csv(review_path, pd.DataFrame(rows, columns=list(REVIEW_COLUMNS)))
        transaction.write_csv(study.check_file, pd.DataFrame(check_rows, columns=list(CHECK_COLUMNS)))
    result.written = True
    return result


def _refuse_unknown_interviews(marks: Sequence[Decision], template: str, path: Path, *, known: set[str],
                               listing: Path) -> None:
    problems = [template.format(path=path, line=d.line, detail=f"interview_id {d.interview_id!r} is not in {listing}")
                for d in marks if d.interview_id not in known]
    if problems:
        raise DataError(problems)


def _codings_updates(study: Study, old_texts: dict[str, str],
                     new_texts: dict[str, str]) -> list[tuple[Path, pd.DataFrame, int]]:
    """Codings files moved onto the new texts, with their ``text_hash`` renewed; raises E306
    listing codings that cannot move."""
    from thematic.dataset import with_text_hashes

    updates, blocked_all = [], []
    for path in study.coding_files():
        frame = study.read_table(path, required=("interview_id", "start", "end", "code"))
        moved_total = 0
        out = frame.copy()
        by_interview = dict(tuple(frame.groupby("interview_id", sort=False)))  # once: not a scan per interview
        for interview_id, new in new_texts.items():
            rows = by_interview.get(interview_id, frame.iloc[:0])
            if rows.empty or interview_id not in old_texts:
                continue
            moved, blocked = remap_codings(rows, old_texts[interview_id], new)
            out.loc[moved.index, ["start", "end"]] = moved[["start", "end"]]
            moved_total += int((moved[["start", "end"]] != rows.loc[moved.index, ["start", "end"]]).any(axis=1).sum())
            blocked_all += [(interview_id, path.name, int(r["_line"]), r["code"]) for _, r in blocked.iterrows()]
        if moved_total or (new_texts.keys() & set(frame["interview_id"]) and "text_hash" in frame.columns):
            texts = {**old_texts, **new_texts}
            out = out.drop(columns="_line")
            if "text_hash" in out.columns:
                out = with_text_hashes(out, texts)
            updates.append((path, out, moved_total))
    if blocked_all:
        by_interview: dict[str, list[str]] = {}
        for interview_id, name, line, code in blocked_all:
            by_interview.setdefault(interview_id, []).append(f"{name} line {line} ({code})")
        raise DataError([Errors.E306.format(interview=i, count=len(c), codings="; ".join(c[:10]) +
                                            (f"; ... ({len(c)} in all)" if len(c) > 10 else ""))
                         for i, c in by_interview.items()])
    return updates


def _review_status(decisions: Sequence[Decision], final: dict[str, list[Identifier]]) -> pd.DataFrame:
    counts = {"findings": sum(len(v) for v in final.values()),
              "marked ok": sum(d.decision == "ok" for d in decisions),
              "marked false positive": sum(d.decision == "false positive" for d in decisions),
              "added as missed": sum(d.decision == "missed" for d in decisions)}
    counts["not yet reviewed"] = max(0, counts["findings"] - counts["marked ok"]
                                     - sum(1 for v in final.values() for i in v if i.detector == "review"))
    return pd.DataFrame(list(counts.items()), columns=["review", "count"])


def read_gold(path: str | Path) -> pd.DataFrame:
    """A gold-standard file (interview_id, start, end, type[, placeholder]) with integer offsets."""
    frame = io.read_csv(path, required=("interview_id", "start", "end", "type"))
    return frame.astype({"start": int, "end": int}).drop(columns="_line")


PARAMETERS = (
    Parameter("deidentify_audit", bool, "whether notebook 00 re-runs de-identification in memory to show "
                                        "its audit (true or false)"),
)
