"""Reading ISO 20022 bank statements: camt.053 (statement) and camt.054 (debit/credit notification).

Pure module: no Django, no I/O besides the bytes it is given. The bank hands the office one XML document,
or a ZIP of several (the usual EBICS download); :func:`read_upload` unpacks it defensively and
:func:`read_statements` turns each document into :class:`Statement` objects with their :class:`Entry`
bookings and the :class:`TransactionDetail` of each (a batch booking has several).

Sources: ISO 20022 message definitions camt.053.001.xx / camt.054.001.xx (iso20022.org); the German usage
follows Deutsche Kreditwirtschaft, "Spezifikation der Datenformate", Anlage 3 (SEPA-Datenformate,
camt-Meldungen). Versions 001.02 to 001.13 are read; the version is taken from the namespace. Where the
versions differ, both spellings are read:

* entry status: ``Sts`` text (to 001.06) or ``Sts/Cd`` (from 001.07);
* party name: ``Dbtr/Nm`` (to 001.06) or ``Dbtr/Pty/Nm`` (from 001.07);
* amount of a transaction detail: ``TxDtls/Amt`` (from 001.03) or ``TxDtls/AmtDtls/TxAmt/Amt`` (001.02,
  ``InstdAmt/Amt`` as last resort); the entry's amount when the only detail states none;
* charges: ``Chrgs/Amt``, repeated (001.02), or ``Chrgs/Rcrd/Amt`` (from 001.03).

Reversals: ISO 20022 books the reversal of a credit as ``DBIT`` with ``RvslInd`` true (and vice versa), so
``credit`` always says in which direction the money moved on the account.

Hardening (the file comes from outside): the document is parsed with entities unresolved, no DTD loaded,
no network and libxml2's size limits on (``huge_tree=False``); a document with any DOCTYPE is refused
before a single entity could be used, which rules out "billion laughs" and external entities (XXE). The
parse streams: each ``Ntry`` is read when its end tag arrives and then removed from the tree, so a
statement with 100,000 entries stays flat in memory.

Amounts are converted to integer cents from their decimal text by integer arithmetic (exact, like
``Decimal``); no float ever touches them.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

#: Largest statement file (and largest total uncompressed size of a ZIP) read by default.
MAX_BYTES_DEFAULT = 200 * 1024 * 1024
#: Most XML files in one ZIP upload.
MAX_MEMBERS_DEFAULT = 500
#: Chunk size while decompressing a ZIP member: the size limit is checked after every chunk.
_ZIP_CHUNK_BYTES = 64 * 1024

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.(001\.(\d\d))$")
_VERSION_MIN = 2
_VERSION_MAX = 13
_ROOT_CHILD = {"camt.053": "BkToCstmrStmt", "camt.054": "BkToCstmrDbtCdtNtfctn"}
_STATEMENT = {"camt.053": "Stmt", "camt.054": "Ntfctn"}

#: xs:decimal as the ISO amount types allow it (non-negative, at most 18 digits, 5 after the point).
_AMOUNT = re.compile(r"^\+?([0-9]{0,18})(?:\.([0-9]{0,5}))?$")
_NOT_PROVIDED = "NOTPROVIDED"

_ZIP_MAGIC = (
    b"PK\x03\x04",  # zip
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
)
#: Other archive formats: never read, and never accepted inside a ZIP (no nested archives).
_OTHER_ARCHIVE_MAGIC = (
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"7z\xbc\xaf\x27\x1c",  # 7-zip
    b"Rar!\x1a\x07",  # rar
    b"\x28\xb5\x2f\xfd",  # zstd
)
_ARCHIVE_MAGIC = _ZIP_MAGIC + _OTHER_ARCHIVE_MAGIC
_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar", ".zst", ".jar")
_XML_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: "<!DOCTYPE" as it appears in UTF-8 (and every ASCII-compatible encoding) and in UTF-16.
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))
#: libxml2 options for every parse: no entity substitution, no DTD, no network, default size limits.
_PARSE_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}
_DOCTYPE_MESSAGE = (
    "Die Datei enthält eine DOCTYPE-Deklaration. Kontoauszüge nach ISO 20022 haben keine; aus "
    "Sicherheitsgründen (Entitäten, externe Verweise) wird die Datei nicht gelesen."
)


class CamtError(Exception):
    """A bank statement file that cannot be read: machine ``code``, German ``message``, source ``line``."""

    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        # All three as args, so the exception survives pickling (task queues) with its code and line.
        super().__init__(code, message, line)
        self.code = code
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CamtError({self.code!r}, {self.message!r}, line={self.line!r})"


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    """One transaction inside an entry (``NtryDtls/TxDtls``)."""

    amount_cents: int
    credit: bool
    end_to_end_id: str
    mandate_id: str
    account_servicer_ref: str
    instruction_id: str
    payer_name: str
    payer_iban: str
    payee_name: str
    payee_iban: str
    ultimate_payer: str
    remittance: str
    structured_reference: str
    return_reason: str
    bank_tx_code: str
    charges_cents: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One booking on the account (``Ntry``); a batch booking carries several details."""

    index: int
    line: int
    entry_ref: str
    account_servicer_ref: str
    amount_cents: int
    credit: bool
    reversal: bool
    status: str
    booking_date: datetime.date | None
    value_date: datetime.date | None
    currency: str
    bank_tx_code: str
    charges_cents: int
    additional_info: str
    details: tuple[TransactionDetail, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """One account statement (camt.053 ``Stmt``) or notification (camt.054 ``Ntfctn``)."""

    kind: str
    version: str
    message_id: str
    created_at: datetime.datetime | None
    statement_id: str
    sequence: str
    account_iban: str
    currency: str
    opening_cents: int | None
    opening_date: datetime.date | None
    closing_cents: int | None
    closing_date: datetime.date | None
    entries: tuple[Entry, ...]


# --------------------------------------------------------------------------------------------------------
# Small readers of values (namespace-independent)


def _line(elem: Any) -> int | None:
    line = elem.sourceline
    return int(line) if line is not None else None


def _cents(elem: Any) -> int:
    """Integer cents of an ISO amount element (``<Amt Ccy="EUR">150.00</Amt>``), exact."""
    raw = elem.text
    raw = raw.strip() if raw else ""
    whole, _, fraction = raw.partition(".")
    # Fast path for the usual "150.00"; anything else goes through the full pattern and its messages.
    if (
        len(fraction) == 2
        and whole.isascii()
        and whole.isdigit()
        and fraction.isascii()
        and fraction.isdigit()
        and len(whole) <= 16
    ):
        return int(whole) * 100 + int(fraction)
    match = _AMOUNT.match(raw)
    if match is None or not (match.group(1) or match.group(2)):
        raise CamtError(
            "camt.amount",
            f"Ungültiger Betrag „{raw[:40]}“ (Zeile {_line(elem)}): erwartet wird eine Zahl mit Punkt als "
            "Dezimaltrennzeichen, z. B. 12.50.",
            _line(elem),
        )
    whole, fraction = match.group(1) or "0", match.group(2) or ""
    if fraction[2:].strip("0"):
        raise CamtError(
            "camt.amount",
            f"Betrag „{raw}“ (Zeile {_line(elem)}) hat mehr als zwei Nachkommastellen.",
            _line(elem),
        )
    return int(whole) * 100 + int((fraction + "00")[:2])


def _credit(elem: Any) -> bool:
    value = elem.text
    value = value.strip() if value else ""
    if value == "CRDT":
        return True
    if value == "DBIT":
        return False
    raise CamtError(
        "camt.value",
        f"Soll/Haben-Kennzeichen „{value[:20]}“ (Zeile {_line(elem)}) ist weder CRDT noch DBIT.",
        _line(elem),
    )


def _boolean(elem: Any) -> bool:
    value = (elem.text or "").strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise CamtError(
        "camt.value",
        f"Wahrheitswert „{value[:20]}“ (Zeile {_line(elem)}) ist weder true noch false.",
        _line(elem),
    )


def _datetime(elem: Any) -> datetime.datetime:
    raw = (elem.text or "").strip()
    try:
        return datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise CamtError(
            "camt.date", f"Ungültiger Zeitpunkt „{raw[:40]}“ (Zeile {_line(elem)}).", _line(elem)
        ) from None


def _date(elem: Any) -> datetime.date:
    raw = (elem.text or "").strip()
    try:
        # xs:date may carry a zone ("2026-11-24+01:00"); the calendar day is what the bank booked.
        if len(raw) > 10 and raw[10] not in "+-Z":
            raise ValueError(raw)
        return datetime.date.fromisoformat(raw[:10])
    except ValueError:
        raise CamtError(
            "camt.date", f"Ungültiges Datum „{raw[:40]}“ (Zeile {_line(elem)}).", _line(elem)
        ) from None


def _missing(what: str, elem: Any) -> CamtError:
    return CamtError("camt.missing", f"{what} fehlt (Zeile {_line(elem)}).", _line(elem))


# --------------------------------------------------------------------------------------------------------
# The readers of one document: tag names qualified once, bound as closure constants (the hot path reads
# every entry's children in one loop each; that is several times faster than a findtext per field).


class _Reader:
    """Readers for the elements of one document, with its namespace-qualified tag names."""

    def __init__(self, namespace: str) -> None:
        def q(local: str) -> str:
            return f"{{{namespace}}}{local}"

        acct, acct_svcr_ref, addtl_ntry_inf = q("Acct"), q("AcctSvcrRef"), q("AddtlNtryInf")
        agt, amt = q("Agt"), q("Amt")
        amt_dtls, bal, bk_tx_cd, bookg_dt = q("AmtDtls"), q("Bal"), q("BkTxCd"), q("BookgDt")
        ccy, cd, cd_or_prtry, cdt_dbt_ind = q("Ccy"), q("Cd"), q("CdOrPrtry"), q("CdtDbtInd")
        cdtr, cdtr_acct, cdtr_ref_inf, chrgs = q("Cdtr"), q("CdtrAcct"), q("CdtrRefInf"), q("Chrgs")
        cre_dt_tm, dbtr, dbtr_acct, domn = q("CreDtTm"), q("Dbtr"), q("DbtrAcct"), q("Domn")
        dt, dt_tm, elctrnc_seq_nb, end_to_end_id = q("Dt"), q("DtTm"), q("ElctrncSeqNb"), q("EndToEndId")
        fin_instn_id, fmly, iban, id_ = q("FinInstnId"), q("Fmly"), q("IBAN"), q("Id")
        instd_amt, instr_id, lgl_seq_nb, mndt_id = q("InstdAmt"), q("InstrId"), q("LglSeqNb"), q("MndtId")
        msg_id, nm, ntry, ntry_dtls, ntry_ref = q("MsgId"), q("Nm"), q("Ntry"), q("NtryDtls"), q("NtryRef")
        prtry, pty, rcrd, ref, refs = q("Prtry"), q("Pty"), q("Rcrd"), q("Ref"), q("Refs")
        rltd_pties, rmt_inf, rsn, rtr_inf = q("RltdPties"), q("RmtInf"), q("Rsn"), q("RtrInf")
        rvsl_ind, strd, sts, sub_fmly_cd = q("RvslInd"), q("Strd"), q("Sts"), q("SubFmlyCd")
        tp, ttl_chrgs, tx_amt, tx_dtls = q("Tp"), q("TtlChrgsAndTaxAmt"), q("TxAmt"), q("TxDtls")
        ultmt_dbtr, ustrd, val_dt = q("UltmtDbtr"), q("Ustrd"), q("ValDt")

        def child_text(elem: Any, tag: str) -> str:
            for child in elem:
                if child.tag == tag:
                    text = child.text
                    return text.strip() if text else ""
            return ""

        def date_choice(elem: Any) -> datetime.date | None:
            """``Dt`` (ISO date) or ``DtTm`` (its date as written, not converted to another zone)."""
            for child in elem:
                tag = child.tag
                if tag == dt:
                    return _date(child)
                if tag == dt_tm:
                    return _datetime(child).date()
            return None

        def bank_tx_code(elem: Any) -> str:
            """``PMNT/RCDT/ESCT`` from the ISO domain, else the proprietary code (``NTRF+166``)."""
            proprietary = ""
            for child in elem:
                tag = child.tag
                if tag == domn:
                    domain = family = sub_family = ""
                    for part in child:
                        if part.tag == cd:
                            domain = (part.text or "").strip()
                        elif part.tag == fmly:
                            for code in part:
                                if code.tag == cd:
                                    family = (code.text or "").strip()
                                elif code.tag == sub_fmly_cd:
                                    sub_family = (code.text or "").strip()
                    if domain:
                        return f"{domain}/{family}/{sub_family}"
                elif tag == prtry:
                    proprietary = child_text(child, cd)
            return proprietary

        def charges(elem: Any) -> int:
            """Cents of one ``Chrgs``: its ``Amt`` (001.02) or the sum of its ``Rcrd/Amt`` (from 001.03)."""
            total = records = 0
            overall = None
            for child in elem:
                tag = child.tag
                if tag == amt:
                    total += _cents(child)
                    records += 1
                elif tag == rcrd:
                    for part in child:
                        if part.tag == amt:
                            total += _cents(part)
                            records += 1
                elif tag == ttl_chrgs:
                    overall = child
            if not records and overall is not None:
                return _cents(overall)
            return total

        def party_name(elem: Any) -> str:
            """``Nm`` (to 001.06), ``Pty/Nm`` or an agent's ``Agt/FinInstnId/Nm`` (from 001.07)."""
            for child in elem:
                tag = child.tag
                if tag == nm:
                    text = child.text
                    return text.strip() if text else ""
                if tag == pty:
                    return child_text(child, nm)
                if tag == agt:
                    for institution in child:
                        if institution.tag == fin_instn_id:
                            return child_text(institution, nm)
                    return ""
            return ""

        def account_iban(elem: Any) -> str:
            for child in elem:
                if child.tag == id_:
                    return child_text(child, iban)
            return ""

        def detail(
            tx: Any, entry_cents: int, entry_credit: bool, entry_code: str, single: bool
        ) -> TransactionDetail:
            amount_cents: int | None = None
            amount_details: Any = None
            credit = entry_credit
            end_to_end = mandate = servicer_ref = instruction = ""
            payer_name = payer_iban = payee_name = payee_iban = ultimate_payer = ""
            remittance: list[str] = []
            reference = return_reason = ""
            code = entry_code
            charges_cents = 0
            for child in tx:
                tag = child.tag
                if tag == refs:
                    for item in child:
                        itag = item.tag
                        text = item.text
                        if itag == end_to_end_id:
                            end_to_end = text.strip() if text else ""
                        elif itag == mndt_id:
                            mandate = text.strip() if text else ""
                        elif itag == acct_svcr_ref:
                            servicer_ref = text.strip() if text else ""
                        elif itag == instr_id:
                            instruction = text.strip() if text else ""
                elif tag == amt:
                    amount_cents = _cents(child)
                elif tag == cdt_dbt_ind:
                    credit = _credit(child)
                elif tag == rltd_pties:
                    for party in child:
                        ptag = party.tag
                        if ptag == dbtr:
                            payer_name = party_name(party)
                        elif ptag == dbtr_acct:
                            payer_iban = account_iban(party)
                        elif ptag == cdtr:
                            payee_name = party_name(party)
                        elif ptag == cdtr_acct:
                            payee_iban = account_iban(party)
                        elif ptag == ultmt_dbtr:
                            ultimate_payer = party_name(party)
                elif tag == rmt_inf:
                    for part in child:
                        if part.tag == ustrd:
                            text = part.text
                            if text and text.strip():
                                remittance.append(text.strip())
                        elif part.tag == strd and not reference:
                            for info in part:
                                if info.tag == cdtr_ref_inf:
                                    reference = child_text(info, ref)
                elif tag == amt_dtls:
                    amount_details = child
                elif tag == bk_tx_cd:
                    code = bank_tx_code(child) or entry_code
                elif tag == chrgs:
                    charges_cents += charges(child)
                elif tag == rtr_inf:
                    for part in child:
                        if part.tag == rsn:
                            return_reason = child_text(part, cd) or child_text(part, prtry)
            if amount_cents is None and amount_details is not None:
                # 001.02 states a detail's amount only in AmtDtls; TxAmt is the amount booked on the account.
                for kind in (tx_amt, instd_amt):
                    for holder in amount_details:
                        if holder.tag == kind:
                            for value in holder:
                                if value.tag == amt:
                                    amount_cents = _cents(value)
                    if amount_cents is not None:
                        break
            if amount_cents is None:
                if not single:
                    raise CamtError(
                        "camt.missing",
                        f"Einzelumsatz einer Sammelbuchung ohne Betrag (Zeile {_line(tx)}).",
                        _line(tx),
                    )
                amount_cents = entry_cents
            if end_to_end.upper() == _NOT_PROVIDED:
                end_to_end = ""
            return TransactionDetail(
                amount_cents,
                credit,
                end_to_end,
                mandate,
                servicer_ref,
                instruction,
                payer_name,
                payer_iban,
                payee_name,
                payee_iban,
                ultimate_payer,
                " ".join(remittance),
                reference,
                return_reason,
                code,
                charges_cents,
            )

        def entry(elem: Any, index: int) -> Entry:
            amount: Any = None
            credit: bool | None = None
            reversal = False
            status = ""
            booking_date: datetime.date | None = None
            value_date: datetime.date | None = None
            entry_ref = servicer_ref = code = additional_info = ""
            charges_cents = 0
            transactions: list[Any] = []
            for child in elem:
                tag = child.tag
                if tag == amt:
                    amount = child
                elif tag == cdt_dbt_ind:
                    credit = _credit(child)
                elif tag == sts:
                    text = child.text
                    status = text.strip() if text else ""
                    if not status:
                        # From 001.07 the status is a choice of an external code or a proprietary one.
                        status = child_text(child, cd) or child_text(child, prtry)
                elif tag == bookg_dt:
                    booking_date = date_choice(child)
                elif tag == val_dt:
                    value_date = date_choice(child)
                elif tag == acct_svcr_ref:
                    text = child.text
                    servicer_ref = text.strip() if text else ""
                elif tag == bk_tx_cd:
                    code = bank_tx_code(child)
                elif tag == ntry_dtls:
                    for tx in child:
                        if tx.tag == tx_dtls:
                            transactions.append(tx)
                elif tag == ntry_ref:
                    text = child.text
                    entry_ref = text.strip() if text else ""
                elif tag == rvsl_ind:
                    reversal = _boolean(child)
                elif tag == chrgs:
                    charges_cents += charges(child)
                elif tag == addtl_ntry_inf:
                    text = child.text
                    additional_info = text.strip() if text else ""
            if amount is None:
                raise _missing("Der Betrag (Amt) einer Buchung", elem)
            if credit is None:
                raise _missing("Das Soll/Haben-Kennzeichen (CdtDbtInd) einer Buchung", elem)
            if not status:
                raise _missing("Der Status (Sts) einer Buchung", elem)
            amount_cents = _cents(amount)
            single = len(transactions) == 1
            return Entry(
                index,
                elem.sourceline or 0,
                entry_ref,
                servicer_ref,
                amount_cents,
                credit,
                reversal,
                status,
                booking_date,
                value_date,
                (amount.get("Ccy") or "").strip(),
                code,
                charges_cents,
                additional_info,
                tuple([detail(tx, amount_cents, credit, code, single) for tx in transactions]),
            )

        def statement_header(stmt: Any) -> _StatementHeader:
            """The children of ``Stmt``/``Ntfctn`` before its first entry: Id, sequence, account, balances."""
            header = _StatementHeader()
            electronic = legal = balance_currency = ""
            opening_rank = 0
            for child in stmt:
                tag = child.tag
                if tag == ntry:
                    break
                if tag == id_:
                    header.statement_id = (child.text or "").strip()
                elif tag == elctrnc_seq_nb:
                    electronic = (child.text or "").strip()
                elif tag == lgl_seq_nb:
                    legal = (child.text or "").strip()
                elif tag == acct:
                    header.account_iban = account_iban(child)
                    header.currency = child_text(child, ccy)
                elif tag == bal:
                    balance_code = ""
                    amount = indicator = date_elem = None
                    for part in child:
                        ptag = part.tag
                        if ptag == tp:
                            for choice in part:
                                if choice.tag == cd_or_prtry:
                                    balance_code = child_text(choice, cd)
                        elif ptag == amt:
                            amount = part
                        elif ptag == cdt_dbt_ind:
                            indicator = part
                        elif ptag == dt:
                            date_elem = part
                    if amount is None:
                        raise _missing("Der Betrag (Amt) eines Saldos", child)
                    if indicator is None:
                        raise _missing("Das Soll/Haben-Kennzeichen (CdtDbtInd) eines Saldos", child)
                    cents = _cents(amount) if _credit(indicator) else -_cents(amount)
                    if not balance_currency:
                        balance_currency = (amount.get("Ccy") or "").strip()
                    date = date_choice(date_elem) if date_elem is not None else None
                    # OPBD is the opening balance; German banks often send PRCD (closing of the previous
                    # day) instead. Where both come, OPBD wins.
                    rank = _OPENING_RANK.get(balance_code, 0)
                    if rank > opening_rank:
                        opening_rank = rank
                        header.opening_cents, header.opening_date = cents, date
                    elif balance_code == "CLBD" and header.closing_cents is None:
                        header.closing_cents, header.closing_date = cents, date
            if not header.statement_id:
                raise _missing("Die Kennung (Id) des Kontoauszugs", stmt)
            header.sequence = electronic or legal
            header.currency = header.currency or balance_currency or "EUR"
            return header

        def group_header(elem: Any) -> tuple[str, datetime.datetime | None]:
            message_id = ""
            created_at: datetime.datetime | None = None
            for child in elem:
                if child.tag == msg_id:
                    message_id = (child.text or "").strip()
                elif child.tag == cre_dt_tm:
                    created_at = _datetime(child)
            if not message_id:
                raise _missing("Die Nachrichtenkennung (GrpHdr/MsgId)", elem)
            return message_id, created_at

        self.grp_hdr = q("GrpHdr")
        self.ntry = ntry
        self.entry = entry
        self.statement_header = statement_header
        self.group_header = group_header


_OPENING_RANK = {"OPBD": 2, "PRCD": 1}


class _StatementHeader:
    __slots__ = (
        "account_iban",
        "closing_cents",
        "closing_date",
        "currency",
        "opening_cents",
        "opening_date",
        "sequence",
        "statement_id",
    )

    def __init__(self) -> None:
        self.statement_id = ""
        self.sequence = ""
        self.account_iban = ""
        self.currency = ""
        self.opening_cents: int | None = None
        self.opening_date: datetime.date | None = None
        self.closing_cents: int | None = None
        self.closing_date: datetime.date | None = None


# --------------------------------------------------------------------------------------------------------
# The document


def _identify(data: bytes) -> tuple[str, str, str]:
    """Namespace, kind and version of the document, from its root element; refuses any DOCTYPE."""
    # First guard: a DOCTYPE never reaches libxml2. Outside the prolog the marker could only stand in a
    # comment or CDATA section, which no bank statement needs; refusing those too is the safe side.
    for marker in _DOCTYPE_MARKERS:
        position = data.find(marker)
        if position != -1:
            raise CamtError("camt.doctype", _DOCTYPE_MESSAGE, data.count(b"\n", 0, position) + 1)
    context = etree.iterparse(
        io.BytesIO(data),
        events=("start",),
        **_PARSE_OPTIONS,
    )
    try:
        _event, root = next(iter(context))
    except StopIteration:
        raise CamtError("camt.malformed", "Die Datei ist kein gültiges XML: sie ist leer.") from None
    except etree.LxmlError as error:
        raise _malformed(error) from None
    # Second guard, for encodings the byte scan cannot see: libxml2 has read the prolog by now (without
    # loading anything external) and reports a DOCTYPE before any entity in the content is used.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CamtError("camt.doctype", _DOCTYPE_MESSAGE, _line(root))
    qname = etree.QName(root)
    match = _NAMESPACE.match(qname.namespace or "")
    if qname.localname != "Document" or match is None:
        raise CamtError(
            "camt.unknown_message",
            f"Die Datei ist kein Kontoauszug nach ISO 20022 (camt.053 oder camt.054): Wurzelelement "
            f"„{qname.localname[:40]}“, Namensraum „{(qname.namespace or '')[:80]}“.",
            _line(root),
        )
    kind, version, number = match.group(1), match.group(2), int(match.group(3))
    if not _VERSION_MIN <= number <= _VERSION_MAX:
        raise CamtError(
            "camt.unknown_message",
            f"{kind} in Version {version} wird nicht unterstützt (gelesen werden 001.02 bis 001.13).",
            _line(root),
        )
    return qname.namespace, kind, version


def _malformed(error: Any) -> CamtError:
    line = getattr(error, "lineno", None)
    reason = getattr(error, "msg", None) or str(error)
    where = f" (Zeile {line})" if line else ""
    return CamtError("camt.malformed", f"Die Datei ist kein gültiges XML{where}: {reason}", line)


def read_statements(data: bytes, *, max_bytes: int = MAX_BYTES_DEFAULT) -> list[Statement]:
    """Parse one camt.053/.054 XML document (any version 001.02 … 001.13 via namespace) into its statements/notifications."""
    if len(data) > max_bytes:
        raise CamtError(
            "camt.too_large",
            f"Die Datei ist mit {_thousands(len(data))} Bytes größer als die zulässigen "
            f"{_thousands(max_bytes)} Bytes.",
        )
    namespace, kind, version = _identify(data)
    reader = _Reader(namespace)
    ntry_tag, grp_hdr_tag = reader.ntry, reader.grp_hdr
    read_entry = reader.entry
    root_child = f"{{{namespace}}}{_ROOT_CHILD[kind]}"
    statement_tag = f"{{{namespace}}}{_STATEMENT[kind]}"
    context = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        tag=(grp_hdr_tag, statement_tag, ntry_tag),
        remove_comments=True,
        remove_pis=True,
        **_PARSE_OPTIONS,
    )
    statements: list[Statement] = []
    message_id = ""
    created_at: datetime.datetime | None = None
    header_seen = False
    header: _StatementHeader | None = None
    entries: list[Entry] = []
    try:
        for event, elem in context:
            tag = elem.tag
            if tag == ntry_tag:
                if event == "start":
                    continue
                parent = elem.getparent()
                if parent is None or parent.tag != statement_tag:
                    raise CamtError(
                        "camt.structure",
                        f"Buchung (Ntry) außerhalb eines Kontoauszugs (Zeile {_line(elem)}).",
                        _line(elem),
                    )
                if header is None:
                    header = reader.statement_header(parent)
                entries.append(read_entry(elem, len(entries)))
                # Keep the tree flat: this entry and everything before it in the statement are read.
                elem.clear()
                while elem.getprevious() is not None:
                    del parent[0]
            elif tag == statement_tag:
                if event == "start":
                    parent = elem.getparent()
                    if parent is None or parent.tag != root_child:
                        raise CamtError(
                            "camt.structure",
                            f"{_STATEMENT[kind]} an unerwarteter Stelle (Zeile {_line(elem)}).",
                            _line(elem),
                        )
                    if not header_seen:
                        raise _missing("Der Gruppenkopf (GrpHdr)", elem)
                    header, entries = None, []
                    continue
                if header is None:
                    header = reader.statement_header(elem)
                statements.append(
                    Statement(
                        kind=kind,
                        version=version,
                        message_id=message_id,
                        created_at=created_at,
                        statement_id=header.statement_id,
                        sequence=header.sequence,
                        account_iban=header.account_iban,
                        currency=header.currency,
                        opening_cents=header.opening_cents,
                        opening_date=header.opening_date,
                        closing_cents=header.closing_cents,
                        closing_date=header.closing_date,
                        entries=tuple(entries),
                    )
                )
                header, entries = None, []
                elem.clear()
                parent = elem.getparent()
                while elem.getprevious() is not None:
                    del parent[0]
            elif tag == grp_hdr_tag and event == "end":
                message_id, created_at = reader.group_header(elem)
                header_seen = True
    except etree.LxmlError as error:
        raise _malformed(error) from None
    if not statements:
        raise CamtError(
            "camt.missing",
            f"Die Datei enthält keinen Kontoauszug ({_STATEMENT[kind]}) unter {_ROOT_CHILD[kind]}.",
        )
    return statements


