"""A book's page: the book (books) and the meetings about it in clubs the viewer can see (meetings)."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from books.models import Book
from books.shelves.selectors import shelf_control_context
from meetings.sections import book_meetings_context


@require_safe
def detail(request, pk: int):
    book = get_object_or_404(Book, pk=pk)
    context = {**shelf_control_context(request.user, book), **book_meetings_context(request.user, book)}
    return TemplateResponse(request, "site/book_page.html", context)
