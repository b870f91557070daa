"""The "Moderators" group: exactly what Booky's site moderators do in the admin, so making someone a
moderator is "staff + this group", never a superuser.

- look people up (social.view_user: their page shows balance, ledger, clubs and bets; no change_user,
  which would let a moderator hand out staff or superuser rights);
- moderate clubs (clubs.change_club is what the services read as "site moderator": roles, removals,
  join requests, invite links), remove a club (delete_club), see memberships and requests;
- edit, cancel and complete meetings (meetings.change_meeting), see attendances and progress;
- read every balance, ledger row and bet, and adjust points with a reason (bets.add_ledgerentry);
- fix and merge duplicate books (books.change_book, delete_book: a merge deletes the duplicates).

It lives in social (users and groups are social's) but names the other apps' permissions, so it runs
after their latest migrations and creates their permission rows first (Django adds them only after
every migration, at post_migrate, which a fresh database has not reached yet).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = {
    "social": ["view_user"],
    "clubs": [
        "view_club",
        "change_club",
        "delete_club",
        "view_membership",
        "delete_membership",
        "view_joinrequest",
    ],
    "meetings": ["view_meeting", "change_meeting", "view_attendance", "view_progressentry"],
    "bets": ["view_account", "view_ledgerentry", "add_ledgerentry", "view_bet"],
    "books": ["view_book", "change_book", "delete_book"],
}


def create_moderators(apps, schema_editor):
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips app configs without models
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    wanted = [
        Permission.objects.using(schema_editor.connection.alias).get(
            content_type__app_label=label, codename=codename
        )
        for label, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(wanted)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0006_notification_kinds_for_moderation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clubs", "0005_visible_names"),
        ("meetings", "0003_visible_names"),
        ("bets", "0005_backfill_standings"),
        ("books", "0004_search_columns"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
