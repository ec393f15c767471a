"""kofo.payments.sepa: pain.001/pain.008 from sepaxml, reproducible, XSD-valid, totals read back."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sepaxml  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from kofo.payments import sepa
from kofo.payments.sepa import (
    Debit,
    Originator,
    SepaError,
    Transfer,
    check_totals,
    credit_transfer_file,
    direct_debit_file,
    summarize,
    validate,
)

SCHEMAS = Path(sepaxml.__file__).resolve().parent / "schemas"
PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
PAIN_008 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"

OFFICE = Originator(
    name="Landesverwaltungsamt – Gemeinsame Vollstreckungsstelle Süd",
    iban="DE89 3704 0044 0532 0130 00",
    bic="COBADEFFXXX",
    creditor_id="DE98ZZZ09999999999",
)
CREATED = datetime.datetime(2026, 3, 2, 9, 15, 30, 123456)
EXECUTION = datetime.date(2026, 3, 4)
COLLECTION = datetime.date(2026, 3, 10)
LONG_REMITTANCE = "Erstattung Überzahlung Kassenzeichen GS-2026-0017 „Hundesteuer“ " + "Müllgebühren " * 12

TRANSFERS = (
    Transfer(
        "Jürgen Müller-Lüdenscheidt",
        "DE02120300000000202051",
        "BYLADEM1001",
        12_345,
        "KOFO-R-1",
        "Erstattung",
    ),
    Transfer("Gößweinstein Bäckerei GmbH", "AT611904300234573201", "", 99, "KOFO-R-2", LONG_REMITTANCE),
    Transfer("Çelik, Ömer", "FR1420041010050500013M02606", "BNPAFRPP", 1_000_000, "KOFO-R-3", "Rückzahlung"),
)
DEBITS = (
    Debit(
        "Hans Müller", "DE02120300000000202051", "", 5_000, "KOFO-L-1", "MANDAT-1",
        datetime.date(2025, 11, 3), "FRST", "Rate 1 Zahlungsvereinbarung VA-000123",
    ),
    Debit(
        "Eva Schröder", "NL91ABNA0417164300", "ABNANL2A", 2_500, "KOFO-L-2", "MANDAT-2",
        datetime.date(2024, 5, 17), "RCUR", "Rate 7",
    ),
    Debit(
        "Otto Weiß", "DE89370400440532013000", "COBADEFFXXX", 7_777, "KOFO-L-3", "MANDAT-3",
        datetime.date(2025, 12, 1), "FRST", "Rate 1",
    ),
)  # fmt: skip


def transfer_file(transfers: Any = TRANSFERS, originator: Originator = OFFICE, **kwargs: Any) -> bytes:
    options: dict[str, Any] = {
        "message_id": "KOFO-UE-2026-0001",
        "execution_date": EXECUTION,
        "created_at": CREATED,
    }
    options.update(kwargs)
    return credit_transfer_file(originator, transfers, **options)


def debit_file(debits: Any = DEBITS, originator: Originator = OFFICE, **kwargs: Any) -> bytes:
    options: dict[str, Any] = {
        "message_id": "KOFO-LS-2026-0001",
        "collection_date": COLLECTION,
        "created_at": CREATED,
    }
    options.update(kwargs)
    return direct_debit_file(originator, debits, **options)


def assert_schema_valid(xml: bytes, schema: str) -> None:
    """Independent of the module under test: compile the XSD afresh and validate."""
    validator = etree.XMLSchema(etree.parse(str(SCHEMAS / f"{schema}.xsd")))
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    assert validator.validate(document), validator.error_log


def texts(xml: bytes, path: str, ns: str) -> list[str]:
    return [str(t) for t in etree.fromstring(xml).xpath(path + "/text()", namespaces={"p": ns})]


def cents(text: str) -> int:
    euros, _, fraction = text.partition(".")
    return int(euros) * 100 + int(fraction.ljust(2, "0"))


# ---------------------------------------------------------------------------------------- credit transfer


def test_credit_transfer_is_schema_valid_and_reads_back() -> None:
    xml = transfer_file()
    assert_schema_valid(xml, "pain.001.001.09")
    validate(xml, "pain.001.001.09")

    summary = summarize(xml)
    assert summary.schema == "pain.001.001.09"
    assert summary.message_id == "KOFO-UE-2026-0001"
    assert summary.count == 3
    assert summary.control_sum_cents == 12_345 + 99 + 1_000_000
    assert summary.transactions == (("KOFO-R-1", 12_345), ("KOFO-R-2", 99), ("KOFO-R-3", 1_000_000))
    assert check_totals(xml) == summary

    amounts = [cents(t) for t in texts(xml, "//p:CdtTrfTxInf/p:Amt/p:InstdAmt", PAIN_001)]
    assert amounts == [12_345, 99, 1_000_000]
    for path in ("//p:GrpHdr", "//p:PmtInf"):
        assert texts(xml, f"{path}/p:NbOfTxs", PAIN_001) == ["3"]
        assert [cents(t) for t in texts(xml, f"{path}/p:CtrlSum", PAIN_001)] == [sum(amounts)]
    assert texts(xml, "//p:ReqdExctnDt/p:Dt", PAIN_001) == ["2026-03-04"]
    assert texts(xml, "//p:DbtrAgt/p:FinInstnId/p:BICFI", PAIN_001) == ["COBADEFFXXX"]


def test_credit_transfer_transliterates_and_truncates() -> None:
    xml = transfer_file()
    assert texts(xml, "//p:Cdtr/p:Nm", PAIN_001) == [
        "Juergen Mueller-Luedenscheidt",
        "Goessweinstein Baeckerei GmbH",
        "Celik, Oemer",
    ]
    assert texts(xml, "//p:Dbtr/p:Nm", PAIN_001) == [
        "Landesverwaltungsamt - Gemeinsame Vollstreckungsstelle Sued"
    ]
    remittances = texts(xml, "//p:RmtInf/p:Ustrd", PAIN_001)
    assert remittances[1].startswith("Erstattung Ueberzahlung Kassenzeichen GS-2026-0017 'Hundesteuer' Muell")
    assert 130 < len(remittances[1]) <= 140  # cut at 140, a trailing space dropped
    assert all(len(r) <= 140 and r.isascii() for r in remittances)
    # The transfer without BIC has no creditor agent (IBAN-only); the others keep their BIC.
    assert texts(xml, "//p:CdtrAgt/p:FinInstnId/p:BICFI", PAIN_001) == ["BYLADEM1001", "BNPAFRPP"]
    assert texts(xml, "//p:CdtrAcct/p:Id/p:IBAN", PAIN_001) == [
        "DE02120300000000202051",
        "AT611904300234573201",
        "FR1420041010050500013M02606",
    ]


def test_long_name_is_cut_to_70_characters() -> None:
    name = (
        "Zweckverband Abwasserbeseitigung Oberes Müglitztal und Umgebung Körperschaft des öffentlichen Rechts"
    )
    xml = transfer_file([dataclasses.replace(TRANSFERS[0], name=name)])
    (written,) = texts(xml, "//p:Cdtr/p:Nm", PAIN_001)
    assert len(written) <= 70
    assert written.startswith("Zweckverband Abwasserbeseitigung Oberes Mueglitztal")
    assert written == written.strip()


def test_office_without_bic_writes_notprovided_and_empty_remittance_is_omitted() -> None:
    office = dataclasses.replace(OFFICE, bic="")
    xml = transfer_file([dataclasses.replace(TRANSFERS[0], remittance="  ")], originator=office)
    assert_schema_valid(xml, "pain.001.001.09")
    assert texts(xml, "//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", PAIN_001) == ["NOTPROVIDED"]
    assert texts(xml, "//p:RmtInf/p:Ustrd", PAIN_001) == []


def test_sepa_text() -> None:
    assert sepa.sepa_text("Müller & Söhne; „Straße“ 1_a", 70) == "Mueller + Soehne, 'Strasse' 1-a"
    assert sepa.sepa_text("Łódź  Ærø  Αθήνα\n\tМосква", 70) == "Lodz AEro Athena Moskva"
    assert sepa.sepa_text("ÄÖÜ ẞ", 70) == "AeOeUe SS"
    assert sepa.sepa_text("x" * 69 + " y", 70) == "x" * 69
    assert sepa.sepa_text("★☆", 70) == ""


# ------------------------------------------------------------------------------------------ reproducibility


def test_same_inputs_give_identical_bytes() -> None:
    first = transfer_file()
    assert transfer_file() == first
    assert debit_file() == debit_file()
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_ids_and_time_come_from_the_caller() -> None:
    xml = transfer_file()
    assert texts(xml, "//p:GrpHdr/p:MsgId", PAIN_001) == ["KOFO-UE-2026-0001"]
    assert texts(xml, "//p:GrpHdr/p:CreDtTm", PAIN_001) == ["2026-03-02T09:15:30"]
    assert texts(xml, "//p:PmtInf/p:PmtInfId", PAIN_001) == ["KOFO-UE-2026-0001-1"]
    dd = debit_file()
    assert texts(dd, "//p:PmtInf/p:PmtInfId", PAIN_008) == ["KOFO-LS-2026-0001-1", "KOFO-LS-2026-0001-2"]
    aware = datetime.datetime(2026, 3, 2, 9, 15, 30, 999, tzinfo=datetime.UTC)
    assert texts(transfer_file(created_at=aware), "//p:CreDtTm", PAIN_001) == ["2026-03-02T09:15:30+00:00"]


def test_different_inputs_give_different_bytes() -> None:
    base = transfer_file()
    assert transfer_file(message_id="KOFO-UE-2026-0002") != base
    assert transfer_file(created_at=CREATED + datetime.timedelta(seconds=1)) != base
    assert debit_file(message_id="KOFO-LS-2026-0002") != debit_file()


def test_callers_order_is_kept() -> None:
    reversed_file = transfer_file(tuple(reversed(TRANSFERS)))
    assert [e2e for e2e, _ in summarize(reversed_file).transactions] == ["KOFO-R-3", "KOFO-R-2", "KOFO-R-1"]


# -------------------------------------------------------------------------------------------- direct debit


def test_direct_debit_blocks_per_sequence_type() -> None:
    xml = debit_file()
    assert_schema_valid(xml, "pain.008.001.08")
    validate(xml, "pain.008.001.08")

    root = etree.fromstring(xml)
    ns = {"p": PAIN_008}
    blocks = root.findall(".//p:PmtInf", ns)
    assert len(blocks) == 2
    assert [b.findtext("p:PmtTpInf/p:SeqTp", namespaces=ns) for b in blocks] == ["FRST", "RCUR"]
    assert [b.findtext("p:PmtTpInf/p:LclInstrm/p:Cd", namespaces=ns) for b in blocks] == ["CORE", "CORE"]
    assert [b.findtext("p:ReqdColltnDt", namespaces=ns) for b in blocks] == ["2026-03-10"] * 2
    assert [b.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=ns) for b in blocks] == [
        "DE98ZZZ09999999999"
    ] * 2
    assert [b.findtext("p:NbOfTxs", namespaces=ns) for b in blocks] == ["2", "1"]
    assert [cents(b.findtext("p:CtrlSum", namespaces=ns) or "") for b in blocks] == [5_000 + 7_777, 2_500]

    # FRST block: the caller's debits 1 and 3 in their order; RCUR block: debit 2.
    frst, rcur = blocks
    assert [
        t.findtext("p:PmtId/p:EndToEndId", namespaces=ns) for t in frst.findall("p:DrctDbtTxInf", ns)
    ] == [
        "KOFO-L-1",
        "KOFO-L-3",
    ]
    mandates = [
        (m.findtext("p:MndtId", namespaces=ns), m.findtext("p:DtOfSgntr", namespaces=ns))
        for m in root.iterfind(".//p:MndtRltdInf", ns)
    ]
    assert mandates == [("MANDAT-1", "2025-11-03"), ("MANDAT-3", "2025-12-01"), ("MANDAT-2", "2024-05-17")]
    assert rcur.findtext("p:DrctDbtTxInf/p:DbtrAgt/p:FinInstnId/p:BICFI", namespaces=ns) == "ABNANL2A"
    # Debtor without BIC: NOTPROVIDED as the scheme requires.
    assert frst.findtext("p:DrctDbtTxInf/p:DbtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=ns) == "NOTPROVIDED"
    assert [n.text for n in root.iterfind(".//p:Dbtr/p:Nm", ns)] == [
        "Hans Mueller",
        "Otto Weiss",
        "Eva Schroeder",
    ]

    summary = check_totals(xml)
    assert summary.count == 3
    assert summary.control_sum_cents == 5_000 + 2_500 + 7_777
    assert summary.transactions == (("KOFO-L-1", 5_000), ("KOFO-L-3", 7_777), ("KOFO-L-2", 2_500))


def test_direct_debit_for_office_without_bic() -> None:
    xml = debit_file(originator=dataclasses.replace(OFFICE, bic=""))
    assert_schema_valid(xml, "pain.008.001.08")
    assert texts(xml, "//p:CdtrAgt/p:FinInstnId/p:Othr/p:Id", PAIN_008) == ["NOTPROVIDED", "NOTPROVIDED"]


# --------------------------------------------------------------------------------------------- error codes


def with_transfer(**changes: Any) -> Callable[[], bytes]:
    return lambda: transfer_file([dataclasses.replace(TRANSFERS[0], **changes), *TRANSFERS[1:]])


def with_debit(**changes: Any) -> Callable[[], bytes]:
    return lambda: debit_file([dataclasses.replace(DEBITS[0], **changes), *DEBITS[1:]])


ERROR_CASES: list[tuple[str, Callable[[], bytes], str]] = [
    ("no transfers", lambda: transfer_file([]), "sepa.empty"),
    ("no debits", lambda: debit_file(()), "sepa.empty"),
    ("zero amount", with_transfer(amount_cents=0), "sepa.amount"),
    ("negative amount", with_transfer(amount_cents=-100), "sepa.amount"),
    ("amount as float", with_transfer(amount_cents=12.5), "sepa.amount"),
    ("amount as bool", with_transfer(amount_cents=True), "sepa.amount"),
    ("amount above SEPA maximum", with_transfer(amount_cents=100_000_000_000), "sepa.amount"),
    ("zero debit", with_debit(amount_cents=0), "sepa.amount"),
    ("IBAN check digits", with_transfer(iban="DE89370400440532013001"), "sepa.iban"),
    ("IBAN garbage", with_transfer(iban="kein Konto"), "sepa.iban"),
    ("IBAN outside SEPA", with_transfer(iban="BR1500000000000010932840814P2"), "sepa.iban"),
    ("office IBAN", lambda: transfer_file(originator=dataclasses.replace(OFFICE, iban="DE00")), "sepa.iban"),
    ("debtor IBAN", with_debit(iban="DE02120300000000202052"), "sepa.iban"),
    ("BIC too short", with_transfer(bic="COBADE"), "sepa.bic"),
    ("BIC country", with_transfer(bic="COBAZZFFXXX"), "sepa.bic"),
    ("office BIC", lambda: transfer_file(originator=dataclasses.replace(OFFICE, bic="XYZ")), "sepa.bic"),
    ("debtor BIC", with_debit(bic="12345678"), "sepa.bic"),
    (
        "no creditor id",
        lambda: debit_file(originator=dataclasses.replace(OFFICE, creditor_id="")),
        "sepa.mandate",
    ),
    (
        "creditor id check digits",
        lambda: debit_file(originator=dataclasses.replace(OFFICE, creditor_id="DE99ZZZ09999999999")),
        "sepa.mandate",
    ),
    ("no mandate id", with_debit(mandate_id=""), "sepa.mandate"),
    ("mandate id with space", with_debit(mandate_id="MANDAT 1"), "sepa.mandate"),
    ("mandate id too long", with_debit(mandate_id="M" * 36), "sepa.mandate"),
    ("no mandate date", with_debit(mandate_date=None), "sepa.mandate"),
    ("mandate after collection", with_debit(mandate_date=datetime.date(2026, 3, 11)), "sepa.mandate"),
    ("unknown sequence", with_debit(sequence="ONCE"), "sepa.mandate"),
    ("end-to-end id too long", with_transfer(end_to_end_id="E" * 36), "sepa.reference"),
    ("end-to-end id empty", with_transfer(end_to_end_id=""), "sepa.reference"),
    ("end-to-end id umlaut", with_transfer(end_to_end_id="Rück-1"), "sepa.reference"),
    ("end-to-end id space", with_transfer(end_to_end_id="R 1"), "sepa.reference"),
    ("end-to-end id leading slash", with_transfer(end_to_end_id="/R1"), "sepa.reference"),
    ("end-to-end id double slash", with_transfer(end_to_end_id="R//1"), "sepa.reference"),
    ("debit end-to-end id", with_debit(end_to_end_id="L_1"), "sepa.reference"),
    ("message id too long", lambda: transfer_file(message_id="M" * 34), "sepa.reference"),
    ("message id empty", lambda: debit_file(message_id=""), "sepa.reference"),
    ("duplicate transfer id", with_transfer(end_to_end_id="KOFO-R-3"), "sepa.duplicate"),
    ("duplicate debit id", with_debit(end_to_end_id="KOFO-L-2"), "sepa.duplicate"),
    ("empty name", with_transfer(name="   "), "sepa.name"),
    ("name without SEPA characters", with_debit(name="★"), "sepa.name"),
]


@pytest.mark.parametrize(("case", "build", "code"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_codes(case: str, build: Callable[[], bytes], code: str) -> None:
    with pytest.raises(SepaError) as raised:
        build()
    assert raised.value.code == code
    assert raised.value.message
    assert code in str(raised.value)


def test_errors_name_the_recipient() -> None:
    with pytest.raises(SepaError) as raised:
        with_transfer(iban="DE89370400440532013001")()
    assert "Juergen Mueller-Luedenscheidt" in raised.value.message
    assert "Empfänger 1" in raised.value.message
    with pytest.raises(SepaError) as raised:
        transfer_file([TRANSFERS[0], dataclasses.replace(TRANSFERS[1], end_to_end_id="KOFO-R-1")])
    assert "Empfänger 2" in raised.value.message and "Empfänger 1" in raised.value.message


# ------------------------------------------------------------------------------------------- totals, safety


def tamper(xml: bytes, path: str, value: str, ns: str = PAIN_001) -> bytes:
    root = etree.fromstring(xml)
    root.xpath(path, namespaces={"p": ns})[0].text = value
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("//p:GrpHdr/p:CtrlSum", "10123.45"),
        ("//p:GrpHdr/p:NbOfTxs", "4"),
        ("//p:PmtInf/p:CtrlSum", "0.01"),
        ("//p:PmtInf/p:NbOfTxs", "2"),
        ("//p:CdtTrfTxInf[2]/p:Amt/p:InstdAmt", "1.00"),
    ],
)
def test_tampered_totals_are_detected(path: str, value: str) -> None:
    tampered = tamper(transfer_file(), path, value)
    validate(tampered, "pain.001.001.09")  # still schema-valid: the XSD cannot see sums
    summarize(tampered)  # reading alone does not judge
    with pytest.raises(SepaError) as raised:
        check_totals(tampered)
    assert raised.value.code == "sepa.control_sum"


def test_tampered_direct_debit_block_is_detected() -> None:
    tampered = tamper(debit_file(), "//p:PmtInf[2]/p:CtrlSum", "25.01", PAIN_008)
    with pytest.raises(SepaError, match="Zahlungsblock 2"):
        check_totals(tampered)


def test_validate_reports_schema_errors_with_line() -> None:
    broken = transfer_file().replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>NONE</ChrgBr>")
    with pytest.raises(SepaError) as raised:
        validate(broken, "pain.001.001.09")
    assert raised.value.code == "sepa.invalid"
    assert "Zeile" in raised.value.message and "ChrgBr" in raised.value.message
    with pytest.raises(SepaError, match=r"sepa\.invalid"):
        validate(debit_file(), "pain.001.001.09")  # a direct debit is not a credit transfer
    with pytest.raises(SepaError, match="wohlgeformt"):
        validate(b"<Document>", "pain.001.001.09")
    with pytest.raises(ValueError, match="unknown SEPA schema"):
        validate(transfer_file(), "../../etc/passwd")


def test_schema_is_compiled_once() -> None:
    validate(transfer_file(), "pain.001.001.09")
    assert sepa._schema("pain.001.001.09") is sepa._schema("pain.001.001.09")


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn><GrpHdr>
<MsgId>&b;</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn><GrpHdr>
<MsgId>&x;</MsgId><NbOfTxs>0</NbOfTxs><CtrlSum>0</CtrlSum></GrpHdr></CstmrCdtTrfInitn></Document>"""


