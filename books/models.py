"""Books: one row per book Booky knows, from the catalog, Google Books or typed in by hand."""

from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from books import isbn as isbn_lib
from books import text_search
from books.dates import validate_published_date
from books.sanitize import clean_description
from booky.core.validators import validate_visible_name

NO_NUL = [ProhibitNullCharactersValidator()]
NAME = [*NO_NUL, validate_visible_name]
TITLE_MAX_LENGTH = 300
MAX_PAGES = 20_000
# Every host a cover may come from (the CSP's img-src lists the same): Google's and Open Library's.
COVER_HOSTS = ("books.google.com", "books.googleusercontent.com", "covers.openlibrary.org")
# Enough distinct placeholder colours that neighbouring covers rarely match.
PLACEHOLDER_HUES = 6


class Source(models.TextChoices):
    GOOGLE = "google", "Google Books"
    OPEN_LIBRARY = "openlibrary", "Open Library"
    CATALOG = "catalog", "Booky catalog"
    MANUAL = "manual", "Added by hand"


# What the stored search columns (search_title, search_text) are computed from.
SEARCHED_FIELDS = frozenset({"title", "subtitle", "authors"})
SEARCH_COLUMNS = ("search_title", "search_text", "author_line")


class BookQuerySet(models.QuerySet):
    def search(self, text: str):
        """Books matching `text`, best first (see books.text_search); all books by title when blank."""
        text = (text or "").strip()
        if not text:
            return self.order_by("title", "pk")
        compact = isbn_lib.normalize(text)
        if isbn_lib.looks_like_isbn(compact):
            return self.with_isbn(compact).order_by("pk")
        return text_search.search(self, text)

    # The search columns follow title, subtitle and authors on every write path, including the bulk
    # ones that skip save() (catalog loading, imports, seeding).
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for book in objs:
            book.refresh_search_columns()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if SEARCHED_FIELDS & set(fields):
            for book in objs:
                book.refresh_search_columns()
            fields = [*fields, *(column for column in SEARCH_COLUMNS if column not in fields)]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if not SEARCHED_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            books = list(self.model._base_manager.using(self.db).filter(pk__in=pks))
            for book in books:
                book.refresh_search_columns()
            self.model._base_manager.using(self.db).bulk_update(books, SEARCH_COLUMNS, batch_size=500)
        return count

    def with_isbn(self, raw: str):
        value = isbn_lib.normalize(raw)
        numbers = {value}
        if isbn_lib.is_valid_isbn10(value):
            numbers.add(isbn_lib.to_isbn13(value))
        elif isbn_lib.is_valid_isbn13(value):
            numbers.add(isbn_lib.to_isbn10(value))
        numbers.discard("")
        return self.filter(Q(isbn_13__in=numbers) | Q(isbn_10__in=numbers))

    def with_any_isbn_13(self, isbn_13s):
        """Books with any of these ISBN-13s, or the ISBN-10 of one of them."""
        isbn_13s = {number for number in isbn_13s if number}
        isbn_10s = {isbn_10 for number in isbn_13s if (isbn_10 := isbn_lib.to_isbn10(number))}
        return self.filter(Q(isbn_13__in=isbn_13s) | Q(isbn_10__in=isbn_10s))


class Book(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH, validators=NAME)
    subtitle = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, validators=NAME)
    # Ordered as on the cover; author_line is the same names joined, for search and display.
    authors = models.JSONField(default=list, blank=True)
    author_line = models.CharField(max_length=1000, blank=True, editable=False)
    # Normalized for search (books.text_search.normalize): the title, and title + subtitle + authors.
    # PostgreSQL also keeps a generated tsvector of them (search_vector, migration 0004).
    search_title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    page_count = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_PAGES)]
    )
    # As Google gives it: "1813", "1813-01" or "1813-01-28".
    published_date = models.CharField(max_length=10, blank=True, validators=[validate_published_date])
    publisher = models.CharField(max_length=200, blank=True, validators=NAME)
    language = models.CharField(max_length=16, blank=True, validators=NO_NUL)
    categories = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True, help_text="Sanitized HTML (see books.sanitize).")
    cover_url = models.URLField(max_length=500, blank=True)
    isbn_10 = models.CharField("ISBN-10", max_length=10, blank=True, validators=[isbn_lib.validate_isbn10])
    isbn_13 = models.CharField("ISBN-13", max_length=13, blank=True, validators=[isbn_lib.validate_isbn13])
    google_volume_id = models.CharField(max_length=64, blank=True, validators=NO_NUL)
    # Open Library's work key ("OL45883W"), for books imported from there.
    open_library_key = models.CharField(max_length=32, blank=True, validators=NO_NUL)
    source = models.CharField(max_length=16, choices=Source, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["isbn_13"], condition=~Q(isbn_13=""), name="book_isbn_13_unique"),
            models.UniqueConstraint(fields=["isbn_10"], condition=~Q(isbn_10=""), name="book_isbn_10_unique"),
            models.UniqueConstraint(
                fields=["google_volume_id"],
                condition=~Q(google_volume_id=""),
                name="book_google_volume_unique",
            ),
            models.UniqueConstraint(
                fields=["open_library_key"],
                condition=~Q(open_library_key=""),
                name="book_open_library_key_unique",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="book_title_not_empty"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="book_source_valid"),
            models.CheckConstraint(
                condition=Q(page_count__isnull=True) | Q(page_count__gte=1, page_count__lte=MAX_PAGES),
                name="book_page_count_range",
            ),
            models.CheckConstraint(
                condition=Q(isbn_13="") | Q(Exact(Length("isbn_13"), 13)), name="book_isbn_13_length"
            ),
            models.CheckConstraint(
                condition=Q(isbn_10="") | Q(Exact(Length("isbn_10"), 10)), name="book_isbn_10_length"
            ),
        ]
        indexes = [models.Index(fields=["author_line"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.author_line})" if self.author_line else self.title

    def save(self, *args, **kwargs):
        # Invariants every writer gets for free: the search line matches the authors, the HTML is clean.
        self.refresh_search_columns()
        self.description = clean_description(self.description)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *SEARCH_COLUMNS, "description"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("books:detail", args=[self.pk])

    def refresh_search_columns(self) -> None:
        self.author_line = join_authors(self.authors)
        for column, value in text_search.search_fields(self.title, self.subtitle, self.authors).items():
            setattr(self, column, value)

    @property
    def year(self) -> str:
        return self.published_date[:4]

    @property
    def description_html(self) -> SafeString:
        return mark_safe(clean_description(self.description))  # noqa: S308 - cleaned by nh3 just now

    @property
    def placeholder_hue(self) -> int:
        return (self.pk or len(self.title)) % PLACEHOLDER_HUES


def join_authors(authors) -> str:
    if not isinstance(authors, list):
        return ""
    return ", ".join(str(name) for name in authors if name)[:1000]


from books.shelves.models import (  # noqa: E402, F401
    CheckStatus,
    ImportCheck,
    ImportSource,
    ImportStatus,
    Shelf,
    ShelfEntry,
    ShelfImport,
)
