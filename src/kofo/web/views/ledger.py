"""The ledger (Hauptbuch), read-only: accounts with balances, account statements, transactions."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, Sum, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kofo.ledger.balances import account_balances, balance
from kofo.ledger.models import Account, Posting, Transaction
from kofo.money import Cents
from kofo.partners.access import access_partners
from kofo.web import queries, rules
from kofo.web.forms import LedgerFilterForm
from kofo.web.views.common import paginate, require


@require(rules.can_view_ledger)
def account_list(request: HttpRequest) -> HttpResponse:
    partners = access_partners(request.user).order_by("name")
    form = LedgerFilterForm(request.GET or None, partners=partners)
    accounts = Account.objects.select_related("partner")
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            accounts = accounts.filter(kind=data["kind"])
        if data["partner"] is not None:
            accounts = accounts.filter(partner=data["partner"])
        if data["q"]:
            accounts = accounts.filter(Q(code__icontains=data["q"]) | Q(name__icontains=data["q"]))
    total = Cents(
        int(Posting.objects.filter(account__in=accounts).aggregate(t=Sum("amount_cents"))["t"] or 0)
    )
    page = paginate(request, account_balances(accounts).order_by("code"))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "total": total,
        "ledger_check": queries.ledger_check(),
    }
    return render(request, "web/ledger/accounts.html", context)


@require(rules.can_view_ledger)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("partner"), pk=pk)
    # Newest first; the running balance after each posting is a window sum in booking order.
    postings = (
        Posting.objects.filter(account=account)
        .select_related("transaction")
        .annotate(running_cents=Window(Sum("amount_cents"), order_by=F("id").asc()))
        .order_by("-id")
    )
    context: dict[str, Any] = {
        "account": account,
        "balance": balance(account),
        "display_balance": queries.display_balance(account.kind, int(balance(account))),
        "page": paginate(request, postings),
    }
    return render(request, "web/ledger/account.html", context)


@require(rules.can_view_ledger)
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transaction = get_object_or_404(Transaction.objects.select_related("reverses"), pk=pk)
    postings = list(transaction.postings.select_related("account", "account__partner").order_by("id"))
    context: dict[str, Any] = {
        "transaction": transaction,
        "postings": postings,
        "reversed_by": Transaction.objects.filter(reverses=transaction).first(),
        "debit_total": Cents(sum(p.amount_cents for p in postings if p.amount_cents > 0)),
    }
    return render(request, "web/ledger/transaction.html", context)
