"""Prerequisites of enforcement per legal regime: § 254, § 259 AO and §§ 30–31 SVwVG (Saarland).

One pure function, :func:`check_enforceability`, answers whether enforcement of a claim may begin on a
day, with machine codes and German messages naming the dates (rule 9 of the house) and the earliest day on
which it may begin. Periods are computed by :mod:`kofo.law.deadlines` (§§ 187–193 BGB via § 108 AO, public
holidays of the Land).

Rules (see ../shared/LAW.md, "Prerequisites of enforcement"):

* ``ao`` — § 254 Abs. 1 Satz 1 AO: the claim is due, a demand for payment (Leistungsgebot, usually part of
  the assessment notice) was made, and at least one week has passed since its notification. § 259 AO:
  a reminder (Mahnung) with a payment period of one week *should* precede enforcement; it is no condition,
  so its absence or defects are **warnings**. § 259 Satz 3 AO: a reminder before the due date replaces the
  Mahnung.
* ``svwvg_sl`` — §§ 30–31 SVwVG: the assessment is final or immediately enforceable, the claim is due, a
  Mahnung was sent with a payment period of at least one week, and that period has passed. Here the
  Mahnung **is** a condition, so its absence or defects are **problems**.

Assumptions, each a parameter with a default and, where it is applied, a warning in the result:

* Only the date of the notice is known (``assessment_date``, no ``notified_on``): it is assumed to have been
  posted that day and deemed notified under § 122 Abs. 2 Nr. 1 AO (4th day from 2025, 3rd before, moved
  off weekends and holidays) — warning ``enforce.notice_receipt_assumed``. ``deemed_receipt_days``
  overrides the number of days, e.g. for a Land procedure act that counts differently.
* The Mahnung's week runs from its (deemed) receipt (``reminder_period_from_receipt=True``); with False,
  from the day it was sent.
* No payment deadline of the Mahnung recorded: the minimum week is assumed — warning
  ``enforce.reminder_deadline_assumed``.
* ``svwvg_sl``, not recorded whether the assessment is final or immediately enforceable
  (``immediately_enforceable=None``): assumed immediately enforceable, as the office's claims are mostly
  public charges and costs (§ 80 Abs. 2 Satz 1 Nr. 1 VwGO) — warning ``enforce.finality_assumed``. With
  False, the assessment becomes final when the objection period (``appeal_months``, one month after
  notification, § 70 Abs. 1 VwGO) has passed without an appeal (``appeal_pending``). A missing or wrong
  instruction on legal remedies (§ 58 Abs. 2 VwGO: one year) is for the caller to reflect in
  ``appeal_months``.
* The claim is due on ``due_on``; the debtor may pay during that whole day, so enforcement may begin on the
  day after at the earliest.

Ancillary amounts (surcharges, fees, interest) need no separate assessment once enforcement of the
principal has begun (LAW.md): call this function for the principal claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kofo.law.deadlines import (
    DEFAULT_LAND,
    check_land,
    deemed_receipt,
    format_date,
    period_end,
    shift_to_working_day,
)

NOTICE_MISSING = "enforce.notice_missing"
NOTICE_NOT_EFFECTIVE = "enforce.notice_not_effective"
NOTICE_RECEIPT_ASSUMED = "enforce.notice_receipt_assumed"
DUE_DATE_MISSING = "enforce.due_date_missing"
NOT_DUE = "enforce.not_due"
DEMAND_WEEK_NOT_PASSED = "enforce.demand_week_not_passed"
NOT_FINAL = "enforce.not_final"
FINALITY_ASSUMED = "enforce.finality_assumed"
REMINDER_MISSING = "enforce.reminder_missing"
REMINDER_PERIOD_TOO_SHORT = "enforce.reminder_period_too_short"
REMINDER_PERIOD_RUNNING = "enforce.reminder_period_running"
REMINDER_DEADLINE_ASSUMED = "enforce.reminder_deadline_assumed"
REMINDER_BEFORE_DUE = "enforce.reminder_before_due"

#: § 70 Abs. 1 VwGO: the objection period is one month after notification.
APPEAL_MONTHS = 1

_SVWVG = "§§ 30, 31 SVwVG"


class Regime(StrEnum):
    """The legal regime of an agreement (LAW.md): federal/tax claims under the AO, or the Saarland act."""

    AO = "ao"
    SVWVG_SL = "svwvg_sl"


@dataclass(frozen=True, slots=True)
class Problem:
    """A failed prerequisite (or, in ``warnings``, a hint): machine code and German message."""

    code: str
    message_de: str


@dataclass(frozen=True, slots=True)
class EnforceabilityResult:
    """Whether enforcement may begin on the checked day.

    ``ok`` is True exactly when there are no ``problems``; ``warnings`` never block. ``earliest_on`` is the
    first day on which all prerequisites are met given the recorded facts, or ``None`` when a missing or
    defective prerequisite (no notice, no due date, no or a too short Mahnung, a pending appeal) must be
    cured first. ``steps`` is the derivation in German.
    """

    ok: bool
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    earliest_on: date | None
    steps: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The machine codes of the problems."""
        return tuple(problem.code for problem in self.problems)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        """The machine codes of the warnings."""
        return tuple(warning.code for warning in self.warnings)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.steps: list[str] = []
        self.not_before: list[date] = []
        self.blocked = False

    def require(self, day: date) -> None:
        """A prerequisite met from ``day`` on (whether or not ``as_of`` reaches it)."""
        self.not_before.append(day)

    def fail(self, code: str, message: str, *, blocking: bool = False) -> None:
        """A failed prerequisite; ``blocking`` when no later day cures it (data or an act is missing)."""
        self.problems.append(Problem(code, message))
        self.blocked = self.blocked or blocking

    def earliest(self) -> date | None:
        if self.blocked or not self.not_before:
            return None
        return max(self.not_before)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Problem(code, message))


