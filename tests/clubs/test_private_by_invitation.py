"""A private club takes members by invitation only: "private" with "approval" (a request nobody outside
can make, since outsiders cannot see the club) is refused everywhere a club is set up, with one message,
and the database refuses it too. Existing such clubs became invite-only in a data migration."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from clubs.models import Club, JoinPolicy, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

MESSAGE = "A private club takes members by invitation only"
PRIVATE_BY_APPROVAL = {
    "name": "Quiet Shelf",
    "description": "",
    "city": "",
    "country": "",
    "visibility": "private",
    "join_policy": "approval",
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_the_create_form_refuses_private_by_approval(client, user, htmx):
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post("/clubs/new/", PRIVATE_BY_APPROVAL, headers=headers)

    assert response.status_code == 422
    assert MESSAGE in response.text
    assert ("<html" in response.text) is not htmx
    assert not Club.objects.filter(name="Quiet Shelf").exists()


def test_the_edit_form_refuses_making_an_approval_club_private(client):
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    owner = club.memberships.get().user
    client.force_login(owner)

    response = client.post(f"/clubs/{club.slug}/edit/", {**PRIVATE_BY_APPROVAL, "name": club.name})

    assert response.status_code == 422
    assert MESSAGE in response.text
    club.refresh_from_db()
    assert (club.visibility, club.join_policy) == (Visibility.PUBLIC, JoinPolicy.APPROVAL)


def test_the_api_refuses_creating_a_private_club_by_approval(user):
    api = APIClient()
    api.force_authenticate(user)

    response = api.post("/api/v1/clubs/", PRIVATE_BY_APPROVAL, format="json")

    assert response.status_code == 400
    body = response.json()
    assert MESSAGE in body["detail"] and body["code"]
    assert MESSAGE in " ".join(body["errors"]["join_policy"])
    assert not Club.objects.filter(name="Quiet Shelf").exists()


@pytest.mark.parametrize(
    "start, change",
    [
        ({"join_policy": JoinPolicy.APPROVAL}, {"visibility": "private"}),
        ({"visibility": Visibility.PRIVATE, "join_policy": JoinPolicy.INVITE}, {"join_policy": "approval"}),
    ],
    ids=["make-private", "make-approval"],
)
def test_the_api_refuses_a_patch_that_makes_a_private_club_by_approval(start, change):
    club = ClubFactory(**start)
    api = APIClient()
    api.force_authenticate(club.memberships.get().user)

    response = api.patch(f"/api/v1/clubs/{club.slug}/", change, format="json")

    assert response.status_code == 400
    assert MESSAGE in response.json()["detail"]
    club.refresh_from_db()
    assert (club.visibility, club.join_policy) == (start.get("visibility", "public"), start["join_policy"])


def test_a_private_invite_only_club_and_a_public_approval_club_are_fine(user):
    api = APIClient()
    api.force_authenticate(user)

    private = api.post("/api/v1/clubs/", {**PRIVATE_BY_APPROVAL, "join_policy": "invite"}, format="json")
    public = api.post(
        "/api/v1/clubs/", {**PRIVATE_BY_APPROVAL, "name": "Open Shelf", "visibility": "public"}, format="json"
    )

    assert private.status_code == 201 and public.status_code == 201


def test_the_admin_refuses_private_by_approval(admin_client):
    founder = UserFactory()

    response = admin_client.post(
        "/admin/clubs/club/add/", {**PRIVATE_BY_APPROVAL, "owner": founder.pk, "_save": "Save"}
    )

    assert response.status_code == 200
    assert MESSAGE in response.text
    assert not Club.objects.filter(name="Quiet Shelf").exists()


def test_the_database_refuses_private_by_approval():
    club = ClubFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Club.objects.filter(pk=club.pk).update(join_policy=JoinPolicy.APPROVAL)


# serialized_rollback: its flush must not recreate content types under new ids, which would break
# the next test that restores the serialized database (the PostgreSQL concurrency tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_makes_existing_private_approval_clubs_invite_only():
    executor = MigrationExecutor(connection)
    before, after = [("clubs", "0003_clubinvitation")], [("clubs", "0004_club_private_not_by_approval")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldClub = old_apps.get_model("clubs", "Club")
    stuck = OldClub.objects.create(
        name="Stuck", slug="stuck", visibility="private", join_policy="approval", invite_code="stuck-code"
    )
    public = OldClub.objects.create(
        name="Asking", slug="asking", visibility="public", join_policy="approval", invite_code="asking-code"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Club.objects.get(pk=stuck.pk).join_policy == JoinPolicy.INVITE
    assert Club.objects.get(pk=public.pk).join_policy == JoinPolicy.APPROVAL
    add_member(Club.objects.get(pk=stuck.pk))  # the migrated club is usable as usual
