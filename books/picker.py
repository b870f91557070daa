"""The reusable book picker's data. See books/templates/books/_picker.html for how to include it."""

from dataclasses import dataclass

from books.models import Book
from books.search import Result, clean_query, search_books

PICKER_RESULTS = 10


@dataclass(frozen=True)
class Picker:
    field_name: str
    query: str
    results: list[Result]
    selected: Book | None
    notice: str = ""
    limited: bool = False

    @property
    def query_name(self) -> str:
        return f"{self.field_name}_q"

    @property
    def dom_id(self) -> str:
        return f"book-picker-{self.field_name}"


def picker_for(
    request, *, field_name: str = "book", selected: Book | None = None, search: bool = True
) -> Picker:
    """The picker's state: the chosen book, and the results for `<field_name>_q` in the query string."""
    from books.ratelimit import search_limited

    query = clean_query(request.GET.get(f"{field_name}_q", "")) if search else ""
    if not query:
        return Picker(field_name=field_name, query="", results=[], selected=selected)
    if search_limited(request):
        return Picker(field_name=field_name, query=query, results=[], selected=selected, limited=True)
    found = search_books(query)
    return Picker(
        field_name=field_name,
        query=query,
        results=found.results[:PICKER_RESULTS],
        selected=selected,
        notice=found.notice,
    )
