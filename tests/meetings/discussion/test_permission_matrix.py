"""Every discussion action × every role, over the HTML page, the htmx fragment and the API: who may do
it, and that a refused request changes nothing. The post acted on is by another member ("author"),
about page 0, in a public club (so outsiders can see the meeting, not the posts)."""

import pytest
from django.urls import reverse

from meetings.discussion import services
from meetings.discussion.models import Post, PostReaction, PostReport, PostReveal
from tests.factories import add_member
from tests.matrix import CONFLICT, FORBIDDEN, LOGIN, MISSING, OK, check_api, check_data, send_api, send_page
from tests.matrix import check_page as check_matrix_page

pytestmark = pytest.mark.django_db

ROLES = ["author", "owner", "moderator", "member", "outsider", "anonymous"]
MEMBERS = {"author": OK, "owner": OK, "moderator": OK, "member": OK, "outsider": MISSING, "anonymous": LOGIN}
HOSTS = {
    "author": FORBIDDEN,
    "owner": OK,
    "moderator": OK,
    "member": FORBIDDEN,
    "outsider": MISSING,
    "anonymous": LOGIN,
}
AUTHOR = {
    "author": OK,
    "owner": FORBIDDEN,
    "moderator": FORBIDDEN,
    "member": FORBIDDEN,
    "outsider": MISSING,
    "anonymous": LOGIN,
}
OTHERS = {
    **MEMBERS,
    "author": CONFLICT,
}  # reporting one's own post is refused (422 on the page, 400 in the API)

# name: (method, url(meeting, post, club), data, expected by role, writes data)
HTML_ACTIONS = {
    "read the discussion": (
        "get",
        lambda m, p, c: reverse("meetings:discussion", args=[m.pk]),
        {},
        {**MEMBERS, "outsider": OK, "anonymous": OK},
        False,
    ),
    "post": (
        "post",
        lambda m, p, c: reverse("meetings:post_create", args=[m.pk]),
        {"body": "New!", "spoiler_page": "0"},
        {**MEMBERS, "outsider": FORBIDDEN},
        True,
    ),
    "reply": (
        "post",
        lambda m, p, c: reverse("meetings:post_reply", args=[p.pk]),
        {"body": "Re!"},
        MEMBERS,
        True,
    ),
    "react": (
        "post",
        lambda m, p, c: reverse("meetings:post_react", args=[p.pk]),
        {"kind": "love"},
        MEMBERS,
        True,
    ),
    "reveal": ("post", lambda m, p, c: reverse("meetings:post_reveal", args=[p.pk]), {}, MEMBERS, True),
    "edit": (
        "post",
        lambda m, p, c: reverse("meetings:post_edit", args=[p.pk]),
        {"body": "Changed", "spoiler_page": "0", "version": "1"},
        AUTHOR,
        True,
    ),
    "delete": ("post", lambda m, p, c: reverse("meetings:post_delete", args=[p.pk]), {}, AUTHOR, True),
    "report": (
        "post",
        lambda m, p, c: reverse("meetings:post_report", args=[p.pk]),
        {"reason": "Spam"},
        OTHERS,
        True,
    ),
    "hide": (
        "post",
        lambda m, p, c: reverse("meetings:post_moderate", args=[p.pk]),
        {"action": "hide", "reason": "Rude"},
        HOSTS,
        True,
    ),
    "see the reports": (
        "get",
        lambda m, p, c: reverse("meetings:reports", args=[c.slug]),
        {},
        {**HOSTS, "outsider": FORBIDDEN},
        False,
    ),
}
API_ACTIONS = {
    "list posts": (
        "get",
        lambda m, p: f"/api/v1/meetings/{m.pk}/posts/",
        None,
        {**MEMBERS, "outsider": FORBIDDEN, "anonymous": FORBIDDEN},
        False,
    ),
    "create a post": (
        "post",
        lambda m, p: f"/api/v1/meetings/{m.pk}/posts/",
        {"body": "New!", "spoiler_page": 0},
        {**MEMBERS, "outsider": FORBIDDEN},
        True,
    ),
    "read a post": (
        "get",
        lambda m, p: f"/api/v1/posts/{p.pk}/",
        None,
        {**MEMBERS, "anonymous": MISSING},
        False,
    ),
    "edit a post": ("patch", lambda m, p: f"/api/v1/posts/{p.pk}/", {"body": "Changed"}, AUTHOR, True),
    "delete a post": ("delete", lambda m, p: f"/api/v1/posts/{p.pk}/", None, AUTHOR, True),
    "list replies": (
        "get",
        lambda m, p: f"/api/v1/posts/{p.pk}/replies/",
        None,
        {**MEMBERS, "anonymous": MISSING},
        False,
    ),
    "reply": ("post", lambda m, p: f"/api/v1/posts/{p.pk}/replies/", {"body": "Re!"}, MEMBERS, True),
    "react": ("post", lambda m, p: f"/api/v1/posts/{p.pk}/reactions/", {"kind": "love"}, MEMBERS, True),
    "reveal": ("post", lambda m, p: f"/api/v1/posts/{p.pk}/reveal/", None, MEMBERS, True),
    "report": ("post", lambda m, p: f"/api/v1/posts/{p.pk}/report/", {"reason": "Spam"}, OTHERS, True),
    "hide": (
        "post",
        lambda m, p: f"/api/v1/posts/{p.pk}/moderation/",
        {"action": "hide", "reason": "Rude"},
        HOSTS,
        True,
    ),
}


@pytest.fixture
def scene(cast, meeting):
    author = add_member(cast.club).user
    post = services.post_create(author=author, meeting=meeting, body="Hello all", spoiler_page=0)
    services.reaction_add(user=cast.owner, post=post, kind="like")
    people = {"author": author, "owner": cast.owner, "moderator": cast.moderator, "member": cast.member}
    people["outsider"] = cast.outsider
    return meeting, post, people


def snapshot(post):
    row = Post.objects.filter(pk=post.pk).values("body", "status", "version", "reply_count").first()
    return (
        Post.objects.count(),
        row,
        PostReaction.objects.count(),
        PostReveal.objects.count(),
        PostReport.objects.count(),
    )


def check_page(response, outcome, *, htmx):
    if outcome == CONFLICT:  # a refused report re-renders its form (or the thread) with the message
        assert response.status_code == 422, response.status_code
        return
    check_matrix_page(response, outcome, htmx=htmx)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(HTML_ACTIONS))
def test_html_and_htmx(client, scene, action, role, htmx):
    meeting, post, people = scene
    method, url, data, expected, writes = HTML_ACTIONS[action]
    if role != "anonymous":
        client.force_login(people[role])
    before = snapshot(post)
    response = send_page(
        client,
        method,
        url(meeting, post, meeting.club),
        data,
        htmx=htmx,
        current_url=meeting.get_absolute_url(),
    )
    check_page(response, expected[role], htmx=htmx)
    check_data(before, snapshot(post), outcome=expected[role], changes_data=writes)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(API_ACTIONS))
def test_api(scene, action, role):
    meeting, post, people = scene
    method, url, payload, expected, writes = API_ACTIONS[action]
    before = snapshot(post)
    response = send_api(people.get(role), method, url(meeting, post), payload)
    outcome = expected[role]
    if outcome == CONFLICT:
        assert response.status_code == 400 and response.json()["code"] == "own_post"
    else:
        check_api(response, outcome)
    check_data(before, snapshot(post), outcome=outcome, changes_data=writes)
