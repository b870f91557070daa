from django.apps import AppConfig


class BookyConfig(AppConfig):
    name = "booky"
    verbose_name = "Booky"

    def ready(self):
        from booky.core import data_version

        data_version.install()
