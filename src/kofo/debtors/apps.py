from django.apps import AppConfig


class DebtorsConfig(AppConfig):
    name = "kofo.debtors"
    label = "debtors"
    verbose_name = "Schuldner"
