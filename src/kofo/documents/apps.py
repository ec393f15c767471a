from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "kofo.documents"
    label = "documents"
    verbose_name = "Schriftstücke"
    default_auto_field = "django.db.models.BigAutoField"
