"""Debtor files (Schuldnerakten): the caseworker's worklist, the list of files and the file itself.

A file spans partners (schuldnerbezogene Bündelung), so these pages are for office staff only; a Partner
user sees its own claims on the claim pages, never a file. The file page shows the debtor's personal data
and logs every view. Every change is an action of ``kofo.cases.casefiles`` (notes, follow-ups, assignment,
suspension); the actions' German ValidationErrors are shown at the form. The measures, third parties and
payments of the file are ``kofo.web.views.measures``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kofo import limits
from kofo.audit.models import AuditEvent
from kofo.audit.recording import log_personal_data_access
from kofo.cases.access import access_claims
from kofo.cases.casefiles import (
    NOTE_CHARS_MAX,
    do_add_note,
    do_assign_case,
    do_complete_follow_up,
    do_reopen_case,
    do_schedule_follow_up,
    do_suspend_case,
)
from kofo.cases.measures import DECLARATION_OUTCOMES, DISCLOSURE_OUTCOMES, FIELD_OUTCOMES
from kofo.cases.models import (
    Case,
    CaseCloseReason,
    CaseStatus,
    Claim,
    FollowUp,
    FollowUpKind,
    MeasureKind,
    MeasureStatus,
    SurchargeAccrual,
    ThirdPartyKind,
)
from kofo.documents.access import case_documents
from kofo.documents.models import Document
from kofo.ledger.balances import subjects_balances
from kofo.ledger.models import AccountKind, Component, Posting, Transaction
from kofo.money import Cents
from kofo.partners.roles import Role
from kofo.payments.models import PaymentSource
from kofo.web import rules
from kofo.web.forms import GermanDateInput, KernFormMixin
from kofo.web.views.common import acting_user, is_htmx, paginate, require

CASE_TYPE = Case._meta.label_lower  # "cases.case": audit events of the file
CLAIM_TYPE = Claim._meta.label_lower  # "cases.claim": audit events, transactions and accounts of a claim

# The worklist's groups, in the order a caseworker works them (other kinds follow, see group_by_kind).
FOLLOW_UP_KINDS = (
    FollowUpKind.MANUAL,
    FollowUpKind.LIMITATION,
    FollowUpKind.DEFERRAL_ENDS,
    FollowUpKind.REVIEW,
)
# Limits (rules of the house, no. 7): rows of one page section; more are reached by a filter or a page.
WORKLIST_FOLLOW_UPS_MAX = limits.PAGE_SIZE_MAX
UNASSIGNED_SHOWN = 10
DONE_FOLLOW_UPS_SHOWN = limits.PAGE_SIZE_DEFAULT
NOTES_SHOWN = limits.PAGE_SIZE_DEFAULT
SURCHARGES_SHOWN = limits.PAGE_SIZE_MAX
TIMELINE_PAGE_SIZE = limits.PAGE_SIZE_DEFAULT

# The open amounts of a claim, column by column: Hauptforderung, then the Nebenforderungen.
COMPONENTS_SHOWN = (
    Component.PRINCIPAL,
    Component.SURCHARGE,
    Component.FEE,
    Component.COST,
    Component.INTEREST,
)

DEBTOR_DATA_SHOWN = "Name, Geburtsdatum, Anschrift(en) der Partner, bekannte Drittschuldner und IBAN"

STATUS_VARIANTS = {CaseStatus.OPEN: "info", CaseStatus.SUSPENDED: "warning", CaseStatus.CLOSED: "success"}

# Audit actions on the file or its claims, in German for the timeline.
ACTION_LABELS = {
    "cases.open_case": "Akte angelegt",
    "cases.assign_case": "Sachbearbeitung zugewiesen",
    "cases.suspend_case": "Akte zurückgestellt",
    "cases.reopen_case": "Akte wieder in Bearbeitung",
    "cases.close_case": "Akte abgeschlossen",
    "cases.close_merged_case": "Akte zusammengeführt und abgeschlossen",
    "cases.reduce_claim": "Betrag abgesetzt",
    "cases.cancel_claim": "Forderung ganz abgesetzt",
    "cases.withdraw_claim": "Ersuchen zurückgenommen",
    "cases.remission_claim": "Forderung erlassen (§ 227 AO)",
    "cases.defer_claim": "Forderung gestundet",
    "cases.end_deferral": "Stundung abgelaufen",
    "cases.record_direct_payment": "Direktzahlung an den Partner",
    "cases.time_barred_claim": "Forderung verjährt",
    # Vollstreckungsmaßnahmen (kofo.cases.measures)
    "cases.propose_measure": "Maßnahme vorgeschlagen",
    "cases.start_measure": "Maßnahme begonnen",
    "cases.finish_measure": "Maßnahme beendet",
    "cases.cancel_measure": "Maßnahme verworfen",
    "cases.record_service": "Zustellung erfasst",
    "cases.summon_disclosure": "Ladung zur Vermögensauskunft",
    "cases.record_disclosure": "Vermögensauskunft erfasst",
    "cases.record_field_result": "Ergebnis des Außendienstes",
    "cases.return_to_partners": "Rückgabe an die Partner",
    "cases.write_down": "Niederschlagung",
    "cases.record_expense": "Auslagen erfasst",
    "cases.note_third_party": "Drittschuldner vermerkt",
    "cases.arrange_instalments": "Ratenzahlung vereinbart",
    "cases.revoke_instalments": "Ratenzahlung widerrufen",
    "payments.record_payment": "Zahlung erfasst",
}
# Events of measures without the measure's kind in their summary.
MEASURE_EVENT_ACTIONS = ("cases.record_expense", "cases.note_third_party", "payments.record_payment")
# These events have their own, richer timeline entries (the note, the follow-up).
# The attached assessment is in the timeline as the document itself.
ACTIONS_SHOWN_ELSEWHERE = (
    "cases.add_note",
    "cases.schedule_follow_up",
    "cases.complete_follow_up",
    "documents.attach_to_claim",
)

# Which form field an action's error belongs to (by its code); others are shown above the form.
ERROR_FIELDS = {
    "case.note_empty": "text",
    "case.note_too_long": "text",
    "case.follow_up_reason": "reason",
    "case.suspend_past": "until",
}

WORKLIST_VIEW = "arbeitsliste"
CONFIRMED = "ja"
BY_RULE = "regel"
UNASSIGNED = "ohne"
EVERYONE = "alle"


# --- caseworkers ------------------------------------------------------------------------------------------


def person(user: Any) -> str:
    """A user as the UI names them: full name, else the user name."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def caseworkers() -> QuerySet[Any]:
    """Who can take a file: active users with the Innendienst role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.INNENDIENST.value)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def caseworkers_with_files() -> QuerySet[Any]:
    """Caseworkers, and anyone else who holds a file (to filter the list by them)."""
    return (
        get_user_model()
        .objects.filter(Q(is_active=True, groups__name=Role.INNENDIENST.value) | Q(cases__isnull=False))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _user_choices(users: Iterable[Any]) -> list[tuple[str, str]]:
    return [(u.get_username(), person(u)) for u in users]


# --- forms (rendered field by field with web/includes/field.html) -----------------------------------------


class CaseFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    q = forms.CharField(
        label="Suche",
        required=False,
        max_length=100,
        help_text="Aktenzeichen, Name des Schuldners oder Schuldnernummer",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "alle"), *CaseStatus.choices])
    sachbearbeitung = forms.ChoiceField(label="Sachbearbeitung", required=False)

    def __init__(self, *args: Any, users: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sachbearbeitung"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "alle"), (UNASSIGNED, "ohne Sachbearbeitung"), *_user_choices(users)]


class WorklistFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    sachbearbeitung = forms.ChoiceField(label="Arbeitsliste von", required=False)

    def __init__(self, *args: Any, users: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sachbearbeitung"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "mir"), (EVERYONE, "alle Sachbearbeiter"), *_user_choices(users)]


class NoteForm(KernFormMixin, forms.Form):
    prefix = "vermerk"

    text = forms.CharField(
        label="Vermerk",
        max_length=NOTE_CHARS_MAX,
        help_text=(
            f"Höchstens {NOTE_CHARS_MAX:_} Zeichen. Ein Vermerk wird nie geändert; eine Berichtigung ist ein "
            "neuer Vermerk.".replace("_", ".")
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(KernFormMixin, forms.Form):
    prefix = "wiedervorlage"

    due_on = forms.DateField(
        label="Wiedervorlage am",
        widget=GermanDateInput(),
        help_text="An diesem Tag erscheint die Akte in der Arbeitsliste der Sachbearbeitung.",
    )
    reason = forms.CharField(
        label="Anlass",
        max_length=300,
        help_text="Was dann zu tun ist. Höchstens 300 Zeichen.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_due_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise ValidationError(
                "Eine Wiedervorlage liegt heute oder in der Zukunft.", code="case.follow_up_past"
            )
        return day


class AssignForm(KernFormMixin, forms.Form):
    prefix = "zuweisung"

    caseworker = forms.ChoiceField(label="Sachbearbeitung")
    reason = forms.CharField(
        label="Grund",
        required=False,
        max_length=200,
        help_text="Nur bei Zuweisung an eine Person; bei „nach Regel“ nennt die Regel den Grund.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, users: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caseworker"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(BY_RULE, "nach Regel (Zuständigkeitsregeln)"), *_user_choices(users)]


class SuspendForm(KernFormMixin, forms.Form):
    prefix = "zurueckstellung"

    until = forms.DateField(
        label="zurückgestellt bis",
        widget=GermanDateInput(),
        help_text="Datum in der Zukunft: an diesem Tag holt der Tageslauf die Akte mit einer Wiedervorlage zurück.",
    )
    reason = forms.CharField(
        label="Grund",
        max_length=300,
        help_text="z. B. Niederschlagung wegen Aussichtslosigkeit (§ 261 AO). Höchstens 300 Zeichen.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_until(self) -> dt.date:
        # The action checks it too; asked here, a wrong date is answered before the confirmation step.
        day: dt.date = self.cleaned_data["until"]
        if day <= timezone.localdate():
            raise ValidationError("Die Zurückstellung muss in der Zukunft enden.", code="case.suspend_past")
        return day


class ReopenForm(KernFormMixin, forms.Form):
    prefix = "wiederaufnahme"

    reason = forms.CharField(
        label="Grund",
        max_length=300,
        help_text="Warum die Akte vor dem Ende der Zurückstellung wieder bearbeitet wird.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


FORM_NAMES = {
    NoteForm.prefix: "note",
    FollowUpForm.prefix: "follow_up",
    AssignForm.prefix: "assign",
    SuspendForm.prefix: "suspend",
    ReopenForm.prefix: "reopen",
}


def _action_error(form: forms.Form, exc: ValidationError) -> None:
    """Put an action's German message at the field it concerns (or above the form)."""
    for error in exc.error_list:
        name = ERROR_FIELDS.get(error.code or "")
        form.add_error(name if name in form.fields else None, error)


