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
from collections import Counter, defaultdict
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
    do_close_case_if_done,
    do_close_merged_case,
    do_ensure_case,
    do_reopen_case,
    do_schedule_follow_up,
)
from kofo.cases.measures import (
    DL_APPOINTMENT,
    DL_DECLARATION,
    DL_DISCLOSURE_DEMAND,
    DL_PAYMENT,
    DL_PAYOUT_HOLD,
    bank_for_iban,
    check_instalment_plans,
    do_cancel_measure,
    do_finish_measure,
    do_note_third_party,
    do_propose_measure,
    do_start_measure,
    limitation_kind,
)
from kofo.cases.models import (
    Case,
    CaseStatus,
    CaseThirdParty,
    Claim,
    ClaimStatus,
    DailyRun,
    DailyRunBatch,
    DailyRunStatus,
    FollowUp,
    FollowUpKind,
    InstalmentPlan,
    InstalmentPlanStatus,
    Measure,
    MeasureClaim,
    MeasureKind,
    MeasureStatus,
    StrategySettings,
    SurchargeAccrual,
    SurchargeCorrection,
)
from kofo.cases.strategy import propose
from kofo.debtors.models import Debtor, DebtorRecord
from kofo.law.deadlines import format_date
from kofo.law.limitation import (
    LimitationEvent,
    LimitationEventKind,
    LimitationStatus,
    limitation_expiry,
    status_for_expiry,
)
from kofo.law.surcharges import (
    SurchargeMonth,
    arisen_months,
    effective_due_date,
    first_month_after,
    month_start,
)
from kofo.ledger.accounts import partner_account, receivable_account, receivable_code
from kofo.ledger.actions import Entry, credit, debit, do_post_transaction, do_post_transactions
from kofo.ledger.balances import component_balances
from kofo.ledger.models import Account, AccountKind, Component, Posting
from kofo.limits import DAILY_BATCH_CASES, DAILY_BATCH_LEASE_MINUTES
from kofo.money import Cents
from kofo.partners.models import Office

DAILY_ACTOR = SystemActor("system:tageslauf")
#: Measures the daily run never starts by itself, whatever the settings say: they need a decision on the
#: review date or on the claims (Niederschlagung, Rückgabe) or the field service's planning.
MANUAL_ONLY = (MeasureKind.NIEDERSCHLAGUNG, MeasureKind.RUECKGABE, MeasureKind.AUSSENDIENST)
ENFORCED = (ClaimStatus.OPEN, ClaimStatus.DEFERRED)


def _land() -> str:
    return Office.current_land()


# --- Säumniszuschläge -------------------------------------------------------------------------------------


def new_surcharge_months(
    claim: Claim,
    run_date: dt.date,
    *,
    land: str,
    payments: list[tuple[dt.date, Cents]],
    booked: set[int],
) -> list[SurchargeMonth]:
    """The Säumniszuschläge of ``claim`` that have arisen by ``run_date`` and are not booked yet (§ 240 AO).

    ``payments`` lowered the principal (by value date); months in ``booked`` are booked already; months the
    partner charged itself (up to ``surcharges_until``) are not charged again; a month of 0,00 EUR (base
    below 50 EUR) books nothing.
    """
    if not claim.carries_surcharges or claim.status not in ENFORCED:
        return []
    # Most days nothing new arises: a month begins once a month. When the month after the last one booked
    # (or after the partner's own charge) has not begun, skip the computation.
    effective = effective_due_date(claim.due_date, deferred_until=claim.deferred_until, land=land)
    next_index = 1
    if claim.surcharges_until is not None:
        next_index = first_month_after(effective, claim.surcharges_until)
    if booked:
        next_index = max(next_index, min(i for i in range(1, max(booked) + 2) if i not in booked))
    if month_start(effective, next_index) > run_date:
        return []
    months = arisen_months(
        claim.principal,
        claim.due_date,
        until=run_date,
        payments=payments,
        deferred_until=claim.deferred_until,
        land=land,
        from_index=next_index,
    )
    return [
        month
        for month in months
        if month.amount > 0
        and month.index not in booked
        and month.starts_on <= run_date
        and (claim.surcharges_until is None or month.starts_on > claim.surcharges_until)
    ]


