"""Named steps of a phase: each one timed, shown with a progress bar when it runs long, and
recorded so that the report's manifest and index can say where the time went.

A phase (a notebook, or a function of :mod:`thematic.phases`) runs its slow work inside steps::

    steps = Steps(phase="01-familiarisation", record_to=output_dir)
    with steps("vocabulary", total=len(texts)) as advance:
        for text in texts:
            ...
            advance()

Each finished step is appended to ``timings/<phase>.json`` in *record_to* (rewritten whole,
atomically, after every step, so a phase killed half-way leaves the steps it finished).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from thematic import io

#: Seconds a step runs before its progress bar appears (shorter steps show nothing).
PROGRESS_DELAY = 2.0
#: Folder, inside the report folder, holding one ``<phase>.json`` of step timings per phase.
TIMINGS_DIR = "timings"
#: Set (to "1") by ``thematic report`` for the kernels it starts: no progress bar is drawn there,
#: so nothing of a bar is left in the executed notebooks or the HTML pages.
REPORT_ENV = "THEMATIC_REPORT"


def show_progress() -> bool:
    """Whether progress bars may be drawn: everywhere except in a ``thematic report`` run."""
    return not os.environ.get(REPORT_ENV)


@dataclass(frozen=True)
class StepTime:
    """How long one step of a phase took; *items* is how many units it went through, if counted."""

    name: str
    seconds: float
    items: int | None = None


class Steps:
    """Time (and show the progress of) the named steps of one phase.

    Parameters
    ----------
    phase
        The phase's name, e.g. ``"02-code-suggestions"``.
    record_to
        The report folder; ``timings/<phase>.json`` is written in it. None: kept in memory only.
    progress
        Show a progress bar (``tqdm.auto``: a widget in JupyterLab, text in a terminal) for steps
        that run longer than :data:`PROGRESS_DELAY` seconds; the bar is removed when the step ends.
        None (the default): unless running under ``thematic report`` (:func:`show_progress`).
    """

    def __init__(self, *, phase: str, record_to: str | Path | None = None, progress: bool | None = None):
        self.phase = phase
        self.record_to = io.resolve(record_to) if record_to else None
        self.progress = show_progress() if progress is None else progress
        self.times: list[StepTime] = []

    @contextmanager
    def __call__(self, name: str, *, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """Run the body as step *name*; the body may call the yielded ``advance(n=1)``."""
        bar = _DelayedBar(name, total) if self.progress else None
        done = 0

        def advance(n: int = 1) -> None:
            nonlocal done
            done += n
            if bar is not None:
                bar.update(n)

        started = time.perf_counter()
        try:
            yield advance
        finally:
            if bar is not None:
                bar.close()
        self.times.append(StepTime(name=name, seconds=round(time.perf_counter() - started, 3),
                                   items=done or total))
        if self.record_to is not None:
            self.write()

    def write(self) -> Path:
        """Write ``timings/<phase>.json`` in the report folder (all steps finished so far)."""
        return io.write_json(timings_path(self.record_to, self.phase),
                             {"phase": self.phase, "steps": [asdict(t) for t in self.times]})


def timings_path(report_dir: str | Path, phase: str) -> Path:
    """``<report_dir>/timings/<phase>.json``."""
    return Path(report_dir) / TIMINGS_DIR / f"{phase}.json"


def read_timings(report_dir: str | Path, phase: str) -> list[StepTime]:
    """The steps recorded for *phase* in *report_dir* (empty when none were)."""
    path = timings_path(report_dir, phase)
    if not path.exists():
        return []
    return [StepTime(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))["steps"]]


class _DelayedBar:
    """A progress bar that appears only once a step has run :data:`PROGRESS_DELAY` seconds, keeps
    its elapsed time moving even when the step cannot count (a timer thread refreshes it), and
    leaves nothing behind: in a notebook the widget's output is emptied when the step ends (an
    output a saved notebook keeps, but which shows nothing), in a terminal the line is cleared."""

    TICK = 0.5

    def __init__(self, name: str, total: int | None):
        self.name, self.total, self.done = name, total, 0
        self.bar = self.handle = None
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"progress {name}", daemon=True)
        self.thread.start()

    def update(self, n: int) -> None:
        with self.lock:
            self.done += n
            if self.bar is not None:
                self.bar.update(n)

    def close(self) -> None:
        self.finished.set()
        self.thread.join()
        with self.lock:
            if self.bar is None:
                return
            self.bar.close()
            if self.handle is not None:
                self.handle.update({}, raw=True)

    def _run(self) -> None:
        if self.finished.wait(PROGRESS_DELAY):
            return
        with self.lock:
            if self.finished.is_set():
                return
            self.bar, self.handle = _new_bar(self.name, self.total, self.done)
        while not self.finished.wait(self.TICK):
            with self.lock:
                self.bar.refresh()


def _new_bar(name: str, total: int | None, done: int):
    """A tqdm bar (a widget in a Jupyter kernel, with the display handle that can empty it;
    text on stderr elsewhere) starting at *done*."""
    from tqdm.auto import tqdm

    options = dict(total=total, desc=name, initial=done, leave=False)
    if _in_kernel():
        from IPython.display import display
        from tqdm.notebook import tqdm as widget_bar

        bar = widget_bar(display=False, **options)
        return bar, display(bar.container, display_id=True)
    return tqdm(**options), None


def _in_kernel() -> bool:
    """Whether this runs in a Jupyter kernel that can show widgets."""
    try:
        from IPython import get_ipython
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
