from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kofo.api"
    label = "kofo_api"
    verbose_name = "Schnittstelle"