# --------------------------------------------------------------------------------------------------------
# Uploads: one XML file or a ZIP of several


def _too_large(max_bytes: int, *, unpacked: bool) -> CamtError:
    what = "Der Inhalt der ZIP-Datei ist entpackt" if unpacked else "Die Datei ist"
    return CamtError("camt.too_large", f"{what} größer als die zulässigen {_thousands(max_bytes)} Bytes.")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _display(name: str) -> str:
    """A member name fit for a message: shortened, control characters shown as "?"."""
    return "".join(char if char.isprintable() else "?" for char in name[:100])


def _looks_like_xml(data: bytes) -> bool:
    head = data[:64]
    for bom in _XML_BOMS:
        if head.startswith(bom):
            return True
    return head.lstrip().startswith(b"<")


def _check_member_name(name: str) -> None:
    """Refuse absolute paths, drive letters, ``..`` and control characters in a ZIP member's name."""
    normalised = name.replace("\\", "/")
    parts = normalised.split("/")
    if (
        not name
        or normalised.startswith("/")
        or re.match(r"^[A-Za-z]:", normalised)
        or any(part == ".." for part in parts)
        or any(ord(char) < 32 or ord(char) == 127 for char in name)
    ):
        raise CamtError(
            "camt.zip_path",
            f"Der ZIP-Eintrag „{_display(name)}“ hat einen unzulässigen Pfad (absolut oder mit „..“).",
        )


