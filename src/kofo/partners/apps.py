from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from kofo.partners.access import sync_role_groups

    using = kwargs.get("using", "default")
    # post_migrate of this app runs before later apps' permissions exist: create them all first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups(using=using)


class PartnersConfig(AppConfig):
    name = "kofo.partners"
    label = "partners"
    verbose_name = "Partner und Vereinbarungen"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="kofo.partners.sync_roles")
