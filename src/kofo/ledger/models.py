"""Accounts, transactions and postings of the office's ledger.

Sign convention: a posting's ``amount_cents`` is positive for a debit (Soll) and negative for a credit
(Haben); every transaction's postings sum to zero. An asset account (bank, receivable) therefore has a
positive balance, a liability or income account (partner payable, fee income) a negative one.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from kofo.audit.appendonly import AppendOnlyModel
from kofo.money import Cents


class AccountKind(models.TextChoices):
    RECEIVABLE = "receivable", "Forderung (je Forderungsbestandteil)"
    PARTNER_CLAIMS = "partner_claims", "Übernommene Forderungen des Partners (Gegenkonto)"
    BANK = "bank", "Bankkonto des Amtes"
    PARTNER_PAYABLE = "partner_payable", "Verbindlichkeit gegenüber Partner (Auskehrung)"
    FEE_INCOME = "fee_income", "Gebühren- und Kostenertrag des Amtes"
    REFUND_PAYABLE = "refund_payable", "Erstattungsverbindlichkeit (Überzahlungen)"
    SUSPENSE = "suspense", "Verwahrkonto (nicht zugeordnete Zahlungen)"
    WRITE_OFF = "write_off", "Ausbuchung (Absetzung, Niederschlagung, Erlass)"
    CASH = "cash", "Kasse (Barzahlungen im Außendienst)"
    EXPENSE = "expense", "Aufwand des Amtes (Bankentgelte)"


class Component(models.TextChoices):
    """Components of a claim: principal and ancillary amounts (Haupt- und Nebenforderung)."""

    PRINCIPAL = "principal", "Hauptforderung"
    SURCHARGE = "surcharge", "Säumniszuschläge"
    FEE = "fee", "Gebühren"
    INTEREST = "interest", "Zinsen"
    COST = "cost", "Auslagen und Kosten"


# Which kinds belong to a partner, and which carry a claim component.
PARTNER_KINDS = (AccountKind.RECEIVABLE, AccountKind.PARTNER_CLAIMS, AccountKind.PARTNER_PAYABLE)
COMPONENT_KINDS = (AccountKind.RECEIVABLE,)

reason_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$",
    "Buchungsgrund als Code mit Punkt, z. B. payment.allocation.",
    code="ledger.reason_code_invalid",
)


class Account(models.Model):
    """A ledger account. Accounts are opened by actions and never renamed into something else."""

    code = models.CharField("Kontonummer", max_length=120, unique=True)
    name = models.CharField("Bezeichnung", max_length=200)
    kind = models.CharField("Kontoart", max_length=20, choices=AccountKind.choices, db_index=True)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    component = models.CharField("Bestandteil", max_length=12, choices=Component.choices, blank=True)
    # The business object the account belongs to (e.g. a claim): "app.model" and its id.
    subject_type = models.CharField("Bezugsobjekt-Typ", max_length=100, blank=True)
    subject_id = models.CharField("Bezugsobjekt-ID", max_length=100, blank=True)
    opened_at = models.DateTimeField("eröffnet", auto_now_add=True)

    class Meta:
        verbose_name = "Konto"
        verbose_name_plural = "Konten"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["kind", "partner"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="receivable") | ~Q(component=""), name="receivable_has_component"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Transaction(AppendOnlyModel):
    """A balanced booking of two or more postings. Never changed; corrected by a reversing transaction."""

    booking_date = models.DateField("Buchungstag", db_index=True)
    value_date = models.DateField("Wertstellung", db_index=True)
    reason_code = models.CharField("Buchungsgrund", max_length=60, validators=[reason_code_validator])
    description = models.CharField("Buchungstext", max_length=300)
    object_type = models.CharField("Geschäftsvorfall-Typ", max_length=100, blank=True)
    object_id = models.CharField("Geschäftsvorfall-ID", max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name="storniert Buchung",
    )
    created_at = models.DateTimeField("erfasst", auto_now_add=True)
    created_by = models.CharField("erfasst von", max_length=150)

    class Meta:
        verbose_name = "Buchung"
        verbose_name_plural = "Buchungen"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The remittance run finds payments and their reversals by reason and date.
            models.Index(fields=["reason_code", "value_date"]),
        ]

    def __str__(self) -> str:
        return f"Buchung {self.pk}: {self.description}"


class Posting(AppendOnlyModel):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount_cents = models.BigIntegerField("Betrag (Cent, Soll positiv)")

    class Meta:
        verbose_name = "Buchungszeile"
        verbose_name_plural = "Buchungszeilen"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount_cents=0), name="posting_not_zero")]

    def __str__(self) -> str:
        return f"{self.account.code} {Cents(self.amount_cents)}"

    @property
    def amount(self) -> Cents:
        return Cents(self.amount_cents)
