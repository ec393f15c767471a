"""File notes and booked surcharges are append-only in the database too (rules of the house, no. 4)."""

from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_files"), ("audit", "0002_append_only_triggers")]

    operations = [install_append_only_triggers("cases_casenote", "cases_surchargeaccrual")]
