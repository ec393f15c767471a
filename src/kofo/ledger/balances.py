"""Balances derived from postings (never stored): by account, claim component, partner, as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Q, QuerySet, Sum

from kofo.ledger.models import Account, AccountKind, Component, Posting
from kofo.money import Cents

DateBasis = Literal["value", "booking"]


def _postings(as_of: dt.date | None, basis: DateBasis) -> QuerySet[Posting]:
    qs = Posting.objects.all()
    if as_of is not None:
        field = "transaction__value_date" if basis == "value" else "transaction__booking_date"
        qs = qs.filter(**{f"{field}__lte": as_of})
    return qs


def _sum(qs: QuerySet[Posting]) -> Cents:
    return Cents(int(qs.aggregate(total=Sum("amount_cents"))["total"] or 0))


def balance(account: Account, *, as_of: dt.date | None = None, basis: DateBasis = "value") -> Cents:
    """Debit-positive balance of one account, optionally as of a value (or booking) date."""
    return _sum(_postings(as_of, basis).filter(account=account))


def component_balances(
    subject_type: str, subject_id: str | int, *, as_of: dt.date | None = None, basis: DateBasis = "value"
) -> dict[Component, Cents]:
    """Open amount of each component of one claim (its receivable sub-accounts)."""
    # Two index lookups instead of one join: the sub-accounts by subject, then their postings by account.
    # (Joined, SQLite without statistics may walk every receivable of the office.)
    accounts = dict(
        Account.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).values_list(
            "id", "component"
        )
    )
    result = {component: Cents(0) for component in Component}
    if not accounts:
        return result
    rows = (
        _postings(as_of, basis)
        .filter(account_id__in=list(accounts))
        .values("account_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    for row in rows:
        component = Component(accounts[row["account_id"]])
        result[component] = result[component] + Cents(int(row["total"]))
    return result


def subjects_balances(
    subject_type: str, subject_ids: list[int], *, as_of: dt.date | None = None
) -> dict[int, dict[Component, Cents]]:
    """Open amount per component of many subjects (claims, or files for the office's own items) in one query.

    The same sums as :func:`component_balances`, grouped by subject instead of one query per subject.
    """
    result = {pk: {component: Cents(0) for component in Component} for pk in subject_ids}
    rows = (
        _postings(as_of, "value")
        .filter(
            account__kind=AccountKind.RECEIVABLE,
            account__subject_type=subject_type,
            account__subject_id__in=[str(pk) for pk in subject_ids],
        )
        .values("account__subject_id", "account__component")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    for row in rows:
        result[int(row["account__subject_id"])][Component(row["account__component"])] = Cents(
            int(row["total"])
        )
    return result


def partner_balance(
    partner_id: int, kind: AccountKind, *, as_of: dt.date | None = None, basis: DateBasis = "value"
) -> Cents:
    return _sum(_postings(as_of, basis).filter(account__partner_id=partner_id, account__kind=kind))


def balances_by_partner(
    kind: AccountKind, *, as_of: dt.date | None = None, basis: DateBasis = "value"
) -> dict[int, Cents]:
    rows = (
        _postings(as_of, basis)
        .filter(account__kind=kind, account__partner__isnull=False)
        .values("account__partner_id")
        .annotate(total=Sum("amount_cents"))
    )
    return {int(row["account__partner_id"]): Cents(int(row["total"])) for row in rows}


def totals_by_kind(
    *, as_of: dt.date | None = None, basis: DateBasis = "value", partner_id: int | None = None
) -> dict[AccountKind, Cents]:
    qs = _postings(as_of, basis)
    if partner_id is not None:
        qs = qs.filter(account__partner_id=partner_id)
    rows = qs.values("account__kind").annotate(total=Sum("amount_cents"))
    result = {kind: Cents(0) for kind in AccountKind}
    for row in rows:
        result[AccountKind(row["account__kind"])] = Cents(int(row["total"]))
    return result


def account_balances(
    accounts: QuerySet[Account], *, as_of: dt.date | None = None, basis: DateBasis = "value"
) -> QuerySet[Account]:
    """Accounts annotated with ``balance_cents`` in one query (for lists)."""
    condition = Q()
    if as_of is not None:
        field = (
            "postings__transaction__value_date" if basis == "value" else "postings__transaction__booking_date"
        )
        condition = Q(**{f"{field}__lte": as_of})
    return accounts.annotate(balance_cents=Sum("postings__amount_cents", filter=condition))


def trial_balance(*, as_of: dt.date | None = None) -> Cents:
    """Sum over all postings: zero in a sound ledger."""
    return _sum(_postings(as_of, "value"))
