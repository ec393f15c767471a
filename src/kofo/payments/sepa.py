"""SEPA files for the bank: credit transfers (pain.001.001.09) and direct debits (pain.008.001.08, CORE).

Pure module (no Django). The XML is built by sepaxml (the library DESIGN.md names) and then made
**reproducible**: sepaxml writes a random message id, random payment-information ids and the current time
into every file; they are replaced with values derived from the caller's ``message_id`` and ``created_at``,
so the same inputs always give byte-identical files (a file can be regenerated for an audit and compared).

Every input is checked before anything is built, with a German :class:`SepaError` whose ``code`` names the
kind of problem (``sepa.empty``, ``sepa.amount``, ``sepa.iban``, ``sepa.bic``, ``sepa.mandate``,
``sepa.reference``, ``sepa.duplicate``, ``sepa.name``). Names and remittance texts are transliterated to the
SEPA character set (German umlauts as ``ae``/``oe``/``ue``/``ss``, other scripts through sepaxml's
``text_unidecode``) and cut to 70 resp. 140 characters. Every generated file is validated against the ISO
20022 XSD shipped with sepaxml (compiled once with lxml and cached) and read back: the number of
transactions and the control sums in the group header and in each payment-information block must equal
the transactions in the file, and those must equal the caller's (``sepa.control_sum`` otherwise).

:func:`summarize` and :func:`check_totals` read a pain.001/pain.008 with a hardened parser (no DTD, no
entities, no network) and may also be used on files that did not come from this module.
"""

from __future__ import annotations

import datetime
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import sepaxml  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from schwifty import BIC, IBAN, exceptions
from stdnum.eu import at_02
from text_unidecode import unidecode  # type: ignore[import-untyped]  # sepaxml's own dependency

__all__ = [
    "Debit",
    "FileSummary",
    "Originator",
    "SepaError",
    "Transfer",
    "check_totals",
    "credit_transfer_file",
    "direct_debit_file",
    "summarize",
    "validate",
]

CREDIT_TRANSFER_SCHEMA = "pain.001.001.09"
DIRECT_DEBIT_SCHEMA = "pain.008.001.08"
SEQUENCE_TYPES = ("FRST", "RCUR", "OOFF", "FNAL")

NAME_LENGTH = 70
REMITTANCE_LENGTH = 140
REFERENCE_LENGTH = 35
#: EPC limit for one transaction: 999 999 999,99 EUR.
MAX_AMOUNT_CENTS = 99_999_999_999

_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
_SCHEMA_NAME = re.compile(r"^pain\.00[18]\.001\.\d{2}$")
_SCHEMA_DIR = Path(sepaxml.__file__).resolve().parent / "schemas"

#: The SEPA (EPC) basic Latin character set.
_SEPA_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
#: Identifiers (EndToEndId, MndtId, MsgId): SEPA characters without space, not starting or ending with
#: ``/`` and without ``//`` (EPC implementation guidelines).
_REFERENCE = re.compile(r"^(?!/)(?!.*//)[A-Za-z0-9/\-?:().,'+]{1,35}(?<!/)$")
#: German transliteration first (DIN 5007-2), before the generic one would drop the umlaut's ``e``.
_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
#: Characters outside the SEPA set with a sensible SEPA replacement; all others become a space.
_REPLACE = str.maketrans({"&": "+", '"': "'", "_": "-", ";": ",", "!": ".", "`": "'", "´": "'"})
#: Typographic quotes (which unidecode would turn into ``,,`` or ``"``) as the SEPA apostrophe.
_QUOTES = str.maketrans(dict.fromkeys("„“”‚‘’«»‹›", "'"))
_SPACES = re.compile(r"\s+")
_DECIMAL = re.compile(r"^[0-9]{1,18}(\.[0-9]{1,17})?$")


