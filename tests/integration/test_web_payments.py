"""Web UI of the Zahlungsverkehr (issue 5): bank file upload, import page with reconciliation, Klärungsfälle
(queue, assign and split, return to the payer, book a debit), refunds, remittance runs with their files.
Access per role (office staff only), the access log of payers' data, and the actions behind the forms.

The debtor files are built like ``tests/integration/test_bank_import.py`` builds them (intake CSV, daily
run's file opening), so the example statement ``tests/data/camt/camt053_v02.xml`` matches the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.test import Client
from django.urls import reverse

from kofo.audit.models import PersonalDataAccess
from kofo.cases.daily import open_missing_cases
from kofo.cases.models import Case
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import trial_balance
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.partners.roles import Role
from kofo.payments.actions import do_record_payment
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import (
    BankImport,
    BankImportStatus,
    Clarification,
    ClarificationStatus,
    Funding,
    Payment,
    PaymentSource,
    Refund,
    RefundStatus,
    RemittanceRun,
)
from kofo.web import forms as web_forms
from kofo.web.views import payments as payment_views
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "camt"
EXAMPLE = DATA / "camt053_v02.xml"
ACTOR = factories.TEST_ACTOR
D = dt.date
VIEW_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG)
WORK_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST)
HOSTILE = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
)

#: (Kassenzeichen, partner, surname, given name, birth date, file number) as in test_bank_import.py; without
#: the garnishment of VA-000126, so its third-party payment of 310,50 EUR waits as a Klärungsfall here.
DEBTORS = [
    ("GS-2026-0100", "stadt", "Mustermann", "Erika", "12.08.1964", "VA-000123"),
    ("GS-2026-0101", "stadt", "Becker", "Karl", "01.02.1970", "VA-000124"),
    ("GS-2026-0102", "stadt", "Weber", "Jonas", "03.03.1981", "VA-000125"),
    ("GS-2026-0001", "stadt", "Müller", "Max", "05.05.1966", ""),
    ("AB-7781", "zv-saar", "Schmitt", "Hans", "06.06.1959", ""),
]


def _row(kz: str, kind: str, surname: str, given: str, born: str, index: int) -> str:
    return (
        f"{kz};{kind};Satzung;10.02.2026;13.02.2026;10.03.2026;20.03.2026;03.04.2026;480,00;;;;;{index};"
        f"natuerlich;{surname};{given};;{born};;;;;Hauptstraße;{index};66111;Saarbrücken;DE;;;;;"
    )


@dataclass
class World:
    cases: dict[str, Case]
    users: dict[Role, Any]

    def client_for(self, role: Role) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # the archive of bank files and SEPA files goes to a temporary folder
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world() -> World:
    factories.make_office()
    stadt = factories.make_partner(key="stadt", name="Landeshauptstadt Saarbrücken")
    factories.make_agreement(stadt, regime=Regime.AO, claim_types=[ClaimType.GRUNDSTEUER])
    zv = factories.make_partner(key="zv-saar", name="Entsorgungsverband Saar")
    factories.make_agreement(zv, regime=Regime.SVWVG_SL, claim_types=[ClaimType.ABFALL])
    partners = {"stadt": stadt, "zv-saar": zv}
    cases: dict[str, Case] = {}
    for index, (kz, key, surname, given, born, number) in enumerate(DEBTORS, start=1):
        kind = {"GS": "grundsteuer", "AB": "abfallgebuehren"}[kz[:2]]
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
    users = {role: factories.make_user(role, stadt if role == Role.PARTNER else None) for role in Role}
    return World(cases, users)


def imported(world: World) -> BankImport:
    result = do_import_bank_file(EXAMPLE.name, EXAMPLE.read_bytes(), actor=ACTOR)
    assert result.status == BankImportStatus.DONE, result.error_message
    return result


def clarification_of(payer: str = "Unbekannt GmbH") -> Clarification:
    return Clarification.objects.select_related("entry").get(entry__payer_name=payer)


def debit_clarification() -> Clarification:
    return Clarification.objects.get(entry__credit=False, amount_cents=5000)


def text(html: bytes | str) -> str:
    """The page's text without tags and with collapsed spaces (for assertions on German sentences)."""
    raw = html.decode() if isinstance(html, bytes) else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


