"""The rendered report opened in a real headless Chromium: nothing fails, every figure draws.

Debian's ``chromium`` is driven by Playwright through ``executable_path`` (no browser download).
Without a Chromium the test skips, unless ``THEMATIC_REQUIRE_BROWSER=1`` (set by ``.ci/run``),
where a missing browser is a failure. Screenshots of every page are saved beside the rendered
report, in ``screenshots/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

#: Plotly draws asynchronously: wait until every figure holds its SVG, then check.
ALL_FIGURES_DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .every(div => div.querySelector('.main-svg') !== null && div._fullLayout !== undefined)"""


def _chromium() -> str:
    path = os.environ.get("THEMATIC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("THEMATIC_REQUIRE_BROWSER") == "1":
        pytest.fail("No Chromium found, and THEMATIC_REQUIRE_BROWSER=1: install Debian's 'chromium'.")
    pytest.skip("no Chromium on this machine (install Debian's 'chromium' to run the browser test)")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
    problems, figures_per_page = [], {}
    for page_path in _pages(rendered_report):
        seen = _open(browser, page_path, screenshots)
        label = str(page_path.relative_to(rendered_report))
        figures_per_page[label] = seen["figures"]
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
