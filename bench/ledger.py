"""Ledger benchmark: balanced, audited postings per second, against bare ORM inserts in the same run.

kofo's path (``do_post_transaction``) checks the balance, writes the postings and appends a hash-chained
audit event in one transaction. The peer is the same rows written by the bare Django ORM with no check
and no audit: the difference is what the rules of the house cost. Also timed: the dashboard's totals by
account kind over all postings, against one raw ``SUM … GROUP BY``.

Prints one JSON object per database (SQLite always, PostgreSQL when 127.0.0.1:5432 answers).
Usage: ``python bench/ledger.py [--transactions N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_one(transactions: int) -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kofo.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kofo.audit.actors import SystemActor
    from kofo.demo.loader import load_demo
    from kofo.ledger.accounts import office_account, partner_account
    from kofo.ledger.actions import credit, debit, do_post_transaction
    from kofo.ledger.balances import totals_by_kind
    from kofo.ledger.models import AccountKind, Posting, Transaction
    from kofo.money import Cents
    from kofo.partners.models import Partner

    call_command("migrate", verbosity=0)
    load_demo()
    actor = SystemActor("system:bench")
    partners = list(Partner.objects.order_by("key"))
    with transaction.atomic():
        bank = office_account(AccountKind.BANK)
        fees = office_account(AccountKind.FEE_INCOME)
        payables = [partner_account(p, AccountKind.PARTNER_PAYABLE) for p in partners]

    def lines(i: int) -> list:  # type: ignore[type-arg]
        amount = Cents(10_000 + i % 977)
        fee = Cents(2_860)
        return [debit(bank, amount + fee), credit(payables[i % len(payables)], amount), credit(fees, fee)]

    start = time.perf_counter()
    for i in range(transactions):
        do_post_transaction(lines(i), reason_code="bench.payment", description=f"Zahlung {i}", actor=actor)
    kofo_seconds = time.perf_counter() - start

    start = time.perf_counter()
    for i in range(transactions):
        with transaction.atomic():
            txn = Transaction.objects.create(
                booking_date="2026-01-01",
                value_date="2026-01-01",
                reason_code="bench.peer",
                description=f"Zahlung {i}",
                created_by="bench",
            )
            Posting.objects.bulk_create(
                [
                    Posting(transaction=txn, account=line.account, amount_cents=int(line.amount))
                    for line in lines(i)
                ]
            )
    peer_seconds = time.perf_counter() - start

    repeats = 20
    start = time.perf_counter()
    for _ in range(repeats):
        totals = totals_by_kind()
    totals_seconds = (time.perf_counter() - start) / repeats
    start = time.perf_counter()
    for _ in range(repeats):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.kind, SUM(p.amount_cents) FROM ledger_posting p "
                "JOIN ledger_account a ON a.id = p.account_id GROUP BY a.kind"
            )
            raw = dict(cursor.fetchall())
    raw_seconds = (time.perf_counter() - start) / repeats
    assert int(totals[AccountKind.BANK]) == int(raw["bank"]), "totals disagree with raw SQL"
    assert sum(int(v) for v in totals.values()) == 0, "ledger does not balance"

    return {
        "benchmark": "ledger.post_transaction",
        "database": connection.vendor,
        "transactions": transactions,
        "postings": transactions * 3,
        "kofo_transactions_per_s": round(transactions / kofo_seconds, 1),
        "peer": "bare Django ORM insert of the same rows (no balance check, no audit event)",
        "peer_transactions_per_s": round(transactions / peer_seconds, 1),
        "kofo_vs_peer_time_ratio": round(kofo_seconds / peer_seconds, 2),
        "totals_by_kind_ms": round(totals_seconds * 1000, 2),
        "peer_raw_sql_totals_ms": round(raw_seconds * 1000, 2),
    }


def pg_available() -> bool:
    return (
        subprocess.run([sys.executable, str(REPO / "scripts" / "pg-available")], check=False).returncode == 0
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=2_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.transactions), ensure_ascii=False))
        return
    targets = ["sqlite"] + (["postgresql"] if pg_available() else [])
    for target in targets:
        with tempfile.TemporaryDirectory(prefix="kofo-bench-") as tmp:
            env = {**os.environ, "KOFO_DEBUG": "1", "KOFO_DATA_DIR": tmp}
            if target == "sqlite":
                env["KOFO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            else:
                name = f"kofo_bench_{os.getpid()}"
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
                    check=True,
                )
                env["KOFO_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
            try:
                subprocess.run(
                    [sys.executable, __file__, "--child", "--transactions", str(args.transactions)],
                    env=env,
                    check=True,
                )
            finally:
                if target == "postgresql":
                    subprocess.run(
                        [
                            "psql",
                            "-h",
                            "127.0.0.1",
                            "-U",
                            "postgres",
                            "-qc",
                            f"DROP DATABASE IF EXISTS {name}",
                        ],
                        check=False,
                    )


if __name__ == "__main__":
    main()
