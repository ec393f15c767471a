"""The caseworkers' calculators: one entry per legal computation, inputs as people type them.

``kofo calc …`` and the Rechner page of the UI both call these functions. Each takes the inputs as text
(amounts as ``2150.00`` or ``2150,00``, dates as ``2025-06-10`` or ``10.06.2025``), checks them, runs the
pure rule of :mod:`kofo.law` and returns a :class:`Calculation`: the result (an amount in cents or a date),
the result in German words and the derivation — the German sentences of the rule, each citing its
paragraph. Bad input raises :class:`CalculatorError` with a machine code and a German message that names
the field.

The functions never ask the clock: a default "as of" day is the caller's (the CLI and the view pass today).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from kofo.law import fees as fee_rules
from kofo.law import garnishment, surcharges
from kofo.law.deadlines import LAENDER, PeriodKind, format_date, format_day, period_for_kind
from kofo.law.limitation import LimitationEvent, LimitationEventKind, limitation_expiry
from kofo.money import Cents, MoneyParseError

#: Codes of input problems (the messages are German and name the field).
INVALID_DATE = "calc.invalid_date"
INVALID_AMOUNT = "calc.invalid_amount"
INVALID_CHOICE = "calc.invalid_choice"
INVALID_NUMBER = "calc.invalid_number"
MISSING_VALUE = "calc.missing_value"
RULE_REFUSED = "calc.rule_refused"

#: Partial payments and interruptions one calculation accepts (a limit on input like every other).
LIST_ITEMS_MAX = 50


class CalculatorError(ValueError):
    """Input the calculator cannot use: ``code`` for machines, ``message`` in German, ``field`` named."""

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Calculation:
    """The result of one calculator run and how it was derived."""

    name: str
    title: str
    result: int | date
    result_text: str
    derivation: tuple[str, ...]
    inputs: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """One JSON object: ``result`` is the amount in cents (integer) or the date (ISO 8601)."""
        result: int | str = self.result.isoformat() if isinstance(self.result, date) else int(self.result)
        return {
            "rechner": self.name,
            "result": result,
            "result_text": self.result_text,
            "derivation": list(self.derivation),
            "inputs": dict(self.inputs),
            **({"details": dict(self.details)} if self.details else {}),
        }


# --- input parsing ---------------------------------------------------------------------------------------

_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str | date, *, field: str) -> date:
    """A date as ``2025-06-10`` or ``10.06.2025``."""
    if isinstance(text, date):
        return text
    value = (text or "").strip()
    if not value:
        raise CalculatorError(f"{field}: bitte ein Datum angeben.", code=MISSING_VALUE, field=field)
    try:
        german = _GERMAN_DATE.fullmatch(value)
        if german:
            day, month, year = (int(g) for g in german.groups())
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise CalculatorError(
            f"{field}: „{value}“ ist kein gültiges Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT).",
            code=INVALID_DATE,
            field=field,
        ) from None


def parse_amount(text: str | Cents, *, field: str, allow_zero: bool = False) -> Cents:
    """An amount in euros as ``2150.00``, ``2150,00`` or ``2.150,00``; never negative."""
    if isinstance(text, Cents):
        amount = text
    else:
        value = (text or "").strip()
        if not value:
            raise CalculatorError(f"{field}: bitte einen Betrag angeben.", code=MISSING_VALUE, field=field)
        try:
            amount = Cents.parse(value)
        except MoneyParseError as exc:
            raise CalculatorError(f"{field}: {exc}", code=INVALID_AMOUNT, field=field) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise CalculatorError(
            f"{field}: der Betrag muss größer als 0 sein, nicht {amount.format()}.",
            code=INVALID_AMOUNT,
            field=field,
        )
    return amount


def parse_count(text: str | int, *, field: str, maximum: int = 99) -> int:
    """A small non-negative whole number (e.g. the number of dependants)."""
    if isinstance(text, int):
        value = text
    else:
        raw = (text or "").strip() or "0"
        if not raw.isdigit():
            raise CalculatorError(
                f"{field}: „{raw}“ ist keine ganze Zahl ≥ 0.", code=INVALID_NUMBER, field=field
            )
        value = int(raw)
    if not 0 <= value <= maximum:
        raise CalculatorError(
            f"{field}: erlaubt sind 0 bis {maximum}, nicht {value}.", code=INVALID_NUMBER, field=field
        )
    return value


def _choice(value: str, choices: Sequence[str], *, field: str) -> str:
    normalised = (value or "").strip().lower()
    if normalised not in choices:
        raise CalculatorError(
            f"{field}: „{value}“ ist nicht vorgesehen; möglich sind {', '.join(choices)}.",
            code=INVALID_CHOICE,
            field=field,
        )
    return normalised


def _land(land: str) -> str:
    """A Länder code of the holidays library (SL, NW, BY …), Saarland when empty."""
    code = (land or "SL").strip().upper()
    if code not in LAENDER:
        raise CalculatorError(
            f"Land: „{land}“ ist kein Länderkürzel; möglich sind {', '.join(sorted(LAENDER))}.",
            code=INVALID_CHOICE,
            field="Land",
        )
    return code


def _list(values: Sequence[str], *, field: str) -> list[str]:
    items = [v.strip() for v in values if v and v.strip()]
    if len(items) > LIST_ITEMS_MAX:
        raise CalculatorError(
            f"{field}: höchstens {LIST_ITEMS_MAX} Angaben, erhalten {len(items)}.",
            code=INVALID_NUMBER,
            field=field,
        )
    return items


# --- Fristen ---------------------------------------------------------------------------------------------

PERIOD_KINDS = tuple(kind.value for kind in PeriodKind)
PERIOD_LABELS = {
    PeriodKind.BEKANNTGABE.value: "Bekanntgabe eines Bescheids (Zugangsfiktion)",
    PeriodKind.WOCHE.value: "Wochenfrist",
    PeriodKind.ZWEI_WOCHEN.value: "Zwei-Wochen-Frist",
    PeriodKind.MONAT.value: "Monatsfrist",
}


def frist(beginn: str | date, art: str, land: str = "SL") -> Calculation:
    """End of a period, or the deemed receipt of a posted notice (§§ 187–193 BGB, § 108, § 122 Abs. 2 AO).

    ``beginn`` is the day of the event that starts the period (posting, service, due date); it is not
    counted (§ 187 Abs. 1 BGB). ``land`` is a Länder code of the holidays library (SL, NW, BY …).
    """
    start = parse_date(beginn, field="Beginn")
    kind = _choice(art, PERIOD_KINDS, field="Art")
    land_code = _land(land)
    result = period_for_kind(kind, start, land=land_code)
    title = PERIOD_LABELS[kind]
    if kind == PeriodKind.BEKANNTGABE.value:
        text = f"Bekanntgabe gilt am {format_day(result.date)} als bewirkt"
    else:
        text = f"Fristende {format_day(result.date)}, 24:00 Uhr"
    return Calculation(
        name="frist",
        title=title,
        result=result.date,
        result_text=text,
        derivation=result.steps,
        inputs={"beginn": start.isoformat(), "art": kind, "land": land_code},
    )


# --- Verjährung ------------------------------------------------------------------------------------------

INTERRUPTION_KINDS = tuple(k.value for k in LimitationEventKind)


def verjaehrung(
    faellig: str | date, unterbrechungen: Sequence[str] = (), *, heute: date | None = None
) -> Calculation:
    """Zahlungsverjährung of one item (§§ 228–232 AO).

    Each interruption is ``DATE`` (an enforcement measure, § 231 Abs. 1 Satz 1 Nr. 3 AO) or
    ``DATE:ART`` with an event kind of :class:`~kofo.law.limitation.LimitationEventKind`
    (``2023-05-02:stundung``) — events that do not interrupt (``teilzahlung``) are explained as such.
    """
    due = parse_date(faellig, field="Fälligkeit")
    events: list[LimitationEvent] = []
    for item in _list(unterbrechungen, field="Unterbrechung"):
        day_text, _, kind_text = item.partition(":")
        day = parse_date(day_text, field="Unterbrechung")
        kind = LimitationEventKind(
            _choice(
                kind_text or LimitationEventKind.VOLLSTRECKUNGSMASSNAHME.value,
                INTERRUPTION_KINDS,
                field="Art der Unterbrechung",
            )
        )
        if day < due:
            raise CalculatorError(
                f"Unterbrechung: der {format_date(day)} liegt vor der Fälligkeit am {format_date(due)}.",
                code=INVALID_DATE,
                field="Unterbrechung",
            )
        events.append(LimitationEvent(kind, day))
    result = limitation_expiry(due, events)
    steps = list(result.steps)
    text = f"Verjährung mit Ablauf des {format_date(result.expires_on)}"
    if heute is not None and heute > result.expires_on:
        steps.append(
            f"Heute ({format_date(heute)}) ist die Forderung verjährt und erloschen (§ 232 AO); "
            "sie darf nicht mehr vollstreckt werden."
        )
        text += " – bereits verjährt"
    return Calculation(
        name="verjaehrung",
        title="Zahlungsverjährung",
        result=result.expires_on,
        result_text=text,
        derivation=tuple(steps),
        inputs={
            "faellig": due.isoformat(),
            "unterbrechungen": ", ".join(f"{e.on.isoformat()}:{e.kind.value}" for e in events),
        },
        details={"reason": result.reason},
    )


# --- Gebühren --------------------------------------------------------------------------------------------

FEE_KINDS = tuple(kind.cli_name for kind in fee_rules.FeeKind)
REGIMES = ("ao", "svwvg_sl")


def gebuehr(
    regime: str,
    art: str,
    betrag: str | Cents | None = None,
    *,
    stunden: str | None = None,
    stichtag: str | date,
    settings: Mapping[str, Cents] | None = None,
) -> Calculation:
    """An enforcement fee of a regime's schedule (§§ 337–346 AO; Kostenordnung zum SVwVG)."""
    regime_value = _choice(regime, REGIMES, field="Regime")
    kind_value = _choice(art.replace("_", "-"), FEE_KINDS, field="Art")
    on = parse_date(stichtag, field="Stichtag")
    amount = parse_amount(betrag, field="Betrag") if betrag is not None and betrag != "" else None
    hours: Decimal | None = None
    if stunden not in (None, ""):
        try:
            hours = fee_rules.parse_hours(str(stunden))
        except fee_rules.FeeError as exc:
            raise CalculatorError(f"Stunden: {exc}", code=INVALID_NUMBER, field="Stunden") from None
    try:
        result = fee_rules.compute_fee(
            regime_value, kind_value, amount=amount, hours=hours, on=on, settings=settings
        )
    except fee_rules.FeeError as exc:
        raise CalculatorError(str(exc), code=exc.code, field="Art") from None
    return Calculation(
        name="gebuehr",
        title=result.name,
        result=result.amount,
        result_text=f"{result.name}: {result.amount.format()}",
        derivation=result.steps,
        inputs={
            "regime": regime_value,
            "art": kind_value,
            "betrag": amount.to_decimal().to_eng_string() if amount is not None else "",
            "stunden": str(hours) if hours is not None else "",
            "stichtag": on.isoformat(),
        },
        details={"citation": result.citation, "schedule": result.source},
    )


