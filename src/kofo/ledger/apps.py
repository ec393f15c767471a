from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kofo.ledger"
    label = "ledger"
    verbose_name = "Hauptbuch"
