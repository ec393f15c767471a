from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kofo.audit"
    label = "audit"
    verbose_name = "Prüfpfad"