# --- Pfändung von Arbeitseinkommen -----------------------------------------------------------------------

GARNISHMENT_PERIODS = tuple(p.value for p in garnishment.GarnishmentPeriod)


def pfaendung(
    netto: str | Cents, unterhaltspflichten: str | int, zeitraum: str, stichtag: str | date
) -> Calculation:
    """Garnishable part of earned income (§ 850c ZPO) from the parameter period valid on ``stichtag``."""
    income = parse_amount(netto, field="Nettoeinkommen", allow_zero=True)
    dependants = parse_count(unterhaltspflichten, field="Unterhaltspflichten")
    period = _choice(zeitraum, GARNISHMENT_PERIODS, field="Zeitraum")
    on = parse_date(stichtag, field="Stichtag")
    try:
        result = garnishment.garnishable_amount(income, dependants, period, on)
    except garnishment.NoGarnishmentParameters as exc:
        raise CalculatorError(exc.message, code=exc.code, field="Stichtag") from None
    return Calculation(
        name="pfaendung",
        title="Pfändbarer Betrag des Arbeitseinkommens",
        result=result.amount,
        result_text=f"Pfändbar {result.period.adverb_de}: {result.amount.format()}",
        derivation=result.steps,
        inputs={
            "netto": str(income.to_decimal()),
            "unterhaltspflichten": str(dependants),
            "zeitraum": period,
            "stichtag": on.isoformat(),
        },
        details={
            "exempt_cents": int(result.exempt),
            "retained_cents": int(result.retained),
            "share": f"{result.share.numerator}/{result.share.denominator}",
            "source": result.source,
        },
    )


