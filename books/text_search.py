"""Finding books by what people type: accents, capitals and punctuation ignored, typos forgiven.

Every book stores its title and its title + subtitle + authors normalized by `normalize` (computed
in Python on every write, see Book.save and BookQuerySet), so both databases compare like with like:
"Les Misérables" is stored and searched as "les miserables". Python does the folding rather than
PostgreSQL's `unaccent` because unaccent is not IMMUTABLE (no index or generated column may use it)
and SQLite has nothing like it; one function gives both databases the same answers.

PostgreSQL (migration 0004): a generated tsvector column over the normalized text with a GIN index,
and a GIN trigram index on it. A search is the union of index-driven candidate sets, each capped:
exact title, title prefix, full-text match (every word, the last one as a prefix for typeahead) and,
only when full-text finds nothing, pg_trgm word similarity (typos: "Dostoievski"). The candidates are
then ranked: exact title, title prefix, full-text rank, similarity, title.

SQLite: the same normalized columns with LIKE for every word and the same title-first order; when
nothing matches, difflib scores a bounded set of books sharing a word's first or last letters.
"""

import difflib
import re
import unicodedata

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL

# Letters NFKD does not decompose into a base letter plus accents.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_NOT_WORD = re.compile(r"[\W_]+")
MAX_WORDS = 12  # a pasted paragraph is not a better search; it only costs more
CANDIDATES = 300  # per candidate set: what a full-text search ranks at most (see the module doc)
TITLE_PREFIX_CANDIDATES = 100
FUZZY_THRESHOLD = 0.45  # pg_trgm word similarity: "dostoievski" ~ "fyodor dostoevsky" is 0.5
FUZZY_MIN_WORD = 4  # shorter words have too few trigrams to say anything about a typo
FUZZY_RATIO = 0.75  # difflib (SQLite): "punishmnet" ~ "punishment" is 0.9
FUZZY_SCAN = 2000  # SQLite: books scored by difflib at most
FUZZY_RESULTS = 100  # SQLite: close matches listed at most


def normalize(text) -> str:
    """Lowercase, accents and punctuation removed, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", str(text or "").casefold())
    text = "".join(char for char in text if not unicodedata.combining(char)).translate(_FOLD)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def search_fields(title, subtitle, authors) -> dict:
    """The stored search columns for a book with these details."""
    names = " ".join(str(name) for name in authors if name) if isinstance(authors, list) else ""
    return {
        "search_title": normalize(title)[:300],
        "search_text": " ".join(filter(None, (normalize(title), normalize(subtitle), normalize(names)))),
    }


def search(queryset, text: str):
    """`queryset`'s books matching `text`, best first (empty when nothing in it is a word)."""
    words = normalize(text).split()[:MAX_WORDS]
    if not words:
        return queryset.none()
    phrase = " ".join(words)
    title_order = Case(
        When(search_title=phrase, then=Value(0)),
        When(search_title__startswith=phrase, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    if connection.vendor == "postgresql":
        return _postgres(queryset, words, phrase, title_order)
    return _portable(queryset, words, phrase, title_order)


def _postgres(queryset, words: list[str], phrase: str, title_order):
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    # Only letters, digits and spaces are left, so the words cannot be tsquery (or LIKE) syntax.
    tsquery = " & ".join([*words[:-1], f"{words[-1]}:*"])
    fuzzy = " ".join(word for word in words if len(word) >= FUZZY_MIN_WORD) or phrase
    # The `<%` operator (the one the trigram index serves) reads its threshold from the session.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [str(FUZZY_THRESHOLD)]
        )
    full_text = "search_vector @@ to_tsquery('simple', %s)"
    candidates = RawSQL(
        f"(SELECT id FROM {table} WHERE search_title = %s LIMIT {TITLE_PREFIX_CANDIDATES})"
        f" UNION ALL (SELECT id FROM {table} WHERE search_title LIKE %s LIMIT {TITLE_PREFIX_CANDIDATES})"
        f" UNION ALL (SELECT id FROM {table} WHERE {full_text} LIMIT {CANDIDATES})"
        # Typos only when the words themselves found nothing: a one-time filter, so no trigram scan
        # runs for the usual search.
        f" UNION ALL (SELECT id FROM {table} WHERE %s <%% search_text"
        f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE {full_text}) LIMIT {CANDIDATES})",
        [phrase, f"{phrase}%", tsquery, fuzzy, tsquery],
    )
    return (
        queryset.filter(pk__in=candidates)
        .annotate(
            title_order=title_order,
            text_rank=RawSQL(f"ts_rank({table}.search_vector, to_tsquery('simple', %s))", [tsquery]),
            # Similarity only orders the typo candidates; words found exactly need not pay for it.
            similarity=RawSQL(
                f"CASE WHEN {table}.search_vector @@ to_tsquery('simple', %s) THEN 1"
                f" ELSE word_similarity(%s, {table}.search_text) END",
                [tsquery, fuzzy],
            ),
        )
        .order_by("title_order", "-text_rank", "-similarity", "title", "pk")
    )


def _portable(queryset, words: list[str], phrase: str, title_order):
    every_word = Q()
    for word in words:
        every_word &= Q(search_text__contains=word)
    found = queryset.filter(every_word)
    if found.exists():
        return found.annotate(title_order=title_order).order_by("title_order", "title", "pk")
    return _close_matches(queryset, words)


def _close_matches(queryset, words: list[str]):
    """Books whose words are closest to the typed ones (difflib), among a bounded set of candidates."""
    typed = [word for word in words if len(word) >= FUZZY_MIN_WORD]
    if not typed:
        return queryset.none()
    sharing = Q()
    for word in typed:
        sharing |= Q(search_text__contains=word[:3]) | Q(search_text__contains=word[-3:])
    candidates = list(queryset.filter(sharing).values_list("pk", "search_text")[:FUZZY_SCAN])
    vocabulary = {word for _pk, text in candidates for word in text.split()}
    # typed word -> {book word: ratio}; a short word counts when it is there as typed.
    closeness = {word: {word: 1.0} for word in words if len(word) < FUZZY_MIN_WORD}
    for word in typed:
        matches = difflib.get_close_matches(word, vocabulary, n=20, cutoff=FUZZY_RATIO)
        closeness[word] = {match: difflib.SequenceMatcher(None, word, match).ratio() for match in matches}
    scored = []
    for pk, text in candidates:
        book_words = set(text.split())
        best = [
            max((ratio for match, ratio in close.items() if match in book_words), default=0)
            for close in closeness.values()
        ]
        if any(best):
            scored.append((-sum(best), pk))
    ranked = [pk for _score, pk in sorted(scored)[:FUZZY_RESULTS]]
    if not ranked:
        return queryset.none()
    order = Case(
        *(When(pk=pk, then=Value(index)) for index, pk in enumerate(ranked)), output_field=IntegerField()
    )
    return queryset.filter(pk__in=ranked).annotate(fuzzy_order=order).order_by("fuzzy_order")
