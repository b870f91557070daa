"""The shelves over the API: me/shelves/ (mine, to change), users/{username}/shelves/ (as the profile
allows), me/shelf-imports/ (upload, progress) and me/import-checks/ (the "check these" list)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from books.models import Book
from books.shelves import importing, selectors, services
from books.shelves.models import (
    IMPORT_MAX_BYTES,
    MAX_UPLOAD_MESSAGE,
    CheckStatus,
    ImportCheck,
    Shelf,
    ShelfEntry,
    ShelfImport,
)
from books.shelves.serializers import (
    CheckDecisionSerializer,
    ImportCheckSerializer,
    ImportUploadSerializer,
    ShelfEntrySerializer,
    ShelfEntryUpdateSerializer,
    ShelfImportSerializer,
    ShelfPutSerializer,
)
from booky.core.api import error_responses
from booky.core.errors import DomainError, NotFound
from social.models import User

SHELF = OpenApiParameter("shelf", str, enum=Shelf.values, description="Only this shelf.")


def _filtered(queryset, request):
    shelf = request.query_params.get("shelf")
    if shelf is not None:
        if shelf not in Shelf.values:
            raise DomainError("`shelf` is one of want_to_read, reading, read.", code="invalid_shelf")
        queryset = queryset.filter(shelf=shelf)
    return queryset


class MyShelfViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = ShelfEntrySerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShelfEntry.objects.none()
        return _filtered(ShelfEntry.objects.filter(user=self.request.user).for_page(), self.request)

    @extend_schema(
        summary="Your shelves, newest first",
        parameters=[SHELF],
        responses={200: ShelfEntrySerializer(many=True), **error_responses(400, 401)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One book on your shelves", responses={200: ShelfEntrySerializer, **error_responses(401, 404)}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Put a book on one of your shelves (or move it there)",
        description="Moving to `reading` or `read` dates it today unless a date is known; moving off `read` drops the rating.",
        request=ShelfPutSerializer,
        responses={201: ShelfEntrySerializer, **error_responses(400, 401, 404)},
    )
    def create(self, request, *args, **kwargs):
        data = ShelfPutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        book = Book.objects.filter(pk=data.validated_data["book"]).first()
        if book is None:
            raise NotFound("There is no book with this id.")
        entry = services.shelf_put(user=request.user, book=book, shelf=data.validated_data["shelf"])
        return Response(ShelfEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a book's shelf, dates or rating",
        request=ShelfEntryUpdateSerializer,
        responses={200: ShelfEntrySerializer, **error_responses(400, 401, 404)},
    )
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        data = ShelfEntryUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.shelf_entry_update(user=request.user, entry=entry, **data.validated_data)
        return Response(ShelfEntrySerializer(entry).data)

    @extend_schema(summary="Take a book off your shelves", responses={204: None, **error_responses(401, 404)})
    def destroy(self, request, *args, **kwargs):
        entry = self.get_object()
        services.shelf_remove(user=request.user, book=entry.book)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserShelfViewSet(viewsets.GenericViewSet):
    serializer_class = ShelfEntrySerializer
    lookup_value_regex = "[^/]+"
    lookup_url_kwarg = "username"

    def get_queryset(self):
        return ShelfEntry.objects.none()

    @extend_schema(
        summary="A member's shelves, as their profile's visibility allows",
        parameters=[OpenApiParameter("username", str, OpenApiParameter.PATH), SHELF],
        responses={200: ShelfEntrySerializer(many=True), **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], url_path="shelves")
    def shelves(self, request, username=None):
        owner = get_object_or_404(User, username=username)
        if not selectors.can_view_shelves(request.user, owner):
            raise NotFound("No such shelves.")  # as for the profile: hidden members do not exist
        entries = _filtered(ShelfEntry.objects.filter(user=owner).for_page(), request)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ShelfEntrySerializer(page, many=True).data)


class ShelfImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ShelfImportSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShelfImport.objects.none()
        return ShelfImport.objects.filter(user=self.request.user).defer("content")

    @extend_schema(
        summary="Your imports, newest first",
        responses={200: ShelfImportSerializer(many=True), **error_responses(401)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One import: its progress, counts and skipped rows",
        responses={200: ShelfImportSerializer, **error_responses(401, 404)},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a Goodreads or StoryGraph export to import",
        description="Refused (400, nothing imported) when it is over 5 MB or 20,000 rows or not such an export. "
        "The import runs in the background: poll the import for `status` and `percent`.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ShelfImportSerializer, **error_responses(400, 401)},
    )
    def create(self, request, *args, **kwargs):
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise DomainError(MAX_UPLOAD_MESSAGE, code="file_too_large")
        shelf_import = importing.import_start(user=request.user, file_name=upload.name, content=upload.read())
        return Response(ShelfImportSerializer(shelf_import).data, status=status.HTTP_202_ACCEPTED)


class ImportCheckViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportCheckSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportCheck.objects.none()
        return ImportCheck.objects.filter(user=self.request.user, status=CheckStatus.OPEN).prefetch_related(
            "candidates"
        )

    @extend_schema(
        summary="Your imported rows to check by hand",
        responses={200: ImportCheckSerializer(many=True), **error_responses(401)},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Decide a row: this book, a new book from the row, or leave it out",
        request=CheckDecisionSerializer,
        responses={200: ImportCheckSerializer, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        check = get_object_or_404(ImportCheck.objects.filter(user=request.user), pk=pk)
        data = CheckDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action_name = data.validated_data["action"]
        if action_name == "create":
            check = importing.import_check_create_book(user=request.user, check_id=check.pk)
        elif action_name == "dismiss":
            check = importing.import_check_dismiss(user=request.user, check_id=check.pk)
        else:
            book = Book.objects.filter(pk=data.validated_data["book"]).first()
            if book is None:
                raise NotFound("There is no book with this id.")
            check = importing.import_check_resolve(user=request.user, check_id=check.pk, book=book)
        return Response(ImportCheckSerializer(check).data)
