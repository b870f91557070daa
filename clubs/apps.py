from django.apps import AppConfig

from social import events


class ClubsConfig(AppConfig):
    name = "clubs"

    def ready(self):
        # Deferred to ready(): clubs.receivers imports models, which cannot load before the app
        # registry is ready (Django's documented place to connect signals), not a cycle workaround.
        from clubs import receivers

        events.friendship_ended.connect(
            receivers.withdraw_club_invitations_on_unfriend, dispatch_uid="clubs.unfriend"
        )
        events.user_blocked.connect(receivers.withdraw_club_invitations_on_block, dispatch_uid="clubs.block")
