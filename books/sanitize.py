"""Book descriptions: the only HTML from outside that Booky renders, cleaned with nh3."""

import html
import re

import nh3

# Google Books descriptions use a handful of formatting tags; links and images are dropped.
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "sub", "sup"}
MAX_DESCRIPTION_LENGTH = 20_000


def clean_description(raw: str) -> str:
    """HTML safe to render as is: only formatting tags, no attributes, no scripts or styles."""
    if not raw:
        return ""
    text = str(raw).replace("\x00", "")[:MAX_DESCRIPTION_LENGTH]
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes={},
        clean_content_tags={"script", "style"},
        link_rel=None,
    ).strip()


def text_to_description(text: str) -> str:
    """A plain-text description someone typed, as escaped HTML paragraphs."""
    paragraphs = [
        part.strip() for part in re.split(r"\n\s*\n", (text or "").replace("\x00", "")) if part.strip()
    ]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in paragraph.splitlines()) + "</p>"
        for paragraph in paragraphs
    )
