"""kofo.law.garnishment: garnishment limits for earned income (§ 850c ZPO) and the P-Konto (§§ 899, 902 ZPO).

Every row names the source of its expected value:

* "LAW.md": the example rows of ../shared/LAW.md ("Garnishment limits for earned income").
* "table 2025" / "table 2024": the Anhang of the Pfändungsfreigrenzenbekanntmachung 2025 (BGBl. 2025 I
  Nr. 110) / 2024 (BGBl. 2024 I Nr. 160), as reproduced by the sources named in the row.
* "own": own computation, shown in the row, by § 850c ZPO with the amounts of the data file:
  2025/26 monthly 1.555,00 + 585,23 + 326,04 each, cap 4.766,99; weekly 357,87 + 134,69 + 75,04, cap
  1.097,05; daily 71,57 + 26,94 + 15,01, cap 219,42. 2024/25 monthly 1.491,75 + 561,43 + 312,78, cap
  4.573,10. Exempt amounts 2025/26 monthly for 0…5 persons: 1.555,00; 2.140,23; 2.466,27; 2.792,31;
  3.118,35; 3.444,39. Income is rounded down to 10 / 2,50 / 0,50 EUR (§ 850c Abs. 5 ZPO) and the share
  rounded half up.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.law.garnishment import (
    GARNISHABLE_TENTHS,
    GarnishmentParameterError,
    GarnishmentPeriod,
    NoGarnishmentParameters,
    garnishable_amount,
    packaged_parameters,
    parameter_sets,
    parameters_for,
    parse_parameters,
    pkonto_base_protection,
)
from kofo.money import Cents

D = date.fromisoformat
C = Cents.parse

IN_2025 = "2025-09-01"
IN_2024 = "2024-09-01"

# --- the table ------------------------------------------------------------------------------------------

MONTHLY_CASES = [
    pytest.param(
        "1560.00",
        0,
        "3.50",
        "LAW.md example row 1.560,00–1.569,99, no person: (1.560 − 1.555) × 7/10",
        id="law-md-1560",
    ),
    pytest.param(
        "1569.99",
        0,
        "3.50",
        "LAW.md: same table row 1.560,00–1.569,99, computed from 1.560,00",
        id="law-md-1569-99",
    ),
    pytest.param(
        "2500.00",
        1,
        "179.89",
        "LAW.md example row 2.500,00–2.509,99, one person: (2.500 − 2.140,23) × 5/10 = 179,885 → 179,89",
        id="law-md-2500",
    ),
    pytest.param("2509.99", 1, "179.89", "LAW.md: same table row 2.500,00–2.509,99", id="law-md-2509-99"),
    pytest.param(
        "2150.00",
        1,
        "4.89",
        "CLI example (kofo calc pfaendung): (2.150 − 2.140,23) × 5/10 = 4,885 → 4,89",
        id="cli-example",
    ),
    pytest.param("0.00", 0, "0.00", "own: no income, nothing garnishable", id="zero"),
    pytest.param("1000.00", 0, "0.00", "own: below the exempt 1.555,00", id="below-exempt"),
    pytest.param(
        "1555.00",
        0,
        "0.00",
        "own: 1.550,00 after rounding (§ 850c Abs. 5), not above 1.555,00",
        id="at-exempt",
    ),
    pytest.param(
        "1559.99",
        0,
        "0.00",
        "table 2025: first row 'bis 1.559,99' (iww LGP 7/2025; nwb: 'monatlich 1.559,99 €')",
        id="table-first-row",
    ),
    pytest.param(
        "2149.99",
        1,
        "0.00",
        "table 2025: one person free up to 2.149,99 (nwb 2025: 'Freigrenze bei 2.149,99 €')",
        id="table-one-person-free",
    ),
    pytest.param("2000.00", 0, "311.50", "own: (2.000 − 1.555) × 7/10 = 311,50", id="no-person-2000"),
    pytest.param(
        "2475.00",
        2,
        "1.49",
        "own: 2.470,00; (2.470 − 2.466,27) × 4/10 = 1,492 → 1,49",
        id="two-persons-first-step",
    ),
    pytest.param(
        "3000.00", 2, "213.49", "own: (3.000 − 2.466,27) × 4/10 = 213,492 → 213,49", id="two-persons"
    ),
    pytest.param(
        "3000.00", 3, "62.31", "own: (3.000 − 2.792,31) × 3/10 = 62,307 → 62,31", id="three-persons"
    ),
    pytest.param("3500.00", 4, "76.33", "own: (3.500 − 3.118,35) × 2/10 = 76,33", id="four-persons"),
    pytest.param("3500.00", 5, "5.56", "own: (3.500 − 3.444,39) × 1/10 = 5,561 → 5,56", id="five-persons"),
    pytest.param(
        "3500.00", 6, "5.56", "§ 850c Abs. 2 Satz 2 ZPO: six persons count as five → 5,56", id="six-persons"
    ),
    pytest.param(
        "4000.00",
        12,
        "55.56",
        "twelve persons count as five: (4.000 − 3.444,39) × 1/10 = 55,561 → 55,56",
        id="twelve-persons",
    ),
    pytest.param("3449.99", 5, "0.00", "own: 3.440,00 is below 3.444,39", id="five-persons-free"),
    pytest.param(
        "4760.00",
        0,
        "2243.50",
        "own: last table row 4.760,00–4.766,99: (4.760 − 1.555) × 7/10",
        id="last-row",
    ),
    pytest.param("4766.99", 0, "2243.50", "own: at the cap 4.766,99, same last row", id="at-cap"),
    pytest.param(
        "4767.00",
        0,
        "2243.51",
        "own: one cent above the cap: 2.243,50 + 0,01 voll pfändbar (§ 850c Abs. 3 Satz 3)",
        id="cent-above-cap",
    ),
    pytest.param(
        "5000.00", 0, "2476.51", "own: 2.243,50 + (5.000 − 4.766,99 = 233,01) = 2.476,51", id="above-cap"
    ),
    pytest.param(
        "6000.00",
        1,
        "2542.90",
        "own: (4.760 − 2.140,23) × 5/10 = 1.309,885 → 1.309,89 + 1.233,01 = 2.542,90",
        id="above-cap-one-person",
    ),
    pytest.param(
        "5000.00",
        5,
        "364.57",
        "own: (4.760 − 3.444,39) × 1/10 = 131,561 → 131,56 + 233,01 = 364,57",
        id="above-cap-five-persons",
    ),
    pytest.param(
        "5000.00",
        9,
        "364.57",
        "nine persons count as five, above the cap → 364,57",
        id="above-cap-nine-persons",
    ),
]


@pytest.mark.parametrize(("net", "dependants", "expected", "source"), MONTHLY_CASES)
def test_monthly_table_2025(net: str, dependants: int, expected: str, source: str) -> None:
    result = garnishable_amount(C(net), dependants, "monat", D(IN_2025))
    assert result.amount == C(expected), source


WEEKLY_AND_DAILY_CASES = [
    pytest.param(
        "woche", "360.00", 0, "1.49", "own: (360,00 − 357,87) × 7/10 = 1,491 → 1,49", id="week-first-step"
    ),
    pytest.param(
        "woche",
        "362.49",
        0,
        "1.49",
        "own: same step 360,00–362,49 (2,50 EUR, § 850c Abs. 5 Satz 1 Nr. 2)",
        id="week-step-upper",
    ),
    pytest.param("woche", "359.99", 0, "0.00", "own: rounded down to 357,50, below 357,87", id="week-below"),
    pytest.param("woche", "500.00", 1, "3.72", "own: (500,00 − 492,56) × 5/10 = 3,72", id="week-one-person"),
    pytest.param(
        "woche",
        "900.00",
        5,
        "10.73",
        "own: exempt 357,87 + 134,69 + 4 × 75,04 = 792,72; (900 − 792,72) × 1/10 = 10,728 → 10,73",
        id="week-five-persons",
    ),
    pytest.param(
        "woche",
        "1097.05",
        0,
        "515.99",
        "own: at the weekly cap; 1.095,00; (1.095 − 357,87) × 7/10 = 515,991 → 515,99",
        id="week-at-cap",
    ),
    pytest.param(
        "woche",
        "1200.00",
        0,
        "618.94",
        "own: 515,99 + (1.200 − 1.097,05 = 102,95) = 618,94",
        id="week-above-cap",
    ),
    pytest.param(
        "tag", "72.00", 0, "0.30", "own: (72,00 − 71,57) × 7/10 = 0,301 → 0,30", id="day-first-step"
    ),
    pytest.param(
        "tag",
        "72.49",
        0,
        "0.30",
        "own: same step 72,00–72,49 (0,50 EUR, § 850c Abs. 5 Satz 1 Nr. 3)",
        id="day-step-upper",
    ),
    pytest.param("tag", "71.99", 0, "0.00", "own: rounded down to 71,50, below 71,57", id="day-below"),
    pytest.param(
        "tag",
        "100.00",
        1,
        "0.75",
        "own: (100,00 − 98,51) × 5/10 = 0,745 → 0,75 half up (not 0,74 half even)",
        id="day-half-up",
    ),
    pytest.param(
        "tag",
        "250.00",
        0,
        "133.78",
        "own: 219,00; (219 − 71,57) × 7/10 = 103,201 → 103,20 + (250 − 219,42 = 30,58) = 133,78",
        id="day-above-cap",
    ),
]


@pytest.mark.parametrize(("period", "net", "dependants", "expected", "source"), WEEKLY_AND_DAILY_CASES)
def test_weekly_and_daily_table_2025(
    period: str, net: str, dependants: int, expected: str, source: str
) -> None:
    result = garnishable_amount(C(net), dependants, period, D(IN_2025))
    assert result.amount == C(expected), source


# The 2024/25 free limits per number of persons, as published from the 2024 table by dcd-insolvenzverwaltung.de
# ("Pfändungsfreigrenze ab 1. Juli 2024": 1.499,99; 2.059,99; 2.369,99; 2.679,99; 2.999,99; 3.309,99), and the
# first garnishable row after each (own: exempt 1.491,75; 2.053,18; 2.365,96; 2.678,74; 2.991,52; 3.304,30).
TABLE_2024_CASES = [
    pytest.param("1499.99", 0, "0.00", "table 2024: free up to 1.499,99", id="0-free"),
    pytest.param("1500.00", 0, "5.78", "own: (1.500 − 1.491,75) × 7/10 = 5,775 → 5,78", id="0-first"),
    pytest.param("2059.99", 1, "0.00", "table 2024: free up to 2.059,99", id="1-free"),
    pytest.param("2060.00", 1, "3.41", "own: (2.060 − 2.053,18) × 5/10 = 3,41", id="1-first"),
    pytest.param("2369.99", 2, "0.00", "table 2024: free up to 2.369,99", id="2-free"),
    pytest.param("2370.00", 2, "1.62", "own: (2.370 − 2.365,96) × 4/10 = 1,616 → 1,62", id="2-first"),
    pytest.param("2679.99", 3, "0.00", "table 2024: free up to 2.679,99", id="3-free"),
    pytest.param("2680.00", 3, "0.38", "own: (2.680 − 2.678,74) × 3/10 = 0,378 → 0,38", id="3-first"),
    pytest.param("2999.99", 4, "0.00", "table 2024: free up to 2.999,99", id="4-free"),
    pytest.param("3000.00", 4, "1.70", "own: (3.000 − 2.991,52) × 2/10 = 1,696 → 1,70", id="4-first"),
    pytest.param("3309.99", 5, "0.00", "table 2024: free up to 3.309,99", id="5-free"),
    pytest.param("3310.00", 5, "0.57", "own: (3.310 − 3.304,30) × 1/10 = 0,57", id="5-first"),
    pytest.param(
        "2100.00",
        0,
        "425.78",
        "own: (2.100 − 1.491,75) × 7/10 = 425,775 → 425,78 (schuldnerberatung-nachrichten.de 2024: 'netto 2.100 € … 426 € pfändbar', rounded)",
        id="0-2100",
    ),
    pytest.param(
        "5000.00",
        0,
        "2581.68",
        "own: 4.570,00; (4.570 − 1.491,75) × 7/10 = 2.154,775 → 2.154,78 + (5.000 − 4.573,10 = 426,90) = 2.581,68",
        id="0-above-cap",
    ),
]


@pytest.mark.parametrize(("net", "dependants", "expected", "source"), TABLE_2024_CASES)
def test_monthly_table_2024(net: str, dependants: int, expected: str, source: str) -> None:
    result = garnishable_amount(C(net), dependants, GarnishmentPeriod.MONAT, D(IN_2024))
    assert result.amount == C(expected), source


# --- periods of validity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected", "source"),
    [
        pytest.param(
            "2024-07-01",
            "47.78",
            "2024/25 values: (1.560 − 1.491,75) × 7/10 = 47,775 → 47,78",
            id="first-day-2024",
        ),
        pytest.param(
            "2025-06-30",
            "47.78",
            "last day of the 2024/25 period (LAW.md: the table changes every 1 July)",
            id="last-day-2024",
        ),
        pytest.param(
            "2025-07-01",
            "3.50",
            "first day of 2025/26: LAW.md example row 1.560,00 → 3,50",
            id="first-day-2025",
        ),
        pytest.param("2026-06-30", "3.50", "last day of the 2025/26 period", id="last-day-2025"),
    ],
)
def test_the_date_selects_the_bekanntmachung(day: str, expected: str, source: str) -> None:
    assert garnishable_amount(C("1560.00"), 0, "monat", D(day)).amount == C(expected), source


def test_parameters_for_names_the_source_and_validity() -> None:
    new = parameters_for(D("2025-07-01"))
    assert (new.valid_from, new.valid_until) == (D("2025-07-01"), D("2026-06-30"))
    assert new.source == "Pfändungsfreigrenzenbekanntmachung 2025 (BGBl. 2025 I Nr. 110)"
    assert new.monat.exempt_base == C("1555.00")  # LAW.md
    old = parameters_for(D("2025-06-30"))
    assert old.valid_from == D("2024-07-01")
    assert "Pfändungsfreigrenzenbekanntmachung 2024" in old.source
    assert (old.monat.exempt_base, old.monat.first_dependant, old.monat.further_dependant, old.monat.cap) == (
        C("1491.75"),
        C("561.43"),
        C("312.78"),
        C("4573.10"),
    )  # LAW.md: "the 2024/25 values: 1,491.75; 561.43; 312.78; cap 4,573.10"


@pytest.mark.parametrize("day", ["2024-06-30", "2027-07-01", "2030-01-01", "1999-12-31"])
def test_a_date_outside_every_file_is_an_error(day: str) -> None:
    with pytest.raises(NoGarnishmentParameters) as caught:
        garnishable_amount(C("2000.00"), 0, "monat", D(day))
    message = str(caught.value)
    assert f"Für den Stichtag {D(day).strftime('%d.%m.%Y')} sind keine Pfändungsfreigrenzen" in message
    assert "01.07.2024 bis 30.06.2025, 01.07.2025 bis 30.06.2026, 01.07.2026 bis 30.06.2027" in message
    assert "Die Verwaltung muss" in message
    assert caught.value.code == "pfaendung.keine_parameter"
    with pytest.raises(NoGarnishmentParameters):
        pkonto_base_protection(D(day))


# --- the derivation -------------------------------------------------------------------------------------


def test_cli_example_derivation() -> None:
    # kofo calc pfaendung --netto 2150.00 --unterhaltspflichten 1 --zeitraum monat --stichtag 2025-09-01
    result = garnishable_amount(C("2150.00"), 1, "monat", D("2025-09-01"))
    assert result.amount == C("4.89")
    assert result.exempt == C("2140.23")
    assert result.rounded_income == C("2150.00")
    assert result.share == Fraction(5, 10)
    assert result.period is GarnishmentPeriod.MONAT
    assert result.source == "Pfändungsfreigrenzenbekanntmachung 2025 (BGBl. 2025 I Nr. 110)"
    assert result.excess_over_cap == C("0")
    assert result.dependants_counted == 1
    assert result.retained == C("2145.11")
    assert result.steps == (
        "Maßgeblich sind die Pfändungsfreigrenzen vom 01.07.2025 bis 30.06.2026 (§ 850c Abs. 4 ZPO), "
        "Quelle: Pfändungsfreigrenzenbekanntmachung 2025 (BGBl. 2025 I Nr. 110). Stichtag 01.09.2025; "
        "Nettoeinkommen 2.150,00 EUR monatlich.",
        "Unpfändbarer Betrag: Grundbetrag 1.555,00 EUR (§ 850c Abs. 1 Nr. 1 ZPO) zuzüglich 585,23 EUR für die "
        "erste unterhaltsberechtigte Person (§ 850c Abs. 2 Satz 1 Nr. 1 ZPO) = 2.140,23 EUR monatlich.",
        "2.150,00 EUR abgerundet auf volle 10 Euro: 2.150,00 EUR (§ 850c Abs. 5 Satz 1 Nr. 1 ZPO; "
        "Tabellenstufe 2.150,00 bis 2.159,99 EUR).",
        "Mehrbetrag über dem unpfändbaren Betrag: 2.150,00 EUR − 2.140,23 EUR = 9,77 EUR. Davon bleiben 3/10 "
        "sowie 2/10 für die erste Person unpfändbar (§ 850c Abs. 3 Satz 1, 2 ZPO); pfändbar sind 5/10: "
        "9,77 EUR × 5/10 = 4,885 EUR, kaufmännisch auf volle Cent gerundet 4,89 EUR.",
        "Pfändbarer Betrag: 4,89 EUR monatlich; dem Schuldner verbleiben 2.145,11 EUR.",
    )


def test_derivation_above_the_cap_cites_abs_3_satz_3() -> None:
    # own: 5.000,00 monthly, no person → 2.243,50 + 233,01 = 2.476,51 (§ 850c Abs. 3 Satz 3, Abs. 5 ZPO).
    result = garnishable_amount(C("5000.00"), 0, "monat", D(IN_2025))
    assert result.excess_over_cap == C("233.01")
    assert result.rounded_income == C("4760.00")
    assert result.share == Fraction(7, 10)
    assert any(
        "übersteigt den Höchstbetrag von 4.766,99 EUR monatlich" in step
        and "233,01 EUR" in step
        and "(§ 850c Abs. 3 Satz 3 Nr. 1 ZPO)" in step
        for step in result.steps
    )
    assert "Tabellenstufe 4.760,00 bis 4.766,99 EUR" in result.steps[3]
    assert result.steps[-2] == (
        "Pfändbar sind 2.243,50 EUR zuzüglich des voll pfändbaren Mehrbetrags von 233,01 EUR = 2.476,51 EUR "
        "(§ 850c Abs. 3 Satz 3 ZPO)."
    )


def test_derivation_counts_at_most_five_persons() -> None:
    # § 850c Abs. 2 Satz 2 ZPO: the increase covers the second to fifth person.
    result = garnishable_amount(C("3500.00"), 6, "monat", D(IN_2025))
    assert result.dependants_counted == 5
    assert result.share == Fraction(1, 10)
    assert result.exempt == C("3444.39")
    assert (
        "Der Schuldner gewährt 6 Personen Unterhalt; berücksichtigt werden höchstens fünf" in result.steps[1]
    )
    assert (
        "4 × 326,04 EUR für die zweite bis fünfte Person (§ 850c Abs. 2 Satz 2 Nr. 1 ZPO)" in result.steps[2]
    )


def test_derivation_of_a_weekly_income_below_the_exempt_amount() -> None:
    # own: 362,49 weekly with three persons; exempt 357,87 + 134,69 + 2 × 75,04 = 642,64.
    result = garnishable_amount(C("362.49"), 3, "woche", D(IN_2025))
    assert result.amount == C("0.00")
    assert result.exempt == C("642.64")
    assert (
        "2 × 75,04 EUR für die zweite und dritte Person (§ 850c Abs. 2 Satz 2 Nr. 2 ZPO)" in result.steps[1]
    )
    assert (
        "abgerundet auf ein Vielfaches von 2,50 EUR: 360,00 EUR (§ 850c Abs. 5 Satz 1 Nr. 2 ZPO"
        in result.steps[2]
    )
    assert "übersteigt den unpfändbaren Betrag von 642,64 EUR nicht" in result.steps[3]
    assert result.steps[-1] == "Pfändbarer Betrag: 0,00 EUR wöchentlich; dem Schuldner verbleiben 362,49 EUR."


@pytest.mark.parametrize(("dependants", "tenths"), [*enumerate(GARNISHABLE_TENTHS), (6, 1), (40, 1)])
def test_the_share_per_number_of_persons(dependants: int, tenths: int) -> None:
    # § 850c Abs. 3 Satz 1, 2 ZPO / LAW.md: 7/10, 5/10, 4/10, 3/10, 2/10, 1/10; more than five count as five.
    assert garnishable_amount(C("4000.00"), dependants, "monat", D(IN_2025)).share == Fraction(tenths, 10)


@pytest.mark.parametrize(
    ("net", "dependants", "period", "error"),
    [
        pytest.param(C("-0.01"), 0, "monat", ValueError, id="negative-income"),
        pytest.param(C("100.00"), -1, "monat", ValueError, id="negative-persons"),
        pytest.param(C("100.00"), 0, "jahr", ValueError, id="unknown-period"),
        pytest.param(10000, 0, "monat", TypeError, id="plain-int-income"),
        pytest.param(Decimal("100.00"), 0, "monat", TypeError, id="decimal-income"),
        pytest.param(C("100.00"), True, "monat", TypeError, id="bool-persons"),
    ],
)
def test_bad_input_is_refused(net: object, dependants: object, period: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        garnishable_amount(net, dependants, period, D(IN_2025))  # type: ignore[arg-type]


def test_unknown_period_message_is_german() -> None:
    with pytest.raises(
        ValueError, match=re.escape("Unbekannter Zeitraum „jahr“; erlaubt sind monat, woche, tag.")
    ):
        garnishable_amount(C("100.00"), 0, "jahr", D(IN_2025))


# --- P-Konto ---------------------------------------------------------------------------------------------

PKONTO_CASES = [
    pytest.param(
        IN_2025, 0, "1560.00", "LAW.md: P-Konto base protection from 1 July 2025: 1,560.00", id="2025"
    ),
    pytest.param(IN_2025, 1, "2145.23", "§ 902 Satz 1 Nr. 1 a ZPO: 1.560,00 + 585,23", id="2025-one"),
    pytest.param(IN_2025, 2, "2471.27", "1.560,00 + 585,23 + 326,04", id="2025-two"),
    pytest.param(IN_2025, 5, "3449.39", "1.560,00 + 585,23 + 4 × 326,04", id="2025-five"),
    pytest.param(IN_2025, 6, "3449.39", "§ 850c Abs. 2 Satz 2 ZPO: at most five persons", id="2025-six"),
    pytest.param(
        IN_2024, 0, "1500.00", "§ 899 Abs. 1 Satz 1 ZPO: 1.491,75 rounded up to full 10 EUR", id="2024"
    ),
    pytest.param(IN_2024, 1, "2061.43", "1.500,00 + 561,43", id="2024-one"),
]


@pytest.mark.parametrize(("day", "dependants", "expected", "source"), PKONTO_CASES)
def test_pkonto_base_protection(day: str, dependants: int, expected: str, source: str) -> None:
    assert pkonto_base_protection(D(day), dependants) == C(expected), source


def test_pkonto_refuses_negative_persons() -> None:
    with pytest.raises(ValueError):
        pkonto_base_protection(D(IN_2025), -1)


# --- the data files -------------------------------------------------------------------------------------

# The amounts of the Pfändungsfreigrenzenbekanntmachung 2023 as the 2024 notice names them ("von … auf …",
# BGBl. 2024 I Nr. 160, reproduced by buzer.de): monthly, weekly, daily for base, first, further, cap.
AMOUNTS_2023 = {
    "monat": ("1402.28", "527.76", "294.02", "4298.81"),
    "woche": ("322.72", "121.46", "67.67", "989.31"),
    "tag": ("64.54", "24.29", "13.54", "197.87"),
}
# § 32a Abs. 1 Satz 2 Nr. 1 EStG on 1 January of each year (the basis of § 850c Abs. 4 Satz 2 ZPO).
GRUNDFREIBETRAG = {2023: 10_908, 2024: 11_604, 2025: 12_096}


def _amount_tuple(day: str, period: str) -> tuple[Cents, ...]:
    amounts = parameters_for(D(day)).amounts(period)
    return (amounts.exempt_base, amounts.first_dependant, amounts.further_dependant, amounts.cap)


def _adjusted(previous: Cents, year: int) -> Cents:
    factor = Fraction(GRUNDFREIBETRAG[year], GRUNDFREIBETRAG[year - 1])
    exact = factor * int(previous)
    quotient, remainder = divmod(exact.numerator, exact.denominator)
    return Cents(quotient + (1 if 2 * remainder >= exact.denominator else 0))  # half up


@pytest.mark.parametrize("period", ["monat", "woche", "tag"])
def test_2024_amounts_follow_the_grundfreibetrag(period: str) -> None:
    # § 850c Abs. 4 Satz 2 ZPO: 2023 amounts × 11.604 / 10.908, rounded half up, give every 2024 amount.
    expected = tuple(_adjusted(C(value), 2024) for value in AMOUNTS_2023[period])
    assert _amount_tuple("2024-07-01", period) == expected


@pytest.mark.parametrize("period", ["monat", "woche", "tag"])
def test_2025_amounts_follow_the_grundfreibetrag(period: str) -> None:
    # § 850c Abs. 4 Satz 2 ZPO: 2024 amounts × 12.096 / 11.604, rounded half up, give the 2025 amounts --
    # except the monthly and daily caps, which the Bekanntmachung 2025 states one cent lower (4.766,99 as in
    # LAW.md, where the ratio gives 4.766,9957; 219,42 where it gives 219,4250).
    computed = [_adjusted(value, 2025) for value in _amount_tuple("2024-07-01", period)]
    if period in ("monat", "tag"):
        computed[3] = computed[3] - Cents(1)
    assert _amount_tuple("2025-07-01", period) == tuple(computed)


def test_every_packaged_file_keeps_the_rules_of_the_law() -> None:
    files = packaged_parameters()
    assert [item.valid_from for item in files] == [D("2024-07-01"), D("2025-07-01"), D("2026-07-01")]
    for earlier, later in pairwise(files):
        assert (later.valid_from - earlier.valid_until).days == 1  # no gap, no overlap
    for item in files:
        # § 899 Abs. 1 Satz 1 ZPO: the monthly amount rounded up to the next full 10 EUR.
        assert item.pkonto_base == item.monat.exempt_base.round_up_to(Cents(1000))
        assert item.origin.startswith("kofo/law/data/pfaendung/")


# A copy of the Pfändungsfreigrenzenbekanntmachung 2022 (BGBl. I S. 825; values as reproduced by lexaris.de and
# famrb.de), used to check the computation against an official table row by row.
BEKANNTMACHUNG_2022 = """
valid_from = 2022-07-01
valid_until = 2023-06-30
source = "Pfändungsfreigrenzenbekanntmachung 2022 (BGBl. I S. 825)"
pkonto_base = "1340.00"