class SepaError(Exception):
    """A SEPA file cannot be built or read; ``message`` is German and meant for the clerk."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Originator:
    """The office: debtor of credit transfers, creditor of direct debits."""

    name: str
    iban: str
    bic: str  # "" allowed (IBAN-only); the agent is then omitted or written as NOTPROVIDED
    creditor_id: str = ""  # Gläubiger-Identifikationsnummer, needed for direct debits


@dataclass(frozen=True, slots=True)
class Transfer:
    name: str
    iban: str
    bic: str
    amount_cents: int
    end_to_end_id: str
    remittance: str  # transliterated and cut to 140 characters


@dataclass(frozen=True, slots=True)
class Debit:
    name: str
    iban: str
    bic: str
    amount_cents: int
    end_to_end_id: str
    mandate_id: str
    mandate_date: datetime.date
    sequence: str  # "FRST" | "RCUR" | "OOFF" | "FNAL"
    remittance: str


@dataclass(frozen=True, slots=True)
class FileSummary:
    schema: str
    message_id: str
    count: int  # GrpHdr/NbOfTxs
    control_sum_cents: int  # GrpHdr/CtrlSum
    transactions: tuple[tuple[str, int], ...]  # (end_to_end_id, cents) in file order


# --------------------------------------------------------------------------------------------------- text


def sepa_text(text: str, limit: int) -> str:
    """``text`` in the SEPA character set, whitespace collapsed, at most ``limit`` characters."""
    ascii_text = unidecode(unicodedata.normalize("NFC", text).translate(_GERMAN).translate(_QUOTES))
    cleaned = "".join(ch if ch in _SEPA_CHARS else " " for ch in ascii_text.translate(_REPLACE))
    return _SPACES.sub(" ", cleaned).strip()[:limit].rstrip()


def _is_reference(value: str) -> bool:
    return bool(_REFERENCE.match(value))


def _euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} EUR"


def _as_date(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


# ----------------------------------------------------------------------------------------- input checks

_SCHWIFTY_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (exceptions.InvalidChecksumDigits, "Prüfziffer falsch"),
    (exceptions.InvalidLength, "falsche Länge"),
    (exceptions.InvalidCountryCode, "unbekanntes Länderkennzeichen"),
    (exceptions.InvalidStructure, "unzulässige Zeichen oder falscher Aufbau"),
    (exceptions.InvalidBankCode, "unbekannte Bankleitzahl"),
)


def _reason(exc: Exception) -> str:
    """schwifty's English error as a German reason for the clerk."""
    for kind, reason in _SCHWIFTY_REASONS:
        if isinstance(exc, kind):
            return reason
    return "ungültig"


@dataclass(frozen=True, slots=True)
class _Account:
    name: str
    iban: str
    bic: str


def _account(name: str, iban: str, bic: str, who: str) -> _Account:
    clean_name = sepa_text(name, NAME_LENGTH)
    if not clean_name:
        raise SepaError(
            "sepa.name",
            f"{who}: Der Name ist leer oder enthält keine im SEPA-Verfahren darstellbaren Zeichen.",
        )
    try:
        parsed = IBAN(iban)
    except ValueError as exc:
        raise SepaError(
            "sepa.iban", f"{who} „{clean_name}“: Die IBAN „{iban}“ ist ungültig ({_reason(exc)})."
        ) from exc
    if not parsed.in_sepa_zone:
        raise SepaError(
            "sepa.iban", f"{who} „{clean_name}“: Die IBAN „{parsed.compact}“ gehört nicht zum SEPA-Raum."
        )
    clean_bic = ""
    if bic.strip():
        try:
            clean_bic = BIC(bic).compact
        except ValueError as exc:
            raise SepaError(
                "sepa.bic", f"{who} „{clean_name}“: Der BIC „{bic}“ ist ungültig ({_reason(exc)})."
            ) from exc
    return _Account(clean_name, parsed.compact, clean_bic)


def _check_amount(cents: int, who: str) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise SepaError("sepa.amount", f"{who}: Der Betrag muss in ganzen Cent angegeben sein.")
    if cents <= 0:
        raise SepaError(
            "sepa.amount", f"{who}: Der Betrag muss größer als 0 sein (angegeben: {_euro(cents)})."
        )
    if cents > MAX_AMOUNT_CENTS:
        raise SepaError("sepa.amount", f"{who}: Der Betrag {_euro(cents)} übersteigt den SEPA-Höchstbetrag.")


def _check_message_id(message_id: str) -> None:
    # PmtInfId is f"{message_id}-{n}" with n ≤ 4, so two characters are kept free.
    if not _is_reference(message_id) or len(message_id) > REFERENCE_LENGTH - 2:
        raise SepaError(
            "sepa.reference",
            f"Die Nachrichtenreferenz „{message_id}“ muss 1 bis {REFERENCE_LENGTH - 2} Zeichen aus dem "
            "SEPA-Zeichensatz ohne Leerzeichen haben.",
        )