def correct_surcharges(claim: Claim, until: dt.date, *, land: str, reason: str, actor: Actor) -> Cents:
    """Recompute the booked Säumniszuschläge of months begun by ``until`` from the payments that stand now.

    After a payment is taken back, the months that began while it stood were booked on a base too low (or,
    after a replay, too high); the difference per month is booked as a correction. Returns the total.
    """
    if not claim.carries_surcharges:
        return Cents(0)
    booked: dict[int, int] = defaultdict(int)
    for index, amount in SurchargeAccrual.objects.filter(claim=claim).values_list(
        "month_index", "amount_cents"
    ):
        booked[index] += amount
    for index, amount in SurchargeCorrection.objects.filter(claim=claim).values_list(
        "month_index", "amount_cents"
    ):
        booked[index] += amount
    if not booked:
        return Cents(0)
    context = BatchContext.load([], until, actor=actor, claims=[claim])
    months = arisen_months(
        claim.principal, claim.due_date, until=until, payments=context.credits.get(claim.pk, []),
        deferred_until=claim.deferred_until, land=land,
    )  # fmt: skip
    account = receivable_account(claim.partner, claim, Component.SURCHARGE, claim.kassenzeichen)
    partner_claims = partner_account(claim.partner, AccountKind.PARTNER_CLAIMS)
    total = Cents(0)
    for month in months:
        if month.index not in booked:
            continue
        difference = Cents(int(month.amount) - booked[month.index])
        if difference == 0:
            continue
        lines = [debit(account, difference), credit(partner_claims, difference)]
        if difference < 0:
            lines = [credit(account, Cents(-int(difference))), debit(partner_claims, Cents(-int(difference)))]
        txn = do_post_transaction(
            lines, reason_code="claim.surcharge_corrected",
            description=f"Berichtigung Säumniszuschlag {claim.kassenzeichen}, {month.index}. Monat: {reason}"[:300],
            value_date=month.starts_on, obj=claim, actor=actor, partner=claim.partner,
        )  # fmt: skip
        SurchargeCorrection.objects.create(
            claim=claim, month_index=month.index, base_cents=int(month.base), amount_cents=int(difference),
            reason=reason[:200], transaction=txn,
        )  # fmt: skip
        total = total + difference
    return total


def accrue_surcharges(claim: Claim, run_date: dt.date, *, land: str, actor: Actor) -> Cents:
    """Book the new Säumniszuschläge of one claim now (outside a daily run, e.g. before a payment)."""
    with transaction.atomic():
        context = BatchContext.load([], run_date, actor=actor, claims=[claim])
        months = new_surcharge_months(
            claim,
            run_date,
            land=land,
            payments=context.credits.get(claim.pk, []),
            booked=context.booked.get(claim.pk, set()),
        )
        for month in months:
            context.add_surcharge(claim, month)
        context.flush()
    return sum((m.amount for m in months), Cents(0))


# --- Verjährung -------------------------------------------------------------------------------------------


