"""Letters about money as PDF (issue 6): the Quittung of the field service, the return of claims to their
partners with the enforcement report, the remittance advice; the document archive behind them (idempotent
production, reproduction, received documents, tamper detection) and the printed GiroCode.

The state is built through kofo's actions: a partner's CSV request (``test_measures.intake``), the daily run
that opens the file, books the Säumniszuschläge and starts the payment demand (``test_measures.run_day``),
then a cash receipt, a return or a payment and a remittance run. Letters come from the builders in
:mod:`kofo.documents.letters`, are produced and archived by :func:`kofo.documents.actions.produce_letters`
and read back from the archive as text.

The file of Sabine Keller (Saarlouis) holds claims of two partners:

* A (AO): GS-A-1001 Grundsteuer 1,598.00 due Mon 10.03.2025 → Säumniszuschläge by Fri 02.05.2025 for the
  months from 11.03. and 11.04.: 1 % of 1,550 (rounded down to 50 EUR) twice = 31.00 (§ 240 AO; LAW.md
  "Säumniszuschlag", the same claim as ``test_measures.test_return_to_partners_takes_the_claims_out_of_the_books``);
  EB-A-1002 Elternbeiträge 120.00 (no Säumniszuschläge);
* B (SVwVG): EB-B-2001 Elternbeiträge 200.00.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from django.core.exceptions import ValidationError

from kofo import limits
from kofo.audit import archive
from kofo.cases.measures import do_return_to_partners
from kofo.cases.models import Case, Claim, MeasureKind
from kofo.documents import letters
from kofo.documents.actions import content_of, do_store_received_document, produce_letters, verify
from kofo.documents.models import Document, DocumentKind, RecipientRole
from kofo.documents.rendering import pdf_text
from kofo.documents.templatetags.kofo_documents import iban as grouped_iban
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Office, Partner, Regime
from kofo.partners.roles import Role
from kofo.payments.actions import do_record_payment
from kofo.payments.collections import do_record_cash_receipt
from kofo.payments.models import CashReceipt, PaymentSource
from kofo.payments.remittance import do_remittance_run
from tests import factories
from tests.integration import test_measures as measures

pytestmark = pytest.mark.django_db
world = measures.world  # the fixture: an office (Land SL) and KOFO_DATA_DIR in a temporary folder
ACTOR = factories.TEST_ACTOR
C = Cents.parse
D = dt.date
OPENED_ON = D(2025, 5, 2)  # the daily run opens the file and starts the payment demand
A_CLAIMS = ("GS-A-1001", "EB-A-1002")
B_CLAIMS = ("EB-B-2001",)


def flat(text: str) -> str:
    """The PDF's text with every line break and run of spaces as one space (lines wrap where they fit)."""
    return " ".join(text.split())


def text_of(document: Document) -> str:
    return flat(pdf_text(content_of(document)))


def euro(cents: int) -> str:
    return str(Cents(cents))


@pytest.fixture
def keller(world: None) -> tuple[Case, Partner, Partner]:
    """Sabine Keller's file with the claims of partners A and B (see the module docstring)."""
    a = measures.make_partner(Regime.AO, key="stadt-a")
    b = measures.make_partner(Regime.SVWVG_SL, key="kreis-b")
    measures.intake(
        a,
        measures.row("GS-A-1001", "1.598,00", claim_type=ClaimType.GRUNDSTEUER),
        measures.row("EB-A-1002", "120,00"),
    )
    measures.intake(b, measures.row("EB-B-2001", "200,00"))
    measures.run_day(OPENED_ON)
    case = Case.objects.get()  # one debtor, one file: both partners' claims are bundled
    bundled = Claim.objects.filter(debtor_record__debtor=case.debtor).values_list("kassenzeichen", flat=True)
    assert set(bundled) == {*A_CLAIMS, *B_CLAIMS}
    return case, a, b


def produce_one(built: list[letters.Letter]) -> Document:
    produced = produce_letters(built, actor=ACTOR)
    assert produced.skipped == 0
    (document,) = produced.documents
    return document


# --- Quittung -------------------------------------------------------------------------------------------------


