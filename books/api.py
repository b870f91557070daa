"""The books API: merged search (catalog, Google Books, Open Library), book details, adding a book."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from books import isbn as isbn_lib
from books import services
from books.dates import validate_published_date
from books.models import MAX_PAGES, TITLE_MAX_LENGTH, Book
from books.ratelimit import RATE_LIMITED_MESSAGE, search_limited
from books.search import QUERY_MAX_LENGTH, search_books
from booky.core.api import ErrorSerializer
from booky.core.numbers import StrictIntegerApiField


class BookSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        source="get_absolute_url", read_only=True, help_text="The book's page on Booky."
    )
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    description = serializers.CharField(
        source="description_html", read_only=True, help_text="Sanitized HTML: formatting tags only."
    )

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "subtitle",
            "authors",
            "page_count",
            "published_date",
            "publisher",
            "language",
            "categories",
            "description",
            "cover_url",
            "isbn_10",
            "isbn_13",
            "google_volume_id",
            "open_library_key",
            "source",
            "created_at",
            "url",
        ]
        read_only_fields = fields


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="pk",
        allow_null=True,
        help_text="Null for a Google Books volume or Open Library work not yet in Booky.",
    )
    google_volume_id = serializers.CharField(
        help_text="POST it to /api/v1/books/ to add the volume to Booky."
    )
    open_library_key = serializers.CharField(
        help_text="The Open Library work key (OL45883W); POST it to /api/v1/books/ to add the work to Booky."
    )
    title = serializers.CharField()
    subtitle = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    year = serializers.CharField()
    page_count = serializers.IntegerField(allow_null=True)
    cover_url = serializers.CharField()
    isbn_13 = serializers.CharField()
    isbn_10 = serializers.CharField()
    source = serializers.CharField(help_text="catalog, manual, google or openlibrary.")
    url = serializers.CharField(
        help_text=(
            "The book's page (for Google volumes and Open Library works: a page offering to add it; the "
            "API adds one with POST /api/v1/books/)."
        )
    )


@extend_schema_serializer(many=False)  # the page itself, not a list to wrap in pagination again
class BookSearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchResultSerializer(many=True)
    google_available = serializers.BooleanField(
        help_text="False when Google Books cannot answer now: the results are Booky's own."
    )
    google_pending = serializers.BooleanField(
        help_text=(
            "True while Booky is still asking Google Books in the background (a search never waits "
            "for it): the results are Booky's own so far. Ask again with the same `q` in a second or "
            "two to get Google's volumes too; by then this is false and `google_available` says "
            "whether Google answered."
        )
    )
    open_library_available = serializers.BooleanField(
        help_text="False when Open Library is switched off or cannot answer now."
    )
    open_library_pending = serializers.BooleanField(
        help_text="True while Booky is still asking Open Library in the background (as `google_pending`)."
    )
    pending = serializers.BooleanField(
        help_text="True while any source is still being asked: ask again with the same `q` shortly."
    )
    notice = serializers.CharField(
        allow_null=True,
        help_text=(
            'Which source\'s results are missing, if any are: "Google Books is unavailable right now", '
            '"Open Library is unavailable right now" or both.'
        ),
    )


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=QUERY_MAX_LENGTH)


class BookCreateSerializer(serializers.Serializer):
    """`google_volume_id` or `open_library_key` alone, or a book typed in by hand (title, authors, page_count)."""

    google_volume_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    open_library_key = serializers.CharField(required=False, allow_blank=True, max_length=32)
    title = serializers.CharField(required=False, max_length=TITLE_MAX_LENGTH)
    subtitle = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX_LENGTH)
    authors = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    page_count = StrictIntegerApiField(
        required=False,
        min_value=1,
        max_value=MAX_PAGES,
        error_messages={
            "min_value": "A book has at least 1 page.",
            "max_value": f"That is more than {MAX_PAGES:,} pages: check the number.",
        },
    )
    published_date = serializers.CharField(
        required=False, allow_blank=True, max_length=10, validators=[validate_published_date]
    )
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200)
    isbn = serializers.CharField(required=False, allow_blank=True, max_length=24)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate_isbn(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            isbn_10, isbn_13 = isbn_lib.parse(value)
        except Exception as error:  # django ValidationError -> DRF's
            raise serializers.ValidationError(getattr(error, "messages", [str(error)])) from error
        return isbn_13 or isbn_10

    def validate(self, data):
        if data.get("google_volume_id") or data.get("open_library_key"):
            return data
        missing = {
            "title": "Give the book's title.",
            "authors": "Give at least one author.",
            "page_count": "How many pages does it have?",
        }
        errors = {
            field: [message]
            for field, message in missing.items()
            if not data.get(field) or (field == "authors" and not any(a.strip() for a in data[field]))
        }
        if errors:
            raise serializers.ValidationError(errors)
        if not " ".join(data["title"].split()):
            raise serializers.ValidationError({"title": ["Give the book's title."]})
        return data


@extend_schema_view(
    list=extend_schema(
        summary="Search books",
        description=(
            "Local catalog matches first, then Google Books volumes and Open Library works Booky does "
            "not have yet (`id` null; a work sharing an ISBN with a book or volume shown is left out). "
            "Answers at once: the sources are asked in the background, and until they have answered "
            "`pending` (and `google_pending` / `open_library_pending`) is true and only what is known "
            "comes back (ask again shortly). When a source cannot answer, its `*_available` is false "
            "and `notice` says so; local results still come back. Limited to 30 searches a minute "
            "(429 after that)."
        ),
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, description="Title, author, ISBN; intitle:/inauthor: work."
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 100)."),
        ],
        responses={
            200: BookSearchPageSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`q` is too long."),
            429: OpenApiResponse(ErrorSerializer, description="More than 30 searches in a minute."),
        },
    ),
    retrieve=extend_schema(summary="A book"),
    create=extend_schema(
        summary="Add a book",
        description=(
            "Import a Google Books volume by `google_volume_id` or an Open Library work by "
            "`open_library_key`, or create a book by hand."
        ),
        request=BookCreateSerializer,
        responses={
            201: BookSerializer,
            200: OpenApiResponse(BookSerializer, description="The volume or work was already in Booky."),
            404: OpenApiResponse(
                ErrorSerializer, description="The source has no volume or work with that id."
            ),
            409: OpenApiResponse(ErrorSerializer, description="Another book has this ISBN."),
            503: OpenApiResponse(ErrorSerializer, description="The source cannot be reached to import it."),
        },
    ),
)
class BookViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def list(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data.get("q", "")
        if query.strip() and search_limited(request):
            raise exceptions.Throttled(detail=RATE_LIMITED_MESSAGE)
        found = search_books(query)
        page = self.paginate_queryset(found.results)
        response = self.get_paginated_response(SearchResultSerializer(page, many=True).data)
        response.data["google_available"] = found.google_available
        response.data["google_pending"] = found.google_pending
        response.data["open_library_available"] = found.open_library_available
        response.data["open_library_pending"] = found.open_library_pending
        response.data["pending"] = found.pending
        response.data["notice"] = found.notice or None
        return response

    def create(self, request):
        data = BookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if fields.get("google_volume_id"):
            existed = Book.objects.filter(google_volume_id=fields["google_volume_id"]).exists()
            book = services.book_import_google(volume_id=fields["google_volume_id"])
            return Response(
                BookSerializer(book).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
            )
        if fields.get("open_library_key"):
            existed = Book.objects.filter(open_library_key=fields["open_library_key"]).exists()
            book = services.book_import_open_library(work_key=fields["open_library_key"])
            return Response(
                BookSerializer(book).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
            )
        book = services.book_create(
            title=fields["title"],
            subtitle=fields.get("subtitle", ""),
            authors=fields["authors"],
            page_count=fields["page_count"],
            published_date=fields.get("published_date", ""),
            publisher=fields.get("publisher", ""),
            isbn=fields.get("isbn", ""),
            description_text=fields.get("description", ""),
        )
        return Response(BookSerializer(book).data, status=status.HTTP_201_CREATED)
