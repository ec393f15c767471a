"""Actions of the intake: importing a request (CSV or JSON), replaying an archived one.

Every submission is archived with its SHA-256 before anything is checked; each item is answered
(accepted, rejected with codes, duplicate, conflict); accepted items become claims with their ledger
postings even when other items of the same submission fail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict

from django.conf import settings
from django.utils import timezone

from kofo.audit import archive
from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import Claim
from kofo.debtors.actions import do_register_debtor_record
from kofo.intake.formats import FileProblem, read_rows
from kofo.intake.items import ClaimInput, Problem, parse_item
from kofo.intake.models import BatchStatus, Channel, ColumnMapping, ImportBatch, ItemStatus, RequestItem
from kofo.intake.validation import validate_claim
from kofo.ledger.accounts import partner_account, receivable_account
from kofo.ledger.actions import Line, credit, debit, do_post_transaction
from kofo.ledger.models import AccountKind, Component
from kofo.partners.models import Agreement, Partner

CORRECTION_PATH = (
    "Eine bereits übernommene Forderung wird nicht durch ein neues Ersuchen geändert: bitte die Änderung als "
    "Absetzung, Stundung oder Rücknahme melden (Oberfläche „Forderung ändern“ oder "
    "POST /api/v1/claims/{kassenzeichen}/changes) und, falls nötig, danach neu ersuchen."
)


def _land() -> str:
    return str(getattr(settings, "KOFO_LAND", "SL"))


def _json_items(content: bytes) -> list[dict[str, str]]:
    try:
        payload = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem("json.invalid", f"Die Nutzdaten sind kein gültiges JSON ({exc}).") from exc
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise FileProblem("json.items_missing", "Die Nutzdaten enthalten keine Liste „items“.")
    rows = []
    for item in items:
        if not isinstance(item, dict):
            raise FileProblem("json.item_invalid", "Jede Position in „items“ muss ein Objekt sein.")
        flat: dict[str, str] = {}
        for key, value in item.items():
            if key == "debtor" and isinstance(value, dict):
                flat.update({k: "" if v is None else str(v) for k, v in value.items() if k != "kind"})
                flat["debtor_kind"] = str(value.get("kind") or "")
            elif key == "requested_measures" and isinstance(value, list):
                flat[key] = ",".join(str(v) for v in value)
            else:
                flat[key] = "" if value is None else str(value)
        rows.append(flat)
    return rows


def _post_claim(claim: Claim, item: ClaimInput, *, as_of: dt.date, actor: Actor) -> None:
    """Take the claim into the books: each component a receivable of the claim, against the partner."""
    components = [
        (Component.PRINCIPAL, item.principal),
        (Component.SURCHARGE, item.surcharges),
        (Component.FEE, item.reminder_fee),
        (Component.COST, item.prior_costs),
    ]
    lines: list[Line] = [
        debit(receivable_account(claim.partner, claim, component, claim.kassenzeichen), amount)
        for component, amount in components
        if amount
    ]
    lines.append(credit(partner_account(claim.partner, AccountKind.PARTNER_CLAIMS), item.total))
    do_post_transaction(
        lines,
        reason_code="intake.claim_taken_over",
        description=f"Übernahme {claim.kassenzeichen} ({claim.partner.name})",
        value_date=as_of,
        obj=claim,
        partner=claim.partner,
        actor=actor,
    )


def _accept(
    partner: Partner, agreement: Agreement, item: ClaimInput, *, as_of: dt.date, actor: Actor
) -> Claim:
    record = do_register_debtor_record(partner, asdict(item.debtor), actor=actor)
    claim = Claim.objects.create(
        partner=partner,
        agreement=agreement,
        debtor_record=record,
        kassenzeichen=item.kassenzeichen,
        claim_type=item.claim_type,
        legal_basis=item.legal_basis,
        assessment_date=item.assessment_date,
        notified_on=item.notified_on,
        due_date=item.due_date,
        reminder_date=item.reminder_date,
        reminder_deadline=item.reminder_deadline,
        principal_cents=int(item.principal),
        surcharges_cents=int(item.surcharges),
        surcharges_until=item.surcharges_until,
        reminder_fee_cents=int(item.reminder_fee),
        prior_costs_cents=int(item.prior_costs),
        requested_measures=list(item.requested_measures),
        notes=item.notes,
        content_hash=item.content_hash(),
    )
    _post_claim(claim, item, as_of=as_of, actor=actor)
    return claim


def _process(
    batch: ImportBatch, partner: Partner, rows: Iterable[tuple[int, dict[str, str]]], *, actor: Actor
) -> None:
    agreement = partner.current_agreement(batch.as_of)
    results: list[RequestItem] = []
    counts = dict.fromkeys(ItemStatus.values, 0)
    for position, raw in rows:
        item, problems = parse_item(raw)
        warnings: list[Problem] = []
        status = ItemStatus.REJECTED
        claim = None
        if item is not None:
            verdict = validate_claim(item, agreement, as_of=batch.as_of, land=_land())
            problems, warnings = list(verdict.problems), list(verdict.warnings)
            if not problems and agreement is not None:
                existing = Claim.objects.filter(partner=partner, kassenzeichen=item.kassenzeichen).first()
                if existing is None:
                    claim = _accept(partner, agreement, item, as_of=batch.as_of, actor=actor)
                    status = ItemStatus.ACCEPTED
                elif existing.content_hash == item.content_hash():
                    claim, status = existing, ItemStatus.DUPLICATE
                    warnings.append(
                        Problem(
                            "item.duplicate",
                            "kassenzeichen",
                            f"Kassenzeichen {item.kassenzeichen} ist bereits mit gleichem Inhalt übernommen; "
                            "nichts geändert.",
                        )
                    )
                else:
                    claim, status = existing, ItemStatus.CONFLICT
                    problems.append(
                        Problem(
                            "item.conflict",
                            "kassenzeichen",
                            f"Kassenzeichen {item.kassenzeichen} ist bereits mit anderem Inhalt übernommen. "
                            + CORRECTION_PATH,
                        )
                    )
        counts[status] += 1
        results.append(
            RequestItem(
                batch=batch,
                position=position,
                kassenzeichen=(raw.get("kassenzeichen") or "")[:60],
                status=status,
                problems=[p.as_dict() for p in problems],
                warnings=[w.as_dict() for w in warnings],
                claim=claim,
                data={k: v for k, v in raw.items() if not k.startswith("__")},
            )
        )
    RequestItem.objects.bulk_create(results, batch_size=1000)
    batch.items_total = len(results)
    batch.items_accepted = counts[ItemStatus.ACCEPTED]
    batch.items_rejected = counts[ItemStatus.REJECTED]
    batch.items_duplicate = counts[ItemStatus.DUPLICATE]
    batch.items_conflict = counts[ItemStatus.CONFLICT]
    batch.save(
        update_fields=["items_total", "items_accepted", "items_rejected", "items_duplicate", "items_conflict"]
    )


@action
def do_import_request(
    partner: Partner,
    content: bytes,
    *,
    channel: Channel,
    actor: Actor,
    filename: str = "",
    as_of: dt.date | None = None,
    replay_of: ImportBatch | None = None,
) -> ImportBatch:
    """Take in one enforcement request (a CSV file or a JSON payload) of ``partner``."""
    sha = archive.store(content)
    batch = ImportBatch(
        partner=partner,
        channel=channel,
        filename=filename[:255],
        sha256=sha,
        size_bytes=len(content),
        as_of=as_of or timezone.localdate(),
        status=BatchStatus.DONE,
        replay_of=replay_of,
        created_by=actor_name(actor),
    )
    try:
        if channel == Channel.CSV:
            mapping = ColumnMapping.objects.filter(partner=partner).values_list("columns", flat=True).first()
            batch.encoding, csv_rows = read_rows(content, mapping)
            rows: list[tuple[int, dict[str, str]]] = [(row.line, row.fields) for row in csv_rows]
        else:
            batch.encoding = "utf-8"
            rows = list(enumerate(_json_items(content), start=1))
    except FileProblem as problem:
        batch.status = BatchStatus.REFUSED
        batch.error_code = problem.code
        batch.error_message = problem.message
        batch.save()
    else:
        batch.save()
        _process(batch, partner, rows, actor=actor)
    record_event(
        actor=actor,
        action="intake.import_request",
        obj=batch,
        partner=partner,
        summary={
            "sha256": sha,
            "channel": channel,
            "status": batch.status,
            "error_code": batch.error_code,
            "accepted": batch.items_accepted,
            "rejected": batch.items_rejected,
            "duplicate": batch.items_duplicate,
            "conflict": batch.items_conflict,
        },
    )
    return batch


@action
def do_replay_request(batch: ImportBatch, *, actor: Actor) -> ImportBatch:
    """Re-import an archived submission with its original check date (the result is reproducible)."""
    content = archive.load(batch.sha256)
    return do_import_request(
        batch.partner,
        content,
        channel=Channel(batch.channel),
        filename=batch.filename,
        as_of=batch.as_of,
        replay_of=batch,
        actor=actor,
    )
