"""kofo.law.deadlines: periods (§§ 187–193 BGB via § 108 AO) and deemed receipt (§ 122 Abs. 2 AO).

Every row names the source of its expected value: the rule and the calendar facts it rests on. Calendar
facts (weekdays, public holidays of a Land) are those of the Gregorian calendar and of the Länder's
holiday acts, e.g. "2025-06-19 is Fronleichnam, a public holiday in SL and NW, not in BE". The weekday of
every date used here: 2025-06-10 Tue, 2025-06-12 Thu, 2025-06-14 Sat, 2025-06-19 Thu, 2025-04-18 Fri,
2025-12-25 Thu, 2025-08-15 Fri, 2024-11-01 Fri, 2025-10-31 Fri, 2025-10-03 Fri, 1997-12-21 Sun,
2025-01-06 Mon.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.law.deadlines import (
    LAENDER,
    DateResult,
    PeriodKind,
    add_months,
    deemed_receipt,
    format_date,
    is_working_day,
    next_working_day,
    non_working_reason,
    period_end,
    period_for_kind,
    public_holiday_name,
    shift_to_working_day,
)

D = date.fromisoformat

# --- working days ---------------------------------------------------------------------------------------

WORKING_DAY_CASES = [
    pytest.param("2025-06-16", "SL", True, "2025-06-16 is a Monday, no holiday", id="monday"),
    pytest.param("2025-06-14", "SL", False, "§ 193 BGB: 2025-06-14 is a Saturday", id="saturday"),
    pytest.param("2025-06-15", "SL", False, "§ 193 BGB: 2025-06-15 is a Sunday", id="sunday"),
    pytest.param(
        "2025-06-19", "SL", False, "2025-06-19 is Fronleichnam, a public holiday in SL", id="fronleichnam-sl"
    ),
    pytest.param(
        "2025-06-19", "BE", True, "Fronleichnam is no public holiday in Berlin", id="fronleichnam-be"
    ),
    pytest.param(
        "2025-08-15",
        "SL",
        False,
        "2025-08-15 is Mariä Himmelfahrt, a public holiday in SL",
        id="assumption-sl",
    ),
    pytest.param(
        "2025-08-15", "NW", True, "Mariä Himmelfahrt is no public holiday in NW", id="assumption-nw"
    ),
    pytest.param(
        "2025-10-31",
        "SN",
        False,
        "2025-10-31 is Reformationstag, a public holiday in SN",
        id="reformation-sn",
    ),
    pytest.param("2025-10-31", "SL", True, "Reformationstag is no public holiday in SL", id="reformation-sl"),
    pytest.param(
        "2025-11-19",
        "SN",
        False,
        "2025-11-19 is Buß- und Bettag, a public holiday in SN only",
        id="busstag-sn",
    ),
    pytest.param("2025-11-19", "SL", True, "Buß- und Bettag is no public holiday in SL", id="busstag-sl"),
    pytest.param(
        "2025-01-06",
        "BY",
        False,
        "2025-01-06 is Heilige Drei Könige, a public holiday in BY",
        id="epiphany-by",
    ),
    pytest.param(
        "2025-01-06", "SL", True, "Heilige Drei Könige is no public holiday in SL", id="epiphany-sl"
    ),
    pytest.param(
        "2025-12-24", "SL", True, "Heiligabend (a Wednesday in 2025) is no public holiday", id="christmas-eve"
    ),
    pytest.param(
        "2025-10-03", "HH", False, "2025-10-03 is Tag der Deutschen Einheit, nationwide", id="unity-day"
    ),
]


@pytest.mark.parametrize(("day", "land", "expected", "source"), WORKING_DAY_CASES)
def test_is_working_day(day: str, land: str, expected: bool, source: str) -> None:
    assert is_working_day(D(day), land) is expected, source


def test_default_land_is_saarland() -> None:
    # 2025-06-19 is Fronleichnam, a public holiday in SL (the default Land), not in BE.
    assert is_working_day(D("2025-06-19")) is False
    assert public_holiday_name(D("2025-06-19")) == "Fronleichnam"


def test_non_working_reason_names_the_holiday_and_the_land() -> None:
    assert non_working_reason(D("2025-06-19"), "SL") == "Fronleichnam, gesetzlicher Feiertag im Land Saarland"
    assert non_working_reason(D("2025-06-14"), "SL") == "Samstag"
    assert non_working_reason(D("2025-06-16"), "SL") is None


NEXT_WORKING_DAY_CASES = [
    pytest.param("2025-06-13", "SL", "2025-06-16", "2025-06-14/15 are Saturday and Sunday", id="friday"),
    pytest.param("2025-06-18", "SL", "2025-06-20", "2025-06-19 is Fronleichnam in SL", id="before-holiday"),
    pytest.param(
        "2025-06-18", "BE", "2025-06-19", "Fronleichnam is no holiday in BE", id="before-holiday-be"
    ),
    pytest.param("2025-06-16", "SL", "2025-06-17", "2025-06-17 is a Tuesday", id="monday"),
    pytest.param(
        "2025-04-17", "SL", "2025-04-22", "2025-04-18 Karfreitag, 19/20 weekend, 21 Ostermontag", id="easter"
    ),
]


@pytest.mark.parametrize(("day", "land", "expected", "source"), NEXT_WORKING_DAY_CASES)
def test_next_working_day(day: str, land: str, expected: str, source: str) -> None:
    assert next_working_day(D(day), land) == D(expected), source


def test_shift_keeps_a_working_day_and_explains_nothing() -> None:
    # 2025-06-16 is a Monday and no holiday in SL.
    assert shift_to_working_day(D("2025-06-16")) == DateResult(D("2025-06-16"), ())


@pytest.mark.parametrize("land", ["XX", "Augsburg", "sl", ""])
def test_unknown_land_is_refused(land: str) -> None:
    with pytest.raises(ValueError, match="Unbekanntes Land"):
        is_working_day(D("2025-06-16"), land)
    with pytest.raises(ValueError, match="Unbekanntes Land"):
        period_end(D("2025-06-16"), days=1, land=land)


# --- periods --------------------------------------------------------------------------------------------

PERIOD_CASES = [
    pytest.param(
        "2025-06-10",
        {"days": 3},
        "SL",
        "2025-06-13",
        "§ 187 Abs. 1, § 188 Abs. 1 BGB: 10.06. + 3 days = Friday 13.06.2025, a working day",
        id="days-friday",
    ),
    pytest.param(
        "2025-06-10",
        {"days": 4},
        "SL",
        "2025-06-16",
        "§ 193 BGB: period ending Saturday 2025-06-14 ends Monday 2025-06-16",
        id="days-saturday",
    ),
    pytest.param(
        "2025-06-10",
        {"weeks": 1},
        "SL",
        "2025-06-17",
        "§ 188 Abs. 2 BGB: event Tuesday 10.06.2025, one week ends Tuesday 17.06.2025",
        id="week",
    ),
    pytest.param(
        "2025-06-12",
        {"weeks": 1},
        "SL",
        "2025-06-20",
        "§ 188 Abs. 2, § 193 BGB: ends Thursday 2025-06-19, Fronleichnam (public holiday in SL), so Friday 20.06.",
        id="week-fronleichnam-sl",
    ),
    pytest.param(
        "2025-06-12",
        {"weeks": 1},
        "NW",
        "2025-06-20",
        "2025-06-19 is Fronleichnam, a public holiday in NW too",
        id="week-fronleichnam-nw",
    ),
    pytest.param(
        "2025-06-12",
        {"weeks": 1},
        "BE",
        "2025-06-19",
        "Fronleichnam is no public holiday in Berlin: the period ends Thursday 19.06.2025",
        id="week-fronleichnam-be",
    ),
    pytest.param(
        "2025-06-05",
        {"weeks": 2},
        "SL",
        "2025-06-20",
        "§ 188 Abs. 2 BGB: two weeks from Thursday 05.06. end Thursday 19.06. (Fronleichnam, SL) → 20.06.",
        id="two-weeks-fronleichnam",
    ),
    pytest.param(
        "2025-06-10",
        {"weeks": 2},
        "SL",
        "2025-06-24",
        "§ 188 Abs. 2 BGB: two weeks from Tuesday 10.06.2025 end Tuesday 24.06.2025",
        id="two-weeks",
    ),
    pytest.param(
        "2025-04-11",
        {"weeks": 1},
        "SL",
        "2025-04-22",
        "§ 193 BGB: 18.04.2025 Karfreitag, 19./20. weekend, 21.04. Ostermontag → Tuesday 22.04.2025",
        id="week-easter",
    ),
    pytest.param(
        "2025-12-19",
        {"days": 6},
        "SL",
        "2025-12-29",
        "§ 193 BGB: 25./26.12.2025 Christmas (Thu/Fri), 27./28. weekend → Monday 29.12.2025",
        id="days-christmas",
    ),
    pytest.param(
        "2025-09-30",
        {"days": 3},
        "SL",
        "2025-10-06",
        "§ 193 BGB: 03.10.2025 Tag der Deutschen Einheit (Friday), weekend → Monday 06.10.2025",
        id="days-unity-day",
    ),
    pytest.param(
        "2024-10-25",
        {"weeks": 1},
        "SL",
        "2024-11-04",
        "01.11.2024 (Friday) is Allerheiligen, a holiday in SL; 02./03.11. weekend → Monday 04.11.2024",
        id="week-all-saints-sl",
    ),
    pytest.param(
        "2024-10-25",
        {"weeks": 1},
        "BE",
        "2024-11-01",
        "Allerheiligen is no public holiday in Berlin",
        id="week-all-saints-be",
    ),
    pytest.param(
        "2025-10-24",
        {"weeks": 1},
        "SN",
        "2025-11-03",
        "31.10.2025 (Friday) is Reformationstag in SN; weekend → Monday 03.11.2025",
        id="week-reformation-sn",
    ),
    pytest.param(
        "2025-10-24",
        {"weeks": 1},
        "SL",
        "2025-10-31",
        "Reformationstag is no public holiday in SL",
        id="week-reformation-sl",
    ),
    pytest.param(
        "2025-06-10",
        {"months": 1},
        "SL",
        "2025-07-10",
        "§ 188 Abs. 2 BGB: same day number, Thursday 10.07.2025",
        id="month",
    ),
    pytest.param(
        "2025-01-31",
        {"months": 1},
        "SL",
        "2025-02-28",
        "§ 188 Abs. 3 BGB: February 2025 has no 31st; last day Friday 28.02.2025",
        id="month-short-february",
    ),
    pytest.param(
        "2024-01-31",
        {"months": 1},
        "SL",
        "2024-02-29",
        "§ 188 Abs. 3 BGB: 2024 is a leap year; Thursday 29.02.2024",
        id="month-leap-february",
    ),
    pytest.param(
        "2025-03-31",
        {"months": 1},
        "SL",
        "2025-04-30",
        "§ 188 Abs. 3 BGB: April has 30 days; Wednesday 30.04.2025",
        id="month-april",
    ),
    pytest.param(
        "2025-05-19",
        {"months": 1},
        "SL",
        "2025-06-20",
        "§ 188 Abs. 2, § 193 BGB: 19.06.2025 is Fronleichnam (SL) → Friday 20.06.2025",
        id="month-fronleichnam",
    ),
    pytest.param(
        "2025-07-15",
        {"months": 1},
        "SL",
        "2025-08-18",
        "15.08.2025 (Friday) is Mariä Himmelfahrt in SL; weekend → Monday 18.08.2025",
        id="month-assumption-sl",
    ),
    pytest.param(
        "2025-07-15",
        {"months": 1},
        "BE",
        "2025-08-15",
        "Mariä Himmelfahrt is no public holiday in Berlin",
        id="month-assumption-be",
    ),
    pytest.param(
        "2025-08-31",
        {"months": 6},
        "SL",
        "2026-03-02",
        "§ 188 Abs. 3 BGB: February 2026 has 28 days, 28.02.2026 is a Saturday → § 193 BGB Monday 02.03.2026",
        id="months-end-of-february-saturday",
    ),
]


@pytest.mark.parametrize(("event_day", "length", "land", "expected", "source"), PERIOD_CASES)
def test_period_end(event_day: str, length: dict[str, int], land: str, expected: str, source: str) -> None:
    result = period_end(D(event_day), land=land, **length)
    assert result.date == D(expected), source
    assert result.steps[-1] == f"Fristende: {_weekday(D(expected))}, {format_date(D(expected))}, 24:00 Uhr."


def _weekday(day: date) -> str:
    return ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")[day.weekday()]


def test_period_derivation_explains_each_step() -> None:
    # § 187 Abs. 1 BGB, § 188 Abs. 2 BGB, § 193 BGB; 2025-06-19 is Fronleichnam, a public holiday in SL.
    result = period_end(D("2025-06-12"), weeks=1)
    assert result.steps == (
        "Ereignis am Donnerstag, 12.06.2025; dieser Tag wird nicht mitgerechnet, Fristbeginn am Tag danach, "
        "13.06.2025 (§ 187 Abs. 1 BGB).",
        "Fristdauer 1 Woche: die Frist endet am Wochentag des Ereignisses, Donnerstag, 19.06.2025 "
        "(§ 188 Abs. 2 BGB).",
        "Das Fristende fiele auf Donnerstag, 19.06.2025 – kein Werktag: Fronleichnam, gesetzlicher Feiertag "
        "im Land Saarland. Es verschiebt sich auf den nächsten Werktag, Freitag, 20.06.2025 "
        "(§ 193 BGB, § 108 Abs. 3 AO).",
        "Fristende: Freitag, 20.06.2025, 24:00 Uhr.",
    )


def test_month_derivation_cites_188_abs_3() -> None:
    # § 188 Abs. 3 BGB: February 2025 has no 31st day.
    steps = period_end(D("2025-01-31"), months=1).steps
    assert "der Februar 2025 hat keinen 31. Tag" in steps[1]
    assert "(§ 188 Abs. 3 BGB)" in steps[1]


def test_weekend_derivation_lists_every_skipped_day() -> None:
    # 2025-06-14 Saturday, 2025-06-15 Sunday (§ 193 BGB).
    step = period_end(D("2025-06-10"), days=4).steps[2]
    assert "Samstag, 14.06.2025 – kein Werktag: Samstag; ebenso 15.06.2025 (Sonntag)" in step
    assert "Montag, 16.06.2025 (§ 193 BGB, § 108 Abs. 3 AO)" in step


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"days": 1, "weeks": 1}, {"weeks": 1, "months": 1}, {"days": 0}, {"weeks": -1}, {"months": 0}],
)
def test_period_needs_exactly_one_positive_length(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        period_end(D("2025-06-10"), **kwargs)


ADD_MONTHS_CASES = [
    pytest.param("2025-01-31", 1, "2025-02-28", "§ 188 Abs. 3 BGB: last day of February 2025", id="feb"),
    pytest.param("2024-01-31", 1, "2024-02-29", "§ 188 Abs. 3 BGB: leap year 2024", id="feb-leap"),
    pytest.param("2025-12-31", -6, "2025-06-30", "June has 30 days", id="back-six"),
    pytest.param("2025-11-15", 3, "2026-02-15", "same day number across the year end", id="year-end"),
    pytest.param("2025-03-15", -15, "2023-12-15", "15 months back", id="back-fifteen"),
]


@pytest.mark.parametrize(("day", "months", "expected", "source"), ADD_MONTHS_CASES)
def test_add_months(day: str, months: int, expected: str, source: str) -> None:
    assert add_months(D(day), months) == D(expected), source


# --- deemed receipt -------------------------------------------------------------------------------------

RECEIPT_CASES = [
    pytest.param(
        "2025-06-12",
        {},
        "SL",
        "2025-06-16",
        "§ 122 Abs. 2 Nr. 1 AO (from 2025): 4th day after Thursday 12.06.2025 is Monday 16.06.2025",
        id="fourth-day-monday",
    ),
    pytest.param(
        "2025-06-10",
        {},
        "SL",
        "2025-06-16",
        "4th day after 10.06.2025 is Saturday 14.06.; § 108 Abs. 3 AO → Monday 16.06.2025",
        id="fourth-day-saturday",
    ),
    pytest.param(
        "2025-06-11",
        {},
        "SL",
        "2025-06-16",
        "4th day after 11.06.2025 is Sunday 15.06.; § 108 Abs. 3 AO → Monday 16.06.2025",
        id="fourth-day-sunday",
    ),
    pytest.param(
        "2025-06-15",
        {},
        "SL",
        "2025-06-20",
        "4th day after 15.06.2025 is 19.06.2025, Fronleichnam (SL) → Friday 20.06.2025",
        id="fourth-day-fronleichnam",
    ),
    pytest.param(
        "2025-06-15",
        {},
        "BE",
        "2025-06-19",
        "Fronleichnam is no public holiday in Berlin",
        id="fourth-day-fronleichnam-be",
    ),
    pytest.param(
        "2025-01-02",
        {},
        "SL",
        "2025-01-06",
        "4th day after 02.01.2025 is Monday 06.01.2025; Heilige Drei Könige is no holiday in SL",
        id="epiphany-sl",
    ),
    pytest.param(
        "2025-01-02",
        {},
        "BY",
        "2025-01-07",
        "06.01.2025 is Heilige Drei Könige, a public holiday in BY → Tuesday 07.01.2025",
        id="epiphany-by",
    ),
    pytest.param(
        "2024-12-20",
        {},
        "SL",
        "2024-12-23",
        "§ 122 Abs. 2 Nr. 1 AO (until 2024): 3rd day after Friday 20.12.2024 is Monday 23.12.2024",
        id="third-day-2024",
    ),
    pytest.param(
        "2024-12-31",
        {},
        "SL",
        "2025-01-03",
        "posted 31.12.2024, still the old rule: 3rd day is Friday 03.01.2025",
        id="third-day-last-posting-day",
    ),
    pytest.param(
        "2024-06-11",
        {},
        "SL",
        "2024-06-14",
        "§ 122 Abs. 2 Nr. 1 AO (until 2024): 3rd day after 11.06.2024 is Friday 14.06.2024",
        id="third-day-friday",
    ),
    pytest.param(
        "1997-12-18",
        {},
        "SH",
        "1997-12-22",
        "BFH IX R 68/98 (14.10.2003): posted Thursday 18.12.1997, 3rd day Sunday 21.12. → Monday 22.12.1997",
        id="bfh-ix-r-68-98",
    ),
    pytest.param(
        "2025-06-10",
        {"move_to_working_day": False},
        "SL",
        "2025-06-14",
        "§ 122 Abs. 2 Nr. 1 AO without § 108 Abs. 3 AO: the 4th day itself, Saturday 14.06.2025",
        id="no-move",
    ),
    pytest.param(
        "2025-06-10",
        {"days_after_posting": 3},
        "SL",
        "2025-06-13",
        "configured 3-day fiction: Friday 13.06.2025",
        id="configured-three-days",
    ),
    pytest.param(
        "2025-05-19",
        {"abroad": True},
        "SL",
        "2025-06-20",
        "§ 122 Abs. 2 Nr. 2 AO: one month → 19.06.2025, Fronleichnam (SL) → Friday 20.06.2025",
        id="abroad",
    ),
]


@pytest.mark.parametrize(("posted_on", "options", "land", "expected", "source"), RECEIPT_CASES)
def test_deemed_receipt(
    posted_on: str, options: dict[str, Any], land: str, expected: str, source: str
) -> None:
    result = deemed_receipt(D(posted_on), land=land, **options)
    assert result.date == D(expected), source


def test_deemed_receipt_derivation_cites_the_version_and_the_bfh() -> None:
    # § 122 Abs. 2 Nr. 1 AO from 2025; 14.06.2025 is a Saturday, § 108 Abs. 3 AO (BFH IX R 68/98).
    steps = deemed_receipt(D("2025-06-10")).steps
    assert steps[0] == "Aufgabe zur Post am Dienstag, 10.06.2025."
    assert "am vierten Tag nach der Aufgabe zur Post" in steps[1]
    assert "in der ab 01.01.2025 geltenden Fassung" in steps[1]
    assert "IX R 68/98" in steps[2]
    assert steps[-1] == "Bekanntgabe: Montag, 16.06.2025."
    old = deemed_receipt(D("2024-12-20")).steps
    assert "am dritten Tag" in old[1]
    assert "in der bis 31.12.2024 geltenden Fassung" in old[1]


def test_negative_days_after_posting_is_refused() -> None:
    with pytest.raises(ValueError):
        deemed_receipt(D("2025-06-10"), days_after_posting=-1)


# --- the calculator's kinds -----------------------------------------------------------------------------

KIND_CASES = [
    pytest.param(
        "bekanntgabe",
        "2025-06-10",
        "2025-06-16",
        "§ 122 Abs. 2 Nr. 1, § 108 Abs. 3 AO: Sat 14.06. → Mon 16.06.2025",
        id="bekanntgabe",
    ),
    pytest.param("woche", "2025-06-10", "2025-06-17", "§ 188 Abs. 2 BGB: Tuesday to Tuesday", id="woche"),
    pytest.param(
        "zwei-wochen",
        "2025-06-10",
        "2025-06-24",
        "§ 188 Abs. 2 BGB: two weeks, Tuesday 24.06.2025",
        id="zwei-wochen",
    ),
    pytest.param("monat", "2025-06-10", "2025-07-10", "§ 188 Abs. 2 BGB: Thursday 10.07.2025", id="monat"),
    pytest.param(
        PeriodKind.WOCHE, "2025-06-12", "2025-06-20", "19.06.2025 Fronleichnam (SL) → 20.06.", id="enum"
    ),
]


@pytest.mark.parametrize(("kind", "event_day", "expected", "source"), KIND_CASES)
def test_period_for_kind(kind: str, event_day: str, expected: str, source: str) -> None:
    assert period_for_kind(kind, D(event_day)).date == D(expected), source


def test_period_for_kind_takes_the_land() -> None:
    # Fronleichnam (19.06.2025) is no public holiday in Berlin.
    assert period_for_kind("woche", D("2025-06-12"), land="BE").date == D("2025-06-19")


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        period_for_kind("jahr", D("2025-06-10"))


# --- properties -----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31))
LANDS = st.sampled_from(sorted(LAENDER))


@given(
    event_day=DAYS, land=LANDS, unit=st.sampled_from(["days", "weeks", "months"]), count=st.integers(1, 40)
)
def test_a_period_never_ends_on_a_weekend_or_holiday(
    event_day: date, land: str, unit: str, count: int
) -> None:
    # § 193 BGB, § 108 Abs. 3 AO.
    length: dict[str, Any] = {unit: count}
    result = period_end(event_day, land=land, **length)
    assert is_working_day(result.date, land)
    assert result.date.weekday() < 5
    assert public_holiday_name(result.date, land) is None


@given(event_day=DAYS, land=LANDS, weeks=st.integers(1, 10))
def test_a_week_period_ends_on_the_event_weekday_or_is_moved_forward_only(
    event_day: date, land: str, weeks: int
) -> None:
    # § 188 Abs. 2 BGB; § 193 BGB moves forward only, and never past a whole week of non-working days.
    raw = event_day + timedelta(weeks=weeks)
    result = period_end(event_day, weeks=weeks, land=land).date
    assert raw <= result < raw + timedelta(days=7)
    if is_working_day(raw, land):
        assert result == raw


@given(event_day=DAYS, land=LANDS, months=st.integers(1, 24))
def test_a_month_period_ends_on_the_same_day_number_or_the_month_end(
    event_day: date, land: str, months: int
) -> None:
    # § 188 Abs. 2, 3 BGB.
    raw = add_months(event_day, months)
    assert raw.day == event_day.day or (raw.day < event_day.day and (raw + timedelta(days=1)).day == 1)
    assert (raw.year * 12 + raw.month) - (event_day.year * 12 + event_day.month) == months
    result = period_end(event_day, months=months, land=land).date
    assert raw <= result < raw + timedelta(days=7)


@given(posted_on=DAYS, land=LANDS)
def test_deemed_receipt_is_a_working_day_no_earlier_than_the_statutory_day(
    posted_on: date, land: str
) -> None:
    # § 122 Abs. 2 Nr. 1 AO (3 days until 2024, 4 days from 2025), § 108 Abs. 3 AO.
    result = deemed_receipt(posted_on, land=land)
    statutory = 4 if posted_on >= date(2025, 1, 1) else 3
    assert is_working_day(result.date, land)
    assert posted_on + timedelta(days=statutory) <= result.date < posted_on + timedelta(days=statutory + 7)


@given(day=DAYS, land=LANDS)
def test_next_working_day_is_strictly_later_and_skips_only_non_working_days(day: date, land: str) -> None:
    following = next_working_day(day, land)
    assert following > day
    assert is_working_day(following, land)
    between = day + timedelta(days=1)
    while between < following:
        assert not is_working_day(between, land)
        between += timedelta(days=1)
