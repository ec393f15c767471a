"""Posting and reversing ledger transactions: the only writes to the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kofo import limits
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.ledger.errors import AlreadyReversedError, TooFewPostingsError, UnbalancedTransactionError
from kofo.ledger.models import Account, Posting, Transaction, reason_code_validator
from kofo.money import Cents


@dataclass(frozen=True)
class Line:
    """One posting to be made: debit positive, credit negative."""

    account: Account
    amount: Cents


def debit(account: Account, amount: Cents) -> Line:
    return Line(account, amount)


def credit(account: Account, amount: Cents) -> Line:
    return Line(account, -amount)


def _check(lines: Sequence[Line]) -> None:
    nonzero = [line for line in lines if int(line.amount) != 0]
    if len(nonzero) < 2:
        raise TooFewPostingsError(
            "Eine Buchung braucht mindestens zwei Buchungszeilen mit Betrag (Soll und Haben)."
        )
    if len(nonzero) > limits.POSTINGS_PER_TRANSACTION_MAX:
        raise TooFewPostingsError(
            f"Eine Buchung darf höchstens {limits.POSTINGS_PER_TRANSACTION_MAX} Zeilen haben.",
            code="ledger.too_many_postings",
        )
    for line in nonzero:
        if not isinstance(line.amount, Cents):
            raise TypeError("Buchungsbeträge sind Cents.")
    total = sum((line.amount for line in nonzero), Cents(0))
    if total != 0:
        raise UnbalancedTransactionError(
            f"Die Buchung ist nicht ausgeglichen: Soll und Haben unterscheiden sich um {Cents(total)}."
        )


def _only_partner(postings: Sequence[Posting]) -> int | None:
    """The partner of a transaction when all its partner accounts belong to one partner."""
    ids = {p.account.partner_id for p in postings if p.account.partner_id is not None}
    return ids.pop() if len(ids) == 1 else None


def _today() -> dt.date:
    return timezone.localdate()


@action
def do_post_transaction(
    lines: Sequence[Line],
    *,
    reason_code: str,
    description: str,
    value_date: dt.date | None = None,
    booking_date: dt.date | None = None,
    obj: models.Model | None = None,
    actor: Actor,
    partner: object = None,
) -> Transaction:
    """Post a balanced transaction (sum of postings zero, at least two) and audit it."""
    _check(lines)
    booking = booking_date or _today()
    txn = Transaction(
        booking_date=booking,
        value_date=value_date or booking,
        reason_code=reason_code,
        description=description[:300],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        created_by=actor_name(actor),
    )
    # Only the reason code needs checking; full_clean() would add uniqueness queries to every posting.
    try:
        reason_code_validator(reason_code)
    except ValidationError as exc:
        raise ValidationError({"reason_code": exc.error_list}) from exc
    txn.save()
    Posting.objects.bulk_create(
        [
            Posting(transaction=txn, account=line.account, amount_cents=int(line.amount))
            for line in lines
            if line.amount
        ]
    )
    record_event(
        actor=actor,
        action="ledger.post_transaction",
        obj=txn,
        partner=partner,
        summary={
            "reason_code": reason_code,
            "value_date": txn.value_date,
            "postings": [[line.account.code, int(line.amount)] for line in lines if line.amount],
        },
    )
    return txn


@action
def do_reverse_transaction(
    txn: Transaction,
    *,
    reason: str,
    actor: Actor,
    value_date: dt.date | None = None,
    booking_date: dt.date | None = None,
    partner: object = None,
) -> Transaction:
    """Correct a transaction by posting its exact opposite (Stornobuchung); the original stays."""
    original = Transaction.objects.select_for_update().get(pk=txn.pk)
    if Transaction.objects.filter(reverses=original).exists():
        raise AlreadyReversedError(f"Buchung {original.pk} ist bereits storniert.")
    if original.reverses_id is not None:
        raise AlreadyReversedError(
            f"Buchung {original.pk} ist selbst eine Stornobuchung; bitte die ursprüngliche Buchung neu erfassen.",
            code="ledger.reverse_of_reversal",
        )
    booking = booking_date or _today()
    reversal = Transaction(
        booking_date=booking,
        value_date=value_date or booking,
        reason_code="correction.reversal",
        description=f"Storno von Buchung {original.pk}: {reason}"[:300],
        object_type=original.object_type,
        object_id=original.object_id,
        reverses=original,
        created_by=actor_name(actor),
    )
    reversal.save()
    postings = list(original.postings.select_related("account"))
    Posting.objects.bulk_create(
        [
            Posting(transaction=reversal, account_id=p.account_id, amount_cents=-p.amount_cents)
            for p in postings
        ]
    )
    record_event(
        actor=actor,
        action="ledger.reverse_transaction",
        obj=reversal,
        partner=partner if partner is not None else _only_partner(postings),
        summary={"reverses": original.pk, "reason": reason},
    )
    return reversal


@dataclass(frozen=True)
class Entry:
    """One transaction of a bulk posting: its lines, value date, text and business object."""

    lines: Sequence[Line]
    value_date: dt.date
    description: str
    object_type: str = ""
    object_id: str = ""


#: Transactions one bulk posting may hold (one audit event covers them all).
BULK_TRANSACTIONS_MAX = 10_000


@action
def do_post_transactions(
    entries: Sequence[Entry],
    *,
    reason_code: str,
    actor: Actor,
    audit_action: str = "ledger.post_transactions",
) -> list[Transaction]:
    """Post many balanced transactions at once (mass jobs such as the daily run), audited by one event.

    Each entry is checked like a single posting (balanced, at least two lines). The audit event lists every
    transaction with its object and postings, so the trail stays complete while the job writes one event per
    batch instead of one per booking.
    """
    if not entries:
        return []
    if len(entries) > BULK_TRANSACTIONS_MAX:
        raise ValueError(f"Höchstens {BULK_TRANSACTIONS_MAX} Buchungen auf einmal.")
    reason_code_validator(reason_code)
    for entry in entries:
        _check(entry.lines)
    today = _today()
    created_by = actor_name(actor)
    txns = Transaction.objects.bulk_create(
        [
            Transaction(
                booking_date=today,
                value_date=entry.value_date,
                reason_code=reason_code,
                description=entry.description[:300],
                object_type=entry.object_type,
                object_id=entry.object_id,
                created_by=created_by,
            )
            for entry in entries
        ]
    )
    Posting.objects.bulk_create(
        [
            Posting(transaction=txn, account=line.account, amount_cents=int(line.amount))
            for txn, entry in zip(txns, entries, strict=True)
            for line in entry.lines
            if line.amount
        ]
    )
    record_event(
        actor=actor,
        action=audit_action,
        summary={
            "reason_code": reason_code,
            "transactions": [
                [txn.pk, entry.object_type, entry.object_id, str(entry.value_date),
                 [[line.account.code, int(line.amount)] for line in entry.lines if line.amount]]
                for txn, entry in zip(txns, entries, strict=True)
            ],
        },
    )  # fmt: skip
    return txns
