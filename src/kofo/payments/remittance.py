"""Auskehrung: paying each partner what was collected for it, in one numbered run and one SEPA file.

What a partner is owed follows from the ledger alone: every payment credited the partner's claim
receivables and moved the same amount to its payable account; every reversal moved it back. A run takes,
per partner whose agreement makes it due (daily, weekly, monthly), the receivable postings of payments and
their reversals up to the run's date that no earlier run has paid (:class:`RemittedPosting` holds each
posting once), pays their sum when it is positive, and carries a negative sum (money taken back after it
was paid out) into the next run. The payment is a balanced transaction (payable → bank), so paying the
same money twice is impossible by construction: the posting can be remitted once, and the payable would go
negative.

The run also pays approved refunds to debtors. It writes one pain.001.001.09 for all transfers
(:mod:`kofo.payments.sepa`, validated against the XSD) and per partner a statement as JSON and CSV — per
Kassenzeichen the amounts by component and the payment dates — all archived under their SHA-256. The file
is reproducible: :func:`rebuild_file` writes it again from the stored run, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from kofo.audit import archive
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import Claim
from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.models import AccountKind, Component, Posting
from kofo.money import Cents
from kofo.partners.models import Agreement, Office, Partner, RemittanceFrequency
from kofo.payments.models import Refund, RefundStatus, Remittance, RemittanceRun, RemittedPosting
from kofo.payments.sepa import Originator, Transfer, credit_transfer_file

#: Transactions whose receivable postings are money collected for a partner.
PAYMENT_REASONS = ("payment.received",)
REVERSAL_REASON = "correction.reversal"
COMPONENT_ORDER = [c.value for c in Component]


@dataclass(frozen=True, slots=True)
class Line:
    """One statement line: a component of one claim paid (positive) or taken back (negative) on a date."""

    posting_id: int
    kassenzeichen: str
    claim_id: int
    component: str
    value_date: dt.date
    amount_cents: int
    reversal: bool


def _due(agreement: Agreement | None, last_until: dt.date | None, until: dt.date) -> bool:
    if last_until is None:
        return True
    if until <= last_until:
        return False
    frequency = agreement.remittance_frequency if agreement else RemittanceFrequency.WEEKLY
    if frequency == RemittanceFrequency.DAILY:
        return True
    if frequency == RemittanceFrequency.WEEKLY:
        return (until - last_until).days >= 7
    month = last_until.month % 12 + 1
    year = last_until.year + (1 if last_until.month == 12 else 0)
    day = min(last_until.day, 28)
    return until >= dt.date(year, month, day)


def due_partners(until: dt.date, partners: Iterable[Partner] | None = None) -> list[Partner]:
    """Partners whose agreement's rhythm makes a remittance due on ``until``."""
    last = dict(
        Remittance.objects.values_list("partner_id")
        .annotate(last=Max("run__until"))
        .values_list("partner_id", "last")
    )
    chosen: list[Partner] = []
    for partner in partners if partners is not None else Partner.objects.order_by("key"):
        agreement = partner.agreements.filter(valid_from__lte=until).order_by("-valid_from").first()
        if _due(agreement, last.get(partner.pk), until):
            chosen.append(partner)
    return chosen


