"""Every write to books: create by hand, import from Google Books or Open Library, merge duplicates."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from books import google_books, open_library, remote
from books import isbn as isbn_lib
from books.models import Book, Source, join_authors
from books.sanitize import clean_description, text_to_description
from booky.core.errors import Conflict, DomainError, NotFound
from booky.core.validators import validate_visible_name


class GoogleBooksUnavailable(DomainError):
    status_code = 503
    code = "google_books_unavailable"


class OpenLibraryUnavailable(DomainError):
    status_code = 503
    code = "open_library_unavailable"


def _clean_authors(authors) -> list[str]:
    if isinstance(authors, str):
        authors = authors.replace("\r", "").split("\n")
    names = []
    for name in authors or []:
        name = " ".join(str(name).replace("\x00", "").split())
        if name and name not in names:
            names.append(name[:200])
    return names


def _existing_with_isbn(isbn_10: str, isbn_13: str, *, exclude_pk: int | None = None) -> Book | None:
    match = Q()
    if isbn_13:
        match |= Q(isbn_13=isbn_13)
    if isbn_10:
        match |= Q(isbn_10=isbn_10)
    if not match:
        return None
    return Book.objects.filter(match).exclude(pk=exclude_pk).first()


def _existing_with_any_isbn(isbn_13s) -> Book | None:
    if not any(isbn_13s):
        return None
    return Book.objects.with_any_isbn_13(isbn_13s).order_by("pk").first()


@transaction.atomic
def book_create(
    *,
    title: str,
    authors,
    page_count: int,
    subtitle: str = "",
    isbn: str = "",
    published_date: str = "",
    publisher: str = "",
    language: str = "",
    description_text: str = "",
    source: str = Source.MANUAL,
) -> Book:
    """A new book typed in by a person; refuses an ISBN Booky already has (Conflict names the book)."""
    names = _clean_authors(authors)
    if not names:
        raise ValidationError({"authors": ["Give at least one author."]})
    for name in names:
        try:
            validate_visible_name(name)
        except ValidationError as error:
            raise ValidationError({"authors": error.messages}) from error
    isbn_10, isbn_13 = isbn_lib.parse(isbn) if isbn and isbn.strip() else ("", "")
    duplicate = _existing_with_isbn(isbn_10, isbn_13)
    if duplicate:
        raise Conflict(f"“{duplicate.title}” already has this ISBN in Booky.", code="duplicate_isbn")
    book = Book(
        title=" ".join(str(title).split()),
        subtitle=" ".join(str(subtitle or "").split()),
        authors=names,
        author_line=join_authors(names),
        page_count=page_count,
        isbn_10=isbn_10,
        isbn_13=isbn_13,
        published_date=(published_date or "").strip(),
        publisher=(publisher or "").strip(),
        language=(language or "").strip(),
        description=text_to_description(description_text),
        source=source,
    )
    book.full_clean()
    try:
        with transaction.atomic():
            book.save()
    except IntegrityError as error:  # someone saved the same ISBN a moment ago
        raise Conflict("A book with this ISBN was just added to Booky.", code="duplicate_isbn") from error
    return book


# What a remote source's book may lack or get wrong without stopping the import: dropped to these defaults.
OPTIONAL_FIELDS = {
    "subtitle": "",
    "authors": [],
    "page_count": None,
    "published_date": "",
    "publisher": "",
    "language": "",
    "categories": [],
    "description": "",
    "cover_url": "",
    "isbn_10": "",
    "isbn_13": "",
}
# Filled on a book we have from the same book found on a source, when ours lacks them.
GAP_FIELDS = ("cover_url", "publisher", "language", "subtitle", "description", "page_count")


def _book_from_volume(volume: google_books.Volume) -> Book:
    return Book(
        title=volume.title,
        subtitle=volume.subtitle,
        authors=list(volume.authors),
        page_count=volume.page_count,
        published_date=volume.published_date,
        publisher=volume.publisher,
        language=volume.language,
        categories=list(volume.categories),
        description=clean_description(volume.description),
        cover_url=google_books.normalize_cover_url(volume.cover_url),
        isbn_10=volume.isbn_10,
        isbn_13=volume.isbn_13,
        google_volume_id=volume.volume_id,
        source=Source.GOOGLE,
    )


def _book_from_doc(doc: open_library.Doc) -> Book:
    return Book(
        title=doc.title,
        subtitle=doc.subtitle,
        authors=list(doc.authors),
        page_count=doc.page_count,
        published_date=doc.year,
        cover_url=open_library.normalize_cover_url(doc.cover_url),
        isbn_10=doc.isbn_10,
        isbn_13=doc.isbn_13,
        open_library_key=doc.key,
        source=Source.OPEN_LIBRARY,
    )


@transaction.atomic
def book_import_google(*, volume_id: str) -> Book:
    """The Book for a Google Books volume: the one we have (by volume id or ISBN), else a new row.

    A catalog or hand-made book with the same ISBN is linked to the volume and gains the details it
    lacked (cover, description, publisher) instead of a second row being created.
    """
    volume_id = (volume_id or "").strip()
    if not google_books.VOLUME_ID.match(volume_id):
        raise NotFound("There is no Google Books volume with that id.")
    return _import_remote(
        source=Source.GOOGLE,
        key_field="google_volume_id",
        key=volume_id,
        fetch=lambda: google_books.fetch_volume(volume_id),
        to_book=_book_from_volume,
        same_isbn=lambda book: _existing_with_isbn(book.isbn_10, book.isbn_13),
        unavailable=GoogleBooksUnavailable,
        not_found="Google Books has no volume with that id.",
    )


@transaction.atomic
def book_import_open_library(*, work_key: str) -> Book:
    """The Book for an Open Library work: the one we have (by work key or any of its ISBNs), else a new row.

    A book we have with one of the work's ISBNs is linked to the work and gains the details it lacked.
    A work without a page count gets one from its editions (one more request) when Open Library has it.
    """
    work_key = (work_key or "").strip()
    if not open_library.WORK_KEY.match(work_key):
        raise NotFound("There is no Open Library work with that key.")
    found: dict = {}

    def fetch():
        found["doc"] = open_library.fetch_doc(work_key)
        return found["doc"]

    return _import_remote(
        source=Source.OPEN_LIBRARY,
        key_field="open_library_key",
        key=work_key,
        fetch=fetch,
        to_book=_book_from_doc,
        same_isbn=lambda book: _existing_with_any_isbn(found["doc"].isbns),
        unavailable=OpenLibraryUnavailable,
        not_found="Open Library has no work with that key.",
        page_count=lambda: open_library.fetch_page_count(found["doc"]),
    )


def _import_remote(
    *, source, key_field, key, fetch, to_book, same_isbn, unavailable, not_found, page_count=None
) -> Book:
    """The shared import: the book we have by the source's id, by ISBN (linked and filled in), else new."""
    existing = Book.objects.filter(**{key_field: key}).first()
    if existing:
        return existing
    try:
        item = fetch()
    except remote.Unavailable as error:
        raise unavailable(
            f"{source.label} is unavailable right now, so this book cannot be added. Try again in a minute."
        ) from error
    if item is None:
        raise NotFound(not_found)
    book = to_book(item)
    match = same_isbn(book)
    if page_count is not None and book.page_count is None and not (match and match.page_count):
        book.page_count = page_count()
    if match:
        return _fill_gaps(match, book, key_field)
    _drop_invalid_optional_fields(book, source=source, unavailable=unavailable)
    try:
        with transaction.atomic():
            book.save()
    except IntegrityError:  # imported by someone else in the meantime (same id or same ISBN)
        existing = Book.objects.filter(**{key_field: key}).first()
        if existing is not None:
            return existing
        match = same_isbn(book)
        if match is None:
            raise
        return _fill_gaps(match, book, key_field)
    return book


