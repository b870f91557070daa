"""Post bodies: a small safe subset of Markdown (emphasis, quotes, links, lists), sanitised with nh3.

markdown-it renders only the rules enabled here (raw HTML is escaped, not passed through); nh3 then
keeps only the tags below, so whatever the renderer does, no script, style or unsafe link survives.
"""

import re

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "blockquote", "list", "link", "newline", "autolink", "escape", "backticks"]
)
_renderer.validateLink = lambda url: url.lower().startswith(("http://", "https://", "mailto:"))

ALLOWED_TAGS = {"p", "br", "em", "strong", "blockquote", "ul", "ol", "li", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def render_post_body(body: str) -> str:
    html = _renderer.render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    ).strip()


def mentioned_usernames(body: str) -> list[str]:
    """`@username` mentions in order, each once (trailing dots are punctuation, not the name)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body):
        seen.setdefault(match.group(1).rstrip(".").lower(), None)
    return list(seen)
