"""Search that finds what people type: normalized columns on both databases, indexes on PostgreSQL.

search_title and search_text are computed in Python (books.text_search.normalize) and filled here for
the books already stored. On PostgreSQL, pg_trgm is enabled (a trusted extension: the database owner
may create it) and search_vector is a column PostgreSQL generates from them, so it can never be
stale; it is left out of the Django model so that ordinary queries do not fetch it. Changing the type
of search_title or search_text later means dropping search_vector first.
"""

from django.db import migrations, models

from books.text_search import search_fields

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE books_book ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, search_title), 'A')
        || setweight(to_tsvector('simple'::regconfig, search_text), 'D')
    ) STORED""",
    "CREATE INDEX books_book_search_vector ON books_book USING gin (search_vector)",
    "CREATE INDEX books_book_search_text_trgm ON books_book USING gin (search_text gin_trgm_ops)",
    # Exact and prefix title matches (LIKE 'x%'), whatever the database's collation.
    "CREATE INDEX books_book_search_title ON books_book (search_title text_pattern_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS books_book_search_title",
    "DROP INDEX IF EXISTS books_book_search_text_trgm",
    "DROP INDEX IF EXISTS books_book_search_vector",
    "ALTER TABLE books_book DROP COLUMN IF EXISTS search_vector",
]


def fill_search_columns(apps, schema_editor):
    Book = apps.get_model("books", "Book")
    batch = []
    for book in Book.objects.only("pk", "title", "subtitle", "authors").iterator(chunk_size=2000):
        for column, value in search_fields(book.title, book.subtitle, book.authors).items():
            setattr(book, column, value)
        batch.append(book)
        if len(batch) >= 2000:
            Book.objects.bulk_update(batch, ["search_title", "search_text"])
            batch = []
    Book.objects.bulk_update(batch, ["search_title", "search_text"])


def postgres_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("books", "0003_visible_names")]

    operations = [
        migrations.AddField(
            model_name="book",
            name="search_title",
            field=models.CharField(blank=True, default="", editable=False, max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="book",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
        migrations.RunPython(postgres_only(POSTGRES_FORWARD), postgres_only(POSTGRES_BACKWARD)),
    ]
