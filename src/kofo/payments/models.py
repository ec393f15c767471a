"""Payments received for a debtor file and where each euro went (issue 5 builds bank import on this)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from kofo.audit.appendonly import AppendOnlyModel
from kofo.money import Cents


class PaymentSource(models.TextChoices):
    DEBTOR = "debtor", "Zahlung des Schuldners"
    THIRD_PARTY = "third_party", "Zahlung eines Drittschuldners (Pfändung)"
    FIELD = "field", "Zahlung im Außendienst"


class Payment(AppendOnlyModel):
    """Money received for one debtor file, allocated at once (§ 225 AO; the office's policy)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="payments")
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    received_on = models.DateField("eingegangen am")
    source = models.CharField("Herkunft", max_length=12, choices=PaymentSource.choices)
    measure = models.ForeignKey(
        "cases.Measure", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    payer = models.CharField("Einzahler", max_length=200, blank=True)
    reference = models.CharField("Verwendungszweck", max_length=300, blank=True)
    designation = models.JSONField("Tilgungsbestimmung", default=list, blank=True)
    derivation = models.JSONField("Herleitung der Verteilung", default=list)
    leftover_cents = models.BigIntegerField("Überzahlung (Cent)", default=0)
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Zahlung"
        verbose_name_plural = "Zahlungen"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{Cents(self.amount_cents)} am {self.received_on}"


class PaymentAllocation(AppendOnlyModel):
    """One part of a payment put on one claim component (``claim`` empty: the office's own fees/costs)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    claim = models.ForeignKey(
        "cases.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    component = models.CharField("Bestandteil", max_length=12)
    amount_cents = models.BigIntegerField("Betrag (Cent)")

    class Meta:
        verbose_name = "Verteilung einer Zahlung"
        verbose_name_plural = "Verteilungen von Zahlungen"
        ordering = ["payment", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.component} {Cents(self.amount_cents)}"
