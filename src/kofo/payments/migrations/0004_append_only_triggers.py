from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers, reinstall_append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_bank_statements_and_remittance")]

    # payments_payment got new columns: on SQLite that rebuilt the table without its triggers.
    operations = [
        reinstall_append_only_triggers("payments_payment"),
        install_append_only_triggers("payments_paymentreversal"),
    ]
