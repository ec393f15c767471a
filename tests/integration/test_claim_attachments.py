"""The assessment (Bescheid) a partner attaches to its claim — the "attached PDF" of an enforcement request
(VollstrA Abschn. 34, issue 3 no. 1) — through ``PUT /api/v1/claims/{kassenzeichen}/attachment`` and the
file page: archived content-addressed as a received document (issue 6 no. 3), shown in the debtor's file
(also when it was attached before the file was opened), visible to its partner only.

The office and its files are those of ``test_web_measures`` (Kreisstadt Saarlouis, Keller and Becker).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kofo import limits
from kofo.audit.models import AuditEvent
from kofo.cases.daily import open_missing_cases
from kofo.cases.models import Case, Claim
from kofo.documents.actions import content_of
from kofo.documents.models import Document, DocumentKind
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.partners.models import ClaimType, Regime
from tests import factories
from tests.integration.test_documents_api import bearer
from tests.integration.test_web_measures import HEADER, World, _setup, page, section, world

__all__ = ["_setup", "world"]  # fixtures of the web tests, used here

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% Grundabgabenbescheid 2025 der Kreisstadt Saarlouis\n%%EOF\n"
OTHER_PDF = b"%PDF-1.4\n% Berichtigter Bescheid\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
SCHMITT = (
    "GW-2025-7;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;300,00;;;;;79;"
    "natuerlich;Schmitt;Petra;;12.12.1980;;;;;Bahnhofstraße;9;66740;Saarlouis;DE;;;;;"
)


def attachment_url(kassenzeichen: str, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/claims/{kassenzeichen}/attachment" + (f"?{query}" if query else "")


def put(client: Client, kassenzeichen: str, body: bytes, auth: str | None, *, media: str = "application/pdf",
        **params: str) -> Any:  # fmt: skip
    headers = {"Authorization": auth} if auth is not None else {}
    return client.put(attachment_url(kassenzeichen, **params), body, content_type=media, headers=headers)


@pytest.fixture
def saarlouis(world: World) -> str:
    return bearer(Claim.objects.get(kassenzeichen="GW-2025-2").partner)


def test_partner_attaches_the_assessment_to_its_claim(client: Client, world: World, saarlouis: str) -> None:
    response = put(client, "GW-2025-2", PDF, saarlouis, filename="bescheid-gw-2025-2.pdf")
    assert response.status_code == 200, response.content
    body = response.json()
    document = Document.objects.get(kind=DocumentKind.BESCHEID)
    assert body["attachment"] == {
        "document_id": document.pk,
        "sha256": document.sha256,
        "filename": "bescheid-gw-2025-2.pdf",
        "size_bytes": len(PDF),
    }
    claim = Claim.objects.get(kassenzeichen="GW-2025-2")
    assert claim.attachment_sha256 == document.sha256
    assert (document.case, document.partner, document.media_type) == (
        world.becker,
        claim.partner,
        "application/pdf",
    )
    assert content_of(document) == PDF
    assert AuditEvent.objects.filter(action="documents.attach_to_claim", object_id=str(claim.pk)).count() == 1
    # The claim as the partner reads it names the attachment; the partner downloads it.
    assert (
        client.get("/api/v1/claims/GW-2025-2", headers={"Authorization": saarlouis}).json()["attachment"]
        == (body["attachment"])
    )
    download = client.get(f"/api/v1/documents/{document.pk}", headers={"Authorization": saarlouis})
    assert download.status_code == 200 and download.content == PDF

    # The same PDF again changes nothing; another one replaces the reference, the first stays archived.
    assert put(client, "GW-2025-2", PDF, saarlouis).json()["attachment"]["document_id"] == document.pk
    assert Document.objects.filter(kind=DocumentKind.BESCHEID).count() == 1
    replaced = put(client, "GW-2025-2", OTHER_PDF, saarlouis).json()["attachment"]
    assert replaced["document_id"] != document.pk and replaced["filename"] == "bescheid-GW-2025-2.pdf"
    assert Document.objects.filter(kind=DocumentKind.BESCHEID).count() == 2
    event = AuditEvent.objects.filter(action="documents.attach_to_claim").order_by("-pk").first()
    assert event is not None and event.summary["replaces"] == document.sha256

    # The caseworker sees it in the file (section and timeline).
    html = page(world.client_for(), world.becker)
    assert f'data-document="{replaced["document_id"]}"' in section(html, "schriftstuecke")


def test_bad_attachments_are_answered_with_a_code(
    client: Client, world: World, saarlouis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong_type = put(client, "GW-2025-2", PNG, saarlouis, media="image/png")
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "document.media_type")
    not_pdf = put(client, "GW-2025-2", PNG, saarlouis)
    assert (not_pdf.status_code, not_pdf.json()["code"]) == (422, "document.media_type")
    assert "nur eine PDF-Datei" in not_pdf.json()["message"]
    empty = put(client, "GW-2025-2", b"", saarlouis)
    assert (empty.status_code, empty.json()["code"]) == (422, "document.empty")
    monkeypatch.setattr(limits, "DOCUMENT_UPLOAD_BYTES_MAX", len(PDF) - 1)
    too_large = put(client, "GW-2025-2", PDF, saarlouis)
    assert (too_large.status_code, too_large.json()["code"]) == (413, "document.too_large")
    unknown = put(client, "XX-404", PDF, saarlouis)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert put(client, "GW-2025-2", PDF, None).status_code == 401
    assert not Document.objects.filter(kind=DocumentKind.BESCHEID).exists()
    assert Claim.objects.get(kassenzeichen="GW-2025-2").attachment_sha256 == ""


def test_other_partners_neither_attach_nor_see(client: Client, world: World, saarlouis: str) -> None:
    document_id = put(client, "GW-2025-2", PDF, saarlouis).json()["attachment"]["document_id"]
    other = factories.make_partner(key="gemeinde-wallerfangen", name="Gemeinde Wallerfangen")
    foreign = bearer(other)
    refused = put(client, "GW-2025-2", OTHER_PDF, foreign)
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    hidden = client.get(f"/api/v1/documents/{document_id}", headers={"Authorization": foreign})
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert client.get("/api/v1/documents", headers={"Authorization": foreign}).json()["count"] == 0
    # Office staff work in the UI; the API's attachment is the partner's.
    office = world.client_for()
    staff = office.put(attachment_url("GW-2025-2"), OTHER_PDF, content_type="application/pdf")
    assert (staff.status_code, staff.json()["code"]) == (403, "auth.partner_only")


def test_attached_before_the_file_is_opened_it_shows_in_the_file(
    client: Client, world: World, saarlouis: str
) -> None:
    partner = Claim.objects.get(kassenzeichen="GW-2025-2").partner
    factories.make_agreement(partner, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    batch = do_import_request(partner, f"{HEADER}\n{SCHMITT}\n".encode(), channel=Channel.CSV, filename="nachtrag.csv",
                              as_of=dt.date(2025, 5, 20), actor=factories.TEST_ACTOR)  # fmt: skip
    assert batch.items_accepted == 1
    assert put(client, "GW-2025-7", PDF, saarlouis).status_code == 200
    document = Document.objects.get(kind=DocumentKind.BESCHEID)
    assert document.case is None  # no file yet
    open_missing_cases(dt.date(2025, 5, 21))
    case = World.case_of("GW-2025-7")
    html = page(world.client_for(), case)
    assert f'data-document="{document.pk}"' in section(html, "schriftstuecke")
    listed = world.client_for().get(reverse("web:document_list"), {"akte": case.number}).content.decode()
    assert f"/dokumente/{document.pk}/" in listed


def test_caseworker_files_the_assessment_for_a_claim(world: World) -> None:
    client = world.client_for()
    case: Case = world.becker
    claim = Claim.objects.get(kassenzeichen="GW-2025-3")
    url = reverse("web:case_file_document", args=[case.number])

    def upload(kind: str, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {
            "schriftstueck-file": SimpleUploadedFile(name, content), "schriftstueck-kind": kind,
            "schriftstueck-title": "", "schriftstueck-received_on": "20.05.2025", "schriftstueck-claim": claim.pk,
        })  # fmt: skip

    wrong = upload(DocumentKind.DRITTSCHULDNERERKLAERUNG, "erklaerung.pdf", PDF)
    assert (
        wrong.status_code == 200 and "Zu einer Forderung gehört nur ihr Bescheid." in wrong.content.decode()
    )
    scan = upload(DocumentKind.BESCHEID, "bescheid.png", PNG)
    assert scan.status_code == 200 and "nur eine PDF-Datei" in scan.content.decode()
    response = upload(DocumentKind.BESCHEID, "bescheid.pdf", PDF)
    assert response.status_code == 302
    document = Document.objects.get(kind=DocumentKind.BESCHEID)
    claim.refresh_from_db()
    assert claim.attachment_sha256 == document.sha256
    assert (document.case, document.partner, document.title) == (case, claim.partner, "Bescheid zu GW-2025-3")
