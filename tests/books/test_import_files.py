"""Reading Goodreads and StoryGraph export files (pure parsing, no database)."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from books.import_files import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    ImportRow,
    ParsedExport,
    Shelf,
    SkippedRow,
    parse_export,
)

FIXTURES = Path(__file__).parent / "fixtures" / "imports"

# The first lines of real exports, as they are.
GOODREADS_HEADER_LINE = (
    "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,"
    "Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,"
    "Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies"
)
STORYGRAPH_HEADER_LINE = (
    "Title,Authors,Contributors,ISBN/UID,Format,Read Status,Date Added,Last Date Read,Dates Read,Read Count,"
    "Moods,Pace,Character- or Plot-Driven?,Strong Character Development?,Loveable Characters?,"
    "Diverse Characters?,Flawed Characters?,Star Rating,Review,Content Warnings,Content Warning Description,"
    "Tags,Owned?"
)
GOODREADS_HEADER = GOODREADS_HEADER_LINE.split(",")
STORYGRAPH_HEADER = STORYGRAPH_HEADER_LINE.split(",")


def csv_bytes(header: list[str], *rows: dict[str, str], line_ending: str = "\n") -> bytes:
    """A CSV file as an export writes it: every column, the given values, the rest blank."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="", lineterminator=line_ending)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def goodreads_file(*rows: dict[str, str], **options) -> bytes:
    return csv_bytes(GOODREADS_HEADER, *rows, **options)


def storygraph_file(*rows: dict[str, str], **options) -> bytes:
    return csv_bytes(STORYGRAPH_HEADER, *rows, **options)


def goodreads_book(**values: str) -> dict[str, str]:
    return {
        "Book Id": "234225",
        "Title": "Dune",
        "Author": "Frank Herbert",
        "Exclusive Shelf": "read",
        **values,
    }


def storygraph_book(**values: str) -> dict[str, str]:
    return {"Title": "Piranesi", "Authors": "Susanna Clarke", "Read Status": "read", **values}


def only_row(data: bytes) -> ImportRow:
    parsed = parse_export(data)
    assert parsed.skipped == ()
    (row,) = parsed.rows
    return row


def only_skipped(data: bytes) -> SkippedRow:
    parsed = parse_export(data)
    assert parsed.rows == ()
    (skipped,) = parsed.skipped
    return skipped


def refusal(data: bytes) -> str:
    with pytest.raises(ImportFileError) as refused:
        parse_export(data)
    return str(refused.value)


@pytest.fixture(scope="module")
def goodreads_export() -> ParsedExport:
    return parse_export((FIXTURES / "goodreads_export.csv").read_bytes())


@pytest.fixture(scope="module")
def storygraph_export() -> ParsedExport:
    return parse_export((FIXTURES / "storygraph_export.csv").read_bytes())


def row_titled(parsed: ParsedExport, title: str) -> ImportRow:
    (row,) = [row for row in parsed.rows if row.title == title]
    return row


# The Goodreads fixture


