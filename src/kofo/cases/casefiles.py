"""Debtor files (Schuldnerakten): opening, caseworker assignment by rule, notes and follow-ups.

Every write here is an action (``do_…``, one transaction, one audit event). The daily run and intake call
:func:`do_ensure_case`, which is idempotent: it returns the debtor's file, opening it when there is none.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import (
    CLOSED_STATUSES,
    AssignmentRule,
    AssignmentRuleKind,
    Case,
    CaseCloseReason,
    CaseNote,
    CaseStatus,
    Claim,
    ClaimStatus,
    FollowUp,
    FollowUpKind,
)
from kofo.debtors.models import Debtor, DebtorRecord

CASE_NUMBER_PREFIX = "VA"
NOTE_CHARS_MAX = 10_000


def case_number(case_id: int) -> str:
    """The file number printed on letters: ``VA-000123`` (stable, derived from the id)."""
    return f"{CASE_NUMBER_PREFIX}-{case_id:06d}"


def _sort_letter(debtor: Debtor) -> str:
    name = unicodedata.normalize("NFKD", debtor.display_name or "")
    for ch in name:
        if ch.isalpha():
            return ch.upper()
    return ""


def _debtor_postcode(debtor: Debtor) -> str:
    return (debtor.postcode or "").strip()


def choose_caseworker(debtor: Debtor) -> tuple[Any, str]:
    """The caseworker for a new file and the rule that chose them (first active rule by priority).

    ``alphabet``: the first letter of the debtor's name (``display_name`` starts with the surname, umlauts
    as their base letter) between ``value_from`` and ``value_to``; ``postcode``: the postcode starts with
    ``value_from``, or lies between ``value_from`` and ``value_to`` when both are given; ``workload``: of
    the workload rules with the same priority, the caseworker with the fewest open files.
    """
    rules = list(AssignmentRule.objects.filter(active=True).select_related("caseworker"))
    letter, postcode = _sort_letter(debtor), _debtor_postcode(debtor)
    for priority in sorted({r.priority for r in rules}):
        group = [r for r in rules if r.priority == priority]
        for rule in group:
            if rule.kind == AssignmentRuleKind.ALPHABET and letter:
                low, high = (
                    (rule.value_from or "A").upper(),
                    (rule.value_to or rule.value_from or "Z").upper(),
                )
                if low <= letter <= high:
                    return rule.caseworker, f"Buchstabe {letter} ({low}–{high})"
            elif rule.kind == AssignmentRuleKind.POSTCODE and postcode and rule.value_from:
                if rule.value_to:
                    width = len(rule.value_from)
                    if rule.value_from <= postcode[:width] <= rule.value_to[:width]:
                        return rule.caseworker, f"PLZ {postcode} ({rule.value_from}–{rule.value_to})"
                elif postcode.startswith(rule.value_from):
                    return rule.caseworker, f"PLZ {postcode} (Bereich {rule.value_from})"
        workers = [r.caseworker_id for r in group if r.kind == AssignmentRuleKind.WORKLOAD]
        if workers:
            load = dict(
                get_user_model()
                .objects.filter(pk__in=workers)
                .annotate(open_cases=Count("cases", filter=Q(cases__status=CaseStatus.OPEN)))
                .values_list("pk", "open_cases")
            )
            chosen = min(workers, key=lambda pk: (load.get(pk, 0), pk))
            user = next(r.caseworker for r in group if r.caseworker_id == chosen)
            return user, f"Arbeitslast ({load.get(chosen, 0)} offene Akten)"
    return None, ""


def survivor(debtor: Debtor) -> Debtor:
    """The debtor a merged debtor lives on in (itself when not merged)."""
    seen = set()
    while debtor.merged_into_id is not None and debtor.pk not in seen:
        seen.add(debtor.pk)
        debtor = debtor.merged_into  # type: ignore[assignment]
    return debtor


@action
def do_ensure_case(debtor: Debtor, *, on: dt.date | None = None, actor: Actor) -> Case:
    """The debtor's file; opened (and assigned by :func:`choose_caseworker`) when there is none yet.

    A debtor merged into another has no file of its own: the surviving debtor's file is returned.
    """
    debtor = survivor(debtor)
    existing = Case.objects.filter(debtor=debtor).first()
    if existing is not None:
        return existing
    caseworker, reason = choose_caseworker(debtor)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=f"tmp-{debtor.pk}",
                debtor=debtor,
                caseworker=caseworker,
                assignment_reason=reason,
                opened_on=on or timezone.localdate(),
            )
    except IntegrityError:  # another worker opened it meanwhile
        return Case.objects.get(debtor=debtor)
    case.number = case_number(case.pk)
    case.save(update_fields=["number"])
    record_event(
        actor=actor,
        action="cases.open_case",
        obj=case,
        summary={"debtor": debtor.number, "caseworker": caseworker.get_username() if caseworker else None,
                 "assignment": reason},
    )  # fmt: skip
    return case


def case_claims(case: Case) -> Any:
    """The claims in a file: those whose debtor record belongs to the file's debtor."""
    # Two index lookups (records of the debtor, then their claims): joined and filtered by status, SQLite
    # without statistics would walk the (status, due date) index over every open claim of the office.
    record_ids = list(DebtorRecord.objects.filter(debtor_id=case.debtor_id).values_list("id", flat=True))
    return Claim.objects.filter(debtor_record_id__in=record_ids)


