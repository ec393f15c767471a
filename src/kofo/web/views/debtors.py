"""Debtors (Schuldner) and the review queue of the linkage (Prüffälle): office staff only.

A debtor file spans partners (schuldnerbezogene Bündelung), so these pages are closed to Partner users.
Every page that shows a debtor's personal data writes an entry to the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from kofo.audit.recording import log_personal_data_access
from kofo.cases.access import access_claims
from kofo.debtors.actions import do_decide_link_review, do_merge_debtors, do_split_debtor
from kofo.debtors.matching import linkage_model
from kofo.debtors.models import Debtor, DebtorRecord, LinkReview, ReviewStatus
from kofo.money import Cents
from kofo.web import queries, rules
from kofo.web.forms import DebtorMergeForm, DebtorSearchForm, DebtorSplitForm
from kofo.web.views.common import acting_user, is_htmx, paginate, require

RECORD_DATA_SHOWN = "Name, Geburtsname, Geburtsdatum, Anschrift, Schuldnernummer des Partners"

# The fields of the side-by-side comparison of a review pair: attribute, German label.
PAIR_FIELDS = (
    ("surname", "Familienname"),
    ("given_names", "Vornamen"),
    ("birth_name", "Geburtsname"),
    ("birth_date", "Geburtsdatum"),
    ("street", "Straße"),
    ("house_number", "Hausnummer"),
    ("postcode", "PLZ"),
    ("city", "Ort"),
    ("partner", "Partner"),
    ("partner_debtor_id", "Schuldnernummer beim Partner"),
)
LEGAL_PAIR_FIELDS = (
    ("legal_name", "Name"),
    ("legal_form", "Rechtsform"),
    ("register_court", "Registergericht"),
    ("register_number", "Registernummer"),
    ("street", "Straße"),
    ("house_number", "Hausnummer"),
    ("postcode", "PLZ"),
    ("city", "Ort"),
    ("partner", "Partner"),
    ("partner_debtor_id", "Schuldnernummer beim Partner"),
)


# --- Debtors -----------------------------------------------------------------------------------------


@require(rules.can_view_debtors)
def debtor_list(request: HttpRequest) -> HttpResponse:
    form = DebtorSearchForm(request.GET or None)
    form.fields["q"].widget.attrs.update(
        {
            "hx-get": reverse("web:debtor_list"),
            "hx-trigger": "keyup changed delay:300ms, search",
            "hx-target": "#debtor-results",
            "hx-push-url": "true",
            "hx-include": "closest form",
            "hx-indicator": "#debtor-search-loader",
        }
    )
    debtors = Debtor.objects.select_related("merged_into")
    query, merged = "", False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        merged = form.cleaned_data["merged"]
    if not merged:
        debtors = debtors.filter(merged_into__isnull=True)
    if query:
        matching = Debtor.objects.filter(
            Q(number__icontains=query)
            | Q(display_name__icontains=query)
            | Q(postcode__startswith=query)
            | Q(records__surname__icontains=query)
            | Q(records__birth_name__icontains=query)
            | Q(records__legal_name__icontains=query)
            | Q(records__postcode__startswith=query)
        ).values("pk")
        debtors = debtors.filter(pk__in=matching)
    debtors = debtors.annotate(record_count=Count("records", distinct=True))
    context: dict[str, Any] = {
        "form": form,
        "page": paginate(request, debtors.order_by("number")),
        "query": query,
    }
    template = "web/debtors/_results.html" if is_htmx(request) else "web/debtors/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _split_choices(records: list[DebtorRecord]) -> list[tuple[int, str]]:
    choices = []
    for record in records:
        label = f"{record.name} – {record.partner.name}"
        if record.partner_debtor_id:
            label += f" (Nr. {record.partner_debtor_id})"
        choices.append((record.pk, label))
    return choices


def _debtor_page(
    request: HttpRequest,
    debtor: Debtor,
    *,
    merge_form: DebtorMergeForm | None = None,
    split_form: DebtorSplitForm | None = None,
) -> HttpResponse:
    user = request.user
    records = list(debtor.records.select_related("partner").order_by("id"))
    claims = list(
        access_claims(user)
        .filter(debtor_record__debtor=debtor)
        .select_related("debtor_record")
        .order_by("partner__name", "due_date")
    )
    totals = queries.open_totals([claim.pk for claim in claims])
    for claim in claims:
        claim.open_total = totals[claim.pk]
    if records:
        log_personal_data_access(
            actor=acting_user(request),
            subject=debtor,
            what=f"Schuldnerakte mit {len(records)} Angabe(n) der Partner: {RECORD_DATA_SHOWN}",
            purpose="Anzeige der Schuldnerakte",
            channel="ui",
            path=request.path,
        )
    can_change = rules.can_change_debtors(user) and debtor.merged_into_id is None
    if can_change:
        merge_form = merge_form or DebtorMergeForm(debtor=debtor)
        if len(records) > 1:
            split_form = split_form or DebtorSplitForm(record_choices=_split_choices(records))
        else:
            split_form = None
    open_reviews = LinkReview.objects.filter(status=ReviewStatus.OPEN).filter(
        Q(record__debtor=debtor) | Q(candidate=debtor)
    )
    context: dict[str, Any] = {
        "debtor": debtor,
        "records": records,
        "claims": claims,
        "open_total": sum((claim.open_total for claim in claims), Cents(0)),
        "partner_count": len({record.partner_id for record in records}),
        "merged_from": debtor.merged_from.order_by("number"),
        "open_reviews": open_reviews.order_by("-score"),
        "can_change": can_change,
        "merge_form": merge_form if can_change else None,
        "split_form": split_form if can_change else None,
        "link_reviews": rules.can_view_reviews(user),
    }
    return render(request, "web/debtors/detail.html", context)


@require(rules.can_view_debtors)
def debtor_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _debtor_page(
        request, get_object_or_404(Debtor.objects.select_related("merged_into"), number=number)
    )


@require_POST
@require(rules.can_change_debtors)
def debtor_merge(request: HttpRequest, number: str) -> HttpResponse:
    debtor = get_object_or_404(Debtor, number=number)
    form = DebtorMergeForm(request.POST, debtor=debtor)
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            survivor = do_merge_debtors(
                debtor, target, actor=acting_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Schuldner {debtor.number} wurde in {survivor.number} zusammengeführt."
            )
            return redirect("web:debtor_detail", number=survivor.number)
    return _debtor_page(request, debtor, merge_form=form)


@require_POST
@require(rules.can_change_debtors)
def debtor_split(request: HttpRequest, number: str) -> HttpResponse:
    debtor = get_object_or_404(Debtor, number=number)
    records = list(debtor.records.select_related("partner").order_by("id"))
    form = DebtorSplitForm(request.POST, record_choices=_split_choices(records))
    if form.is_valid():
        try:
            new = do_split_debtor(
                debtor,
                form.cleaned_data["records"],
                actor=acting_user(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{len(form.cleaned_data['records'])} Angabe(n) von {debtor.number} wurden als neuer "
                f"Schuldner {new.number} abgespalten.",
            )
            return redirect("web:debtor_detail", number=new.number)
    return _debtor_page(request, debtor, split_form=form)


# --- Review queue (Prüffälle) --------------------------------------------------------------------------

REVIEW_SCOPES = {"offen": "offen", "entschieden": "entschieden"}


@require(rules.can_view_reviews)
def review_list(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("status", "offen")
    if scope not in REVIEW_SCOPES:
        scope = "offen"
    reviews = LinkReview.objects.select_related(
        "record__partner", "record__debtor", "candidate", "candidate_record__partner"
    )
    if scope == "offen":
        reviews = reviews.filter(status=ReviewStatus.OPEN).order_by("-score", "id")
    else:
        reviews = reviews.exclude(status=ReviewStatus.OPEN).order_by("-decided_at", "-id")
    thresholds = linkage_model().thresholds
    context: dict[str, Any] = {
        "page": paginate(request, reviews),
        "scope": scope,
        "scopes": REVIEW_SCOPES,
        "open_count": LinkReview.objects.filter(status=ReviewStatus.OPEN).count(),
        "thresholds": thresholds,
    }
    return render(request, "web/debtors/reviews.html", context)


def _pair_rows(review: LinkReview) -> list[dict[str, Any]]:
    new, old = review.record, review.candidate_record
    fields = LEGAL_PAIR_FIELDS if new.kind == "legal" else PAIR_FIELDS
    rows = []
    for attribute, label in fields:
        left, right = getattr(new, attribute), getattr(old, attribute)
        if attribute == "partner":
            left, right = left.name, right.name
        elif attribute == "birth_date":
            left = left.strftime("%d.%m.%Y") if left else ""
            right = right.strftime("%d.%m.%Y") if right else ""
        left, right = str(left or ""), str(right or "")
        rows.append(
            {"label": label, "new": left, "candidate": right, "same": left.casefold() == right.casefold()}
        )
    return rows


@require(rules.can_view_reviews)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(
        LinkReview.objects.select_related(
            "record__partner",
            "record__debtor",
            "candidate",
            "candidate_record__partner",
            "candidate_record__debtor",
        ),
        pk=pk,
    )
    actor = acting_user(request)
    for record in (review.record, review.candidate_record):
        log_personal_data_access(
            actor=actor,
            subject=record,
            what=f"Prüffall {review.pk}, Gegenüberstellung: {RECORD_DATA_SHOWN}",
            purpose="Prüfung der Schuldnerzuordnung",
            channel="ui",
            path=request.path,
        )
    explanation = queries.explanation_rows(review.explanation)
    weight_sum = sum(row.weight for row in explanation if row.weight is not None)
    decided_text = ""
    if review.status != ReviewStatus.OPEN:
        verdict = "gleiche Person" if review.status == ReviewStatus.CONFIRMED else "verschiedene Personen"
        when = timezone.localtime(review.decided_at).strftime("%d.%m.%Y %H:%M") if review.decided_at else ""
        decided_text = f"Entscheidung: {verdict} ({review.decided_by}, {when})."
    context: dict[str, Any] = {
        "review": review,
        "pair": _pair_rows(review),
        "explanation": explanation,
        "weight_sum": weight_sum,
        "base_weight": review.score - weight_sum,
        "has_weights": any(row.weight is not None for row in explanation),
        "thresholds": linkage_model().thresholds,
        "can_decide": rules.can_decide_reviews(request.user) and review.status == ReviewStatus.OPEN,
        "link_debtors": rules.can_view_debtors(request.user),
        "decided_text": decided_text,
    }
    return render(request, "web/debtors/review.html", context)


@require_POST
@require(rules.can_decide_reviews)
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(LinkReview.objects.select_related("record__debtor", "candidate"), pk=pk)
    decision = request.POST.get("entscheidung")
    if decision not in ("gleich", "verschieden"):
        messages.error(request, "Bitte „Gleiche Person“ oder „Verschiedene Personen“ wählen.")
        return redirect("web:review_detail", pk=review.pk)
    confirm = decision == "gleich"
    source = review.record.debtor.number
    try:
        review = do_decide_link_review(review, confirm=confirm, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:review_detail", pk=review.pk)
    if confirm:
        review.record.refresh_from_db()
        survivor = review.record.debtor
        messages.success(
            request,
            f"Prüffall {review.pk}: gleiche Person. Schuldner {source} ist jetzt Teil von {survivor.number}.",
        )
    else:
        messages.success(
            request, f"Prüffall {review.pk}: verschiedene Personen. Die Schuldner bleiben getrennt."
        )
    following = LinkReview.objects.filter(status=ReviewStatus.OPEN).order_by("-score", "id").first()
    if following is not None:
        return redirect("web:review_detail", pk=following.pk)
    return redirect("web:review_list")
