"""Zahlungsverkehr: bank files (camt.053/.054), Klärungsfälle, refunds and remittance runs (Auskehrung).

Pages (all for office staff; a partner's user never sees the office's bank account):

* ``/zahlungsverkehr/`` — upload a bank file, the list of imports, the suspense account (Verwahrkonto) with
  the open Klärungsfälle by age, links to the queues;
* ``/zahlungsverkehr/dateien/<pk>/`` — one import: its statements with the reconciliation, its bookings;
* ``/zahlungsverkehr/klaerung/`` and ``…/<pk>/`` — the queue of open Klärungsfälle, oldest first, and one
  case with its ranked suggestions and the forms to assign (or split), return to the payer, or book a debit;
* ``/zahlungsverkehr/erstattungen/`` — refunds, with the release of proposed ones;
* ``/zahlungsverkehr/auskehrungen/`` and ``…/<number>/`` — remittance runs, starting one, and the files of a
  run (pain.001, the partners' statements as CSV and JSON) served from the archive.

Who may do what (the roles hold no ``payments`` permissions of their own yet, so the predicates also accept
the permissions of the roles that do this work today): reading needs ledger access (Administration,
Innendienst, Prüfung); working Klärungsfälle, uploading and releasing refunds needs ``cases.change_case``
(Innendienst, Administration); a remittance run pays partners' money out and is for Administration
(``partners.change_partner``). Every page that shows payers' names or IBANs writes the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kofo import limits
from kofo.audit import archive
from kofo.audit.recording import log_personal_data_access
from kofo.ledger.accounts import OFFICE_ACCOUNTS
from kofo.ledger.balances import balance
from kofo.ledger.models import Account, AccountKind
from kofo.money import Cents
from kofo.payments.clarifications import (
    Part,
    aged,
    do_approve_refund,
    do_assign_clarification,
    do_book_clarification,
    do_return_clarification,
)
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import (
    BankEntry,
    BankImport,
    BankImportStatus,
    Clarification,
    ClarificationStatus,
    EntryOutcome,
    Funding,
    ImportSource,
    Payment,
    Refund,
    RefundStatus,
    Remittance,
    RemittanceRun,
)
from kofo.payments.remittance import do_remittance_run
from kofo.web import forms as web_forms
from kofo.web import rules
from kofo.web.forms import (
    BankUploadForm,
    ClarificationAssignForm,
    ClarificationBookForm,
    ClarificationReturnForm,
    RefundApproveForm,
    RemittanceRunForm,
)
from kofo.web.rules import User
from kofo.web.uploads import IntakeSizeLimitHandler
from kofo.web.views.common import acting_user, archived_or_report, paginate, require

# Bookings per page of an import, Klärungsfälle per page of the queue.
ENTRIES_PER_PAGE = limits.PAGE_SIZE_DEFAULT

PAYER_DATA_SHOWN = "Name, IBAN und Verwendungszweck des Einzahlers bzw. Empfängers"
REFUND_DATA_SHOWN = "Name und IBAN des Empfängers einer Erstattung"

#: How a booking was assigned (``BankEntry.match_rule``), in German.
RULE_LABELS = {
    "reference": "Zahlungsreferenz (RF)",
    "kassenzeichen": "Kassenzeichen im Verwendungszweck",
    "instalment": "Ratenzahlung",
    "third_party": "Drittschuldner (Pfändung)",
    "original": "ursprüngliche Gutschrift",
    "manual": "von Hand (Klärungsfall)",
    "own_transfer": "eigene Überweisung (Auskehrungslauf)",
}
OUTCOME_VARIANTS = {
    EntryOutcome.MATCHED: "success",
    EntryOutcome.CLARIFICATION: "warning",
    EntryOutcome.REVERSED: "info",
    EntryOutcome.BOOKED: "success",
    EntryOutcome.INFO: "info",
}
CLARIFICATION_VARIANTS = {
    ClarificationStatus.OPEN: "warning",
    ClarificationStatus.ASSIGNED: "success",
    ClarificationStatus.RETURNED: "info",
    ClarificationStatus.BOOKED: "info",
}
REFUND_VARIANTS = {
    RefundStatus.PROPOSED: "warning",
    RefundStatus.APPROVED: "info",
    RefundStatus.PAID: "success",
    RefundStatus.CANCELLED: "danger",
}
REFUND_FILTERS = {"": "alle", **{status.value: str(status.label) for status in RefundStatus}}

# Which form field an action's error belongs to (by its code); others are shown above the form.
ERROR_FIELDS = {
    "clarification.amount": "amount",
    "clarification.too_much": "betrag_1",
    "refund.iban": "iban",
    "refund.iban_missing": "iban",
    "clarification.note": "note",
}


# --- who may --------------------------------------------------------------------------------------------


def can_view_payments(user: User) -> bool:
    """Bank files, Klärungsfälle, refunds and runs: office staff with access to the books."""
    return rules.is_office(user) and rules.has(user, "payments.view_bankimport", "ledger.view_account")


def can_work_payments(user: User) -> bool:
    """Upload bank files, work Klärungsfälle, release refunds: the staff who work the debtor files."""
    return can_view_payments(user) and rules.has(user, "payments.change_clarification", "cases.change_case")


def can_run_remittance(user: User) -> bool:
    """Start an Auskehrungslauf (money leaves the office): Administration."""
    return can_view_payments(user) and rules.has(
        user, "payments.add_remittancerun", "partners.change_partner"
    )


# --- helpers --------------------------------------------------------------------------------------------


class BankFileSizeLimitHandler(IntakeSizeLimitHandler):
    """The intake's upload guard with the limit of bank files: drops the file while it arrives."""

    def limit_bytes(self) -> int:
        return web_forms.BANK_UPLOAD_BYTES_MAX


