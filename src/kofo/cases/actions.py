"""Changes a partner reports for a claim it handed over (issue 3, item 4).

Each change is an action with an audit event; every change of an amount is a ledger transaction between
the claim's receivables and the partner's counter-account, so balances always follow from postings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from kofo.audit.actions import action
from kofo.audit.actors import Actor
from kofo.audit.recording import record_event
from kofo.cases.models import CLOSED_STATUSES, Claim, ClaimStatus
from kofo.cases.openitems import items_of
from kofo.law.allocation import PaymentKind, allocate_payment
from kofo.ledger.accounts import partner_account, receivable_account
from kofo.ledger.actions import Line, credit, debit, do_post_transaction
from kofo.ledger.balances import component_balances
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents


def open_components(claim: Claim) -> dict[Component, Cents]:
    return component_balances(claim._meta.label_lower, claim.pk)


def _ensure_open(claim: Claim) -> None:
    if claim.status in CLOSED_STATUSES:
        raise ValidationError(
            "Die Forderung %(kz)s ist bereits %(status)s; eine Änderung ist nicht mehr möglich.",
            code="claim.closed",
            params={"kz": claim.kassenzeichen, "status": claim.get_status_display()},
        )


def take_out(
    claim: Claim,
    amounts: dict[Component, Cents],
    *,
    reason_code: str,
    description: str,
    value_date: dt.date,
    actor: Actor,
) -> None:
    """Credit the claim's receivables by ``amounts`` against the partner's counter-account."""
    total = sum(amounts.values(), Cents(0))
    lines: list[Line] = [
        credit(receivable_account(claim.partner, claim, component, claim.kassenzeichen), amount)
        for component, amount in amounts.items()
        if amount
    ]
    lines.append(debit(partner_account(claim.partner, AccountKind.PARTNER_CLAIMS), total))
    do_post_transaction(
        lines,
        reason_code=reason_code,
        description=description,
        value_date=value_date,
        obj=claim,
        partner=claim.partner,
        actor=actor,
    )


def _close_if_settled(claim: Claim, status: ClaimStatus) -> None:
    if all(amount == 0 for amount in open_components(claim).values()):
        claim.status = status
        claim.save(update_fields=["status"])


def _take_out_part(
    claim: Claim,
    amount: Cents,
    component: Component,
    *,
    label: str,
    reason_code: str,
    status: ClaimStatus,
    reason: str,
    actor: Actor,
    summary: dict[str, Any],
) -> Claim:
    """Take ``amount`` of ``component`` out of the books (a part Absetzung or Erlass); a claim left with nothing
    open gets ``status``."""
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    _ensure_open(claim)
    open_amount = open_components(claim)[component]
    if amount <= 0 or amount > open_amount:
        raise ValidationError(
            "%(label)s von %(amount)s nicht möglich: offen sind %(open)s (%(component)s).",
            code=f"{reason_code}_invalid",
            params={"label": label, "amount": amount, "open": open_amount, "component": component.label},
        )
    take_out(
        claim,
        {component: amount},
        reason_code=reason_code,
        description=f"{label} {claim.kassenzeichen}: {reason}",
        value_date=timezone.localdate(),
        actor=actor,
    )
    _close_if_settled(claim, status)
    record_event(
        actor=actor,
        action=summary.pop("action"),
        obj=claim,
        partner=claim.partner,
        summary={**summary, "reason": reason},
    )
    return claim


@action
def do_reduce_claim(
    claim: Claim, *, amount: Cents, reason: str, actor: Actor, component: Component = Component.PRINCIPAL
) -> Claim:
    """Absetzung: the partner lowers the claim (e.g. the assessment was reduced)."""
    return _take_out_part(
        claim, amount, component, label="Absetzung", reason_code="claim.reduction", status=ClaimStatus.CANCELLED,
        reason=reason, actor=actor,
        summary={"action": "cases.reduce_claim", "amount_cents": int(amount), "component": component},
    )  # fmt: skip


def _take_out_everything(
    claim: Claim, *, status: ClaimStatus, reason_code: str, label: str, reason: str, actor: Actor
) -> Claim:
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    _ensure_open(claim)
    amounts = {c: a for c, a in open_components(claim).items() if a}
    if amounts:
        take_out(
            claim,
            amounts,
            reason_code=reason_code,
            description=f"{label} {claim.kassenzeichen}: {reason}",
            value_date=timezone.localdate(),
            actor=actor,
        )
    claim.status = status
    claim.save(update_fields=["status"])
    record_event(
        actor=actor,
        action=f"cases.{reason_code.split('.')[1]}_claim",
        obj=claim,
        partner=claim.partner,
        summary={"reason": reason, "amounts_cents": {str(c): int(a) for c, a in amounts.items()}},
    )
    return claim


@action
def do_cancel_claim(claim: Claim, *, reason: str, actor: Actor) -> Claim:
    """Absetzung of the whole claim: everything still open is taken out of the books."""
    return _take_out_everything(
        claim,
        status=ClaimStatus.CANCELLED,
        reason_code="claim.cancel",
        label="Absetzung",
        reason=reason,
        actor=actor,
    )


@action
def do_remit_claim(
    claim: Claim,
    *,
    reason: str,
    actor: Actor,
    amount: Cents | None = None,
    component: Component = Component.PRINCIPAL,
) -> Claim:
    """Erlass (§ 227 AO): the creditor remits the claim, wholly or in part, and so extinguishes it (LAW.md
    "Instalments, deferral, suspension"). Without ``amount`` everything still open is remitted; a part
    remits ``amount`` of ``component``. Booked like an Absetzung (the receivable against the partner's
    counter-account) but as its own kind, so reports tell a remission from a corrected assessment; a claim
    remitted to nothing is ``erlassen`` and no longer enforced."""
    if amount is None:
        return _take_out_everything(
            claim,
            status=ClaimStatus.REMITTED,
            reason_code="claim.remission",
            label="Erlass (§ 227 AO)",
            reason=reason,
            actor=actor,
        )
    return _take_out_part(
        claim, amount, component, label="Erlass (§ 227 AO)", reason_code="claim.remission",
        status=ClaimStatus.REMITTED, reason=reason, actor=actor,
        summary={"action": "cases.remission_claim", "amounts_cents": {str(component): int(amount)}, "part": True},
    )  # fmt: skip


@action
def do_withdraw_claim(claim: Claim, *, reason: str, actor: Actor) -> Claim:
    """Rücknahme: the partner withdraws its request; the claim goes back to the partner."""
    return _take_out_everything(
        claim,
        status=ClaimStatus.WITHDRAWN,
        reason_code="claim.withdraw",
        label="Rücknahme",
        reason=reason,
        actor=actor,
    )


@action
def do_defer_claim(claim: Claim, *, until: dt.date, reason: str, actor: Actor) -> Claim:
    """Stundung (§ 222 AO) granted by the creditor until ``until``: enforcement stops, the due date moves.

    A deferral changes no amount, so it has no ledger transaction; it is recorded in the audit trail.
    """
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    _ensure_open(claim)
    if until <= timezone.localdate():
        raise ValidationError("Eine Stundung muss in der Zukunft enden.", code="claim.deferral_in_past")
    before = claim.deferred_until
    claim.status = ClaimStatus.DEFERRED
    claim.deferred_until = until
    claim.save(update_fields=["status", "deferred_until"])
    record_event(
        actor=actor,
        action="cases.defer_claim",
        obj=claim,
        partner=claim.partner,
        summary={"until": until, "before": before, "reason": reason},
    )
    return claim


@action
def do_record_direct_payment(
    claim: Claim, *, amount: Cents, paid_on: dt.date, actor: Actor, reason: str = ""
) -> Claim:
    """A payment the partner received itself: it lowers the claim, allocated like a payment to the office
    (:func:`kofo.law.allocation.allocate_payment`, § 225 AO)."""
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    _ensure_open(claim)
    balances = open_components(claim)
    open_total = sum(balances.values(), Cents(0))
    if amount <= 0 or amount > open_total:
        raise ValidationError(
            "Direktzahlung von %(amount)s nicht möglich: offen sind %(open)s. Eine Überzahlung erstattet "
            "der Partner selbst.",
            code="claim.direct_payment_invalid",
            params={"amount": amount, "open": open_total},
        )
    if paid_on > timezone.localdate():
        raise ValidationError("Das Zahlungsdatum liegt in der Zukunft.", code="claim.payment_in_future")
    # The same order as a payment to the office (§ 225 AO; the partner's Kassenzeichen is the designation).
    claim = Claim.objects.select_related("partner", "agreement").get(pk=claim.pk)
    items, _claims = items_of(None, [claim], {claim.pk: {str(c): b for c, b in balances.items()}}, {})
    result = allocate_payment(
        items, amount, paid_on=paid_on, kind=PaymentKind.FREIWILLIG, designation=[claim.kassenzeichen]
    )
    allocation: dict[Component, Cents] = {}
    for share in result.allocations:
        component = Component(share.item_id.partition(":")[2])
        allocation[component] = allocation.get(component, Cents(0)) + share.amount
    take_out(
        claim,
        allocation,
        reason_code="claim.direct_payment",
        description=f"Direktzahlung an den Partner {claim.kassenzeichen}",
        value_date=paid_on,
        actor=actor,
    )
    _close_if_settled(claim, ClaimStatus.SETTLED)
    record_event(
        actor=actor,
        action="cases.record_direct_payment",
        obj=claim,
        partner=claim.partner,
        summary={
            "amount_cents": int(amount),
            "paid_on": paid_on,
            "reason": reason,
            "allocation_cents": {str(c): int(a) for c, a in allocation.items()},
        },
    )
    return claim
