"""Familiarisation (Braun & Clarke phase 1): who was interviewed, for how long, how much each
person said, and the researcher's familiarisation memos.

Vocabulary (frequent and distinctive terms) is in :mod:`thematic.vocabulary`, keyword-in-context
in :mod:`thematic.kwic` and the spaCy parse cache in :mod:`thematic.parse`.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import pandas as pd

from thematic import io, markup
from thematic.dataset import Dataset
from thematic.disclosure import name_hash
from thematic.errors import Errors

log = logging.getLogger(__name__)

#: Folder of familiarisation memos inside the data folder: ``memos/<interview_id>.md``.
MEMO_FOLDER = "memos"
#: The row of the corpus overview that sums every group (never a group's own id).
TOTAL = "(all groups)"


def corpus_overview(dataset: Dataset, segments: pd.DataFrame) -> pd.DataFrame:
    """Participants, interviews, duration and words per stakeholder group, plus a total row.

    Words count participant speech only (interviewer turns excluded).
    """
    interviews = dataset.interviews
    spoken = segments[~segments["is_interviewer"]].groupby("group")["words"].sum()

    def describe(frame: pd.DataFrame) -> dict:
        minutes = frame["duration_min"]
        return {
            "participants": frame["participant_id"].nunique(), "interviews": len(frame),
            "duration_mean_min": round(minutes.mean(), 1), "duration_median_min": minutes.median(),
            "duration_min_min": minutes.min(), "duration_max_min": minutes.max(),
        }

    rows = {group: describe(interviews[interviews["group"] == group]) for group in dataset.groups}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table["participant_words"] = spoken.reindex(table.index).fillna(0).astype(int)
    total = describe(interviews) | {"participant_words": int(spoken.sum())}
    table.loc[TOTAL] = total
    table.index.name = "group"
    return table


def interview_summary(segments: pd.DataFrame, *, interviews: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per interview: turns, words, and the participant's share of the words spoken.

    Columns: ``interview_id, group, label, wave, turns, words, participant_share,
    participant_words, interviewer_words, participant_turns, words_per_participant_turn``
    and, given *interviews* (``Dataset.interviews``), ``duration_min``.
    """
    grouped = segments.groupby(["interview_id", "group", "label", "wave"])
    table = grouped.agg(turns=("turn", "size"), words=("words", "sum"))
    ids = table.index.get_level_values("interview_id")
    spoken = segments[~segments["is_interviewer"]].groupby("interview_id")
    participant = spoken["words"].sum().reindex(ids).fillna(0).to_numpy()
    table["participant_share"] = (participant / table["words"]).round(3)
    table["participant_words"] = participant.astype(int)
    table["interviewer_words"] = table["words"] - table["participant_words"]
    table["participant_turns"] = spoken.size().reindex(ids).fillna(0).astype(int).to_numpy()
    table["words_per_participant_turn"] = (
        table["participant_words"] / table["participant_turns"].where(table["participant_turns"] > 0)).round(1)
    table = table.reset_index()
    if interviews is not None:
        table = table.merge(interviews[["interview_id", "duration_min"]], on="interview_id", how="left")
    return table.sort_values("interview_id").reset_index(drop=True)


