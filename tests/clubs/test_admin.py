"""The moderators' admin: changelists, search and filters, and actions that go through the services."""

import pytest
from django.contrib.auth.models import Permission

from clubs.models import Club, JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

CLUBS = "/admin/clubs/club/"
MEMBERSHIPS = "/admin/clubs/membership/"
JOIN_REQUESTS = "/admin/clubs/joinrequest/"


def run_action(client, changelist: str, action: str, rows) -> str:
    response = client.post(
        changelist, {"action": action, "_selected_action": [row.pk for row in rows]}, follow=True
    )
    assert response.status_code == 200
    return response.text


# Changelists ---------------------------------------------------------------------------------------


def test_the_club_changelist_shows_member_counts_and_searches_name_city_and_slug(admin_client):
    porto = ClubFactory(name="Harbour Readers", city="Porto", slug="harbour")
    add_member(porto)
    ClubFactory(name="Lisbon Lit", city="Lisbon", slug="lisbon-lit")

    everything = admin_client.get(CLUBS)
    by_city = admin_client.get(CLUBS, {"q": "porto"})
    by_slug = admin_client.get(CLUBS, {"q": "lisbon-lit"})

    assert everything.status_code == 200
    assert "Harbour Readers" in everything.text and "Lisbon Lit" in everything.text
    assert '<td class="field-member_count">2</td>' in everything.text
    assert "Harbour Readers" in by_city.text and "Lisbon Lit" not in by_city.text
    assert "Lisbon Lit" in by_slug.text and "Harbour Readers" not in by_slug.text


def test_the_club_changelist_filters_by_visibility_and_policy(admin_client):
    ClubFactory(name="Open Shelf")
    ClubFactory(name="Hidden Shelf", visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)

    private = admin_client.get(CLUBS, {"visibility__exact": "private"})
    invite = admin_client.get(CLUBS, {"join_policy__exact": "invite"})

    assert "Hidden Shelf" in private.text and "Open Shelf" not in private.text
    assert "Hidden Shelf" in invite.text and "Open Shelf" not in invite.text


def test_the_membership_changelist_searches_people_and_clubs_and_filters_by_role(admin_client):
    club = ClubFactory(name="Night Owls")
    moderator = add_member(club, UserFactory(username="marguerite"), role=Role.MODERATOR).user
    add_member(ClubFactory(name="Early Birds"), UserFactory(username="bernard"))

    by_user = admin_client.get(MEMBERSHIPS, {"q": "marguerite"})
    by_club = admin_client.get(MEMBERSHIPS, {"q": "early"})
    moderators = admin_client.get(MEMBERSHIPS, {"role__exact": "moderator"})

    assert by_user.status_code == 200
    assert "marguerite" in by_user.text and "bernard" not in by_user.text
    assert "bernard" in by_club.text and "marguerite" not in by_club.text
    assert moderator.username in moderators.text and "bernard" not in moderators.text


def test_the_join_request_changelist_filters_by_status_and_searches(admin_client, cast):
    declined = JoinRequest.objects.create(
        club=cast.club, user=UserFactory(username="declined-dora"), status=JoinRequestStatus.DECLINED
    )

    pending = admin_client.get(JOIN_REQUESTS, {"status__exact": "pending"})
    searched = admin_client.get(JOIN_REQUESTS, {"q": "dora"})

    assert pending.status_code == 200
    assert cast.requester.username in pending.text and declined.user.username not in pending.text
    assert declined.user.username in searched.text and cast.requester.username not in searched.text


# Clubs: add, change, delete, rotate ----------------------------------------------------------------


