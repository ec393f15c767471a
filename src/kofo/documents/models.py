"""The document archive: every letter kofo produces and every document it receives, content-addressed.

A :class:`Document` row points at immutable bytes under ``KOFO_DATA_DIR/documents`` (by SHA-256) and keeps
what they were made from — the template version (:class:`TemplateVersion`, the sources themselves) and the
data — so that a letter can be rendered again years later and shown to be the same. Sending is a separate
fact (:class:`Dispatch`): the posting date from which the deemed receipt and every clock follow.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from kofo.audit.appendonly import AppendOnlyModel


class DocumentKind(models.TextChoices):
    # Letters kofo produces (templates under templates/documents/letters/<kind>.html).
    ZAHLUNGSAUFFORDERUNG = "zahlungsaufforderung", "Zahlungsaufforderung mit Vollstreckungsankündigung"
    PFEV_DRITTSCHULDNER = "pfev_drittschuldner", "Pfändungs- und Einziehungsverfügung (Drittschuldner)"
    PFEV_SCHULDNER = "pfev_schuldner", "Pfändungs- und Einziehungsverfügung (Schuldner)"
    PFAENDUNG_MITTEILUNG = "pfaendung_mitteilung", "Mitteilung an den Schuldner über die Pfändung"
    VA_ZAHLUNGSAUFFORDERUNG = (
        "va_zahlungsaufforderung",
        "Zahlungsaufforderung mit Hinweis auf die Auskunftspflicht",
    )
    VA_LADUNG = "va_ladung", "Ladung zur Abgabe der Vermögensauskunft"
    EINTRAGUNGSANORDNUNG = "eintragungsanordnung", "Eintragungsanordnung Schuldnerverzeichnis"
    RATENZAHLUNG = "ratenzahlung", "Bescheid über Ratenzahlung (Vollstreckungsaufschub)"
    RATENZAHLUNG_WIDERRUF = "ratenzahlung_widerruf", "Widerruf der Ratenzahlung"
    VOLLSTRECKUNGSAUFTRAG = "vollstreckungsauftrag", "Vollstreckungsauftrag an den Außendienst"
    QUITTUNG = "quittung", "Quittung"
    RUECKGABE = "rueckgabe", "Rückgabe an den Partner mit Vollstreckungsbericht"
    AUSKEHRUNG = "auskehrung", "Auskehrungsmitteilung an den Partner"
    # Documents kofo receives and keeps in the file.
    BESCHEID = "bescheid", "Bescheid des Partners (eingegangen)"
    DRITTSCHULDNERERKLAERUNG = "drittschuldnererklaerung", "Drittschuldnererklärung (eingegangen)"
    SONSTIGES = "sonstiges", "sonstiges Schriftstück (eingegangen)"


RECEIVED_KINDS = (DocumentKind.BESCHEID, DocumentKind.DRITTSCHULDNERERKLAERUNG, DocumentKind.SONSTIGES)


class RecipientRole(models.TextChoices):
    DEBTOR = "debtor", "Schuldner"
    THIRD_PARTY = "third_party", "Drittschuldner"
    PARTNER = "partner", "Partner"
    OFFICER = "officer", "Vollziehungsbeamter"
    OFFICE = "office", "Vollstreckungsstelle"


class TemplateVersion(AppendOnlyModel):
    """The template sources one letter was rendered with, stored once per content (SHA-256 over all)."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    name = models.CharField("Vorlage", max_length=120)
    sources = models.JSONField("Quelltexte")  # {template name: source text}
    created_at = models.DateTimeField("erstmals verwendet", default=timezone.now)

    class Meta:
        verbose_name = "Vorlagenfassung"
        verbose_name_plural = "Vorlagenfassungen"

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class Document(AppendOnlyModel):
    """One archived document: immutable bytes by SHA-256, linked to case, measure and partner."""

    kind = models.CharField("Art", max_length=24, choices=DocumentKind.choices)
    title = models.CharField("Bezeichnung", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size_bytes = models.PositiveIntegerField("Größe (Byte)")
    pages = models.PositiveIntegerField("Seiten", default=0)
    media_type = models.CharField("Dateityp", max_length=80, default="application/pdf")
    filename = models.CharField("Dateiname", max_length=160)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    measure = models.ForeignKey(
        "cases.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    recipient_role = models.CharField("Empfänger", max_length=12, choices=RecipientRole.choices)
    recipient = models.CharField("Empfängeranschrift", max_length=300, blank=True)
    #: The recipient's electronic address, where one is known (electronic delivery instead of post).
    email = models.EmailField("elektronische Adresse", blank=True)
    #: Set for letters kofo rendered; empty for received documents.
    template = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    data = models.JSONField("Daten der Erstellung", default=dict, blank=True)
    #: What made it unique: a document is produced once per measure, kind and recipient (idempotent runs).
    key = models.CharField(max_length=120, blank=True)
    letter_date = models.DateField("Datum des Schreibens", null=True, blank=True)
    retain_until = models.DateField("aufzubewahren bis")
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.CharField("erstellt von", max_length=150)

    class Meta:
        verbose_name = "Schriftstück"
        verbose_name_plural = "Schriftstücke"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["partner", "kind"]),
            models.Index(fields=["kind", "letter_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="document_key")
        ]

    def __str__(self) -> str:
        return self.title


class DispatchChannel(models.TextChoices):
    POST = "post", "Post (Druckstapel)"
    ELECTRONIC = "electronic", "elektronisch"
    HANDED = "handed", "ausgehändigt"


class PrintBatch(AppendOnlyModel):
    """The day's letters of one kind, as one merged PDF and a CSV manifest for the print service."""

    kind = models.CharField("Art", max_length=24, choices=DocumentKind.choices)
    day = models.DateField("Tag")
    channel = models.CharField("Weg", max_length=10, choices=DispatchChannel.choices)
    sequence = models.PositiveIntegerField("lfd. Nummer des Tages", default=1)
    count = models.PositiveIntegerField("Schreiben")
    pages = models.PositiveIntegerField("Seiten", default=0)
    pdf_sha256 = models.CharField("Sammel-PDF (SHA-256)", max_length=64, blank=True)
    manifest_sha256 = models.CharField("Manifest (SHA-256)", max_length=64)
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    created_by = models.CharField("erstellt von", max_length=150)

    class Meta:
        verbose_name = "Druckstapel"
        verbose_name_plural = "Druckstapel"
        ordering = ["-day", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day", "channel", "sequence"], name="print_batch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:%d.%m.%Y} ({self.count})"


class Dispatch(AppendOnlyModel):
    """A document sent: by post in a print batch, electronically, or handed over; once per document."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="dispatch")
    batch = models.ForeignKey(
        PrintBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="dispatches"
    )
    channel = models.CharField("Weg", max_length=10, choices=DispatchChannel.choices)
    posted_on = models.DateField("versandt am")
    address = models.CharField("elektronische Adresse", max_length=254, blank=True)
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Versand"
        verbose_name_plural = "Versand"

    def __str__(self) -> str:
        return f"{self.document} – {self.get_channel_display()} {self.posted_on:%d.%m.%Y}"
