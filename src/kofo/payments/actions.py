"""Recording a payment for a debtor file: allocation by law and policy, one balanced ledger transaction.

The order comes from :func:`kofo.law.allocation.allocate_payment`: the debtor's designation first (a
voluntary payment naming a Kassenzeichen), proceeds of enforcement with the office's own costs first, then
§ 225 Abs. 2 AO (§§ 366, 367 BGB for private-law claims), across creditors oldest due first or pro rata
(``KOFO_ALLOCATION_POLICY``). The ledger transaction: the bank account receives the amount; each receivable
paid is credited; what belongs to a partner moves from its handed-over claims to its payable (Auskehrung);
an overpayment becomes a refund liability. Partner payables and fee income therefore always follow from
postings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError

from kofo.audit.actions import action
from kofo.audit.actors import Actor
from kofo.audit.recording import record_event
from kofo.cases.casefiles import case_claims
from kofo.cases.daily import accrue_surcharges
from kofo.cases.measures import apply_payment_to_plan
from kofo.cases.models import Case, Claim, ClaimStatus, Measure
from kofo.law.allocation import (
    AllocationRegime,
    AllocationResult,
    ClaimClass,
    OpenItem,
    PaymentKind,
    allocate_payment,
)
from kofo.law.allocation import Component as ItemComponent
from kofo.ledger.accounts import office_account, partner_account, receivable_account
from kofo.ledger.actions import Line, credit, debit, do_post_transaction
from kofo.ledger.balances import component_balances
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents
from kofo.payments.models import Payment, PaymentAllocation, PaymentSource

#: § 225 Abs. 2 AO classes by claim type (fines, coercive fines, taxes; the rest "sonstige").
CLAIM_CLASSES = {
    "bussgeld": "bussgeld",
    "zwangsgeld": "zwangsgeld",
    "grundsteuer": "steuer",
    "gewerbesteuer": "steuer",
    "hundesteuer": "steuer",
}
OFFICE = "office"


def open_items(case: Case) -> tuple[list[OpenItem], dict[str, Claim]]:
    """The open components of the file's claims still enforced, and the office's own fees and costs."""
    items: list[OpenItem] = []
    claims: dict[str, Claim] = {}
    enforced = case_claims(case).filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
    for claim in enforced.select_related("partner", "agreement").order_by("pk"):
        claims[str(claim.pk)] = claim
        due = (
            claim.deferred_until
            if claim.status == ClaimStatus.DEFERRED and claim.deferred_until
            else claim.due_date
        )
        for component, balance in component_balances(claim._meta.label_lower, claim.pk).items():
            if balance > 0:
                items.append(
                    OpenItem(
                        item_id=f"{claim.pk}:{component}",
                        claim_id=str(claim.pk),
                        partner_id=claim.partner.key,
                        component=ItemComponent(str(component)),
                        due_on=due,
                        balance=balance,
                        claim_class=ClaimClass(CLAIM_CLASSES.get(claim.claim_type, "sonstige")),
                        regime=AllocationRegime(str(claim.agreement.regime)),
                        kassenzeichen=claim.kassenzeichen,
                    )
                )
    for component, balance in component_balances(case._meta.label_lower, case.pk).items():
        if balance > 0:
            items.append(
                OpenItem(
                    item_id=f"{OFFICE}:{component}",
                    claim_id=f"{OFFICE}-{case.pk}",
                    partner_id=OFFICE,
                    component=ItemComponent(str(component)),
                    due_on=case.opened_on,
                    balance=balance,
                    office_own=True,
                )
            )
    return items, claims


def _lines(case: Case, result: AllocationResult, claims: dict[str, Claim], amount: Cents) -> list[Line]:
    lines: list[Line] = [debit(office_account(AccountKind.BANK), amount)]
    to_partner: dict[int, Cents] = {}
    for allocation in result.allocations:
        owner, _, component = allocation.item_id.partition(":")
        if owner == OFFICE:
            lines.append(
                credit(receivable_account(None, case, Component(component), case.number), allocation.amount)
            )
            continue
        claim = claims[owner]
        lines.append(
            credit(
                receivable_account(claim.partner, claim, Component(component), claim.kassenzeichen),
                allocation.amount,
            )
        )
        to_partner[claim.partner_id] = to_partner.get(claim.partner_id, Cents(0)) + allocation.amount
    partners = {c.partner_id: c.partner for c in claims.values()}
    for partner_id, paid in sorted(to_partner.items()):
        lines.append(debit(partner_account(partners[partner_id], AccountKind.PARTNER_CLAIMS), paid))
        lines.append(credit(partner_account(partners[partner_id], AccountKind.PARTNER_PAYABLE), paid))
    if result.leftover > 0:
        lines.append(credit(office_account(AccountKind.REFUND_PAYABLE), result.leftover))
    return lines


@action
def do_record_payment(
    case: Case,
    *,
    amount: Cents,
    received_on: dt.date,
    source: str,
    actor: Actor,
    measure: Measure | None = None,
    payer: str = "",
    reference: str = "",
    designation: Iterable[str] = (),
) -> Payment:
    """Book a payment for ``case`` and allocate it; settled claims are closed."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if amount <= 0:
        raise ValidationError("Der Betrag muss größer als 0 sein.", code="payment.amount_invalid")
    if source not in PaymentSource.values:
        raise ValidationError(
            "Unbekannte Herkunft der Zahlung: %(s)s", code="payment.source", params={"s": source}
        )
    if measure is not None and measure.case_id != case.pk:
        raise ValidationError("Die Maßnahme gehört zu einer anderen Akte.", code="payment.measure_case")
    named: Sequence[str] = [d for d in designation if d]
    # Säumniszuschläge that arose up to the day of payment belong to what it pays (§ 240 AO): book them
    # first, so a payment in full is not taken for one while surcharges are still unbooked.
    for claim in (
        case_claims(case)
        .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
        .select_related("partner", "debtor_record")
    ):
        accrue_surcharges(claim, received_on, land=getattr(settings, "KOFO_LAND", "SL"), actor=actor)
    items, claims = open_items(case)
    kind = PaymentKind.FREIWILLIG if source == PaymentSource.DEBTOR else PaymentKind.VOLLSTRECKUNG
    result = allocate_payment(
        items,
        amount,
        paid_on=received_on,
        kind=kind,
        designation=named,
        policy=getattr(settings, "KOFO_ALLOCATION_POLICY", "oldest_due_first"),
    )
    txn = do_post_transaction(
        _lines(case, result, claims, amount),
        reason_code="payment.received",
        description=f"Zahlung {case.number}: {reference or payer or PaymentSource(source).label}"[:300],
        value_date=received_on,
        obj=case,
        actor=actor,
    )
    payment = Payment.objects.create(
        case=case,
        amount_cents=int(amount),
        received_on=received_on,
        source=source,
        measure=measure,
        payer=payer[:200],
        reference=reference[:300],
        designation=list(named),
        derivation=list(result.steps),
        leftover_cents=int(result.leftover),
        transaction=txn,
    )
    for allocation in result.allocations:
        owner, _, component = allocation.item_id.partition(":")
        PaymentAllocation.objects.create(
            payment=payment,
            claim=None if owner == OFFICE else claims[owner],
            component=component,
            amount_cents=int(allocation.amount),
        )
    apply_payment_to_plan(case, amount, received_on)
    settled = []
    for claim in claims.values():
        if all(balance == 0 for balance in component_balances(claim._meta.label_lower, claim.pk).values()):
            Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.SETTLED)
            settled.append(claim.kassenzeichen)
    record_event(
        actor=actor,
        action="payments.record_payment",
        obj=case,
        summary={
            "amount_cents": int(amount), "received_on": received_on, "source": source,
            "measure": measure.pk if measure else None, "leftover_cents": int(result.leftover),
            "settled": settled,
        },
    )  # fmt: skip
    return payment
