"""Seed synthetic books into a PostgreSQL database and print EXPLAIN (ANALYZE, BUFFERS) of searches.

    DATABASE_URL=postgres://.../booky_bench python manage.py explain_book_search --books 1000000

Tops the table up to --books rows (made-up titles and authors, Zipf-distributed words, so common
words are common) with COPY, then runs each search the way the search page does (count, first page)
and explains every query it made. Use a throwaway database: the rows stay. See docs/book-search.md.
"""

import itertools
import json
import random
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from books.models import Book
from books.text_search import search_fields

SEARCHES = ["les miserables", "Crime and Punishmnet", "Dostoievski", "dost", "the", "emma", "zzqx"]
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ta",
    "vi",
    "zo",
    "ber",
    "dan",
    "fel",
    "gor",
    "hul",
    "jin",
    "kor",
    "lam",
    "mor",
    "nis",
    "par",
    "qui",
    "ros",
    "sen",
    "tur",
]


def _words(rng: random.Random, count: int) -> list[str]:
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


class Command(BaseCommand):
    help = "Seed N synthetic books (PostgreSQL) and print EXPLAIN ANALYZE of the book searches."

    def add_arguments(self, parser):
        parser.add_argument("--books", type=int, default=20_000)
        parser.add_argument("--analyze-only", action="store_true", help="no EXPLAIN output, timings only")

    def handle(self, *args, books: int, analyze_only: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Point DATABASE_URL at a throwaway PostgreSQL database.")
        missing = books - Book.objects.count()
        if missing > 0:
            self.stdout.write(f"Seeding {missing} books...")
            self._seed(missing)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE books_book" if missing > 0 else "SELECT 1")
        self.stdout.write(f"{Book.objects.count()} books\n")
        for text in SEARCHES:
            self._explain(text, quiet=analyze_only)

    def _seed(self, count: int) -> None:
        rng = random.Random(12)
        vocabulary = ["the", "of", "and", "a", "in", *_words(rng, 20_000)]
        # Zipf: "the" is everywhere, most words are rare.
        cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))
        first_names = _words(rng, 400)
        surnames = _words(rng, 8_000)
        now = timezone.now()
        # Every column but the id, with the model's defaults unless set below.
        fields = [field for field in Book._meta.concrete_fields if not field.primary_key]
        defaults = {field.attname: field.get_default() for field in fields}
        defaults.update(source="manual", created_at=now, authors=None, categories="[]")
        columns = ", ".join(field.column for field in fields)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY books_book ({columns}) FROM STDIN") as copy,
        ):
            for _ in range(count):
                title = " ".join(
                    rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(1, 6))
                ).capitalize()
                authors = [f"{rng.choice(first_names).title()} {rng.choice(surnames).title()}"]
                row = {
                    **defaults,
                    "title": title,
                    "authors": json.dumps(authors),
                    "author_line": authors[0],
                    "page_count": rng.randint(50, 900),
                    **search_fields(title, "", authors),
                }
                copy.write_row([row[field.attname] for field in fields])

    def _explain(self, text: str, *, quiet: bool) -> None:
        with CaptureQueriesContext(connection) as captured:
            results = Book.objects.search(text)
            total = results.count()
            page = [book.title for book in results[:20]]
        self.stdout.write(f"\n=== {text!r}: {total} matches; first: {page[:3]}")
        total_ms = 0.0
        for query in captured.captured_queries:
            sql = query["sql"]
            if "set_config" in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
            for line in plan:  # the database's time: planning and execution
                if line.startswith(("Planning Time", "Execution Time")):
                    total_ms += float(re.findall(r"[\d.]+", line)[0])
            self.stdout.write(f"--- {sql[:160]}{'...' if len(sql) > 160 else ''}")
            self.stdout.write("\n".join(plan[-2:] if quiet else plan))
        self.stdout.write(f"=== {text!r}: database time {total_ms:.2f} ms (planning + execution)")
