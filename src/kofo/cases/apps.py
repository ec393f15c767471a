from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "kofo.cases"
    label = "cases"
    verbose_name = "Schuldnerakten und Forderungen"