# --- the worklist (Arbeitsliste) ----------------------------------------------------------------------------


@dataclass
class FollowUpGroup:
    kind: str
    label: str
    rows: list[FollowUp]


def group_by_kind(rows: list[FollowUp]) -> list[FollowUpGroup]:
    """The follow-ups by kind: the kinds of :data:`FOLLOW_UP_KINDS` in that order, every other kind after."""
    order = [*FOLLOW_UP_KINDS, *(kind for kind in FollowUpKind if kind not in FOLLOW_UP_KINDS)]
    groups = {str(kind): FollowUpGroup(str(kind), str(kind.label), []) for kind in order}
    for row in rows:
        groups.setdefault(row.kind, FollowUpGroup(row.kind, row.get_kind_display(), [])).rows.append(row)
    return list(groups.values())


def _mark_overdue(follow_ups: Iterable[FollowUp], today: dt.date) -> None:
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.due_on < today  # type: ignore[attr-defined]
        follow_up.overdue_days = (today - follow_up.due_on).days  # type: ignore[attr-defined]


@require(rules.can_use_worklist)
def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    users = list(caseworkers())
    form = None
    everyone = False
    owner: Any = acting_user(request)
    if rules.can_view_all_worklists(user):
        form = WorklistFilterForm(request.GET or None, users=users)
        if form.is_valid():
            choice = form.cleaned_data["sachbearbeitung"]
            if choice == EVERYONE:
                everyone = True
            elif choice:
                owner = next(u for u in users if u.get_username() == choice)

    due = FollowUp.objects.filter(done_at__isnull=True, due_on__lte=today)
    files = Case.objects.all()
    if not everyone:
        due = due.filter(case__caseworker=owner)
        files = files.filter(caseworker=owner)
    due_count = due.count()
    rows = list(
        due.select_related("case__debtor", "case__caseworker").order_by("due_on", "id")[
            :WORKLIST_FOLLOW_UPS_MAX
        ]
    )
    _mark_overdue(rows, today)
    groups = group_by_kind(rows)
    status_counts = dict(files.values_list("status").annotate(n=Count("id")).order_by())

    unassigned = (
        Case.objects.filter(caseworker__isnull=True)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("debtor")
        .annotate(
            due_follow_ups=Count(
                "follow_ups", filter=Q(follow_ups__done_at__isnull=True, follow_ups__due_on__lte=today)
            )
        )
        .order_by("opened_on", "number")
    )
    owner_name = "" if everyone else owner.get_username()
    context: dict[str, Any] = {
        "today": today,
        "form": form,
        "everyone": everyone,
        "owner": None if everyone else owner,
        "owner_label": "alle Sachbearbeiter" if everyone else person(owner),
        "own": not everyone and owner == user,
        "groups": [g for g in groups if g.rows],
        # The four kinds of the daily work always, others (e.g. proposals of the strategy) when present.
        "kind_counts": [(g.label, len(g.rows)) for g in groups if g.rows or g.kind in FOLLOW_UP_KINDS],
        "due_count": due_count,
        "shown_count": len(rows),
        "overdue_count": due.filter(due_on__lt=today).count(),
        "open_count": status_counts.get(CaseStatus.OPEN, 0),
        "suspended_count": status_counts.get(CaseStatus.SUSPENDED, 0),
        "files_url": reverse("web:case_list")
        + (f"?{urlencode({'sachbearbeitung': owner_name})}" if owner_name else ""),
        "unassigned": list(unassigned[:UNASSIGNED_SHOWN]),
        "unassigned_count": unassigned.count(),
    }
    return render(request, "web/cases/worklist.html", context)


