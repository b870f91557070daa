"""Book pages and their HTMX fragments. Reads go through books.search / QuerySets; writes through services."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from books import google_books, open_library, services
from books.forms import BookChoiceField, BookForm
from books.models import Book, Source
from books.picker import picker_for
from books.ratelimit import RATE_LIMITED_MESSAGE, search_limited
from books.search import Result, clean_query, poll_expired, poll_started_at, search_books
from booky.core.errors import Conflict, DomainError, NotFound
from booky.core.forms import add_validation_error
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.numbers import Paginator

RESULTS_PER_PAGE = 20
# Pages whose GET shows the form their POST came from: a POST by someone signed out comes back there.
PAGES_HOLDING_THEIR_FORM = {"create", "open_library"}


def login_required_page(view):
    """login_required that sends HTMX requests to the login page with HX-Redirect."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            login = reverse("account_login")
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(f"{login}?{urlencode({'next': next_url})}")
        # A POST cannot be replayed after logging in: come back to the page that holds the form.
        after_login = (
            request.path
            if request.resolver_match.url_name in PAGES_HOLDING_THEIR_FORM
            else reverse("books:search")
        )
        return redirect_to_login(
            request.get_full_path() if request.method in ("GET", "HEAD") else after_login
        )

    return wrapper


@require_safe
@vary_on_headers("HX-Request")
def search(request):
    """Local results at once; the sources' join them when the background lookups are done (see search_google)."""
    query = clean_query(request.GET.get("q", ""))
    is_fragment = _is_fragment_request(request)
    template = "books/search.html#results" if is_fragment else "books/search.html"
    if query and search_limited(request):
        context = {
            "query": query,
            "limited": True,
            "message": RATE_LIMITED_MESSAGE,
            "is_fragment": is_fragment,
        }
        return TemplateResponse(request, template, context, status=429)
    return _search_results(request, template, search_books(query), started_at=int(time.time()))


@require_safe
@never_cache  # what it answers changes within seconds (pending, then the results)
@vary_on_headers("HX-Request")
def search_google(request):
    """The search page again once the remote sources' part is known, from the cache only (never the network).

    The results region polls it while a source is pending: 204 (nothing to swap) until the background
    lookups are done, then the whole region with Google's and Open Library's books merged in. Without
    JavaScript it is the "Load more results from …" link. Not counted as a search: it cannot make
    Booky ask a source.
    """
    query = clean_query(request.GET.get("q", ""))
    started_at = poll_started_at(request.GET.get("since"))
    found = search_books(query, ask_google=False)
    if found.pending and poll_expired(started_at):
        found = found.give_up()
    is_fragment = _is_fragment_request(request)
    if found.pending and is_fragment:
        return HttpResponse(status=204)
    template = "books/search.html#results" if is_fragment else "books/search.html"
    return _search_results(request, template, found, started_at=started_at)


