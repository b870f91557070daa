"""The shelves' API shapes."""

from rest_framework import serializers

from books.shelves.models import ImportCheck, Shelf, ShelfEntry, ShelfImport


class ShelfEntrySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="book.title", read_only=True)
    authors = serializers.ListField(child=serializers.CharField(), source="book.authors", read_only=True)

    class Meta:
        model = ShelfEntry
        fields = [
            "id",
            "book",
            "title",
            "authors",
            "shelf",
            "started_on",
            "finished_on",
            "rating",
            "added_at",
            "updated_at",
        ]
        read_only_fields = fields


class ShelfPutSerializer(serializers.Serializer):
    book = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The book's id.")
    shelf = serializers.ChoiceField(choices=Shelf.choices)


class ShelfEntryUpdateSerializer(serializers.Serializer):
    shelf = serializers.ChoiceField(choices=Shelf.choices)
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    finished_on = serializers.DateField(required=False, allow_null=True, default=None)
    rating = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=5)


class SkippedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    title = serializers.CharField()
    reason = serializers.CharField()


class ShelfImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    skipped = SkippedRowSerializer(many=True, read_only=True)

    class Meta:
        model = ShelfImport
        fields = [
            "id", "source", "file_name", "status", "total_rows", "processed_rows", "percent", "added_count",
            "updated_count", "unchanged_count", "check_count", "skipped", "error", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A Goodreads or StoryGraph CSV export, up to 5 MB.")


class ImportCheckSerializer(serializers.ModelSerializer):
    candidates = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ImportCheck
        fields = [
            "id",
            "shelf_import",
            "line",
            "title",
            "authors",
            "isbn_13",
            "isbn_10",
            "shelf",
            "reason",
            "candidates",
            "status",
            "book",
        ]
        read_only_fields = fields


class CheckDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            ("book", "This book"),
            ("create", "Add a new book from the row"),
            ("dismiss", "Leave it out"),
        ]
    )
    book = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="With `action: book`."
    )

    def validate(self, data):
        if data["action"] == "book" and not data.get("book"):
            raise serializers.ValidationError({"book": ["Give the book's id."]})
        return data
