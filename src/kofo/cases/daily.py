"""The daily run (Tageslauf) for one date: surcharges, clocks, limitation, suspended files.

``kofo daily --date D`` plans the run (opens missing debtor files, cuts the files into batches of
:data:`~kofo.limits.DAILY_BATCH_CASES`) and dispatches every batch as a task (:mod:`kofo.cases.tasks`)
through Django's task interface. Any number of workers — processes on several machines sharing the
PostgreSQL database — can work one date together: a worker takes the next free batch with a lease
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL), processes it file by file, each file in its own
transaction, and marks the batch done.

Idempotent and resumable: every step checks what is already done (a surcharge month is booked once —
unique per claim and month; a follow-up once — unique key; a time-barred claim is closed once). Running a
date again changes nothing; a run killed midway is finished by the next start, ending in the same state as
one clean run.

Per file, in this order:

1. a file whose debtor was merged into another is closed, its open follow-ups move to the survivor's file;
2. a suspended file whose review date has come is reopened with a follow-up (§ 261 AO: Niederschlagung is
   reviewed until limitation);
3. per claim still enforced: a Stundung that ended puts the claim back into enforcement with a follow-up;
   Säumniszuschläge (§ 240 AO) that have arisen by the date are booked month by month; the
   Zahlungsverjährung (§§ 228–232 AO) is checked — a follow-up six months ahead, the claim closed as
   time-barred after expiry (enforcement stops, § 232 AO);
4. a file none of whose claims is enforced any more is closed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from kofo.audit.actions import action
from kofo.audit.actors import Actor, SystemActor
from kofo.audit.recording import record_event
from kofo.cases.actions import take_out
from kofo.cases.casefiles import (
    case_claims,
    do_close_case_if_done,
    do_close_merged_case,
    do_ensure_case,
    do_reopen_case,
    do_schedule_follow_up,
)
from kofo.cases.models import (
    Case,
    CaseStatus,
    Claim,
    ClaimStatus,
    DailyRun,
    DailyRunBatch,
    DailyRunStatus,
    FollowUpKind,
    SurchargeAccrual,
)
from kofo.debtors.models import Debtor
from kofo.law.deadlines import DEFAULT_LAND, format_date
from kofo.law.limitation import (
    LimitationEvent,
    LimitationEventKind,
    LimitationStatus,
    limitation_expiry,
    status_for_expiry,
)
from kofo.law.surcharges import SurchargeMonth, compute_surcharges
from kofo.ledger.accounts import partner_account, receivable_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.balances import component_balances
from kofo.ledger.models import AccountKind, Component, Posting
from kofo.limits import DAILY_BATCH_CASES, DAILY_BATCH_LEASE_MINUTES
from kofo.money import Cents
from kofo.partners.models import Office

DAILY_ACTOR = SystemActor("system:tageslauf")
ENFORCED = (ClaimStatus.OPEN, ClaimStatus.DEFERRED)


def _land() -> str:
    office = Office.current()
    return office.land if office is not None and office.land else DEFAULT_LAND


# --- Säumniszuschläge -------------------------------------------------------------------------------------


def principal_payments(claim: Claim, *, until: dt.date) -> list[tuple[dt.date, Cents]]:
    """Everything that lowered the principal by ``until`` (payments, Absetzungen), by value date."""
    code = receivable_account(claim.partner, claim, Component.PRINCIPAL).code
    rows = (
        Posting.objects.filter(account__code=code, amount_cents__lt=0, transaction__value_date__lte=until)
        .values_list("transaction__value_date", "amount_cents")
        .order_by("transaction__value_date", "id")
    )
    return [(day, Cents(-amount)) for day, amount in rows]


@action
def do_book_surcharge(claim: Claim, *, month: SurchargeMonth, actor: Actor) -> SurchargeAccrual | None:
    """Book one month's Säumniszuschlag on the claim (§ 240 AO), once: the partner's receivable grows."""
    if SurchargeAccrual.objects.filter(claim=claim, month_index=month.index).exists():
        return None
    txn = do_post_transaction(
        [
            debit(
                receivable_account(claim.partner, claim, Component.SURCHARGE, claim.kassenzeichen),
                month.amount,
            ),
            credit(partner_account(claim.partner, AccountKind.PARTNER_CLAIMS), month.amount),
        ],
        reason_code="claim.surcharge",
        description=(
            f"Säumniszuschlag {claim.kassenzeichen}, {month.index}. Säumnismonat ab {format_date(month.starts_on)}"
        ),
        value_date=month.starts_on,
        obj=claim,
        partner=claim.partner,
        actor=actor,
    )
    return SurchargeAccrual.objects.create(
        claim=claim,
        month_index=month.index,
        starts_on=month.starts_on,
        base_cents=int(month.base),
        amount_cents=int(month.amount),
        transaction=txn,
    )


def accrue_surcharges(claim: Claim, run_date: dt.date, *, land: str, actor: Actor) -> Cents:
    """Book the Säumniszuschläge of ``claim`` that have arisen by ``run_date`` and are not booked yet.

    Months the partner already charged (up to ``surcharges_until``) are not charged again.
    """
    if not claim.carries_surcharges or claim.status not in ENFORCED:
        return Cents(0)
    result = compute_surcharges(
        claim.principal,
        claim.due_date,
        until=run_date,
        payments=principal_payments(claim, until=run_date),
        deferred_until=claim.deferred_until,
        land=land,
    )
    booked = set(SurchargeAccrual.objects.filter(claim=claim).values_list("month_index", flat=True))
    total = Cents(0)
    for month in result.months:
        if month.amount <= 0 or month.index in booked or month.starts_on > run_date:
            continue
        if claim.surcharges_until is not None and month.starts_on <= claim.surcharges_until:
            continue
        if do_book_surcharge(claim, month=month, actor=actor) is not None:
            total = total + month.amount
    return total


# --- Verjährung -------------------------------------------------------------------------------------------


def limitation_events(claim: Claim) -> list[LimitationEvent]:
    """The events of the claim's history that matter for limitation (§ 231 AO).

    The partner's Mahnung is a written demand (Nr. 8). Measures of the office will add theirs (issue 4).
    A Stundung interrupts too, but its start is not recorded; leaving it out can only make the computed
    expiry earlier — the safe side for stopping enforcement.
    """
    events: list[LimitationEvent] = []
    if claim.reminder_date is not None and claim.reminder_date >= claim.due_date:
        events.append(LimitationEvent(LimitationEventKind.SCHRIFTLICHE_GELTENDMACHUNG, claim.reminder_date))
    return events


def claim_expiry(claim: Claim) -> dt.date:
    return limitation_expiry(
        claim.due_date, limitation_events(claim), assessed_on=claim.notified_on
    ).expires_on


@action
def do_close_time_barred_claim(
    claim: Claim, *, expired_on: dt.date, run_date: dt.date, actor: Actor
) -> Claim:
    """§ 232 AO: the claim is extinguished; what is open goes off the books and enforcement stops."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in ENFORCED:
        return claim
    amounts = {c: a for c, a in component_balances(claim._meta.label_lower, claim.pk).items() if a > 0}
    if amounts:
        take_out(
            claim,
            amounts,
            reason_code="claim.time_barred",
            description=f"Zahlungsverjährung {claim.kassenzeichen} mit Ablauf des {format_date(expired_on)}",
            value_date=run_date,
            actor=actor,
        )
    claim.status = ClaimStatus.TIME_BARRED
    claim.save(update_fields=["status"])
    record_event(
        actor=actor,
        action="cases.time_barred_claim",
        obj=claim,
        partner=claim.partner,
        summary={"expired_on": expired_on, "amounts_cents": {str(c): int(a) for c, a in amounts.items()}},
    )
    return claim


