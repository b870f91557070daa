"""The shelves' pages: a member's shelves, putting a book on a shelf (a fragment on every book page,
search result and meeting), editing an entry, and importing a Goodreads or StoryGraph export."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from books.models import Book
from books.shelves import importing, selectors, services
from books.shelves.forms import CheckResolveForm, ImportForm, ShelfChoiceForm, ShelfEntryForm
from books.shelves.models import CheckStatus, ImportCheck, Shelf, ShelfEntry, ShelfImport
from books.shelves.selectors import shelf_control_context
from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for, safe_path
from booky.core.numbers import Paginator
from social.models import User

ENTRIES_PER_PAGE = 30
IMPORTS_LISTED = 10
CHECKS_PER_PAGE = 50


def _status(error: DomainError) -> int:
    return error.status_code if error.status_code in (403, 404, 409) else 422


# --- a member's shelves ---------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def shelves_page(request, username: str):
    owner = get_object_or_404(User, username=username)
    if not selectors.can_view_shelves(request.user, owner):
        # As for the profile: a hidden member's pages do not exist for the viewer.
        raise Http404("No such shelves.")
    shelf = request.GET.get("shelf", "")
    if shelf not in Shelf.values:
        shelf = Shelf.READING if selectors.shelf_counts(owner)[Shelf.READING] else Shelf.WANT_TO_READ
    entries = ShelfEntry.objects.filter(user=owner, shelf=shelf).for_page()
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    is_mine = request.user.is_authenticated and request.user.pk == owner.pk
    context = {
        "owner": owner,
        "is_mine": is_mine,
        "shelf": shelf,
        "shelves": Shelf,
        "counts": selectors.shelf_counts(owner),
        "page": page,
        "open_checks": ImportCheck.objects.filter(user=owner, status=CheckStatus.OPEN).count()
        if is_mine
        else 0,
    }
    template = "books/shelves.html#shelf-list" if is_fragment_request(request) else "books/shelves.html"
    return TemplateResponse(request, template, context)


@require_safe
@login_required_page
def my_shelves(request):
    return redirect_for(request, reverse("books:shelves", args=[request.user.username]))


# --- a book's shelf control -----------------------------------------------------------------------


def _back(request, book: Book) -> str:
    return safe_path(request, request.POST.get("next")) or book.get_absolute_url()


@require_POST
@login_required_page
def shelf_put(request, pk: int):
    book = get_object_or_404(Book, pk=pk)
    form = ShelfChoiceForm(request.POST)
    entry, message, error, status = None, "", "", 200
    if form.is_valid():
        try:
            entry = services.shelf_put(user=request.user, book=book, shelf=form.cleaned_data["shelf"])
        except DomainError as domain_error:
            error, status = domain_error.message, _status(domain_error)
        else:
            message = f"On your “{entry.get_shelf_display()}” shelf."
    else:
        error, status = form.errors["shelf"][0], 422
    if not is_fragment_request(request):
        messages.add_message(
            request, messages.ERROR if error else messages.SUCCESS, error or f"“{book.title}”: {message}"
        )
        return redirect_for(request, _back(request, book))
    context = shelf_control_context(request.user, book, entry=entry, message=message, error=error)
    return TemplateResponse(request, "books/_shelf_control.html#shelf-control", context, status=status)


@require_POST
@login_required_page
def shelf_remove(request, pk: int):
    book = get_object_or_404(Book, pk=pk)
    removed = services.shelf_remove(user=request.user, book=book)
    message = "Taken off your shelves." if removed else "This book was not on your shelves."
    if not is_fragment_request(request):
        messages.success(request, f"“{book.title}”: {message}")
        return redirect_for(request, _back(request, book))
    context = shelf_control_context(request.user, book, entry=None, message=message)
    context["shelf_entry"] = None
    return TemplateResponse(request, "books/_shelf_control.html#shelf-control", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def entry_edit(request, pk: int):
    entry = get_object_or_404(ShelfEntry.objects.select_related("book"), pk=pk, user=request.user)
    status = 200
    if request.method == "POST":
        form = ShelfEntryForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.shelf_entry_update(user=request.user, entry=entry, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Saved “{entry.book.title}”.")
                return redirect_for(
                    request,
                    reverse("books:shelves", args=[request.user.username])
                    + f"?shelf={form.cleaned_data['shelf']}",
                )
    else:
        form = ShelfEntryForm(
            initial={
                "shelf": entry.shelf,
                "started_on": entry.started_on,
                "finished_on": entry.finished_on,
                "rating": entry.rating,
            }
        )
    return TemplateResponse(
        request, "books/shelf_entry_form.html", {"entry": entry, "form": form}, status=status
    )


# --- imports ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def import_page(request):
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                shelf_import = importing.import_start(
                    user=request.user, file_name=upload.name, content=upload.read()
                )
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                return redirect_for(request, reverse("books:import_status", args=[shelf_import.pk]))
    else:
        form = ImportForm()
    imports = ShelfImport.objects.filter(user=request.user).defer("content")[:IMPORTS_LISTED]
    return TemplateResponse(request, "books/import.html", {"form": form, "imports": imports}, status=status)


def _import_context(request, shelf_import: ShelfImport, **extra) -> dict:
    checks = (
        ImportCheck.objects.filter(shelf_import=shelf_import)
        .filter(Q(status=CheckStatus.OPEN) | Q(resolved_at__isnull=False))
        .prefetch_related("candidates")
        .select_related("book")
    )
    return {
        "shelf_import": shelf_import,
        "checks": Paginator(checks, CHECKS_PER_PAGE).get_page(request.GET.get("page")),
        "open_check_count": ImportCheck.objects.filter(
            shelf_import=shelf_import, status=CheckStatus.OPEN
        ).count(),
        **extra,
    }


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def import_status(request, pk: int):
    shelf_import = get_object_or_404(ShelfImport.objects.defer("content"), pk=pk, user=request.user)
    context = _import_context(request, shelf_import)
    if is_fragment_request(request) and request.htmx.target == "import-progress":
        return TemplateResponse(request, "books/import_status.html#import-progress", context)
    return TemplateResponse(request, "books/import_status.html", context)


@require_POST
@login_required_page
def check_decide(request, pk: int):
    """Resolve one "check these" row: this book (`book`), a new book from the row (`create`), or leave it out."""
    check = get_object_or_404(ImportCheck.objects.select_related("shelf_import"), pk=pk, user=request.user)
    action = request.POST.get("action", "")
    error = ""
    try:
        if action == "create":
            importing.import_check_create_book(user=request.user, check_id=check.pk)
        elif action == "dismiss":
            importing.import_check_dismiss(user=request.user, check_id=check.pk)
        else:
            form = CheckResolveForm(request.POST)
            if not form.is_valid():
                raise DomainError("Choose one of the suggested books, add it as a new book, or leave it out.")
            book = Book.objects.filter(pk=form.cleaned_data["book"]).first()
            if book is None:
                raise DomainError("That book is not in Booky any more; choose another.")
            importing.import_check_resolve(user=request.user, check_id=check.pk, book=book)
    except DomainError as domain_error:
        error = domain_error.message
    status_url = reverse("books:import_status", args=[check.shelf_import_id]) + f"#check-{check.pk}"
    if not is_fragment_request(request):
        if error:
            messages.error(request, error)
        return redirect_for(request, status_url)
    check.refresh_from_db()
    context = {
        "check": check,
        "check_error": error,
        "open_check_count": ImportCheck.objects.filter(
            shelf_import_id=check.shelf_import_id, status=CheckStatus.OPEN
        ).count(),
        "count_oob": True,
    }
    return TemplateResponse(
        request, "books/import_status.html#check-row", context, status=422 if error else 200
    )
