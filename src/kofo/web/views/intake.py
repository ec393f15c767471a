"""Enforcement requests (Vollstreckungsersuchen): list, CSV upload, result per item, rejection report, replay."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kofo import limits
from kofo.audit.archive import ArchiveError
from kofo.intake.access import access_import_batches
from kofo.intake.actions import do_import_request, do_replay_request
from kofo.intake.models import Channel, ColumnMapping, ItemStatus
from kofo.intake.report import rejection_report
from kofo.partners.access import access_partners
from kofo.web import rules
from kofo.web.forms import BatchFilterForm, UploadForm
from kofo.web.uploads import IntakeSizeLimitHandler
from kofo.web.views.common import acting_user, is_htmx, paginate, require

# Items per page of a batch's result table.
ITEMS_PER_PAGE = limits.PAGE_SIZE_DEFAULT

# The result filter of the item table: URL value -> label (all, then the item statuses).
RESULT_FILTERS = {"": "alle", **{status.value: str(status.label) for status in ItemStatus}}


@require(rules.can_view_batches)
def batch_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    choose_partner = rules.partner_of(user) is None
    partners = access_partners(user).order_by("name")
    form = BatchFilterForm(request.GET or None, partners=partners)
    if not choose_partner:
        del form.fields["partner"]
    batches = access_import_batches(user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("partner") is not None:
            batches = batches.filter(partner=data["partner"])
        if data["status"]:
            batches = batches.filter(status=data["status"])
    context: dict[str, Any] = {
        "form": form,
        "page": paginate(request, batches.order_by("-id")),
        "show_partner": choose_partner,
        "can_upload": rules.can_upload_batches(user),
    }
    return render(request, "web/intake/list.html", context)


@csrf_exempt  # checked by csrf_protect below, once the size limit sits in front of the upload handlers
@require(rules.can_upload_batches)
def batch_upload(request: HttpRequest) -> HttpResponse:
    limit = IntakeSizeLimitHandler(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _batch_upload(request, limit)


@csrf_protect
def _batch_upload(request: HttpRequest, limit: IntakeSizeLimitHandler) -> HttpResponse:
    user = request.user
    own = rules.partner_of(user)
    partners = access_partners(user).filter(active=True).order_by("name")
    choose_partner = own is None
    if request.method == "POST":
        form = UploadForm(
            request.POST,
            request.FILES,
            partners=partners,
            choose_partner=choose_partner,
            too_large_bytes=limit.too_large_bytes,
        )
        if form.is_valid():
            partner = form.cleaned_data["partner"] if choose_partner else partners.first()
            if partner is None:
                form.add_error(None, "Ihr Partner ist nicht aktiv; Ersuchen können nicht eingereicht werden.")
            else:
                upload = form.cleaned_data["file"]
                batch = do_import_request(
                    partner,
                    upload.read(),
                    channel=Channel.CSV,
                    filename=upload.name or "",
                    actor=acting_user(request),
                )
                if batch.error_code:
                    messages.error(request, f"Die Datei wurde abgewiesen: {batch.error_message}")
                else:
                    messages.success(
                        request,
                        f"Ersuchen {batch.pk} eingelesen: {batch.items_accepted} angenommen, "
                        f"{batch.items_rejected} abgelehnt, {batch.items_duplicate} unverändert vorhanden, "
                        f"{batch.items_conflict} Konflikte.",
                    )
                return redirect("web:batch_detail", pk=batch.pk)
    else:
        form = UploadForm(
            initial={"partner": request.GET.get("partner")}, partners=partners, choose_partner=choose_partner
        )
    mappings = ColumnMapping.objects.filter(partner__in=partners).select_related("partner")
    context: dict[str, Any] = {
        "form": form,
        "own_partner": own,
        "partner_inactive": own is not None and not partners.exists(),
        "mappings": mappings.order_by("partner__name"),
    }
    return render(request, "web/intake/upload.html", context)


@require(rules.can_view_batches)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    # Another partner's batch answers 404, exactly like one that does not exist.
    batch = get_object_or_404(access_import_batches(user).select_related("replay_of"), pk=pk)
    result = request.GET.get("ergebnis", "")
    if result not in RESULT_FILTERS:
        result = ""
    items = batch.items.select_related("claim").order_by("position")
    if result:
        items = items.filter(status=result)
    context: dict[str, Any] = {
        "batch": batch,
        "page": paginate(request, items, ITEMS_PER_PAGE),
        "result": result,
        "result_filters": RESULT_FILTERS,
        "result_label": RESULT_FILTERS[result],
        "replays": batch.replays.order_by("-id"),
        "has_problems": bool(batch.error_code or batch.items_rejected or batch.items_conflict),
        "can_replay": rules.can_replay_batches(user),
        "items_url": reverse("web:batch_detail", args=[batch.pk]),
    }
    template = "web/intake/_items.html" if is_htmx(request) else "web/intake/detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require(rules.can_view_batches)
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejection report as a CSV download (semicolon, UTF-8 with BOM, for spreadsheet programs)."""
    batch = get_object_or_404(access_import_batches(request.user), pk=pk)
    response = HttpResponse(rejection_report(batch).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ablehnungsbericht-ersuchen-{batch.pk}.csv"'
    return response


@require_POST
@require(rules.can_replay_batches)
def batch_replay(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(access_import_batches(request.user), pk=pk)
    try:
        replay = do_replay_request(batch, actor=acting_user(request))
    except ArchiveError as exc:
        messages.error(request, f"Ersuchen {batch.pk} kann nicht erneut eingelesen werden: {exc}")
        return redirect("web:batch_detail", pk=batch.pk)
    except OSError:
        messages.error(
            request,
            f"Ersuchen {batch.pk} kann nicht erneut eingelesen werden: die Datei mit SHA-256 "
            f"{batch.sha256[:12]}… ist im Archiv nicht lesbar.",
        )
        return redirect("web:batch_detail", pk=batch.pk)
    messages.success(
        request,
        f"Ersuchen {batch.pk} wurde aus dem Archiv erneut eingelesen (Prüfstichtag "
        f"{replay.as_of:%d.%m.%Y}): Ergebnis ist Ersuchen {replay.pk}.",
    )
    return redirect("web:batch_detail", pk=replay.pk)