def _check_end_to_end_ids(ids: Sequence[str], names: Sequence[str], role: str) -> None:
    seen: dict[str, int] = {}
    for position, (e2e, name) in enumerate(zip(ids, names, strict=True), start=1):
        who = f"{role} {position} „{name}“"
        if not isinstance(e2e, str) or not _is_reference(e2e):
            raise SepaError(
                "sepa.reference",
                f"{who}: Die Ende-zu-Ende-Referenz „{e2e}“ muss 1 bis {REFERENCE_LENGTH} Zeichen aus dem "
                "SEPA-Zeichensatz ohne Leerzeichen haben (nicht mit „/“ beginnend oder endend, kein „//“).",
            )
        if e2e in seen:
            raise SepaError(
                "sepa.duplicate",
                f"{who}: Die Ende-zu-Ende-Referenz „{e2e}“ ist bereits bei {role} {seen[e2e]} vergeben.",
            )
        seen[e2e] = position


# ---------------------------------------------------------------------------------------- XML handling


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _parse(xml: bytes) -> etree._Element:
    try:
        tree = etree.fromstring(xml, _safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise SepaError(
            "sepa.invalid", f"Die Datei ist kein wohlgeformtes XML (Zeile {exc.lineno}): {exc.msg}"
        ) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise SepaError(
            "sepa.invalid",
            "Die Datei enthält eine DOCTYPE-Deklaration; das ist in SEPA-Dateien nicht zulässig.",
        )
    return tree.getroot()


@cache
def _schema(name: str) -> tuple[etree.XMLSchema, threading.Lock]:
    if not _SCHEMA_NAME.match(name):
        raise ValueError(f"unknown SEPA schema {name!r}")
    path = _SCHEMA_DIR / f"{name}.xsd"
    if not path.is_file():
        raise ValueError(f"sepaxml ships no XSD for {name!r}")
    xsd = etree.parse(str(path), _safe_parser())
    # One lock per schema: the validator's error log is shared state.
    return etree.XMLSchema(xsd), threading.Lock()


def validate(xml: bytes, schema: str) -> None:
    """Validate ``xml`` against the XSD ``schema`` ("pain.001.001.09", "pain.008.001.08") shipped with sepaxml.

    The schema is compiled once and cached. Raises ``SepaError("sepa.invalid")`` naming the first error.
    """
    validator, lock = _schema(schema)
    document = _parse(xml)
    with lock:
        if validator.validate(document):
            return
        error = validator.error_log[0]
    raise SepaError(
        "sepa.invalid",
        f"Die SEPA-Datei entspricht nicht dem Schema {schema} (Zeile {error.line}): {error.message}",
    )


def _serialize(root: etree._Element) -> bytes:
    return bytes(
        etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )


def _child(parent: etree._Element, ns: str, *path: str) -> etree._Element:
    node: etree._Element | None = parent
    for tag in path:
        assert node is not None
        node = node.find(f"{{{ns}}}{tag}")
        if node is None:
            raise SepaError("sepa.invalid", f"Der SEPA-Datei fehlt das Element {'/'.join(path)}.")
    assert node is not None
    return node


def _make_reproducible(
    generated: bytes,
    schema: str,
    message_id: str,
    created_at: datetime.datetime,
    *,
    debtor_agent_missing: bool,
) -> bytes:
    """Replace sepaxml's random ids and wall-clock time; fill in what sepaxml leaves out for IBAN-only."""
    ns = _NS_PREFIX + schema
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True, huge_tree=True
    )
    root = etree.fromstring(generated, parser)
    initiation = root[0]
    _child(initiation, ns, "GrpHdr", "MsgId").text = message_id
    _child(initiation, ns, "GrpHdr", "CreDtTm").text = created_at.replace(microsecond=0).isoformat()
    for number, block in enumerate(initiation.iterfind(f"{{{ns}}}PmtInf"), start=1):
        _child(block, ns, "PmtInfId").text = f"{message_id}-{number}"
        if debtor_agent_missing:
            # pain.001: sepaxml writes an empty <FinInstnId/> for the office's bank without BIC.
            institution = _child(block, ns, "DbtrAgt", "FinInstnId")
            if len(institution) == 0:
                other = etree.SubElement(institution, f"{{{ns}}}Othr")
                etree.SubElement(other, f"{{{ns}}}Id").text = "NOTPROVIDED"
        for remittance in block.iter(f"{{{ns}}}RmtInf"):
            unstructured = remittance.find(f"{{{ns}}}Ustrd")
            if unstructured is not None and not unstructured.text:
                remittance.getparent().remove(remittance)  # an empty Ustrd violates Max140Text
    return _serialize(root)


