"""Schriftstücke: the document archive in the UI, the documents of a debtor file, the preview of a proposed
measure's letters and the letters of a measure the caseworker starts.

Pages:

* ``/dokumente/`` — the documents the user may see (office staff: all, with the print batches of the
  daily print step and their merged PDF and CSV manifest; a partner's user: only the documents addressed
  to its partner, remittance advices and return reports — the partner's portal), filtered by kind and date;
* ``/dokumente/<pk>/`` — one document: what it belongs to, its template version, its dispatch and retention,
  the download of the archived bytes (a reprint is exactly that) and „Neu erstellen und prüfen“ (render the
  stored data with the stored template again and compare, :func:`kofo.documents.actions.verify`);
* on the file page (``/akten/<number>/``) the section „Schriftstücke“ (:func:`document_section`) with the
  upload of a received document, and per proposed measure a „Vorschau“ of the letters it would send.

Tenancy is :func:`kofo.documents.access.access_documents`; a document outside it answers 404 like one that
does not exist. Every view or download of a document about a debtor file is written to the access log.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from kofo import limits
from kofo.audit import archive
from kofo.audit.recording import log_personal_data_access
from kofo.cases.casefiles import case_claims
from kofo.cases.models import Case, Claim, Measure, MeasureStatus
from kofo.documents.access import access_documents, access_print_batches, case_documents
from kofo.documents.actions import (
    Verification,
    do_attach_to_claim,
    do_store_received_document,
    produce_letters,
    verify,
)
from kofo.documents.letters import ON_START, Letter, LetterError, letters_on_start, preview_letters
from kofo.documents.models import RECEIVED_KINDS, Dispatch, Document, DocumentKind, PrintBatch
from kofo.documents.rendering import RenderError, bundle_for, merge, render_letter
from kofo.web import rules
from kofo.web.forms import GermanDateInput, KernFormMixin, MeasureChoiceField, executed_measures
from kofo.web.uploads import IntakeSizeLimitHandler
from kofo.web.views.cases import _case_of, _case_page
from kofo.web.views.common import acting_user, archived_or_report, paginate, require

logger = logging.getLogger(__name__)

# Limits (rules of the house, no. 7): documents listed on the file page (all of them on /dokumente/?akte=…),
# print batches listed on /dokumente/ (narrowed by the filter).
CASE_DOCUMENTS_SHOWN = limits.PAGE_SIZE_DEFAULT
PRINT_BATCHES_SHOWN = limits.PAGE_SIZE_DEFAULT
#: An upload through the UI: the archive's limit, and never more than one request may carry.
UPLOAD_BYTES_MAX = min(limits.DOCUMENT_UPLOAD_BYTES_MAX, limits.REQUEST_BODY_BYTES_MAX)

#: What a partner's user may filter by: the kinds addressed to partners.
PARTNER_KINDS = (DocumentKind.AUSKEHRUNG, DocumentKind.RUECKGABE)

RECIPIENT_DATA_SHOWN = "Empfänger mit Anschrift, Forderungen und Beträge des Schuldners"
PREVIEW_DATA_SHOWN = "Anschrift und Forderungen des Schuldners (Vorschau, nicht archiviert)"

# Which form field an action's error belongs to (by its code); others are shown above the form.
ERROR_FIELDS = {
    "document.media_type": "file",
    "document.too_large": "file",
    "document.empty": "file",
    "document.kind": "kind",
}


def upload_too_large_message(size_bytes: int) -> str:
    size = f"{size_bytes / 1_000_000:.1f}".replace(".", ",")
    return f"Die Datei ist {size} MB groß; erlaubt sind höchstens {UPLOAD_BYTES_MAX // 1_000_000} MB."


# --- forms ---------------------------------------------------------------------------------------------------


class DocumentFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    art = forms.ChoiceField(label="Art", required=False)
    von = forms.DateField(label="Datum von", required=False, widget=GermanDateInput())
    bis = forms.DateField(label="Datum bis", required=False, widget=GermanDateInput())
    akte = forms.CharField(
        label="Aktenzeichen",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, office: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = DocumentKind if office else PARTNER_KINDS
        field = self.fields["art"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "alle"), *((kind.value, kind.label) for kind in kinds)]
        if not office:
            del self.fields["akte"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("von") and data.get("bis") and data["von"] > data["bis"]:
            self.add_error("bis", ValidationError("„bis“ liegt vor „von“.", code="filter.dates"))
        return data


class ClaimOfCaseField(forms.ModelChoiceField[Claim]):
    def label_from_instance(self, obj: Claim) -> str:
        return f"{obj.kassenzeichen} ({obj.partner.name})"


class ReceivedDocumentForm(KernFormMixin, forms.Form):
    """A document that came in for the file: the partner's assessment, a third party's declaration, a scan."""

    prefix = "schriftstueck"

    file = forms.FileField(
        label="Datei",
        allow_empty_file=True,  # an empty file is answered by the action, with its code
        help_text=f"PDF, PNG oder JPEG; höchstens {UPLOAD_BYTES_MAX // 1_000_000} MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )
    kind = forms.ChoiceField(
        label="Art",
        choices=[("", "Bitte wählen …"), *((kind.value, kind.label) for kind in RECEIVED_KINDS)],
    )
    title = forms.CharField(
        label="Bezeichnung",
        required=False,
        max_length=200,
        help_text="z. B. Drittschuldnererklärung der Commerzbank; ohne Angabe die Art.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    received_on = forms.DateField(
        label="eingegangen am", widget=GermanDateInput(), help_text="heute vorbelegt"
    )
    measure = MeasureChoiceField(
        label="zur Maßnahme",
        queryset=Measure.objects.none(),
        required=False,
        empty_label="keiner",
        help_text="z. B. die Pfändung, zu der die Drittschuldnererklärung gehört",
    )

    claim = ClaimOfCaseField(
        label="zur Forderung",
        queryset=Claim.objects.none(),
        required=False,
        empty_label="keiner",
        help_text="Nur beim Bescheid (PDF): das Kassenzeichen, zu dem er gehört. Der Partner sieht ihn dann "
        "bei seiner Forderung.",
    )

    def __init__(
        self, *args: Any, case: Case, today: dt.date, too_large_bytes: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["received_on"].initial = today
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = executed_measures(case)
        claim = self.fields["claim"]
        assert isinstance(claim, forms.ModelChoiceField)
        claim.queryset = (
            case_claims(case).select_related("partner").order_by("partner__name", "kassenzeichen")
        )
        # The upload handler dropped a file over the limit: answer that, not "field required".
        self.too_large_bytes = too_large_bytes
        if too_large_bytes is not None:
            self.fields["file"].required = False

    def clean_file(self) -> Any:
        if self.too_large_bytes is not None:
            raise ValidationError(upload_too_large_message(self.too_large_bytes), code="document.too_large")
        upload = self.cleaned_data["file"]
        if upload is not None and upload.size is not None and upload.size > UPLOAD_BYTES_MAX:
            raise ValidationError(upload_too_large_message(upload.size), code="document.too_large")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("claim") is not None and data.get("kind") not in ("", None, DocumentKind.BESCHEID):
            self.add_error(
                "claim",
                ValidationError("Zu einer Forderung gehört nur ihr Bescheid.", code="document.claim_kind"),
            )
        return data

    def clean_received_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["received_on"]
        if day > self.today:
            raise ValidationError("Das Datum darf nicht in der Zukunft liegen.", code="date.future")
        return day


class DocumentSizeLimitHandler(IntakeSizeLimitHandler):
    """The intake's upload guard with the limit of documents: drops the file while it arrives."""

    def limit_bytes(self) -> int:
        return UPLOAD_BYTES_MAX