def open_lines(partners: Sequence[Partner], until: dt.date) -> dict[int, list[Line]]:
    """Per partner the collected (and taken-back) receivable postings up to ``until`` not yet remitted.

    One query for all partners (per partner, PostgreSQL scanned every posting once each).
    """
    partner_ids = [p.pk for p in partners]
    rows = list(
        Posting.objects.filter(
            account__kind=AccountKind.RECEIVABLE,
            account__partner_id__in=partner_ids,
            transaction__value_date__lte=until,
        )
        .filter(
            Q(transaction__reason_code__in=PAYMENT_REASONS)
            | Q(transaction__reason_code=REVERSAL_REASON, transaction__reverses__reason_code__in=PAYMENT_REASONS)
        )
        .exclude(pk__in=RemittedPosting.objects.values("posting_id"))
        .values_list(
            "pk", "account__partner_id", "account__subject_id", "account__component", "transaction__value_date",
            "amount_cents", "transaction__reverses_id",
        )
        .order_by("transaction__value_date", "pk")
    )  # fmt: skip
    kassenzeichen = dict(
        Claim.objects.filter(pk__in={int(r[2]) for r in rows}).values_list("pk", "kassenzeichen")
    )
    lines: dict[int, list[Line]] = defaultdict(list)
    for pk, partner_id, subject, component, value_date, amount, reverses in rows:
        lines[partner_id].append(
            Line(pk, kassenzeichen.get(int(subject), subject), int(subject), component, value_date, -amount,
                 reverses is not None)
        )  # fmt: skip
    return lines


