"""The rendered report opened in a real headless Chromium: nothing fails, every figure draws.

Debian's ``chromium`` is driven by Playwright through ``executable_path`` (no browser download).
Without a Chromium the test skips, unless ``THEMATIC_REQUIRE_BROWSER=1`` (set by ``.ci/run``),
where a missing browser is a failure. Screenshots of every page are saved beside the rendered
report, in ``screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow

#: Plotly draws asynchronously: wait until every figure holds its SVG, then check.
ALL_FIGURES_DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .every(div => div.querySelector('.main-svg') !== null && div._fullLayout !== undefined)"""


def _pages(report: Path) -> list[Path]:
    pages = [report / "index.html", *sorted((report / "html").glob("*.html"))]
    pages += [p for p in sorted(report.rglob("*.html")) if p not in pages and "executed" not in p.parts]
    return pages


def _open(browser, page_path: Path, screenshots: Path, *, figure_timeout_ms: int = 30_000) -> dict:
    """Open one page; return what failed, what reached for the network, and the figures seen."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = {"network": [], "failed": [], "console": [], "errors": []}

    def route(route):
        if urlparse(route.request.url).scheme in ("file", "data", "blob", "about"):
            route.continue_()
        else:
            seen["network"].append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda request: seen["failed"].append(f"{request.url}: {request.failure}"))
    page.on("console", lambda message: seen["console"].append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.goto(page_path.as_uri(), wait_until="load")
    figures = page.locator(".plotly-graph-div").count()
    if figures:
        try:
            page.wait_for_function(ALL_FIGURES_DRAWN, timeout=figure_timeout_ms)
        except Exception:  # noqa: BLE001 - the check below says which figures did not draw
            pass
    seen["figures"] = figures
    seen["drawn"] = page.evaluate("""() => Array.from(document.querySelectorAll('.plotly-graph-div'))
        .filter(div => div.querySelector('.main-svg') !== null).length""")
    seen["title"] = page.title()
    seen["links"] = page.evaluate("""() => Array.from(document.querySelectorAll('a[href]'))
        .map(a => a.getAttribute('href'))""")
    screenshots.mkdir(parents=True, exist_ok=True)
    name = "-".join(page_path.relative_to(page_path.parents[1] if page_path.parent.name == "html"
                                          else page_path.parent).parts)
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    page.close()
    return seen


def test_every_page_opens_offline_without_errors_and_draws_its_figures(browser, rendered_report: Path):
    screenshots = rendered_report.parent / "screenshots"
    problems, figures_per_page, titles = [], {}, {}
    for page_path in _pages(rendered_report):
        seen = _open(browser, page_path, screenshots)
        label = str(page_path.relative_to(rendered_report))
        figures_per_page[label] = seen["figures"]
        titles[label] = seen["title"]
        if page_path.stat().st_size >= 1_500_000:
            problems.append(f"{label}: {page_path.stat().st_size:,} bytes (1.5 MB at most)")
        for kind in ("network", "failed", "console", "errors"):
            problems += [f"{label}: {kind}: {item}" for item in seen[kind]]
        if seen["drawn"] != seen["figures"]:
            problems.append(f"{label}: {seen['figures'] - seen['drawn']} of {seen['figures']} "
                            "plotly figures did not draw")
        for href in seen["links"]:
            target = urlparse(href)
            if target.scheme or href.startswith("#"):
                continue
            if not (page_path.parent / target.path).exists():
                problems.append(f"{label}: broken link {href}")
    print(f"screenshots in {screenshots}")
    assert not problems, "\n".join(problems)
    phase_pages = [p for p in figures_per_page if p.startswith("html/")]
    assert phase_pages and all(figures_per_page[p] > 0 for p in phase_pages), figures_per_page
    assert len(list(screenshots.glob("*.png"))) == len(figures_per_page)
    assert all(titles.values()) and len(set(titles.values())) == len(titles), titles


def test_the_check_catches_network_requests_console_errors_and_undrawn_figures(browser, tmp_path: Path):
    page_path = tmp_path / "html" / "bad.html"
    page_path.parent.mkdir()
    page_path.write_text(
        '<html><head><script src="https://cdn.example.invalid/lib.js"></script></head><body>'
        '<div class="plotly-graph-div" id="f"></div>'
        '<script>console.error("boom"); undefinedFunction();</script>'
        '<a href="missing.html">x</a></body></html>', encoding="utf-8")
    seen = _open(browser, page_path, tmp_path / "shots", figure_timeout_ms=500)
    assert seen["network"] == ["https://cdn.example.invalid/lib.js"]
    assert any("boom" in message for message in seen["console"])
    assert any("undefinedFunction" in error for error in seen["errors"])
    assert (seen["figures"], seen["drawn"]) == (1, 0)
    assert seen["links"] == ["missing.html"]


# --- markup planted in every data field ----------------------------------------------------------------

def _payload(field: str, *, short: bool = False) -> str:
    """Markup that would run a script or make a request if a page let it through; *field* names
    where it was planted, so a page that shows it can be traced back."""
    markup = (f'{field}<img src="http://127.0.0.1:9/{field}" onerror="window.__planted=1"><inaudible> &amp;')
    if short:
        return markup
    return (f'{markup} <script>window.__planted="{field}";document.title="pwned"</script> '
            f'![i](http://127.0.0.1:9/md-{field}) [a](javascript:window.__planted=2)')


def _plant(data: Path) -> dict[str, str]:
    """Plant markup in each field of a copy of the sample that reaches the report; returns
    field -> the text that must show, as written, on some page."""
    import pandas as pd
    import yaml

    planted = {}
    book = yaml.safe_load((data / "codebook.yaml").read_text(encoding="utf-8"))
    book["title"] = planted["codebook title"] = _payload("cbtitle")
    first, second = book["themes"][0], book["themes"][1]
    first["name"] = planted["theme name"] = _payload("themename")
    first["description"] = planted["theme description"] = _payload("themedesc")
    first["codes"][0]["label"] = planted["code label"] = _payload("codelabel")
    first["codes"][0]["definition"] = planted["code definition"] = _payload("codedef")
    second["id"] = planted["theme id"] = _payload("T2", short=True)
    (data / "codebook.yaml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")

    study = yaml.safe_load((data / "study.yaml").read_text(encoding="utf-8"))
    hostile_group = _payload("grp", short=True)
    for group in study["groups"]:
        if group["id"] == "commissioner":
            group["id"] = hostile_group
            group["label"] = planted["group label"] = _payload("lbl", short=True)
            group["plural"] = planted["group plural"] = _payload("plural", short=True)
    (data / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    planted["group name"] = hostile_group

    participants = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    participants["group"] = participants["group"].replace("commissioner", hostile_group)
    participants.loc[participants["group"] == hostile_group, "label"] = ""  # attributed by the group's label
    participants.loc[participants["participant_id"] == "REF01", "label"] = planted["participant label"] = \
        _payload("plabel", short=True)
    participants.loc[participants["participant_id"] == "REF02", "role"] = planted["role"] = _payload("role")
    participants.to_csv(data / "participants.csv", index=False)

    memo = data / "memos" / "COM02-W1.md"
    memo.write_text(memo.read_text(encoding="utf-8") + "\n\n" + _payload("memo") + "\n", encoding="utf-8")
    planted["memo"] = '<img src="http://127.0.0.1:9/memo" onerror="window.__planted=1"><inaudible>'

    comments = pd.read_csv(data / "member-check" / "comments.csv", dtype=str, keep_default_na=False)
    comments.loc[0, "comment"] = planted["member-check comment"] = _payload("comment")
    comments.loc[0, "reviewer"] = planted["member-check reviewer"] = _payload("reviewer", short=True)
    comments.to_csv(data / "member-check" / "comments.csv", index=False)

    adjudication = pd.read_csv(data / "adjudication.csv", dtype=str, keep_default_na=False)
    adjudication.loc[0, "reason"] = planted["adjudication reason"] = _payload("reason")
    adjudication.to_csv(data / "adjudication.csv", index=False)

    # Transcript text reaches quotes and keyword-in-context: overwrite a stretch of each long
    # participant turn with markup of the same length, so that every offset stays right.
    words = '<img/src="http://127.0.0.1:9/q"/onerror=window.__planted=1><inaudible>&amp;'
    for path in sorted((data / "deidentified").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines):
            if line.startswith("Participant: ") and len(line) > 200:
                at = line.index(" ", 60) + 1
                lines[n] = line[:at] + words + line[at + len(words):]
        path.write_text("\n".join(lines), encoding="utf-8")
    planted["transcript text"] = words
    for path in sorted((data / "codings").glob("*.csv")):  # the coded text changed: its hashes go
        pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="text_hash").to_csv(path, index=False)

    names = data / 'kn<img src=x onerror="window.__planted=1">.yaml'
    names.write_bytes((data / "known-names.yaml").read_bytes())
    planted["file name"] = names.name
    return planted


def test_markup_planted_in_the_data_shows_as_text_and_runs_nothing(browser, sample_copy: Path, tmp_path: Path):
    import json

    import docx
    import yaml

    from thematic.report import render_report

    planted = _plant(sample_copy)
    planted["report title"] = _payload("title")
    planted["parameter"] = _payload("kwic", short=True)
    params = tmp_path / "planted.yaml"
    params.write_text(yaml.safe_dump({"data_dir": str(sample_copy), "title": planted["report title"],
                                      "kwic_query": planted["parameter"],
                                      "known_names": planted["file name"]}, allow_unicode=True), encoding="utf-8")
    report = render_report(params, output_dir=tmp_path / "reports", progress=False, echo=lambda m: None)

    shown, problems = "", []
    for page_path in _pages(report):
        page = browser.new_page()
        requests = []

        def route(route, requests=requests):
            if urlparse(route.request.url).scheme not in ("file", "data", "blob", "about"):
                requests.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", route)
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # let any planted handler fire
        label = str(page_path.relative_to(report))
        ran = page.evaluate("() => [window.__planted, document.title]")
        if ran[0] is not None or ran[1] == "pwned":
            problems.append(f"{label}: a planted script ran ({ran})")
        problems += [f"{label}: request to {url}" for url in requests]
        problems += [f"{label}: {element} made from the data" for element in page.evaluate(
            """() => [...document.querySelectorAll('img, a[href^="javascript"]')].map(e => e.outerHTML)
                .concat([...document.querySelectorAll('script')].map(e => e.textContent.trim())
                        .filter(t => t.startsWith('window.__planted')))
                .filter(t => t.includes('127.0.0.1') || t.includes('__planted'))""")]
        shown += page.evaluate("() => document.body.innerText") + "\n"
        page.close()
    withheld = planted.pop("member-check reviewer")  # a participant: named 'reviewer 1' in reports
    missing = [field for field, text in planted.items() if text not in shown]
    assert not problems, "\n".join(problems)
    assert not missing, f"planted text not shown as written: {missing}"
    assert withheld not in shown and "reviewer 1" in shown

    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["title"] == planted["report title"]
    document = docx.Document(str(report / "member-check" / "member-check.docx"))
    headings = [p.text for p in document.paragraphs]
    assert f"T1. {planted['theme name']}" in headings and planted["theme description"] in headings
