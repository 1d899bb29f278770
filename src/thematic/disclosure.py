"""What text may be published: every text a person wrote passes the de-identifier or an
explicit identifier check before it reaches a report or an export.

``thematic deidentify`` de-identifies the transcripts. Other text reaches reports and exports
by other doors; each is decided here (``docs/deidentification.md``, "Other doors"):

- **masked by the de-identifier** (:meth:`Screen.mask`: the study's known names, the pattern
  recognizers and the NER, placeholders as in transcripts): familiarisation memos, coding
  memos and adjudication reasons (with the known names of their interview), member-check
  comments and the codebook's descriptions, definitions, inclusion and exclusion notes and
  examples (with every known name of the study). These are prose about participants, often
  quoting them, so they get the treatment transcripts get;
- **explicit identifier check** (:meth:`Screen.check`: known names and identifier patterns,
  no NER): short labels whose words are the study's own vocabulary (theme names, code labels,
  the codebook's title) and who decided an adjudication (the research team, not participants);
  the codebook's theme names and code labels are also the vocabulary the de-identifier leaves
  alone in memos that quote them;
- **withheld**: the member-check reviewer's name (a participant: shown as ``reviewer 1``...,
  :func:`pseudonyms`), the file names a researcher chose (recorded by interview id or by a
  hash, :func:`file_label`), participants.csv's case attributes (never in the report; exported
  only when named).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pandas as pd

from thematic.codebook import Codebook
from thematic.deidentify import PLACEHOLDERS, KnownNames, apply_identifiers, find_identifiers_batch

#: Characters of the SHA-256 of a file name kept when the name itself is withheld.
NAME_HASH_LENGTH = 12


class Screen:
    """Masks text a person wrote before it is published (see the module docstring).

    Parameters
    ----------
    known_names
        The study's known names and allowed terms (:func:`thematic.deidentify.load_known_names`).
    model
        spaCy pipeline of the de-identifier.
    vocabulary
        Terms of the study's own that are not identifiers (theme names, code labels): the
        de-identifier leaves them alone, so a coding memo quoting a code keeps it.

    Masked texts are remembered, so a text is de-identified once per screen.
    """

    def __init__(self, known_names: KnownNames | None = None, *, model: str = "en_core_web_sm",
                 vocabulary: Iterable[str] = ()):
        known = known_names or KnownNames()
        terms = frozenset(" ".join(str(v).lower().split()) for v in vocabulary if str(v).strip())
        self.known_names = replace(known, allow=known.allow | terms)
        #: Every name of the study, whichever interview it belongs to: for text tied to none.
        self.every_name = replace(self.known_names, names=tuple(replace(n, interviews=())
                                                                for n in self.known_names.names))
        self.model = model
        self._vocabulary = _phrases(terms)
        self._masked: dict[tuple[str, str | None], str] = {}
        self._placeholders = {surface: entry.placeholder for entry in self.every_name.names
                              for surface in entry.surfaces if not entry.is_ambiguous(surface)}

    @classmethod
    def for_study(cls, study, *, model: str = "en_core_web_sm", codebook: Codebook | None = None,
                  vocabulary: Iterable[str] = ()) -> Screen:
        """The screen of a :class:`thematic.study.Study`: its known-names file, and as vocabulary
        its codebook's theme names and code labels and any other *vocabulary* (the study's
        attribution labels and group names: "Referrer 5" in a memo is the study's pseudonym)."""
        terms = [*vocabulary]
        if codebook is not None:
            terms += [codebook.title, *(t.name for t in codebook.themes),
                      *(c.label for t in codebook.themes for c in t.codes)]
        return cls(study.read_known_names(), model=model, vocabulary=terms)

    def mask(self, text: str, *, interview_id: str | None = None) -> str:
        """*text* de-identified: with the known names of *interview_id*, or every known name."""
        return self.mask_all([text], interview_ids=[interview_id])[0]

    def mask_all(self, texts: Sequence[str], *, interview_ids: Sequence[str | None] | None = None) -> list[str]:
        """Each text de-identified (one spaCy pass over the texts not masked before)."""
        texts = ["" if t is None else str(t) for t in texts]
        ids = list(interview_ids) if interview_ids is not None else [None] * len(texts)
        todo = list(dict.fromkeys((t, i) for t, i in zip(texts, ids, strict=True)
                                  if t.strip() and (t, i) not in self._masked))
        for tied in (True, False):
            part = [(t, i) for t, i in todo if (i is not None) == tied]
            if not part:
                continue
            known = self.known_names if tied else self.every_name
            found = find_identifiers_batch([t for t, _ in part], known_names=known,
                                           interview_ids=[i for _, i in part], model=self.model)
            for (text, interview_id), identifiers in zip(part, found, strict=True):
                kept = self._outside_vocabulary(text, identifiers)
                self._masked[(text, interview_id)] = apply_identifiers(text, kept)
        return [self._masked.get((t, i), t) for t, i in zip(texts, ids, strict=True)]

    def _outside_vocabulary(self, text: str, identifiers: list) -> list:
        """Drop what the NER and name rules found inside the study's own vocabulary ("'Joint
        visits and care planning'" quoted in a memo); known names and patterns always stay."""
        if self._vocabulary is None:
            return identifiers
        spans = [m.span() for m in self._vocabulary.finditer(text)]
        kept = [i for i in identifiers if i.detector not in GUESSING_DETECTORS
                or not any(s <= i.start and i.end <= e for s, e in spans)]
        return _renumbered(kept) if len(kept) < len(identifiers) else identifiers

    def check(self, text: str) -> str:
        """*text* with what the explicit identifier check finds (known names outside brackets,
        e-mail addresses, phone, NHS and postcode patterns) replaced by placeholders; no NER."""
        from thematic.quotes import identifiers_left

        if not text:
            return text
        hits = identifiers_left(text, known_names=self._placeholders)
        out, position = [], 0
        for hit in hits:
            if hit["start"] < position:
                continue
            surface = text[hit["start"]:hit["end"]]
            out += [text[position:hit["start"]], self._placeholders.get(surface) or PLACEHOLDERS.get(hit["type"], "[redacted]")]
            position = hit["end"]
        return "".join(out) + text[position:]

    def codebook(self, codebook: Codebook) -> Codebook:
        """*codebook* with its prose masked and its names and labels checked."""
        prose: list[str] = [codebook.description]
        for theme in codebook.themes:
            prose.append(theme.description)
            for code in theme.codes:
                prose += [code.definition, code.include, code.exclude, *code.examples]
        masked = iter(self.mask_all(prose))
        description = next(masked)
        themes = []
        for theme in codebook.themes:
            theme_description = next(masked)
            codes = [code.model_copy(update={
                "label": self.check(code.label), "definition": next(masked), "include": next(masked),
                "exclude": next(masked), "examples": tuple(next(masked) for _ in code.examples)})
                for code in theme.codes]
            themes.append(theme.model_copy(update={"name": self.check(theme.name),
                                                   "description": theme_description, "codes": tuple(codes)}))
        return codebook.model_copy(update={"title": self.check(codebook.title), "description": description,
                                           "themes": tuple(themes)})

    def codings(self, codings: pd.DataFrame) -> pd.DataFrame:
        """*codings* with each memo masked with the known names of its interview."""
        if "memo" not in codings.columns or codings.empty:
            return codings
        out = codings.copy()
        out["memo"] = self.mask_all(list(out["memo"]), interview_ids=list(out["interview_id"]))
        return out