# ----------------------------------------------------------------------------------------- generation


def credit_transfer_file(
    originator: Originator,
    transfers: Sequence[Transfer],
    *,
    message_id: str,
    execution_date: datetime.date,
    created_at: datetime.datetime,
) -> bytes:
    """pain.001.001.09 with one payment-information block, validated against the XSD before it is returned.

    The transfers keep the caller's order; the same arguments give byte-identical files.
    """
    if not transfers:
        raise SepaError("sepa.empty", "Die Überweisungsdatei enthält keine Zahlungen.")
    _check_message_id(message_id)
    office = _account(originator.name, originator.iban, originator.bic, "Auftraggeber")
    accounts = []
    for position, transfer in enumerate(transfers, start=1):
        account = _account(transfer.name, transfer.iban, transfer.bic, f"Empfänger {position}")
        _check_amount(transfer.amount_cents, f"Empfänger {position} „{account.name}“")
        accounts.append(account)
    _check_end_to_end_ids([t.end_to_end_id for t in transfers], [a.name for a in accounts], "Empfänger")

    config: dict[str, Any] = {"name": office.name, "IBAN": office.iban, "batch": True, "currency": "EUR"}
    if office.bic:
        config["BIC"] = office.bic
    document = sepaxml.SepaTransfer(config, schema=CREDIT_TRANSFER_SCHEMA, clean=True)
    day = _as_date(execution_date)
    for transfer, account in zip(transfers, accounts, strict=True):
        payment: dict[str, Any] = {
            "name": account.name,
            "IBAN": account.iban,
            "amount": transfer.amount_cents,
            "execution_date": day,
            "description": sepa_text(transfer.remittance, REMITTANCE_LENGTH),
            "endtoend_id": transfer.end_to_end_id,
        }
        if account.bic:
            payment["BIC"] = account.bic
        document.add_payment(payment)
    generated = document.export(validate=False)
    xml = _make_reproducible(
        generated, CREDIT_TRANSFER_SCHEMA, message_id, created_at, debtor_agent_missing=not office.bic
    )
    validate(xml, CREDIT_TRANSFER_SCHEMA)
    _check_against_input(xml, [(t.end_to_end_id, t.amount_cents) for t in transfers])
    return xml


