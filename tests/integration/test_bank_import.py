"""Bank statement import (issue 5, nos. 1, 2, 7): the example statements in both versions import correctly,
twice without double booking; matching rules; reversals; reconciliation; hostile files rejected whole.

Example files: ``tests/data/camt`` (written to ISO 20022 camt.053/.054 001.02 and 001.08, validated
against the XSDs in ``tests/unit/test_camt.py``). Expected assignments follow the matching rules of
``kofo.payments.matching`` (reference RF… with check digits, Kassenzeichen, third-party payment to a running
garnishment); amounts are the files' own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kofo.cases.daily import open_missing_cases
from kofo.cases.models import Case, Measure, MeasureKind, MeasureStatus
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.accounts import office_account
from kofo.ledger.balances import balance, trial_balance
from kofo.ledger.models import AccountKind, Transaction
from kofo.partners.models import ClaimType, Regime
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import (
    BankEntry,
    BankImportStatus,
    BankStatement,
    Clarification,
    EntryKind,
    EntryOutcome,
    Payment,
    PaymentSource,
)
from tests import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "camt"
ACTOR = factories.TEST_ACTOR
D = dt.date

#: (Kassenzeichen, partner, surname, given name, birth date, file number to give the debtor's file)
DEBTORS = [
    ("GS-2026-0100", "stadt", "Mustermann", "Erika", "12.08.1964", "VA-000123"),
    ("GS-2026-0101", "stadt", "Becker", "Karl", "01.02.1970", "VA-000124"),
    ("GS-2026-0102", "stadt", "Weber", "Jonas", "03.03.1981", "VA-000125"),
    ("GS-2026-0103", "stadt", "Fischer", "Lena", "04.04.1977", "VA-000126"),
    ("GS-2026-0001", "stadt", "Müller", "Max", "05.05.1966", ""),
    ("AB-7781", "zv-saar", "Schmitt", "Hans", "06.06.1959", ""),
    ("HU-2026-0815", "stadt", "Klein", "Ute", "07.07.1988", "VA-000127"),
]


def _row(kz: str, kind: str, surname: str, given: str, born: str, index: int) -> str:
    return (
        f"{kz};{kind};Satzung;10.02.2026;13.02.2026;10.03.2026;20.03.2026;03.04.2026;480,00;;;;;{index};"
        f"natuerlich;{surname};{given};;{born};;;;;Hauptstraße;{index};66111;Saarbrücken;DE;;;;;"
    )


@pytest.fixture
def office_files(settings: Any, tmp_path: Path) -> dict[str, Case]:
    settings.DATA_DIR = tmp_path
    factories.make_office()
    stadt = factories.make_partner(key="stadt", name="Landeshauptstadt Saarbrücken")
    factories.make_agreement(
        stadt, regime=Regime.AO, claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER]
    )
    zv = factories.make_partner(key="zv-saar", name="Entsorgungsverband Saar")
    factories.make_agreement(zv, regime=Regime.SVWVG_SL, claim_types=[ClaimType.ABFALL])
    partners = {"stadt": stadt, "zv-saar": zv}
    cases: dict[str, Case] = {}
    for index, (kz, key, surname, given, born, number) in enumerate(DEBTORS, start=1):
        kind = {"GS": "grundsteuer", "AB": "abfallgebuehren", "HU": "hundesteuer"}[kz[:2]]
        csv = f"{factories.INTAKE_CSV_HEADER}\n{_row(kz, kind, surname, given, born, index)}\n"
        batch = do_import_request(
            partners[key], csv.encode(), channel=Channel.CSV, filename=f"{kz}.csv", as_of=D(2026, 11, 1), actor=ACTOR
        )  # fmt: skip
        assert batch.items_accepted == 1, batch.error_message
        open_missing_cases(D(2026, 11, 2))
        case = Case.objects.order_by("-pk").first()
        assert case is not None
        if number:
            Case.objects.filter(pk=case.pk).update(number=number)
            case.refresh_from_db()
        cases[kz] = case
    # File VA-000126 has a bank garnishment running: its third-party debtor pays under that order.
    Measure.objects.create(
        case=cases["GS-2026-0103"],
        kind=MeasureKind.PFEV_BANK,
        status=MeasureStatus.ACTIVE,
        created_on=D(2026, 10, 1),
    )
    return cases


def _import(name: str) -> Any:
    return do_import_bank_file(name, (DATA / name).read_bytes(), actor=ACTOR)


@pytest.mark.parametrize("version", ["v02", "v08"])
def test_statement_imports_once_with_every_entry_accounted_for(
    office_files: dict[str, Case], version: str
) -> None:
    result = _import(f"camt053_{version}.xml")
    assert result.status == BankImportStatus.DONE, result.error_message
    entries = {e.bank_key: e for e in BankEntry.objects.all()}
    by_kind = sorted((e.kind, e.outcome, e.amount_cents, e.match_rule) for e in entries.values())
    assert by_kind == sorted(
        [
            (EntryKind.CREDIT, EntryOutcome.MATCHED, 15000, "reference"),  # RF69VA000123
            (EntryKind.CREDIT, EntryOutcome.MATCHED, 8000, "kassenzeichen"),  # "GS-2026 0001"
            (EntryKind.CREDIT, EntryOutcome.MATCHED, 12000, "reference"),  # batch: RF42 VA00 0124
            (EntryKind.CREDIT, EntryOutcome.MATCHED, 18000, "kassenzeichen"),  # batch: AB-7781
            (EntryKind.REVERSAL, EntryOutcome.REVERSED, 15000, "original"),  # takes back the 150.00
            (EntryKind.RETURN, EntryOutcome.CLARIFICATION, 5000, ""),  # no collection of ours known
            (EntryKind.OUTGOING, EntryOutcome.CLARIFICATION, 123456, ""),  # no run KOFO-AUS-000001 here
            (EntryKind.CHARGES, EntryOutcome.BOOKED, 250, ""),
            (EntryKind.CREDIT, EntryOutcome.CLARIFICATION, 4200, ""),  # "Rechnung 4711"
            (EntryKind.CREDIT, EntryOutcome.MATCHED, 31050, "third_party"),  # garnishment in VA-000126
        ]
    )
    third_party = Payment.objects.get(amount_cents=31050)
    assert third_party.source == PaymentSource.THIRD_PARTY and third_party.measure is not None
    assert Payment.objects.get(amount_cents=8000).designation == ["GS-2026-0001"]
    # The reversed 150.00 stands no more: the file VA-000123 has no payment left.
    assert not Payment.objects.filter(case__number="VA-000123", reversal__isnull=True).exists()
    # Reconciliation: the statement adds up; the ledger's bank account equals the closing balance minus the
    # opening balance the ledger never saw (the example bank account is new to the office).
    statement = BankStatement.objects.get()
    assert statement.difference_cents == 0
    assert statement.closing_cents is not None and statement.opening_cents is not None
    bank = balance(office_account(AccountKind.BANK))
    assert bank == statement.closing_cents - statement.opening_cents
    assert statement.ledger_difference_cents == statement.opening_cents
    assert trial_balance() == 0
    # Suspense holds exactly the open Klärungsfälle (credits +, debits −).
    open_sum = sum(c.open_cents if c.entry.credit else -c.open_cents for c in Clarification.objects.all())
    assert -balance(office_account(AccountKind.SUSPENSE)) == open_sum

    # Imported again: nothing new, nothing booked twice.
    transactions = Transaction.objects.count()
    again = _import(f"camt053_{version}.xml")
    assert again.status == BankImportStatus.DONE
    assert (again.entries_new, again.entries_known) == (0, BankEntry.objects.count())
    assert Transaction.objects.count() == transactions
    assert BankStatement.objects.count() == 1


@pytest.mark.parametrize("version", ["v02", "v08"])
def test_notification_imports_and_zip_of_both_books_once(office_files: dict[str, Case], version: str) -> None:
    result = _import(f"camt054_{version}.xml")
    assert result.status == BankImportStatus.DONE, result.error_message
    assert result.entries_new == 3
    hundesteuer = Payment.objects.get(amount_cents=6420)
    assert hundesteuer.case.number == "VA-000127"
    assert Payment.objects.get(amount_cents=7500).case.number == "VA-000124"
    again = _import(f"camt054_{version}.xml")
    assert again.entries_new == 0 and again.entries_known == 3


def test_zip_with_both_versions(office_files: dict[str, Case], tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("camt054_v02.xml", "camt054_v08.xml"):
            archive.writestr(name, (DATA / name).read_bytes())
    result = do_import_bank_file("auszuege.zip", buffer.getvalue(), actor=ACTOR)
    assert result.status == BankImportStatus.DONE
    assert result.statements == 2 and result.entries_new == 6


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            b"<?xml version='1.0'?>\n<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>\n<BkToCstmrStmt>",
            "camt.malformed",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
            "camt.doctype",
        ),
        (
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>',
            "camt.unknown_message",
        ),
    ],
)
def test_bad_file_is_rejected_whole_and_archived(
    office_files: dict[str, Case], content: bytes, code: str
) -> None:
    from kofo.audit import archive

    result = do_import_bank_file("kaputt.xml", content, actor=ACTOR)
    assert result.status == BankImportStatus.REJECTED
    assert result.error_code == code and result.error_message
    assert archive.load(result.sha256) == content
    assert (
        not BankEntry.objects.exists()
        and not Transaction.objects.filter(reason_code__startswith="bank").exists()
    )


def _ledger_state() -> dict[str, Any]:
    """Everything the import decides, named by what it is (ids differ between runs)."""
    from django.db.models import Sum

    from kofo.ledger.models import Posting
    from kofo.payments.models import PaymentAllocation, Refund

    return {
        "balances": dict(
            Posting.objects.values_list("account__code")
            .annotate(s=Sum("amount_cents"))
            .values_list("account__code", "s")
        ),
        "payments": sorted(
            (
                p.case.number,
                p.amount_cents,
                str(p.received_on),
                p.source,
                p.leftover_cents,
                tuple(p.designation),
                p.reversal.kind if hasattr(p, "reversal") else "",
            )
            for p in Payment.objects.select_related("case")
        ),
        "allocations": sorted(
            (
                a.payment.case.number,
                a.payment.amount_cents,
                a.claim.kassenzeichen if a.claim else "",
                a.component,
                a.amount_cents,
            )
            for a in PaymentAllocation.objects.select_related("payment__case", "claim")
        ),
        "entries": sorted(
            (e.bank_key, e.kind, e.outcome, e.case.number if e.case else "", e.match_rule)
            for e in BankEntry.objects.select_related("case")
        ),
        "clarifications": sorted(
            (c.entry.bank_key, c.open_cents, c.reason) for c in Clarification.objects.all()
        ),
        "refunds": sorted((r.amount_cents, r.status, r.iban) for r in Refund.objects.all()),
        "claims": sorted(Case.objects.values_list("number", "debtor__records__claims__status")),
    }


def _several_credits_per_file() -> bytes:
    """A notification with three credits for VA-000123 (days out of file order) and two for VA-000124."""
    entries = [
        ("RF69VA000123", "30000", "2026-11-24"), ("RF42VA000124", "40.00", "2026-11-23"),
        ("RF69VA000123", "200.50", "2026-11-20"), ("RF69VA000123", "10.00", "2026-11-22"),
        ("Kassenzeichen GS-2026-0101", "999.99", "2026-11-24"),
    ]  # fmt: skip
    xml = "".join(
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>MULTI-{n}</AcctSvcrRef>"
        f'<NtryDtls><TxDtls><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        f"<RltdPties><Dbtr><Pty><Nm>Zahler {n}</Nm></Pty></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for n, (text, amount, day) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>MULTI</MsgId><CreDtTm>2026-11-24T10:00:00</CreDtTm></GrpHdr>"
        "<Ntfctn><Id>MULTI</Id><Acct><Id><IBAN>DE59590501010000012345</IBAN></Id></Acct>"
        f"{xml}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


@pytest.mark.parametrize("name", ["camt053_v02.xml", "camt053_v08.xml", "camt054_v08.xml", "several"])
def test_bulk_equals_one_by_one(
    office_files: dict[str, Case], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path books exactly what booking each credit on its own books (and does not fall back)."""
    from django.db import transaction

    from kofo.audit.models import AuditEvent
    from kofo.payments import imports
    from kofo.payments.camt import read_statements
    from kofo.payments.models import BankImport

    def no_fallback(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the bulk path fell back to booking one by one")

    monkeypatch.setattr(imports.logger, "exception", no_fallback)
    content = _several_credits_per_file() if name == "several" else (DATA / name).read_bytes()
    statements = read_statements(content)
    states = []
    for bulk in (False, True):
        with transaction.atomic():
            bank_import = BankImport.objects.create(
                filename=name, sha256="0" * 64, size_bytes=1, source="cli", status="done", created_by="test"
            )
            imports.import_statements(bank_import, statements, ACTOR, bulk=bulk)
            states.append(_ledger_state())
            assert AuditEvent.objects.filter(action="payments.record_payments").exists() == bulk
            transaction.set_rollback(True)
    assert states[0] == states[1]
    assert states[1]["payments"]
