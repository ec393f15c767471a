"""Partner (creditor), Agreement (Kooperationsvereinbarung, § 29 Abs. 3a SVwVG), the office, users, tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from kofo.law.deadlines import DEFAULT_LAND
from kofo.money import Cents
from kofo.partners.validators import (
    validate_ags,
    validate_bic,
    validate_creditor_id,
    validate_iban,
    validate_postcode,
)

key_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$",
    "Kurzname: 3–50 Kleinbuchstaben, Ziffern oder Bindestriche, z. B. gemeinde-wadgassen.",
    code="key.invalid",
)


class PartnerKind(models.TextChoices):
    LAND = "land", "Land"
    LANDKREIS = "landkreis", "Landkreis"
    GEMEINDE = "gemeinde", "Gemeinde"
    ZWECKVERBAND = "zweckverband", "Zweckverband"
    ANSTALT = "anstalt", "Anstalt des öffentlichen Rechts"
    STIFTUNG = "stiftung", "Stiftung des öffentlichen Rechts"
    SONSTIGE = "sonstige", "sonstige Körperschaft"


# Partners for which an Amtlicher Gemeindeschlüssel exists.
KINDS_WITH_AGS = (PartnerKind.LAND, PartnerKind.LANDKREIS, PartnerKind.GEMEINDE)


class Address(models.Model):
    street = models.CharField("Straße und Hausnummer", max_length=120)
    postcode = models.CharField("PLZ", max_length=5, validators=[validate_postcode])
    city = models.CharField("Ort", max_length=80)

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        return [self.street, f"{self.postcode} {self.city}"]


class Partner(Address):
    """A public creditor that hands claims over to the office (Gläubiger, Kooperationspartner)."""

    key = models.CharField("Kurzname", max_length=50, unique=True, validators=[key_validator])
    name = models.CharField("Name", max_length=200)
    kind = models.CharField("Art", max_length=20, choices=PartnerKind.choices)
    ags = models.CharField("Amtlicher Gemeindeschlüssel", max_length=8, blank=True, validators=[validate_ags])
    iban = models.CharField("IBAN für Auskehrungen", max_length=34, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validate_bic])
    account_holder = models.CharField("Kontoinhaber", max_length=140)
    contact_name = models.CharField("Ansprechperson", max_length=120, blank=True)
    contact_email = models.EmailField("E-Mail", blank=True)
    contact_phone = models.CharField("Telefon", max_length=40, blank=True)
    active = models.BooleanField("aktiv", default=True)
    created_at = models.DateTimeField("angelegt", auto_now_add=True)

    class Meta:
        verbose_name = "Kooperationspartner"
        verbose_name_plural = "Kooperationspartner"
        ordering = ["name"]
        permissions = [
            ("view_own_partner", "Eigene Partnerdaten sehen (Partner-Portal)"),
            ("use_calculators", "Rechner (Pfändung, Säumniszuschlag, Fristen) benutzen"),
        ]

    def __str__(self) -> str:
        return self.name

    def current_agreement(self, on: dt.date | None = None) -> Agreement | None:
        day = on or dt.date.today()
        return (
            self.agreements.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )


class Regime(models.TextChoices):
    AO = "ao", "Abgabenordnung (§§ 249 ff. AO)"
    SVWVG_SL = "svwvg_sl", "Saarländisches Verwaltungsvollstreckungsgesetz (SVwVG)"


class BillingModality(models.TextChoices):
    PER_MEASURE = "per_measure", "Abrechnung nach Aufwand je Maßnahme"
    OFFSET = "offset", "Verrechnung mit der Auskehrung"
    FLAT_RATE = "flat_rate", "Jahrespauschale mit Nachkalkulation"
    QUARTERLY_INVOICE = "quarterly_invoice", "Quartalsrechnung nach Aufwand"


class RemittanceFrequency(models.TextChoices):
    DAILY = "daily", "täglich"
    WEEKLY = "weekly", "wöchentlich"
    MONTHLY = "monthly", "monatlich"


class ClaimType(models.TextChoices):
    """The catalogue of claim types an agreement can cover (extended by intake, issue 3)."""

    GRUNDSTEUER = "grundsteuer", "Grundsteuer"
    GEWERBESTEUER = "gewerbesteuer", "Gewerbesteuer"
    HUNDESTEUER = "hundesteuer", "Hundesteuer"
    ABFALL = "abfallgebuehren", "Abfallgebühren"
    ABWASSER = "abwassergebuehren", "Abwassergebühren"
    ELTERNBEITRAG = "elternbeitraege", "Elternbeiträge"
    BUSSGELD = "bussgeld", "Bußgeld"
    ZWANGSGELD = "zwangsgeld", "Zwangsgeld"
    RUECKFORDERUNG = "rueckforderung", "Rückforderung"
    BEITRAG = "beitraege", "Beiträge"
    SONSTIGE = "sonstige", "Sonstige"


class Agreement(models.Model):
    """Kooperationsvereinbarung: the public-law agreement with one partner (§ 29 Abs. 3a SVwVG).

    Names the claims covered, the financing and the termination rights, and is published in the official
    gazette. Changes go through ``do_amend_agreement``, which keeps every former state as an
    :class:`AgreementRevision`.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    reference = models.CharField("Aktenzeichen", max_length=60, unique=True)
    valid_from = models.DateField("gültig ab")
    valid_to = models.DateField("gültig bis", null=True, blank=True)
    notice_period_months = models.PositiveSmallIntegerField(
        "Kündigungsfrist (Monate)", default=6, validators=[MinValueValidator(0)]
    )
    notice_given_on = models.DateField("gekündigt am", null=True, blank=True)
    claim_types = models.JSONField("erfasste Forderungsarten", default=list)
    regime = models.CharField("Rechtsgrundlage der Vollstreckung", max_length=20, choices=Regime.choices)
    small_amount_threshold_cents = models.BigIntegerField(
        "Kleinbetragsgrenze (Cent)",
        default=3600,
        validators=[MinValueValidator(0)],
        help_text="Vollstreckungsersuchen unter diesem Betrag werden nicht angenommen (Verwaltungspraxis: 36 EUR).",
    )
    billing_modality = models.CharField("Abrechnungsart", max_length=30, choices=BillingModality.choices)
    remittance_frequency = models.CharField(
        "Auskehrungsrhythmus",
        max_length=10,
        choices=RemittanceFrequency.choices,
        default=RemittanceFrequency.WEEKLY,
    )
    costs_offset = models.BooleanField(
        "Kosten mit Auskehrung verrechnen",
        default=False,
        help_text="Nicht beitreibbare Kosten (§ 77 SVwVG) werden von der Auskehrung einbehalten.",
    )
    financing = models.TextField("Finanzierung", blank=True)
    termination_rights = models.TextField("Kündigungsrechte", blank=True)
    signed_on = models.DateField("unterzeichnet am", null=True, blank=True)
    gazette_reference = models.CharField(
        "Veröffentlichung im Amtsblatt", max_length=120, blank=True, help_text="z. B. Amtsbl. I 2025 S. 123"
    )
    gazette_published_on = models.DateField("veröffentlicht am", null=True, blank=True)
    version = models.PositiveIntegerField("Fassung", default=1)
    updated_at = models.DateTimeField("geändert", auto_now=True)

    class Meta:
        verbose_name = "Kooperationsvereinbarung"
        verbose_name_plural = "Kooperationsvereinbarungen"
        ordering = ["partner__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(small_amount_threshold_cents__gte=0), name="agreement_threshold_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.partner})"

    @property
    def small_amount_threshold(self) -> Cents:
        return Cents(self.small_amount_threshold_cents)

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def claim_type_labels(self) -> list[str]:
        labels = dict(ClaimType.choices)
        return [str(labels.get(code, code)) for code in self.claim_types]

    def earliest_end(self) -> dt.date | None:
        """The earliest end by the notice given: notice date plus the notice period, to the month's end."""
        if self.notice_given_on is None:
            return self.valid_to
        month = self.notice_given_on.month - 1 + self.notice_period_months
        year = self.notice_given_on.year + month // 12
        month = month % 12 + 1
        next_month = dt.date(year + (month // 12), month % 12 + 1, 1)
        end = next_month - dt.timedelta(days=1)
        return min(end, self.valid_to) if self.valid_to else end


class AgreementRevision(models.Model):
    """A former state of an agreement, kept when it was amended (the agreement's history)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField("Fassung")
    snapshot = models.JSONField("Inhalt")
    changed_at = models.DateTimeField("geändert am")
    changed_by = models.CharField("geändert von", max_length=150)
    reason = models.CharField("Grund", max_length=300, blank=True)

    class Meta:
        verbose_name = "Fassung einer Vereinbarung"
        verbose_name_plural = "Fassungen der Vereinbarungen"
        ordering = ["agreement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version"], name="agreement_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} Fassung {self.version}"


class Office(Address):
    """The enforcing office itself (one row): letterhead, bank account, SEPA creditor identifier."""

    name = models.CharField("Name", max_length=200)
    department = models.CharField("Organisationseinheit", max_length=200, blank=True)
    iban = models.CharField("IBAN", max_length=34, validators=[validate_iban])
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validate_bic])
    bank_name = models.CharField("Bank", max_length=140, blank=True)
    creditor_id = models.CharField("Gläubiger-ID", max_length=35, validators=[validate_creditor_id])
    phone = models.CharField("Telefon", max_length=40, blank=True)
    email = models.EmailField("E-Mail", blank=True)
    website = models.URLField("Internet", blank=True)
    land = models.CharField("Land (Feiertage)", max_length=2, default="SL")

    class Meta:
        verbose_name = "Vollstreckungsstelle"
        verbose_name_plural = "Vollstreckungsstelle"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="office_singleton")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Office | None:
        return cls.objects.filter(pk=1).first()

    @classmethod
    def current_land(cls) -> str:
        """The Land whose holidays count for the office's periods (§ 108 AO); Saarland until it is set up."""
        office = cls.current()
        return office.land if office is not None and office.land else DEFAULT_LAND


class UserProfile(models.Model):
    """What a user account is bound to: a Partner user sees only that partner's data."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kofo_profile"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="Partner"
    )
    phone = models.CharField("Telefon (Durchwahl)", max_length=40, blank=True)

    class Meta:
        verbose_name = "Benutzerprofil"
        verbose_name_plural = "Benutzerprofile"

    def __str__(self) -> str:
        return f"Profil {self.user}"


class ApiToken(models.Model):
    """A partner's API token. Only a SHA-256 of the secret is stored; the secret is shown once."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("Bezeichnung", max_length=80)
    prefix = models.CharField("Kennung", max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("erstellt", auto_now_add=True)
    created_by = models.CharField("erstellt von", max_length=150)
    last_used_at = models.DateTimeField("zuletzt benutzt", null=True, blank=True)
    revoked_at = models.DateTimeField("widerrufen", null=True, blank=True)
    revoked_by = models.CharField("widerrufen von", max_length=150, blank=True)

    class Meta:
        verbose_name = "API-Token"
        verbose_name_plural = "API-Tokens"
        ordering = ["partner__name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.partner.key}/{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
