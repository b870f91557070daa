from django.db import migrations, models

import meetings.zones


def zone_of_the_host(apps, schema_editor):
    """Meetings scheduled before the zone was kept get their creator's zone: the one they typed it in."""
    Meeting = apps.get_model("meetings", "Meeting")
    for meeting in Meeting.objects.filter(timezone="", created_by__isnull=False).select_related("created_by"):
        zone = meeting.created_by.timezone or ""
        if meetings.zones.zone_or_none(zone) is not None:
            Meeting.objects.filter(pk=meeting.pk).update(timezone=zone)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_visible_names"),
        ("social", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="timezone",
            field=models.CharField(
                blank=True, max_length=64, validators=[meetings.zones.validate_timezone_name]
            ),
        ),
        migrations.RunPython(zone_of_the_host, migrations.RunPython.noop, elidable=True),
    ]
