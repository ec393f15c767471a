"""Opening the standard accounts: the office's own, a partner's, and a claim component's receivable."""

from __future__ import annotations

from django.db import models

from kofo.ledger.models import Account, AccountKind, Component
from kofo.partners.models import Partner

OFFICE_ACCOUNTS = {
    AccountKind.BANK: ("1000", "Bankkonto des Amtes"),
    AccountKind.SUSPENSE: ("1900", "Verwahrkonto: nicht zugeordnete Zahlungen (Klärungsfälle)"),
    AccountKind.REFUND_PAYABLE: ("3500", "Erstattungen an Schuldner"),
    AccountKind.FEE_INCOME: ("8000", "Gebühren und Kosten des Amtes"),
    AccountKind.WRITE_OFF: ("6900", "Ausbuchungen"),
    AccountKind.CASH: ("1010", "Kasse des Außendienstes"),
    AccountKind.EXPENSE: ("6800", "Bankentgelte"),
}


def office_account(kind: AccountKind) -> Account:
    code, name = OFFICE_ACCOUNTS[kind]
    account, _ = Account.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    return account


def partner_account(partner: Partner, kind: AccountKind) -> Account:
    if kind == AccountKind.PARTNER_PAYABLE:
        code, name = f"3000-{partner.key}", f"Auskehrung an {partner.name}"
    elif kind == AccountKind.PARTNER_CLAIMS:
        code, name = f"4000-{partner.key}", f"Übernommene Forderungen {partner.name}"
    else:
        raise ValueError(f"{kind} ist keine Partner-Kontoart")
    account, _ = Account.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "partner": partner}
    )
    return account


def receivable_code(subject_type: str, subject_id: object, component: Component | str) -> str:
    """The account number of one component's receivable (``1400-cases.claim-17-principal``)."""
    return f"1400-{subject_type}-{subject_id}-{Component(component).value}"


def receivable_account(
    partner: Partner | None, subject: models.Model, component: Component, label: str = ""
) -> Account:
    """The receivable of one claim component (a sub-account per claim and component)."""
    subject_type = subject._meta.label_lower
    code = receivable_code(subject_type, subject.pk, component)
    name = f"{Component(component).label} {label or subject}"[:200]
    account, _ = Account.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": AccountKind.RECEIVABLE,
            "partner": partner,
            "component": component,
            "subject_type": subject_type,
            "subject_id": str(subject.pk),
        },
    )
    return account
