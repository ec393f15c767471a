"""Enforcement measures, payments and third parties on the file page (Akte), for the Innendienst.

The section „Maßnahmen“ of ``/akten/<number>/`` shows the proposals (with the strategy's reason and the
preconditions as they stand today), the running measures with their clock, the claims they cover, the fee
and the effort, and the finished ones. Every change is one action of ``kofo.cases.measures`` or
``kofo.payments.actions`` (each writes its audit event); their German ValidationErrors are shown at the form.
The page itself (and its access log) is :func:`kofo.web.views.cases._case_page`; it asks
:func:`measure_section` for this part, importing this module when it runs (this module imports that one).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kofo import limits
from kofo.audit.actors import Actor
from kofo.cases.measures import (
    DEADLINE_LABELS,
    DECL_RECOGNISED,
    DECLARATION_OUTCOMES,
    DISCLOSURE_OUTCOMES,
    FIELD_OUTCOMES,
    GARNISHMENTS,
    THIRD_PARTY_KIND,
    bank_for_iban,
    check_preconditions,
    do_cancel_measure,
    do_finish_measure,
    do_note_third_party,
    do_propose_measure,
    do_record_declaration,
    do_record_disclosure,
    do_record_expense,
    do_record_field_result,
    do_record_service,
    do_return_to_partners,
    do_save_third_party,
    do_start_measure,
    do_summon_disclosure,
    do_write_down,
)
from kofo.cases.models import (
    MEASURE_FINISHED,
    Case,
    CaseStatus,
    CaseThirdParty,
    Claim,
    ClaimStatus,
    Measure,
    MeasureClaim,
    MeasureKind,
    MeasureStatus,
    StrategySettings,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.cases.strategy import REJECTED_REST_DAYS
from kofo.documents.letters import cash_receipt, disclosure_summons, garnishment_notice
from kofo.law.deadlines import add_months
from kofo.law.garnishment import GarnishmentPeriod
from kofo.ledger.balances import component_balances
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.payments.actions import do_record_payment
from kofo.payments.collections import do_record_cash_receipt
from kofo.payments.models import Payment, PaymentSource
from kofo.web import rules
from kofo.web.forms import AmountField, GermanDateInput, KernFormMixin, MeasureChoiceField, executed_measures
from kofo.web.views.cases import _case_of, _case_page
from kofo.web.views.common import acting_user, require
from kofo.web.views.documents import has_letters, produce_now, produce_start_letters

K = MeasureKind

# Kinds a caseworker proposes by hand. Niederschlagung and Rückgabe are actions of their own (with a
# confirmation); a Ratenzahlung is arranged with its plan (do_arrange_instalments), not offered here yet.
PROPOSABLE_KINDS = tuple(
    kind for kind in MeasureKind if kind not in (K.NIEDERSCHLAGUNG, K.RUECKGABE, K.RATENZAHLUNG)
)
# Proposals taken by a file-level action instead of „Ausführen“: the kind → the form that takes it.
OWN_ACTION = {K.NIEDERSCHLAGUNG: "write_down", K.RUECKGABE: "return"}

# Limits (rules of the house, no. 7).
FINISHED_SHOWN = limits.PAGE_SIZE_DEFAULT
PAYMENTS_SHOWN = limits.PAGE_SIZE_DEFAULT
# The office's own open amounts on the file (fees of measures, expenses).
OFFICE_COMPONENTS = ((Component.FEE, "Gebühren"), (Component.COST, "Auslagen"))

STATUS_VARIANTS = {
    MeasureStatus.PROPOSED: "info",
    MeasureStatus.ACTIVE: "info",
    MeasureStatus.DONE: "success",
    MeasureStatus.FAILED: "warning",
    MeasureStatus.CANCELLED: "info",
}

# Which form field an action's error belongs to (by its code); others are shown above the form.
ERROR_FIELDS = {
    "measure.service_before": "served_on",
    "measure.summons_early": "served_on",
    "measure.appointment_early": "appointment_on",
    "measure.amount_missing": "amount",
    "measure.outcome": "outcome",
    "measure.review_past": "review_on",
    "measure.expense_invalid": "amount",
    "measure.finish_status": "status",
    "payment.amount_invalid": "amount",
    "payment.source": "source",
    "payment.measure_case": "measure",
    "pfaendung.keine_parameter": "declared_on",
}

CONFIRMED = "ja"
BIC_PATTERN = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")


def _action_error(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's German message at the field it concerns (or above the form)."""
    for error in exc.error_list:
        name = ERROR_FIELDS.get(error.code or "")
        form.add_error(name if name in form.fields else None, error)


def _date_field(label: str, help_text: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, widget=GermanDateInput(), required=required)


