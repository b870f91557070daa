from django.apps import AppConfig


class BetsConfig(AppConfig):
    name = "bets"
    verbose_name = "Points and bets"

    def ready(self):
        # Not a cycle workaround: receivers import models, which cannot load before the app registry is
        # ready, so Django's documented place to import and connect them is here.
        from bets import receivers

        receivers.connect()
        receivers.connect_meeting_events()
        receivers.connect_club_events()