def limitation_events(
    claim: Claim, measure_events: list[tuple[str, dt.date | None]] | None = None
) -> list[LimitationEvent]:
    """The events of the claim's history that matter for limitation (§ 231 AO).

    The partner's Mahnung is a written demand (Nr. 8); the office's measures that covered the claim add
    theirs (:func:`kofo.cases.measures.limitation_kind`: demand Nr. 8, address inquiry Nr. 7, instalment
    arrangement Nr. 1, enforcement measures Nr. 3). ``measure_events`` (kind, executed on) are read from the
    database when not given. A Stundung interrupts too, but its start is not recorded; leaving it out can
    only make the computed expiry earlier — the safe side for stopping enforcement.
    """
    events: list[LimitationEvent] = []
    if claim.reminder_date is not None and claim.reminder_date >= claim.due_date:
        events.append(LimitationEvent(LimitationEventKind.SCHRIFTLICHE_GELTENDMACHUNG, claim.reminder_date))
    if measure_events is None:
        measure_events = list(
            MeasureClaim.objects.filter(claim=claim, measure__executed_on__isnull=False).values_list(
                "measure__kind", "measure__executed_on"
            )
        )
    for kind, executed_on in measure_events:
        event_kind = limitation_kind(kind)
        if event_kind is not None and executed_on is not None and executed_on >= claim.due_date:
            events.append(LimitationEvent(LimitationEventKind(event_kind), executed_on))
    return events


def claim_expiry(claim: Claim, measure_events: list[tuple[str, dt.date | None]] | None = None) -> dt.date:
    """The last day of the claim's Zahlungsverjährung with every interruption the file knows."""
    return limitation_expiry(
        claim.due_date, limitation_events(claim, measure_events), assessed_on=claim.notified_on
    ).expires_on


@action
def do_close_time_barred_claim(
    claim: Claim, *, expired_on: dt.date, run_date: dt.date, actor: Actor
) -> Claim:
    """§ 232 AO: the claim is extinguished; what is open goes off the books and enforcement stops."""
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
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
    claim = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
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


