import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class BookyUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A Booky member. Usernames and emails are unique regardless of case."""

    email = models.EmailField("email address", max_length=254)
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=1000, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", choices=timezone_choices)

    objects = BookyUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.UniqueConstraint(
                Lower("email"), name="user_email_unique_ci", condition=~models.Q(email="")
            ),
        ]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        """What other members see: the display name, or the username when none is set."""
        return self.display_name or self.username