def direct_debit_file(
    originator: Originator,
    debits: Sequence[Debit],
    *,
    message_id: str,
    collection_date: datetime.date,
    created_at: datetime.datetime,
) -> bytes:
    """pain.008.001.08 (CORE), validated; one payment-information block per sequence type.

    Blocks appear in the order in which their sequence type first occurs; within a block the debits keep
    the caller's order.
    """
    if not debits:
        raise SepaError("sepa.empty", "Die Lastschriftdatei enthält keine Lastschriften.")
    _check_message_id(message_id)
    office = _account(originator.name, originator.iban, originator.bic, "Zahlungsempfänger")
    try:
        creditor_id = str(at_02.validate(originator.creditor_id))
    except ValueError as exc:
        raise SepaError(
            "sepa.mandate",
            f"Die Gläubiger-Identifikationsnummer „{originator.creditor_id}“ fehlt oder ist ungültig.",
        ) from exc
    day = _as_date(collection_date)
    accounts = []
    for position, debit in enumerate(debits, start=1):
        account = _account(debit.name, debit.iban, debit.bic, f"Zahlungspflichtiger {position}")
        who = f"Zahlungspflichtiger {position} „{account.name}“"
        _check_amount(debit.amount_cents, who)
        if not isinstance(debit.mandate_id, str) or not _is_reference(debit.mandate_id):
            raise SepaError(
                "sepa.mandate",
                f"{who}: Die Mandatsreferenz „{debit.mandate_id}“ fehlt oder ist ungültig (1 bis 35 Zeichen "
                "aus dem SEPA-Zeichensatz ohne Leerzeichen).",
            )
        if not isinstance(debit.mandate_date, datetime.date) or isinstance(
            debit.mandate_date, datetime.datetime
        ):
            raise SepaError("sepa.mandate", f"{who}: Das Datum der Mandatserteilung fehlt.")
        if debit.mandate_date > day:
            raise SepaError(
                "sepa.mandate",
                f"{who}: Das Mandat vom {debit.mandate_date:%d.%m.%Y} liegt nach dem Fälligkeitstag {day:%d.%m.%Y}.",
            )
        if debit.sequence not in SEQUENCE_TYPES:
            raise SepaError(
                "sepa.mandate",
                f"{who}: Der Sequenztyp „{debit.sequence}“ ist unbekannt (zulässig: {', '.join(SEQUENCE_TYPES)}).",
            )
        accounts.append(account)
    _check_end_to_end_ids(
        [d.end_to_end_id for d in debits], [a.name for a in accounts], "Zahlungspflichtiger"
    )

    config: dict[str, Any] = {
        "name": office.name,
        "IBAN": office.iban,
        "batch": True,
        "creditor_id": creditor_id,
        "currency": "EUR",
        "instrument": "CORE",
    }
    if office.bic:
        config["BIC"] = office.bic
    document = sepaxml.SepaDD(config, schema=DIRECT_DEBIT_SCHEMA, clean=True)
    for debit, account in zip(debits, accounts, strict=True):
        payment: dict[str, Any] = {
            "name": account.name,
            "IBAN": account.iban,
            "amount": debit.amount_cents,
            "type": debit.sequence,
            "collection_date": day,
            "mandate_id": debit.mandate_id,
            "mandate_date": debit.mandate_date,
            "description": sepa_text(debit.remittance, REMITTANCE_LENGTH),
            "endtoend_id": debit.end_to_end_id,
        }
        if account.bic:
            payment["BIC"] = account.bic
        document.add_payment(payment)
    generated = document.export(validate=False)
    xml = _make_reproducible(
        generated, DIRECT_DEBIT_SCHEMA, message_id, created_at, debtor_agent_missing=False
    )
    validate(xml, DIRECT_DEBIT_SCHEMA)
    first_seen = {seq: i for i, seq in reversed(list(enumerate(d.sequence for d in debits)))}
    grouped = sorted(debits, key=lambda d: first_seen[d.sequence])  # stable: the order sepaxml's blocks give
    _check_against_input(xml, [(d.end_to_end_id, d.amount_cents) for d in grouped])
    return xml


def _check_against_input(xml: bytes, expected: list[tuple[str, int]]) -> None:
    summary = check_totals(xml)
    if summary.transactions != tuple(expected):
        raise SepaError(
            "sepa.control_sum",
            f"Die erzeugte Datei enthält {summary.count} Zahlungen über {_euro(summary.control_sum_cents)}, "
            f"übergeben wurden {len(expected)} über {_euro(sum(c for _, c in expected))}.",
        )


# ----------------------------------------------------------------------------------------- reading back


@dataclass(frozen=True, slots=True)
class _Block:
    count: int | None
    control_sum_cents: int | None
    transactions: tuple[tuple[str, int], ...]


def _cents(text: str | None, what: str) -> int:
    value = (text or "").strip()
    if not _DECIMAL.match(value):
        raise SepaError("sepa.invalid", f"{what}: „{value}“ ist kein gültiger Betrag.")
    try:
        cents = Decimal(value) * 100
    except InvalidOperation as exc:  # pragma: no cover - excluded by the pattern
        raise SepaError("sepa.invalid", f"{what}: „{value}“ ist kein gültiger Betrag.") from exc
    if cents != cents.to_integral_value():
        raise SepaError("sepa.invalid", f"{what}: „{value}“ hat Bruchteile eines Cents.")
    return int(cents)


def _count(text: str | None, what: str) -> int:
    value = (text or "").strip()
    if not value.isdigit():
        raise SepaError("sepa.invalid", f"{what}: „{value}“ ist keine gültige Anzahl.")
    return int(value)


