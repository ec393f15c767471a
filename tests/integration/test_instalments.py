"""Ratenzahlung as Vollstreckungsaufschub (§ 258 AO; LAW.md "Instalments, deferral, suspension").

Sources: § 258 AO (LAW.md): temporary, usually up to 12 months, never more than 5 years; surcharges keep
running; a missed instalment lets the office revoke it — after the configurable grace period
(StrategySettings.instalment_grace_days, default 14 days). § 231 Abs. 1 Satz 1 Nr. 1 AO: a
Vollstreckungsaufschub interrupts the Zahlungsverjährung. Säumniszuschläge: 1,598.00 → 15.50 per started
month (LAW.md), due Mon 10.03.2025, months from 11.03., 11.04., 11.05. …
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kofo.cases.daily import DAILY_ACTOR, claim_expiry, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import do_arrange_instalments, instalment_schedule
from kofo.cases.models import (
    Case,
    Claim,
    FollowUpKind,
    InstalmentPlanStatus,
    InstalmentStatus,
    MeasureKind,
    MeasureStatus,
)
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import component_balances, trial_balance
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.payments.actions import do_record_payment
from kofo.payments.models import PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db
C = Cents.parse
D = dt.date
ACTOR = factories.TEST_ACTOR
ROW = (
    "GW-2025-9;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;9;"
    "natuerlich;Lang;Peter;;04.04.1971;;;;;Am Markt;3;66740;Saarlouis;DE;;;;;"
)


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test")


@pytest.fixture
def case(db: Any, settings: Any, tmp_path: Path) -> Case:
    settings.DATA_DIR = tmp_path
    factories.make_office()
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(partner, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    batch = do_import_request(
        partner, f"{factories.INTAKE_CSV_HEADER}\n{ROW}\n".encode(), channel=Channel.CSV,
        filename="ersuchen.csv", as_of=D(2025, 5, 1), actor=ACTOR,
    )  # fmt: skip
    assert batch.items_accepted == 1
    run_day(D(2025, 5, 2))  # file opened, surcharges 31.00, the demand goes out
    return Case.objects.get()


@pytest.mark.parametrize(
    ("total", "rate", "expected"),
    [
        ("1629,00", "500,00", ["500,00", "500,00", "500,00", "129,00"]),  # remainder last
        ("1500,00", "500,00", ["500,00", "500,00", "500,00"]),  # exact
        ("30,00", "50,00", ["30,00"]),  # one instalment
    ],
)
def test_schedule_is_monthly_with_the_remainder_last(total: str, rate: str, expected: list[str]) -> None:
    schedule = instalment_schedule(C(total), C(rate), D(2025, 1, 31))
    assert [amount for _day, amount in schedule] == [C(x) for x in expected]
    # § 188 Abs. 3 BGB month arithmetic: 31.01. → 28.02. → 31.03. (each month counted from the first date)
    assert [day for day, _amount in schedule][:3] == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31)][
        : len(expected)
    ]


def test_more_than_five_years_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        instalment_schedule(C("6100,00"), C("100,00"), D(2025, 6, 1))  # 61 instalments
    assert refused.value.code == "instalment.too_long"


def test_arrangement_longer_than_the_usual_year_needs_a_reason(case: Case) -> None:
    with pytest.raises(ValidationError) as refused:
        do_arrange_instalments(
            case, instalment=C("100,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="", actor=ACTOR
        )
    assert refused.value.code == "instalment.reason_needed"
    plan = do_arrange_instalments(
        case, instalment=C("100,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5),
        reason="Rente 980 EUR, keine höhere Rate möglich", actor=ACTOR,
    )  # fmt: skip
    assert plan.instalments.count() == 17  # 1,629.00 in 100.00 instalments


def test_instalments_paid_and_the_plan_revoked_after_a_missed_one(case: Case) -> None:
    claim = Claim.objects.get()
    plan = do_arrange_instalments(
        case, instalment=C("500,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="", actor=ACTOR
    )
    assert [(i.due_on, i.amount_cents) for i in plan.instalments.all()] == [
        (D(2025, 6, 1), 50_000),
        (D(2025, 7, 1), 50_000),
        (D(2025, 8, 1), 50_000),
        (D(2025, 9, 1), 12_900),
    ]
    measure = plan.measure
    assert (measure.kind, measure.status) == (MeasureKind.RATENZAHLUNG, MeasureStatus.ACTIVE)
    demand = case.measures.get(kind=MeasureKind.ZAHLUNGSAUFFORDERUNG)
    assert demand.status == MeasureStatus.DONE  # the arrangement ends the running demand
    # § 231 Abs. 1 Satz 1 Nr. 1 AO: the arrangement interrupts limitation (due 2025: end 2030 → from end 2025).
    assert claim_expiry(claim) == D(2030, 12, 31)

    do_record_payment(case, amount=C("500,00"), received_on=D(2025, 5, 30), source=PaymentSource.DEBTOR,
                      actor=ACTOR)  # fmt: skip
    assert plan.instalments.get(number=1).status == InstalmentStatus.PAID
    run_day(D(2025, 6, 20))
    plan.refresh_from_db()
    assert plan.status == InstalmentPlanStatus.ACTIVE
    assert not case.measures.filter(status=MeasureStatus.PROPOSED).exists()  # enforcement rests
    # Surcharges keep running during a Vollstreckungsaufschub (LAW.md): the months of 11.05. and 11.06.
    # are booked on the base left after the payment (1,598.00 − 469.00 principal paid … see allocation).
    assert component_balances("cases.claim", claim.pk)["surcharge"] > 0

    run_day(D(2025, 7, 15))  # 2nd instalment due 01.07., 14 days grace end on 15.07.: not yet revoked
    plan.refresh_from_db()
    assert plan.status == InstalmentPlanStatus.ACTIVE
    run_day(D(2025, 7, 16))
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (InstalmentPlanStatus.REVOKED, D(2025, 7, 16))
    assert plan.instalments.get(number=2).status == InstalmentStatus.MISSED
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.FAILED
    assert case.follow_ups.filter(kind=FollowUpKind.DEADLINE, key=f"instalments-revoked:{plan.pk}").exists()
    # Enforcement resumes: the strategy proposes the next measure the same day.
    assert case.measures.filter(status__in=(MeasureStatus.PROPOSED, MeasureStatus.ACTIVE)).exists()
    assert trial_balance() == 0


def test_a_plan_paid_in_full_is_fulfilled(case: Case) -> None:
    plan = do_arrange_instalments(
        case, instalment=C("1000,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="", actor=ACTOR
    )
    do_record_payment(
        case, amount=C("1000,00"), received_on=D(2025, 6, 1), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    do_record_payment(
        case, amount=C("629,00"), received_on=D(2025, 7, 1), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    run_day(D(2025, 7, 2))
    plan.refresh_from_db()
    assert plan.status == InstalmentPlanStatus.COMPLETED
    assert plan.measure.status == MeasureStatus.DONE
    assert trial_balance() == 0


def test_a_second_plan_while_one_runs_is_refused(case: Case) -> None:
    do_arrange_instalments(
        case, instalment=C("500,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 5), reason="", actor=ACTOR
    )
    with pytest.raises(ValidationError) as refused:
        do_arrange_instalments(
            case, instalment=C("500,00"), first_due_on=D(2025, 6, 1), on=D(2025, 5, 6), reason="", actor=ACTOR
        )
    assert refused.value.code == "instalment.exists"
