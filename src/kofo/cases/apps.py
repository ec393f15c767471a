from __future__ import annotations

from typing import Any

from django.apps import AppConfig

GARNISHMENT_LINK_REASON = (
    "Der Schuldner hat eine laufende Pfändung; eine Zuordnung zu ihm wird nie automatisch vorgenommen – "
    "bitte prüfen, ob es dieselbe Person ist."
)


def running_garnishment_guard(debtor: Any) -> str | None:
    """Issue 3: a link that would join a debtor with open garnishments is never automatic."""
    from kofo.cases.models import Measure, MeasureKind, MeasureStatus

    garnishing = Measure.objects.filter(
        case__debtor=debtor,
        kind__in=(MeasureKind.PFEV_BANK, MeasureKind.PFEV_LOHN, MeasureKind.PFEV_RENTE),
        status=MeasureStatus.ACTIVE,
    )
    return GARNISHMENT_LINK_REASON if garnishing.exists() else None


class CasesConfig(AppConfig):
    name = "kofo.cases"
    label = "cases"
    verbose_name = "Schuldnerakten und Forderungen"

    def ready(self) -> None:
        from kofo.debtors.actions import AUTO_LINK_GUARDS

        if running_garnishment_guard not in AUTO_LINK_GUARDS:
            AUTO_LINK_GUARDS.append(running_garnishment_guard)