@action
def do_assign_case(case: Case, *, caseworker: Any, reason: str, actor: Actor) -> Case:
    """Hand a file to another caseworker (or back to the rules with ``caseworker=None``)."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    before = case.caseworker.get_username() if case.caseworker else None
    if caseworker is None:
        caseworker, rule = choose_caseworker(case.debtor)
        reason = reason or rule
    case.caseworker = caseworker
    case.assignment_reason = reason[:200]
    case.save(update_fields=["caseworker", "assignment_reason"])
    record_event(
        actor=actor,
        action="cases.assign_case",
        obj=case,
        summary={
            "before": before,
            "after": caseworker.get_username() if caseworker else None,
            "reason": reason,
        },
    )
    return case


@action
def do_add_note(case: Case, *, text: str, actor: Actor) -> CaseNote:
    """A note in the file (Aktenvermerk). Notes are never edited; a correction is a new note."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Der Vermerk ist leer.", code="case.note_empty")
    if len(text) > NOTE_CHARS_MAX:
        raise ValidationError(
            "Ein Vermerk darf höchstens %(max)s Zeichen lang sein.", code="case.note_too_long",
            params={"max": NOTE_CHARS_MAX},
        )  # fmt: skip
    note = CaseNote.objects.create(case=case, author=actor_name(actor), text=text)
    record_event(
        actor=actor, action="cases.add_note", obj=case, summary={"note": note.pk, "chars": len(text)}
    )
    return note


@action
def do_schedule_follow_up(
    case: Case,
    *,
    due_on: dt.date,
    reason: str,
    actor: Actor,
    kind: FollowUpKind = FollowUpKind.MANUAL,
    key: str = "",
) -> FollowUp:
    """Wiedervorlage on ``due_on``. With a ``key`` the same follow-up is created only once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Bitte einen Anlass der Wiedervorlage angeben.", code="case.follow_up_reason")
    if key:
        existing = FollowUp.objects.filter(case=case, key=key).first()
        if existing is not None:
            return existing
    follow_up = FollowUp.objects.create(
        case=case, kind=kind, key=key, due_on=due_on, reason=reason[:300], created_by=actor_name(actor)
    )
    record_event(
        actor=actor,
        action="cases.schedule_follow_up",
        obj=case,
        summary={"follow_up": follow_up.pk, "due_on": due_on, "kind": kind, "reason": reason},
    )
    return follow_up


@action
def do_complete_follow_up(follow_up: FollowUp, *, actor: Actor) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update(no_key=True).get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ValidationError("Die Wiedervorlage ist bereits erledigt.", code="case.follow_up_done")
    follow_up.done_at = timezone.now()
    follow_up.done_by = actor_name(actor)
    follow_up.save(update_fields=["done_at", "done_by"])
    record_event(
        actor=actor,
        action="cases.complete_follow_up",
        obj=follow_up.case,
        summary={"follow_up": follow_up.pk},
    )
    return follow_up


@action
def do_suspend_case(case: Case, *, until: dt.date, reason: str, actor: Actor) -> Case:
    """Zurückstellung (e.g. after a Niederschlagung, § 261 AO): the file rests until ``until``."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("Die Akte ist abgeschlossen.", code="case.closed")
    if until <= timezone.localdate():
        raise ValidationError("Die Zurückstellung muss in der Zukunft enden.", code="case.suspend_past")
    case.status = CaseStatus.SUSPENDED
    case.review_on = until
    case.save(update_fields=["status", "review_on"])
    record_event(
        actor=actor, action="cases.suspend_case", obj=case, summary={"until": until, "reason": reason}
    )
    return case


