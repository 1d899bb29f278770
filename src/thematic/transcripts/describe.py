"""What was read from a transcript: a summary for ``thematic validate`` and the first turns as
parsed for ``thematic validate --explain FILE``."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import pandas as pd

from thematic.transcripts.labels import label_key
from thematic.transcripts.model import Transcript, words


def describe(transcript: Transcript) -> dict:
    """A summary of *transcript*: layout, speakers (turns, words, interviewer or not, label in
    the canonical text), turn and word counts, header and footer words, notes, and warnings
    (no interviewer; several participant speakers without a declared interviewer; declared
    names not found). Warnings and notes never quote the transcript."""
    renames = transcript.renames
    spoken: dict[str, int] = {}
    for turn in transcript.turns:
        spoken[turn.speaker] = spoken.get(turn.speaker, 0) + words(turn.text(transcript.text))
    speakers = [{"label": s.label, "turns": s.turns, "words": spoken[s.label],
                 "interviewer": s.is_interviewer, "canonical": renames.get(s.label, s.label)}
                for s in transcript.speakers]
    interviewers = [s["label"] for s in speakers if s["interviewer"]]
    participants = [s["label"] for s in speakers if not s["interviewer"]]
    warnings = []
    if not interviewers:
        warnings.append("no interviewer found among the speakers: declare the interviewer's "
                        "speaker label (the 'interviewer' column of interviews.csv)")
    if len(participants) > 1 and not transcript.interviewer:
        warnings.append(f"{len(participants)} speakers besides the interviewer: a focus group, or "
                        "a label read wrongly? Declare the interviewer to confirm")
    keys = {label_key(s["label"]) for s in speakers}
    missing = [name for name in transcript.interviewer if label_key(name) not in keys]
    if missing and not interviewers:
        warnings.append(f"{len(missing)} of {len(transcript.interviewer)} declared interviewer "
                        "name(s) are not among the speakers")
    return {
        "source": transcript.source,
        "layout": transcript.layout,
        "speakers": speakers,
        "interviewers": interviewers,
        "participants": participants,
        "turns": len(transcript.turns),
        "words": sum(spoken.values()),
        "header_words": words(transcript.header_text),
        "footer_words": words(transcript.footer_text),
        "timestamps": any(turn.timestamp for turn in transcript.turns),
        "notes": list(transcript.notes),
        "warnings": warnings,
    }


def headers(texts: Mapping[str, str]) -> pd.DataFrame:
    """The header (and footer) of every de-identified text that has one: interview_id, layout,
    header_words, header, footer. Headers are never coded; notebook 00 shows them so that a
    title block read as a header (or a header read as a turn) is seen."""
    from thematic.transcripts.layouts import parse_transcript

    rows = []
    for interview_id, text in sorted(texts.items()):
        transcript = parse_transcript(text, source=interview_id)
        if transcript.header_text.strip() or transcript.footer_text.strip():
            rows.append({"interview_id": interview_id, "layout": transcript.layout,
                         "header_words": words(transcript.header_text), "header": transcript.header_text.strip(),
                         "footer": transcript.footer_text.strip()})
    return pd.DataFrame(rows, columns=["interview_id", "layout", "header_words", "header", "footer"])


def explain(transcript: Transcript, *, turns: int = 5, width: int = 100) -> str:
    """The first *turns* turns as parsed, with the layout, speakers, header and notes: what a
    user checks when a file is read wrongly (shows transcript text: for the terminal only)."""
    info = describe(transcript)
    lines = [f"{info['source']}: layout {info['layout']}{' with timestamps' if info['timestamps'] else ''}, "
             f"{len(info['speakers'])} speaker(s), {info['turns']} turns, {info['words']} words"]
    if info["header_words"]:
        lines.append(f"header ({info['header_words']} words, never coded):")
        lines += ["    " + line for line in _shorten(transcript.header_text, width * 3, width)]
    lines.append("speakers:")
    for s in info["speakers"]:
        role = "interviewer" if s["interviewer"] else "participant"
        renamed = f", written as '{s['canonical']}' in the canonical text" if s["canonical"] != s["label"] else ""
        lines.append(f"    {s['label']}: {s['turns']} turns, {s['words']} words, {role}{renamed}")
    lines.append(f"first {min(turns, info['turns'])} turn(s):")
    for turn in transcript.turns[:turns]:
        stamp = f"[{turn.timestamp}] " if turn.timestamp else ""
        lines.append(f"  {turn.index + 1:>3}. {stamp}{turn.speaker}:")
        lines += ["       " + line for line in _shorten(turn.text(transcript.text), width * 2, width)]
    if info["footer_words"]:
        lines.append(f"footer ({info['footer_words']} words, never coded): {transcript.footer_text[:width]}")
    lines += [f"note: {note}" for note in info["notes"]]
    lines += [f"warning: {warning}" for warning in info["warnings"]]
    return "\n".join(lines)


def _shorten(text: str, limit: int, width: int) -> list[str]:
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0] + " ..."
    return textwrap.wrap(flat, width=width) or [""]
