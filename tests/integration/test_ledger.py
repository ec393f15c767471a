"""The ledger (rules of the house, no. 4): double entry, append-only, balances derived from postings.

Proves on SQLite and PostgreSQL: every transaction balances (anything else is refused with a code and a
German message, and nothing is written), a reversal restores every affected balance and cannot be
repeated, posted rows cannot be edited or deleted (in code and by the database's triggers), the balance
queries (account, claim component, partner, as of value date and booking date) are sums of postings, and
each posting action writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InternalError, connection, models, transaction

from kofo import limits
from kofo.audit.appendonly import AppendOnlyError
from kofo.audit.models import AuditEvent
from kofo.ledger import actions as ledger_actions
from kofo.ledger.accounts import office_account, partner_account, receivable_account
from kofo.ledger.actions import Line, credit, debit, do_post_transaction, do_reverse_transaction
from kofo.ledger.balances import (
    account_balances,
    balance,
    balances_by_partner,
    component_balances,
    partner_balance,
    totals_by_kind,
    trial_balance,
)
from kofo.ledger.errors import (
    AlreadyReversedError,
    LedgerError,
    TooFewPostingsError,
    UnbalancedTransactionError,
)
from kofo.ledger.models import Account, AccountKind, Component, Posting, Transaction
from kofo.money import Cents
from tests import factories
from tests.factories import TEST_ACTOR

DB_ERRORS = (IntegrityError, InternalError, DatabaseError)

JAN_10 = dt.date(2025, 1, 10)
JAN_12 = dt.date(2025, 1, 12)
FEB_01 = dt.date(2025, 2, 1)
FEB_05 = dt.date(2025, 2, 5)
MAR_01 = dt.date(2025, 3, 1)


# --- helpers --------------------------------------------------------------------------------------------


def _counts() -> tuple[int, int, int]:
    return Transaction.objects.count(), Posting.objects.count(), AuditEvent.objects.count()


def _post(lines: list[Line], **kwargs: Any) -> Transaction:
    kwargs.setdefault("reason_code", "test.booking")
    kwargs.setdefault("description", "Testbuchung")
    return do_post_transaction(lines, actor=TEST_ACTOR, **kwargs)


@contextmanager
def _refused_by_database(*fragments: str) -> Iterator[None]:
    """Expect the database to refuse the statement(s) inside; the savepoint keeps the test transaction usable."""
    with pytest.raises(DB_ERRORS) as excinfo, transaction.atomic():
        yield
    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message, message


def _all_balances() -> dict[str, Cents]:
    return {account.code: balance(account) for account in Account.objects.all()}


@pytest.fixture
def bank(db: Any) -> Account:
    return office_account(AccountKind.BANK)


@pytest.fixture
def fee_income(db: Any) -> Account:
    return office_account(AccountKind.FEE_INCOME)


@pytest.fixture
def payable(partner: Any) -> Account:
    return partner_account(partner, AccountKind.PARTNER_PAYABLE)


@pytest.fixture
def posted(bank: Account, payable: Account) -> Transaction:
    return _post([debit(bank, Cents(12_345)), credit(payable, Cents(12_345))], value_date=JAN_10)


# --- every transaction balances --------------------------------------------------------------------------


REFUSED_LINES: list[Any] = [
    pytest.param(
        lambda a, b, c: [], TooFewPostingsError, "ledger.too_few_postings", "mindestens zwei", id="no-line"
    ),
    pytest.param(
        lambda a, b, c: [debit(a, Cents(100))],
        TooFewPostingsError,
        "ledger.too_few_postings",
        "mindestens zwei",
        id="single-posting",
    ),
    pytest.param(
        lambda a, b, c: [debit(a, Cents(100)), credit(b, Cents(0))],
        TooFewPostingsError,
        "ledger.too_few_postings",
        "mindestens zwei",
        id="second-line-zero",
    ),
    pytest.param(
        lambda a, b, c: [debit(a, Cents(100)), credit(b, Cents(99))],
        UnbalancedTransactionError,
        "ledger.unbalanced",
        "nicht ausgeglichen: Soll und Haben unterscheiden sich um 0,01 EUR",
        id="off-by-one-cent",
    ),
    pytest.param(
        lambda a, b, c: [debit(a, Cents(100)), debit(b, Cents(100))],
        UnbalancedTransactionError,
        "ledger.unbalanced",
        "2,00 EUR",
        id="two-debits",
    ),
    pytest.param(
        lambda a, b, c: [debit(a, Cents(500_00)), credit(b, Cents(400_00)), credit(c, Cents(99_99))],
        UnbalancedTransactionError,
        "ledger.unbalanced",
        "0,01 EUR",
        id="three-lines-short",
    ),
    pytest.param(
        lambda a, b, c: (
            [debit(a, Cents(1)) for _ in range(limits.POSTINGS_PER_TRANSACTION_MAX)]
            + [credit(b, Cents(limits.POSTINGS_PER_TRANSACTION_MAX))]
        ),
        TooFewPostingsError,
        "ledger.too_many_postings",
        f"höchstens {limits.POSTINGS_PER_TRANSACTION_MAX} Zeilen",
        id="over-posting-limit",
    ),
]


@pytest.mark.parametrize(("make_lines", "error", "code", "message"), REFUSED_LINES)
def test_unbalanced_or_too_small_transaction_is_refused_and_nothing_written(
    bank: Account,
    payable: Account,
    fee_income: Account,
    make_lines: Callable[..., list[Line]],
    error: type[LedgerError],
    code: str,
    message: str,
) -> None:
    """§ rule 4: a transaction needs >= 2 non-zero postings summing to zero; otherwise a coded German refusal."""
    before = _counts()
    with pytest.raises(error) as excinfo:
        _post(make_lines(bank, payable, fee_income))
    assert excinfo.value.code == code
    assert message in excinfo.value.message
    assert _counts() == before


def test_posting_at_the_limit_is_accepted(bank: Account, payable: Account) -> None:
    """The posting limit is inclusive: exactly POSTINGS_PER_TRANSACTION_MAX lines are one booking."""
    n = limits.POSTINGS_PER_TRANSACTION_MAX
    txn = _post([debit(bank, Cents(1)) for _ in range(n - 1)] + [credit(payable, Cents(n - 1))])
    assert txn.postings.count() == n
    assert balance(bank) == Cents(n - 1)


def test_amounts_must_be_cents_not_plain_int(bank: Account, payable: Account) -> None:
    """Money is Cents (rule 3): a plain int amount is refused before anything is written."""
    before = _counts()
    with pytest.raises(TypeError, match="Cents"):
        _post([Line(bank, 100), Line(payable, -100)])  # type: ignore[arg-type]
    assert _counts() == before


def test_invalid_reason_code_is_refused_and_nothing_written(bank: Account, payable: Account) -> None:
    """The reason code is a dotted machine code; free text is refused with a German message."""
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        _post([debit(bank, Cents(100)), credit(payable, Cents(100))], reason_code="Zahlung eingegangen")
    assert excinfo.value.error_dict["reason_code"][0].code == "ledger.reason_code_invalid"
    assert _counts() == before


@pytest.mark.parametrize("actor", [None, "missing"])
def test_posting_without_actor_is_refused(bank: Account, payable: Account, actor: Any) -> None:
    """Rule 2: every action names its actor; no actor, no booking."""
    kwargs: dict[str, Any] = {} if actor == "missing" else {"actor": None}
    before = _counts()
    with pytest.raises(TypeError, match="actor"):
        do_post_transaction(
            [debit(bank, Cents(100)), credit(payable, Cents(100))],
            reason_code="test.x",
            description="x",
            **kwargs,
        )
    assert _counts() == before


def test_balanced_transaction_is_stored_with_dates_link_and_signs(
    bank: Account, payable: Account, fee_income: Account, partner: Any
) -> None:
    """A balanced booking is stored as given: postings debit-positive/credit-negative, both dates, the link."""
    agreement = factories.make_agreement(partner)
    txn = _post(
        [debit(bank, Cents(10_000)), credit(payable, Cents(9_000)), credit(fee_income, Cents(1_000))],
        reason_code="payment.allocation",
        description="Zahlung Kassenzeichen 4711",
        value_date=JAN_10,
        booking_date=JAN_12,
        obj=agreement,
    )
    txn.refresh_from_db()
    assert (txn.value_date, txn.booking_date) == (JAN_10, JAN_12)
    assert (txn.object_type, txn.object_id) == ("partners.agreement", str(agreement.pk))
    assert txn.created_by == TEST_ACTOR.name
    amounts = {p.account.code: p.amount for p in txn.postings.select_related("account")}
    assert amounts == {bank.code: Cents(10_000), payable.code: Cents(-9_000), fee_income.code: Cents(-1_000)}
    assert sum(amounts.values()) == 0


def test_zero_lines_are_dropped_not_stored(bank: Account, payable: Account, fee_income: Account) -> None:
    """A zero line carries nothing: it is left out (the database forbids zero postings)."""
    txn = _post([debit(bank, Cents(100)), credit(fee_income, Cents(0)), credit(payable, Cents(100))])
    assert sorted(p.amount_cents for p in txn.postings.all()) == [-100, 100]


def test_value_date_defaults_to_booking_date(bank: Account, payable: Account) -> None:
    """Without a value date the booking's value date is its booking date."""
    txn = _post([debit(bank, Cents(100)), credit(payable, Cents(100))], booking_date=FEB_05)
    assert txn.value_date == FEB_05