# --- helpers -------------------------------------------------------------------------------------------------


def _document_of(request: HttpRequest, pk: int) -> Document:
    document = access_documents(request.user).filter(pk=pk).first()
    if document is None:
        # Same answer for "does not exist" and "not yours".
        raise Http404("Dieses Schriftstück gibt es nicht.")
    return document


def dispatch_of(document: Document) -> Dispatch | None:
    try:
        return document.dispatch
    except Dispatch.DoesNotExist:
        return None


def _log_document(request: HttpRequest, document: Document, what: str, purpose: str) -> None:
    """A document about a debtor file names the debtor: every view or download is logged."""
    if document.case_id is None:
        return
    case = document.case
    assert case is not None
    log_personal_data_access(
        actor=acting_user(request),
        subject=case.debtor,
        what=f"{what} {document.pk} der Akte {case.number}: {RECIPIENT_DATA_SHOWN}",
        purpose=purpose,
        channel="ui",
        path=request.path,
    )


def _file_response(content: bytes, media_type: str, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the list ------------------------------------------------------------------------------------------------


def _filtered(form: DocumentFilterForm, documents: Any, batches: Any) -> tuple[Any, Any]:
    if not form.is_valid():
        return documents, batches
    data = form.cleaned_data
    if data["art"]:
        documents, batches = documents.filter(kind=data["art"]), batches.filter(kind=data["art"])
    if data["von"]:
        documents, batches = (
            documents.filter(letter_date__gte=data["von"]),
            batches.filter(day__gte=data["von"]),
        )
    if data["bis"]:
        documents, batches = (
            documents.filter(letter_date__lte=data["bis"]),
            batches.filter(day__lte=data["bis"]),
        )
    number = str(data.get("akte") or "").strip().upper()
    if number:
        case = Case.objects.filter(number=number).first()
        documents = documents.filter(case_documents(case)) if case is not None else documents.none()
    return documents, batches


@require(rules.can_view_documents)
def document_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    office = rules.is_office(user)
    form = DocumentFilterForm(request.GET or None, office=office)
    documents, batches = _filtered(form, access_documents(user), access_print_batches(user))
    # The data a letter was made from stays in the archive here: a list needs none of it.
    page = paginate(request, documents.defer("data").order_by("-created_at", "-id"))
    for document in page.object_list:
        document.sent = dispatch_of(document)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "office": office,
        "filtered": form.is_valid() and any(form.cleaned_data.values()),
        "link_cases": rules.can_view_cases(user),
        "batches": list(batches.order_by("-day", "kind", "sequence")[:PRINT_BATCHES_SHOWN]) if office else [],
        "batch_count": batches.count() if office else 0,
    }
    return render(request, "web/documents/list.html", context)


