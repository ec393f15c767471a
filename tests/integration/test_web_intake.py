"""Web UI of the intake (issue 3, items 2-4): enforcement requests, upload, rejection report, replay, claims
and the partner's changes to a claim. Every page per role, tenancy, and the actions behind the forms."""

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
from django.utils import timezone

from kofo import limits
from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.cases.actions import open_components
from kofo.cases.models import Claim, ClaimStatus
from kofo.intake.actions import do_import_request
from kofo.intake.models import BatchStatus, Channel, ImportBatch, ItemStatus
from kofo.intake.report import rejection_report
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Partner, Regime
from kofo.partners.roles import Role
from kofo.web.uploads import IntakeSizeLimitHandler
from kofo.web.views import intake as intake_views
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "formats" / "intake-example.csv"
AS_OF = dt.date(2026, 11, 2)
ALL_ROLES = tuple(Role)
INTAKE_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.PARTNER, Role.PRUEFUNG)
UPLOAD_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.PARTNER)
REJECTED = {
    "GS-2026-000789": "enforce.reminder_missing",
    "HU-2026-000999": "item.below_threshold",
    "KFZ-2026-000001": "item.claim_type_not_covered",
    "GS-2026-001000": "item.date_invalid",
    "GS-2026-001001": "item.postcode_invalid",
    "GS-2019-000007": "item.time_barred",
}


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # the archive of submitted files goes to a temporary folder
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads through the UI are checked as of today: pin today to the date the example file is made for."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: AS_OF)


def import_example(partner: Partner) -> ImportBatch:
    return do_import_request(
        partner,
        EXAMPLE.read_bytes(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=AS_OF,
        actor=factories.TEST_ACTOR,
    )


def with_agreement(partner: Partner) -> Partner:
    factories.make_agreement(
        partner,
        regime=Regime.SVWVG_SL,
        claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER, ClaimType.GEWERBESTEUER],
    )
    return partner


