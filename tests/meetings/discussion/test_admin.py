"""The moderators' admin for the discussion: posts and reports load for a superuser and for a site
moderator (the "Moderators" group), with search and filters; the actions call the services, write
nothing without a reason, and the posts' changelist costs the same queries for 3 posts as for 30."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.discussion import services
from meetings.discussion.models import Post, PostReport, PostStatus, ReportStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POSTS = "/admin/meetings/post/"
REPORTS = "/admin/meetings/postreport/"
MARKER = "The lighthouse keeper was the narrator"


@pytest.fixture
def site_moderator(client):
    staff = UserFactory(username="modesta", is_staff=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    return client


@pytest.fixture(params=["superuser", "site_moderator"])
def staff_client(request, admin_client):
    if request.param == "superuser":
        return admin_client
    return request.getfixturevalue("site_moderator")


@pytest.fixture
def post(cast, meeting):
    return services.post_create(author=cast.owner, meeting=meeting, body=MARKER, spoiler_page=200)


@pytest.fixture
def report(cast, meeting, post):
    services.post_reveal(user=cast.member, post=post)
    return services.post_report(reporter=cast.member, post=post, reason="Spoils the ending")


def _post_fresh(post) -> Post:
    return Post.objects.get(pk=post.pk)


# Pages -----------------------------------------------------------------------------------------


def test_posts_changelist_and_change_page_load_with_search_and_filters(
    staff_client, cast, meeting, post, report
):
    services.post_create(author=cast.owner, meeting=meeting, body="A reply", parent=post)
    pages = [
        staff_client.get(POSTS),
        staff_client.get(POSTS, {"q": "lighthouse"}),
        staff_client.get(POSTS, {"q": cast.owner.username}),
        staff_client.get(POSTS, {"q": cast.club.name}),
        staff_client.get(POSTS, {"status__exact": "published", "meeting__club__id__exact": cast.club.pk}),
        staff_client.get(POSTS, {"created_at__gte": "2000-01-01 00:00:00+00:00"}),
    ]
    assert [page.status_code for page in pages] == [200] * len(pages)
    assert '<td class="field-spoiler_page">200</td>' in pages[0].text
    assert '<td class="field-reply_count">1</td>' in pages[1].text
    nothing = staff_client.get(POSTS, {"q": "no such words anywhere"})
    assert "0 posts" in nothing.text

    change = staff_client.get(f"{POSTS}{post.pk}/change/")
    assert change.status_code == 200
    assert MARKER in change.text  # moderators read what they judge
    assert "Spoils the ending" in change.text  # the reports, inline
    assert 'name="body"' not in change.text  # read-only: members write posts, not the admin
    assert staff_client.get(f"{POSTS}add/").status_code == 403


def test_reports_changelist_lists_open_reports_first_and_searches(staff_client, cast, meeting, post, report):
    other = services.post_create(author=cast.owner, meeting=meeting, body="Second", spoiler_page=10)
    old = services.post_report(reporter=cast.member, post=other, reason="Rude words")
    services.report_dismiss(actor=cast.owner, report=old)
    pages = [
        staff_client.get(REPORTS),
        staff_client.get(REPORTS, {"q": "ending"}),
        staff_client.get(REPORTS, {"q": cast.member.username}),
        staff_client.get(REPORTS, {"q": "lighthouse"}),
        staff_client.get(REPORTS, {"status__exact": "open"}),
        staff_client.get(f"{REPORTS}{report.pk}/change/"),
    ]
    assert [page.status_code for page in pages] == [200] * len(pages)
    listing = pages[0].text
    assert listing.index("Spoils the ending") < listing.index("Rude words")
    assert "Rude words" not in pages[1].text and "Spoils the ending" in pages[3].text
    assert "Rude words" not in pages[4].text


def test_members_without_staff_rights_see_no_posts(client, cast, post):
    client.force_login(cast.owner)
    assert client.get(POSTS).status_code == 302  # to the admin's login


def test_staff_who_do_not_moderate_meetings_get_no_posts_and_no_actions(client, post):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(POSTS).status_code == 403
    assert client.get(REPORTS).status_code == 403
    _act(client, POSTS, "hide_posts", [post], reason="No", apply_moderation="1")
    assert _post_fresh(post).status == PostStatus.PUBLISHED


# Actions ---------------------------------------------------------------------------------------


def _act(client, url, action, rows, **extra):
    return client.post(url, {"action": action, "_selected_action": [row.pk for row in rows], **extra})


def test_hiding_asks_for_a_reason_first_and_writes_nothing_without_one(staff_client, post, report):
    first = _act(staff_client, POSTS, "hide_posts", [post])
    assert first.status_code == 200
    assert 'name="reason"' in first.text and 'name="apply_moderation"' in first.text
    assert f'name="_selected_action" value="{post.pk}"' in first.text
    assert _post_fresh(post).status == PostStatus.PUBLISHED

    blank = _act(staff_client, POSTS, "hide_posts", [post], reason="   ", apply_moderation="1")
    assert blank.status_code == 422
    assert "Say why" in blank.text
    assert _post_fresh(post).status == PostStatus.PUBLISHED

    done = _act(staff_client, POSTS, "hide_posts", [post], reason="Spoiler", apply_moderation="1")
    assert done.status_code == 302
    hidden = _post_fresh(post)
    assert (hidden.status, hidden.moderation_reason) == (PostStatus.HIDDEN, "Spoiler")
    assert PostReport.objects.get(pk=report.pk).status == ReportStatus.ACTIONED


def test_remove_and_restore_call_the_services(staff_client, cast, post):
    removed = services.post_create(author=cast.owner, meeting=post.meeting, body="Another", spoiler_page=5)
    _act(staff_client, POSTS, "remove_posts", [removed], reason="Off topic", apply_moderation="1")
    assert _post_fresh(removed).status == PostStatus.REMOVED

    services.post_moderate(actor=cast.owner, post=post, action="hide", reason="Later")
    response = _act(staff_client, POSTS, "restore_posts", [post, removed])
    assert response.status_code == 302
    assert _post_fresh(post).status == PostStatus.PUBLISHED
    assert _post_fresh(removed).status == PostStatus.REMOVED  # only a hidden post is restored
    page = staff_client.get(POSTS)
    assert "Only a hidden post can be restored." in page.text and "Restored: 1." in page.text


def test_hiding_from_the_posts_own_page(staff_client, post):
    url = f"{POSTS}{post.pk}/change/"
    data = {"CHANGE_FORM-action": "hide_posts", "_selected_action": [post.pk]}
    assert staff_client.post(url, data).status_code == 200
    assert _post_fresh(post).status == PostStatus.PUBLISHED
    response = staff_client.post(url, {**data, "reason": "Spoiler", "apply_moderation": "1"})
    assert response.status_code == 302
    assert _post_fresh(post).status == PostStatus.HIDDEN


def test_report_actions_dismiss_or_act_on_the_post(staff_client, cast, meeting, post, report):
    response = _act(staff_client, REPORTS, "dismiss_reports", [report])
    assert response.status_code == 302
    assert PostReport.objects.get(pk=report.pk).status == ReportStatus.DISMISSED
    again = services.post_report(reporter=cast.member, post=post, reason="Still a spoiler")

    asked = _act(staff_client, REPORTS, "remove_reported_posts", [again])
    assert asked.status_code == 200 and 'name="reason"' in asked.text
    assert _post_fresh(post).status == PostStatus.PUBLISHED
    _act(staff_client, REPORTS, "remove_reported_posts", [again], reason="Spoiler", apply_moderation="1")
    assert _post_fresh(post).status == PostStatus.REMOVED
    assert PostReport.objects.get(pk=again.pk).status == ReportStatus.ACTIONED

    other = services.post_create(author=cast.owner, meeting=meeting, body="Third", spoiler_page=5)
    third = services.post_report(reporter=cast.member, post=other, reason="Mean")
    _act(staff_client, REPORTS, "hide_reported_posts", [third], reason="Mean", apply_moderation="1")
    assert _post_fresh(other).status == PostStatus.HIDDEN


# Query count -----------------------------------------------------------------------------------


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(POSTS).status_code == 200
    return len(queries)


def test_the_posts_changelist_costs_the_same_for_3_and_30_posts(admin_client, cast, meeting):
    def add(count):
        for index in range(count):
            Post.objects.create(
                meeting=meeting,
                author=cast.owner,
                body=f"Post {index}",
                spoiler_page=index,
                reply_count=index,
            )

    add(3)
    few = _changelist_queries(admin_client)
    add(27)
    many = _changelist_queries(admin_client)
    assert few == many
