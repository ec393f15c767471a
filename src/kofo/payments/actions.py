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
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max

from kofo.audit.actions import action
from kofo.audit.actors import Actor
from kofo.audit.recording import record_event
from kofo.cases.casefiles import case_claims
from kofo.cases.daily import accrue_surcharges, correct_surcharges
from kofo.cases.measures import apply_payment_to_plan
from kofo.cases.models import (
    Case,
    Claim,
    ClaimStatus,
    InstalmentPlan,
    InstalmentPlanStatus,
    InstalmentStatus,
    Measure,
    SurchargeAccrual,
)
from kofo.cases.openitems import OFFICE, items_of
from kofo.law.allocation import (
    AllocationResult,
    OpenItem,
    PaymentKind,
    allocate_payment,
)
from kofo.ledger.accounts import office_account, partner_account, receivable_account
from kofo.ledger.actions import Line, credit, debit, do_post_transaction, do_reverse_transaction
from kofo.ledger.balances import component_balances, subjects_balances
from kofo.ledger.models import Account, AccountKind, Component
from kofo.money import Cents
from kofo.partners.models import Partner
from kofo.payments.models import (
    BankEntry,
    Funding,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentSource,
    Refund,
    RefundStatus,
    ReversalKind,
)


def open_items(case: Case) -> tuple[list[OpenItem], dict[str, Claim]]:
    """The open components of the file's claims still enforced, and the office's own fees and costs."""
    enforced = list(
        case_claims(case)
        .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
        .select_related("partner", "agreement")
    )
    by_claim = (
        subjects_balances(Claim._meta.label_lower, [claim.pk for claim in enforced]) if enforced else {}
    )
    balances = {pk: {str(c): b for c, b in amounts.items()} for pk, amounts in by_claim.items()}
    own = {str(c): b for c, b in component_balances(case._meta.label_lower, case.pk).items()}
    return items_of(case, enforced, balances, own)


FUNDING_ACCOUNTS = {
    Funding.BANK: AccountKind.BANK,
    Funding.SUSPENSE: AccountKind.SUSPENSE,
    Funding.CASH: AccountKind.CASH,
}


AccountResolver = Callable[[Partner | None, models.Model, Component, str], Account]


def _lines(
    case: Case,
    result: AllocationResult,
    claims: dict[str, Claim],
    amount: Cents,
    funding: str,
    receivable: AccountResolver = receivable_account,
    partner_of: Callable[[Partner, AccountKind], Account] = partner_account,
    office: Callable[[AccountKind], Account] = office_account,
) -> list[Line]:
    lines: list[Line] = [debit(office(FUNDING_ACCOUNTS[Funding(funding)]), amount)]
    to_partner: dict[int, Cents] = {}
    for allocation in result.allocations:
        owner, _, component = allocation.item_id.partition(":")
        if owner == OFFICE:
            lines.append(credit(receivable(None, case, Component(component), case.number), allocation.amount))
            continue
        claim = claims[owner]
        lines.append(
            credit(
                receivable(claim.partner, claim, Component(component), claim.kassenzeichen),
                allocation.amount,
            )
        )
        to_partner[claim.partner_id] = to_partner.get(claim.partner_id, Cents(0)) + allocation.amount
    partners = {c.partner_id: c.partner for c in claims.values()}
    for partner_id, paid in sorted(to_partner.items()):
        lines.append(debit(partner_of(partners[partner_id], AccountKind.PARTNER_CLAIMS), paid))
        lines.append(credit(partner_of(partners[partner_id], AccountKind.PARTNER_PAYABLE), paid))
    if result.leftover > 0:
        lines.append(credit(office(AccountKind.REFUND_PAYABLE), result.leftover))
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
    funding: str = Funding.BANK,
    bank_entry: BankEntry | None = None,
    replaces: Payment | None = None,
    payer_iban: str = "",
) -> Payment:
    """Book a payment for ``case`` and allocate it; settled claims are closed.

    ``funding`` names the office account the money is on (bank, suspense for a Klärungsfall, cash); an
    overpayment becomes a refund liability and a refund proposal to the payer.
    """
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
        _lines(case, result, claims, amount, funding),
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
        funding=funding,
        bank_entry=bank_entry,
        replaces=replaces,
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
    if result.leftover > 0:
        Refund.objects.create(
            case=case,
            payment=payment,
            amount_cents=int(result.leftover),
            name=(payer or (bank_entry.payer_name if bank_entry else ""))[:140] or "Einzahler",
            iban=payer_iban or (bank_entry.payer_iban if bank_entry else ""),
            reason=f"Überzahlung {case.number}",
            created_on=received_on,
        )
    after = (
        subjects_balances(Claim._meta.label_lower, [claim.pk for claim in claims.values()]) if claims else {}
    )
    paid_off = [claim for claim in claims.values() if all(amount == 0 for amount in after[claim.pk].values())]
    if paid_off:
        Claim.objects.filter(pk__in=[claim.pk for claim in paid_off]).update(status=ClaimStatus.SETTLED)
    settled = [claim.kassenzeichen for claim in paid_off]
    record_event(
        actor=actor,
        action="payments.record_payment",
        obj=case,
        summary={
            "amount_cents": int(amount), "received_on": received_on, "source": source,
            "measure": measure.pk if measure else None, "leftover_cents": int(result.leftover),
            "settled": settled, "funding": funding, "replaces": replaces.pk if replaces else None,
        },
    )  # fmt: skip
    return payment