def _raw_transaction(cursor: Any) -> int:
    cursor.execute(
        "INSERT INTO ledger_transaction (booking_date, value_date, reason_code, description, object_type, "
        "object_id, reverses_id, created_at, created_by) "
        "VALUES (%s, %s, 'test.raw', 'roh eingefügt', '', '', NULL, %s, 'sql') RETURNING id",
        [JAN_10, JAN_10, dt.datetime(2025, 1, 10, tzinfo=dt.UTC)],
    )
    return int(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("amounts", "fragment"),
    [
        pytest.param([100, -99], "nicht ausgeglichen", id="unbalanced"),
        pytest.param([100], "mindestens zwei", id="single-posting"),
        pytest.param([], "mindestens zwei", id="no-posting"),
    ],
)
def test_database_refuses_unbalanced_rows_written_by_raw_sql(
    bank: Account, payable: Account, amounts: list[int], fragment: str
) -> None:
    """PostgreSQL: the deferred constraint trigger refuses an unbalanced booking whoever writes it.

    SQLite has no such trigger; there the refusal is the code's (``do_post_transaction``), proven for the
    same shapes of booking.
    """
    if connection.vendor != "postgresql":
        with pytest.raises(LedgerError):
            _post([Line(acc, Cents(a)) for acc, a in zip([bank, payable], amounts, strict=False)])
        return
    accounts = [bank, payable]
    with _refused_by_database(fragment), connection.cursor() as cursor:
        txn_id = _raw_transaction(cursor)
        for account, amount in zip(accounts, amounts, strict=False):
            cursor.execute(
                "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) VALUES (%s, %s, %s)",
                [txn_id, account.pk, amount],
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_database_accepts_balanced_rows_written_by_raw_sql(bank: Account, payable: Account) -> None:
    """PostgreSQL: the balance trigger does not refuse a sound booking (no false alarm at commit)."""
    with connection.cursor() as cursor:
        txn_id = _raw_transaction(cursor)
        cursor.execute(
            "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) VALUES (%s, %s, 250), (%s, %s, -250)",
            [txn_id, bank.pk, txn_id, payable.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert balance(bank) == Cents(250)
    assert trial_balance() == 0


def test_bookings_made_by_the_actions_pass_the_database_balance_check(
    posted: Transaction, bank: Account, payable: Account
) -> None:
    """PostgreSQL: postings and reversals written by the actions satisfy the deferred balance trigger.

    (The test transaction is rolled back, so the deferred check would never run; ``SET CONSTRAINTS ALL
    IMMEDIATE`` runs it now.)
    """
    _post([debit(payable, Cents(5)), credit(bank, Cents(5))])
    do_reverse_transaction(posted, reason="Test", actor=TEST_ACTOR)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert trial_balance() == 0


def test_database_refuses_a_posting_added_to_a_posted_transaction(posted: Transaction, bank: Account) -> None:
    """PostgreSQL: appending a posting to a booked transaction unbalances it, and the trigger refuses it.

    On SQLite this is not caught by the database (see the report of issue 2); the code offers no way to add
    a posting to an existing transaction.
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no balance trigger; only PostgreSQL refuses an appended posting")
    with _refused_by_database("nicht ausgeglichen"), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_posting (transaction_id, account_id, amount_cents) VALUES (%s, %s, 1)",
            [posted.pk, bank.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- reversal ----------------------------------------------------------------------------------------------


def test_reversal_restores_every_affected_balance(
    bank: Account, payable: Account, fee_income: Account, partner: Any
) -> None:
    """A Stornobuchung posts the exact opposite: every account is back where it was, the original stays."""
    receivable = receivable_account(partner, partner, Component.PRINCIPAL)
    _post([debit(receivable, Cents(80_000)), credit(payable, Cents(80_000))], value_date=JAN_10)
    before = _all_balances()
    original = _post(
        [debit(bank, Cents(30_000)), credit(receivable, Cents(28_000)), credit(fee_income, Cents(2_000))],
        value_date=FEB_01,
    )
    assert _all_balances() != before
    reversal = do_reverse_transaction(original, reason="Fehlbuchung", actor=TEST_ACTOR, value_date=FEB_05)

    assert _all_balances() == before
    assert trial_balance() == 0
    assert reversal.reverses_id == original.pk
    assert reversal.reason_code == "correction.reversal"
    assert "Fehlbuchung" in reversal.description
    assert (reversal.object_type, reversal.object_id) == (original.object_type, original.object_id)
    assert sorted((p.account_id, -p.amount_cents) for p in reversal.postings.all()) == sorted(
        (p.account_id, p.amount_cents) for p in original.postings.all()
    )
    # The original is untouched and still counts before the reversal's value date.
    assert Transaction.objects.filter(pk=original.pk).exists()
    assert balance(bank, as_of=FEB_01) == Cents(30_000)
    assert balance(bank, as_of=FEB_05) == Cents(0)


def test_second_reversal_is_refused_and_nothing_written(posted: Transaction) -> None:
    """A booking is reversed at most once (ledger.already_reversed); the refusal writes nothing."""
    do_reverse_transaction(posted, reason="erster Storno", actor=TEST_ACTOR)
    before = _counts()
    with pytest.raises(AlreadyReversedError) as excinfo:
        do_reverse_transaction(posted, reason="zweiter Storno", actor=TEST_ACTOR)
    assert excinfo.value.code == "ledger.already_reversed"
    assert f"Buchung {posted.pk} ist bereits storniert" in excinfo.value.message
    assert _counts() == before


def test_reversal_of_a_reversal_is_refused(posted: Transaction) -> None:
    """A reversal is not itself reversed (ledger.reverse_of_reversal): the original is booked anew instead."""
    reversal = do_reverse_transaction(posted, reason="Storno", actor=TEST_ACTOR)
    before = _counts()
    with pytest.raises(AlreadyReversedError) as excinfo:
        do_reverse_transaction(reversal, reason="Storno vom Storno", actor=TEST_ACTOR)
    assert excinfo.value.code == "ledger.reverse_of_reversal"
    assert "selbst eine Stornobuchung" in excinfo.value.message
    assert _counts() == before


# --- nothing can be edited or deleted --------------------------------------------------------------------


def _txn(posted: Transaction) -> Transaction:
    return Transaction.objects.get(pk=posted.pk)


def _posting(posted: Transaction) -> Posting:
    return Posting.objects.filter(transaction=posted).first()


def _edit_and_save(posted: Transaction) -> None:
    stored = _txn(posted)
    stored.description = "gefälscht"
    stored.save()


ORM_EDITS: list[Any] = [
    pytest.param(_edit_and_save, "update", id="txn-save"),
    pytest.param(lambda t: _txn(t).delete(), "delete", id="txn-delete"),
    pytest.param(
        lambda t: Transaction.objects.filter(pk=t.pk).update(description="x"), "update", id="txn-qs-update"
    ),
    pytest.param(lambda t: Transaction.objects.filter(pk=t.pk).delete(), "delete", id="txn-qs-delete"),
    pytest.param(lambda t: Transaction.objects.all().delete(), "delete", id="txn-qs-delete-all"),
    pytest.param(
        lambda t: Transaction.objects.bulk_update([_txn(t)], ["description"]),
        "bulk_update",
        id="txn-bulk-update",
    ),
    pytest.param(
        lambda t: Transaction.objects.update_or_create(pk=t.pk, defaults={"description": "x"}),
        "update_or_create",
        id="txn-update-or-create",
    ),
    pytest.param(lambda t: _posting(t).save(), "update", id="posting-save"),
    pytest.param(lambda t: _posting(t).delete(), "delete", id="posting-delete"),
    pytest.param(
        lambda t: Posting.objects.filter(transaction=t).update(amount_cents=1),
        "update",
        id="posting-qs-update",
    ),
    pytest.param(lambda t: Posting.objects.filter(transaction=t).delete(), "delete", id="posting-qs-delete"),
    pytest.param(lambda t: t.postings.all().delete(), "delete", id="posting-related-delete"),
]


@pytest.mark.parametrize(("edit", "operation"), ORM_EDITS)
def test_orm_cannot_edit_or_delete_a_posted_transaction(
    posted: Transaction, edit: Callable[[Transaction], Any], operation: str
) -> None:
    """Append-only in code: save/delete of a stored row and queryset update/delete raise AppendOnlyError."""
    stored = sorted(Posting.objects.filter(transaction=posted).values_list("account_id", "amount_cents"))
    with pytest.raises(AppendOnlyError) as excinfo:
        edit(posted)
    assert excinfo.value.code == "append_only"
    assert excinfo.value.operation == operation
    assert "unveränderlich" in str(excinfo.value)
    assert _txn(posted).description == "Testbuchung"
    assert (
        sorted(Posting.objects.filter(transaction=posted).values_list("account_id", "amount_cents")) == stored
    )


RAW_EDITS = [
    pytest.param(
        "UPDATE ledger_transaction SET description = 'gefälscht' WHERE id = %s",
        "UPDATE",
        "ledger_transaction",
    ),
    pytest.param(
        "UPDATE ledger_transaction SET value_date = '2020-01-01' WHERE id = %s",
        "UPDATE",
        "ledger_transaction",
    ),
    pytest.param("DELETE FROM ledger_transaction WHERE id = %s", "DELETE", "ledger_transaction"),
    pytest.param(
        "UPDATE ledger_posting SET amount_cents = amount_cents * 2 WHERE transaction_id = %s",
        "UPDATE",
        "ledger_posting",
    ),
    pytest.param("DELETE FROM ledger_posting WHERE transaction_id = %s", "DELETE", "ledger_posting"),
]


@pytest.mark.parametrize(("sql", "operation", "table"), RAW_EDITS)
def test_database_refuses_raw_sql_update_and_delete(
    posted: Transaction, sql: str, operation: str, table: str
) -> None:
    """Append-only in the database: a hand-written UPDATE/DELETE is refused by the trigger (both vendors)."""
    with (
        _refused_by_database(f"{operation} auf {table} abgelehnt", "unveränderlich"),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [posted.pk])
    assert _txn(posted).description == "Testbuchung"
    assert sorted(Posting.objects.filter(transaction=posted).values_list("amount_cents", flat=True)) == [
        -12_345,
        12_345,
    ]


def test_code_refuses_an_upsert_over_a_posting(posted: Transaction) -> None:
    """bulk_create(update_conflicts=True) would be an UPDATE in disguise: the queryset refuses it."""
    existing = _posting(posted)
    forged = Posting(id=existing.pk, transaction_id=posted.pk, account_id=existing.account_id, amount_cents=1)
    with pytest.raises(AppendOnlyError):
        Posting.objects.bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["amount_cents"]
        )
    assert Posting.objects.get(pk=existing.pk).amount_cents == existing.amount_cents


def test_database_refuses_an_upsert_that_bypasses_the_code(posted: Transaction) -> None:
    """Past the code guard (plain QuerySet.bulk_create), the trigger refuses the hidden UPDATE."""
    existing = _posting(posted)
    forged = Posting(id=existing.pk, transaction_id=posted.pk, account_id=existing.account_id, amount_cents=1)
    with _refused_by_database("unveränderlich"):
        models.QuerySet(Posting).bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["amount_cents"]
        )
    assert Posting.objects.get(pk=existing.pk).amount_cents == existing.amount_cents


def test_database_refuses_saving_a_new_instance_over_an_existing_row(posted: Transaction) -> None:
    """A fresh instance carrying an existing id makes Django issue an UPDATE; the database refuses it."""
    existing = _posting(posted)
    forged = Posting(id=existing.pk, transaction_id=posted.pk, account_id=existing.account_id, amount_cents=1)
    with _refused_by_database("unveränderlich"):
        models.Model.save(forged)  # Django's own save, past the code guard
    assert Posting.objects.get(pk=existing.pk).amount_cents == existing.amount_cents


def test_code_refuses_saving_a_new_instance_over_an_existing_row(posted: Transaction) -> None:
    """Append-only in code as well: overwriting a stored row by id raises AppendOnlyError before the database."""
    existing = _posting(posted)
    forged = Posting(id=existing.pk, transaction_id=posted.pk, account_id=existing.account_id, amount_cents=1)
    with transaction.atomic():
        try:
            forged.save()
        except AppendOnlyError:
            return
    raise AssertionError("save() over an existing id was not refused in code")


# --- balance queries --------------------------------------------------------------------------------------


@pytest.fixture
def books(db: Any) -> dict[str, Any]:
    """Two partners' claims taken over, a payment, and fees; dates chosen so value and booking dates differ.

    The subject of partner A's receivables is an Agreement, of partner B's the Partner itself (claims come
    with issue 3).
    """
    a, b = factories.make_partner(), factories.make_partner()
    agreement = factories.make_agreement(a)
    acc = {
        "bank": office_account(AccountKind.BANK),
        "fees": office_account(AccountKind.FEE_INCOME),
        "a_principal": receivable_account(a, agreement, Component.PRINCIPAL),
        "a_fee": receivable_account(a, agreement, Component.FEE),
        "a_claims": partner_account(a, AccountKind.PARTNER_CLAIMS),
        "a_payable": partner_account(a, AccountKind.PARTNER_PAYABLE),
        "b_principal": receivable_account(b, b, Component.PRINCIPAL),
        "b_claims": partner_account(b, AccountKind.PARTNER_CLAIMS),
        "b_payable": partner_account(b, AccountKind.PARTNER_PAYABLE),
    }
    # Claim of A taken over: 1.000,00 principal, 25,00 fee of the office.
    _post(
        [
            debit(acc["a_principal"], Cents(100_000)),
            debit(acc["a_fee"], Cents(2_500)),
            credit(acc["a_claims"], Cents(100_000)),
            credit(acc["fees"], Cents(2_500)),
        ],
        value_date=JAN_10,
        booking_date=JAN_12,
        partner=a,
    )
    # Payment of 300,00 on A's principal, value 1 Feb, booked 5 Feb; owed to A.
    _post(
        [
            debit(acc["bank"], Cents(30_000)),
            credit(acc["a_principal"], Cents(30_000)),
            debit(acc["a_claims"], Cents(30_000)),
            credit(acc["a_payable"], Cents(30_000)),
        ],
        value_date=FEB_01,
        booking_date=FEB_05,
        partner=a,
    )
    # Claim of B: 50,00 principal.
    _post(
        [debit(acc["b_principal"], Cents(5_000)), credit(acc["b_claims"], Cents(5_000))],
        value_date=MAR_01,
        booking_date=MAR_01,
        partner=b,
    )
    return {"a": a, "b": b, "agreement": agreement, **acc}


@pytest.mark.parametrize(
    ("account", "as_of", "basis", "expected"),
    [
        ("a_principal", None, "value", 70_000),
        ("a_principal", dt.date(2025, 1, 9), "value", 0),
        ("a_principal", JAN_10, "value", 100_000),
        ("a_principal", FEB_01, "value", 70_000),
        # Booked on 12 Jan: not yet there on 11 Jan by booking date although its value date is 10 Jan.
        ("a_principal", dt.date(2025, 1, 11), "booking", 0),
        ("a_principal", JAN_12, "booking", 100_000),
        # Payment: value 1 Feb, booked 5 Feb.
        ("a_principal", dt.date(2025, 2, 3), "value", 70_000),
        ("a_principal", dt.date(2025, 2, 3), "booking", 100_000),
        ("bank", dt.date(2025, 2, 3), "booking", 0),
        ("bank", None, "value", 30_000),
        ("fees", None, "value", -2_500),
        ("a_payable", None, "value", -30_000),
        ("a_claims", None, "value", -70_000),
        ("b_principal", FEB_05, "value", 0),
        ("b_principal", MAR_01, "value", 5_000),
    ],
)
def test_account_balance_as_of_value_or_booking_date(
    books: dict[str, Any], account: str, as_of: dt.date | None, basis: str, expected: int
) -> None:
    """An account's balance is the sum of its postings up to a value date or a booking date."""
    result = balance(books[account], as_of=as_of, basis=basis)  # type: ignore[arg-type]
    assert result == Cents(expected)
    assert isinstance(result, Cents)


def test_component_balances_per_claim(books: dict[str, Any]) -> None:
    """Open amount per claim component, for one subject only, also as of a date."""
    agreement, b = books["agreement"], books["b"]
    assert component_balances("partners.agreement", agreement.pk) == {
        Component.PRINCIPAL: Cents(70_000),
        Component.SURCHARGE: Cents(0),
        Component.FEE: Cents(2_500),
        Component.INTEREST: Cents(0),
        Component.COST: Cents(0),
    }
    as_of = component_balances("partners.agreement", str(agreement.pk), as_of=dt.date(2025, 1, 31))
    assert as_of[Component.PRINCIPAL] == Cents(100_000)
    by_booking = component_balances(
        "partners.agreement", agreement.pk, as_of=dt.date(2025, 2, 3), basis="booking"
    )
    assert by_booking[Component.PRINCIPAL] == Cents(100_000)
    assert component_balances("partners.partner", b.pk)[Component.PRINCIPAL] == Cents(5_000)
    # Partner A is not itself a subject of receivables: nothing of the agreement's is mixed in.
    assert set(component_balances("partners.partner", books["a"].pk).values()) == {Cents(0)}
    assert set(component_balances("partners.agreement", 999_999).values()) == {Cents(0)}


def test_balances_by_partner(books: dict[str, Any]) -> None:
    """Partner sums per account kind: receivables, claims taken over and payables, per partner."""
    a, b = books["a"].pk, books["b"].pk
    assert balances_by_partner(AccountKind.RECEIVABLE) == {a: Cents(72_500), b: Cents(5_000)}
    assert balances_by_partner(AccountKind.PARTNER_CLAIMS) == {a: Cents(-70_000), b: Cents(-5_000)}
    assert balances_by_partner(AccountKind.PARTNER_PAYABLE) == {a: Cents(-30_000)}
    assert balances_by_partner(AccountKind.RECEIVABLE, as_of=FEB_05) == {a: Cents(72_500)}
    assert balances_by_partner(AccountKind.RECEIVABLE, as_of=dt.date(2025, 2, 3), basis="booking") == {
        a: Cents(102_500)
    }
    # Office accounts belong to no partner.
    assert balances_by_partner(AccountKind.BANK) == {}
    assert partner_balance(a, AccountKind.RECEIVABLE) == Cents(72_500)
    assert partner_balance(b, AccountKind.RECEIVABLE) == Cents(5_000)
    assert partner_balance(a, AccountKind.PARTNER_PAYABLE, as_of=JAN_12) == Cents(0)
    assert partner_balance(b, AccountKind.PARTNER_PAYABLE) == Cents(0)


def test_totals_by_kind_and_account_list(books: dict[str, Any]) -> None:
    """Totals per account kind (all and per partner) and the annotated account list agree with balance()."""
    totals = totals_by_kind()
    assert totals[AccountKind.BANK] == Cents(30_000)
    assert totals[AccountKind.FEE_INCOME] == Cents(-2_500)
    assert totals[AccountKind.RECEIVABLE] == Cents(77_500)
    assert totals[AccountKind.SUSPENSE] == Cents(0)
    assert sum(totals.values()) == 0
    assert totals_by_kind(partner_id=books["b"].pk)[AccountKind.RECEIVABLE] == Cents(5_000)
    listed = {a.code: a.balance_cents or 0 for a in account_balances(Account.objects.all())}
    assert listed == _all_balances()
    as_of = {a.code: a.balance_cents for a in account_balances(Account.objects.all(), as_of=JAN_10)}
    assert as_of[books["a_principal"].code] == 100_000
    assert as_of[books["bank"].code] is None


@pytest.mark.parametrize("as_of", [None, dt.date(2025, 1, 1), JAN_10, FEB_01, FEB_05, MAR_01])
def test_trial_balance_is_zero(books: dict[str, Any], as_of: dt.date | None) -> None:
    """Double entry: the sum over all postings is zero at every date (Summen- und Saldenliste)."""
    assert trial_balance(as_of=as_of) == 0
    assert sum(balance(account, as_of=as_of) for account in Account.objects.all()) == 0


# --- audit events in the same transaction ---------------------------------------------------------------


def test_posting_writes_its_audit_event(bank: Account, payable: Account, partner: Any) -> None:
    """Rule 2: the booking's audit event names the action, the transaction, the partner and the postings."""
    before = AuditEvent.objects.count()
    txn = _post([debit(bank, Cents(700)), credit(payable, Cents(700))], value_date=JAN_10, partner=partner)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "ledger.post_transaction"
    assert (event.object_type, event.object_id) == ("ledger.transaction", str(txn.pk))
    assert event.partner_id == partner.pk
    assert event.actor == TEST_ACTOR.name
    assert event.summary == {
        "reason_code": "test.booking",
        "value_date": "2025-01-10",
        "postings": [[bank.code, 700], [payable.code, -700]],
    }


def test_reversal_writes_its_audit_event(posted: Transaction) -> None:
    """The reversal's audit event names the reversal and the original it reverses, with the reason."""
    reversal = do_reverse_transaction(posted, reason="Doppelt gebucht", actor=TEST_ACTOR)
    event = AuditEvent.objects.latest("id")
    assert event.action == "ledger.reverse_transaction"
    assert event.object_id == str(reversal.pk)
    assert event.summary == {"reverses": posted.pk, "reason": "Doppelt gebucht"}


@pytest.mark.parametrize("which", ["post", "reverse"])
def test_failed_action_leaves_neither_booking_nor_audit_event(
    bank: Account, payable: Account, posted: Transaction, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """One transaction: if the action fails after its audit event was written, both are rolled back."""
    real = ledger_actions.record_event

    def record_then_fail(**kwargs: Any) -> Any:
        real(**kwargs)
        raise RuntimeError("Absturz nach dem Prüfpfad-Eintrag")

    monkeypatch.setattr(ledger_actions, "record_event", record_then_fail)
    before = _counts()
    with pytest.raises(RuntimeError, match="Absturz"):
        if which == "post":
            _post([debit(bank, Cents(1)), credit(payable, Cents(1))])
        else:
            do_reverse_transaction(posted, reason="x", actor=TEST_ACTOR)
    assert _counts() == before
    assert not Transaction.objects.filter(reverses=posted).exists()
