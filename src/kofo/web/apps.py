from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kofo.web"
    label = "web"
    verbose_name = "Oberfläche"