def pages(world: World) -> dict[str, str]:
    bank_import = imported(world)
    clarification = clarification_of()
    run = do_remittance(world)
    return {
        "overview": reverse("web:payments"),
        "import": reverse("web:bank_import_detail", args=[bank_import.pk]),
        "queue": reverse("web:clarification_list"),
        "clarification": reverse("web:clarification_detail", args=[clarification.pk]),
        "refunds": reverse("web:refund_list"),
        "runs": reverse("web:remittance_list"),
        "run": reverse("web:remittance_detail", args=[run.number]),
        "sepa": reverse("web:remittance_sepa", args=[run.number]),
        "csv": reverse("web:remittance_statement_csv", args=[run.number, "stadt"]),
        "json": reverse("web:remittance_statement_json", args=[run.number, "stadt"]),
    }


def do_remittance(world: World) -> RemittanceRun:
    from kofo.payments.remittance import do_remittance_run

    run = do_remittance_run(until=D(2026, 11, 24), actor=ACTOR)
    assert run is not None
    return run


# --- access -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", tuple(Role), ids=lambda r: r.name.lower())
def test_pages_by_role(world: World, role: Role) -> None:
    client = world.client_for(role)
    for name, url in pages(world).items():
        response = client.get(url)
        if role in VIEW_ROLES:
            assert response.status_code == 200, f"{role} should see {name}"
        else:
            assert response.status_code == 403, f"{role} must not see {name}"
            assert "Keine Berechtigung" in response.content.decode()
    nav = [item["label"] for item in client.get(reverse("web:dashboard")).context["nav_items"]()]
    assert ("Zahlungsverkehr" in nav) == (role in VIEW_ROLES)


def test_partner_user_gets_403_and_nothing_is_logged(world: World) -> None:
    urls = pages(world)
    before = PersonalDataAccess.objects.count()
    client = world.client_for(Role.PARTNER)
    for url in urls.values():
        assert client.get(url).status_code == 403, url
    clarification = clarification_of()
    for url, data in (
        (reverse("web:clarification_return", args=[clarification.pk]), {}),
        (reverse("web:remittance_start"), {"until": "2026-11-24"}),
    ):
        assert client.post(url, data).status_code == 403
    assert PersonalDataAccess.objects.count() == before
    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.OPEN


def test_anonymous_is_sent_to_login(world: World) -> None:
    for url in pages(world).values():
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    response = Client().post(reverse("web:bank_upload"), {})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pruefung_reads_but_cannot_work(world: World) -> None:
    imported(world)
    clarification = clarification_of()
    client = world.client_for(Role.PRUEFUNG)
    html = client.get(reverse("web:clarification_detail", args=[clarification.pk])).content.decode()
    assert "Einer Akte zuordnen" not in html and 'name="erstattung-iban"' not in html
    assert 'name="file"' not in client.get(reverse("web:payments")).content.decode()
    assert client.post(reverse("web:clarification_return", args=[clarification.pk]), {}).status_code == 403
    upload = SimpleUploadedFile("auszug.xml", EXAMPLE.read_bytes(), content_type="application/xml")
    assert client.post(reverse("web:bank_upload"), {"file": upload}).status_code == 403


def test_only_administration_starts_a_remittance_run(world: World) -> None:
    imported(world)
    html = world.client_for(Role.INNENDIENST).get(reverse("web:remittance_list")).content.decode()
    assert "Auskehrungslauf starten" not in html
    response = world.client_for(Role.INNENDIENST).post(
        reverse("web:remittance_start"), {"until": "2026-11-24"}
    )
    assert response.status_code == 403
    assert not RemittanceRun.objects.exists()