# --- the list of files (Akten) ------------------------------------------------------------------------------


def _htmx_search(form: CaseFilterForm) -> None:
    """Live search like the partner search: the results swap in place, the address bar keeps the filter."""
    common = {
        "hx-get": reverse("web:case_list"),
        "hx-target": "#case-results",
        "hx-push-url": "true",
        "hx-include": "closest form",
        "hx-indicator": "#case-search-loader",
    }
    form.fields["q"].widget.attrs.update({**common, "hx-trigger": "keyup changed delay:300ms, search"})
    for name in ("status", "sachbearbeitung"):
        form.fields[name].widget.attrs.update({**common, "hx-trigger": "change"})


@require(rules.can_view_cases)
def case_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = CaseFilterForm(request.GET or None, users=caseworkers_with_files())
    _htmx_search(form)
    cases = Case.objects.select_related("debtor", "caseworker")
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        if query:
            matching = Case.objects.filter(
                Q(number__icontains=query)
                | Q(debtor__number__icontains=query)
                | Q(debtor__display_name__icontains=query)
                | Q(debtor__records__surname__icontains=query)
                | Q(debtor__records__birth_name__icontains=query)
                | Q(debtor__records__legal_name__icontains=query)
            ).values("pk")
            cases = cases.filter(pk__in=matching)
        if data["status"]:
            cases = cases.filter(status=data["status"])
        if data["sachbearbeitung"] == UNASSIGNED:
            cases = cases.filter(caseworker__isnull=True)
        elif data["sachbearbeitung"]:
            cases = cases.filter(caseworker__username=data["sachbearbeitung"])
    cases = cases.annotate(
        due_follow_ups=Count(
            "follow_ups",
            filter=Q(follow_ups__done_at__isnull=True, follow_ups__due_on__lte=today),
            distinct=True,
        ),
    )
    context: dict[str, Any] = {
        "form": form,
        "page": paginate(request, cases.order_by("number")),
        "query": query,
        "filtered": form.is_valid() and any(form.cleaned_data.values()),
    }
    template = "web/cases/_results.html" if is_htmx(request) else "web/cases/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the file (Akte) ----------------------------------------------------------------------------------------


