"""The raw transcripts of a data folder, checked for ``thematic validate`` and ``thematic init``."""

from __future__ import annotations

from thematic.errors import DataError, Errors


def check_transcripts(study, *, speaker_pattern: str | None = None) -> list[str]:
    """Problems with the raw transcripts of a :class:`thematic.study.Study`: unreadable files,
    files without speaker turns, files in ``raw/`` or ``deidentified/`` that no interview in
    interviews.csv refers to. Every problem names its file (and line where there is one);
    paths leading outside the folder, and missing files, are reported by ``load_dataset``."""
    from thematic.transcripts.layouts import parse_transcript
    from thematic.transcripts.read import read_transcript

    try:
        interviews = study.read_table(study.interviews_file, required=("interview_id", "transcript"))
    except DataError:
        return []  # reported by load_dataset
    problems = []
    referenced = set()
    for _, row in interviews.iterrows():
        if not row["transcript"]:
            continue
        try:
            path = study.inside(row["transcript"], what="transcript", source=study.interviews_file,
                                line=row["_line"])
        except DataError:
            continue  # reported by load_dataset
        referenced.add(path.resolve())
        if not path.is_file():
            continue  # reported by load_dataset
        try:
            transcript = read_transcript(path)
            if speaker_pattern:
                parse_transcript(transcript.text, speaker_pattern=speaker_pattern, source=str(path))
        except DataError as error:
            problems += error.problems
    known_ids = set(interviews["interview_id"])
    for path in sorted(study.raw_dir.glob("*")) if study.raw_dir.is_dir() else []:
        if path.is_file() and not path.name.startswith(".") and path.resolve() not in referenced:
            problems.append(Errors.E308.format(path=path, what="no row of interviews.csv names this transcript"))
    deidentified = study.deidentified_dir
    for path in sorted(deidentified.glob("*.txt")) if deidentified.is_dir() else []:
        if path.stem not in known_ids:
            problems.append(Errors.E308.format(
                path=path, what=f"'{path.stem}' is not an interview_id in interviews.csv"))
    return problems
