"""Claims handed over by partners (Forderungen). Their amounts live in the ledger: each component
(principal, surcharges, fees, interest, costs) is a receivable sub-account of the claim; the fields here
record what the partner *submitted*, never a running balance."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kofo.audit.appendonly import AppendOnlyModel
from kofo.cases.references import fold_reference, payment_reference
from kofo.money import Cents


class ClaimStatus(models.TextChoices):
    OPEN = "open", "offen"
    DEFERRED = "deferred", "gestundet"
    SETTLED = "settled", "erledigt"
    CANCELLED = "cancelled", "abgesetzt"
    WITHDRAWN = "withdrawn", "zurückgenommen"
    TIME_BARRED = "time_barred", "verjährt"
    RETURNED = "returned", "an den Partner zurückgegeben"
    REMITTED = "remitted", "erlassen"


# Claims in these states are no longer enforced.
CLOSED_STATUSES = (
    ClaimStatus.SETTLED,
    ClaimStatus.CANCELLED,
    ClaimStatus.WITHDRAWN,
    ClaimStatus.REMITTED,
    ClaimStatus.TIME_BARRED,
    ClaimStatus.RETURNED,
)

#: Claim types on which Säumniszuschläge accrue by default: taxes (§ 240 AO) and the municipal levies whose
#: Kommunalabgabengesetz applies § 240 AO (in the Saarland by the KAG's reference to the AO). Fines, coercive fines
#: (OWiG, § 329 AO), repayment claims and other claims carry no Säumniszuschlag; for them a partner that
#: submits surcharges (``surcharges_until``) shows the claim carries them, and the office follows it.
SURCHARGE_CLAIM_TYPES = frozenset(
    {"grundsteuer", "gewerbesteuer", "hundesteuer", "abfallgebuehren", "abwassergebuehren", "beitraege"}
)


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
    #: The Kassenzeichen folded for tolerant matching of bank transfers (:func:`references.fold_reference`).
    reference_key = models.CharField("Suchschlüssel Kassenzeichen", max_length=60, db_index=True, blank=True)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.reference_key = fold_reference(self.kassenzeichen)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "kassenzeichen" in update_fields:
            kwargs["update_fields"] = {*update_fields, "reference_key"}
        super().save(*args, **kwargs)

    @property
    def principal(self) -> Cents:
        return Cents(self.principal_cents)

    @property
    def carries_surcharges(self) -> bool:
        """Whether Säumniszuschläge accrue on the claim (see :data:`SURCHARGE_CLAIM_TYPES`)."""
        return self.claim_type in SURCHARGE_CLAIM_TYPES or self.surcharges_until is not None

    @property
    def submitted_total(self) -> Cents:
        return Cents(
            self.principal_cents + self.surcharges_cents + self.reminder_fee_cents + self.prior_costs_cents
        )


# --- Debtor files (Schuldnerakten) ------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    OPEN = "open", "in Bearbeitung"
    SUSPENDED = "suspended", "zurückgestellt"
    CLOSED = "closed", "abgeschlossen"


class CaseCloseReason(models.TextChoices):
    PAID = "paid", "bezahlt"
    NOTHING_OPEN = "nothing_open", "keine offene Forderung mehr"
    TIME_BARRED = "time_barred", "verjährt"
    WITHDRAWN = "withdrawn", "zurückgenommen"
    MERGED = "merged", "mit anderer Akte zusammengeführt"
    RETURNED = "returned", "an die Partner zurückgegeben"
    REMITTED = "remitted", "erlassen (§ 227 AO)"


class Case(models.Model):
    """The debtor file: every claim of every partner against one debtor, worked as one.

    Claims belong to a case through their debtor record (``Claim.debtor_record.debtor``); when two
    debtors are merged, the surviving debtor's file takes over and the other is closed as ``merged``.
    """

    number = models.CharField("Aktenzeichen", max_length=20, unique=True)
    debtor = models.OneToOneField(
        "debtors.Debtor", on_delete=models.PROTECT, related_name="case", verbose_name="Schuldner"
    )
    status = models.CharField("Status", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name="Sachbearbeitung",
    )
    assignment_reason = models.CharField("Zuständigkeit nach", max_length=200, blank=True)
    opened_on = models.DateField("angelegt am")
    review_on = models.DateField("Wiedervorlage der Zurückstellung", null=True, blank=True)
    closed_on = models.DateField("abgeschlossen am", null=True, blank=True)
    close_reason = models.CharField(
        "Abschlussgrund", max_length=14, choices=CaseCloseReason.choices, blank=True
    )

    class Meta:
        verbose_name = "Schuldnerakte"
        verbose_name_plural = "Schuldnerakten"
        ordering = ["number"]
        indexes = [models.Index(fields=["status", "caseworker"]), models.Index(fields=["review_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def payment_reference(self) -> str:
        """The ISO 11649 reference printed on every letter asking for payment (``RF69VA000123``)."""
        return payment_reference(self.number)


class AssignmentRuleKind(models.TextChoices):
    ALPHABET = "alphabet", "Anfangsbuchstabe des Namens"
    POSTCODE = "postcode", "Postleitzahlbereich"
    WORKLOAD = "workload", "geringste Zahl offener Akten"


class AssignmentRule(models.Model):
    """Who works a new debtor file: the first matching active rule by ``priority`` decides.

    ``alphabet``: the debtor's (sur)name starts with a letter from ``value_from`` to ``value_to``
    (umlauts as their base letter); ``postcode``: the postcode starts with ``value_from``, or lies between
    ``value_from`` and ``value_to``; ``workload``: the caseworker among the rule's group with the fewest
    open files — rules of this kind with the same priority form the group.
    """

    kind = models.CharField("Art", max_length=10, choices=AssignmentRuleKind.choices)
    value_from = models.CharField("von", max_length=10, blank=True)
    value_to = models.CharField("bis", max_length=10, blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="Sachbearbeitung"
    )
    priority = models.PositiveIntegerField("Rang", default=100)
    active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "Zuständigkeitsregel"
        verbose_name_plural = "Zuständigkeitsregeln"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value_from}–{self.value_to}".strip("– ")


class CaseNote(AppendOnlyModel):
    """A caseworker's note in the file (never edited: a correction is a new note)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.CharField("verfasst von", max_length=150)
    text = models.TextField("Vermerk")
    created_at = models.DateTimeField("angelegt", default=timezone.now)

    class Meta:
        verbose_name = "Aktenvermerk"
        verbose_name_plural = "Aktenvermerke"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.text[:40]}"


