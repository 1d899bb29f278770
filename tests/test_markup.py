"""Text from the data made safe: Markdown without HTML or images, values as text, plotly labels."""

from __future__ import annotations

import pytest

from thematic.markup import markdown_html, plain_text, plotly_text, safe_figure

PLANTED = ['<script>document.title="pwned"</script>', '<img src="http://127.0.0.1:9/x">',
           "![x](http://127.0.0.1:9/y)", "<inaudible>", "&amp;", "[click](javascript:alert(1))"]


def test_markdown_renders_without_raw_html_images_or_script_links():
    page = markdown_html("**Memo** " + " ".join(PLANTED))
    assert "<strong>Memo</strong>" in page
    assert "<script" not in page and "<img" not in page and "<inaudible>" not in page
    assert "&lt;script&gt;" in page and "&lt;inaudible&gt;" in page
    assert 'href="javascript' not in page and "[click](javascript:alert(1))" in page
    assert 'href="http://127.0.0.1:9/y"' in page  # an image becomes a plain link: nothing is fetched


@pytest.mark.parametrize("value", PLANTED + ["**bold**", "`code`", "{other}", "\\*"])
def test_a_value_shows_exactly_as_written(value: str):
    import html

    page = markdown_html("Group **{group}** in `{file}`.", group=value, file=value)
    assert page.count(html.escape(value)) == 2, page
    assert "<script" not in page and "<img" not in page and "<a " not in page
    assert plain_text("Group {group}.", group=value) == f"Group {value}."


def test_a_value_cannot_become_a_link_target():
    with pytest.raises(ValueError, match="link's target"):
        markdown_html("[the file]({path})", path="javascript:alert(1)")
    assert markdown_html("Braces {kept} when not a value") == "<p>Braces {kept} when not a value</p>\n"


def test_plotly_text_escapes_all_but_the_layout_tags():
    assert plotly_text('<a href="http://x">T1</a> & <br>') == '&lt;a href="http://x"&gt;T1&lt;/a&gt; &amp; <br>'
    assert plotly_text("&amp; <inaudible>") == "&amp;amp; &lt;inaudible&gt;"
    assert plotly_text("%{y}<br>%{x}<extra></extra>") == "%{y}<br>%{x}<extra></extra>"
    spec = {"data": [{"x": ["<b>a</b>", "<span style='x'>b</span>", 1], "type": "bar"}],
            "layout": {"title": {"text": "A & B"}}}
    assert safe_figure(spec) == {"data": [{"x": ["<b>a</b>", "&lt;span style='x'&gt;b&lt;/span&gt;", 1],
                                           "type": "bar"}], "layout": {"title": {"text": "A &amp; B"}}}


@pytest.mark.parametrize("value", PLANTED + ["service_team", "T2 **x**", "a\\b", "#1 `x`"])
def test_literal_markdown_shows_as_written(value: str):
    import html

    from thematic.markup import literal

    assert markdown_html(f"Group {literal(value)}.") == f"<p>Group {html.escape(value)}.</p>\n"
