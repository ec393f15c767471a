"""Property tests of the ledger: for any sequence of balanced bookings and reversals, money is conserved.

Hypothesis generates bookings over a small chart of accounts (office, two partners, a claim's receivables),
with random value and booking dates, and reverses a random subset. Each example runs in a savepoint that is
rolled back, so examples do not see each other's bookings. Proven on SQLite and PostgreSQL (where the
deferred balance trigger is also fired at the end of each example).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kofo.audit.chain import verify_chain
from kofo.ledger.accounts import office_account, partner_account, receivable_account
from kofo.ledger.actions import credit, debit, do_post_transaction, do_reverse_transaction
from kofo.ledger.balances import balance, balances_by_partner, trial_balance
from kofo.ledger.models import Account, AccountKind, Component
from kofo.money import Cents
from tests import factories
from tests.factories import TEST_ACTOR

N_ACCOUNTS = 7
DAY_0 = dt.date(2025, 1, 1)

# ~50 examples keep both databases under a few seconds (each booking is about eight round trips).
PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# A leg moves an amount from one account (credit) to another (debit); a booking has 1-3 legs, so it
# always has >= 2 non-zero postings summing to zero (legs may even touch the same account twice).
leg = st.tuples(
    st.integers(0, N_ACCOUNTS - 1),
    st.integers(0, N_ACCOUNTS - 1),
    st.integers(min_value=1, max_value=10**9),
)
booking = st.fixed_dictionaries(
    {
        "legs": st.lists(leg, min_size=1, max_size=3),
        "value_day": st.integers(0, 60),
        "booking_lag": st.integers(0, 5),
        # None: not reversed; otherwise the reversal's value date, days after the original's.
        "reversed_after": st.none() | st.integers(0, 30),
    }
)
bookings = st.lists(booking, min_size=1, max_size=6)


@pytest.fixture
def chart(db: Any) -> list[Account]:
    """The accounts, opened once per test; every example's bookings are rolled back, so each starts at zero."""
    a, b = factories.make_partner(), factories.make_partner()
    return [
        office_account(AccountKind.BANK),
        office_account(AccountKind.FEE_INCOME),
        office_account(AccountKind.SUSPENSE),
        partner_account(a, AccountKind.PARTNER_PAYABLE),
        partner_account(a, AccountKind.PARTNER_CLAIMS),
        receivable_account(a, a, Component.PRINCIPAL),
        partner_account(b, AccountKind.PARTNER_PAYABLE),
    ]


def _fire_deferred_balance_check() -> None:
    """PostgreSQL: run the deferred balance trigger now (the example is rolled back, never committed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _lines(legs: list[tuple[int, int, int]], accounts: list[Account]) -> list[Any]:
    lines = []
    for source, target, amount in legs:
        lines.append(debit(accounts[target], Cents(amount)))
        lines.append(credit(accounts[source], Cents(amount)))
    return lines


class _Rollback(Exception):
    pass


def _in_rolled_back_savepoint(check: Any) -> None:
    try:
        with transaction.atomic():
            check()
            raise _Rollback
    except _Rollback:
        pass


@PROPERTY_SETTINGS
@given(generated=bookings)
def test_money_is_conserved_and_balances_are_sums_of_the_generated_amounts(
    chart: list[Account], generated: list[dict[str, Any]]
) -> None:
    """Trial balance zero; each account's balance is the sum of its generated amounts, at every value date."""

    def check() -> None:
        accounts = chart
        expected: dict[int, list[tuple[dt.date, int]]] = defaultdict(
            list
        )  # account index -> (value date, amount)
        for item in generated:
            value_date = DAY_0 + dt.timedelta(days=item["value_day"])
            txn = do_post_transaction(
                _lines(item["legs"], accounts),
                reason_code="test.property",
                description="Eigenschaftstest",
                value_date=value_date,
                booking_date=value_date + dt.timedelta(days=item["booking_lag"]),
                actor=TEST_ACTOR,
            )
            for source, target, amount in item["legs"]:
                expected[target].append((value_date, amount))
                expected[source].append((value_date, -amount))
            if item["reversed_after"] is not None:
                reversal_date = value_date + dt.timedelta(days=item["reversed_after"])
                do_reverse_transaction(txn, reason="Test", actor=TEST_ACTOR, value_date=reversal_date)
                for source, target, amount in item["legs"]:
                    expected[target].append((reversal_date, -amount))
                    expected[source].append((reversal_date, amount))

        assert trial_balance() == 0
        assert sum(balance(account) for account in accounts) == 0
        for index, account in enumerate(accounts):
            assert balance(account) == Cents(sum(amount for _, amount in expected[index]))
        # As of dates: before anything, in the middle, and after everything.
        for day in (-1, 20, 45):
            as_of = DAY_0 + dt.timedelta(days=day)
            assert trial_balance(as_of=as_of) == 0
            for index, account in enumerate(accounts):
                assert balance(account, as_of=as_of) == Cents(
                    sum(amount for date, amount in expected[index] if date <= as_of)
                )
        # The partner view is the same sums, grouped by the accounts' partner.
        payable = balances_by_partner(AccountKind.PARTNER_PAYABLE)
        expected_payable = {
            accounts[i].partner_id: Cents(sum(a for _, a in expected[i])) for i in (3, 6) if expected[i]
        }
        assert payable == expected_payable
        _fire_deferred_balance_check()
        assert verify_chain().ok

    _in_rolled_back_savepoint(check)


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(generated=bookings)
def test_reversing_everything_returns_every_account_to_zero(
    chart: list[Account], generated: list[dict[str, Any]]
) -> None:
    """Storno of every booking (in any order, on any later date) leaves every account at zero."""

    def check() -> None:
        accounts = chart
        posted = [
            do_post_transaction(
                _lines(item["legs"], accounts),
                reason_code="test.property",
                description="Eigenschaftstest",
                value_date=DAY_0 + dt.timedelta(days=item["value_day"]),
                actor=TEST_ACTOR,
            )
            for item in generated
        ]
        # Reverse newest first, with a value date after every original.
        for txn in reversed(posted):
            do_reverse_transaction(
                txn, reason="Alles zurück", actor=TEST_ACTOR, value_date=DAY_0 + dt.timedelta(90)
            )
        for account in accounts:
            assert balance(account) == 0
        assert trial_balance() == 0
        _fire_deferred_balance_check()

    _in_rolled_back_savepoint(check)


@pytest.mark.parametrize("seed_amount", [1, 10**12])
def test_extreme_amounts_are_conserved(chart: list[Account], seed_amount: int) -> None:
    """Very small and very large amounts (BigInteger) are stored and summed without loss."""
    accounts = chart
    txn = do_post_transaction(
        [debit(accounts[0], Cents(seed_amount)), credit(accounts[3], Cents(seed_amount))],
        reason_code="test.property",
        description="Grenzwert",
        actor=TEST_ACTOR,
    )
    assert balance(accounts[0]) == Cents(seed_amount)
    do_reverse_transaction(txn, reason="Test", actor=TEST_ACTOR)
    assert balance(accounts[0]) == 0
    assert trial_balance() == 0