def _reason_field(
    label: str = "Begründung", help_text: str = "", *, required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=300,
        required=required,
        help_text=help_text or "Wird im Prüfpfad festgehalten. Höchstens 300 Zeichen.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _outcome_field(outcomes: dict[str, str]) -> forms.ChoiceField:
    return forms.ChoiceField(label="Ergebnis", choices=[("", "Bitte wählen …"), *outcomes.items()])


def party_label(party: ThirdParty) -> str:
    details = [party.get_kind_display()]
    if party.bic:
        details.append(f"BIC {party.bic}")
    if party.city:
        details.append(party.city)
    return f"{party.name} ({', '.join(details)})"


class ThirdPartyChoiceField(forms.ModelChoiceField[ThirdParty]):
    def label_from_instance(self, obj: ThirdParty) -> str:
        return party_label(obj)


def known_third_parties(case: Case, kind: str | None = None, also: int | None = None) -> QuerySet[ThirdParty]:
    """The third parties noted in the file (of ``kind``), and ``also`` (e.g. the one the strategy chose)."""
    known = Q(case_links__case=case)
    if kind is not None:
        known &= Q(kind=kind)
    if also is not None:
        known |= Q(pk=also)
    return ThirdParty.objects.filter(known).distinct().order_by("name", "pk")


class _DatesMixin:
    """Dates of facts (sent, served, declared, paid) are today or earlier; today is the default."""

    past_dates: tuple[str, ...] = ()

    def _check_dates(self, form: forms.Form, today: dt.date) -> None:
        for name in self.past_dates:
            day = form.cleaned_data.get(name)
            if day is not None and day > today:
                form.add_error(
                    name, ValidationError("Das Datum darf nicht in der Zukunft liegen.", code="date.future")
                )


# --- steps of one measure (URL /akten/<number>/massnahmen/<pk>/<step>/) -------------------------------------


class MeasureStepForm(_DatesMixin, KernFormMixin, forms.Form):
    """Base of the forms of one measure; ``step`` is the URL slug and, with the measure, the prefix."""

    step = ""
    title = ""
    submit_label = ""
    intro = ""

    def __init__(self, *args: Any, measure: Measure, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"{self.step}-{measure.pk}")
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.today = today
        for name in self.past_dates:
            self.fields[name].initial = today

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.ACTIVE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_dates(self, self.today)
        return data


class StartForm(MeasureStepForm):
    step = "ausfuehren"
    title = "Ausführen"
    submit_label = "Maßnahme ausführen"
    intro = (
        "Die Voraussetzungen werden beim Ausführen geprüft; die vollstreckbaren Forderungen werden mit ihren "
        "offenen Beträgen verknüpft und die Fristen gesetzt."
    )
    past_dates = ("executed_on",)

    executed_on = _date_field("ausgeführt am", "Tag des Versands bzw. des Auftrags; heute vorbelegt.")
    third_party = ThirdPartyChoiceField(
        label="Drittschuldner",
        queryset=ThirdParty.objects.none(),
        required=False,
        empty_label="Bitte wählen …",
        help_text="Aus den bekannten Drittschuldnern der Akte; neue unter „Drittschuldner“ erfassen.",
    )
    changed_circumstances = forms.BooleanField(
        label="veränderte Verhältnisse (§ 284 Abs. 4 AO)",
        required=False,
        help_text="Nur ankreuzen, wenn sich die Vermögensverhältnisse seit der letzten Auskunft geändert haben.",
    )

    def __init__(self, *args: Any, measure: Measure, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, measure=measure, today=today, **kwargs)
        if measure.kind in GARNISHMENTS:
            expected = THIRD_PARTY_KIND[MeasureKind(measure.kind)]
            party = self.fields["third_party"]
            assert isinstance(party, ThirdPartyChoiceField)
            party.queryset = known_third_parties(measure.case, expected, measure.third_party_id)
            party.label = f"Drittschuldner ({expected.label})"
            party.initial = measure.third_party_id
        else:
            del self.fields["third_party"]
        if measure.kind != K.VERMOEGENSAUSKUNFT:
            del self.fields["changed_circumstances"]

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.PROPOSED and measure.kind not in OWN_ACTION


class CancelForm(MeasureStepForm):
    step = "verwerfen"
    title = "Verwerfen"
    submit_label = "Vorschlag verwerfen"
    intro = f"Die Strategie schlägt eine verworfene Maßnahme {REJECTED_REST_DAYS} Tage lang nicht erneut vor."

    reason = _reason_field()

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.PROPOSED


class ServiceForm(MeasureStepForm):
    step = "zustellung"
    title = "Zustellung erfassen"
    submit_label = "Zustellung speichern"
    intro = (
        "Mit der Zustellung entsteht die Pfändungsgebühr; die Erklärung des Drittschuldners ist binnen zwei "
        "Wochen fällig (§ 316 AO)."
    )
    past_dates = ("served_on",)

    served_on = _date_field("zugestellt am", "Tag der Zustellung an den Drittschuldner.")

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return (
            measure.status == MeasureStatus.ACTIVE
            and measure.kind in GARNISHMENTS
            and measure.served_on is None
        )


class DeclarationForm(MeasureStepForm):
    step = "erklaerung"
    title = "Drittschuldnererklärung erfassen"
    submit_label = "Erklärung speichern"
    past_dates = ("declared_on",)

    outcome = _outcome_field(DECLARATION_OUTCOMES)
    declared_on = _date_field("Erklärung vom", "Tag der Erklärung des Drittschuldners.")
    amount = AmountField(
        label="anerkannter Betrag",
        required=False,
        help_text="in Euro, z. B. 1.234,56 – nur bei „Forderung anerkannt“",
    )
    net_income = AmountField(
        label="Nettoeinkommen",
        required=False,
        help_text="in Euro je Zeitraum; daraus wird der pfändbare Betrag nach § 850c ZPO berechnet",
    )
    dependants = forms.IntegerField(
        label="Unterhaltspflichten",
        required=False,
        min_value=0,
        max_value=99,
        initial=0,
        help_text="Zahl der Personen, denen der Schuldner kraft Gesetzes Unterhalt gewährt",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pay_period = forms.ChoiceField(
        label="Zeitraum",
        choices=[(period.value, f"{period.adverb_de} gezahlt") for period in GarnishmentPeriod],
        initial=GarnishmentPeriod.MONAT.value,
    )

    def __init__(self, *args: Any, measure: Measure, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, measure=measure, today=today, **kwargs)
        if measure.kind in (K.PFEV_LOHN, K.PFEV_RENTE):
            self.intro = (
                "Bei anerkannter Forderung: das Nettoeinkommen angeben – der pfändbare Betrag folgt aus § 850c "
                "ZPO –, oder den anerkannten Betrag."
            )
        else:
            for name in ("net_income", "dependants", "pay_period"):
                del self.fields[name]
            self.intro = "Andere Ergebnisse als „Forderung anerkannt“ beenden die Pfändung als erfolglos."

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return (
            measure.status == MeasureStatus.ACTIVE
            and measure.kind in GARNISHMENTS
            and measure.served_on is not None
            and "declaration" not in measure.result
        )


class SummonsForm(MeasureStepForm):
    step = "ladung"
    title = "Ladung"
    submit_label = "Ladung speichern"
    intro = "Der Termin liegt mindestens einen Monat nach der Zustellung der Ladung (§ 284 Abs. 6 AO)."
    past_dates = ("served_on",)

    served_on = _date_field("Ladung zugestellt am", "Tag der Zustellung der Ladung an den Schuldner.")
    appointment_on = _date_field("Termin am", "Tag des Termins zur Abgabe der Vermögensauskunft.")
    appointment_time = forms.TimeField(
        label="Uhrzeit",
        help_text="Beginn des Termins, z. B. 09:30. Die Ladung nennt Tag, Uhrzeit und Raum.",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    appointment_room = forms.CharField(
        label="Raum",
        required=False,
        max_length=120,
        help_text="Raum in der Dienststelle, z. B. „Zimmer 2.14, 2. Obergeschoss“.",
    )

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.ACTIVE and measure.kind == K.VERMOEGENSAUSKUNFT


class DisclosureForm(MeasureStepForm):
    step = "auskunft"
    title = "Ergebnis"
    submit_label = "Ergebnis speichern"
    past_dates = ("on",)

    outcome = _outcome_field(DISCLOSURE_OUTCOMES)
    on = _date_field("am", "Tag des Termins.")
    note = _reason_field(
        "Angaben aus der Auskunft", "z. B. Arbeitgeber oder Bankverbindung aus der Auskunft.", required=False
    )

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.ACTIVE and measure.kind == K.VERMOEGENSAUSKUNFT


class FieldResultForm(MeasureStepForm):
    step = "aussendienst"
    title = "Ergebnis des Außendienstes"
    submit_label = "Ergebnis speichern"
    intro = "Handelt der Vollziehungsbeamte, entsteht einmal je Auftrag die Pfändungsgebühr (§ 339 AO)."
    past_dates = ("on",)

    outcome = _outcome_field(FIELD_OUTCOMES)
    on = _date_field("am", "Tag des Außendienstes.")
    note = _reason_field("Bericht", "Was der Vollziehungsbeamte vorfand.", required=False)
    hours = forms.DecimalField(
        label="Stunden",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(99),
        max_digits=4,
        decimal_places=2,
        localize=True,
        help_text="aufgewendete Zeit, z. B. 1,5",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        return measure.status == MeasureStatus.ACTIVE and measure.kind == K.AUSSENDIENST


class FinishForm(MeasureStepForm):
    step = "abschluss"
    title = "Abschließen"
    submit_label = "Maßnahme abschließen"
    past_dates = ("on",)

    status = forms.ChoiceField(
        label="Ergebnis",
        choices=[
            ("", "Bitte wählen …"),
            (MeasureStatus.DONE.value, "erledigt"),
            (MeasureStatus.FAILED.value, "erfolglos"),
        ],
    )
    on = _date_field("abgeschlossen am", "heute vorbelegt")
    note = _reason_field("Abschlussvermerk", "Was die Maßnahme ergab. Höchstens 300 Zeichen.")

    @classmethod
    def offered(cls, measure: Measure) -> bool:
        # An instalment plan ends with its plan (paid in full, or revoked), not by hand here.
        return measure.status == MeasureStatus.ACTIVE and measure.kind != K.RATENZAHLUNG


class ExpenseForm(MeasureStepForm):
    step = "auslagen"
    title = "Auslagen erfassen"
    submit_label = "Auslagen buchen"
    intro = "Auslagen werden in tatsächlicher Höhe auf die Akte gebucht (§ 344 AO), z. B. Zustellungskosten."

    amount = AmountField(label="Betrag")
    reason = _reason_field("Anlass", "z. B. Postzustellungsurkunde. Höchstens 300 Zeichen.")


STEP_FORMS: dict[str, type[MeasureStepForm]] = {
    form.step: form
    for form in (
        StartForm,
        CancelForm,
        ServiceForm,
        DeclarationForm,
        SummonsForm,
        DisclosureForm,
        FieldResultForm,
        FinishForm,
        ExpenseForm,
    )
}


# --- file-level forms ----------------------------------------------------------------------------------------


class ProposeForm(KernFormMixin, forms.Form):
    prefix = "vorschlag"

    kind = forms.ChoiceField(label="Maßnahme")
    reason = _reason_field("Begründung", "Warum diese Maßnahme jetzt. Höchstens 300 Zeichen.")
    third_party = ThirdPartyChoiceField(
        label="Drittschuldner",
        queryset=ThirdParty.objects.none(),
        required=False,
        empty_label="keiner",
        help_text="Nur bei einer Pfändung; er kann auch beim Ausführen gewählt werden.",
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Bitte wählen …"), *((k.value, k.label) for k in PROPOSABLE_KINDS)]
        party = self.fields["third_party"]
        assert isinstance(party, ThirdPartyChoiceField)
        party.queryset = known_third_parties(case)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.case.status == CaseStatus.CLOSED:
            raise ValidationError("Die Akte ist abgeschlossen.", code="case.closed")
        kind, party = data.get("kind"), data.get("third_party")
        if kind and party is not None:
            expected = THIRD_PARTY_KIND.get(MeasureKind(kind))
            if expected is None:
                self.add_error("third_party", "Nur eine Pfändung richtet sich an einen Drittschuldner.")
            elif party.kind != expected:
                self.add_error(
                    "third_party",
                    f"{party.name} ist {party.get_kind_display()}; für diese Pfändung: {expected.label}.",
                )
        return data


class WriteDownForm(_DatesMixin, KernFormMixin, forms.Form):
    prefix = "niederschlagung"

    review_on = _date_field(
        "Wiedervorlage am",
        "Nach diesem Tag holt der Tageslauf die Akte zur Prüfung zurück (§ 261 AO).",
    )
    reason = _reason_field(
        "Grund", "z. B. Aussichtslosigkeit der Vollstreckung, Kosten außer Verhältnis. Höchstens 300 Zeichen."
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        months = StrategySettings.current().niederschlagung_review_months
        self.fields["review_on"].initial = add_months(today, months)

    def clean_review_on(self) -> dt.date:
        # The action checks it too; asked here, a wrong date is answered before the confirmation step.
        day: dt.date = self.cleaned_data["review_on"]
        if day <= self.today:
            raise ValidationError(
                "Die Wiedervorlage muss nach dem heutigen Tag liegen.", code="measure.review_past"
            )
        return day


class ReturnForm(KernFormMixin, forms.Form):
    prefix = "rueckgabe"

    reason = _reason_field("Grund", "Steht im Bericht an die Partner und im Prüfpfad. Höchstens 300 Zeichen.")


class PaymentForm(_DatesMixin, KernFormMixin, forms.Form):
    prefix = "zahlung"
    past_dates = ("received_on",)

    amount = AmountField(label="Betrag")
    received_on = _date_field("eingegangen am", "Tag der Gutschrift; heute vorbelegt.")
    source = forms.ChoiceField(label="Herkunft", choices=PaymentSource.choices, initial=PaymentSource.DEBTOR)
    measure = MeasureChoiceField(
        label="aus der Maßnahme",
        queryset=Measure.objects.none(),
        required=False,
        empty_label="keiner",
        help_text="z. B. die Pfändung, aus der der Drittschuldner zahlt",
    )
    payer = forms.CharField(
        label="Einzahler",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reference = forms.CharField(
        label="Verwendungszweck",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    designation = forms.ChoiceField(
        label="Tilgungsbestimmung",
        required=False,
        help_text="Nur bei einer freiwilligen Zahlung des Schuldners, die ein Kassenzeichen nennt (§ 225 Abs. 1 AO).",
    )

    def __init__(self, *args: Any, case: Case, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["received_on"].initial = today
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = executed_measures(case)
        designation = self.fields["designation"]
        assert isinstance(designation, forms.ChoiceField)
        claims = (
            Claim.objects.filter(debtor_record__debtor_id=case.debtor_id)
            .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
            .select_related("partner")
            .order_by("due_date", "kassenzeichen")
        )
        designation.choices = [
            ("", "keine"),
            *((c.kassenzeichen, f"{c.kassenzeichen} ({c.partner.name})") for c in claims),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_dates(self, self.today)
        return data


class ThirdPartyForm(KernFormMixin, forms.Form):
    prefix = "drittschuldner"

    kind = forms.ChoiceField(label="Art", choices=[("", "Bitte wählen …"), *ThirdPartyKind.choices])
    name = forms.CharField(
        label="Name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    bic = forms.CharField(
        label="BIC",
        required=False,
        max_length=11,
        help_text="Nur bei Kreditinstituten, z. B. COBADEFFXXX",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    street = forms.CharField(label="Straße und Hausnummer", required=False, max_length=160)
    postcode = forms.CharField(label="PLZ", required=False, max_length=10)
    city = forms.CharField(label="Ort", required=False, max_length=80)
    source = forms.CharField(
        label="Quelle",
        required=False,
        max_length=200,
        help_text="Woher die Angabe stammt, z. B. Vermögensauskunft vom 12.05.2026.",
    )

    def clean_bic(self) -> str:
        bic = str(self.cleaned_data["bic"]).strip().replace(" ", "").upper()
        if bic and not BIC_PATTERN.match(bic):
            raise ValidationError(
                "Eine BIC hat 8 oder 11 Stellen, z. B. COBADEFFXXX.", code="third_party.bic"
            )
        return bic


class IbanForm(KernFormMixin, forms.Form):
    prefix = "iban"

    iban = forms.CharField(
        label="IBAN des Schuldners",
        max_length=42,
        help_text="Die Bank wird über das Bankenverzeichnis ermittelt und als Drittschuldner vermerkt.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    source = forms.CharField(
        label="Quelle",
        required=False,
        max_length=200,
        help_text="Woher die IBAN stammt, z. B. Überweisung des Schuldners.",
    )

    def clean_iban(self) -> str:
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        text = str(self.cleaned_data["iban"]).replace(" ", "").upper()
        try:
            return str(IBAN(text).compact)
        except (SchwiftyException, ValueError):
            raise ValidationError(
                "Die IBAN ist ungültig (Länge oder Prüfziffer stimmen nicht).", code="third_party.iban"
            ) from None


FILE_FORMS: dict[str, str] = {
    ProposeForm.prefix: "propose",
    WriteDownForm.prefix: "write_down",
    ReturnForm.prefix: "return",
    PaymentForm.prefix: "payment",
    ThirdPartyForm.prefix: "third_party",
    IbanForm.prefix: "iban",
}


# --- the section on the file page -------------------------------------------------------------------------


@dataclass
class MeasureCard:
    """One measure as the page shows it."""

    measure: Measure
    links: list[MeasureClaim]
    steps: list[MeasureStepForm] = field(default_factory=list)
    open_step: str = ""
    problems: tuple[str, ...] = ()
    own_action: str = ""  # a proposal taken by a file-level action (write_down, return)
    clock_label: str = ""
    clock_state: str = ""  # passed, today, running
    clock_days: int = 0
    hold_state: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    derivation: list[str] = field(default_factory=list)
    fee_missing: str = ""
    preview_url: str = ""  # a proposal that sends letters when taken: the PDF of those letters, not archived

    @property
    def status_variant(self) -> str:
        return STATUS_VARIANTS.get(MeasureStatus(self.measure.status), "info")

    @property
    def recognised(self) -> bool:
        return self.measure.result.get("declaration") == DECL_RECOGNISED

    @property
    def fee(self) -> Cents:
        return Cents(self.measure.fee_cents)

    @property
    def amount(self) -> Cents:
        return Cents(self.measure.amount_cents)


def _day(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return str(value or "")


def _facts(measure: Measure) -> tuple[list[tuple[str, str]], list[str]]:
    """What the measure's steps recorded (``Measure.result``), in German, and a garnishment's derivation."""
    result = measure.result if isinstance(measure.result, dict) else {}
    facts: list[tuple[str, str]] = []
    if "declaration" in result:
        outcome = DECLARATION_OUTCOMES.get(result["declaration"], result["declaration"])
        facts.append(
            ("Drittschuldnererklärung", f"{outcome} (Erklärung vom {_day(result.get('declared_on'))})")
        )
    if result.get("net_income_cents") is not None:
        try:
            adverb = GarnishmentPeriod(result.get("pay_period", "monat")).adverb_de
        except ValueError:
            adverb = str(result.get("pay_period", ""))
        facts.append(("Nettoeinkommen", f"{Cents(int(result['net_income_cents']))} {adverb}"))
        facts.append(("Unterhaltspflichten", str(result.get("dependants", 0))))
        facts.append(("pfändbar (§ 850c ZPO)", f"{Cents(int(result.get('garnishable_cents', 0)))} {adverb}"))
    if result.get("recognised_cents") is not None:
        facts.append(("anerkannt", str(Cents(int(result["recognised_cents"])))))
    if result.get("appointment_on"):
        when = _day(result["appointment_on"])
        if result.get("appointment_time"):
            when += f", {result['appointment_time']} Uhr"
        if result.get("appointment_room"):
            when += f", {result['appointment_room']}"
        facts.append(("Termin zur Vermögensauskunft", when))
    if measure.kind == K.VERMOEGENSAUSKUNFT and result.get("outcome"):
        facts.append(("Ergebnis", str(DISCLOSURE_OUTCOMES.get(result["outcome"], result["outcome"]))))
    if measure.kind == K.AUSSENDIENST and result.get("outcome"):
        facts.append(("Ergebnis", str(FIELD_OUTCOMES.get(result["outcome"], result["outcome"]))))
    if result.get("note"):
        facts.append(("Vermerk", str(result["note"])))
    if result.get("claims") and measure.kind == K.RUECKGABE:
        facts.append(("zurückgegeben", ", ".join(str(c) for c in result["claims"])))
    derivation = [str(step) for step in result.get("derivation", [])]
    return facts, derivation


def _card(measure: Measure, today: dt.date) -> MeasureCard:
    card = MeasureCard(measure, list(measure.claim_links.all()))
    card.facts, card.derivation = _facts(measure)
    if measure.deadline_on is not None:
        card.clock_label = DEADLINE_LABELS.get(measure.deadline_kind, measure.deadline_kind or "Frist")
        if measure.deadline_on < today:
            card.clock_state, card.clock_days = "passed", (today - measure.deadline_on).days
        elif measure.deadline_on == today:
            card.clock_state = "today"
        else:
            card.clock_state = "running"
    if measure.payout_hold_until is not None:
        card.hold_state = "passed" if measure.payout_hold_until < today else "running"
    fee_missing = measure.result.get("fee_missing") if isinstance(measure.result, dict) else None
    if fee_missing:
        card.fee_missing = f"Gebühr nicht gebucht: es fehlt die Einstellung „{fee_missing}“."
    return card


@dataclass
class MeasureSection:
    context: dict[str, Any]
    forms: dict[str, forms.Form]
    open_form: str
    office_open: Cents


def _step_forms(card: MeasureCard, today: dt.date, bound: forms.Form | None) -> None:
    measure = card.measure
    for step, form_class in STEP_FORMS.items():
        if isinstance(bound, form_class) and bound.measure.pk == measure.pk:
            card.steps.append(bound)
            card.open_step = step
        elif form_class.offered(measure):
            card.steps.append(form_class(measure=measure, today=today))


def measure_section(
    request: HttpRequest, case: Case, today: dt.date, *, can_change: bool, bound: forms.Form | None
) -> MeasureSection:
    """Measures, known third parties and payments of ``case``, with the forms the user may use."""
    editable = can_change and case.status != CaseStatus.CLOSED
    links = Prefetch(
        "claim_links",
        queryset=MeasureClaim.objects.select_related("claim__partner").order_by(
            "claim__due_date", "claim__kassenzeichen"
        ),
    )
    measures = case.measures.select_related("third_party").prefetch_related(links)
    proposed = [
        _card(m, today) for m in measures.filter(status=MeasureStatus.PROPOSED).order_by("created_on", "pk")
    ]
    running = [
        _card(m, today) for m in measures.filter(status=MeasureStatus.ACTIVE).order_by("executed_on", "pk")
    ]
    finished_qs = measures.filter(status__in=MEASURE_FINISHED)
    finished = [_card(m, today) for m in finished_qs.order_by("-finished_on", "-pk")[:FINISHED_SHOWN]]

    bound_measure = bound.measure if isinstance(bound, MeasureStepForm) else None
    if bound_measure is not None and not any(c.measure.pk == bound_measure.pk for c in proposed + running):
        # A refused step of a measure that changed meanwhile: shown with its message all the same.
        running.insert(0, _card(measures.get(pk=bound_measure.pk), today))
    for card in proposed:
        card.own_action = OWN_ACTION.get(MeasureKind(card.measure.kind), "")
        if has_letters(card.measure):
            card.preview_url = reverse("web:measure_preview", args=[case.number, card.measure.pk])
        if not card.own_action:
            card.problems = check_preconditions(
                case, card.measure.kind, today, third_party=card.measure.third_party
            ).problems
    for card in proposed + running:
        if editable:
            _step_forms(card, today, bound)
        elif isinstance(bound, MeasureStepForm) and card.measure.pk == bound.measure.pk:
            # A refused step where the forms are no longer offered (e.g. the file was closed meanwhile).
            card.steps, card.open_step = [bound], bound.step

    file_forms: dict[str, forms.Form] = {}
    if editable:
        if case.status == CaseStatus.OPEN:
            file_forms["propose"] = ProposeForm(case=case)
            pending = case.measures.filter(kind=K.NIEDERSCHLAGUNG, status=MeasureStatus.PROPOSED).first()
            file_forms["write_down"] = WriteDownForm(
                today=today, initial={"reason": pending.reason[:300]} if pending else None
            )
        file_forms["return"] = ReturnForm()
        payment_initial: dict[str, Any] = {}
        if request.GET.get("formular") == PaymentForm.prefix and request.GET.get("massnahme", "").isdigit():
            payment_initial = {"measure": int(request.GET["massnahme"]), "source": PaymentSource.THIRD_PARTY}
        file_forms["payment"] = PaymentForm(case=case, today=today, initial=payment_initial)
        file_forms["third_party"] = ThirdPartyForm()
        file_forms["iban"] = IbanForm()
    open_form = ""
    if bound is not None and str(bound.prefix) in FILE_FORMS:
        open_form = FILE_FORMS[str(bound.prefix)]
        file_forms[open_form] = bound
    elif FILE_FORMS.get(request.GET.get("formular", "")) in file_forms:
        open_form = FILE_FORMS[request.GET["formular"]]

    # The instalment plans (kofo.web.views.instalments; it imports this module, hence here).
    from kofo.web.views.instalments import instalment_section

    instalments = instalment_section(request, case, today, editable=editable, bound=bound)
    file_forms.update(instalments.forms)
    open_form = instalments.open_form or open_form

    totals = case.measures.aggregate(fees=Sum("fee_cents"), effort=Sum("effort_units"))
    office = component_balances(case._meta.label_lower, case.pk)
    office_open = [(label, office.get(component, Cents(0))) for component, label in OFFICE_COMPONENTS]
    payments = case.payments.select_related("measure").prefetch_related("allocations__claim")
    try:
        payment_shown = int(request.GET.get("zahlung", "0"))
    except ValueError:
        payment_shown = 0
    context: dict[str, Any] = {
        "measures_proposed": proposed,
        "measures_running": running,
        "measures_finished": finished,
        "measures_finished_count": finished_qs.count(),
        "measure_fees_total": Cents(int(totals["fees"] or 0)),
        "measure_effort_total": totals["effort"] or Decimal(0),
        "third_party_links": list(
            case.third_party_links.select_related("third_party").order_by("noted_on", "pk")
        ),
        "payments": list(payments.order_by("-received_on", "-id")[:PAYMENTS_SHOWN]),
        "payment_count": payments.count(),
        "payment_shown": payment_shown,
        "office_open": office_open,
        "office_open_total": sum((amount for _label, amount in office_open), Cents(0)),
        "measures_editable": editable,
        **instalments.context,
    }
    return MeasureSection(context, file_forms, open_form, context["office_open_total"])


# --- views ----------------------------------------------------------------------------------------------------


def _back(case: Case, anchor: str, query: str = "") -> HttpResponse:
    url = reverse("web:case_detail", args=[case.number])
    return redirect(url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else ""))


def _run_step(step: str, measure: Measure, data: dict[str, Any], actor: Actor, today: dt.date) -> str:
    """Call the action of ``step``; the German confirmation for the page."""
    label = measure.get_kind_display()
    if step == StartForm.step:
        measure = do_start_measure(
            measure,
            on=data["executed_on"],
            actor=actor,
            third_party=data.get("third_party"),
            changed_circumstances=bool(data.get("changed_circumstances")),
        )
        done = f"{label} am {measure.executed_on:%d.%m.%Y} ausgeführt ({Cents(measure.amount_cents)})."
    elif step == CancelForm.step:
        do_cancel_measure(measure, reason=data["reason"], on=today, actor=actor)
        done = f"Vorschlag „{label}“ verworfen."
    elif step == ServiceForm.step:
        measure = do_record_service(measure, served_on=data["served_on"], actor=actor)
        done = f"Zustellung am {data['served_on']:%d.%m.%Y} erfasst"
        if measure.deadline_on is not None:
            done += f"; Drittschuldnererklärung bis {measure.deadline_on:%d.%m.%Y}"
        done += "."
    elif step == DeclarationForm.step:
        extra: dict[str, Any] = {}
        if "net_income" in data and data["net_income"] is not None:
            extra = {
                "net_income": data["net_income"],
                "dependants": data.get("dependants") or 0,
                "pay_period": data.get("pay_period") or GarnishmentPeriod.MONAT.value,
            }
        measure = do_record_declaration(
            measure,
            outcome=data["outcome"],
            declared_on=data["declared_on"],
            amount=data.get("amount"),
            actor=actor,
            **extra,
        )
        if data["outcome"] == DECL_RECOGNISED:
            done = f"Drittschuldnererklärung erfasst: anerkannt {Cents(int(measure.result['recognised_cents']))}."
        else:
            done = f"Drittschuldnererklärung erfasst: {DECLARATION_OUTCOMES[data['outcome']]}; die Pfändung ist erfolglos beendet."
    elif step == SummonsForm.step:
        do_summon_disclosure(
            measure,
            appointment_on=data["appointment_on"],
            appointment_time=data["appointment_time"],
            appointment_room=data.get("appointment_room") or "",
            served_on=data["served_on"],
            actor=actor,
        )
        done = f"Ladung erfasst: Termin am {data['appointment_on']:%d.%m.%Y} um {data['appointment_time']:%H:%M} Uhr."
    elif step == DisclosureForm.step:
        do_record_disclosure(measure, outcome=data["outcome"], on=data["on"], note=data["note"], actor=actor)
        done = f"Vermögensauskunft erfasst: {DISCLOSURE_OUTCOMES[data['outcome']]}."
    elif step == FieldResultForm.step:
        do_record_field_result(
            measure,
            outcome=data["outcome"],
            on=data["on"],
            note=data["note"],
            hours=data.get("hours"),
            actor=actor,
        )
        done = f"Ergebnis des Außendienstes erfasst: {FIELD_OUTCOMES[data['outcome']]}."
    elif step == FinishForm.step:
        do_finish_measure(measure, status=data["status"], on=data["on"], note=data["note"], actor=actor)
        done = f"{label} abgeschlossen ({MeasureStatus(data['status']).label})."
    else:
        do_record_expense(measure, amount=data["amount"], reason=data["reason"], on=today, actor=actor)
        done = f"Auslagen von {data['amount']} auf die Akte gebucht."
    return done


@require_POST
@require(rules.can_change_cases)
def measure_step(request: HttpRequest, number: str, pk: int, step: str) -> HttpResponse:
    """One step of one measure (execute, drop, service, declaration, summons, results, finish, expenses)."""
    case = _case_of(number)
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404("Diesen Schritt gibt es nicht.")
    measure = get_object_or_404(Measure.objects.select_related("case", "third_party"), pk=pk, case=case)
    today = timezone.localdate()
    form = form_class(request.POST, measure=measure, today=today)
    if form.is_valid():
        actor = acting_user(request)
        try:
            with transaction.atomic():
                done = _run_step(step, measure, form.cleaned_data, actor, today)
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, done)
            # The step's letters right away, outside the step's transaction (rendering is slow): they are in
            # the file at once, and the day's print step sends them (kofo.documents.printing).
            measure.refresh_from_db()
            if step == StartForm.step:
                produce_start_letters(request, measure)
            elif step == SummonsForm.step:
                produce_now(request, partial(disclosure_summons, measure), subject="zur Ladung",
                            day=measure.served_on)  # fmt: skip
            elif step == ServiceForm.step and measure.kind in GARNISHMENTS:
                produce_now(request, partial(garnishment_notice, measure), subject="zur Zustellung",
                            day=measure.served_on)  # fmt: skip
            return _back(case, f"massnahme-{measure.pk}")
    case.refresh_from_db()
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def measure_propose(request: HttpRequest, number: str) -> HttpResponse:
    """The caseworker's own proposal (it appears first in the section, to be executed or dropped)."""
    case = _case_of(number)
    form = ProposeForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure = do_propose_measure(
                case,
                data["kind"],
                reason=data["reason"],
                on=timezone.localdate(),
                third_party=data["third_party"],
                actor=acting_user(request),
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, f"Maßnahme „{measure.get_kind_display()}“ vorgeschlagen.")
            return _back(case, f"massnahme-{measure.pk}")
    return _case_page(request, case, bound=form)


def _confirm(
    request: HttpRequest, case: Case, form: forms.Form, *, action: str, title: str, lead: str, text: str,
    button: str, claims: list[tuple[Claim, Cents]] | None = None,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "web/cases/confirm.html",
        {
            "case": case, "form": form, "action": action, "title": title, "lead": lead, "text": text,
            "button": button, "claims": claims or [],
        },
    )  # fmt: skip


@require_POST
@require(rules.can_change_cases)
def case_write_down(request: HttpRequest, number: str) -> HttpResponse:
    """Niederschlagung in two steps: the form, then a page that asks for confirmation."""
    case = _case_of(number)
    today = timezone.localdate()
    form = WriteDownForm(request.POST, today=today)
    if form.is_valid():
        review_on = form.cleaned_data["review_on"]
        if request.POST.get("bestaetigt") != CONFIRMED:
            return _confirm(
                request, case, form,
                action=reverse("web:case_write_down", args=[case.number]),
                title="Niederschlagen?",
                lead=f"Die Akte {case.number} ruht bis zum {review_on:%d.%m.%Y}.",
                text=(
                    "Die Forderungen werden nicht weiter beigetrieben, aber nicht erlassen (§ 261 AO); offene "
                    "Vorschläge werden verworfen. Nach dem Wiedervorlagedatum holt der Tageslauf die Akte zur "
                    "Prüfung zurück. Säumniszuschläge und Verjährung laufen weiter."
                ),
                button="Niederschlagen",
            )  # fmt: skip
        actor = acting_user(request)
        try:
            with transaction.atomic():
                do_write_down(
                    case, review_on=review_on, reason=form.cleaned_data["reason"], on=today, actor=actor
                )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(
                request,
                f"Die Akte {case.number} ist niedergeschlagen; Wiedervorlage am {review_on:%d.%m.%Y}.",
            )
            return _back(case, "massnahmen")
    case.refresh_from_db()
    return _case_page(request, case, bound=form)


def _returnable(case: Case) -> list[tuple[Claim, Cents]]:
    claims = (
        Claim.objects.filter(debtor_record__debtor_id=case.debtor_id)
        .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
        .select_related("partner")
        .order_by("partner__name", "due_date", "kassenzeichen")
    )
    return [
        (claim, sum(component_balances(claim._meta.label_lower, claim.pk).values(), Cents(0)))
        for claim in claims
    ]


@require_POST
@require(rules.can_change_cases)
def case_return(request: HttpRequest, number: str) -> HttpResponse:
    """Rückgabe an die Partner in two steps: the form, then a page that lists the claims and asks."""
    case = _case_of(number)
    form = ReturnForm(request.POST)
    if form.is_valid():
        if request.POST.get("bestaetigt") != CONFIRMED:
            return _confirm(
                request, case, form,
                action=reverse("web:case_return", args=[case.number]),
                title="An die Partner zurückgeben?",
                lead=f"Die Vollstreckungsstelle beendet die Akte {case.number}.",
                text=(
                    "Jede offene Forderung geht mit ihrem offenen Betrag an ihren Partner zurück und wird "
                    "ausgebucht; laufende Maßnahmen werden beendet, Vorschläge verworfen. Das lässt sich nicht "
                    "rückgängig machen."
                ),
                button="Zurückgeben",
                claims=_returnable(case),
            )  # fmt: skip
        actor = acting_user(request)
        try:
            with transaction.atomic():
                measure = do_return_to_partners(
                    case, reason=form.cleaned_data["reason"], on=timezone.localdate(), actor=actor
                )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            count = len(measure.result.get("claims", []))
            messages.success(
                request,
                f"{count} Forderung{'' if count == 1 else 'en'} an die Partner zurückgegeben; der Tageslauf "
                f"schließt die Akte {case.number}.",
            )
            return _back(case, "massnahmen")
    case.refresh_from_db()
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_record_payment(request: HttpRequest, number: str) -> HttpResponse:
    """A payment for the file, allocated by law and policy; the page then shows how it was allocated."""
    case = _case_of(number)
    today = timezone.localdate()
    form = PaymentForm(request.POST, case=case, today=today)
    if form.is_valid():
        data = form.cleaned_data
        from kofo.web.views.instalments import paid_instalments, payment_note

        instalments_before = paid_instalments(case)
        receipt = ""
        cash = None
        try:
            if data["source"] == PaymentSource.FIELD:
                # Cash of the field service: a numbered receipt, the money on the cash account.
                cash = do_record_cash_receipt(
                    case,
                    amount=data["amount"],
                    received_on=data["received_on"],
                    payer=data["payer"] or str(case.debtor),
                    designation=(data["designation"],) if data["designation"] else (),
                    actor=acting_user(request),
                )
                payment: Payment = cash.payment
                receipt = f" Quittung {cash.number}."
            else:
                payment = do_record_payment(
                    case,
                    amount=data["amount"],
                    received_on=data["received_on"],
                    source=data["source"],
                    measure=data["measure"],
                    payer=data["payer"],
                    reference=data["reference"],
                    designation=[data["designation"]] if data["designation"] else (),
                    actor=acting_user(request),
                )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            done = f"Zahlung über {Cents(payment.amount_cents)} vom {payment.received_on:%d.%m.%Y} erfasst und verteilt."
            done += receipt
            if payment.leftover_cents:
                done += f" Überzahlung {Cents(payment.leftover_cents)}: zur Erstattung vorgemerkt."
            done += payment_note(case, instalments_before)
            still_open = (
                Claim.objects.filter(debtor_record__debtor_id=case.debtor_id)
                .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
                .exists()
            )
            if not still_open:
                done += " Alle Forderungen der Akte sind bezahlt; der Tageslauf schließt die Akte."
            messages.success(request, done)
            if cash is not None:  # the receipt to hand over, in the file at once
                produce_now(
                    request, partial(cash_receipt, cash), subject="zur Quittung", day=payment.received_on
                )
            return _back(case, f"zahlung-{payment.pk}", f"zahlung={payment.pk}")
    return _case_page(request, case, bound=form)


def _third_party_from(data: dict[str, Any], actor: Actor) -> ThirdParty:
    """The third party entered by hand: an existing one (a bank by its BIC, else by kind, name and
    postcode), or a new one."""
    kind, name, bic = data["kind"], data["name"].strip(), data["bic"]
    if kind == ThirdPartyKind.BANK and bic:
        existing = ThirdParty.objects.filter(kind=kind, bic=bic).order_by("pk").first()
    else:
        existing = (
            ThirdParty.objects.filter(kind=kind, name__iexact=name, postcode=data["postcode"].strip())
            .order_by("pk")
            .first()
        )
    if existing is not None:
        return existing
    return do_save_third_party(
        ThirdParty(
            kind=kind,
            name=name,
            bic=bic,
            street=data["street"].strip(),
            postcode=data["postcode"].strip(),
            city=data["city"].strip(),
        ),
        actor=actor,
    )


def _note(request: HttpRequest, case: Case, party: ThirdParty, source: str, iban: str = "") -> bool:
    """Note ``party`` in the file (the action is idempotent); whether it was known already."""
    known = CaseThirdParty.objects.filter(case=case, third_party=party).exists()
    do_note_third_party(
        case, third_party=party, source=source, on=timezone.localdate(), iban=iban, actor=acting_user(request)
    )
    return known


def _noted(request: HttpRequest, case: Case, party: ThirdParty, known: bool) -> HttpResponse:
    if known:
        messages.info(
            request, f"{party.name} ist in der Akte {case.number} bereits als Drittschuldner vermerkt."
        )
    else:
        messages.success(request, f"{party_label(party)} als Drittschuldner vermerkt.")
    return _back(case, "drittschuldner")


@require_POST
@require(rules.can_change_cases)
def case_add_third_party(request: HttpRequest, number: str) -> HttpResponse:
    """A third party that owes the debtor (an employer from the disclosure, a bank …), entered by hand."""
    case = _case_of(number)
    form = ThirdPartyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        source = data["source"].strip() or f"von Hand erfasst ({acting_user(request).get_username()})"
        try:
            with transaction.atomic():
                party = _third_party_from(data, acting_user(request))
                known = _note(request, case, party, source)
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            return _noted(request, case, party, known)
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_add_iban(request: HttpRequest, number: str) -> HttpResponse:
    """The debtor's IBAN: its bank (from the bank registry) is noted as a third party."""
    case = _case_of(number)
    form = IbanForm(request.POST)
    if form.is_valid():
        iban = form.cleaned_data["iban"]
        source = (
            form.cleaned_data["source"].strip()
            or f"IBAN, von Hand erfasst ({acting_user(request).get_username()})"
        )
        try:
            with transaction.atomic():
                bank = bank_for_iban(iban, actor=acting_user(request))
                if bank is None:
                    raise ValidationError(
                        "Zu dieser IBAN ist im Bankenverzeichnis keine Bank eingetragen.",
                        code="third_party.iban",
                    )
                known = _note(request, case, bank, source, iban)
        except ValidationError as exc:
            form.add_error("iban", exc)
        else:
            return _noted(request, case, bank, known)
    return _case_page(request, case, bound=form)
