"""Creating, editing and deleting a club through the HTML pages."""

import pytest

from clubs.models import Club, JoinPolicy, Membership, Role, Visibility
from tests.factories import ClubFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
VALID = {
    "name": "Porto Poets",
    "description": "Verse on Thursdays.",
    "city": "Porto",
    "country": "Portugal",
    "visibility": "public",
    "join_policy": "approval",
}


# --- create -----------------------------------------------------------------------------------------


def test_create_page_shows_the_form_with_help_texts(client, user):
    client.force_login(user)
    response = client.get("/clubs/new/")
    assert response.status_code == 200
    assert "<html" in response.text
    assert 'name="name"' in response.text and 'maxlength="80"' in response.text
    assert "Private clubs are hidden from the directory" in response.text
    assert "Approval: moderators approve requests" in response.text


def test_create_form_fragment_for_htmx(client, user):
    client.force_login(user)
    response = client.get("/clubs/new/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="club-form"' in response.text


def test_create_asks_anonymous_visitors_to_log_in(client, db):
    assert client.get("/clubs/new/")["Location"].startswith("/accounts/login/?next=/clubs/new/")
    response = client.post("/clubs/new/", VALID)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Club.objects.exists()


def test_creating_a_club_makes_me_its_owner_and_shows_its_page(client, user):
    client.force_login(user)
    response = client.post("/clubs/new/", VALID, follow=True)

    club = Club.objects.get()
    assert (club.name, club.city, club.visibility, club.join_policy) == (
        "Porto Poets",
        "Porto",
        Visibility.PUBLIC,
        JoinPolicy.APPROVAL,
    )
    assert Membership.objects.get(club=club).user == user
    assert Membership.objects.get(club=club).role == Role.OWNER
    assert response.redirect_chain == [(f"/clubs/{club.slug}/", 302)]
    assert "Porto Poets is ready" in response.text


def test_creating_with_htmx_redirects_through_hx_redirect(client, user):
    client.force_login(user)
    response = client.post("/clubs/new/", VALID, headers=HX)
    club = Club.objects.get()
    assert response["HX-Redirect"] == f"/clubs/{club.slug}/"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 81}, "Ensure this value has at most 80 characters (it has 81)."),
        ({"name": "Nul\x00Club"}, "Null characters are not allowed."),
        ({"city": "Por\x00to"}, "Null characters are not allowed."),
        ({"visibility": "secret"}, "Select a valid choice. secret is not one of the available choices."),
        ({"join_policy": "bribe"}, "Select a valid choice. bribe is not one of the available choices."),
        ({"visibility": ""}, "This field is required."),
    ],
    ids=[
        "empty",
        "blank",
        "overlong",
        "nul-name",
        "nul-city",
        "bad-visibility",
        "bad-policy",
        "no-visibility",
    ],
)
def test_invalid_club_input_is_refused_with_422_and_nothing_is_created(client, user, changes, error):
    client.force_login(user)
    response = client.post("/clubs/new/", {**VALID, **changes})
    assert response.status_code == 422
    assert "<html" in response.text
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Club.objects.exists()


