"""The phase pages' exporter writes the document nbconvert's HTMLExporter writes, faster."""

from __future__ import annotations

import base64
import copy
import re

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from thematic.htmlpage import MISSING_ALT, PageExporter, focusable
from thematic.report import _template_dir

PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")).decode()
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def _notebook() -> nbformat.NotebookNode:
    """A notebook with every kind of output a phase page can hold, and text that looks like
    the markup the exporter edits."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                "language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    nb.cells = [
        new_markdown_cell('# Title\n\nA <img src="x.png"> without alt, and ![described](y.png).\n\n'
                          '`<div class="jp-Cell-inputWrapper">` written as code.'),
        new_code_cell("print('<div class=\"jp-OutputArea-output\">')", outputs=[
            new_output("stream", name="stdout", text='<div class="jp-OutputArea-output">\n'),
            new_output("stream", name="stderr", text="a warning\n")]),
        new_code_cell("show()", outputs=[
            new_output("display_data", data={"text/html": "<table><tr><td>&lt;b&gt; 1 &amp; 2</td></tr></table>"
                                                          '<img src="z.png">',
                                             "text/plain": "table"}),
            new_output("display_data", data={"image/png": PNG, "text/plain": "png"}),
            new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "svg"}),
            new_output("display_data", data={"text/markdown": "**bold** <img src='q.png' />", "text/plain": "md"}),
            new_output("display_data", data={"application/javascript": "console.log('<div>');",
                                             "text/plain": "js"}),
            new_output("execute_result", execution_count=3, data={"text/plain": "'<img>'"})]),
        new_code_cell("1 / 0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                   traceback=["ZeroDivisionError: division by zero"])]),
    ]
    return nb


def _same_ids(page: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", page)


@pytest.mark.parametrize("hide_code", [True, False])
def test_page_is_the_document_htmlexporter_writes(hide_code: bool):
    options = dict(template_name="thematic_phase", exclude_input=hide_code, exclude_input_prompt=hide_code,
                   exclude_output_prompt=True, extra_template_basedirs=[str(_template_dir())])
    resources = {"metadata": {"name": "page"}, "thematic": {
        "css": "body {}", "plotly_src": "plotly.min.js", "title": "t: 00", "index_href": "../index.html",
        "other_href": "00.code.html", "other_label": "other", "version_label": "reader version",
        "previous_href": None, "previous_label": None, "next_href": "01.html", "next_label": "01"}}
    nb = _notebook()
    expected, _ = HTMLExporter(**options).from_notebook_node(copy.deepcopy(nb), resources=copy.deepcopy(resources))
    page, _ = PageExporter(**options).from_notebook_node(copy.deepcopy(nb), resources=copy.deepcopy(resources))
    # The same document once parsed: BeautifulSoup writes it back exactly as HTMLExporter did
    # (but for the random id nbconvert gives each JavaScript output).
    assert _same_ids(str(BeautifulSoup(page, features="html.parser"))) == _same_ids(expected)
    assert page.count('tabindex="0"') == expected.count('tabindex="0"') > 0
    assert page.count(MISSING_ALT) == expected.count(MISSING_ALT) >= 3


def test_focusable_edits_only_the_templates_markup():
    page = ('<div class="jp-Cell-inputWrapper"><div id="a1" class="jp-RenderedJavaScript jp-OutputArea-output x" '
            'data-mime-type="application/javascript"></div><p>&lt;div class="jp-OutputArea-output"&gt;</p>'
            '<img src="a.png" alt="kept"><img src="b.png"/></div>')
    assert focusable(page) == (
        '<div class="jp-Cell-inputWrapper" tabindex="0"><div id="a1" class="jp-RenderedJavaScript '
        'jp-OutputArea-output x" data-mime-type="application/javascript" tabindex="0"></div>'
        '<p>&lt;div class="jp-OutputArea-output"&gt;</p><img src="a.png" alt="kept">'
        f'<img src="b.png" alt="{MISSING_ALT}"/></div>')
