"""Enforcement requests as they arrive: one batch per file or API call, one item per claim."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    CSV = "csv", "CSV-Datei"
    JSON = "json", "API (JSON)"


class BatchStatus(models.TextChoices):
    DONE = "done", "verarbeitet"
    REFUSED = "refused", "abgewiesen (ganze Datei)"


class ItemStatus(models.TextChoices):
    ACCEPTED = "accepted", "angenommen"
    REJECTED = "rejected", "abgelehnt"
    DUPLICATE = "duplicate", "bereits vorhanden (unverändert)"
    CONFLICT = "conflict", "Konflikt mit vorhandener Forderung"


class ImportBatch(models.Model):
    """One submission (Vollstreckungsersuchen): a CSV file or one API call, archived with its SHA-256."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="import_batches")
    channel = models.CharField("Eingangsweg", max_length=10, choices=Channel.choices)
    filename = models.CharField("Dateiname", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size_bytes = models.BigIntegerField("Größe (Byte)")
    encoding = models.CharField("Zeichensatz", max_length=20, blank=True)
    as_of = models.DateField("Prüfstichtag")
    status = models.CharField("Status", max_length=10, choices=BatchStatus.choices)
    error_code = models.CharField("Fehlercode", max_length=60, blank=True)
    error_message = models.TextField("Fehler", blank=True)
    items_total = models.PositiveIntegerField("Positionen", default=0)
    items_accepted = models.PositiveIntegerField("angenommen", default=0)
    items_rejected = models.PositiveIntegerField("abgelehnt", default=0)
    items_duplicate = models.PositiveIntegerField("unverändert vorhanden", default=0)
    items_conflict = models.PositiveIntegerField("Konflikte", default=0)
    replay_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replays",
        verbose_name="Wiederholung von",
    )
    created_by = models.CharField("eingereicht von", max_length=150)
    created_at = models.DateTimeField("eingegangen", auto_now_add=True)

    class Meta:
        verbose_name = "Vollstreckungsersuchen (Eingang)"
        verbose_name_plural = "Vollstreckungsersuchen (Eingänge)"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Eingang {self.pk} ({self.partner.key}, {self.get_channel_display()})"


class RequestItem(models.Model):
    """The result for one claim of a batch: accepted, rejected (with codes), duplicate or conflict."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField("Position")  # CSV: line number in the file; JSON: index + 1
    kassenzeichen = models.CharField("Kassenzeichen", max_length=60, blank=True)
    status = models.CharField("Ergebnis", max_length=10, choices=ItemStatus.choices)
    problems = models.JSONField("Fehler", default=list)  # [{"code", "field", "message"}]
    warnings = models.JSONField("Hinweise", default=list)
    claim = models.ForeignKey(
        "cases.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="request_items"
    )
    data = models.JSONField("übermittelte Daten", default=dict)

    class Meta:
        verbose_name = "Position eines Ersuchens"
        verbose_name_plural = "Positionen der Ersuchen"
        ordering = ["batch", "position"]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.position} {self.kassenzeichen} {self.status}"


class ColumnMapping(models.Model):
    """A partner's own CSV headers for kofo's standard columns (its finance system exports other names)."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.PROTECT, related_name="column_mapping"
    )
    columns = models.JSONField(
        "Spaltenzuordnung", default=dict, help_text="kofo-Spalte → Spaltenüberschrift des Partners"
    )
    updated_at = models.DateTimeField("geändert", auto_now=True)

    class Meta:
        verbose_name = "Spaltenzuordnung"
        verbose_name_plural = "Spaltenzuordnungen"

    def __str__(self) -> str:
        return f"Spaltenzuordnung {self.partner}"
