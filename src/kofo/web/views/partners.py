"""Partner list (with htmx live search) and partner detail."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from kofo import limits
from kofo.audit.recording import log_personal_data_access
from kofo.ledger.balances import account_balances, balances_by_partner
from kofo.ledger.models import Account, AccountKind
from kofo.partners.access import access_agreements, access_partners
from kofo.partners.models import ApiToken
from kofo.web import queries, rules
from kofo.web.forms import PartnerSearchForm
from kofo.web.views.common import acting_user, is_htmx, paginate, require

CONTACT_FIELDS = (("contact_name", "Name"), ("contact_email", "E-Mail"), ("contact_phone", "Telefon"))


@require(rules.can_view_partners)
def partner_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PartnerSearchForm(request.GET or None)
    form.fields["q"].widget.attrs.update(
        {
            "hx-get": reverse("web:partner_list"),
            "hx-trigger": "keyup changed delay:300ms, search",
            "hx-target": "#partner-results",
            "hx-push-url": "true",
            "hx-indicator": "#partner-search-loader",
        }
    )
    partners = access_partners(user)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    if query:
        partners = partners.filter(
            Q(name__icontains=query)
            | Q(key__icontains=query)
            | Q(ags__startswith=query)
            | Q(city__icontains=query)
        )
    show_agreements = rules.can_view_agreements(user)
    if show_agreements:
        current = queries.in_force(access_agreements(user)).order_by("-valid_from")
        partners = partners.prefetch_related(
            Prefetch("agreements", queryset=current, to_attr="agreements_in_force")
        )
    page = paginate(request, partners.order_by("name"))
    show_balances = rules.can_view_partner_balances(user)
    if show_balances:
        payables = balances_by_partner(AccountKind.PARTNER_PAYABLE)
        for partner in page.object_list:
            partner.payable = queries.display_balance(
                AccountKind.PARTNER_PAYABLE, int(payables.get(partner.pk, 0))
            )
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query,
        "show_agreements": show_agreements,
        "show_balances": show_balances,
    }
    template = "web/partners/_results.html" if is_htmx(request) else "web/partners/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require(rules.can_view_partners)
def partner_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    # Another partner's key answers 404, exactly like a key that does not exist: keys can't be probed.
    partner = get_object_or_404(access_partners(user), key=key)
    context: dict[str, Any] = {"partner": partner, "today": queries.today()}

    contact = [(label, getattr(partner, field)) for field, label in CONTACT_FIELDS if getattr(partner, field)]
    context["contact"] = contact
    if contact:
        log_personal_data_access(
            actor=acting_user(request),
            subject=partner,
            what="Ansprechperson: " + ", ".join(label for label, _ in contact),
            purpose="Anzeige der Partnerdaten",
            channel="ui",
            path=request.path,
        )

    if rules.can_view_agreements(user):
        agreements = access_agreements(user).filter(partner=partner).order_by("-valid_from")
        history = rules.can_view_agreement_history(user)
        context["agreements"] = [
            (agreement, queries.agreement_history(agreement) if history else None) for agreement in agreements
        ]
        context["show_history"] = history
    if rules.can_view_partner_balances(user):
        # Receivables are one account per claim and component: shown as a total, listed in the ledger.
        own_accounts = Account.objects.filter(partner=partner)
        context["accounts"] = account_balances(own_accounts.exclude(kind=AccountKind.RECEIVABLE)).order_by(
            "code"
        )[: limits.PAGE_SIZE_DEFAULT]
        context["receivable_accounts"] = own_accounts.filter(kind=AccountKind.RECEIVABLE).count()
        context["totals"] = queries.ledger_totals(partner_id=partner.pk)
        context["link_accounts"] = rules.can_view_ledger(user)
    if rules.can_view_tokens(user):
        context["tokens"] = ApiToken.objects.filter(partner=partner).order_by("-created_at")
        context["can_issue_tokens"] = rules.can_issue_tokens(user)
    return render(request, "web/partners/detail.html", context)
