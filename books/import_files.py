"""Goodreads and StoryGraph export files read into plain rows. Pure functions: no database, no models.

The parser decides what each row of an export says (title, authors, ISBNs, shelf, rating, dates) and
which rows it cannot use and why; matching rows to books and writing shelves is the caller's job.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from books import isbn

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

MAX_TITLE_LENGTH = 300
MAX_AUTHOR_LENGTH = 200


class ImportFileError(ValueError):
    """The whole file is refused; str(error) is a sentence a user can read."""


class Shelf:
    WANT_TO_READ = "want_to_read"
    READING = "reading"
    READ = "read"


@dataclass(frozen=True)
class ImportRow:
    line: int  # where the record starts in the file, header = 1, as a text editor numbers lines
    title: str
    authors: tuple[str, ...]
    isbn_13: str  # valid or ""
    isbn_10: str  # valid or ""
    shelf: str  # a Shelf value
    rating: int | None  # whole stars 1..5; None when unrated
    started_on: date | None
    finished_on: date | None
    added_on: date | None
    source_key: str  # the same book in the same app has the same key: "goodreads:<Book Id>", ...
    # True when the ISBN columns held anything, even a mistyped ISBN: such a row names one edition, so
    # matching it by title could pick the wrong book.
    had_isbn: bool


@dataclass(frozen=True)
class SkippedRow:
    line: int
    title: str
    reason: str


@dataclass(frozen=True)
class ParsedExport:
    source: str
    rows: tuple[ImportRow, ...]
    skipped: tuple[SkippedRow, ...]


def _column_key(name: str) -> str:
    # Headers are matched ignoring case and all whitespace: " Exclusive  shelf" is "Exclusive Shelf".
    return "".join(name.split()).casefold()


@dataclass(frozen=True)
class _Format:
    source: str
    label: str
    shelf_column: str
    # Columns no other app's export is likely to have; the header naming more of them decides the format.
    distinctive_columns: frozenset[str]


GOODREADS = _Format(
    source="goodreads",
    label="Goodreads",
    shelf_column="Exclusive Shelf",
    distinctive_columns=frozenset(
        _column_key(name)
        for name in (
            "Book Id",
            "Author l-f",
            "Additional Authors",
            "ISBN13",
            "My Rating",
            "Average Rating",
            "Binding",
            "Original Publication Year",
            "Date Read",
            "Bookshelves",
            "Bookshelves with positions",
            "Exclusive Shelf",
            "My Review",
            "Private Notes",
            "Owned Copies",
        )
    ),
)
STORYGRAPH = _Format(
    source="storygraph",
    label="StoryGraph",
    shelf_column="Read Status",
    distinctive_columns=frozenset(
        _column_key(name)
        for name in (
            "Authors",
            "Contributors",
            "ISBN/UID",
            "Read Status",
            "Last Date Read",
            "Dates Read",
            "Moods",
            "Pace",
            "Character- or Plot-Driven?",
            "Strong Character Development?",
            "Loveable Characters?",
            "Diverse Characters?",
            "Flawed Characters?",
            "Star Rating",
            "Content Warnings",
            "Content Warning Description",
            "Owned?",
        )
    ),
)

_SHELVES = {
    "read": Shelf.READ,
    "currently-reading": Shelf.READING,
    "to-read": Shelf.WANT_TO_READ,
}
_DATE = r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})"
_DATE_ONLY = re.compile(_DATE)
# One reading in StoryGraph's "Dates Read": "start-end", "start-" (still reading), "-end" or a lone date.
_DATE_RANGE = re.compile(rf"(?:(?P<start>{_DATE})\s*)?-(?:\s*(?P<end>{_DATE}))?")
# Goodreads wraps ISBNs as ="0441013597" so spreadsheets keep the leading zero.
_SPREADSHEET_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
# Digits and X of about an ISBN's length: an ISBN, perhaps mistyped; anything else in ISBN/UID is an id.
_ISBN_LIKE = re.compile(r"[\dX]{8,14}", re.ASCII)


def parse_export(data: bytes) -> ParsedExport:
    """The usable rows of a Goodreads or StoryGraph export and why each other row was left out.

    Raises ImportFileError when the file as a whole cannot be read as one of those exports.
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: export a smaller part of your library."
        )
    text = _decode(data).replace("\x00", "")
    records = _records(text)
    first_record = next(records, None)
    if first_record is None:
        raise ImportFileError("The file is empty.")
    header = first_record[1]
    export_format = _detect_format(header)
    columns = _columns(header, export_format)

    rows: list[ImportRow] = []
    skipped: list[SkippedRow] = []
    line_by_source_key: dict[str, int] = {}
    data_row_count = 0
    for line, fields in records:
        data_row_count += 1
        if data_row_count > MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows: Booky reads at most {MAX_ROWS:,} books at a time."
            )
        values = {key: fields[index].strip() if index < len(fields) else "" for key, index in columns.items()}
        title = _clean_text(values.get("title", ""), MAX_TITLE_LENGTH)
        # Fewer fields than the header is a row whose last values are blank; more means the row's
        # values no longer line up with the columns, so none of them can be trusted.
        if len(fields) > len(header):
            reason = f"The row has {len(fields)} fields where the header has {len(header)}."
            skipped.append(SkippedRow(line=line, title=title, reason=reason))
            continue
        if export_format is GOODREADS:
            outcome = _goodreads_row(line, title, values)
        else:
            outcome = _storygraph_row(line, title, values)
        if isinstance(outcome, SkippedRow):
            skipped.append(outcome)
            continue
        first_line = line_by_source_key.get(outcome.source_key)
        if first_line is not None:
            skipped.append(SkippedRow(line=line, title=title, reason=f"Same book as line {first_line}."))
            continue
        line_by_source_key[outcome.source_key] = line
        rows.append(outcome)
    return ParsedExport(source=export_format.source, rows=tuple(rows), skipped=tuple(skipped))


