"""Identifier types, placeholders and the spans detectors return."""

from __future__ import annotations

from dataclasses import dataclass

#: Identifier types and the placeholder used when no known name gives a role.
PLACEHOLDERS = {
    "PERSON": "[person]",
    "ORG": "[organisation]",
    "PLACE": "[place]",
    "PHONE": "[phone number]",
    "EMAIL": "[email address]",
    "POSTCODE": "[postcode]",
    "NHS_NUMBER": "[NHS number]",
    "DATE_OF_BIRTH": "[date of birth]",
    "AGE": "[age]",
    "DATE": "[date]",
}
IDENTIFIER_TYPES = tuple(PLACEHOLDERS)

#: Which detector wins when two findings overlap (lower first); the merged span takes its type.
DETECTOR_PRIORITY = {
    "review": -1, "known_names": 0, "email": 1, "spoken_email": 1, "uk_phone": 2, "spoken_number": 2,
    "spoken_postcode": 4, "spelled": 9, "initials": 9, "nhs_number": 3, "uk_postcode": 4,
    "date_of_birth": 5, "date": 6, "age": 7, "org_suffix": 8, "place_pattern": 9, "form_field": 9, "spacy_ner": 10,
    "place_gazetteer": 10, "speech_names": 11, "name_lexicon": 11, "repeated_name": 12,
}

@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: where, what, by which detector, and its placeholder.

    The original text is deliberately not kept: audit logs built from these spans can be
    shared without disclosing what was removed.
    """

    start: int
    end: int
    type: str
    detector: str
    score: float
    placeholder: str = ""

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type, "detector": self.detector,
                "score": round(self.score, 3), "placeholder": self.placeholder}

@dataclass(frozen=True)
class _Finding(Identifier):
    """A detector's candidate before merging: an :class:`Identifier` plus the known entity it
    matched. Only :func:`assign_placeholders` turns it into a plain Identifier."""

    entity: str = ""


