"""``thematic bench transcripts``: how fast and how right transcripts are read.

Speed: a generated transcript of about 2 MB and one of about 10 MB (0.5 and 2 MB with
``--quick``) are parsed with :func:`thematic.transcripts.parse_transcript`; the figures are
MB/s and the ratio of the large file's time to the small one's over their size ratio (1 means
linear time; the target allows 1.5). The generated text is synthetic: a fixed vocabulary,
turns of 5-400 words, a few ``Word: ...`` lines and times inside turns.

Accuracy: real text in layouts it was not developed on. Dialogues are made of the NHS
patient-feedback comments (the shared folder's ``datasets/nhs-patient-feedback``: written
feedback, another register than interviews, skipped where the folder is absent): question
prompts as the interviewer's turns, two to five comments as a participant's turn (a few lines
written ``Word: comment`` with the first word of another comment, as people write feedback),
two-person interviews and focus groups of three participants with names as labels. Each
dialogue is rendered in 16 layouts (inline, lowercase numbered, timestamped, Otter, Rev, bare
labels, tab-separated, .docx paragraphs, Teams .docx, .docx tables of 2 and 3 columns, Zoom and
Teams WebVTT, SubRip, UTF-16 and Windows-1252 CRLF) and read back with
:func:`thematic.transcripts.read_transcript`. Figures: the share of files whose turns (speaker
and text, spaces normalised) all come back exactly, and the share of the file's words found in
the header and turns.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from thematic.bench import BenchResult, register

#: Fictional names used as speaker labels in the rendered layouts.
FIRST = ["Ailsa", "Bram", "Corin", "Delphine", "Emrys", "Fenella", "Gideon", "Hesper", "Ivo",
         "Jessamy", "Kit", "Linnea", "Mabon", "Nerys", "Orrin", "Petra"]
LAST = ["Ashworth", "Bellamy", "Carrick", "Dunmore", "Elgood", "Fairlie", "Garside", "Hollins"]
PROMPTS = ["Could you tell me about that?", "What happened next?", "How did that feel for you?",
           "And what would have helped?", "Is there anything else you'd like to add?",
           "Can you give me an example?", "Who else was involved at that point?"]
_VOCABULARY = ("the a service team visit health baby mum nurse referral week because really "
               "think know felt support time group session call phone letter waiting list "
               "home family worker meeting help talk went said came back then after before").split()


def generate_long(n_bytes: int, *, seed: int = 0) -> str:
    """A synthetic transcript of about *n_bytes* characters (inline ``Interviewer:`` /
    ``Participant:`` turns, some multi-line, some with ``Word:`` lines and times inside)."""
    rng = random.Random(seed)
    parts, size, turn = [], 0, 0
    while size < n_bytes:
        speaker = "Interviewer" if turn % 2 == 0 else "Participant"
        lines = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            body = " ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(5, 130)))
            if rng.random() < 0.05:
                body = f"{rng.choice(['Note', 'Reason', 'Anyway'])}: {body} at 10:30"
            lines.append(body.capitalize() + ".")
        paragraph = f"{speaker}: " + "\n".join(lines)
        parts.append(paragraph)
        size += len(paragraph) + 2
        turn += 1
    return "\n\n".join(parts) + "\n"


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def _speed(result: BenchResult, quick: bool) -> None:
    from thematic.transcripts import parse_transcript

    small_size, large_size = (500_000, 2_000_000) if quick else (2_000_000, 10_000_000)
    small, large = generate_long(small_size, seed=1), generate_long(large_size, seed=2)
    parse_transcript(small[:20_000])  # warm up imports and compiled patterns
    small_s = min(_timed(lambda: parse_transcript(small)) for _ in range(2))
    large_s = _timed(lambda: parse_transcript(large))
    result.add(f"parse {len(small) / 1e6:.1f} MB", small_s, "s", at_most=10)
    result.add(f"parse {len(large) / 1e6:.1f} MB", large_s, "s", at_most=60)
    result.add("throughput (large)", len(large) / 1e6 / large_s, "MB/s")
    result.add("time ratio / size ratio (1 = linear)", (large_s / small_s) / (len(large) / len(small)),
               "x", at_most=1.5)
    result.notes.append(f"generated synthetic transcripts of {len(small):,} and {len(large):,} characters")


# --- rendering dialogues in the layouts services deliver ------------------------------------------

def dialogues(comments: list[str], *, count: int, seed: int = 0) -> list[list[tuple[str, bool, str]]]:
    """*count* dialogues of (speaker name, is interviewer, text) turns made of *comments*."""
    rng = random.Random(seed)
    cleaned = [" ".join(c.split()) for c in comments if len(c.split()) >= 3]
    openers = [c.split()[0].strip(",.;:!?").capitalize() for c in cleaned]
    out = []
    for number in range(count):
        names = [f"{first} {rng.choice(LAST)}" for first in rng.sample(FIRST, 4)]
        group = names[1:4] if number % 4 == 3 else names[1:2]
        turns = []
        for index in range(rng.randint(12, 40)):
            if index % 2 == 0:
                turns.append((names[0], True, rng.choice(PROMPTS)))
                continue
            lines = []
            for _ in range(rng.randint(1, 4)):
                line = " ".join(rng.choice(cleaned) for _ in range(rng.randint(1, 3)))
                if rng.random() < 0.08:
                    line = f"{rng.choice(openers)}: {line}"
                lines.append(line)
            turns.append((rng.choice(group), False, "\n".join(lines)))
        out.append(turns)
    return out


def _stamp(index: int, *, hours: bool = True) -> str:
    seconds = 7 * index + 3
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{m + 60 * h}:{s:02d}"


def _text_layouts(turns) -> dict[str, str]:
    """Plain-text renderings of one dialogue, by layout name."""
    first = turns[0][0]
    people = list(dict.fromkeys(name for name, _, _ in turns))
    role = {name: ("Interviewer" if name == first else
                   f"Interviewee {people.index(name)}" if len(people) > 2 else "Interviewee")
            for name in people}
    short = {name: ("I" if name == first else f"R{people.index(name)}") for name in people}
    joined = {
        "inline": "\n\n".join(f"{role[n]}: {t}" for n, _, t in turns),
        "inline-lower-numbered": "\n".join(f"{role[n].lower().replace('interviewer', 'interviewer 1')} : {t}"
                                           for n, _, t in turns),
        "inline-timestamped": "Interview 7 - focus on access\n\n" + "\n\n".join(
            f"[{_stamp(i)}] {n.split()[0].upper()}: {t}" for i, (n, _, t) in enumerate(turns)),
        "otter": (f"SUMMARY KEYWORDS\nservice, staff, waiting\n\nSPEAKERS\n{', '.join(people)}\n\n"
                  + "\n\n".join(f"{n}  {_stamp(i, hours=False)}\n{t}" for i, (n, _, t) in enumerate(turns))
                  + "\n\nTranscribed by https://otter.ai"),
        "rev": "\n\n".join(f"{n} ({_stamp(i)}):\n{t}" for i, (n, _, t) in enumerate(turns)),
        "bare-labels": "\n\n".join(f"{role[n]}\n{t}" for n, _, t in turns),
        "tab-separated": "\n".join(f"{short[n]}\t{t}" for n, _, t in turns),
    }
    return {name: text + "\n" for name, text in joined.items()}


def _write_docx(path: Path, turns, *, style: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Transcript of interview, March")
    if style == "paragraphs":
        for name, _, text in turns:
            document.add_paragraph(f"{name.split()[0]}: {text}")
    elif style == "teams":
        for index, (name, _, text) in enumerate(turns):
            first, last = name.split()
            document.add_paragraph(f"{last}, {first}   {_stamp(index, hours=False)}")
            document.add_paragraph(text)
    else:
        columns = 3 if style == "table3" else 2
        table = document.add_table(rows=1, cols=columns)
        titles = ["Time", "Speaker", "Text"][3 - columns:]
        for cell, title in zip(table.rows[0].cells, titles, strict=True):
            cell.text = title
        for index, (name, _, text) in enumerate(turns):
            cells = table.add_row().cells
            values = [_stamp(index), name, text][3 - columns:]
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
    document.save(path)


def _captions(turns, *, kind: str) -> str:
    blocks, number = [], 0
    for index, (name, _, text) in enumerate(turns):
        words = text.split()
        chunks = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
        for position, chunk in enumerate(chunks):
            number += 1
            start, end = 7 * index + position, 7 * index + position + 1
            if kind == "srt":
                label = f"{name.split()[0].upper()}: " if position == 0 else ""
                blocks.append(f"{number}\n00:{start // 60 % 60:02d}:{start % 60:02d},000 --> "
                              f"00:{end // 60 % 60:02d}:{end % 60:02d},500\n{label}{chunk}")
            else:
                timing = (f"00:{start // 60 % 60:02d}:{start % 60:02d}.000 --> "
                          f"00:{end // 60 % 60:02d}:{end % 60:02d}.500")
                cue = f"<v {name}>{chunk}</v>" if kind == "teams" else f"{name}: {chunk}"
                blocks.append(f"{number}\n{timing}\n{cue}")
    head = [] if kind == "srt" else ["WEBVTT"]
    return "\n\n".join(head + blocks) + "\n"


def render(turns, folder: Path) -> dict[str, Path]:
    """One dialogue written in every layout of the benchmark; layout name -> file."""
    files = {}
    for name, text in _text_layouts(turns).items():
        files[name] = folder / f"{name}.txt"
        files[name].write_text(text, encoding="utf-8")
    inline = _text_layouts(turns)["inline"]
    files["utf-16"] = folder / "utf-16.txt"
    files["utf-16"].write_bytes(inline.encode("utf-16"))
    files["cp1252-crlf"] = folder / "cp1252-crlf.txt"
    files["cp1252-crlf"].write_bytes(inline.replace("\n", "\r\n").encode("cp1252", errors="replace"))
    for style in ("paragraphs", "teams", "table2", "table3"):
        files[f"docx-{style}"] = folder / f"docx-{style}.docx"
        _write_docx(files[f"docx-{style}"], turns, style=style)
    for kind, suffix in (("zoom", "vtt"), ("teams", "vtt"), ("srt", "srt")):
        files[f"captions-{kind}"] = folder / f"captions-{kind}.{suffix}"
        files[f"captions-{kind}"].write_text(_captions(turns, kind=kind), encoding="utf-8")
    return files


def _norm(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> Counter:
    return Counter(w for w in re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", text.casefold())
                   if not w.isdigit())


def score(turns, transcript, *, encoding: str = "utf-8") -> tuple[bool, float]:
    """Whether every turn came back (speaker order and text), and the share of the dialogue's
    words found in the transcript's header and turns (*encoding*: what the file could hold)."""
    got = [_norm(t.text(transcript.text)) for t in transcript.turns]
    turns = [(name, flag, text.encode(encoding, errors="replace").decode(encoding))
             for name, flag, text in turns]
    expected, speakers = [], []
    for name, _, text in turns:
        if speakers and speakers[-1] == name:
            expected[-1] += " " + _norm(text)
        else:
            expected.append(_norm(text))
            speakers.append(name)
    boundaries = [t.speaker for t in transcript.turns]
    same_people = len(set(boundaries)) == len(set(speakers))
    exact = got == expected and same_people
    found = _words(" ".join([transcript.header_text, *got]))
    wanted = _words(" ".join(text for _, _, text in turns))
    share = sum(min(n, found[w]) for w, n in wanted.items()) / max(1, sum(wanted.values()))
    return exact, share


