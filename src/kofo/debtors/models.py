"""Debtors (the bundle across partners), their records as each partner submitted them, and the
persistent linkage index (blocking keys) with its review queue."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class DebtorKind(models.TextChoices):
    NATURAL = "natural", "natürliche Person"
    LEGAL = "legal", "juristische Person"


class Debtor(models.Model):
    """One person or entity, however many partners know them: the subject of one debtor file."""

    number = models.CharField("Schuldnernummer", max_length=20, unique=True)
    kind = models.CharField("Art", max_length=10, choices=DebtorKind.choices)
    display_name = models.CharField("Name", max_length=250)
    birth_date = models.DateField("Geburtsdatum", null=True, blank=True)
    postcode = models.CharField("PLZ", max_length=10, blank=True)
    city = models.CharField("Ort", max_length=80, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name="zusammengeführt in",
    )
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Schuldner"
        verbose_name_plural = "Schuldner"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"


class LinkDecision(models.TextChoices):
    NEW = "new", "neuer Schuldner"
    AUTO = "auto", "automatisch zugeordnet"
    REVIEW = "review", "in Prüfung"
    CONFIRMED = "confirmed", "von Hand bestätigt"
    PARTNER_ID = "partner_id", "gleiche Schuldnernummer des Partners"
    MANUAL = "manual", "von Hand zugeordnet"


class DebtorRecord(models.Model):
    """A debtor exactly as one partner described them in one request (never rewritten)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="debtor_records")
    partner_debtor_id = models.CharField("Schuldnernummer beim Partner", max_length=60, blank=True)
    kind = models.CharField("Art", max_length=10, choices=DebtorKind.choices)
    # natural person
    surname = models.CharField("Familienname", max_length=120, blank=True)
    given_names = models.CharField("Vornamen", max_length=120, blank=True)
    birth_name = models.CharField("Geburtsname", max_length=120, blank=True)
    birth_date = models.DateField("Geburtsdatum", null=True, blank=True)
    # legal entity
    legal_name = models.CharField("Name der juristischen Person", max_length=250, blank=True)
    legal_form = models.CharField("Rechtsform", max_length=60, blank=True)
    register_court = models.CharField("Registergericht", max_length=80, blank=True)
    register_number = models.CharField("Registernummer", max_length=40, blank=True)
    # address and contact
    street = models.CharField("Straße", max_length=120, blank=True)
    house_number = models.CharField("Hausnummer", max_length=20, blank=True)
    postcode = models.CharField("PLZ", max_length=10, blank=True)
    city = models.CharField("Ort", max_length=80, blank=True)
    country = models.CharField("Staat", max_length=2, default="DE")
    phone = models.CharField("Telefon", max_length=40, blank=True)
    email = models.EmailField("E-Mail", blank=True)
    iban = models.CharField("IBAN des Schuldners", max_length=34, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    # Normalised names as the linkage engine sees them: term frequencies for common names are counts of these.
    norm_surname = models.CharField(max_length=120, blank=True, db_index=True)
    norm_given = models.CharField(max_length=120, blank=True, db_index=True)
    # The linkage index's sort order (surname phonetic, given-name phonetic, birth date): oversized blocks
    # are cut to the neighbourhood by this key before any record is loaded.
    sort_key = models.CharField(max_length=60, blank=True)
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="records", verbose_name="Schuldner"
    )
    link_decision = models.CharField("Zuordnung", max_length=12, choices=LinkDecision.choices)
    link_score = models.FloatField("Übereinstimmungsgewicht", null=True, blank=True)
    created_at = models.DateTimeField("eingegangen", auto_now_add=True)

    class Meta:
        verbose_name = "Schuldnerangabe eines Partners"
        verbose_name_plural = "Schuldnerangaben der Partner"
        ordering = ["-id"]
        indexes = [models.Index(fields=["partner", "partner_debtor_id"])]
        constraints = [
            models.UniqueConstraint(fields=["partner", "content_hash"], name="debtor_record_unique_content"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.kind == DebtorKind.LEGAL:
            return f"{self.legal_name} {self.legal_form}".strip()
        return f"{self.surname}, {self.given_names}".strip(", ")


class BlockingKey(models.Model):
    """The persistent linkage index: a record is a candidate for every record sharing one of its keys."""

    key = models.CharField(max_length=80, db_index=True)
    record = models.ForeignKey(DebtorRecord, on_delete=models.CASCADE, related_name="blocking_keys")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "record"], name="blocking_key_unique")]

    def __str__(self) -> str:
        return self.key


class ReviewStatus(models.TextChoices):
    OPEN = "open", "offen"
    CONFIRMED = "confirmed", "bestätigt"
    REJECTED = "rejected", "abgelehnt"


class LinkReview(models.Model):
    """A pair the engine was unsure about: the new record and the debtor it may belong to."""

    record = models.ForeignKey(DebtorRecord, on_delete=models.PROTECT, related_name="reviews")
    candidate = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="reviews")
    candidate_record = models.ForeignKey(DebtorRecord, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField("Gewicht")
    explanation = models.JSONField("Begründung", default=list)
    reason = models.CharField("Grund der Prüfung", max_length=200, blank=True)
    status = models.CharField(
        "Status", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    decided_by = models.CharField("entschieden von", max_length=150, blank=True)
    decided_at = models.DateTimeField("entschieden am", null=True, blank=True)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Prüffall der Zuordnung"
        verbose_name_plural = "Prüffälle der Zuordnung"
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "candidate"], condition=Q(status="open"), name="link_review_open_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} ↔ {self.candidate} ({self.score:.1f})"


class IndexStatistics(models.Model):
    """Counts the linkage index needs on every match, kept exactly with each insert (one row).

    The prior of the match weight depends on the number of indexed persons; counting a million rows on
    every incoming record would cost tens of milliseconds, reading this row costs one primary-key lookup.
    """

    natural_records = models.BigIntegerField("indexierte natürliche Personen", default=0)

    class Meta:
        verbose_name = "Kennzahl des Zuordnungsindex"
        verbose_name_plural = "Kennzahlen des Zuordnungsindex"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="index_statistics_singleton")]

    def __str__(self) -> str:
        return f"{self.natural_records} natürliche Personen"


class NameCount(models.Model):
    """How many indexed natural persons carry a normalised surname or given name — the term frequencies of the
    linkage weights — kept exactly with each insert, like :class:`IndexStatistics`.

    Counting them on every match costs tens to hundreds of milliseconds among a million records on
    PostgreSQL (a common given name has thousands of index entries, and a freshly loaded table's index-only
    scans still visit the heap); reading these rows is a primary-key lookup per name.
    """

    SURNAME = "s"
    GIVEN = "g"

    field = models.CharField("Namensfeld", max_length=1, choices=[(SURNAME, "Nachname"), (GIVEN, "Vorname")])
    value = models.CharField("normalisierter Name", max_length=120)
    records = models.BigIntegerField("Datensätze", default=0)

    class Meta:
        verbose_name = "Namenshäufigkeit"
        verbose_name_plural = "Namenshäufigkeiten"
        constraints = [models.UniqueConstraint(fields=["field", "value"], name="name_count_unique")]

    def __str__(self) -> str:
        return f"{self.value}: {self.records}"
