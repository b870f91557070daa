"""The discussion API: its answers, the gate in every read, and bad input answered 4xx with a JSON body."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from meetings.discussion import services
from meetings.discussion.models import Post, PostReaction, PostReport
from tests.meetings.discussion.conftest import set_page

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_post_list_detail_and_replies_carry_text_only_where_the_reader_may_read(cast, meeting):
    secret = services.post_create(
        author=cast.owner, meeting=meeting, body="The SECRETPHRASE", spoiler_page=200
    )
    services.post_create(author=cast.owner, meeting=meeting, body="Open words", spoiler_page=10)
    services.post_create(author=cast.owner, meeting=meeting, body="Reply SECRETPHRASE", parent=secret)
    client = api_as(cast.member)
    listing = client.get(f"/api/v1/meetings/{meeting.pk}/posts/")
    assert listing.status_code == 200
    assert "SECRETPHRASE" not in listing.content.decode()
    by_id = {post["id"]: post for post in listing.json()["results"]}
    assert by_id[secret.pk]["body"] is None and by_id[secret.pk]["seen"] == "spoiler"
    assert by_id[secret.pk]["placeholder"] == "About page 200 — you are on page 100"
    assert by_id[secret.pk]["replies"][0]["body"] is None
    assert "SECRETPHRASE" not in client.get(f"/api/v1/posts/{secret.pk}/").content.decode()
    assert "SECRETPHRASE" not in client.get(f"/api/v1/posts/{secret.pk}/replies/").content.decode()
    revealed = client.post(f"/api/v1/posts/{secret.pk}/reveal/")
    assert revealed.json()["body"] == "The SECRETPHRASE"
    set_page(meeting, cast.member, 250)  # the reply is about its author's page, 250
    assert (
        client.get(f"/api/v1/posts/{secret.pk}/replies/").json()["results"][0]["body"] == "Reply SECRETPHRASE"
    )


def test_create_edit_react_report_and_delete(cast, meeting):
    client = api_as(cast.member)
    created = client.post(
        f"/api/v1/meetings/{meeting.pk}/posts/", {"body": "*Hi*", "spoiler_page": 40}, format="json"
    )
    assert created.status_code == 201, created.content
    post = created.json()
    assert post["spoiler_page"] == 40 and post["body_html"] == "<p><em>Hi</em></p>"
    edited = client.patch(f"/api/v1/posts/{post['id']}/", {"body": "Hello", "version": 1}, format="json")
    assert edited.json()["body"] == "Hello" and edited.json()["edited_at"]
    stale = client.patch(f"/api/v1/posts/{post['id']}/", {"body": "Again", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    owner = api_as(cast.owner)
    assert (
        owner.post(f"/api/v1/posts/{post['id']}/reactions/", {"kind": "love"}, format="json").status_code
        == 201
    )
    again = owner.post(f"/api/v1/posts/{post['id']}/reactions/", {"kind": "love"}, format="json")
    assert again.status_code == 200
    assert {"kind": "love", "emoji": "❤️", "count": 1, "mine": True} in again.json()["reactions"]
    assert owner.delete(f"/api/v1/posts/{post['id']}/reactions/love/").status_code == 200
    assert not PostReaction.objects.exists()
    assert (
        owner.post(f"/api/v1/posts/{post['id']}/report/", {"reason": "Spam"}, format="json").status_code
        == 201
    )
    assert (
        owner.post(f"/api/v1/posts/{post['id']}/report/", {"reason": "Spam"}, format="json").status_code
        == 200
    )
    assert PostReport.objects.count() == 1
    reply = owner.post(f"/api/v1/posts/{post['id']}/replies/", {"body": "Re"}, format="json")
    assert reply.status_code == 201 and reply.json()["parent"] == post["id"]
    kept = client.delete(f"/api/v1/posts/{post['id']}/")
    assert kept.status_code == 200 and kept.json()["status"] == "deleted" and kept.json()["body"] is None
    assert owner.delete(f"/api/v1/posts/{reply.json()['id']}/").status_code == 204


def test_moderation_hides_with_a_reason(cast, meeting):
    post = services.post_create(author=cast.member, meeting=meeting, body="Rude", spoiler_page=0)
    response = api_as(cast.moderator).post(
        f"/api/v1/posts/{post.pk}/moderation/", {"action": "hide", "reason": "Be kind"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "hidden"
    outsider_view = api_as(cast.owner).get(f"/api/v1/posts/{post.pk}/").json()
    assert outsider_view["moderation_reason"] == "Be kind"


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("post", "meetings/{m}/posts/", {}, 400),
        ("post", "meetings/{m}/posts/", {"body": ""}, 400),
        ("post", "meetings/{m}/posts/", {"body": "x" * 5001}, 400),
        ("post", "meetings/{m}/posts/", {"body": 12}, 201),  # DRF reads a number as its text
        ("post", "meetings/{m}/posts/", {"body": ["a"]}, 400),
        ("post", "meetings/{m}/posts/", {"body": "a\x00b"}, 400),
        ("post", "meetings/{m}/posts/", {"body": "ok", "spoiler_page": 10**30}, 400),
        ("post", "meetings/{m}/posts/", {"body": "ok", "spoiler_page": -1}, 400),
        ("post", "meetings/{m}/posts/", {"body": "ok", "spoiler_page": "ten"}, 400),
        ("post", "meetings/{m}/posts/", {"body": "ok", "spoiler_page": 101}, 400),
        ("post", "meetings/999999/posts/", {"body": "ok"}, 404),
        ("get", "meetings/{m}/posts/?page=abc", None, 404),
        ("get", "posts/abc/", None, 404),
        ("get", "posts/99999999999999999999999/", None, 404),
        ("patch", "posts/{p}/", {}, 400),
        ("patch", "posts/{p}/", {"spoiler_page": 10**30}, 400),
        ("patch", "posts/{p}/", {"version": "x", "body": "a"}, 400),
        ("post", "posts/{p}/reactions/", {"kind": "angry"}, 400),
        ("post", "posts/{p}/reactions/", {}, 400),
        ("delete", "posts/{p}/reactions/angry/", None, 400),
        ("post", "posts/{p}/report/", {"reason": ""}, 400),
        ("post", "posts/{p}/report/", {"reason": "x" * 501}, 400),
        ("post", "posts/{p}/replies/", {"body": None}, 400),
    ],
)
def test_bad_input_is_a_4xx_with_a_json_body(cast, meeting, method, path, payload, status):
    post = services.post_create(author=cast.member, meeting=meeting, body="Mine", spoiler_page=0)
    before = Post.objects.count()
    url = "/api/v1/" + path.format(m=meeting.pk, p=post.pk)
    response = getattr(api_as(cast.member), method)(url, payload, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert {"detail", "code"} <= set(response.json())
        assert Post.objects.count() == before


def test_the_list_costs_the_same_queries_for_3_or_30_posts(cast, meeting):
    client = api_as(cast.member)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/meetings/{meeting.pk}/posts/").status_code == 200
        return len(queries)

    def seed(count):
        for number in range(count):
            parent = Post.objects.create(
                meeting=meeting, author=cast.owner, body="p", body_html="<p>p</p>", spoiler_page=number
            )
            Post.objects.create(
                meeting=meeting,
                author=cast.owner,
                parent=parent,
                body="r",
                body_html="<p>r</p>",
                spoiler_page=number,
            )
            Post.objects.filter(pk=parent.pk).update(reply_count=1)

    seed(3)
    few = count_queries()
    seed(27)
    assert count_queries() == few
