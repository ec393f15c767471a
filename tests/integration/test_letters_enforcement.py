"""The letters of enforcement measures as PDF (issue 6): garnishment, asset disclosure, register, instalments,
field order.

Every letter is made the way the office makes it: the measure's state through the real actions of
:mod:`kofo.cases.measures`, the data by the builders of :mod:`kofo.documents.letters`, the PDF by
``produce_letters``; the assertions read the archived PDF's text back.

Sources of the expected values:

* § 309 Abs. 2 Satz 2 AO (LAW.md "Garnishment of claims"): the third party's copy of a garnishment order states
  one total only — no creditor, Kassenzeichen, claim type or due date; the debtor's copy the breakdown.
* § 316 AO: the third party declares within 2 weeks of service; § 835 Abs. 3 Satz 2 ZPO via § 314 Abs. 3 AO
  (LAW.md): a natural person's bank balance is paid out no earlier than 4 weeks after service.
* § 122 Abs. 2 Nr. 1 AO (as amended from 2025): a posted letter is deemed received on the 4th day after
  posting; § 108 AO with §§ 187, 188, 193 BGB: periods and their move to the next working day (Saarland
  holidays). The expected deadlines are computed here with ``kofo.law.deadlines`` (``deemed_receipt``,
  ``period_end``) and cross-checked by hand in the comments.
* § 284 Abs. 1 AO (LAW.md "Asset disclosure"): two weeks to pay with notice of the duty to disclose; § 284
  Abs. 6, 8, 9 AO: summons, Haft, Schuldnerverzeichnis.
* § 258 AO (LAW.md "Instalments"): surcharges keep running; a missed instalment (after the grace period of
  ``StrategySettings.instalment_grace_days``, default 14 days) lets the office revoke.
* Administrative acts carry the Rechtsbehelfsbelehrung (``letters.ADMINISTRATIVE_ACTS``): Einspruch under the
  AO (§§ 347, 355 AO), Widerspruch under the SVwVG (§§ 68, 70 VwGO); the payment demand does not.
* The fee of 28.60 EUR arises with the service of a garnishment order under the AO (§ 339 Abs. 2 Nr. 2,
  Abs. 3 AO, LAW.md "Enforcement fees").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp

from kofo.cases.casefiles import case_claims
from kofo.cases.measures import (
    DL_APPOINTMENT,
    DL_DISCLOSURE_DEMAND,
    VA_ABSENT,
    VA_INSUFFICIENT,
    VA_REFUSED,
    VA_SUFFICIENT,
    check_instalment_plans,
    do_arrange_instalments,
    do_note_third_party,
    do_propose_measure,
    do_record_service,
    do_save_third_party,
    do_start_measure,
    do_summon_disclosure,
)
from kofo.cases.models import Case, InstalmentPlanStatus, MeasureKind, ThirdParty
from kofo.documents import actions as document_actions
from kofo.documents.actions import content_of, produce_letters
from kofo.documents.letters import (
    Letter,
    disclosure_summons,
    garnishment_notice,
    instalment_notice,
    instalment_revocation,
    letters_on_start,
)
from kofo.documents.models import Document, DocumentKind, RecipientRole
from kofo.documents.rendering import pdf_text
from kofo.law.deadlines import deemed_receipt, period_end
from kofo.money import Cents
from kofo.partners.models import Office, Regime
from tests import factories
from tests.integration.test_measures import (
    DKB_IBAN,
    VA_STARTED,
    VA_SUMMONS_SERVED,
    commerzbank,
    disclose,
    dkb,
    employer,
    intake,
    make_partner,
    open_file,
    row,
    start,
)

K = MeasureKind
DK = DocumentKind
C = Cents.parse
D = dt.date
ACTOR = factories.TEST_ACTOR
LAND = "SL"  # the office's Land (Office.land default): Saarland holidays

# Two creditors, one debtor (Sabine Keller, born 04.04.1975, Am Markt 3, 66740 Saarlouis — the rows of
# tests.integration.test_measures): Elternbeiträge carry no Säumniszuschläge, so the amounts stay fixed.
CLAIMS = {"EB-2025-0471": ("stadt-saarlouis", "480,00"), "EB-2025-0815": ("gemeinde-wallerfangen", "120,00")}
PARTNER_NAMES = ("Partner stadt-saarlouis", "Partner gemeinde-wallerfangen")  # make_partner: "Partner <key>"
TOTAL = "600,00 EUR"
DEBTOR_LINES = ("Sabine Keller", "Am Markt 3", "66740 Saarlouis")
BANK_LINES = ("Commerzbank", "Kaiserstraße 16", "60311 Frankfurt am Main")
EMPLOYER_LINES = ("Saarstahl AG", "Bismarckstraße 57-59", "66333 Völklingen")
OFFICE_IBAN = "DE89 3704 0044 0532 0130 00"  # factories.make_office, printed in groups of four
REMEDIES = "Rechtsbehelfsbelehrung"


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    factories.make_office(
        phone="0681 501-00", email="vollstreckung@lava.saarland.de", bank_name="Commerzbank"
    )


def make_case(*, regime: str = Regime.AO, legal: bool = False) -> Case:
    first = None
    for kassenzeichen, (key, amount) in CLAIMS.items():
        (claim,) = intake(make_partner(regime, key), row(kassenzeichen, amount, legal=legal))
        first = first or claim
    assert first is not None
    case = open_file(first)
    assert case_claims(case).count() == len(CLAIMS)  # one debtor, one file
    return case


def with_address(party: ThirdParty, lines: tuple[str, str, str]) -> ThirdParty:
    party.street = lines[1]
    party.postcode, party.city = lines[2].split(" ", 1)
    return do_save_third_party(party, actor=ACTOR)


@dataclass(frozen=True)
class Pdf:
    document: Document
    pages: list[str]  # each page's text, whitespace folded (line breaks of the layout do not matter)

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def fold(text: str) -> str:
    return " ".join(text.split())


#: Every page ends with its footer "Seite x von y" (letter.css, bottom-right margin box): the text of a page
#: runs up to it.
PAGE = re.compile(r".*?Seite (\d+) von (\d+)")


def produce(letters: list[Letter]) -> dict[str, Pdf]:
    """Render and archive ``letters``; the archived PDFs by kind, read back page by page."""
    produced = produce_letters(letters, actor=ACTOR)
    assert produced.skipped == 0
    result = {}
    for document in produced.documents:
        text = fold(pdf_text(content_of(document)))
        pages = list(PAGE.finditer(text))
        assert [(int(page[1]), int(page[2])) for page in pages] == [
            (number, document.pages) for number in range(1, document.pages + 1)
        ]
        pdf = Pdf(document, [page[0].strip() for page in pages])
        assert pdf.text == text  # nothing after the last footer
        result[document.kind] = pdf
    assert len(result) == len(letters)
    return result


def assert_lines(pdf: Pdf, lines: tuple[str, ...]) -> None:
    first_page = pdf.pages[0]
    for line in lines:
        assert line in first_page, line


def assert_breakdown(pdf: Pdf) -> None:
    for kassenzeichen in CLAIMS:
        assert kassenzeichen in pdf.text
    for name in PARTNER_NAMES:
        assert f"Gläubiger: {name}" in pdf.text
    assert "Gesamtbetrag" in pdf.text


def assert_no_breakdown(pdf: Pdf) -> None:
    for kassenzeichen in CLAIMS:
        assert kassenzeichen not in pdf.text
    for name in PARTNER_NAMES:
        assert name not in pdf.text
    # Neither the kind of the claims nor their dates (§ 309 Abs. 2 Satz 2 AO: "ohne Angabe der Steuerarten
    # und der Zeiträume"); the rows were assessed on 10.02.2025 and due on 10.03.2025.
    for detail in ("Elternbeiträge", "Satzung", "10.02.2025", "10.03.2025", "stadt-saarlouis"):
        assert detail not in pdf.text, detail


def girocode(document: Document) -> list[str]:
    """The lines of the one GiroCode printed in ``document``, scanned from its pages (288 dpi)."""
    pages = pypdfium2.PdfDocument(content_of(document))
    codes = [
        code
        for index in range(len(pages))
        for code in zxingcpp.read_barcodes(pages[index].render(scale=4).to_pil())
    ]
    assert [code.format for code in codes] == [zxingcpp.BarcodeFormat.QRCode]
    return str(codes[0].text).split("\n")


def deadline_after_posting(posted_on: dt.date, *, weeks: int) -> dt.date:
    """A payment period from the deemed receipt of a posted letter (§ 122 Abs. 2 Nr. 1 AO; § 108 AO, § 188
    Abs. 2, § 193 BGB)."""
    receipt = deemed_receipt(posted_on, land=LAND).date
    return period_end(receipt, weeks=weeks, land=LAND).date


# --- Pfändungs- und Einziehungsverfügung ------------------------------------------------------------------------

GARNISHMENTS = {
    # kind, debtor a legal entity?, third party, its address, the third party's "no claim" box, payout hold?
    "bank, natural person": (K.PFEV_BANK, False, commerzbank, BANK_LINES, "kein Konto", True),
    "bank, legal entity": (K.PFEV_BANK, True, commerzbank, BANK_LINES, "kein Konto", False),
    "wages": (K.PFEV_LOHN, False, employer, EMPLOYER_LINES, "kein Arbeitsverhältnis", False),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "legal", "party", "lines", "no_claim", "hold"), GARNISHMENTS.values(), ids=GARNISHMENTS.keys()
)
def test_garnishment_order_third_party_copy_states_one_total(
    world: None, kind: str, legal: bool, party: Any, lines: tuple[str, str, str], no_claim: str, hold: bool
) -> None:
    case = make_case(legal=legal)
    third_party = with_address(party(), lines)
    pfev = start(case, kind, D(2025, 6, 2), third_party=third_party)

    pdfs = produce(letters_on_start(pfev))
    assert set(pdfs) == {DK.PFEV_DRITTSCHULDNER, DK.PFEV_SCHULDNER}
    to_third = pdfs[DK.PFEV_DRITTSCHULDNER]
    assert to_third.document.recipient_role == RecipientRole.THIRD_PARTY
    assert to_third.document.recipient == ", ".join(lines)
    assert_lines(to_third, lines)
    text = to_third.text
    # § 309 Abs. 2 Satz 2 AO: one total, nothing about creditors and claims.
    assert TOTAL in text
    assert_no_breakdown(to_third)
    # The debtor is named so the third party can find the account or the employee.
    assert ("Saarmetall Handels GmbH" if legal else "Keller, Sabine") in text
    # Pfändung (Arrestatorium, Inhibitorium, § 309 Abs. 1 AO) and Einziehung (§ 314 AO).
    assert "nicht mehr an den Vollstreckungsschuldner zahlen" in text
    assert (
        "sich jeder Verfügung über die gepfändete Forderung, insbesondere ihrer Einziehung, zu enthalten"
        in text
    )
    assert "Einziehung der gepfändeten Forderung angeordnet" in text
    # Payment to the office with the file's payment reference (ISO 11649), no GiroCode.
    assert case.payment_reference.startswith("RF")
    assert case.payment_reference in text
    assert OFFICE_IBAN in text
    assert "GiroCode" not in text
    # § 316 AO: the declaration within 2 weeks of service, the form on a page of its own.
    assert "binnen 2 Wochen, von der Zustellung dieser Verfügung an gerechnet" in text
    form = to_third.pages[-1]
    assert "Drittschuldnererklärung (§ 316 AO)" in form
    assert "Drittschuldnererklärung (§ 316 AO)" not in " ".join(to_third.pages[:-1])
    for box in ("Anerkenntnis", "Ansprüche Dritter", "Vorrangige Pfändungen", no_claim, "Unterschrift"):
        assert box in form, box
    assert ("Pfändungsschutzkonto" in form) == (kind == K.PFEV_BANK)
    # § 835 Abs. 3 Satz 2 ZPO via § 314 Abs. 3 AO: only a natural person's bank balance is held.
    assert ("erst 4 Wochen nach der Zustellung" in text) == hold
    assert ("§ 850c ZPO" in text) == (kind == K.PFEV_LOHN)
    assert REMEDIES in text and "Einspruch" in text

    to_debtor = pdfs[DK.PFEV_SCHULDNER]
    assert to_debtor.document.recipient_role == RecipientRole.DEBTOR
    assert_lines(to_debtor, ("Saarmetall Handels GmbH",) if legal else DEBTOR_LINES)
    assert_breakdown(to_debtor)
    text = to_debtor.text
    assert TOTAL in text
    assert lines[0] in text  # the third party is named
    assert "jeder Verfügung über die gepfändete Forderung" in text
    assert ("Pfändungsschutzkonto" in text) == hold
    assert case.payment_reference in text
    assert "GiroCode" in text
    assert REMEDIES in text


# --- Mitteilung über die Zustellung -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("legal", [False, True], ids=["natural person", "legal entity"])
def test_notice_of_service_names_the_third_party_and_the_payout_hold(world: None, legal: bool) -> None:
    case = make_case(legal=legal)
    bank = with_address(commerzbank(), BANK_LINES)
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=bank)
    # Served Thu 05.06.2025: the hold of 4 weeks (§ 835 Abs. 3 Satz 2 ZPO via § 314 AO) ends Thu 03.07.2025
    # (§ 188 Abs. 2 BGB, a working day in the Saarland) — for a natural person only.
    served = D(2025, 6, 5)
    pfev = do_record_service(pfev, served_on=served, actor=ACTOR)
    hold = period_end(served, weeks=4, land=LAND).date
    assert hold == D(2025, 7, 3)
    assert pfev.payout_hold_until == (None if legal else hold)

    (pdf,) = produce(garnishment_notice(pfev)).values()
    assert pdf.document.kind == DK.PFAENDUNG_MITTEILUNG
    assert pdf.document.letter_date == served
    assert_lines(pdf, ("Saarmetall Handels GmbH",) if legal else DEBTOR_LINES)
    text = pdf.text
    assert "Commerzbank" in text
    assert "am 5. Juni 2025 zugestellt" in text
    assert "§ 309 Abs. 2 Satz 3 AO" in text
    assert ("nicht vor dem 03.07.2025" in text) == (not legal)
    # The Pfändungsgebühr arose with the service (§ 339 Abs. 2 Nr. 2, Abs. 3 AO): 600.00 + 28.60.
    assert "628,60 EUR" in text
    assert case.payment_reference in text
    assert REMEDIES not in text  # a notice, not an administrative act


# --- Vermögensauskunft ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_disclosure_demand_gives_two_weeks_and_names_the_duty_to_disclose(world: None) -> None:
    case = make_case()
    va = start(case, K.VERMOEGENSAUSKUNFT, VA_STARTED)
    # Posted Mon 02.06.2025 → deemed received Fri 06.06.2025 → two weeks end Fri 20.06.2025 (§ 284 Abs. 1 AO).
    expected = deadline_after_posting(VA_STARTED, weeks=2)
    assert expected == D(2025, 6, 20)
    assert (va.deadline_kind, va.deadline_on) == (DL_DISCLOSURE_DEMAND, expected)

    (pdf,) = produce(letters_on_start(va)).values()
    assert pdf.document.kind == DK.VA_ZAHLUNGSAUFFORDERUNG
    assert_lines(pdf, DEBTOR_LINES)
    assert_breakdown(pdf)
    text = pdf.text
    assert f"spätestens bis {expected:%d.%m.%Y}" in text
    assert "zahlbar bis 20.06.2025" in text  # the payment block
    assert "§ 284 Abs. 1 AO" in text
    assert "Vermögensauskunft" in text and "Schuldnerverzeichnis" in text
    assert case.payment_reference in text and "GiroCode" in text
    assert TOTAL in text
    assert REMEDIES not in text  # a payment demand is no administrative act


@pytest.mark.django_db
def test_summons_to_disclose_at_the_office(world: None) -> None:
    case = make_case()
    va = start(case, K.VERMOEGENSAUSKUNFT, VA_STARTED)
    # Served Tue 24.06.2025 (after the period of 20.06.); the appointment at least one month later (§ 284
    # Abs. 6 AO, LAW.md): Tue 29.07.2025.
    appointment = D(2025, 7, 29)
    va = do_summon_disclosure(va, appointment_on=appointment, served_on=VA_SUMMONS_SERVED, actor=ACTOR,
                              appointment_time=dt.time(9, 30), appointment_room="Zimmer 2.14")  # fmt: skip
    assert (va.deadline_kind, va.deadline_on) == (DL_APPOINTMENT, appointment)

    (pdf,) = produce(disclosure_summons(va)).values()
    assert pdf.document.kind == DK.VA_LADUNG
    assert pdf.document.letter_date == VA_SUMMONS_SERVED
    assert_lines(pdf, DEBTOR_LINES)
    text = pdf.text
    assert "am 29. Juli 2025 um 09:30 Uhr" in text  # day and hour of the appointment
    assert "Hochstraße 67, 66115 Saarbrücken, Zimmer 2.14" in text  # at the office (§ 284 Abs. 5 AO)
    assert "Was Sie mitbringen müssen" in text
    assert "Anordnung der Haft" in text and "§ 284 Abs. 8 AO" in text
    assert "Eintragung in das Schuldnerverzeichnis" in text and "§ 284 Abs. 9" in text
    assert TOTAL in text
    assert case.payment_reference in text
    assert REMEDIES in text and "Einspruch" in text


REGISTER_GROUNDS = {
    # (regime, its legal remedy per letters.REMEDIES, the last disclosure's outcome, the order's date, the ground
    # of § 284 Abs. 9 Satz 1 AO with the facts the order states; the disclosure on Tue 29.07.2025).
    "AO absent Nr. 1": (Regime.AO, "Einspruch", VA_ABSENT, D(2025, 8, 4), 1,
                        "Sie sind zum Termin am 29.07.2025 zur Abgabe der Vermögensauskunft ohne ausreichende "
                        "Entschuldigung nicht erschienen"),
    "SVwVG refused Nr. 1": (Regime.SVWVG_SL, "Widerspruch", VA_REFUSED, D(2025, 8, 4), 1,
                            "Sie haben im Termin am 29.07.2025 die Abgabe der Vermögensauskunft ohne Grund verweigert"),
    "AO fruitless Nr. 2": (Regime.AO, "Einspruch", VA_INSUFFICIENT, D(2025, 8, 4), 2,
                           "Nach dem Inhalt des Vermögensverzeichnisses, das Sie am 29.07.2025 abgegeben haben, ist "
                           "eine Vollstreckung offensichtlich nicht geeignet"),
    # Nr. 3: one month after Tue 29.07.2025 ends Fri 29.08.2025 (§ 188 Abs. 2 BGB); the order on Mon 01.09.
    "AO unpaid Nr. 3": (Regime.AO, "Einspruch", VA_SUFFICIENT, D(2025, 9, 1), 3,
                        "Sie haben am 29.07.2025 die Vermögensauskunft abgegeben, die Forderungen aber nicht "
                        "innerhalb eines Monats danach vollständig beglichen"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("regime", "remedy", "outcome", "on", "number", "facts"),
    REGISTER_GROUNDS.values(),
    ids=REGISTER_GROUNDS.keys(),
)
def test_register_order_states_its_ground_and_carries_the_remedy(
    world: None, regime: str, remedy: str, outcome: str, on: dt.date, number: int, facts: str
) -> None:
    case = make_case(regime=regime)
    disclose(case, outcome)
    note = "Eintragung anordnen (interner Vermerk, nicht für den Schuldner)."
    measure = do_propose_measure(case, K.SCHULDNERVERZEICHNIS, reason=note, on=on, actor=ACTOR)
    measure = do_start_measure(measure, on=on, actor=ACTOR)

    (pdf,) = produce(letters_on_start(measure)).values()
    assert pdf.document.kind == DK.EINTRAGUNGSANORDNUNG
    assert pdf.document.letter_date == on
    assert pdf.document.data["ground"]["number"] == number
    assert_lines(pdf, DEBTOR_LINES)
    text = " ".join(pdf.text.split())
    assert "Begründung" in text and facts in text
    assert f"Nach § 284 Abs. 9 Satz 1 Nr. {number} AO kann die Vollstreckungsbehörde deshalb" in text
    assert note not in text  # the caseworker's note stays in the file
    assert "Schuldnerverzeichnis" in text and "drei Jahre" in text
    assert f"Ein {remedy} gegen diese Anordnung hat keine aufschiebende Wirkung" in text
    assert TOTAL in text
    assert case.payment_reference in text
    assert REMEDIES in text and remedy in text


# --- Ratenzahlung ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("mandate", ["", "KOFO-VA000001-1"], ids=["transfer", "direct debit"])
def test_instalment_notice_with_the_schedule(world: None, mandate: str) -> None:
    case = make_case()
    # 600.00 in instalments of 250.00 from Sun 01.06.2025, same day each month: 250, 250, 100.
    plan = do_arrange_instalments(
        case, instalment=C("250,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="",
        mandate_reference=mandate, actor=ACTOR,
    )  # fmt: skip

    (pdf,) = produce(instalment_notice(plan)).values()
    assert pdf.document.kind == DK.RATENZAHLUNG
    assert pdf.document.letter_date == D(2025, 5, 5)
    assert_lines(pdf, DEBTOR_LINES)
    assert_breakdown(pdf)
    text = pdf.text
    for schedule_row in ("1. 01.06.2025 250,00 EUR", "2. 01.07.2025 250,00 EUR", "3. 01.08.2025 100,00 EUR"):
        assert schedule_row in text
    assert "in 3 monatlichen Raten" in text
    assert "Säumniszuschläge laufen während der Ratenzahlung weiter" in text  # § 240 AO, LAW.md
    assert "spätestens 14 Tage nach ihrem Fälligkeitstag" in text  # the grace period before revocation
    assert "widerrufen" in text and "§ 258" in text
    assert case.payment_reference in text
    if mandate:
        assert f"Mandatsreferenz {mandate}" in text
        assert "DE98ZZZ09999999999" in text  # the office's creditor identifier
        assert "GiroCode" not in text  # collected by direct debit: no transfer slip
    else:
        assert "GiroCode" in text
        assert "Betrag 250,00 EUR" in text and "zahlbar bis 01.06.2025" in text  # the first instalment
        # The printed code (EPC069-12) asks for the first instalment, not the whole debt.
        lines = girocode(pdf.document)
        assert (lines[0], lines[3], lines[6]) == ("BCD", "SCT", "DE89370400440532013000")
        assert lines[7].startswith("EUR") and Decimal(lines[7].removeprefix("EUR")) == Decimal("250")
        assert lines[9] == case.payment_reference
    assert REMEDIES in text


@pytest.mark.django_db
def test_revocation_after_a_missed_instalment_makes_the_rest_due(world: None) -> None:
    case = make_case()
    plan = do_arrange_instalments(
        case, instalment=C("250,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="", actor=ACTOR
    )
    # The 1st instalment (Sun 01.06.2025) is not paid; after 14 days' grace the daily check of Mon 16.06.2025
    # revokes the plan (kofo.cases.measures.check_instalment_plans; § 258 AO, LAW.md).
    revoked_on = D(2025, 6, 16)
    check_instalment_plans(case, revoked_on, actor=ACTOR)
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (InstalmentPlanStatus.REVOKED, revoked_on)
    # Posted Mon 16.06.2025 → deemed received Fri 20.06.2025 (Thu 19.06. is Fronleichnam, but the 4th day is
    # the Friday) → one week to pay, Fri 27.06.2025.
    expected = deadline_after_posting(revoked_on, weeks=1)
    assert expected == D(2025, 6, 27)

    (pdf,) = produce(instalment_revocation(plan)).values()
    assert pdf.document.kind == DK.RATENZAHLUNG_WIDERRUF
    assert pdf.document.letter_date == revoked_on
    assert_lines(pdf, DEBTOR_LINES)
    assert_breakdown(pdf)
    text = pdf.text
    assert "mit Bescheid vom 05.05.2025" in text
    assert "1. 01.06.2025 250,00 EUR" in text  # the missed instalment
    assert "Grund des Widerrufs: 1. Rate vom 01.06.2025 nicht bezahlt" in text
    assert "gesamte Restbetrag sofort fällig" in text
    assert f"Gesamtbetrag von {TOTAL} bis spätestens {expected:%d.%m.%Y}" in text
    assert case.payment_reference in text and "GiroCode" in text
    assert REMEDIES in text


# --- Vollstreckungsauftrag -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_field_order_gives_the_officer_everything(world: None) -> None:
    case = make_case()
    # A bank other than the office's own (Commerzbank), so its IBAN cannot come from the letter's footer.
    bank = dkb()
    do_note_third_party(
        case, third_party=bank, source="Ersuchen: Kontoverbindung", on=D(2025, 5, 2), iban=DKB_IBAN,
        actor=ACTOR,
    )  # fmt: skip
    start(case, K.ZAHLUNGSAUFFORDERUNG, D(2025, 5, 5))  # the history the officer sees
    reason = "Pfändung des Kontos erfolglos; Schuldnerin betreibt einen Kiosk"
    on = D(2025, 6, 2)
    measure = do_propose_measure(case, K.AUSSENDIENST, reason=reason, on=on, actor=ACTOR)
    measure = do_start_measure(measure, on=on, actor=ACTOR)

    (pdf,) = produce(letters_on_start(measure)).values()
    assert pdf.document.kind == DK.VOLLSTRECKUNGSAUFTRAG
    assert pdf.document.recipient_role == RecipientRole.OFFICER
    office = Office.current()
    assert office is not None
    assert_lines(pdf, ("Außendienst", office.name))
    assert_breakdown(pdf)
    text = pdf.text
    assert "Keller, Sabine" in text and "04.04.1975" in text
    assert "Am Markt 3, 66740 Saarlouis" in text
    assert f"Beizutreibender Gesamtbetrag: {TOTAL}" in text
    assert bank.name in text and "DE02 1203 0000 0000 2020 51" in text and "Kontoverbindung" in text
    assert "Zahlungsaufforderung mit Vollstreckungsankündigung 05.05.2025" in text
    assert reason in text
    assert "§ 285 Abs. 2 AO" in text
    protocol = pdf.pages[-1]
    assert "Protokoll des Vollziehungsbeamten" in protocol
    assert "Gepfändete Sachen" in protocol and "Unterschrift des Vollziehungsbeamten" in protocol
    assert REMEDIES not in text


# --- the archive -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_archived_letters_are_reproduced_and_produced_once(world: None) -> None:
    case = make_case()
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=with_address(commerzbank(), BANK_LINES))
    pdfs = produce(letters_on_start(pfev))
    # Rendered again from the archived data and template version: the same text (the form page included).
    # One letter only — re-reading a PDF's text costs ~0.4 s per page.
    assert document_actions.verify(pdfs[DK.PFEV_DRITTSCHULDNER].document).same_text
    # The same letters again (a repeated print run): nothing new is stored.
    again = produce_letters(letters_on_start(pfev), actor=ACTOR)
    assert (again.documents, again.skipped) == ([], 2)
    assert Document.objects.filter(measure=pfev).count() == 2
