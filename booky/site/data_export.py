"""The "Download my data" export: everything Booky holds about one member, as a zip of CSV files and
one JSON file.

Every app's rows about the member, so the site builds it. Each section is one query (values() rows,
streamed with iterator()), whatever the amount of data: the whole export costs a fixed number of queries.
Datetimes are UTC in ISO 8601, the same in the CSV and the JSON files.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from bets.models import Bet, LedgerEntry
from books.models import ShelfEntry
from clubs.models import Membership
from meetings.discussion.models import Post
from meetings.models import Attendance, FinishStatus, ProgressEntry
from social.models import Friendship, User
from social.notifications import user_timezone
from social.ratelimit import RateLimited

JSON_NAME = "booky-export.json"
README_NAME = "README.txt"
# One export per member per minute: building it reads every table the member appears in.
EXPORT_INTERVAL_SECONDS = 60
RATE_LIMITED_MESSAGE = "You downloaded your data less than a minute ago. Wait a minute, then try again."

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, object]


@dataclass(frozen=True)
class Section:
    """One file of the export: `name`.csv, and the key `name` in the JSON file."""

    name: str
    description: str
    columns: tuple[str, ...]
    rows: Callable[[User], Iterable[Row]]


def _meeting_title(title: str, book_title: str) -> str:
    # As Meeting.display_title shows it: a meeting without its own title is called after its book.
    return title or book_title


def _profile_rows(user: User) -> Iterable[Row]:
    yield {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "bio": user.bio,
        "date_joined": user.date_joined,
        "time_zone": user.timezone,
        "profile_visibility": user.profile_visibility,
    }


def _shelf_rows(user: User) -> Iterable[Row]:
    entries = (
        ShelfEntry.objects.of(user)
        .order_by("added_at", "pk")
        .values(
            "book__title",
            "book__authors",
            "book__isbn_13",
            "book__isbn_10",
            "shelf",
            "started_on",
            "finished_on",
            "rating",
            "added_at",
        )
    )
    for entry in entries.iterator():
        authors = entry["book__authors"]
        yield {
            "title": entry["book__title"],
            "authors": [str(name) for name in authors] if isinstance(authors, list) else [],
            "isbn_13": entry["book__isbn_13"],
            "isbn_10": entry["book__isbn_10"],
            "shelf": entry["shelf"],
            "started_on": entry["started_on"],
            "finished_on": entry["finished_on"],
            "rating": entry["rating"],
            "added_at": entry["added_at"],
        }


def _progress_rows(user: User) -> Iterable[Row]:
    entries = (
        ProgressEntry.objects.filter(attendance__user=user)
        .order_by("recorded_at", "pk")
        .values(
            "attendance__meeting_id",
            "attendance__meeting__title",
            "attendance__meeting__club__name",
            "attendance__meeting__book__title",
            "page",
            "finished",
            "recorded_at",
        )
    )
    for entry in entries.iterator():
        book_title = entry["attendance__meeting__book__title"]
        yield {
            "meeting_id": entry["attendance__meeting_id"],
            "meeting": _meeting_title(entry["attendance__meeting__title"], book_title),
            "club": entry["attendance__meeting__club__name"],
            "book": book_title,
            "page": entry["page"],
            "finished": entry["finished"],
            "recorded_at": entry["recorded_at"],
        }


def _finish_status(*, finished: bool, finished_at: datetime | None, starts_at: datetime) -> str:
    """Attendance.finish_status on plain values: the target reached by the start is in time, later is late."""
    if not finished or finished_at is None:
        return ""
    return FinishStatus.IN_TIME.value if finished_at <= starts_at else FinishStatus.LATE.value


def _attendance_rows(user: User) -> Iterable[Row]:
    attendances = (
        Attendance.objects.filter(user=user)
        .order_by("meeting__starts_at", "pk")
        .values(
            "meeting_id",
            "meeting__club__name",
            "meeting__title",
            "meeting__book__title",
            "meeting__starts_at",
            "meeting__status",
            "rsvp",
            "current_page",
            "finished",
            "finished_at",
            "checked_in",
            "checked_in_at",
        )
    )
    for attendance in attendances.iterator():
        starts_at = attendance["meeting__starts_at"]
        yield {
            "meeting_id": attendance["meeting_id"],
            "club": attendance["meeting__club__name"],
            "meeting": _meeting_title(attendance["meeting__title"], attendance["meeting__book__title"]),
            "book": attendance["meeting__book__title"],
            "starts_at": starts_at,
            "meeting_status": attendance["meeting__status"],
            "rsvp": attendance["rsvp"],
            "current_page": attendance["current_page"],
            "finished_at": attendance["finished_at"],
            "finish_status": _finish_status(
                finished=attendance["finished"], finished_at=attendance["finished_at"], starts_at=starts_at
            ),
            "checked_in": attendance["checked_in"],
            "checked_in_at": attendance["checked_in_at"],
        }


def _bet_rows(user: User) -> Iterable[Row]:
    bets = (
        Bet.objects.filter(bettor=user)
        .order_by("placed_at", "pk")
        .values(
            "id",
            "meeting_id",
            "meeting__title",
            "meeting__book__title",
            "meeting__club__name",
            "horse__username",
            "amount",
            "status",
            "paid",
            "payout",
            "payout_remainder",
            "placed_at",
            "updated_at",
        )
    )
    for bet in bets.iterator():
        yield {
            "bet_id": bet["id"],
            "meeting_id": bet["meeting_id"],
            "meeting": _meeting_title(bet["meeting__title"], bet["meeting__book__title"]),
            "club": bet["meeting__club__name"],
            "horse": bet["horse__username"],
            "amount": bet["amount"],
            "status": bet["status"],
            "paid": bet["paid"],
            "payout": bet["payout"],
            "payout_remainder": bet["payout_remainder"],
            "placed_at": bet["placed_at"],
            "updated_at": bet["updated_at"],
        }


def _ledger_rows(user: User) -> Iterable[Row]:
    entries = (
        LedgerEntry.objects.filter(account__user=user)
        .order_by("created_at", "pk")
        .values("id", "created_at", "amount", "balance_after", "reason", "note", "meeting_id", "bet_id")
    )
    for entry in entries.iterator():
        yield {
            "entry_id": entry["id"],
            "created_at": entry["created_at"],
            "amount": entry["amount"],
            "balance_after": entry["balance_after"],
            "reason": entry["reason"],
            "note": entry["note"],
            "meeting_id": entry["meeting_id"],
            "bet_id": entry["bet_id"],
        }


def _post_rows(user: User) -> Iterable[Row]:
    posts = (
        Post.objects.filter(author=user)
        .order_by("created_at", "pk")
        .values(
            "id",
            "parent_id",
            "meeting_id",
            "meeting__title",
            "meeting__book__title",
            "meeting__club__name",
            "created_at",
            "edited_at",
            "spoiler_page",
            "status",
            "body",
        )
    )
    for post in posts.iterator():
        yield {
            "post_id": post["id"],
            "reply_to_post_id": post["parent_id"],
            "meeting_id": post["meeting_id"],
            "meeting": _meeting_title(post["meeting__title"], post["meeting__book__title"]),
            "club": post["meeting__club__name"],
            "created_at": post["created_at"],
            "edited_at": post["edited_at"],
            "spoiler_page": post["spoiler_page"],
            "status": post["status"],
            "body": post["body"],
        }


def _friend_rows(user: User) -> Iterable[Row]:
    friendships = (
        Friendship.objects.of(user)
        .order_by("created_at", "pk")
        .values("user_low_id", "user_low__username", "user_high__username", "created_at")
    )
    for friendship in friendships.iterator():
        mine_is_low = friendship["user_low_id"] == user.pk
        yield {
            "friend": friendship["user_high__username" if mine_is_low else "user_low__username"],
            "since": friendship["created_at"],
        }


def _club_rows(user: User) -> Iterable[Row]:
    memberships = (
        Membership.objects.filter(user=user)
        .order_by("joined_at", "pk")
        .values("club__name", "club__slug", "role", "joined_at")
    )
    for membership in memberships.iterator():
        yield {
            "club": membership["club__name"],
            "slug": membership["club__slug"],
            "role": membership["role"],
            "joined_at": membership["joined_at"],
        }


SECTIONS = (
    Section(
        "profile",
        "Your account: username, display name, email, bio, when you joined, time zone and who sees your "
        "profile.",
        ("username", "display_name", "email", "bio", "date_joined", "time_zone", "profile_visibility"),
        _profile_rows,
    ),
    Section(
        "shelves",
        "The books on your shelves (want_to_read, reading, read), with your dates and rating.",
        (
            "title",
            "authors",
            "isbn_13",
            "isbn_10",
            "shelf",
            "started_on",
            "finished_on",
            "rating",
            "added_at",
        ),
        _shelf_rows,
    ),
    Section(
        "reading_progress",
        "Every page you recorded for a meeting's book, one row per change.",
        ("meeting_id", "meeting", "club", "book", "page", "finished", "recorded_at"),
        _progress_rows,
    ),
    Section(
        "meetings_attended",
        "The meetings you answered, with your RSVP, last page, check-in and whether you finished the "
        "book in time (in_time) or after the start (late).",
        (
            "meeting_id",
            "club",
            "meeting",
            "book",
            "starts_at",
            "meeting_status",
            "rsvp",
            "current_page",
            "finished_at",
            "finish_status",
            "checked_in",
            "checked_in_at",
        ),
        _attendance_rows,
    ),
    Section(
        "bets",
        "The bets you placed: on whom (horse), your stake (amount), the outcome and what it paid.",
        (
            "bet_id",
            "meeting_id",
            "meeting",
            "club",
            "horse",
            "amount",
            "status",
            "paid",
            "payout",
            "payout_remainder",
            "placed_at",
            "updated_at",
        ),
        _bet_rows,
    ),
    Section(
        "points_ledger",
        "Every change of your points balance: the amount (negative when points left your balance), "
        "the balance after it, why, and the meeting or bet it was about.",
        ("entry_id", "created_at", "amount", "balance_after", "reason", "note", "meeting_id", "bet_id"),
        _ledger_rows,
    ),
    Section(
        "discussion_posts",
        "Your posts and replies in meetings' discussions, with the page they are about (spoiler_page).",
        (
            "post_id",
            "reply_to_post_id",
            "meeting_id",
            "meeting",
            "club",
            "created_at",
            "edited_at",
            "spoiler_page",
            "status",
            "body",
        ),
        _post_rows,
    ),
    Section(
        "friends",
        "Your friends' usernames, and since when you are friends.",
        ("friend", "since"),
        _friend_rows,
    ),
    Section(
        "clubs",
        "The clubs you belong to, your role in each, and when you joined.",
        ("club", "slug", "role", "joined_at"),
        _club_rows,
    ),
)


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _csv_cell(value) -> object:
    """What a spreadsheet shows as written: numbers stay numbers (a ledger's -10 too); a text that
    would start a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_bytes(columns: tuple[str, ...], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[column]) for column in columns])
    # The byte-order mark tells spreadsheet apps (Excel) the file is UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def _readme(user: User, exported_at: datetime) -> str:
    lines = [
        f"Everything Booky holds about {user.username}, exported {exported_at.isoformat()}.",
        "",
        "Each .csv file has a header row and is UTF-8 (with a byte-order mark, so spreadsheets open it",
        "right). Times are UTC in ISO 8601. A text cell that starts with = + - @ or a tab has a leading",
        "' added, so a spreadsheet shows it as text instead of running it as a formula.",
        "",
    ]
    for section in SECTIONS:
        lines.append(f"{section.name}.csv: {section.description}")
    lines += [
        "",
        f"{JSON_NAME}: the same data in one JSON object, a key per file above (without .csv), each a",
        "list of objects; the text as written, without the leading quotes.",
    ]
    return "\n".join(lines) + "\n"


