"""What a speaker label and a timestamp look like at the start of a transcript line.

A line may start a turn when it reads, in this order: an optional timestamp, a label of one to
six words (``Interviewer``, ``interviewee 1``, ``P3``, ``Sara Smith``, ``Smith, Sara``,
``Participant (P3)``; optionally in ``**bold**`` or ``[brackets]``), an optional timestamp,
then a colon or a tab and the spoken text (*inline*), or nothing more on the line (*label
line*: the text follows on the next lines). Whether such a line really starts a turn is decided
for the whole file by :mod:`thematic.transcripts.layouts`.

Labels are compared by :func:`label_key` (case, spacing and ``Interviewee 1`` /
``Interviewee1`` / ``interviewee-01`` do not matter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

_CLOCK = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?(?:\s?[AaPp]\.?[Mm]\.?(?![A-Za-z]))?"
_RANGE = rf"{_CLOCK}(?:\s*(?:-->|->|-|\u2013)\s*{_CLOCK})?"
#: A timestamp: ``00:01:23``, ``0:13``, ``1:02:03.456``, ``10:15 am``, in ``[...]`` or ``(...)``
#: or bare, optionally a range ``[00:01:23 - 00:01:30]``.
TIMESTAMP = rf"(?:\[\s*{_RANGE}\s*\]|\(\s*{_RANGE}\s*\)|{_RANGE})"
TIMESTAMP_RE = re.compile(TIMESTAMP)
#: A line holding nothing but a timestamp.
TIMESTAMP_LINE = re.compile(rf"[ \t]*{TIMESTAMP}[ \t]*$")

_WORD = r"[^\W\d_][\w'\u2019.\-]*"
_NUMBER = r"\d{1,3}[A-Za-z]?"
_PAREN = r"\([\w'\u2019.\- ]{1,24}\)"
#: One to six words; later words may be numbers or a parenthesis (``Interviewer 2``, ``P (3)``).
LABEL = rf"{_WORD}(?:,?[ ](?:{_WORD}|{_NUMBER})|[ ]?{_PAREN}){{0,5}}"
MAX_LABEL_CHARS = 40

#: The start of a line that may start a turn (match with ``LINE.match(text, pos, endpos)``).
LINE = re.compile(rf"""
    [ \t]*(?:>>[ \t]*)?
    (?:(?P<ts1>{TIMESTAMP})[ \t]*(?:[-\u2013|][ \t]*)?)?
    (?P<open>\*\*|\[)?
    (?P<label>{LABEL})
    (?P<close>\*\*|\])?
    (?:[ \t]*(?:[-\u2013|][ \t]*)?(?P<ts2>{TIMESTAMP}))?
    (?:
        (?P<sep>[ ]*[:\uff1a](?!//)(?!\d)|[ ]*\t)(?:\*\*)?[ \t]*   # a colon (or a full-width one) or a tab: inline text
      | [ ]+(?P<dash>[-\u2013\u2014])[ ]+(?=\S)             # a spaced dash: inline text, roles only
      | (?(close)[ ]+(?P<bracketed>(?=[^\s\[(])))            # "[Interviewer] text": roles only
      | [ \t]*$                                            # nothing more: a label line
      | (?(ts2)[ \t]+(?=\S)|(?!))                           # label, timestamp, text
    )
""", re.VERBOSE)

# --- generic role labels ---------------------------------------------------------------------
#: Interview roles: never a person's name, kept as written in the canonical text, and a speaker
#: even when it speaks only once. A number or a single letter may follow (``Participant 3``,
#: ``Speaker B``, ``Interviewer1``); participant codes (``P3``, ``FG1``) count too.
ROLE_WORDS = frozenset("""
    interviewer interviewers interviewee interviewees participant respondent researcher
    facilitator co-facilitator cofacilitator moderator speaker subject informant interpreter
    translator observer notetaker note-taker questioner unknown unidentified int intvr intvwr iv
    ivr ie iee resp res mod fac
""".split())
#: Role phrases of several words.
ROLE_PHRASES = frozenset({
    "assistant moderator", "note taker", "unknown speaker", "unidentified speaker",
    "multiple speakers", "co facilitator", "male speaker", "female speaker", "all participants",
    "multiple voices", "several voices", "several speakers", "unclear speaker", "unknown voice",
})
#: Roles that are also ordinary words people open a sentence with (family, professions, one
#: letter: ``I:``, ``R:``, ``Q:``, ``A:``): generic too (kept as written), but a speaker only
#: when they recur in the file's label style.
WEAK_WORDS = frozenset("""
    mum mom mother dad father nan nana gran granny grandma grandmother grandad granddad grandpa
    grandfather grandparent son daughter sister brother aunt uncle husband wife baby partner
    parent carer caregiver child patient client clinician practitioner professional nurse doctor
    gp midwife teacher student pupil manager staff other audience group all everyone several
    voice man woman male female question answer yp me i r p q a
""".split()) | {"service user", "health visitor", "social worker", "young person", "staff member",
                "family member", "male voice", "female voice"}
#: Labels of the interviewer when no interviewer is declared (the first word of the label).
INTERVIEWER_WORDS = frozenset("""
    interviewer interviewers researcher facilitator co-facilitator cofacilitator moderator
    int intvr intvwr iv ivr i q question questioner me
""".split()) | {"assistant moderator", "co facilitator"}
#: Kept for callers of the old API: the default interviewer labels.
INTERVIEWER_LABELS = tuple(sorted(INTERVIEWER_WORDS))
#: A label the canonical text gives to an interviewer; always an interviewer.
CANONICAL_INTERVIEWER = re.compile(r"interviewer(?: ?\d+)?", re.IGNORECASE)

#: Words that make ``Word: value`` a line of metadata, never a speaker (``Date:``,
#: ``Interview date:``, ``Participant ID:``, ``Part 1:``).
METADATA_WORDS = frozenset("""
    date time location place venue setting duration length transcript transcription transcriber
    transcribed recording recorded audio file filename project study site id ref reference code
    pseudonym gender sex age occupation job organisation organization wave mode format language
    title topic keywords summary start end page version consent note notes nb ps comment
    comments attendees present absent ethnicity interview session part section chapter tape
    track http https www mailto email phone tel
""".split())
#: Single words that are not speakers even when followed by a colon at the start of a line.
NOT_LABELS = frozenset("""
    so well yes yeah yep no nope ok okay and but because then also like um umm erm er uh hmm mm
    right anyway basically actually example e.g i.e reason result results problem first second
    third finally firstly secondly lastly plus update edit quote warning important tip step
    option options advantages disadvantages pros cons definition meaning
""".split())
#: Words that make a multi-word label read like a sentence ("And I said:", "What she told me:").
SENTENCE_WORDS = frozenset("""
    the an and or but so if then that this these those is are was were be been being i i'm im
    i've you you're he she it it's we they me him her us them my your his its our their said
    says say saying asked asks told tell think thought know knew what when where why how which
    who whom to in on at for with from by about as not no yes just very really there here have
    has had do does did would could should might must of
""".split())


@lru_cache(maxsize=4096)
def label_key(label: str) -> str:
    """How a label is compared: case-folded, single-spaced, brackets and a final full stop
    dropped, no space or zeros between a word and its number (``Interviewee 01`` ->
    ``interviewee1``), ``Surname, First`` as ``first surname``."""
    key = " ".join(label.replace("\u2019", "'").casefold().split()).strip(" .:*[]")
    key = re.sub(r"(?<=[^\W\d_])[ \-_]*0*(?=\d)", "", key)
    surname = re.fullmatch(r"([^\W\d][\w'\-]*), ([^\W\d][\w'\-. ]*)", key)
    if surname:  # Teams writes "Smith, Sara"
        key = f"{surname.group(2)} {surname.group(1)}"
    return key


def _base(key: str) -> tuple[str, str | None]:
    """A key without its parenthesis, and the parenthesis' content (or None)."""
    match = re.fullmatch(r"(.*?) ?\(([^()]*)\)", key)
    return (match.group(1), match.group(2).strip()) if match else (key, None)


def _role(key: str) -> str | None:
    """The role word or phrase of *key*, without a number or a one-letter suffix, or None."""
    match = re.fullmatch(r"(.+?)(?:\d{1,3}| [a-z])?", key)
    stem = match.group(1) if match else key
    for candidate in (key, stem):
        if candidate in ROLE_WORDS or candidate in ROLE_PHRASES or candidate in WEAK_WORDS:
            return candidate
    return None


def is_code(key: str) -> bool:
    """A participant code: one to three letters and a number (``P3``, ``FG1``, ``HV02``)."""
    return re.fullmatch(r"[a-z]{1,3}\d{1,3}[a-z]?", key) is not None


@lru_cache(maxsize=4096)
def is_generic(label: str) -> bool:
    """Whether *label* is a role, not a name: roles (:data:`ROLE_WORDS`, :data:`ROLE_PHRASES`,
    :data:`WEAK_WORDS`) with an optional number or letter, and participant codes (``P3``).
    A parenthesis must itself be generic (``Participant (P3)`` is, ``Interviewer (Kate)`` is
    not)."""
    base, paren = _base(label_key(label))
    if paren is not None and not (is_code(label_key(paren)) or paren.isdigit() or _role(label_key(paren))):
        return False
    return is_code(base) or _role(base) is not None


@lru_cache(maxsize=4096)
def is_weak(label: str) -> bool:
    """A generic label that is also an ordinary word (``Mum``, ``I``, ``A``): it must recur."""
    base, _ = _base(label_key(label))
    return base in WEAK_WORDS


@lru_cache(maxsize=4096)
def is_interviewer_label(label: str) -> bool:
    """The default guess, used only when no interviewer is declared: the label's first word
    is an interviewer word (``Interviewer``, ``Interviewer 2``, ``INT``, ``I``, ``Q``,
    ``Researcher``, ``Facilitator``, ``Moderator (KJ)``)."""
    base, _ = _base(label_key(label))
    stem = re.sub(r"\d{1,3}$", "", base)
    if stem in INTERVIEWER_WORDS:
        return True
    words = base.split()
    return len(words) <= 2 and words[0] in {"interviewer", "researcher", "facilitator", "moderator",
                                            "co-facilitator"}


def is_interviewer(speaker: str, *, interviewer: Sequence[str] = (),
                   labels: Iterable[str] | None = None) -> bool:
    """Whether the speaker label *speaker* is an interviewer.

    With *interviewer* names declared, only those (case-insensitive) and the labels the
    canonical text gives interviewers (``Interviewer``, ``Interviewer 2``) are; without, the
    label heuristics of :func:`is_interviewer_label`. *labels*, if given, is an explicit list of
    interviewer labels (the old API).
    """
    if labels is not None:
        return speaker.strip().casefold() in {label.casefold() for label in labels}
    if interviewer:
        key = label_key(speaker)
        return key in {label_key(name) for name in interviewer} or \
            CANONICAL_INTERVIEWER.fullmatch(key) is not None
    return is_interviewer_label(speaker)


@lru_cache(maxsize=4096)
def is_metadata(label: str) -> bool:
    """A label naming a field of metadata (``Date``, ``Interview date``, ``Participant ID``)."""
    return any(word in METADATA_WORDS for word in re.findall(r"[^\W\d_]+", label_key(label)))


@lru_cache(maxsize=4096)
def can_be_speaker(label: str) -> bool:
    """Whether the shape of *label* allows it to be a speaker at all: not metadata, not a word
    that opens a sentence (``So:``, ``Note:``), not a phrase reading like a sentence."""
    key = label_key(label)
    if not key or len(label) > MAX_LABEL_CHARS or is_metadata(label):
        return False
    words = _base(key)[0].split()
    if len(words) == 1:
        word = words[0].rstrip(".")
        return is_generic(label) or (word not in NOT_LABELS and word not in SENTENCE_WORDS)
    if is_generic(label):
        return True
    return not any(word.strip(",") in SENTENCE_WORDS for word in words)


def clean_timestamp(stamp: str) -> str:
    """A timestamp without its brackets and outer spaces (``[00:01:23]`` -> ``00:01:23``)."""
    return stamp.strip().strip("[]()").strip()


def edit_distance(a: str, b: str, *, limit: int = 3) -> int:
    """Optimal string alignment distance (a transposition counts one), capped at *limit*."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)
