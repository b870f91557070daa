import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_meeting_timezone"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="own_edition_percent",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)]
            ),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("own_edition_percent__isnull", True), ("own_edition_percent__lte", 100), _connector="OR"
                ),
                name="attendance_own_edition_percent_range",
            ),
        ),
    ]