# --- Säumniszuschläge ------------------------------------------------------------------------------------


def _partial_payment(item: str) -> tuple[date, Cents]:
    """``2025-03-20:500.00``, ``20.03.2025:500,00`` or ``20.03.2025 500,00``."""
    day_text, sep, amount_text = item.partition(":")
    if not sep:
        day_text, _, amount_text = item.partition(" ")
    if not amount_text.strip():
        raise CalculatorError(
            f"Teilzahlung: „{item}“ – erwartet DATUM:BETRAG, z. B. 2025-03-20:500,00.",
            code=INVALID_AMOUNT,
            field="Teilzahlung",
        )
    return parse_date(day_text, field="Teilzahlung"), parse_amount(amount_text, field="Teilzahlung")


def saeumnis(
    betrag: str | Cents,
    faellig: str | date,
    *,
    zahlung: str | date,
    teilzahlungen: Sequence[str] = (),
    stundung_bis: str | date | None = None,
    land: str = "SL",
) -> Calculation:
    """Säumniszuschläge on an overdue principal (§ 240 AO) until the remainder is paid on ``zahlung``.

    ``teilzahlungen`` are ``DATUM:BETRAG``; ``stundung_bis`` moves the due date (§ 240 Abs. 1 Satz 1 with
    § 222 AO).
    """
    principal = parse_amount(betrag, field="Betrag")
    due = parse_date(faellig, field="Fälligkeit")
    until = parse_date(zahlung, field="Zahlung")
    payments = [_partial_payment(item) for item in _list(teilzahlungen, field="Teilzahlung")]
    deferred = (
        parse_date(stundung_bis, field="Stundung bis")
        if stundung_bis is not None and stundung_bis != ""
        else None
    )
    land_code = _land(land)
    if until < due:
        raise CalculatorError(
            f"Zahlung: der {format_date(until)} liegt vor der Fälligkeit am {format_date(due)}; "
            "Säumniszuschläge entstehen erst nach Fälligkeit.",
            code=INVALID_DATE,
            field="Zahlung",
        )
    for day, _amount in payments:
        if day > until:
            raise CalculatorError(
                f"Teilzahlung: der {format_date(day)} liegt nach der Zahlung des Rests am {format_date(until)}.",
                code=INVALID_DATE,
                field="Teilzahlung",
            )
    paid = sum((amount for _day, amount in payments), Cents(0))
    if paid > principal:
        raise CalculatorError(
            f"Teilzahlung: zusammen {paid.format()} – mehr als die Forderung von {principal.format()}.",
            code=INVALID_AMOUNT,
            field="Teilzahlung",
        )
    try:
        result = surcharges.compute_surcharges(
            principal, due, until=until, payments=payments, deferred_until=deferred, land=land_code
        )
    except ValueError as exc:
        raise CalculatorError(str(exc), code=RULE_REFUSED, field="Betrag") from None
    months = len([m for m in result.months if m.amount > 0])
    return Calculation(
        name="saeumnis",
        title="Säumniszuschläge (§ 240 AO)",
        result=result.total,
        result_text=f"Säumniszuschläge: {result.total.format()}",
        derivation=result.steps,
        inputs={
            "betrag": str(principal.to_decimal()),
            "faellig": due.isoformat(),
            "zahlung": until.isoformat(),
            "teilzahlungen": ", ".join(f"{d.isoformat()}:{a.to_decimal()}" for d, a in payments),
            "stundung_bis": deferred.isoformat() if deferred else "",
            "land": land_code,
        },
        details={
            "months": [
                {
                    "index": m.index,
                    "starts_on": m.starts_on.isoformat(),
                    "base_cents": int(m.base),
                    "amount_cents": int(m.amount),
                }
                for m in result.months
            ],
            "months_with_surcharge": months,
        },
    )
