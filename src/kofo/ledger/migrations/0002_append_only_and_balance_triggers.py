"""Ledger integrity in the database: postings and transactions are append-only (SQLite and PostgreSQL);
on PostgreSQL a deferred constraint trigger also refuses, at commit, any transaction whose postings do not
sum to zero or that has fewer than two postings, whoever wrote it."""

from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers

BALANCE_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION kofo_ledger_check_balanced() RETURNS trigger AS $$
    DECLARE
        txn_id bigint;
        total bigint;
        n integer;
    BEGIN
        IF TG_TABLE_NAME = 'ledger_posting' THEN
            txn_id := NEW.transaction_id;
        ELSE
            txn_id := NEW.id;
        END IF;
        SELECT COALESCE(SUM(amount_cents), 0), COUNT(*) INTO total, n
            FROM ledger_posting WHERE transaction_id = txn_id;
        IF n < 2 THEN
            RAISE EXCEPTION 'kofo: Buchung % hat % Buchungszeilen, mindestens zwei sind nötig', txn_id, n
                USING ERRCODE = 'check_violation';
        END IF;
        IF total <> 0 THEN
            RAISE EXCEPTION 'kofo: Buchung % ist nicht ausgeglichen (Summe % Cent)', txn_id, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    "CREATE CONSTRAINT TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kofo_ledger_check_balanced();",
    "CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kofo_ledger_check_balanced();",
]
BALANCE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;",
    "DROP TRIGGER IF EXISTS ledger_transaction_balanced ON ledger_transaction;",
    "DROP FUNCTION IF EXISTS kofo_ledger_check_balanced();",
]


def balance_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in BALANCE_FORWARD:
            schema_editor.execute(statement, params=None)


def balance_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in BALANCE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        install_append_only_triggers("ledger_transaction", "ledger_posting"),
        migrations.RunPython(balance_forward, balance_backward, elidable=False),
    ]
