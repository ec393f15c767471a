"""Producing, receiving, sending and reproducing documents (the only writes of the document archive).

Rendering is slow and runs outside any transaction; storing the results is one short transaction per
group of letters, with one audit event per document. Every letter has a key (kind, measure, recipient), so
producing the same letters again stores nothing new: the daily print step can be repeated safely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kofo import limits
from kofo.audit import archive
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import Case, Claim
from kofo.documents import rendering
from kofo.documents.letters import RETENTION_YEARS, Letter
from kofo.documents.models import (
    RECEIVED_KINDS,
    Dispatch,
    Document,
    DocumentKind,
    PrintBatch,
    RecipientRole,
    TemplateVersion,
)
from kofo.documents.rendering import Bundle, Failed, Rendered

#: What an uploaded document may be: PDF, or a scan as PNG or JPEG (checked by content, not by name).
RECEIVED_MEDIA_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def retain_until(kind: str, day: dt.date) -> dt.date:
    """Retention ends with the calendar year ``RETENTION_YEARS`` after the year the document was made."""
    return dt.date(day.year + RETENTION_YEARS.get(kind, 10), 12, 31)


def template_version(bundle: Bundle) -> TemplateVersion:
    existing = TemplateVersion.objects.filter(sha256=bundle.sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return TemplateVersion.objects.create(
                sha256=bundle.sha256, name=bundle.name, sources=bundle.sources
            )
    except IntegrityError:
        return TemplateVersion.objects.get(sha256=bundle.sha256)


def filename_for(letter: Letter) -> str:
    number = (
        letter.case.number if letter.case is not None else (letter.partner.key if letter.partner else "kofo")
    )
    return f"{letter.data.get('date', '')}_{letter.kind}_{number}.pdf".replace("/", "-")


@dataclass(frozen=True)
class Produced:
    documents: list[Document]
    skipped: int  # letters that existed already (same key)
    #: Letters that could not be rendered, with the reason; not stored, so the next run tries them again.
    failed: list[tuple[Letter, str]] = field(default_factory=list)

    def failures(self) -> list[str]:
        """The failures in German, one line per letter kind and reason."""
        counts: dict[tuple[str, str], int] = {}
        for letter, message in self.failed:
            key = (DocumentKind(letter.kind).label, message)
            counts[key] = counts.get(key, 0) + 1
        return [f"{count} × {label}: {message}" for (label, message), count in counts.items()]


def produce_letters(letters: Sequence[Letter], *, actor: Actor, parallel: bool = False) -> Produced:
    """Render and archive ``letters`` (same keys are produced once); returns the new documents in order.

    A chunk that cannot be rendered loses nothing else: the letters rendered are stored, the others are
    returned in ``failed`` (and made by the next run once the cause is fixed)."""
    keys = [letter.key for letter in letters]
    existing = set(Document.objects.filter(key__in=keys).values_list("key", flat=True))
    todo = [letter for letter in letters if letter.key not in existing]
    groups: dict[tuple[str, str], list[Letter]] = {}
    for letter in todo:
        groups.setdefault((letter.kind, letter.regime), []).append(letter)
    failed: list[tuple[Letter, str]] = []
    bundled: list[tuple[Bundle, list[Letter]]] = []
    for (kind, regime), group in groups.items():
        try:
            bundled.append((rendering.bundle_for(kind, regime), group))
        except rendering.RenderError as exc:  # a template missing for this kind: the other kinds go on
            failed += [(letter, str(exc)) for letter in group]
    rendered = rendering.render_groups(
        [(bundle, [letter.data for letter in group]) for bundle, group in bundled], parallel=parallel
    )
    documents: list[Document] = []
    for (bundle, group), results in zip(bundled, rendered, strict=True):
        done = [(letter, r) for letter, r in zip(group, results, strict=True) if isinstance(r, Rendered)]
        failed += [
            (letter, r.message) for letter, r in zip(group, results, strict=True) if isinstance(r, Failed)
        ]
        if done:
            documents += do_store_letters([d[0] for d in done], [d[1] for d in done], bundle, actor=actor)
    return Produced(documents, len(letters) - len(todo), failed)


@action
def do_store_letters(
    letters: Sequence[Letter], results: Sequence[Rendered], bundle: Bundle, *, actor: Actor
) -> list[Document]:
    version = template_version(bundle)
    documents = []
    by = actor_name(actor)
    for letter, result in zip(letters, results, strict=True):
        digest = archive.store(result.pdf, archive.DOCUMENTS)
        day = dt.date.fromisoformat(letter.data["date"])
        document = Document.objects.create(
            kind=letter.kind, title=letter.title[:200], sha256=digest, size_bytes=len(result.pdf),
            pages=result.pages, filename=filename_for(letter)[:160], case=letter.case, measure=letter.measure,
            partner=letter.partner, recipient_role=letter.recipient_role, recipient=letter.recipient, email=letter.email,
            template=version, data=letter.data, key=letter.key, letter_date=day,
            retain_until=retain_until(letter.kind, day), created_by=by,
        )  # fmt: skip
        record_event(
            actor=actor, action="documents.produce_document", obj=document, partner=letter.partner,
            summary={"kind": letter.kind, "sha256": digest, "template": version.sha256, "key": letter.key,
                     "case": letter.case.number if letter.case else None},
        )  # fmt: skip
        documents.append(document)
    return documents


def _media_type(content: bytes) -> str:
    for magic, media_type in RECEIVED_MEDIA_TYPES.items():
        if content.startswith(magic):
            return media_type
    raise ValidationError(
        "Nur PDF-, PNG- oder JPEG-Dateien können abgelegt werden.", code="document.media_type"
    )


@action
def do_store_received_document(
    content: bytes,
    *,
    kind: str,
    filename: str,
    title: str,
    received_on: dt.date,
    actor: Actor,
    case: Any = None,
    measure: Any = None,
    partner: Any = None,
) -> Document:
    """File a document that came in (a partner's assessment, a third party's declaration …)."""
    if kind not in RECEIVED_KINDS:
        raise ValidationError("Diese Art wird von kofo erstellt, nicht abgelegt.", code="document.kind")
    if len(content) > limits.DOCUMENT_UPLOAD_BYTES_MAX:
        raise ValidationError(
            "Die Datei ist zu groß (höchstens %(mb)s MB).",
            code="document.too_large",
            params={"mb": limits.DOCUMENT_UPLOAD_BYTES_MAX // 1_000_000},
        )
    if not content:
        raise ValidationError("Die Datei ist leer.", code="document.empty")
    media_type = _media_type(content)
    digest = archive.store(content, archive.DOCUMENTS)
    role = RecipientRole.OFFICE
    document = Document.objects.create(
        kind=kind, title=title[:200] or DocumentKind(kind).label, sha256=digest, size_bytes=len(content),
        media_type=media_type, filename=filename[:160] or f"{digest[:12]}", case=case, measure=measure,
        partner=partner, recipient_role=role, letter_date=received_on,
        retain_until=retain_until(kind, received_on), created_by=actor_name(actor),
    )  # fmt: skip
    record_event(
        actor=actor, action="documents.receive_document", obj=document, partner=partner,
        summary={"kind": kind, "sha256": digest, "filename": filename[:160]},
    )  # fmt: skip
    return document


@action
def do_attach_to_claim(
    claim: Any, content: bytes, *, filename: str, received_on: dt.date, actor: Actor, title: str = ""
) -> Document:
    """The partner's assessment (Bescheid) of ``claim`` as a PDF — the "attached PDF" of an enforcement request
    (VollstrA Abschn. 34; issue 3). Filed as a received document of the partner, and of the debtor's file if
    it is open already; the claim names it by SHA-256 (``Claim.attachment_sha256``), so the file shows it
    once the claim is bundled. The same PDF again changes nothing; another one replaces the reference (the
    earlier document stays in the archive)."""
    if content and not content.startswith(b"%PDF-"):
        raise ValidationError(
            "Als Anlage zu einer Forderung ist nur eine PDF-Datei zulässig.", code="document.media_type"
        )
    claim = Claim.objects.select_for_update().select_related("partner", "debtor_record").get(pk=claim.pk)
    digest = hashlib.sha256(content).hexdigest()
    existing = (
        Document.objects.filter(kind=DocumentKind.BESCHEID, partner=claim.partner, sha256=digest)
        .order_by("pk")
        .first()
    )
    if existing is not None and claim.attachment_sha256 == digest:
        return existing
    case = Case.objects.filter(debtor_id=claim.debtor_record.debtor_id).order_by("-pk").first()
    document = existing or do_store_received_document(
        content, kind=DocumentKind.BESCHEID, filename=filename, title=title or f"Bescheid zu {claim.kassenzeichen}",
        received_on=received_on, actor=actor, case=case, partner=claim.partner,
    )  # fmt: skip
    previous = claim.attachment_sha256
    claim.attachment_sha256 = digest
    claim.save(update_fields=["attachment_sha256"])
    record_event(
        actor=actor, action="documents.attach_to_claim", obj=claim, partner=claim.partner,
        summary={"kassenzeichen": claim.kassenzeichen, "document": document.pk, "sha256": digest,
                 "replaces": previous or None},
    )  # fmt: skip
    return document


@action
def do_dispatch(
    documents: Sequence[Document],
    *,
    channel: str,
    posted_on: dt.date,
    actor: Actor,
    batch: PrintBatch | None = None,
    addresses: dict[int, str] | None = None,
) -> list[Dispatch]:
    """Record that ``documents`` were sent on ``posted_on`` (the day the deemed receipt counts from)."""
    sent = set(
        Dispatch.objects.filter(document__in=[d.pk for d in documents]).values_list("document_id", flat=True)
    )
    for document in documents:
        if document.pk in sent:
            raise ValidationError(
                "%(doc)s ist bereits versandt.", code="document.dispatched", params={"doc": document.title}
            )
    dispatches = Dispatch.objects.bulk_create(
        Dispatch(
            document=document, batch=batch, channel=channel, posted_on=posted_on,
            address=(addresses or {}).get(document.pk, ""),
        )
        for document in documents
    )  # fmt: skip
    record_event(
        actor=actor, action="documents.dispatch", obj=batch,
        summary={"channel": channel, "posted_on": posted_on, "documents": [d.pk for d in documents]},
    )  # fmt: skip
    return dispatches


def content_of(document: Document) -> bytes:
    """The archived bytes, checked against their SHA-256."""
    return archive.load(document.sha256, archive.DOCUMENTS)


def reproduce(document: Document) -> Rendered:
    """Render a letter again from its stored data and its stored template version."""
    if document.template is None:
        raise ValidationError(
            "Eingegangene Schriftstücke werden nicht neu erstellt.", code="document.received"
        )
    bundle = Bundle(document.template.name, dict(document.template.sources))
    if bundle.sha256 != document.template.sha256:
        raise ValidationError("Die gespeicherte Vorlagenfassung ist beschädigt.", code="document.template")
    return rendering.render_letter(bundle, document.data)


@dataclass(frozen=True)
class Verification:
    same_text: bool
    same_bytes: bool


def verify(document: Document) -> Verification:
    """Re-render and compare with the archive: the same text always, the same bytes with the same renderer."""
    again = reproduce(document)
    stored = content_of(document)
    return Verification(
        same_text=rendering.pdf_text(again.pdf) == rendering.pdf_text(stored),
        same_bytes=hashlib.sha256(again.pdf).hexdigest() == document.sha256,
    )