def _zip_members(data: bytes, *, max_bytes: int, max_members: int) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise CamtError("camt.zip_invalid", f"Die ZIP-Datei ist beschädigt oder unlesbar: {error}") from None
    members: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    total = 0
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > max_members:
            raise CamtError(
                "camt.zip_too_many",
                f"Die ZIP-Datei enthält {len(infos)} Dateien; zulässig sind höchstens {max_members}.",
            )
        for info in infos:
            name = info.filename
            _check_member_name(name)
            lower = name.lower()
            if lower.endswith(_ARCHIVE_SUFFIXES):
                raise CamtError(
                    "camt.zip_nested", f"Die ZIP-Datei enthält ein weiteres Archiv („{_display(name)}“)."
                )
            if not lower.endswith(".xml"):
                raise CamtError(
                    "camt.zip_member_type",
                    f"Der ZIP-Eintrag „{_display(name)}“ ist keine XML-Datei; erwartet werden nur Kontoauszüge "
                    "(.xml).",
                )
            if name in seen:
                raise CamtError(
                    "camt.zip_duplicate", f"Der ZIP-Eintrag „{_display(name)}“ kommt doppelt vor."
                )
            seen.add(name)
            if info.flag_bits & 0x1:
                raise CamtError(
                    "camt.zip_encrypted", f"Der ZIP-Eintrag „{_display(name)}“ ist verschlüsselt."
                )
            chunks: list[bytes] = []
            try:
                with archive.open(info) as stream:
                    while True:
                        # Count what is really decompressed; the sizes in the ZIP header may lie.
                        chunk = stream.read(_ZIP_CHUNK_BYTES)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > max_bytes:
                            raise _too_large(max_bytes, unpacked=True)
                        chunks.append(chunk)
            except CamtError:
                raise
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
                raise CamtError(
                    "camt.zip_invalid", f"Der ZIP-Eintrag „{_display(name)}“ ist unlesbar: {error}"
                ) from None
            content = b"".join(chunks)
            if content.startswith(_ARCHIVE_MAGIC):
                raise CamtError(
                    "camt.zip_nested", f"Der ZIP-Eintrag „{_display(name)}“ ist selbst ein Archiv."
                )
            members.append((name, content))
    if not members:
        raise CamtError("camt.zip_empty", "Die ZIP-Datei enthält keine XML-Datei.")
    return members


def read_upload(
    name: str, data: bytes, *, max_bytes: int = MAX_BYTES_DEFAULT, max_members: int = MAX_MEMBERS_DEFAULT
) -> list[tuple[str, bytes]]:
    """A single XML or a ZIP of several XML files → [(member name, bytes)], hardened: no nested archives, no path tricks, total uncompressed size ≤ max_bytes (checked while reading, not by trusting the header), members that are not .xml skipped only if they are directories; anything else → CamtError."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes, unpacked=False)
    if data.startswith(_ZIP_MAGIC):
        return _zip_members(data, max_bytes=max_bytes, max_members=max_members)
    if data.startswith(_OTHER_ARCHIVE_MAGIC):
        raise CamtError(
            "camt.file_type",
            f"„{_display(name)}“ ist ein Archiv, das nicht gelesen wird; erwartet wird XML oder ZIP.",
        )
    if not _looks_like_xml(data):
        raise CamtError(
            "camt.file_type",
            f"„{_display(name)}“ ist weder eine XML- noch eine ZIP-Datei.",
        )
    return [(name, data)]
