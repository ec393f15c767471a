"""Payments and their allocations are append-only in the database too (a correction is a reversal)."""

from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [install_append_only_triggers("payments_payment", "payments_paymentallocation")]
