"""Tenancy for claims: a partner sees only its own claims, even inside a debtor file spanning partners."""

from __future__ import annotations

from typing import Any

from kofo.cases.models import Claim
from kofo.partners.access import Principal, restrict


def access_claims(principal: Principal) -> Any:
    return restrict(Claim.objects.select_related("partner", "debtor_record"), principal)
