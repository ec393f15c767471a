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


class Funding(models.TextChoices):
    """Where the money of a payment is: which office account the allocation debits."""

    BANK = "bank", "Bankkonto"
    SUSPENSE = "suspense", "Verwahrkonto (aus einem Klärungsfall)"
    CASH = "cash", "Kasse (Barzahlung)"


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
    funding = models.CharField("Mittel auf", max_length=10, choices=Funding.choices, default=Funding.BANK)
    bank_entry = models.ForeignKey(
        "payments.BankEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by",
        verbose_name="ersetzt (Neuverteilung nach einer Rückbuchung)",
    )  # fmt: skip
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


class ReversalKind(models.TextChoices):
    RETURNED = "returned", "zurückgebucht (Rücklastschrift, Storno der Bank)"
    SUPERSEDED = "superseded", "neu verteilt nach einer früheren Rückbuchung"
    CORRECTED = "corrected", "von Hand berichtigt"


class PaymentReversal(AppendOnlyModel):
    """A payment taken back: its allocation transaction is reversed; the payment row stays as it was."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="reversal")
    kind = models.CharField("Art", max_length=12, choices=ReversalKind.choices)
    reason = models.CharField("Grund", max_length=300)
    on = models.DateField("Wertstellung")
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    bank_entry = models.ForeignKey(
        "payments.BankEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Rückbuchung einer Zahlung"
        verbose_name_plural = "Rückbuchungen von Zahlungen"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: Zahlung {self.payment_id}"


class ImportSource(models.TextChoices):
    UPLOAD = "upload", "Hochladen in der Oberfläche"
    CLI = "cli", "Kommandozeile"
    INBOX = "inbox", "Eingangsordner"


class BankImportStatus(models.TextChoices):
    DONE = "done", "eingelesen"
    REJECTED = "rejected", "abgewiesen (ganze Datei)"


class BankImport(models.Model):
    """One bank file as it arrived (XML or ZIP), archived under its SHA-256; the result of reading it."""

    filename = models.CharField("Dateiname", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size_bytes = models.BigIntegerField("Größe (Byte)")
    source = models.CharField("Eingangsweg", max_length=10, choices=ImportSource.choices)
    status = models.CharField("Status", max_length=10, choices=BankImportStatus.choices)
    error_code = models.CharField("Fehlercode", max_length=60, blank=True)
    error_message = models.TextField("Fehler", blank=True)
    error_line = models.PositiveIntegerField("Zeile", null=True, blank=True)
    statements = models.PositiveIntegerField("Auszüge", default=0)
    entries_new = models.PositiveIntegerField("neue Umsätze", default=0)
    entries_known = models.PositiveIntegerField("bereits eingelesen", default=0)
    entries_pending = models.PositiveIntegerField("vorgemerkt (nicht gebucht)", default=0)
    matched = models.PositiveIntegerField("zugeordnet", default=0)
    clarification = models.PositiveIntegerField("Klärungsfälle", default=0)
    created_by = models.CharField("eingelesen von", max_length=150)
    created_at = models.DateTimeField("eingelesen am", auto_now_add=True)

    class Meta:
        verbose_name = "Kontoauszugsdatei"
        verbose_name_plural = "Kontoauszugsdateien"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%d.%m.%Y})"


class BankStatement(models.Model):
    """One camt.053 statement or camt.054 notification, with its reconciliation."""

    bank_import = models.ForeignKey(BankImport, on_delete=models.PROTECT, related_name="statement_rows")
    kind = models.CharField("Nachricht", max_length=10)
    version = models.CharField("Version", max_length=10)
    message_id = models.CharField("Nachrichten-ID", max_length=35)
    statement_id = models.CharField("Auszugs-ID", max_length=35)
    sequence = models.CharField("Auszugsnummer", max_length=20, blank=True)
    account_iban = models.CharField("Konto (IBAN)", max_length=34)
    opening_cents = models.BigIntegerField("Anfangssaldo (Cent)", null=True, blank=True)
    opening_date = models.DateField("Anfangssaldo am", null=True, blank=True)
    closing_cents = models.BigIntegerField("Endsaldo (Cent)", null=True, blank=True)
    closing_date = models.DateField("Endsaldo am", null=True, blank=True)
    credits_cents = models.BigIntegerField("Gutschriften (Cent)", default=0)
    debits_cents = models.BigIntegerField("Belastungen (Cent)", default=0)
    entries = models.PositiveIntegerField("Umsätze", default=0)
    #: opening + credits − debits − closing; 0 when the statement is consistent.
    difference_cents = models.BigIntegerField("Abweichung im Auszug (Cent)", null=True, blank=True)
    #: closing balance − the ledger's bank account at the closing date (after this import).
    ledger_difference_cents = models.BigIntegerField(
        "Abweichung zur Buchhaltung (Cent)", null=True, blank=True
    )
    created_at = models.DateTimeField("eingelesen am", auto_now_add=True)

    class Meta:
        verbose_name = "Kontoauszug"
        verbose_name_plural = "Kontoauszüge"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "kind", "statement_id"], name="bank_statement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.statement_id}"


class EntryKind(models.TextChoices):
    CREDIT = "credit", "Gutschrift"
    REVERSAL = "reversal", "Storno einer Gutschrift"
    RETURN = "return", "Rücklastschrift"
    OUTGOING = "outgoing", "eigene Überweisung"
    COLLECTION = "collection", "Lastschrifteinzug"
    CHARGES = "charges", "Bankentgelt"
    OTHER = "other", "sonstige Buchung"


class EntryOutcome(models.TextChoices):
    MATCHED = "matched", "zugeordnet"
    CLARIFICATION = "clarification", "Klärungsfall"
    REVERSED = "reversed", "Zahlung zurückgebucht"
    BOOKED = "booked", "gebucht"
    INFO = "info", "nur zur Information (nicht gebucht)"


class BankEntry(models.Model):
    """One booking of the bank (a transaction detail of a camt entry), booked once whatever file brings it.

    ``bank_key`` identifies it across files: the account, the bank's reference and the detail's position,
    so the camt.054 notification and the later camt.053 statement of the same booking are one entry.
    """

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="entry_rows")
    bank_key = models.CharField("Schlüssel", max_length=120, unique=True)
    position = models.PositiveIntegerField("Position im Auszug")
    kind = models.CharField("Art", max_length=12, choices=EntryKind.choices)
    outcome = models.CharField("Ergebnis", max_length=14, choices=EntryOutcome.choices)
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    credit = models.BooleanField("Gutschrift")
    booking_date = models.DateField("Buchungstag")
    value_date = models.DateField("Wertstellung")
    payer_name = models.CharField("Name", max_length=140, blank=True)
    payer_iban = models.CharField("IBAN", max_length=34, blank=True)
    remittance = models.CharField("Verwendungszweck", max_length=500, blank=True)
    structured_reference = models.CharField("Referenz", max_length=35, blank=True)
    end_to_end_id = models.CharField("Ende-zu-Ende-Referenz", max_length=35, blank=True)
    mandate_id = models.CharField("Mandatsreferenz", max_length=35, blank=True)
    return_reason = models.CharField("Rückgabegrund", max_length=4, blank=True)
    bank_tx_code = models.CharField("Geschäftsvorfall", max_length=40, blank=True)
    bank_reference = models.CharField("Referenz der Bank", max_length=60, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="bank_entries"
    )
    match_rule = models.CharField("zugeordnet über", max_length=30, blank=True)
    transaction = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("eingelesen am", auto_now_add=True)

    class Meta:
        verbose_name = "Bankumsatz"
        verbose_name_plural = "Bankumsätze"
        ordering = ["-booking_date", "-id"]
        indexes = [
            models.Index(fields=["end_to_end_id"]),
            models.Index(fields=["outcome", "booking_date"]),
        ]

    def __str__(self) -> str:
        sign = "+" if self.credit else "−"
        return f"{self.booking_date} {sign}{Cents(self.amount_cents)} {self.payer_name}"


class ClarificationStatus(models.TextChoices):
    OPEN = "open", "offen"
    ASSIGNED = "assigned", "zugeordnet"
    RETURNED = "returned", "an den Einzahler zurück"
    BOOKED = "booked", "ausgebucht"


class Clarification(models.Model):
    """Klärungsfall: money the import could not assign with certainty; it waits on the suspense account."""

    entry = models.OneToOneField(BankEntry, on_delete=models.PROTECT, related_name="clarification")
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    open_cents = models.BigIntegerField("noch offen (Cent)")
    reason = models.CharField("Grund", max_length=300)
    suggestions = models.JSONField("Vorschläge", default=list, blank=True)
    status = models.CharField(
        "Status", max_length=10, choices=ClarificationStatus.choices, default=ClarificationStatus.OPEN
    )
    created_on = models.DateField("seit")
    resolved_on = models.DateField("erledigt am", null=True, blank=True)
    resolved_by = models.CharField("erledigt von", max_length=150, blank=True)
    note = models.CharField("Vermerk", max_length=500, blank=True)

    class Meta:
        verbose_name = "Klärungsfall"
        verbose_name_plural = "Klärungsfälle"
        ordering = ["created_on", "id"]
        indexes = [models.Index(fields=["status", "created_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_cents__gte=0) & models.Q(open_cents__lte=models.F("amount_cents")),
                name="clarification_open_range",
            )
        ]

    def __str__(self) -> str:
        return f"Klärungsfall {self.pk}: {Cents(self.open_cents)}"


class RefundStatus(models.TextChoices):
    PROPOSED = "proposed", "vorgeschlagen"
    APPROVED = "approved", "freigegeben"
    PAID = "paid", "ausgezahlt"
    CANCELLED = "cancelled", "verworfen"


class Refund(models.Model):
    """Money the office owes back to a payer (overpayment, a payment that was not meant for it)."""

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    clarification = models.ForeignKey(
        Clarification, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    name = models.CharField("Empfänger", max_length=140)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    reason = models.CharField("Grund", max_length=300)
    status = models.CharField(
        "Status", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PROPOSED
    )
    created_on = models.DateField("angelegt am")
    remittance_run = models.ForeignKey(
        "payments.RemittanceRun", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )

    class Meta:
        verbose_name = "Erstattung"
        verbose_name_plural = "Erstattungen"
        ordering = ["-created_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="refund_positive")]

    def __str__(self) -> str:
        return f"Erstattung {Cents(self.amount_cents)} an {self.name}"


class RemittanceRun(models.Model):
    """Auskehrungslauf: numbered; pays each partner its payable up to a date, in one pain.001 file."""

    number = models.PositiveIntegerField("Lauf", unique=True)
    until = models.DateField("Zahlungen bis")
    execution_date = models.DateField("Ausführung am")
    message_id = models.CharField("Nachrichten-ID", max_length=35, unique=True)
    sha256 = models.CharField("SHA-256 der SEPA-Datei", max_length=64, blank=True)
    total_cents = models.BigIntegerField("Summe (Cent)", default=0)
    transfers = models.PositiveIntegerField("Überweisungen", default=0)
    created_by = models.CharField("erstellt von", max_length=150)
    created_at = models.DateTimeField("erstellt am", auto_now_add=True)

    class Meta:
        verbose_name = "Auskehrungslauf"
        verbose_name_plural = "Auskehrungsläufe"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Auskehrungslauf {self.number} bis {self.until:%d.%m.%Y}"


class Remittance(models.Model):
    """Auskehrung an einen Partner in einem Lauf, mit Abrechnung (CSV und JSON im Archiv)."""

    run = models.ForeignKey(RemittanceRun, on_delete=models.PROTECT, related_name="remittances")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="remittances")
    amount_cents = models.BigIntegerField("ausgezahlt (Cent)")
    collected_cents = models.BigIntegerField("vereinnahmt (Cent)")
    retained_cents = models.BigIntegerField("einbehaltene Kosten (Cent)", default=0)
    end_to_end_id = models.CharField("Ende-zu-Ende-Referenz", max_length=35)
    statement_json_sha256 = models.CharField(max_length=64)
    statement_csv_sha256 = models.CharField(max_length=64)
    transaction = models.ForeignKey(
        "ledger.Transaction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Auskehrung"
        verbose_name_plural = "Auskehrungen"
        ordering = ["run", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "partner"], name="remittance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run} – {self.partner}: {Cents(self.amount_cents)}"


class RemittedPosting(models.Model):
    """A receivable posting paid out in a remittance: each one appears in exactly one statement."""

    posting = models.OneToOneField("ledger.Posting", on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="postings")

    class Meta:
        verbose_name = "ausgekehrte Buchung"
        verbose_name_plural = "ausgekehrte Buchungen"

    def __str__(self) -> str:
        return f"Buchung {self.posting_id} in {self.remittance_id}"


class CollectionRun(models.Model):
    """Lastschrifteinzug: the instalments due with a SEPA mandate, in one pain.008.001.08 file."""

    number = models.PositiveIntegerField("Lauf", unique=True)
    collection_date = models.DateField("Fälligkeitstag des Einzugs")
    message_id = models.CharField("Nachrichten-ID", max_length=35, unique=True)
    sha256 = models.CharField("SHA-256 der SEPA-Datei", max_length=64, blank=True)
    total_cents = models.BigIntegerField("Summe (Cent)", default=0)
    debits = models.PositiveIntegerField("Lastschriften", default=0)
    created_by = models.CharField("erstellt von", max_length=150)
    created_at = models.DateTimeField("erstellt am", auto_now_add=True)

    class Meta:
        verbose_name = "Lastschriftlauf"
        verbose_name_plural = "Lastschriftläufe"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Lastschriftlauf {self.number} zum {self.collection_date:%d.%m.%Y}"


class Collection(models.Model):
    """One instalment collected by direct debit (once: the instalment is unique here)."""

    run = models.ForeignKey(CollectionRun, on_delete=models.PROTECT, related_name="collections")
    instalment = models.OneToOneField("cases.Instalment", on_delete=models.PROTECT, related_name="collection")
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    end_to_end_id = models.CharField("Ende-zu-Ende-Referenz", max_length=35, unique=True)
    mandate_id = models.CharField("Mandatsreferenz", max_length=35)
    sequence = models.CharField("Sequenz", max_length=4)

    class Meta:
        verbose_name = "Lastschrift"
        verbose_name_plural = "Lastschriften"
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return f"{self.end_to_end_id}: {Cents(self.amount_cents)}"


class CashReceipt(AppendOnlyModel):
    """Quittung of the field service: numbered without gaps per year, the cash booked to the cash account."""

    number = models.CharField("Quittungsnummer", max_length=20, unique=True)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="cash_receipt")
    received_on = models.DateField("erhalten am")
    payer = models.CharField("Einzahler", max_length=200)
    officer = models.CharField("Vollziehungsbeamter", max_length=150)
    created_at = models.DateTimeField("erfasst", default=timezone.now)

    class Meta:
        verbose_name = "Quittung"
        verbose_name_plural = "Quittungen"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Quittung {self.number}"