def _log_access(request: HttpRequest, subjects: Iterable[models.Model], what: str, purpose: str) -> None:
    """One entry in the access log per payer (booking) or refund shown."""
    actor = acting_user(request)
    for subject in subjects:
        log_personal_data_access(
            actor=actor, subject=subject, what=what, purpose=purpose, channel="ui", path=request.path
        )


def _action_error(form: forms.Form, exc: ValidationError) -> None:
    for error in exc.error_list:
        name = ERROR_FIELDS.get(error.code or "")
        form.add_error(name if name in form.fields else None, error)


def _suspense_balance() -> Cents:
    """What the suspense account holds (credit balance positive); read only, never opens the account."""
    code, _name = OFFICE_ACCOUNTS[AccountKind.SUSPENSE]
    account = Account.objects.filter(code=code).first()
    return Cents(-int(balance(account))) if account is not None else Cents(0)


def _age_days(clarification: Clarification, today: dt.date) -> int:
    return max(0, (today - clarification.created_on).days)


def _open_clarifications() -> models.QuerySet[Clarification]:
    return Clarification.objects.filter(status=ClarificationStatus.OPEN, open_cents__gt=0)


# --- overview and bank files ------------------------------------------------------------------------------


def _overview_page(request: HttpRequest, form: BankUploadForm | None = None) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    open_rows = list(
        _open_clarifications().select_related("entry").only("created_on", "open_cents", "entry__credit")
    )
    credits = [c for c in open_rows if c.entry.credit]
    debits = [c for c in open_rows if not c.entry.credit]
    credit_bands, debit_bands = aged(credits, today), aged(debits, today)
    refunds = dict(
        Refund.objects.filter(status__in=(RefundStatus.PROPOSED, RefundStatus.APPROVED))
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    can_upload = can_work_payments(user)
    context: dict[str, Any] = {
        "form": form if form is not None else (BankUploadForm() if can_upload else None),
        "can_upload": can_upload,
        "page": paginate(request, BankImport.objects.order_by("-id")),
        "open_count": len(open_rows),
        "open_credit_count": len(credits),
        "open_debit_count": len(debits),
        "ageing": [
            (band, Cents(credit_bands[band]), Cents(debit_bands.get(band, 0))) for band in credit_bands
        ],
        "credits_total": Cents(sum(c.open_cents for c in credits)),
        "debits_total": Cents(sum(c.open_cents for c in debits)),
        "suspense": _suspense_balance(),
        "refunds_proposed": refunds.get(RefundStatus.PROPOSED, 0),
        "refunds_approved": refunds.get(RefundStatus.APPROVED, 0),
        "last_run": RemittanceRun.objects.order_by("-number").first(),
    }
    context["suspense_matches"] = context["suspense"] == context["credits_total"] - context["debits_total"]
    return render(request, "web/payments/overview.html", context)


@require(can_view_payments)
def overview(request: HttpRequest) -> HttpResponse:
    return _overview_page(request)


@csrf_exempt  # checked by csrf_protect below, once the size limit sits in front of the upload handlers
@require_POST
@require(can_work_payments)
def bank_upload(request: HttpRequest) -> HttpResponse:
    limit = BankFileSizeLimitHandler(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _bank_upload(request, limit)


@csrf_protect
def _bank_upload(request: HttpRequest, limit: BankFileSizeLimitHandler) -> HttpResponse:
    form = BankUploadForm(request.POST, request.FILES, too_large_bytes=limit.too_large_bytes)
    if not form.is_valid():
        return _overview_page(request, form)
    upload = form.cleaned_data["file"]
    # The import commits booking by booking (an interrupted import is completed by importing again).
    bank_import = do_import_bank_file(
        upload.name or "", upload.read(), source=ImportSource.UPLOAD, actor=acting_user(request)
    )
    if bank_import.status == BankImportStatus.REJECTED:
        line = f" (Zeile {bank_import.error_line})" if bank_import.error_line else ""
        messages.error(request, f"Die Datei wurde abgewiesen{line}: {bank_import.error_message}")
    else:
        messages.success(
            request,
            f"Datei {bank_import.filename} eingelesen: {bank_import.entries_new} neue Umsätze, "
            f"{bank_import.entries_known} bereits bekannt, {bank_import.matched} zugeordnet, "
            f"{bank_import.clarification} Klärungsfälle.",
        )
    return redirect("web:bank_import_detail", pk=bank_import.pk)


def _ledger_note(statement: Any) -> str:
    """Why the closing balance and the ledger's bank account may differ, for this statement."""
    difference = statement.ledger_difference_cents
    if difference is None:
        return "Ohne Endsaldo im Auszug lässt sich nicht mit dem Hauptbuch abgleichen."
    if difference == 0:
        return "Der Endsaldo der Bank stimmt mit dem Bankkonto im Hauptbuch zum selben Tag überein."
    if statement.opening_cents is not None and difference == statement.opening_cents:
        return (
            "Die Abweichung ist genau der Anfangssaldo: Das Hauptbuch kennt die Buchungen vor diesem Auszug "
            "nicht (das Konto wurde mit diesem Auszug in kofo übernommen). Sie ist einmalig per "
            "Eröffnungsbuchung auszugleichen."
        )
    return (
        "Endsaldo der Bank minus Saldo des Bankkontos im Hauptbuch zum selben Tag. Eine Abweichung entsteht, "
        "wenn dem Hauptbuch Umsätze fehlen (ein früherer Auszug wurde nicht eingelesen, der Anfangssaldo "
        "wurde nie eröffnet) oder Buchungen ohne Bankumsatz erfasst wurden. Bitte klären."
    )


@require(can_view_payments)
def bank_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bank_import = get_object_or_404(BankImport, pk=pk)
    statements = list(bank_import.statement_rows.order_by("id"))
    for statement in statements:
        statement.ledger_note = _ledger_note(statement)  # type: ignore[attr-defined]
        statement.difference_label = f"Abweichung {Cents(statement.difference_cents or 0)}"  # type: ignore[attr-defined]
        statement.ledger_difference_label = f"Abweichung {Cents(statement.ledger_difference_cents or 0)}"  # type: ignore[attr-defined]
    entries = (
        BankEntry.objects.filter(statement__bank_import=bank_import)
        .select_related("case", "clarification")
        .order_by("statement_id", "position", "id")
    )
    page = paginate(request, entries, ENTRIES_PER_PAGE)
    for entry in page.object_list:
        entry.rule_label = RULE_LABELS.get(entry.match_rule, entry.match_rule)
        entry.outcome_variant = OUTCOME_VARIANTS.get(EntryOutcome(entry.outcome), "info")
    shown = list(page.object_list)
    _log_access(
        request,
        shown,
        f"Umsatz der Kontoauszugsdatei {bank_import.pk}: {PAYER_DATA_SHOWN}",
        "Abgleich der Kontoauszüge",
    )
    context: dict[str, Any] = {
        "bank_import": bank_import,
        "statements": statements,
        "page": page,
        "entries": shown,
        "link_cases": rules.can_view_cases(request.user),
        "known_only": bank_import.status == BankImportStatus.DONE
        and bank_import.statements
        and not statements,
    }
    return render(request, "web/payments/import.html", context)


# --- Klärungsfälle --------------------------------------------------------------------------------------------


@require(can_view_payments)
def clarification_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = paginate(request, _open_clarifications().select_related("entry").order_by("created_on", "id"))
    for clarification in page.object_list:
        clarification.age_days = _age_days(clarification, today)
        clarification.top = clarification.suggestions[0] if clarification.suggestions else None
    shown = list(page.object_list)
    _log_access(
        request,
        [c.entry for c in shown],
        f"Klärungsfälle: {PAYER_DATA_SHOWN}",
        "Bearbeitung der Klärungsfälle",
    )
    totals = _open_clarifications().aggregate(
        credits=Sum("open_cents", filter=Q(entry__credit=True)),
        debits=Sum("open_cents", filter=Q(entry__credit=False)),
    )
    context: dict[str, Any] = {
        "page": page,
        "clarifications": shown,
        "credits_total": Cents(int(totals["credits"] or 0)),
        "debits_total": Cents(int(totals["debits"] or 0)),
        "link_cases": rules.can_view_cases(request.user),
    }
    return render(request, "web/payments/clarifications.html", context)


def _clarification_of(pk: int) -> Clarification:
    return get_object_or_404(Clarification.objects.select_related("entry__statement", "entry__case"), pk=pk)


def _clarification_page(
    request: HttpRequest, clarification: Clarification, *, bound: forms.Form | None = None
) -> HttpResponse:
    user = request.user
    entry = clarification.entry
    today = timezone.localdate()
    _log_access(
        request,
        [entry],
        f"Klärungsfall {clarification.pk}: {PAYER_DATA_SHOWN}",
        "Bearbeitung des Klärungsfalls",
    )
    is_open = clarification.status == ClarificationStatus.OPEN and clarification.open_cents > 0
    can_work = can_work_payments(user) and is_open
    shown: dict[str, forms.Form] = {}
    open_form = ""
    if can_work and entry.credit:
        initial_case = request.GET.get("akte", "").strip().upper()[:20]
        shown["assign"] = ClarificationAssignForm(
            open_cents=clarification.open_cents,
            initial={
                "akte_1": initial_case,
                "betrag_1": Cents(clarification.open_cents).format(symbol=False),
            },
        )
        if initial_case:
            open_form = "assign"
        shown["refund"] = ClarificationReturnForm(
            initial={
                "amount": Cents(clarification.open_cents).format(symbol=False),
                "name": entry.payer_name,
                "iban": entry.payer_iban,
            }
        )
    elif can_work:
        shown["book"] = ClarificationBookForm()
    if bound is not None:
        name = {
            ClarificationAssignForm: "assign",
            ClarificationReturnForm: "refund",
            ClarificationBookForm: "book",
        }[type(bound)]
        shown[name], open_form = bound, name
    suggestions = [
        {**s, "percent": round(float(s.get("score", 0)) * 100)}  # display only, never an amount
        for s in clarification.suggestions
        if isinstance(s, dict)
    ]
    payments = Payment.objects.filter(bank_entry=entry, funding=Funding.SUSPENSE).select_related("case")
    context: dict[str, Any] = {
        "clarification": clarification,
        "entry": entry,
        "age_days": _age_days(clarification, today),
        "status_variant": CLARIFICATION_VARIANTS.get(ClarificationStatus(clarification.status), "info"),
        "is_open": is_open,
        "suggestions": suggestions,
        "forms": shown,
        "open_form": open_form,
        "payments": list(payments.order_by("pk")),
        "refunds": list(clarification.refunds.order_by("pk")),
        "link_cases": rules.can_view_cases(user),
    }
    return render(request, "web/payments/clarification.html", context)


@require(can_view_payments)
def clarification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _clarification_page(request, _clarification_of(pk))


def _after_work(request: HttpRequest, clarification: Clarification, done: str) -> HttpResponse:
    """Done: the next Klärungsfall waits in the queue; money left open: back to this one."""
    clarification.refresh_from_db()
    if clarification.open_cents > 0:
        messages.success(request, f"{done} Noch offen: {Cents(clarification.open_cents)}.")
        return redirect("web:clarification_detail", pk=clarification.pk)
    messages.success(request, f"{done} Der Klärungsfall {clarification.pk} ist erledigt.")
    return redirect("web:clarification_list")


@require_POST
@require(can_work_payments)
def clarification_assign(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification_of(pk)
    form = ClarificationAssignForm(request.POST, open_cents=clarification.open_cents)
    if form.is_valid():
        parts = [
            Part(case, amount, (kassenzeichen,) if kassenzeichen else ())
            for case, amount, kassenzeichen in form.cleaned_data["parts"]
        ]
        try:
            do_assign_clarification(
                clarification, parts=parts, actor=acting_user(request), note=form.cleaned_data["note"].strip()
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            done = "; ".join(f"{part.amount} der Akte {part.case.number}" for part in parts)
            return _after_work(request, clarification, f"Zugeordnet und verteilt: {done}.")
    clarification.refresh_from_db()
    return _clarification_page(request, clarification, bound=form)


@require_POST
@require(can_work_payments)
def clarification_return(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification_of(pk)
    form = ClarificationReturnForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            refund = do_return_clarification(
                clarification,
                actor=acting_user(request),
                amount=data["amount"],
                name=data["name"].strip(),
                iban=data["iban"],
                reason=data["reason"].strip(),
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            return _after_work(
                request,
                clarification,
                f"Erstattung über {Cents(refund.amount_cents)} an {refund.name} freigegeben; sie wird mit dem "
                "nächsten Auskehrungslauf überwiesen.",
            )
    clarification.refresh_from_db()
    return _clarification_page(request, clarification, bound=form)


@require_POST
@require(can_work_payments)
def clarification_book(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = _clarification_of(pk)
    form = ClarificationBookForm(request.POST)
    if form.is_valid():
        amount = Cents(clarification.open_cents)
        try:
            do_book_clarification(
                clarification, note=form.cleaned_data["note"].strip(), actor=acting_user(request)
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            return _after_work(
                request, clarification, f"{amount} als Aufwand der Vollstreckungsstelle ausgebucht."
            )
    clarification.refresh_from_db()
    return _clarification_page(request, clarification, bound=form)


# --- refunds ----------------------------------------------------------------------------------------------------


def _refund_page(request: HttpRequest, bound: RefundApproveForm | None = None) -> HttpResponse:
    user = request.user
    status = request.GET.get("status", "")
    if status not in REFUND_FILTERS:
        status = ""
    refunds = Refund.objects.select_related("case", "clarification", "remittance_run").order_by(
        "-created_on", "-id"
    )
    if status:
        refunds = refunds.filter(status=status)
    page = paginate(request, refunds)
    can_approve = can_work_payments(user)
    for refund in page.object_list:
        refund.variant = REFUND_VARIANTS.get(RefundStatus(refund.status), "info")
        refund.form = None
        refund.form_open = False
        if bound is not None and bound.refund_pk == refund.pk:
            refund.form, refund.form_open = bound, True
        elif can_approve and refund.status == RefundStatus.PROPOSED:
            refund.form = RefundApproveForm(
                refund_pk=refund.pk, initial={"name": refund.name, "iban": refund.iban}
            )
    shown = list(page.object_list)
    _log_access(request, shown, REFUND_DATA_SHOWN, "Bearbeitung der Erstattungen")
    totals = dict(
        Refund.objects.values_list("status")
        .annotate(total=Sum("amount_cents"))
        .values_list("status", "total")
    )
    context: dict[str, Any] = {
        "page": page,
        "refunds": shown,
        "status": status,
        "filters": REFUND_FILTERS,
        "link_cases": rules.can_view_cases(user),
        "proposed_total": Cents(int(totals.get(RefundStatus.PROPOSED, 0) or 0)),
        "approved_total": Cents(int(totals.get(RefundStatus.APPROVED, 0) or 0)),
    }
    return render(request, "web/payments/refunds.html", context)


@require(can_view_payments)
def refund_list(request: HttpRequest) -> HttpResponse:
    return _refund_page(request)


@require_POST
@require(can_work_payments)
def refund_approve(request: HttpRequest, pk: int) -> HttpResponse:
    refund = get_object_or_404(Refund, pk=pk)
    form = RefundApproveForm(request.POST, refund_pk=refund.pk)
    if form.is_valid():
        try:
            refund = do_approve_refund(
                refund,
                actor=acting_user(request),
                iban=form.cleaned_data["iban"],
                name=form.cleaned_data["name"].strip(),
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            messages.success(
                request,
                f"Erstattung über {Cents(refund.amount_cents)} an {refund.name} freigegeben; sie wird mit dem "
                "nächsten Auskehrungslauf überwiesen.",
            )
            return redirect(reverse("web:refund_list") + f"#erstattung-{refund.pk}")
    return _refund_page(request, bound=form)


# --- remittance runs (Auskehrung) ------------------------------------------------------------------------------


def _remittance_page(request: HttpRequest, form: RemittanceRunForm | None = None) -> HttpResponse:
    user = request.user
    can_run = can_run_remittance(user)
    if form is None and can_run:
        form = RemittanceRunForm(today=timezone.localdate())
    context: dict[str, Any] = {
        "page": paginate(request, RemittanceRun.objects.order_by("-number")),
        "form": form if can_run else None,
        "can_run": can_run,
        "refunds_waiting": Refund.objects.filter(status=RefundStatus.APPROVED).exclude(iban="").count(),
    }
    return render(request, "web/payments/remittances.html", context)


@require(can_view_payments)
def remittance_list(request: HttpRequest) -> HttpResponse:
    return _remittance_page(request)


@require_POST
@require(can_run_remittance)
def remittance_start(request: HttpRequest) -> HttpResponse:
    form = RemittanceRunForm(request.POST, today=timezone.localdate())
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = do_remittance_run(
                until=data["until"], execution_date=data["execution_date"], actor=acting_user(request)
            )
        except ValidationError as exc:
            _action_error(form, exc)
        else:
            if run is None:
                messages.info(
                    request,
                    f"Bis {data['until']:%d.%m.%Y} ist nichts auszukehren: kein Partner ist nach seiner "
                    "Vereinbarung fällig oder hat neue Zahlungen, und keine Erstattung ist freigegeben.",
                )
                return redirect("web:remittance_list")
            messages.success(
                request,
                f"Auskehrungslauf {run.number} erstellt: {run.transfers} Überweisung"
                f"{'' if run.transfers == 1 else 'en'} über {Cents(run.total_cents)}. Bitte die SEPA-Datei "
                "herunterladen und der Bank übergeben.",
            )
            return redirect("web:remittance_detail", number=run.number)
    return _remittance_page(request, form)


def _run_of(number: int) -> RemittanceRun:
    return get_object_or_404(RemittanceRun, number=number)


@require(can_view_payments)
def remittance_detail(request: HttpRequest, number: int) -> HttpResponse:
    run = _run_of(number)
    refunds = list(run.refunds.select_related("case").order_by("pk"))
    _log_access(
        request, refunds, f"Auskehrungslauf {run.number}: {REFUND_DATA_SHOWN}", "Prüfung des Auskehrungslaufs"
    )
    context: dict[str, Any] = {
        "run": run,
        "remittances": list(run.remittances.select_related("partner").order_by("partner__name")),
        "refunds": refunds,
        "refunds_total": Cents(sum(r.amount_cents for r in refunds)),
        "link_cases": rules.can_view_cases(request.user),
    }
    return render(request, "web/payments/remittance.html", context)


def _archived(request: HttpRequest, run: RemittanceRun, sha256: str, what: str) -> bytes | HttpResponse:
    """The archived bytes, or a redirect with the German reason why the file cannot be read."""
    if not sha256:
        raise Http404(f"{what} gibt es nicht.")
    content = archived_or_report(request, sha256, what, archive.IMPORTS)
    return content if content is not None else redirect("web:remittance_detail", number=run.number)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(can_view_payments)
def remittance_sepa(request: HttpRequest, number: int) -> HttpResponse:
    """The run's pain.001.001.09 as archived (the bytes handed to the bank)."""
    run = _run_of(number)
    content = _archived(request, run, run.sha256, f"Die SEPA-Datei des Auskehrungslaufs {run.number}")
    if isinstance(content, HttpResponse):
        return content
    # The file names the recipients of refunds: a download is an access to their data.
    _log_access(
        request, run.refunds.order_by("pk"), f"SEPA-Datei des Auskehrungslaufs {run.number}: {REFUND_DATA_SHOWN}",
        "Übergabe der Überweisungen an die Bank",
    )  # fmt: skip
    return _download(content, "application/xml", f"auskehrungslauf-{run.number}-pain001.xml")


@require(can_view_payments)
def remittance_statement(request: HttpRequest, number: int, key: str, fmt: str) -> HttpResponse:
    """A partner's statement of a run (per Kassenzeichen what was collected), as CSV or JSON."""
    run = _run_of(number)
    remittance: Remittance = get_object_or_404(run.remittances.select_related("partner"), partner__key=key)
    if fmt == "csv":
        sha256, content_type = remittance.statement_csv_sha256, "text/csv; charset=utf-8"
    elif fmt == "json":
        sha256, content_type = remittance.statement_json_sha256, "application/json"
    else:
        raise Http404("Unbekanntes Format.")
    content = _archived(request, run, sha256, f"Die Abrechnung für {remittance.partner.name}")
    if isinstance(content, HttpResponse):
        return content
    return _download(content, content_type, f"auskehrung-{run.number}-{remittance.partner.key}.{fmt}")