def test_goodreads_fixture_keeps_its_bom_and_windows_line_endings():
    data = (FIXTURES / "goodreads_export.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + GOODREADS_HEADER_LINE.encode() + b"\r\n")
    assert data.count(b"\r\n") == data.count(b"\n")


def test_storygraph_fixture_starts_with_the_real_header():
    data = (FIXTURES / "storygraph_export.csv").read_bytes()
    assert data.startswith(STORYGRAPH_HEADER_LINE.encode() + b"\n")


def test_goodreads_export_is_recognized_with_its_rows_at_their_spreadsheet_lines(goodreads_export):
    assert goodreads_export.source == "goodreads"
    assert [(row.line, row.title) for row in goodreads_export.rows] == [
        (2, "Dune (Dune, #1)"),
        (3, "Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"),
        (4, 'Surely You\'re Joking, Mr. Feynman! "Adventures of a Curious Character"'),
        (5, "The Name of the Wind (The Kingkiller Chronicle, #1)"),
        (8, "Project Hail Mary"),
        (10, "The Left Hand of Darkness"),
        (11, "Piranesi"),
        (13, "Les Furtifs"),
    ]
    assert [(skipped.line, skipped.reason) for skipped in goodreads_export.skipped] == [
        (9, "Shelf “abandoned” is not one Booky keeps (want to read, reading, read)."),
        (12, "Same book as line 2."),
    ]


def test_goodreads_row_reads_every_field(goodreads_export):
    assert goodreads_export.rows[0] == ImportRow(
        line=2,
        title="Dune (Dune, #1)",
        authors=("Frank Herbert",),
        isbn_13="9780441013593",
        isbn_10="0441013597",
        shelf=Shelf.READ,
        rating=5,
        started_on=None,
        finished_on=date(2021, 3, 15),
        added_on=date(2021, 1, 2),
        source_key="goodreads:234225",
        had_isbn=True,
    )


def test_goodreads_additional_authors_follow_the_author_without_repeats(goodreads_export):
    feynman = goodreads_export.rows[2]
    assert feynman.authors == ("Richard Feynman", "Ralph Leighton", "Edward Hutchings")
    assert row_titled(
        goodreads_export, "Good Omens: The Nice and Accurate Prophecies of Agnes Nutter, Witch"
    ).authors == ("Terry Pratchett", "Neil Gaiman")


def test_goodreads_shelves_map_to_booky_shelves(goodreads_export):
    assert row_titled(goodreads_export, "Project Hail Mary").shelf == Shelf.READING
    assert row_titled(goodreads_export, "The Left Hand of Darkness").shelf == Shelf.WANT_TO_READ


def test_goodreads_rating_of_zero_means_unrated(goodreads_export):
    assert row_titled(goodreads_export, "Project Hail Mary").rating is None


def test_goodreads_row_without_isbn_has_none_and_says_so(goodreads_export):
    left_hand = row_titled(goodreads_export, "The Left Hand of Darkness")
    assert (left_hand.isbn_10, left_hand.isbn_13, left_hand.had_isbn) == ("", "", False)


def test_goodreads_row_with_a_mistyped_isbn_keeps_none_but_remembers_it_had_one(goodreads_export):
    piranesi = row_titled(goodreads_export, "Piranesi")
    assert (piranesi.isbn_10, piranesi.isbn_13, piranesi.had_isbn) == ("", "", True)


def test_goodreads_date_that_does_not_exist_is_dropped_but_the_row_kept(goodreads_export):
    piranesi = row_titled(goodreads_export, "Piranesi")
    assert piranesi.finished_on is None
    assert piranesi.added_on == date(2021, 1, 15)


def test_goodreads_979_isbn_has_no_isbn10(goodreads_export):
    furtifs = row_titled(goodreads_export, "Les Furtifs")
    assert (furtifs.isbn_13, furtifs.isbn_10) == ("9791030701999", "")


def test_record_with_embedded_newlines_is_numbered_by_its_first_line_and_shifts_the_next(goodreads_export):
    # The review of The Name of the Wind spans lines 5 to 7, so Project Hail Mary is on line 8.
    lines = {row.title: row.line for row in goodreads_export.rows}
    assert lines["The Name of the Wind (The Kingkiller Chronicle, #1)"] == 5
    assert lines["Project Hail Mary"] == 8


# The StoryGraph fixture


def test_storygraph_export_is_recognized(storygraph_export):
    assert storygraph_export.source == "storygraph"
    assert [(row.line, row.title) for row in storygraph_export.rows] == [
        (2, "Piranesi"),
        (3, "The Fifth Season"),
        (5, "The Lighthouse Keeper's Almanac"),
        (6, "Babel"),
        (8, "Good Omens"),
        (9, "Tomorrow, and Tomorrow, and Tomorrow"),
    ]


def test_storygraph_did_not_finish_and_paused_are_skipped_naming_the_shelf(storygraph_export):
    assert storygraph_export.skipped == (
        SkippedRow(
            line=4,
            title="Infinite Jest",
            reason="Shelf “did-not-finish” is not one Booky keeps (want to read, reading, read).",
        ),
        SkippedRow(
            line=7,
            title="Middlemarch",
            reason="Shelf “paused” is not one Booky keeps (want to read, reading, read).",
        ),
    )


def test_storygraph_row_reads_every_field(storygraph_export):
    assert storygraph_export.rows[0] == ImportRow(
        line=2,
        title="Piranesi",
        authors=("Susanna Clarke",),
        isbn_13="9781635575996",
        isbn_10="1635575990",
        shelf=Shelf.READ,
        rating=5,
        started_on=date(2023, 1, 5),
        finished_on=date(2023, 1, 20),
        added_on=date(2023, 1, 2),
        source_key="storygraph:9781635575996",
        had_isbn=True,
    )


def test_storygraph_book_read_twice_takes_the_last_reading(storygraph_export):
    fifth_season = row_titled(storygraph_export, "The Fifth Season")
    assert (fifth_season.started_on, fifth_season.finished_on) == (date(2023, 6, 10), date(2023, 6, 28))
    assert fifth_season.rating == 4


def test_storygraph_uid_is_the_source_key_and_no_isbn(storygraph_export):
    almanac = row_titled(storygraph_export, "The Lighthouse Keeper's Almanac")
    assert almanac.source_key == "storygraph:a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    assert (almanac.isbn_10, almanac.isbn_13, almanac.had_isbn) == ("", "", False)
    assert almanac.shelf == Shelf.WANT_TO_READ


def test_storygraph_isbn10_fills_the_isbn13_too(storygraph_export):
    babel = row_titled(storygraph_export, "Babel")
    assert (babel.isbn_10, babel.isbn_13) == ("0063021420", "9780063021426")


def test_storygraph_reading_still_open_has_a_start_and_no_finish(storygraph_export):
    babel = row_titled(storygraph_export, "Babel")
    assert babel.shelf == Shelf.READING
    assert (babel.started_on, babel.finished_on) == (date(2024, 2, 1), None)


def test_storygraph_without_dates_read_finishes_on_last_date_read(storygraph_export):
    good_omens = row_titled(storygraph_export, "Good Omens")
    assert (good_omens.started_on, good_omens.finished_on) == (None, date(2022, 12, 1))
    assert good_omens.authors == ("Terry Pratchett", "Neil Gaiman")


# Files with fewer columns, and files that are not exports


def test_goodreads_file_with_only_the_needed_columns_is_read():
    parsed = parse_export((FIXTURES / "goodreads_missing_columns.csv").read_bytes())
    assert parsed.source == "goodreads"
    assert [(row.line, row.title, row.isbn_13, row.shelf) for row in parsed.rows] == [
        (2, "Dune", "9780441013593", Shelf.READ),
        (3, "Emma", "9780141439587", Shelf.WANT_TO_READ),
        (4, "Beloved", "", Shelf.READING),
    ]
    assert parsed.rows[0].source_key == "goodreads:dune|frank herbert"
    assert parsed.rows[0].added_on is None
    assert parsed.rows[0].rating is None
    assert parsed.skipped == (
        SkippedRow(line=5, title="Middlemarch", reason="No shelf: the “Exclusive Shelf” column is blank."),
        SkippedRow(line=6, title="The Lion", reason="The row has 5 fields where the header has 4."),
    )


def test_file_that_is_not_an_export_is_refused_saying_what_was_expected():
    message = refusal((FIXTURES / "not_an_export.csv").read_bytes())
    assert message.startswith(
        "This does not look like a Goodreads or StoryGraph export: the first line should start with "
        "“Book Id,Title,Author,…” (Goodreads) or “Title,Authors,Contributors,…” (StoryGraph)"
    )
    assert "Date,Description,Amount,Balance" in message


def test_import_file_error_is_a_value_error():
    assert issubclass(ImportFileError, ValueError)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Book Id,Title,Author,Average Rating", "This Goodreads export has no “Exclusive Shelf” column"),
        ("Title,Authors,ISBN/UID,Star Rating", "This StoryGraph export has no “Read Status” column"),
        ("Book Id,Author,Exclusive Shelf", "This Goodreads export has no “Title” column"),
        ("Authors,ISBN/UID", "This StoryGraph export has no “Title” and “Read Status” columns"),
    ],
)
def test_export_without_title_or_shelf_column_is_refused_naming_the_column(header, expected):
    assert refusal(f"{header}\nDune,Frank Herbert,1,2\n".encode()).startswith(expected)


