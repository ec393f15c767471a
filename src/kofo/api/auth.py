"""Authentication of API callers: a partner's bearer token, or an office user's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from kofo.partners.models import ApiToken
from kofo.partners.tokens import matches, parse_prefix

# A token's last use is written at most this often (no write on every request).
LAST_USED_RESOLUTION_SECONDS = 300


class PartnerToken(HttpBearer):
    """``Authorization: Bearer kofo_<prefix>_<secret>``. Wrong, unknown or revoked tokens get 401."""

    openapi_description = "API-Token eines Kooperationspartners (wird bei der Ausgabe einmal angezeigt)."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        prefix = parse_prefix(token.strip())
        if prefix is None:
            return None
        row = ApiToken.objects.select_related("partner").filter(prefix=prefix).first()
        if row is None or row.revoked_at is not None or not matches(token.strip(), row.secret_hash):
            return None
        if not row.partner.active:
            return None
        now = timezone.now()
        if (
            row.last_used_at is None
            or (now - row.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            # Bookkeeping of the token itself, not a domain change: no audit event.
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.api_token = row  # type: ignore[attr-defined]
        return row


class OfficeSession(APIKeyCookie):
    """The logged-in user of the web UI (read requests from the browser, e.g. htmx)."""

    param_name = "sessionid"
    openapi_description = "Sitzung eines angemeldeten Benutzers der Oberfläche."

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
