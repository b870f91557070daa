"""The reading race in a real browser: RSVP, move my runner, see another reader's runner move on the next poll."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services
from meetings.models import Attendance, Meeting, Rsvp
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.browser


def _no_console_errors(page, where: str) -> None:
    assert page.console_errors == [], f"console errors on {where}: {page.console_errors}"


def test_members_race_to_the_meeting_and_see_each_other_move(new_page, screenshot):
    club = ClubFactory(name="Night Owls Reading Circle", slug="night-owls")
    ana = UserFactory(username="ana", display_name="Ana Lima", timezone="Europe/Lisbon")
    bruno = UserFactory(username="bruno", display_name="Bruno Costa")
    add_member(club, ana)
    add_member(club, bruno)
    book = BookFactory(title="The Left Hand of Darkness", authors=["Ursula K. Le Guin"], page_count=300)
    meeting = MeetingFactory(
        club=club,
        book=book,
        starts_at=timezone.now() + timedelta(days=5, hours=2),
        place="Café Livro, Rua Nova 12",
    )
    for name, page in (("Carla Dias", 210), ("Duarte Reis", 45)):
        reader = add_member(club, UserFactory(display_name=name)).user
        services.attendance_progress(user=reader, meeting=meeting, current_page=page)
    url = f"/meetings/{meeting.pk}/"

    page = new_page(1280, user=ana)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("The Left Hand of Darkness")
    page.evaluate("window.bookyNoReload = 'still here'")

    # RSVP swaps the buttons in place and puts me on the track.
    page.get_by_role("button", name="Going", exact=True).click()
    expect(page.get_by_text("See you there! You are on the race track.")).to_be_visible()
    expect(page.locator("#rsvp-going")).to_have_attribute("aria-pressed", "true")
    my_runner = page.locator('.runner.me[data-runner="ana"]')
    expect(my_runner).to_have_attribute("data-percent", "0")

    # Moving my progress moves my runner.
    page.get_by_label("Page I am on").fill("120")
    page.get_by_role("button", name="Save progress").click()
    expect(page.get_by_text("Saved: page 120 of 300.")).to_be_visible()
    expect(my_runner).to_have_attribute("data-percent", "40")
    expect(my_runner.locator("circle")).to_have_attribute("cx", "40%")
    assert page.evaluate("window.bookyNoReload") == "still here", "the page reloaded instead of swapping"

    # Bruno updates in his own browser; Ana's page shows it on the next poll, without a reload.
    other = new_page(360, user=bruno)
    other.goto(url)
    other.get_by_role("button", name="Going", exact=True).click()
    expect(other.locator("#rsvp-going")).to_have_attribute("aria-pressed", "true")
    other.get_by_label("or percent of my book").fill("90")
    other.get_by_role("button", name="Save progress").click()
    expect(other.get_by_text("Saved: page 270 of 300.")).to_be_visible()
    assert Attendance.objects.get(user=bruno).current_page == 270

    bruno_on_anas_page = page.locator('.runner[data-runner="bruno"]')
    expect(bruno_on_anas_page).to_have_count(0)
    page.locator("[data-race-poll]").evaluate("element => element.setAttribute('data-race-poll', '1')")
    expect(bruno_on_anas_page).to_have_attribute("data-percent", "90", timeout=5_000)
    assert page.evaluate("window.bookyNoReload") == "still here"

    # Ana finishes: her runner reaches the line.
    page.get_by_role("button", name="I finished it").click()
    expect(page.get_by_text("Finished! Your runner is at the finish line.")).to_be_visible()
    expect(my_runner).to_have_attribute("data-percent", "100")
    expect(my_runner).to_have_class("runner me finished")

    screenshot(page, "meeting-race")
    screenshot(other, "meeting-race-other")
    _no_console_errors(page, "the meeting page")
    _no_console_errors(other, "the second reader's meeting page")


def test_a_hidden_tab_does_not_poll(new_page):
    club = ClubFactory()
    reader = add_member(club, UserFactory()).user
    meeting = MeetingFactory(club=club)
    page = new_page(1280, user=reader)
    page.goto(f"/meetings/{meeting.pk}/")
    page.locator("[data-race-poll]").evaluate("element => element.setAttribute('data-race-poll', '1')")
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
            window.raceRequests = 0;
            document.body.addEventListener('race-refresh', () => { window.raceRequests += 1; });
        }"""
    )
    page.wait_for_timeout(2_500)
    assert page.evaluate("window.raceRequests") == 0
    # Coming back polls at once; the test waits for that answer and then stops the polls, so no
    # request is still running in the live server when the test database is flushed.
    with page.expect_response(
        lambda response: f"/meetings/{meeting.pk}/?since=" in response.url, timeout=3_000
    ):
        page.evaluate(
            "() => Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true})"
        )
    page.locator("[data-race-poll]").evaluate("element => element.setAttribute('data-race-poll', '3600')")
    assert page.evaluate("window.raceRequests") > 0
    page.wait_for_load_state("networkidle")
    _no_console_errors(page, "the meeting page")