@pytest.mark.parametrize(
    "header",
    [
        "  BOOK ID , title ,Author,  Exclusive   Shelf ",
        "\ufeffbook id,TITLE,author,exclusiveshelf",
    ],
)
def test_header_is_recognized_whatever_its_case_spacing_or_bom(header):
    row = only_row(f"{header}\r\n234225,Dune,Frank Herbert,read\r\n".encode())
    assert (row.title, row.shelf, row.source_key) == ("Dune", Shelf.READ, "goodreads:234225")


@pytest.mark.parametrize(
    "header",
    ["Title,Author,Rating,Shelf", "Title,Author,ISBN13,Read Status", "Title,Author"],
)
def test_header_that_is_neither_format_or_both_equally_is_refused(header):
    assert refusal(f"{header}\nDune,Frank Herbert,9780441013593,read\n".encode()).startswith(
        "This does not look like a Goodreads or StoryGraph export"
    )


# Limits and what the file is made of


def test_file_over_the_size_limit_is_refused():
    data = goodreads_file(goodreads_book())
    assert "larger than 5 MB" in refusal(data + b"\n" * (MAX_BYTES + 1 - len(data)))


def test_file_at_the_size_limit_is_read():
    data = goodreads_file(goodreads_book())
    assert len(parse_export(data + b"\n" * (MAX_BYTES - len(data))).rows) == 1


