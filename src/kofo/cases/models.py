"""Claims handed over by partners (Forderungen). Their amounts live in the ledger: each component
(principal, surcharges, fees, interest, costs) is a receivable sub-account of the claim; the fields here
record what the partner *submitted*, never a running balance."""

from __future__ import annotations

from django.db import models

from kofo.money import Cents


class ClaimStatus(models.TextChoices):
    OPEN = "open", "offen"
    DEFERRED = "deferred", "gestundet"
    SETTLED = "settled", "erledigt"
    CANCELLED = "cancelled", "abgesetzt"
    WITHDRAWN = "withdrawn", "zurückgenommen"


# Claims in these states are no longer enforced.
CLOSED_STATUSES = (ClaimStatus.SETTLED, ClaimStatus.CANCELLED, ClaimStatus.WITHDRAWN)


class Claim(models.Model):
    """One claim of one partner against one debtor, identified by the partner's Kassenzeichen."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="claims")
    agreement = models.ForeignKey("partners.Agreement", on_delete=models.PROTECT, related_name="claims")
    debtor_record = models.ForeignKey(
        "debtors.DebtorRecord",
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name="Schuldnerangabe",
    )
    kassenzeichen = models.CharField("Kassenzeichen", max_length=60)
    claim_type = models.CharField("Forderungsart", max_length=40)
    legal_basis = models.CharField("Rechtsgrundlage", max_length=200, blank=True)
    assessment_date = models.DateField("Bescheiddatum")
    notified_on = models.DateField("bekanntgegeben am", null=True, blank=True)
    due_date = models.DateField("fällig am")
    reminder_date = models.DateField("gemahnt am", null=True, blank=True)
    reminder_deadline = models.DateField("Zahlungsfrist der Mahnung", null=True, blank=True)
    principal_cents = models.BigIntegerField("Hauptforderung (Cent)")
    surcharges_cents = models.BigIntegerField("Säumniszuschläge bisher (Cent)", default=0)
    surcharges_until = models.DateField("Säumniszuschläge berechnet bis", null=True, blank=True)
    reminder_fee_cents = models.BigIntegerField("Mahngebühr (Cent)", default=0)
    prior_costs_cents = models.BigIntegerField("bisherige Kosten (Cent)", default=0)
    requested_measures = models.JSONField("gewünschte Maßnahmen", default=list, blank=True)
    notes = models.TextField("Hinweise", blank=True)
    attachment_sha256 = models.CharField("Anlage (SHA-256)", max_length=64, blank=True)
    status = models.CharField("Status", max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    deferred_until = models.DateField("gestundet bis", null=True, blank=True)
    content_hash = models.CharField("Inhalts-Hash", max_length=64)
    received_at = models.DateTimeField("eingegangen", auto_now_add=True)

    class Meta:
        verbose_name = "Forderung"
        verbose_name_plural = "Forderungen"
        ordering = ["partner", "kassenzeichen"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "kassenzeichen"], name="claim_kassenzeichen_unique"),
            models.CheckConstraint(
                condition=models.Q(principal_cents__gt=0), name="claim_principal_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.kassenzeichen} ({self.partner.key})"

    @property
    def principal(self) -> Cents:
        return Cents(self.principal_cents)

    @property
    def submitted_total(self) -> Cents:
        return Cents(
            self.principal_cents + self.surcharges_cents + self.reminder_fee_cents + self.prior_costs_cents
        )
