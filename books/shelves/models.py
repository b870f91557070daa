"""Members' shelves (want to read, reading, read) and the imports that fill them from other apps.

Imported by books/models.py, so these tables belong to the books app (and its migrations).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

IMPORT_MAX_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_MESSAGE = "The file is larger than 5 MB. Export again, or split it in two."
PROGRESS_EVERY_ROWS = 100  # the import writes its progress this often
PROGRESS_EVERY_SECONDS = 30  # ...or this often, when rows wait on the book sources


class Shelf(models.TextChoices):
    WANT_TO_READ = "want_to_read", "Want to read"
    READING = "reading", "Reading"
    READ = "read", "Read"


class ShelfEntryQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user)

    def on(self, shelf: str):
        return self.filter(shelf=shelf)

    def for_page(self):
        """Newest first as the member sees them: what they finished or added last on top."""
        return self.select_related("book").order_by(
            F("finished_on").desc(nulls_last=True), "-added_at", "-pk"
        )


class ShelfEntry(models.Model):
    """One book on one member's shelves: a book is on at most one of their shelves at a time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelf_entries")
    # CASCADE: a book removed from the catalog leaves no dangling shelf row (merging moves them instead).
    book = models.ForeignKey("books.Book", on_delete=models.CASCADE, related_name="shelf_entries")
    shelf = models.CharField(max_length=16, choices=Shelf)
    started_on = models.DateField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShelfEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name_plural = "shelf entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "book"], name="shelf_entry_one_per_book"),
            models.CheckConstraint(condition=Q(shelf__in=Shelf.values), name="shelf_entry_shelf_valid"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="shelf_entry_rating_range",
            ),
            # A rating comes after reading.
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(shelf=Shelf.READ), name="shelf_entry_rating_when_read"
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(finished_on__isnull=True)
                | Q(finished_on__gte=F("started_on")),
                name="shelf_entry_finished_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "shelf", "-added_at"], name="shelf_entry_user_shelf")]

    def __str__(self) -> str:
        return f"{self.book} on {self.get_shelf_display()}"


class ImportSource(models.TextChoices):
    GOODREADS = "goodreads", "Goodreads"
    STORYGRAPH = "storygraph", "StoryGraph"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ShelfImport(models.Model):
    """One uploaded export file and what became of each of its rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelf_imports")
    source = models.CharField(max_length=16, choices=ImportSource, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    # The file itself, kept until the task has read it (then emptied).
    content = models.BinaryField(default=b"", editable=False)
    status = models.CharField(max_length=10, choices=ImportStatus, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    added_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    check_count = models.PositiveIntegerField(default=0)
    # [{"line": 12, "title": "…", "reason": "…"}, …]: every row left out, and why.
    skipped = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with each progress save: a running import whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times a worker started it (a lost worker's import is queued again, a few times).
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="shelf_import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")), name="shelf_import_progress_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name or 'Import'} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)


class CheckStatus(models.TextChoices):
    OPEN = "open", "To check"
    RESOLVED = "resolved", "Added"
    DISMISSED = "dismissed", "Left out"


class ImportCheck(models.Model):
    """A row the import could not match for certain: the member picks the book, creates it, or leaves it out.

    One per member and source row (source_key), so importing the same file again adds no second one.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_checks")
    shelf_import = models.ForeignKey(ShelfImport, on_delete=models.CASCADE, related_name="checks")
    source_key = models.CharField(max_length=400)
    line = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    authors = models.JSONField(default=list, blank=True)
    isbn_13 = models.CharField(max_length=13, blank=True)
    isbn_10 = models.CharField(max_length=10, blank=True)
    shelf = models.CharField(max_length=16, choices=Shelf)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    added_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    candidates = models.ManyToManyField("books.Book", blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=CheckStatus, default=CheckStatus.OPEN)
    book = models.ForeignKey("books.Book", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["line", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "source_key"], name="import_check_one_per_row"),
            models.CheckConstraint(
                condition=Q(status__in=CheckStatus.values), name="import_check_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Line {self.line}: {self.title}"

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors) if isinstance(self.authors, list) else ""
