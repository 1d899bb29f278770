"""``thematic init``: a new data folder scaffolded from a folder of transcripts.

A folder of transcripts is all a researcher may have at first. :func:`scaffold_study` writes,
into a new folder (never over an existing one):

- ``raw/``: the transcripts, byte for byte;
- ``interviews.csv``: one row per transcript, ids from the file names (a trailing wave or
  time marker such as ``_W2``, ``-wave2`` or `` T2`` gives the wave), the interviewer and all
  speakers found, and blank ``date`` and ``duration_min`` to fill in;
- ``participants.csv``: one row per participant with blank ``group`` and ``role``;
- ``known-names.yaml``: the capitalised names the de-identifier flags in the transcripts,
  with how often, for the researcher to prune and complete before ``thematic deidentify``;
- ``study.yaml``: the settings template (groups, order, scopes), commented;
- ``params.yaml``: report parameters pointing at the new folder.

The names in ``known-names.yaml`` come from the raw transcripts: the file stays in the data
folder, beside ``raw/``, and nothing of it reaches a report.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from thematic import folders, io
from thematic import study as layout
from thematic.errors import DataError, Errors, OutputError
from thematic.study import SAFE_ID

#: File types ``thematic init`` takes as transcripts.
TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt", ".srt")
#: A wave or time marker at the end of a file name, after a separator or a digit: "P01_W2",
#: "p01-wave2", "P01 T2", "P01 time 2", "P01W2" (but not the "w-3" of "interview-3").
WAVE_SUFFIX = re.compile(r"^(?P<participant>.+?)(?:[\s_-]+|(?<=\d))(?:w|wave|t|time|visit|v)[\s_-]*(?P<wave>\d{1,2})$",
                         re.IGNORECASE)
#: Identifier types whose surfaces are worth listing as known names.
NAME_TYPES = ("PERSON", "PLACE", "ORG")

STUDY_TEMPLATE = """\
# Settings of this study (see docs/your-study.md). Everything is optional.
# synthetic: false             # true for simulated data: every report page then says so
# grouping: group              # the participants.csv column that holds the stakeholder group
# groups:                      # display order; label and plural are how the report names them
#   - {id: parent, label: Mother, plural: parents, scope: parents}
#   - {id: clinician, label: Clinician, plural: clinicians, scope: professionals}
# A group's scope says which codebook themes apply to its transcripts (themes without a scope
# apply to every group).
"""


@dataclass
class ScaffoldReport:
    """What :func:`scaffold_study` wrote and what the researcher should do next."""

    folder: Path
    interviews: pd.DataFrame
    names_found: int = 0
    unreadable: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"{self.folder}: {len(self.interviews)} transcript(s) of "
                 f"{self.interviews['participant_id'].nunique()} participant(s)"]
        for row in self.interviews.itertuples(index=False):
            lines.append(f"  {row.interview_id:<24} wave {row.wave}  {row.turns:>4} turns  "
                         f"speakers: {row.speakers or '(none found)'}  interviewer: {row.interviewer or '?'}")
        lines.append(f"known-names.yaml: {self.names_found} name(s) the de-identifier flags, to review")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s) to fix first:")
            lines += [f"  - {p}" for p in self.problems]
        else:
            lines.append("validate: OK")
        lines += ["Next:",
                  f"  1. fill 'group' and 'role' in {self.folder / 'participants.csv'}, and dates and durations "
                  f"in interviews.csv if you have them; name your groups in study.yaml",
                  f"  2. check the interviewer column of interviews.csv and prune {self.folder / 'known-names.yaml'}",
                  f"  3. thematic deidentify {self.folder}   (then review deidentification/review.csv)",
                  f"  4. thematic validate {self.folder}",
                  f"  5. thematic report --params {self.folder / 'params.yaml'}"]
        return "\n".join(lines)


def interview_ids(names: list[str]) -> dict[str, str]:
    """A safe, unique interview id for each file name (its stem, cleaned; clashes numbered)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip(".-_") or "interview"
        stem = stem if SAFE_ID.fullmatch(stem) else f"i-{stem}"[:100]
        candidate, number = stem, 2
        while candidate.lower() in taken:
            candidate, number = f"{stem}-{number}", number + 1
        taken.add(candidate.lower())
        ids[name] = candidate
    return ids


def participant_and_wave(interview_id: str) -> tuple[str, int]:
    """``("P01", 2)`` for ``P01_W2``; the interview id itself and wave 1 when there is no marker."""
    match = WAVE_SUFFIX.match(interview_id)
    if match and match.group("participant").strip("._-"):
        return match.group("participant").strip("._-"), int(match.group("wave"))
    return interview_id, 1


