"""Relative times read as people say them, on every page that shows one: "just now", never "0 minutes ago"."""

from datetime import UTC, datetime, timedelta

import pytest

from booky.core.durations import relative_time
from clubs.models import JoinRequest

NOW = datetime(2030, 5, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (NOW - timedelta(seconds=5), "just now"),
        (NOW - timedelta(seconds=29), "just now"),
        (NOW - timedelta(minutes=1), "1 minute ago"),
        (NOW - timedelta(minutes=5), "5 minutes ago"),
        (NOW - timedelta(hours=2), "2 hours ago"),
        (NOW + timedelta(seconds=20), "in under a minute"),
        (NOW + timedelta(days=6, hours=23), "in 7 days"),
        (NOW + timedelta(days=1), "in 1 day"),
    ],
)
def test_a_moment_reads_in_one_rounded_unit(moment, words):
    assert relative_time(moment, NOW) == words


@pytest.mark.django_db
def test_a_request_asked_a_moment_ago_reads_just_now_for_the_moderators_and_the_requester(client, cast):
    JoinRequest.objects.filter(user=cast.requester).update(
        created_at=datetime.now(UTC) - timedelta(seconds=3)
    )

    client.force_login(cast.owner)
    queue = client.get(f"/clubs/{cast.club.slug}/requests/")
    client.force_login(cast.requester)
    mine = client.get("/clubs/mine/")

    for page in (queue, mine):
        assert "Asked" in page.text
        assert "just now" in page.text and "0 minutes" not in page.text