# --- one document --------------------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest, document: Document, *, verification: Verification | None = None
) -> HttpResponse:
    user = request.user
    _log_document(request, document, "Schriftstück", "Anzeige des Schriftstücks")
    context: dict[str, Any] = {
        "document": document,
        "dispatch": dispatch_of(document),
        "received": document.template_id is None,
        "link_cases": rules.can_view_cases(user),
        "can_check": rules.can_check_documents(user) and document.template_id is not None,
        "verification": verification,
    }
    return render(request, "web/documents/detail.html", context)


@require(rules.can_view_documents)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _document_of(request, pk))


@require(rules.can_view_documents)
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived bytes, as a download (a reprint is this download: the same bytes, checked by SHA-256)."""
    document = _document_of(request, pk)
    content = archived_or_report(
        request, document.sha256, f"Das Schriftstück {document.pk}", archive.DOCUMENTS
    )
    if content is None:
        return redirect("web:document_detail", pk=document.pk)
    _log_document(request, document, "Schriftstück heruntergeladen:", "Abruf des Schriftstücks")
    return _file_response(content, document.media_type, document.filename, attachment=True)


@require_POST
@require(rules.can_check_documents)
def document_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Render the letter again from its archived data and template version and compare with the archive."""
    document = _document_of(request, pk)
    try:
        result = verify(document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (archive.ArchiveError, OSError):
        messages.error(request, f"Das archivierte Schriftstück {document.pk} ist nicht lesbar.")
    except RenderError as exc:
        messages.error(request, f"Das Schriftstück ließ sich nicht neu erstellen: {exc}")
    else:
        return _detail_page(request, document, verification=result)
    return redirect("web:document_detail", pk=document.pk)


# --- print batches -------------------------------------------------------------------------------------------


def _batch_of(request: HttpRequest, pk: int) -> PrintBatch:
    batch: PrintBatch | None = access_print_batches(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404("Diesen Druckstapel gibt es nicht.")
    return batch


def _batch_file(request: HttpRequest, pk: int, *, manifest: bool) -> HttpResponse:
    batch = _batch_of(request, pk)
    sha256 = batch.manifest_sha256 if manifest else batch.pdf_sha256
    if not sha256:
        raise Http404("Dieser Druckstapel hat keine Sammeldatei.")
    what = "Das Manifest" if manifest else "Die Sammeldatei"
    content = archived_or_report(request, sha256, f"{what} des Druckstapels {batch.pk}", archive.DOCUMENTS)
    if content is None:
        return redirect("web:document_list")
    # The batch holds letters to debtors with their addresses: one entry in the access log per download.
    log_personal_data_access(
        actor=acting_user(request),
        subject=batch,
        what=f"Druckstapel {batch.pk} ({'Manifest' if manifest else 'Sammel-PDF'}): Empfänger und Anschriften "
        f"von {batch.count} Schreiben",
        purpose="Übergabe an den Druckdienstleister",
        channel="ui",
        path=request.path,
    )
    stem = f"druckstapel-{batch.day.isoformat()}-{batch.kind}-{batch.sequence}"
    if manifest:
        return _file_response(content, "text/csv; charset=utf-8", f"{stem}.csv", attachment=True)
    return _file_response(content, "application/pdf", f"{stem}.pdf", attachment=True)


@require(rules.can_check_documents)
def batch_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_file(request, pk, manifest=False)


@require(rules.can_check_documents)
def batch_manifest(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_file(request, pk, manifest=True)


# --- the section on the file page ----------------------------------------------------------------------------


@dataclass
class DocumentSection:
    context: dict[str, Any]
    forms: dict[str, forms.Form]
    open_form: str


def document_section(
    request: HttpRequest, case: Case, today: dt.date, *, bound: forms.Form | None
) -> DocumentSection:
    """The documents of ``case`` (newest first) and, for those who work files, the upload form."""
    documents = access_documents(request.user).filter(case_documents(case))
    shown = list(documents.defer("data").order_by("-created_at", "-id")[:CASE_DOCUMENTS_SHOWN])
    for document in shown:
        document.sent = dispatch_of(document)
    file_forms: dict[str, forms.Form] = {}
    if rules.can_file_documents(request.user):
        file_forms["document"] = ReceivedDocumentForm(case=case, today=today)
    open_form = ""
    if isinstance(bound, ReceivedDocumentForm):
        file_forms["document"], open_form = bound, "document"
    count = documents.count()
    context: dict[str, Any] = {
        "case_documents": shown,
        "case_document_count": count,
        "case_documents_url": reverse("web:document_list") + "?" + urlencode({"akte": case.number}),
    }
    return DocumentSection(context, file_forms, open_form)


@csrf_exempt  # checked by csrf_protect below, once the size limit sits in front of the upload handlers
@require_POST
@require(rules.can_file_documents)
def case_file_document(request: HttpRequest, number: str) -> HttpResponse:
    limit = DocumentSizeLimitHandler(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _case_file_document(request, number, limit)


@csrf_protect
def _case_file_document(request: HttpRequest, number: str, limit: DocumentSizeLimitHandler) -> HttpResponse:
    case = _case_of(number)
    today = timezone.localdate()
    form = ReceivedDocumentForm(
        request.POST, request.FILES, case=case, today=today, too_large_bytes=limit.too_large_bytes
    )
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            if data["claim"] is not None:  # the claim's assessment: the partner sees it with its claim
                document = do_attach_to_claim(
                    data["claim"],
                    upload.read(),
                    filename=upload.name or "",
                    received_on=data["received_on"],
                    actor=acting_user(request),
                    title=data["title"].strip(),
                )
            else:
                document = do_store_received_document(
                    upload.read(),
                    kind=data["kind"],
                    filename=upload.name or "",
                    title=data["title"].strip(),
                    received_on=data["received_on"],
                    actor=acting_user(request),
                    case=case,
                    measure=data["measure"],
                )
        except ValidationError as exc:
            for error in exc.error_list:
                name = ERROR_FIELDS.get(error.code or "")
                form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(
                request,
                f"„{document.title}“ ist in der Akte {case.number} abgelegt (SHA-256 {document.sha256[:12]}…).",
            )
            return redirect(reverse("web:case_detail", args=[case.number]) + "#schriftstuecke")
    return _case_page(request, case, bound=form)


# --- measures: preview before sending, the letters of a started measure ----------------------------------------


def has_letters(measure: Measure) -> bool:
    """Whether taking ``measure`` sends letters (and so has a preview)."""
    return measure.kind in ON_START


@require(rules.can_view_cases)
def measure_preview(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The letters a proposed measure would send if it were taken today, as one PDF; nothing is archived."""
    case = _case_of(number)
    measure = get_object_or_404(
        Measure.objects.select_related("case__debtor", "case__caseworker", "third_party"), pk=pk, case=case
    )
    back = reverse("web:case_detail", args=[case.number]) + f"#massnahme-{measure.pk}"
    if measure.status != MeasureStatus.PROPOSED:
        messages.error(
            request,
            "Eine Vorschau gibt es nur für vorgeschlagene Maßnahmen; die Schreiben ausgeführter Maßnahmen "
            "stehen unter „Schriftstücke“.",
        )
        return redirect(back)
    if not has_letters(measure):
        messages.info(request, f"„{measure.get_kind_display()}“ versendet beim Ausführen kein Schreiben.")
        return redirect(back)
    try:
        letters = preview_letters(measure, timezone.localdate())
        pdfs = [render_letter(bundle_for(letter.kind, letter.regime), letter.data).pdf for letter in letters]
    except (LetterError, RenderError) as exc:
        messages.error(request, f"Für „{measure.get_kind_display()}“ ist keine Vorschau möglich: {exc}")
        return redirect(back)
    log_personal_data_access(
        actor=acting_user(request),
        subject=case.debtor,
        what=f"Vorschau der Schreiben zur Maßnahme {measure.pk} der Akte {case.number}: {PREVIEW_DATA_SHOWN}",
        purpose="Prüfung vor dem Versand",
        channel="ui",
        path=request.path,
    )
    content = pdfs[0] if len(pdfs) == 1 else merge(pdfs)
    return _file_response(
        content, "application/pdf", f"vorschau-{measure.kind}-{case.number}.pdf", attachment=False
    )


def produce_start_letters(request: HttpRequest, measure: Measure) -> None:
    """After a caseworker started ``measure``: its letters, rendered and archived at once (see
    :func:`produce_now`)."""
    if has_letters(measure):
        produce_now(
            request, lambda: letters_on_start(measure), subject="zur Maßnahme", day=measure.executed_on
        )


def produce_now(
    request: HttpRequest, make: Callable[[], Sequence[Letter]], *, subject: str, day: dt.date | None
) -> None:
    """Letters of something a caseworker just did (a measure taken, an instalment plan arranged or revoked, a
    cash receipt), rendered and archived at once, so they are in the file right away; the day's print step
    (``kofo documents print``) puts them into the print batch, and makes them itself (by the same key) if
    they cannot be made here.

    What the caseworker did stands whatever happens here: a letter that cannot be made is reported.
    """
    try:
        produced = produce_letters(make(), actor=acting_user(request))
    except (LetterError, RenderError, ValidationError) as exc:
        problem = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    except Exception as exc:  # the action stands; the letters are made again by the print step
        logger.exception("Schreiben %s nicht erstellt", subject)
        problem = f"{type(exc).__name__}"
    else:
        if produced.failed:
            _not_made(
                request,
                f"Nicht alle Schreiben {subject} wurden erstellt",
                "; ".join(produced.failures()),
                day,
            )
        count = len(produced.documents)
        if count:
            titles = ", ".join(f"„{d.title}“" for d in produced.documents)
            messages.info(
                request,
                f"{count} Schreiben erstellt und in der Akte abgelegt: {titles}. Der Druckschritt des Tages "
                "gibt sie in den Versand.",
            )
        return
    _not_made(request, f"Die Schreiben {subject} wurden nicht erstellt", problem, day)


def _not_made(request: HttpRequest, lead: str, problem: str, day: dt.date | None) -> None:
    command = "kofo documents print" + (f" --date {day:%Y-%m-%d}" if day else "")
    messages.warning(
        request,
        f"{lead}: {problem.rstrip('.')}. Nach der Behebung erstellt sie der Druckschritt ({command}).",
    )
