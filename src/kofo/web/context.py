"""Template context: office name, the user's roles and the navigation for the user's permissions.

Everything that needs the database is computed lazily (callables are called by the template engine
on first use, ``functools.cache`` keeps the result for the rest of the request), so pages that don't
show the frame, like the Django admin, pay nothing for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from django.http import HttpRequest
from django.urls import reverse

import kofo
from kofo.partners.access import roles_of
from kofo.partners.models import Office
from kofo.web import rules

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"


class NavItem(TypedDict):
    label: str
    url: str
    active: bool


@functools.cache
def vendored_versions() -> dict[str, str]:
    """Versions of the vendored front-end packages, read from their VERSION files."""
    versions: dict[str, str] = {}
    for folder, key in (("kern-ux", "kern"), ("htmx", "htmx")):
        try:
            text = (VENDOR_DIR / folder / "VERSION").read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("version:"):
                versions[key] = line.split(":", 1)[1].strip()
    return versions


def office_name() -> str:
    office = Office.current()
    return office.name if office is not None else "kofo"


def nav_items_for(request: HttpRequest) -> list[NavItem]:
    """The main navigation: one entry per page the user may open, the current one marked active."""
    user = request.user
    if not user.is_authenticated:
        return []
    entries: list[tuple[str, str, str]] = [("Übersicht", reverse("web:dashboard"), "exact")]
    if rules.can_use_worklist(user):
        entries.append(("Arbeitsliste", reverse("web:worklist"), "prefix"))
    if rules.can_view_partners(user):
        own = rules.partner_of(user)
        url = reverse("web:partner_detail", args=[own.key]) if own else reverse("web:partner_list")
        entries.append(("Partner", url, reverse("web:partner_list")))
    if rules.can_view_agreements(user):
        entries.append(("Vereinbarungen", reverse("web:agreement_list"), "prefix"))
    if rules.can_view_batches(user):
        entries.append(("Ersuchen", reverse("web:batch_list"), "prefix"))
    if rules.can_view_claims(user):
        entries.append(("Forderungen", reverse("web:claim_list"), "prefix"))
    if rules.can_view_cases(user):
        entries.append(("Akten", reverse("web:case_list"), "prefix"))
    if rules.can_view_documents(user):
        entries.append(("Schriftstücke", reverse("web:document_list"), "prefix"))
    if rules.can_view_debtors(user):
        entries.append(("Schuldner", reverse("web:debtor_list"), "prefix"))
    if rules.can_view_reviews(user):
        entries.append(("Prüffälle", reverse("web:review_list"), "prefix"))
    if rules.can_use_calculators(user):
        entries.append(("Rechner", reverse("web:calculators"), "prefix"))
    if rules.can_view_ledger(user):
        entries.append(("Hauptbuch", reverse("web:ledger"), "prefix"))
    from kofo.web.views.payments import can_view_payments  # the payments pages keep their own rule

    if can_view_payments(user):
        entries.append(("Zahlungsverkehr", reverse("web:payments"), "prefix"))
    if rules.can_view_audit(user):
        entries.append(("Prüfpfad", reverse("web:audit_list"), "prefix"))
    if rules.can_view_data_access(user):
        entries.append(("Datenzugriffe", reverse("web:data_access_list"), "prefix"))
    if rules.can_view_tokens(user):
        entries.append(("API-Tokens", reverse("web:token_list"), "prefix"))
    if rules.can_use_admin(user):
        entries.append(("Stammdaten", reverse("admin:index"), "prefix"))
    entries.append(("Passwort ändern", reverse("password_change"), "prefix"))

    # The most specific section wins: /schuldner/pruefung/ is "Prüffälle", not also "Schuldner".
    path = request.path
    best, best_length = -1, -1
    for index, (_label, url, match) in enumerate(entries):
        if match == "exact":
            hit, length = path == url, len(url)
        else:
            section = url if match == "prefix" else match
            hit, length = path.startswith(section), len(section)
        if hit and length > best_length:
            best, best_length = index, length
    return [
        {"label": label, "url": url, "active": index == best}
        for index, (label, url, _match) in enumerate(entries)
    ]


def _lazy(func: Callable[[], Any]) -> Callable[[], Any]:
    return functools.cache(func)


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": _lazy(lambda: nav_items_for(request)),
        "kofo_office_name": _lazy(office_name),
        "kofo_user_roles": _lazy(lambda: ", ".join(role.value for role in roles_of(request.user))),
        "kofo_version": kofo.__version__,
        "kofo_vendored": vendored_versions(),
    }
