"""Mass output: the day's letters, produced and collected into print batches (one per letter type and day).

``kofo documents print --date D`` (run after the daily run) finds everything that happened on D and needs a
letter — measures taken, garnishments served, summonses, instalment decisions and revocations, cash
receipts, returns to partners, remittance runs — produces the missing letters (idempotent by key), and
sends every letter of D that is not sent yet:

* by post: per kind one merged PDF and a CSV manifest for the print service, both archived; each letter
  gets its :class:`~kofo.documents.models.Dispatch` with the posting date D — the day from which kofo
  computed the deemed receipt and the clocks when the measure was taken;
* electronically, where the recipient has an electronic address and ``KOFO_ELECTRONIC_DELIVERY=outbox``:
  the PDF and a JSON envelope are written to ``KOFO_DOCUMENT_OUTBOX`` for the office's transport;
* handed over: receipts (given to the payer on the spot) and field orders (internal to the office).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db.models import Max, QuerySet

from kofo import limits
from kofo.audit import archive
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.cases.measures import GARNISHMENTS
from kofo.cases.models import InstalmentPlan, InstalmentPlanStatus, Measure, MeasureKind, MeasureStatus
from kofo.documents import letters as L
from kofo.documents import rendering
from kofo.documents.actions import content_of, do_dispatch, produce_letters
from kofo.documents.models import DispatchChannel, Document, DocumentKind, PrintBatch
from kofo.payments.models import CashReceipt, Remittance

K = MeasureKind
D = DocumentKind

#: Letters that are not posted: the receipt is handed to the payer, the field order stays in the office.
HANDED_KINDS = frozenset({D.QUITTUNG, D.VOLLSTRECKUNGSAUFTRAG})
MANIFEST_HEADER = [
    "Nr",
    "Dokument",
    "Art",
    "Aktenzeichen",
    "Empfänger",
    "Seiten",
    "ab Seite",
    "SHA-256",
    "Datum",
]


@dataclass
class PrintResult:
    day: dt.date
    produced: int = 0
    skipped: int = 0
    batches: list[PrintBatch] = field(default_factory=list)
    electronic: int = 0
    handed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def posted(self) -> int:
        return sum(batch.count for batch in self.batches)


def _documented(day: dt.date, kinds: Iterable[str]) -> set[int]:
    """Measures that already have a letter of ``kinds`` dated ``day`` (a repeated run builds nothing again)."""
    return set(
        Document.objects.filter(letter_date=day, kind__in=list(kinds), measure__isnull=False).values_list(
            "measure_id", flat=True
        )
    )


def _measures(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    return qs.select_related("case__debtor", "case__caseworker__kofo_profile", "third_party").order_by("pk")


def letters_due(day: dt.date, problems: list[str]) -> list[L.Letter]:
    """Every letter the events of ``day`` call for and that does not exist yet."""
    due: list[L.Letter] = []

    def add(build: Callable[[], list[L.Letter]], what: str) -> None:
        try:
            due.extend(build())
        except L.LetterError as error:
            problems.append(f"{what}: {error}")

    start_kinds = [D.ZAHLUNGSAUFFORDERUNG, D.PFEV_DRITTSCHULDNER, D.VA_ZAHLUNGSAUFFORDERUNG,
                   D.EINTRAGUNGSANORDNUNG, D.VOLLSTRECKUNGSAUFTRAG]  # fmt: skip
    done = _documented(day, start_kinds)
    started = Measure.objects.filter(executed_on=day, kind__in=list(L.ON_START)).exclude(pk__in=done)
    for measure in _measures(started):
        add(partial(L.letters_on_start, measure), f"Maßnahme {measure.pk}")
    done = _documented(day, [D.PFAENDUNG_MITTEILUNG, D.VA_LADUNG])
    served = Measure.objects.filter(served_on=day, kind__in=[*GARNISHMENTS, K.VERMOEGENSAUSKUNFT]).exclude(
        pk__in=done
    )
    for measure in _measures(served):
        if measure.kind == K.VERMOEGENSAUSKUNFT:
            add(partial(L.disclosure_summons, measure), f"Ladung {measure.pk}")
        else:
            add(partial(L.garnishment_notice, measure), f"Zustellung {measure.pk}")
    done = _documented(day, [D.RATENZAHLUNG, D.RATENZAHLUNG_WIDERRUF])
    for plan in InstalmentPlan.objects.filter(agreed_on=day).exclude(measure_id__in=done).order_by("pk"):
        add(partial(L.instalment_notice, plan), f"Ratenzahlung {plan.pk}")
    revoked = InstalmentPlan.objects.filter(ended_on=day, status=InstalmentPlanStatus.REVOKED)
    for plan in revoked.order_by("pk"):
        add(partial(L.instalment_revocation, plan), f"Widerruf {plan.pk}")
    made = set(Document.objects.filter(kind=D.QUITTUNG, letter_date=day).values_list("key", flat=True))
    for receipt in CashReceipt.objects.filter(received_on=day).select_related("payment__case").order_by("pk"):
        if f"{D.QUITTUNG}:r{receipt.pk}" not in made:
            add(partial(L.cash_receipt, receipt), f"Quittung {receipt.number}")
    done = _documented(day, [D.RUECKGABE])
    returned = Measure.objects.filter(kind=K.RUECKGABE, executed_on=day, status=MeasureStatus.DONE)
    for measure in _measures(returned.exclude(pk__in=done)):
        add(partial(L.return_reports, measure), f"Rückgabe {measure.pk}")
    made = set(Document.objects.filter(kind=D.AUSKEHRUNG, letter_date=day).values_list("key", flat=True))
    for remittance in Remittance.objects.filter(run__execution_date=day).select_related("run", "partner"):
        if f"{D.AUSKEHRUNG}:rem{remittance.pk}" not in made:
            add(partial(_advice, remittance), f"Auskehrung {remittance.pk}")
    return due


def _advice(remittance: Remittance) -> list[L.Letter]:
    statement = json.loads(archive.load(remittance.statement_json_sha256))
    return L.remittance_advice(remittance, statement)


def manifest_csv(documents: list[Document], first_pages: list[int]) -> bytes:
    """The print service's list: one row per letter, in the order of the merged PDF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    for number, (document, first) in enumerate(zip(documents, first_pages, strict=True), start=1):
        writer.writerow([
            number, document.pk, document.get_kind_display(), document.case.number if document.case else "",
            document.recipient, document.pages, first, document.sha256,
            f"{document.letter_date:%d.%m.%Y}" if document.letter_date else "",
        ])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