@pytest.fixture
def receipt_letter(keller: tuple[Case, Partner, Partner]) -> tuple[CashReceipt, Document]:
    case, _, _ = keller
    officer = factories.make_user(Role.AUSSENDIENST, username="vb-schneider")
    # Open 1,598.00 + 31.00 + 120.00 + 200.00 = 1,949.00; 2,000.00 taken in cash leaves 51.00 overpaid.
    receipt = do_record_cash_receipt(
        case, amount=C("2.000,00"), received_on=D(2025, 5, 6), payer="Sabine Keller", actor=officer
    )
    return receipt, produce_one(letters.cash_receipt(receipt))


def test_cash_receipt_names_number_amount_payer_and_allocation(
    receipt_letter: tuple[CashReceipt, Document],
) -> None:
    receipt, document = receipt_letter
    case = receipt.payment.case
    assert receipt.number == "Q-2025-000001"
    assert (document.kind, document.recipient_role, document.case_id) == (
        DocumentKind.QUITTUNG,
        RecipientRole.DEBTOR,
        case.pk,
    )
    assert document.recipient.startswith("Sabine Keller, Am Markt 3, 66740 Saarlouis")
    text = text_of(document)
    assert "Quittung Nr. Q-2025-000001" in text
    assert "erhalten am 06.05.2025" in text
    assert "Einzahler Sabine Keller" in text
    assert "Betrag (in Ziffern) 2.000,00 EUR" in text
    assert f"Aktenzeichen {case.number}" in text
    assert f"Zahlungsreferenz {case.payment_reference}" in text
    assert "vb-schneider" in text  # the officer who took the money, also under the signature line
    assert "Unterschrift des Vollziehungsbeamten / der Vollziehungsbeamtin: vb-schneider" in text
    assert "maschinell erstellt" in text
    assert "Vollstreckungssache gegen Keller, Sabine, geb. 04.04.1975" in text
    # Every step of the allocation as the payment recorded it (§ 225 AO), and the overpayment.
    allocations = document.data["receipt"]["allocations"]
    assert allocations and allocations == receipt.payment.derivation
    for line in allocations:
        assert flat(line) in text
    assert receipt.payment.leftover_cents == C("51,00")
    assert "Überzahlung: 51,00 EUR." in text


def test_a_receipt_without_overpayment_says_nothing_about_one(keller: tuple[Case, Partner, Partner]) -> None:
    case, _, _ = keller
    receipt = do_record_cash_receipt(
        case, amount=C("50,00"), received_on=D(2025, 5, 6), payer="Karl Keller", actor=ACTOR
    )
    text = text_of(produce_one(letters.cash_receipt(receipt)))
    assert "Einzahler Karl Keller" in text and "50,00 EUR" in text
    assert "Überzahlung" not in text


def test_producing_again_stores_nothing_and_the_letter_reproduces(
    receipt_letter: tuple[CashReceipt, Document],
) -> None:
    receipt, document = receipt_letter
    count = Document.objects.count()
    again = produce_letters(letters.cash_receipt(receipt), actor=ACTOR)
    assert (again.documents, again.skipped) == ([], 1)
    assert Document.objects.count() == count
    check = verify(document)
    assert check.same_text and check.same_bytes


def test_archived_letter_lies_under_the_data_dir_and_tampering_is_detected(
    receipt_letter: tuple[CashReceipt, Document], settings: Any
) -> None:
    _, document = receipt_letter
    path = settings.DATA_DIR / "documents" / document.sha256[:2] / document.sha256
    content = content_of(document)
    assert path.is_file() and path.read_bytes() == content
    assert content.startswith(b"%PDF-") and len(content) == document.size_bytes
    path.chmod(0o640)  # archived read-only; someone with the owner's rights changes one byte in the middle
    middle = len(content) // 2
    path.write_bytes(content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1 :])
    with pytest.raises(archive.ArchiveError):
        content_of(document)
    with pytest.raises(archive.ArchiveError):
        verify(document)  # the reproduction check reads the archive the same way


# --- Rückgabe mit Vollstreckungsbericht ----------------------------------------------------------------------