def current_payments(case: Case) -> list[Payment]:
    """The file's payments still standing (not reversed), in the order they are allocated."""
    return list(
        Payment.objects.filter(case=case, reversal__isnull=True).order_by("received_on", "created_at", "id")
    )


def _reopen_claims(case: Case) -> None:
    """After a reversal, claims closed as paid that have money open again are enforced again."""
    settled = list(case_claims(case).filter(status=ClaimStatus.SETTLED).values_list("pk", flat=True))
    balances = subjects_balances(Claim._meta.label_lower, settled) if settled else {}
    reopened = [
        pk for pk, open_items in balances.items() if any(amount > 0 for amount in open_items.values())
    ]
    if reopened:
        Claim.objects.filter(pk__in=reopened).update(status=ClaimStatus.OPEN)


def _rebuild_instalments(case: Case) -> None:
    """Recompute what the running instalment plan has received from the payments still standing."""
    plan = InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).first()
    if plan is None:
        return
    for instalment in plan.instalments.all():
        instalment.paid_cents = 0
        instalment.paid_on = None
        if instalment.status == InstalmentStatus.PAID:
            instalment.status = InstalmentStatus.OPEN
        instalment.save(update_fields=["paid_cents", "status", "paid_on"])
    for payment in current_payments(case):
        if payment.received_on >= plan.agreed_on:
            apply_payment_to_plan(case, Cents(payment.amount_cents), payment.received_on)


def _correct_surcharges(case: Case, until: dt.date, reason: str, actor: Actor) -> None:
    land = getattr(settings, "KOFO_LAND", "SL")
    for claim in case_claims(case).filter(
        status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED, ClaimStatus.SETTLED)
    ):
        correct_surcharges(claim, until, land=land, reason=reason, actor=actor)


def _take_back(
    payment: Payment, *, kind: str, reason: str, on: dt.date, entry: BankEntry | None, actor: Actor
) -> None:
    txn = do_reverse_transaction(payment.transaction, reason=reason, actor=actor, value_date=on)
    PaymentReversal.objects.create(
        payment=payment, kind=kind, reason=reason[:300], on=on, transaction=txn, bank_entry=entry
    )
    Refund.objects.filter(payment=payment, status__in=(RefundStatus.PROPOSED, RefundStatus.APPROVED)).update(
        status=RefundStatus.CANCELLED
    )


@action
def do_reverse_payment(
    payment: Payment,
    *,
    on: dt.date,
    reason: str,
    actor: Actor,
    kind: str = ReversalKind.RETURNED,
    bank_entry: BankEntry | None = None,
) -> list[Payment]:
    """Take a payment back (returned direct debit, the bank's reversal) and re-allocate every later one.

    The allocation of a later payment depended on what this one had paid (§ 225 AO takes the oldest open
    items first), so every payment of the file received on or after it (or recorded after it) is reversed
    too and recorded again, in the order of receipt, as if the returned payment had never been made: for
    payments recorded in the order they were received, the result equals recording only the payments that
    stand. Returns the new payments.
    """
    case = Case.objects.select_for_update(no_key=True).get(pk=payment.case_id)
    payment = Payment.objects.get(pk=payment.pk)
    if PaymentReversal.objects.filter(payment=payment).exists():
        raise ValidationError(
            "Die Zahlung %(p)s ist bereits zurückgebucht.",
            code="payment.already_reversed",
            params={"p": payment},
        )
    standing = [p for p in current_payments(case) if p.pk != payment.pk]
    # Every payment whose allocation may have seen this one: received on or after it, or recorded after it
    # (a back-dated one); replayed from the earliest of them on, in the order of receipt.
    recorded_after = [
        p.received_on for p in standing if (p.created_at, p.pk) > (payment.created_at, payment.pk)
    ]
    cutoff = min([payment.received_on, *recorded_after])
    later = [p for p in standing if p.received_on >= cutoff]
    for other in reversed(later):
        _take_back(other, kind=ReversalKind.SUPERSEDED, reason=f"Neuverteilung nach Rückbuchung von Zahlung {payment.pk}",
                   on=other.received_on, entry=None, actor=actor)  # fmt: skip
    _take_back(payment, kind=kind, reason=reason, on=on, entry=bank_entry, actor=actor)
    _reopen_claims(case)
    note = f"Zahlung vom {payment.received_on:%d.%m.%Y} zurückgebucht"
    replayed: list[Payment] = []
    for other in later:
        # The months that began up to this payment were booked with the taken-back payments standing.
        _correct_surcharges(case, other.received_on, note, actor)
        replayed.append(
            do_record_payment(
                case, amount=Cents(other.amount_cents), received_on=other.received_on, source=other.source,
                actor=actor, measure=other.measure, payer=other.payer, reference=other.reference,
                designation=other.designation, funding=other.funding, bank_entry=other.bank_entry,
                replaces=other,
            )
        )  # fmt: skip
    last_month = SurchargeAccrual.objects.filter(claim__in=case_claims(case)).aggregate(m=Max("starts_on"))[
        "m"
    ]
    if last_month is not None:
        _correct_surcharges(case, max(last_month, payment.received_on), note, actor)
    _rebuild_instalments(case)
    record_event(
        actor=actor,
        action="payments.reverse_payment",
        obj=case,
        summary={"payment": payment.pk, "kind": kind, "reason": reason, "on": on,
                 "replayed": [[p.replaces_id, p.pk] for p in replayed]},
    )  # fmt: skip
    return replayed