def statement_json(
    run: RemittanceRun, partner: Partner, lines: Sequence[Line], paid: int, retained: int
) -> bytes:
    components: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    payments: dict[str, list[dict[str, object]]] = defaultdict(list)
    for line in lines:
        components[line.kassenzeichen][line.component] += line.amount_cents
        payments[line.kassenzeichen].append(
            {"date": line.value_date.isoformat(), "component": line.component, "amount_cents": line.amount_cents,
             "reversal": line.reversal}
        )  # fmt: skip
    document = {
        "run": run.number,
        "until": run.until.isoformat(),
        "execution_date": run.execution_date.isoformat(),
        "partner": {"key": partner.key, "name": partner.name, "iban": partner.iban},
        "collected_cents": sum(line.amount_cents for line in lines),
        "retained_cents": retained,
        "paid_cents": paid,
        "claims": [
            {
                "kassenzeichen": kassenzeichen,
                "components": dict(
                    sorted(components[kassenzeichen].items(), key=lambda i: COMPONENT_ORDER.index(i[0]))
                ),
                "payments": payments[kassenzeichen],
            }
            for kassenzeichen in sorted(components)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode()


def statement_csv(lines: Sequence[Line]) -> bytes:
    """Semicolon CSV, decimal comma, dd.mm.yyyy — the partners' finance systems read it like our intake."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Kassenzeichen", "Bestandteil", "Zahlungsdatum", "Betrag", "Rückbuchung"])
    labels = dict(Component.choices)
    for line in sorted(lines, key=lambda x: (x.kassenzeichen, x.value_date, x.posting_id)):
        writer.writerow([
            line.kassenzeichen, labels.get(line.component, line.component), line.value_date.strftime("%d.%m.%Y"),
            f"{line.amount_cents / 100:.2f}".replace(".", ","), "ja" if line.reversal else "nein",
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode()


def office_originator() -> Originator:
    """The office as debtor of credit transfers and creditor of direct debits (its account, Gläubiger-ID)."""
    office = Office.current()
    if office is None:
        raise ValidationError("Die Vollstreckungsstelle ist nicht eingerichtet.", code="remittance.no_office")
    return Originator(name=office.name, iban=office.iban, bic=office.bic, creditor_id=office.creditor_id)


def _transfers(run: RemittanceRun) -> list[Transfer]:
    transfers = [
        Transfer(
            name=r.partner.name, iban=r.partner.iban, bic=getattr(r.partner, "bic", "") or "",
            amount_cents=r.amount_cents, end_to_end_id=r.end_to_end_id,
            remittance=f"Auskehrung Lauf {run.number} bis {run.until:%d.%m.%Y}",
        )
        for r in run.remittances.select_related("partner").order_by("end_to_end_id")
    ]  # fmt: skip
    transfers += [
        Transfer(
            name=f.name, iban=f.iban, bic="", amount_cents=f.amount_cents, end_to_end_id=refund_reference(run, f),
            remittance=f"Erstattung {f.reason}",
        )
        for f in run.refunds.order_by("pk")
    ]  # fmt: skip
    return transfers


def refund_reference(run: RemittanceRun, refund: Refund) -> str:
    return f"KOFO-ERS-{run.number:06d}-{refund.pk}"


def rebuild_file(run: RemittanceRun) -> bytes:
    """The run's pain.001 written again from what was stored (reproducible to the byte)."""
    return credit_transfer_file(
        office_originator(), _transfers(run), message_id=run.message_id, execution_date=run.execution_date,
        created_at=run.created_at.replace(microsecond=0, tzinfo=None),
    )  # fmt: skip


@action
def do_remittance_run(
    *,
    until: dt.date,
    actor: Actor,
    execution_date: dt.date | None = None,
    partners: Sequence[Partner] | None = None,
    force: bool = False,
) -> RemittanceRun | None:
    """Run a remittance for the partners due (``force``: all given) up to ``until``; ``None`` if nothing to pay."""
    with transaction.atomic():
        chosen = list(partners) if (force and partners is not None) else due_partners(until, partners)
        number = (RemittanceRun.objects.aggregate(m=Max("number"))["m"] or 0) + 1
        run = RemittanceRun.objects.create(
            number=number, until=until, execution_date=execution_date or until,
            message_id=f"KOFO-AUS-{number:06d}", created_by=actor_name(actor),
        )  # fmt: skip
        bank = office_account(AccountKind.BANK)
        total = 0
        pending = open_lines(chosen, until)
        for index, partner in enumerate(chosen, start=1):
            lines = pending.get(partner.pk, [])
            collected = sum(line.amount_cents for line in lines)
            if collected <= 0:
                continue
            retained = 0
            paid = collected - retained
            remittance = Remittance(
                run=run, partner=partner, amount_cents=paid, collected_cents=collected, retained_cents=retained,
                end_to_end_id=f"KOFO-AUS-{number:06d}-{index:04d}",
                statement_json_sha256=archive.store(statement_json(run, partner, lines, paid, retained)),
                statement_csv_sha256=archive.store(statement_csv(lines)),
            )  # fmt: skip
            remittance.transaction = do_post_transaction(
                [debit(partner_account(partner, AccountKind.PARTNER_PAYABLE), Cents(paid)), credit(bank, Cents(paid))],
                reason_code="remittance.paid", description=f"Auskehrung Lauf {number} an {partner.name}"[:300],
                value_date=run.execution_date, obj=run, actor=actor, partner=partner,
            )  # fmt: skip
            remittance.save()
            RemittedPosting.objects.bulk_create(
                [RemittedPosting(posting_id=line.posting_id, remittance=remittance) for line in lines]
            )
            total += paid
        refunds = list(
            Refund.objects.select_for_update().filter(status=RefundStatus.APPROVED).exclude(iban="")
        )
        for refund in refunds:
            do_post_transaction(
                [debit(office_account(AccountKind.REFUND_PAYABLE), Cents(refund.amount_cents)),
                 credit(bank, Cents(refund.amount_cents))],
                reason_code="refund.paid", description=f"Erstattung an {refund.name}"[:300],
                value_date=run.execution_date, obj=refund, actor=actor,
            )  # fmt: skip
            refund.status = RefundStatus.PAID
            refund.remittance_run = run
            refund.save(update_fields=["status", "remittance_run"])
            total += refund.amount_cents
        if not run.remittances.exists() and not refunds:
            transaction.set_rollback(True)
            return None
        content = rebuild_file(run)
        run.sha256 = archive.store(content)
        run.total_cents = total
        run.transfers = run.remittances.count() + len(refunds)
        run.save(update_fields=["sha256", "total_cents", "transfers"])
        record_event(
            actor=actor, action="payments.remittance_run", obj=run,
            summary={"number": number, "until": until, "total_cents": total, "transfers": run.transfers,
                     "sha256": run.sha256},
        )  # fmt: skip
        return run