def test_return_report_per_partner_names_only_its_claims_and_the_measures(
    keller: tuple[Case, Partner, Partner],
) -> None:
    case, a, b = keller
    demand = case.measures.get(kind=MeasureKind.ZAHLUNGSAUFFORDERUNG)
    measure = do_return_to_partners(case, reason="Vollstreckung aussichtslos", on=D(2025, 5, 5), actor=ACTOR)
    built = letters.return_reports(measure)
    assert [letter.partner for letter in built] == sorted([a, b], key=lambda p: p.name)
    produced = produce_letters(built, actor=ACTOR)
    assert len(produced.documents) == 2
    documents = {document.partner_id: document for document in produced.documents}
    # Returned: A 1,598.00 + 31.00 + 120.00 = 1,749.00 (see the module docstring), B 200.00.
    returned = {a.pk: (A_CLAIMS, B_CLAIMS, C("1.749,00")), b.pk: (B_CLAIMS, A_CLAIMS, C("200,00"))}
    for partner in (a, b):
        document = documents[partner.pk]
        assert (document.kind, document.recipient_role, document.measure_id) == (
            DocumentKind.RUECKGABE,
            RecipientRole.PARTNER,
            measure.pk,
        )
        own, other, total = returned[partner.pk]
        text = text_of(document)
        assert document.recipient.startswith(partner.name)
        assert "Vollstreckungssache gegen Keller, Sabine, geb. 04.04.1975" in text
        for kassenzeichen in own:
            assert kassenzeichen in text
        for kassenzeichen in other:
            assert kassenzeichen not in text
        assert f"Summe der zurückgegebenen Beträge {euro(total)}" in text
        assert "Grund der Rückgabe: Vollstreckung aussichtslos." in text
        # The report: the payment demand, started with the file, ended by the return.
        demand.refresh_from_db()
        assert demand.get_kind_display() in text
        assert "02.05.2025 05.05.2025" in text  # begun, ended
        assert f"{demand.get_status_display()}: Rückgabe an die Partner" in text
        assert "Niederschlagung (§ 261 Abgabenordnung)" in text and "Erlass (§ 227 Abgabenordnung)" in text
    assert "GS-A-1001 Grundsteuer 10.03.2025 1.598,00 EUR 1.629,00 EUR" in text_of(documents[a.pk])


# --- Auskehrungsmitteilung ----------------------------------------------------------------------------------


