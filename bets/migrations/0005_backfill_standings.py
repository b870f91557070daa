from django.db import migrations

from bets.standings import standings_rebuild


def backfill(apps, schema_editor):
    standings_rebuild(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("bets", "0004_standings")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
