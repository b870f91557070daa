"""Demo meetings, reading progress, bets, friendships and discussions on top of seed_demo's users and clubs.

Everything goes through the services (with an explicit `now` for events in the past), so the demo
ledger passes `audit_points` like real data. Idempotent: meetings are keyed by club and title.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from bets import services as bet_services
from bets.models import Bet
from books.models import Book, Shelf, ShelfEntry
from books.shelves import services as shelf_services
from clubs.models import Club, Poll
from clubs.polls import services as poll_services
from meetings import services as meeting_services
from meetings.discussion import services as discussion_services
from meetings.discussion.selectors import reader_page
from meetings.models import Meeting, Rsvp
from meetings.plan import Milestone
from social import friends
from social.models import User
from social.relationships import are_friends


@dataclass(frozen=True)
class DemoMeeting:
    club: str
    title: str
    book: str
    days_from_now: float  # negative: in the past
    place: str
    # username → (pages per day, rsvp); progress is replayed day by day up to the start or today
    readers: dict
    # (bettor, horse, amount)
    bets: tuple = ()
    checked_in: tuple = ()


MEETINGS = (
    DemoMeeting(
        club="Lisbon Night Readers",
        title="October: the monster's side of the story",
        book="Frankenstein",
        days_from_now=-30,
        place="Café A Brasileira, Chiado",
        readers={
            "ada": (25, Rsvp.GOING),
            "bruno": (12, Rsvp.GOING),
            "chiara": (30, Rsvp.GOING),
            "grace": (40, Rsvp.GOING),
            "dev": (5, Rsvp.DECLINED),
        },
        bets=(
            ("ada", "grace", 20),
            ("bruno", "chiara", 15),
            ("chiara", "chiara", 10),
            ("grace", "grace", 25),
        ),
        checked_in=("ada", "bruno", "chiara", "grace"),
    ),
    DemoMeeting(
        club="Lisbon Night Readers",
        title="December: Pride and Prejudice",
        book="Pride and Prejudice",
        days_from_now=12,
        place="Ada's flat, Rua da Rosa 12",
        readers={
            "ada": (18, Rsvp.GOING),
            "bruno": (9, Rsvp.GOING),
            "chiara": (22, Rsvp.GOING),
            "grace": (30, Rsvp.GOING),
            "dev": (6, Rsvp.MAYBE),
        },
        bets=(("bruno", "grace", 20), ("grace", "grace", 30), ("chiara", "ada", 10)),
    ),
    DemoMeeting(
        club="Slow Classics Society",
        title="Middlemarch, part one",
        book="Middlemarch",
        days_from_now=20,
        place="Biblioteca Angelica, Rome",
        readers={"chiara": (20, Rsvp.GOING), "ada": (14, Rsvp.GOING), "elena": (11, Rsvp.GOING)},
        bets=(("ada", "chiara", 15), ("elena", "elena", 10)),
    ),
    DemoMeeting(
        club="Speculative Fiction Sprint",
        title="The Time Machine sprint",
        book="The Time Machine",
        days_from_now=-9,
        place="Online",
        readers={"hiro": (20, Rsvp.GOING), "dev": (15, Rsvp.GOING), "grace": (6, Rsvp.GOING)},
        bets=(("hiro", "dev", 10), ("dev", "dev", 10), ("grace", "hiro", 5)),
        checked_in=("hiro", "dev"),
    ),
)


@dataclass(frozen=True)
class DemoPost:
    author: str
    page: int  # the page it is about (lowered to the author's own page if they have not got there)
    body: str
    replies: tuple = ()  # (author, body), about the same page as the post
    reactions: tuple = ()  # (username, kind)


# Posts at several pages, so each demo reader sees some posts' text and placeholders for the others.
DISCUSSIONS = {
    ("Lisbon Night Readers", "December: Pride and Prejudice"): (
        DemoPost(
            "dev",
            20,
            'Chapter 3 already: *"tolerable, but not handsome enough to tempt me"*. What an entrance.',
            replies=(("ada", "Best insult in English literature. @bruno agrees, I think."),),
            reactions=(("ada", "laugh"), ("grace", "laugh"), ("bruno", "like")),
        ),
        DemoPost(
            "bruno",
            60,
            "Mr Collins's proposal is painful to read aloud. Who else skimmed it?",
            replies=(("chiara", "Skimmed it twice, out of pity."),),
            reactions=(("chiara", "sad"),),
        ),
        DemoPost(
            "chiara",
            150,
            "The letter at Rosings changes everything I thought about Darcy and Wickham.",
            replies=(("grace", 'And about Elizabeth herself: *"till this moment I never knew myself"*.'),),
            reactions=(("grace", "think"), ("ada", "wow")),
        ),
        DemoPost(
            "grace",
            250,
            "Lydia's elopement, and Darcy sorting it out in secret. Did anyone see it coming?",
            reactions=(("chiara", "wow"),),
        ),
    ),
    # Met already: its discussion is open to every member, whatever their page.
    ("Lisbon Night Readers", "October: the monster's side of the story"): (
        DemoPost(
            "grace",
            200,
            "Still thinking about the creature reading *Paradise Lost* in the woods. Thank you all for a great evening!",
            replies=(("bruno", "Next time I will finish it before the meeting, promise."),),
            reactions=(("ada", "love"), ("chiara", "love")),
        ),
    ),
}

FRIENDSHIPS = (("ada", "bruno"), ("ada", "chiara"), ("bruno", "grace"), ("chiara", "elena"), ("dev", "hiro"))
PENDING_FRIEND_REQUESTS = (("farid", "ada"), ("hiro", "grace"))


def ensure_points_accounts(users: dict[str, User]) -> None:
    for user in users.values():
        bet_services.account_open(user=user)


def ensure_friendships(users: dict[str, User]) -> int:
    made = 0
    for a, b in FRIENDSHIPS:
        if not are_friends(users[a], users[b]):
            result = friends.friend_request_send(sender=users[a], to_user=users[b])
            if not hasattr(result, "user_low_id"):
                friends.friend_request_accept(user=users[b], friend_request=result)
            made += 1
    for a, b in PENDING_FRIEND_REQUESTS:
        if (
            not are_friends(users[a], users[b])
            and not users[a].friend_requests_sent.filter(to_user=users[b]).exists()
        ):
            friends.friend_request_send(sender=users[a], to_user=users[b])
            made += 1
    return made


def ensure_meetings(users: dict[str, User], now: datetime | None = None) -> int:
    now = now or timezone.now()
    made = 0
    for spec in MEETINGS:
        club = Club.objects.filter(name=spec.club).first()
        book = Book.objects.filter(title=spec.book).order_by("pk").first()
        if club is None or book is None or Meeting.objects.filter(club=club, title=spec.title).exists():
            continue
        _play_meeting(spec, club, book, users, now)
        made += 1
    return made


def _play_meeting(spec: DemoMeeting, club: Club, book: Book, users: dict[str, User], now: datetime) -> None:
    starts_at = (now + timedelta(days=spec.days_from_now)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    # Scheduled three weeks before it starts, as a club would.
    scheduled_at = min(now, starts_at - timedelta(days=21))
    host = club.memberships.get(role="owner").user
    meeting = meeting_services.meeting_create(
        actor=host,
        club=club,
        book=book,
        starts_at=starts_at,
        title=spec.title,
        place=spec.place,
        description="Bring your favourite quote and one question for the group.",
        now=scheduled_at,
    )
    rsvp_time = scheduled_at + timedelta(hours=2)
    for username, (_pace, rsvp) in spec.readers.items():
        meeting_services.attendance_rsvp(user=users[username], meeting=meeting, rsvp=rsvp, now=rsvp_time)
    bet_time = scheduled_at + timedelta(days=1)
    for bettor, horse, amount in spec.bets:
        bet_services.bet_place(
            bettor=users[bettor], meeting=meeting, horse=users[horse], amount=amount, now=bet_time
        )
    # Replay reading day by day until the meeting starts (or today, for upcoming meetings).
    last_day = min(now, starts_at - timedelta(minutes=1))
    day = scheduled_at + timedelta(days=1, hours=3)
    pages = dict.fromkeys(spec.readers, 0)
    while day < last_day:
        for username, (pace, rsvp) in spec.readers.items():
            if rsvp == Rsvp.DECLINED or pages[username] >= meeting.target_page:
                continue
            pages[username] = min(meeting.target_page, pages[username] + pace)
            meeting_services.attendance_progress(
                user=users[username], meeting=meeting, current_page=pages[username], now=day
            )
        day += timedelta(days=1)
    if starts_at <= now:
        bet_services.meeting_resolve_bets(meeting_id=meeting.pk, now=starts_at + timedelta(minutes=1))
        if spec.checked_in:
            meeting_services.meeting_check_in(
                actor=host,
                meeting=meeting,
                usernames=list(spec.checked_in),
                now=starts_at + timedelta(minutes=20),
            )
        meeting_services.meeting_complete(actor=host, meeting=meeting, now=starts_at + timedelta(hours=3))


def ensure_discussions(users: dict[str, User]) -> int:
    """Posts, replies and reactions for the demo meetings (via the services); skipped for a meeting
    whose discussion has posts already."""
    made = 0
    for (club_name, title), posts in DISCUSSIONS.items():
        meeting = Meeting.objects.filter(club__name=club_name, title=title).select_related("club").first()
        if meeting is None or meeting.posts.exists():
            continue
        for spec in posts:
            author = users[spec.author]
            page = min(spec.page, reader_page(author, meeting))
            post = discussion_services.post_create(
                author=author, meeting=meeting, body=spec.body, spoiler_page=page
            )
            made += 1
            for username, kind in spec.reactions:
                if reader_page(users[username], meeting) >= post.spoiler_page:
                    discussion_services.reaction_add(user=users[username], post=post, kind=kind)
            for username, body in spec.replies:
                replier = users[username]
                if reader_page(replier, meeting) < post.spoiler_page:
                    continue  # one cannot reply to a post about a page one has not reached
                discussion_services.post_create(
                    author=replier, meeting=meeting, body=body, parent=post, spoiler_page=post.spoiler_page
                )
                made += 1
    return made


def demo_bet_count() -> int:
    return Bet.objects.count()


# username → [(title, shelf)]: what the demo members keep on their shelves.
SHELVES = {
    "ada": [("Middlemarch", Shelf.WANT_TO_READ), ("Jane Eyre", Shelf.READ), ("Bleak House", Shelf.WANT_TO_READ),
            ("North and South", Shelf.READING), ("Persuasion", Shelf.READ)],
    "chiara": [("Middlemarch", Shelf.WANT_TO_READ), ("Cranford", Shelf.WANT_TO_READ), ("Emma", Shelf.READ)],
    "dev": [("Bleak House", Shelf.WANT_TO_READ), ("Dracula", Shelf.READ)],
    "grace": [("Middlemarch", Shelf.READ), ("Cranford", Shelf.WANT_TO_READ), ("Villette", Shelf.WANT_TO_READ)],
}  # fmt: skip
# The Lisbon club chooses its next book: nominations closed, voting open; the Slow Classics chose theirs.
OPEN_POLL = ("Lisbon Night Readers", "ada", (("Middlemarch", "chiara", "Long, but everyone wants it."),
             ("Bleak House", "dev", "Fog, lawyers, and a great mystery."), ("Cranford", "grace", "Short and funny.")))  # fmt: skip
CLOSED_POLL = (
    "Slow Classics Society",
    "chiara",
    (("Wives and Daughters", "chiara", ""), ("Shirley", "elena", "")),
)


def ensure_shelves(users: dict[str, User]) -> int:
    made = 0
    for username, books in SHELVES.items():
        for title, shelf in books:
            book = Book.objects.filter(title=title).first()
            if book is not None and not ShelfEntry.objects.filter(user=users[username], book=book).exists():
                shelf_services.shelf_put(user=users[username], book=book, shelf=shelf)
                made += 1
    return made


def _demo_poll(
    spec, users, *, started: datetime, ballots: dict[str, tuple[int, ...]], close: bool
) -> Poll | None:
    club_name, host, nominees = spec
    club = Club.objects.filter(name=club_name).first()
    if club is None or Poll.objects.filter(club=club).exists():
        return None
    poll = poll_services.poll_open(
        actor=users[host],
        club=club,
        nominations_close_at=started + timedelta(days=2),
        voting_closes_at=started + timedelta(days=6),
        now=started,
    )
    nominations = []
    for title, who, pitch in nominees:
        book = Book.objects.filter(title=title).first()
        if book is not None:
            nominations.append(
                poll_services.nomination_add(
                    actor=users[who], poll=poll, book=book, pitch=pitch, now=started + timedelta(hours=1)
                )
            )
    voting = started + timedelta(days=3)
    for username, order in ballots.items():
        ranking = [nominations[index].pk for index in order if index < len(nominations)]
        if ranking:
            poll_services.ballot_cast(voter=users[username], poll=poll, ranking=ranking, now=voting)
    if close:
        poll_services.poll_close(poll_id=poll.pk, now=started + timedelta(days=6))
    return poll


def ensure_polls(users: dict[str, User], now: datetime | None = None) -> int:
    """An open poll (voting) for the Lisbon club and a closed one for the Slow Classics, via the services."""
    now = now or timezone.now()
    made = 0
    made += _demo_poll(OPEN_POLL, users, started=now - timedelta(days=3, hours=1), ballots={"chiara": (0, 2), "grace": (2, 0, 1)}, close=False) is not None  # fmt: skip
    made += _demo_poll(CLOSED_POLL, users, started=now - timedelta(days=20), ballots={"chiara": (0,), "elena": (1, 0)}, close=True) is not None  # fmt: skip
    return made


# (club, meeting title) → [(username, rating, review)]: what the members thought of past meetings' books.
REVIEWS = {
    ("Lisbon Night Readers", "October: the monster's side of the story"): [
        ("ada", 5, "The creature's chapters stayed with me all week."),
        ("chiara", 4, ""),
        ("grace", 4, "Slow start, then impossible to put down."),
    ],
}
# The upcoming Lisbon meeting's reading plan: (days from now, fraction of the target page, label).
PLAN = (
    ("Lisbon Night Readers", "December: Pride and Prejudice"),
    ((-2, 0.25, "Volume I"), (4, 0.6, "Volume II"), (10, 1.0, "")),
)


def ensure_reviews_and_plan(users: dict[str, User], now: datetime | None = None) -> int:
    """Ratings of a past meeting's book and a reading plan for an upcoming meeting, via the services."""
    now = now or timezone.now()
    made = 0
    for (club_name, title), reviews in REVIEWS.items():
        meeting = Meeting.objects.filter(club__name=club_name, title=title).select_related("club").first()
        if meeting is None or meeting.reviews.exists():
            continue
        for username, rating, text in reviews:
            meeting_services.review_save(user=users[username], meeting=meeting, rating=rating, review=text)
            made += 1
    (club_name, title), steps = PLAN
    meeting = Meeting.objects.filter(club__name=club_name, title=title).select_related("club").first()
    if meeting is not None and not meeting.reading_plan:
        today = timezone.localdate(now)
        milestones = [
            Milestone(
                page=max(1, round(meeting.target_page * share)), due=today + timedelta(days=days), label=label
            )
            for days, share, label in steps
            if today + timedelta(days=days) <= timezone.localdate(meeting.starts_at)
        ]
        meeting_services.meeting_plan_set(
            actor=meeting.club.memberships.get(role="owner").user,
            meeting=meeting,
            milestones=milestones,
            now=now,
        )
        Meeting.objects.filter(pk=meeting.pk).update(plan_set_on=today - timedelta(days=8))
        made += 1
    # The Lisbon club meets monthly, on the same weekday: December's meeting starts the series.
    if meeting is not None and meeting.series_id is None:
        owner = meeting.club.memberships.get(role="owner").user
        meeting_services.series_start(actor=owner, meeting=meeting, repeat="monthly")
        made += 1
    return made
