"""Seed the benchmark's data set: realistic volumes, every model constraint and points invariant kept.

    uv run python bench/seed.py --scale 1.0            # into DATABASE_URL's database (empty, migrated)
    uv run python bench/seed.py --scale 0.05 --ledger-rows 20000

At scale 1.0 (issue 12): 10,000 users, 1,000 clubs, 20,000 meetings, 200,000 attendances with their
progress, 20,000 books, 50,000 friendships, 100,000 notifications and about 1,000,000 ledger rows
(`--ledger-rows`: the bets' stake changes pad the ledger up to it). Every count scales with `--scale`.
The data are deterministic (one `random.Random`), except the timestamps, which are relative to now
so that upcoming meetings stay upcoming.

The points are what the services would have written: a welcome bonus per member, check-in and
finish awards at past meetings with a race, bets settled with bets.payouts.settle, open bets on the
coming meetings; every balance is its ledger's sum (`manage.py audit_points` agrees).

Known objects for the benchmark (returned by `seed()` as `BenchData`): the member `bench-member`
(password BENCH_PASSWORD) in five clubs, owner of `bench-club`, whose next meeting has a race of 20
readers and a dozen bets and a discussion of 300 posts at pages all over the book (600 replies,
reactions), with friends, friend requests and notifications; `bench-friend`'s profile; the meeting's
book.

Rows go in with COPY on PostgreSQL (executemany elsewhere, for the tests on SQLite), with explicit
ids after the tables' current maximum, and the sequences are reset afterwards.
"""

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booky.settings")
    import django

    django.setup()

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from bets.models import (
    CHECK_IN_AWARD,
    FINISH_AWARD,
    MIN_RUNNERS,
    SIGNUP_BONUS,
    Account,
    Bet,
    BetStatus,
    LedgerEntry,
    Reason,
)
from bets.payouts import BetLine, Outcome, settle
from bets.standings import standings_rebuild
from books.models import Book, Shelf, ShelfEntry, Source, join_authors
from clubs.models import Ballot, BallotRank, Club, JoinPolicy, Membership, Nomination, Poll, Role, Visibility
from meetings.discussion.markdown import render_post_body
from meetings.discussion.models import Post, PostReaction, ReactionKind
from meetings.models import Attendance, Meeting, MeetingStatus, ProgressEntry, Rsvp
from social.models import (
    FriendRequest,
    FriendRequestStatus,
    Friendship,
    Notification,
    NotificationKind,
    ProfileVisibility,
    User,
)

BENCH_PASSWORD = "bench-reading-2026"
MEMBER = "bench-member"
FRIEND = "bench-friend"
BENCH_CLUB = "bench-club"
# Issue 12's scale 1.0.
FULL_SCALE = {
    "users": 10_000,
    "clubs": 1_000,
    "meetings": 20_000,
    "attendances": 200_000,
    "books": 20_000,
    "friendships": 50_000,
    "notifications": 100_000,
    "ledger_rows": 1_000_000,
}
# Below these the known pages would have nothing to show.
MINIMUM = {"users": 60, "clubs": 6, "meetings": 24, "books": 30, "friendships": 40, "notifications": 80}
BULK_ROWS = 50_000  # from this many rows a table's indexes are rebuilt after the COPY, not kept up
MEMBER_CLUBS = 5
RACE_SIZE = 20  # readers going to the bench meeting
RACE_BETTORS = 12
MEMBER_FRIENDS = 30
MEMBER_NOTIFICATIONS = 60
MEMBER_UNREAD = 12
# The bench member's shelves (others' hold fewer), and the bench club's poll.
SHELF_ENTRIES = 300
SHELF_ENTRIES_OTHERS = 40
POLL_NOMINATIONS = 12
# The bench meeting's discussion (whatever the scale: one meeting's thread is what its page reads).
DISCUSSION_POSTS = 300
DISCUSSION_REPLIES = 600
DISCUSSION_REACTIONS = 1500
POST_BODIES = [
    "I did not expect *that* turn at all. What did you make of the chapter?",
    "> The quote that stayed with me all week.\n\nAnyone else underline it?",
    "Three things I noticed:\n\n- the weather\n- the letters\n- who is **not** in the room",
    "Reading this on the train and missed my stop. Again.",
    "I think the narrator is less reliable than they look; see [this essay](https://example.org/essay).",
]
PAST_SHARE = 0.75  # of each club's meetings, the share already held
WEEK = timedelta(days=7)
CLASSICS = [
    ("Les Misérables", ["Victor Hugo"], 1463),
    ("Crime and Punishment", ["Fyodor Dostoevsky"], 545),
    ("The Brothers Karamazov", ["Fyodor Dostoevsky"], 796),
    ("Anna Karenina", ["Leo Tolstoy"], 864),
    ("War and Peace", ["Leo Tolstoy"], 1225),
    ("Madame Bovary", ["Gustave Flaubert"], 329),
    ("Don Quixote", ["Miguel de Cervantes"], 1077),
    ("Pride and Prejudice", ["Jane Austen"], 432),
    ("Middlemarch", ["George Eliot"], 880),
    ("One Hundred Years of Solitude", ["Gabriel García Márquez"], 417),
]
ADJECTIVES = [
    "Silent",
    "Golden",
    "Hidden",
    "Last",
    "Northern",
    "Broken",
    "Secret",
    "Distant",
    "Burning",
    "Quiet",
    "Winter",
    "Lost",
]
NOUNS = [
    "River",
    "Garden",
    "Letter",
    "Orchard",
    "Harbour",
    "Mirror",
    "Lighthouse",
    "Archive",
    "Forest",
    "Island",
    "Station",
    "Map",
]
FIRST = [
    "Ada",
    "Bruno",
    "Chiara",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
]
LAST = [
    "Almeida",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lindqvist",
]
CITIES = [("Lisbon", "Portugal"), ("Lyon", "France"), ("Turin", "Italy"), ("Leeds", "UK"), ("", "")]
TIMEZONES = ["UTC", "Europe/Lisbon", "Europe/Paris", "America/New_York", "Asia/Tokyo"]


