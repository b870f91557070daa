from django.db import migrations
from django.db.models.functions import Lower


def lowercase_emails(apps, schema_editor):
    """User.save() now stores addresses in lower case; earlier accounts made outside allauth (admin,
    createsuperuser) may hold capitals. The unique constraint is on Lower(email), so nothing collides."""
    User = apps.get_model("social", "User")
    User.objects.exclude(email="").exclude(email=Lower("email")).update(email=Lower("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0002_user_avatar_user_deleted_at_user_email_muted_kinds_and_more"),
    ]

    operations = [
        migrations.RunPython(lowercase_emails, migrations.RunPython.noop, elidable=True),
    ]
