"""kofo.law.enforceability: prerequisites of enforcement (§ 254, § 259 AO; §§ 30–31 SVwVG).

Every row names the source of its expected result. Periods follow §§ 187–193 BGB via § 108 AO (see
test_law_deadlines.py); deemed receipt follows § 122 Abs. 2 Nr. 1 AO (4th day for posting from 2025).
Calendar facts used: 2025-06-10 Tue, 2025-06-14 Sat, 2025-06-16 Mon, 2025-06-19 Thu = Fronleichnam (a
public holiday in SL, not in BE), 2025-06-23 Mon, 2025-06-28 Sat, 2025-06-30 Mon.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.law.enforceability import (
    DEMAND_WEEK_NOT_PASSED,
    DUE_DATE_MISSING,
    FINALITY_ASSUMED,
    NOT_DUE,
    NOT_FINAL,
    NOTICE_MISSING,
    NOTICE_NOT_EFFECTIVE,
    NOTICE_RECEIPT_ASSUMED,
    REMINDER_BEFORE_DUE,
    REMINDER_DEADLINE_ASSUMED,
    REMINDER_MISSING,
    REMINDER_PERIOD_RUNNING,
    REMINDER_PERIOD_TOO_SHORT,
    Regime,
    check_enforceability,
)

D = date.fromisoformat

# --- AO: § 254 Abs. 1 (conditions), § 259 (a "should": warnings) ----------------------------------------

AO_CASES = [
    pytest.param(
        {"notified_on": "2025-06-10", "due_on": "2025-06-10"},
        "2025-06-17",
        (DEMAND_WEEK_NOT_PASSED,),
        (REMINDER_MISSING,),
        "2025-06-18",
        "§ 254 Abs. 1 AO, § 188 Abs. 2 BGB: Leistungsgebot notified Tue 10.06.2025, the week ends Tue 17.06.",
        id="week-running",
    ),
    pytest.param(
        {"notified_on": "2025-06-10", "due_on": "2025-06-10"},
        "2025-06-18",
        (),
        (REMINDER_MISSING,),
        "2025-06-18",
        "§ 254 Abs. 1 AO: the week has passed on 18.06.2025; § 259 AO: a missing Mahnung is only a warning",
        id="week-passed",
    ),
    pytest.param(
        {"notified_on": "2025-06-12", "due_on": "2025-06-12"},
        "2025-06-20",
        (DEMAND_WEEK_NOT_PASSED,),
        (REMINDER_MISSING,),
        "2025-06-21",
        "§ 193 BGB / § 108 Abs. 3 AO: the week would end Thu 19.06.2025, Fronleichnam in SL → Fri 20.06.",
        id="week-fronleichnam-sl",
    ),
    pytest.param(
        {"notified_on": "2025-06-12", "due_on": "2025-06-12", "land": "BE"},
        "2025-06-20",
        (),
        (REMINDER_MISSING,),
        "2025-06-20",
        "Fronleichnam is no public holiday in Berlin: the week ends Thu 19.06.2025",
        id="week-fronleichnam-be",
    ),
    pytest.param(
        {"notified_on": "2025-05-05", "due_on": "2025-06-30"},
        "2025-06-30",
        (NOT_DUE,),
        (REMINDER_MISSING,),
        "2025-07-01",
        "§ 254 Abs. 1 AO: due 30.06.2025, payable all that day; enforcement from 01.07.2025",
        id="not-due",
    ),
    pytest.param(
        {"due_on": "2025-06-30"},
        "2025-07-15",
        (NOTICE_MISSING,),
        (REMINDER_MISSING,),
        None,
        "§ 254 Abs. 1 AO: no Leistungsgebot, no enforcement; no later day cures that",
        id="notice-missing",
    ),
    pytest.param(
        {"notified_on": "2025-05-05"},
        "2025-07-15",
        (DUE_DATE_MISSING,),
        (REMINDER_MISSING,),
        None,
        "§ 254 Abs. 1 AO: the claim must be due; without a due date it cannot be checked",
        id="due-missing",
    ),
    pytest.param(
        {"assessment_date": "2025-06-10", "due_on": "2025-06-10"},
        "2025-06-23",
        (DEMAND_WEEK_NOT_PASSED,),
        (NOTICE_RECEIPT_ASSUMED, REMINDER_MISSING),
        "2025-06-24",
        "§ 122 Abs. 2 Nr. 1 AO: posted 10.06.2025, 4th day Sat 14.06. → Mon 16.06.; the week ends Mon 23.06.",
        id="deemed-receipt-week-running",
    ),
    pytest.param(
        {"assessment_date": "2025-06-10", "due_on": "2025-06-10"},
        "2025-06-24",
        (),
        (NOTICE_RECEIPT_ASSUMED, REMINDER_MISSING),
        "2025-06-24",
        "§ 122 Abs. 2 Nr. 1 AO, § 254 Abs. 1 AO: notified 16.06.2025, the week ends 23.06.",
        id="deemed-receipt-week-passed",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-05",
            "due_on": "2025-06-02",
            "reminder_on": "2025-06-10",
            "reminder_deadline": "2025-06-20",
        },
        "2025-07-01",
        (),
        (REMINDER_PERIOD_TOO_SHORT,),
        "2025-06-03",
        "§ 259 AO: reminder received 16.06.2025 (§ 122 Abs. 2 AO) needs a week to 23.06.; only a warning",
        id="reminder-too-short-is-a-warning",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-05",
            "due_on": "2025-06-02",
            "reminder_on": "2025-06-10",
            "reminder_deadline": "2025-06-23",
        },
        "2025-06-23",
        (),
        (REMINDER_PERIOD_RUNNING,),
        "2025-06-03",
        "§ 259 AO: the reminder's period runs to 23.06.2025; only a warning under the AO",
        id="reminder-running-is-a-warning",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-05",
            "due_on": "2025-06-30",
            "reminder_on": "2025-06-20",
            "reminder_deadline": "2025-06-30",
        },
        "2025-07-01",
        (),
        (),
        "2025-07-01",
        "§ 259 Satz 3 AO: a reminder before the due date replaces the Mahnung",
        id="reminder-before-due",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-05",
            "due_on": "2025-06-02",
            "reminder_on": "2025-06-10",
            "reminder_deadline": "2025-06-23",
        },
        "2025-06-24",
        (),
        (),
        "2025-06-03",
        "§ 254 Abs. 1 AO met since 03.06.2025; § 259 AO: the reminder's week has passed",
        id="all-met",
    ),
]

# --- SVwVG: §§ 30–31 (the Mahnung is a condition) --------------------------------------------------------

# Base facts: notice effective 02.05.2025, due Mon 02.06.2025, Mahnung posted Tue 10.06.2025, deemed
# received Mon 16.06.2025 (§ 122 Abs. 2 Nr. 1 AO: 4th day Sat 14.06. → § 108 Abs. 3 AO), so the week of
# the Mahnung runs at least to Mon 23.06.2025 (§ 188 Abs. 2 BGB).
SL_BASE: dict[str, Any] = {
    "notified_on": "2025-05-02",
    "due_on": "2025-06-02",
    "reminder_on": "2025-06-10",
    "reminder_deadline": "2025-06-23",
    "immediately_enforceable": True,
}

SVWVG_CASES = [
    pytest.param(
        {},
        "2025-06-23",
        (REMINDER_PERIOD_RUNNING,),
        (),
        "2025-06-24",
        "§§ 30, 31 SVwVG: the Mahnung's period runs to 23.06.2025",
        id="reminder-running",
    ),
    pytest.param(
        {},
        "2025-06-24",
        (),
        (),
        "2025-06-24",
        "§§ 30, 31 SVwVG: all met once the Mahnung's week has passed (24.06.2025)",
        id="all-met",
    ),
    pytest.param(
        {"reminder_on": None, "reminder_deadline": None},
        "2025-07-15",
        (REMINDER_MISSING,),
        (),
        None,
        "LAW.md: under the SVwVG the Mahnung is a condition",
        id="reminder-missing",
    ),
    pytest.param(
        {"reminder_deadline": "2025-06-20"},
        "2025-07-15",
        (REMINDER_PERIOD_TOO_SHORT,),
        (),
        None,
        "§§ 30, 31 SVwVG: deadline 20.06.2025 is less than a week after receipt on 16.06.2025 (→ 23.06.)",
        id="reminder-too-short",
    ),
    pytest.param(
        {"reminder_deadline": "2025-06-28"},
        "2025-06-30",
        (REMINDER_PERIOD_RUNNING,),
        (),
        "2025-07-01",
        "§ 108 Abs. 3 AO: a deadline on Saturday 28.06.2025 runs to Monday 30.06.2025",
        id="deadline-on-saturday",
    ),
    pytest.param(
        {"reminder_deadline": None},
        "2025-06-24",
        (),
        (REMINDER_DEADLINE_ASSUMED,),
        "2025-06-24",
        "no deadline recorded: the minimum week after receipt (to 23.06.2025) is assumed",
        id="deadline-assumed",
    ),
    pytest.param(
        {"reminder_deadline": None},
        "2025-06-23",
        (REMINDER_PERIOD_RUNNING,),
        (REMINDER_DEADLINE_ASSUMED,),
        "2025-06-24",
        "the assumed minimum week runs to 23.06.2025",
        id="deadline-assumed-running",
    ),
    pytest.param(
        {"immediately_enforceable": None},
        "2025-06-24",
        (),
        (FINALITY_ASSUMED,),
        "2025-06-24",
        "§ 80 Abs. 2 Satz 1 Nr. 1 VwGO: public charges and costs are immediately enforceable (assumed)",
        id="finality-assumed",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-19",
            "due_on": "2025-05-30",
            "reminder_on": "2025-06-02",
            "reminder_deadline": "2025-06-13",
            "immediately_enforceable": False,
        },
        "2025-06-20",
        (NOT_FINAL,),
        (),
        "2025-06-21",
        "§ 70 Abs. 1 VwGO: objection period from 19.05.2025 ends 19.06. (Fronleichnam, SL) → 20.06.2025",
        id="not-final",
    ),
    pytest.param(
        {
            "notified_on": "2025-05-19",
            "due_on": "2025-05-30",
            "reminder_on": "2025-06-02",
            "reminder_deadline": "2025-06-13",
            "immediately_enforceable": False,
        },
        "2025-06-21",
        (),
        (),
        "2025-06-21",
        "§ 70 Abs. 1 VwGO: final from 21.06.2025; the Mahnung (received 06.06., week to 13.06.) has run",
        id="final",
    ),
    pytest.param(
        {"immediately_enforceable": False, "appeal_pending": True},
        "2025-07-15",
        (NOT_FINAL,),
        (),
        None,
        "§§ 30, 31 SVwVG: an appeal is pending, the notice is neither final nor immediately enforceable",
        id="appeal-pending",
    ),
    pytest.param(
        {"due_on": "2025-06-12"},
        "2025-06-24",
        (),
        (REMINDER_BEFORE_DUE,),
        "2025-06-24",
        "a Mahnung sent 10.06.2025 before the due date 12.06.2025 is flagged for review",
        id="reminder-before-due",
    ),
    pytest.param(
        {"notified_on": "2025-07-01"},
        "2025-06-30",
        (NOTICE_NOT_EFFECTIVE,),
        (),
        "2025-07-01",
        "§§ 30, 31 SVwVG: the notice takes effect on its notification, 01.07.2025",
        id="notice-not-yet-effective",
    ),
    pytest.param(
        {"notified_on": None},
        "2025-07-15",
        (NOTICE_MISSING,),
        (),
        None,
        "§§ 30, 31 SVwVG: no assessment notice",
        id="notice-missing",
    ),
    pytest.param(
        {"due_on": "2025-07-15"},
        "2025-07-15",
        (NOT_DUE,),
        (REMINDER_BEFORE_DUE,),
        "2025-07-16",
        "§§ 30, 31 SVwVG: due 15.07.2025, payable all that day (the Mahnung of 10.06. predates it)",
        id="not-due",
    ),
    pytest.param(
        {"reminder_deadline": "2025-06-17", "reminder_period_from_receipt": False},
        "2025-06-18",
        (),
        (),
        "2025-06-18",
        "week counted from posting (option): 10.06. + 1 week = 17.06.2025, passed on 18.06.",
        id="week-from-posting",
    ),
    pytest.param(
        {"reminder_deadline": "2025-06-17"},
        "2025-06-18",
        (REMINDER_PERIOD_TOO_SHORT,),
        (),
        None,
        "default: week from receipt 16.06.2025, so 17.06. is too short",
        id="week-from-receipt",
    ),
    pytest.param(
        {"reminder_deadline": "2025-06-20", "deemed_receipt_days": 3},
        "2025-06-21",
        (),
        (),
        "2025-06-21",
        "configured 3-day fiction: received Fri 13.06.2025, week to Fri 20.06.",
        id="three-day-fiction",
    ),
]


def _facts(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        key: D(value) if isinstance(value, str) and key != "land" else value for key, value in raw.items()
    }


def _check(regime: Regime, facts: dict[str, Any], as_of: str) -> Any:
    return check_enforceability(regime, as_of=D(as_of), **_facts(facts))


@pytest.mark.parametrize(("facts", "as_of", "problems", "warnings", "earliest", "source"), AO_CASES)
def test_ao(
    facts: dict[str, Any],
    as_of: str,
    problems: tuple[str, ...],
    warnings: tuple[str, ...],
    earliest: str | None,
    source: str,
) -> None:
    result = _check(Regime.AO, facts, as_of)
    assert result.codes == problems, source
    assert result.warning_codes == warnings, source
    assert result.ok is (not problems)
    assert result.earliest_on == (D(earliest) if earliest else None), source


@pytest.mark.parametrize(("facts", "as_of", "problems", "warnings", "earliest", "source"), SVWVG_CASES)
def test_svwvg_sl(
    facts: dict[str, Any],
    as_of: str,
    problems: tuple[str, ...],
    warnings: tuple[str, ...],
    earliest: str | None,
    source: str,
) -> None:
    result = _check(Regime.SVWVG_SL, {**SL_BASE, **facts}, as_of)
    assert result.codes == problems, source
    assert result.warning_codes == warnings, source
    assert result.ok is (not problems)
    assert result.earliest_on == (D(earliest) if earliest else None), source


def test_messages_name_the_dates() -> None:
    # § 254 Abs. 1 AO: notified Tue 10.06.2025, the week ends Tue 17.06.2025 (§ 188 Abs. 2 BGB).
    ao = _check(Regime.AO, {"notified_on": "2025-06-10", "due_on": "2025-06-10"}, "2025-06-17")
    assert ao.problems[0].message_de == (
        "Seit dem Leistungsgebot (bekannt gegeben am 10.06.2025) ist noch keine Woche verstrichen: die "
        "Wochenfrist endet am 17.06.2025, vollstreckt werden kann frühestens am 18.06.2025 "
        "(§ 254 Abs. 1 Satz 1 AO)."
    )
    assert "§ 259 Satz 1 AO" in ao.warnings[0].message_de
    # §§ 30, 31 SVwVG: Mahnung posted 10.06.2025, period to 23.06.2025.
    sl = _check(Regime.SVWVG_SL, SL_BASE, "2025-06-23")
    assert sl.problems[0].message_de == (
        "Die Zahlungsfrist der Mahnung vom 10.06.2025 läuft bis 23.06.2025; vollstreckt werden kann "
        "frühestens am 24.06.2025 (§§ 30, 31 SVwVG)."
    )
    short = _check(Regime.SVWVG_SL, {**SL_BASE, "reminder_deadline": "2025-06-20"}, "2025-07-01")
    message = short.problems[0].message_de
    for fragment in (
        "10.06.2025",
        "20.06.2025",
        "16.06.2025",
        "23.06.2025",
        "Eine neue Mahnung ist erforderlich.",
    ):
        assert fragment in message
    assumed = _check(Regime.AO, {"assessment_date": "2025-06-10", "due_on": "2025-06-10"}, "2025-06-24")
    assert "Bescheid vom 10.06.2025" in assumed.warnings[0].message_de
    assert "16.06.2025" in assumed.warnings[0].message_de


def test_derivation_ends_with_the_verdict() -> None:
    ok = _check(Regime.SVWVG_SL, SL_BASE, "2025-06-24")
    assert ok.steps[0] == "Prüfung zum 24.06.2025 nach §§ 30, 31 SVwVG (Saarland)."
    assert ok.steps[-1] == "Ergebnis: Vollstreckung am 24.06.2025 zulässig."
    running = _check(Regime.SVWVG_SL, SL_BASE, "2025-06-23")
    assert (
        running.steps[-1] == "Ergebnis: Vollstreckung am 23.06.2025 nicht zulässig; frühestens am 24.06.2025."
    )
    missing = _check(Regime.SVWVG_SL, {**SL_BASE, "reminder_on": None}, "2025-06-23")
    assert missing.steps[-1] == "Ergebnis: Vollstreckung am 23.06.2025 nicht zulässig; erst nach Abhilfe."


def test_regime_accepts_its_code_and_refuses_others() -> None:
    assert _check(Regime.AO, {"notified_on": "2025-06-10", "due_on": "2025-06-10"}, "2025-06-18").ok
    assert check_enforceability(
        "ao", notified_on=D("2025-06-10"), due_on=D("2025-06-10"), as_of=D("2025-06-18")
    ).ok
    with pytest.raises(ValueError):
        check_enforceability("zpo", as_of=D("2025-06-18"))
    with pytest.raises(ValueError, match="Unbekanntes Land"):
        check_enforceability("ao", as_of=D("2025-06-18"), land="XX")


# --- properties -----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 6, 30))
MAYBE_DAY = st.one_of(st.none(), DAYS)


@st.composite
def _facts_strategy(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "assessment_date": draw(MAYBE_DAY),
        "notified_on": draw(MAYBE_DAY),
        "due_on": draw(MAYBE_DAY),
        "reminder_on": draw(MAYBE_DAY),
        "reminder_deadline": draw(MAYBE_DAY),
        "immediately_enforceable": draw(st.sampled_from([None, True, False])),
        "appeal_pending": draw(st.booleans()),
        "land": draw(st.sampled_from(["SL", "BE", "BY", "SN"])),
    }


@given(regime=st.sampled_from(list(Regime)), facts=_facts_strategy(), as_of=DAYS)
def test_ok_exactly_from_the_earliest_day(regime: Regime, facts: dict[str, Any], as_of: date) -> None:
    result = check_enforceability(regime, as_of=as_of, **facts)
    assert result.ok == (not result.problems)
    assert result.ok == (result.earliest_on is not None and as_of >= result.earliest_on)
    if result.earliest_on is not None:
        assert check_enforceability(regime, as_of=result.earliest_on, **facts).ok
        later = check_enforceability(regime, as_of=result.earliest_on + timedelta(days=30), **facts)
        assert later.ok


@given(facts=_facts_strategy(), as_of=DAYS)
def test_under_the_ao_the_mahnung_never_decides(facts: dict[str, Any], as_of: date) -> None:
    # § 259 AO: the Mahnung "should" precede enforcement; it is no condition (LAW.md).
    with_reminder = check_enforceability(Regime.AO, as_of=as_of, **facts)
    without = check_enforceability(
        Regime.AO, as_of=as_of, **{**facts, "reminder_on": None, "reminder_deadline": None}
    )
    assert with_reminder.ok == without.ok
    assert with_reminder.codes == without.codes
    assert with_reminder.earliest_on == without.earliest_on


@given(facts=_facts_strategy(), as_of=DAYS)
def test_under_the_svwvg_a_missing_mahnung_always_blocks(facts: dict[str, Any], as_of: date) -> None:
    # LAW.md: under the SVwVG the Mahnung is a condition.
    result = check_enforceability(
        Regime.SVWVG_SL, as_of=as_of, **{**facts, "reminder_on": None, "reminder_deadline": None}
    )
    assert not result.ok
    assert REMINDER_MISSING in result.codes
    assert result.earliest_on is None
