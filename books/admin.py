"""Books in the moderators' admin: search by title, author or ISBN, and merge duplicates.

Merging keeps one book, moves every reference to the others onto it (through Book's related objects,
so meetings and anything added later come along) and deletes the others, in one transaction
(books.services.book_merge).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from books import isbn as isbn_lib
from books.models import Book
from books.services import book_merge
from booky.core.errors import DomainError


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ("title", "author_line", "published_date", "page_count", "isbn_13", "source", "created_at")
    list_filter = ("source",)
    search_fields = ("title", "subtitle", "author_line", "isbn_13", "isbn_10", "google_volume_id")
    search_help_text = "Title, author or ISBN (hyphens are fine)."
    readonly_fields = ("author_line", "created_at")
    ordering = ("title", "pk")
    actions = ["merge_books"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if isbn_lib.looks_like_isbn(search_term):
            results |= queryset.with_isbn(search_term)
        return results, may_have_duplicates

    @admin.action(description="Merge selected duplicate books into one", permissions=["delete"])
    def merge_books(self, request, queryset):
        books = list(queryset.order_by("pk"))
        if len(books) < 2:
            self.message_user(request, "Select at least two books to merge.", messages.WARNING)
            return None
        if request.POST.get("apply"):
            keep = next((book for book in books if str(book.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, "Choose the book to keep.", messages.ERROR)
            else:
                try:
                    book_merge(keep=keep, duplicates=[book for book in books if book.pk != keep.pk])
                except DomainError as error:
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    self.message_user(
                        request, f"Merged {len(books) - 1} book(s) into “{keep.title}”.", messages.SUCCESS
                    )
                    return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge duplicate books",
            "books": books,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "related": [
                relation.related_model._meta.verbose_name_plural for relation in Book._meta.related_objects
            ],
        }
        return TemplateResponse(request, "admin/books/book/merge.html", context)