def claim_balances(claim_ids: list[int]) -> dict[int, dict[Component, Cents]]:
    """Open amount per component of each claim, in one query for the whole file."""
    return subjects_balances(CLAIM_TYPE, claim_ids)


@dataclass
class ClaimRow:
    claim: Claim
    amounts: list[Cents]
    total: Cents


@dataclass
class PartnerGroup:
    partner: Any
    rows: list[ClaimRow] = field(default_factory=list)

    @property
    def amounts(self) -> list[Cents]:
        return [sum((r.amounts[i] for r in self.rows), Cents(0)) for i in range(len(COMPONENTS_SHOWN))]

    @property
    def total(self) -> Cents:
        return sum((r.total for r in self.rows), Cents(0))


def _claim_groups(claims: list[Claim]) -> list[PartnerGroup]:
    balances = claim_balances([c.pk for c in claims])
    groups: dict[int, PartnerGroup] = {}
    for claim in claims:
        amounts = [balances[claim.pk][component] for component in COMPONENTS_SHOWN]
        group = groups.setdefault(claim.partner_id, PartnerGroup(claim.partner))
        group.rows.append(ClaimRow(claim, amounts, sum(amounts, Cents(0))))
    return list(groups.values())


def _addresses(records: Iterable[Any]) -> list[dict[str, str]]:
    """The debtor's addresses as the partners submitted them, newest first, each once."""
    seen: dict[tuple[str, ...], dict[str, str]] = {}
    for record in records:
        key = (record.street, record.house_number, record.postcode, record.city, record.country)
        if not any(key[:4]) or key in seen:
            continue
        line = f"{record.street} {record.house_number}".strip()
        place = f"{record.postcode} {record.city}".strip()
        if record.country and record.country != "DE":
            place += f" ({record.country})"
        seen[key] = {"street": line, "place": place, "partner": record.partner.name}
    return list(seen.values())


