"""Text layouts: find the speaker turns of a plain-text transcript, whatever its layout.

Two layouts are understood, and may mix in one file:

- *inline*: ``Speaker: text`` (or ``Speaker<TAB>text``, or ``Speaker 1 - text`` after a role or
  a timestamp, with a hyphen, en or em dash, or ``[Interviewer] text`` for a role; a full-width
  colon counts as a colon) on one line, in any case, numbered or
  abbreviated (``interviewee:``, ``Interviewer 1:``, ``Interviewee1 :``, ``I:``, ``P3:``), with
  optional timestamps before or after the label (``[00:01:23] I:``, ``Rev (00:05):``,
  ``Sara [00:00:05] text``) or right after the colon when most turns have one;
- *label line*: the label alone on its line, with a colon, a timestamp or neither
  (``Interviewer:``; Otter's ``Sara Smith  00:13``; Rev's ``Speaker 1 (00:00):``; Zoom's
  ``[Sara Smith] 10:15:32``; ``Interviewer``), the text in the following lines.

Which labels are speakers is decided for the whole file, from recurrence, shape and position
(docs/transcripts.md has the rules in full):

1. never a speaker: metadata fields (``Date:``, ``Interview date:``, ``Participant ID:``,
   ``Part 1:``), words that open a sentence (``So:``, ``Note:``, ``Reason:``), phrases that
   read like a sentence (``And I said:``), anything over 40 characters;
2. always a speaker: the declared interviewer names and interview role labels
   (``Interviewer``, ``Participant 3``, ``Speaker B``, ``P3``);
3. the labels of rule 2 (without any: the labels seen three times) set the file's style: inline
   or alone on the line, colon or tab, timestamped or not, opening paragraphs or not, case. Any
   other label is a speaker when seen twice in that style; once, only when it carries the file's
   timestamps or stands alone on its line in a label-line file. Roles that are also ordinary
   words (``I``, ``Mum``, ``Nurse``) are treated like names. So a ``Note: ...`` or
   ``Staff: ...`` line inside a turn stays text, while a focus-group member who speaks once in an
   Otter export is found;
4. a label within one or two typing errors of a speaker's (``Interveiwer:``) is that speaker;
5. labels alone on their line without colon or timestamp (``Interviewer`` then the text)
   must also open a paragraph, be followed by text, start with a capital and have at most four
   words.

Everything before the first turn is the header, and so is a block of short ``Field: value``
lines at the top that runs into the first turns (``Interviewer: Kate`` between ``Date:`` and
``Place:``). A closing ``Transcribed by https://otter.ai`` or ``[END OF INTERVIEW]`` line
is the footer. Nothing is dropped: every character is in the header, a turn, the footer, or a
label or timestamp. All rules work line by line with bounded patterns: linear time.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from thematic.errors import DataError, Errors, ParameterError
from thematic.transcripts.labels import (
    LINE,
    TIMESTAMP_LINE,
    TIMESTAMP_RE,
    can_be_speaker,
    clean_timestamp,
    edit_distance,
    is_generic,
    is_interviewer,
    is_interviewer_label,
    is_metadata,
    is_weak,
    label_key,
)
from thematic.transcripts.model import Transcript, Turn, finished

#: What E208 says thematic understands.
UNDERSTOOD = ("'Speaker: text' lines (any case, numbered, abbreviated, with or without "
              "timestamps; 'Speaker 1 - text' after a role or a timestamp; '[Interviewer] text'), labels on their own line with the text below (Otter, Rev, Trint, "
              "Teams, Zoom exports), Word .docx paragraphs or tables (speaker | text, time | "
              "speaker | text), WebVTT (.vtt) and SubRip (.srt) captions")
#: One character for one: the view keeps every offset of the text.
_VIEW = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n",
                       "\r": "\n", "\u00a0": " ", "\u202f": " ", "\u2007": " "})
_NONSPACE = re.compile(r"\S")
#: Closing lines of transcription services and typists.
FOOTER = re.compile(
    r"[ \t]*(?:transcribed by[ \t]+\S*otter\.ai\S*"
    r"|[^\n]{0,80}\b(?:stopped|ended) transcription"
    r"|[\[(]?[ \t]*(?:end of (?:the )?(?:transcript(?:ion)?|interview|recording|tape|session|audio)"
    r"|(?:recording|interview|audio) (?:ends|ended|stopped))[ \t]*[.!]?[ \t]*[\])]?)[ \t]*",
    re.IGNORECASE)
#: How many words a line of a metadata block at the top may have.
SHORT_LINE_WORDS = 12


@dataclass
class _Candidate:
    line: int
    kind: str  # "inline", "line" (label alone, decorated) or "bare" (label alone, undecorated)
    key: str
    label: str
    body: int  # where the spoken text may start
    stamp: str | None
    para: bool  # at the start of a paragraph
    sep: str = ""  # ":", "\t", "-", "]" or "" (label line without colon, label and timestamp)
    region: int = 0  # the line where the turn begins (a timestamp alone above its label)


def parse_transcript(text: str, *, interviewer: Sequence[str] = (), source: str = "<text>",
                     speaker_pattern: str | None = None, layout_prefix: str = "",
                     notes: Sequence[str] = ()) -> Transcript:
    """Parse the plain text of a transcript in any text layout.

    Parameters
    ----------
    text
        The transcript (raw .txt content, or a de-identified text). Offsets of the result
        index this very string: nothing in it is changed.
    interviewer
        Speaker labels (case-insensitive) of the interviewer(s). Without them, labels such as
        Interviewer, I, Int, Researcher, Facilitator, Moderator or Q are taken to be.
    source
        Name of the file, for messages.
    speaker_pattern
        A regular expression with a group ``speaker`` that starts every turn, to override
        the detection for an unusual layout.
    layout_prefix, notes
        Used by readers of other formats (``docx-``; notes about the reading).

    Raises
    ------
    DataError
        If no speaker turn is found (E208).
    """
    declared = tuple(interviewer)
    if speaker_pattern:
        return _parse_with_pattern(text, speaker_pattern, declared, source, notes)
    view = text.replace("\r\n", " \n").translate(_VIEW)
    lines = _lines(view)
    blank = [not view[s:e].strip() for s, e in lines]
    stamp_line = [not b and TIMESTAMP_LINE.match(view, s, e) is not None
                  for (s, e), b in zip(lines, blank, strict=True)]
    candidates, meta_lines = _candidates(view, lines, blank, stamp_line)
    starts, aliases = _accept(candidates, declared, lines, blank)
    if not starts:
        raise DataError(Errors.E208.format(path=source, layouts=UNDERSTOOD))
    return _build(view, text, lines, blank, starts, aliases, meta_lines, declared=declared,
                  source=source, layout_prefix=layout_prefix, notes=notes)


def parse_turns(text: str, *, interviewer: Sequence[str] = (), source: str = "<text>",
                speaker_pattern: str | None = None) -> list[Turn]:
    """The speaker turns of *text* (see :func:`parse_transcript`)."""
    return list(parse_transcript(text, interviewer=interviewer, source=source,
                                 speaker_pattern=speaker_pattern).turns)


def _lines(view: str) -> list[tuple[int, int]]:
    lines, start = [], 0
    while True:
        stop = view.find("\n", start)
        if stop < 0:
            lines.append((start, len(view)))
            return lines
        lines.append((start, stop))
        start = stop + 1


def _candidates(view: str, lines, blank, stamp_line) -> tuple[list[_Candidate], set[int]]:
    """Every line that may start a turn, and the lines that read as ``Field: value``."""
    candidates, meta_lines = [], set()
    for number, (start, end) in enumerate(lines):
        if blank[number] or stamp_line[number]:
            continue
        match = LINE.match(view, start, end)
        if not match:
            continue
        label = " ".join(match["label"].split())
        if (match["open"] == "[") != (match["close"] == "]"):
            continue
        sep = (match["sep"] or "").strip(" ")
        stamp = match["ts1"] or match["ts2"]
        if match["dash"]:  # "Speaker 1 - text", "[00:01:02] Interviewer – text": a dash ends a
            # label only after a role or a timestamp ("Sara - well" may be speech)
            if not (is_generic(label) or stamp):
                continue
            sep = "-"
        elif match["bracketed"] is not None and not match["ts2"]:  # "[Interviewer] text"; never "[laughs] yes"
            if not is_generic(label) or is_weak(label):
                continue
            sep = "]"
        if sep:
            kind = "inline" if match.end() < end else "line"
        elif match.end() >= end:
            kind = "line" if stamp else ("bare" if not match["open"] else None)
        else:  # label, timestamp, text: "Sara [00:00:05] text", "[Sara] 10:15:32 text",
            # "Sara Smith  0:13  text" (a bare time needs two spaces or a tab around it)
            gap = view[match.end("label"):match.start("ts2")] if match["ts2"] else ""
            stamped = match["ts2"] and (match["ts2"][0] in "[(" or match["open"] == "["
                                        or "  " in gap or "\t" in gap)
            kind = "inline" if stamped else None
        if kind is None:
            continue
        if not can_be_speaker(label):
            if kind == "inline" and is_metadata(label):
                meta_lines.add(number)
            continue
        previous, region = number - 1, number
        if not stamp:  # a timestamp alone above the label (blank lines between or not)
            above = previous
            while above >= 0 and blank[above]:
                above -= 1
            if above >= 0 and stamp_line[above]:
                stamp, region = view[slice(*lines[above])], above
                previous = above - 1 if above == previous else previous
        para = previous < 0 or blank[previous]
        body = match.end() if kind == "inline" else (end + 1 if end < len(view) else end)
        candidates.append(_Candidate(number, kind, label_key(label), label, body,
                                     clean_timestamp(stamp) if stamp else None, para, sep, region))
    return candidates, meta_lines


def _interview_pair(keys: set[str], occurrences: dict[str, list[_Candidate]]) -> bool:
    """Whether the paragraph-opening labels *keys* of a tiny file are an interview: at least
    two, all roles (``I``, ``Q``, ``R``, ``A``...), one of them an interviewer's."""
    labels = [occurrences[k][0].label for k in keys]
    return (len(labels) >= 2 and all(is_generic(label) for label in labels)
            and any(is_interviewer_label(label) for label in labels)
            and not all(is_interviewer_label(label) for label in labels))


