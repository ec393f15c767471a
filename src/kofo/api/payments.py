"""Remittances (Auskehrungen) and direct payments through the API.

A partner reads its own remittances with their statements (JSON and CSV from the archive, the very bytes
the run wrote) and reports payments it received itself for several claims at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kofo import limits
from kofo.api.intake import CodedError, _claim_of, _token
from kofo.api.schemas import Error
from kofo.audit import archive
from kofo.cases.actions import do_record_direct_payment, open_components
from kofo.money import Cents, MoneyParseError
from kofo.payments.access import access_remittances
from kofo.payments.models import Remittance

router = Router(tags=["Auskehrungen und Direktzahlungen"])

DIRECT_PAYMENTS_ITEMS_MAX = limits.DIRECT_PAYMENTS_ITEMS_MAX


# --- remittances ----------------------------------------------------------------------------------------------


class RemittanceOut(Schema):
    id: int
    run: int = Field(description="Nummer des Auskehrungslaufs")
    until: dt.date = Field(description="Zahlungen bis einschließlich (Stichtag des Laufs)")
    execution_date: dt.date = Field(description="Ausführungstag der Überweisung")
    amount_cents: int = Field(description="ausgezahlter Betrag in Cent")
    collected_cents: int = Field(description="für den Partner vereinnahmt (in Cent)")
    retained_cents: int = Field(description="einbehaltene Kosten (in Cent)")
    end_to_end_id: str = Field(description="Ende-zu-Ende-Referenz der SEPA-Überweisung")


class RemittancePage(Schema):
    count: int
    offset: int
    limit: int
    items: list[RemittanceOut]


class StatementPartnerOut(Schema):
    key: str
    name: str
    iban: str


class StatementPaymentOut(Schema):
    date: dt.date = Field(description="Wertstellung der Zahlung (oder ihrer Rückbuchung)")
    component: str = Field(description="principal | surcharge | fee | interest | cost")
    amount_cents: int = Field(description="Betrag in Cent; negativ bei einer Rückbuchung")
    reversal: bool = Field(description="Rückbuchung einer früher vereinnahmten Zahlung")


class StatementClaimOut(Schema):
    kassenzeichen: str
    components: dict[str, int] = Field(description="Summe je Bestandteil in Cent")
    payments: list[StatementPaymentOut]


class StatementOut(Schema):
    run: int
    until: dt.date
    execution_date: dt.date
    partner: StatementPartnerOut
    collected_cents: int
    retained_cents: int
    paid_cents: int
    claims: list[StatementClaimOut] = Field(description="je Kassenzeichen die Bestandteile und Zahlungen")


class RemittanceDetailOut(RemittanceOut):
    statement: StatementOut = Field(
        description="die Abrechnung, wie sie der Lauf archiviert hat (SHA-256 in statement_sha256)"
    )
    statement_sha256: str = Field(description="SHA-256 der archivierten Abrechnung (JSON)")
    statement_csv_sha256: str = Field(description="SHA-256 der archivierten Abrechnung (CSV)")


def _remittance_out(remittance: Remittance) -> dict[str, Any]:
    return {
        "id": remittance.pk,
        "run": remittance.run.number,
        "until": remittance.run.until,
        "execution_date": remittance.run.execution_date,
        "amount_cents": remittance.amount_cents,
        "collected_cents": remittance.collected_cents,
        "retained_cents": remittance.retained_cents,
        "end_to_end_id": remittance.end_to_end_id,
    }


def _remittance_of(request: HttpRequest, remittance_id: int) -> Remittance:
    from kofo.api.api import NotFound, principal

    remittance = access_remittances(principal(request)).filter(pk=remittance_id).first()
    if remittance is None:
        # Same answer for "does not exist" and "not yours": no probing of other partners' remittances.
        raise NotFound(f"Auskehrung {remittance_id} nicht gefunden.")
    return remittance


def _archived(sha256: str) -> bytes:
    try:
        return archive.load(sha256)
    except (OSError, archive.ArchiveError) as exc:
        raise CodedError(
            500,
            "remittance.statement_unavailable",
            "Die archivierte Abrechnung ist nicht lesbar; bitte die Vollstreckungsstelle benachrichtigen.",
        ) from exc


@router.get(
    "/remittances",
    response={200: RemittancePage, 401: Error, 422: Error},
    summary="Auskehrungen lesen (neueste zuerst)",
    description=(
        "Die Auskehrungen an den Partner des Tokens, neuester Lauf zuerst, seitenweise "
        f"(`limit` höchstens {limits.PAGE_SIZE_MAX}). Beträge in Cent."
    ),
)
def list_remittances(
    request: HttpRequest,
    offset: int = Query(0, ge=0),
    limit: int = Query(limits.PAGE_SIZE_DEFAULT, ge=1, le=limits.PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """The caller's remittances, newest run first; a partner's token sees only its own."""
    from kofo.api.api import principal

    remittances = access_remittances(principal(request)).order_by("-run__number", "partner__key", "-pk")
    return {
        "count": remittances.count(),
        "offset": offset,
        "limit": limit,
        "items": [_remittance_out(r) for r in remittances[offset : offset + limit]],
    }


@router.get(
    "/remittances/{remittance_id}",
    response={200: RemittanceDetailOut, 401: Error, 404: Error, 500: Error},
    summary="Eine Auskehrung mit Abrechnung lesen",
    description=(
        "Eine eigene Auskehrung mit der Abrechnung, wie der Lauf sie archiviert hat: je Kassenzeichen die "
        "Beträge nach Bestandteil und die einzelnen Zahlungen mit Wertstellung (Rückbuchungen negativ). "
        "Die Auskehrung eines anderen Partners antwortet 404 wie eine, die es nicht gibt."
    ),
)
def get_remittance(request: HttpRequest, remittance_id: int) -> dict[str, Any]:
    """One remittance with its statement: per Kassenzeichen the amounts by component and the payments."""
    remittance = _remittance_of(request, remittance_id)
    statement = json.loads(_archived(remittance.statement_json_sha256))
    return {
        **_remittance_out(remittance),
        "statement": statement,
        "statement_sha256": remittance.statement_json_sha256,
        "statement_csv_sha256": remittance.statement_csv_sha256,
    }


@router.get(
    "/remittances/{remittance_id}/statement.csv",
    response={401: Error, 404: Error, 500: Error},
    summary="Abrechnung einer Auskehrung als CSV",
    description="Die archivierte Abrechnung unverändert als Datei (SHA-256 in `statement_csv_sha256`).",
    openapi_extra={
        "responses": {
            200: {
                "description": (
                    "Semikolon-CSV in UTF-8 mit BOM, Dezimalkomma, Datum TT.MM.JJJJ; Spalten Kassenzeichen, "
                    "Bestandteil, Zahlungsdatum, Betrag, Rückbuchung"
                ),
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_remittance_csv(request: HttpRequest, remittance_id: int) -> HttpResponse:
    """The statement as the run archived it (byte for byte; its SHA-256 is ``statement_csv_sha256``)."""
    remittance = _remittance_of(request, remittance_id)
    content = _archived(remittance.statement_csv_sha256)
    filename = f"auskehrung-{remittance.run.number:06d}-{remittance.partner.key}.csv"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- direct payments ------------------------------------------------------------------------------------------


class DirectPaymentIn(Schema):
    kassenzeichen: str = Field(max_length=60, description="Kassenzeichen der Forderung beim Partner")
    amount: str = Field(
        max_length=30, description='beim Partner eingegangener Betrag als Text, z. B. "120.00" oder "120,00"'
    )
    paid_on: dt.date = Field(description="Zahlungseingang beim Partner, JJJJ-MM-TT (nicht in der Zukunft)")
    reason: str = Field("", max_length=300, description="Hinweis des Partners (optional)")


class DirectPaymentsIn(Schema):
    items: list[DirectPaymentIn] = Field(
        min_length=1,
        max_length=DIRECT_PAYMENTS_ITEMS_MAX,
        description=f"1 bis {DIRECT_PAYMENTS_ITEMS_MAX} Direktzahlungen, jede wird für sich verbucht",
    )


class DirectPaymentResultOut(Schema):
    position: int = Field(description="Position in der Anfrage, ab 1")
    kassenzeichen: str
    status: Literal["accepted", "rejected"]
    code: str = Field(description="maschinenlesbar: direct_payment.recorded oder der Grund der Ablehnung")
    message: str = Field(description="deutsche Erläuterung")
    open_cents: int | None = Field(
        description="bei accepted: offener Betrag der Forderung nach der Buchung (Cent), sonst null"
    )
    open_components_cents: dict[str, int] | None = Field(
        description="bei accepted: offener Betrag je Bestandteil nach der Buchung (Cent), sonst null"
    )
    claim_status: str | None = Field(description="bei accepted: Status der Forderung nach der Buchung")


class DirectPaymentsOut(Schema):
    items_total: int
    items_accepted: int
    items_rejected: int
    items: list[DirectPaymentResultOut]


def _rejected(position: int, kassenzeichen: str, code: str, message: str) -> dict[str, Any]:
    return {
        "position": position,
        "kassenzeichen": kassenzeichen,
        "status": "rejected",
        "code": code,
        "message": message,
        "open_cents": None,
        "open_components_cents": None,
        "claim_status": None,
    }


def _record_one(request: HttpRequest, position: int, item: DirectPaymentIn, actor: Any) -> dict[str, Any]:
    try:
        claim = _claim_of(request, item.kassenzeichen)
    except HttpError:
        return _rejected(
            position,
            item.kassenzeichen,
            "claim.not_found",
            f"Forderung {item.kassenzeichen!r} nicht gefunden.",
        )
    try:
        amount = Cents.parse(item.amount)
    except MoneyParseError as exc:
        return _rejected(position, item.kassenzeichen, "direct_payment.amount_invalid", str(exc))
    try:
        # An action of its own (one transaction): a rejected item leaves the others booked.
        claim = do_record_direct_payment(
            claim,
            amount=amount,
            paid_on=item.paid_on,
            reason=item.reason or "Mitteilung des Partners",
            actor=actor,
        )
    except DjangoValidationError as exc:
        return _rejected(
            position, item.kassenzeichen, exc.code or "direct_payment.invalid", " ".join(exc.messages)
        )
    balances = open_components(claim)
    open_total = sum(balances.values(), Cents(0))
    return {
        "position": position,
        "kassenzeichen": claim.kassenzeichen,
        "status": "accepted",
        "code": "direct_payment.recorded",
        "message": f"Direktzahlung von {amount} verbucht; offen sind noch {open_total}.",
        "open_cents": int(open_total),
        "open_components_cents": {str(c): int(a) for c, a in balances.items()},
        "claim_status": claim.status,
    }


@router.post(
    "/direct-payments",
    response={200: DirectPaymentsOut, 401: Error, 403: Error, 422: Error},
    summary="Direktzahlungen melden (bis 1.000 Forderungen)",
    description=(
        "Zahlungen, die der Partner selbst erhalten hat. Jede Position wird für sich verbucht (Tilgung nach "
        "§ 225 Abs. 2 AO): angenommene Positionen bleiben gebucht, auch wenn andere abgelehnt werden. "
        "Eine Anfrage falscher Form (leer, mehr als 1.000 Positionen, Datum nicht JJJJ-MM-TT) wird als "
        "Ganzes mit 422 abgelehnt, bevor etwas gebucht ist. Nur mit dem API-Token eines Partners."
    ),
)
def report_direct_payments(request: HttpRequest, payload: DirectPaymentsIn) -> dict[str, Any]:
    """Payments the partner received itself. Each item is booked on its own: accepted items stay booked even
    when others are rejected; a request of the wrong shape is refused whole (422) before anything is booked."""
    from kofo.api.api import actor_for

    _token(request)
    actor = actor_for(request)
    results = [_record_one(request, i, item, actor) for i, item in enumerate(payload.items, start=1)]
    accepted = sum(1 for r in results if r["status"] == "accepted")
    return {
        "items_total": len(results),
        "items_accepted": accepted,
        "items_rejected": len(results) - accepted,
        "items": results,
    }
