"""Zahlungsverjährung — limitation of payment claims (§§ 228–232 AO).

The functions work on **one item**: a principal claim, or one Säumniszuschlag, fee or cost item. Each
surcharge is time-barred on its own (LAW.md): it becomes due on its own day, so its limitation starts at the
end of *its* year, and only the events that relate to it interrupt it (§ 231 Abs. 4 AO: an interruption
covers only the amount the measure relates to). The caller (the daily run, the debtor file) passes, per
item, its due date and the events from the case history that concern it.

Rules (see ../shared/LAW.md, "Limitation"):

* § 228 Satz 2 AO: the period is **5 years** (``years``; 10 years in the cases of §§ 370, 373, 374 AO).
* § 229 Abs. 1 Satz 1 AO: it starts at the **end of the calendar year** in which the claim first became
  due; Satz 2: not before the end of the year in which the assessment took effect (``assessed_on``).
* § 231 Abs. 1 AO: interrupted by deferral of payment, Stundung, suspension of execution,
  Vollstreckungsaufschub (instalment arrangement), security, **any enforcement measure**, filing in
  insolvency proceedings, the prohibition of enforcement under § 294 Abs. 1 InsO, an insolvency or debt
  settlement plan, an inquiry into the debtor's address, and the **written demand** for the claim.
  LAW.md also counts a search for the debtor's assets (``asset_search_interrupts``, default True).
* § 231 Abs. 2, 3 AO: an interruption lasts until its measure ends (a Stundung until it expires, a
  garnishment until the lien lapses); a new period starts at the end of the calendar year in which the
  interruption ended. Without an end date (``LimitationEvent.ends_on``), the event's own day is taken —
  LAW.md's rule "a new 5-year period starts at the end of that calendar year".
* **Not** interrupted by a partial payment, an acknowledgment or a Niederschlagung (§ 261 AO is internal).
* § 232 AO: limitation extinguishes the claim; an event after expiry revives nothing.

Not modelled: the suspension in the last six months for force majeure (§ 230 AO).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from kofo.law.deadlines import DEFAULT_LAND, add_months, format_date, shift_to_working_day

LIMITATION_YEARS = 5
WARN_MONTHS = 6


class LimitationEventKind(StrEnum):
    """Events of the case history that matter for limitation; ``interrupts`` says whether § 231 AO applies."""

    ZAHLUNGSAUFSCHUB = "zahlungsaufschub"
    STUNDUNG = "stundung"
    AUSSETZUNG_DER_VOLLZIEHUNG = "aussetzung_der_vollziehung"
    VOLLSTRECKUNGSAUFSCHUB = "vollstreckungsaufschub"
    SICHERHEITSLEISTUNG = "sicherheitsleistung"
    VOLLSTRECKUNGSMASSNAHME = "vollstreckungsmassnahme"
    INSOLVENZANMELDUNG = "insolvenzanmeldung"
    VOLLSTRECKUNGSVERBOT_INSOLVENZ = "vollstreckungsverbot_insolvenz"
    INSOLVENZPLAN = "insolvenzplan"
    AUFENTHALTSERMITTLUNG = "aufenthaltsermittlung"
    VERMOEGENSERMITTLUNG = "vermoegensermittlung"
    SCHRIFTLICHE_GELTENDMACHUNG = "schriftliche_geltendmachung"
    TEILZAHLUNG = "teilzahlung"
    ANERKENNTNIS = "anerkenntnis"
    NIEDERSCHLAGUNG = "niederschlagung"

    @property
    def interrupts(self) -> bool:
        """Whether the event interrupts the limitation by default (§ 231 Abs. 1 AO, LAW.md)."""
        return _KIND_INFO[self][0]

    @property
    def label_de(self) -> str:
        """German name of the event for explanations."""
        return _KIND_INFO[self][1]

    @property
    def citation(self) -> str:
        """The rule that decides the event's effect."""
        return _KIND_INFO[self][2]