def _accept(candidates: list[_Candidate], declared: Sequence[str], lines, blank
            ) -> tuple[list[_Candidate], dict[str, str]]:
    """The candidates that start turns (rules 2-5 of the module's docstring), and the
    misspelt label keys with the speaker key each stands for."""
    declared_keys = {label_key(name) for name in declared}
    occurrences: dict[str, list[_Candidate]] = defaultdict(list)
    for c in candidates:
        if c.kind != "bare" or _usable_bare(c, lines, blank):
            occurrences[c.key].append(c)
    strong = {k for k, occ in occurrences.items()
              if k in declared_keys or (is_generic(occ[0].label) and not is_weak(occ[0].label))}
    basis = strong
    for least in (3, 2):
        if not basis:
            basis = {k for k, occ in occurrences.items() if len(occ) >= least}
    if not basis:  # a tiny file where every label appears once: the labels opening paragraphs
        # (or lines, when every line opens with one)
        every_line = {c.line for occ in occurrences.values() for c in occ} >= {
            n for n, is_blank in enumerate(blank) if not is_blank}
        opening = {k for k, occ in occurrences.items() if occ[0].para or every_line}
        basis = {k for k in opening if not is_weak(occurrences[k][0].label)}
        if len(basis) < 2 and _interview_pair(opening, occurrences):
            basis = opening  # "I: ..." then "R: ...": weak labels, but an interviewer answered
        if len(basis) < 2:
            return [], {}
        strong = basis
    style = _Style([c for k in basis for c in occurrences[k]])
    accepted = set(strong)
    starts = {id(c) for k in strong for c in occurrences[k]}
    for key, occ in occurrences.items():
        if key in accepted:
            continue
        fitting = [c for c in occ if style.fits(c)]
        once = fitting[0] if len(occ) == 1 and fitting else None
        if once is not None and is_weak(once.label):
            enough = style.para and once.para  # "I:" opening a paragraph
        elif once is not None:
            enough = (style.stamped and once.stamp is not None) or (style.alone and once.para)
        else:
            enough = len(fitting) >= 2
        if enough:
            accepted.add(key)
            starts.update(id(c) for c in fitting)
    aliases: dict[str, str] = {}
    for key, occ in occurrences.items():
        if key in accepted or len(key) < 5 or is_generic(occ[0].label):
            continue
        best = min(accepted, key=lambda k: (edit_distance(key, k), k), default=None)
        if best and edit_distance(key, best) <= (2 if min(len(key), len(best)) >= 9 else 1):
            fitting = [c for c in occ if style.fits(c)]
            if fitting:
                aliases[key] = best
                starts.update(id(c) for c in fitting)
    return [c for c in candidates if id(c) in starts], aliases


