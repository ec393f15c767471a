"""Payments benchmark (issue 5, item 9): a camt.053 statement booked against a generated office.

The office is the one of ``bench/daily.py`` (its generator and its cache are reused, with ``--partners
300`` so that the remittance run covers 300 partners; 1,000,000 claims at 2.5 per file are 400,000 debtor
files). For each database (SQLite file, PostgreSQL on 127.0.0.1:5432) the driver creates a fresh database
and generates the office (``daily._generated_state``); a first subprocess writes the statement from the
office's own data, a second one measures, in one process:

(a) ``lxml``'s bare parse of the file (``iterparse`` on the ``Ntry`` end tags, each element cleared) —
    the floor;
(b) :func:`kofo.payments.camt.read_statements` of the same bytes;
(c) end to end, :func:`kofo.payments.imports.do_import_bank_file`: archive, parse, match, allocate, post,
    reconcile — ``entries_per_s`` and ``ratio_to_lxml`` = (c) / (a); then the same file imported a second
    time (idempotent: no new entry);
(d) :func:`kofo.payments.remittance.do_remittance_run` up to the statement's date for every partner.

After the run it counts the outcomes (matched, Klärungsfälle, reversed, refunds) and checks that the
ledger balances (sum of all postings 0, every transaction of the run balanced) — reported, not asserted,
as are the timings. The subprocesses run with ``KOFO_DEBUG=0``, as in production. Prints one JSON line per
database and entry count, and a summary line with the targets (100,000 entries within 60 s end to end —
extrapolated linearly from a smaller ``--entries``, the field name says so; the remittance run for 300
partners within 30 s). Usage::

    python bench/payments.py [--entries 100000[,10000…]] [--claims 1000000 | --files 400000]
                             [--files-ratio 2.5] [--partners 300] [--seed 4] [--run-date 2026-11-25]
                             [--backends sqlite,postgresql] [--profile DIR] [--cache DIR]

``--profile DIR`` runs the import (c) and the remittance run (d) under cProfile (stats to DIR, the top 15
by cumulative time to stderr; the times then include cProfile's overhead). ``--cache DIR`` is ``bench/daily.py``'s: the
generated office is kept (SQLite file in DIR, PostgreSQL template ``kofo_bench_daily_tpl_<key>``) and
copied for each run — needed to measure several ``--entries`` against one office without generating it
again.

The statement (camt.053.001.08, valid against the official XSD; deterministic for a seed)
=========================================================================================

One ``Stmt`` of the office's account, booked on the run date (a fifth of the value dates a day earlier),
opening and closing balance reconciling with the entries, a unique ``AcctSvcrRef`` per entry (and per
detail of a batch). Of the entries:

* 55 % credits with the file's RF payment reference (:func:`kofo.cases.references.payment_reference`) in
  ``Strd/CdtrRefInf/Ref``, from the debtor (name, IBAN where the office knows it);
* 25 % credits naming one of the file's Kassenzeichen in ``Ustrd`` (30 % with spaces instead of dashes);
* 5 % credits from a third-party debtor (the bank of a running PfEV Bank) naming the file number;
* 8 % credits with no usable reference (half from a debtor's name, half from strangers) — Klärungsfälle;
* 3 % batch bookings (Sammelgutschrift) with 2–3 details, each a credit by reference or Kassenzeichen;
* 2 % taking back an earlier credit of the same file, same ``EndToEndId`` and amount: alternately the
  bank's reversal (``DBIT`` with ``RvslInd``) and a returned direct debit (``IDDT/UPDD`` with a return
  reason; its original is then a direct-debit collection with a mandate);
* 2 % bank charges (``ACMT/MDOP/CHRG``, no details).

Amounts follow the claims: half of the payments pay the file (or the named claim) in full, 40 % a part, 10
% more than is open (an overpayment becomes a refund proposal).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

try:  # imported as bench.payments (tests)
    from bench import daily
except ImportError:  # run as bench/payments.py: bench/ is on sys.path
    import daily  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
NTRY_TAG = f"{{{NAMESPACE}}}Ntry"
TARGET_ENTRIES = 100_000
TARGET_SECONDS = 60
TARGET_PARTNERS = 300
TARGET_REMITTANCE_SECONDS = 30
ACTOR_NAME = "system:bench"
OFFICE_NAME = "Landesverwaltungsamt Saarland"

#: Entry kinds and their shares of the statement's entries.
KIND_SHARES = (
    ("reference", 0.55),
    ("kassenzeichen", 0.25),
    ("third_party", 0.05),
    ("unreferenced", 0.08),
    ("batch", 0.03),
    ("returned", 0.02),
    ("charges", 0.02),
)
KASSENZEICHEN_TEXTS = (
    "Kassenzeichen {kz}", "{kz}", "KZ {kz} Zahlung", "Kassenzeichen: {kz} Mahnung", "{kz} Restbetrag",
    "Zahlung zu {kz}",
)  # fmt: skip
UNREFERENCED_TEXTS = (
    "Rechnung {n}", "Zahlung", "Ueberweisung", "Miete Oktober", "Beitrag {n}", "Abschlag", "Bescheid vom {d}",
    "",
)  # fmt: skip
STRANGERS = (
    "Unbekannt GmbH", "Hausverwaltung Schmitt GmbH", "M. Mustermann", "Familie Klein", "Kanzlei Berger",
    "Autohaus Weber e.K.", "P. Schulz", "Verein Saarland e.V.",
)  # fmt: skip
RETURN_REASONS = ("MD06", "AC04", "MS03", "AM04")


# --- the statement (pure: no Django, no database) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficeFile:
    """What the statement needs of one debtor file: its number, the payer, the open claims."""

    number: str  # VA-000123
    payer: str
    iban: str  # "" when the office knows none: the payer then uses an invented account
    claims: tuple[tuple[str, int], ...]  # (Kassenzeichen, open cents)

    @property
    def open_cents(self) -> int:
        return sum(amount for _, amount in self.claims)


@dataclass(frozen=True, slots=True)
class Garnishment:
    """A file with a running PfEV Bank: its third-party debtor (the bank) may pay the office directly."""

    number: str
    bank: str


def kind_counts(entries: int) -> dict[str, int]:
    """Entries per kind: the shares, rounded by largest remainder; each kind at least once from 14 entries."""
    raw = {kind: share * entries for kind, share in KIND_SHARES}
    counts = {kind: int(value) for kind, value in raw.items()}
    rest = entries - sum(counts.values())
    for kind in sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True)[:rest]:
        counts[kind] += 1
    if entries >= 2 * len(KIND_SHARES):
        for kind in counts:
            while counts[kind] == 0:
                counts[max(counts, key=counts.__getitem__)] -= 1
                counts[kind] += 1
    return counts


def german_iban(bank_code: str, account: int) -> str:
    """A valid German IBAN (ISO 13616 check digits, MOD 97-10)."""
    bban = f"{bank_code}{account:010d}"
    check = 98 - int(bban + "131400") % 97
    return f"DE{check:02d}{bban}"


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _pay(rng: random.Random, open_cents: int) -> int:
    """Half in full, 40 % a part (whole euros), 10 % more than is open."""
    roll = rng.random()
    if roll < 0.5 or open_cents < 200:
        return max(open_cents, 1)
    if roll < 0.9:
        return max(100, round(open_cents * rng.uniform(0.1, 0.9) / 100) * 100)
    return open_cents + rng.choice((100, 500, 1000, 2500, 5000))


class StatementWriter:
    """Builds the entries of the statement in memory (small dicts), then streams the XML to a file."""

    def __init__(
        self,
        files: Sequence[OfficeFile],
        garnishments: Sequence[Garnishment],
        *,
        seed: int,
        day: dt.date,
        account_iban: str,
    ) -> None:
        if not files:
            raise ValueError("the office has no open files to pay")
        self.files = files
        self.garnishments = garnishments
        self.rng = random.Random(seed)
        self.day = day
        self.account_iban = account_iban
        self.e2e = 0

    # -- the parts of an entry -----------------------------------------------------------------------

    def _payer_iban(self, file: OfficeFile | None = None) -> str:
        if file is not None and file.iban:
            return file.iban
        return german_iban(self.rng.choice(daily.BANK_CODES), self.rng.randint(10_000, 9_999_999_999))

    def _end_to_end(self, prefix: str = "E2E") -> str:
        self.e2e += 1
        return f"{prefix}-{self.day:%Y%m%d}-{self.e2e:08d}"

    def _by_reference(self) -> dict[str, Any]:
        rng = self.rng
        file = rng.choice(self.files)
        return {
            "amount": _pay(rng, file.open_cents), "name": file.payer, "iban": self._payer_iban(file),
            "strd": payment_reference(file.number), "file": file.number,
            "e2e": self._end_to_end() if rng.random() < 0.7 else "NOTPROVIDED",
        }  # fmt: skip

    def _by_kassenzeichen(self) -> dict[str, Any]:
        rng = self.rng
        file = rng.choice(self.files)
        kassenzeichen, open_cents = rng.choice(file.claims)
        written = kassenzeichen.replace("-", " ") if rng.random() < 0.3 else kassenzeichen
        return {
            "amount": _pay(rng, open_cents), "name": file.payer, "iban": self._payer_iban(file),
            "ustrd": rng.choice(KASSENZEICHEN_TEXTS).format(kz=written),
            "e2e": self._end_to_end() if rng.random() < 0.5 else "NOTPROVIDED",
        }  # fmt: skip

    def _detail(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind == "reference":
            return self._by_reference()
        if kind == "kassenzeichen":
            return self._by_kassenzeichen()
        if kind == "third_party":
            if self.garnishments:
                garnishment = rng.choice(self.garnishments)
                number, bank = garnishment.number, garnishment.bank
            else:  # an office without a running garnishment: the payment becomes a Klärungsfall
                number, bank = rng.choice(self.files).number, "Sparkasse Saarbrücken"
            return {
                "amount": rng.randint(20, 2500) * 100, "name": bank, "iban": self._payer_iban(),
                "ustrd": f"Pfaendung {number} Drittschuldnerzahlung", "e2e": self._end_to_end("DS"),
            }  # fmt: skip
        # unreferenced: a debtor's name without any reference, or a stranger
        if rng.random() < 0.5:
            file = rng.choice(self.files)
            name, iban = file.payer, self._payer_iban(file)
        else:
            name, iban = rng.choice(STRANGERS), self._payer_iban()
        text = rng.choice(UNREFERENCED_TEXTS).format(
            n=rng.randint(1000, 99999),
            d=(self.day - dt.timedelta(days=rng.randint(20, 200))).strftime("%d.%m.%Y"),
        )
        return {"amount": rng.randint(5, 800) * 100 + rng.choice((0, 50)), "name": name, "iban": iban,
                "ustrd": text, "e2e": "NOTPROVIDED"}  # fmt: skip

    def _value_date(self) -> dt.date:
        return self.day - dt.timedelta(days=1) if self.rng.random() < 0.2 else self.day

    # -- the entries ------------------------------------------------------------------------------------

    def build(self, entries: int) -> list[dict[str, Any]]:
        rng = self.rng
        counts = kind_counts(entries)
        kinds = [kind for kind, count in counts.items() if kind != "returned" for _ in range(count)]
        rng.shuffle(kinds)
        primary: list[dict[str, Any]] = []
        for kind in kinds:
            entry: dict[str, Any] = {"kind": kind, "credit": True, "value_date": self._value_date()}
            if kind == "charges":
                entry.update(
                    credit=False, amount=rng.choice((15, 35, 50, 120, 250, 990, 1250, 2490)), details=[]
                )
            elif kind == "batch":
                details = [
                    self._detail("reference" if rng.random() < 0.6 else "kassenzeichen")
                    for _ in range(rng.choice((2, 3)))
                ]
                entry.update(amount=sum(d["amount"] for d in details), details=details)
            else:
                detail = self._detail(kind)
                entry.update(amount=detail["amount"], details=[detail])
            primary.append(entry)
        # Taking back earlier credits paid by reference: after their original, same end-to-end id and amount.
        eligible = [i for i, e in enumerate(primary) if e["kind"] == "reference"]
        originals = rng.sample(eligible, min(counts["returned"], len(eligible)))
        inserted: dict[int, list[dict[str, Any]]] = {}
        for number, index in enumerate(originals):
            original = primary[index]
            detail = original["details"][0]
            returned = number % 2 == 1
            if returned:  # the original was a direct debit the office collected under a mandate
                detail["e2e"] = self._end_to_end("DD")
                detail["mandate"] = f"M-{detail['file'].replace('-', '')}-01"
                original["direct_debit"] = True
            elif detail["e2e"] == "NOTPROVIDED":
                detail["e2e"] = self._end_to_end()
            back = {**detail, "return_reason": rng.choice(RETURN_REASONS) if returned else ""}
            back.pop("strd", None)
            entry = {
                "kind": "return" if returned else "reversal", "credit": False, "reversal": not returned,
                "amount": original["amount"], "value_date": self.day, "details": [back],
            }  # fmt: skip
            inserted.setdefault(rng.randint(index + 1, len(primary)), []).append(entry)
        ordered: list[dict[str, Any]] = []
        for position in range(len(primary) + 1):
            ordered.extend(inserted.get(position, ()))
            if position < len(primary):
                ordered.append(primary[position])
        return ordered

    # -- XML ----------------------------------------------------------------------------------------------

    def _detail_xml(self, entry: dict[str, Any], detail: dict[str, Any], servicer_ref: str) -> str:
        credit = entry["credit"]
        refs = f"<AcctSvcrRef>{servicer_ref}</AcctSvcrRef>" if servicer_ref else ""
        refs += f"<EndToEndId>{escape(detail['e2e'])}</EndToEndId>"
        if detail.get("mandate"):
            refs += f"<MndtId>{escape(detail['mandate'])}</MndtId>"
        name = escape(detail["name"][:140])
        office = f"<Pty><Nm>{OFFICE_NAME}</Nm></Pty>"
        parties = (
            f"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{detail['iban']}</IBAN></Id></DbtrAcct>"
            f"<Cdtr>{office}</Cdtr><CdtrAcct><Id><IBAN>{self.account_iban}</IBAN></Id></CdtrAcct>"
        )
        remittance = ""
        if detail.get("ustrd"):
            remittance += f"<Ustrd>{escape(detail['ustrd'][:140])}</Ustrd>"
        if detail.get("strd"):
            remittance += (
                "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
                f"<Ref>{detail['strd']}</Ref></CdtrRefInf></Strd>"
            )
        return_info = ""
        if detail.get("return_reason"):
            return_info = f"<RtrInf><Rsn><Cd>{detail['return_reason']}</Cd></Rsn></RtrInf>"
        return (
            f'<TxDtls><Refs>{refs}</Refs><Amt Ccy="EUR">{money(detail["amount"])}</Amt>'
            f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><RltdPties>{parties}</RltdPties>"
            f"{f'<RmtInf>{remittance}</RmtInf>' if remittance else ''}{return_info}</TxDtls>"
        )

    def _entry_xml(self, position: int, entry: dict[str, Any]) -> str:
        kind = entry["kind"]
        servicer_ref = f"BENCH-{self.day:%Y%m%d}-{position:07d}"
        if kind == "charges":
            code = "<Domn><Cd>ACMT</Cd><Fmly><Cd>MDOP</Cd><SubFmlyCd>CHRG</SubFmlyCd></Fmly></Domn>"
            info = "ENTGELT KONTOFUEHRUNG"
        elif kind == "return":
            code = "<Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn>"
            info = "RUECKLASTSCHRIFT"
        elif kind == "reversal":
            code = "<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn>"
            info = "STORNO GUTSCHRIFT"
        elif entry.get("direct_debit"):
            code = "<Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn>"
            info = "SEPA-LASTSCHRIFT"
        else:
            code = (
                "<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
                "<Prtry><Cd>NTRF+166</Cd><Issr>DK</Issr></Prtry>"
            )
            info = "SAMMEL-GUTSCHRIFT" if kind == "batch" else "SEPA-GUTSCHRIFT"
        amount = money(entry["amount"])
        parts = [
            f'<Ntry><NtryRef>{position:07d}</NtryRef><Amt Ccy="EUR">{amount}</Amt>'
            f"<CdtDbtInd>{'CRDT' if entry['credit'] else 'DBIT'}</CdtDbtInd>",
            "<RvslInd>true</RvslInd>" if entry.get("reversal") else "",
            f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{self.day.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{entry['value_date'].isoformat()}</Dt></ValDt><AcctSvcrRef>{servicer_ref}</AcctSvcrRef>"
            f"<BkTxCd>{code}</BkTxCd>",
        ]
        if kind == "charges":
            parts.append(
                f'<Chrgs><TtlChrgsAndTaxAmt Ccy="EUR">{amount}</TtlChrgsAndTaxAmt><Rcrd><Amt Ccy="EUR">{amount}'
                "</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd></Rcrd></Chrgs>"
            )
        details = entry["details"]
        if details:
            parts.append("<NtryDtls>")
            if len(details) > 1:
                parts.append(
                    f'<Btch><NbOfTxs>{len(details)}</NbOfTxs><TtlAmt Ccy="EUR">{amount}</TtlAmt>'
                    "<CdtDbtInd>CRDT</CdtDbtInd></Btch>"
                )
                for number, detail in enumerate(details, start=1):
                    parts.append(self._detail_xml(entry, detail, f"{servicer_ref}-{number}"))
            else:
                parts.append(self._detail_xml(entry, details[0], ""))
            parts.append("</NtryDtls>")
        parts.append(f"<AddtlNtryInf>{info}</AddtlNtryInf></Ntry>\n")
        return "".join(parts)

    def write(self, path: Path, entries: int) -> dict[str, Any]:
        """Write the statement with ``entries`` entries to ``path``; returns what it contains."""
        built = self.build(entries)
        credits = sum(e["amount"] for e in built if e["credit"])
        debits = sum(e["amount"] for e in built if not e["credit"])
        opening = 250_000_000  # 2.5 million EUR on the account in the morning
        closing = opening + credits - debits
        day = self.day.isoformat()
        stamp = f"{day}T06:00:00.000+01:00"
        net = credits - debits

        def balance(code: str, cents: int) -> str:
            return (
                f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{money(abs(cents))}</Amt>'
                f"<CdtDbtInd>{'CRDT' if cents >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n"
            )

        message_id = f"BENCH053-{self.day:%Y%m%d}-{entries}"
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="{NAMESPACE}"><BkToCstmrStmt>\n'
            f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{stamp}</CreDtTm>"
            "<MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>\n"
            f"<Stmt><Id>STMT-{self.day:%Y%m%d}-{entries}</Id><LglSeqNb>{self.day.timetuple().tm_yday}</LglSeqNb>"
            f"<CreDtTm>{stamp}</CreDtTm><Acct><Id><IBAN>{self.account_iban}</IBAN></Id><Ccy>EUR</Ccy>"
            f"<Ownr><Nm>{OFFICE_NAME}</Nm></Ownr></Acct>\n"
            + balance("OPBD", opening)
            + balance("CLBD", closing)
            + f"<TxsSummry><TtlNtries><NbOfNtries>{len(built)}</NbOfNtries><Sum>{money(credits + debits)}</Sum>"
            f"<TtlNetNtry><Amt>{money(abs(net))}</Amt><CdtDbtInd>{'CRDT' if net >= 0 else 'DBIT'}</CdtDbtInd>"
            f"</TtlNetNtry></TtlNtries><TtlCdtNtries><NbOfNtries>{sum(e['credit'] for e in built)}</NbOfNtries>"
            f"<Sum>{money(credits)}</Sum></TtlCdtNtries><TtlDbtNtries>"
            f"<NbOfNtries>{sum(not e['credit'] for e in built)}</NbOfNtries><Sum>{money(debits)}</Sum>"
            "</TtlDbtNtries></TxsSummry>\n"
        )
        with path.open("w", encoding="utf-8", newline="\n") as out:
            out.write(head)
            chunk: list[str] = []
            for position, entry in enumerate(built, start=1):
                chunk.append(self._entry_xml(position, entry))
                if len(chunk) >= 2000:
                    out.write("".join(chunk))
                    chunk = []
            out.write("".join(chunk))
            out.write("</Stmt></BkToCstmrStmt></Document>\n")
        by_kind: dict[str, int] = {}
        for entry in built:
            by_kind[entry["kind"]] = by_kind.get(entry["kind"], 0) + 1
        return {
            "entries": len(built),
            "bookings": sum(max(1, len(e["details"])) for e in built),
            "by_kind": dict(sorted(by_kind.items())),
            "credits_cents": credits,
            "debits_cents": debits,
            "opening_cents": opening,
            "closing_cents": closing,
            "bytes": path.stat().st_size,
        }


def payment_reference(case_number: str) -> str:
    from kofo.cases.references import payment_reference as reference

    return reference(case_number)


def write_statement(
    path: Path,
    files: Sequence[OfficeFile],
    garnishments: Sequence[Garnishment],
    *,
    entries: int,
    seed: int,
    day: dt.date,
    account_iban: str,
) -> dict[str, Any]:
    """The camt.053.001.08 statement of the bench, ``entries`` entries, streamed to ``path``."""
    writer = StatementWriter(files, garnishments, seed=seed, day=day, account_iban=account_iban)
    return writer.write(path, entries)


# --- the subprocesses ---------------------------------------------------------------------------------------


def _payer(display_name: str, kind: str) -> str:
    """How a bank shows the payer: ``Anna Müller`` for the debtor ``Müller, Anna``."""
    if kind == "natural" and ", " in display_name:
        surname, given = display_name.split(", ", 1)
        return f"{given} {surname}"
    return display_name


def read_office() -> tuple[list[OfficeFile], list[Garnishment], str]:
    """The open files of the generated office with their open claims, the running PfEV Bank, the IBAN."""
    from django.db import connection

    from kofo.cases.models import (
        Case,
        CaseStatus,
        Claim,
        ClaimStatus,
        Measure,
        MeasureKind,
        MeasureStatus,
        ThirdParty,
    )
    from kofo.debtors.models import Debtor, DebtorRecord
    from kofo.partners.models import Office

    office = Office.current()
    if office is None:
        raise SystemExit("bench/payments.py: the generated office has no Office row")
    files: list[OfficeFile] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.number, d.display_name, d.kind, r.iban, c.kassenzeichen, "  # noqa: S608
            f"c.principal_cents + c.surcharges_cents + c.reminder_fee_cents + c.prior_costs_cents "
            f"FROM {Claim._meta.db_table} c JOIN {DebtorRecord._meta.db_table} r ON r.id = c.debtor_record_id "
            f"JOIN {Case._meta.db_table} k ON k.debtor_id = r.debtor_id "
            f"JOIN {Debtor._meta.db_table} d ON d.id = r.debtor_id "
            f"WHERE c.status IN (%s, %s) AND k.status <> %s ORDER BY k.id, c.id",
            [ClaimStatus.OPEN, ClaimStatus.DEFERRED, CaseStatus.CLOSED],
        )
        current: tuple[str, str, str] | None = None
        claims: list[tuple[str, int]] = []
        for number, name, kind, iban, kassenzeichen, open_cents in cursor:
            if current is not None and number != current[0]:
                files.append(OfficeFile(current[0], current[1], current[2], tuple(claims)))
                claims = []
            if current is None or number != current[0]:
                current = (number, _payer(name, kind), iban or "")
            elif iban and not current[2]:
                current = (current[0], current[1], iban)
            claims.append((kassenzeichen, int(open_cents)))
        if current is not None:
            files.append(OfficeFile(current[0], current[1], current[2], tuple(claims)))
        cursor.execute(
            f"SELECT k.number, t.name FROM {Measure._meta.db_table} m "  # noqa: S608
            f"JOIN {Case._meta.db_table} k ON k.id = m.case_id JOIN {ThirdParty._meta.db_table} t "
            f"ON t.id = m.third_party_id WHERE m.kind = %s AND m.status = %s ORDER BY m.id",
            [MeasureKind.PFEV_BANK, MeasureStatus.ACTIVE],
        )
        garnishments = [Garnishment(number, bank) for number, bank in cursor.fetchall()]
    return files, garnishments, office.iban


def write(args: argparse.Namespace) -> dict[str, Any]:
    daily._setup_django()
    started = time.perf_counter()
    files, garnishments, iban = read_office()
    read = time.perf_counter()
    written = write_statement(
        Path(args.camt), files, garnishments, entries=args.entries, seed=args.seed,
        day=dt.date.fromisoformat(args.run_date), account_iban=iban,
    )  # fmt: skip
    done = time.perf_counter()
    return {
        **written,
        "office_files": len(files),
        "running_garnishments": len(garnishments),
        "read_office_seconds": round(read - started, 2),
        "write_seconds": round(done - read, 2),
    }


def _counts() -> dict[str, Any]:
    from django.db.models import Count

    from kofo.payments.models import BankEntry, Clarification, EntryOutcome, Payment, PaymentReversal, Refund

    outcomes = {
        f"{row['kind']}:{row['outcome']}": row["n"]
        for row in BankEntry.objects.order_by().values("kind", "outcome").annotate(n=Count("id"))
    }
    rules = {
        row["match_rule"] or "-": row["n"]
        for row in BankEntry.objects.order_by().values("match_rule").annotate(n=Count("id"))
    }
    return {
        "bank_entries": BankEntry.objects.count(),
        "kind_outcome": dict(sorted(outcomes.items())),
        "match_rule": dict(sorted(rules.items())),
        "clarifications": Clarification.objects.count(),
        # credits that carried an RF reference in Strd and still became a Klärungsfall
        "clarifications_with_structured_reference": BankEntry.objects.filter(
            outcome=EntryOutcome.CLARIFICATION
        )
        .exclude(structured_reference="")
        .count(),
        "payments": Payment.objects.count(),
        "payment_reversals": PaymentReversal.objects.count(),
        "refunds_proposed": Refund.objects.count(),
    }


def _ledger_check(first_transaction: int) -> dict[str, Any]:
    from django.db import connection

    from kofo.ledger.models import Posting, Transaction

    postings, transactions = Posting._meta.db_table, Transaction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(amount_cents), 0), COUNT(*) FROM {postings}")  # noqa: S608
        total, count = cursor.fetchone()
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT t.id FROM {transactions} t LEFT JOIN {postings} p "  # noqa: S608
            f"ON p.transaction_id = t.id WHERE t.id >= %s GROUP BY t.id "
            f"HAVING COUNT(p.id) < 2 OR COALESCE(SUM(p.amount_cents), 0) <> 0) unbalanced",
            [first_transaction],
        )
        unbalanced = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {transactions} WHERE id >= %s", [first_transaction])  # noqa: S608
        new = cursor.fetchone()[0]
    return {
        "postings_sum_cents": int(total),
        "postings": count,
        "transactions_of_the_run": new,
        "unbalanced_transactions_of_the_run": unbalanced,
        "balanced": int(total) == 0 and unbalanced == 0,
    }


def _import(name: str, data: bytes, actor: Any) -> tuple[Any, str]:
    """``do_import_bank_file`` as the CLI calls it (no transaction around it); an exception after the
    bookings (the file's final audit event needs a transaction) is reported, the stored import returned."""
    from kofo.audit.recording import NotInTransactionError
    from kofo.payments.imports import do_import_bank_file
    from kofo.payments.models import BankImport

    try:
        return do_import_bank_file(name, data, actor=actor), ""
    except NotInTransactionError as error:
        print(f"  do_import_bank_file raised {error!r}", file=sys.stderr, flush=True)
        return BankImport.objects.order_by("-pk").first(), f"{type(error).__name__}: {error}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    daily._setup_django()
    from django.db import connection
    from lxml import etree  # type: ignore[import-untyped]

    from kofo.audit.actors import SystemActor
    from kofo.ledger.models import Transaction
    from kofo.limits import BANK_UNPACKED_BYTES_MAX
    from kofo.partners.models import Partner
    from kofo.payments.camt import read_statements
    from kofo.payments.remittance import do_remittance_run

    actor = SystemActor(ACTOR_NAME)
    path = Path(args.camt)
    data = path.read_bytes()
    day = dt.date.fromisoformat(args.run_date)

    # (a) the floor: lxml's bare streaming parse of the same file
    started = time.perf_counter()
    parsed = 0
    for _, elem in etree.iterparse(str(path), events=("end",), tag=NTRY_TAG):
        parsed += 1
        elem.clear()
    lxml_seconds = time.perf_counter() - started

    # (b) kofo's reader
    started = time.perf_counter()
    statements = read_statements(data, max_bytes=BANK_UNPACKED_BYTES_MAX)
    read_seconds = time.perf_counter() - started
    entries = sum(len(s.entries) for s in statements)
    del statements

    # (c) end to end
    first_transaction = (Transaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    profiler = cProfile.Profile() if args.profile else None
    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    print(f"  {connection.vendor}: importing {entries} entries", file=sys.stderr, flush=True)
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    first, first_error = _import(path.name, data, actor)
    import_seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
    import_cpu = time.process_time() - cpu
    load_after = os.getloadavg()[0]
    print(f"  {connection.vendor}: imported in {import_seconds:.1f} s", file=sys.stderr, flush=True)

    # the same file again: every entry known, nothing booked
    started = time.perf_counter()
    second, second_error = _import(path.name, data, actor)
    again_seconds = time.perf_counter() - started

    counts = _counts()

    # (d) the remittance run for every partner
    partners = Partner.objects.count()
    remittance_profiler = cProfile.Profile() if args.profile else None
    if remittance_profiler is not None:
        remittance_profiler.enable()
    started = time.perf_counter()
    remittance = do_remittance_run(until=day, actor=actor)
    remittance_seconds = time.perf_counter() - started
    if remittance_profiler is not None:
        remittance_profiler.disable()
    ledger = _ledger_check(first_transaction)

    out: dict[str, Any] = {
        "entries": entries,
        "lxml_parse": {"seconds": round(lxml_seconds, 3), "entries_per_s": round(parsed / lxml_seconds)},
        "read_statements": {
            "seconds": round(read_seconds, 3),
            "entries_per_s": round(entries / read_seconds),
        },
        "import": {
            "seconds": round(import_seconds, 2),
            "entries_per_s": round(entries / import_seconds, 1),
            "python_cpu_seconds": round(import_cpu, 1),
            "status": first.status,
            "entries_new": first.entries_new,
            "matched": first.matched,
            "clarification": first.clarification,
        },
        "ratio_to_lxml": round(import_seconds / lxml_seconds, 1),
        "ratio_read_statements_to_lxml": round(read_seconds / lxml_seconds, 2),
        "import_again": {
            "seconds": round(again_seconds, 2),
            "entries_new": second.entries_new,
            "entries_known": second.entries_known,
        },
        **(
            {"import_errors": [e for e in (first_error, second_error) if e]}
            if first_error or second_error
            else {}
        ),
        "remittance": {
            "seconds": round(remittance_seconds, 2),
            "partners": partners,
            "partners_paid": remittance.remittances.count() if remittance else 0,
            "transfers": remittance.transfers if remittance else 0,
            "total_cents": remittance.total_cents if remittance else 0,
        },
        "counts": counts,
        "ledger": ledger,
        # 1-minute load average before and after the import: other work on the machine makes times noisy.
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "peak_rss_mb": round(daily._peak_rss_mb()),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('shared_buffers'), current_setting('synchronous_commit')")
            shared_buffers, synchronous_commit = cursor.fetchone()
        out["server"] = {"shared_buffers": shared_buffers, "synchronous_commit": synchronous_commit}
    if profiler is not None and remittance_profiler is not None:
        out["profile"] = []
        for part, stats in (("import", profiler), ("remittance", remittance_profiler)):
            target = Path(args.profile) / f"payments-{part}-{connection.vendor}-{entries}.prof"
            target.parent.mkdir(parents=True, exist_ok=True)
            stats.dump_stats(str(target))
            text = io.StringIO()
            pstats.Stats(stats, stream=text).sort_stats("cumulative").print_stats(15)
            print(f"# {part}\n{text.getvalue()}", file=sys.stderr)
            out["profile"].append(str(target))
        out["profiled"] = True  # times include cProfile's overhead
    return out


# --- driver ----------------------------------------------------------------------------------------------


def _child(step: str, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    return daily.run_child(__file__, step, argv, env)


def _summary(results: list[dict[str, Any]], partners: int) -> dict[str, Any]:
    summary: dict[str, Any] = {"bench": "payments", "summary": True, "partners": partners}
    for line in results:
        backend, entries = line["backend"], line["entries"]
        prefix = f"{backend}_{entries}"
        seconds = line["import"]["seconds"]
        suffix = "" if entries == TARGET_ENTRIES else "_extrapolated"
        projected = seconds * TARGET_ENTRIES / entries
        summary[f"{prefix}_entries_per_s"] = line["import"]["entries_per_s"]
        summary[f"{prefix}_ratio_to_lxml"] = line["ratio_to_lxml"]
        summary[f"{prefix}_seconds_for_100k{suffix}"] = round(projected, 1)
        summary[f"{prefix}_under_60_s_for_100k{suffix}"] = projected <= TARGET_SECONDS
        remittance = line["remittance"]
        label = "" if partners == TARGET_PARTNERS else f"_with_{partners}_partners"
        summary[f"{prefix}_remittance_seconds{label}"] = remittance["seconds"]
        summary[f"{prefix}_remittance_under_30_s{label}"] = remittance["seconds"] <= TARGET_REMITTANCE_SECONDS
        summary[f"{prefix}_idempotent"] = line["import_again"]["entries_new"] == 0
        summary[f"{prefix}_ledger_balanced"] = line["ledger"]["balanced"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description="camt.053 import and remittance over a generated office")
    parser.add_argument(
        "--entries",
        default=str(TARGET_ENTRIES),
        help="entries of the statement, comma-separated (default 100,000)",
    )
    parser.add_argument(
        "--claims", type=int, default=daily.TARGET_CLAIMS, help="claims of the office (1,000,000)"
    )
    parser.add_argument(
        "--files", type=int, help="debtor files of the office instead (claims = files × ratio)"
    )
    parser.add_argument("--files-ratio", type=float, default=2.5, help="claims per debtor file (default 2.5)")
    parser.add_argument("--partners", type=int, default=TARGET_PARTNERS)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--run-date", default=daily.DEFAULT_RUN_DATE, help="statement date (default the run date)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="profile the import and the remittance; stats to DIR, top 15 to stderr",
    )
    parser.add_argument(
        "--cache",
        metavar="DIR",
        type=Path,
        help="keep and reuse the generated office (bench/daily.py --cache)",
    )
    parser.add_argument("--child", choices=["write", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--camt", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        args.entries = int(args.entries)
        result = write(args) if args.child == "write" else run(args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        return

    sizes = [int(s) for s in args.entries.split(",") if s.strip()]
    claims = round(args.files * args.files_ratio) if args.files else args.claims
    if len(sizes) > 1 and args.cache is None:
        print("# several --entries without --cache: the office is generated for each", file=sys.stderr)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not daily._pg_available():
        print("# PostgreSQL on 127.0.0.1:5432 not reachable: SQLite only", file=sys.stderr)
        backends.remove("postgresql")
    office_argv = [
        "--claims", str(claims), "--files-ratio", str(args.files_ratio), "--partners", str(args.partners),
        "--seed", str(args.seed), "--run-date", args.run_date, "--accrued-months", "0",
    ]  # fmt: skip
    results: list[dict[str, Any]] = []
    for backend in backends:
        for size in sizes:
            with tempfile.TemporaryDirectory(prefix="kofo-bench-payments-") as tmp:
                env = {
                    **os.environ,
                    "KOFO_DEBUG": "0",
                    "KOFO_SECRET_KEY": secrets.token_urlsafe(50),
                    "KOFO_DATA_DIR": tmp,
                    "KOFO_LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(REPO / "src"),
                }
                name = f"kofo_bench_payments_{os.getpid()}"
                if backend == "sqlite":
                    env["KOFO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"  # daily's file name
                else:
                    daily._pg_admin(f"DROP DATABASE IF EXISTS {name}")
                    daily._pg_admin(f"CREATE DATABASE {name}")
                    env["KOFO_DATABASE_URL"] = f"{daily.PG_SERVER}/{name}"
                camt = Path(tmp) / f"camt053-{size}.xml"
                argv = [
                    "--seed",
                    str(args.seed),
                    "--run-date",
                    args.run_date,
                    "--entries",
                    str(size),
                    "--camt",
                    str(camt),
                ]
                try:
                    print(f"# {backend}: office of {claims} claims", file=sys.stderr, flush=True)
                    generated = daily._generated_state(backend, office_argv, env, tmp, name, args.cache)
                    print(f"# {backend}: writing a statement of {size} entries", file=sys.stderr, flush=True)
                    written = _child("write", argv, env)
                    print(f"# {backend}: import and remittance", file=sys.stderr, flush=True)
                    measured = _child(
                        "run", [*argv, *(["--profile", args.profile] if args.profile else [])], env
                    )
                finally:
                    if backend == "postgresql":
                        with contextlib.suppress(Exception):
                            daily._pg_admin(f"DROP DATABASE IF EXISTS {name}")
            line = {
                "bench": "payments",
                "backend": backend,
                "claims": claims,
                "files": round(claims / args.files_ratio),
                "partners": args.partners,
                "seed": args.seed,
                "statement_date": args.run_date,
                **measured,
                "statement": written,
                "generate": generated,
            }
            results.append(line)
            print(json.dumps(line, ensure_ascii=False), flush=True)
    print(json.dumps(_summary(results, args.partners)), flush=True)


if __name__ == "__main__":
    main()
