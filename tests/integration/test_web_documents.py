"""Web UI of the documents (issue 6): the archive list with the print batches, one document with its download
and the re-rendering check, the partner's portal (only the documents addressed to it), the section
„Schriftstücke“ of the file page with the upload of a received document, the preview of a proposed measure's
letters, the letters of a measure started in the UI, and the documents in the file's timeline.

The office is the one of ``test_web_measures`` (built as in production: a partner's CSV request, the daily
runs of 02.05.2025 and 14.05.2025): the files of Sabine Keller (a bank garnishment at the Commerzbank is
proposed) and Jonas Becker (the Vermögensauskunft is proposed). The daily print step of 02.05.2025
(``print_day``, what ``kofo documents print --date 2025-05-02`` runs) produces both payment demands and
posts them in one print batch. The retention (31.12.2035) is ten years after the end of the year the letter
was made (``kofo.documents.letters.RETENTION_YEARS``, the Aktenordnung's ten years for enforcement files).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kofo.audit.models import PersonalDataAccess
from kofo.cases.measures import do_propose_measure, do_return_to_partners
from kofo.cases.models import Case, Measure, MeasureKind, MeasureStatus
from kofo.documents.actions import content_of, produce_letters
from kofo.documents.letters import return_reports
from kofo.documents.models import Document, DocumentKind, PrintBatch
from kofo.documents.printing import print_day
from kofo.documents.rendering import pdf_text
from kofo.partners.models import Office, Partner
from kofo.partners.roles import Role
from kofo.web.views import documents as document_views
from tests import factories
from tests.integration.test_web_measures import (
    World,
    messages_of,
    page,
    proposal,
    section,
    step,
    world,
)

__all__ = ["world"]  # the fixture of test_web_measures, used here

pytestmark = pytest.mark.django_db

D = dt.date
DK = DocumentKind
ACTOR = factories.TEST_ACTOR
PRINT_DAY = D(2025, 5, 2)
DEMAND_TITLE = "Zahlungsaufforderung und Ankündigung der Vollstreckung"
RETURN_TITLE = "Rückgabe von Vollstreckungsersuchen mit Vollstreckungsbericht"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def printed(world: World) -> World:
    """The print step of 02.05.2025: the two payment demands, posted in one print batch."""
    result = print_day(PRINT_DAY, actor=ACTOR, parallel=False)
    assert (result.produced, result.posted, result.problems) == (2, 2, [])
    return world


@pytest.fixture
def returned(printed: World) -> Document:
    """Becker's file returned to the partner: the return report addressed to the partner, archived."""
    measure = do_return_to_partners(
        printed.becker, reason="Schuldner unbekannt verzogen", on=timezone.localdate(), actor=ACTOR
    )
    (document,) = produce_letters(return_reports(measure), actor=ACTOR).documents
    assert (document.kind, document.partner.key) == (DK.RUECKGABE, "stadt-saarlouis")
    return document


def demand_of(case: Case) -> Document:
    return Document.objects.get(case=case, kind=DK.ZAHLUNGSAUFFORDERUNG)


def logged(number: str) -> list[str]:
    return [entry.what for entry in PersonalDataAccess.objects.order_by("id") if number in entry.what]


# --- the list, one document, its download ----------------------------------------------------------------------


