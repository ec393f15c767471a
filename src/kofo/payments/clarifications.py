"""Klärungsfälle: the caseworker assigns, splits or returns money the import could not assign.

The money waits on the suspense account (Verwahrkonto) from the day it arrived; assigning a part books it
from there through the normal allocation (:func:`do_record_payment` with suspense funding), returning it
moves it to the refund liability and queues a refund for the next transfer run. A debit nobody can explain
(an unknown charge) is booked as the office's expense with a note. Every step is an audited action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import Case
from kofo.ledger.accounts import office_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.models import AccountKind
from kofo.money import Cents
from kofo.payments.actions import do_record_payment
from kofo.payments.models import (
    Clarification,
    ClarificationStatus,
    Funding,
    Payment,
    PaymentSource,
    Refund,
    RefundStatus,
)


@dataclass(frozen=True)
class Part:
    """One part of a Klärungsfall for one debtor file (optionally naming Kassenzeichen)."""

    case: Case
    amount: Cents
    designation: Sequence[str] = field(default_factory=tuple)


def _locked(clarification: Clarification) -> Clarification:
    locked = Clarification.objects.select_for_update().select_related("entry").get(pk=clarification.pk)
    if locked.status != ClarificationStatus.OPEN or locked.open_cents <= 0:
        raise ValidationError("Der Klärungsfall ist bereits erledigt.", code="clarification.closed")
    return locked


def _finish(clarification: Clarification, status: str, actor: Actor, note: str = "") -> None:
    if clarification.open_cents == 0:
        clarification.status = status
        clarification.resolved_on = timezone.localdate()
        clarification.resolved_by = actor_name(actor)
    if note:
        clarification.note = note[:500]
    clarification.save(update_fields=["open_cents", "status", "resolved_on", "resolved_by", "note"])


@action
def do_assign_clarification(
    clarification: Clarification, *, parts: Sequence[Part], actor: Actor, note: str = ""
) -> list[Payment]:
    """Assign the money (or parts of it) to debtor files; each part is allocated like any payment."""
    clarification = _locked(clarification)
    entry = clarification.entry
    if not entry.credit:
        raise ValidationError(
            "Eine Belastung kann keiner Akte als Zahlung zugeordnet werden.", code="clarification.not_credit"
        )
    if not parts or any(part.amount <= 0 for part in parts):
        raise ValidationError("Jeder Teilbetrag muss größer als 0 sein.", code="clarification.amount")
    total = sum((part.amount for part in parts), Cents(0))
    if total > clarification.open_cents:
        raise ValidationError(
            "Zugeordnet werden sollen %(total)s, offen sind nur %(open)s.",
            code="clarification.too_much",
            params={"total": total, "open": Cents(clarification.open_cents)},
        )
    payments = [
        do_record_payment(
            part.case, amount=part.amount, received_on=entry.value_date, source=PaymentSource.DEBTOR, actor=actor,
            payer=entry.payer_name, reference=entry.remittance[:300], designation=part.designation,
            funding=Funding.SUSPENSE, bank_entry=entry, payer_iban=entry.payer_iban,
        )
        for part in parts
    ]  # fmt: skip
    clarification.open_cents -= int(total)
    if entry.case_id is None and len({part.case.pk for part in parts}) == 1:
        entry.case = parts[0].case
        entry.match_rule = "manual"
        entry.save(update_fields=["case", "match_rule"])
    _finish(clarification, ClarificationStatus.ASSIGNED, actor, note)
    record_event(
        actor=actor, action="payments.assign_clarification", obj=clarification,
        summary={"parts": [[part.case.number, int(part.amount), list(part.designation)] for part in parts],
                 "open_cents": clarification.open_cents, "note": note},
    )  # fmt: skip
    return payments


def _checked_iban(iban: str) -> str:
    try:
        return str(IBAN(iban).compact)
    except SchwiftyException as exc:
        raise ValidationError(
            "Die IBAN %(iban)s ist ungültig.", code="refund.iban", params={"iban": iban}
        ) from exc


@action
def do_return_clarification(
    clarification: Clarification,
    *,
    actor: Actor,
    amount: Cents | None = None,
    name: str = "",
    iban: str = "",
    reason: str = "",
) -> Refund:
    """Send the money (or the rest) back to the payer: a refund liability, paid by the next transfer run."""
    clarification = _locked(clarification)
    entry = clarification.entry
    if not entry.credit:
        raise ValidationError("Eine Belastung kann nicht erstattet werden.", code="clarification.not_credit")
    amount = Cents(clarification.open_cents) if amount is None else amount
    if amount <= 0 or amount > clarification.open_cents:
        raise ValidationError(
            "Der Erstattungsbetrag muss zwischen 0,01 EUR und %(open)s liegen.",
            code="clarification.amount",
            params={"open": Cents(clarification.open_cents)},
        )
    target_iban = _checked_iban(iban or entry.payer_iban) if (iban or entry.payer_iban) else ""
    if not target_iban:
        raise ValidationError("Für die Erstattung fehlt die IBAN des Einzahlers.", code="refund.iban_missing")
    txn = do_post_transaction(
        [debit(office_account(AccountKind.SUSPENSE), amount), credit(office_account(AccountKind.REFUND_PAYABLE), amount)],
        reason_code="bank.refund_due",
        description=f"Erstattung an {name or entry.payer_name}: {reason or 'nicht für das Amt bestimmt'}"[:300],
        value_date=timezone.localdate(), obj=clarification, actor=actor,
    )  # fmt: skip
    refund = Refund.objects.create(
        clarification=clarification, amount_cents=int(amount), name=(name or entry.payer_name or "Einzahler")[:140],
        iban=target_iban, reason=(reason or "Zahlung nicht für das Amt bestimmt")[:300],
        status=RefundStatus.APPROVED, created_on=timezone.localdate(),
    )  # fmt: skip
    clarification.open_cents -= int(amount)
    _finish(clarification, ClarificationStatus.RETURNED, actor, reason)
    record_event(
        actor=actor, action="payments.return_clarification", obj=clarification,
        summary={"refund": refund.pk, "amount_cents": int(amount), "iban": target_iban, "transaction": txn.pk},
    )  # fmt: skip
    return refund


@action
def do_book_clarification(
    clarification: Clarification, *, note: str, actor: Actor, cash_deposit: bool = False
) -> Clarification:
    """Book an unexplained debit as the office's expense, or a credit as the field service's cash deposit.

    A credit is otherwise assigned or returned, never booked away; the one exception is the field
    officer paying the cash of his receipts into the bank (``cash_deposit``): it settles the cash account.
    """
    clarification = _locked(clarification)
    entry = clarification.entry
    if entry.credit and not cash_deposit:
        raise ValidationError(
            "Eine Gutschrift wird zugeordnet oder erstattet, nicht ausgebucht.", code="clarification.credit"
        )
    if cash_deposit and not entry.credit:
        raise ValidationError("Eine Bareinzahlung ist eine Gutschrift.", code="clarification.not_credit")
    if not note.strip():
        raise ValidationError("Bitte den Grund der Ausbuchung angeben.", code="clarification.note")
    amount = Cents(clarification.open_cents)
    suspense = office_account(AccountKind.SUSPENSE)
    if cash_deposit:
        lines = [debit(suspense, amount), credit(office_account(AccountKind.CASH), amount)]
        reason_code, text = "bank.cash_deposit", f"Bareinzahlung Außendienst: {note}"
    else:
        lines = [debit(office_account(AccountKind.EXPENSE), amount), credit(suspense, amount)]
        reason_code, text = "bank.expense", f"Ausbuchung Klärungsfall {clarification.pk}: {note}"
    do_post_transaction(
        lines, reason_code=reason_code, description=text[:300], value_date=entry.value_date,
        obj=clarification, actor=actor,
    )  # fmt: skip
    clarification.open_cents = 0
    _finish(clarification, ClarificationStatus.BOOKED, actor, note)
    record_event(
        actor=actor, action="payments.book_clarification", obj=clarification,
        summary={"amount_cents": int(amount), "note": note, "cash_deposit": cash_deposit},
    )  # fmt: skip
    return clarification


@action
def do_approve_refund(refund: Refund, *, actor: Actor, iban: str = "", name: str = "") -> Refund:
    """Release a proposed refund (an overpayment) for the next transfer run, with the payer's account."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != RefundStatus.PROPOSED:
        raise ValidationError("Die Erstattung ist nicht mehr offen.", code="refund.not_proposed")
    refund.iban = _checked_iban(iban or refund.iban) if (iban or refund.iban) else ""
    if not refund.iban:
        raise ValidationError("Für die Erstattung fehlt die IBAN.", code="refund.iban_missing")
    refund.name = (name or refund.name)[:140]
    refund.status = RefundStatus.APPROVED
    refund.save(update_fields=["iban", "name", "status"])
    record_event(
        actor=actor, action="payments.approve_refund", obj=refund,
        summary={"amount_cents": refund.amount_cents, "iban": refund.iban},
    )  # fmt: skip
    return refund


def aged(clarifications: Sequence[Clarification], on: dt.date) -> dict[str, int]:
    """Open amounts by age band (days since arrival), for the suspense account's ageing."""
    bands = {"bis 7 Tage": 0, "8–30 Tage": 0, "31–90 Tage": 0, "über 90 Tage": 0}
    for clarification in clarifications:
        days = (on - clarification.created_on).days
        band = (
            "bis 7 Tage"
            if days <= 7
            else "8–30 Tage"
            if days <= 30
            else "31–90 Tage"
            if days <= 90
            else "über 90 Tage"
        )
        bands[band] += clarification.open_cents
    return bands
