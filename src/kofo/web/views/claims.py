"""Claims (Forderungen): list with search, detail with open amounts, postings and the partner's changes.

The changes (Absetzung, Stundung, Direktzahlung, Erlass, Rücknahme) are actions of ``kofo.cases.actions``; their
German ValidationErrors are shown as form errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kofo.audit.recording import log_personal_data_access
from kofo.cases.access import access_claims
from kofo.cases.actions import (
    do_cancel_claim,
    do_defer_claim,
    do_record_direct_payment,
    do_reduce_claim,
    do_remit_claim,
    do_withdraw_claim,
    open_components,
)
from kofo.cases.models import CLOSED_STATUSES, Claim
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.access import access_partners
from kofo.web import queries, rules
from kofo.web.forms import (
    CLAIM_CHANGE_FORMS,
    ClaimChangeForm,
    ClaimFilterForm,
    ClaimReductionForm,
)
from kofo.web.views.common import acting_user, paginate, require

# The debtor as the partner submitted it: shown on the claim page, so every view is logged.
DEBTOR_FIELDS_SHOWN = "Name, Geburtsname, Geburtsdatum, Anschrift, Schuldnernummer des Partners"


@require(rules.can_view_claims)
def claim_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    choose_partner = rules.partner_of(user) is None
    partners = access_partners(user).order_by("name")
    form = ClaimFilterForm(request.GET or None, partners=partners, choose_partner=choose_partner)
    show_debtor = rules.can_view_debtors(user)
    claims = access_claims(user)
    if show_debtor:
        claims = claims.select_related("debtor_record__debtor")
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        if query:
            claims = claims.filter(kassenzeichen__icontains=query)
        if data["status"]:
            claims = claims.filter(status=data["status"])
        if data.get("partner") is not None:
            claims = claims.filter(partner=data["partner"])
    page = paginate(request, claims.order_by("-received_at", "-id"))
    totals = queries.open_totals([claim.pk for claim in page.object_list])
    for claim in page.object_list:
        claim.open_total = totals[claim.pk]
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query,
        "show_partner": choose_partner,
        "show_debtor": show_debtor,
    }
    return render(request, "web/claims/list.html", context)


def _change_forms(
    claim: Claim, open_amounts: dict[Component, Cents], bound: ClaimChangeForm | None = None
) -> list[ClaimChangeForm]:
    forms: list[ClaimChangeForm] = []
    for kind, form_class in CLAIM_CHANGE_FORMS.items():
        if bound is not None and bound.kind == kind:
            forms.append(bound)
        elif issubclass(form_class, ClaimReductionForm):
            forms.append(form_class(open_amounts=open_amounts))
        else:
            forms.append(form_class())
    return forms


def _detail(request: HttpRequest, claim: Claim, bound: ClaimChangeForm | None = None) -> HttpResponse:
    user = request.user
    open_amounts = open_components(claim)
    record = claim.debtor_record
    log_personal_data_access(
        actor=acting_user(request),
        subject=record,
        what=f"Schuldnerangaben der Forderung {claim.kassenzeichen}: {DEBTOR_FIELDS_SHOWN}",
        purpose="Anzeige der Forderung",
        channel="ui",
        path=request.path,
    )
    can_change = rules.can_change_claims(user) and claim.status not in CLOSED_STATUSES
    context: dict[str, Any] = {
        "claim": claim,
        "record": record,
        "open_amounts": [(component, open_amounts[component]) for component in Component],
        "open_total": sum(open_amounts.values(), Cents(0)),
        "postings": list(queries.claim_postings(claim)),
        "request_items": claim.request_items.select_related("batch").order_by("batch_id", "position"),
        "show_debtor": rules.can_view_debtors(user),
        "link_ledger": rules.can_view_ledger(user),
        "link_agreement": rules.can_view_agreements(user),
        "can_change": can_change,
        "closed": claim.status in CLOSED_STATUSES,
        # A refused change of a claim closed meanwhile still shows its form with the action's message.
        "change_forms": _change_forms(claim, open_amounts, bound)
        if can_change
        else ([bound] if bound else []),
        "open_form": bound.kind if bound is not None else "",
    }
    return render(request, "web/claims/detail.html", context)


def _claim_of(request: HttpRequest, pk: int) -> Claim:
    # Another partner's claim answers 404, exactly like one that does not exist.
    queryset = access_claims(request.user).select_related("agreement", "debtor_record__debtor")
    return get_object_or_404(queryset, pk=pk)


@require(rules.can_view_claims)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _claim_of(request, pk))


@require_POST
@require(rules.can_change_claims)
def claim_change(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    claim = _claim_of(request, pk)
    form_class = CLAIM_CHANGE_FORMS.get(kind)
    if form_class is None:
        raise Http404("Diese Änderungsart gibt es nicht.")
    form: ClaimChangeForm
    if issubclass(form_class, ClaimReductionForm):
        form = form_class(request.POST, open_amounts=open_components(claim))
    else:
        form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        actor = acting_user(request)
        try:
            if kind == "absetzung":
                component = Component(data["component"])
                do_reduce_claim(
                    claim, amount=data["amount"], component=component, reason=data["reason"], actor=actor
                )
                done = f"{data['amount']} ({component.label}) abgesetzt"
            elif kind == "absetzung-ganz":
                do_cancel_claim(claim, reason=data["reason"], actor=actor)
                done = "ganz abgesetzt"
            elif kind == "stundung":
                do_defer_claim(claim, until=data["until"], reason=data["reason"], actor=actor)
                done = f"gestundet bis {data['until']:%d.%m.%Y}"
            elif kind == "erlass":
                component = Component(data["component"])
                do_remit_claim(
                    claim, amount=data["amount"], component=component, reason=data["reason"], actor=actor
                )
                done = (
                    "ganz erlassen"
                    if data["amount"] is None
                    else f"{data['amount']} ({component.label}) erlassen"
                )
            elif kind == "direktzahlung":
                do_record_direct_payment(claim, amount=data["amount"], paid_on=data["paid_on"], actor=actor)
                done = f"um die Direktzahlung von {data['amount']} vermindert"
            else:
                do_withdraw_claim(claim, reason=data["reason"], actor=actor)
                done = "zurückgenommen"
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Forderung {claim.kassenzeichen}: {done}.")
            return redirect("web:claim_detail", pk=claim.pk)
    claim.refresh_from_db()
    return _detail(request, claim, bound=form)
