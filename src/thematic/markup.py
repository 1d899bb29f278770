"""Text from a study's data, made safe to show in the report: nothing it holds runs or calls out.

A report is opened offline and by people who did not write its data, so every text that comes
from a data folder (memos, codebook names and definitions, group names, quotes, comments, file
names) must reach the page as text:

- :func:`markdown_html` renders Markdown that thematic or a researcher wrote (notes, memos)
  without raw HTML (``<inaudible>`` shows as written, a ``<script>`` never runs), without
  images (nothing is requested) and without ``javascript:`` links; values from the data are
  put in after parsing, so they are never read as Markdown at all;
- :func:`plotly_text` and :func:`safe_figure` keep plotly from interpreting the few HTML tags
  it renders in labels and hover text (``<a href>``, ``<span style>``...): data text is
  escaped, and only the tags the figure builders themselves use for layout stay tags.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

#: Private-use characters marking where a value goes in a note (never typed, never Markdown).
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACE = re.compile(r"\{([A-Za-z_]\w*)\}")
_MARKED = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
#: The tags thematic's figure builders use for layout; plotly interprets these and no others here.
FIGURE_TAGS = ("<br>", "<b>", "</b>", "<i>", "</i>", "<sup>", "</sup>", "<sub>", "</sub>", "<extra>", "</extra>")
_ESCAPED_TAGS = re.compile("|".join(re.escape(html.escape(tag)) for tag in FIGURE_TAGS))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_html(text: str, **values: Any) -> str:
    """*text* (Markdown) as an HTML fragment; each ``{name}`` in it replaced by ``values[name]``
    shown literally.

    Raw HTML in *text* shows as text, images become plain links and links other than http(s),
    mailto and relative ones are left as text (markdown-it's link check), so the fragment can
    make no request and run no script. A value is inserted into the parsed text, so Markdown or
    HTML in it (``**``, ``![x](http://...)``, ``&amp;``) shows exactly as written.

    Raises
    ------
    ValueError
        If a ``{name}`` stands where no text goes (inside a link's target).
    """
    shown = [str(v) for v in values.values()]
    names = list(values)

    def mark(match: re.Match) -> str:
        name = match.group(1)
        return f"{_OPEN}{names.index(name)}{_CLOSE}" if name in values else match.group(0)

    markdown = _markdown()
    tokens = markdown.parse(_PLACE.sub(mark, text))
    for token in tokens:
        for child in [token, *(token.children or [])]:
            if child.type in ("text", "code_inline", "code_block", "fence"):
                child.content = _MARKED.sub(lambda m: shown[int(m.group(1))], child.content)
            elif any(_OPEN in str(v) or "%EE%80%80" in str(v) for v in (child.attrs or {}).values()):
                raise ValueError(f"a value cannot go into a link's target: {text!r}")
    return markdown.renderer.render(tokens, markdown.options, {})


def literal(value: Any) -> str:
    """*value* as Markdown that shows exactly as written: every ASCII punctuation character
    backslash-escaped (CommonMark allows it for all of them), for library code that builds a
    note's Markdown around text from the data (a group or theme id)."""
    return _PUNCTUATION.sub(r"\\\1", str(value))


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain_text(text: str, **values: Any) -> str:
    """*text* with its ``{name}`` places filled in, for a notebook's plain-text output."""
    return _PLACE.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def plotly_text(value: str) -> str:
    """*value* as plotly shows it literally: ``&``, ``<`` and ``>`` escaped (plotly decodes
    entities), then the layout tags of :data:`FIGURE_TAGS` put back."""
    return _ESCAPED_TAGS.sub(lambda m: html.unescape(m.group(0)), html.escape(value, quote=False))


def safe_figure(spec: Any) -> Any:
    """A plotly figure (its JSON as dicts and lists) with every string passed through
    :func:`plotly_text`: axis categories, legend names, titles, annotations, text and hover text,
    whatever column of the data they came from."""
    if isinstance(spec, str):
        return plotly_text(spec)
    if isinstance(spec, dict):
        return {key: safe_figure(value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [safe_figure(value) for value in spec]
    return spec