# --- the timeline ----


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    order: int  # ties: the later source first (document > follow-up done > note > follow-up > booking > …)
    pk: int
    kind: str  # event, booking, note, follow_up, document
    kind_label: str
    title: str
    detail: str = ""
    actor: str = ""
    amount: Cents | None = None
    url: str = ""

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, self.order, self.pk)


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _german_date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return str(value or "")


def _event_detail(event: AuditEvent, kassenzeichen: dict[str, str]) -> str:
    summary = event.summary if isinstance(event.summary, dict) else {}
    parts: list[str] = []
    if event.object_type == CLAIM_TYPE:
        parts.append(f"Forderung {kassenzeichen.get(event.object_id, event.object_repr)}")
    action = event.action
    if action == "cases.open_case":
        who = summary.get("caseworker") or "ohne Sachbearbeitung"
        parts.append(
            f"Sachbearbeitung: {who}" + (f" ({summary['assignment']})" if summary.get("assignment") else "")
        )
    elif action == "cases.assign_case":
        parts.append(f"{summary.get('before') or 'niemand'} → {summary.get('after') or 'niemand'}")
        if summary.get("reason"):
            parts.append(str(summary["reason"]))
    elif action == "cases.suspend_case":
        parts.append(f"bis {_german_date(summary.get('until'))}")
        if summary.get("reason"):
            parts.append(str(summary["reason"]))
    elif action == "cases.reopen_case":
        if summary.get("reason"):
            parts.append(str(summary["reason"]))
    elif action == "cases.close_case":
        reason = summary.get("reason")
        if reason in CaseCloseReason.values:
            parts.append(str(CaseCloseReason(reason).label))
    elif action == "cases.close_merged_case":
        parts.append(f"weitergeführt in {summary.get('survivor', '')}")
    elif action in ("cases.defer_claim",) and summary.get("until"):
        parts.append(f"bis {_german_date(summary['until'])}")
    elif action == "cases.time_barred_claim" and summary.get("expired_on"):
        parts.append(f"mit Ablauf des {_german_date(summary['expired_on'])}")
    elif (action.startswith("cases.") and "kind" in summary) or action in MEASURE_EVENT_ACTIONS:
        parts.extend(_measure_event_detail(action, summary))
    return "; ".join(parts)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _cents(value: Any) -> str:
    return str(Cents(int(value))) if isinstance(value, int) else ""


def _measure_event_detail(action: str, summary: dict[str, Any]) -> list[str]:
    """The timeline's words for the events of measures, third parties and payments."""
    parts: list[str] = []
    if action == "cases.note_third_party":
        parts.append(f"{summary.get('third_party', '')} ({_label(ThirdPartyKind, summary.get('kind'))})")
        if summary.get("source"):
            parts.append(str(summary["source"]))
        return parts
    if action == "payments.record_payment":
        parts.append(f"{_cents(summary.get('amount_cents'))} am {_german_date(summary.get('received_on'))}")
        parts.append(_label(PaymentSource, summary.get("source")))
        if summary.get("leftover_cents"):
            parts.append(f"Überzahlung {_cents(summary['leftover_cents'])}")
        if summary.get("settled"):
            parts.append("bezahlt: " + ", ".join(str(k) for k in summary["settled"]))
        return parts
    if summary.get("kind"):
        parts.append(_label(MeasureKind, summary["kind"]))
    if summary.get("executed_on"):
        parts.append(f"ausgeführt am {_german_date(summary['executed_on'])}")
    if summary.get("served_on"):
        parts.append(f"zugestellt am {_german_date(summary['served_on'])}")
    if summary.get("appointment_on"):
        parts.append(f"Termin am {_german_date(summary['appointment_on'])}")
    if summary.get("review_on"):
        parts.append(f"Wiedervorlage am {_german_date(summary['review_on'])}")
    outcome = summary.get("outcome")
    if outcome:
        outcomes = {**DECLARATION_OUTCOMES, **DISCLOSURE_OUTCOMES, **FIELD_OUTCOMES}
        parts.append(outcomes.get(str(outcome), str(outcome)))
    if action == "cases.finish_measure" and summary.get("status"):
        parts.append(_label(MeasureStatus, summary["status"]))
    if summary.get("third_party"):
        parts.append(f"Drittschuldner {summary['third_party']}")
    if summary.get("amount_cents"):
        parts.append(_cents(summary["amount_cents"]))
    for key in ("reason", "note"):
        if summary.get(key):
            parts.append(str(summary[key]))
    return parts