def scaffold_study(transcripts_dir: str | os.PathLike, output_dir: str | os.PathLike, *,
                   model: str = "en_core_web_sm", find_names: bool = True) -> ScaffoldReport:
    """Write a new data folder for the transcripts in *transcripts_dir* (see the module docstring).

    Raises
    ------
    DataError
        If *transcripts_dir* holds no transcript.
    OutputError
        If *output_dir* exists and is not empty (nothing is overwritten), or is a protected place.
    """
    from thematic.dataset import load_dataset
    from thematic.study import Study
    from thematic.transcripts import check_transcripts

    source = io.resolve(transcripts_dir)
    if not source.is_dir():
        raise DataError(Errors.E001.format(path=source, hint="Give the folder that holds your transcripts."))
    files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in TRANSCRIPT_SUFFIXES)
    if not files:
        raise DataError(Errors.E111.format(path=source, suffixes=", ".join(TRANSCRIPT_SUFFIXES)))
    target = Path(output_dir).expanduser()
    if target.exists() and (target.is_symlink() or not target.is_dir() or any(target.iterdir())):
        raise OutputError(Errors.E805.format(path=target))
    ids = interview_ids([p.name for p in files])
    rows, texts, unreadable = [], {}, []
    for path in files:
        interview_id = ids[path.name]
        participant, wave = participant_and_wave(interview_id)
        speakers, interviewer, turns = _speakers(path, texts, interview_id, unreadable)
        rows.append({"interview_id": interview_id, "participant_id": participant, "wave": wave, "date": "",
                     "duration_min": "", "transcript": f"{layout.RAW}/{path.name}", "interviewer": interviewer,
                     "speakers": speakers, "turns": turns})
    interviews = pd.DataFrame(rows)
    participants = pd.DataFrame({"participant_id": list(dict.fromkeys(interviews["participant_id"])),
                                 "group": "", "role": ""})
    names = _known_names(texts, model=model) if find_names and texts else []
    with folders.owned_output(target, kind="data folder") as staging:
        raw = staging.path / layout.RAW
        raw.mkdir()
        for path in files:
            (raw / path.name).write_bytes(path.read_bytes())
        io.write_csv(staging.path / layout.INTERVIEWS, interviews.drop(columns="turns"))
        io.write_csv(staging.path / layout.PARTICIPANTS, participants)
        io.write_text(staging.path / layout.KNOWN_NAMES_FILES[0], _known_names_yaml(names))
        io.write_text(staging.path / layout.SETTINGS, STUDY_TEMPLATE)
        io.write_text(staging.path / "params.yaml",
                      f"# Report parameters for this study: thematic report --params {target.resolve() / 'params.yaml'}\n"
                      + yaml.safe_dump({"title": f"Thematic analysis: {target.name}",
                                        "data_dir": str(target.resolve())}, sort_keys=False))
    study = Study(target)
    problems = []
    try:
        load_dataset(study, require_deidentified=False)
    except DataError as error:
        problems += error.problems
    problems += [p for p in check_transcripts(study) if p not in problems]
    return ScaffoldReport(folder=study.root, interviews=interviews, names_found=len(names),
                          unreadable=unreadable, problems=problems)


def _speakers(path: Path, texts: dict[str, str], interview_id: str,
              unreadable: list[str]) -> tuple[str, str, int]:
    """Speakers (``;``-joined), the interviewer label(s) and the turn count of one transcript."""
    from thematic.transcripts import read_transcript

    try:
        transcript = read_transcript(path)
    except DataError:
        unreadable.append(path.name)
        return "", "", 0
    texts[interview_id] = transcript.canonical_text()  # what the de-identifier will read
    speakers = [s.label for s in transcript.speakers]
    interviewer = [s.label for s in transcript.speakers if s.is_interviewer]
    return ";".join(speakers), ";".join(interviewer), len(transcript.turns)


def _known_names(texts: dict[str, str], *, model: str) -> list[dict]:
    """Capitalised person, place and organisation names the de-identifier finds, most frequent
    first: one entry a name, of the type it was found as most often (a person on a tie)."""
    from thematic.deidentify import find_identifiers_batch

    ids = list(texts)
    found = find_identifiers_batch([texts[i] for i in ids], interview_ids=ids, model=model)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[str, set[str]] = defaultdict(set)
    for interview_id, identifiers in zip(ids, found, strict=True):
        for identifier in identifiers:
            surface = " ".join(texts[interview_id][identifier.start:identifier.end].split())
            if identifier.type in NAME_TYPES and surface[:1].isupper() and len(surface) > 1:
                types[surface][identifier.type] += 1
                where[surface].add(interview_id)
    entries = [{"surface": surface, "count": sum(kinds.values()), "interviews": len(where[surface]),
                "type": min(kinds, key=lambda kind: (-kinds[kind], NAME_TYPES.index(kind)))}
               for surface, kinds in types.items()]
    return sorted(entries, key=lambda entry: (-entry["count"], entry["surface"]))


def _known_names_yaml(names: list[dict]) -> str:
    from thematic.deidentify import PLACEHOLDERS

    head = ("# Names the de-identifier flagged in raw/ (thematic init). Review them before running\n"
            "# 'thematic deidentify': delete what is not an identifier, add names it missed, and give\n"
            "# each a placeholder that keeps its role, e.g. '[health visitor]' or '[town]'.\n"
            "# This file holds names from the raw transcripts: keep it with raw/, out of reports.\n")
    if not names:
        return head + "names: []\n"
    lines = [head + "names:"]
    for entry in names:
        lines.append(f"  - surface: {json.dumps(entry['surface'], ensure_ascii=False)}"
                     f"   # {entry['count']} time(s) in {entry['interviews']} transcript(s)")
        lines.append(f"    type: {entry['type']}")
        lines.append(f"    placeholder: '{PLACEHOLDERS[entry['type']]}'")
    return "\n".join(lines) + "\n"