@pytest.mark.parametrize(
    "payload", [ENTITY_BOMB, EXTERNAL_ENTITY], ids=["entity-expansion", "external-entity"]
)
def test_reading_refuses_doctype_and_entities(payload: bytes) -> None:
    for read in (summarize, check_totals, lambda xml: validate(xml, "pain.001.001.09")):
        with pytest.raises(SepaError) as raised:
            read(payload)
        assert raised.value.code == "sepa.invalid"
        assert "root:" not in raised.value.message


def test_summarize_rejects_other_documents() -> None:
    with pytest.raises(SepaError, match="ISO-20022"):
        summarize(b"<html/>")
    camt = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>'
    with pytest.raises(SepaError, match="weder"):
        summarize(camt)
    with pytest.raises(SepaError, match="kein gültiger Betrag"):
        summarize(tamper(transfer_file(), "//p:GrpHdr/p:CtrlSum", "1,5"))


# ------------------------------------------------------------------------------------------------ property

IBANS = [
    "DE02120300000000202051",
    "AT611904300234573201",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
]
REFERENCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-?:().,'+"

transfers_strategy = st.lists(
    st.builds(
        lambda name, iban, bic, amount, e2e, remittance: Transfer(name, iban, bic, amount, e2e, remittance),
        st.text(alphabet="abcxyzäöüßÄÖÜéç &-.", min_size=1, max_size=90).filter(lambda s: s.strip(" &")),
        st.sampled_from(IBANS),
        st.sampled_from(["", "BYLADEM1001", "COBADEFFXXX"]),
        st.integers(min_value=1, max_value=10**9),
        st.text(alphabet=REFERENCE_CHARS, min_size=1, max_size=35),
        st.text(max_size=200),
    ),
    min_size=1,
    max_size=50,
    unique_by=lambda t: t.end_to_end_id,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transfers_strategy)
def test_property_random_transfer_lists(transfers: list[Transfer]) -> None:
    xml = transfer_file(transfers)
    assert_schema_valid(xml, "pain.001.001.09")
    summary = check_totals(xml)
    assert summary.count == len(transfers)
    assert summary.control_sum_cents == sum(t.amount_cents for t in transfers)
    assert summary.transactions == tuple((t.end_to_end_id, t.amount_cents) for t in transfers)
    assert transfer_file(transfers) == xml


def test_iban_and_bic_errors_are_german() -> None:
    with pytest.raises(SepaError, match="Prüfziffer falsch"):
        with_transfer(iban="DE89370400440532013001")()
    with pytest.raises(SepaError, match="falsche Länge"):
        with_transfer(bic="COBADE")()