def _decode(data: bytes) -> str:
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Older Excel saves CSV as Windows-1252; five of its bytes are undefined, so this can still fail.
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not readable text (UTF-8 or Windows-1252): upload the CSV file the export gave you."
        ) from None


def _records(text: str):
    """(first line, fields) of each non-blank CSV record, counting lines as a text editor does."""
    # newline="" keeps line breaks inside quoted values; the reader counts the lines it consumes.
    reader = csv.reader(io.StringIO(text, newline=""))
    last_line_read = 0
    while True:
        first_line = last_line_read + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(
                f"The file could not be read as CSV: line {first_line} is malformed ({error})."
            ) from None
        last_line_read = reader.line_num
        # Blank lines (and rows of blank cells a spreadsheet leaves behind) hold no book.
        if any(field.strip() for field in fields):
            yield first_line, fields


def _detect_format(header: list[str]) -> _Format:
    keys = {_column_key(name) for name in header}
    goodreads_score = len(keys & GOODREADS.distinctive_columns)
    storygraph_score = len(keys & STORYGRAPH.distinctive_columns)
    if goodreads_score > storygraph_score:
        return GOODREADS
    if storygraph_score > goodreads_score:
        return STORYGRAPH
    # What the file does start with, shown printable and short: it may be any file at all.
    first_line = "".join(character if character.isprintable() else "?" for character in ",".join(header))
    if len(first_line) > 60:
        first_line = first_line[:60] + "…"
    raise ImportFileError(
        "This does not look like a Goodreads or StoryGraph export: the first line should start with "
        "“Book Id,Title,Author,…” (Goodreads) or “Title,Authors,Contributors,…” (StoryGraph), "
        f"but it starts with “{first_line}”."
    )


