from django.db import migrations, models


def private_clubs_by_invitation(apps, schema_editor):
    """A private club "by approval" took nobody (outsiders cannot see it to ask): it becomes what it
    was in practice, invite-link only. Pending requests stay for its moderators to decide."""
    Club = apps.get_model("clubs", "Club")
    Club.objects.filter(visibility="private", join_policy="approval").update(join_policy="invite")


class Migration(migrations.Migration):
    dependencies = [
        ("clubs", "0003_clubinvitation"),
    ]

    operations = [
        migrations.RunPython(private_clubs_by_invitation, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="club",
            constraint=models.CheckConstraint(
                condition=models.Q(("join_policy", "approval"), ("visibility", "private"), _negated=True),
                name="club_private_not_by_approval",
            ),
        ),
    ]