def build_timeline(case: Case, claims: list[Claim], page_number: int, *, link_ledger: bool) -> TimelinePage:
    """Audit events of the file and its claims, the claims' bookings, notes, follow-ups and the documents of
    the file (letters produced, documents received), newest first.

    One page of ``TIMELINE_PAGE_SIZE`` entries: each source gives its newest ``page × size`` rows, the merge
    of those holds the page exactly (a row further down its source cannot be newer than one above it).
    """
    claim_keys = [str(c.pk) for c in claims]
    kassenzeichen = {str(c.pk): c.kassenzeichen for c in claims}
    events = AuditEvent.objects.filter(
        Q(object_type=CASE_TYPE, object_id=str(case.pk)) | Q(object_type=CLAIM_TYPE, object_id__in=claim_keys)
    ).exclude(action__in=ACTIONS_SHOWN_ELSEWHERE)
    bookings = Transaction.objects.filter(object_type=CLAIM_TYPE, object_id__in=claim_keys)
    notes = case.notes.all()
    follow_ups = case.follow_ups.all()
    follow_ups_done = follow_ups.filter(done_at__isnull=False)
    documents = Document.objects.filter(case_documents(case)).only(
        "pk", "kind", "title", "letter_date", "template_id", "created_at", "created_by"
    )
    total = (
        events.count()
        + bookings.count()
        + notes.count()
        + follow_ups.count()
        + follow_ups_done.count()
        + documents.count()
    )
    pages = max(1, math.ceil(total / TIMELINE_PAGE_SIZE))
    number = min(max(1, page_number), pages)
    need = number * TIMELINE_PAGE_SIZE

    entries: list[TimelineEntry] = []
    for event in events.order_by("-created_at", "-id")[:need]:
        entries.append(
            TimelineEntry(
                at=event.created_at, order=0, pk=event.pk, kind="event", kind_label="Prüfpfad",
                title=ACTION_LABELS.get(event.action, event.action),
                detail=_event_detail(event, kassenzeichen), actor=event.actor,
            )
        )  # fmt: skip
    booking_rows = list(bookings.order_by("-created_at", "-id")[:need])
    amounts = dict(
        Posting.objects.filter(
            transaction__in=[t.pk for t in booking_rows],
            account__kind=AccountKind.RECEIVABLE,
            account__subject_type=CLAIM_TYPE,
            account__subject_id__in=claim_keys,
        )
        .values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
        .values_list("transaction_id", "total")
    )
    for txn in booking_rows:
        surcharge = txn.reason_code == "claim.surcharge"
        entries.append(
            TimelineEntry(
                at=txn.created_at, order=1, pk=txn.pk, kind="booking", kind_label="Buchung",
                title="Säumniszuschlag gebucht" if surcharge else f"Buchung {txn.pk}",
                detail=f"{txn.description} (Wertstellung {txn.value_date:%d.%m.%Y})",
                actor=txn.created_by, amount=Cents(int(amounts.get(txn.pk) or 0)),
                url=reverse("web:transaction_detail", args=[txn.pk]) if link_ledger else "",
            )
        )  # fmt: skip
    for follow_up in follow_ups.order_by("-created_at", "-id")[:need]:
        entries.append(
            TimelineEntry(
                at=follow_up.created_at, order=2, pk=follow_up.pk, kind="follow_up", kind_label="Wiedervorlage",
                title=f"{follow_up.get_kind_display()} angelegt",
                detail=f"fällig am {follow_up.due_on:%d.%m.%Y}: {follow_up.reason}", actor=follow_up.created_by,
            )
        )  # fmt: skip
    for note in notes.order_by("-created_at", "-id")[:need]:
        entries.append(
            TimelineEntry(
                at=note.created_at, order=3, pk=note.pk, kind="note", kind_label="Vermerk",
                title="Vermerk", detail=note.text, actor=note.author,
            )
        )  # fmt: skip
    for follow_up in follow_ups_done.order_by("-done_at", "-id")[:need]:
        assert follow_up.done_at is not None
        entries.append(
            TimelineEntry(
                at=follow_up.done_at, order=4, pk=follow_up.pk, kind="follow_up", kind_label="Wiedervorlage",
                title=f"{follow_up.get_kind_display()} erledigt",
                detail=f"fällig am {follow_up.due_on:%d.%m.%Y}: {follow_up.reason}", actor=follow_up.done_by,
            )
        )  # fmt: skip
    for document in documents.order_by("-created_at", "-id")[:need]:
        received = document.template_id is None
        day = f"{document.letter_date:%d.%m.%Y}" if document.letter_date else ""
        entries.append(
            TimelineEntry(
                at=document.created_at, order=5, pk=document.pk, kind="document", kind_label="Schriftstück",
                title=document.title,
                detail=f"{document.get_kind_display()}; {'eingegangen am' if received else 'Schreiben vom'} {day}",
                actor=document.created_by, url=reverse("web:document_detail", args=[document.pk]),
            )
        )  # fmt: skip
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    start = (number - 1) * TIMELINE_PAGE_SIZE
    return TimelinePage(entries[start : start + TIMELINE_PAGE_SIZE], number, pages, total)