def _columns(header: list[str], export_format: _Format) -> dict[str, int]:
    """Column key → index of its first occurrence; refuses a header without the columns Booky needs."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(_column_key(name), index)
    missing = [name for name in ("Title", export_format.shelf_column) if _column_key(name) not in columns]
    if missing:
        names = " and ".join(f"“{name}”" for name in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise ImportFileError(
            f"This {export_format.label} export has no {names} {noun}: Booky needs the title and the shelf "
            "of every book."
        )
    return columns


def _goodreads_row(line: int, title: str, values: dict[str, str]) -> ImportRow | SkippedRow:
    problem = _unusable(line, title, values, GOODREADS)
    if problem:
        return problem
    authors = _authors(values.get("author", ""), values.get("additionalauthors", ""))
    isbn_values = [_unwrap_spreadsheet_text(values.get(key, "")) for key in ("isbn", "isbn13")]
    isbn_10, isbn_13 = _isbns(isbn_values)
    book_id = values.get("bookid", "")
    return ImportRow(
        line=line,
        title=title,
        authors=authors,
        isbn_13=isbn_13,
        isbn_10=isbn_10,
        shelf=_SHELVES[values[_column_key(GOODREADS.shelf_column)].casefold()],
        rating=_rating(values.get("myrating", "")),
        started_on=None,
        finished_on=_date(values.get("dateread", "")),
        added_on=_date(values.get("dateadded", "")),
        source_key=f"goodreads:{book_id}" if book_id else _title_key("goodreads", title, authors),
        had_isbn=any(isbn_values),
    )


def _storygraph_row(line: int, title: str, values: dict[str, str]) -> ImportRow | SkippedRow:
    problem = _unusable(line, title, values, STORYGRAPH)
    if problem:
        return problem
    authors = _authors(values.get("authors", ""))
    identifier = values.get("isbn/uid", "")
    is_isbn = bool(_ISBN_LIKE.fullmatch(isbn.normalize(identifier)))
    isbn_10, isbn_13 = _isbns([identifier] if is_isbn else [])
    started_on, finished_on = _last_reading(values.get("datesread", ""))
    if started_on is None and finished_on is None:
        finished_on = _date(values.get("lastdateread", ""))
    if is_isbn:
        source_key = f"storygraph:{isbn.normalize(identifier)}"
    elif identifier:
        source_key = f"storygraph:{identifier}"
    else:
        source_key = _title_key("storygraph", title, authors)
    return ImportRow(
        line=line,
        title=title,
        authors=authors,
        isbn_13=isbn_13,
        isbn_10=isbn_10,
        shelf=_SHELVES[values[_column_key(STORYGRAPH.shelf_column)].casefold()],
        rating=_rating(values.get("starrating", "")),
        started_on=started_on,
        finished_on=finished_on,
        added_on=_date(values.get("dateadded", "")),
        source_key=source_key,
        had_isbn=is_isbn,
    )


def _unusable(line: int, title: str, values: dict[str, str], export_format: _Format) -> SkippedRow | None:
    shelf_name = values[_column_key(export_format.shelf_column)]
    if not title:
        return SkippedRow(line=line, title="", reason="No title.")
    if not shelf_name:
        reason = f"No shelf: the “{export_format.shelf_column}” column is blank."
        return SkippedRow(line=line, title=title, reason=reason)
    if shelf_name.casefold() not in _SHELVES:
        shown = _clean_text(shelf_name, 100)
        return SkippedRow(
            line=line,
            title=title,
            reason=f"Shelf “{shown}” is not one Booky keeps (want to read, reading, read).",
        )
    return None


def _clean_text(raw: str, max_length: int) -> str:
    # Runs of whitespace, line breaks included, become one space: a title is one line on the page.
    return " ".join(raw.split())[:max_length].rstrip()


def _authors(*comma_separated: str) -> tuple[str, ...]:
    authors: list[str] = []
    seen: set[str] = set()
    for field in comma_separated:
        for raw_name in field.split(","):
            name = _clean_text(raw_name, MAX_AUTHOR_LENGTH)
            if name and _identity_text(name) not in seen:
                seen.add(_identity_text(name))
                authors.append(name)
    return tuple(authors)


def _identity_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _title_key(source: str, title: str, authors: tuple[str, ...]) -> str:
    return f"{source}:{_identity_text(title)}|{','.join(_identity_text(name) for name in authors)}"


def _unwrap_spreadsheet_text(raw: str) -> str:
    wrapped = _SPREADSHEET_TEXT.match(raw)
    return (wrapped.group(1) if wrapped else raw).strip()


def _isbns(raw_values: list[str]) -> tuple[str, str]:
    """(isbn_10, isbn_13): the valid ones among the values, each filling the other where it can."""
    isbn_10 = isbn_13 = ""
    for raw in raw_values:
        value = isbn.normalize(raw)
        if not isbn_13 and isbn.is_valid_isbn13(value):
            isbn_13 = value
        elif not isbn_10 and isbn.is_valid_isbn10(value):
            isbn_10 = value
    if isbn_10 and not isbn_13:
        isbn_13 = isbn.to_isbn13(isbn_10)
    if isbn_13 and not isbn_10:
        isbn_10 = isbn.to_isbn10(isbn_13)  # "" for 979- numbers, which have no ISBN-10
    return isbn_10, isbn_13


def _rating(raw: str) -> int | None:
    try:
        stars = Decimal(raw)
    except InvalidOperation:
        return None
    if not stars.is_finite() or stars <= 0 or stars > 5:
        return None
    # A quarter star still means the reader rated the book, so it is 1, not "unrated".
    return max(1, int(stars.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _date(raw: str) -> date | None:
    parts = _DATE_ONLY.fullmatch(raw.strip())
    return _date_from_parts(parts.groups()) if parts else None


def _date_from_parts(parts: tuple[str, ...]) -> date | None:
    year, month, day = (int(part) for part in parts)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_reading(dates_read: str) -> tuple[date | None, date | None]:
    """(started_on, finished_on) of the last reading in "2023/01/05-2023/01/20, 2024/02/01-"."""
    readings = [reading.strip() for reading in dates_read.split(",") if reading.strip()]
    if not readings:
        return None, None
    last = readings[-1]
    if _DATE_ONLY.fullmatch(last):
        return None, _date(last)
    reading = _DATE_RANGE.fullmatch(last)
    if not reading:
        return None, None
    start, end = reading.group("start"), reading.group("end")
    return (_date(start) if start else None), (_date(end) if end else None)