def test_owner_schedules_a_meeting_with_the_book_picker(new_page, screenshot):
    owner = UserFactory(username="olga", timezone="Europe/Berlin")
    club = ClubFactory(name="Berlin Readers", slug="berlin-readers", owner=owner)
    BookFactory(title="Effi Briest", authors=["Theodor Fontane"], page_count=288)
    page = new_page(1280, user=owner)
    page.goto(f"/clubs/{club.slug}/")
    page.get_by_role("button", name="Schedule a meeting").click()
    expect(page.get_by_role("heading", name="Schedule a meeting")).to_be_visible()

    page.get_by_role("searchbox", name="Search books").fill("Effi")
    # Google's (faked) results may hold another edition: choose ours, the one with 288 pages.
    page.get_by_role("listitem").filter(has_text="288 pages").get_by_text("Effi Briest").click()
    expect(page.locator('#book-picker-book input[type=hidden][name="book"]')).to_have_count(1)
    next_year = timezone.now().year + 1
    page.get_by_label("Starts").fill(f"{next_year}-04-02T19:00")
    page.get_by_label("Place").fill("Buchhandlung am Markt")
    screenshot(page, "meeting-form")
    page.get_by_role("button", name="Schedule meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Effi Briest")
    expect(page.locator("#meeting-time")).to_contain_text(f"2 April {next_year}, 19:00")
    expect(page.get_by_text("Meeting scheduled. Members can now RSVP.")).to_be_visible()
    _no_console_errors(page, "scheduling a meeting")
    assert Rsvp  # the enum the page's buttons post


def test_enter_in_the_title_field_saves_the_meeting(new_page):
    owner = UserFactory(username="oskar", timezone="Europe/Berlin")
    club = ClubFactory(name="Enter Readers", slug="enter-readers", owner=owner)
    BookFactory(title="Der Zauberberg", authors=["Thomas Mann"], page_count=1000)
    page = new_page(1280, user=owner)
    page.goto(f"/clubs/{club.slug}/meetings/new/")

    # Enter in the picker's search box searches, and does not save a half-filled meeting.
    search = page.get_by_role("searchbox", name="Search books")
    search.fill("Zauberberg")
    search.press("Enter")
    page.get_by_role("listitem").filter(has_text="1000 pages").get_by_text("Der Zauberberg").click()
    expect(page.locator('#book-picker-book input[type=hidden][name="book"]')).to_have_count(1)
    assert not Meeting.objects.exists()

    next_year = timezone.now().year + 1
    page.get_by_label("Starts").fill(f"{next_year}-05-06T19:30")
    page.get_by_label("Place").fill("Sanatorium Berghof")
    title = page.get_by_label("Title")
    title.fill("Seven years on the mountain")
    title.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Seven years on the mountain")
    expect(page.get_by_text("Meeting scheduled. Members can now RSVP.")).to_be_visible()
    assert Meeting.objects.get().title == "Seven years on the mountain"
    _no_console_errors(page, "scheduling a meeting with Enter")


def test_saving_progress_updates_my_box_and_the_race_in_one_response(new_page):
    club = ClubFactory()
    reader = add_member(club, UserFactory(username="rosa", display_name="Rosa")).user
    meeting = MeetingFactory(club=club, book=BookFactory(page_count=200), target_page=200)
    services.attendance_progress(user=reader, meeting=meeting, current_page=20)
    page = new_page(1280, user=reader)
    page.goto(f"/meetings/{meeting.pk}/")
    my_runner = page.locator('.runner.me[data-runner="rosa"]')
    expect(my_runner).to_have_attribute("data-percent", "10")

    requests: list[str] = []
    page.on("request", lambda request: requests.append(f"{request.method} {request.url}"))
    page.get_by_label("Page I am on").fill("150")
    page.get_by_role("button", name="Save progress").click()

    expect(page.locator("#progress .my-page")).to_contain_text("Page 150 of 200 · 75 % of 200 pages")
    expect(my_runner).to_have_attribute("data-percent", "75")
    expect(page.locator("#attendees .attendee-list li.me")).to_contain_text("p. 150 · 75%")
    page.wait_for_timeout(500)  # a refresh the save asked for would have gone out by now
    assert [request for request in requests if "/progress/" not in request] == [], requests
    assert len(requests) == 1
    _no_console_errors(page, "saving progress")


def test_an_unchanged_race_is_revalidated_not_downloaded_again(new_page, caplog):
    club = ClubFactory()
    reader = add_member(club, UserFactory()).user
    runner = add_member(club, UserFactory(display_name="Rita Runner")).user
    meeting = MeetingFactory(club=club, book=BookFactory(page_count=300))
    services.attendance_progress(user=runner, meeting=meeting, current_page=30)
    page = new_page(1280, user=reader)
    page.goto(f"/meetings/{meeting.pk}/")
    caplog.set_level("INFO", logger="booky.request")
    caplog.clear()
    # The poll carries the newest post the page showed (?since=...), for "N new posts".
    race_path = f"GET /meetings/{meeting.pk}/?since="

    def race_answers() -> list[str]:
        return [
            record.getMessage().split()[2] for record in caplog.records if race_path in record.getMessage()
        ]

    def poll() -> None:  # what the poll timer does every 30 s
        page.evaluate("() => { document.querySelector('#race').dataset.shown = 'before'; }")
        with page.expect_response(lambda response: f"/meetings/{meeting.pk}/?since=" in response.url):
            page.evaluate("() => window.htmx.trigger(document.body, 'race-refresh')")
        # The answer (fresh, or the browser's copy after a 304) has replaced the race, and htmx has
        # processed the new element (it drops `htmx-added` as it attaches the poll's listener, one
        # settle delay after the swap): the next poll goes from the new element. Triggering inside
        # that window would find no listener, which a loaded CI machine widens.
        page.wait_for_function(
            "() => { const race = document.querySelector('#race');"
            " return race.dataset.shown !== 'before' && !race.classList.contains('htmx-added'); }"
        )

    # The first poll downloads the race; the next one, with nothing changed, is a 304 from the
    # browser's own If-None-Match, and the race stays on the page.
    poll()
    poll()
    assert race_answers() == ["200", "304"]
    expect(page.locator('.runner[data-percent="10"]')).to_have_count(1)

    services.attendance_progress(user=runner, meeting=meeting, current_page=150)
    poll()
    expect(page.locator('.runner[data-percent="50"]')).to_have_count(1, timeout=5_000)
    assert page.console_errors == []