@dataclass
class BenchData:
    """What the benchmark loads: the known member and the objects of their pages."""

    member_username: str
    member_password: str
    member_id: int
    friend_username: str
    club_slug: str
    meeting_id: int
    poll_id: int
    book_id: int
    book_query: str
    club_query: str
    counts: dict[str, int] = field(default_factory=dict)


def counts_for(scale: float, ledger_rows: int | None = None) -> dict[str, int]:
    counts = {name: max(MINIMUM.get(name, 0), round(total * scale)) for name, total in FULL_SCALE.items()}
    counts["meetings"] = max(counts["meetings"], 4 * counts["clubs"])
    counts["attendances"] = max(counts["attendances"], 5 * counts["meetings"])
    if ledger_rows is not None:
        counts["ledger_rows"] = ledger_rows
    return counts


class Table:
    """Rows for one model, inserted in one go; ids continue after the table's current maximum."""

    def __init__(self, model: type[models.Model], fields: list[str]):
        self.model = model
        self.fields = fields
        self.rows: list[tuple] = []
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        given = {model._meta.get_field(name).column for name in fields} | {model._meta.pk.column}
        # Columns left out take the field's default (never for unique ones, which would collide).
        self.defaults = []
        for column_field in model._meta.concrete_fields:
            if column_field.column in given:
                continue
            if column_field.unique and column_field.get_default() is not None:
                raise ValueError(f"{model.__name__}.{column_field.name} is unique: give it a value.")
            self.defaults.append((column_field, column_field.get_default()))

    def add(self, *values) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def insert(self) -> int:
        meta = self.model._meta
        fields = [meta.pk] + [meta.get_field(name) for name in self.fields] + [f for f, _ in self.defaults]
        tail = tuple(value for _, value in self.defaults)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                rebuild = len(self.rows) >= BULK_ROWS
                copy_sql = f"COPY {table} ({columns}) FROM STDIN"
                with (
                    _without_indexes(cursor, meta.db_table, drop=rebuild),
                    cursor.cursor.copy(copy_sql) as copy,
                ):
                    for row in self.rows:
                        row = row + tail
                        if json_positions:
                            row = list(row)
                            for i in json_positions:
                                row[i] = json.dumps(row[i])
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                    [
                        [f.get_db_prep_save(v, connection) for f, v in zip(fields, row + tail, strict=True)]
                        for row in self.rows
                    ],
                )
        return len(self.rows)


@contextmanager
def _without_indexes(cursor, table: str, *, drop: bool):
    """Drop the table's secondary indexes, unique and foreign-key constraints, then put them back:
    building an index once and checking a foreign key with one join beats doing it row by row. Check
    constraints and the primary key stay. Putting them back validates every row."""
    if not drop:
        yield
        return
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        [table],
    )
    constraints = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def _isbn13(number: int) -> str:
    digits = f"978{number:09d}"
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return f"{digits}{check}"


