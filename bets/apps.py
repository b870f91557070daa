from django.apps import AppConfig


class BetsConfig(AppConfig):
    name = "bets"
