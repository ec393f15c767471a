"""Instalment direct debits (pain.008) with their return, and cash receipts (issue 5, nos. 5 and 6).

The collection of an instalment comes back on the statement as a credit with the mandate reference (rule
"instalment"); the returned debit of camt053_v02.xml (MD06, mandate KOFO-VA000125-01, 50.00 EUR) takes it
back and marks the instalment missed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kofo.audit import archive
from kofo.cases.measures import do_arrange_instalments
from kofo.cases.models import Case, InstalmentStatus
from kofo.ledger.accounts import office_account
from kofo.ledger.balances import balance, trial_balance
from kofo.ledger.models import AccountKind
from kofo.money import Cents
from kofo.payments.clarifications import do_book_clarification
from kofo.payments.collections import do_collection_run, do_record_cash_receipt, rebuild_collection_file
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import BankEntry, Clarification, EntryOutcome, Funding
from kofo.payments.sepa import check_totals, validate
from tests import factories
from tests.integration import test_bank_import as bank

pytestmark = pytest.mark.django_db
ACTOR = factories.TEST_ACTOR
D = dt.date
office_files = bank.office_files

CREDIT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>2026-11-19T08:00:00Z</CreDtTm></GrpHdr>
<Ntfctn><Id>{msg}</Id><Acct><Id><IBAN>DE59590501010000012345</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-19</Dt></BookgDt><ValDt><Dt>2026-11-19</Dt></ValDt><AcctSvcrRef>{msg}-1</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId><MndtId>{mandate}</MndtId></Refs>
<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>
"""


def test_instalment_collected_once_booked_and_returned(office_files: dict[str, Case]) -> None:
    case = office_files["GS-2026-0102"]  # VA-000125, Jonas Weber
    plan = do_arrange_instalments(
        case, instalment=Cents(5000), first_due_on=D(2026, 11, 15), on=D(2026, 11, 3), reason="", actor=ACTOR,
        iban="DE97590501010055512345", mandate_reference="KOFO-VA000125-01",
    )  # fmt: skip
    run = do_collection_run(collection_date=D(2026, 11, 19), actor=ACTOR)
    assert run is not None and run.debits == 1 and run.total_cents == 5000
    content = archive.load(run.sha256)
    validate(content, "pain.008.001.08")
    assert check_totals(content).count == 1 and b"<SeqTp>FRST</SeqTp>" in content
    assert rebuild_collection_file(run) == content
    assert do_collection_run(collection_date=D(2026, 11, 19), actor=ACTOR) is None  # collected once
    collection = run.collections.get()

    credit = CREDIT.format(
        msg="LS-GUTSCHRIFT-1", amount="50.00", e2e=collection.end_to_end_id, mandate="KOFO-VA000125-01",
        name="Jonas Weber", iban="DE97590501010055512345", text="1. Rate",
    )  # fmt: skip
    do_import_bank_file("gutschrift.xml", credit.encode(), actor=ACTOR)
    entry = BankEntry.objects.get(mandate_id="KOFO-VA000125-01", credit=True)
    assert (entry.outcome, entry.match_rule, entry.case_id) == (EntryOutcome.MATCHED, "instalment", case.pk)
    first = plan.instalments.get(number=1)
    assert first.status == InstalmentStatus.PAID

    bank._import("camt053_v02.xml")  # brings the return MD06 of that debit
    returned = BankEntry.objects.get(return_reason="MD06")
    assert returned.outcome == EntryOutcome.REVERSED
    first.refresh_from_db()
    assert first.status == InstalmentStatus.MISSED and first.paid_cents == 0
    assert trial_balance() == 0


def test_cash_receipts_are_numbered_and_the_deposit_settles_the_cash_account(
    office_files: dict[str, Case],
) -> None:
    case = office_files["GS-2026-0103"]
    first = do_record_cash_receipt(
        case, amount=Cents(2000), received_on=D(2026, 11, 18), payer="Lena Fischer", actor=ACTOR
    )
    second = do_record_cash_receipt(
        case, amount=Cents(1000), received_on=D(2026, 11, 18), payer="Lena Fischer", actor=ACTOR
    )
    assert (first.number, second.number) == ("Q-2026-000001", "Q-2026-000002")
    assert first.payment.funding == Funding.CASH and first.payment.source == "field"
    assert balance(office_account(AccountKind.CASH)) == Cents(3000)
    deposit = CREDIT.format(
        msg="BAREINZAHLUNG-1", amount="30.00", e2e="NOTPROVIDED", mandate="", name="Vollstreckungsstelle",
        iban="DE59590501010000012345", text="Bareinzahlung Kasse Aussendienst",
    ).replace("<MndtId></MndtId>", "")  # fmt: skip
    do_import_bank_file("einzahlung.xml", deposit.encode(), actor=ACTOR)
    clarification = Clarification.objects.get(amount_cents=3000)
    with pytest.raises(ValidationError):
        do_book_clarification(clarification, note="Einzahlung", actor=ACTOR)  # a credit is not booked away …
    do_book_clarification(clarification, note="Quittungen Q-2026-000001/2", actor=ACTOR, cash_deposit=True)
    assert balance(office_account(AccountKind.CASH)) == Cents(0)  # … unless it is the cash paid in
    assert balance(office_account(AccountKind.SUSPENSE)) == Cents(0)
    assert trial_balance() == 0