def test_file_with_more_rows_than_the_limit_is_refused():
    data = b"Title,Exclusive Shelf\n" + b"".join(b"Book %d,read\n" % number for number in range(MAX_ROWS + 1))
    assert f"more than {MAX_ROWS:,} rows" in refusal(data)


def test_file_at_the_row_limit_is_read_and_blank_lines_do_not_count():
    data = b"Title,Exclusive Shelf\n" + b"".join(b"Book %d,read\n\n" % number for number in range(MAX_ROWS))
    parsed = parse_export(data)
    assert len(parsed.rows) == MAX_ROWS
    assert parsed.rows[-1].line == 2 * MAX_ROWS


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\n  \n", b"\x00\x00", b",,,\n,,\n"])
def test_empty_file_is_refused(data):
    assert refusal(data) == "The file is empty."


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused():
    assert refusal(b"Title,Exclusive Shelf\nDune\x81\x8d,read\n").startswith("The file is not readable text")


def test_windows_1252_file_is_read():
    data = "Title,Author,Exclusive Shelf\nLes Misérables,Victor Hugo,read\n".encode("cp1252")
    assert only_row(data).title == "Les Misérables"


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b'{"books": [{"title": "Dune", "shelf": "read"}]}',
        b"<!DOCTYPE html><html><body>Export</body></html>",
    ],
)
def test_file_that_is_not_csv_text_is_refused(data):
    assert refusal(data).isprintable()


def test_csv_value_too_large_to_be_a_field_is_refused():
    data = b'Title,Exclusive Shelf\n"Dune' + b"x" * 200_000 + b'",read\n'
    assert refusal(data).startswith("The file could not be read as CSV: line 2 is malformed")


def test_nul_bytes_are_stripped():
    row = only_row(b"Title,Author,Exclusive Shelf\nDu\x00ne,Frank\x00 Herbert,re\x00ad\n")
    assert (row.title, row.authors, row.shelf) == ("Dune", ("Frank Herbert",), Shelf.READ)


