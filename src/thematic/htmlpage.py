"""nbconvert's HTML exporter for the report's phase pages, without its BeautifulSoup pass.

nbconvert's :class:`~nbconvert.exporters.HTMLExporter` renders its template, then parses the
whole page with BeautifulSoup to give images without a description an ``alt`` text and to
make each input and output area focusable (``tabindex="0"``), and writes the page out again.
On a phase page (tables and figures of a few hundred kilobytes) that pass takes most of the
page's time: about 0.4 s of 0.5 s on the sample. :class:`PageExporter` renders the same
template and makes the same three changes on the template's own markup (whose form it knows),
so the page a browser builds is the same; ``tests/test_htmlpage.py`` checks that the two
exporters give the same document on notebooks with every kind of output.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

#: What nbconvert says of an image without a description.
MISSING_ALT = "No description has been provided for this image"
#: The input area as the lab template writes it.
_INPUT_AREA = '<div class="jp-Cell-inputWrapper">'
#: An output area as the lab template writes it (an id first for JavaScript outputs).
_OUTPUT_AREA = re.compile(r'<div((?: id="[^"<>]*")? class="(?:[^"<>]* )?jp-OutputArea-output(?: [^"<>]*)?"[^<>]*)>')
#: An image tag with no ``alt`` attribute.
_IMAGE_WITHOUT_ALT = re.compile(r'<img(?![^<>]*\salt=)([^<>]*?)(\s*/?)>')


def focusable(page: str) -> str:
    """*page* with every input and output area focusable and every image described, as
    nbconvert's HTMLExporter leaves them (attributes added last)."""
    page = page.replace(_INPUT_AREA, '<div class="jp-Cell-inputWrapper" tabindex="0">')
    page = _OUTPUT_AREA.sub(r'<div\1 tabindex="0">', page)
    return _IMAGE_WITHOUT_ALT.sub(rf'<img\1 alt="{MISSING_ALT}"\2>', page)


class PageExporter(HTMLExporter):
    """:class:`~nbconvert.exporters.HTMLExporter` with :func:`focusable` in place of its
    BeautifulSoup pass (same options, same template)."""

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict]:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return focusable(page), resources
