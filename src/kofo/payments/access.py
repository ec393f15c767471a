"""Tenancy for remittances: a partner sees only its own; office staff all."""

from __future__ import annotations

from typing import Any

from kofo.partners.access import Principal, restrict
from kofo.payments.models import Remittance


def access_remittances(principal: Principal) -> Any:
    return restrict(Remittance.objects.select_related("run", "partner"), principal)