def test_office_lists_documents_and_print_batches(printed: World) -> None:
    client = printed.client_for(Role.INNENDIENST)
    keller, becker = demand_of(printed.keller), demand_of(printed.becker)
    html = client.get(reverse("web:document_list")).content.decode()
    rows = section(html, "documents-title")
    assert rows.count(f">{DEMAND_TITLE}</a>") == 2
    for document in (keller, becker):
        assert f'data-document="{document.pk}"' in rows and document.case.number in rows
    assert "Post (Druckstapel)" in rows and "02.05.2025" in rows
    batch = PrintBatch.objects.get()
    batches = section(html, "batches-title")
    assert (
        f'data-batch="{batch.pk}"' in batches
        and "Zahlungsaufforderung mit Vollstreckungsankündigung" in batches
    )
    assert reverse("web:batch_pdf", args=[batch.pk]) in batches
    assert reverse("web:batch_manifest", args=[batch.pk]) in batches

    # Filters: kind, date range, file number.
    def shown(**params: str) -> int:
        return section(
            client.get(reverse("web:document_list"), params).content.decode(), "documents-title"
        ).count('data-document="')

    assert shown(art=DK.ZAHLUNGSAUFFORDERUNG) == 2 and shown(art=DK.RUECKGABE) == 0
    assert shown(von="2025-05-02", bis="2025-05-02") == 2 and shown(von="2025-05-03") == 0
    assert shown(akte=printed.keller.number.lower()) == 1
    refused = client.get(reverse("web:document_list"), {"von": "2025-05-03", "bis": "2025-05-02"})
    assert "„bis“ liegt vor „von“." in refused.content.decode()

    # The merged PDF and the manifest of the batch, from the archive.
    merged = client.get(reverse("web:batch_pdf", args=[batch.pk]))
    assert merged.status_code == 200 and merged["Content-Type"] == "application/pdf"
    assert merged["Content-Disposition"].startswith("attachment;")
    assert merged.content.startswith(b"%PDF-") and pdf_text(merged.content).count(DEMAND_TITLE) >= 2
    manifest = client.get(reverse("web:batch_manifest", args=[batch.pk]))
    assert manifest["Content-Type"] == "text/csv; charset=utf-8"
    lines = manifest.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Nr;Dokument;Art;Aktenzeichen;Empfänger;Seiten;ab Seite;SHA-256;Datum"
    assert len(lines) == 3 and all(line.endswith(";02.05.2025") for line in lines[1:])
    assert PersonalDataAccess.objects.filter(subject_type="documents.printbatch").count() == 2


