"""Agreements (Kooperationsvereinbarungen, § 29 Abs. 3a SVwVG): list and detail with history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kofo.partners.access import access_agreements
from kofo.web import queries, rules
from kofo.web.views.common import paginate, require

SCOPES = {
    "in_kraft": "in Kraft",
    "alle": "alle",
}


@require(rules.can_view_agreements)
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = access_agreements(request.user).select_related("partner")
    scope = request.GET.get("umfang", "alle")
    if scope not in SCOPES:
        scope = "alle"
    if scope == "in_kraft":
        agreements = queries.in_force(agreements)
    page = paginate(request, agreements.order_by("partner__name", "-valid_from"))
    context: dict[str, Any] = {"page": page, "scope": scope, "scopes": SCOPES, "today": queries.today()}
    return render(request, "web/agreements/list.html", context)


@require(rules.can_view_agreements)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(access_agreements(request.user), pk=pk)
    history = rules.can_view_agreement_history(request.user)
    context: dict[str, Any] = {
        "agreement": agreement,
        "history": queries.agreement_history(agreement) if history else None,
        "show_history": history,
        "today": queries.today(),
    }
    return render(request, "web/agreements/detail.html", context)