def _day_after(day: date) -> date:
    return day + timedelta(days=1)


def check_enforceability(
    regime: Regime | str,
    *,
    assessment_date: date | None = None,
    notified_on: date | None = None,
    due_on: date | None = None,
    reminder_on: date | None = None,
    reminder_deadline: date | None = None,
    as_of: date,
    land: str = DEFAULT_LAND,
    immediately_enforceable: bool | None = None,
    appeal_pending: bool = False,
    appeal_months: int = APPEAL_MONTHS,
    reminder_period_from_receipt: bool = True,
    deemed_receipt_days: int | None = None,
) -> EnforceabilityResult:
    """May enforcement of a claim begin on ``as_of``? (§ 254 Abs. 1, § 259 AO; §§ 30–31 SVwVG).

    * ``assessment_date``: date of the assessment notice (Leistungsbescheid) containing the demand for
      payment; ``notified_on``: the day it was notified (Bekanntgabe). When only ``assessment_date`` is
      known, the notice is assumed posted that day and deemed notified under § 122 Abs. 2 Nr. 1 AO.
    * ``due_on``: the due date (Fälligkeit).
    * ``reminder_on``: the day the Mahnung was sent (posted); ``reminder_deadline``: the payment deadline it
      states.
    * ``ao``: § 254 Abs. 1 Satz 1 AO — due, Leistungsgebot notified, one week passed since (§ 188 Abs. 2,
      § 193 BGB, § 108 Abs. 3 AO); § 259 AO — the Mahnung only yields warnings.
    * ``svwvg_sl``: §§ 30–31 SVwVG — notice effective, final or immediately enforceable, due, Mahnung sent
      with a payment period of at least one week after its (deemed) receipt, and that period passed
      (moved off weekends and holidays of ``land``).

    See the module docstring for the assumptions and their parameters.
    """
    regime = Regime(regime)
    check_land(land)
    out = _Collector()
    cite_notice = "§ 254 Abs. 1 Satz 1 AO" if regime is Regime.AO else _SVWVG
    out.steps.append(
        f"Prüfung zum {format_date(as_of)} nach "
        + ("§§ 254, 259 AO." if regime is Regime.AO else "§§ 30, 31 SVwVG (Saarland).")
    )

    # --- notice (Leistungsbescheid / Leistungsgebot) ----------------------------------------------------
    notice_on: date | None = notified_on
    if notice_on is not None:
        out.steps.append(f"Bekanntgabe des Leistungsbescheids am {format_date(notice_on)}.")
    elif assessment_date is not None:
        receipt = deemed_receipt(assessment_date, land=land, days_after_posting=deemed_receipt_days)
        notice_on = receipt.date
        out.warn(
            NOTICE_RECEIPT_ASSUMED,
            f"Die Bekanntgabe des Leistungsbescheids ist nicht erfasst; angenommen: der Bescheid vom "
            f"{format_date(assessment_date)} wurde am selben Tag zur Post gegeben und gilt am "
            f"{format_date(notice_on)} als bekannt gegeben (§ 122 Abs. 2 Nr. 1 AO).",
        )
        out.steps.extend(receipt.steps)
    else:
        out.fail(
            NOTICE_MISSING,
            f"Kein Leistungsbescheid mit Leistungsgebot erfasst (weder Datum noch Bekanntgabe); ohne ihn "
            f"darf nicht vollstreckt werden ({cite_notice}).",
            blocking=True,
        )

    if notice_on is not None:
        if regime is Regime.AO:
            _check_demand_week(out, notice_on, as_of, land)
        else:
            out.require(notice_on)
            if as_of >= notice_on:
                out.steps.append(
                    f"Der Leistungsbescheid ist seit {format_date(notice_on)} wirksam ({_SVWVG})."
                )
            else:
                out.fail(
                    NOTICE_NOT_EFFECTIVE,
                    f"Der Leistungsbescheid gilt erst am {format_date(notice_on)} als bekannt gegeben und wird "
                    f"erst dann wirksam ({_SVWVG}).",
                )

    # --- final or immediately enforceable (SVwVG; under the AO an objection does not suspend, § 361 AO) --
    if regime is Regime.SVWVG_SL:
        _check_finality(out, notice_on, as_of, land, immediately_enforceable, appeal_pending, appeal_months)

    # --- due -----------------------------------------------------------------------------------------------
    if due_on is None:
        out.fail(
            DUE_DATE_MISSING,
            f"Kein Fälligkeitsdatum erfasst; die Fälligkeit ist Voraussetzung der Vollstreckung ({cite_notice}).",
            blocking=True,
        )
    else:
        out.require(_day_after(due_on))
        if as_of <= due_on:
            out.fail(
                NOT_DUE,
                f"Die Forderung ist am {format_date(due_on)} fällig und kann bis zum Ablauf dieses Tages gezahlt "
                f"werden; vollstreckt werden kann frühestens am {format_date(_day_after(due_on))} "
                f"({cite_notice}).",
            )
        else:
            out.steps.append(f"Fällig seit {format_date(due_on)} ({cite_notice}).")

    # --- Mahnung -------------------------------------------------------------------------------------------
    _check_reminder(
        out,
        regime,
        due_on=due_on,
        reminder_on=reminder_on,
        reminder_deadline=reminder_deadline,
        as_of=as_of,
        land=land,
        from_receipt=reminder_period_from_receipt,
        deemed_receipt_days=deemed_receipt_days,
    )

    earliest = out.earliest()
    if out.problems:
        when = f"frühestens am {format_date(earliest)}" if earliest is not None else "erst nach Abhilfe"
        out.steps.append(f"Ergebnis: Vollstreckung am {format_date(as_of)} nicht zulässig; {when}.")
    else:
        out.steps.append(f"Ergebnis: Vollstreckung am {format_date(as_of)} zulässig.")
    return EnforceabilityResult(
        ok=not out.problems,
        problems=tuple(out.problems),
        warnings=tuple(out.warnings),
        earliest_on=earliest,
        steps=tuple(out.steps),
    )


