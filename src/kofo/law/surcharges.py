"""Säumniszuschläge — late-payment surcharges (§ 240 AO).

One pure function, :func:`compute_surcharges`, returns every surcharge that has arisen for one principal
claim up to a day, month by month, with the German sentences that derive it (like
:class:`kofo.law.deadlines.DateResult`). Each month's surcharge is a separate debt with its own due date
(:attr:`SurchargeMonth.due_on`): it is time-barred on its own (:mod:`kofo.law.limitation`).

Rules (see ../shared/LAW.md, "Late-payment surcharge"):

* § 240 Abs. 1 Satz 1 AO: "Wird eine Steuer nicht bis zum Ablauf des Fälligkeitstages entrichtet, so ist für
  jeden angefangenen Monat der Säumnis ein Säumniszuschlag von 1 Prozent des abgerundeten rückständigen
  Steuerbetrags zu entrichten; abzurunden ist auf den nächsten durch 50 Euro teilbaren Betrag."
* § 240 Abs. 2 AO: no surcharges on ancillary amounts (surcharges, interest, fees, costs): the function
  takes the principal only.
* § 240 Abs. 3 Satz 1 AO (Schonfrist): for a delay of up to three days no surcharge is levied. Satz 2: not
  for payments by handing over cash or a cheque (§ 224 Abs. 2 Nr. 1 AO) — ``schonfrist=False``.
* § 222 AO (Stundung): the deferral moves the due date (``deferred_until``); no surcharge for the deferred
  time. A Vollstreckungsaufschub (§ 258 AO, instalment arrangement) does **not** stop surcharges: it only
  suspends enforcement (``vollstreckungsaufschub_from`` is accepted for the explanation and changes
  nothing). A remission of surcharges (§ 227 AO, e.g. of half of them for a debtor unable to pay) is a
  separate decision of the creditor, not computed here.

Readings this module had to decide (each documented where it is applied):

1. **Due date on a non-working day.** § 108 Abs. 3 AO: a due date on a Saturday, Sunday or public holiday
   of the Land moves to the next working day; so does a Stundung's end (it *is* the new due date).
2. **The months.** § 108 Abs. 1 AO with §§ 187 Abs. 1, 188 Abs. 2, 3 BGB: the delay begins with the day
   after the due date (the due date is the event, § 187 Abs. 1 BGB); the k-th month of delay ends on the
   day that has the due date's number k months later, or the last day of a shorter month (§ 188 Abs. 3
   BGB), and the next month begins the day after. Every boundary is counted from the due date itself, not
   chained from the previous boundary, so a short month does not shift the later ones: due 31.01.2025 →
   months from 01.02., 01.03. (February ends on the 28th), 01.04., 01.05. …; due 30.01.2025 → from 31.01.,
   01.03., 31.03., 01.05. … The month boundaries are **not** moved by § 108 Abs. 3 AO: they measure the
   length of the delay and are no period within which anything must be done (the payment is owed since
   the due date); only the due date and the end of the Schonfrist move.
3. **"Angefangen".** A month of delay counts if any part of the principal is still unpaid on its first day:
   a payment on the first day of a month comes within that month, so the month's surcharge arises.
4. **Partial payments** (AEAO zu § 240; LAW.md: "A partial payment lowers the base from the month after
   it; surcharges already incurred stay"): each month's surcharge arises at the beginning of that month
   on the principal then in arrears, rounded down to 50 EUR. A payment on any day of a month lowers the
   base of the following months only; the surcharges already arisen stay.
5. **The Schonfrist.** Three days after the due date (§ 108 Abs. 1 AO, § 188 Abs. 1 BGB: a period of
   days); if the third day is a Saturday, Sunday or public holiday, it ends on the next working day
   (§ 108 Abs. 3 AO; BFH, Beschluss V B 16/09 — Saturday and Sunday count inside the period, so for a due
   date on a Friday it ends on Monday). The Schonfrist does not move the due date (the delay still begins
   the day after it): it only waives the surcharge for the amount paid within it. So the first month's
   base is the principal less everything paid up to and including the Schonfrist's last day; whatever is
   paid later bears surcharges from the day after the due date. The first month's surcharge is therefore
   only certain once the Schonfrist has passed: with ``until`` inside the Schonfrist nothing has arisen yet.
6. **Arisen and due.** The surcharge of a month arises by law at the beginning of that month and is due at
   once (§ 220 Abs. 2 Satz 1 AO; no assessment needed, § 218 Abs. 1 AO). :attr:`SurchargeMonth.due_on` is
   that day, also for the first month (the Schonfrist waives, it does not postpone — so the earlier, safe
   day starts the limitation).

``until`` is the day up to and including which surcharges are counted: the day the remainder is paid, or,
for the daily run, the as-of day. The result is the same either way, because a month whose first day is
the payment day counts (reading 3). Payments dated after ``until`` are ignored. Running the daily run twice
for the same day gives the same months; a month, once arisen, keeps its amount (its base depends only on
payments before its first day), so ``index`` is a stable key for booking each surcharge once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from kofo.law.deadlines import (
    DEFAULT_LAND,
    add_months,
    check_land,
    format_date,
    format_day,
    is_working_day,
    next_working_day,
    shift_to_working_day,
)
from kofo.money import ZERO, Cents, total

#: § 240 Abs. 1 Satz 1 AO: 1 % per started month.
SURCHARGE_RATE_PERCENT: Final = Decimal("1")
#: § 240 Abs. 1 Satz 1 AO: the base is rounded down to a multiple of 50 EUR.
BASE_STEP: Final = Cents(5000)
#: § 240 Abs. 3 Satz 1 AO: no surcharge for a delay of up to three days.
SCHONFRIST_DAYS: Final = 3

DUE_MOVE_CITATION: Final = "§ 108 Abs. 3 AO"
SCHONFRIST_MOVE_CITATION: Final = "§ 108 Abs. 3 AO; BFH, Beschluss V B 16/09"


@dataclass(frozen=True, slots=True)
class SurchargeMonth:
    """One started month of delay and its surcharge (§ 240 Abs. 1 Satz 1 AO).

    ``index`` counts from 1. The month runs from ``starts_on`` to ``ends_on`` (§§ 187, 188 BGB via § 108
    Abs. 1 AO). ``open_principal`` is the principal in arrears at its beginning, ``base`` that amount
    rounded down to a multiple of 50 EUR, ``amount`` 1 % of ``base``.
    """

    index: int
    starts_on: date
    ends_on: date
    open_principal: Cents
    base: Cents
    amount: Cents

    @property
    def due_on(self) -> date:
        """The day this surcharge arose and became due (§ 240 Abs. 1, § 220 Abs. 2 Satz 1 AO): the month's
        first day. Its limitation runs from the end of that day's year (§ 229 Abs. 1 AO)."""
        return self.starts_on