[monat]
exempt_base = "1330.16"
first_dependant = "500.62"
further_dependant = "278.90"
cap = "4077.72"

[woche]
exempt_base = "306.12"
first_dependant = "115.21"
further_dependant = "64.19"
cap = "938.43"

[tag]
exempt_base = "61.22"
first_dependant = "23.04"
further_dependant = "12.84"
cap = "187.69"
"""


@pytest.fixture
def extra_dir(tmp_path: Path) -> Path:
    (tmp_path / "2022-07-01.toml").write_text(BEKANNTMACHUNG_2022, encoding="utf-8")
    (tmp_path / "LIESMICH.txt").write_text("not a parameter file", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("net", "expected", "source"),
    [
        pytest.param("1339.99", "0.00", "table 2022: 'bis 1.339,99 –'", id="first-row"),
        pytest.param(
            "1340.00",
            "6.89",
            "table 2022: 1.340,00 bis 1.349,99 → 6,89 ((1.340 − 1.330,16) × 7/10 = 6,888)",
            id="1340",
        ),
        pytest.param("1349.99", "6.89", "table 2022: same row", id="1349-99"),
        pytest.param("1500.00", "118.89", "table 2022: 1.500,00 bis 1.509,99 → 118,89", id="1500"),
        pytest.param("1565.00", "160.89", "table 2022: 1.560,00 bis 1.569,99 → 160,89", id="1565"),
    ],
)
def test_an_official_table_is_reproduced_from_an_extra_file(
    extra_dir: Path, net: str, expected: str, source: str
) -> None:
    result = garnishable_amount(C(net), 0, "monat", D("2022-10-01"), extra_dir=extra_dir)
    assert result.amount == C(expected), source
    assert result.source == "Pfändungsfreigrenzenbekanntmachung 2022 (BGBl. I S. 825)"


def test_an_extra_directory_adds_a_period_without_a_code_change(extra_dir: Path) -> None:
    assert [item.valid_from for item in parameter_sets(extra_dir)] == [
        D("2022-07-01"),
        D("2024-07-01"),
        D("2025-07-01"),
        D("2026-07-01"),
    ]
    assert pkonto_base_protection(D("2023-06-30"), extra_dir=extra_dir) == C("1340.00")
    # The gap 01.07.2023–30.06.2024 stays an error: no fallback to a neighbouring period.
    with pytest.raises(
        NoGarnishmentParameters, match=re.escape("01.07.2022 bis 30.06.2023, 01.07.2024 bis 30.06.2025")
    ):
        parameters_for(D("2023-07-01"), extra_dir=extra_dir)
    # Without the extra directory the packaged files alone count.
    with pytest.raises(NoGarnishmentParameters):
        parameters_for(D("2022-10-01"))


def test_a_missing_extra_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GarnishmentParameterError, match="gibt es nicht") as caught:
        parameters_for(D(IN_2025), extra_dir=tmp_path / "fehlt")
    assert caught.value.code == "pfaendung.verzeichnis_fehlt"


def test_an_overlapping_extra_file_is_an_error(tmp_path: Path) -> None:
    overlapping = BEKANNTMACHUNG_2022.replace("2022-07-01", "2025-01-01").replace("2023-06-30", "2025-12-31")
    (tmp_path / "2025-01-01.toml").write_text(overlapping, encoding="utf-8")
    with pytest.raises(GarnishmentParameterError, match="überschneiden sich") as caught:
        parameters_for(D(IN_2025), extra_dir=tmp_path)
    assert caught.value.code == "pfaendung.ueberschneidung"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            'exempt_base = "1330.16"', "exempt_base = 1330.16", "genau zwei Nachkommastellen", id="toml-float"
        ),
        pytest.param(
            'exempt_base = "1330.16"',
            'exempt_base = "1.330,16"',
            "genau zwei Nachkommastellen",
            id="german-form",
        ),
        pytest.param(
            'exempt_base = "1330.16"', 'exempt_base = "0.00"', "größer als 0,00 EUR", id="zero-amount"
        ),
        pytest.param('cap = "4077.72"', "", "es fehlt „cap“ im Abschnitt [monat]", id="missing-cap"),
        pytest.param(
            'cap = "4077.72"', 'cap = "4077.72"\nkap = "1.00"', "unbekannte Angabe „kap“", id="unknown-key"
        ),
        pytest.param('cap = "4077.72"', 'cap = "2900.00"', "Höchstbetrag", id="cap-below-exempt"),
        pytest.param(
            'pkonto_base = "1340.00"',
            'pkonto_base = "1330.16"',
            "§ 899 Abs. 1 Satz 1 ZPO",
            id="pkonto-not-rounded",
        ),
        pytest.param(
            "valid_until = 2023-06-30",
            "valid_until = 2022-06-30",
            "liegt vor valid_from",
            id="until-before-from",
        ),
        pytest.param(
            "valid_from = 2022-07-01", 'valid_from = "2022-07-01"', "muss ein Datum", id="date-as-text"
        ),
        pytest.param(
            "valid_from = 2022-07-01", "valid_from = 2022-07-01T00:00:00", "muss ein Datum", id="datetime"
        ),
        pytest.param("[tag]", "[tag", "kein gültiges TOML", id="bad-toml"),
    ],
)
def test_a_malformed_file_is_refused_with_a_german_message(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in BEKANNTMACHUNG_2022
    (tmp_path / "2022-07-01.toml").write_text(BEKANNTMACHUNG_2022.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(
        GarnishmentParameterError, match=re.escape("2022-07-01.toml ist fehlerhaft")
    ) as caught:
        parameter_sets(tmp_path)
    assert message in str(caught.value)
    assert caught.value.code == "pfaendung.datei_fehlerhaft"


def test_the_file_name_must_be_the_first_day(tmp_path: Path) -> None:
    (tmp_path / "2022.toml").write_text(BEKANNTMACHUNG_2022, encoding="utf-8")
    with pytest.raises(
        GarnishmentParameterError, match=re.escape("Dateiname muss dem Beginn entsprechen: 2022-07-01.toml")
    ):
        parameter_sets(tmp_path)


def test_parse_parameters_reads_a_file() -> None:
    parameters = parse_parameters(BEKANNTMACHUNG_2022, "2022-07-01.toml")
    assert parameters.woche.cap == C("938.43")
    assert parameters.amounts("tag").exempt(2) == C("97.10")  # 61,22 + 23,04 + 12,84
    assert parameters.covers(D("2023-06-30")) and not parameters.covers(D("2023-07-01"))
    assert parameters.validity_de == "01.07.2022 bis 30.06.2023"


# --- properties -----------------------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 7, 1), max_value=date(2026, 6, 30))
PERIODS = st.sampled_from(list(GarnishmentPeriod))
INCOMES = st.integers(min_value=0, max_value=2_000_000).map(Cents)  # up to 20.000,00 EUR
PERSONS = st.integers(min_value=0, max_value=8)


@given(day=DAYS, period=PERIODS, persons=PERSONS, first=INCOMES, second=INCOMES)
def test_more_income_never_garnishes_less(
    day: date, period: GarnishmentPeriod, persons: int, first: Cents, second: Cents
) -> None:
    low, high = sorted((first, second))
    assert (
        garnishable_amount(low, persons, period, day).amount
        <= garnishable_amount(high, persons, period, day).amount
    )


@given(day=DAYS, period=PERIODS, income=INCOMES, first=PERSONS, second=PERSONS)
def test_more_persons_never_garnish_more(
    day: date, period: GarnishmentPeriod, income: Cents, first: int, second: int
) -> None:
    fewer, more = sorted((first, second))
    assert (
        garnishable_amount(income, more, period, day).amount
        <= garnishable_amount(income, fewer, period, day).amount
    )


@given(day=DAYS, period=PERIODS, persons=PERSONS, income=INCOMES)
def test_the_amount_is_between_zero_and_the_income(
    day: date, period: GarnishmentPeriod, persons: int, income: Cents
) -> None:
    result = garnishable_amount(income, persons, period, day)
    assert isinstance(result.amount, Cents)
    assert 0 <= result.amount <= income
    # Below the cap the debtor keeps at least the exempt amount (§ 850c Abs. 1, 2 ZPO).
    if result.excess_over_cap == 0:
        assert result.retained >= min(income, result.exempt)
    # The share is that of the published table (§ 850c Abs. 3 Satz 1, 2 ZPO).
    assert result.share == Fraction(GARNISHABLE_TENTHS[min(persons, 5)], 10)


@given(day=DAYS, period=PERIODS, persons=PERSONS, income=INCOMES)
def test_the_amount_is_the_table_formula(
    day: date, period: GarnishmentPeriod, persons: int, income: Cents
) -> None:
    # An independent restatement of § 850c Abs. 3, 5 ZPO with Decimal arithmetic.
    amounts = parameters_for(day).amounts(period)
    exempt = amounts.exempt(persons).to_decimal()
    step = period.rounding_step.to_decimal()
    considered = min(income, amounts.cap).to_decimal()
    rounded = (considered / step).to_integral_value(rounding=ROUND_FLOOR) * step
    share = Decimal(GARNISHABLE_TENTHS[min(persons, 5)]) / 10
    part = max(Decimal(0), (rounded - exempt) * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    excess = max(Decimal(0), income.to_decimal() - amounts.cap.to_decimal())
    assert garnishable_amount(income, persons, period, day).amount.to_decimal() == part + excess


def test_the_2026_period_is_derived_by_the_statutory_rule_and_says_so() -> None:
    """§ 850c Abs. 4 ZPO: 2025/26 amounts × Grundfreibetrag 2026 / 2025 (12,348 / 12,096 EUR, § 32a Abs. 1
    Satz 2 Nr. 1 EStG), half up. The notice itself was not at hand: the file is marked provisional and every
    derivation from it carries the caveat."""
    old, new = parameters_for(D("2026-06-30")), parameters_for(D("2026-07-01"))
    assert old.provisional == ""
    factor = Decimal(12348) / Decimal(12096)
    for period in ("monat", "woche", "tag"):
        for key in ("exempt_base", "first_dependant", "further_dependant", "cap"):
            expected = Cents.from_decimal(
                getattr(old.amounts(period), key).to_decimal() * factor, rounding=ROUND_HALF_UP
            )
            assert getattr(new.amounts(period), key) == expected, (period, key)
    result = garnishable_amount(C("2150.00"), 1, "monat", D("2026-11-25"))
    assert any(step.startswith("Achtung, vorläufige Werte:") for step in result.steps)
    assert new.provisional