class BatchContext:
    """What the daily steps need about a batch of files, read with a few queries, and the surcharge
    bookings collected for one bulk posting (:func:`kofo.ledger.actions.do_post_transactions`)."""

    def __init__(self, run_date: dt.date, actor: Actor) -> None:
        self.run_date = run_date
        self.actor = actor
        self.land = _land()
        self.settings = StrategySettings.current()
        self.claims: dict[int, list[Claim]] = defaultdict(list)  # by debtor id
        self.credits: dict[int, list[tuple[dt.date, Cents]]] = defaultdict(list)  # by claim id
        self.booked: dict[int, set[int]] = defaultdict(set)  # by claim id
        self.events: dict[int, list[tuple[str, dt.date | None]]] = defaultdict(list)  # by claim id
        self.busy: set[int] = set()  # files with a proposed or running measure
        self.clocks_due: set[int] = set()  # files with a running measure whose clock ran out
        self.ibans: dict[int, list[tuple[str, str]]] = defaultdict(list)  # by debtor id
        self.known_ibans: dict[int, set[str]] = defaultdict(set)  # by file id
        self.follow_up_keys: dict[int, set[str]] = defaultdict(set)  # by file id
        self.plans: set[int] = set()  # files with a running instalment plan
        self.pending: list[tuple[Claim, SurchargeMonth]] = []

    @classmethod
    def load(
        cls, cases: list[Case], run_date: dt.date, *, actor: Actor, claims: list[Claim] | None = None
    ) -> BatchContext:
        ctx = cls(run_date, actor)
        case_ids = [c.pk for c in cases]
        debtor_ids = [c.debtor_id for c in cases]
        if claims is None:
            claims = list(
                Claim.objects.filter(debtor_record__debtor_id__in=debtor_ids, status__in=ENFORCED)
                .select_related("partner", "debtor_record")
                .order_by("pk")
            )
        for claim in claims:
            ctx.claims[claim.debtor_record.debtor_id].append(claim)
        claim_ids = [c.pk for c in claims]
        for subject_id, day, amount in (
            Posting.objects.filter(
                account__subject_type="cases.claim",
                account__subject_id__in=[str(i) for i in claim_ids],
                account__component=Component.PRINCIPAL,
                amount_cents__lt=0,
                transaction__value_date__lte=run_date,
                # A payment taken back (returned direct debit, the bank's reversal) counts as never made.
                transaction__reversed_by__isnull=True,
            )
            .values_list("account__subject_id", "transaction__value_date", "amount_cents")
            .order_by("transaction__value_date", "id")
        ):
            ctx.credits[int(subject_id)].append((day, Cents(-amount)))
        for claim_id, month in SurchargeAccrual.objects.filter(claim_id__in=claim_ids).values_list(
            "claim_id", "month_index"
        ):
            ctx.booked[claim_id].add(month)
        for claim_id, kind, executed_on in MeasureClaim.objects.filter(
            claim_id__in=claim_ids, measure__executed_on__isnull=False
        ).values_list("claim_id", "measure__kind", "measure__executed_on"):
            ctx.events[claim_id].append((kind, executed_on))
        if case_ids:
            for case_id, status, deadline in Measure.objects.filter(
                case_id__in=case_ids, status__in=(MeasureStatus.PROPOSED, MeasureStatus.ACTIVE)
            ).values_list("case_id", "status", "deadline_on"):
                ctx.busy.add(case_id)
                if status == MeasureStatus.ACTIVE and deadline is not None and deadline < run_date:
                    ctx.clocks_due.add(case_id)
            for debtor_id, iban, partner_name in (
                DebtorRecord.objects.filter(debtor_id__in=debtor_ids)
                .exclude(iban="")
                .values_list("debtor_id", "iban", "partner__name")
                .order_by("pk")
            ):
                ctx.ibans[debtor_id].append((iban, partner_name))
            ctx.plans = set(
                InstalmentPlan.objects.filter(
                    case_id__in=case_ids, status=InstalmentPlanStatus.ACTIVE
                ).values_list("case_id", flat=True)
            )
            for case_id, iban in CaseThirdParty.objects.filter(case_id__in=case_ids).values_list(
                "case_id", "iban"
            ):
                ctx.known_ibans[case_id].add(iban)
            for case_id, key in (
                FollowUp.objects.filter(case_id__in=case_ids).exclude(key="").values_list("case_id", "key")
            ):
                ctx.follow_up_keys[case_id].add(key)
        return ctx

    def add_surcharge(self, claim: Claim, month: SurchargeMonth) -> None:
        self.pending.append((claim, month))
        self.booked[claim.pk].add(month.index)

    def flush(self) -> int:
        """Book the collected Säumniszuschläge: one transaction per claim and month, one audit event."""
        if not self.pending:
            return 0
        pending, self.pending = self.pending, []
        codes = {
            claim.pk: receivable_code("cases.claim", claim.pk, Component.SURCHARGE)
            for claim, _month in pending
        }
        accounts = {a.code: a for a in Account.objects.filter(code__in=set(codes.values()))}
        for claim, _month in pending:
            if codes[claim.pk] not in accounts:
                accounts[codes[claim.pk]] = receivable_account(
                    claim.partner, claim, Component.SURCHARGE, claim.kassenzeichen
                )
        partner_claims: dict[int, Account] = {}
        entries = []
        for claim, month in pending:
            if claim.partner_id not in partner_claims:
                partner_claims[claim.partner_id] = partner_account(claim.partner, AccountKind.PARTNER_CLAIMS)
            entries.append(
                Entry(
                    lines=[
                        debit(accounts[codes[claim.pk]], month.amount),
                        credit(partner_claims[claim.partner_id], month.amount),
                    ],
                    value_date=month.starts_on,
                    description=(
                        f"Säumniszuschlag {claim.kassenzeichen}, {month.index}. Säumnismonat ab "
                        f"{format_date(month.starts_on)}"
                    ),
                    object_type="cases.claim",
                    object_id=str(claim.pk),
                )
            )
        txns = do_post_transactions(
            entries, reason_code="claim.surcharge", actor=self.actor, audit_action="cases.book_surcharges"
        )
        SurchargeAccrual.objects.bulk_create(
            [
                SurchargeAccrual(
                    claim=claim,
                    month_index=month.index,
                    starts_on=month.starts_on,
                    base_cents=int(month.base),
                    amount_cents=int(month.amount),
                    transaction=txn,
                )
                for (claim, month), txn in zip(pending, txns, strict=True)
            ]
        )
        return len(pending)


