"""Audit trail (Prüfpfad) with chain verification, and the access log of personal data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kofo.audit.chain import verify_chain
from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.web import rules
from kofo.web.forms import AuditFilterForm, DataAccessFilterForm
from kofo.web.views.common import is_htmx, paginate, require


@require(rules.can_view_audit)
def audit_list(request: HttpRequest) -> HttpResponse:
    actions = list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
    form = AuditFilterForm(request.GET or None, actions=actions)
    events = AuditEvent.objects.select_related("partner")
    if form.is_valid():
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["actor"]:
            events = events.filter(actor__icontains=form.cleaned_data["actor"].strip())
    context: dict[str, Any] = {"form": form, "page": paginate(request, events.order_by("-id"))}
    return render(request, "web/audit/list.html", context)


@require_POST
@require(rules.can_view_audit)
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the hash chain (``kofo audit verify``) and report the first broken link, if any."""
    result = verify_chain()
    if is_htmx(request):
        return render(request, "web/audit/_verify_result.html", {"result": result})
    if result.ok:
        messages.success(request, f"Prüfkette intakt: {result.events_checked} Einträge geprüft.")
    else:
        assert result.first_break is not None
        messages.error(
            request,
            f"Prüfkette unterbrochen bei Eintrag {result.first_break.event_id}: {result.first_break.reason}",
        )
    return redirect("web:audit_list")


@require(rules.can_view_data_access)
def data_access_list(request: HttpRequest) -> HttpResponse:
    form = DataAccessFilterForm(request.GET or None)
    entries = PersonalDataAccess.objects.all()
    if form.is_valid():
        if form.cleaned_data["actor"]:
            entries = entries.filter(actor__icontains=form.cleaned_data["actor"].strip())
        if form.cleaned_data["subject"]:
            entries = entries.filter(subject_repr__icontains=form.cleaned_data["subject"].strip())
    context: dict[str, Any] = {"form": form, "page": paginate(request, entries.order_by("-id"))}
    return render(request, "web/audit/data_access.html", context)