def _drop_invalid_optional_fields(book: Book, *, source, unavailable) -> None:
    """Blank whatever optional detail the source sent that the model refuses; the title and id must hold.

    Uniqueness is left to the database (and the IntegrityError handling above).
    """
    for _attempt in (1, 2):
        try:
            book.full_clean(validate_unique=False, validate_constraints=False)
            return
        except ValidationError as error:
            bad = set(getattr(error, "error_dict", {}))
        if not bad or not bad <= OPTIONAL_FIELDS.keys():
            break
        for field in bad:
            default = OPTIONAL_FIELDS[field]
            setattr(book, field, list(default) if isinstance(default, list) else default)
    raise unavailable(
        f"{source.label} sent this book in a form Booky cannot store. Add the book by hand instead.",
        code=f"{unavailable.code.removesuffix('_unavailable')}_bad_volume",
    )


def _fill_gaps(book: Book, found: Book, key_field: str) -> Book:
    """Link `book` to the source (its id in `key_field`) and fill what it lacks from `found` (unsaved)."""
    book = Book.objects.select_for_update().get(pk=book.pk)
    changed = []
    for field in (key_field, *GAP_FIELDS):
        if not getattr(book, field) and getattr(found, field):
            setattr(book, field, getattr(found, field))
            changed.append(field)
    if changed:
        book.save(update_fields=changed)
    return book


