"""Klärungsfälle, refunds and the remittance run (issue 5, nos. 2–4): the caseworker assigns, splits or
returns money on the suspense account; a numbered run pays each partner what the ledger says it is owed,
in one pain.001.001.09 validated against the XSD; it cannot pay the same money twice and is reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kofo.audit import archive
from kofo.cases.models import Case
from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.balances import balance, trial_balance
from kofo.ledger.models import AccountKind
from kofo.money import Cents
from kofo.partners.models import Partner
from kofo.payments.clarifications import (
    Part,
    do_assign_clarification,
    do_book_clarification,
    do_return_clarification,
)
from kofo.payments.models import Clarification, ClarificationStatus, Refund, RefundStatus, RemittanceRun
from kofo.payments.remittance import do_remittance_run, rebuild_file
from kofo.payments.sepa import check_totals, validate
from tests import factories
from tests.integration import test_bank_import as bank

_import = bank._import
office_files = bank.office_files  # the fixture: an office with the debtor files the example statements name

pytestmark = pytest.mark.django_db
ACTOR = factories.TEST_ACTOR
D = dt.date


def _clarification(amount: int) -> Clarification:
    return Clarification.objects.get(amount_cents=amount, status=ClarificationStatus.OPEN)


def test_split_a_klaerungsfall_and_return_the_rest(office_files: dict[str, Case]) -> None:
    _import("camt053_v02.xml")
    unknown = _clarification(4200)  # "Unbekannt GmbH, Rechnung 4711"
    suspense_before = balance(office_account(AccountKind.SUSPENSE))
    payments = do_assign_clarification(
        unknown, parts=[Part(office_files["GS-2026-0102"], Cents(1500), ("GS-2026-0102",))], actor=ACTOR
    )
    assert payments[0].funding == "suspense" and payments[0].amount_cents == 1500
    unknown.refresh_from_db()
    assert (unknown.open_cents, unknown.status) == (2700, ClarificationStatus.OPEN)
    refund = do_return_clarification(unknown, actor=ACTOR, reason="Zahlung war für eine Firma bestimmt")
    unknown.refresh_from_db()
    assert (unknown.open_cents, unknown.status) == (0, ClarificationStatus.RETURNED)
    assert (refund.amount_cents, refund.status, refund.iban) == (
        2700,
        RefundStatus.APPROVED,
        "DE89370400440532013000",
    )
    assert balance(office_account(AccountKind.SUSPENSE)) == suspense_before + Cents(4200)
    with pytest.raises(ValidationError) as error:
        do_assign_clarification(unknown, parts=[Part(office_files["GS-2026-0102"], Cents(1))], actor=ACTOR)
    assert error.value.code == "clarification.closed"
    assert trial_balance() == 0


def test_assigning_more_than_open_is_refused_and_debits_are_booked_not_assigned(
    office_files: dict[str, Case],
) -> None:
    _import("camt053_v02.xml")
    unknown = _clarification(4200)
    with pytest.raises(ValidationError) as error:
        do_assign_clarification(unknown, parts=[Part(office_files["GS-2026-0102"], Cents(4201))], actor=ACTOR)
    assert error.value.code == "clarification.too_much"
    outgoing = _clarification(123456)  # our own transfer, no run known
    with pytest.raises(ValidationError):
        do_assign_clarification(outgoing, parts=[Part(office_files["GS-2026-0102"], Cents(100))], actor=ACTOR)
    do_book_clarification(outgoing, note="Auskehrung aus dem Altverfahren", actor=ACTOR)
    outgoing.refresh_from_db()
    assert outgoing.status == ClarificationStatus.BOOKED


def test_remittance_run_pays_each_partner_once_in_a_valid_sepa_file(
    office_files: dict[str, Case], settings: Any
) -> None:
    _import("camt053_v02.xml")
    unknown = _clarification(4200)
    do_return_clarification(unknown, actor=ACTOR)
    stadt, zv = Partner.objects.get(key="stadt"), Partner.objects.get(key="zv-saar")
    payable = {p.key: -balance(partner_account(p, AccountKind.PARTNER_PAYABLE)) for p in (stadt, zv)}
    assert payable["stadt"] > 0 and payable["zv-saar"] > 0

    run = do_remittance_run(until=D(2026, 11, 30), actor=ACTOR)
    assert run is not None and run.number == 1
    paid = {r.partner.key: r.amount_cents for r in run.remittances.select_related("partner")}
    assert paid == payable
    assert all(balance(partner_account(p, AccountKind.PARTNER_PAYABLE)) == 0 for p in (stadt, zv))
    assert Refund.objects.get().status == RefundStatus.PAID
    content = archive.load(run.sha256)
    validate(content, "pain.001.001.09")
    summary = check_totals(content)
    assert summary.count == run.transfers == 3
    assert summary.control_sum_cents == run.total_cents == sum(paid.values()) + 4200
    assert rebuild_file(run) == content  # reproducible byte for byte
    # The partner's statement: per Kassenzeichen the components; it adds up to the amount paid.
    remittance = run.remittances.get(partner=zv)
    statement = json.loads(archive.load(remittance.statement_json_sha256))
    assert [c["kassenzeichen"] for c in statement["claims"]] == ["AB-7781"]
    assert sum(sum(c["components"].values()) for c in statement["claims"]) == remittance.amount_cents
    csv_text = archive.load(remittance.statement_csv_sha256).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Kassenzeichen;Bestandteil;Zahlungsdatum;Betrag;Rückbuchung"
    # Nothing is paid twice: a second run (forced for every partner) finds nothing.
    assert do_remittance_run(until=D(2026, 12, 31), actor=ACTOR, partners=[stadt, zv], force=True) is None
    assert RemittanceRun.objects.count() == 1
    assert trial_balance() == 0


def test_reversal_after_remittance_is_carried_into_the_next_run(office_files: dict[str, Case]) -> None:
    from kofo.payments.actions import do_record_payment, do_reverse_payment
    from kofo.payments.models import PaymentSource

    case = office_files["GS-2026-0101"]
    first = do_record_payment(
        case, amount=Cents(10_000), received_on=D(2026, 11, 20), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    run = do_remittance_run(until=D(2026, 11, 20), actor=ACTOR)
    assert run is not None and run.total_cents == 10_000
    do_reverse_payment(first, on=D(2026, 11, 22), reason="Rücklastschrift AC04", actor=ACTOR)
    # Taken back after it was paid out: the partner owes it back; no run pays a negative amount.
    assert do_remittance_run(until=D(2026, 11, 30), actor=ACTOR) is None
    do_record_payment(
        case, amount=Cents(25_000), received_on=D(2026, 11, 28), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    second = do_remittance_run(until=D(2026, 12, 1), actor=ACTOR)
    assert second is not None and second.total_cents == 15_000  # 250.00 collected − 100.00 taken back
    stadt = Partner.objects.get(key="stadt")
    assert balance(partner_account(stadt, AccountKind.PARTNER_PAYABLE)) == 0
