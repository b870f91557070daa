from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "booky.site"
    label = "site"
    verbose_name = "Booky site"