def test_header_only_file_has_no_rows():
    assert parse_export(storygraph_file()) == ParsedExport(source="storygraph", rows=(), skipped=())


# Records and fields


@pytest.mark.parametrize("line_ending", ["\n", "\r\n", "\r"])
def test_lines_are_counted_across_line_breaks_inside_quoted_values(line_ending):
    review = f"First thought.{line_ending}Second thought.{line_ending}{line_ending}Last thought."
    data = goodreads_file(
        goodreads_book(**{"My Review": review}),
        goodreads_book(**{"Book Id": "1", "Title": "Emma"}),
        line_ending=line_ending,
    )
    assert [row.line for row in parse_export(data).rows] == [2, 6]


def test_quoted_title_keeps_commas_and_doubled_quotes():
    data = b'Title,Exclusive Shelf\n"The ""Good"" Soldier, a Tale of Passion",read\n'
    assert only_row(data).title == 'The "Good" Soldier, a Tale of Passion'


def test_blank_lines_and_trailing_blank_lines_are_ignored_but_counted():
    data = b"Title,Exclusive Shelf\n\nDune,read\n  \nEmma,to-read\n\n\n\n"
    assert [(row.line, row.title) for row in parse_export(data).rows] == [(3, "Dune"), (5, "Emma")]


def test_whitespace_around_and_inside_values_is_tidied():
    data = b'Title,Author,Exclusive Shelf,Date Read\n"  The   Left Hand\n of Darkness ", Ursula K. Le Guin ,  READ , 2021/03/15 \n'
    row = only_row(data)
    assert (row.title, row.authors, row.shelf, row.finished_on) == (
        "The Left Hand of Darkness",
        ("Ursula K. Le Guin",),
        Shelf.READ,
        date(2021, 3, 15),
    )


def test_long_title_and_author_are_cut_to_their_caps():
    row = only_row(goodreads_file(goodreads_book(Title="T" * 400, Author="A" * 250)))
    assert row.title == "T" * 300
    assert row.authors == ("A" * 200,)


def test_row_with_fewer_fields_than_the_header_reads_the_rest_as_blank():
    data = b"Book Id,Title,Exclusive Shelf,Author,ISBN13,My Rating\n234225,Dune,read\n"
    row = only_row(data)
    assert (row.title, row.authors, row.isbn_13, row.rating, row.had_isbn) == ("Dune", (), "", None, False)


def test_row_with_more_fields_than_the_header_is_skipped():
    data = b"Title,Exclusive Shelf,Author\nDune,read,Frank Herbert,extra\n"
    assert only_skipped(data) == SkippedRow(
        line=2, title="Dune", reason="The row has 4 fields where the header has 3."
    )


@pytest.mark.parametrize("title", ["", "   ", "\n"])
def test_row_without_title_is_skipped(title):
    skipped = only_skipped(goodreads_file(goodreads_book(Title=title)))
    assert skipped == SkippedRow(line=2, title="", reason="No title.")


def test_row_with_blank_shelf_is_skipped():
    skipped = only_skipped(storygraph_file(storygraph_book(**{"Read Status": ""})))
    assert skipped == SkippedRow(
        line=2, title="Piranesi", reason="No shelf: the “Read Status” column is blank."
    )


@pytest.mark.parametrize(
    ("shelf_name", "shelf"),
    [
        ("read", Shelf.READ),
        ("currently-reading", Shelf.READING),
        ("to-read", Shelf.WANT_TO_READ),
        ("Currently-Reading", Shelf.READING),
    ],
)
def test_shelves_are_booky_shelves_in_both_formats(shelf_name, shelf):
    assert only_row(goodreads_file(goodreads_book(**{"Exclusive Shelf": shelf_name}))).shelf == shelf
    assert only_row(storygraph_file(storygraph_book(**{"Read Status": shelf_name}))).shelf == shelf