@dataclass
class World:
    partner: Partner
    other_partner: Partner
    batch: ImportBatch
    other_batch: ImportBatch
    users: dict[Role, Any]
    other_partner_user: Any

    def client_for(self, role: Role) -> Client:
        return logged_in(self.users[role])

    def claim(self, kassenzeichen: str = "GS-2026-000123", partner: Partner | None = None) -> Claim:
        return Claim.objects.get(partner=partner or self.partner, kassenzeichen=kassenzeichen)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(office: Any) -> World:
    partner = with_agreement(factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis"))
    other = with_agreement(factories.make_partner(key="stadt-dillingen", name="Stadt Dillingen/Saar"))
    batch = import_example(partner)
    other_batch = import_example(other)
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    return World(partner, other, batch, other_batch, users, factories.make_user(Role.PARTNER, other))


def pages(world: World) -> dict[str, tuple[str, tuple[Role, ...]]]:
    claim = world.claim()
    return {
        "batch_list": (reverse("web:batch_list"), INTAKE_ROLES),
        "batch_upload": (reverse("web:batch_upload"), UPLOAD_ROLES),
        "batch_detail": (reverse("web:batch_detail", args=[world.batch.pk]), INTAKE_ROLES),
        "batch_report": (reverse("web:batch_report", args=[world.batch.pk]), INTAKE_ROLES),
        "claim_list": (reverse("web:claim_list"), INTAKE_ROLES),
        "claim_detail": (reverse("web:claim_detail", args=[claim.pk]), INTAKE_ROLES),
    }


PAGE_NAMES = ["batch_list", "batch_upload", "batch_detail", "batch_report", "claim_list", "claim_detail"]


# --- access per role and tenancy ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGE_NAMES)
@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_page_access_by_role(world: World, name: str, role: Role) -> None:
    url, allowed = pages(world)[name]
    response = world.client_for(role).get(url)
    if role in allowed:
        assert response.status_code == 200, f"{role} should see {name}"
        if name != "batch_report":
            html = response.content.decode()
            assert '<html lang="de"' in html and 'id="inhalt"' in html
    else:
        assert response.status_code == 403, f"{role} must not see {name}"
        assert "Keine Berechtigung" in response.content.decode()


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_anonymous_is_sent_to_login(world: World, name: str) -> None:
    url, _ = pages(world)[name]
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_partner_user_sees_only_own_batches_and_claims(world: World) -> None:
    client = world.client_for(Role.PARTNER)
    other_claim = world.claim(partner=world.other_partner)
    for url in (
        reverse("web:batch_detail", args=[world.other_batch.pk]),
        reverse("web:batch_report", args=[world.other_batch.pk]),
        reverse("web:claim_detail", args=[other_claim.pk]),
        reverse("web:batch_detail", args=[999_999]),
    ):
        assert client.get(url).status_code == 404, url
    change = reverse("web:claim_change", args=[other_claim.pk, "ruecknahme"])
    assert client.post(change, {"ruecknahme-reason": "Versuch"}).status_code == 404
    other_claim.refresh_from_db()
    assert other_claim.status == ClaimStatus.OPEN

    batches = client.get(reverse("web:batch_list")).content.decode()
    assert reverse("web:batch_detail", args=[world.batch.pk]) in batches
    assert reverse("web:batch_detail", args=[world.other_batch.pk]) not in batches
    assert world.other_partner.name not in batches
    assert 'name="partner"' not in batches  # no partner filter for a partner's own user

    claims = client.get(reverse("web:claim_list")).content.decode()
    assert reverse("web:claim_detail", args=[world.claim().pk]) in claims
    assert reverse("web:claim_detail", args=[other_claim.pk]) not in claims
    # The debtor file spans partners: a partner never sees the office's debtor number.
    assert "Schuldner</th>" not in claims
    assert world.claim().debtor_record.debtor.number not in claims


def test_office_staff_see_all_batches_and_filter_them(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    html = client.get(reverse("web:batch_list")).content.decode()
    assert world.partner.name in html and world.other_partner.name in html
    html = client.get(reverse("web:batch_list"), {"partner": world.other_partner.key}).content.decode()
    assert reverse("web:batch_detail", args=[world.other_batch.pk]) in html
    assert reverse("web:batch_detail", args=[world.batch.pk]) not in html
    html = client.get(reverse("web:batch_list"), {"status": BatchStatus.REFUSED}).content.decode()
    assert "Keine Ersuchen gefunden." in html


# --- batch detail, report, upload, replay ------------------------------------------------------------


def test_batch_detail_shows_summary_and_every_problem(world: World) -> None:
    html = world.client_for(Role.INNENDIENST).get(reverse("web:batch_detail", args=[world.batch.pk])).content
    text = html.decode()
    assert world.batch.sha256 in text
    assert 'data-figure="items-accepted">3<' in text
    assert 'data-figure="items-rejected">6<' in text
    for kassenzeichen, code in REJECTED.items():
        assert kassenzeichen in text and code in text
    assert "Fälligkeit" in text or "Bescheiddatum" in text  # field codes shown with their German label
    assert reverse("web:batch_report", args=[world.batch.pk]) in text
    assert "Ablehnungsbericht (CSV)" in text
    assert "kern-alert--danger" not in text
    # Accepted rows link to their claim.
    assert reverse("web:claim_detail", args=[world.claim().pk]) in text


def test_item_table_filters_by_result_via_htmx(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:batch_detail", args=[world.batch.pk])
    response = client.get(url, {"ergebnis": ItemStatus.ACCEPTED}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment  # only the item table is swapped
    assert fragment.count('data-status="accepted"') == 3
    assert 'data-status="rejected"' not in fragment
    assert 'aria-current="page">angenommen<' in fragment
    assert "HX-Request" in response["Vary"]
    full = client.get(url, {"ergebnis": ItemStatus.REJECTED}).content.decode()
    assert "<html" in full and full.count('data-status="rejected"') == 6
    # Garbage filter values fall back to all items.
    assert (
        client.get(url, {"ergebnis": "x"}, HTTP_HX_REQUEST="true").content.decode().count("data-status=") == 9
    )


def test_item_table_is_paginated(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_views, "ITEMS_PER_PAGE", 4)
    client = world.client_for(Role.PRUEFUNG)
    url = reverse("web:batch_detail", args=[world.batch.pk])
    first = client.get(url).content.decode()
    assert first.count("data-status=") == 4
    assert "Seite 1 von 3" in first
    last = client.get(url, {"seite": 3}).content.decode()
    assert last.count("data-status=") == 1
    rejected = client.get(url, {"ergebnis": "rejected", "seite": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert rejected.count('data-status="rejected"') == 2
    assert "ergebnis=rejected&amp;seite=1" in rejected  # pagination keeps the filter


def test_rejection_report_download_equals_the_domain_report(world: World) -> None:
    response = world.client_for(Role.PARTNER).get(reverse("web:batch_report", args=[world.batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ablehnungsbericht-ersuchen-{world.batch.pk}.csv"'
    )
    assert response.content.decode("utf-8") == rejection_report(world.batch)
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert {line.split(";")[1] for line in lines[1:]} == set(REJECTED)


def test_upload_by_office_staff_end_to_end(world: World, on_as_of: None) -> None:
    client = world.client_for(Role.INNENDIENST)
    fresh = with_agreement(factories.make_partner(key="gemeinde-neu", name="Gemeinde Neu"))
    page = client.get(reverse("web:batch_upload")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert fresh.name in page and 'for="id_file"' in page
    upload = SimpleUploadedFile("ersuchen-november.csv", EXAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("web:batch_upload"), {"partner": fresh.key, "file": upload})
    batch = ImportBatch.objects.get(partner=fresh)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:batch_detail", args=[batch.pk])
    assert batch.filename == "ersuchen-november.csv"
    assert batch.created_by == world.users[Role.INNENDIENST].username
    assert (batch.items_accepted, batch.items_rejected) == (3, 6)
    assert batch.as_of == AS_OF
    html = client.get(response["Location"]).content.decode()
    assert "Ersuchen " + str(batch.pk) + " eingelesen: 3 angenommen, 6 abgelehnt" in html
    assert AuditEvent.objects.filter(action="intake.import_request", object_id=str(batch.pk)).exists()


def test_partner_user_uploads_for_its_own_partner_only(world: World, on_as_of: None) -> None:
    client = world.client_for(Role.PARTNER)
    page = client.get(reverse("web:batch_upload")).content.decode()
    assert 'name="partner"' not in page
    assert f"für {world.partner.name}" in page
    content = EXAMPLE.read_bytes().replace(b"GS-2026-000123", b"GS-2026-777777")
    upload = SimpleUploadedFile("eigen.csv", content, content_type="text/csv")
    # A smuggled partner key is ignored: the partner comes from the account.
    response = client.post(reverse("web:batch_upload"), {"partner": world.other_partner.key, "file": upload})
    batch = ImportBatch.objects.order_by("-id").first()
    assert batch is not None and batch.partner == world.partner
    assert response["Location"] == reverse("web:batch_detail", args=[batch.pk])
    # The same claims again: duplicates (unchanged) are a reported no-op, nothing new is accepted.
    assert batch.items_duplicate == 2 and batch.items_accepted == 1


def test_upload_over_the_size_limit_is_refused_before_reading(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "INTAKE_FILE_BYTES_MAX", 1_000)
    dropped: list[int] = []
    original = IntakeSizeLimitHandler.receive_data_chunk

    def spy(self: IntakeSizeLimitHandler, raw_data: bytes, start: int) -> bytes:
        try:
            return original(self, raw_data, start)
        except SkipFile:
            dropped.append(start + len(raw_data))
            raise

    monkeypatch.setattr(IntakeSizeLimitHandler, "receive_data_chunk", spy)
    client = world.client_for(Role.INNENDIENST)
    before = ImportBatch.objects.count()
    upload = SimpleUploadedFile("gross.csv", EXAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("web:batch_upload"), {"partner": world.partner.key, "file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "file.too_large" in html
    assert "erlaubt sind höchstens 0 MB" in html or "erlaubt sind höchstens" in html
    assert "Bitte in mehrere Dateien teilen." in html
    assert 'aria-invalid="true"' in html
    assert "zwingend erforderlich" not in html
    assert dropped, "the upload handler drops the file while it arrives, before the view reads it"
    assert ImportBatch.objects.count() == before


def test_upload_keeps_csrf_protection(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.INNENDIENST])
    upload = SimpleUploadedFile("ersuchen.csv", EXAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("web:batch_upload"), {"partner": world.partner.key, "file": upload})
    assert response.status_code == 403


def test_upload_accepts_only_csv_and_txt(world: World, on_as_of: None) -> None:
    client = world.client_for(Role.INNENDIENST)
    before = ImportBatch.objects.count()
    upload = SimpleUploadedFile("ersuchen.xlsx", b"PK\x03\x04", content_type="application/vnd.ms-excel")
    html = client.post(reverse("web:batch_upload"), {"partner": world.partner.key, "file": upload}).content
    assert "Endung .csv oder .txt" in html.decode()
    assert ImportBatch.objects.count() == before
    upload = SimpleUploadedFile("ERSUCHEN.TXT", EXAMPLE.read_bytes(), content_type="text/plain")
    response = client.post(reverse("web:batch_upload"), {"partner": world.partner.key, "file": upload})
    assert response.status_code == 302


def test_missing_file_and_partner_give_german_errors(world: World) -> None:
    html = world.client_for(Role.INNENDIENST).post(reverse("web:batch_upload"), {}).content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben." in html
    assert html.count("Dieses Feld ist zwingend erforderlich.") == 2


def test_whole_file_problem_is_a_danger_alert(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    upload = SimpleUploadedFile("komma.csv", b"kassenzeichen,forderungsart\nA,B\n", content_type="text/csv")
    response = client.post(reverse("web:batch_upload"), {"partner": world.partner.key, "file": upload})
    batch = ImportBatch.objects.order_by("-id").first()
    assert batch is not None and batch.status == BatchStatus.REFUSED
    html = client.get(response["Location"]).content.decode()
    alert = html.split(
        'class="kern-alert kern-alert--danger" role="alert" data-error-code="file.delimiter"', 1
    )
    assert len(alert) == 2
    assert "nicht durch Semikolon getrennt" in alert[1]
    assert "Die Datei wurde abgewiesen" in html  # the message after the redirect
    report = client.get(reverse("web:batch_report", args=[batch.pk])).content.decode()
    assert "file.delimiter" in report


def test_replay_is_for_administration_only(world: World) -> None:
    url = reverse("web:batch_replay", args=[world.batch.pk])
    detail = reverse("web:batch_detail", args=[world.batch.pk])
    assert "Erneut einlesen" not in world.client_for(Role.INNENDIENST).get(detail).content.decode()
    for role in (Role.INNENDIENST, Role.PARTNER, Role.PRUEFUNG, Role.AUSSENDIENST):
        assert world.client_for(role).post(url).status_code == 403
    admin = world.client_for(Role.ADMINISTRATION)
    assert "Erneut einlesen" in admin.get(detail).content.decode()
    assert admin.get(url).status_code == 405
    response = admin.post(url)
    replay = ImportBatch.objects.get(replay_of=world.batch)
    assert response["Location"] == reverse("web:batch_detail", args=[replay.pk])
    assert replay.as_of == world.batch.as_of and replay.sha256 == world.batch.sha256
    # Identical input, same check date: the replay finds the accepted claims already there.
    assert (replay.items_duplicate, replay.items_rejected) == (3, 6)
    html = admin.get(response["Location"]).content.decode()
    assert f"Ersuchen {world.batch.pk}</a>" in html  # "Wiederholung von"


# --- claims ------------------------------------------------------------------------------------------


def test_claim_list_search_and_filters(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    html = client.get(reverse("web:claim_list")).content.decode()
    assert html.count('class="kern-link" href="/forderungen/') == 6  # 3 claims of each partner
    claim = world.claim()
    assert claim.debtor_record.debtor.number in html  # office staff see the debtor number
    assert "1.598,00 EUR" in html  # principal
    assert "1.648,30 EUR" in html  # open total: 1.598,00 + 47,50 + 2,80
    html = client.get(reverse("web:claim_list"), {"q": "gw-2026"}).content.decode()
    assert "GW-2026-000042" in html and "GS-2026-000123" not in html
    html = client.get(reverse("web:claim_list"), {"partner": world.other_partner.key}).content.decode()
    assert html.count('class="kern-link" href="/forderungen/') == 3
    assert reverse("web:claim_detail", args=[claim.pk]) not in html
    html = client.get(reverse("web:claim_list"), {"status": ClaimStatus.CANCELLED}).content.decode()
    assert "Keine Forderungen gefunden." in html


def test_claim_detail_shows_amounts_postings_origin_and_logs_the_access(world: World) -> None:
    claim = world.claim()
    user = world.users[Role.INNENDIENST]
    url = reverse("web:claim_detail", args=[claim.pk])
    html = logged_in(user).get(url).content.decode()
    assert "GS-2026-000123" in html and "Grundsteuer" in html
    assert 'data-component="principal"' in html
    assert 'data-figure="open-total">1.648,30 EUR<' in html
    assert "Übernahme GS-2026-000123" in html  # the posting's text
    assert reverse("web:transaction_detail", args=[claim_postings_first_transaction(claim)]) in html
    assert reverse("web:batch_detail", args=[world.batch.pk]) in html  # where it came from
    assert "Müller, Anna Maria" in html
    assert reverse("web:debtor_detail", args=[claim.debtor_record.debtor.number]) in html
    entry = PersonalDataAccess.objects.get()
    assert entry.user_id == user.pk and entry.path == url and entry.channel == "ui"
    assert entry.subject_type == "debtors.debtorrecord" and entry.subject_id == str(claim.debtor_record_id)


def claim_postings_first_transaction(claim: Claim) -> int:
    from kofo.web.queries import claim_postings

    return int(claim_postings(claim)[0].transaction_id)


def test_partner_sees_postings_without_ledger_links(world: World) -> None:
    claim = world.claim()
    html = world.client_for(Role.PARTNER).get(reverse("web:claim_detail", args=[claim.pk])).content.decode()
    assert "Übernahme GS-2026-000123" in html
    assert "/hauptbuch/" not in html.split('id="inhalt"', 1)[1]
    assert "/schuldner/" not in html.split('id="inhalt"', 1)[1]
    assert "Forderung ändern" in html


def post_change(client: Client, claim: Claim, kind: str, data: dict[str, str]) -> Any:
    return client.post(
        reverse("web:claim_change", args=[claim.pk, kind]), {f"{kind}-{k}": v for k, v in data.items()}
    )


def test_reduction_calls_the_action(world: World) -> None:
    claim = world.claim()
    client = world.client_for(Role.PARTNER)
    response = post_change(
        client,
        claim,
        "absetzung",
        {"amount": "1.000,00", "component": "principal", "reason": "Bescheid geändert"},
    )
    assert response.status_code == 302
    assert open_components(claim)[Component.PRINCIPAL] == Cents(59800)
    event = AuditEvent.objects.filter(action="cases.reduce_claim").get()
    assert event.summary["amount_cents"] == 100000 and event.summary["reason"] == "Bescheid geändert"
    html = client.get(response["Location"]).content.decode()
    assert "Forderung GS-2026-000123: 1.000,00 EUR (Hauptforderung) abgesetzt." in html


def test_reduction_errors_are_german_form_errors(world: World) -> None:
    claim = world.claim()
    client = world.client_for(Role.INNENDIENST)
    too_much = post_change(
        client, claim, "absetzung", {"amount": "5.000", "component": "principal", "reason": "zu viel"}
    )
    html = too_much.content.decode()
    assert too_much.status_code == 200
    assert "Absetzung von 5.000,00 EUR nicht möglich: offen sind 1.598,00 EUR (Hauptforderung)." in html
    assert 'id="aendern-absetzung" open' in html
    garbage = post_change(client, claim, "absetzung", {"amount": "12,345", "component": "fee", "reason": "x"})
    assert "mehr als zwei Nachkommastellen" in garbage.content.decode()
    missing = post_change(client, claim, "absetzung", {"amount": "", "component": "fee", "reason": ""})
    assert missing.content.decode().count("Dieses Feld ist zwingend erforderlich.") == 2
    assert open_components(claim)[Component.PRINCIPAL] == Cents(159800)
    assert not AuditEvent.objects.filter(action="cases.reduce_claim").exists()


def test_cancel_and_withdraw_close_the_claim(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    claim = world.claim()
    assert post_change(client, claim, "absetzung-ganz", {"reason": "Erlass"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CANCELLED
    assert sum(open_components(claim).values()) == 0
    html = client.get(reverse("web:claim_detail", args=[claim.pk])).content.decode()
    assert "Die Forderung ist abgeschlossen." in html and "Forderung ändern" not in html
    # A closed claim refuses further changes with the action's German message.
    again = post_change(client, claim, "ruecknahme", {"reason": "doppelt"})
    assert "bereits abgesetzt; eine Änderung ist nicht mehr möglich" in again.content.decode()

    other = world.claim("HU-2026-000456")
    assert post_change(client, other, "ruecknahme", {"reason": "Partner zieht zurück"}).status_code == 302
    other.refresh_from_db()
    assert other.status == ClaimStatus.WITHDRAWN


def test_deferral(world: World) -> None:
    client = world.client_for(Role.PARTNER)
    claim = world.claim()
    past = post_change(client, claim, "stundung", {"until": "01.01.2020", "reason": "Antrag"})
    assert "Eine Stundung muss in der Zukunft enden." in past.content.decode()
    until = timezone.localdate() + dt.timedelta(days=90)
    response = post_change(
        client, claim, "stundung", {"until": until.isoformat(), "reason": "Antrag vom 1.11."}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DEFERRED and claim.deferred_until == until
    html = client.get(response["Location"]).content.decode()
    assert f"gestundet bis {until:%d.%m.%Y}" in html


def test_direct_payment(world: World) -> None:
    client = world.client_for(Role.PARTNER)
    claim = world.claim("HU-2026-000456")  # 120,00 principal + 2,80 fee
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    html = post_change(client, claim, "direktzahlung", {"amount": "10", "paid_on": future}).content.decode()
    assert "Das Zahlungsdatum liegt in der Zukunft." in html
    html = post_change(
        client, claim, "direktzahlung", {"amount": "500", "paid_on": "2026-10-01"}
    ).content.decode()
    assert "Direktzahlung von 500,00 EUR nicht möglich: offen sind 122,80 EUR." in html
    response = post_change(client, claim, "direktzahlung", {"amount": "122,80", "paid_on": "2026-10-01"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SETTLED


def test_remission_of_the_whole_claim_or_a_part(world: World) -> None:
    """Erlass (§ 227 AO): an amount of one component, or (no amount) everything still open."""
    client = world.client_for(Role.PARTNER)
    claim = world.claim()
    part = post_change(
        client, claim, "erlass", {"amount": "98,00", "component": "principal", "reason": "Billigkeit"}
    )
    assert part.status_code == 302
    assert (
        "Forderung GS-2026-000123: 98,00 EUR (Hauptforderung) erlassen."
        in client.get(part["Location"]).content.decode()
    )
    assert open_components(claim)[Component.PRINCIPAL] == Cents(150000)
    whole = post_change(
        client, claim, "erlass", {"amount": "", "component": "principal", "reason": "Billigkeit"}
    )
    assert whole.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REMITTED and sum(open_components(claim).values()) == 0
    html = client.get(whole["Location"]).content.decode()
    assert "Forderung GS-2026-000123: ganz erlassen." in html and "erlassen" in html


def test_changes_need_the_permission(world: World) -> None:
    claim = world.claim()
    for role in (Role.PRUEFUNG, Role.AUSSENDIENST):
        assert post_change(world.client_for(role), claim, "ruecknahme", {"reason": "x"}).status_code == 403
    html = world.client_for(Role.PRUEFUNG).get(reverse("web:claim_detail", args=[claim.pk])).content.decode()
    assert "Forderung ändern" not in html
    assert post_change(world.client_for(Role.INNENDIENST), claim, "gibt-es-nicht", {}).status_code == 404
    assert (
        world.client_for(Role.INNENDIENST)
        .get(reverse("web:claim_change", args=[claim.pk, "ruecknahme"]))
        .status_code
        == 405
    )


# --- dashboard and navigation ------------------------------------------------------------------------


def test_dashboard_shows_latest_batches_and_open_claims(world: World) -> None:
    html = world.client_for(Role.INNENDIENST).get(reverse("web:dashboard")).content.decode()
    assert "Letzte Ersuchen" in html
    assert reverse("web:batch_detail", args=[world.other_batch.pk]) in html
    assert 'data-figure="claims-open">6<' in html
    assert 'data-figure="reviews-open">' in html

    html = world.client_for(Role.PARTNER).get(reverse("web:dashboard")).content.decode()
    assert "Ihre letzten Ersuchen" in html
    assert reverse("web:batch_detail", args=[world.batch.pk]) in html
    assert reverse("web:batch_detail", args=[world.other_batch.pk]) not in html
    assert 'data-figure="claims-open">3<' in html
    # 1.648,30 + 122,80 + 2.523,50 (GW-2026-000042: 2.450,00 + 73,50)
    assert 'data-figure="claims-open-total">4.294,60 EUR<' in html
    assert "Prüffälle" not in html


NAV_NEW = {
    Role.ADMINISTRATION: ["Ersuchen", "Forderungen", "Schuldner", "Prüffälle"],
    Role.INNENDIENST: ["Ersuchen", "Forderungen", "Schuldner", "Prüffälle"],
    Role.AUSSENDIENST: [],
    Role.PARTNER: ["Ersuchen", "Forderungen"],
    Role.PRUEFUNG: ["Ersuchen", "Forderungen", "Schuldner", "Prüffälle"],
}


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_navigation_has_the_new_pages_per_permission(world: World, role: Role) -> None:
    response = world.client_for(role).get(reverse("web:claim_list" if NAV_NEW[role] else "web:dashboard"))
    labels = [item["label"] for item in response.context["nav_items"]()]
    assert [label for label in labels if label in NAV_NEW[Role.INNENDIENST]] == NAV_NEW[role]
    if NAV_NEW[role]:
        active = [item["label"] for item in response.context["nav_items"]() if item["active"]]
        assert active == ["Forderungen"]


def test_review_queue_is_not_also_marked_as_debtors(world: World) -> None:
    response = world.client_for(Role.INNENDIENST).get(reverse("web:review_list"))
    active = [item["label"] for item in response.context["nav_items"]() if item["active"]]
    assert active == ["Prüffälle"]


def test_new_pages_have_accessible_tables_and_labels(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    claim = world.claim()
    for url in (
        reverse("web:batch_list"),
        reverse("web:batch_upload"),
        reverse("web:batch_detail", args=[world.batch.pk]),
        reverse("web:claim_list"),
        reverse("web:claim_detail", args=[claim.pk]),
        reverse("web:dashboard"),
    ):
        html = client.get(url).content.decode()
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            assert "<caption" in table, url
            for th in re.findall(r"<th\b[^>]*>", table):
                assert "scope=" in th, (url, th)
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in control:
                continue
            control_id = re.search(r'id="([^"]+)"', control)
            assert control_id, (url, control)
            assert f'for="{control_id.group(1)}"' in html, (url, control)