class FollowUpKind(models.TextChoices):
    MANUAL = "manual", "Wiedervorlage"
    PROPOSAL = "proposal", "Vorschlag der Strategie"
    DEADLINE = "deadline", "Frist einer Maßnahme"
    REVIEW = "review", "Prüfung der Zurückstellung"
    LIMITATION = "limitation", "Verjährung droht"
    DEFERRAL_ENDS = "deferral_ends", "Stundung endet"


class FollowUp(models.Model):
    """Wiedervorlage: the file comes back to the caseworker on ``due_on`` for ``reason``.

    System follow-ups carry a ``key`` so that the daily run creates each only once (idempotent).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField("Art", max_length=14, choices=FollowUpKind.choices, default=FollowUpKind.MANUAL)
    key = models.CharField(max_length=80, blank=True)
    due_on = models.DateField("fällig am")
    reason = models.CharField("Anlass", max_length=300)
    created_by = models.CharField("angelegt von", max_length=150)
    created_at = models.DateTimeField("angelegt", default=timezone.now)
    done_at = models.DateTimeField("erledigt am", null=True, blank=True)
    done_by = models.CharField("erledigt von", max_length=150, blank=True)

    class Meta:
        verbose_name = "Wiedervorlage"
        verbose_name_plural = "Wiedervorlagen"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "key"], condition=~models.Q(key=""), name="follow_up_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.due_on}: {self.reason}"


class SurchargeAccrual(AppendOnlyModel):
    """One Säumniszuschlag (§ 240 AO) booked on a claim: month ``month_index`` of the delay.

    The unique key (claim, month) makes the daily accrual idempotent: a month is booked once, whenever
    and however often the run for a date is repeated.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="surcharge_accruals")
    month_index = models.PositiveIntegerField("Säumnismonat")
    starts_on = models.DateField("entstanden am")
    base_cents = models.BigIntegerField("Bemessungsgrundlage (Cent)")
    amount_cents = models.BigIntegerField("Säumniszuschlag (Cent)")
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "Säumniszuschlag"
        verbose_name_plural = "Säumniszuschläge"
        ordering = ["claim", "month_index"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "month_index"], name="surcharge_accrual_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} Monat {self.month_index}: {Cents(self.amount_cents)}"


