"""Choosing the next book in a real browser: three members import their Goodreads shelves, the owner
opens a poll, each nominates from their want-to-read shelf and ranks the nominees, the poll closes,
and the owner schedules the winner as the next meeting in one step."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from books.models import Book, ShelfEntry
from clubs.models import Poll
from clubs.polls import services as poll_services
from meetings.models import Meeting
from tests.factories import BookFactory, ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.browser

HEADER = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Date Read,Date Added,Exclusive Shelf\r\n"


def goodreads_file(tmp_path, name: str, rows: list[tuple[str, str, str, str]]):
    lines = [HEADER] + [
        f'{n},"{title}",{author},,,"=""""","=""{isbn}""",0,,2026/11/01,{shelf}\r\n'
        for n, (title, author, isbn, shelf) in enumerate(rows, start=1)
    ]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(("\ufeff" + "".join(lines)).encode())
    return path


def _book(title: str, author: str, isbn: str, pages: int) -> Book:
    book = Book.objects.filter(isbn_13=isbn).first() or Book.objects.filter(title=title).first()
    if book is None:
        return BookFactory(title=title, authors=[author], isbn_13=isbn, page_count=pages)
    Book.objects.filter(pk=book.pk).update(isbn_13=isbn)
    book.refresh_from_db()
    return book


def local(days: float) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_three_members_choose_and_schedule_their_next_book(new_page, screenshot, tmp_path):
    club = ClubFactory(
        name="Riverside Readers", slug="riverside", owner=UserFactory(username="olive", display_name="Olive")
    )
    olive = club.memberships.get().user
    mia = add_member(club, UserFactory(username="mia", display_name="Mia")).user
    max_ = add_member(club, UserFactory(username="max", display_name="Max")).user
    # The catalog's own books when a migration loaded them (an earlier live-server test may have flushed
    # them), made here otherwise; each with the ISBN its export names.
    books = {
        title: _book(title, author, isbn, pages)
        for title, author, isbn, pages in (
            ("Middlemarch", "George Eliot", "9780141439549", 880),
            ("Cranford", "Elizabeth Gaskell", "9780140434101", 240),
            ("Villette", "Charlotte Brontë", "9780140434798", 620),
        )
    }
    wanted = {
        olive: [("Middlemarch", "want_to_read"), ("Villette", "read")],
        mia: [("Cranford", "to-read"), ("Middlemarch", "to-read")],
        max_: [("Villette", "to-read"), ("Cranford", "to-read")],
    }
    pages = {}
    for member, rows in wanted.items():
        page = pages[member] = new_page(1280, user=member)
        csv = goodreads_file(
            tmp_path,
            member.username,
            [
                (t, books[t].authors[0], books[t].isbn_13, "to-read" if s == "want_to_read" else s)
                for t, s in rows
            ],
        )
        page.goto("/books/shelves/import/")
        page.get_by_label("Export file (CSV)").set_input_files(str(csv))
        page.get_by_role("button", name="Import").click()
        expect(page.locator("#import-progress")).to_contain_text("Done")
        expect(page.locator(".import-summary")).to_contain_text("2 added to your shelves")
    assert ShelfEntry.objects.count() == 6

    # The owner opens the poll from the club page.
    owner = pages[olive]
    owner.goto("/clubs/riverside/")
    owner.get_by_role("link", name="Open a next-book poll").click()
    owner.get_by_label("Nominations close").fill(local(1))
    owner.get_by_label("Voting closes").fill(local(3))
    owner.get_by_role("button", name="Open the poll").click()
    expect(owner.get_by_role("heading", name="What do we read next?")).to_be_visible()
    poll = Poll.objects.get()

    # Each nominates a book from their want-to-read shelf, with a pitch; Max finds his by searching.
    for member, title in ((olive, "Middlemarch"), (mia, "Cranford")):
        page = pages[member]
        page.goto(poll.get_absolute_url())
        nominations = page.locator("#poll-nominations")
        nominations.get_by_label("From your “Want to read” shelf").select_option(
            label=f"{title} — {books[title].authors[0]}"
        )
        nominations.get_by_label("Why this book? (optional, one line)").first.fill(f"{title} would be lovely")
        nominations.get_by_role("button", name="Nominate").first.click()
        expect(page.locator("#poll-nominations")).to_contain_text(f"Nominated “{title}”.")
    searcher = pages[max_]
    searcher.goto(poll.get_absolute_url())
    nominations = searcher.locator("#poll-nominations")
    nominations.get_by_label("Search books").fill("Villette")
    choice = nominations.get_by_role("radio", name="Villette").first
    expect(choice).to_be_visible()
    # The list can still be settling from the search's swap: skip the wait for a still element.
    choice.check(force=True)
    expect(nominations.locator(".book-picker-chosen")).to_contain_text("Villette")
    nominations.get_by_role("textbox", name="Why this book? (one line)").fill("Lucy Snowe deserves us")
    nominations.get_by_role("button", name="Nominate").last.click()
    expect(nominations).to_contain_text("Nominated “Villette”.")
    expect(pages[max_].locator(".nominee")).to_have_count(3)
    expect(pages[max_].locator(".nominee").first).to_contain_text("2 members want to read it")
    screenshot(pages[max_], "poll-nominations")

    # Nominations close; everyone ranks the books.
    Poll.objects.filter(pk=poll.pk).update(nominations_close_at=timezone.now() - timedelta(minutes=1))
    rankings = {
        olive: ["Middlemarch", "Cranford"],
        mia: ["Cranford", "Middlemarch"],
        max_: ["Villette", "Cranford"],
    }
    for member, order in rankings.items():
        page = pages[member]
        page.goto(poll.get_absolute_url())
        ballot = page.locator("#poll-ballot")
        for rank, title in enumerate(order, start=1):
            ballot.get_by_label(title).select_option(label=f"{rank}{'st' if rank == 1 else 'nd'} choice")
        ballot.get_by_role("button", name="Cast my ballot").click()
        expect(page.locator("#poll-ballot")).to_contain_text("Your ballot is saved.")
    owner.reload()
    expect(owner.locator(".poll-turnout")).to_contain_text("3 of 3 members voted")
    assert "The winner is" not in owner.content()

    # Voting ends; the worker's sweep counts the ballots once.
    Poll.objects.filter(pk=poll.pk).update(voting_closes_at=timezone.now() - timedelta(seconds=1))
    assert poll_services.polls_close_due() == 1
    owner.reload()
    # Round 1: one first choice each; Villette has fewest second choices and goes; Cranford wins round 2.
    expect(owner.locator(".poll-winner")).to_contain_text("The winner is Cranford")
    expect(owner.locator("table.poll-round")).to_have_count(2)
    screenshot(owner, "poll-result")

    schedule = owner.locator("#schedule-winner")
    schedule.get_by_label("Starts").fill(local(14))
    schedule.get_by_label("Place").fill("The Riverside library")
    schedule.get_by_role("button", name="Schedule the meeting").click()
    expect(owner.get_by_role("heading", level=1)).to_contain_text("Cranford")
    meeting = Meeting.objects.get()
    assert meeting.book == books["Cranford"] and meeting.from_poll_id == poll.pk
    assert owner.console_errors == [] and pages[mia].console_errors == []