def interview_table(interviews: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """One row per interview of ``Dataset.interviews`` (id, label, group, role, wave, date and
    duration) with its turns and words after segmentation (:func:`interview_summary`); an
    interview without segments keeps empty counts."""
    columns = ["interview_id", "label", "group", "role", "wave", "date", "duration_min"]
    return interviews[columns].merge(interview_summary(segments), how="left",
                                     on=["interview_id", "label", "group", "wave"])


def units_by_group(segments: pd.DataFrame) -> pd.DataFrame:
    """Coding units and words per stakeholder group and speaker (participant or interviewer)."""
    return segments.groupby(["group", "is_interviewer"]).agg(
        segments=("segment_id", "size"), words=("words", "sum")).reset_index()


def participants_by_role(dataset: Dataset) -> pd.DataFrame:
    """Participants and interviews per stakeholder group and role, with the waves covered."""
    interviews = dataset.interviews
    table = interviews.groupby(["group", "role"]).agg(
        participants=("participant_id", "nunique"), interviews=("interview_id", "size"),
        waves=("wave", lambda w: ", ".join(str(v) for v in sorted(set(w)))))
    return table.reset_index().sort_values(["group", "participants", "role"],
                                           ascending=[True, False, True]).reset_index(drop=True)


def methods_table(dataset: Dataset, segments: pd.DataFrame) -> pd.DataFrame:
    """The sample as a methods section reports it: one row per group and a total.

    Columns: ``Stakeholder group``, ``Participants``, ``Interviews``, ``Duration, min: mean
    (range)``, ``Median, min``, ``Participant words: mean per interview``.
    """
    overview = corpus_overview(dataset, segments)
    words = segments[~segments["is_interviewer"]].groupby("interview_id")["words"].sum()
    interviews = dataset.interviews.assign(words=lambda f: f["interview_id"].map(words).fillna(0))
    mean_words = interviews.groupby("group")["words"].mean()
    mean_words[TOTAL] = interviews["words"].mean()
    rows = []
    for group, row in overview.iterrows():
        timed = pd.notna(row["duration_mean_min"])
        rows.append({
            "Stakeholder group": "All" if group == TOTAL else _capitalise(dataset.settings.plural(group)),
            "Participants": int(row["participants"]), "Interviews": int(row["interviews"]),
            "Duration, min: mean (range)": (f"{row['duration_mean_min']:.1f} ({row['duration_min_min']:g}-"
                                            f"{row['duration_max_min']:g})" if timed else "not recorded"),
            "Median, min": f"{row['duration_median_min']:g}" if timed else "",
            "Participant words: mean per interview": f"{mean_words.get(group, 0):,.0f}",
        })
    return pd.DataFrame(rows)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def load_memos(dataset: Dataset) -> pd.DataFrame:
    """The familiarisation memo of every interview, or that it has none yet.

    Memos are Markdown files ``memos/<interview_id>.md`` beside the data. They are part of
    the audit trail: the report shows each one with its SHA-256 (also recorded in the
    report's manifest with every other input file). A memo named after no interview is
    logged and listed with status ``"no such interview"``.

    A memo is written while reading the raw interview and often names people, so ``text``
    is the memo de-identified with the known names of its interview
    (:meth:`thematic.dataset.Dataset.publication_screen`); the hash is of the file as written.

    Columns: ``interview_id, status ("memo" | "missing" | "no such interview"), path,
    words, sha256, text``.
    """
    folder = dataset.study.memos_dir
    known = list(dataset.interviews["interview_id"])
    rows = []
    for interview_id in known:
        path = dataset.study.memo_path(interview_id)
        if path.exists():
            text = io.read_text(path).strip()
            rows.append({"interview_id": interview_id, "status": "memo",
                         "path": f"{MEMO_FOLDER}/{path.name}", "words": len(text.split()),
                         "sha256": io.sha256_file(path), "text": text})
        else:
            rows.append({"interview_id": interview_id, "status": "missing", "path": "",
                         "words": 0, "sha256": "", "text": ""})
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if path.stem not in set(known) and path.name.lower() != "readme.md":
            hidden = f"unnamed-{name_hash(path.name)}"  # a file name a person chose can name someone
            log.warning(Errors.E340.format(path=f"{MEMO_FOLDER}/{hidden}{path.suffix}"))
            rows.append({"interview_id": hidden, "status": "no such interview",
                         "path": f"{MEMO_FOLDER}/{hidden}{path.suffix}", "words": len(io.read_text(path).split()),
                         "sha256": io.sha256_file(path), "text": ""})
    table = pd.DataFrame(rows, columns=["interview_id", "status", "path", "words", "sha256", "text"])
    has_text = table["text"] != ""
    if has_text.any():
        table.loc[has_text, "text"] = dataset.publication_screen().mask_all(
            list(table.loc[has_text, "text"]), interview_ids=list(table.loc[has_text, "interview_id"]))
    return table.sort_values("interview_id").reset_index(drop=True)


def memo_html(memos: pd.DataFrame) -> str:
    """All memos as one HTML fragment for the report, each headed by its interview id and the
    first 12 hex digits of its SHA-256; interviews without a memo are listed at the end.

    Memos are Markdown written by researchers, so they are rendered, but safely: raw HTML in
    a memo shows as text (``<inaudible>`` stays visible, a ``<script>`` never runs), images
    become plain links (no request leaves the report; :func:`thematic.markup.markdown_html`),
    and headings sit below the notebook's.
    """
    parts = []
    for row in memos[memos["status"] == "memo"].itertuples():
        body = re.sub(r"^(#{1,4})(\s)", lambda m: "#" * min(6, len(m.group(1)) + 3) + m.group(2),
                      row.text, flags=re.MULTILINE)
        parts.append(f"<h3>{html.escape(row.interview_id)}</h3>\n<p><code>{html.escape(row.path)}</code> · "
                     f"sha256 <code>{html.escape(row.sha256[:12])}</code></p>\n{markup.markdown_html(body)}")
    missing = list(memos.loc[memos["status"] == "missing", "interview_id"])
    if missing:
        parts.append(f"<p><em>No memo yet for {len(missing)} interview(s):</em> "
                     f"{html.escape(', '.join(missing))}.</p>")
    return "\n".join(parts) if parts else "<p><em>No familiarisation memos yet.</em></p>"


def interview_profiles(summary: pd.DataFrame, key_terms: pd.DataFrame, memos: pd.DataFrame) -> pd.DataFrame:
    """One row per interview for the reader: who, how long, talk share, key terms, memo status."""
    table = summary.merge(key_terms[["interview_id", "key_terms"]], on="interview_id", how="left")
    table = table.merge(memos[["interview_id", "status", "words"]].rename(
        columns={"status": "memo", "words": "memo_words"}), on="interview_id", how="left")
    table["key_terms"] = table["key_terms"].fillna("")
    table["memo"] = table["memo"].fillna("missing")
    columns = ["interview_id", "group", "label", "wave", "duration_min", "words", "participant_share",
               "key_terms", "memo", "memo_words"]
    return table[[c for c in columns if c in table.columns]]