def process_case(case: Case, ctx: BatchContext) -> RunCounts:
    """The daily steps for one file (inside the batch's transaction, see :func:`process_batch`)."""
    out = RunCounts()
    run_date, actor = ctx.run_date, ctx.actor
    out.counts["files"] += 1
    if case.status == CaseStatus.CLOSED:
        return out
    if case.debtor.merged_into_id is not None:
        do_close_merged_case(case, on=run_date, actor=actor)
        out.counts["files_merged"] += 1
        return out
    if case.status == CaseStatus.SUSPENDED and case.review_on is not None and case.review_on <= run_date:
        case = do_reopen_case(case, on=run_date, reason="Wiedervorlagedatum erreicht", actor=actor)
        out.counts["files_reopened"] += 1
    claims_changed = False
    enforced = ctx.claims.get(case.debtor_id, [])
    for claim in enforced:
        out.counts["claims"] += 1
        expires_on = claim_expiry(claim, ctx.events.get(claim.pk, []))
        status = status_for_expiry(expires_on, run_date)
        if status is LimitationStatus.EXPIRED:
            do_close_time_barred_claim(claim, expired_on=expires_on, run_date=run_date, actor=actor)
            out.counts["claims_time_barred"] += 1
            claims_changed = True
            continue
        if status is LimitationStatus.WARNING:
            key = f"limitation:{claim.pk}:{expires_on.isoformat()}"
            if key not in ctx.follow_up_keys[case.pk]:
                do_schedule_follow_up(
                    case,
                    due_on=run_date,
                    reason=(
                        f"Verjährung von {claim.kassenzeichen} mit Ablauf des {format_date(expires_on)} droht "
                        "(§§ 228, 231 AO): verjährungsunterbrechende Maßnahme prüfen."
                    ),
                    kind=FollowUpKind.LIMITATION,
                    key=key,
                    actor=actor,
                )
                ctx.follow_up_keys[case.pk].add(key)
                out.counts["limitation_warnings"] += 1
        if (
            claim.status == ClaimStatus.DEFERRED
            and claim.deferred_until is not None
            and claim.deferred_until < run_date
        ):
            claim = do_end_deferral(claim, case=case, run_date=run_date, actor=actor)
            out.counts["deferrals_ended"] += 1
        months = new_surcharge_months(
            claim,
            run_date,
            land=ctx.land,
            payments=ctx.credits.get(claim.pk, []),
            booked=ctx.booked[claim.pk],
        )
        for month in months:
            ctx.add_surcharge(claim, month)
            out.surcharges_cents += int(month.amount)
        if months:
            out.counts["claims_with_new_surcharges"] += 1
    if not enforced or claims_changed:
        closed = do_close_case_if_done(case, on=run_date, actor=actor)
        if closed.status == CaseStatus.CLOSED:
            out.counts["files_closed"] += 1
            end_measures_of_closed_case(closed, run_date, actor=actor)
            return out
    if case.status != CaseStatus.OPEN:
        return out
    finished = False
    if case.pk in ctx.plans:
        checked = check_instalment_plans(case, run_date, actor=actor)
        out.counts.update(checked)
        finished = bool(checked)
    if case.pk in ctx.clocks_due:
        advanced = advance_measures(case, run_date, actor=actor)
        out.counts.update(advanced)
        finished = finished or bool(advanced.get("payment_periods_ended"))
    new_ibans = [
        (iban, name)
        for iban, name in ctx.ibans.get(case.debtor_id, [])
        if iban not in ctx.known_ibans[case.pk]
    ]
    if new_ibans:
        note_known_banks(case, run_date, actor=actor, ibans=new_ibans)
        ctx.known_ibans[case.pk].update(iban for iban, _name in new_ibans)
    if case.pk not in ctx.busy or finished:
        ctx.flush()  # the strategy reads balances: today's surcharges first
        out.counts.update(apply_strategy(case, run_date, actor=actor, settings=ctx.settings))
    return out