@transaction.atomic
def book_merge(*, keep: Book, duplicates: list[Book]) -> Book:
    """Point every reference to the duplicates at `keep`, fill `keep`'s gaps from them, delete them.

    Generic over whatever models refer to Book (found through Book._meta.related_objects), so models
    added later (meetings) are covered without changing this function.
    """
    keep = Book.objects.select_for_update().get(pk=keep.pk)
    duplicate_ids = sorted({book.pk for book in duplicates} - {keep.pk})
    if not duplicate_ids:
        raise DomainError("Choose at least one other book to merge into the one you keep.")
    rows = list(Book.objects.select_for_update().filter(pk__in=duplicate_ids).order_by("pk"))
    if len(rows) != len(duplicate_ids):
        raise NotFound("One of the books to merge no longer exists.")

    try:
        with transaction.atomic():
            for relation in Book._meta.related_objects:
                _move_references(relation, from_ids=duplicate_ids, to_book=keep)
    except IntegrityError as error:
        raise Conflict(
            "These books cannot be merged automatically: something refers to both of them in a way that "
            "must stay unique. Resolve that first.",
            code="merge_conflict",
        ) from error

    gaps = _gaps_filled_from(keep, rows)
    Book.objects.filter(pk__in=duplicate_ids).delete()
    if gaps:
        for field, value in gaps.items():
            setattr(keep, field, value)
        keep.save(update_fields=list(gaps))
    return keep


def _move_references(relation, *, from_ids: list[int], to_book: Book) -> None:
    if relation.many_to_many:
        through = relation.through
        book_field = next(f for f in through._meta.fields if getattr(f, "related_model", None) is Book)
        through._default_manager.filter(**{f"{book_field.name}__in": from_ids}).update(
            **{book_field.name: to_book}
        )
    else:  # ForeignKey / OneToOneField pointing at Book
        relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": from_ids}).update(
            **{relation.field.name: to_book}
        )


def _gaps_filled_from(keep: Book, duplicates: list[Book]) -> dict:
    """Values the kept book lacks and a duplicate has; unique ones are taken off the duplicate first."""
    gaps = {}
    for field in (
        "isbn_13",
        "isbn_10",
        "google_volume_id",
        "cover_url",
        "description",
        "subtitle",
        "publisher",
        "language",
        "published_date",
    ):
        if getattr(keep, field):
            continue
        donor = next((row for row in duplicates if getattr(row, field)), None)
        if donor is not None:
            gaps[field] = getattr(donor, field)
    if keep.page_count is None:
        donor = next((row for row in duplicates if row.page_count), None)
        if donor is not None:
            gaps["page_count"] = donor.page_count
    return gaps