def _check_demand_week(out: _Collector, notice_on: date, as_of: date, land: str) -> None:
    """§ 254 Abs. 1 Satz 1 AO: one week has passed since the Leistungsgebot (§ 108 AO, §§ 187–193 BGB)."""
    week = period_end(notice_on, weeks=1, land=land)
    out.steps.extend(week.steps)
    out.require(_day_after(week.date))
    if as_of <= week.date:
        out.fail(
            DEMAND_WEEK_NOT_PASSED,
            f"Seit dem Leistungsgebot (bekannt gegeben am {format_date(notice_on)}) ist noch keine Woche "
            f"verstrichen: die Wochenfrist endet am {format_date(week.date)}, vollstreckt werden kann "
            f"frühestens am {format_date(_day_after(week.date))} (§ 254 Abs. 1 Satz 1 AO).",
        )
    else:
        out.steps.append(
            f"Die Woche nach dem Leistungsgebot ist mit Ablauf des {format_date(week.date)} verstrichen "
            "(§ 254 Abs. 1 Satz 1 AO)."
        )


def _check_finality(
    out: _Collector,
    notice_on: date | None,
    as_of: date,
    land: str,
    immediately_enforceable: bool | None,
    appeal_pending: bool,
    appeal_months: int,
) -> None:
    """§§ 30, 31 SVwVG: the assessment is final (unanfechtbar) or immediately enforceable."""
    if immediately_enforceable is None:
        out.warn(
            FINALITY_ASSUMED,
            "Nicht erfasst, ob der Leistungsbescheid unanfechtbar oder sofort vollziehbar ist; angenommen: "
            "Anforderung öffentlicher Abgaben oder Kosten, sofort vollziehbar (§ 80 Abs. 2 Satz 1 Nr. 1 VwGO).",
        )
        return
    if immediately_enforceable:
        out.steps.append(f"Der Leistungsbescheid ist sofort vollziehbar ({_SVWVG}).")
        return
    if appeal_pending:
        out.fail(
            NOT_FINAL,
            f"Gegen den Leistungsbescheid ist ein Rechtsbehelf anhängig; er ist weder unanfechtbar noch sofort "
            f"vollziehbar ({_SVWVG}).",
            blocking=True,
        )
        return
    if notice_on is None:
        return  # enforce.notice_missing already blocks
    appeal_end = period_end(notice_on, months=appeal_months, land=land)
    out.steps.extend(appeal_end.steps)
    out.require(_day_after(appeal_end.date))
    if as_of <= appeal_end.date:
        out.fail(
            NOT_FINAL,
            f"Der Leistungsbescheid ist nicht sofort vollziehbar und wird erst mit Ablauf der Widerspruchsfrist "
            f"am {format_date(appeal_end.date)} unanfechtbar (§ 70 Abs. 1 VwGO); vollstreckt werden kann "
            f"frühestens am {format_date(_day_after(appeal_end.date))} ({_SVWVG}).",
        )
    else:
        out.steps.append(
            f"Der Leistungsbescheid ist mit Ablauf des {format_date(appeal_end.date)} unanfechtbar geworden "
            "(§ 70 Abs. 1 VwGO)."
        )