def _page_number(request: HttpRequest, name: str) -> int:
    try:
        return int(request.GET.get(name, "1"))
    except ValueError:
        return 1


def _case_of(number: str) -> Case:
    return get_object_or_404(Case.objects.select_related("debtor__merged_into", "caseworker"), number=number)


def _case_page(
    request: HttpRequest, case: Case, *, bound: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    """The file page; ``bound`` is a form of a refused change, shown open with its messages."""
    user = request.user
    today = timezone.localdate()
    debtor = case.debtor
    records = list(debtor.records.select_related("partner").order_by("-created_at", "-id"))
    log_personal_data_access(
        actor=acting_user(request),
        subject=debtor,
        what=f"Schuldnerakte {case.number}: {DEBTOR_DATA_SHOWN}",
        purpose="Bearbeitung der Schuldnerakte",
        channel="ui",
        path=request.path,
    )
    # Office staff only reach this page; the tenancy filter stays the one choke point all the same.
    claims = list(
        access_claims(user)
        .filter(debtor_record__debtor_id=case.debtor_id)
        .select_related("partner")
        .order_by("partner__name", "due_date", "kassenzeichen")
    )
    groups = _claim_groups(claims)
    file_amounts = [sum((g.amounts[i] for g in groups), Cents(0)) for i in range(len(COMPONENTS_SHOWN))]

    accruals = SurchargeAccrual.objects.filter(claim__in=[c.pk for c in claims])
    open_follow_ups = list(case.follow_ups.filter(done_at__isnull=True).order_by("due_on", "id"))
    _mark_overdue(open_follow_ups, today)
    done_follow_ups = case.follow_ups.filter(done_at__isnull=False)
    notes = case.notes.all()

    can_change = rules.can_change_cases(user)
    forms_shown: dict[str, forms.Form] = {}
    if can_change:
        users = list(caseworkers())
        forms_shown = {
            "note": NoteForm(),
            "follow_up": FollowUpForm(),
            "assign": AssignForm(
                users=users,
                initial={"caseworker": case.caseworker.get_username() if case.caseworker else BY_RULE},
            ),
        }
        if case.status != CaseStatus.CLOSED:
            forms_shown["suspend"] = SuspendForm()
        if case.status == CaseStatus.SUSPENDED:
            forms_shown["reopen"] = ReopenForm()
    open_form = ""
    if bound is not None and str(bound.prefix) in FORM_NAMES:
        # A refused change shows its form with the message, even where the form is no longer offered
        # (e.g. the file was closed meanwhile).
        open_form = FORM_NAMES[str(bound.prefix)]
        forms_shown[open_form] = bound
    # Measures, third parties and payments (kofo.web.views.measures; it imports this module, hence here).
    from kofo.web.views.measures import measure_section

    measures = measure_section(request, case, today, can_change=can_change, bound=bound)
    forms_shown.update(measures.forms)
    open_form = measures.open_form or open_form
    # The documents of the file (kofo.web.views.documents; it imports this module, hence here).
    from kofo.web.views.documents import document_section

    documents = document_section(request, case, today, bound=bound)
    forms_shown.update(documents.forms)
    open_form = documents.open_form or open_form
    survivor = None
    if debtor.merged_into_id is not None:
        survivor = Case.objects.filter(debtor_id=debtor.merged_into_id).first()

    context: dict[str, Any] = {
        "case": case,
        "debtor": debtor,
        "today": today,
        "addresses": _addresses(records),
        "status_variant": STATUS_VARIANTS.get(CaseStatus(case.status), "info"),
        "caseworker_name": person(case.caseworker),
        "survivor": survivor,
        "components": [component.label for component in COMPONENTS_SHOWN],
        "groups": groups,
        "claim_count": len(claims),
        "file_components": [
            (component.label, amount)
            for component, amount in zip(COMPONENTS_SHOWN, file_amounts, strict=True)
        ],
        "file_total": sum(file_amounts, Cents(0)),
        # What the debtor owes in all: the claims and the office's own fees and expenses.
        "payable_total": sum(file_amounts, measures.office_open),
        "accruals": list(
            accruals.select_related("claim").order_by("-starts_on", "claim__kassenzeichen")[:SURCHARGES_SHOWN]
        ),
        "accrual_count": accruals.count(),
        "accrual_total": Cents(int(accruals.aggregate(total=Sum("amount_cents"))["total"] or 0)),
        "open_follow_ups": open_follow_ups,
        "done_follow_ups": list(done_follow_ups.order_by("-done_at", "-id")[:DONE_FOLLOW_UPS_SHOWN]),
        "done_follow_up_count": done_follow_ups.count(),
        "notes": list(notes.order_by("-created_at", "-id")[:NOTES_SHOWN]),
        "note_count": notes.count(),
        "timeline": build_timeline(
            case, claims, _page_number(request, "verlauf"), link_ledger=rules.can_view_ledger(user)
        ),
        "can_change": can_change,
        "forms": forms_shown,
        "open_form": open_form,
        "link_claims": rules.can_view_claims(user),
        "link_debtor": rules.can_view_debtors(user),
        "link_ledger": rules.can_view_ledger(user),
        **measures.context,
        **documents.context,
    }
    return render(request, "web/cases/detail.html", context, status=status)


@require(rules.can_view_cases)
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, _case_of(number))


