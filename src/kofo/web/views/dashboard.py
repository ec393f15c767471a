"""The dashboard (Übersicht): real figures from the database, per role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kofo.audit.models import AuditEvent
from kofo.cases.access import access_claims
from kofo.debtors.models import LinkReview, ReviewStatus
from kofo.intake.access import access_import_batches
from kofo.partners.access import access_agreements, access_partners
from kofo.web import queries, rules

LATEST_EVENTS = 10
LATEST_BATCHES = 5


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = rules.partner_of(user)
    context: dict[str, Any] = {"today": queries.today(), "own_partner": own}
    if own is not None:
        if rules.can_view_partners(user):
            agreements = access_agreements(user)
            context.update(
                partner=own,
                agreements_in_force=list(queries.in_force(agreements).order_by("-valid_from")),
                totals=queries.ledger_totals(partner_id=own.pk),
            )
        if rules.can_view_batches(user):
            context["batches"] = list(access_import_batches(user).order_by("-id")[:LATEST_BATCHES])
            context["can_upload"] = rules.can_upload_batches(user)
        if rules.can_view_claims(user):
            context["claims"] = queries.claim_figures(access_claims(user), partner_id=own.pk)
        return render(request, "web/dashboard_partner.html", context)

    partners = access_partners(user)
    if rules.can_view_partners(user):
        by_kind = queries.active_partners_by_kind(partners)
        context.update(
            partner_counts=by_kind,
            partners_active=sum(row.count for row in by_kind),
            partners_inactive=partners.filter(active=False).count(),
        )
    if rules.can_view_agreements(user):
        context["agreements"] = queries.agreement_figures(access_agreements(user))
    if rules.can_view_ledger(user):
        context["totals"] = queries.ledger_totals()
        context["ledger_check"] = queries.ledger_check()
    if rules.can_view_claims(user):
        context["claims"] = queries.claim_figures(access_claims(user))
    if rules.can_view_reviews(user):
        context["open_reviews"] = LinkReview.objects.filter(status=ReviewStatus.OPEN).count()
    if rules.can_view_batches(user):
        context["batches"] = list(access_import_batches(user).order_by("-id")[:LATEST_BATCHES])
    if rules.can_view_audit(user):
        context["events"] = list(AuditEvent.objects.select_related("partner").order_by("-id")[:LATEST_EVENTS])
    return render(request, "web/dashboard.html", context)
