"""Demo users and clubs for trying Booky locally: every visibility, join policy and role.

Idempotent: what already exists is left alone, so running it again changes nothing.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from booky.site import demo_activity
from clubs import services
from clubs.models import Club, JoinPolicy, JoinRequest, Membership, Role, Visibility
from social.models import User


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    timezone: str
    bio: str


@dataclass(frozen=True)
class DemoClub:
    name: str
    owner: str
    visibility: str
    join_policy: str
    city: str
    country: str
    description: str
    moderators: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    pending_requests: tuple[str, ...] = ()


USERS = (
    DemoUser("ada", "Ada Okonkwo", "Europe/Lisbon", "Reads on the tram. Always three books at once."),
    DemoUser("bruno", "Bruno Ferreira", "Europe/Lisbon", "Crime novels and long footnotes."),
    DemoUser("chiara", "Chiara Bianchi", "Europe/Rome", "Russian classics, one slow chapter at a time."),
    DemoUser("dev", "Dev Malhotra", "Asia/Kolkata", "Science fiction, the harder the better."),
    DemoUser("elena", "Elena Petrova", "Europe/Berlin", "Poetry, essays and whatever is on the attic shelf."),
    DemoUser("farid", "Farid Haddad", "Asia/Beirut", "Translated fiction and travel writing."),
    DemoUser("grace", "Grace Mensah", "Africa/Accra", "Finishes first, bets on herself."),
    DemoUser("hiro", "Hiro Tanaka", "Asia/Tokyo", "Short stories, big opinions."),
)

CLUBS = (
    DemoClub(
        name="Lisbon Night Readers",
        owner="ada",
        visibility=Visibility.PUBLIC,
        join_policy=JoinPolicy.OPEN,
        city="Lisbon",
        country="Portugal",
        description="A book a month, read against the clock, argued about over pastéis de nata.",
        moderators=("bruno",),
        members=("chiara", "dev", "grace"),
    ),
    DemoClub(
        name="Slow Classics Society",
        owner="chiara",
        visibility=Visibility.PUBLIC,
        join_policy=JoinPolicy.APPROVAL,
        city="Rome",
        country="Italy",
        description="Big old novels, fifty pages a week. Ask to join and tell us your favourite classic.",
        moderators=("ada",),
        members=("elena",),
        pending_requests=("farid", "hiro"),
    ),
    DemoClub(
        name="The Attic Circle",
        owner="elena",
        visibility=Visibility.PRIVATE,
        join_policy=JoinPolicy.INVITE,
        city="Berlin",
        country="Germany",
        description="A small circle of friends. Members only, by invite link.",
        moderators=("farid",),
        members=("bruno",),
    ),
    DemoClub(
        name="Speculative Fiction Sprint",
        owner="hiro",
        visibility=Visibility.PUBLIC,
        join_policy=JoinPolicy.INVITE,
        city="Tokyo",
        country="Japan",
        description="Anyone can look; members join with an invite link from the club.",
        moderators=("dev",),
        members=("grace", "ada"),
    ),
)


class Command(BaseCommand):
    help = "Load demo users and clubs (idempotent). Runs only with DEBUG=1, or with --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though DEBUG is off (the demo password is public).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a publicly known password, so it runs only with DEBUG=1. "
                "Use --force to load the demo data anyway."
            )
        self.created = {
            "users": 0,
            "clubs": 0,
            "memberships": 0,
            "join requests": 0,
            "friendships and requests": 0,
            "meetings": 0,
            "discussion posts": 0,
            "shelf entries": 0,
            "next-book polls": 0,
            "ratings, reading plans and series": 0,
        }
        with transaction.atomic():
            users = {spec.username: self.ensure_user(spec) for spec in USERS}
            for spec in CLUBS:
                self.ensure_club(spec, users)
            demo_activity.ensure_points_accounts(users)
            self.created["friendships and requests"] += demo_activity.ensure_friendships(users)
            self.created["meetings"] += demo_activity.ensure_meetings(users)
            self.created["discussion posts"] += demo_activity.ensure_discussions(users)
            self.created["shelf entries"] += demo_activity.ensure_shelves(users)
            self.created["next-book polls"] += demo_activity.ensure_polls(users)
            self.created["ratings, reading plans and series"] += demo_activity.ensure_reviews_and_plan(users)

        if any(self.created.values()):
            summary = ", ".join(f"{count} {what}" for what, count in self.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: created {summary}."))
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(
            f"Demo logins: {', '.join(spec.username for spec in USERS)} "
            f"(password: {settings.BOOKY_DEMO_PASSWORD})"
        )

    def ensure_user(self, spec: DemoUser) -> User:
        user = User.objects.filter(username__iexact=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username,
                email=f"{spec.username}@example.com",
                password=settings.BOOKY_DEMO_PASSWORD,
                display_name=spec.display_name,
                timezone=spec.timezone,
                bio=spec.bio,
            )
            self.created["users"] += 1
        if user.email:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        return user

    def ensure_club(self, spec: DemoClub, users: dict[str, User]) -> Club:
        club = Club.objects.filter(name=spec.name).first()
        if club is None:
            club = services.club_create(
                owner=users[spec.owner],
                name=spec.name,
                description=spec.description,
                city=spec.city,
                country=spec.country,
                visibility=spec.visibility,
                join_policy=spec.join_policy,
            )
            self.created["clubs"] += 1
        owner = club.memberships.get(role=Role.OWNER).user
        for username in spec.moderators:
            membership = self.ensure_member(club, owner, users[username])
            if membership is not None:
                services.membership_set_role(actor=owner, membership=membership, role=Role.MODERATOR)
        for username in spec.members:
            self.ensure_member(club, owner, users[username])
        for username in spec.pending_requests:
            self.ensure_pending_request(club, users[username])
        return club

    def ensure_member(self, club: Club, owner: User, user: User) -> Membership | None:
        """Join the way the club's policy allows; None when the user was a member already."""
        if Membership.objects.filter(club=club, user=user).exists():
            return None
        if club.visibility == Visibility.PUBLIC and club.join_policy == JoinPolicy.OPEN:
            membership = services.club_join(user=user, club=club).membership
        elif club.visibility == Visibility.PUBLIC and club.join_policy == JoinPolicy.APPROVAL:
            join_request = services.club_join(user=user, club=club).join_request
            membership = services.join_request_approve(actor=owner, join_request=join_request)
        else:
            membership = services.club_join(user=user, club=club, invite_code=club.invite_code).membership
        self.created["memberships"] += 1
        return membership

    def ensure_pending_request(self, club: Club, user: User) -> None:
        already_there = (
            Membership.objects.filter(club=club, user=user).exists()
            or JoinRequest.objects.pending().filter(club=club, user=user).exists()
        )
        if not already_there:
            services.club_join(user=user, club=club)
            self.created["join requests"] += 1
