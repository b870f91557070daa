"""Descriptions from outside are cleaned before Booky renders them."""

from books.sanitize import clean_description, text_to_description


def test_scripts_styles_and_their_content_are_removed():
    cleaned = clean_description('<p>Hello<script>alert("x")</script><style>p{color:red}</style></p>')
    assert cleaned == "<p>Hello</p>"


def test_event_handlers_and_all_attributes_are_stripped():
    cleaned = clean_description('<p onclick="steal()" style="x">A <b onmouseover="x()">bold</b> move</p>')
    assert cleaned == "<p>A <b>bold</b> move</p>"


def test_links_images_and_iframes_go_but_their_text_stays():
    cleaned = clean_description(
        '<a href="javascript:alert(1)">click</a><img src=x onerror=alert(1)><iframe src="//evil"></iframe>'
    )
    assert "<a" not in cleaned and "<img" not in cleaned and "<iframe" not in cleaned
    assert "javascript" not in cleaned and "onerror" not in cleaned
    assert "click" in cleaned


def test_formatting_tags_survive():
    html = "<p>One<br>two</p><ul><li><em>three</em></li></ul><blockquote>four</blockquote>"
    assert clean_description(html) == html


def test_nul_bytes_vanish():
    assert clean_description("<p>a\x00b</p>") == "<p>ab</p>"


def test_typed_text_is_escaped_into_paragraphs():
    assert text_to_description("A <b>bold</b> claim\nsame paragraph\n\nNext") == (
        "<p>A &lt;b&gt;bold&lt;/b&gt; claim<br>same paragraph</p><p>Next</p>"
    )