def _accuracy(result: BenchResult, quick: bool) -> None:
    import pandas as pd

    from thematic.bench.suggest import NHS_FILE, shared_dir
    from thematic.transcripts import read_transcript

    path = shared_dir() / NHS_FILE
    if not path.exists():
        result.notes.append(f"accuracy skipped: {path} not found (the NHS set lives in the shared folder)")
        return
    comments = pd.read_csv(path, encoding="utf-8")["FFT answer"].dropna().astype(str).tolist()
    cases = dialogues(comments, count=4 if quick else 24, seed=7)
    exact: dict[str, list[bool]] = {}
    shares: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, turns in enumerate(cases):
            folder = Path(tmp) / str(number)
            folder.mkdir()
            for layout, file in render(turns, folder).items():
                try:
                    encoding = "cp1252" if "cp1252" in layout else "utf-8"
                    ok, share = score(turns, read_transcript(file), encoding=encoding)
                except Exception as error:  # a failure is a figure here, not a crash
                    ok, share = False, 0.0
                    result.notes.append(f"{layout} #{number}: {type(error).__name__}")
                exact.setdefault(layout, []).append(ok)
                shares.append(share)
    total = [ok for oks in exact.values() for ok in oks]
    result.add("files read exactly (NHS text, all layouts)", sum(total) / len(total), "share", at_least=0.95)
    result.add("words found (NHS text, all layouts)", sum(shares) / len(shares), "share", at_least=0.99)
    for layout, oks in sorted(exact.items()):
        result.add(f"  exact: {layout}", sum(oks) / len(oks), "share")
    result.notes.append(f"{len(cases)} dialogues from the NHS feedback comments x {len(exact)} layouts; "
                        "every fourth a focus group of three")


@register("transcripts")
def bench_transcripts(*, quick: bool = False) -> BenchResult:
    """Parsing speed on long generated transcripts; accuracy on real text in 16 layouts."""
    result = BenchResult("transcripts")
    _speed(result, quick)
    _accuracy(result, quick)
    return result
