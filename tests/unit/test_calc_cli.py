"""``kofo calc …``: the calculators on the command line, checked against published figures.

Sources of the expected values:
* Pfändung: LAW.md, "Garnishment limits for earned income (§ 850c ZPO)": exempt 1,555.00 + 585.23 for the
  first dependant; the table rounds income down to 10 EUR and the result half up (2,150.00 with one
  dependant: (2,150.00 − 2,140.23) × 5/10 = 4.885 → 4.89); example rows 1,560.00 → 3.50 (no dependant)
  and 2,500.00 → 179.89 (one dependant).
* Säumniszuschläge: LAW.md, "Late-payment surcharge": 1 % of the principal rounded down to 50 EUR per
  started month: 1,598.00 → base 1,550 → 15.50 per month; due Mon 10.03.2025, paid 15.04.2025: months
  starting 11.03. and 11.04. → 31.00; a partial payment of 500.00 on 20.03. lowers the base of month 2 to
  1,050 → 15.50 + 10.50 = 26.00.
* Fristen: 10.06.2025 (Tue) posted → 4th day Sat 14.06. → Mon 16.06.2025 (§ 122 Abs. 2 Nr. 1 AO,
  § 108 Abs. 3 AO); 19.06.2025 is Fronleichnam in SL, not in BE.
* Verjährung: due 15.08.2020 → 31.12.2025 (§§ 228, 229 AO); interrupted 02.05.2023 → 31.12.2028 (§ 231).
* Gebühren: Kostenordnung SVwVG: Mahngebühr 2.80 + 0.5 % of (480 − 51) = 4.945 → up to 5 cents 4.95;
  AO § 339: Pfändungsgebühr 28.60; Kostenordnung SVwVG § 2: Wegnahme einer Person 28 EUR per started hour.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def calc(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("calc", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize(
    ("args", "expected", "source"),
    [
        (
            ["pfaendung", "--netto", "2150.00", "--unterhaltspflichten", "1", "--zeitraum", "monat",
             "--stichtag", "2025-09-01"],
            489,
            "§ 850c ZPO, 2025 notice: (2150.00 − 2140.23) × 5/10 = 4.885 → 4.89",
        ),
        (
            ["pfaendung", "--netto", "2150,00", "--unterhaltspflichten", "1", "--stichtag", "2025-09-01"],
            489,
            "decimal comma accepted, monat is the default",
        ),
        (
            ["pfaendung", "--netto", "1565.00", "--stichtag", "2025-09-01"],
            350,
            "LAW.md example row 1,560.00–1,569.99 with no dependant → 3.50",
        ),
        (
            ["pfaendung", "--netto", "2505,00", "--unterhaltspflichten", "1", "--stichtag", "2025-09-01"],
            17989,
            "LAW.md example row 2,500.00–2,509.99 with one dependant → 179.89",
        ),
        (
            ["pfaendung", "--netto", "1400.00", "--stichtag", "2025-09-01"],
            0,
            "below the exempt 1,555.00: nothing garnishable",
        ),
        (
            ["saeumnis", "--betrag", "1598.00", "--faellig", "2025-03-10", "--zahlung", "2025-04-15"],
            3100,
            "LAW.md: 1,598.00 → base 1,550 → 15.50 per started month; two months started",
        ),
        (
            ["saeumnis", "--betrag", "1598,00", "--faellig", "2025-03-10", "--zahlung", "2025-04-15",
             "--teilzahlung", "2025-03-20:500.00"],
            2600,
            "LAW.md: a partial payment lowers the base from the month after it: 15.50 + 10.50",
        ),
        (
            ["saeumnis", "--betrag", "1598.00", "--faellig", "2025-03-10", "--zahlung", "2025-03-13"],
            0,
            "§ 240 Abs. 3 AO: paid within the 3-day Schonfrist",
        ),
        (
            ["gebuehr", "--regime", "svwvg_sl", "--art", "mahnung", "--betrag", "480.00",
             "--stichtag", "2025-06-01"],
            495,
            "Kostenordnung SVwVG: 2.80 + 0.5 % × 429.00 = 4.945 → 4.95",
        ),
        (
            ["gebuehr", "--regime", "ao", "--art", "pfaendung", "--betrag", "480.00", "--stichtag", "2025-06-01"],
            2860,
            "§ 339 Abs. 4 AO: Pfändungsgebühr 28.60",
        ),
        (
            ["gebuehr", "--regime", "ao", "--art", "mahnung", "--betrag", "480.00", "--stichtag", "2025-06-01"],
            0,
            "§ 337 Abs. 2 AO: reminders cost no fee",
        ),
        (
            ["gebuehr", "--regime", "svwvg_sl", "--art", "wegnahme-person", "--stunden", "1.5",
             "--stichtag", "2025-06-01"],
            5600,
            "Kostenordnung SVwVG § 2: 28 EUR per started hour, 1.5 h → 2 × 28.00",
        ),
        (
            ["gebuehr", "--regime", "svwvg_sl", "--art", "pfaendung", "--betrag", "1500.00",
             "--stichtag", "2025-06-01", "--einstellung", "svwvg_sl.pfaendung.ueber_1000=32.00"],
            3200,
            "a tier the schedule leaves to the administrator, given as a setting",
        ),
    ],
)  # fmt: skip
def test_amount_calculators(args: list[str], expected: int, source: str) -> None:
    result = calc(*args)
    assert result["result"] == expected, source
    assert isinstance(result["result"], int)
    assert result["derivation"] and all(isinstance(step, str) for step in result["derivation"])


@pytest.mark.parametrize(
    ("args", "expected", "source"),
    [
        (["frist", "--beginn", "2025-06-10", "--art", "bekanntgabe"], "2025-06-16",
         "§ 122 Abs. 2 Nr. 1 AO: 4th day Sat 14.06. → Mon 16.06.2025"),
        (["frist", "--beginn", "2025-06-12", "--art", "woche", "--land", "SL"], "2025-06-20",
         "§ 188 Abs. 2 BGB: Thu 19.06.2025 is Fronleichnam in SL → Fri 20.06."),
        (["frist", "--beginn", "2025-06-12", "--art", "woche", "--land", "BE"], "2025-06-19",
         "Fronleichnam is no holiday in Berlin"),
        (["frist", "--beginn", "2025-06-10", "--art", "zwei-wochen"], "2025-06-24",
         "§ 188 Abs. 2 BGB: two weeks, Tuesday"),
        (["frist", "--beginn", "2025-01-31", "--art", "monat"], "2025-02-28",
         "§ 188 Abs. 3 BGB: no 31 February → last day of the month"),
        (["verjaehrung", "--faellig", "2020-08-15"], "2025-12-31", "§§ 228, 229 Abs. 1 AO"),
        (["verjaehrung", "--faellig", "2020-08-15", "--unterbrechung", "2023-05-02"], "2028-12-31",
         "§ 231 Abs. 1, 3 AO: enforcement measure in 2023 → new period from end of 2023"),
        (["verjaehrung", "--faellig", "2020-08-15", "--unterbrechung", "2023-05-02:teilzahlung"], "2025-12-31",
         "a partial payment does not interrupt (LAW.md)"),
    ],
)  # fmt: skip
def test_date_calculators(args: list[str], expected: str, source: str) -> None:
    result = calc(*args)
    assert result["result"] == expected, source


def test_text_output_shows_the_derivation_in_german() -> None:
    out = io.StringIO()
    call_command("calc", "frist", "--beginn", "2025-06-10", "--art", "bekanntgabe", stdout=out)
    text = out.getvalue()
    assert "§ 122 Abs. 2 Nr. 1 AO" in text
    assert "Ergebnis: Bekanntgabe gilt am Montag, 16.06.2025 als bewirkt" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pfaendung", "--netto", "zweitausend", "--stichtag", "2025-09-01"], "Nettoeinkommen"),
        (["pfaendung", "--netto", "2150.00", "--stichtag", "2031-01-01"], "keine Pfändungsfreigrenzen"),
        (["frist", "--beginn", "31.02.2025", "--art", "woche"], "kein gültiges Datum"),
        (["frist", "--beginn", "2025-06-10", "--art", "woche", "--land", "XX"], "kein Länderkürzel"),
        (["gebuehr", "--regime", "svwvg_sl", "--art", "pfaendung", "--betrag", "1500.00",
          "--stichtag", "2025-06-01"], "nicht hinterlegt"),
        (["saeumnis", "--betrag", "100.00", "--faellig", "2025-03-10", "--teilzahlung", "gestern"],
         "Teilzahlung"),
    ],
)  # fmt: skip
def test_bad_input_is_answered_in_german(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("calc", *args, stdout=io.StringIO())


def test_json_error_carries_a_machine_code() -> None:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("calc", "frist", "--beginn", "kein Datum", "--art", "woche", "--json", stdout=out)
    assert json.loads(out.getvalue())["error"]["code"] == "calc.invalid_date"


def test_the_kofo_entry_point_runs_the_calculator() -> None:
    """The installed ``kofo`` command, as a caseworker types it."""
    env = {**os.environ, "KOFO_DEBUG": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "kofo", "calc", "pfaendung", "--netto", "2150,00", "--unterhaltspflichten", "1",
         "--zeitraum", "monat", "--stichtag", "2025-09-01", "--json"],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )  # fmt: skip
    assert json.loads(completed.stdout)["result"] == 489