def test_remittance_advice_adds_up_per_kassenzeichen_to_the_amount_paid(
    keller: tuple[Case, Partner, Partner],
) -> None:
    case, a, b = keller
    # The whole debt of 1,949.00 paid: every claim of both partners settled, with the Säumniszuschläge.
    do_record_payment(
        case, amount=C("1.949,00"), received_on=D(2025, 5, 6), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    run = do_remittance_run(until=D(2025, 5, 31), actor=ACTOR, partners=[a, b], force=True)
    assert run is not None
    remittances = list(run.remittances.select_related("partner"))
    paid = {r.partner_id: r.amount_cents for r in remittances}
    assert paid == {a.pk: C("1.749,00"), b.pk: C("200,00")}  # see the module docstring
    kinds = set()
    for remittance in remittances:
        statement = json.loads(archive.load(remittance.statement_json_sha256))
        (letter,) = letters.remittance_advice(remittance, statement)
        document = produce_one([letter])
        assert (document.kind, document.partner_id, document.case_id) == (
            DocumentKind.AUSKEHRUNG,
            remittance.partner_id,
            None,
        )
        text = text_of(document)
        partner = remittance.partner
        own, other = (A_CLAIMS, B_CLAIMS) if partner == a else (B_CLAIMS, A_CLAIMS)
        assert f"Auskehrungsmitteilung – Lauf {run.number}" in text
        assert f"Auskehrungslauf Nr. {run.number} – Zahlungseingänge bis 31.05.2025" in text
        assert "Vollstreckungssache" not in text  # no debtor in a remittance advice
        assert f"Auszahlungsbetrag {euro(remittance.amount_cents)}" in text
        assert f"vereinnahmt {euro(remittance.collected_cents)}" in text
        assert f"IBAN {grouped_iban(partner.iban)}" in text
        assert f"Ende-zu-Ende-Referenz {remittance.end_to_end_id}" in text
        assert f"Ausführung am {run.execution_date:%d.%m.%Y}" in text
        for kassenzeichen in other:
            assert kassenzeichen not in text
        claims = document.data["claims"]
        assert sorted(c["kassenzeichen"] for c in claims) == sorted(own)
        for claim in claims:
            assert f"Kassenzeichen {claim['kassenzeichen']}" in text
            assert claim["total_cents"] == sum(c["amount_cents"] for c in claim["components"])
            for component in claim["components"]:
                assert f"{component['label']} {euro(component['amount_cents'])}" in text
                kinds.add(component["label"])
            assert f"Summe {claim['kassenzeichen']} {euro(claim['total_cents'])}" in text
        components = sum(c["amount_cents"] for claim in claims for c in claim["components"])
        assert components == remittance.collected_cents == remittance.amount_cents + remittance.retained_cents
        assert f"vereinnahmt insgesamt {euro(remittance.collected_cents)}" in text
        assert verify(document).same_bytes  # a letter without a file reproduces from its data, too
    # The Grundsteuer's Säumniszuschläge are remitted as their own component.
    assert {str(Component.SURCHARGE.label), str(Component.PRINCIPAL.label)} <= kinds


# --- received documents -------------------------------------------------------------------------------------

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def receive(content: bytes, **overrides: Any) -> Document:
    fields: dict[str, Any] = {
        "kind": DocumentKind.BESCHEID,
        "filename": "bescheid.pdf",
        "title": "Grundsteuerbescheid",
        "received_on": D(2025, 5, 6),
        "actor": ACTOR,
    }
    return do_store_received_document(content, **(fields | overrides))


def test_a_received_pdf_is_archived_with_the_file(
    keller: tuple[Case, Partner, Partner], settings: Any
) -> None:
    case, a, _ = keller
    document = receive(MINIMAL_PDF, case=case, partner=a)
    assert (document.media_type, document.size_bytes, document.case_id, document.partner_id) == (
        "application/pdf",
        len(MINIMAL_PDF),
        case.pk,
        a.pk,
    )
    assert document.template is None and document.recipient_role == RecipientRole.OFFICE
    assert content_of(document) == MINIMAL_PDF
    assert (
        settings.DATA_DIR / "documents" / document.sha256[:2] / document.sha256
    ).read_bytes() == MINIMAL_PDF
    assert document.retain_until == D(2035, 12, 31)  # ten years after the end of 2025


@pytest.mark.parametrize(
    ("content", "kind", "code"),
    [
        (b"Sehr geehrte Damen und Herren,\n", DocumentKind.BESCHEID, "document.media_type"),
        (b"", DocumentKind.SONSTIGES, "document.empty"),
        (b"%PDF-" + b"x" * 2_000, DocumentKind.DRITTSCHULDNERERKLAERUNG, "document.too_large"),
        (MINIMAL_PDF, DocumentKind.QUITTUNG, "document.kind"),  # kofo makes receipts, it does not file them
    ],
)
def test_bad_received_documents_are_refused_and_nothing_is_stored(
    world: None, monkeypatch: pytest.MonkeyPatch, content: bytes, kind: str, code: str
) -> None:
    monkeypatch.setattr(limits, "DOCUMENT_UPLOAD_BYTES_MAX", 1_000)
    with pytest.raises(ValidationError) as refused:
        receive(content, kind=kind)
    assert refused.value.code == code
    assert not Document.objects.exists()


# --- the GiroCode printed on a payment demand ----------------------------------------------------------------


def test_the_printed_girocode_scans_with_iban_amount_and_reference(
    keller: tuple[Case, Partner, Partner],
) -> None:
    case, _, _ = keller
    demand = case.measures.get(kind=MeasureKind.ZAHLUNGSAUFFORDERUNG)
    (letter,) = letters.letters_on_start(demand)
    total = letter.data["total_cents"]
    # 1,598.00 + 31.00 + 120.00 (A) + 200.00 (B): the file's whole debt, payable with one transfer.
    assert total == letter.data["payment"]["amount_cents"] == C("1.949,00")
    document = produce_one([letter])
    pdf = content_of(document)
    assert f"Gesamtbetrag {euro(total)}" in flat(pdf_text(pdf))

    # Every page as a 288 dpi image (scale 4 of 72 dpi), as a phone's camera sees the printed sheet; with two
    # creditors the claims table is long and the payment block is on the second page.
    pages = pypdfium2.PdfDocument(io.BytesIO(pdf))
    codes = [
        code
        for index in range(len(pages))
        for code in zxingcpp.read_barcodes(pages[index].render(scale=4).to_pil())
    ]
    assert [code.format for code in codes] == [zxingcpp.BarcodeFormat.QRCode]
    lines = codes[0].text.split("\n")
    office = Office.current()
    assert office is not None
    assert (lines[0], lines[1], lines[3]) == ("BCD", "002", "SCT")
    assert lines[4:7] == [office.bic, office.name, office.iban]
    assert lines[7].startswith("EUR") and Decimal(lines[7].removeprefix("EUR")) * 100 == total  # "EUR1949"
    assert lines[9] == case.payment_reference == letter.data["payment"]["reference"]
