from django.db import models


class Item(models.Model):
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=200)
    pages = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "floor"

    def __str__(self) -> str:
        return self.title