_K = LimitationEventKind
_KIND_INFO: Mapping[LimitationEventKind, tuple[bool, str, str]] = MappingProxyType(
    {
        _K.ZAHLUNGSAUFSCHUB: (True, "Zahlungsaufschub", "§ 231 Abs. 1 Satz 1 Nr. 1 AO"),
        _K.STUNDUNG: (True, "Stundung", "§ 231 Abs. 1 Satz 1 Nr. 1 AO"),
        _K.AUSSETZUNG_DER_VOLLZIEHUNG: (True, "Aussetzung der Vollziehung", "§ 231 Abs. 1 Satz 1 Nr. 1 AO"),
        _K.VOLLSTRECKUNGSAUFSCHUB: (
            True,
            "Vollstreckungsaufschub (Ratenzahlung)",
            "§ 231 Abs. 1 Satz 1 Nr. 1 AO",
        ),
        _K.SICHERHEITSLEISTUNG: (True, "Sicherheitsleistung", "§ 231 Abs. 1 Satz 1 Nr. 2 AO"),
        _K.VOLLSTRECKUNGSMASSNAHME: (True, "Vollstreckungsmaßnahme", "§ 231 Abs. 1 Satz 1 Nr. 3 AO"),
        _K.INSOLVENZANMELDUNG: (True, "Anmeldung im Insolvenzverfahren", "§ 231 Abs. 1 Satz 1 Nr. 4 AO"),
        _K.VOLLSTRECKUNGSVERBOT_INSOLVENZ: (
            True,
            "Vollstreckungsverbot nach § 294 Abs. 1 InsO",
            "§ 231 Abs. 1 Satz 1 Nr. 5 AO",
        ),
        _K.INSOLVENZPLAN: (
            True,
            "Aufnahme in einen Insolvenz- oder Schuldenbereinigungsplan",
            "§ 231 Abs. 1 Satz 1 Nr. 6 AO",
        ),
        _K.AUFENTHALTSERMITTLUNG: (
            True,
            "Ermittlung des Wohnsitzes oder Aufenthaltsorts",
            "§ 231 Abs. 1 Satz 1 Nr. 7 AO",
        ),
        _K.VERMOEGENSERMITTLUNG: (True, "Ermittlung des Vermögens", "LAW.md zu § 231 Abs. 1 AO"),
        _K.SCHRIFTLICHE_GELTENDMACHUNG: (
            True,
            "schriftliche Geltendmachung (Leistungsgebot, Mahnung, Zahlungsaufforderung)",
            "§ 231 Abs. 1 Satz 1 Nr. 8 AO",
        ),
        _K.TEILZAHLUNG: (False, "Teilzahlung", "§ 231 Abs. 1 AO nennt sie nicht"),
        _K.ANERKENNTNIS: (False, "Anerkenntnis", "§ 231 Abs. 1 AO nennt es nicht"),
        _K.NIEDERSCHLAGUNG: (False, "Niederschlagung", "§ 261 AO, verwaltungsintern"),
    }
)
del _K


class LimitationStatus(StrEnum):
    """Where an item stands: enforce (``ok``), warn the caseworker (``warning``), stop (``expired``)."""

    OK = "ok"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class LimitationEvent:
    """One event of the case history for one item.

    ``on`` is the day of the measure (for a written demand, the day it was sent, § 231 Abs. 1 Satz 2 with
    § 169 Abs. 1 Satz 3 AO). ``ends_on`` is the day the interruption ended (§ 231 Abs. 2 AO: the end of a
    Stundung or Vollstreckungsaufschub, the lapse of a lien); ``None`` means the event's own day.
    """

    kind: LimitationEventKind
    on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.on:
            raise ValueError(
                f"Das Ende der Unterbrechung ({format_date(self.ends_on)}) liegt vor ihrem Beginn "
                f"({format_date(self.on)})."
            )

    @property
    def interruption_end(self) -> date:
        """The day the interruption ended (§ 231 Abs. 2 AO); the event's day when none is recorded."""
        return self.ends_on if self.ends_on is not None else self.on


@dataclass(frozen=True, slots=True)
class LimitationResult:
    """The last day of the limitation period, why, and the derivation.

    The claim exists until the end (24:00) of ``expires_on`` and is extinguished from the day after
    (§ 232 AO). ``interrupted_by`` is the event that set the last new period, if any.
    """

    expires_on: date
    reason: str
    steps: tuple[str, ...]
    interrupted_by: LimitationEvent | None = None


