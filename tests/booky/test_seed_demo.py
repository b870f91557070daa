import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from clubs.models import Club, JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Role, Visibility
from social.models import User

DEMO_USERNAMES = {"ada", "bruno", "chiara", "dev", "elena", "farid", "grace", "hiro"}


def demo_state():
    return {
        "users": set(User.objects.values_list("username", "display_name")),
        "emails": set(EmailAddress.objects.values_list("email", "verified", "primary")),
        "clubs": set(Club.objects.values_list("slug", "visibility", "join_policy", "invite_code")),
        "memberships": set(Membership.objects.values_list("club__slug", "user__username", "role")),
        "join_requests": set(JoinRequest.objects.values_list("club__slug", "user__username", "status")),
    }


def test_seed_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_runs_with_debug_on(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert set(User.objects.values_list("username", flat=True)) == DEMO_USERNAMES


def test_running_seed_demo_twice_changes_nothing(db, capsys):
    call_command("seed_demo", "--force")
    first = demo_state()
    call_command("seed_demo", "--force")
    assert demo_state() == first
    assert "nothing changed" in capsys.readouterr().out
    assert len(first["users"]) == 8
    assert len(first["clubs"]) == 4


def test_demo_clubs_cover_every_visibility_policy_and_role(db):
    call_command("seed_demo", "--force")
    kinds = set(Club.objects.values_list("visibility", "join_policy"))
    assert kinds == {
        (Visibility.PUBLIC, JoinPolicy.OPEN),
        (Visibility.PUBLIC, JoinPolicy.APPROVAL),
        (Visibility.PRIVATE, JoinPolicy.INVITE),
        (Visibility.PUBLIC, JoinPolicy.INVITE),
    }
    for club in Club.objects.all():
        roles = set(club.memberships.values_list("role", flat=True))
        assert roles == {Role.OWNER, Role.MODERATOR, Role.MEMBER}, club.name
    pending = JoinRequest.objects.filter(status=JoinRequestStatus.PENDING)
    assert pending.count() == 2
    assert {request.club.join_policy for request in pending} == {JoinPolicy.APPROVAL}


def test_demo_users_log_in_with_the_demo_password_and_verified_email(db, client, settings):
    call_command("seed_demo", "--force")
    assert client.login(username="ada", password=settings.BOOKY_DEMO_PASSWORD)
    ada = User.objects.get(username="ada")
    assert ada.display_name == "Ada Okonkwo"
    assert EmailAddress.objects.filter(user=ada, email=ada.email, verified=True, primary=True).exists()


def test_seed_demo_keeps_existing_accounts_as_they_are(db):
    User.objects.create_user(username="ada", email="ada@example.com", password="her-own-password-42")
    call_command("seed_demo", "--force")
    ada = User.objects.get(username="ada")
    assert ada.check_password("her-own-password-42")
    assert User.objects.filter(username__iexact="ada").count() == 1