@dataclass
class _Bet:
    pk: int
    meeting_id: int
    bettor: int
    horse: int
    amount: int
    placed_at: datetime
    index: int
    version: int = 1
    placed: bool = False
    status: str = BetStatus.OPEN
    payout: int | None = None
    remainder: int = 0
    updated_at: datetime | None = None


class Seeder:
    def __init__(self, scale: float, ledger_rows: int | None, seed: int, progress):
        self.counts = counts_for(scale, ledger_rows)
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.say = progress

    # --- people, books, clubs -------------------------------------------------------------------

    def users(self) -> None:
        rng, count = self.rng, self.counts["users"]
        table = Table(
            User,
            ["username", "email", "password", "display_name", "timezone", "profile_visibility"]
            + ["date_joined", "is_active", "is_staff", "is_superuser", "first_name", "last_name", "bio"],
        )
        password = make_password(BENCH_PASSWORD)
        visibilities = [ProfileVisibility.PUBLIC] * 16 + [ProfileVisibility.FRIENDS] * 3
        visibilities += [ProfileVisibility.PRIVATE]
        self.user_ids: list[int] = []
        self.joined: dict[int, datetime] = {}
        self.friends_only: set[int] = set()
        for n in range(count):
            username = {0: MEMBER, 1: FRIEND}.get(n, f"reader{n:05d}")
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if rng.random() < 0.6 else ""
            visibility = ProfileVisibility.PUBLIC if n < 2 else rng.choice(visibilities)
            zone = "Europe/Paris" if n == 0 else rng.choice(TIMEZONES)
            joined = self.now - timedelta(days=200 + rng.random() * 200)
            pk = table.add(username, f"{username}@bench.example", password, name, zone, visibility, joined)
            if visibility == ProfileVisibility.FRIENDS:
                self.friends_only.add(pk)
            table.rows[-1] += (True, False, False, "", "", "")
            self.user_ids.append(pk)
            self.joined[pk] = joined
        self.member, self.friend = self.user_ids[0], self.user_ids[1]
        table.insert()

    def books(self) -> None:
        rng, count = self.rng, self.counts["books"]
        table = Table(
            Book,
            ["title", "subtitle", "authors", "author_line", "page_count", "published_date", "publisher"]
            + ["language", "categories", "description", "isbn_13", "source", "created_at"],
        )
        self.book_pages: dict[int, int] = {}
        self.book_ids: list[int] = []
        for n in range(count):
            if n < len(CLASSICS):
                title, authors, pages = CLASSICS[n]
            else:
                title = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
                if rng.random() < 0.5:
                    title += f" of {rng.choice(NOUNS)}s"
                authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice([1, 1, 1, 2]))]
                pages = rng.randint(90, 900)
            pk = table.add(
                title,
                "",
                authors,
                join_authors(authors),
                pages,
                str(rng.randint(1850, 2025)),
                "Bench Press",
                "en",
                ["Fiction"],
                f"<p>{title}: a novel about a {rng.choice(NOUNS).lower()}.</p>",
                _isbn13(n),
                Source.CATALOG,
                self.now - timedelta(days=rng.randint(1, 500)),
            )
            self.book_pages[pk] = pages
            self.book_ids.append(pk)
        table.insert()

    def clubs(self) -> None:
        rng, count = self.rng, self.counts["clubs"]
        users = self.user_ids
        clubs = Table(
            Club,
            ["name", "slug", "description", "city", "country", "visibility", "join_policy", "invite_code"]
            + ["created_at"],
        )
        memberships = Table(Membership, ["club_id", "user_id", "role", "joined_at"])
        self.club_ids: list[int] = []
        self.members: dict[int, list[int]] = {}  # club -> members, owner first
        self.owner: dict[int, int] = {}
        self.club_slugs: dict[int, str] = {}
        average = max(12, 3 * len(users) // count)
        for n in range(count):
            private = n == 3 or (n >= MEMBER_CLUBS and rng.random() < 0.15)
            policy = (
                JoinPolicy.INVITE
                if private
                else rng.choice([JoinPolicy.OPEN] * 6 + [JoinPolicy.APPROVAL] * 3)
            )
            city, country = rng.choice(CITIES)
            slug = BENCH_CLUB if n == 0 else f"club-{n:04d}"
            name = "Bench Club" if n == 0 else f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} Readers {n}"
            pk = clubs.add(
                name,
                slug,
                "We read a book a month and talk about it.",
                city,
                country,
                Visibility.PRIVATE if private else Visibility.PUBLIC,
                policy,
                f"bench-invite-{n:06d}",
                self.now - timedelta(days=300),
            )
            size = 60 if n == 0 else rng.randint(average // 2, average * 3 // 2)
            chosen = rng.sample(users[2:], min(size, len(users) - 2))
            if n < MEMBER_CLUBS:
                chosen = [self.member, self.friend] + chosen[2:] if n == 0 else [*chosen[:-1], self.member]
            roles = {chosen[0]: Role.OWNER, chosen[1]: Role.MODERATOR}
            if n == 1:  # the member moderates a club they do not own
                roles[self.member] = Role.MODERATOR
            for user in chosen:
                memberships.add(pk, user, roles.get(user, Role.MEMBER), self.now - timedelta(days=250))
            self.club_ids.append(pk)
            self.club_slugs[pk] = slug
            self.members[pk] = chosen
            self.owner[pk] = chosen[0]
        self.bench_club = self.club_ids[0]
        clubs.insert()
        memberships.insert()

    def friends(self) -> None:
        rng, users = self.rng, self.user_ids
        pairs: set[tuple[int, int]] = set()
        for other in self.members[self.bench_club][1 : MEMBER_FRIENDS + 1]:
            pairs.add((min(self.member, other), max(self.member, other)))
        while len(pairs) < self.counts["friendships"]:
            a, b = rng.sample(users, 2)
            pairs.add((min(a, b), max(a, b)))
        table = Table(Friendship, ["user_low_id", "user_high_id", "created_at"])
        for low, high in sorted(pairs):
            table.add(low, high, self.now - timedelta(days=rng.randint(1, 150)))
        table.insert()
        friends_of_member = {
            low if high == self.member else high for low, high in pairs if self.member in (low, high)
        }
        strangers = [user for user in users[2:] if user not in friends_of_member][:3]
        requests = Table(FriendRequest, ["from_user_id", "to_user_id", "status", "created_at"])
        for stranger in strangers:
            requests.add(stranger, self.member, FriendRequestStatus.PENDING, self.now - timedelta(hours=5))
        requests.insert()

    def notifications(self) -> None:
        rng, users = self.rng, self.user_ids
        table = Table(
            Notification, ["recipient_id", "kind", "actor_id", "message", "url", "created_at", "read_at"]
        )
        kinds = list(NotificationKind.values)
        for n in range(self.counts["notifications"]):
            recipient = self.member if n < MEMBER_NOTIFICATIONS else rng.choice(users)
            actor = rng.choice(users)
            club = rng.choice(self.club_ids)
            created = self.now - timedelta(minutes=rng.randint(1, 60 * 24 * 60))
            unread = n < MEMBER_UNREAD if n < MEMBER_NOTIFICATIONS else rng.random() < 0.3
            table.add(
                recipient,
                rng.choice(kinds),
                actor,
                f"Reader {actor} has news about club {club}.",
                f"/clubs/{self.club_slugs[club]}/",
                created,
                None if unread else created + timedelta(hours=2),
            )
        table.insert()

    # --- meetings, the race, the points ---------------------------------------------------------

    def meetings(self) -> None:
        rng = self.rng
        table = Table(
            Meeting,
            ["club_id", "book_id", "title", "description", "starts_at", "duration_minutes", "ends_at"]
            + ["place", "target_page", "status", "cancel_reason", "created_by_id", "created_at", "updated_at"]
            + ["version", "bets_resolved_at"],
        )
        self.meeting_rows: list[tuple[int, int, datetime, int, str]] = []  # pk, club, start, target, status
        per_club, extra = divmod(self.counts["meetings"], len(self.club_ids))
        for n, club in enumerate(self.club_ids):
            count = per_club + (1 if n < extra else 0)
            past = max(1, round(count * PAST_SHARE))
            for i in range(count):
                weeks = i - past  # week 0 is each club's next meeting, two days away
                starts = self.now + weeks * WEEK + timedelta(days=2, hours=rng.randint(0, 4))
                book = self.book_ids[0 if (n == 0 and weeks == 0) else rng.randrange(len(self.book_ids))]
                target = self.book_pages[book]
                held = starts + timedelta(hours=2) < self.now
                status = MeetingStatus.SCHEDULED
                if held:
                    status = MeetingStatus.CANCELLED if rng.random() < 0.03 else MeetingStatus.COMPLETED
                created = starts - timedelta(days=21)
                pk = table.add(
                    club,
                    book,
                    "",
                    "Bring your questions.",
                    starts,
                    120,
                    starts + timedelta(minutes=120),
                    "The library, second floor",
                    target,
                    status,
                    "The room was not free." if status == MeetingStatus.CANCELLED else "",
                    self.owner[club],
                    created,
                    created,
                    1,
                    starts + timedelta(minutes=1) if held else None,
                )
                self.meeting_rows.append((pk, club, starts, target, status))
                if n == 0 and weeks == 0:
                    self.bench_meeting = pk
        table.insert()

    def attendances(self) -> None:
        rng = self.rng
        table = Table(
            Attendance,
            ["meeting_id", "user_id", "rsvp", "current_page", "finished", "finished_at", "checked_in"]
            + ["checked_in_at", "created_at", "updated_at", "version"],
        )
        history = Table(ProgressEntry, ["attendance_id", "page", "finished", "recorded_at"])
        per_meeting = max(2, self.counts["attendances"] // len(self.meeting_rows))
        self.going: dict[int, list[int]] = defaultdict(list)
        self.finished_in_time: dict[int, set[int]] = defaultdict(set)
        self.checked_in: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for pk, club, starts, target, status in self.meeting_rows:
            members = self.members[club]
            size = (
                RACE_SIZE if pk == self.bench_meeting else rng.randint(per_meeting // 2, per_meeting * 3 // 2)
            )
            readers = rng.sample(members, min(len(members), max(2, size)))
            if self.member in members and (club == self.bench_club or rng.random() < 0.5):
                # First in the list: the bench meeting's bettors are its first RACE_BETTORS readers.
                readers = [self.member, *(user for user in readers if user != self.member)][: len(readers)]
            if pk == self.bench_meeting and not self.friends_only.intersection(readers):
                # A friends-only runner in the bench race at every scale: its pages then read the
                # member's friends (for the profile links) whatever the sample, as most real races would.
                other = next((user for user in members if user in self.friends_only), None)
                if other is not None:
                    readers = [*readers[:-1], other]
            held = status != MeetingStatus.SCHEDULED
            moment = min(starts, self.now) - timedelta(days=1)
            for user in readers:
                rsvp = Rsvp.GOING
                if user != self.member and pk != self.bench_meeting:
                    rsvp = rng.choice([Rsvp.GOING] * 7 + [Rsvp.MAYBE] * 2 + [Rsvp.DECLINED])
                page = rng.randint(0, target)
                if rng.random() < (0.4 if held else 0.15):
                    page = target
                finished = page == target
                finished_at = None
                if finished:
                    late = held and rng.random() < 0.2
                    finished_at = starts + timedelta(hours=5) if late else moment
                checked = (
                    held and status == MeetingStatus.COMPLETED and rsvp == Rsvp.GOING and rng.random() < 0.7
                )
                checked_at = starts + timedelta(minutes=5) if checked else None
                entries = 5 if (user == self.member and pk == self.bench_meeting) else (1 if page else 0)
                attendance = table.add(
                    pk,
                    user,
                    rsvp,
                    page,
                    finished,
                    finished_at,
                    checked,
                    checked_at,
                    starts - timedelta(days=14),
                    finished_at or moment,
                    1 + entries,
                )
                for step in range(entries, 0, -1):
                    recorded = (finished_at or moment) - timedelta(days=step - 1)
                    history.add(
                        attendance, page * (entries - step + 1) // entries, finished and step == 1, recorded
                    )
                if rsvp == Rsvp.GOING:
                    self.going[pk].append(user)
                if finished and finished_at <= starts:
                    self.finished_in_time[pk].add(user)
                if checked:
                    self.checked_in[pk].append((user, checked_at))
        table.insert()
        history.insert()

    def points(self) -> None:
        """Bets, accounts and the ledger, replayed in time order so each balance_after is the running
        balance and no balance goes below zero."""
        rng = self.rng
        events: list[tuple] = []  # (time, order, kind, payload)
        order = iter(range(10**9))
        for user in self.user_ids:
            events.append((self.joined[user], next(order), "signup", user))
        bets: list[_Bet] = []
        bet_pk = (Bet.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        resolved: list[tuple[int, datetime]] = []
        for pk, _club, starts, _target, status in self.meeting_rows:
            going = self.going[pk]
            if status == MeetingStatus.CANCELLED or len(going) < MIN_RUNNERS:
                continue
            if pk == self.bench_meeting:
                bettors = going[:RACE_BETTORS]
            else:
                bettors = [user for user in going if rng.random() < 0.5]
            for index, bettor in enumerate(bettors):
                horse = rng.choice([user for user in going if user != bettor])
                placed = min(starts, self.now) - timedelta(minutes=rng.randint(60, 60 * 24 * 5))
                bets.append(_Bet(bet_pk, pk, bettor, horse, rng.randint(2, 30), placed, index))
                events.append((placed, next(order), "stake", bets[-1]))
                bet_pk += 1
            if status == MeetingStatus.COMPLETED:
                for user, checked_at in self.checked_in[pk]:
                    events.append((checked_at, next(order), "check_in", (pk, user)))
                resolved.append((pk, starts))
        # Rows so far (signups, stakes, check-ins), plus about one payout per two settled bets, plus
        # the finish awards; stake changes (a lowered and a raised stake) pad the ledger to its target.
        settled = {pk for pk, _ in resolved}
        natural = len(events) + sum(1 for bet in bets if bet.meeting_id in settled) // 2
        natural += sum(len(self.finished_in_time[pk]) for pk in settled)
        padding = max(0, self.counts["ledger_rows"] - natural) // 2
        by_meeting: dict[int, list[_Bet]] = defaultdict(list)
        for bet in bets:
            by_meeting[bet.meeting_id].append(bet)
        starts_of = {pk: starts for pk, _club, starts, _target, _status in self.meeting_rows}
        for _ in range(padding if bets else 0):
            bet = bets[rng.randrange(len(bets))]
            end = min(starts_of[bet.meeting_id], self.now)
            moment = bet.placed_at + (end - bet.placed_at) * rng.random()
            change = rng.randint(1, 5)
            events.append((moment, next(order), "lower", (bet, change)))
            events.append((moment + timedelta(seconds=1), next(order), "raise", (bet, change)))
        for pk, starts in resolved:
            events.append((starts + timedelta(minutes=1), next(order), "resolve", pk))
        events.sort(key=lambda event: (event[0], event[1]))

        balances = dict.fromkeys(self.user_ids, 0)
        ledger = Table(
            LedgerEntry,
            ["account_id", "amount", "balance_after", "reason", "meeting_id", "bet_id", "award_key"]
            + ["created_at", "note"],
        )
        accounts = Table(Account, ["user_id", "balance", "created_at"])
        account_of = {user: accounts.add(user, 0, self.joined[user]) for user in self.user_ids}
        lowered: set[int] = set()  # ids of the padding pairs whose first half was written

        def post(moment, user, amount, reason, meeting=None, bet=None, key=None):
            balances[user] += amount
            ledger.add(account_of[user], amount, balances[user], reason, meeting, bet, key, moment, "")

        for moment, sequence, kind, payload in events:
            if kind == "signup":
                post(moment, payload, SIGNUP_BONUS, Reason.SIGNUP, key=f"signup:{payload}")
            elif kind == "stake":
                bet = payload
                bet.amount = min(bet.amount, balances[bet.bettor])
                if bet.amount >= 1:
                    bet.placed = True
                    bet.updated_at = moment
                    post(moment, bet.bettor, -bet.amount, Reason.STAKE, bet.meeting_id, bet.pk)
            elif kind == "lower":
                bet, change = payload
                if bet.placed and bet.status == BetStatus.OPEN and bet.amount > change:
                    bet.amount -= change
                    bet.version += 1
                    bet.updated_at = moment
                    lowered.add(sequence)
                    post(moment, bet.bettor, change, Reason.STAKE_CHANGE, bet.meeting_id, bet.pk)
            elif kind == "raise":
                bet, change = payload
                if sequence - 1 in lowered and balances[bet.bettor] >= change:
                    bet.amount += change
                    bet.version += 1
                    bet.updated_at = moment
                    post(moment, bet.bettor, -change, Reason.STAKE_CHANGE, bet.meeting_id, bet.pk)
            elif kind == "check_in":
                meeting, user = payload
                post(moment, user, CHECK_IN_AWARD, Reason.CHECK_IN, meeting, key=f"checkin:{meeting}:{user}")
            elif kind == "resolve":
                placed = [bet for bet in by_meeting[payload] if bet.placed]
                settlements = settle(
                    [BetLine(bet.pk, bet.horse, bet.amount, bet.index) for bet in placed],
                    winners=self.finished_in_time[payload],
                )
                by_id = {bet.pk: bet for bet in placed}
                for settlement in settlements:
                    bet = by_id[settlement.bet_id]
                    bet.status = {
                        Outcome.WON: BetStatus.WON,
                        Outcome.LOST: BetStatus.LOST,
                        Outcome.REFUNDED: BetStatus.REFUNDED,
                    }[settlement.outcome]
                    bet.payout, bet.remainder = settlement.payout, settlement.remainder
                    bet.version += 1
                    bet.updated_at = moment
                    if settlement.payout:
                        reason = Reason.PAYOUT if settlement.outcome == Outcome.WON else Reason.REFUND
                        post(
                            moment, bet.bettor, settlement.payout, reason, payload, bet.pk, f"settle:{bet.pk}"
                        )
                for user in sorted(self.finished_in_time[payload]):
                    post(moment, user, FINISH_AWARD, Reason.FINISHED, payload, key=f"finish:{payload}:{user}")

        accounts.rows = [(pk, user, balances[user], joined) for pk, user, _zero, joined in accounts.rows]
        bet_table = Table(
            Bet,
            ["meeting_id", "bettor_id", "horse_id", "amount", "status", "paid", "payout", "payout_remainder"]
            + ["version", "placed_at", "updated_at"],
        )
        for bet in bets:
            if bet.placed:
                bet_table.rows.append(
                    (bet.pk, bet.meeting_id, bet.bettor, bet.horse, bet.amount, bet.status)
                    + (bet.status != BetStatus.OPEN, bet.payout, bet.remainder, bet.version, bet.placed_at)
                    + (bet.updated_at,)
                )
        accounts.insert()
        bet_table.insert()
        ledger.insert()

    def discussion(self) -> None:
        """The bench meeting's discussion: posts at pages all over the book, replies, reactions."""
        rng, meeting = self.rng, self.bench_meeting
        target = next(row[3] for row in self.meeting_rows if row[0] == meeting)
        authors = self.going[meeting] or [self.member]
        rendered = [(body, render_post_body(body)) for body in POST_BODIES]
        posts = Table(
            Post,
            ["meeting_id", "author_id", "parent_id", "body", "body_html", "spoiler_page", "status"]
            + ["created_at", "reply_count"],
        )
        reactions = Table(PostReaction, ["post_id", "user_id", "kind", "created_at"])
        start = self.now - timedelta(days=14)
        top: list[tuple[int, int, datetime]] = []  # (pk, spoiler page, created)
        replies_of: dict[int, int] = defaultdict(int)
        parents = [rng.randrange(DISCUSSION_POSTS) for _ in range(DISCUSSION_REPLIES)]
        for index in parents:
            replies_of[index] += 1
        for index in range(DISCUSSION_POSTS):
            created = start + timedelta(minutes=index * 60)
            page = rng.randint(0, target)
            body, html = rng.choice(rendered)
            pk = posts.add(
                meeting, rng.choice(authors), None, body, html, page, "published", created, replies_of[index]
            )
            top.append((pk, page, created))
        for index in parents:
            parent, page, created = top[index]
            body, html = rng.choice(rendered)
            posts.add(
                meeting,
                rng.choice(authors),
                parent,
                body,
                html,
                rng.randint(page, target),
                "published",
                created + timedelta(minutes=rng.randint(1, 59)),
                0,
            )
        seen = set()
        kinds = ReactionKind.values
        for _ in range(DISCUSSION_REACTIONS):
            post, _page, created = rng.choice(top)
            key = (post, rng.choice(authors), rng.choice(kinds))
            if key not in seen:
                seen.add(key)
                reactions.add(*key, created + timedelta(minutes=30))
        posts.insert()
        reactions.insert()

    def shelves_and_poll(self) -> None:
        """Shelves for the bench club's members (the member's own hold SHELF_ENTRIES books), and the
        club's open poll: POLL_NOMINATIONS books, voting, a ballot from most members."""
        rng, members = self.rng, self.members[self.bench_club]
        entries = Table(
            ShelfEntry,
            ["user_id", "book_id", "shelf", "started_on", "finished_on", "rating", "added_at", "updated_at"],
        )
        shelves = [Shelf.WANT_TO_READ, Shelf.READING, Shelf.READ]
        for user in members:
            count = SHELF_ENTRIES if user == self.member else min(SHELF_ENTRIES_OTHERS, len(self.book_ids))
            for book in rng.sample(self.book_ids, min(count, len(self.book_ids))):
                shelf = rng.choice(shelves)
                added = self.now - timedelta(days=rng.randint(1, 900))
                finished = (
                    (added + timedelta(days=rng.randint(5, 60))).date() if shelf == Shelf.READ else None
                )
                started = (added + timedelta(days=2)).date() if shelf != Shelf.WANT_TO_READ else None
                rating = rng.randint(1, 5) if shelf == Shelf.READ else None
                entries.add(user, book, shelf, started, finished, rating, added, added)
        entries.insert()
        poll = Poll.objects.create(
            club_id=self.bench_club,
            title="What do we read next?",
            nominations_close_at=self.now - timedelta(days=1),
            voting_closes_at=self.now + timedelta(days=6),
            created_by_id=members[0],
        )
        nominations = [
            Nomination.objects.create(
                poll=poll, book_id=book, nominated_by_id=rng.choice(members), pitch="A good one"
            )
            for book in rng.sample(self.book_ids, POLL_NOMINATIONS)
        ]
        ranks = Table(BallotRank, ["ballot_id", "nomination_id", "rank"])
        ballots = Table(Ballot, ["poll_id", "voter_id", "cast_at"])
        for voter in members[: max(1, len(members) * 3 // 4)]:
            if voter == self.member:
                continue  # the member has not voted yet: their page shows the ballot form
            ballot = ballots.add(poll.pk, voter, self.now)
            for rank, nomination in enumerate(
                rng.sample(nominations, rng.randint(1, len(nominations))), start=1
            ):
                ranks.add(ballot, nomination.pk, rank)
        ballots.insert()
        ranks.insert()
        self.bench_poll = poll.pk

    def run(self) -> BenchData:
        steps = [
            ("users", self.users),
            ("books", self.books),
            ("clubs and memberships", self.clubs),
            ("friendships", self.friends),
            ("notifications", self.notifications),
            ("meetings", self.meetings),
            ("attendances and progress", self.attendances),
            ("bets, accounts and the ledger", self.points),
            ("the bench meeting's discussion", self.discussion),
            ("shelves and the club's poll", self.shelves_and_poll),
        ]
        for label, step in steps:
            started = time.monotonic()
            step()
            self.say(f"  {label}: {time.monotonic() - started:.1f} s")
        models_seeded = [User, Book, Club, Membership, Friendship, FriendRequest, Notification, Meeting]
        models_seeded += [Attendance, ProgressEntry, Account, Bet, LedgerEntry, Post, PostReaction]
        models_seeded += [ShelfEntry, Poll, Nomination, Ballot, BallotRank]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models_seeded):
                cursor.execute(statement)
        return BenchData(
            member_username=MEMBER,
            member_password=BENCH_PASSWORD,
            member_id=self.member,
            friend_username=FRIEND,
            club_slug=BENCH_CLUB,
            meeting_id=self.bench_meeting,
            poll_id=self.bench_poll,
            book_id=self.book_ids[0],
            book_query="dostoevsky",
            club_query="readers",
            counts={
                "users": len(self.user_ids),
                "clubs": len(self.club_ids),
                "meetings": len(self.meeting_rows),
                "attendances": Attendance.objects.count(),
                "books": len(self.book_ids),
                "friendships": Friendship.objects.count(),
                "notifications": Notification.objects.count(),
                "ledger_rows": LedgerEntry.objects.count(),
            },
        )


def seed(
    scale: float = 1.0, *, ledger_rows: int | None = None, random_seed: int = 12, progress=None
) -> BenchData:
    """Seed `scale` × issue 12's volumes into the default database (meant to be empty) in one transaction."""
    say = progress or (lambda message: None)
    seeder = Seeder(scale, ledger_rows, random_seed, say)
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Foreign keys checked per statement, not all at commit: a table's constraints can
                # then be dropped and rebuilt (_without_indexes) after its parents went in.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index rebuilds in memory
        data = seeder.run()
        # The ledger went in with COPY, around bets' services: derive the leaderboards' standings
        # from it as those services would have kept them.
        standings_rebuild()
        say(f"  standings: {time.monotonic() - started:.1f} s")
    say(f"  commit: {time.monotonic() - started:.1f} s since the start")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner needs to know the tables are no longer empty
        say(f"  analyze: {time.monotonic() - started:.1f} s since the start")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--ledger-rows", type=int, default=None, help="default: 1,000,000 × scale")
    parser.add_argument("--json", type=Path, help="also write the BenchData here")
    args = parser.parse_args()
    started = time.monotonic()
    data = seed(args.scale, ledger_rows=args.ledger_rows, progress=lambda message: print(message, flush=True))
    print(f"Seeded scale {args.scale} in {time.monotonic() - started:.1f} s: {data.counts}")
    if args.json:
        args.json.write_text(json.dumps(asdict(data), indent=2))


if __name__ == "__main__":
    main()
