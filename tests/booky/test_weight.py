"""What a page weighs: HTML gzip-compressed for clients that accept it, and the few static files each
page loads (one stylesheet and one script of our own, besides Pico and htmx)."""

import gzip
import re

import pytest
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from booky.core.compression import TextGZipMiddleware
from meetings import services as meeting_services
from meetings.models import Attendance
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(client):
    owner = UserFactory(username="owner")
    club = ClubFactory(owner=owner)
    book = BookFactory(title="Anna Karenina")
    meeting = MeetingFactory(club=club, book=book)
    Attendance.objects.create(meeting=meeting, user=owner)
    client.force_login(owner)
    return {"owner": owner, "club": club, "meeting": meeting}


def main_pages(world) -> dict[str, str]:
    return {
        "dashboard": reverse("home"),
        "meeting page": reverse("meetings:detail", args=[world["meeting"].pk]),
        "club page": reverse("clubs:detail", args=[world["club"].slug]),
        "book search": reverse("books:search") + "?q=anna",
        "settings": reverse("social:settings"),
        "leaderboards": reverse("bets:leaderboards"),
        "friends": reverse("people:friends"),
    }


def _without_per_response_secrets(html: str) -> str:
    # Django masks the CSRF token afresh in every response (the BREACH mitigation) and the CSP nonce is
    # new each time, so two renderings of one page differ there and only there.
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value="|nonce=")[^"]+"', r'\1…"', html)


# Compression -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["dashboard", "meeting page", "settings"])
def test_a_page_comes_back_gzipped_when_the_client_accepts_it_and_decodes_to_the_page(client, world, page):
    url = main_pages(world)[page]
    plain = client.get(url)
    packed = client.get(url, **GZIP)

    assert packed.status_code == plain.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) / 2
    unpacked = gzip.decompress(packed.content).decode()
    assert _without_per_response_secrets(unpacked) == _without_per_response_secrets(plain.content.decode())


def test_without_accept_encoding_the_page_is_plain_and_says_it_varies(client, world):
    response = client.get(reverse("home"))
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(b"<!doctype html>")
    assert "Accept-Encoding" in response["Vary"]


def test_a_client_that_accepts_only_other_encodings_gets_plain_html(client, world):
    response = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="br;q=1, identity;q=0.5")
    assert not response.has_header("Content-Encoding")


def test_htmx_fragments_are_compressed_too(client, world):
    response = client.get(reverse("books:search") + "?q=anna", **GZIP, **HX)
    assert response["Content-Encoding"] == "gzip"
    fragment = gzip.decompress(response.content).decode()
    assert 'id="book-results"' in fragment and "<html" not in fragment
    assert {"HX-Request", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}


def test_the_api_and_the_calendar_feed_are_compressed_and_decode(client, world):
    ClubFactory.create_batch(5)  # a list long enough to be worth compressing (200 bytes or more)
    api = client.get("/api/v1/clubs/", **GZIP)
    assert api["Content-Encoding"] == "gzip"
    assert b'"results"' in gzip.decompress(api.content)

    token = meeting_services.calendar_feed_get_or_create(user=world["owner"]).token
    client.logout()
    feed = client.get(reverse("meetings:feed", args=[token]), **GZIP)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert feed["Content-Encoding"] == "gzip"
    body = gzip.decompress(feed.content)
    assert body.startswith(b"BEGIN:VCALENDAR") and b"END:VCALENDAR" in body


def _through_middleware(response):
    request = RequestFactory().get("/", **GZIP)
    return TextGZipMiddleware(lambda request: response)(request)


def test_streamed_text_is_compressed_as_it_streams():
    lines = [f"line {n}\n".encode() for n in range(200)]
    response = _through_middleware(StreamingHttpResponse(iter(lines), content_type="text/plain"))
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == b"".join(lines)


def test_files_that_are_compressed_already_pass_through_untouched(tmp_path):
    picture = tmp_path / "avatar.webp"
    picture.write_bytes(b"RIFF" + bytes(range(256)) * 8)
    response = _through_middleware(FileResponse(picture.open("rb"), content_type="image/webp"))
    assert not response.has_header("Content-Encoding")
    assert response["Content-Length"] == str(picture.stat().st_size)
    assert b"".join(response.streaming_content) == picture.read_bytes()
    response.close()


def test_a_strong_etag_turns_weak_once_compressed():
    # RFC 9110: the gzipped body is a different representation; If-None-Match still matches (weakly).
    page = HttpResponse("<p>hello</p>" * 50, content_type="text/html")
    page["ETag"] = '"v1"'
    assert _through_middleware(page)["ETag"] == 'W/"v1"'


# Static files per page -----------------------------------------------------------------------------

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r"<script\b([^>]*)>")


def _assets(html: str) -> tuple[list[str], list[str]]:
    scripts = SCRIPT.findall(html)
    # The Content-Security-Policy allows no inline script without the response's nonce.
    assert all("src=" in attrs or "nonce=" in attrs for attrs in scripts), scripts
    return STYLESHEET.findall(html), [re.search(r'src="([^"]+)"', a).group(1) for a in scripts if "src=" in a]


@pytest.mark.parametrize(
    "page", ["dashboard", "meeting page", "club page", "book search", "settings", "leaderboards", "friends"]
)
def test_every_main_page_loads_two_stylesheets_and_two_scripts(client, world, page):
    styles, scripts = _assets(client.get(main_pages(world)[page]).content.decode())
    assert styles == ["/static/vendor/pico/pico.jade.min.css", "/static/booky/booky.css"]
    assert len(scripts) == 2
    assert scripts[-1] == "/static/booky/booky.js"
    assert "htmx" in scripts[0]  # django-htmx's own copy, served from our static files


def test_a_visitor_loads_the_same_two_files(client, db):
    styles, scripts = _assets(client.get(reverse("home")).content.decode())
    assert len(styles) == 2 and len(scripts) == 2
