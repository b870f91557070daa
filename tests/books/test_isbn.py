"""ISBN normalization and checksums (no database)."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from books import isbn

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
twelve_digits = st.tuples(
    st.sampled_from(["978", "979"]), st.text(alphabet="0123456789", min_size=9, max_size=9)
).map("".join)


def make_isbn10(body: str) -> str:
    return body + isbn.isbn10_check_digit(body)


def make_isbn13(body: str) -> str:
    return body + isbn.isbn13_check_digit(body)


@given(nine_digits)
def test_an_isbn10_with_its_computed_check_digit_is_valid(body):
    assert isbn.is_valid_isbn10(make_isbn10(body))


@given(twelve_digits)
def test_an_isbn13_with_its_computed_check_digit_is_valid(body):
    assert isbn.is_valid_isbn13(make_isbn13(body))


@given(nine_digits, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_in_an_isbn10_is_caught(body, position, shift):
    valid = make_isbn10(body)
    typo = valid[:position] + str((int(valid[position]) + shift) % 10) + valid[position + 1 :]
    assert not isbn.is_valid_isbn10(typo)


@given(twelve_digits, st.integers(min_value=3, max_value=12), st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_in_an_isbn13_is_caught(body, position, shift):
    valid = make_isbn13(body)
    typo = valid[:position] + str((int(valid[position]) + shift) % 10) + valid[position + 1 :]
    assert not isbn.is_valid_isbn13(typo)


@given(nine_digits, st.lists(st.sampled_from(["-", " ", "‐"]), min_size=10, max_size=10))
def test_hyphens_and_spaces_anywhere_normalize_away(body, separators):
    valid = make_isbn10(body)
    typed = "".join(char + sep for char, sep in zip(valid, separators, strict=True)).lower()
    assert isbn.normalize(typed) == valid
    assert isbn.parse(typed) == (valid, isbn.to_isbn13(valid))


@given(nine_digits)
def test_isbn10_and_isbn13_convert_both_ways(body):
    isbn10 = make_isbn10(body)
    isbn13 = isbn.to_isbn13(isbn10)
    assert isbn.is_valid_isbn13(isbn13)
    assert isbn.to_isbn10(isbn13) == isbn10
    assert isbn.parse(isbn13) == (isbn10, isbn13)


@given(st.text(max_size=30))
def test_parse_either_returns_valid_numbers_or_raises_a_readable_error(text):
    try:
        isbn_10, isbn_13 = isbn.parse(text)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
    else:
        assert isbn.is_valid_isbn13(isbn_13)
        assert not isbn_10 or isbn.is_valid_isbn10(isbn_10)


def test_979_isbns_have_no_isbn10():
    isbn13 = make_isbn13("979100000000")
    assert isbn.parse(isbn13) == ("", isbn13)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("978-0-14-143951-9", "check digit is wrong"),
        ("0-14-143951-4", "check digit is wrong"),
        ("12345", "10 or 13 digits"),
        ("123456789Y", "9 digits followed by a digit or X"),
        ("1234567890123", "starts with 978 or 979"),
    ],
)
def test_bad_isbns_get_a_message_that_says_what_is_wrong(typed, message):
    with pytest.raises(ValidationError) as error:
        isbn.parse(typed)
    assert message in error.value.messages[0]


def test_x_check_digit_is_accepted_in_either_case():
    assert isbn.parse("0-8044-2957-x") == ("080442957X", "9780804429573")
