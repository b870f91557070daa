"""A host can no longer steer a race with bets on it: moving the start earlier or changing the target
page or the book refunds every open bet (a ledger row and a notification saying why), and the edit
form warns first. A started meeting can be neither edited nor cancelled, only completed, and the
page, the forms and the API say so."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import Conflict
from meetings import services as meeting_services
from meetings.models import Meeting, MeetingStatus
from social.models import Notification, NotificationKind
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _balance(user) -> int:
    return Account.objects.get(user=user).balance


def _bets(cast, race):
    """The member backs the owner with 20, the moderator backs the member with 10."""
    return (
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=20),
        services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=10),
    )


def _update(cast, race, **changes):
    race.refresh_from_db()
    return meeting_services.meeting_update(
        actor=cast.owner, meeting=race, expected_version=race.version, **changes
    )


def _refund_notices(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=NotificationKind.BET_REFUNDED).values_list(
            "message", flat=True
        )
    )


def _started(race, minutes_ago=5):
    starts_at = timezone.now() - timedelta(minutes=minutes_ago)
    Meeting.objects.filter(pk=race.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    race.refresh_from_db()


# --- the refund ---------------------------------------------------------------------------------------


def test_moving_the_start_earlier_refunds_every_open_bet_and_says_why(cast, race):
    member_bet, moderator_bet = _bets(cast, race)

    _update(cast, race, starts_at=race.starts_at - timedelta(days=2))

    assert _balance(cast.member) == 100 and _balance(cast.moderator) == 100
    assert set(Bet.objects.values_list("status", flat=True)) == {BetStatus.REFUNDED}
    refunds = LedgerEntry.objects.filter(reason=Reason.REFUND).order_by("bet")
    assert [(entry.bet_id, entry.amount) for entry in refunds] == [
        (member_bet.pk, 20),
        (moderator_bet.pk, 10),
    ]
    assert {entry.note for entry in refunds} == {"The hosts moved the start earlier"}
    title = race.display_title
    assert _refund_notices(cast.member) == [
        f"Bet refunded 20 on “{title}”: The hosts moved the start earlier. You can bet again."
    ]
    assert len(_refund_notices(cast.moderator)) == 1
    assert not audit_points().problems


def test_lowering_the_target_refunds_with_the_old_and_new_page(cast, race):
    _bets(cast, race)

    _update(cast, race, target_page=200)

    (notice,) = _refund_notices(cast.member)
    assert notice.startswith("Bet refunded 20 on “")
    assert notice.endswith(": The hosts lowered the target page from 300 to 200. You can bet again.")
    assert _balance(cast.member) == 100
    assert not Bet.objects.filter(status=BetStatus.OPEN).exists()


@pytest.mark.parametrize(
    "changes, why",
    [
        ({"target_page": 250, "starts_at": "earlier"}, "moved the start earlier and lowered the target page"),
        ({"book": "other"}, "changed the book"),
    ],
)
def test_several_changes_are_named_together(cast, race, changes, why):
    _bets(cast, race)
    if changes.get("starts_at") == "earlier":
        changes["starts_at"] = race.starts_at - timedelta(hours=1)
    if changes.get("book") == "other":
        changes["book"] = BookFactory(page_count=300)

    _update(cast, race, **changes)

    assert why in _refund_notices(cast.member)[0]


def test_raising_the_target_refunds_too_because_it_takes_finishes_away(cast, race):
    _bets(cast, race)
    meeting_services.attendance_progress(user=cast.owner, meeting=race, finished=True)
    race.book.page_count = 400
    race.book.save()

    _update(cast, race, target_page=400)

    assert "raised the target page from 300 to 400" in _refund_notices(cast.member)[0]
    assert _balance(cast.member) == 100


@pytest.mark.parametrize(
    "changes",
    [
        {"place": "The park"},
        {"title": "Spring read", "description": "Bring snacks", "duration_minutes": 90},
        {"starts_at": "later"},
        {"target_page": 300},
    ],
)
def test_changes_that_do_not_touch_the_race_keep_the_bets(cast, race, changes):
    _bets(cast, race)
    if changes.get("starts_at") == "later":
        changes["starts_at"] = race.starts_at + timedelta(days=1)

    _update(cast, race, **changes)

    assert Bet.objects.filter(status=BetStatus.OPEN).count() == 2
    assert _refund_notices(cast.member) == [] and _balance(cast.member) == 80


def test_a_refunded_bettor_may_bet_again_and_settlement_pays_only_the_new_bet(cast, race):
    _bets(cast, race)
    _update(cast, race, target_page=100)
    again = services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    meeting_services.attendance_progress(user=cast.owner, meeting=race, finished=True)

    assert services.meeting_resolve_bets(meeting_id=race.pk, now=race.starts_at + timedelta(minutes=1))

    again.refresh_from_db()
    assert (again.status, again.payout) == (BetStatus.WON, 30)  # alone in the pool: the stake back
    assert _balance(cast.member) == 100
    assert not audit_points().problems


def test_my_points_ledger_says_why_the_stake_came_back(client, cast, race):
    _bets(cast, race)
    _update(cast, race, target_page=120)
    client.force_login(cast.member)

    ledger = client.get("/points/").text

    assert "Bet refunded: The hosts lowered the target page from 300 to 120" in ledger


def test_no_bets_no_refund_and_no_notification(cast, race):
    _update(cast, race, target_page=10)
    assert not Notification.objects.filter(kind=NotificationKind.BET_REFUNDED).exists()
    assert not LedgerEntry.objects.filter(reason=Reason.REFUND).exists()


# --- the edit form (page and fragment) ---------------------------------------------------------------


def _edit_data(race, **overrides):
    data = {
        "book": str(race.book_id),
        "title": race.title,
        "starts_at": race.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": str(race.duration_minutes),
        "place": race.place,
        "online_link": "",
        "target_page": str(race.target_page),
        "description": "",
        "version": str(race.version),
    }
    data.update(overrides)
    return data


def test_the_edit_form_warns_before_saving_when_bets_exist(client, cast, race):
    client.force_login(cast.owner)
    assert 'id="refund-warning"' not in client.get(f"/meetings/{race.pk}/edit/").text
    _bets(cast, race)

    page = client.get(f"/meetings/{race.pk}/edit/").text
    fragment = client.get(f"/meetings/{race.pk}/edit/", headers=HX).text

    for html in (page, fragment):
        warning = html.split('id="refund-warning"')[1].split("</p>")[0]
        assert "2 open bets on this meeting." in warning
        assert "refunds every open bet when you save" in warning
    assert "<html" not in fragment


def test_saving_a_lower_target_through_the_form_refunds_and_says_so(client, cast, race):
    _bets(cast, race)
    client.force_login(cast.owner)

    response = client.post(f"/meetings/{race.pk}/edit/", _edit_data(race, target_page="150"), follow=True)

    assert "Meeting saved. The race changed, so 2 open bets were refunded; each bettor was told why." in (
        response.text
    )
    assert _balance(cast.member) == 100


def test_saving_the_form_unchanged_keeps_the_bets_though_it_shows_no_seconds(client, cast, race):
    Meeting.objects.filter(pk=race.pk).update(starts_at=race.starts_at.replace(second=42, microsecond=7))
    race.refresh_from_db()
    _bets(cast, race)
    client.force_login(cast.owner)

    response = client.post(f"/meetings/{race.pk}/edit/", _edit_data(race, place="Upstairs"), headers=HX)

    assert response.status_code == 200 and response["HX-Redirect"] == f"/meetings/{race.pk}/"
    assert Bet.objects.filter(status=BetStatus.OPEN).count() == 2
    race.refresh_from_db()
    assert race.place == "Upstairs" and race.starts_at.second == 42


def test_api_patch_moving_the_start_earlier_refunds(cast, race):
    _bets(cast, race)
    api = APIClient()
    api.force_authenticate(cast.owner)

    response = api.patch(
        f"/api/v1/meetings/{race.pk}/",
        {"starts_at": (race.starts_at - timedelta(days=1)).isoformat(), "version": race.version},
        format="json",
    )

    assert response.status_code == 200
    assert not Bet.objects.filter(status=BetStatus.OPEN).exists()
    assert "moved the start earlier" in _refund_notices(cast.moderator)[0]
    bets = api.get(f"/api/v1/meetings/{race.pk}/bets/").json()
    assert bets["pool"] == 0


# --- a started meeting: complete only --------------------------------------------------------------


def test_a_started_meeting_page_offers_complete_but_no_edit_or_cancel(client, cast, race):
    client.force_login(cast.owner)
    before = client.get(f"/meetings/{race.pk}/").text
    assert "Cancel meeting" in before and "Edit or reschedule" in before
    _started(race)

    page = client.get(f"/meetings/{race.pk}/").text

    manage = page.split('aria-label="Manage this meeting"')[1].split("</nav>")[0]
    assert "Mark as completed" in manage
    assert "Cancel meeting" not in manage and "Edit or reschedule" not in manage
    assert "It has started: it can no longer be edited or cancelled." in manage


def test_the_edit_form_of_a_started_meeting_says_why_and_offers_complete(client, cast, race):
    _started(race)
    client.force_login(cast.owner)

    page = client.get(f"/meetings/{race.pk}/edit/")
    fragment = client.get(f"/meetings/{race.pk}/edit/", headers=HX)

    for response in (page, fragment):
        assert response.status_code == 200
        assert "This meeting has started, so it can no longer be edited, rescheduled or cancelled" in (
            response.text
        )
        assert 'name="starts_at"' not in response.text
        assert f'action="/meetings/{race.pk}/complete/"' in response.text
    assert "<html" not in fragment.text


def test_saving_the_edit_form_of_a_started_meeting_is_409_and_changes_nothing(client, cast, race):
    _bets(cast, race)
    _started(race)
    client.force_login(cast.owner)

    response = client.post(f"/meetings/{race.pk}/edit/", _edit_data(race, target_page="10"), headers=HX)

    assert response.status_code == 409
    assert "can no longer be edited, rescheduled or cancelled" in response.text
    race.refresh_from_db()
    assert race.target_page == 300
    assert Bet.objects.filter(status=BetStatus.OPEN).count() == 2


def test_the_cancel_page_of_a_started_meeting_says_why_and_refuses(client, cast, race):
    _started(race)
    client.force_login(cast.owner)

    page = client.get(f"/meetings/{race.pk}/cancel/")
    assert page.status_code == 200
    assert "it can no longer be edited, rescheduled or cancelled" in page.text
    assert 'name="reason"' not in page.text

    for headers in ({}, HX):
        response = client.post(f"/meetings/{race.pk}/cancel/", {"reason": "Rain"}, headers=headers)
        assert response.status_code == 409
        assert "can no longer be edited, rescheduled or cancelled" in response.text
    race.refresh_from_db()
    assert race.status == MeetingStatus.SCHEDULED


def test_the_api_refuses_cancelling_or_editing_a_started_meeting_with_clear_json(cast, race):
    _started(race)
    api = APIClient()
    api.force_authenticate(cast.owner)

    cancel = api.delete(f"/api/v1/meetings/{race.pk}/", {"reason": "Rain"}, format="json")
    edit = api.patch(
        f"/api/v1/meetings/{race.pk}/", {"target_page": 10, "version": race.version}, format="json"
    )
    complete = api.post(f"/api/v1/meetings/{race.pk}/complete/")

    assert cancel.status_code == 409
    assert cancel.json() == {
        "detail": "This meeting has started: it cannot be cancelled any more, only completed once it is over.",
        "code": "already_started",
    }
    assert edit.status_code == 409 and edit.json()["code"] == "already_started"
    assert complete.status_code == 200 and complete.json()["status"] == "completed"


def test_cancelling_a_started_meeting_in_the_service_is_refused(cast, race):
    _started(race)
    with pytest.raises(Conflict, match="only completed"):
        meeting_services.meeting_cancel(actor=cast.owner, meeting=race)
