from django.apps import AppConfig


class BookyConfig(AppConfig):
    name = "booky"
    verbose_name = "Booky"