class _Style:
    """How the file's speaker labels look: inline or alone on their line, colon or tab,
    timestamped or not, opening paragraphs or not, in capitals, lower case or mixed. An
    attribute shared by 90% of the labels (half, for timestamps) is required of the rest."""

    def __init__(self, basis: list[_Candidate]):
        self.alone = _share(basis, lambda c: c.kind != "inline") >= 0.5
        self.stamped = _share(basis, lambda c: c.stamp is not None) >= 0.5
        self.para = _share(basis, lambda c: c.para) >= 0.9
        seps = Counter(c.sep for c in basis)
        sep, count = seps.most_common(1)[0]
        self.sep = sep if count >= 0.9 * len(basis) else None
        cases = Counter(_case(c.label) for c in basis)
        case, count = cases.most_common(1)[0]
        self.case = case if count >= 0.9 * len(basis) and case != "mixed" else None

    def fits(self, c: _Candidate) -> bool:
        return ((c.kind != "inline") == self.alone and (c.para or not self.para)
                and (c.stamp is not None or not self.stamped)
                and (self.sep is None or c.sep == self.sep)
                and (self.case is None or _case(c.label) == self.case))


def _share(items: list, test) -> float:
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def _case(label: str) -> str:
    letters = [ch for ch in label if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return "upper"
    if letters and all(ch.islower() for ch in letters):
        return "lower"
    return "mixed"


def _usable_bare(c: _Candidate, lines, blank) -> bool:
    """A bare label line may start a turn: it opens a paragraph, text follows, it starts with
    a capital, has at most four words and does not end a sentence."""
    return (c.para and _followed_by_text(c, lines, blank) and c.label[0].isupper()
            and len(c.label.split()) <= 4 and not (c.label.endswith(".") and len(c.label) > 4))


def _followed_by_text(c: _Candidate, lines, blank) -> bool:
    """The next non-blank line exists (the turn's text)."""
    number = c.line + 1
    while number < len(lines) and blank[number]:
        number += 1
    return number < len(lines)


def _trim(view: str, start: int, end: int) -> tuple[int, int]:
    match = _NONSPACE.search(view, start, end)
    if not match:
        return start, start
    start = match.start()
    while end > start and view[end - 1].isspace():
        end -= 1
    return start, end


def _build(view: str, text: str, lines, blank, starts: list[_Candidate], aliases: dict[str, str],
           meta_lines: set[int], *, declared, source, layout_prefix, notes) -> Transcript:
    # where each turn's region begins (a timestamp alone on the line above belongs to it)
    regions, stamps = [], []
    for c in starts:
        regions.append(lines[c.region][0])
        stamps.append(c.stamp)
    # a timestamp right after the colon, when most inline turns have one
    inline = [i for i, c in enumerate(starts) if c.kind == "inline"]
    after = {}
    for i in inline:
        match = TIMESTAMP_RE.match(view, starts[i].body)
        if match and (match.group(0)[0] in "[(" or view[match.end():match.end() + 1].isspace()):
            after[i] = match
    bodies = [c.body for c in starts]
    if inline and len(after) >= 0.5 * len(inline):
        bracketed = sum(m.group(0)[0] in "[(" for m in after.values()) >= 0.5 * len(after)
        for i, match in after.items():
            if (match.group(0)[0] in "[(") != bracketed:
                continue  # "R: 10:30 was when I left" among "[00:00:04]" stamps
            bodies[i] = match.end()
            stamps[i] = stamps[i] or clean_timestamp(match.group(0))
    first = _header_end(view, lines, blank, starts, regions, meta_lines)
    keep = [i for i in range(len(starts)) if regions[i] >= first]
    display: dict[str, str] = {}  # each speaker as first written in a turn (not misspelt)
    for i in sorted(keep, key=lambda i: (starts[i].key in aliases, i)):
        display.setdefault(aliases.get(starts[i].key, starts[i].key), starts[i].label)
    fuzzy = sum(1 for i in keep if starts[i].key in aliases)
    footer = None
    turns, empty = [], 0
    for position, i in enumerate(keep):
        stop = regions[keep[position + 1]] if position + 1 < len(keep) else len(view)
        if position + 1 == len(keep):
            footer, stop = _footer(view, lines, starts[i].line, stop)
        start, end = _trim(view, bodies[i], stop)
        if start == end:
            empty += 1
            continue
        speaker = display[aliases.get(starts[i].key, starts[i].key)]
        turns.append(Turn(len(turns), speaker, start, end,
                          is_interviewer(speaker, interviewer=declared), stamps[i]))
    if not turns:
        raise DataError(Errors.E208.format(path=source, layouts=UNDERSTOOD))
    header_start, header_end = _trim(view, 0, regions[keep[0]] if keep else len(view))
    header = (header_start, header_end) if header_end > header_start else None
    notes = list(notes)
    if fuzzy:
        notes.append(f"{fuzzy} label(s) read as a misspelling of a speaker's label")
    if empty:
        notes.append(f"{empty} speaker label(s) with no text after them skipped")
    header_words = len(view[header[0]:header[1]].split()) if header else 0
    turn_words = sum(len(view[t.start:t.end].split()) for t in turns)
    if header_words > turn_words:
        notes.append(f"the header before the first turn holds {header_words} words, more than the "
                     f"turns ({turn_words}): check that the layout was read right (--explain)")
    lined = sum(starts[i].kind != "inline" for i in keep)
    layout = layout_prefix + ("label-line" if lined > len(keep) / 2 else "inline")
    return finished(Transcript(text=text, turns=tuple(turns), header=header, footer=footer,
                               layout=layout, notes=tuple(notes), source=source,
                               interviewer=tuple(declared)))


def _header_end(view, lines, blank, starts, regions, meta_lines) -> int:
    """Where the header ends: the first turn, or after a block of ``Field: value`` lines at
    the top that runs past it (with a field such as ``Date:`` in it, or, in a file whose turns
    are paragraphs, a first paragraph of two or more short ``Label: value`` lines)."""
    first_line = starts[0].line
    last_meta = None
    for number, (start, end) in enumerate(lines):
        if blank[number]:
            continue
        if number >= first_line and (number > first_line + 30
                                     or len(view[start:end].split()) > SHORT_LINE_WORDS):
            break
        if number in meta_lines:
            last_meta = number
    if last_meta is None or last_meta < first_line:
        block = [c for c in starts if c.line < _paragraph_end(blank, first_line)]
        rest = starts[len(block):]
        if len(block) < 2 or not rest or sum(c.para for c in rest) < 0.9 * len(rest):
            return regions[0]
        last_meta = block[-1].line
    if not all(_field(view, lines, c) for c in starts if c.line <= last_meta):
        return regions[0]  # a real turn, not a field of the header
    later = [regions[i] for i, c in enumerate(starts) if c.line > last_meta]
    return later[0] if later else len(view)


#: Values of a short first line that make it a turn, not a field (``Interviewer: Hello``).
_SMALL_TALK = frozenset("hello hi hiya hey yes yeah yep no ok okay right thanks thank you mm hmm "
                        "sure great fine good morning afternoon evening".split())


def _field(view, lines, c: _Candidate) -> bool:
    """Whether the line of *c* reads as a field of a header (``Interviewer: Kate Jones``)."""
    value = view[c.body:lines[c.line][1]].strip()
    words = value.casefold().replace(",", " ").split()
    return (c.kind == "inline" and 0 < len(words) <= 5 and not value.endswith((".", "?", "!"))
            and not set(words) <= _SMALL_TALK)


def _paragraph_end(blank, number: int) -> int:
    while number < len(blank) and not blank[number]:
        number += 1
    return number


def _footer(view, lines, turn_line, stop) -> tuple[tuple[int, int] | None, int]:
    """The footer lines at the end of the last turn, and where the turn then stops."""
    number = len(lines) - 1
    while number > turn_line and lines[number][0] >= stop:
        number -= 1
    footer_start = None
    while number > turn_line:
        start, end = lines[number]
        if not view[start:end].strip():
            number -= 1
            continue
        if FOOTER.fullmatch(view, start, end):
            footer_start = start
            number -= 1
            continue
        break
    if footer_start is None:
        return None, stop
    span = _trim(view, footer_start, stop)
    return span, footer_start


def _parse_with_pattern(text: str, pattern: str, declared, source: str, notes) -> Transcript:
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error as error:
        raise ParameterError(Errors.E210.format(pattern=pattern, detail=error)) from None
    if "speaker" not in compiled.groupindex:
        raise ParameterError(Errors.E210.format(pattern=pattern, detail="no group 'speaker'"))
    matches = list(compiled.finditer(text))
    if not matches:
        raise DataError(Errors.E208.format(path=source, layouts=f"turns matching {pattern!r}"))
    turns = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        start, end = _trim(text, match.end(), stop)
        speaker = " ".join(match.group("speaker").split())
        turns.append(Turn(len(turns), speaker, start, end, is_interviewer(speaker, interviewer=declared)))
    header = _trim(text, 0, matches[0].start())
    return finished(Transcript(text=text, turns=tuple(turns),
                               header=header if header[1] > header[0] else None, layout="pattern",
                               notes=tuple(notes), source=source, interviewer=tuple(declared)))
