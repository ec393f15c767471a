"""A demo bank statement (camt.053.001.08) for the demo office's account, written from its open files.

Loaded by ``kofo demo --statement`` after the daily run has opened the files (``make run`` does both): some
debtors pay with the payment reference of their letter, some name a Kassenzeichen (one with a typo the
matching tolerates), one pays too much, one transfer carries no usable reference (a Klärungsfall) and the
bank charges its fee. The statement is the same for the same day, so loading it again books nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from xml.sax.saxutils import escape

from kofo.cases.casefiles import case_claims
from kofo.cases.models import Case
from kofo.demo.requests import DEMO_ACTOR
from kofo.partners.models import Office
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import BankImport

SEED = 53


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _entry(
    day: dt.date, ref: str, cents: int, *, credit: bool, name: str, iban: str, text: str = "", rf: str = ""
) -> str:
    code = ("PMNT", "RCDT", "ESCT") if credit else ("ACMT", "MDOP", "CHRG")
    indicator = "CRDT" if credit else "DBIT"
    remittance = ""
    if rf:
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{rf}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif text:
        remittance = f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf>"
    parties = ""
    if credit:
        parties = (
            f"<RltdPties><Dbtr><Pty><Nm>{escape(name)}</Nm></Pty></Dbtr>"
            f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct></RltdPties>"
        )
    details = (
        f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f'<Amt Ccy="EUR">{_amount(cents)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{parties}{remittance}</TxDtls>'
        "</NtryDtls>"
        if credit
        else f"<AddtlNtryInf>{escape(text)}</AddtlNtryInf>"
    )
    return (
        f'<Ntry><Amt Ccy="EUR">{_amount(cents)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><ValDt><Dt>{day.isoformat()}</Dt></ValDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd><Domn><Cd>{code[0]}</Cd><Fmly><Cd>{code[1]}</Cd>"
        f"<SubFmlyCd>{code[2]}</SubFmlyCd></Fmly></Domn></BkTxCd>{details}</Ntry>"
    )


def build_statement(today: dt.date) -> bytes | None:
    """The demo statement of ``today`` (``None`` while no file is open yet)."""
    office = Office.current()
    # The first files of the office, whatever became of them since: the same statement every time.
    cases = list(Case.objects.select_related("debtor").order_by("number")[:40])
    if office is None or len(cases) < 6:
        return None
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    stamp = today.strftime("%Y%m%d")
    entries: list[tuple[int, bool, str]] = []
    for index, case in enumerate(rng.sample(cases, 6)):
        claims = list(case_claims(case).order_by("pk"))
        if not claims:
            continue
        claim = claims[0]
        name = case.debtor.display_name
        payer_iban = "DE89370400440532013000"
        ref = f"DEMO-{stamp}-{index + 1:04d}"
        if index < 3:  # the payment reference of the letter
            cents = min(claim.principal_cents, rng.randrange(2_000, 30_000))
            xml = _entry(
                today, ref, cents, credit=True, name=name, iban=payer_iban, rf=case.payment_reference
            )
        elif index == 3:  # a Kassenzeichen, typed with spaces and a letter O for a zero
            typed = claim.kassenzeichen.replace("-", " ").replace("0", "O", 1)
            cents = min(claim.principal_cents, 5_000)
            xml = _entry(
                today, ref, cents, credit=True, name=name, iban=payer_iban, text=f"Kassenzeichen {typed}"
            )
        elif index == 4:  # pays more than the file owes: a refund proposal
            cents = claim.principal_cents * 3
            xml = _entry(
                today, ref, cents, credit=True, name=name, iban=payer_iban, rf=case.payment_reference
            )
        else:  # nothing usable: a Klärungsfall with the payer's name as suggestion
            cents = 4_200
            xml = _entry(today, ref, cents, credit=True, name=name, iban=payer_iban, text="Zahlung Bescheid")
        entries.append((cents, True, xml))
    fee = _entry(today, f"DEMO-{stamp}-FEE", 250, credit=False, name="", iban="", text="Kontoführung")
    entries.append((250, False, fee))
    opening = 1_000_000
    closing = opening + sum(c if credit else -c for c, credit, _ in entries)
    balances = "".join(
        f"<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="EUR">{_amount(amount)}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{today.isoformat()}</Dt></Dt></Bal>'
        for kind, amount in (("OPBD", opening), ("CLBD", closing))
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>DEMO-{stamp}</MsgId><CreDtTm>{today.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>DEMO-STMT-{stamp}</Id><ElctrncSeqNb>{today.timetuple().tm_yday}</ElctrncSeqNb>"
        f"<CreDtTm>{today.isoformat()}T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{office.iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>{balances}"
        + "".join(xml for _, _, xml in entries)
        + "</Stmt></BkToCstmrStmt></Document>\n"
    )
    return document.encode()


def load_statement(today: dt.date) -> BankImport | None:
    content = build_statement(today)
    if content is None:
        return None
    return do_import_bank_file(f"demo-kontoauszug-{today:%Y-%m-%d}.xml", content, actor=DEMO_ACTOR)