def _check_reminder(
    out: _Collector,
    regime: Regime,
    *,
    due_on: date | None,
    reminder_on: date | None,
    reminder_deadline: date | None,
    as_of: date,
    land: str,
    from_receipt: bool,
    deemed_receipt_days: int | None,
) -> None:
    """§ 259 AO (a "should": warnings) or §§ 30, 31 SVwVG (a condition: problems)."""
    condition = regime is Regime.SVWVG_SL
    cite = _SVWVG if condition else "§ 259 Satz 1 AO"

    def report(code: str, message: str, *, blocking: bool = False) -> None:
        if condition:
            out.fail(code, message, blocking=blocking)
        else:
            out.warn(code, message)

    if reminder_on is None:
        if condition:
            message = (
                "Keine Mahnung erfasst; die Mahnung mit einer Zahlungsfrist von mindestens einer Woche ist "
                f"Voraussetzung der Vollstreckung ({_SVWVG})."
            )
        else:
            message = (
                "Keine Mahnung erfasst; der Schuldner soll in der Regel vor Beginn der Vollstreckung mit einer "
                "Zahlungsfrist von einer Woche gemahnt werden (§ 259 Satz 1 AO)."
            )
        report(REMINDER_MISSING, message, blocking=True)
        return

    if due_on is not None and reminder_on < due_on:
        if not condition:
            out.steps.append(
                f"Zahlungserinnerung vom {format_date(reminder_on)} vor Fälligkeit am {format_date(due_on)}: "
                "einer Mahnung bedarf es nicht (§ 259 Satz 3 AO)."
            )
            return
        out.warn(
            REMINDER_BEFORE_DUE,
            f"Die Mahnung vom {format_date(reminder_on)} wurde vor der Fälligkeit am {format_date(due_on)} "
            f"versandt; prüfen, ob sie als Mahnung genügt ({_SVWVG}).",
        )

    if from_receipt:
        receipt = deemed_receipt(reminder_on, land=land, days_after_posting=deemed_receipt_days)
        starts_after = receipt.date
        out.steps.append(
            f"Mahnung vom {format_date(reminder_on)}, Zugang (§ 122 Abs. 2 Nr. 1 AO) am {format_date(starts_after)}."
        )
        origin = f"ab Zugang der Mahnung am {format_date(starts_after)}"
    else:
        starts_after = reminder_on
        out.steps.append(f"Mahnung vom {format_date(reminder_on)}; die Frist zählt ab Versand.")
        origin = f"ab Versand der Mahnung am {format_date(starts_after)}"
    minimum = period_end(starts_after, weeks=1, land=land).date
    out.steps.append(
        f"Mindestzahlungsfrist eine Woche {origin}: bis {format_date(minimum)} (§ 188 Abs. 2 BGB, § 108 AO)."
    )

    if reminder_deadline is None:
        deadline = minimum
        out.warn(
            REMINDER_DEADLINE_ASSUMED,
            f"Die Zahlungsfrist der Mahnung vom {format_date(reminder_on)} ist nicht erfasst; angenommen: die "
            f"Mindestfrist von einer Woche {origin}, bis {format_date(minimum)} ({cite}).",
        )
    else:
        shifted = shift_to_working_day(reminder_deadline, land=land, what="Die Zahlungsfrist der Mahnung")
        deadline = shifted.date
        out.steps.extend(shifted.steps)
        if deadline < minimum:
            report(
                REMINDER_PERIOD_TOO_SHORT,
                f"Die Mahnung vom {format_date(reminder_on)} setzt eine Zahlungsfrist bis "
                f"{format_date(reminder_deadline)}; sie muss mindestens eine Woche {origin} betragen, also "
                f"frühestens am {format_date(minimum)} enden ({cite})."
                + (" Eine neue Mahnung ist erforderlich." if condition else ""),
                blocking=True,
            )
            return

    if condition:
        out.require(_day_after(deadline))
    if as_of <= deadline:
        report(
            REMINDER_PERIOD_RUNNING,
            f"Die Zahlungsfrist der Mahnung vom {format_date(reminder_on)} läuft bis {format_date(deadline)}; "
            + (
                f"vollstreckt werden kann frühestens am {format_date(_day_after(deadline))} ({cite})."
                if condition
                else f"vor dem {format_date(_day_after(deadline))} soll in der Regel nicht vollstreckt werden ({cite})."
            ),
        )
    else:
        out.steps.append(
            f"Die Zahlungsfrist der Mahnung ist mit Ablauf des {format_date(deadline)} verstrichen ({cite})."
        )
