from django.db import migrations, models

from kofo.cases.references import fold_reference


def fill_reference_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    Claim = apps.get_model("cases", "Claim")
    batch = []
    for claim in Claim.objects.only("pk", "kassenzeichen").iterator(chunk_size=5000):
        claim.reference_key = fold_reference(claim.kassenzeichen)
        batch.append(claim)
        if len(batch) >= 5000:
            Claim.objects.bulk_update(batch, ["reference_key"])
            batch = []
    Claim.objects.bulk_update(batch, ["reference_key"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_third_party_bic_unique")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="reference_key",
            field=models.CharField(
                blank=True, db_index=True, max_length=60, verbose_name="Suchschlüssel Kassenzeichen"
            ),
        ),
        migrations.RunPython(fill_reference_keys, migrations.RunPython.noop),
    ]
