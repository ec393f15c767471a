"""Actions on debtors: registering a partner's debtor record (linkage), deciding reviews, merge, split."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.debtors.matching import candidates_for, index_record, prepare
from kofo.debtors.models import Debtor, DebtorRecord, LinkDecision, LinkReview, ReviewStatus
from kofo.partners.models import Partner

RECORD_FIELDS = (
    "kind", "partner_debtor_id", "surname", "given_names", "birth_name", "birth_date", "legal_name",
    "legal_form", "register_court", "register_number", "street", "house_number", "postcode", "city",
    "country", "phone", "email", "iban",
)  # fmt: skip


def _content_hash(fields: dict[str, Any]) -> str:
    data = {key: str(fields.get(key) or "") for key in RECORD_FIELDS}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _next_number() -> str:
    last = Debtor.objects.aggregate(top=Max("id"))["top"] or 0
    return f"S-{last + 1:07d}"


def _new_debtor(record: DebtorRecord) -> Debtor:
    return Debtor.objects.create(
        number=_next_number(),
        kind=record.kind,
        display_name=record.name[:250],
        birth_date=record.birth_date,
        postcode=record.postcode,
        city=record.city,
    )


def current(debtor: Debtor) -> Debtor:
    """Follow merges to the debtor that lives on."""
    while debtor.merged_into_id is not None:
        debtor = Debtor.objects.get(pk=debtor.merged_into_id)
    return debtor


#: Checks a higher layer registers (the cases app: running garnishments) that keep a record from being
#: linked *automatically* to a debtor; each returns the German reason or None. The pair then goes to the
#: review queue with that reason. (Registered at start-up, so this module imports nothing above it.)
AUTO_LINK_GUARDS: list[Callable[[Debtor], str | None]] = []


def auto_link_blocked(debtor: Debtor) -> str | None:
    for guard in AUTO_LINK_GUARDS:
        reason = guard(debtor)
        if reason:
            return reason
    return None


@action
def do_register_debtor_record(partner: Partner, fields: dict[str, Any], *, actor: Actor) -> DebtorRecord:
    """Store the debtor as the partner describes them and link the record to a debtor.

    Same partner and same content: the stored record. Same partner debtor id: that debtor. Otherwise the
    linkage engine scores candidates from the blocking-key index: at or above the link threshold the
    record joins the best debtor, between the thresholds a new debtor is created and the pair goes to the
    review queue, below it a new debtor.
    """
    digest = _content_hash(fields)
    existing = (
        DebtorRecord.objects.filter(partner=partner, content_hash=digest).select_related("debtor").first()
    )
    if existing is not None:
        return existing
    record = DebtorRecord(
        partner=partner,
        content_hash=digest,
        **{key: fields.get(key) or ("" if key != "birth_date" else None) for key in RECORD_FIELDS},
    )
    if not record.country:
        record.country = "DE"
    same_id = None
    if record.partner_debtor_id:
        same_id = (
            DebtorRecord.objects.filter(partner=partner, partner_debtor_id=record.partner_debtor_id)
            .select_related("debtor")
            .order_by("id")
            .first()
        )
    review_candidate = None
    blocked: str | None = None
    if same_id is not None:
        record.debtor = current(same_id.debtor)
        record.link_decision = LinkDecision.PARTNER_ID
    else:
        scored = candidates_for(record)  # scored before saving: the record is not in the index yet
        best = scored[0] if scored else None
        record.link_score = best.weight if best else None
        if best is not None and best.decision == "link":
            blocked = auto_link_blocked(current(best.record.debtor))
        if best is not None and best.decision == "link" and blocked is None:
            record.debtor = current(best.record.debtor)
            record.link_decision = LinkDecision.AUTO
        else:
            if best is not None:
                review_candidate = best  # candidates_for returns only pairs at or above the review threshold
            record.link_decision = LinkDecision.REVIEW if review_candidate else LinkDecision.NEW
            record.debtor = _new_debtor(record)
    prepare(record)
    record.full_clean(exclude=["debtor"])
    record.save()
    index_record(record)
    if review_candidate is not None:
        LinkReview.objects.create(
            record=record,
            candidate=current(review_candidate.record.debtor),
            candidate_record=review_candidate.record,
            score=review_candidate.weight,
            explanation=review_candidate.explanation,
            reason=blocked or "Übereinstimmung zwischen den Schwellen",
        )
    record_event(
        actor=actor,
        action="debtors.register_record",
        obj=record,
        partner=partner,
        summary={
            "debtor": record.debtor.number,
            "decision": record.link_decision,
            "score": record.link_score,
            "review": review_candidate is not None,
        },
    )
    return record


@action
def do_decide_link_review(review: LinkReview, *, confirm: bool, actor: Actor) -> LinkReview:
    """Confirm (the record's debtor is merged into the candidate) or reject a pair of the review queue."""
    review = (
        LinkReview.objects.select_for_update().select_related("record__debtor", "candidate").get(pk=review.pk)
    )
    if review.status != ReviewStatus.OPEN:
        raise ValidationError("Dieser Prüffall ist bereits entschieden.", code="review.decided")
    review.status = ReviewStatus.CONFIRMED if confirm else ReviewStatus.REJECTED
    review.decided_by = actor_name(actor)
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        source, target = current(review.record.debtor), current(review.candidate)
        if source.pk != target.pk:
            do_merge_debtors(source, target, actor=actor, reason=f"Prüffall {review.pk} bestätigt")
    record_event(
        actor=actor,
        action="debtors.confirm_link" if confirm else "debtors.reject_link",
        obj=review,
        summary={"record": review.record_id, "candidate": review.candidate.number, "score": review.score},
    )
    return review


@action
def do_merge_debtors(source: Debtor, target: Debtor, *, actor: Actor, reason: str) -> Debtor:
    """Merge ``source`` into ``target``: its records (and with them their claims) move; reversible by split.

    Claims reference the partner's debtor record, so moving the records moves the claims and their ledger
    accounts (which belong to the claims) consistently.
    """
    source, target = current(source), current(target)
    if source.pk == target.pk:
        raise ValidationError(
            "Ein Schuldner kann nicht mit sich selbst zusammengeführt werden.", code="merge.same"
        )
    if source.kind != target.kind:
        raise ValidationError(
            "Natürliche und juristische Personen werden nicht zusammengeführt.", code="merge.kind_mismatch"
        )
    moved = list(source.records.values_list("id", flat=True))
    DebtorRecord.objects.filter(pk__in=moved).update(debtor=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    record_event(
        actor=actor,
        action="debtors.merge",
        obj=target,
        summary={"source": source.number, "target": target.number, "records": moved, "reason": reason},
    )
    return target


@action
def do_split_debtor(debtor: Debtor, record_ids: list[int], *, actor: Actor, reason: str) -> Debtor:
    """Move the given records of ``debtor`` to a new debtor (undoes a wrong merge or link)."""
    debtor = current(debtor)
    records = list(debtor.records.filter(pk__in=record_ids).order_by("id"))
    if not records or len(records) != len(set(record_ids)):
        raise ValidationError(
            "Abzuspaltende Angaben gehören nicht (alle) zu diesem Schuldner.", code="split.records_invalid"
        )
    if debtor.records.count() == len(records):
        raise ValidationError("Mindestens eine Angabe muss beim Schuldner bleiben.", code="split.all_records")
    new = _new_debtor(records[0])
    DebtorRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        debtor=new, link_decision=LinkDecision.MANUAL
    )
    record_event(
        actor=actor,
        action="debtors.split",
        obj=new,
        summary={
            "from": debtor.number,
            "to": new.number,
            "records": [r.pk for r in records],
            "reason": reason,
        },
    )
    return new