# --- measures: clocks and strategy ------------------------------------------------------------------------

CLOCK_FOLLOW_UPS = {
    DL_DECLARATION: "Drittschuldnererklärung überfällig (§ 316 AO): beim Drittschuldner nachfassen.",
    DL_PAYOUT_HOLD: "Auszahlungssperre abgelaufen (§ 835 Abs. 3 ZPO): Zahlung des Drittschuldners überwachen.",
    DL_DISCLOSURE_DEMAND: "Zahlungsfrist vor der Vermögensauskunft abgelaufen: Ladung zustellen lassen.",
    DL_APPOINTMENT: "Termin zur Vermögensauskunft vorbei: Ergebnis eintragen.",
}


def advance_measures(case: Case, run_date: dt.date, *, actor: Actor) -> Counter[str]:
    """Act on the clocks that have run out: a payment period ends the demand; the others raise a follow-up."""
    counts: Counter[str] = Counter()
    due = case.measures.filter(status=MeasureStatus.ACTIVE, deadline_on__lt=run_date).order_by(
        "deadline_on", "pk"
    )
    for measure in due:
        if measure.deadline_kind == DL_PAYMENT:
            do_finish_measure(
                measure, status=MeasureStatus.DONE, on=run_date, note="Zahlungsfrist abgelaufen", actor=actor
            )
            counts["payment_periods_ended"] += 1
        elif measure.deadline_kind in CLOCK_FOLLOW_UPS:
            assert measure.deadline_on is not None
            do_schedule_follow_up(
                case,
                due_on=run_date,
                reason=f"{measure.get_kind_display()}: {CLOCK_FOLLOW_UPS[measure.deadline_kind]}",
                kind=FollowUpKind.DEADLINE,
                key=f"clock:{measure.pk}:{measure.deadline_kind}:{measure.deadline_on.isoformat()}",
                actor=actor,
            )
            Measure.objects.filter(pk=measure.pk).update(deadline_kind="", deadline_on=None)
            counts["deadline_follow_ups"] += 1
    return counts


def note_known_banks(
    case: Case, run_date: dt.date, *, actor: Actor, ibans: list[tuple[str, str]] | None = None
) -> None:
    """The banks of the IBANs the partners gave for the debtor are known third parties."""
    known = set(case.third_party_links.values_list("iban", flat=True))
    if ibans is None:
        ibans = list(
            DebtorRecord.objects.filter(debtor_id=case.debtor_id)
            .exclude(iban="")
            .values_list("iban", "partner__name")
            .order_by("pk")
        )
    for iban, partner_name in ibans:
        if iban in known:
            continue
        bank = bank_for_iban(iban, actor=actor)
        if bank is not None:
            do_note_third_party(
                case, third_party=bank, source=f"IBAN aus dem Ersuchen von {partner_name}", on=run_date,
                actor=actor, iban=iban,
            )  # fmt: skip
        known.add(iban)


def apply_strategy(
    case: Case, run_date: dt.date, *, actor: Actor, settings: StrategySettings | None = None
) -> Counter[str]:
    """Propose the strategy's next measure; kinds the office runs automatically are started at once."""
    counts: Counter[str] = Counter()
    settings = settings or StrategySettings.current()
    proposal = propose(case, run_date, settings)
    if proposal is None:
        return counts
    measure = do_propose_measure(
        case,
        proposal.kind,
        reason=proposal.reason,
        on=run_date,
        key=proposal.key(case),
        third_party=proposal.third_party,
        actor=actor,
    )
    if measure.status != MeasureStatus.PROPOSED:
        return counts
    counts["measures_proposed"] += 1
    if proposal.kind in settings.automatic_kinds and proposal.kind not in MANUAL_ONLY:
        do_start_measure(measure, on=run_date, actor=actor)
        counts["measures_started"] += 1
    else:
        do_schedule_follow_up(
            case,
            due_on=run_date,
            reason=f"Vorschlag: {measure.get_kind_display()} – {proposal.reason}",
            kind=FollowUpKind.PROPOSAL,
            key=f"proposal:{measure.pk}",
            actor=actor,
        )
    return counts


def end_measures_of_closed_case(case: Case, run_date: dt.date, *, actor: Actor) -> None:
    """A closed file has nothing left to enforce: running measures are done, proposals dropped, a running
    instalment plan is fulfilled."""
    InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).update(
        status=InstalmentPlanStatus.COMPLETED, ended_on=run_date
    )
    for measure in case.measures.filter(status__in=(MeasureStatus.ACTIVE, MeasureStatus.PROPOSED)):
        if measure.status == MeasureStatus.ACTIVE:
            do_finish_measure(
                measure, status=MeasureStatus.DONE, on=run_date, note="Akte abgeschlossen", actor=actor
            )
        else:
            do_cancel_measure(measure, reason="Akte abgeschlossen", on=run_date, actor=actor)


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
    if connection.vendor == "sqlite":
        # SQLite plans queries without statistics until ANALYZE has run once; with them it uses the
        # selective indexes (a claim's accounts, a file's claims) instead of the broad ones.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                cursor.execute("ANALYZE")
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


class _FileFailed(Exception):
    """A file of a batch failed on the fast path; the batch is done again with a savepoint per file."""


def process_batch(
    batch: DailyRunBatch, *, on_case: Callable[[], None] | None = None, actor: Actor = DAILY_ACTOR
) -> RunCounts:
    """Every file of the batch, then the batch is marked done — all in one transaction.

    The batch is the unit of work: it commits completely or not at all, so a run killed midway redoes at
    most the batch it was in. A file that fails (bad data) must not stop the office's day: the batch first
    runs without savepoints (most files write nothing, and two savepoint round trips per file are a good
    part of a day on PostgreSQL); when a file fails, the whole batch is rolled back and done again with a
    savepoint per file, so the failing file alone is left out and reported in the batch's result
    (``errors``).
    """
    try:
        return _process_batch(batch, on_case=on_case, actor=actor, isolate=False)
    except _FileFailed:
        return _process_batch(batch, on_case=on_case, actor=actor, isolate=True)


def _process_batch(
    batch: DailyRunBatch, *, on_case: Callable[[], None] | None, actor: Actor, isolate: bool
) -> RunCounts:
    run_date = batch.run.run_date
    out = RunCounts()
    errors: list[str] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The run is idempotent and resumable: a batch lost in a crash is simply done again, so its
            # commit need not wait for the write-ahead log to reach the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        cases = list(
            Case.objects.select_for_update(no_key=True)
            .filter(pk__gte=batch.first_case_id, pk__lte=batch.last_case_id)
            .exclude(status=CaseStatus.CLOSED)
            .order_by("pk")
        )
        debtors = {d.pk: d for d in Debtor.objects.filter(pk__in=[c.debtor_id for c in cases])}
        for case in cases:
            case.debtor = debtors[case.debtor_id]
        ctx = BatchContext.load(cases, run_date, actor=actor)
        for case in cases:
            if not isolate:
                try:
                    out.add(process_case(case, ctx))
                except Exception as exc:
                    raise _FileFailed(case.number) from exc
            else:
                pending_before = len(ctx.pending)
                try:
                    with transaction.atomic():
                        out.add(process_case(case, ctx))
                except Exception as exc:  # one file's bad data must not stop the office's day
                    del ctx.pending[pending_before:]
                    errors.append(f"{case.number}: {exc}")
                    out.counts["files_failed"] += 1
            if on_case is not None:
                on_case()
        ctx.flush()
        result = out.as_dict()
        if errors:
            result["errors"] = errors[:100]
        DailyRunBatch.objects.filter(pk=batch.pk).update(done_at=timezone.now(), result=result)
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
        part.counts.update({k: int(v) for k, v in result.items() if k not in ("surcharges_cents", "errors")})
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