@pytest.mark.parametrize("shelf_name", ["did-not-finish", "paused", "favorites"])
def test_shelf_booky_does_not_keep_is_skipped_naming_it(shelf_name):
    skipped = only_skipped(storygraph_file(storygraph_book(**{"Read Status": shelf_name})))
    assert skipped.reason == f"Shelf “{shelf_name}” is not one Booky keeps (want to read, reading, read)."
    assert skipped.title == "Piranesi"


# Authors


def test_authors_are_split_on_commas_deduplicated_in_order_without_blanks():
    row = only_row(
        goodreads_file(
            goodreads_book(Author="Neil Gaiman", **{"Additional Authors": "Terry Pratchett, , neil gaiman,"})
        )
    )
    assert row.authors == ("Neil Gaiman", "Terry Pratchett")
    row = only_row(storygraph_file(storygraph_book(Authors="Terry Pratchett,Neil Gaiman, Terry Pratchett")))
    assert row.authors == ("Terry Pratchett", "Neil Gaiman")


# ISBNs


@pytest.mark.parametrize(
    ("isbn_column", "isbn13_column", "isbn_10", "isbn_13"),
    [
        ('="0441013597"', '="9780441013593"', "0441013597", "9780441013593"),
        ('="0441013597"', '=""', "0441013597", "9780441013593"),
        ('=""', '="9780441013593"', "0441013597", "9780441013593"),
        ("0-441-01359-7", "978-0-441-01359-3", "0441013597", "9780441013593"),
        ('="080442957x"', '=""', "080442957X", "9780804429573"),
        ('=""', '="9791030701999"', "", "9791030701999"),
    ],
)
def test_goodreads_isbns_are_unwrapped_normalized_and_fill_each_other(
    isbn_column, isbn13_column, isbn_10, isbn_13
):
    row = only_row(goodreads_file(goodreads_book(ISBN=isbn_column, ISBN13=isbn13_column)))
    assert (row.isbn_10, row.isbn_13, row.had_isbn) == (isbn_10, isbn_13, True)


@pytest.mark.parametrize(("isbn_column", "isbn13_column"), [('="0441013598"', '=""'), ("", "9.78044E+12")])
def test_invalid_isbn_is_blank_but_marks_the_row_as_having_had_one(isbn_column, isbn13_column):
    row = only_row(goodreads_file(goodreads_book(ISBN=isbn_column, ISBN13=isbn13_column)))
    assert (row.isbn_10, row.isbn_13, row.had_isbn) == ("", "", True)


@pytest.mark.parametrize(
    ("identifier", "isbn_13", "had_isbn", "source_key"),
    [
        ("978-1-63557-599-6", "9781635575996", True, "storygraph:9781635575996"),
        ("9781635575997", "", True, "storygraph:9781635575997"),
        (
            "7a0c6a3e-91f5-4b1e-9d0a-3c5e2f6b8d41",
            "",
            False,
            "storygraph:7a0c6a3e-91f5-4b1e-9d0a-3c5e2f6b8d41",
        ),
    ],
)
def test_storygraph_isbn_or_uid(identifier, isbn_13, had_isbn, source_key):
    row = only_row(storygraph_file(storygraph_book(**{"ISBN/UID": identifier})))
    assert (row.isbn_13, row.had_isbn, row.source_key) == (isbn_13, had_isbn, source_key)


# Ratings and dates


@pytest.mark.parametrize(
    ("stars", "rating"),
    [
        ("4.5", 5),
        ("4.25", 4),
        ("4.75", 5),
        ("3.5", 4),
        ("5.0", 5),
        ("1", 1),
        ("0.25", 1),
        ("0", None),
        ("", None),
        ("5.5", None),
        ("-1", None),
        ("NaN", None),
        ("four", None),
    ],
)
def test_storygraph_star_rating_rounds_half_up_to_whole_stars(stars, rating):
    assert only_row(storygraph_file(storygraph_book(**{"Star Rating": stars}))).rating == rating


