from django.apps import AppConfig


class BetsConfig(AppConfig):
    name = "bets"
    verbose_name = "Points and bets"

    def ready(self):
        from bets import receivers

        receivers.connect()
