"""Synthetic studies of any size, recombined from the sample, for scaling benchmarks.

Each generated interview alternates interviewer and participant turns drawn (with a fixed seed)
from the sample's turns of the same stakeholder group, until it reaches a length drawn from the
sample's own transcript lengths. The sample's two coders' codings travel with the turns they
were made on, so coding density, agreement and theme spread stay like the sample's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from thematic import io
from thematic.dataset import Dataset, load_dataset
from thematic.segments import segment_turns


def generate_study(target: str | Path, *, n_interviews: int, source: Dataset | None = None,
                   seed: int = 0, length_scale: float = 1.0) -> dict:
    """Write a data folder of ``n_interviews`` interviews to *target*; return its size.

    Parameters
    ----------
    target
        Folder to create (must not exist).
    n_interviews
        Number of interviews (one participant each; groups in the sample's proportions).
    source
        Study to recombine (default: ``data-sample/``).
    seed
        Random seed; the same seed gives the same study.
    length_scale
        Multiplies the transcript lengths drawn from the source (1.0 keeps the source's).
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; generate_study writes a new folder.")
    source = source or load_dataset(io.project_root() / "data-sample")
    rng = np.random.default_rng(seed)
    segments = segment_turns(source)
    words_per_interview = segments.groupby("interview_id")["words"].sum().to_numpy()
    interviewer = segments[segments["is_interviewer"]]
    participant = segments[~segments["is_interviewer"]]
    codings = source.codings
    groups = source.participants["group"].to_numpy()
    roles = source.participants.set_index("group")["role"].groupby(level=0).first()

    participants, interviews, coding_rows = [], [], []
    (target / "raw").mkdir(parents=True)
    (target / "deidentified").mkdir()
    (target / "codings").mkdir()
    for number in range(1, n_interviews + 1):
        group = str(rng.choice(groups))
        participant_id, interview_id = f"S{number:05d}", f"S{number:05d}-W1"
        participants.append({"participant_id": participant_id, "group": group, "role": roles[group],
                             "label": f"{group} {number}"})
        interviews.append({"interview_id": interview_id, "participant_id": participant_id, "wave": 1,
                           "date": "2020-07-01", "duration_min": int(rng.integers(12, 81)),
                           "transcript": f"raw/{interview_id}.txt"})
        goal = float(rng.choice(words_per_interview)) * length_scale
        _, text, moved = _conversation(rng, interviewer, participant[participant["group"] == group],
                                       goal=goal, codings=codings, interview_id=interview_id)
        coding_rows += moved
        # The source text is already de-identified; it stands in for the raw one too.
        io.write_text(target / "raw" / f"{interview_id}.txt", text)
        io.write_text(target / "deidentified" / f"{interview_id}.txt", text)
    pd.DataFrame(participants).to_csv(target / "participants.csv", index=False)
    pd.DataFrame(interviews).to_csv(target / "interviews.csv", index=False)
    coded = pd.DataFrame(coding_rows, columns=["interview_id", "start", "end", "code", "coder", "memo"])
    for coder, rows in coded.groupby("coder"):
        rows.to_csv(target / "codings" / f"{coder}.csv", index=False)
    if (source.root / "codebook.yaml").exists():
        (target / "codebook.yaml").write_bytes((source.root / "codebook.yaml").read_bytes())
    return {"interviews": n_interviews, "words": int(sum(len(t.split()) for t in _texts(target))),
            "codings": len(coded)}


def _conversation(rng: np.random.Generator, interviewer: pd.DataFrame, pool: pd.DataFrame, *, goal: float,
                  codings: pd.DataFrame, interview_id: str, raw_text: dict[str, str] | None = None,
                  by_interview: dict[str, pd.DataFrame] | None = None) -> tuple[str, str, list[dict]]:
    """A transcript of questions drawn from *interviewer* and answers from *pool* (segments of
    the source study) until it holds *goal* words: its raw text (each turn's raw text where
    *raw_text* has it), its de-identified text and the source codings moved onto it
    (*by_interview*: the same codings split by interview, to find them faster)."""
    raw_parts, deid_parts, coding_rows, words, offset = [], [], [], 0, 0
    while words < goal:
        question = interviewer.iloc[int(rng.integers(len(interviewer)))]
        answer = pool.iloc[int(rng.integers(len(pool)))]
        for speaker, turn in (("Interviewer", question), ("Participant", answer)):
            prefix = f"{speaker}: "
            body_start = offset + len(prefix)
            deid_parts.append(prefix + turn["text"] + "\n\n")
            raw_parts.append(prefix + (raw_text or {}).get(turn["segment_id"], turn["text"]) + "\n\n")
            offset += len(deid_parts[-1])
            words += int(turn["words"])
            if speaker == "Participant":
                source = codings if by_interview is None else by_interview.get(turn["interview_id"], codings.iloc[:0])
                coding_rows += _moved_codings(source, turn, interview_id, body_start)
    return "".join(raw_parts), "".join(deid_parts), coding_rows


def _moved_codings(codings: pd.DataFrame, turn: pd.Series, interview_id: str, body_start: int) -> list[dict]:
    """The source codings overlapping *turn*, clipped to it and shifted to its new place."""
    mine = codings[(codings["interview_id"] == turn["interview_id"]) & (codings["start"] < turn["end"])
                   & (codings["end"] > turn["start"])]
    shift = body_start - int(turn["start"])
    return [{"interview_id": interview_id, "start": max(int(c.start), int(turn["start"])) + shift,
             "end": min(int(c.end), int(turn["end"])) + shift, "code": c.code, "coder": c.coder,
             "memo": ""} for c in mine.itertuples()]


def _texts(folder: Path):
    for path in sorted((folder / "deidentified").glob("*.txt")):
        yield path.read_text(encoding="utf-8")


#: Words a minute of conversational speech, for transcript lengths from stated durations.
WORDS_PER_MINUTE = 150
#: Note written into the real-size study's ``study.yaml`` (the report prints it).
REAL_SIZE_NOTE = (
    "A synthetic study of real size, generated by thematic.bench.synthetic.generate_real_size_study "
    "for speed benchmarks: the sample's participants, interviews, waves and durations, each transcript "
    "recombined from the sample's own synthetic turns of the same stakeholder group until it holds "
    "{wpm} words a minute of its stated duration. Nothing in it comes from a real interview, and "
    "its figures describe no real study.")


def generate_real_size_study(target: str | Path, *, source: Dataset | None = None, seed: int = 0,
                             words_per_minute: int = WORDS_PER_MINUTE) -> dict:
    """Write a synthetic study at the sample's design and at real length to *target*.

    The sample's transcripts are short for their stated durations (about 31,000 words for 25
    interviews averaging 33 minutes, where speech runs at about 150 words a minute). This study
    keeps the source's participants, interviews (ids, groups, waves, dates, durations), study
    settings, codebook and known names, and gives each interview ``duration_min *
    words_per_minute`` words (the source's own length where no duration is stated), drawn as
    question and answer pairs from the source's turns of the same group. ``raw/`` takes the raw
    text of each turn (identifiers and all, so the de-identification audit has real work) and
    ``deidentified/`` the de-identified text, with the source's two coders' codings moved onto
    it. ``study.yaml`` says the folder is synthetic.

    Parameters
    ----------
    target
        Folder to create (must not exist).
    source
        Study to recombine (default: ``data-sample/``); its ``raw/`` is read when present.
    seed
        Random seed; the same seed gives the same study.
    words_per_minute
        Transcript words per minute of stated duration.

    Returns
    -------
    dict
        ``interviews``, ``words`` (de-identified, whitespace-separated) and ``codings``.
    """
    target = Path(target)
    source, segments, raw_text, interviewer, participant = _recombined(target, source, "generate_real_size_study")
    rng = np.random.default_rng(seed)
    own_words = segments.groupby("interview_id")["words"].sum()

    (target / "raw").mkdir(parents=True)
    (target / "deidentified").mkdir()
    (target / "codings").mkdir()
    interviews = source.interviews[[c for c in ("interview_id", "participant_id", "wave", "date",
                                                 "duration_min") if c in source.interviews.columns]].copy()
    interviews["transcript"] = [f"raw/{i}.txt" for i in interviews["interview_id"]]
    groups = source.participants.set_index("participant_id")["group"]
    coding_rows, words_total = [], 0
    for row in interviews.itertuples(index=False):
        duration = getattr(row, "duration_min", None)
        goal = (float(duration) * words_per_minute if duration is not None and pd.notna(duration)
                else float(own_words.get(row.interview_id, 0)))
        raw, deidentified, moved = _conversation(
            rng, interviewer, participant[participant["group"] == groups[row.participant_id]], goal=goal,
            codings=source.codings, interview_id=row.interview_id, raw_text=raw_text)
        coding_rows += moved
        io.write_text(target / "raw" / f"{row.interview_id}.txt", raw)
        io.write_text(target / "deidentified" / f"{row.interview_id}.txt", deidentified)
        words_total += len(deidentified.split())
    (target / "participants.csv").write_bytes(source.study.participants_file.read_bytes())
    interviews.to_csv(target / "interviews.csv", index=False)
    coded = _write_codings_and_codebook(target, source, coding_rows)
    settings = io.read_yaml(source.root / "study.yaml") if (source.root / "study.yaml").exists() else {}
    settings = dict(settings or {})
    settings["title"] = f"{settings.get('title') or 'Sample study'} (real-size synthetic benchmark study)"
    settings["synthetic"] = True
    settings["synthetic_note"] = REAL_SIZE_NOTE.format(wpm=words_per_minute)
    io.write_text(target / "study.yaml", yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    io.write_text(target / "README.md", "# Real-size synthetic study (benchmark data)\n\n"
                  + REAL_SIZE_NOTE.format(wpm=words_per_minute) + "\n")
    return {"interviews": len(interviews), "words": words_total, "codings": len(coded)}



def _recombined(target: Path, source: Dataset | None, generator: str):
    """What a generator recombines: the source study (default ``data-sample/``), its turns,
    their raw text, and the interviewer's and the participants' turns apart. *target* must
    not exist yet."""
    if target.exists():
        raise FileExistsError(f"{target} exists; {generator} writes a new folder.")
    source = source or load_dataset(io.project_root() / "data-sample", require_deidentified=False)
    segments = segment_turns(source)
    return (source, segments, _raw_turns(source, segments), segments[segments["is_interviewer"]],
            segments[~segments["is_interviewer"]])


def _write_codings_and_codebook(target: Path, source: Dataset, coding_rows: list) -> pd.DataFrame:
    """Write one codings file per coder and copy the source's codebook and known names;
    return the codings."""
    coded = pd.DataFrame(coding_rows, columns=["interview_id", "start", "end", "code", "coder", "memo"])
    for coder, rows in coded.groupby("coder"):
        rows.to_csv(target / "codings" / f"{coder}.csv", index=False)
    for name in ("codebook.yaml", "known-names.yaml"):
        if (source.root / name).exists():
            (target / name).write_bytes((source.root / name).read_bytes())
    return coded


def _raw_turns(source: Dataset, segments: pd.DataFrame) -> dict[str, str]:
    """segment_id -> the turn's raw text, for the source's interviews whose raw transcript has
    the same turns as the de-identified one (the others keep their de-identified text)."""
    from thematic.transcripts import read_transcript

    raw_text: dict[str, str] = {}
    for row in source.interviews.itertuples(index=False):
        path = source.root / str(row.transcript)
        mine = segments[segments["interview_id"] == row.interview_id]
        if not path.is_file():
            continue
        transcript = read_transcript(path, interviewer=getattr(row, "interviewer", None))
        text = transcript.canonical_text()
        if len(transcript.turns) == len(mine):
            raw_text.update(zip(mine["segment_id"], (t.text(text) for t in transcript.turns), strict=True))
    return raw_text


#: Note written into a real-length study's ``study.yaml``.
REAL_LENGTH_NOTE = (
    "A synthetic study of {interviews} interviews of about {words} words each, generated by "
    "thematic.bench.synthetic.generate_real_length_study for scaling benchmarks: participants drawn in the "
    "sample's group proportions (some interviewed in two waves), each transcript recombined from the sample's "
    "own synthetic turns of the same stakeholder group, with the sample's two coders' codings moved with "
    "the turns. Nothing in it comes from a real interview, and its figures describe no real study.")


def generate_real_length_study(target: str | Path, *, n_interviews: int, words_per_interview: int = 5000,
                               second_wave_share: float = 0.25, source: Dataset | None = None,
                               seed: int = 0) -> dict:
    """Write a synthetic study of *n_interviews* real-length interviews to *target*.

    Every phase of a report has work on it: raw transcripts with their identifiers (the
    de-identification audit), de-identified ones, two coders' codings, the source's codebook
    (themes, codes, scopes), study settings with its groups, known names, and a second wave for
    part of the participants (wave change). ``study.yaml`` and ``README.md`` say it is synthetic.

    Parameters
    ----------
    target
        Folder to create (must not exist).
    n_interviews
        Number of interviews (about ``second_wave_share`` of them are second waves).
    words_per_interview
        Words of each transcript (reached turn by turn, so slightly more).
    second_wave_share
        Share of the interviews that are a participant's second wave.
    source
        Study to recombine (default: ``data-sample/``); its ``raw/`` is read when present.
    seed
        Random seed; the same seed gives the same study.

    Returns
    -------
    dict
        ``interviews``, ``participants``, ``words`` (de-identified, whitespace-separated) and ``codings``.
    """
    target = Path(target)
    source, segments, raw_text, interviewer, participant = _recombined(target, source, "generate_real_length_study")
    rng = np.random.default_rng(seed)
    pools = {group: part for group, part in participant.groupby("group")}
    people = source.participants[source.participants["group"].isin(pools)]
    second = int(round(n_interviews * second_wave_share))
    n_people = max(n_interviews - second, 1)
    participants, interviews = [], []
    for number in range(1, n_people + 1):
        model = people.iloc[int(rng.integers(len(people)))]
        pid = f"S{number:05d}"
        participants.append({"participant_id": pid, "group": model["group"], "role": model["role"],
                             "label": f"{model['label'].rsplit(' ', 1)[0]} S{number}"})
    wave_two = set(rng.choice(n_people, size=min(second, n_people), replace=False).tolist()) if second else set()
    for index, person in enumerate(participants):
        for wave in (1, 2) if index in wave_two else (1,):
            interviews.append({"interview_id": f"{person['participant_id']}-W{wave}",
                               "participant_id": person["participant_id"], "wave": wave,
                               "date": f"202{wave - 1}-0{1 + index % 9}-{10 + index % 18}",
                               "duration_min": round(words_per_interview / WORDS_PER_MINUTE),
                               "transcript": f"raw/{person['participant_id']}-W{wave}.txt"})
    interviews = interviews[:n_interviews]
    groups = {p["participant_id"]: p["group"] for p in participants}
    (target / "raw").mkdir(parents=True)
    (target / "deidentified").mkdir()
    (target / "codings").mkdir()
    coding_rows, words_total = [], 0
    by_interview = {i: part for i, part in source.codings.groupby("interview_id")}
    for row in interviews:
        raw, deidentified, moved = _conversation(
            rng, interviewer, pools[groups[row["participant_id"]]], goal=words_per_interview,
            codings=source.codings, interview_id=row["interview_id"], raw_text=raw_text, by_interview=by_interview)
        coding_rows += moved
        io.write_text(target / "raw" / f"{row['interview_id']}.txt", raw)
        io.write_text(target / "deidentified" / f"{row['interview_id']}.txt", deidentified)
        words_total += len(deidentified.split())
    pd.DataFrame(participants).to_csv(target / "participants.csv", index=False)
    pd.DataFrame(interviews).to_csv(target / "interviews.csv", index=False)
    coded = _write_codings_and_codebook(target, source, coding_rows)
    note = REAL_LENGTH_NOTE.format(interviews=len(interviews), words=f"{words_per_interview:,}")
    settings = io.read_yaml(source.root / "study.yaml") if (source.root / "study.yaml").exists() else {}
    settings = dict(settings or {})
    settings["title"] = f"Synthetic study of {len(interviews)} real-length interviews (benchmark data)"
    settings["synthetic"] = True
    settings["synthetic_note"] = note
    io.write_text(target / "study.yaml", yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    io.write_text(target / "README.md", "# Real-length synthetic study (benchmark data)\n\n" + note + "\n")
    return {"interviews": len(interviews), "participants": len({r["participant_id"] for r in interviews}),
            "words": words_total, "codings": len(coded)}
