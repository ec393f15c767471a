"""Instalment direct debits (pain.008) and the field service's cash receipts (issue 5, nos. 5 and 6).

**Direct debits.** For running instalment plans with a SEPA mandate (IBAN and mandate reference given when
the plan was agreed), :func:`do_collection_run` collects every open instalment due up to the collection
date that was not collected before — one pain.008.001.08 (CORE) file, validated against the XSD, archived.
Each instalment is collected once (``Collection.instalment`` is unique); the first collection on a mandate
is ``FRST``, the later ones ``RCUR``. The money is booked when the bank statement shows the credit (the
matching rule "instalment" finds the plan by the mandate reference); a returned debit (camt.054 with a
return reason) takes the payment back and marks the instalment missed.

**Cash.** A field officer's cash receipt enters the same allocation path as any payment, funded from the
cash account (Kasse); the receipt number runs without gaps per year (``Q-2026-000001``). When the officer
pays the cash into the bank, the deposit on the statement is booked against the cash account (a
Klärungsfall booked as „Bareinzahlung“).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from kofo.audit import archive
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import (
    Case,
    Instalment,
    InstalmentPlanStatus,
    InstalmentStatus,
)
from kofo.money import Cents
from kofo.payments.actions import do_record_payment
from kofo.payments.models import CashReceipt, Collection, CollectionRun, Funding, PaymentSource
from kofo.payments.remittance import office_originator
from kofo.payments.sepa import Debit, direct_debit_file


def due_for_collection(on: dt.date) -> list[Instalment]:
    """Open instalments due by ``on`` of running plans with a mandate, not collected yet."""
    return list(
        Instalment.objects.filter(
            status__in=(InstalmentStatus.OPEN,),
            due_on__lte=on,
            plan__status=InstalmentPlanStatus.ACTIVE,
            collection__isnull=True,
        )
        .exclude(plan__iban="")
        .exclude(plan__mandate_reference="")
        .select_related("plan", "plan__case", "plan__case__debtor")
        .order_by("plan__case__number", "number")
    )


def _debits(run: CollectionRun) -> list[Debit]:
    return [
        Debit(
            name=c.instalment.plan.case.debtor.display_name, iban=c.instalment.plan.iban, bic="",
            amount_cents=c.amount_cents, end_to_end_id=c.end_to_end_id, mandate_id=c.mandate_id,
            mandate_date=c.instalment.plan.agreed_on, sequence=c.sequence,
            remittance=f"{c.instalment.number}. Rate {c.instalment.plan.case.payment_reference}",
        )
        for c in run.collections.select_related("instalment__plan__case__debtor").order_by("pk")
    ]  # fmt: skip


def rebuild_collection_file(run: CollectionRun) -> bytes:
    return direct_debit_file(
        office_originator(), _debits(run), message_id=run.message_id, collection_date=run.collection_date,
        created_at=run.created_at.replace(microsecond=0, tzinfo=None),
    )  # fmt: skip


@action
def do_collection_run(*, collection_date: dt.date, actor: Actor) -> CollectionRun | None:
    """Collect the instalments due by ``collection_date``; ``None`` when there is nothing to collect."""
    with transaction.atomic():
        instalments = due_for_collection(collection_date)
        if not instalments:
            return None
        number = (CollectionRun.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        run = CollectionRun.objects.create(
            number=number, collection_date=collection_date, message_id=f"KOFO-LS-{number:06d}",
            created_by=actor_name(actor),
        )  # fmt: skip
        used_mandates = set(Collection.objects.values_list("mandate_id", flat=True).distinct())
        for instalment in instalments:
            plan = instalment.plan
            amount = instalment.amount_cents - instalment.paid_cents
            if amount <= 0:
                continue
            Collection.objects.create(
                run=run, instalment=instalment, amount_cents=amount, mandate_id=plan.mandate_reference,
                sequence="RCUR" if plan.mandate_reference in used_mandates else "FRST",
                end_to_end_id=f"KOFO-DD-{plan.case.number.replace('-', '')}-{instalment.pk:06d}",
            )  # fmt: skip
            used_mandates.add(plan.mandate_reference)
        run.sha256 = archive.store(rebuild_collection_file(run))
        run.debits = run.collections.count()
        run.total_cents = sum(run.collections.values_list("amount_cents", flat=True))
        run.save(update_fields=["sha256", "debits", "total_cents"])
        record_event(
            actor=actor, action="payments.collection_run", obj=run,
            summary={"number": number, "collection_date": collection_date, "debits": run.debits,
                     "total_cents": run.total_cents, "sha256": run.sha256},
        )  # fmt: skip
        return run


def _next_receipt_number(year: int) -> str:
    prefix = f"Q-{year}-"
    last = (
        CashReceipt.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) if last else 0) + 1:06d}"


@action
def do_record_cash_receipt(
    case: Case,
    *,
    amount: Cents,
    received_on: dt.date,
    payer: str,
    actor: Actor,
    designation: tuple[str, ...] = (),
) -> CashReceipt:
    """Cash taken by the field service: a numbered receipt, the payment allocated like any other."""
    payment = do_record_payment(
        case, amount=amount, received_on=received_on, source=PaymentSource.FIELD, actor=actor, payer=payer,
        reference="Barzahlung im Außendienst", designation=designation, funding=Funding.CASH,
    )  # fmt: skip
    # Numbers without gaps: the receipt is written in the same transaction as the payment; a concurrent
    # receipt of the same year collides on the unique number and the action is retried by the caller.
    receipt = CashReceipt.objects.create(
        number=_next_receipt_number(received_on.year), payment=payment, received_on=received_on,
        payer=payer[:200], officer=actor_name(actor),
    )  # fmt: skip
    record_event(
        actor=actor, action="payments.cash_receipt", obj=case,
        summary={"receipt": receipt.number, "amount_cents": int(amount), "payment": payment.pk},
    )  # fmt: skip
    return receipt
