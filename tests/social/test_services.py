"""user_update_profile: the one write path for a member's profile."""

import pytest

from booky.core.errors import DomainError
from social.services import user_update_profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_update_saves_trimmed_values():
    user = UserFactory()
    user_update_profile(
        user=user, display_name="  Ada  ", bio=" Line one\r\nLine two ", timezone="America/New_York"
    )
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.timezone) == ("Ada", "Line one\nLine two", "America/New_York")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"display_name": "a" * 81}, "Display name can be at most 80 characters (it has 81)."),
        ({"display_name": "Ada\x00"}, "Display name may not contain null characters."),
        ({"display_name": "Ada\nLovelace"}, "Display name must fit on one line."),
        ({"bio": "b" * 1001}, "Bio can be at most 1000 characters (it has 1001)."),
        ({"bio": "\x00"}, "Bio may not contain null characters."),
        ({"timezone": "Mars/Base"}, "Choose a time zone from the list, e.g. Europe/Lisbon."),
        ({"timezone": "Europe/Lisbon\x00"}, "Choose a time zone from the list, e.g. Europe/Lisbon."),
        ({"timezone": "EST"}, "Choose a time zone from the list, e.g. Europe/Lisbon."),
        ({"display_name": None}, "Display name must be text."),
    ],
)
def test_invalid_profile_is_refused_and_nothing_changes(changes, message):
    user = UserFactory(display_name="Before", bio="Old bio", timezone="UTC")
    values = {"display_name": "Ada", "bio": "", "timezone": "UTC", **changes}
    with pytest.raises(DomainError) as refused:
        user_update_profile(user=user, **values)
    assert refused.value.message == message
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.timezone) == ("Before", "Old bio", "UTC")
