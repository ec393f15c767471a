"""The instalment plan (Ratenzahlung as Vollstreckungsaufschub, § 258 AO) on the file page (Akte).

The section „Ratenzahlung“ of ``/akten/<number>/`` shows the running plan and the past ones, each with its
schedule (number, due date, amount, paid, status; overdue instalments marked). For ``cases.change_case``, on an
open file without a running plan: „Ratenzahlung vereinbaren“ — the monthly instalment, the first due date, a
reason (needed for more than ``StrategySettings.instalment_months_max`` instalments) and optionally the IBAN
and SEPA mandate reference of a direct debit; a confirmation page shows the enforceable claims and the schedule
before ``do_arrange_instalments`` is called. A running plan can be revoked (reason, confirmation;
``do_revoke_instalment_plan``). Payments pay the instalments inside ``do_record_payment``; the schedule shows it.
The section is built by :func:`instalment_section`, which :func:`kofo.web.views.measures.measure_section` asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kofo.cases.measures import (
    INSTALMENT_MONTHS_LIMIT,
    do_arrange_instalments,
    do_revoke_instalment_plan,
    enforceable_claims,
    instalment_schedule,
    open_balance,
    open_total,
)
from kofo.cases.models import (
    Case,
    CaseStatus,
    Claim,
    Instalment,
    InstalmentPlan,
    InstalmentPlanStatus,
    InstalmentStatus,
    StrategySettings,
)
from kofo.documents.letters import instalment_notice, instalment_revocation
from kofo.law.deadlines import add_months
from kofo.money import Cents
from kofo.web import rules
from kofo.web.forms import AmountField, KernFormMixin
from kofo.web.views.cases import _case_of, _case_page
from kofo.web.views.common import acting_user, require
from kofo.web.views.documents import produce_now
from kofo.web.views.measures import (
    CONFIRMED,
    FINISHED_SHOWN,
    _back,
    _confirm,
    _date_field,
    _reason_field,
)

ARRANGE_PREFIX = "ratenzahlung"
REVOKE_PREFIX = "widerruf"
# The open total the preview showed (cents); if it changed until the confirmation, the preview is shown again.
PREVIEW_TOTAL = "vorschau_gesamt"
# SEPA mandate reference: up to 35 characters of the SEPA character set (letters, digits, + ? / - : ( ) . , ').
MANDATE_PATTERN = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")

PLAN_VARIANTS = {
    InstalmentPlanStatus.ACTIVE: "info",
    InstalmentPlanStatus.COMPLETED: "success",
    InstalmentPlanStatus.REVOKED: "warning",
}
INSTALMENT_VARIANTS = {
    InstalmentStatus.OPEN: "info",
    InstalmentStatus.PAID: "success",
    InstalmentStatus.MISSED: "danger",
}

# Which form field an action's error belongs to (by its code); others are shown above the form.
ERROR_FIELDS = {
    "instalment.amount_invalid": "instalment",
    "instalment.too_long": "instalment",
    "instalment.reason_needed": "reason",
    "instalment.first_past": "first_due_on",
}


def _action_error(form: forms.Form, exc: ValidationError) -> None:
    for error in exc.error_list:
        name = ERROR_FIELDS.get(error.code or "")
        form.add_error(name if name in form.fields else None, error)


def first_of_next_month(today: dt.date) -> dt.date:
    return add_months(today.replace(day=1), 1)


class InstalmentForm(KernFormMixin, forms.Form):
    prefix = ARRANGE_PREFIX

    instalment = AmountField(label="monatliche Rate", help_text="in Euro, z. B. 150,00")
    first_due_on = _date_field(
        "erste Rate fällig am", "Die weiteren Raten jeweils am gleichen Tag der Folgemonate."
    )
    reason = _reason_field("Begründung", required=False)
    iban = forms.CharField(
        label="IBAN für Lastschrift",
        required=False,
        max_length=42,
        help_text="Nur bei Einzug per SEPA-Lastschrift.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    mandate_reference = forms.CharField(
        label="Mandatsreferenz",
        required=False,
        max_length=35,
        help_text="Die Referenz des SEPA-Lastschriftmandats, höchstens 35 Zeichen.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.months_max = StrategySettings.current().instalment_months_max
        self.fields["first_due_on"].initial = first_of_next_month(today)
        self.fields["reason"].help_text = (
            f"Pflicht bei mehr als {self.months_max} Raten (§ 258 AO: in der Regel bis zu einem Jahr, nie länger "
            "als fünf Jahre). Wird im Prüfpfad festgehalten. Höchstens 300 Zeichen."
        )

    def clean_first_due_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["first_due_on"]
        if day < self.today:
            raise ValidationError(
                "Die erste Rate kann nicht vor der Vereinbarung fällig sein.", code="instalment.first_past"
            )
        return day

    def clean_iban(self) -> str:
        text = str(self.cleaned_data["iban"]).replace(" ", "").upper()
        if not text:
            return ""
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            return str(IBAN(text).compact)
        except (SchwiftyException, ValueError):
            raise ValidationError(
                "Die IBAN ist ungültig (Länge oder Prüfziffer stimmen nicht).", code="instalment.iban"
            ) from None

    def clean_mandate_reference(self) -> str:
        text = str(self.cleaned_data["mandate_reference"]).strip()
        if text and not MANDATE_PATTERN.match(text):
            raise ValidationError(
                "Die Mandatsreferenz darf nur Buchstaben, Ziffern und + ? / - : ( ) . , ' enthalten.",
                code="instalment.mandate",
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mandate_reference") and not data.get("iban"):
            self.add_error(
                "iban",
                ValidationError(
                    "Zur Mandatsreferenz gehört die IBAN, von der die Raten eingezogen werden.",
                    code="instalment.iban_missing",
                ),
            )
        return data


class RevokeForm(KernFormMixin, forms.Form):
    reason = _reason_field(
        "Grund des Widerrufs", "z. B. Rate nicht bezahlt, neue Vermögenslage. Höchstens 300 Zeichen."
    )

    def __init__(self, *args: Any, plan: InstalmentPlan, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"{REVOKE_PREFIX}-{plan.pk}")
        super().__init__(*args, **kwargs)
        self.plan = plan


# --- the section on the file page -------------------------------------------------------------------------


@dataclass
class InstalmentRow:
    instalment: Instalment
    overdue_days: int = 0  # open and due before today

    @property
    def variant(self) -> str:
        return INSTALMENT_VARIANTS.get(InstalmentStatus(self.instalment.status), "info")

    @property
    def partly_paid(self) -> bool:
        i = self.instalment
        return i.status != InstalmentStatus.PAID and i.paid_cents > 0


@dataclass
class PlanCard:
    plan: InstalmentPlan
    rows: list[InstalmentRow]
    revoke_form: RevokeForm | None = None
    revoke_open: bool = False
    overdue: int = 0

    @property
    def paid(self) -> Cents:
        return Cents(sum(row.instalment.paid_cents for row in self.rows))

    @property
    def outstanding(self) -> Cents:
        return Cents(sum(row.instalment.amount_cents - row.instalment.paid_cents for row in self.rows))

    @property
    def variant(self) -> str:
        return PLAN_VARIANTS.get(InstalmentPlanStatus(self.plan.status), "info")

    @property
    def active(self) -> bool:
        return self.plan.status == InstalmentPlanStatus.ACTIVE


@dataclass
class InstalmentSection:
    context: dict[str, Any]
    forms: dict[str, forms.Form]
    open_form: str


def _plan_card(plan: InstalmentPlan, today: dt.date) -> PlanCard:
    rows: list[InstalmentRow] = []
    for instalment in plan.instalments.all():
        row = InstalmentRow(instalment)
        if instalment.status != InstalmentStatus.PAID and instalment.due_on < today:
            row.overdue_days = (today - instalment.due_on).days
        rows.append(row)
    card = PlanCard(plan, rows)
    card.overdue = sum(1 for r in rows if r.overdue_days and card.active)
    return card


def instalment_section(
    request: HttpRequest, case: Case, today: dt.date, *, editable: bool, bound: forms.Form | None
) -> InstalmentSection:
    """The plans of ``case`` (the running one first) and the forms the user may use."""
    plans = (
        case.instalment_plans.select_related("measure")
        .prefetch_related("instalments")
        .order_by("-agreed_on", "-pk")
    )
    cards = [_plan_card(plan, today) for plan in plans[:FINISHED_SHOWN]]
    cards.sort(key=lambda card: not card.active)
    running = next((card for card in cards if card.active), None)
    open_form = ""
    for card in cards:
        if isinstance(bound, RevokeForm) and bound.plan.pk == card.plan.pk:
            card.revoke_form, card.revoke_open = bound, True
            open_form = "revoke"
        elif editable and card.active:
            card.revoke_form = RevokeForm(plan=card.plan)

    section_forms: dict[str, forms.Form] = {}
    arrangeable = editable and case.status == CaseStatus.OPEN and running is None
    if isinstance(bound, InstalmentForm):
        section_forms["instalment"], open_form = bound, "instalment"
    elif arrangeable:
        section_forms["instalment"] = InstalmentForm(today=today)
        if request.GET.get("formular") == ARRANGE_PREFIX:
            open_form = "instalment"
    payable = Cents(0)
    if "instalment" in section_forms:
        payable = open_total(enforceable_claims(case, today))
    context: dict[str, Any] = {
        "instalment_plans": cards,
        "instalment_plan_count": plans.count(),
        "instalment_running": running,
        "instalment_payable": payable,
        "instalment_months_max": StrategySettings.current().instalment_months_max,
        "instalment_months_limit": INSTALMENT_MONTHS_LIMIT,
    }
    return InstalmentSection(context, section_forms, open_form)


def paid_instalments(case: Case) -> dict[int, int]:
    """Paid cents per instalment of the running plan (to tell what a payment paid)."""
    plan = InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).first()
    if plan is None:
        return {}
    return dict(plan.instalments.values_list("number", "paid_cents"))


def payment_note(case: Case, before: dict[int, int]) -> str:
    """What a payment paid of the running plan, in German (empty without a plan)."""
    if not before:
        return ""
    plan = InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).first()
    if plan is None:
        return ""
    paid, partly = [], []
    for instalment in plan.instalments.filter(paid_cents__gt=0):
        if instalment.paid_cents == before.get(instalment.number, 0):
            continue
        if instalment.status == InstalmentStatus.PAID:
            paid.append(f"{instalment.number}.")
        else:
            partly.append(f"{instalment.number}.")
    parts = []
    if paid:
        parts.append(f"{', '.join(paid)} Rate bezahlt")
    if partly:
        parts.append(f"{', '.join(partly)} Rate teilweise bezahlt")
    return f" Ratenzahlung: {'; '.join(parts)}." if parts else ""


# --- views ----------------------------------------------------------------------------------------------------


def _refusal(case: Case, today: dt.date) -> ValidationError | None:
    """What the action would refuse before any amount is looked at (asked here for the preview)."""
    if case.status != CaseStatus.OPEN:
        return ValidationError("Ratenzahlung nur in einer Akte in Bearbeitung.", code="case.not_open")
    if InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).exists():
        return ValidationError("Für die Akte läuft bereits eine Ratenzahlung.", code="instalment.exists")
    return None


def _preview(
    request: HttpRequest,
    case: Case,
    form: InstalmentForm,
    claims: list[tuple[Claim, Cents]],
    total: Cents,
    schedule: list[tuple[dt.date, Cents]],
    *,
    changed: bool = False,
) -> HttpResponse:
    data = form.cleaned_data
    return render(
        request,
        "web/cases/instalment_confirm.html",
        {
            "case": case,
            "form": form,
            "claims": claims,
            "total": total,
            "schedule": schedule,
            "count": len(schedule),
            "instalment": data["instalment"],
            "months_max": form.months_max,
            "long": len(schedule) > form.months_max,
            "changed": changed,
            "grace_days": StrategySettings.current().instalment_grace_days,
            "preview_total_name": PREVIEW_TOTAL,
        },
    )


@require_POST
@require(rules.can_change_cases)
def case_arrange_instalments(request: HttpRequest, number: str) -> HttpResponse:
    """Ratenzahlung in two steps: the form, then the schedule as a preview that asks for confirmation."""
    case = _case_of(number)
    today = timezone.localdate()
    form = InstalmentForm(request.POST, today=today)
    if form.is_valid():
        data = form.cleaned_data
        refusal = _refusal(case, today)
        claims = enforceable_claims(case, today)
        total = open_total(claims)
        try:
            if refusal is not None:
                raise refusal
            if total <= 0:
                raise ValidationError(
                    "Keine vollstreckbare offene Forderung in der Akte.", code="measure.precondition"
                )
            schedule = instalment_schedule(total, data["instalment"], data["first_due_on"])
            if len(schedule) > form.months_max and not data["reason"].strip():
                raise ValidationError(
                    "Mehr als %(max)s Raten (hier %(count)s): bitte begründen, warum der Vollstreckungsaufschub "
                    "länger dauern soll (§ 258 AO).",
                    code="instalment.reason_needed",
                    params={"max": form.months_max, "count": len(schedule)},
                )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            shown = [(claim, open_balance(claim)) for claim in claims]
            previewed = request.POST.get(PREVIEW_TOTAL, "")
            if request.POST.get("bestaetigt") != CONFIRMED or previewed != str(int(total)):
                return _preview(
                    request, case, form, shown, total, schedule,
                    changed=request.POST.get("bestaetigt") == CONFIRMED and bool(previewed),
                )  # fmt: skip
            actor = acting_user(request)
            try:
                with transaction.atomic():
                    plan = do_arrange_instalments(
                        case,
                        instalment=data["instalment"],
                        first_due_on=data["first_due_on"],
                        on=today,
                        reason=data["reason"].strip(),
                        iban=data["iban"],
                        mandate_reference=data["mandate_reference"],
                        actor=actor,
                    )
            except ValidationError as exc:
                _action_error(form, exc)
            else:
                count = plan.instalments.count()
                messages.success(
                    request,
                    f"Ratenzahlung vereinbart: {count} Rate{'' if count == 1 else 'n'} zu "
                    f"{Cents(plan.instalment_cents)}, die erste am {plan.first_due_on:%d.%m.%Y}. "
                    "Die Vollstreckung ruht, solange die Raten eingehen.",
                )
                produce_now(request, partial(instalment_notice, plan), subject="zur Ratenzahlung",
                            day=plan.agreed_on)  # fmt: skip
                return _back(case, "ratenzahlung")
    case.refresh_from_db()
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_revoke_instalments(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Widerruf of a running plan in two steps: the reason, then a page that asks for confirmation."""
    case = _case_of(number)
    plan = get_object_or_404(InstalmentPlan, pk=pk, case=case)
    form = RevokeForm(request.POST, plan=plan)
    if form.is_valid():
        if plan.status != InstalmentPlanStatus.ACTIVE:
            form.add_error(
                None,
                ValidationError(
                    "Die Ratenzahlung läuft nicht mehr (%(status)s).",
                    code="instalment.not_active",
                    params={"status": plan.get_status_display()},
                ),
            )
        elif request.POST.get("bestaetigt") != CONFIRMED:
            return _confirm(
                request, case, form,
                action=reverse("web:case_revoke_instalments", args=[case.number, plan.pk]),
                title="Ratenzahlung widerrufen?",
                lead=f"Der Vollstreckungsaufschub der Akte {case.number} vom {plan.agreed_on:%d.%m.%Y} endet heute.",
                text=(
                    "Die Vollstreckung wird fortgesetzt (§ 258 AO); die offenen Raten sind nicht mehr maßgeblich. "
                    "Eine Wiedervorlage erinnert daran, den Widerruf dem Schuldner bekannt zu geben. Das lässt "
                    "sich nicht rückgängig machen."
                ),
                button="Widerrufen",
            )  # fmt: skip
        else:
            actor = acting_user(request)
            try:
                with transaction.atomic():
                    do_revoke_instalment_plan(
                        plan, on=timezone.localdate(), reason=form.cleaned_data["reason"].strip(), actor=actor
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    "Ratenzahlung widerrufen; die Vollstreckung wird fortgesetzt. Eine Wiedervorlage erinnert "
                    "daran, den Widerruf bekannt zu geben.",
                )
                plan.refresh_from_db()
                produce_now(request, partial(instalment_revocation, plan), subject="zum Widerruf",
                            day=plan.ended_on)  # fmt: skip
                return _back(case, "ratenzahlung")
    case.refresh_from_db()
    return _case_page(request, case, bound=form)
