"""Enforcement requests and claim changes through the API (issue 3, items 2 and 4)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from kofo import limits
from kofo.api.schemas import Error
from kofo.cases.access import access_claims
from kofo.cases.actions import (
    do_cancel_claim,
    do_defer_claim,
    do_record_direct_payment,
    do_reduce_claim,
    do_remit_claim,
    do_withdraw_claim,
)
from kofo.cases.models import Claim
from kofo.documents.actions import do_attach_to_claim
from kofo.documents.models import Document, DocumentKind
from kofo.intake.access import access_import_batches
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel, ImportBatch
from kofo.ledger.models import Component
from kofo.money import Cents, MoneyParseError
from kofo.partners.models import ApiToken

router = Router(tags=["Vollstreckungsersuchen"])


class DebtorIn(Schema):
    kind: Literal["natuerlich", "juristisch"] = Field(description="natürliche oder juristische Person")
    debtor_id: str = Field("", description="Schuldnernummer beim Partner")
    surname: str = ""
    given_names: str = ""
    birth_name: str = ""
    birth_date: str = Field("", description="JJJJ-MM-TT oder TT.MM.JJJJ")
    legal_name: str = ""
    legal_form: str = ""
    register_court: str = ""
    register_number: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str
    city: str
    country: str = "DE"
    phone: str = ""
    email: str = ""
    iban: str = ""


class ClaimIn(Schema):
    kassenzeichen: str
    claim_type: str = Field(description="Code aus dem Forderungsartenkatalog, z. B. grundsteuer")
    legal_basis: str = ""
    assessment_date: str = Field(description="Bescheiddatum, JJJJ-MM-TT")
    notified_on: str = ""
    due_date: str
    reminder_date: str = ""
    reminder_deadline: str = ""
    principal: str = Field(description='Betrag als Text, z. B. "1234.56" (nie als Gleitkommazahl)')
    surcharges: str = ""
    surcharges_until: str = ""
    reminder_fee: str = ""
    prior_costs: str = ""
    debtor: DebtorIn
    requested_measures: list[str] = []
    notes: str = ""


class RequestIn(Schema):
    items: list[ClaimIn] = Field(max_length=limits.INTAKE_API_ITEMS_MAX)


class ProblemOut(Schema):
    code: str
    field: str
    message: str


class ItemOut(Schema):
    position: int
    kassenzeichen: str
    status: str
    problems: list[ProblemOut]
    warnings: list[ProblemOut]


class BatchOut(Schema):
    id: int
    status: str
    error_code: str
    error_message: str
    sha256: str
    as_of: dt.date
    items_total: int
    items_accepted: int
    items_rejected: int
    items_duplicate: int
    items_conflict: int
    items: list[ItemOut]


def _token(request: HttpRequest) -> ApiToken:
    auth = request.auth  # type: ignore[attr-defined]
    if not isinstance(auth, ApiToken):
        raise CodedError(403, "auth.partner_only", "Ersuchen stellt nur ein Partner mit seinem API-Token.")
    return auth


def _batch_out(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "status": batch.status,
        "error_code": batch.error_code,
        "error_message": batch.error_message,
        "sha256": batch.sha256,
        "as_of": batch.as_of,
        "items_total": batch.items_total,
        "items_accepted": batch.items_accepted,
        "items_rejected": batch.items_rejected,
        "items_duplicate": batch.items_duplicate,
        "items_conflict": batch.items_conflict,
        "items": [
            {
                "position": item.position,
                "kassenzeichen": item.kassenzeichen,
                "status": item.status,
                "problems": item.problems,
                "warnings": item.warnings,
            }
            for item in batch.items.order_by("position")
        ],
    }


@router.post(
    "/requests",
    response={201: BatchOut, 401: Error, 403: Error, 422: Error},
    summary="Vollstreckungsersuchen stellen (bis 10.000 Forderungen)",
)
def submit_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """Each item is answered on its own: accepted items are taken over even when others are rejected.
    The payload is archived with its SHA-256."""
    from kofo.api.api import actor_for

    token = _token(request)
    content = json.dumps(payload.dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    batch = do_import_request(token.partner, content, channel=Channel.JSON, actor=actor_for(request))
    return Status(201, _batch_out(batch))


@router.get(
    "/requests/{batch_id}",
    response={200: BatchOut, 401: Error, 404: Error},
    summary="Ergebnis eines Ersuchens",
)
def get_request(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = access_import_batches(request.auth).filter(pk=batch_id).first()  # type: ignore[attr-defined]
    if batch is None:
        raise CodedError(404, "not_found", f"Ersuchen {batch_id} nicht gefunden.")
    return _batch_out(batch)


class CaseRefOut(Schema):
    number: str = Field(description="Aktenzeichen der Schuldnerakte (für Rückfragen)")
    status: str = Field(description="open | suspended | closed")
    opened_on: dt.date
    closed_on: dt.date | None
    close_reason: str


class SurchargeOut(Schema):
    month: int = Field(description="Säumnismonat (1 = der Monat ab dem Tag nach Fälligkeit)")
    arises_on: dt.date
    base_cents: int
    amount_cents: int


class MeasureOut(Schema):
    kind: str
    label: str
    status: str = Field(description="proposed | active | done | failed | cancelled")
    created_on: dt.date
    executed_on: dt.date | None
    served_on: dt.date | None
    finished_on: dt.date | None
    stage: str
    claim_amount_cents: int = Field(description="offener Betrag dieser Forderung bei Ausführung")
    third_party_kind: str = Field(description="bank | employer | pension | other, leer ohne Drittschuldner")


class ClaimOut(Schema):
    kassenzeichen: str
    claim_type: str
    status: str
    due_date: dt.date
    deferred_until: dt.date | None
    principal_cents: int
    open_cents: dict[str, int]
    paid_cents: int = Field(
        description="bei der Vollstreckungsstelle eingegangen und dieser Forderung zugeordnet"
    )
    case: CaseRefOut | None = Field(description="die Schuldnerakte, sobald sie angelegt ist")
    surcharges: list[SurchargeOut] = Field(
        description="von der Vollstreckungsstelle gebuchte Säumniszuschläge"
    )
    measures: list[MeasureOut] = Field(
        description="Maßnahmen, die diese Forderung umfassen (ohne Angaben zu Forderungen anderer Partner)"
    )
    attachment: AttachmentOut | None = Field(
        description="der Bescheid (PDF), den der Partner zur Forderung hochgeladen hat"
    )


class AttachmentOut(Schema):
    document_id: int = Field(description="abrufbar unter GET /api/v1/documents/{id}")
    sha256: str
    filename: str
    size_bytes: int


class ChangeIn(Schema):
    kind: Literal["reduction", "cancellation", "deferral", "direct_payment", "remission", "withdrawal"] = (
        Field(description="remission: Erlass (§ 227 AO), ohne amount die ganze Forderung")
    )
    amount: str = Field(
        "", description='bei reduction und direct_payment, bei remission für einen Teil; z. B. "120.00"'
    )
    component: Literal["principal", "surcharge", "fee", "interest", "cost"] = "principal"
    until: dt.date | None = Field(None, description="bei deferral: gestundet bis")
    paid_on: dt.date | None = Field(None, description="bei direct_payment: Zahlungseingang beim Partner")
    reason: str = Field("", max_length=300)


def _claim_out(claim: Claim) -> dict[str, Any]:
    from django.db.models import Sum

    from kofo.cases.actions import open_components
    from kofo.cases.models import Case, MeasureClaim, SurchargeAccrual
    from kofo.payments.models import PaymentAllocation

    case = Case.objects.filter(debtor_id=claim.debtor_record.debtor_id).first()
    attachment = (
        Document.objects.filter(
            kind=DocumentKind.BESCHEID, partner_id=claim.partner_id, sha256=claim.attachment_sha256
        )
        .order_by("pk")
        .first()
        if claim.attachment_sha256
        else None
    )
    links = (
        MeasureClaim.objects.filter(claim=claim)
        .select_related("measure__third_party")
        .order_by("measure__created_on", "measure_id")
    )
    paid = PaymentAllocation.objects.filter(claim=claim).aggregate(total=Sum("amount_cents"))["total"] or 0
    return {
        "kassenzeichen": claim.kassenzeichen,
        "claim_type": claim.claim_type,
        "status": claim.status,
        "due_date": claim.due_date,
        "deferred_until": claim.deferred_until,
        "principal_cents": claim.principal_cents,
        "open_cents": {str(c): int(a) for c, a in open_components(claim).items()},
        "paid_cents": int(paid),
        "case": None
        if case is None
        else {
            "number": case.number,
            "status": case.status,
            "opened_on": case.opened_on,
            "closed_on": case.closed_on,
            "close_reason": case.close_reason,
        },
        "surcharges": [
            {
                "month": a.month_index,
                "arises_on": a.starts_on,
                "base_cents": a.base_cents,
                "amount_cents": a.amount_cents,
            }
            for a in SurchargeAccrual.objects.filter(claim=claim).order_by("month_index")
        ],
        "attachment": None
        if attachment is None
        else {
            "document_id": attachment.pk,
            "sha256": attachment.sha256,
            "filename": attachment.filename,
            "size_bytes": attachment.size_bytes,
        },
        "measures": [
            {
                "kind": link.measure.kind,
                "label": link.measure.get_kind_display(),
                "status": link.measure.status,
                "created_on": link.measure.created_on,
                "executed_on": link.measure.executed_on,
                "served_on": link.measure.served_on,
                "finished_on": link.measure.finished_on,
                "stage": link.measure.stage,
                "claim_amount_cents": link.amount_cents,
                "third_party_kind": link.measure.third_party.kind if link.measure.third_party else "",
            }
            for link in links
        ],
    }


def _claim_of(request: HttpRequest, kassenzeichen: str) -> Claim:
    claim = access_claims(request.auth).filter(kassenzeichen=kassenzeichen).first()  # type: ignore[attr-defined]
    if claim is None:
        raise CodedError(404, "not_found", f"Forderung {kassenzeichen!r} nicht gefunden.")
    return claim


@router.get(
    "/claims/{kassenzeichen}",
    response={200: ClaimOut, 401: Error, 404: Error},
    summary="Eine Forderung lesen",
)
def get_claim(request: HttpRequest, kassenzeichen: str) -> dict[str, Any]:
    return _claim_out(_claim_of(request, kassenzeichen))


@router.post(
    "/claims/{kassenzeichen}/changes",
    response={200: ClaimOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Absetzung, Stundung, Direktzahlung oder Rücknahme melden",
)
def change_claim(request: HttpRequest, kassenzeichen: str, change: ChangeIn) -> dict[str, Any]:
    from kofo.api.api import actor_for

    _token(request)
    claim = _claim_of(request, kassenzeichen)
    actor = actor_for(request)
    reason = change.reason or "Mitteilung des Partners"
    try:
        if change.kind in ("reduction", "direct_payment"):
            try:
                amount = Cents.parse(change.amount)
            except MoneyParseError as exc:
                raise _invalid("change.amount_invalid", str(exc)) from exc
            if change.kind == "reduction":
                claim = do_reduce_claim(
                    claim, amount=amount, reason=reason, component=Component(change.component), actor=actor
                )
            else:
                if change.paid_on is None:
                    raise _invalid("change.paid_on_missing", "Bei einer Direktzahlung fehlt paid_on.")
                claim = do_record_direct_payment(
                    claim, amount=amount, paid_on=change.paid_on, reason=reason, actor=actor
                )
        elif change.kind == "deferral":
            if change.until is None:
                raise _invalid("change.until_missing", "Bei einer Stundung fehlt until.")
            claim = do_defer_claim(claim, until=change.until, reason=reason, actor=actor)
        elif change.kind == "remission":
            try:
                part = Cents.parse(change.amount) if change.amount.strip() else None
            except MoneyParseError as exc:
                raise _invalid("change.amount_invalid", str(exc)) from exc
            claim = do_remit_claim(
                claim, amount=part, component=Component(change.component), reason=reason, actor=actor
            )
        elif change.kind == "cancellation":
            claim = do_cancel_claim(claim, reason=reason, actor=actor)
        else:
            claim = do_withdraw_claim(claim, reason=reason, actor=actor)
    except DjangoValidationError as exc:
        raise _invalid(exc.code or "change.invalid", " ".join(exc.messages)) from exc
    return _claim_out(claim)


@router.put(
    "/claims/{kassenzeichen}/attachment",
    response={200: ClaimOut, 401: Error, 403: Error, 404: Error, 413: Error, 415: Error, 422: Error},
    summary="Bescheid (PDF) zu einer Forderung hochladen",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Die PDF-Datei selbst (höchstens 20 MB), nicht als Formular.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def attach_to_claim(request: HttpRequest, kassenzeichen: str, filename: str = "") -> dict[str, Any]:
    """The assessment (Bescheid) of the claim as the body, ``Content-Type: application/pdf``. It is archived
    (SHA-256) and shown in the debtor's file; the same PDF again changes nothing, another one replaces it."""
    from kofo.api.api import actor_for

    _token(request)
    claim = _claim_of(request, kassenzeichen)
    limit = limits.DOCUMENT_UPLOAD_BYTES_MAX
    too_large = CodedError(
        413, "document.too_large", f"Die Datei ist zu groß (höchstens {limit // 1_000_000} MB)."
    )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:  # refused before the body is read
        raise too_large
    content = request.body
    if len(content) > limit:
        raise too_large
    if not content:
        raise _invalid("document.empty", "Die Datei ist leer.")
    if request.content_type != "application/pdf":
        raise CodedError(
            415, "document.media_type", "Der Bescheid wird als PDF gesendet (Content-Type: application/pdf)."
        )
    try:
        do_attach_to_claim(
            claim, content, filename=filename or f"bescheid-{kassenzeichen}.pdf",
            received_on=timezone.localdate(), actor=actor_for(request),
        )  # fmt: skip
    except DjangoValidationError as exc:
        raise _invalid(exc.code or "document.invalid", " ".join(exc.messages)) from exc
    claim.refresh_from_db()
    return _claim_out(claim)


class CodedError(HttpError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code


def _invalid(code: str, message: str) -> CodedError:
    return CodedError(422, code, message)
