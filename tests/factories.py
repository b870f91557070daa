from datetime import timedelta

import factory
from django.utils import timezone

from clubs.models import Club, JoinPolicy, Membership, Role, Visibility
from social.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClubFactory(factory.django.DjangoModelFactory):
    """A club with its owner membership (as club_create makes it)."""

    class Meta:
        model = Club
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Book Club {n}")
    slug = factory.Sequence(lambda n: f"book-club-{n}")
    description = "We read and we talk."
    city = "Lisbon"
    country = "Portugal"
    visibility = Visibility.PUBLIC
    join_policy = JoinPolicy.OPEN

    @factory.post_generation
    def owner(club, create, extracted, **kwargs):
        if create:
            Membership.objects.create(club=club, user=extracted or UserFactory(), role=Role.OWNER)


def add_member(club: Club, user: User | None = None, role: str = Role.MEMBER) -> Membership:
    return Membership.objects.create(club=club, user=user or UserFactory(), role=role)


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "books.Book"

    title = factory.Sequence(lambda n: f"Novel Number {n}")
    authors = factory.LazyFunction(lambda: ["Jane Writer"])
    page_count = 300
    source = "manual"


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled meeting a week from now, about a 300-page book, with target page 300."""

    class Meta:
        model = "meetings.Meeting"

    club = factory.SubFactory(ClubFactory)
    book = factory.SubFactory(BookFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    duration_minutes = 120
    place = "The back room of Café Livro"
    target_page = factory.LazyAttribute(lambda meeting: meeting.book.page_count or 100)