def test_document_page_and_download(printed: World) -> None:
    client = printed.client_for(Role.INNENDIENST)
    case = printed.keller
    document = demand_of(case)
    html = client.get(reverse("web:document_detail", args=[document.pk])).content.decode()
    assert f'<h1 class="kern-heading-large">{DEMAND_TITLE}</h1>' in html
    for field, text in (
        ("kind", "Zahlungsaufforderung mit Vollstreckungsankündigung"),
        ("date", "02.05.2025"),
        ("case", case.number),
        ("measure", "Zahlungsaufforderung"),
        ("partner", "–"),  # a letter to the debtor belongs to the file, not to one partner
        ("recipient", "Sabine Keller"),
        ("dispatch", "Post (Druckstapel) am 02.05.2025"),
        ("retain-until", "31.12.2035"),
        ("template", document.template.sha256),
        ("sha256", document.sha256),
    ):
        value = html.split(f'data-field="{field}">', 1)[1].split("</dd>", 1)[0]
        assert text in value, field
    assert "Neu erstellen und prüfen" in html
    assert logged(case.number)[-1].startswith(f"Schriftstück {document.pk} der Akte {case.number}")

    response = client.get(reverse("web:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{document.filename}"'
    assert response.content == content_of(document)
    assert "heruntergeladen" in logged(case.number)[-1]


def test_rerender_and_compare(printed: World) -> None:
    document = demand_of(printed.keller)
    response = printed.client_for(Role.PRUEFUNG).post(reverse("web:document_verify", args=[document.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-same-text="true"' in html and 'data-same-bytes="true"' in html
    assert "der Text stimmt mit dem archivierten Schreiben überein" in html
    assert Document.objects.count() == 2  # nothing stored


# --- the partner's portal ------------------------------------------------------------------------------------


def test_partner_sees_only_documents_addressed_to_it(returned: Document, world: World) -> None:
    client = world.client_for(Role.PARTNER)
    html = client.get(reverse("web:document_list")).content.decode()
    assert 'class="kofo-nav__link" href="/dokumente/" aria-current="page">Schriftstücke<' in html
    rows = section(html, "documents-title")
    assert RETURN_TITLE in rows and DEMAND_TITLE not in rows
    assert "Druckstapel" not in html  # the office's print batches hold letters to debtors
    detail = client.get(reverse("web:document_detail", args=[returned.pk]))
    assert detail.status_code == 200 and "Neu erstellen und prüfen" not in detail.content.decode()
    download = client.get(reverse("web:document_download", args=[returned.pk]))
    assert download.status_code == 200 and download.content == content_of(returned)

    # A letter to the debtor lists every creditor's claims: never the partner's, even for its own claim.
    debtor_letter = demand_of(world.keller)
    for name in ("web:document_detail", "web:document_download"):
        assert client.get(reverse(name, args=[debtor_letter.pk])).status_code == 404
    batch = PrintBatch.objects.get()
    assert client.get(reverse("web:batch_pdf", args=[batch.pk])).status_code == 403
    assert client.post(reverse("web:document_verify", args=[returned.pk])).status_code == 403

    # Another partner's user sees nothing of it.
    other = factories.make_partner(key="gemeinde-wallerfangen", name="Gemeinde Wallerfangen")
    stranger = Client()
    stranger.force_login(factories.make_user(Role.PARTNER, other))
    assert RETURN_TITLE not in stranger.get(reverse("web:document_list")).content.decode()
    assert stranger.get(reverse("web:document_download", args=[returned.pk])).status_code == 404
    assert Partner.objects.count() == 2


# --- the file page: the section, upload, timeline ---------------------------------------------------------------


def upload(client: Client, case: Case, content: bytes, name: str = "erklaerung.pdf", **fields: str) -> Any:
    data = {
        "schriftstueck-file": SimpleUploadedFile(name, content),
        "schriftstueck-kind": fields.get("kind", DK.DRITTSCHULDNERERKLAERUNG),
        "schriftstueck-title": fields.get("title", "Drittschuldnererklärung der Commerzbank"),
        "schriftstueck-received_on": fields.get("received_on", "2025-05-28"),
    }
    return client.post(reverse("web:case_file_document", args=[case.number]), data)


def test_file_page_lists_documents_and_files_a_received_one(printed: World) -> None:
    client = printed.client_for(Role.INNENDIENST)
    case = printed.keller
    demand = demand_of(case)
    documents = section(page(client, case), "schriftstuecke")
    assert f'data-document="{demand.pk}"' in documents and DEMAND_TITLE in documents
    assert reverse("web:document_download", args=[demand.pk]) in documents
    assert "Eingegangenes Schriftstück ablegen" in documents

    response = upload(client, case, PDF)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.number]) + "#schriftstuecke"
    received = Document.objects.get(case=case, kind=DK.DRITTSCHULDNERERKLAERUNG)
    assert (received.media_type, received.letter_date, received.filename, received.template) == (
        "application/pdf", D(2025, 5, 28), "erklaerung.pdf", None,
    )  # fmt: skip
    assert content_of(received) == PDF
    html = client.get(response["Location"]).content.decode()
    assert "„Drittschuldnererklärung der Commerzbank“ ist in der Akte" in html
    assert f'data-document="{received.pk}"' in section(html, "schriftstuecke")

    # The timeline lists both documents, with a link to each.
    timeline = section(html, "verlauf")
    for document in (received, demand):
        assert (
            f'<a class="kern-link" href="{reverse("web:document_detail", args=[document.pk])}">' in timeline
        )
    assert timeline.count('data-entry="document"') == 2
    assert "Drittschuldnererklärung (eingegangen); eingegangen am 28.05.2025" in timeline
    assert "Zahlungsaufforderung mit Vollstreckungsankündigung; Schreiben vom 02.05.2025" in timeline

    # Read-only roles see the section without the form, and cannot post to it.
    auditor = printed.client_for(Role.PRUEFUNG)
    assert "Eingegangenes Schriftstück ablegen" not in section(page(auditor, case), "schriftstuecke")
    assert upload(auditor, case, PDF).status_code == 403


def test_upload_is_rejected_with_a_german_message(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = world.client_for(Role.INNENDIENST)
    case = world.keller

    def refused(response: Any) -> str:
        assert response.status_code == 200
        form = response.content.decode().split('id="schriftstueck-ablegen"', 1)[1].split("</details>", 1)[0]
        assert form.startswith(" open")
        return form

    form = refused(upload(client, case, b"Hallo, ich bin kein PDF.", name="brief.pdf"))
    assert "Nur PDF-, PNG- oder JPEG-Dateien können abgelegt werden." in form
    assert "Dieses Feld ist zwingend erforderlich." in refused(upload(client, case, PDF, kind=""))
    form = refused(upload(client, case, b"", name="leer.pdf"))
    assert "Die Datei ist leer." in form
    form = refused(
        upload(client, case, PDF, received_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    )
    assert "Das Datum darf nicht in der Zukunft liegen." in form
    # Over the archive's limit (checked by the action) and over the upload limit (the file is dropped while
    # it arrives): both answered in German at the file field.
    monkeypatch.setattr("kofo.limits.DOCUMENT_UPLOAD_BYTES_MAX", 1_000_000)
    big = PDF + b"0" * 1_500_000
    assert "Die Datei ist zu groß (höchstens 1 MB)." in refused(upload(client, case, big))
    monkeypatch.setattr(document_views, "UPLOAD_BYTES_MAX", 1_000_000)
    assert "Die Datei ist 1,5 MB groß; erlaubt sind höchstens 1 MB." in refused(upload(client, case, big))
    assert not Document.objects.exists()


def test_upload_accepts_a_scan(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = upload(
        world.client_for(Role.INNENDIENST), world.keller, png, name="scan.png", kind=DK.BESCHEID
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.media_type, document.kind, document.title) == (
        "image/png", DK.BESCHEID, "Drittschuldnererklärung der Commerzbank",
    )  # fmt: skip
    download = world.client_for(Role.INNENDIENST).get(reverse("web:document_download", args=[document.pk]))
    assert download["Content-Type"] == "image/png" and download.content == png


# --- measures: preview, letters on start ------------------------------------------------------------------------


def test_preview_of_a_proposed_measure_is_a_pdf_and_stores_nothing(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    url = reverse("web:measure_preview", args=[case.number, pfev.pk])
    card = page(client, case).split(f'id="massnahme-{pfev.pk}"', 1)[1].split("</article>", 1)[0]
    assert f'href="{url}"' in card and "Vorschau der Schreiben (PDF)" in card

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = " ".join(pdf_text(response.content).split())
    assert "Pfändungs- und Einziehungsverfügung" in text and "Commerzbank" in text
    assert not Document.objects.exists()
    assert logged(case.number)[-1].startswith(f"Vorschau der Schreiben zur Maßnahme {pfev.pk}")

    # A garnishment without a third party cannot be previewed: the German reason, on the file page.
    wage = do_propose_measure(
        case, MeasureKind.PFEV_LOHN, reason="Arbeitgeber gesucht", on=timezone.localdate(), actor=ACTOR
    )
    response = client.get(reverse("web:measure_preview", args=[case.number, wage.pk]), follow=True)
    assert (
        "ist keine Vorschau möglich: Die Pfändung nennt keinen Drittschuldner." in response.content.decode()
    )
    # A measure that is no longer a proposal has its documents instead.
    running = Measure.objects.filter(case=case).exclude(status=MeasureStatus.PROPOSED).first()
    assert running is not None
    response = client.get(reverse("web:measure_preview", args=[case.number, running.pk]), follow=True)
    assert "Eine Vorschau gibt es nur für vorgeschlagene Maßnahmen" in response.content.decode()
    assert not Document.objects.exists()


def test_starting_a_measure_in_the_ui_files_its_letters(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    bank = case.third_party_links.get().third_party
    response = step(client, pfev, "ausfuehren", executed_on="15.05.2025", third_party=bank.pk)
    assert response.status_code == 302
    assert "2 Schreiben erstellt und in der Akte abgelegt" in " ".join(messages_of(response))
    documents = {d.kind: d for d in Document.objects.filter(measure=pfev)}
    assert set(documents) == {DK.PFEV_DRITTSCHULDNER, DK.PFEV_SCHULDNER}
    third = documents[DK.PFEV_DRITTSCHULDNER]
    assert (third.letter_date, third.recipient_role) == (D(2025, 5, 15), "third_party")
    assert "Commerzbank" in third.recipient
    html = client.get(response["Location"]).content.decode()
    shown = section(html, "schriftstuecke")
    assert all(f'data-document="{d.pk}"' in shown for d in documents.values())
    assert "wartet auf den Druckschritt" in shown
    assert section(html, "verlauf").count('data-entry="document"') == 2

    # The print step of that day sends them and makes nothing twice.
    result = print_day(D(2025, 5, 15), actor=ACTOR, parallel=False)
    assert (result.produced, result.posted) == (0, 2)
    assert Document.objects.filter(measure=pfev).count() == 2


def test_a_letter_that_cannot_be_made_does_not_stop_the_measure(world: World) -> None:
    """The measure is taken all the same; the print step makes the letters once the cause is fixed (here: the
    office's master data, the letterhead of every letter, are missing)."""
    client = world.client_for(Role.INNENDIENST)
    case = world.becker
    va = proposal(case, MeasureKind.VERMOEGENSAUSKUNFT)
    Office.objects.all().delete()  # not an action: the test removes the master data a letter needs
    response = step(client, va, "ausfuehren", executed_on="15.05.2025")
    assert response.status_code == 302
    va.refresh_from_db()
    assert va.status == MeasureStatus.ACTIVE
    warning = " ".join(messages_of(response))
    assert (
        "Die Schreiben zur Maßnahme wurden nicht erstellt: Die Vollstreckungsstelle ist nicht eingerichtet"
        in warning
    )
    assert "kofo documents print --date 2025-05-15" in warning
    assert not Document.objects.exists()


def test_pages_need_a_login(world: World) -> None:
    for url in (reverse("web:document_list"), reverse("web:document_detail", args=[1])):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
