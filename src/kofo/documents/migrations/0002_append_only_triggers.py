from django.db import migrations

from kofo.audit.appendonly import install_append_only_triggers


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    # Archived documents, template versions, print batches and dispatches are facts: never changed.
    operations = [
        install_append_only_triggers(
            "documents_templateversion", "documents_document", "documents_printbatch", "documents_dispatch"
        )
    ]