def _search_results(request, template: str, found, *, started_at: int) -> TemplateResponse:
    page = Paginator(found.results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    google_poll_url = ""
    if found.pending:
        poll = {"q": found.query, "page": page.number, "since": started_at}
        google_poll_url = f"{reverse('books:search_google')}?{urlencode(poll)}"
    context = {
        "query": found.query,
        "page": page,
        "notice": found.notice,
        "google_poll_url": google_poll_url,
        "pending_label": " and ".join(found.pending_sources),
        "is_fragment": _is_fragment_request(request),
        "page_query": urlencode({"q": found.query}) if found.query else "",
    }
    return TemplateResponse(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
def google_open(request, volume_id: str):
    """A Google Books result: GET shows what it is with an "Add to Booky" button; POST imports it (once).

    GET never writes nor asks Google (a link checker or prefetch must not import books); a volume
    Booky already has redirects to its page. POST counts against the same per-minute allowance as
    searches: it can ask Google and write.
    """
    if not google_books.VOLUME_ID.fullmatch(volume_id):
        raise Http404("No such Google Books volume.")
    if request.method != "POST":
        book = Book.objects.filter(google_volume_id=volume_id).first()
        volume = google_books.cached_volume(volume_id) if book is None else None
        return _remote_book_page(
            request,
            source=Source.GOOGLE,
            book=book,
            item=Result.from_volume(volume) if volume else None,
            action_url=reverse("books:google", args=[volume_id]),
        )
    return _remote_book_import(
        request, Source.GOOGLE, lambda: services.book_import_google(volume_id=volume_id)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def open_library_open(request, work_key: str):
    """An Open Library result, as google_open is for Google's; adding it takes a signed-in member.

    GET never writes nor asks Open Library: it shows the work (from a recent search's cache) with an
    "Add to Booky" button, or redirects to the book when Booky has it (by work key, or by one of the
    work's ISBNs). POST imports it once; a book with one of its ISBNs is linked instead.
    """
    if not open_library.WORK_KEY.fullmatch(work_key):
        raise Http404("No such Open Library work.")
    if request.method == "POST":
        return _open_library_import(request, work_key)
    doc = open_library.cached_doc(work_key)
    book = Book.objects.filter(open_library_key=work_key).first()
    if book is None and doc is not None and doc.isbns:
        book = Book.objects.with_any_isbn_13(doc.isbns).order_by("pk").first()
    sign_in_url = ""
    if not request.user.is_authenticated:
        sign_in_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
    return _remote_book_page(
        request,
        source=Source.OPEN_LIBRARY,
        book=book,
        item=Result.from_doc(doc) if doc else None,
        action_url=reverse("books:open_library", args=[work_key]),
        sign_in_url=sign_in_url,
    )


@login_required_page
def _open_library_import(request, work_key: str):
    return _remote_book_import(
        request, Source.OPEN_LIBRARY, lambda: services.book_import_open_library(work_key=work_key)
    )


def _remote_book_page(request, *, source, book, item, action_url: str, sign_in_url: str = ""):
    """A remote source's result by its address: the book's page when Booky has it, else the offer to add it."""
    if book is not None:
        return redirect(book.get_absolute_url())
    context = {
        "source_label": source.label,
        "item": item,
        "action_url": action_url,
        "sign_in_url": sign_in_url,
    }
    return TemplateResponse(request, "books/remote_book.html", context)


def _remote_book_import(request, source, book_import):
    """POST of a remote result: import it (counted like a search: it can ask the source and write)."""
    if search_limited(request):
        context = {"query": "", "limited": True, "message": RATE_LIMITED_MESSAGE, "is_fragment": False}
        return TemplateResponse(request, "books/search.html", context, status=429)
    try:
        book = book_import()
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:  # the source unavailable, or a book Booky cannot store
        context = {"source_label": source.label, "message": error.message}
        return TemplateResponse(request, "books/source_unavailable.html", context, status=503)
    return redirect(book.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def create(request):
    form = BookForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            book = services.book_create(
                title=form.cleaned_data["title"],
                subtitle=form.cleaned_data["subtitle"],
                authors=form.cleaned_data["authors"],
                page_count=form.cleaned_data["page_count"],
                published_date=form.cleaned_data["published_date"],
                publisher=form.cleaned_data["publisher"],
                isbn=form.cleaned_data["isbn"],
                description_text=form.cleaned_data["description"],
            )
        except Conflict as error:
            form.add_error("isbn", error.message)
        except ValidationError as error:
            add_validation_error(form, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if request.htmx:
                return HttpResponseClientRedirect(book.get_absolute_url())
            return redirect(book.get_absolute_url())
    status = 422 if form.is_bound else 200
    template = (
        "books/form.html#book-form" if _is_fragment_request(request) and form.is_bound else "books/form.html"
    )
    return TemplateResponse(request, template, {"form": form}, status=status)


# --- the book picker ---------------------------------------------------------------------------------


def _field_name(request) -> str:
    name = (request.GET.get("field") or request.POST.get("field") or "book").strip()
    return name if name.isidentifier() and len(name) <= 40 else "book"


@require_safe
def picker(request):
    """The picker's result list for what was typed (HTMX), or a page holding the picker alone.

    With `since` it is the result list's poll while a source's part is pending: cache only, not
    counted as a search, 204 until there is something new to show.
    """
    is_fragment = _is_fragment_request(request)
    polling = is_fragment and "since" in request.GET
    state = picker_for(request, field_name=_field_name(request), ask_google=not polling)
    if polling and state.pending:
        if not poll_expired(poll_started_at(request.GET.get("since"))):
            return HttpResponse(status=204)
        state = state.give_up()
    template = "books/_picker.html#picker-results" if is_fragment else "books/picker.html"
    return TemplateResponse(request, template, {"picker": state}, status=429 if state.limited else 200)


@require_POST
@login_required_page
def picker_choose(request):
    """Someone chose a result: import it if it came from a remote source, answer with the picker showing it."""
    field_name = _field_name(request)
    try:
        book = BookChoiceField().clean(request.POST.get(field_name, ""))
    except ValidationError as error:
        state = picker_for(request, field_name=field_name, search=False)
        context = {"picker": state, "picker_error": " ".join(error.messages)}
        return TemplateResponse(request, "books/_picker.html#picker", context, status=422)
    state = picker_for(request, field_name=field_name, selected=book, search=False)
    return TemplateResponse(request, "books/_picker.html#picker", {"picker": state})
