"""Tenancy for enforcement requests: a partner sees only its own submissions."""

from __future__ import annotations

from typing import Any

from kofo.intake.models import ImportBatch
from kofo.partners.access import Principal, restrict


def access_import_batches(principal: Principal) -> Any:
    return restrict(ImportBatch.objects.select_related("partner"), principal)
