from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kofo.intake"
    label = "intake"
    verbose_name = "Vollstreckungsersuchen"
