"""Periods and deadlines: §§ 187–193 BGB via § 108 AO, deemed receipt of posted notices (§ 122 Abs. 2 AO).

Every function returns a :class:`DateResult`: the date and the German sentences that derive it, so that
the calculators and the UI can explain each step ("Fristbeginn: …", "Fristende: …").

Rules implemented (see ../shared/LAW.md, "Prerequisites of enforcement"):

* § 108 Abs. 1 AO: periods are computed by §§ 187–193 BGB.
* § 187 Abs. 1 BGB: the day of the event that starts the period (posting, service, due date) is not
  counted; the period starts the next day.
* § 188 BGB: a period of days ends with the last day (Abs. 1); of weeks on the weekday named like the event
  day, of months on the day with the same number (Abs. 2); when that day does not exist in the last month,
  on the month's last day (Abs. 3).
* § 193 BGB, § 108 Abs. 3 AO: a period ending on a Saturday, Sunday or public holiday of the Land ends on
  the next working day.
* § 122 Abs. 2 Nr. 1 AO: a notice posted within Germany is deemed notified on the 4th day after posting
  (amended by the Postrechtsmodernisierungsgesetz for notices posted after 31.12.2024), the 3rd day for
  notices posted before; Nr. 2: one month after posting abroad. The day moves to the next working day like
  a period end (§ 108 Abs. 3 AO; BFH, Urteil vom 14.10.2003, IX R 68/98, BStBl. II 2003 S. 898).

Public holidays come from the ``holidays`` library for the Land (``land``, a code such as ``"SL"``,
``"NW"``, ``"BY"``; default Saarland). Only statewide public holidays count; holidays of single
municipalities (e.g. Mariä Himmelfahrt in Bavarian communities, the Augsburg peace festival) do not.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

import holidays

DEFAULT_LAND = "SL"

#: The 16 Länder by their ISO 3166-2 code (as the ``holidays`` library names them) and German name.
LAENDER: Mapping[str, str] = MappingProxyType(
    {
        "BB": "Brandenburg",
        "BE": "Berlin",
        "BW": "Baden-Württemberg",
        "BY": "Bayern",
        "HB": "Bremen",
        "HE": "Hessen",
        "HH": "Hamburg",
        "MV": "Mecklenburg-Vorpommern",
        "NI": "Niedersachsen",
        "NW": "Nordrhein-Westfalen",
        "RP": "Rheinland-Pfalz",
        "SH": "Schleswig-Holstein",
        "SL": "Saarland",
        "SN": "Sachsen",
        "ST": "Sachsen-Anhalt",
        "TH": "Thüringen",
    }
)

#: § 122 Abs. 2 Nr. 1 AO as amended by the Postrechtsmodernisierungsgesetz: 4th day for notices posted
#: from this day on, 3rd day for notices posted before.
POSTAL_REFORM_FROM = date(2025, 1, 1)
DEEMED_RECEIPT_DAYS = 4
DEEMED_RECEIPT_DAYS_BEFORE_REFORM = 3

WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_ORDINALS_DE = {1: "ersten", 2: "zweiten", 3: "dritten", 4: "vierten", 5: "fünften", 6: "sechsten"}

MOVE_CITATION = "§ 193 BGB, § 108 Abs. 3 AO"
RECEIPT_MOVE_CITATION = "§ 108 Abs. 3 AO; BFH, Urteil vom 14.10.2003, IX R 68/98"
MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass(frozen=True, slots=True)
class DateResult:
    """A computed date and its derivation: German sentences, each citing its paragraph."""

    date: date
    steps: tuple[str, ...]


class PeriodKind(StrEnum):
    """The periods the calculator (``kofo calc frist --art …``) offers."""

    BEKANNTGABE = "bekanntgabe"
    WOCHE = "woche"
    ZWEI_WOCHEN = "zwei-wochen"
    MONAT = "monat"


# --- formatting -----------------------------------------------------------------------------------------


def format_date(day: date) -> str:
    """German date format ``dd.mm.yyyy`` (DIN 5008 numeric form)."""
    return day.strftime("%d.%m.%Y")


def format_day(day: date) -> str:
    """Weekday and date, e.g. ``Samstag, 14.06.2025``."""
    return f"{WEEKDAYS_DE[day.weekday()]}, {format_date(day)}"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


# --- calendar of the Land -------------------------------------------------------------------------------


def check_land(land: str) -> str:
    """Return ``land`` if it is the code of a Land (``LAENDER``), else raise ``ValueError``."""
    if land not in LAENDER:
        known = ", ".join(sorted(LAENDER))
        raise ValueError(f"Unbekanntes Land „{land}“; erlaubt sind die Kürzel {known}.")
    return land


@lru_cache(maxsize=512)
def _holidays_of(land: str, year: int) -> Mapping[date, str]:
    calendar_ = holidays.country_holidays("DE", subdiv=land, years=year, language="de")
    return MappingProxyType({day: str(name) for day, name in calendar_.items()})


def public_holiday_name(day: date, land: str = DEFAULT_LAND) -> str | None:
    """Name of the statewide public holiday of ``land`` on ``day``, or ``None`` (§ 193 BGB, § 108 Abs. 3 AO)."""
    return _holidays_of(check_land(land), day.year).get(day)


def non_working_reason(day: date, land: str = DEFAULT_LAND) -> str | None:
    """Why ``day`` is no working day under § 193 BGB / § 108 Abs. 3 AO, in German; ``None`` for a working day.

    Saturday and Sunday are named as such; a public holiday of the Land by its name. A holiday that falls
    on a weekend is reported as the holiday.
    """
    name = public_holiday_name(day, land)
    if name is not None:
        return f"{name}, gesetzlicher Feiertag im Land {LAENDER[land]}"
    if day.weekday() == 5:
        return "Samstag"
    if day.weekday() == 6:
        return "Sonntag"
    return None


def is_working_day(day: date, land: str = DEFAULT_LAND) -> bool:
    """True unless ``day`` is a Saturday, Sunday or public holiday of ``land`` (§ 193 BGB, § 108 Abs. 3 AO)."""
    return non_working_reason(day, land) is None


def next_working_day(day: date, land: str = DEFAULT_LAND) -> date:
    """The first working day *after* ``day`` (§ 193 BGB, § 108 Abs. 3 AO: "der nächste Werktag")."""
    check_land(land)
    candidate = day + timedelta(days=1)
    while not is_working_day(candidate, land):
        candidate += timedelta(days=1)
    return candidate


def shift_to_working_day(
    day: date,
    *,
    land: str = DEFAULT_LAND,
    what: str = "Das Fristende",
    citation: str = MOVE_CITATION,
) -> DateResult:
    """``day`` itself if it is a working day, else the next working day (§ 193 BGB, § 108 Abs. 3 AO).

    A period (or a deemed day) that would end on a Saturday, Sunday or public holiday of the Land ends
    with the expiry of the next working day. ``what`` names the moved day in the explanation, ``citation``
    the rule that moves it.
    """
    reason = non_working_reason(day, land)
    if reason is None:
        return DateResult(day, ())
    also: list[str] = []
    moved = day + timedelta(days=1)
    while (later_reason := non_working_reason(moved, land)) is not None:
        also.append(f"{format_date(moved)} ({later_reason})")
        moved += timedelta(days=1)
    step = f"{what} fiele auf {format_day(day)} – kein Werktag: {reason}"
    if also:
        step += f"; ebenso {', '.join(also)}"
    step += f". Es verschiebt sich auf den nächsten Werktag, {format_day(moved)} ({citation})."
    return DateResult(moved, (step,))


# --- month arithmetic -----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The day with the same number ``months`` months later (or earlier, for negative ``months``).

    When that day does not exist in the target month, the month's last day (§ 188 Abs. 2, 3 BGB):
    31.01. plus one month is 28.02. (29.02. in a leap year).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


# --- periods --------------------------------------------------------------------------------------------


def period_end(
    event_day: date,
    *,
    days: int | None = None,
    weeks: int | None = None,
    months: int | None = None,
    land: str = DEFAULT_LAND,
) -> DateResult:
    """Last day of a period that starts with an event on ``event_day`` (§ 108 Abs. 1 AO, §§ 187–193 BGB).

    Give exactly one of ``days``, ``weeks``, ``months`` (a positive count).

    * § 187 Abs. 1 BGB: the event day is not counted; the period begins the next day.
    * § 188 Abs. 1 BGB: a period of days ends with its last day (event day + ``days``).
    * § 188 Abs. 2 BGB: a period of weeks ends on the weekday that has the event day's name, a period of
      months on the day with the event day's number.
    * § 188 Abs. 3 BGB: if that day does not exist in the last month, the period ends on its last day.
    * § 193 BGB, § 108 Abs. 3 AO: if the end is a Saturday, Sunday or public holiday of ``land``, the
      period ends on the next working day.

    The period runs until the end (24:00) of the returned day.
    """
    check_land(land)
    given = [
        (name, value)
        for name, value in (("days", days), ("weeks", weeks), ("months", months))
        if value is not None
    ]
    if len(given) != 1:
        raise ValueError("Genau eine der Angaben days, weeks oder months ist erforderlich.")
    unit, count = given[0]
    if count < 1:
        raise ValueError(f"Die Fristdauer muss mindestens 1 betragen, nicht {count}.")

    steps = [
        f"Ereignis am {format_day(event_day)}; dieser Tag wird nicht mitgerechnet, "
        f"Fristbeginn am Tag danach, {format_date(event_day + timedelta(days=1))} (§ 187 Abs. 1 BGB)."
    ]
    if unit == "days":
        raw_end = event_day + timedelta(days=count)
        steps.append(
            f"Fristdauer {_plural(count, 'Tag', 'Tage')}: die Frist endet mit Ablauf des letzten Tages, "
            f"{format_day(raw_end)} (§ 188 Abs. 1 BGB)."
        )
    elif unit == "weeks":
        raw_end = event_day + timedelta(weeks=count)
        steps.append(
            f"Fristdauer {_plural(count, 'Woche', 'Wochen')}: die Frist endet am Wochentag des Ereignisses, "
            f"{format_day(raw_end)} (§ 188 Abs. 2 BGB)."
        )
    else:
        raw_end = add_months(event_day, count)
        duration = _plural(count, "Monat", "Monate")
        if raw_end.day == event_day.day:
            steps.append(
                f"Fristdauer {duration}: die Frist endet am Tag mit derselben Zahl wie der Ereignistag, "
                f"{format_day(raw_end)} (§ 188 Abs. 2 BGB)."
            )
        else:
            steps.append(
                f"Fristdauer {duration}: der {MONTHS_DE[raw_end.month - 1]} {raw_end.year} hat keinen "
                f"{event_day.day}. Tag; die Frist endet am letzten Tag des Monats, {format_day(raw_end)} "
                "(§ 188 Abs. 3 BGB)."
            )
    moved = shift_to_working_day(raw_end, land=land)
    steps.extend(moved.steps)
    steps.append(f"Fristende: {format_day(moved.date)}, 24:00 Uhr.")
    return DateResult(moved.date, tuple(steps))


def deemed_receipt(
    posted_on: date,
    *,
    land: str = DEFAULT_LAND,
    abroad: bool = False,
    days_after_posting: int | None = None,
    move_to_working_day: bool = True,
) -> DateResult:
    """Day on which a notice posted on ``posted_on`` is deemed notified (§ 122 Abs. 2 AO).

    * § 122 Abs. 2 Nr. 1 AO: posted within Germany, the **4th** day after posting for notices posted from
      01.01.2025 (Postrechtsmodernisierungsgesetz), the **3rd** day for notices posted up to 31.12.2024.
    * § 122 Abs. 2 Nr. 2 AO: posted abroad (``abroad=True``), one month after posting (§ 188 Abs. 2, 3 BGB).
    * § 108 Abs. 3 AO: if that day is a Saturday, Sunday or public holiday of ``land``, the notice is
      deemed notified on the next working day (LAW.md; BFH, Urteil vom 14.10.2003, IX R 68/98, BStBl. II
      2003 S. 898). ``move_to_working_day=False`` switches this off.
    * ``days_after_posting`` overrides the number of days, for a regime whose procedure act counts
      differently (e.g. a Land's administrative procedure act that has not followed the 2025 amendment);
      the default follows § 122 Abs. 2 Nr. 1 AO by the posting date.

    The fiction does not apply when the notice did not arrive, or arrived later; then the actual day of
    receipt counts (§ 122 Abs. 2 letzter Halbsatz AO) and the caller passes that day instead.
    """
    check_land(land)
    steps = [f"Aufgabe zur Post am {format_day(posted_on)}."]
    if abroad:
        raw = add_months(posted_on, 1)
        steps.append(
            f"Bei Übermittlung ins Ausland gilt der Bescheid einen Monat nach der Aufgabe zur Post als "
            f"bekannt gegeben: {format_day(raw)} (§ 122 Abs. 2 Nr. 2 AO)."
        )
    else:
        if days_after_posting is not None:
            if days_after_posting < 0:
                raise ValueError(f"days_after_posting darf nicht negativ sein, nicht {days_after_posting}.")
            count = days_after_posting
            source = "eingestellte Zugangsfiktion des Verfahrensrechts"
        elif posted_on >= POSTAL_REFORM_FROM:
            count = DEEMED_RECEIPT_DAYS
            source = "§ 122 Abs. 2 Nr. 1 AO in der ab 01.01.2025 geltenden Fassung"
        else:
            count = DEEMED_RECEIPT_DAYS_BEFORE_REFORM
            source = "§ 122 Abs. 2 Nr. 1 AO in der bis 31.12.2024 geltenden Fassung"
        raw = posted_on + timedelta(days=count)
        ordinal = _ORDINALS_DE.get(count, f"{count}.")
        steps.append(
            f"Der Bescheid gilt am {ordinal} Tag nach der Aufgabe zur Post als bekannt gegeben: "
            f"{format_day(raw)} ({source})."
        )
    if move_to_working_day:
        moved = shift_to_working_day(
            raw, land=land, what="Der Tag der Bekanntgabe", citation=RECEIPT_MOVE_CITATION
        )
        result_day = moved.date
        steps.extend(moved.steps)
    else:
        result_day = raw
    steps.append(f"Bekanntgabe: {format_day(result_day)}.")
    return DateResult(result_day, tuple(steps))


def period_for_kind(kind: PeriodKind | str, event_day: date, *, land: str = DEFAULT_LAND) -> DateResult:
    """The calculator's periods: ``bekanntgabe`` (deemed receipt of a notice posted on ``event_day``,
    § 122 Abs. 2 Nr. 1 AO), ``woche`` / ``zwei-wochen`` (§ 188 Abs. 2 BGB), ``monat`` (§ 188 Abs. 2, 3 BGB),
    each moved off weekends and public holidays (§ 193 BGB, § 108 Abs. 3 AO).
    """
    match PeriodKind(kind):
        case PeriodKind.BEKANNTGABE:
            return deemed_receipt(event_day, land=land)
        case PeriodKind.WOCHE:
            return period_end(event_day, weeks=1, land=land)
        case PeriodKind.ZWEI_WOCHEN:
            return period_end(event_day, weeks=2, land=land)
        case PeriodKind.MONAT:
            return period_end(event_day, months=1, land=land)
