"""kofo.law.surcharges: Säumniszuschläge (§ 240 AO).

Every row names the source of its expected value. The arithmetic behind all of them: § 240 Abs. 1 Satz 1 AO
(1 % of the principal in arrears rounded down to 50 EUR, per started month), the months counted from the
due date by § 108 Abs. 1 AO, §§ 187, 188 BGB, § 240 Abs. 3 AO (three days of Schonfrist), § 108 Abs. 3 AO
(due date and end of the Schonfrist off weekends and public holidays). The weekday of every date used:
2025-03-10 Mon, 2025-03-12 Wed, 2025-03-13 Thu, 2025-03-14 Fri, 2025-03-15 Sat, 2025-03-17 Mon,
2025-02-10 Mon, 2025-02-13 Thu, 2023-07-20 Thu, 2025-01-30 Thu, 2025-01-31 Fri, 2024-01-31 Wed,
2025-06-19 Thu (Fronleichnam, a public holiday in SL, not in BE), 2025-06-28 Sat, 2025-06-30 Mon,
2025-12-30 Tue, 2026-01-02 Fri.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kofo.law.surcharges import (
    BASE_STEP,
    SurchargeMonth,
    compute_surcharges,
    month_start,
    surcharge_for,
)
from kofo.money import Cents

D = date.fromisoformat
EUR = Cents.parse

LAW_MD_PRINCIPAL = "1598.00"

SURCHARGE_CASES = [
    # --- LAW.md and the calculator (`kofo calc saeumnis`) ---------------------------------------------
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-10",
        {},
        "15.50",
        1,
        "LAW.md example: one started month → base 1.550 → 15,50 EUR (month 1 from 11.03. to 10.04.2025)",
        id="law-md-one-month",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-06-11",
        {},
        "62.00",
        4,
        "LAW.md example: four started months → 62,00 EUR (months from 11.03., 11.04., 11.05., 11.06.2025)",
        id="law-md-four-months",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-06-10",
        {},
        "46.50",
        3,
        "own computation: 10.06.2025 is the last day of month 3 (§ 188 Abs. 2 BGB) → 3 × 15,50",
        id="three-months-last-day",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {},
        "31.00",
        2,
        "kofo calc saeumnis --betrag 1598.00 --faellig 2025-03-10 --zahlung 2025-04-15: months from 11.03. and "
        "11.04. → 2 × 15,50",
        id="calc-saeumnis",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {"payments": [("2025-03-20", "500.00")]},
        "26.00",
        2,
        "kofo calc saeumnis … --teilzahlung 2025-03-20:500.00: month 1 on 1.550 → 15,50; month 2 on 1.098 → "
        "1.050 → 10,50; total 26,00 (LAW.md: a partial payment lowers the base from the month after it)",
        id="calc-teilzahlung",
    ),
    # --- partial payments (AEAO zu § 240; LAW.md) -------------------------------------------------------
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {"payments": [("2025-04-10", "500.00")]},
        "26.00",
        2,
        "own computation: paid on the last day of month 1 (10.04.) → month 2 on 1.050 → 15,50 + 10,50",
        id="partial-last-day-of-month",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {"payments": [("2025-04-11", "500.00")]},
        "31.00",
        2,
        "own computation: paid on the first day of month 2 (11.04.) → month 2 has begun on 1.598 → 2 × 15,50",
        id="partial-first-day-of-month",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {"payments": [("2025-03-12", "500.00")]},
        "21.00",
        2,
        "§ 240 Abs. 3 AO: 500 paid within the Schonfrist bear no surcharge → both months on 1.098 → 1.050 "
        "→ 2 × 10,50",
        id="partial-within-schonfrist",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-05-01",
        {"payments": [("2025-03-13", LAW_MD_PRINCIPAL)]},
        "0.00",
        0,
        "§ 240 Abs. 3 AO: everything paid on the last day of the Schonfrist; nothing arises later",
        id="paid-within-schonfrist-asof-later",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-04-15",
        {"payments": [("2025-03-01", "598.00")]},
        "20.00",
        2,
        "own computation: 598 paid before the due date → 1.000 in arrears → 2 × 10,00",
        id="paid-before-due",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-06-15",
        {
            "payments": [("2025-04-15", "500.00"), ("2025-05-15", "500.00"), ("2025-06-15", "598.00")],
            "vollstreckungsaufschub_from": "2025-04-01",
        },
        "47.00",
        4,
        "LAW.md, § 258 AO: a Vollstreckungsaufschub does not stop surcharges; instalments lower the base: "
        "15,50 (1.598) + 15,50 (1.598) + 10,50 (1.098) + 5,50 (598 → 550)",
        id="vollstreckungsaufschub",
    ),
    # --- Schonfrist (§ 240 Abs. 3 AO) ---------------------------------------------------------------------
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-03-13",
        {},
        "0.00",
        0,
        "§ 240 Abs. 3 Satz 1 AO: due Monday 10.03.2025, paid Thursday 13.03. (third day) → no surcharge",
        id="schonfrist-third-day",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-03-14",
        {},
        "15.50",
        1,
        "§ 240 Abs. 3 Satz 1 AO: paid Friday 14.03.2025, four days late → month 1 from 11.03. → 15,50",
        id="schonfrist-fourth-day",
    ),
    pytest.param(
        "1000.00",
        "2025-02-10",
        "2025-02-13",
        {},
        "0.00",
        0,
        "Schwarz/Pahlke, AO § 240 Rz. 44: due 10.02., paid by the end of 13.02. → no surcharge",
        id="schwarz-pahlke-schonfrist",
    ),
    pytest.param(
        "1000.00",
        "2025-02-10",
        "2025-03-12",
        {},
        "20.00",
        2,
        "Schwarz/Pahlke, AO § 240 Rz. 44: due 10.02., paid 12.03. → two months (Schonfrist moves no due date)",
        id="schwarz-pahlke-two-months",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-12",
        "2025-03-17",
        {},
        "0.00",
        0,
        "§ 108 Abs. 3 AO: due Wed 12.03.2025, third day Sat 15.03. → the Schonfrist ends Mon 17.03.",
        id="schonfrist-ends-saturday",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-12",
        "2025-03-18",
        {},
        "15.50",
        1,
        "§ 108 Abs. 3 AO: paid Tue 18.03.2025, after the moved Schonfrist → month 1 from 13.03.",
        id="schonfrist-moved-then-late",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-14",
        "2025-03-18",
        {},
        "15.50",
        1,
        "BFH V B 16/09: due Friday 14.03.2025, Saturday and Sunday count, the Schonfrist ends Monday 17.03.; "
        "paid Tuesday → surcharge",
        id="schonfrist-friday-due",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-03-12",
        {"schonfrist": False},
        "15.50",
        1,
        "§ 240 Abs. 3 Satz 2, § 224 Abs. 2 Nr. 1 AO: cash payment two days late, no Schonfrist → 15,50",
        id="cash-no-schonfrist",
    ),
    # --- other sources and boundaries ----------------------------------------------------------------------
    pytest.param(
        "10000.00",
        "2023-07-20",
        "2023-10-10",
        {},
        "300.00",
        3,
        "VSRW-Verlag (business-on.de): due 20 July, paid 10 October → two full months and one started, 3 %",
        id="three-percent",
    ),
    pytest.param(
        "49.99",
        "2025-03-10",
        "2025-06-15",
        {},
        "0.00",
        4,
        "§ 240 Abs. 1 Satz 1 AO: below 50 EUR the rounded base is 0 → four months of 0,00",
        id="below-fifty",
    ),
    pytest.param(
        "50.00",
        "2025-03-10",
        "2025-04-10",
        {},
        "0.50",
        1,
        "§ 240 Abs. 1 Satz 1 AO: 50,00 EUR → base 50 → 0,50",
        id="exactly-fifty",
    ),
    pytest.param(
        "99.99",
        "2025-03-10",
        "2025-04-10",
        {},
        "0.50",
        1,
        "§ 240 Abs. 1 Satz 1 AO: 99,99 EUR rounded down to 50 → 0,50",
        id="rounding-down",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-03-10",
        {},
        "0.00",
        0,
        "§ 240 Abs. 1 Satz 1 AO: paid on the due date → no delay",
        id="paid-on-due-date",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-02-01",
        {},
        "0.00",
        0,
        "as-of day before the due date → nothing",
        id="before-due-date",
    ),
    # --- due date on a non-working day (§ 108 Abs. 3 AO) -----------------------------------------------
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-15",
        "2025-03-20",
        {},
        "0.00",
        0,
        "§ 108 Abs. 3 AO: due Saturday 15.03.2025 → Monday 17.03.; Schonfrist to Thursday 20.03.",
        id="saturday-due-schonfrist",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-15",
        "2025-04-17",
        {},
        "15.50",
        1,
        "§ 108 Abs. 3 AO: due moved to 17.03.2025; month 1 from 18.03. to 17.04. → one month",
        id="saturday-due-month",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-15",
        "2025-04-18",
        {},
        "31.00",
        2,
        "§ 108 Abs. 3 AO: month 2 begins 18.04.2025 (from the moved due date 17.03.)",
        id="saturday-due-second-month",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-06-19",
        "2025-07-20",
        {"land": "SL"},
        "15.50",
        1,
        "§ 108 Abs. 3 AO: 19.06.2025 Fronleichnam (SL) → due Fri 20.06.; month 2 would begin 21.07.",
        id="fronleichnam-sl",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-06-19",
        "2025-07-20",
        {"land": "BE"},
        "31.00",
        2,
        "Fronleichnam is no public holiday in Berlin: due 19.06.2025, month 2 begins 20.07.",
        id="fronleichnam-be",
    ),
    # --- month ends (§ 188 Abs. 2, 3 BGB, counted from the due date) --------------------------------------
    pytest.param(
        "1000.00",
        "2025-01-31",
        "2025-02-28",
        {},
        "10.00",
        1,
        "§ 188 Abs. 3 BGB: due 31.01.2025, month 1 from 01.02. ends 28.02.",
        id="month-end-feb",
    ),
    pytest.param(
        "1000.00",
        "2025-01-31",
        "2025-03-01",
        {},
        "20.00",
        2,
        "§ 188 Abs. 3 BGB: month 2 begins 01.03.2025",
        id="month-end-march",
    ),
    pytest.param(
        "1000.00",
        "2025-01-31",
        "2025-03-31",
        {},
        "20.00",
        2,
        "§ 188 Abs. 2 BGB from the due date: month 2 ends 31.03.2025 (not 28.03.)",
        id="month-end-no-drift",
    ),
    pytest.param(
        "1000.00",
        "2025-01-31",
        "2025-04-01",
        {},
        "30.00",
        3,
        "§ 188 Abs. 2 BGB: month 3 begins 01.04.2025",
        id="month-end-april",
    ),
    pytest.param(
        "1000.00",
        "2025-01-30",
        "2025-03-30",
        {},
        "20.00",
        2,
        "§ 188 Abs. 2, 3 BGB: due 30.01.2025 → months from 31.01., 01.03., 31.03.",
        id="thirtieth-two",
    ),
    pytest.param(
        "1000.00",
        "2025-01-30",
        "2025-03-31",
        {},
        "30.00",
        3,
        "§ 188 Abs. 2 BGB: month 3 begins 31.03.2025",
        id="thirtieth-three",
    ),
    pytest.param(
        "1000.00",
        "2024-01-31",
        "2024-03-01",
        {},
        "20.00",
        2,
        "§ 188 Abs. 3 BGB, leap year: month 1 ends 29.02.2024, month 2 begins 01.03.2024",
        id="leap-year",
    ),
    # --- Stundung (§ 222 AO) -------------------------------------------------------------------------------
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-07-15",
        {},
        "77.50",
        5,
        "without Stundung: months from 11.03., 11.04., 11.05., 11.06., 11.07.2025 → 5 × 15,50",
        id="no-stundung",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-07-15",
        {"deferred_until": "2025-06-30"},
        "15.50",
        1,
        "§ 222 AO, LAW.md: Stundung until Monday 30.06.2025 moves the due date → one month from 01.07.",
        id="stundung",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-07-03",
        {"deferred_until": "2025-06-28"},
        "0.00",
        0,
        "§ 222, § 108 Abs. 3 AO: Stundung until Saturday 28.06.2025 → due Monday 30.06.; Schonfrist to 03.07.",
        id="stundung-saturday-schonfrist",
    ),
    pytest.param(
        LAW_MD_PRINCIPAL,
        "2025-03-10",
        "2025-07-04",
        {"deferred_until": "2025-06-28"},
        "15.50",
        1,
        "§ 222, § 108 Abs. 3 AO: paid 04.07.2025, after the Schonfrist → month 1 from 01.07.",
        id="stundung-saturday-late",
    ),
]


def _options(options: dict[str, Any]) -> dict[str, Any]:
    converted = dict(options)
    if "payments" in converted:
        converted["payments"] = [(D(day), EUR(amount)) for day, amount in converted["payments"]]
    for key in ("deferred_until", "vollstreckungsaufschub_from"):
        if key in converted:
            converted[key] = D(converted[key])
    return converted


@pytest.mark.parametrize(
    ("principal", "due_on", "until", "options", "expected", "month_count", "source"), SURCHARGE_CASES
)
def test_compute_surcharges(
    principal: str,
    due_on: str,
    until: str,
    options: dict[str, Any],
    expected: str,
    month_count: int,
    source: str,
) -> None:
    result = compute_surcharges(EUR(principal), D(due_on), until=D(until), **_options(options))
    assert result.total == EUR(expected), source
    assert len(result.months) == month_count, source
    assert result.total == sum((month.amount for month in result.months), Cents(0))


def test_vollstreckungsaufschub_changes_nothing() -> None:
    # LAW.md, § 258 AO: "a Vollstreckungsaufschub does not stop surcharges" — same result with and without.
    payments = [(D("2025-04-15"), EUR("500")), (D("2025-05-15"), EUR("500"))]
    plain = compute_surcharges(
        EUR(LAW_MD_PRINCIPAL), D("2025-03-10"), until=D("2025-08-01"), payments=payments
    )
    deferred = compute_surcharges(
        EUR(LAW_MD_PRINCIPAL),
        D("2025-03-10"),
        until=D("2025-08-01"),
        payments=payments,
        vollstreckungsaufschub_from=D("2025-04-01"),
    )
    assert deferred.total == plain.total
    assert deferred.months == plain.months
    assert any("Vollstreckungsaufschub ab 01.04.2025 (§ 258 AO)" in step for step in deferred.steps)


def test_calc_example_months_in_detail() -> None:
    # kofo calc saeumnis --betrag 1598.00 --faellig 2025-03-10 --zahlung 2025-04-15
    # --teilzahlung 2025-03-20:500.00 (§ 240 Abs. 1 Satz 1 AO, §§ 187, 188 BGB).
    result = compute_surcharges(
        EUR("1598.00"), D("2025-03-10"), until=D("2025-04-15"), payments=[(D("2025-03-20"), EUR("500.00"))]
    )
    assert result.due_on == D("2025-03-10")
    assert result.schonfrist_ends_on == D("2025-03-13")
    assert result.months == (
        SurchargeMonth(1, D("2025-03-11"), D("2025-04-10"), EUR("1598.00"), EUR("1550.00"), EUR("15.50")),
        SurchargeMonth(2, D("2025-04-11"), D("2025-05-10"), EUR("1098.00"), EUR("1050.00"), EUR("10.50")),
    )
    assert result.steps[0].startswith("Rückständige Hauptforderung: 1.598,00 EUR.")
    assert "(§ 240 Abs. 2 AO)" in result.steps[0]
    assert result.steps[-1] == (
        "Ergebnis: 2 angefangene Säumnismonate bis 15.04.2025, Säumniszuschläge insgesamt 26,00 EUR."
    )
    assert (
        "1. Säumnismonat vom 11.03.2025 bis 10.04.2025: rückständig 1.598,00 EUR, abgerundet auf volle 50 EUR "
        "1.550,00 EUR; Säumniszuschlag 1 % = 15,50 EUR, entstanden und fällig am 11.03.2025 "
        "(§ 240 Abs. 1 Satz 1 AO)."
    ) in result.steps
    assert any(step.startswith("Teilzahlung von 500,00 EUR am 20.03.2025") for step in result.steps)


def test_derivation_explains_the_moves() -> None:
    # § 108 Abs. 3 AO: due Saturday 15.03.2025 → Monday 17.03.; BFH V B 16/09: the Schonfrist from
    # Wednesday 12.03.2025 would end Saturday 15.03. → Monday 17.03.
    saturday = compute_surcharges(EUR(LAW_MD_PRINCIPAL), D("2025-03-15"), until=D("2025-04-30"))
    assert saturday.due_on == D("2025-03-17")
    assert any(
        step.startswith("Der Fälligkeitstag fiele auf Samstag, 15.03.2025") and "(§ 108 Abs. 3 AO)" in step
        for step in saturday.steps
    )
    wednesday = compute_surcharges(EUR(LAW_MD_PRINCIPAL), D("2025-03-12"), until=D("2025-03-17"))
    assert wednesday.schonfrist_ends_on == D("2025-03-17")
    assert any("Das Ende der Schonfrist fiele auf Samstag, 15.03.2025" in step for step in wednesday.steps)
    assert "ist die Schonfrist nicht abgelaufen" in wednesday.steps[-2]
    assert wednesday.steps[-1] == "Ergebnis: bis 17.03.2025 kein Säumniszuschlag."


def test_stundung_derivation_and_refusal() -> None:
    # § 222 AO: a Stundung moves the due date; it cannot move it earlier.
    result = compute_surcharges(
        EUR(LAW_MD_PRINCIPAL), D("2025-03-10"), until=D("2025-07-15"), deferred_until=D("2025-06-30")
    )
    assert result.due_on == D("2025-06-30")
    assert any("gestundet (§ 222 AO)" in step for step in result.steps)
    with pytest.raises(ValueError, match="Stundung"):
        compute_surcharges(
            EUR(LAW_MD_PRINCIPAL), D("2025-03-10"), until=D("2025-07-15"), deferred_until=D("2025-03-01")
        )


def test_each_surcharge_is_due_when_its_month_begins() -> None:
    # § 240 Abs. 1, § 220 Abs. 2 Satz 1 AO: each month's surcharge arises and is due on the month's first day;
    # LAW.md: each is time-barred on its own. Due Tue 30.12.2025: month 1 begins 31.12.2025 (its surcharge
    # is a debt of 2025, although the Schonfrist runs to Fri 02.01.2026), month 2 begins 31.01.2026.
    result = compute_surcharges(EUR("1000.00"), D("2025-12-30"), until=D("2026-02-01"))
    assert result.schonfrist_ends_on == D("2026-01-02")
    assert [month.due_on for month in result.months] == [D("2025-12-31"), D("2026-01-31")]


def test_daily_accrual_is_a_prefix() -> None:
    # Rule 10 of the house: the daily run for 14.03.2025 and for 15.04.2025 see the same first month.
    early = compute_surcharges(EUR(LAW_MD_PRINCIPAL), D("2025-03-10"), until=D("2025-03-14"))
    later = compute_surcharges(EUR(LAW_MD_PRINCIPAL), D("2025-03-10"), until=D("2025-04-15"))
    assert later.months[: len(early.months)] == early.months


MONTH_START_CASES = [
    pytest.param("2025-03-10", 1, "2025-03-11", "§ 187 Abs. 1 BGB: the day after the due date", id="first"),
    pytest.param("2025-03-10", 2, "2025-04-11", "§ 188 Abs. 2 BGB: month 1 ends 10.04.", id="second"),
    pytest.param("2025-01-31", 2, "2025-03-01", "§ 188 Abs. 3 BGB: month 1 ends 28.02.2025", id="feb"),
    pytest.param("2025-01-31", 3, "2025-04-01", "§ 188 Abs. 2 BGB: month 2 ends 31.03.2025", id="no-drift"),
    pytest.param("2024-02-29", 2, "2024-03-30", "§ 188 Abs. 2 BGB: month 1 ends 29.03.2024", id="leap-day"),
    pytest.param("2025-12-31", 1, "2026-01-01", "§ 187 Abs. 1 BGB across the year end", id="year-end"),
    pytest.param(
        "2025-11-30", 4, "2026-03-01", "§ 188 Abs. 3 BGB: month 3 ends 28.02.2026", id="three-later"
    ),
]


@pytest.mark.parametrize(("due_on", "index", "expected", "source"), MONTH_START_CASES)
def test_month_start(due_on: str, index: int, expected: str, source: str) -> None:
    assert month_start(D(due_on), index) == D(expected), source


SURCHARGE_FOR_CASES = [
    pytest.param("1598.00", "1550.00", "15.50", "LAW.md example", id="law-md"),
    pytest.param("1098.00", "1050.00", "10.50", "kofo calc saeumnis --teilzahlung example", id="calc"),
    pytest.param("49.99", "0.00", "0.00", "§ 240 Abs. 1 AO: below 50 EUR", id="below"),
    pytest.param("50.00", "50.00", "0.50", "§ 240 Abs. 1 AO: 50 EUR", id="fifty"),
    pytest.param("0.00", "0.00", "0.00", "nothing in arrears", id="zero"),
    pytest.param("123456.78", "123450.00", "1234.50", "§ 240 Abs. 1 AO: 1 % of 123.450", id="large"),
]


@pytest.mark.parametrize(("open_principal", "base", "amount", "source"), SURCHARGE_FOR_CASES)
def test_surcharge_for(open_principal: str, base: str, amount: str, source: str) -> None:
    assert surcharge_for(EUR(open_principal)) == (EUR(base), EUR(amount)), source


@pytest.mark.parametrize(
    ("principal", "options", "error"),
    [
        pytest.param(Cents(-1), {}, ValueError, id="negative-principal"),
        pytest.param(Cents(100), {"payments": [(date(2025, 4, 1), Cents(0))]}, ValueError, id="zero-payment"),
        pytest.param(
            Cents(100), {"payments": [(date(2025, 4, 1), Cents(-5))]}, ValueError, id="negative-pay"
        ),
        pytest.param(Cents(100), {"payments": [(date(2025, 4, 1), 500)]}, TypeError, id="int-payment"),
        pytest.param(159800, {}, TypeError, id="int-principal"),
        pytest.param(Cents(100), {"land": "XX"}, ValueError, id="unknown-land"),
    ],
)
def test_bad_input_is_refused(principal: Any, options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        compute_surcharges(principal, D("2025-03-10"), until=D("2025-05-01"), **options)


def test_month_index_starts_at_one() -> None:
    with pytest.raises(ValueError):
        month_start(D("2025-03-10"), 0)


# --- properties -----------------------------------------------------------------------------------------

PRINCIPALS = st.integers(min_value=0, max_value=5_000_000).map(Cents)
DUE_DAYS = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 12, 31))
PAYMENTS = st.lists(
    st.tuples(st.integers(min_value=-20, max_value=500), st.integers(min_value=1, max_value=1_000_000)),
    max_size=5,
)


def _payments(due_on: date, raw: list[tuple[int, int]]) -> list[tuple[date, Cents]]:
    return [(due_on + timedelta(days=offset), Cents(amount)) for offset, amount in raw]


@settings(max_examples=150, deadline=None)
@given(principal=PRINCIPALS, due_on=DUE_DAYS, days=st.integers(-10, 700), raw=PAYMENTS)
def test_total_is_the_sum_of_well_formed_months(
    principal: Cents, due_on: date, days: int, raw: list[tuple[int, int]]
) -> None:
    # § 240 Abs. 1 Satz 1 AO: each month 1 % of a multiple of 50 EUR not above the amount in arrears.
    result = compute_surcharges(
        principal, due_on, until=due_on + timedelta(days=days), payments=_payments(due_on, raw)
    )
    assert result.total >= 0
    assert result.total == sum((month.amount for month in result.months), Cents(0))
    assert [month.index for month in result.months] == list(range(1, len(result.months) + 1))
    for month in result.months:
        assert 0 < month.open_principal <= principal
        assert 0 <= month.base <= month.open_principal
        assert month.base.round_down_to(BASE_STEP) == month.base
        assert month.open_principal - month.base < BASE_STEP
        assert month.amount == surcharge_for(month.open_principal)[1]
        assert month.starts_on <= result.until
        assert month.starts_on > result.due_on
    starts = [month.starts_on for month in result.months]
    assert starts == sorted(set(starts))


@settings(max_examples=150, deadline=None)
@given(
    principal=PRINCIPALS,
    due_on=DUE_DAYS,
    first=st.integers(-10, 500),
    extra=st.integers(0, 300),
    raw=PAYMENTS,
)
def test_monotone_in_until_and_earlier_months_stay(
    principal: Cents, due_on: date, first: int, extra: int, raw: list[tuple[int, int]]
) -> None:
    # Rule 10 of the house (idempotent daily run) and LAW.md ("surcharges already incurred stay").
    payments = _payments(due_on, raw)
    early = compute_surcharges(principal, due_on, until=due_on + timedelta(days=first), payments=payments)
    late = compute_surcharges(
        principal, due_on, until=due_on + timedelta(days=first + extra), payments=payments
    )
    assert early.total <= late.total
    assert late.months[: len(early.months)] == early.months


@settings(max_examples=150, deadline=None)
@given(
    principal=PRINCIPALS,
    due_on=DUE_DAYS,
    days=st.integers(0, 700),
    raw=PAYMENTS,
    extra=st.tuples(st.integers(-20, 700), st.integers(1, 1_000_000)),
)
def test_a_partial_payment_never_increases_the_total(
    principal: Cents, due_on: date, days: int, raw: list[tuple[int, int]], extra: tuple[int, int]
) -> None:
    # LAW.md: "A partial payment lowers the base from the month after it".
    until = due_on + timedelta(days=days)
    without = compute_surcharges(principal, due_on, until=until, payments=_payments(due_on, raw))
    with_more = compute_surcharges(principal, due_on, until=until, payments=_payments(due_on, [*raw, extra]))
    assert with_more.total <= without.total


@settings(max_examples=100, deadline=None)
@given(principal=PRINCIPALS, due_on=DUE_DAYS, days=st.integers(0, 700), raw=PAYMENTS)
def test_payment_order_does_not_matter(
    principal: Cents, due_on: date, days: int, raw: list[tuple[int, int]]
) -> None:
    payments = _payments(due_on, raw)
    until = due_on + timedelta(days=days)
    forward = compute_surcharges(principal, due_on, until=until, payments=payments)
    backward = compute_surcharges(principal, due_on, until=until, payments=list(reversed(payments)))
    assert forward.months == backward.months


@settings(max_examples=300, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=5_000_000),
    due_offset=st.integers(min_value=0, max_value=2_000),
    until_offset=st.integers(min_value=0, max_value=1_500),
    deferral=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    payments=st.lists(
        st.tuples(st.integers(min_value=0, max_value=1_500), st.integers(min_value=1, max_value=500_000)),
        max_size=4,
    ),
    schonfrist=st.booleans(),
)
def test_arisen_months_are_the_months_of_the_full_computation(
    principal: int,
    due_offset: int,
    until_offset: int,
    deferral: int | None,
    payments: list[tuple[int, int]],
    schonfrist: bool,
) -> None:
    """The mass path of the daily run (no derivation text) computes exactly the months of
    compute_surcharges — the numbers come from one piece of code."""
    from kofo.law.surcharges import arisen_months, compute_surcharges

    due = date(2019, 1, 1) + timedelta(days=due_offset)
    until = due + timedelta(days=until_offset)
    deferred = due + timedelta(days=deferral) if deferral is not None else None
    paid = [(due + timedelta(days=d), Cents(a)) for d, a in payments]
    full = compute_surcharges(
        Cents(principal), due, until=until, payments=paid, deferred_until=deferred, schonfrist=schonfrist
    )
    fast = arisen_months(
        Cents(principal), due, until=until, payments=paid, deferred_until=deferred, schonfrist=schonfrist
    )
    assert list(full.months) == fast


@settings(max_examples=200, deadline=None)
@given(
    principal=st.integers(min_value=5_000, max_value=5_000_000),
    due_offset=st.integers(min_value=0, max_value=2_000),
    until_offset=st.integers(min_value=0, max_value=1_500),
    skip=st.integers(min_value=1, max_value=60),
)
def test_months_from_an_index_are_the_tail_of_all_months(
    principal: int, due_offset: int, until_offset: int, skip: int
) -> None:
    """Each month depends only on the payments before it began: starting the computation at a later
    month (the daily run skips the months booked already) gives the same months from there on."""
    from kofo.law.surcharges import arisen_months, effective_due_date, first_month_after, month_start

    due = date(2019, 1, 1) + timedelta(days=due_offset)
    until = due + timedelta(days=until_offset)
    everything = arisen_months(Cents(principal), due, until=until)
    tail = arisen_months(Cents(principal), due, until=until, from_index=skip)
    assert tail == [m for m in everything if m.index >= skip] or (skip == 1 and tail == everything)
    effective = effective_due_date(due)
    day = due + timedelta(days=skip * 17)
    index = first_month_after(effective, day)
    assert month_start(effective, index) > day
    assert index == 1 or month_start(effective, index - 1) <= day