def _read(xml: bytes) -> tuple[FileSummary, list[_Block]]:
    root = _parse(xml)
    namespace = etree.QName(root).namespace or ""
    schema = namespace.removeprefix(_NS_PREFIX)
    if etree.QName(root).localname != "Document" or not namespace.startswith(_NS_PREFIX):
        raise SepaError("sepa.invalid", "Die Datei ist kein ISO-20022-Dokument.")
    amount_path: tuple[str, ...]
    if schema.startswith("pain.001."):
        initiation_tag, transaction_tag, amount_path = "CstmrCdtTrfInitn", "CdtTrfTxInf", ("Amt", "InstdAmt")
    elif schema.startswith("pain.008."):
        initiation_tag, transaction_tag, amount_path = "CstmrDrctDbtInitn", "DrctDbtTxInf", ("InstdAmt",)
    else:
        raise SepaError(
            "sepa.invalid", f"Die Datei ist weder eine Überweisung noch eine Lastschrift ({schema})."
        )
    ns = namespace
    initiation = _child(root, ns, initiation_tag)
    header = _child(initiation, ns, "GrpHdr")
    message_id = (_child(header, ns, "MsgId").text or "").strip()
    count = _count(_child(header, ns, "NbOfTxs").text, "GrpHdr/NbOfTxs")
    control_sum = _cents(_child(header, ns, "CtrlSum").text, "GrpHdr/CtrlSum")
    blocks: list[_Block] = []
    for block in initiation.iterfind(f"{{{ns}}}PmtInf"):
        transactions = []
        for transaction in block.iterfind(f"{{{ns}}}{transaction_tag}"):
            e2e = (_child(transaction, ns, "PmtId", "EndToEndId").text or "").strip()
            amount = _child(transaction, ns, *amount_path)
            if amount.get("Ccy") != "EUR":
                raise SepaError(
                    "sepa.invalid", f"Zahlung „{e2e}“: Die Währung „{amount.get('Ccy')}“ ist nicht EUR."
                )
            transactions.append((e2e, _cents(amount.text, f"Zahlung „{e2e}“")))
        block_count = block.find(f"{{{ns}}}NbOfTxs")
        block_sum = block.find(f"{{{ns}}}CtrlSum")
        blocks.append(
            _Block(
                count=None if block_count is None else _count(block_count.text, "PmtInf/NbOfTxs"),
                control_sum_cents=None if block_sum is None else _cents(block_sum.text, "PmtInf/CtrlSum"),
                transactions=tuple(transactions),
            )
        )
    summary = FileSummary(
        schema=schema,
        message_id=message_id,
        count=count,
        control_sum_cents=control_sum,
        transactions=tuple(t for block in blocks for t in block.transactions),
    )
    return summary, blocks


def summarize(xml: bytes) -> FileSummary:
    """Read back a pain.001/pain.008: the group header's NbOfTxs/CtrlSum and every transaction in file order.

    Hardened parser (no DTD, no entities, no network). Totals are read, not checked: see :func:`check_totals`.
    """
    return _read(xml)[0]


def check_totals(xml: bytes) -> FileSummary:
    """:func:`summarize`, and ``SepaError("sepa.control_sum")`` unless the group header's and every
    payment-information block's NbOfTxs/CtrlSum equal the transactions they contain."""
    summary, blocks = _read(xml)
    actual_sum = sum(cents for _, cents in summary.transactions)
    if summary.count != len(summary.transactions) or summary.control_sum_cents != actual_sum:
        raise SepaError(
            "sepa.control_sum",
            f"Der Dateikopf nennt {summary.count} Zahlungen über {_euro(summary.control_sum_cents)}, die Datei "
            f"enthält {len(summary.transactions)} über {_euro(actual_sum)}.",
        )
    for number, block in enumerate(blocks, start=1):
        block_sum = sum(cents for _, cents in block.transactions)
        if (block.count is not None and block.count != len(block.transactions)) or (
            block.control_sum_cents is not None and block.control_sum_cents != block_sum
        ):
            raise SepaError(
                "sepa.control_sum",
                f"Zahlungsblock {number} nennt {block.count} Zahlungen über "
                f"{_euro(block.control_sum_cents or 0)}, enthält aber {len(block.transactions)} über "
                f"{_euro(block_sum)}.",
            )
    return summary
