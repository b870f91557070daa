"""The reusable book picker's data. See books/templates/books/_picker.html for how to include it."""

import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.urls import reverse

from books.models import Book
from books.ratelimit import search_limited
from books.search import Result, clean_query, poll_started_at, search_books, unavailable_notice

PICKER_RESULTS = 10


@dataclass(frozen=True)
class Picker:
    field_name: str
    query: str
    results: list[Result]
    selected: Book | None
    unavailable_sources: tuple[str, ...] = ()
    pending_sources: tuple[str, ...] = ()
    limited: bool = False
    started_at: int = 0  # when the search began: polls for the sources' part give up some time after

    @property
    def notice(self) -> str:
        return unavailable_notice(self.unavailable_sources)

    @property
    def pending(self) -> bool:
        return bool(self.pending_sources)

    @property
    def pending_label(self) -> str:
        return " and ".join(self.pending_sources)

    @property
    def poll_url(self) -> str:
        """The result list again, from the cache only, while a source's part is pending."""
        query = {"field": self.field_name, self.query_name: self.query, "since": self.started_at}
        return f"{reverse('books:picker')}?{urlencode(query)}"

    def give_up(self) -> "Picker":
        """Stop waiting: the sources still pending count as unavailable."""
        return replace(
            self, unavailable_sources=(*self.unavailable_sources, *self.pending_sources), pending_sources=()
        )

    @property
    def query_name(self) -> str:
        return f"{self.field_name}_q"

    @property
    def dom_id(self) -> str:
        return f"book-picker-{self.field_name}"


def picker_for(
    request,
    *,
    field_name: str = "book",
    selected: Book | None = None,
    search: bool = True,
    ask_google: bool = True,
) -> Picker:
    """The picker's state: the chosen book, and the results for `<field_name>_q` in the query string.

    With `ask_google` off (a poll) the sources' part comes from the cache only and no search is counted.
    """
    query = clean_query(request.GET.get(f"{field_name}_q", "")) if search else ""
    if not query:
        return Picker(field_name=field_name, query="", results=[], selected=selected)
    if ask_google and search_limited(request):
        return Picker(field_name=field_name, query=query, results=[], selected=selected, limited=True)
    found = search_books(query, ask_google=ask_google)
    started_at = int(time.time()) if ask_google else poll_started_at(request.GET.get("since"))
    return Picker(
        field_name=field_name,
        query=query,
        results=found.results[:PICKER_RESULTS],
        selected=selected,
        unavailable_sources=tuple(found.unavailable_sources),
        pending_sources=tuple(found.pending_sources),
        started_at=started_at,
    )
