from django.apps import AppConfig


class BetsConfig(AppConfig):
    name = "bets"
    verbose_name = "Points and bets"

    def ready(self):
        # Here, not at the top: receivers imports models, which load only once the app registry is ready.
        from bets import receivers

        receivers.connect()
        receivers.connect_club_events()