def _outbox() -> Path:
    configured = getattr(settings, "KOFO_DOCUMENT_OUTBOX", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "outbox"


def _deliver_electronically(document: Document, day: dt.date) -> None:
    folder = _outbox() / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{document.pk}.pdf").write_bytes(content_of(document))
    envelope = {"document": document.pk, "to": document.email, "subject": document.title,
                "filename": document.filename, "sha256": document.sha256, "date": day.isoformat()}  # fmt: skip
    (folder / f"{document.pk}.json").write_text(json.dumps(envelope, ensure_ascii=False, indent=2), "utf-8")


def send_day(day: dt.date, *, actor: Actor, result: PrintResult) -> None:
    """Send every letter dated ``day`` that is not sent yet (post in batches, electronic, handed over)."""
    # Letters of earlier days that were never sent (a measure taken with a past date, a step that did not
    # run) go out now too, and are reported: their clocks counted from their letter date.
    pending = list(
        Document.objects.filter(letter_date__lte=day, template__isnull=False, dispatch__isnull=True)
        .select_related("case")
        .order_by("kind", "case__number", "pk")
    )
    late = [d for d in pending if d.letter_date is not None and d.letter_date < day]
    if late:
        result.problems.append(
            f"{len(late)} Schreiben mit früherem Datum erst jetzt versandt (Fristen prüfen): "
            + ", ".join(f"{d.pk} ({d.letter_date:%d.%m.%Y})" for d in late[:20])
        )
    electronic_on = getattr(settings, "KOFO_ELECTRONIC_DELIVERY", "off") == "outbox"
    handed = [d for d in pending if d.kind in HANDED_KINDS]
    if handed:
        do_dispatch(handed, channel=DispatchChannel.HANDED, posted_on=day, actor=actor)
        result.handed += len(handed)
    electronic = [d for d in pending if d.kind not in HANDED_KINDS and electronic_on and d.email]
    for document in electronic:
        _deliver_electronically(document, day)
    if electronic:
        addresses = {d.pk: d.email for d in electronic}
        do_dispatch(
            electronic, channel=DispatchChannel.ELECTRONIC, posted_on=day, actor=actor, addresses=addresses
        )
        result.electronic += len(electronic)
    sent_electronically = {d.pk for d in electronic}
    posted = [d for d in pending if d.kind not in HANDED_KINDS and d.pk not in sent_electronically]
    by_kind: dict[str, list[Document]] = {}
    for document in posted:
        by_kind.setdefault(document.kind, []).append(document)
    for kind, documents in by_kind.items():
        for start in range(0, len(documents), limits.PRINT_BATCH_LETTERS_MAX):
            chunk = documents[start : start + limits.PRINT_BATCH_LETTERS_MAX]
            result.batches.append(do_create_print_batch(kind, day, chunk, actor=actor))


@action
def do_create_print_batch(kind: str, day: dt.date, documents: list[Document], *, actor: Actor) -> PrintBatch:
    """One print batch: the merged PDF and the manifest archived, each letter dispatched by post on ``day``."""
    first_pages, page = [], 1
    for document in documents:
        first_pages.append(page)
        page += document.pages
    merged = rendering.merge([content_of(d) for d in documents])
    sequence = (
        PrintBatch.objects.filter(kind=kind, day=day, channel=DispatchChannel.POST).aggregate(
            n=Max("sequence")
        )["n"]
        or 0
    ) + 1
    batch = PrintBatch.objects.create(
        kind=kind, day=day, channel=DispatchChannel.POST, sequence=sequence, count=len(documents), pages=page - 1,
        pdf_sha256=archive.store(merged, archive.DOCUMENTS),
        manifest_sha256=archive.store(manifest_csv(documents, first_pages), archive.DOCUMENTS),
        created_by=actor_name(actor),
    )  # fmt: skip
    do_dispatch(documents, channel=DispatchChannel.POST, posted_on=day, actor=actor, batch=batch)
    return batch


def print_day(day: dt.date, *, actor: Actor, parallel: bool = True) -> PrintResult:
    """Produce the letters of ``day`` and send them; running it again produces and sends nothing twice."""
    result = PrintResult(day)
    due = letters_due(day, result.problems)
    produced = produce_letters(due, actor=actor, parallel=parallel)
    result.produced, result.skipped = len(produced.documents), produced.skipped
    result.problems += produced.failures()
    send_day(day, actor=actor, result=result)
    return result
