"""Audit events (hash-chained) and the access log of personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kofo.audit.appendonly import AppendOnlyModel

GENESIS_HASH = "0" * 64


class AuditEvent(AppendOnlyModel):
    """One action, written in the same database transaction as the change it records.

    ``hash`` is SHA-256 over the previous event's hash and this event's canonical content, so removing,
    reordering or editing any row breaks the chain at that row (``kofo audit verify``).
    """

    created_at = models.DateTimeField("Zeitpunkt", db_index=True)
    actor = models.CharField("Akteur", max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Benutzer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("Aktion", max_length=100, db_index=True)
    object_type = models.CharField("Objekttyp", max_length=100, blank=True)
    object_id = models.CharField("Objekt-ID", max_length=100, blank=True)
    object_repr = models.CharField("Objekt", max_length=200, blank=True)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name="Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.JSONField("Änderung", default=dict)
    prev_hash = models.CharField("Vorgänger-Hash", max_length=64)
    hash = models.CharField("Hash", max_length=64, unique=True)

    class Meta:
        verbose_name = "Prüfpfad-Eintrag"
        verbose_name_plural = "Prüfpfad"
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"


class PersonalDataAccess(AppendOnlyModel):
    """Who read whose personal data, when, and for what (Art. 5 Abs. 2, Art. 30 DSGVO accountability)."""

    accessed_at = models.DateTimeField("Zeitpunkt", db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField("Akteur", max_length=150)
    subject_type = models.CharField("Betroffenentyp", max_length=100)
    subject_id = models.CharField("Betroffenen-ID", max_length=100)
    subject_repr = models.CharField("Betroffene Person", max_length=200, blank=True)
    what = models.CharField("Gelesene Daten", max_length=200)
    purpose = models.CharField("Zweck", max_length=200, blank=True)
    channel = models.CharField("Zugriffsweg", max_length=20, default="ui")
    path = models.CharField("Adresse", max_length=300, blank=True)

    class Meta:
        verbose_name = "Zugriff auf personenbezogene Daten"
        verbose_name_plural = "Zugriffe auf personenbezogene Daten"
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.actor} → {self.subject_repr or self.subject_id}: {self.what}"