#: Detectors that guess from context (NER, name lists); vocabulary overrules them, not known
#: names or structured patterns.
GUESSING_DETECTORS = frozenset(["spacy_ner", "name_lexicon", "repeated_name", "place_pattern", "org_suffix"])


def _renumbered(identifiers: list) -> list:
    """People numbered again by first mention once some findings were dropped ([person 2] -> [person 1])."""
    numbers: dict[str, str] = {}
    out = []
    for identifier in sorted(identifiers, key=lambda i: i.start):
        if re.fullmatch(r"\[person \d+\]", identifier.placeholder):
            numbers.setdefault(identifier.placeholder, f"[person {len(numbers) + 1}]")
            identifier = replace(identifier, placeholder=numbers[identifier.placeholder])
        out.append(identifier)
    return out


def _phrases(terms: Iterable[str]) -> re.Pattern | None:
    """One case-insensitive pattern of the phrases, as whole words (quotes around them allowed)."""
    terms = sorted({t for t in terms if len(t) > 2}, key=len, reverse=True)
    if not terms:
        return None
    alternation = "|".join(r"\s+".join(map(re.escape, term.split())) for term in terms)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def pseudonyms(values: Sequence[str], *, role: str) -> list[str]:
    """Names withheld: each distinct non-empty value becomes ``"<role> <n>"``, numbered by
    first appearance (``reviewer 1``, ``reviewer 2``); blanks stay blank."""
    numbers: dict[str, int] = {}
    out = []
    for value in values:
        key = " ".join(str(value or "").split()).lower()
        if not key:
            out.append("")
            continue
        numbers.setdefault(key, len(numbers) + 1)
        out.append(f"{role} {numbers[key]}")
    return out


