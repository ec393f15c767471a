from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kofo.demo"
    label = "demo"
    verbose_name = "Demo"
