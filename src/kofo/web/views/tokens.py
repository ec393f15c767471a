"""API tokens of the partners: list, issue (secret shown once), revoke. Administration only; Prüfung reads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kofo.partners.access import access_partners
from kofo.partners.actions import do_issue_api_token, do_revoke_api_token
from kofo.partners.models import ApiToken
from kofo.web import rules
from kofo.web.forms import TokenIssueForm
from kofo.web.views.common import acting_user, paginate, require


@require(rules.can_view_tokens)
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(partner__in=access_partners(request.user)).select_related("partner")
    show = request.GET.get("anzeigen", "aktiv")
    if show == "aktiv":
        tokens = tokens.filter(revoked_at__isnull=True)
    else:
        show = "alle"
    context: dict[str, Any] = {
        "page": paginate(request, tokens.order_by("partner__name", "-created_at")),
        "show": show,
        "can_issue": rules.can_issue_tokens(request.user),
        "can_revoke": rules.can_revoke_tokens(request.user),
    }
    return render(request, "web/tokens/list.html", context)


@never_cache
@require(rules.can_issue_tokens)
def token_issue(request: HttpRequest) -> HttpResponse:
    partners = access_partners(request.user).filter(active=True).order_by("name")
    if request.method == "POST":
        form = TokenIssueForm(request.POST, partners=partners)
        if form.is_valid():
            try:
                token, secret = do_issue_api_token(
                    form.cleaned_data["partner"], name=form.cleaned_data["name"], actor=acting_user(request)
                )
            except ValidationError as exc:
                form.add_error("name", exc)
            else:
                # The secret lives only in this one response: not in a message, the session or a log.
                response = render(request, "web/tokens/issued.html", {"token": token, "secret": secret})
                response["Cache-Control"] = "no-store"
                return response
    else:
        form = TokenIssueForm(initial={"partner": request.GET.get("partner")}, partners=partners)
    return render(request, "web/tokens/issue.html", {"form": form})


@require_POST
@require(rules.can_revoke_tokens)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(partner__in=access_partners(request.user)), pk=pk)
    if token.revoked_at is not None:
        messages.info(request, f"Das Token „{token.name}“ ({token.prefix}…) war bereits widerrufen.")
    else:
        do_revoke_api_token(token, actor=acting_user(request))
        messages.success(
            request, f"Das Token „{token.name}“ ({token.prefix}…) von {token.partner.name} wurde widerrufen."
        )
    return redirect("web:token_list")