def ids_naming_someone(ids: Iterable[str], known_names: KnownNames) -> list[str]:
    """The ids (interview or participant ids, shown in every table of a report) that hold a known
    name as whole words, in any case: ``jane-smith-w1`` when "Jane Smith" is a known name."""
    surfaces = {tuple(re.findall(r"[^\W_]+", surface.lower())) for entry in known_names.names
                for surface in entry.surfaces if not entry.is_ambiguous(surface)}
    surfaces = {s for s in surfaces if s and sum(map(len, s)) > 2}
    flagged = []
    for value in ids:
        words = re.findall(r"[^\W_]+", str(value).lower())
        if any(tuple(words[i:i + len(s)]) == s for s in surfaces for i in range(len(words) - len(s) + 1)):
            flagged.append(value)
    return flagged


def name_hash(name: str) -> str:
    """The first hex digits of the SHA-256 of a file name: names it without showing it."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:NAME_HASH_LENGTH]


def file_label(relative: str, *, interviews: dict[str, str] | None = None,
               safe: Iterable[str] = ()) -> str:
    """How a file of a data folder is named in a report: never by a name a person chose.

    *relative* is the file's path in the folder (``/``-separated). A path made only of
    thematic's own names and the study's ids (*safe*) is kept (``memos/PAR02-W1.md``); a
    transcript that ``interviews.csv`` names (*interviews*: path -> interview id) is named by
    its interview id (``raw/PAR03-W1.txt``, whatever the file is called; ``transcripts/...``
    when it lies outside ``raw/``); any other file by a hash of its path
    (``raw/unnamed-1f2e3d4c5b6a.txt``), so that it is still recorded.
    """
    relative = relative.replace(os.sep, "/")
    if relative in set(safe):
        return relative
    top, _, rest = relative.partition("/")
    suffix = re.sub(r"[^A-Za-z0-9.]", "", os.path.splitext(relative)[1])[:10]
    interview = (interviews or {}).get(relative)
    if interview:
        return f"{'raw' if top == 'raw' and rest else 'transcripts'}/{interview}{suffix}"
    folder = top if rest and top in KNOWN_FOLDERS else "other"
    return f"{folder}/unnamed-{name_hash(relative)}{suffix}"


#: The data folder's own sub-folders (thematic.study names them): kept in a hashed file's label.
KNOWN_FOLDERS = frozenset(["raw", "deidentified", "memos", "codings", "deidentification", "member-check",
                           "review", "source"])