def test_adding_a_club_in_the_admin_makes_the_chosen_person_its_owner(admin_client):
    founder = UserFactory()
    form = admin_client.get(f"{CLUBS}add/")
    assert form.status_code == 200
    assert 'name="owner"' in form.text

    response = admin_client.post(
        f"{CLUBS}add/",
        {
            "name": " Admin's Club ",
            "description": "",
            "city": "Faro",
            "country": "",
            "visibility": "public",
            "join_policy": "approval",
            "owner": founder.pk,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    club = Club.objects.get()
    assert (club.name, club.slug, club.join_policy) == ("Admin's Club", "admins-club", JoinPolicy.APPROVAL)
    assert list(club.memberships.values_list("user", "role")) == [(founder.pk, Role.OWNER)]


def test_adding_a_club_without_an_owner_is_refused(admin_client):
    response = admin_client.post(
        f"{CLUBS}add/", {"name": "Orphan", "visibility": "public", "join_policy": "open", "_save": "Save"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Club.objects.exists()


def test_changing_a_club_in_the_admin_keeps_its_slug_and_code(admin_client, cast):
    club = cast.club
    slug, code = club.slug, club.invite_code
    page = admin_client.get(f"{CLUBS}{club.pk}/change/")
    assert page.status_code == 200

    response = admin_client.post(
        f"{CLUBS}{club.pk}/change/",
        {
            "name": "Renamed By Staff",
            "description": club.description,
            "city": club.city,
            "country": club.country,
            "visibility": "private",
            "join_policy": club.join_policy,
            "slug": "ignored",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    club.refresh_from_db()
    assert (club.name, club.visibility, club.slug, club.invite_code) == (
        "Renamed By Staff",
        Visibility.PRIVATE,
        slug,
        code,
    )


def test_deleting_a_club_in_the_admin_removes_its_memberships_and_requests(admin_client, cast):
    confirm = admin_client.get(f"{CLUBS}{cast.club.pk}/delete/")
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.text

    response = admin_client.post(f"{CLUBS}{cast.club.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Club.objects.exists()
    assert not Membership.objects.exists()
    assert not JoinRequest.objects.exists()


def test_rotating_invite_codes_replaces_each_selected_clubs_code(admin_client):
    first, second, untouched = ClubFactory(), ClubFactory(), ClubFactory()
    old = {club.pk: club.invite_code for club in (first, second, untouched)}

    text = run_action(admin_client, CLUBS, "rotate_invite_codes", [first, second])

    assert "Invite links reset: 2." in text
    for club in (first, second, untouched):
        club.refresh_from_db()
    assert first.invite_code != old[first.pk]
    assert second.invite_code != old[second.pk]
    assert untouched.invite_code == old[untouched.pk]


# Join requests -------------------------------------------------------------------------------------


def test_approving_selected_requests_makes_members_and_records_the_moderator(admin_client, admin_user, cast):
    second = JoinRequest.objects.create(club=ClubFactory(), user=UserFactory())
    first = JoinRequest.objects.get(user=cast.requester)

    text = run_action(admin_client, JOIN_REQUESTS, "approve_requests", [first, second])

    assert "Approved: 2." in text
    for join_request in (first, second):
        join_request.refresh_from_db()
        assert (join_request.status, join_request.decided_by) == (JoinRequestStatus.APPROVED, admin_user)
        assert Membership.objects.get(club=join_request.club, user=join_request.user).role == Role.MEMBER


def test_declining_selected_requests_keeps_the_requesters_out(admin_client, cast):
    join_request = JoinRequest.objects.get(user=cast.requester)

    text = run_action(admin_client, JOIN_REQUESTS, "decline_requests", [join_request])

    assert "Declined: 1." in text
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(user=cast.requester).exists()


def test_a_request_already_decided_is_reported_and_left_alone(admin_client, cast):
    decided = JoinRequest.objects.create(
        club=cast.club, user=UserFactory(), status=JoinRequestStatus.DECLINED
    )

    text = run_action(admin_client, JOIN_REQUESTS, "approve_requests", [decided])

    assert "This request was already declined." in text
    decided.refresh_from_db()
    assert decided.status == JoinRequestStatus.DECLINED
    assert not Membership.objects.filter(user=decided.user).exists()


def test_join_requests_cannot_be_added_or_edited_directly(admin_client, cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    assert admin_client.get(f"{JOIN_REQUESTS}add/").status_code == 403
    admin_client.post(f"{JOIN_REQUESTS}{join_request.pk}/change/", {"status": "approved"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


# Memberships ---------------------------------------------------------------------------------------


def test_role_actions_promote_and_demote_but_never_touch_the_owner(admin_client, cast):
    member = Membership.objects.get(user=cast.member)
    owner = Membership.objects.get(user=cast.owner)

    promoted = run_action(admin_client, MEMBERSHIPS, "make_moderators", [member, owner])
    member.refresh_from_db()
    owner.refresh_from_db()
    assert "Made moderators: 1." in promoted
    assert "To make someone the owner, transfer ownership." not in promoted
    assert "The owner cannot be demoted" in promoted
    assert (member.role, owner.role) == (Role.MODERATOR, Role.OWNER)

    demoted = run_action(admin_client, MEMBERSHIPS, "make_members", [member])
    member.refresh_from_db()
    assert "Made plain members: 1." in demoted
    assert member.role == Role.MEMBER


def test_removing_selected_members_spares_the_owner(admin_client, cast):
    rows = list(Membership.objects.filter(club=cast.club))

    text = run_action(admin_client, MEMBERSHIPS, "remove_members", rows)

    assert "Removed from their clubs: 2." in text
    assert "The owner cannot be removed." in text
    assert list(cast.club.memberships.values_list("user", flat=True)) == [cast.owner.pk]


def test_an_owner_membership_cannot_be_deleted_from_its_page(admin_client, cast):
    owner = Membership.objects.get(user=cast.owner)
    assert admin_client.post(f"{MEMBERSHIPS}{owner.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_deleting_a_membership_from_its_page_goes_through_the_service(admin_client, cast):
    member = Membership.objects.get(user=cast.member)
    response = admin_client.post(f"{MEMBERSHIPS}{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_staff_who_may_only_look_get_no_moderation_actions(client, cast):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_joinrequest", "view_membership"])
    )
    client.force_login(viewer)
    join_request = JoinRequest.objects.get(user=cast.requester)

    page = client.get(JOIN_REQUESTS)
    assert page.status_code == 200
    assert "approve_requests" not in page.text
    client.post(JOIN_REQUESTS, {"action": "approve_requests", "_selected_action": [join_request.pk]})

    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING
    assert "make_moderators" not in client.get(MEMBERSHIPS).text


def test_a_request_can_be_approved_from_its_own_page(admin_client, cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    page = admin_client.get(f"{JOIN_REQUESTS}{join_request.pk}/change/")
    assert page.status_code == 200
    assert "Approve this request: the requester becomes a member" in page.text

    response = admin_client.post(
        f"{JOIN_REQUESTS}{join_request.pk}/change/",
        {"CHANGE_FORM-action": "approve_requests", "_selected_action": [join_request.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Approved: 1." in response.text
    assert Membership.objects.get(club=cast.club, user=cast.requester).role == Role.MEMBER


def test_the_owner_field_finds_people_by_username(admin_client):
    UserFactory(username="virginia")
    UserFactory(username="james")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "clubs", "model_name": "membership", "field_name": "user", "term": "virg"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["virginia"]