def test_invalid_create_with_htmx_swaps_the_form_with_errors(client, user):
    client.force_login(user)
    response = client.post("/clubs/new/", {**VALID, "name": "x" * 81}, headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'id="club-form"' in response.text
    assert "at most 80 characters" in response.text
    assert "HX-Redirect" not in response


def test_create_rejects_get_only_methods(client, user):
    client.force_login(user)
    assert client.put("/clubs/new/").status_code == 405


# --- edit -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "moderator"])
def test_owner_and_moderators_edit_the_club(client, cast, role):
    client.force_login(cast.user_for(role))
    page = client.get(f"/clubs/{cast.club.slug}/edit/")
    assert page.status_code == 200
    assert f'value="{cast.club.name}"' in page.text

    response = client.post(f"/clubs/{cast.club.slug}/edit/", {**VALID, "name": "Renamed Club"}, follow=True)

    cast.club.refresh_from_db()
    assert cast.club.name == "Renamed Club"
    assert cast.club.join_policy == JoinPolicy.APPROVAL
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/", 302)]
    assert "Club details saved." in response.text


def test_edit_keeps_the_slug(client, cast):
    slug = cast.club.slug
    client.force_login(cast.owner)
    client.post(f"/clubs/{slug}/edit/", {**VALID, "name": "Totally Different"})
    cast.club.refresh_from_db()
    assert cast.club.slug == slug


def test_edit_fragment_for_htmx(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/edit/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="club-form"' in response.text


def test_invalid_edit_is_refused_with_422_and_nothing_changes(client, cast):
    client.force_login(cast.owner)
    old_name = cast.club.name
    response = client.post(f"/clubs/{cast.club.slug}/edit/", {**VALID, "name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.text
    cast.club.refresh_from_db()
    assert cast.club.name == old_name


def test_members_and_outsiders_of_a_public_club_may_not_edit_it(client, cast):
    for person in (cast.member, cast.outsider):
        client.force_login(person)
        assert client.get(f"/clubs/{cast.club.slug}/edit/").status_code == 403
        assert client.post(f"/clubs/{cast.club.slug}/edit/", {**VALID, "name": "Hijacked"}).status_code == 403
    cast.club.refresh_from_db()
    assert cast.club.name != "Hijacked"


def test_outsiders_of_a_private_club_get_404_on_edit(client, cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.outsider)
    assert client.get(f"/clubs/{cast.club.slug}/edit/").status_code == 404


def test_anonymous_edit_goes_to_login(client, cast):
    response = client.get(f"/clubs/{cast.club.slug}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/clubs/{cast.club.slug}/edit/"


def test_anonymous_htmx_post_is_sent_to_login_with_hx_redirect(client, cast):
    response = client.post(
        f"/clubs/{cast.club.slug}/edit/",
        VALID,
        headers={**HX, "HX-Current-URL": f"http://testserver/clubs/{cast.club.slug}/edit/"},
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=%2Fclubs%2F{cast.club.slug}%2Fedit%2F"


# --- delete -----------------------------------------------------------------------------------------


def test_delete_page_asks_the_owner_to_type_the_name(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/delete/")
    assert response.status_code == 200
    assert "Type the club&#x27;s name to confirm" in response.text


def test_deleting_with_the_right_name_removes_the_club(client, cast):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": cast.club.name}, follow=True)
    assert not Club.objects.filter(pk=cast.club.pk).exists()
    assert response.redirect_chain == [("/clubs/mine/", 302)]
    assert f"{cast.club.name} was deleted." in response.text


def test_deleting_with_htmx_redirects_to_my_clubs(client, cast):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": cast.club.name}, headers=HX)
    assert response["HX-Redirect"] == "/clubs/mine/"
    assert not Club.objects.filter(pk=cast.club.pk).exists()


@pytest.mark.parametrize("typed", ["", "wrong name", "Nul\x00"])
def test_deleting_with_a_wrong_name_is_refused_with_422(client, cast, typed):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": typed}, headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'id="delete-form"' in response.text
    assert Club.objects.filter(pk=cast.club.pk).exists()


def test_wrong_name_message_tells_what_to_type(client, cast):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": "nope"})
    assert f"Type “{cast.club.name}” exactly" in response.text


def test_only_the_owner_may_delete(client, cast):
    for person in (cast.moderator, cast.member, cast.outsider):
        client.force_login(person)
        assert client.get(f"/clubs/{cast.club.slug}/delete/").status_code == 403
        assert (
            client.post(f"/clubs/{cast.club.slug}/delete/", {"confirm_name": cast.club.name}).status_code
            == 403
        )
    assert Club.objects.filter(pk=cast.club.pk).exists()


def test_edit_and_delete_of_an_unknown_club_are_404(client, user):
    client.force_login(user)
    assert client.get("/clubs/no-such-club/edit/").status_code == 404
    assert client.post("/clubs/no-such-club/delete/", {"confirm_name": "x"}).status_code == 404


def test_duplicate_names_get_their_own_address(client, user):
    ClubFactory(name="Porto Poets", slug="porto-poets")
    client.force_login(user)
    client.post("/clubs/new/", VALID)
    assert Club.objects.filter(name="Porto Poets").count() == 2
    assert Club.objects.filter(slug="porto-poets-2").exists()
