"""Transcripts in the layouts they arrive in.

Read any transcript file with :func:`read_transcript` (.txt, .docx, .vtt, .srt) or parse the
text of one with :func:`parse_transcript`; both give a :class:`Transcript`: the text, the
header before the first turn, and the speaker :class:`Turn` s with character offsets.
:meth:`Transcript.canonical_text` is the one layout de-identified texts are written in;
:func:`describe` and :func:`explain` say what was read. See ``docs/transcripts.md``.

Modules: ``model`` (Turn, Transcript, the canonical text), ``labels`` (what a speaker label
and a timestamp look like, role labels, who is the interviewer), ``layouts`` (text layouts and
their detection), ``docx`` (Word documents), ``captions`` (WebVTT, SubRip), ``read`` (files),
``describe`` (summaries), ``check`` (the transcripts of a data folder).
"""

from thematic.transcripts.check import check_transcripts
from thematic.transcripts.describe import describe, explain, headers
from thematic.transcripts.labels import (
    INTERVIEWER_LABELS,
    is_generic,
    is_interviewer,
    label_key,
)
from thematic.transcripts.layouts import parse_transcript, parse_turns
from thematic.transcripts.model import Speaker, Transcript, Turn
from thematic.transcripts.read import SUPPORTED_SUFFIXES, read_transcript

__all__ = [
    "INTERVIEWER_LABELS", "SUPPORTED_SUFFIXES", "Speaker", "Transcript",
    "Turn", "check_transcripts", "describe", "explain", "headers", "is_generic", "is_interviewer", "label_key",
    "parse_transcript", "parse_turns", "read_transcript",
]
