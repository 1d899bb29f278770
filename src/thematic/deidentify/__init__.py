"""Find identifiers in interview text and replace them with bracketed role placeholders.

Detection is Presidio's analyzer running on our spaCy pipeline (:mod:`thematic.nlp`), with
recognizers made for UK interview transcripts. The package's rooms:

- :mod:`~thematic.deidentify.model`: identifier types, placeholders, :class:`Identifier`;
- :mod:`~thematic.deidentify.known_names`: the researcher's known-names file;
- :mod:`~thematic.deidentify.patterns`: e-mail, UK phone, postcode, NHS number, dates, ages,
  organisations by their endings, streets and places;
- :mod:`~thematic.deidentify.names`: known names in context, names the NER misses, second
  thoughts on the NER's entities;
- :mod:`~thematic.deidentify.words`: word lists, and the allow-list of look-alikes, which is
  data (``allow.yaml`` beside this file, extended by a study's own list);
- :mod:`~thematic.deidentify.engine`: Presidio's analyzer with these recognizers;
- :mod:`~thematic.deidentify.resolve`: trimming, the allow-list, merging, placeholders.

This package is pure: text and known names in, spans out. Reading and writing data folders is
in :mod:`thematic.review`.
"""

from thematic.deidentify.engine import build_analyzer, find_identifiers, find_identifiers_batch
from thematic.deidentify.known_names import KnownName, KnownNames, load_known_names, parse_known_names
from thematic.deidentify.model import IDENTIFIER_TYPES, PLACEHOLDERS, Identifier, _Finding
from thematic.deidentify.resolve import apply_identifiers, assign_placeholders, resolve
from thematic.deidentify.words import COMMON_WORD_NAMES, DEFAULT_ALLOW, load_allow_list, parse_allow_list

__all__ = [
    "COMMON_WORD_NAMES", "DEFAULT_ALLOW", "IDENTIFIER_TYPES", "PLACEHOLDERS", "Identifier", "KnownName",
    "KnownNames", "_Finding", "apply_identifiers", "assign_placeholders", "build_analyzer", "find_identifiers",
    "find_identifiers_batch", "load_allow_list", "load_known_names", "parse_allow_list", "parse_known_names",
    "resolve",
]
