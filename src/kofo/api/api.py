"""The HTTP API, version 1 (django-ninja). The committed contract is docs/openapi.json."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

import kofo
from kofo import limits
from kofo.api.auth import OfficeSession, PartnerToken
from kofo.api.schemas import AgreementOut, Error, Health, PartnerOut, PartnerPage
from kofo.audit.actors import SystemActor
from kofo.partners.access import access_agreements, access_partners
from kofo.partners.models import ApiToken, Partner

api = NinjaAPI(
    title="kofo API",
    version="1",
    description=(
        "Schnittstelle der gemeinsamen Vollstreckungsstelle für Kooperationspartner. "
        "Authentifizierung mit `Authorization: Bearer <API-Token>`; ein Token sieht nur die Daten "
        "seines Partners. Fehler antworten mit `code` (maschinenlesbar) und `message` (deutsch)."
    ),
    urls_namespace="api",
    auth=[PartnerToken(), OfficeSession()],
)


from kofo.api.documents import router as documents_router  # noqa: E402
from kofo.api.intake import router as intake_router  # noqa: E402
from kofo.api.payments import router as payments_router  # noqa: E402

api.add_router("", intake_router)
api.add_router("", payments_router)
api.add_router("", documents_router)


def _error(request: HttpRequest, status: int, code: str, message: str) -> Any:
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: Exception) -> Any:
    return _error(
        request, 401, "auth.invalid", "Nicht angemeldet: API-Token fehlt, ist falsch oder widerrufen."
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> Any:
    return api.create_response(
        request,
        {"code": "request.invalid", "message": "Die Anfrage ist ungültig.", "details": exc.errors},
        status=422,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> Any:
    return _error(request, exc.status_code, getattr(exc, "code", "http.error"), str(exc))


class NotFound(HttpError):
    code = "not_found"

    def __init__(self, message: str) -> None:
        super().__init__(404, message)


def principal(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def actor_for(request: HttpRequest) -> Any:
    auth = principal(request)
    if isinstance(auth, ApiToken):
        return SystemActor(f"api-token:{auth.partner.key}/{auth.name}")
    return auth


@api.get(
    "/health",
    auth=None,
    response={200: Health, 503: Health},
    tags=["Betrieb"],
    summary="Betriebsbereitschaft",
)
def health(request: HttpRequest) -> Status[dict[str, str]]:
    """Answers 200 when the application and its database answer (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "nicht erreichbar"
    status = 200 if database == "ok" else 503
    body = {"status": "ok" if status == 200 else "gestört", "database": database, "version": kofo.__version__}
    return Status(status, body)


def _partner_out(partner: Partner, agreements: list[Any]) -> dict[str, Any]:
    return {
        "key": partner.key,
        "name": partner.name,
        "kind": partner.kind,
        "ags": partner.ags,
        "street": partner.street,
        "postcode": partner.postcode,
        "city": partner.city,
        "iban": partner.iban,
        "active": partner.active,
        "agreements": [AgreementOut.from_orm(a).dict() for a in agreements],
    }


@api.get("/partners", response={200: PartnerPage, 401: Error}, tags=["Partner"], summary="Partner lesen")
def list_partners(
    request: HttpRequest,
    offset: int = Query(0, ge=0),
    limit: int = Query(limits.PAGE_SIZE_DEFAULT, ge=1, le=limits.PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """The partners the caller may see: a partner's token sees only its own partner."""
    partners = access_partners(principal(request)).order_by("key")
    count = partners.count()
    page = list(partners[offset : offset + limit])
    agreements: dict[int, list[Any]] = {}
    for agreement in access_agreements(principal(request)).filter(partner__in=page).order_by("-valid_from"):
        agreements.setdefault(agreement.partner_id, []).append(agreement)
    return {
        "count": count,
        "offset": offset,
        "limit": limit,
        "items": [_partner_out(p, agreements.get(p.pk, [])) for p in page],
    }


@api.get(
    "/partners/{key}",
    response={200: PartnerOut, 401: Error, 404: Error},
    tags=["Partner"],
    summary="Einen Partner lesen",
)
def get_partner(request: HttpRequest, key: str) -> dict[str, Any]:
    partner = access_partners(principal(request)).filter(key=key).first()
    if partner is None:
        # Same answer for "does not exist" and "not yours": no probing of other partners' keys.
        raise NotFound(f"Partner {key!r} nicht gefunden.")
    agreements = list(access_agreements(principal(request)).filter(partner=partner).order_by("-valid_from"))
    return _partner_out(partner, agreements)