# --- the daily run ----------------------------------------------------------------------------------------


class SurchargeCorrection(AppendOnlyModel):
    """A booked Säumniszuschlag corrected afterwards: a payment it was computed on was taken back.

    A returned direct debit or reversed transfer counts as never made, so the months that began while it
    stood are owed on the higher base; the difference is booked here (positive: more surcharge).
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="surcharge_corrections")
    month_index = models.PositiveIntegerField("Säumnismonat")
    base_cents = models.BigIntegerField("richtige Bemessungsgrundlage (Cent)")
    amount_cents = models.BigIntegerField("Berichtigung (Cent)")
    reason = models.CharField("Grund", max_length=200)
    transaction = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "Berichtigung eines Säumniszuschlags"
        verbose_name_plural = "Berichtigungen von Säumniszuschlägen"
        ordering = ["claim", "month_index", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} Monat {self.month_index}: {Cents(self.amount_cents)}"


class DailyRunStatus(models.TextChoices):
    RUNNING = "running", "läuft"
    DONE = "done", "abgeschlossen"


class DailyRun(models.Model):
    """The daily run for one date: planned once, its batches worked by any number of workers."""

    run_date = models.DateField("Stichtag", unique=True)
    status = models.CharField(max_length=10, choices=DailyRunStatus.choices, default=DailyRunStatus.RUNNING)
    started_at = models.DateTimeField("begonnen", default=timezone.now)
    finished_at = models.DateTimeField("beendet", null=True, blank=True)
    batches_total = models.PositiveIntegerField("Pakete", default=0)
    summary = models.JSONField("Ergebnis", default=dict)

    class Meta:
        verbose_name = "Tageslauf"
        verbose_name_plural = "Tagesläufe"
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"Tageslauf {self.run_date}"


class DailyRunBatch(models.Model):
    """One bounded unit of work: the debtor files with ids from ``first_case_id`` to ``last_case_id``."""

    run = models.ForeignKey(DailyRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField("Paket")
    first_case_id = models.BigIntegerField()
    last_case_id = models.BigIntegerField()
    cases = models.PositiveIntegerField("Akten")
    done_at = models.DateTimeField("erledigt", null=True, blank=True)
    worker = models.CharField("bearbeitet von", max_length=120, blank=True)
    leased_until = models.DateTimeField("reserviert bis", null=True, blank=True)
    result = models.JSONField("Ergebnis", default=dict)

    class Meta:
        verbose_name = "Paket des Tageslaufs"
        verbose_name_plural = "Pakete des Tageslaufs"
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="daily_batch_unique")]

    def __str__(self) -> str:
        return f"{self.run} Paket {self.number}"


# --- measures ---------------------------------------------------------------------------------------------


class ThirdPartyKind(models.TextChoices):
    BANK = "bank", "Kreditinstitut"
    EMPLOYER = "employer", "Arbeitgeber"
    PENSION = "pension", "Rentenversicherungsträger"
    OTHER = "other", "sonstiger Drittschuldner"


class ThirdParty(models.Model):
    """A third-party debtor (Drittschuldner): a bank (by BIC), an employer, a pension insurer …"""

    kind = models.CharField("Art", max_length=10, choices=ThirdPartyKind.choices)
    name = models.CharField("Name", max_length=200)
    bic = models.CharField("BIC", max_length=11, blank=True, db_index=True)
    street = models.CharField("Straße und Hausnummer", max_length=160, blank=True)
    postcode = models.CharField("PLZ", max_length=10, blank=True)
    city = models.CharField("Ort", max_length=80, blank=True)
    email = models.EmailField("E-Mail", blank=True)

    class Meta:
        verbose_name = "Drittschuldner"
        verbose_name_plural = "Drittschuldner"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "bic"], condition=~models.Q(bic=""), name="third_party_bic_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MeasureKind(models.TextChoices):
    ZAHLUNGSAUFFORDERUNG = "zahlungsaufforderung", "Zahlungsaufforderung mit Vollstreckungsankündigung"
    AUFENTHALTSERMITTLUNG = "aufenthaltsermittlung", "Anfrage beim Einwohnermeldeamt"
    PFEV_BANK = "pfev_bank", "Pfändung eines Kontos (PfEV Bank)"
    PFEV_LOHN = "pfev_lohn", "Pfändung von Arbeitseinkommen (PfEV Arbeitgeber)"
    PFEV_RENTE = "pfev_rente", "Pfändung der Rente (PfEV Rentenversicherung)"
    VERMOEGENSAUSKUNFT = "vermoegensauskunft", "Vermögensauskunft"
    SCHULDNERVERZEICHNIS = "schuldnerverzeichnis", "Eintragungsanordnung Schuldnerverzeichnis"
    KONTENABRUF = "kontenabruf", "Kontenabrufersuchen"
    AUSSENDIENST = "aussendienst", "Vollstreckungsauftrag an den Außendienst"
    RATENZAHLUNG = "ratenzahlung", "Ratenzahlung (Vollstreckungsaufschub)"
    NIEDERSCHLAGUNG = "niederschlagung", "Niederschlagung"
    RUECKGABE = "rueckgabe", "Rückgabe an den Partner"


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", "vorgeschlagen"
    ACTIVE = "active", "laufend"
    DONE = "done", "erledigt"
    FAILED = "failed", "erfolglos"
    CANCELLED = "cancelled", "verworfen"


#: Measures in these states are finished.
MEASURE_FINISHED = (MeasureStatus.DONE, MeasureStatus.FAILED, MeasureStatus.CANCELLED)


class Measure(models.Model):
    """One enforcement measure in a debtor file, with its clocks.

    ``deadline_on``/``deadline_kind`` is the clock that runs now (payment period, declaration of the third
    party, payout hold, summons date …); the daily run acts when it has passed. ``key`` makes a proposal
    unique (the strategy proposes each measure once).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField("Maßnahme", max_length=24, choices=MeasureKind.choices)
    status = models.CharField(
        "Status", max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PROPOSED
    )
    key = models.CharField(max_length=80, blank=True)
    reason = models.CharField("Begründung", max_length=500, blank=True)
    proposed_by = models.CharField("vorgeschlagen von", max_length=150, blank=True)
    third_party = models.ForeignKey(
        ThirdParty, null=True, blank=True, on_delete=models.PROTECT, related_name="measures"
    )
    claims: models.ManyToManyField[Claim, MeasureClaim] = models.ManyToManyField(
        Claim, through="MeasureClaim", related_name="measures"
    )
    amount_cents = models.BigIntegerField("Betrag der Maßnahme (Cent)", default=0)
    created_on = models.DateField("angelegt am")
    executed_on = models.DateField("ausgeführt am", null=True, blank=True)
    served_on = models.DateField("zugestellt am", null=True, blank=True)
    deadline_on = models.DateField("Frist bis", null=True, blank=True)
    deadline_kind = models.CharField("Frist", max_length=40, blank=True)
    payout_hold_until = models.DateField("Auszahlungssperre bis", null=True, blank=True)
    stage = models.CharField("Stand", max_length=120, blank=True)
    result = models.JSONField("Ergebnis", default=dict, blank=True)
    fee_cents = models.BigIntegerField("Gebühren (Cent)", default=0)
    effort_units = models.DecimalField("Aufwandseinheiten", max_digits=8, decimal_places=2, default=0)
    finished_on = models.DateField("abgeschlossen am", null=True, blank=True)

    class Meta:
        verbose_name = "Vollstreckungsmaßnahme"
        verbose_name_plural = "Vollstreckungsmaßnahmen"
        ordering = ["case", "-created_on", "-id"]
        indexes = [models.Index(fields=["status", "deadline_on"]), models.Index(fields=["kind", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "key"], condition=~models.Q(key=""), name="measure_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case.number})"


class MeasureClaim(models.Model):
    """A claim a measure enforces, with its open amount when the measure was taken."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="claim_links")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="measure_links")
    amount_cents = models.BigIntegerField("offen bei Ausführung (Cent)", default=0)

    class Meta:
        verbose_name = "Forderung einer Maßnahme"
        verbose_name_plural = "Forderungen einer Maßnahme"
        constraints = [models.UniqueConstraint(fields=["measure", "claim"], name="measure_claim_unique")]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.claim_id}"


class CaseThirdParty(models.Model):
    """A third party known to owe the debtor (the bank of a known IBAN, an employer from a disclosure …)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="third_party_links")
    third_party = models.ForeignKey(ThirdParty, on_delete=models.PROTECT, related_name="case_links")
    source = models.CharField("Quelle", max_length=200)
    noted_on = models.DateField("bekannt seit")
    iban = models.CharField("IBAN des Schuldners", max_length=34, blank=True)

    class Meta:
        verbose_name = "bekannter Drittschuldner"
        verbose_name_plural = "bekannte Drittschuldner"
        constraints = [
            models.UniqueConstraint(fields=["case", "third_party"], name="case_third_party_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.third_party}"


def default_automatic_kinds() -> list[str]:
    """By default the daily run sends the payment demand unattended; everything else is proposed."""
    return ["zahlungsaufforderung"]


class StrategySettings(models.Model):
    """The office's rules of proportionality and automation for the strategy (one row, editable)."""

    field_min_amount_cents = models.BigIntegerField(
        "kein Außendienst unter (Cent)", default=10_000,
        help_text="Unter diesem offenen Betrag schlägt die Strategie keinen Vollstreckungsauftrag vor.",
    )  # fmt: skip
    small_amount_cents = models.BigIntegerField(
        "Kleinbetrag (Cent)", default=3_600,
        help_text="Offene Beträge darunter werden nach erfolglosen Schreibtischmaßnahmen zur Niederschlagung vorgeschlagen.",
    )  # fmt: skip
    pkonto_recent_months = models.PositiveIntegerField(
        "P-Konto-Sperre (Monate)", default=6,
        help_text="Keine neue Kontopfändung bei derselben Bank, wenn eine Erklärung in diesen Monaten ein P-Konto ohne Überschuss zeigte.",
    )  # fmt: skip
    demand_repeat_months = models.PositiveIntegerField("neue Zahlungsaufforderung nach (Monaten)", default=12)
    niederschlagung_review_months = models.PositiveIntegerField(
        "Wiedervorlage nach Niederschlagung (Monate)", default=12
    )
    instalment_grace_days = models.PositiveIntegerField(
        "Karenz bei Ratenzahlung (Tage)", default=14,
        help_text="Eine Rate gilt als versäumt, wenn sie so viele Tage nach Fälligkeit nicht bezahlt ist; dann wird die Ratenzahlung widerrufen.",
    )  # fmt: skip
    instalment_months_max = models.PositiveIntegerField(
        "längste Ratenzahlung ohne Begründung (Monate)", default=12,
        help_text="§ 258 AO: in der Regel bis zu 12 Monate; länger nur mit Begründung, nie über 60 Monate.",
    )  # fmt: skip
    automatic_kinds = models.JSONField(
        "automatisch ausgeführte Maßnahmen", default=default_automatic_kinds, blank=True,
        help_text="Maßnahmearten, die der Tageslauf ohne Sachbearbeitung ausführt, z. B. [\"zahlungsaufforderung\"].",
    )  # fmt: skip

    class Meta:
        verbose_name = "Strategie-Einstellungen"
        verbose_name_plural = "Strategie-Einstellungen"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="strategy_settings_singleton")]

    def __str__(self) -> str:
        return "Strategie-Einstellungen"

    @classmethod
    def current(cls) -> StrategySettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class EffortRate(models.Model):
    """Effort units a measure kind costs (for partner billing); kinds without a row use the defaults."""

    kind = models.CharField("Maßnahme", max_length=24, choices=MeasureKind.choices, unique=True)
    units = models.DecimalField("Aufwandseinheiten", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "Aufwandssatz"
        verbose_name_plural = "Aufwandssätze"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.units}"


class InstalmentPlanStatus(models.TextChoices):
    ACTIVE = "active", "läuft"
    COMPLETED = "completed", "erfüllt"
    REVOKED = "revoked", "widerrufen"


class InstalmentPlan(models.Model):
    """Ratenzahlung as Vollstreckungsaufschub (§ 258 AO): a schedule; surcharges keep running."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="instalment_plans")
    measure = models.OneToOneField(Measure, on_delete=models.PROTECT, related_name="instalment_plan")
    status = models.CharField(
        "Status", max_length=10, choices=InstalmentPlanStatus.choices, default=InstalmentPlanStatus.ACTIVE
    )
    total_cents = models.BigIntegerField("Gesamtbetrag bei Vereinbarung (Cent)")
    instalment_cents = models.BigIntegerField("Rate (Cent)")
    first_due_on = models.DateField("erste Rate am")
    grace_days = models.PositiveIntegerField("Karenz (Tage)")
    iban = models.CharField("IBAN für Lastschrift", max_length=34, blank=True)
    mandate_reference = models.CharField("Mandatsreferenz", max_length=35, blank=True)
    agreed_on = models.DateField("vereinbart am")
    ended_on = models.DateField("beendet am", null=True, blank=True)

    class Meta:
        verbose_name = "Ratenzahlung"
        verbose_name_plural = "Ratenzahlungen"
        ordering = ["case", "-agreed_on"]

    def __str__(self) -> str:
        return f"Ratenzahlung {self.case.number}: {Cents(self.instalment_cents)}"


class InstalmentStatus(models.TextChoices):
    OPEN = "open", "offen"
    PAID = "paid", "bezahlt"
    MISSED = "missed", "versäumt"


class Instalment(models.Model):
    plan = models.ForeignKey(InstalmentPlan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveIntegerField("Rate")
    due_on = models.DateField("fällig am")
    amount_cents = models.BigIntegerField("Betrag (Cent)")
    paid_cents = models.BigIntegerField("bezahlt (Cent)", default=0)
    status = models.CharField(
        "Status", max_length=8, choices=InstalmentStatus.choices, default=InstalmentStatus.OPEN
    )
    paid_on = models.DateField("bezahlt am", null=True, blank=True)

    class Meta:
        verbose_name = "Rate"
        verbose_name_plural = "Raten"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="instalment_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. Rate {self.due_on}: {Cents(self.amount_cents)}"