@pytest.mark.parametrize(("my_rating", "rating"), [("0", None), ("1", 1), ("5", 5), ("", None), ("6", None)])
def test_goodreads_my_rating(my_rating, rating):
    assert only_row(goodreads_file(goodreads_book(**{"My Rating": my_rating}))).rating == rating


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021/03/15", date(2021, 3, 15)),
        ("2021/3/5", date(2021, 3, 5)),
        ("2021-03-15", date(2021, 3, 15)),
        ("", None),
        ("2021/02/30", None),
        ("2021/13/01", None),
        ("15/03/2021", None),
        ("yesterday", None),
    ],
)
def test_goodreads_dates_that_cannot_be_read_are_none_and_the_row_kept(raw, expected):
    row = only_row(goodreads_file(goodreads_book(**{"Date Read": raw, "Date Added": raw})))
    assert (row.finished_on, row.added_on) == (expected, expected)


@pytest.mark.parametrize(
    ("dates_read", "last_date_read", "started_on", "finished_on"),
    [
        ("2023/01/05-2023/01/20", "2023/01/20", date(2023, 1, 5), date(2023, 1, 20)),
        ("2022/01/01-2022/01/09,2023/01/05-2023/01/20", "", date(2023, 1, 5), date(2023, 1, 20)),
        ("2022/01/01-2022/01/09, 2023/01/05-2023/01/20, ", "", date(2023, 1, 5), date(2023, 1, 20)),
        ("2023/01/05 - 2023/01/20", "", date(2023, 1, 5), date(2023, 1, 20)),
        ("2023/01/05-", "2022/06/01", date(2023, 1, 5), None),
        ("-2023/01/20", "", None, date(2023, 1, 20)),
        ("2023/01/20", "", None, date(2023, 1, 20)),
        ("", "2023/01/20", None, date(2023, 1, 20)),
        ("", "", None, None),
        ("2023/01/05-2023/02/30", "", date(2023, 1, 5), None),
        ("sometime in May", "2023/05/31", None, date(2023, 5, 31)),
    ],
)
def test_storygraph_reading_dates(dates_read, last_date_read, started_on, finished_on):
    book = storygraph_book(**{"Dates Read": dates_read, "Last Date Read": last_date_read})
    row = only_row(storygraph_file(book))
    assert (row.started_on, row.finished_on) == (started_on, finished_on)


# Identity within the file


def test_rows_without_an_id_are_keyed_by_title_and_authors():
    data = b"Title,Authors,Read Status\n  Piranesi ,Susanna  Clarke,read\n"
    assert only_row(data).source_key == "storygraph:piranesi|susanna clarke"


def test_later_rows_for_the_same_book_are_skipped_pointing_at_the_first():
    data = goodreads_file(
        goodreads_book(**{"Exclusive Shelf": "to-read"}),
        goodreads_book(**{"Book Id": "1", "Title": "Emma"}),
        goodreads_book(**{"Exclusive Shelf": "read"}),
    )
    parsed = parse_export(data)
    assert [(row.line, row.shelf) for row in parsed.rows] == [(2, Shelf.WANT_TO_READ), (3, Shelf.READ)]
    assert parsed.skipped == (SkippedRow(line=4, title="Dune", reason="Same book as line 2."),)


def test_same_title_and_authors_in_other_case_is_the_same_book():
    data = b"Title,Author,Exclusive Shelf\nDune,Frank Herbert,read\nDUNE,frank  herbert,to-read\n"
    parsed = parse_export(data)
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.skipped == (SkippedRow(line=3, title="DUNE", reason="Same book as line 2."),)


def test_a_skipped_first_row_does_not_make_the_next_one_a_duplicate():
    data = storygraph_file(
        storygraph_book(**{"ISBN/UID": "9781635575996", "Read Status": "paused"}),
        storygraph_book(**{"ISBN/UID": "9781635575996"}),
    )
    parsed = parse_export(data)
    assert [row.line for row in parsed.rows] == [3]
    assert [skipped.line for skipped in parsed.skipped] == [2]
