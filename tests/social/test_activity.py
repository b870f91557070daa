"""The home page's activity feed: friends' finished books, bet wins and clubs joined in the last 30
days, respecting privacy (profile visibility, blocks, private clubs), in a constant number of queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from bets.models import Bet, BetStatus
from booky.site.activity import activity_feed
from clubs.models import Membership, Visibility
from meetings.models import Attendance
from social.models import Block, ProfileVisibility
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


def _finish(user, meeting, when=None):
    return Attendance.objects.create(
        meeting=meeting,
        user=user,
        finished=True,
        finished_at=when or timezone.now(),
        current_page=meeting.target_page,
    )


def _win(user, meeting, payout=42):
    horse = UserFactory()
    return Bet.objects.create(
        meeting=meeting, bettor=user, horse=horse, amount=10, status=BetStatus.WON, payout=payout
    )


@pytest.fixture
def viewer():
    return UserFactory()


def _friend(viewer, **kwargs):
    friend = UserFactory(**kwargs)
    befriend(viewer, friend)
    return friend


def test_feed_shows_friends_finished_books_wins_and_new_clubs_newest_first(viewer):
    friend = _friend(viewer)
    club = ClubFactory()
    meeting = MeetingFactory(club=club)
    joined = add_member(club, friend)
    Membership.objects.filter(pk=joined.pk).update(joined_at=timezone.now() - timedelta(days=3))
    _finish(friend, meeting, timezone.now() - timedelta(days=1))
    _win(friend, meeting)
    kinds = [item.kind for item in activity_feed(viewer)]
    assert kinds == ["bet_won", "finished", "joined"]


def test_strangers_and_old_events_are_not_in_the_feed(viewer):
    stranger = UserFactory()
    friend = _friend(viewer)
    meeting = MeetingFactory()
    _finish(stranger, meeting)
    _finish(friend, meeting, timezone.now() - timedelta(days=31))
    assert activity_feed(viewer) == []


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [(ProfileVisibility.PUBLIC, True), (ProfileVisibility.FRIENDS, True), (ProfileVisibility.PRIVATE, False)],
)
def test_friends_profile_visibility_decides_whether_they_appear(viewer, visibility, shown):
    friend = _friend(viewer, profile_visibility=visibility)
    _finish(friend, MeetingFactory())
    assert bool(activity_feed(viewer)) is shown


@pytest.mark.parametrize("direction", ["viewer_blocks", "friend_blocks"])
def test_blocked_users_never_appear(viewer, direction):
    friend = _friend(viewer)
    _finish(friend, MeetingFactory())
    blocker, blocked = (viewer, friend) if direction == "viewer_blocks" else (friend, viewer)
    Block.objects.create(blocker=blocker, blocked=blocked)
    assert activity_feed(viewer) == []


def test_private_clubs_show_only_to_their_members(viewer):
    friend = _friend(viewer)
    private = ClubFactory(visibility=Visibility.PRIVATE)
    add_member(private, friend)
    _finish(friend, MeetingFactory(club=private))
    _win(friend, MeetingFactory(club=private))
    assert activity_feed(viewer) == []
    add_member(private, viewer)
    assert sorted(item.kind for item in activity_feed(viewer)) == ["bet_won", "finished", "joined"]


def test_lost_bets_and_unfinished_books_are_not_news(viewer):
    friend = _friend(viewer)
    meeting = MeetingFactory()
    Attendance.objects.create(meeting=meeting, user=friend, current_page=10)
    Bet.objects.create(
        meeting=meeting, bettor=friend, horse=UserFactory(), amount=5, status=BetStatus.LOST, payout=0
    )
    assert activity_feed(viewer) == []


def test_dashboard_shows_the_feed_in_a_fixed_number_of_queries(client, viewer, django_assert_num_queries):
    def add_events(count):
        for _ in range(count):
            friend = _friend(viewer)
            club = ClubFactory()
            add_member(club, friend)
            meeting = MeetingFactory(club=club)
            _finish(friend, meeting)
            _win(friend, meeting)

    add_events(3)
    client.force_login(viewer)
    # Session, user, memberships, next meeting, balance, unread count, the feed's five.
    with django_assert_num_queries(11):
        client.get("/")
    add_events(6)
    cache.clear()  # the feed is kept for a minute
    with django_assert_num_queries(11):
        page = client.get("/").text
    shown = page.count("finished <a href=") + page.count("betting on") + page.count("joined <a href=")
    assert shown == 20  # 27 events, the newest 20


def test_the_feed_is_read_once_a_minute_not_on_every_visit(client, viewer, django_assert_num_queries):
    friend = _friend(viewer, display_name="Early Eve")
    _finish(friend, MeetingFactory())
    client.force_login(viewer)
    first = client.get("/").text
    later_friend = _friend(viewer, display_name="Late Larry")
    _finish(later_friend, MeetingFactory())

    with django_assert_num_queries(6):  # the feed's five queries are not run again
        within_the_minute = client.get("/").text
    cache.clear()  # the minute has passed
    after_the_minute = client.get("/").text

    assert "Early Eve" in first and "Early Eve" in within_the_minute
    assert "Late Larry" not in within_the_minute
    assert "Late Larry" in after_the_minute


def test_dashboard_feed_has_an_empty_state(client, viewer):
    client.force_login(viewer)
    assert "No news from your friends in the last 30 days." in client.get("/").text


def test_dashboard_feed_escapes_names_and_links_to_profiles(client, viewer):
    friend = _friend(viewer, display_name="<i>Eve</i>")
    _finish(friend, MeetingFactory())
    client.force_login(viewer)
    page = client.get("/").text
    assert "&lt;i&gt;Eve&lt;/i&gt;" in page
    assert f'href="/u/{friend.username}/"' in page
