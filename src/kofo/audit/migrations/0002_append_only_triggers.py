"""The database itself refuses UPDATE and DELETE on the audit trail (SQLite and PostgreSQL)."""

from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [install_append_only_triggers("audit_auditevent", "audit_personaldataaccess")]
