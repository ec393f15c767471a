"""Documents through the API: a partner reads the documents the office addressed to it — remittance advices
(Auskehrungsmitteilungen) and return reports (Rückgaben mit Vollstreckungsbericht) — and downloads each PDF
exactly as archived. Letters about a debtor file are never a partner's (they show every creditor's claims).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema

from kofo import limits
from kofo.api.intake import CodedError
from kofo.api.schemas import Error
from kofo.audit import archive
from kofo.audit.recording import log_personal_data_access
from kofo.documents.access import access_documents
from kofo.documents.actions import content_of
from kofo.documents.models import Document

router = Router(tags=["Schriftstücke"])


class DocumentOut(Schema):
    id: int
    kind: str = Field(description="Art, z. B. auskehrung (Auskehrungsmitteilung) oder rueckgabe (Rückgabe)")
    kind_label: str = Field(description="Art in Worten")
    title: str
    letter_date: dt.date | None = Field(description="Datum des Schreibens")
    created_at: dt.datetime = Field(description="Zeitpunkt der Erstellung")
    sha256: str = Field(description="SHA-256 der archivierten Datei (zum Prüfen des Downloads)")
    size_bytes: int = Field(description="Größe der Datei in Byte")
    media_type: str = Field(description="Dateityp, application/pdf")
    filename: str
    case_number: str | None = Field(description="Aktenzeichen der Vollstreckungsstelle (bei einer Rückgabe)")


class DocumentPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[DocumentOut]


def _document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "kind_label": document.get_kind_display(),
        "title": document.title,
        "letter_date": document.letter_date,
        "created_at": document.created_at,
        "sha256": document.sha256,
        "size_bytes": document.size_bytes,
        "media_type": document.media_type,
        "filename": document.filename,
        "case_number": document.case.number if document.case is not None else None,
    }


@router.get(
    "/documents",
    response={200: DocumentPage, 401: Error, 422: Error},
    summary="Schriftstücke lesen (neueste zuerst)",
    description=(
        "Die Schriftstücke, die die Vollstreckungsstelle an den Partner des Tokens gerichtet hat "
        "(Auskehrungsmitteilungen, Rückgaben mit Vollstreckungsbericht), und die Bescheide, die er zu seinen "
        "Forderungen hochgeladen hat, neueste zuerst, seitenweise "
        f"(`limit` höchstens {limits.PAGE_SIZE_MAX}). Schreiben an Schuldner oder Drittschuldner gehören nie "
        "dazu."
    ),
)
def list_documents(
    request: HttpRequest,
    offset: int = Query(0, ge=0),
    limit: int = Query(limits.PAGE_SIZE_DEFAULT, ge=1, le=limits.PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """The caller's documents, newest first; a partner's token sees only those addressed to it or attached by it."""
    from kofo.api.api import principal

    documents = access_documents(principal(request)).defer("data").order_by("-created_at", "-id")
    return {
        "count": documents.count(),
        "offset": offset,
        "limit": limit,
        "items": [_document_out(d) for d in documents[offset : offset + limit]],
    }


@router.get(
    "/documents/{document_id}",
    response={401: Error, 404: Error, 500: Error},
    summary="Ein Schriftstück herunterladen (PDF)",
    description=(
        "Die archivierte Datei unverändert (SHA-256 wie in der Liste). Ein Schriftstück, das nicht an den "
        "Partner des Tokens gerichtet ist, antwortet 404 wie eines, das es nicht gibt."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "das PDF, als Download (Content-Disposition: attachment)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """One document's archived bytes (checked against its SHA-256 when read)."""
    from kofo.api.api import NotFound, actor_for, principal

    document = access_documents(principal(request)).filter(pk=document_id).first()
    if document is None:
        # Same answer for "does not exist" and "not yours": no probing of other partners' documents.
        raise NotFound(f"Schriftstück {document_id} nicht gefunden.")
    try:
        content = content_of(document)
    except (OSError, archive.ArchiveError) as exc:
        raise CodedError(
            500,
            "document.unavailable",
            "Das archivierte Schriftstück ist nicht lesbar; bitte die Vollstreckungsstelle benachrichtigen.",
        ) from exc
    if document.case is not None:
        # A return report names the debtor and the measures taken: its download is logged.
        log_personal_data_access(
            actor=actor_for(request),
            subject=document.case.debtor,
            what=f"Schriftstück {document.pk} der Akte {document.case.number} über die API abgerufen",
            purpose="Abruf durch den Partner",
            channel="api",
            path=request.path,
        )
    response = HttpResponse(content, content_type=document.media_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