@action
def do_reopen_case(case: Case, *, on: dt.date, reason: str, actor: Actor) -> Case:
    """A suspended file comes back into work (its review date has come, or by hand)."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status != CaseStatus.SUSPENDED:
        return case
    review_on = case.review_on
    case.status = CaseStatus.OPEN
    case.review_on = None
    case.save(update_fields=["status", "review_on"])
    do_schedule_follow_up(
        case,
        due_on=on,
        reason=f"Zurückstellung bis {review_on:%d.%m.%Y} abgelaufen: {reason}" if review_on else reason,
        kind=FollowUpKind.REVIEW,
        key=f"review:{review_on.isoformat() if review_on else on.isoformat()}",
        actor=actor,
    )
    record_event(
        actor=actor, action="cases.reopen_case", obj=case, summary={"review_on": review_on, "reason": reason}
    )
    return case


def _close_reason(statuses: set[str]) -> CaseCloseReason:
    if statuses == {ClaimStatus.SETTLED}:
        return CaseCloseReason.PAID
    if statuses == {ClaimStatus.TIME_BARRED}:
        return CaseCloseReason.TIME_BARRED
    if statuses == {ClaimStatus.RETURNED}:
        return CaseCloseReason.RETURNED
    if statuses == {ClaimStatus.REMITTED}:
        return CaseCloseReason.REMITTED
    if statuses <= {ClaimStatus.WITHDRAWN, ClaimStatus.CANCELLED}:
        return CaseCloseReason.WITHDRAWN
    return CaseCloseReason.NOTHING_OPEN


@action
def do_close_case_if_done(case: Case, *, on: dt.date, actor: Actor) -> Case:
    """Close the file when none of its claims is enforced any more (paid, time-barred, withdrawn …)."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        return case
    statuses = set(case_claims(case).values_list("status", flat=True))
    if not statuses or not statuses <= set(CLOSED_STATUSES):
        return case
    case.status = CaseStatus.CLOSED
    case.closed_on = on
    case.close_reason = _close_reason(statuses)
    case.save(update_fields=["status", "closed_on", "close_reason"])
    record_event(actor=actor, action="cases.close_case", obj=case, summary={"reason": case.close_reason})
    return case


@action
def do_close_merged_case(case: Case, *, on: dt.date, actor: Actor) -> Case:
    """The file of a debtor merged into another: open follow-ups and the work move to the survivor's file."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        return case
    survivor = do_ensure_case(case.debtor, on=on, actor=actor)
    moved = 0
    for follow_up in case.follow_ups.filter(done_at__isnull=True):
        do_schedule_follow_up(
            survivor,
            due_on=follow_up.due_on,
            reason=f"aus Akte {case.number}: {follow_up.reason}",
            kind=FollowUpKind(follow_up.kind),
            key=f"merged:{follow_up.pk}",
            actor=actor,
        )
        follow_up.done_at = timezone.now()
        follow_up.done_by = actor_name(actor)
        follow_up.save(update_fields=["done_at", "done_by"])
        moved += 1
    case.status = CaseStatus.CLOSED
    case.closed_on = on
    case.close_reason = CaseCloseReason.MERGED
    case.save(update_fields=["status", "closed_on", "close_reason"])
    do_add_note(survivor, text=f"Akte {case.number} wurde mit dieser Akte zusammengeführt.", actor=actor)
    record_event(
        actor=actor, action="cases.close_merged_case", obj=case,
        summary={"survivor": survivor.number, "follow_ups_moved": moved},
    )  # fmt: skip
    return case


@action
def do_save_assignment_rule(rule: AssignmentRule, *, actor: Actor) -> AssignmentRule:
    """Create or change a rule of caseworker assignment (applies to files opened from now on)."""
    if rule.kind in (AssignmentRuleKind.ALPHABET, AssignmentRuleKind.POSTCODE) and not rule.value_from:
        raise ValidationError("Bitte den Anfang des Bereichs angeben.", code="case.rule_range_missing")
    if rule.kind == AssignmentRuleKind.ALPHABET:
        rule.value_from = rule.value_from.strip().upper()[:1]
        rule.value_to = (rule.value_to or rule.value_from).strip().upper()[:1]
        if not (rule.value_from.isalpha() and rule.value_to.isalpha()) or rule.value_from > rule.value_to:
            raise ValidationError("Der Buchstabenbereich ist ungültig.", code="case.rule_letters_invalid")
    if rule.kind == AssignmentRuleKind.POSTCODE and not (
        rule.value_from.isdigit() and (not rule.value_to or rule.value_to.isdigit())
    ):
        raise ValidationError("Postleitzahlbereiche bestehen aus Ziffern.", code="case.rule_postcode_invalid")
    created = rule.pk is None
    rule.save()
    record_event(
        actor=actor,
        action="cases.create_assignment_rule" if created else "cases.change_assignment_rule",
        obj=rule,
        summary={"kind": rule.kind, "from": rule.value_from, "to": rule.value_to,
                 "caseworker": rule.caseworker.get_username(), "priority": rule.priority, "active": rule.active},
    )  # fmt: skip
    return rule
