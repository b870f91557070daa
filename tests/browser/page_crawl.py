"""Every HTML page a visitor, a member and an owner can reach by following links, for the page gates
(tests/browser/test_page_gates.py: axe-core and the Nu HTML checker).

The crawl uses Django's test client on the demo data (`seed_demo`): it starts at the home page and the
entrance pages, follows same-site `<a href>` links, and keeps a few URLs of each view so a list of
200 meetings does not become 200 pages to check.
"""

from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Not pages of ours to judge, or not pages at all: the admin is Django's, the API's browsable pages are
# DRF's, calendar feeds and exports are files, and logging out ends the crawl's session.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/", "/__")
SKIPPED_SUFFIXES = (".ics", ".csv", ".json", ".svg", ".png")
URLS_PER_VIEW = 2
MAX_PAGES = 90

ENTRANCE_PAGES = ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/")


@dataclass(frozen=True)
class CrawledPage:
    url: str
    view_name: str
    html: str


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(base_url: str, html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url, _fragment = urldefrag(urljoin(base_url, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path
        if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
            continue
        links.append(path + (f"?{parts.query}" if parts.query else ""))
    return links


def _view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def crawl(user=None, *, start: tuple[str, ...] = ("/",)) -> list[CrawledPage]:
    """The pages `user` (None: an anonymous visitor) reaches from `start` by links, breadth first."""
    client = Client()
    if user is not None:
        client.force_login(user)
    queue = deque(start)
    seen = set(start)
    per_view: Counter[str] = Counter()
    pages: list[CrawledPage] = []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        view_name = _view_name(url)
        if view_name is None or per_view[view_name] >= URLS_PER_VIEW:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        per_view[view_name] += 1
        html = response.content.decode()
        pages.append(CrawledPage(url=url, view_name=view_name, html=html))
        for link in _links(url, html):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages
