"""The daily run (issue 4, item 6): surcharges, limitation, follow-ups — idempotent and resumable.

Expected surcharges follow § 240 AO as LAW.md states it: 1 % of the principal rounded down to 50 EUR per
started month, the delay starting the day after the due date:

* GS-A 1.598,00 due Mon 10.03.2025: months start 11.03., 11.04., 11.05. → by 01.06.2025 3 × 15,50 = 46,50.
* HU-B 120,00 due Sat 15.02.2025 → moves to Mon 17.02.2025 (§ 108 Abs. 3 AO); months from 16.02. (counted
  from the due date itself, § 188 BGB) … the module's own tests pin that reading; here: base 100 → 1,00 a
  month, four started months by 01.06.2025 → 4,00.
* GS-D 500,00 due 10.01.2025, the partner charged surcharges up to 10.04.2025 (months from 11.01., 11.02.,
  11.03.); the office books the months from 11.04. and 11.05. → 2 × 5,00 = 10,00.
* GS-E 200,00 due 15.06.2020, Mahnung 01.07.2020: Zahlungsverjährung with the end of 2025 (§§ 228, 229,
  231 Abs. 1 Nr. 8 AO: the reminder of 2020 starts a new period from the end of 2020) → a warning from
  30.06.2025 (6 months ahead), time-barred on 01.01.2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from kofo.audit.models import AuditEvent
from kofo.cases.daily import (
    DAILY_ACTOR,
    do_plan_daily_run,
    finish_run,
    open_missing_cases,
    work_batches,
)
from kofo.cases.models import (
    Case,
    CaseCloseReason,
    CaseStatus,
    Claim,
    ClaimStatus,
    DailyRunStatus,
    FollowUp,
    FollowUpKind,
    Measure,
    MeasureKind,
    MeasureStatus,
    StrategySettings,
    SurchargeAccrual,
)
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import component_balances, trial_balance
from kofo.ledger.models import Component, Posting
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = factories.INTAKE_CSV_HEADER
ROWS = [
    "GS-A;grundsteuer;§ 25 GrStG;10.01.2025;13.01.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;1;natuerlich;"
    "Müller;Anna;;12.03.1978;;;;;Hauptstraße;12;66740;Saarlouis;DE;;;;;",
    "HU-B;hundesteuer;Satzung;05.01.2025;08.01.2025;15.02.2025;01.03.2025;15.03.2025;120,00;;;;;1;natuerlich;"
    "Müller;Anna;;12.03.1978;;;;;Hauptstraße;12;66740;Saarlouis;DE;;;;;",
    "GS-D;grundsteuer;§ 25 GrStG;02.12.2024;05.12.2024;10.01.2025;20.01.2025;03.02.2025;500,00;15,00;10.04.2025;;;2;"
    "natuerlich;Becker;Jonas;;01.07.1990;;;;;Lisdorfer Straße;5;66740;Saarlouis;DE;;;;;",
    "GS-E;grundsteuer;§ 25 GrStG;02.05.2020;05.05.2020;15.06.2020;01.07.2020;15.07.2020;200,00;;;;;3;natuerlich;"
    "Schneider;Karl;;05.05.1960;;;;;Bahnhofstraße;1;66763;Dillingen;DE;;;;;",
]
INTAKE_DAY = dt.date(2025, 6, 1)


@pytest.fixture
def claims(db: Any, settings: Any, tmp_path: Path) -> dict[str, Claim]:
    settings.DATA_DIR = tmp_path
    factories.make_office()
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(
        partner,
        regime=Regime.SVWVG_SL,
        valid_from=dt.date(2020, 1, 1),
        claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER],
    )
    batch = do_import_request(
        partner,
        ("\n".join([HEADER, *ROWS]) + "\n").encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=INTAKE_DAY,
        actor=factories.TEST_ACTOR,
    )
    assert batch.items_accepted == 4, [i.problems for i in batch.items.all()]
    return {c.kassenzeichen: c for c in Claim.objects.all()}


def run_day(day: dt.date, **kwargs: Any) -> Any:
    open_missing_cases(day)
    run = do_plan_daily_run(day, actor=DAILY_ACTOR, **kwargs)
    work_batches(run, worker="test-worker")
    run.refresh_from_db()
    return run


def surcharges(claim: Claim) -> Cents:
    return component_balances(claim._meta.label_lower, claim.pk)[Component.SURCHARGE]


def state() -> dict[str, Any]:
    """What the run may change, without database ids (those differ between two runs)."""
    return {
        "postings": sorted(
            Posting.objects.values_list(
                "account__code", "amount_cents", "transaction__value_date", "transaction__reason_code"
            )
        ),
        "claims": sorted(Claim.objects.values_list("kassenzeichen", "status")),
        "cases": sorted(Case.objects.values_list("number", "status", "close_reason")),
        "follow_ups": sorted(FollowUp.objects.values_list("case__number", "key", "due_on", "done_at")),
        "accruals": sorted(
            SurchargeAccrual.objects.values_list("claim__kassenzeichen", "month_index", "amount_cents")
        ),
    }


def test_one_file_per_debtor_bundles_the_claims(claims: dict[str, Claim]) -> None:
    opened = open_missing_cases(INTAKE_DAY)
    assert opened == 3  # Müller (GS-A, HU-B), Becker, Schneider
    muller = Case.objects.get(debtor=claims["GS-A"].debtor_record.debtor)
    assert claims["HU-B"].debtor_record.debtor_id == muller.debtor_id
    assert muller.number.startswith("VA-")
    assert open_missing_cases(INTAKE_DAY) == 0  # idempotent


def test_surcharges_are_booked_month_by_month(claims: dict[str, Claim]) -> None:
    run = run_day(INTAKE_DAY)
    assert run.status == DailyRunStatus.DONE
    assert surcharges(claims["GS-A"]) == Cents.parse("46,50")
    assert surcharges(claims["HU-B"]) == Cents.parse("4,00")
    # GS-D: the partner's 15,00 up to 10.04.2025 plus the office's months from 11.04. and 11.05.
    assert surcharges(claims["GS-D"]) == Cents.parse("15,00") + Cents.parse("10,00")
    assert list(
        SurchargeAccrual.objects.filter(claim=claims["GS-D"]).values_list("starts_on", "amount_cents")
    ) == [(dt.date(2025, 4, 11), 500), (dt.date(2025, 5, 11), 500)]
    assert trial_balance() == 0
    assert run.summary["surcharges_cents"] == 4650 + 400 + 1000 + int(surcharges(claims["GS-E"]))


def test_running_a_date_twice_changes_nothing(claims: dict[str, Claim]) -> None:
    run_day(INTAKE_DAY)
    before, events = state(), AuditEvent.objects.count()
    run_day(INTAKE_DAY)
    assert state() == before
    assert AuditEvent.objects.count() == events


def test_the_next_month_adds_only_the_new_surcharges(claims: dict[str, Claim]) -> None:
    run_day(INTAKE_DAY)
    run_day(dt.date(2025, 6, 11))  # GS-A month 4 starts on 11.06.2025
    assert surcharges(claims["GS-A"]) == Cents.parse("62,00")  # LAW.md: four started months → 62,00


def test_limitation_warns_six_months_ahead_and_stops_enforcement_after_expiry(
    claims: dict[str, Claim],
) -> None:
    # Nothing runs unattended here: an automatic demand would interrupt the limitation (§ 231 Abs. 1 Nr. 8
    # AO) — test_an_automatic_demand_interrupts_the_limitation shows that.
    StrategySettings.objects.create(pk=1, automatic_kinds=[])
    run_day(dt.date(2025, 6, 29))
    assert not FollowUp.objects.filter(kind=FollowUpKind.LIMITATION).exists()
    run_day(dt.date(2025, 6, 30))
    warning = FollowUp.objects.get(kind=FollowUpKind.LIMITATION)
    assert "GS-E" in warning.reason and "31.12.2025" in warning.reason
    run_day(dt.date(2025, 7, 1))
    assert FollowUp.objects.filter(kind=FollowUpKind.LIMITATION).count() == 1  # once, not every day

    run_day(dt.date(2025, 12, 31))
    assert Claim.objects.get(pk=claims["GS-E"].pk).status == ClaimStatus.OPEN  # the last day still counts
    run_day(dt.date(2026, 1, 1))
    barred = Claim.objects.get(pk=claims["GS-E"].pk)
    assert barred.status == ClaimStatus.TIME_BARRED
    assert all(amount == 0 for amount in component_balances("cases.claim", barred.pk).values())
    case = Case.objects.get(debtor=barred.debtor_record.debtor)
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CaseCloseReason.TIME_BARRED)
    assert trial_balance() == 0


def test_a_suspended_file_comes_back_on_its_review_date(claims: dict[str, Claim]) -> None:
    from kofo.cases.casefiles import do_suspend_case

    run_day(INTAKE_DAY)
    case = Case.objects.get(debtor=claims["GS-D"].debtor_record.debtor)
    # The action refuses review dates in the past of the real clock; suspend far ahead and run that day.
    review = dt.date.today() + dt.timedelta(days=30)
    do_suspend_case(case, until=review, reason="Niederschlagung (§ 261 AO)", actor=factories.TEST_ACTOR)
    run_day(review - dt.timedelta(days=1))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUSPENDED
    run_day(review)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.follow_ups.filter(kind=FollowUpKind.REVIEW, due_on=review).count() == 1


class Crash(Exception):
    pass


def test_a_run_killed_midway_ends_like_one_clean_run(claims: dict[str, Claim]) -> None:
    day = dt.date(2025, 6, 30)
    open_missing_cases(day)
    # One clean run, then roll it back to the same starting point.
    with transaction.atomic():
        sid = transaction.savepoint()
        run = do_plan_daily_run(day, actor=DAILY_ACTOR, batch_cases=1)
        work_batches(run, worker="clean")
        clean = state()
        transaction.savepoint_rollback(sid)

    run = do_plan_daily_run(day, actor=DAILY_ACTOR, batch_cases=1)
    assert run.batches.count() == 3
    processed = 0

    def crash_after_two_files() -> None:
        nonlocal processed
        processed += 1
        if processed == 2:
            raise Crash

    with pytest.raises(Crash):
        work_batches(run, worker="first", on_case=crash_after_two_files)
    assert state() != clean  # really stopped halfway
    assert finish_run(run).status == DailyRunStatus.RUNNING
    # Restarted (a new process: its lease is the old worker's, which is taken over by the same name here).
    work_batches(run, worker="first")
    assert state() == clean
    assert finish_run(run).status == DailyRunStatus.DONE


def test_an_automatic_demand_interrupts_the_limitation(claims: dict[str, Claim]) -> None:
    """The office's Zahlungsaufforderung is a written demand (§ 231 Abs. 1 Satz 1 Nr. 8 AO): GS-E, due 2020
    and reminded in 2020, would expire at the end of 2025; the demand of 30.06.2025 starts a new period
    from the end of 2025 → 31.12.2030."""
    from kofo.cases.daily import claim_expiry

    assert claim_expiry(claims["GS-E"]) == dt.date(2025, 12, 31)
    run_day(dt.date(2025, 6, 30))
    demand = Measure.objects.get(case__debtor=claims["GS-E"].debtor_record.debtor)
    assert (demand.kind, demand.status, demand.executed_on) == (
        MeasureKind.ZAHLUNGSAUFFORDERUNG,
        MeasureStatus.ACTIVE,
        dt.date(2025, 6, 30),
    )
    assert claim_expiry(Claim.objects.get(pk=claims["GS-E"].pk)) == dt.date(2030, 12, 31)


def test_a_file_with_bad_data_fails_alone_and_the_day_goes_on(claims: dict[str, Claim]) -> None:
    """A claim whose Stundung ends before its due date cannot be computed (§ 240 AO: a deferral moves the due
    date *later*). Its file is left out and reported; every other file of the batch is processed."""
    Claim.objects.filter(pk=claims["GS-D"].pk).update(
        status=ClaimStatus.DEFERRED, deferred_until=claims["GS-D"].due_date - dt.timedelta(days=10)
    )
    open_missing_cases(INTAKE_DAY)
    run = do_plan_daily_run(INTAKE_DAY, actor=DAILY_ACTOR)
    assert run.batches.count() == 1  # all three files in one batch
    work_batches(run, worker="test")
    run.refresh_from_db()
    batch = run.batches.get()
    bad = Case.objects.get(debtor=claims["GS-D"].debtor_record.debtor)
    assert batch.result["files_failed"] == 1
    assert batch.result["errors"][0].startswith(bad.number)
    assert not SurchargeAccrual.objects.filter(claim=claims["GS-D"]).exists()
    assert surcharges(claims["GS-A"]) == Cents.parse("46,50")  # the other files were processed
    assert run.status == DailyRunStatus.DONE
    assert trial_balance() == 0


def test_a_file_whose_claims_are_remitted_closes_as_remitted(claims: dict[str, Claim]) -> None:
    """Erlass (§ 227 AO) extinguishes the claim; the daily run closes the file with that reason."""
    from kofo.cases.actions import do_remit_claim
    from kofo.cases.casefiles import case_claims

    run_day(INTAKE_DAY)
    case = next(c for c in Case.objects.order_by("pk") if case_claims(c).count() == 1)
    claim = case_claims(case).get()
    do_remit_claim(claim, reason="Erlass aus Billigkeitsgründen", actor=factories.TEST_ACTOR)
    run_day(INTAKE_DAY + dt.timedelta(days=1))
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CaseCloseReason.REMITTED)
    assert trial_balance() == 0