@action
def do_end_deferral(claim: Claim, *, case: Case, run_date: dt.date, actor: Actor) -> Claim:
    """A Stundung has ended: the claim is enforced again, the caseworker gets a follow-up."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if (
        claim.status != ClaimStatus.DEFERRED
        or claim.deferred_until is None
        or claim.deferred_until >= run_date
    ):
        return claim
    claim.status = ClaimStatus.OPEN
    claim.save(update_fields=["status"])
    do_schedule_follow_up(
        case,
        due_on=run_date,
        reason=f"Stundung von {claim.kassenzeichen} bis {format_date(claim.deferred_until)} ist abgelaufen.",
        kind=FollowUpKind.DEFERRAL_ENDS,
        key=f"deferral:{claim.pk}:{claim.deferred_until.isoformat()}",
        actor=actor,
    )
    record_event(
        actor=actor, action="cases.end_deferral", obj=claim, partner=claim.partner,
        summary={"deferred_until": claim.deferred_until},
    )  # fmt: skip
    return claim


# --- one file ---------------------------------------------------------------------------------------------


@dataclass
class RunCounts:
    """What a run (or a batch) did, for the summary."""

    counts: Counter[str] = field(default_factory=Counter)
    surcharges_cents: int = 0

    def add(self, other: RunCounts) -> None:
        self.counts.update(other.counts)
        self.surcharges_cents += other.surcharges_cents

    def as_dict(self) -> dict[str, Any]:
        return {**dict(sorted(self.counts.items())), "surcharges_cents": self.surcharges_cents}


def process_case(case: Case, run_date: dt.date, *, land: str, actor: Actor = DAILY_ACTOR) -> RunCounts:
    """The daily steps for one file, in one transaction."""
    out = RunCounts()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("debtor").get(pk=case.pk)
        out.counts["files"] += 1
        if case.status == CaseStatus.CLOSED:
            return out
        if case.debtor.merged_into_id is not None:
            do_close_merged_case(case, on=run_date, actor=actor)
            out.counts["files_merged"] += 1
            return out
        if case.status == CaseStatus.SUSPENDED and case.review_on is not None and case.review_on <= run_date:
            do_reopen_case(case, on=run_date, reason="Wiedervorlagedatum erreicht", actor=actor)
            out.counts["files_reopened"] += 1
        for claim in case_claims(case).filter(status__in=ENFORCED).select_related("partner").order_by("pk"):
            out.counts["claims"] += 1
            if (
                claim.status == ClaimStatus.DEFERRED
                and claim.deferred_until is not None
                and claim.deferred_until < run_date
            ):
                claim = do_end_deferral(claim, case=case, run_date=run_date, actor=actor)
                out.counts["deferrals_ended"] += 1
            booked = accrue_surcharges(claim, run_date, land=land, actor=actor)
            if booked:
                out.counts["claims_with_new_surcharges"] += 1
                out.surcharges_cents += int(booked)
            expires_on = claim_expiry(claim)
            status = status_for_expiry(expires_on, run_date)
            if status is LimitationStatus.EXPIRED:
                do_close_time_barred_claim(claim, expired_on=expires_on, run_date=run_date, actor=actor)
                out.counts["claims_time_barred"] += 1
            elif status is LimitationStatus.WARNING:
                before = case.follow_ups.count()
                do_schedule_follow_up(
                    case,
                    due_on=run_date,
                    reason=(
                        f"Verjährung von {claim.kassenzeichen} mit Ablauf des {format_date(expires_on)} droht "
                        "(§§ 228, 231 AO): verjährungsunterbrechende Maßnahme prüfen."
                    ),
                    kind=FollowUpKind.LIMITATION,
                    key=f"limitation:{claim.pk}:{expires_on.isoformat()}",
                    actor=actor,
                )
                if case.follow_ups.count() > before:
                    out.counts["limitation_warnings"] += 1
        closed = do_close_case_if_done(case, on=run_date, actor=actor)
        if closed.status == CaseStatus.CLOSED:
            out.counts["files_closed"] += 1
    return out


# --- planning and batches ---------------------------------------------------------------------------------


def open_missing_cases(run_date: dt.date, *, actor: Actor = DAILY_ACTOR, chunk: int = 1_000) -> int:
    """Open a file for every (unmerged) debtor with an enforced claim and no file yet."""
    opened = 0
    while True:
        ids = list(
            Debtor.objects.filter(
                merged_into__isnull=True, case__isnull=True, records__claims__status__in=ENFORCED
            )
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")[:chunk]
        )
        if not ids:
            return opened
        for debtor in Debtor.objects.filter(pk__in=ids):
            do_ensure_case(debtor, on=run_date, actor=actor)
            opened += 1


@action
def do_plan_daily_run(run_date: dt.date, *, actor: Actor, batch_cases: int = DAILY_BATCH_CASES) -> DailyRun:
    """The run for ``run_date`` with a batch for every file not yet covered (idempotent)."""
    run, created = DailyRun.objects.get_or_create(run_date=run_date)
    covered = run.batches.aggregate(last=Max("last_case_id"))["last"] or 0
    ids = list(
        Case.objects.filter(pk__gt=covered)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    number = run.batches.aggregate(last=Max("number"))["last"] or 0
    new = 0
    for start in range(0, len(ids), batch_cases):
        chunk = ids[start : start + batch_cases]
        number += 1
        DailyRunBatch.objects.create(
            run=run, number=number, first_case_id=chunk[0], last_case_id=chunk[-1], cases=len(chunk)
        )
        new += 1
    if new:
        run.batches_total = run.batches.count()
        run.status = DailyRunStatus.RUNNING
        run.finished_at = None
        run.save(update_fields=["batches_total", "status", "finished_at"])
    if created or new:
        record_event(
            actor=actor, action="cases.plan_daily_run", obj=run,
            summary={"run_date": run_date, "new_batches": new, "files": len(ids)},
        )  # fmt: skip
    return run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(run: DailyRun, *, worker: str, number: int | None = None) -> DailyRunBatch | None:
    """Lease the next free batch (or batch ``number``) of ``run`` for ``worker``; None when none is free.

    A lease expires after :data:`~kofo.limits.DAILY_BATCH_LEASE_MINUTES`, so the batch of a crashed worker
    is taken over by the next one.
    """
    now = timezone.now()
    with transaction.atomic():
        qs = DailyRunBatch.objects.filter(run=run, done_at__isnull=True).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now) | Q(worker=worker)
        )
        if number is not None:
            qs = qs.filter(number=number)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        batch = qs.order_by("number").first()
        if batch is None:
            return None
        batch.worker = worker
        batch.leased_until = now + dt.timedelta(minutes=DAILY_BATCH_LEASE_MINUTES)
        batch.save(update_fields=["worker", "leased_until"])
        return batch


def process_batch(
    batch: DailyRunBatch, *, on_case: Callable[[], None] | None = None, actor: Actor = DAILY_ACTOR
) -> RunCounts:
    """Every file of the batch (each in its own transaction), then the batch is marked done."""
    run_date = batch.run.run_date
    land = _land()
    out = RunCounts()
    cases = (
        Case.objects.filter(pk__gte=batch.first_case_id, pk__lte=batch.last_case_id)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("pk")
    )
    for case in cases.iterator(chunk_size=DAILY_BATCH_CASES):
        out.add(process_case(case, run_date, land=land, actor=actor))
        if on_case is not None:
            on_case()
    DailyRunBatch.objects.filter(pk=batch.pk).update(done_at=timezone.now(), result=out.as_dict())
    return out


def finish_run(run: DailyRun) -> DailyRun:
    """Mark the run done when every batch is; the summary is the sum of the batches' results."""
    run.refresh_from_db()
    if run.batches.filter(done_at__isnull=True).exists():
        return run
    total = RunCounts()
    for result in run.batches.values_list("result", flat=True):
        part = RunCounts()
        part.surcharges_cents = int(result.get("surcharges_cents", 0))
        part.counts.update({k: int(v) for k, v in result.items() if k != "surcharges_cents"})
        total.add(part)
    summary = total.as_dict()
    if run.status != DailyRunStatus.DONE or run.summary != summary:
        run.status = DailyRunStatus.DONE
        run.finished_at = run.finished_at or timezone.now()
        run.summary = summary
        run.save(update_fields=["status", "finished_at", "summary"])
    return run


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def release_dead_leases(run: DailyRun) -> int:
    """Free the batches leased by processes of this host that no longer exist (a killed run).

    Leases of other hosts expire after :data:`~kofo.limits.DAILY_BATCH_LEASE_MINUTES`.
    """
    host = socket.gethostname()
    released = 0
    for batch in run.batches.filter(done_at__isnull=True).exclude(worker=""):
        worker_host, _, pid = batch.worker.rpartition(":")
        if worker_host == host and pid.isdigit() and not _pid_alive(int(pid)):
            DailyRunBatch.objects.filter(pk=batch.pk, worker=batch.worker).update(
                worker="", leased_until=None
            )
            released += 1
    return released


def work_batches(
    run: DailyRun, *, worker: str | None = None, on_case: Callable[[], None] | None = None
) -> RunCounts:
    """Take and process batches of ``run`` until none is free (the worker loop of ``kofo daily --worker``)."""
    worker = worker or worker_name()
    out = RunCounts()
    while (batch := claim_batch(run, worker=worker)) is not None:
        out.add(process_batch(batch, on_case=on_case))
    finish_run(run)
    return out
