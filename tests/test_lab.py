"""JupyterLab itself, driven in headless Chromium as a researcher would use it.

The test starts ``jupyter lab`` (the pinned version) on a free port with a token, over a copy of
the sample and of the notebooks in a temporary project, runs every notebook with Run All, types
in the keyword-in-context search box, clicks accept and reject in the review panel, checks what
was written to the review file, and stops the server. Screenshots of every notebook are saved in
the test's temporary folder (``screenshots/``, printed with ``pytest -s``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from conftest import ROOT, SAMPLE

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))

#: JupyterLab settings for the test: every cell kept in the page (so the test can reach
#: outputs below the fold), no news or update checks (no request leaves the machine).
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}

#: Run All has finished when no cell waits or runs ("[*]") and the kernel is idle.
FINISHED = """() => {
    const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt'))
        .map(p => p.textContent.trim());
    const app = window.jupyterapp, panel = app && app.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return prompts.length > 0 && !prompts.some(p => p.includes('*'))
        && prompts.some(p => /\\[\\d+\\]/.test(p)) && kernel && kernel.status === 'idle';
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project holding a copy of the sample and the notebooks; the review panel is on."""
    root = tmp_path_factory.mktemp("lab") / "project"
    shutil.copytree(SAMPLE, root / "data-sample", ignore=shutil.ignore_patterns("source", "review"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "params").mkdir()  # marks the project root
    suggest = root / "notebooks" / "02-code-suggestions.ipynb"
    notebook = nbformat.read(suggest, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert "export_for_review = False" in cell.source
    cell.source = cell.source.replace("export_for_review = False", "export_for_review = True")
    nbformat.write(notebook, suggest)
    return root


@pytest.fixture(scope="module")
def lab(project: Path):
    """A JupyterLab server on a free port with a token; stopped afterwards."""
    pytest.importorskip("jupyterlab")
    port, token = _free_port(), secrets.token_hex(16)
    home = project.parent / "jupyter"
    settings = home / "settings"
    for name, values in SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        (settings / plugin).mkdir(parents=True, exist_ok=True)
        (settings / plugin / file).write_text(json.dumps(values), encoding="utf-8")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "THEMATIC_PROJECT_ROOT": str(project),
           "THEMATIC_CACHE_DIR": os.environ.get("THEMATIC_CACHE_DIR", str(ROOT / ".cache" / "thematic")),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={project}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield {"base": base, "token": token, "project": project}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _open_and_run(browser, lab: dict, name: str, outside: list[str]):
    """Open notebook *name* in JupyterLab, Run All, wait until done and save; return the page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None) and
            urlparse(r.url).scheme not in ("data", "blob", "about") else None)
    # a workspace of its own, so that JupyterLab does not reopen (and start kernels for) the others
    workspace = re.sub(r"\W", "", Path(name).stem)
    page.goto(f"{lab['base']}/lab/workspaces/{workspace}/tree/notebooks/{name}?reset&token={lab['token']}")
    page.wait_for_function("""() => { const app = window.jupyterapp, panel = app && app.shell.currentWidget;
        return panel && panel.sessionContext && panel.sessionContext.session
            && panel.sessionContext.session.kernel && panel.sessionContext.session.kernel.status === 'idle'; }""",
                           timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(2000)
    page.wait_for_function(FINISHED, timeout=900_000, polling=1000)
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(1500)
    return page


def _errors(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    found = [f"{o.ename}: {o.evalue}" for c in notebook.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if o.output_type == "error"]
    unrun = [n for n, c in enumerate(notebook.cells) if c.cell_type == "code" and c.source.strip()
             and c.execution_count is None]
    return found + ([f"cells not run: {unrun}"] if unrun else [])


def _shutdown_kernels(lab: dict) -> None:
    url = f"{lab['base']}/api/kernels?token={lab['token']}"
    for kernel in json.load(urllib.request.urlopen(url, timeout=10)):
        request = urllib.request.Request(f"{lab['base']}/api/kernels/{kernel['id']}?token={lab['token']}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=30)


def test_jupyterlab_runs_every_notebook_and_its_widgets_keep_their_promises(browser, lab, tmp_path: Path):
    from thematic.suggestion_review import read_suggestions

    screenshots = tmp_path / "screenshots"
    screenshots.mkdir()
    project, outside, problems = lab["project"], [], []
    for name in NOTEBOOKS:
        page = _open_and_run(browser, lab, name, outside)
        problems += [f"{name}: {e}" for e in _errors(project / "notebooks" / name)]

        if name.startswith("01"):
            box = page.locator(".widget-text input").first
            box.fill("")
            box.type("waiting")
            status = page.locator(".widget-html-content", has_text=re.compile(r"of \d+</?b?>? ?hit|hit\(s\)")).first
            status.wait_for(timeout=60_000)
            shown = status.inner_text()
            match = re.search(r"(\d+)-(\d+) of (\d+)", shown)
            assert match and int(match.group(3)) > 0, shown
            lines = page.locator(".widget-html-content", has_text="waiting").count()
            assert lines > 0, "no keyword-in-context line shows 'waiting'"
            box.fill("zzqqxx")
            page.locator(".widget-html-content", has_text="no hit").first.wait_for(timeout=60_000)

        if name.startswith("02"):
            coder = read_suggestions(next((project / "data-sample" / "review").glob("suggestions-*.csv")))
            assert (coder["decision"] == "").all()
            path = next((project / "data-sample" / "review").glob("suggestions-*.csv"))
            page.locator(".widget-toggle-buttons button", has_text="accept").nth(0).click()
            page.locator("text=saved: accept").first.wait_for(timeout=30_000)
            page.locator(".widget-toggle-buttons button", has_text="reject").nth(1).click()
            page.locator("text=saved: reject").first.wait_for(timeout=30_000)
            after = read_suggestions(path)
            assert after["decision"].tolist()[:2] == ["accept", "reject"]
            assert (after["decision"].iloc[2:] == "").all()
            assert after.drop(columns="decision").equals(coder.drop(columns="decision"))  # nothing else changed

        page.screenshot(path=str(screenshots / f"lab-{Path(name).stem}.png"), full_page=False)
        page.close()
        _shutdown_kernels(lab)
    print(f"JupyterLab screenshots in {screenshots}")
    assert not problems, "\n".join(problems)
    assert not outside, f"requests that left the machine: {outside}"
    assert len(list(screenshots.glob("*.png"))) == len(NOTEBOOKS)