@dataclass(frozen=True, slots=True)
class SurchargeResult:
    """The surcharges arisen up to and including ``until``, and their derivation.

    ``due_on`` is the due date the computation used (after a Stundung and § 108 Abs. 3 AO),
    ``schonfrist_ends_on`` the last day of the Schonfrist (``None`` when it does not apply).
    ``total`` is the sum of the months' amounts.
    """

    total: Cents
    months: tuple[SurchargeMonth, ...]
    steps: tuple[str, ...]
    due_on: date
    schonfrist_ends_on: date | None
    until: date


def month_start(due_on: date, index: int) -> date:
    """First day of the ``index``-th month of delay for a claim due on ``due_on`` (reading 2 above).

    § 187 Abs. 1 BGB: the delay begins the day after the due date; § 188 Abs. 2, 3 BGB: month k ends on
    the day with the due date's number k months later (the month's last day if it has no such day), so
    month k begins the day after ``add_months(due_on, k - 1)``. Due 31.01.2025: month 2 begins 01.03.2025.
    """
    if index < 1:
        raise ValueError(f"Säumnismonate zählen ab 1, nicht {index}.")
    return add_months(due_on, index - 1) + timedelta(days=1)


def surcharge_for(open_principal: Cents) -> tuple[Cents, Cents]:
    """``(base, amount)`` for one month: the amount in arrears rounded down to a multiple of 50 EUR, and
    1 % of it (§ 240 Abs. 1 Satz 1 AO). 1.598,00 EUR → (1.550,00 EUR, 15,50 EUR); below 50 EUR → (0, 0).
    """
    if open_principal <= 0:
        return ZERO, ZERO
    base = open_principal.round_down_to(BASE_STEP)
    # 1 % of a multiple of 50 EUR is a whole number of cents: integer division is exact (no rounding).
    return base, Cents(int(base) * int(SURCHARGE_RATE_PERCENT) // 100)


def _check_amount(value: object, what: str) -> Cents:
    if not isinstance(value, Cents):
        raise TypeError(f"{what} muss ein Betrag in Cents sein, nicht {type(value).__name__} ({value!r}).")
    return value


def first_month_after(effective: date, day: date) -> int:
    """The smallest month index whose month begins after ``day`` (:func:`month_start`)."""
    if day < effective:
        return 1
    index = max(1, (day.year - effective.year) * 12 + (day.month - effective.month))
    while index > 1 and month_start(effective, index - 1) > day:
        index -= 1
    while month_start(effective, index) <= day:
        index += 1
    return index


def _delay_months(
    principal: Cents,
    effective: date,
    until: date,
    paid: list[tuple[date, Cents]],
    schonfrist_end: date | None,
    from_index: int = 1,
) -> tuple[list[SurchargeMonth], bool]:
    """The surcharge months arisen by ``until`` (the arithmetic of :func:`compute_surcharges`, without the
    explanation) and whether the Schonfrist had not yet passed on ``until``. Months before ``from_index``
    are not computed (each month depends only on the payments before it began)."""

    def open_before(day: date) -> Cents:
        """Principal still unpaid at the beginning of ``day`` (payments dated before it)."""
        return principal - total(amount for paid_on, amount in paid if paid_on < day)

    months: list[SurchargeMonth] = []
    index = max(1, from_index)
    while True:
        starts_on = month_start(effective, index)
        if starts_on > until:
            return months, False
        if index == 1 and schonfrist_end is not None:
            if until <= schonfrist_end:
                return months, True
            # Reading 5: what was paid within the Schonfrist bears no surcharge.
            open_principal = open_before(schonfrist_end + timedelta(days=1))
        else:
            open_principal = open_before(starts_on)
        if open_principal <= 0:
            return months, False
        base, amount = surcharge_for(open_principal)
        months.append(
            SurchargeMonth(index, starts_on, add_months(effective, index), open_principal, base, amount)
        )
        index += 1


def effective_due_date(due_on: date, *, deferred_until: date | None = None, land: str = DEFAULT_LAND) -> date:
    """The day surcharge months count from: the due date, or the end of a Stundung, moved off a
    non-working day (§ 222, § 108 Abs. 3 AO)."""
    if deferred_until is not None and deferred_until < due_on:
        raise ValueError(
            f"Eine Stundung schiebt die Fälligkeit hinaus; das Stundungsende {format_date(deferred_until)} "
            f"liegt vor der Fälligkeit {format_date(due_on)}."
        )
    effective = deferred_until if deferred_until is not None else due_on
    return effective if is_working_day(effective, land) else next_working_day(effective, land=land)


def arisen_months(
    principal: Cents,
    due_on: date,
    *,
    until: date,
    payments: Iterable[tuple[date, Cents]] = (),
    deferred_until: date | None = None,
    schonfrist: bool = True,
    land: str = DEFAULT_LAND,
    from_index: int = 1,
) -> list[SurchargeMonth]:
    """The months of :func:`compute_surcharges` without the German derivation — for mass runs (the daily
    run books millions of claims); the numbers are computed by the same code."""
    paid = sorted(((day, amount) for day, amount in payments), key=lambda p: (p[0], int(p[1])))
    effective = effective_due_date(due_on, deferred_until=deferred_until, land=land)
    schonfrist_end = None
    if schonfrist:
        raw_end = effective + timedelta(days=SCHONFRIST_DAYS)
        schonfrist_end = raw_end if is_working_day(raw_end, land) else next_working_day(raw_end, land=land)
    months, _waiting = _delay_months(principal, effective, until, paid, schonfrist_end, from_index)
    return months


def compute_surcharges(
    principal: Cents,
    due_on: date,
    *,
    until: date,
    payments: Iterable[tuple[date, Cents]] = (),
    deferred_until: date | None = None,
    vollstreckungsaufschub_from: date | None = None,
    schonfrist: bool = True,
    land: str = DEFAULT_LAND,
) -> SurchargeResult:
    """Säumniszuschläge on ``principal`` due on ``due_on``, arisen up to and including ``until``
    (§ 240 AO; the readings are those of the module docstring).

    * ``principal``: the tax or other principal claim only (§ 240 Abs. 2 AO: none on ancillary amounts).
    * ``payments``: ``(day, amount)`` pairs on the principal, in any order; each lowers the base of the
      months that begin after its day (AEAO zu § 240; LAW.md). Amounts paid within the Schonfrist bear no
      surcharge (§ 240 Abs. 3 Satz 1 AO). A payment before the due date simply lowers the principal.
    * ``deferred_until``: a Stundung (§ 222 AO) until that day: it becomes the due date (moved off a
      non-working day, § 108 Abs. 3 AO); no surcharge arises for the deferred time.
    * ``vollstreckungsaufschub_from``: a Vollstreckungsaufschub (§ 258 AO) from that day is noted in the
      derivation and changes nothing: surcharges keep running (LAW.md).
    * ``schonfrist=False``: payment by handing over cash or a cheque (§ 240 Abs. 3 Satz 2, § 224 Abs. 2
      Nr. 1 AO): no Schonfrist.
    * ``land``: the Land whose public holidays count (§ 108 Abs. 3 AO); default Saarland.

    A month counts if it has begun on or before ``until`` and some principal was unpaid on its first day;
    the first month only once the Schonfrist has passed (before, the debtor may still pay without
    surcharge). For the daily run pass the as-of day as ``until``.
    """
    check_land(land)
    principal = _check_amount(principal, "Die Hauptforderung")
    if principal < 0:
        raise ValueError(f"Die Hauptforderung darf nicht negativ sein, nicht {principal}.")
    paid: list[tuple[date, Cents]] = []
    for day, amount in payments:
        amount = _check_amount(amount, "Eine Teilzahlung")
        if amount <= 0:
            raise ValueError(f"Eine Teilzahlung muss positiv sein, nicht {amount} am {format_date(day)}.")
        paid.append((day, amount))
    paid.sort(key=lambda payment: (payment[0], int(payment[1])))

    steps = [
        f"Rückständige Hauptforderung: {principal.format()}. Säumniszuschläge entstehen nur auf sie, nicht auf "
        "Säumniszuschläge, Zinsen, Gebühren oder Kosten (§ 240 Abs. 2 AO)."
    ]
    effective = due_on
    if deferred_until is not None:
        if deferred_until < due_on:
            raise ValueError(
                f"Eine Stundung schiebt die Fälligkeit hinaus; das Stundungsende {format_date(deferred_until)} "
                f"liegt vor der Fälligkeit {format_date(due_on)}."
            )
        effective = deferred_until
        steps.append(
            f"Fällig war die Forderung am {format_date(due_on)}; sie ist bis {format_date(deferred_until)} "
            "gestundet (§ 222 AO). Die Stundung schiebt die Fälligkeit hinaus: für die gestundete Zeit "
            "entstehen keine Säumniszuschläge (Stundungszinsen nach § 234 AO sind nicht Teil dieser Rechnung)."
        )
    moved = shift_to_working_day(effective, land=land, what="Der Fälligkeitstag", citation=DUE_MOVE_CITATION)
    effective = moved.date
    steps.extend(moved.steps)
    first_start = month_start(effective, 1)
    steps.append(
        f"Fälligkeit: {format_day(effective)}. Wird bis zum Ablauf dieses Tages nicht gezahlt, beginnt die "
        f"Säumnis am {format_date(first_start)}; für jeden angefangenen Monat der Säumnis entsteht ein "
        "Säumniszuschlag von 1 % des auf volle 50 EUR abgerundeten rückständigen Betrags (§ 240 Abs. 1 "
        "Satz 1 AO). Die Monate zählen nach § 108 Abs. 1 AO, §§ 187, 188 BGB ab dem Fälligkeitstag."
    )

    schonfrist_end: date | None = None
    if schonfrist:
        raw_end = effective + timedelta(days=SCHONFRIST_DAYS)
        steps.append(
            f"Schonfrist: bei einer Säumnis bis zu drei Tagen wird kein Säumniszuschlag erhoben; sie endet mit "
            f"Ablauf des {format_date(raw_end)} (§ 240 Abs. 3 Satz 1 AO, § 108 Abs. 1 AO, § 188 Abs. 1 BGB)."
        )
        moved_end = shift_to_working_day(
            raw_end, land=land, what="Das Ende der Schonfrist", citation=SCHONFRIST_MOVE_CITATION
        )
        steps.extend(moved_end.steps)
        schonfrist_end = moved_end.date
    else:
        steps.append(
            "Keine Schonfrist: Zahlung durch Übergabe oder Übersendung von Zahlungsmitteln "
            "(§ 240 Abs. 3 Satz 2 AO, § 224 Abs. 2 Nr. 1 AO)."
        )
    if vollstreckungsaufschub_from is not None:
        steps.append(
            f"Vollstreckungsaufschub ab {format_date(vollstreckungsaufschub_from)} (§ 258 AO): er hemmt nur die "
            "Vollstreckung; die Säumniszuschläge laufen weiter."
        )

    for day, amount in paid:
        if day > until:
            steps.append(
                f"Zahlung von {amount.format()} am {format_date(day)}: nach dem Berechnungstag "
                f"{format_date(until)}, hier nicht berücksichtigt."
            )
        elif day <= effective:
            steps.append(
                f"Zahlung von {amount.format()} am {format_date(day)}: bis zur Fälligkeit, sie mindert den "
                "rückständigen Betrag."
            )
        elif schonfrist_end is not None and day <= schonfrist_end:
            steps.append(
                f"Zahlung von {amount.format()} am {format_date(day)}: innerhalb der Schonfrist, auf diesen "
                "Betrag entsteht kein Säumniszuschlag (§ 240 Abs. 3 Satz 1 AO)."
            )
        else:
            steps.append(
                f"Teilzahlung von {amount.format()} am {format_date(day)}: sie mindert die Bemessungsgrundlage "
                "ab dem nächsten angefangenen Säumnismonat; bereits entstandene Säumniszuschläge bleiben "
                "(§ 240 Abs. 1 Satz 1 AO, AEAO zu § 240)."
            )

    months, waiting = _delay_months(principal, effective, until, paid, schonfrist_end)
    if waiting:
        steps.append(
            f"Bis {format_date(until)} ist die Schonfrist nicht abgelaufen: noch kein Säumniszuschlag "
            "(§ 240 Abs. 3 Satz 1 AO)."
        )
    for month in months:
        base, open_principal = month.base, month.open_principal
        if base == open_principal:
            rounded = f"Bemessungsgrundlage {base.format()}"
        else:
            rounded = f"abgerundet auf volle 50 EUR {base.format()}"
        steps.append(
            f"{month.index}. Säumnismonat vom {format_date(month.starts_on)} bis {format_date(month.ends_on)}: "
            f"rückständig {open_principal.format()}, {rounded}; Säumniszuschlag 1 % = {month.amount.format()}, "
            f"entstanden und fällig am {format_date(month.starts_on)} (§ 240 Abs. 1 Satz 1 AO)."
        )

    result_total = total(month.amount for month in months)
    if not months:
        steps.append(f"Ergebnis: bis {format_date(until)} kein Säumniszuschlag.")
    else:
        count = len(months)
        label = "angefangener Säumnismonat" if count == 1 else "angefangene Säumnismonate"
        steps.append(
            f"Ergebnis: {count} {label} bis {format_date(until)}, Säumniszuschläge insgesamt "
            f"{result_total.format()}."
        )
    return SurchargeResult(result_total, tuple(months), tuple(steps), effective, schonfrist_end, until)