def _period_end(start_year: int, years: int, extend: bool, land: str) -> tuple[date, tuple[str, ...]]:
    end = date(start_year + years, 12, 31)
    if not extend:
        return end, ()
    moved = shift_to_working_day(end, land=land, what="Das Ende der Verjährungsfrist")
    return moved.date, moved.steps


def _years_de(years: int) -> str:
    words = {1: "ein Jahr", 5: "fünf Jahre", 10: "zehn Jahre"}
    return words.get(years, f"{years} Jahre")


def interrupts(kind: LimitationEventKind, *, asset_search_interrupts: bool = True) -> bool:
    """Whether ``kind`` interrupts the Zahlungsverjährung (§ 231 Abs. 1 AO).

    ``asset_search_interrupts``: § 231 Abs. 1 Satz 1 Nr. 7 AO names only inquiries into the debtor's
    address; LAW.md also counts searches for assets (most of them, like the Vermögensauskunft, are
    enforcement measures under Nr. 3 anyway). Default True, as LAW.md states.
    """
    if kind is LimitationEventKind.VERMOEGENSERMITTLUNG:
        return asset_search_interrupts
    return kind.interrupts


def limitation_expiry(
    due_on: date,
    events: Iterable[LimitationEvent] = (),
    *,
    years: int = LIMITATION_YEARS,
    assessed_on: date | None = None,
    asset_search_interrupts: bool = True,
    extend_to_working_day: bool = False,
    land: str = DEFAULT_LAND,
) -> LimitationResult:
    """Last day of the Zahlungsverjährung of one item due on ``due_on`` (§§ 228–232 AO).

    * § 228 Satz 2 AO: ``years`` (5) years.
    * § 229 Abs. 1 Satz 1 AO: from the end of the calendar year of ``due_on``; Satz 2: not before the end of
      the year in which the assessment took effect (``assessed_on``, optional).
    * § 231 Abs. 1, 3 AO: each interrupting event (``LimitationEventKind.interrupts``) on or before the
      current expiry starts a new period at the end of the calendar year in which the interruption ended
      (``LimitationEvent.interruption_end``). An interruption never shortens the period.
    * Partial payment, acknowledgment and Niederschlagung change nothing.
    * § 232 AO: an event after expiry does not revive the extinguished claim.

    Events are taken in date order, whatever order they are passed in. The expiry is always 31 December;
    ``extend_to_working_day=True`` moves it to the next working day of ``land`` when 31 December is a
    Saturday or Sunday (§ 108 Abs. 3 AO, which the BFH applies to the Festsetzungsfrist; LAW.md is silent
    for the Zahlungsverjährung, so the default keeps 31 December — the earlier, safer day to stop).
    """
    if years < 1:
        raise ValueError(f"Die Verjährungsfrist muss mindestens ein Jahr betragen, nicht {years}.")
    duration = _years_de(years)
    start_year = due_on.year
    steps = [
        f"Fälligkeit am {format_date(due_on)}: die Verjährung beginnt mit Ablauf des Jahres {start_year} "
        "(§ 229 Abs. 1 Satz 1 AO)."
    ]
    if assessed_on is not None and assessed_on.year > start_year:
        start_year = assessed_on.year
        steps.append(
            f"Der Bescheid wurde am {format_date(assessed_on)} wirksam: die Verjährung beginnt nicht vor "
            f"Ablauf des Jahres {start_year} (§ 229 Abs. 1 Satz 2 AO)."
        )
    expires_on, moved_steps = _period_end(start_year, years, extend_to_working_day, land)
    steps.append(
        f"Verjährungsfrist {duration} (§ 228 Satz 2 AO): Ablauf am {format_date(date(start_year + years, 12, 31))}."
    )
    steps.extend(moved_steps)
    reason = (
        f"Zahlungsverjährung mit Ablauf des {format_date(expires_on)}: {duration} nach Ablauf des Jahres "
        f"{start_year}, in dem die Forderung fällig wurde (§§ 228, 229 Abs. 1 AO)."
    )
    if start_year != due_on.year:
        reason = (
            f"Zahlungsverjährung mit Ablauf des {format_date(expires_on)}: {duration} nach Ablauf des Jahres "
            f"{start_year}, in dem der Bescheid wirksam wurde (§§ 228, 229 Abs. 1 Satz 2 AO)."
        )
    interrupted_by: LimitationEvent | None = None

    ordered = sorted(events, key=lambda ev: (ev.on, ev.interruption_end, ev.kind.value))
    for event in ordered:
        label = event.kind.label_de
        what = f"{label[:1].upper()}{label[1:]} am {format_date(event.on)}"
        if not interrupts(event.kind, asset_search_interrupts=asset_search_interrupts):
            steps.append(f"{what}: unterbricht die Zahlungsverjährung nicht ({event.kind.citation}).")
            continue
        if event.on > expires_on:
            steps.append(
                f"{what}: nach Ablauf der Verjährung am {format_date(expires_on)}; der Anspruch ist "
                "erloschen und lebt nicht wieder auf (§ 232 AO)."
            )
            continue
        end = event.interruption_end
        ended = f", Unterbrechung bis {format_date(end)} (§ 231 Abs. 2 AO)" if end != event.on else ""
        new_expiry, new_moved = _period_end(end.year, years, extend_to_working_day, land)
        if new_expiry <= expires_on:
            steps.append(
                f"{what}{ended}: unterbricht die Verjährung ({event.kind.citation}); die neue Frist ab Ablauf "
                f"des Jahres {end.year} endete nicht später als {format_date(expires_on)}, keine Änderung."
            )
            continue
        expires_on = new_expiry
        interrupted_by = event
        steps.append(
            f"{what}{ended}: unterbricht die Verjährung ({event.kind.citation}); neue Frist ({duration}) "
            f"ab Ablauf des Jahres {end.year} (§ 231 Abs. 3 AO), Ablauf am "
            f"{format_date(date(end.year + years, 12, 31))}."
        )
        steps.extend(new_moved)
        reason = (
            f"Zahlungsverjährung mit Ablauf des {format_date(expires_on)}: {duration} nach Ablauf des Jahres "
            f"{end.year}, in dem die Unterbrechung durch {event.kind.label_de} vom {format_date(event.on)} "
            f"endete (§ 231 Abs. 3 AO)."
        )
    steps.append(
        f"Ergebnis: verjährt mit Ablauf des {format_date(expires_on)}; ab dem Folgetag ist der Anspruch "
        "erloschen (§ 232 AO)."
    )
    return LimitationResult(expires_on, reason, tuple(steps), interrupted_by)