def member_export_write(user: User, file) -> None:
    """Write the member's export as a zip into the binary file-like `file`: one CSV per section, the
    JSON file and README.txt, all about `user` alone."""
    exported_at = timezone.now().replace(microsecond=0)
    data = {section.name: list(section.rows(user)) for section in SECTIONS}
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(README_NAME, _readme(user, exported_at))
        for section in SECTIONS:
            archive.writestr(f"{section.name}.csv", _csv_bytes(section.columns, data[section.name]))
        document = {
            name: [{key: _json_value(value) for key, value in row.items()} for row in rows]
            for name, rows in data.items()
        }
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))


def member_export_zip(user: User) -> bytes:
    """The member's export as the bytes of a zip file (see member_export_write)."""
    buffer = io.BytesIO()
    member_export_write(user, buffer)
    return buffer.getvalue()


def member_export_filename(user: User) -> str:
    """`booky-data-<username>-<YYYY-MM-DD>.zip`, dated in the member's own time zone."""
    today = timezone.now().astimezone(user_timezone(user)).date()
    return f"booky-data-{user.username}-{today.isoformat()}.zip"


def _rate_key(user: User) -> str:
    return f"data-export:{user.pk}"


def check_data_export_rate(user: User, *, increment: bool = True) -> None:
    """Count one export for the member; RateLimited when they had one in the last minute (page and API
    share the count). With increment=False, only look: a HEAD request downloads nothing."""
    if not increment:
        if cache.get(_rate_key(user)) is not None:
            raise RateLimited(RATE_LIMITED_MESSAGE)
        return
    # add() writes only a missing key, atomically: two requests at once cannot both get through.
    if not cache.add(_rate_key(user), 1, timeout=EXPORT_INTERVAL_SECONDS):
        raise RateLimited(RATE_LIMITED_MESSAGE)


def data_export_response(user: User, *, with_content: bool = True) -> HttpResponse:
    """The member's export as a zip download that no cache keeps (without the zip: its headers, for HEAD)."""
    content = member_export_zip(user) if with_content else b""
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=member_export_filename(user)
    )
    response["Cache-Control"] = "no-store"
    return response