# --- upload and the import page ---------------------------------------------------------------------------


def test_upload_example_file_shows_counts_and_reconciliation(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    page = client.get(reverse("web:payments")).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Kontoauszugsdatei einlesen" in page
    upload = SimpleUploadedFile("auszug-24-11.xml", EXAMPLE.read_bytes(), content_type="application/xml")
    response = client.post(reverse("web:bank_upload"), {"file": upload})
    bank_import = BankImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:bank_import_detail", args=[bank_import.pk])
    assert bank_import.source == "upload" and bank_import.filename == "auszug-24-11.xml"

    response = client.get(response["Location"])
    html = response.content.decode()
    assert "auszug-24-11.xml eingelesen: 10 neue Umsätze" in text(html)
    assert figure(html, "entries-new") == "10"
    assert figure(html, "entries-known") == "0"
    assert figure(html, "matched") == "4"
    assert figure(html, "clarifications") == "4"
    # Reconciliation: the statement adds up; the ledger lacks exactly the opening balance (a new account).
    assert figure(html, "opening") == "10.000,00 EUR"
    assert figure(html, "closing") == "9.445,44 EUR"
    difference = html.split('data-figure="difference">', 1)[1].split("</td>", 1)[0]
    assert "stimmt" in difference and "kern-badge--success" in difference
    ledger = html.split('data-figure="ledger-difference">', 1)[1].split("</td>", 1)[0]
    assert "Abweichung 10.000,00 EUR" in ledger and "kern-badge--danger" in ledger
    assert "genau der Anfangssaldo" in html
    # Entries: signed amounts, the rule that matched, links to the files, the Klärungsfall.
    assert "+42,00 EUR" in html and "−2,50 EUR" in html
    assert "Zahlungsreferenz (RF)" in html and "Kassenzeichen im Verwendungszweck" in html
    assert reverse("web:case_detail", args=["VA-000124"]) in html
    assert reverse("web:clarification_detail", args=[clarification_of().pk]) in html
    assert "Unbekannt GmbH" in html and "Rechnung 4711" in html
    # Every payer shown is an access to personal data, logged with the page.
    logged = PersonalDataAccess.objects.filter(
        subject_type="payments.bankentry", path=reverse("web:bank_import_detail", args=[bank_import.pk])
    )
    assert logged.count() == 10
    assert trial_balance() == 0

    # The same file again: nothing booked twice, the page says why no statement is shown.
    upload = SimpleUploadedFile("auszug-24-11.xml", EXAMPLE.read_bytes(), content_type="application/xml")
    again = client.post(reverse("web:bank_upload"), {"file": upload}, follow=True).content.decode()
    assert "0 neue Umsätze, 10 bereits bekannt" in text(again)
    assert "Diese Auszüge waren schon eingelesen." in again

    overview = client.get(reverse("web:payments")).content.decode()
    assert reverse("web:bank_import_detail", args=[bank_import.pk]) in overview
    assert figure(overview, "clarifications-open") == "4"
    assert figure(overview, "clarifications-credits") == "352,50 EUR"
    assert figure(overview, "clarifications-debits") == "1.284,56 EUR"
    # The suspense account holds the open credits less the open debits.
    assert figure(overview, "suspense-balance") == "-932,06 EUR"
    assert "bis 7 Tage" in overview and "über 90 Tage" in overview


def test_hostile_file_is_rejected_in_german(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    upload = SimpleUploadedFile("boese.xml", HOSTILE, content_type="application/xml")
    response = client.post(reverse("web:bank_upload"), {"file": upload}, follow=True)
    html = response.content.decode()
    bank_import = BankImport.objects.get()
    assert bank_import.status == BankImportStatus.REJECTED and bank_import.error_code == "camt.doctype"
    assert "Die ganze Datei wurde abgewiesen" in html
    assert "Die Datei wurde abgewiesen" in html  # the message after the upload
    assert bank_import.error_message in html
    assert 'data-error-code="camt.doctype"' in html
    assert "/etc/passwd" not in bank_import.error_message
    overview = client.get(reverse("web:payments")).content.decode()
    assert "camt.doctype" in overview and "abgewiesen" in overview
    assert not Clarification.objects.exists()


def test_upload_checks_extension_presence_and_size(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = world.client_for(Role.INNENDIENST)
    upload = SimpleUploadedFile("auszug.pdf", b"%PDF-1.4", content_type="application/pdf")
    html = client.post(reverse("web:bank_upload"), {"file": upload}).content.decode()
    assert "Bitte eine XML- oder ZIP-Datei hochladen" in html and 'aria-invalid="true"' in html
    html = client.post(reverse("web:bank_upload"), {}).content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben." in html and "zwingend erforderlich" in html

    monkeypatch.setattr(web_forms, "BANK_UPLOAD_BYTES_MAX", 1_000)
    dropped: list[int] = []
    original = payment_views.BankFileSizeLimitHandler.receive_data_chunk

    def spy(self: Any, raw_data: bytes, start: int) -> bytes:
        try:
            return original(self, raw_data, start)
        except SkipFile:
            dropped.append(start + len(raw_data))
            raise

    monkeypatch.setattr(payment_views.BankFileSizeLimitHandler, "receive_data_chunk", spy)
    upload = SimpleUploadedFile("gross.xml", EXAMPLE.read_bytes(), content_type="application/xml")
    html = client.post(reverse("web:bank_upload"), {"file": upload}).content.decode()
    assert "file.too_large" in html and "über die Oberfläche erlaubt sind höchstens" in html
    assert dropped, "the upload handler drops the file while it arrives"
    assert not BankImport.objects.exists()


def test_upload_keeps_csrf_protection(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.INNENDIENST])
    upload = SimpleUploadedFile("auszug.xml", EXAMPLE.read_bytes(), content_type="application/xml")
    assert client.post(reverse("web:bank_upload"), {"file": upload}).status_code == 403
    assert not BankImport.objects.exists()


# --- Klärungsfälle ------------------------------------------------------------------------------------------


def test_queue_lists_the_open_ones_oldest_first(world: World) -> None:
    imported(world)
    client = world.client_for(Role.INNENDIENST)
    html = client.get(reverse("web:clarification_list")).content.decode()
    rows = re.findall(r'data-clarification="(\d+)"', html)
    expected = list(
        Clarification.objects.filter(status=ClarificationStatus.OPEN)
        .order_by("created_on", "id")
        .values_list("pk", flat=True)
    )
    assert [int(pk) for pk in rows] == expected and len(expected) == 4
    assert "Unbekannt GmbH" in html and "Rechnung 4711" in html and "+42,00 EUR" in html
    assert "−50,00 EUR" in html and "−1.234,56 EUR" in html
    assert "Keine Zahlungsreferenz und kein Kassenzeichen erkannt." in html
    assert re.search(r'data-figure="age-days">\d+ Tage?<', html)
    # The four payers shown are logged.
    assert PersonalDataAccess.objects.filter(path=reverse("web:clarification_list")).count() == 4

    do_book = debit_clarification()
    client.post(
        reverse("web:clarification_book", args=[do_book.pk]), {"ausbuchung-note": "Rücklastschrift der Bank"}
    )
    html = client.get(reverse("web:clarification_list")).content.decode()
    assert len(re.findall(r'data-clarification="(\d+)"', html)) == 3


def test_detail_shows_suggestions_and_the_forms(world: World) -> None:
    imported(world)
    clarification = clarification_of()
    # A suggestion with its reason and score, as the matching stores it.
    Clarification.objects.filter(pk=clarification.pk).update(
        suggestions=[
            {"case": "VA-000124", "score": 0.75, "reason": "Name des Einzahlers ähnlich: Becker"},
            {"case": "VA-000125", "score": 0.4, "reason": "Betrag passt zu einer offenen Forderung"},
        ]
    )
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:clarification_detail", args=[clarification.pk])
    html = client.get(url).content.decode()
    assert "Klärungsfall" in html and "Unbekannt GmbH" in html and "DE89370400440532013000" in html
    assert html.index("VA-000124") < html.index("VA-000125")
    assert "Übereinstimmung 75 %" in html and "Name des Einzahlers ähnlich: Becker" in html
    assert "Einer Akte zuordnen" in html and "An den Einzahler zurücküberweisen" in html
    assert "Als Aufwand ausbuchen" not in html  # a credit is assigned or returned, never booked
    assert html.count('name="zuordnung-akte_') == 3  # a split over up to three files
    assert 'value="42,00"' in html  # amount defaults to what is open
    assert 'name="erstattung-iban"' in html and 'value="DE89370400440532013000"' in html
    # "dieser Akte zuordnen" fills in the first row.
    html = client.get(url, {"akte": "VA-000124"}).content.decode()
    assert 'name="zuordnung-akte_1" value="VA-000124"' in html
    assert PersonalDataAccess.objects.filter(subject_type="payments.bankentry", path=url).count() == 2


def test_assign_to_a_file_through_the_form(world: World) -> None:
    imported(world)
    clarification = clarification_of()
    client = world.client_for(Role.INNENDIENST)
    response = client.post(
        reverse("web:clarification_assign", args=[clarification.pk]),
        {
            "zuordnung-akte_1": "va-000124",
            "zuordnung-betrag_1": "42,00",
            "zuordnung-note": "Anruf Frau Becker",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:clarification_list")
    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.ASSIGNED and clarification.open_cents == 0
    payment = Payment.objects.get(bank_entry=clarification.entry)
    assert payment.case.number == "VA-000124" and payment.funding == Funding.SUSPENSE
    assert payment.amount_cents == 4200
    html = client.get(response["Location"]).content.decode()
    assert "Zugeordnet und verteilt: 42,00 EUR der Akte VA-000124." in html
    assert f'data-clarification="{clarification.pk}"' not in html
    assert trial_balance() == 0


def test_split_over_two_files_and_german_errors(world: World) -> None:
    imported(world)
    clarification = clarification_of()
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:clarification_assign", args=[clarification.pk])
    # Unknown file, too much, a split row without amount, a Kassenzeichen of another file: answered in German.
    html = client.post(url, {"zuordnung-akte_1": "VA-999999"}).content.decode()
    assert "Eine Akte mit dem Aktenzeichen VA-999999 gibt es nicht." in html
    assert "kern-alert--danger" in html
    html = client.post(url, {"zuordnung-akte_1": "VA-000124", "zuordnung-betrag_1": "50,00"}).content.decode()
    assert "Zugeordnet werden sollen 50,00 EUR, offen sind nur 42,00 EUR." in html
    html = client.post(
        url, {"zuordnung-akte_1": "VA-000124", "zuordnung-akte_2": "VA-000125", "zuordnung-betrag_2": "2,00"}
    ).content.decode()
    assert "Bei einer Aufteilung braucht jede Zeile einen Betrag." in html
    html = client.post(
        url, {"zuordnung-akte_1": "VA-000124", "zuordnung-kassenzeichen_1": "GS-2026-0102"}
    ).content.decode()
    assert "Das Kassenzeichen GS-2026-0102 gehört zu keiner Forderung der Akte VA-000124." in html
    assert not Payment.objects.filter(bank_entry=clarification.entry).exists()

    # A part now, with a designation; the rest stays open and the page comes back.
    response = client.post(
        url,
        {
            "zuordnung-akte_1": "VA-000124",
            "zuordnung-betrag_1": "20,00",
            "zuordnung-kassenzeichen_1": "GS-2026-0101",
            "zuordnung-akte_2": "VA-000125",
            "zuordnung-betrag_2": "12,00",
        },
    )
    assert response["Location"] == reverse("web:clarification_detail", args=[clarification.pk])
    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.OPEN and clarification.open_cents == 1000
    payments = {p.case.number: p for p in Payment.objects.filter(bank_entry=clarification.entry)}
    assert payments["VA-000124"].designation == ["GS-2026-0101"]
    assert payments["VA-000125"].amount_cents == 1200
    html = client.get(response["Location"]).content.decode()
    assert "Noch offen: 10,00 EUR." in html and 'value="10,00"' in html


def test_return_to_the_payer_creates_an_approved_refund(world: World) -> None:
    imported(world)
    clarification = clarification_of()
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:clarification_return", args=[clarification.pk])
    html = client.post(url, {"erstattung-iban": "DE00 1234"}).content.decode()
    assert "Die IBAN DE001234 ist ungültig" in html
    response = client.post(
        url,
        {
            "erstattung-amount": "42,00",
            "erstattung-name": "Unbekannt GmbH",
            "erstattung-iban": "DE89 3704 0044 0532 0130 00",
            "erstattung-reason": "Rechnung eines anderen Gläubigers",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:clarification_list")
    refund = Refund.objects.get(clarification=clarification)
    assert refund.status == RefundStatus.APPROVED and refund.amount_cents == 4200
    assert refund.iban == "DE89370400440532013000" and refund.reason == "Rechnung eines anderen Gläubigers"
    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.RETURNED
    html = client.get(response["Location"]).content.decode()
    assert "Erstattung über 42,00 EUR an Unbekannt GmbH freigegeben" in html
    refunds = client.get(reverse("web:refund_list")).content.decode()
    assert f'data-refund="{refund.pk}" data-status="approved"' in refunds
    # Already done: the form is gone, a second post is answered in German.
    html = client.post(url, {}).content.decode()
    assert "Der Klärungsfall ist bereits erledigt." in html


def test_book_a_debit_needs_a_note(world: World) -> None:
    imported(world)
    clarification = debit_clarification()
    client = world.client_for(Role.INNENDIENST)
    detail = client.get(reverse("web:clarification_detail", args=[clarification.pk])).content.decode()
    assert "Als Aufwand ausbuchen" in detail and "Einer Akte zuordnen" not in detail
    url = reverse("web:clarification_book", args=[clarification.pk])
    html = client.post(url, {"ausbuchung-note": "  "}).content.decode()
    assert "Bitte den Grund der Ausbuchung angeben." in html
    response = client.post(
        url, {"ausbuchung-note": "Rücklastschrift ohne eigene Lastschrift, Bank fragt nach"}
    )
    assert response.status_code == 302
    clarification.refresh_from_db()
    assert clarification.status == ClarificationStatus.BOOKED and clarification.open_cents == 0
    # A credit cannot be booked as expense.
    credit = clarification_of()
    html = client.post(reverse("web:clarification_book", args=[credit.pk]), {"ausbuchung-note": "x"}).content
    assert "Eine Gutschrift wird zugeordnet oder erstattet, nicht ausgebucht." in html.decode()


# --- refunds and remittance ------------------------------------------------------------------------------------


def test_approve_a_proposed_refund(world: World) -> None:
    case = world.cases["GS-2026-0102"]
    do_record_payment(
        case, amount=Cents(100_000), received_on=D(2026, 11, 20), source=PaymentSource.DEBTOR,
        payer="Jonas Weber", actor=ACTOR,
    )  # fmt: skip
    refund = Refund.objects.get(case=case)
    assert refund.status == RefundStatus.PROPOSED and refund.iban == ""
    client = world.client_for(Role.INNENDIENST)
    html = client.get(reverse("web:refund_list")).content.decode()
    assert f"Erstattung {refund.pk} freigeben" in html and "Jonas Weber" in html
    assert PersonalDataAccess.objects.filter(subject_type="payments.refund").count() == 1
    url = reverse("web:refund_approve", args=[refund.pk])
    prefix = f"freigabe-{refund.pk}"
    html = client.post(url, {f"{prefix}-name": "Jonas Weber", f"{prefix}-iban": ""}).content.decode()
    assert "Für die Erstattung fehlt die IBAN." in html
    response = client.post(url, {f"{prefix}-name": "Jonas Weber", f"{prefix}-iban": "DE02120300000000202051"})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED and refund.iban == "DE02120300000000202051"
    html = client.get(reverse("web:refund_list"), {"status": "approved"}).content.decode()
    assert f'data-refund="{refund.pk}"' in html and f"Erstattung {refund.pk} freigeben" not in html


def test_remittance_run_and_its_files(world: World) -> None:
    imported(world)
    client = world.client_for(Role.INNENDIENST)
    client.post(
        reverse("web:clarification_return", args=[clarification_of().pk]),
        {"erstattung-reason": "nicht für uns"},
    )
    admin = world.client_for(Role.ADMINISTRATION)
    page = admin.get(reverse("web:remittance_list")).content.decode()
    assert "Auskehrungslauf starten" in page and 'name="until"' in page
    html = admin.post(reverse("web:remittance_start"), {"until": "2099-01-01"}).content.decode()
    assert "Der Stichtag darf nicht in der Zukunft liegen." in html
    response = admin.post(
        reverse("web:remittance_start"), {"until": "2026-11-24", "execution_date": "2026-11-25"}
    )
    run = RemittanceRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:remittance_detail", args=[run.number])
    assert run.execution_date == D(2026, 11, 25) and run.transfers == 3  # two partners and the refund

    html = admin.get(response["Location"]).content.decode()
    assert f"Auskehrungslauf {run.number} erstellt" in html
    assert "Landeshauptstadt Saarbrücken" in html and "Entsorgungsverband Saar" in html
    assert "Unbekannt GmbH" in html and "nicht für uns" in html
    assert reverse("web:remittance_sepa", args=[run.number]) in html
    csv_url = reverse("web:remittance_statement_csv", args=[run.number, "stadt"])
    assert csv_url in html

    sepa = admin.get(reverse("web:remittance_sepa", args=[run.number]))
    assert sepa.status_code == 200 and sepa["Content-Type"] == "application/xml"
    assert sepa["Content-Disposition"] == f'attachment; filename="auskehrungslauf-{run.number}-pain001.xml"'
    assert sepa.content.startswith(b"<?xml") and b"pain.001.001.09" in sepa.content
    assert b"DE89370400440532013000" in sepa.content  # the refund to the payer
    csv = admin.get(csv_url)
    assert csv.status_code == 200 and csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == f'attachment; filename="auskehrung-{run.number}-stadt.csv"'
    body = csv.content.decode("utf-8-sig")
    assert body.startswith("Kassenzeichen;Bestandteil;Zahlungsdatum;Betrag;Rückbuchung")
    assert "GS-2026-0001" in body
    as_json = admin.get(reverse("web:remittance_statement_json", args=[run.number, "zv-saar"]))
    assert as_json["Content-Type"] == "application/json" and as_json.json()["partner"]["key"] == "zv-saar"
    assert admin.get(reverse("web:remittance_statement_csv", args=[run.number, "niemand"])).status_code == 404
    assert admin.get(reverse("web:remittance_sepa", args=[run.number + 1])).status_code == 404

    # Nothing left to pay: the next run is answered, not created.
    response = admin.post(reverse("web:remittance_start"), {"until": "2026-11-24"}, follow=True)
    assert "ist nichts auszukehren" in response.content.decode()
    assert RemittanceRun.objects.count() == 1
    assert trial_balance() == 0