def _done(case: Case, anchor: str = "") -> HttpResponse:
    return redirect(reverse("web:case_detail", args=[case.number]) + (f"#{anchor}" if anchor else ""))


@require_POST
@require(rules.can_change_cases)
def case_add_note(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_of(number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            do_add_note(case, text=form.cleaned_data["text"], actor=acting_user(request))
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, f"Der Vermerk ist in der Akte {case.number} gespeichert.")
            return _done(case, "vermerke")
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_schedule_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_of(number)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        due_on = form.cleaned_data["due_on"]
        try:
            do_schedule_follow_up(
                case, due_on=due_on, reason=form.cleaned_data["reason"], actor=acting_user(request)
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, f"Wiedervorlage zum {due_on:%d.%m.%Y} angelegt.")
            return _done(case, "wiedervorlagen")
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def follow_up_done(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Mark a follow-up done: htmx swaps the action cell of its row, without JavaScript the page reloads."""
    follow_up = get_object_or_404(FollowUp.objects.select_related("case"), pk=pk, case__number=number)
    error = ""
    try:
        follow_up = do_complete_follow_up(follow_up, actor=acting_user(request))
    except ValidationError as exc:
        error = " ".join(exc.messages)
        follow_up.refresh_from_db()
    if is_htmx(request):
        return render(request, "web/cases/_follow_up_done.html", {"follow_up": follow_up, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Wiedervorlage vom {follow_up.due_on:%d.%m.%Y} zu {number} erledigt.")
    if request.POST.get("ansicht") == WORKLIST_VIEW:
        return redirect("web:worklist")
    return _done(follow_up.case, "wiedervorlagen")


@require_POST
@require(rules.can_change_cases)
def case_assign(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_of(number)
    users = list(caseworkers())
    form = AssignForm(request.POST, users=users)
    if form.is_valid():
        choice = form.cleaned_data["caseworker"]
        actor = acting_user(request)
        if choice == BY_RULE:
            caseworker, reason = None, ""
        else:
            caseworker = next(u for u in users if u.get_username() == choice)
            reason = form.cleaned_data["reason"].strip() or f"von Hand zugewiesen ({actor.get_username()})"
        try:
            case = do_assign_case(case, caseworker=caseworker, reason=reason, actor=actor)
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            if case.caseworker is None:
                messages.warning(
                    request,
                    f"Keine Zuständigkeitsregel passt: die Akte {case.number} ist jetzt ohne Sachbearbeitung.",
                )
            else:
                messages.success(
                    request,
                    f"Die Akte {case.number} ist jetzt {person(case.caseworker)} zugewiesen "
                    f"({case.assignment_reason}).",
                )
            return _done(case)
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_suspend(request: HttpRequest, number: str) -> HttpResponse:
    """Zurückstellung in two steps: the form, then a page that asks for confirmation of the status change."""
    case = _case_of(number)
    form = SuspendForm(request.POST)
    if form.is_valid():
        until = form.cleaned_data["until"]
        if request.POST.get("bestaetigt") != CONFIRMED:
            return render(
                request, "web/cases/suspend_confirm.html", {"case": case, "form": form, "until": until}
            )
        try:
            do_suspend_case(case, until=until, reason=form.cleaned_data["reason"], actor=acting_user(request))
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, f"Die Akte {case.number} ist bis zum {until:%d.%m.%Y} zurückgestellt.")
            return _done(case)
    case.refresh_from_db()
    return _case_page(request, case, bound=form)


@require_POST
@require(rules.can_change_cases)
def case_reopen(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_of(number)
    form = ReopenForm(request.POST)
    if case.status != CaseStatus.SUSPENDED:
        messages.error(request, f"Die Akte {case.number} ist nicht zurückgestellt.")
        return _done(case)
    if form.is_valid():
        try:
            do_reopen_case(
                case, on=timezone.localdate(), reason=form.cleaned_data["reason"], actor=acting_user(request)
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(request, f"Die Akte {case.number} ist wieder in Bearbeitung.")
            return _done(case)
    return _case_page(request, case, bound=form)