def warning_from(expires_on: date, *, warn_months: int = WARN_MONTHS) -> date:
    """First day of the warning window: ``warn_months`` months before ``expires_on`` (LAW.md: default 6).

    The months are counted like § 188 Abs. 2, 3 BGB backwards: 31.12.2028 less 6 months is 30.06.2028.
    """
    if warn_months < 0:
        raise ValueError(f"warn_months darf nicht negativ sein, nicht {warn_months}.")
    return add_months(expires_on, -warn_months)


def status_for_expiry(expires_on: date, today: date, *, warn_months: int = WARN_MONTHS) -> LimitationStatus:
    """``expired`` after ``expires_on`` (§ 232 AO: stop enforcing), ``warning`` from
    :func:`warning_from` up to and including ``expires_on`` (LAW.md: warn well before), else ``ok``.
    """
    if today > expires_on:
        return LimitationStatus.EXPIRED
    if today >= warning_from(expires_on, warn_months=warn_months):
        return LimitationStatus.WARNING
    return LimitationStatus.OK


def limitation_status(
    due_on: date,
    events: Iterable[LimitationEvent],
    today: date,
    warn_months: int = WARN_MONTHS,
    *,
    years: int = LIMITATION_YEARS,
    assessed_on: date | None = None,
    asset_search_interrupts: bool = True,
    extend_to_working_day: bool = False,
    land: str = DEFAULT_LAND,
) -> LimitationStatus:
    """Status of one item on ``today``: :func:`limitation_expiry` (§§ 228–232 AO), then
    :func:`status_for_expiry` (LAW.md: warn ``warn_months`` months ahead, default 6; stop after expiry).
    """
    result = limitation_expiry(
        due_on,
        events,
        years=years,
        assessed_on=assessed_on,
        asset_search_interrupts=asset_search_interrupts,
        extend_to_working_day=extend_to_working_day,
        land=land,
    )
    return status_for_expiry(result.expires_on, today, warn_months=warn_months)
