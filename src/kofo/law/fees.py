"""Enforcement fees (Kosten): §§ 337–346 AO and the Kostenordnung zum SVwVG (Saarland).

Fees belong to the enforcing office, not to the creditor (LAW.md, "Enforcement fees (Kosten)"). They are
**data**: one TOML file per legal regime and validity date under ``data/gebuehren/<regime>/<date>.toml``
(rule 5 of the house: a schedule that changes on a date is a dated data file, not an ``if``). This module
reads them and computes a fee with its German derivation, citing the paragraph of every step, like
:class:`kofo.law.deadlines.DateResult`.

Rules shipped (see ../shared/LAW.md):

* ``ao`` — §§ 337–346 AO in the version applicable from 01.11.2021:

  * § 337 Abs. 2 Satz 1 AO: no costs for the reminder procedure (Mahnung): 0,00 EUR.
  * § 339 AO: Pfändungsgebühr 28,60 EUR (Abs. 3), a fixed fee whatever the arrears; it arises with the
    service of each garnishment order on a third-party debtor (Abs. 2 Nr. 2) or once per field order as
    soon as the officer takes steps to execute it (Abs. 2 Nr. 1).
  * § 340 AO: Wegnahmegebühr 28,60 EUR per Wegnahme of movable things including documents (Abs. 1, 3), not
    by the hour; the AO knows no Wegnahme of persons, so ``wegnahme_person`` is not in its schedule.
  * § 341 AO: Verwertungsgebühr 57,20 EUR (Abs. 3), 28,60 EUR if the Verwertung is averted (Abs. 4).
  * § 344 AO: expenses (Auslagen) are passed on at cost: :class:`Expense`, :func:`total_expenses`.

* ``svwvg_sl`` — Kostenordnung zum SVwVG vom 02.03.2021:

  * Mahngebühr 2,80 EUR for an amount up to 51 EUR, plus 0,5 % of the amount above 51 EUR, the fee
    rounded **up** to full 5 cents: 480,00 EUR → 2,80 + 2,145 = 4,945 → 4,95 EUR.
  * Pfändungsgebühr by arrears (inclusive upper limits): up to 150 EUR 14,00; up to 300 EUR 20,00; up to
    500 EUR 23,50; up to 1.000 EUR 28,00; above that "per the schedule", which LAW.md cannot confirm: a
    setting an administrator fills in (``svwvg_sl.pfaendung.ueber_1000``).
  * § 2 Kostenordnung SVwVG: Wegnahmegebühr 28 EUR for a person, 14 EUR for movable things; each started
    further hour adds the amount again, so the fee is the amount per started hour (1,5 h → 2 × 28 EUR).
  * Verwertungsgebühr: not stated by LAW.md; settings ``svwvg_sl.verwertung`` and
    ``svwvg_sl.verwertung_abgewendet``.

An amount the source leaves open is never guessed: the data file marks it as a setting (``amount = ""``
and ``setting = "<key>"``), and computing it raises :class:`MissingFeeSetting` with a German message naming
the gap, unless the caller passes ``settings={"<key>": Cents(...)}`` (the values the administrator stored).
:func:`open_settings` lists the gaps of a schedule.

Schema of a schedule file (unknown keys are refused, so a typo in an administrator's file is caught)::

    regime = "svwvg_sl"            # folder name, a Regime value
    valid_from = 2021-03-02        # TOML date; must equal the file name
    title = "Kostenordnung SVwVG"  # names the schedule in messages ("… der Kostenordnung SVwVG")
    [source]                       # statute, date, optional amendment and reference
    [expenses]                     # optional: citation and rule for expenses at cost
    [fees.<kind>]                  # one table per FeeKind value
    name, citation, occasions = [...], computation, optional arises_citation and note, and per computation:
      free               reason (no fee, e.g. § 337 Abs. 2 AO)
      fixed              amount | setting
      per_started_hour   amount | setting (per started hour, at least one)
      tiered             [[fees.<kind>.tiers]] up_to (inclusive; omitted on the open last tier), amount | setting
      base_plus_percent  base, threshold, percent, round_up_to

Amounts are strings in euros (``"28.60"``) read with :meth:`kofo.money.Cents.parse`; rates are Decimal
strings. No float touches an amount; every rounding is named (``ROUND_UP``, :meth:`Cents.round_up_to`).

Schedules come from the package (``importlib.resources``) and, optionally, from ``extra_dir`` laid out the
same way (``<extra_dir>/<regime>/<YYYY-MM-DD>.toml``): the schedule with the latest ``valid_from`` on or
before the day asked for applies; on the same ``valid_from`` the extra file replaces the packaged one.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kofo.law.deadlines import format_date
from kofo.law.enforceability import Regime
from kofo.money import Cents, MoneyParseError, total

UNKNOWN_REGIME = "fee.unknown_regime"
UNKNOWN_KIND = "fee.unknown_kind"
NO_SCHEDULE = "fee.no_schedule"
NOT_IN_SCHEDULE = "fee.not_in_schedule"
SETTING_MISSING = "fee.setting_missing"
SETTING_INVALID = "fee.setting_invalid"
TIER_MISSING = "fee.tier_missing"
AMOUNT_MISSING = "fee.amount_missing"
AMOUNT_NEGATIVE = "fee.amount_negative"
HOURS_MISSING = "fee.hours_missing"
HOURS_INVALID = "fee.hours_invalid"
SCHEDULE_INVALID = "fee.schedule_invalid"
EXPENSE_INVALID = "fee.expense_invalid"

#: Where the packaged schedules live: ``kofo.law`` / data / gebuehren / <regime> / <YYYY-MM-DD>.toml.
DATA_FOLDER = ("data", "gebuehren")

_REGIME_NAMES_DE: Mapping[Regime, str] = MappingProxyType(
    {Regime.AO: "Abgabenordnung", Regime.SVWVG_SL: "Saarländisches Verwaltungsvollstreckungsgesetz"}
)


class FeeKind(StrEnum):
    """The fees kofo computes; the calculator (``kofo calc gebuehr --art …``) spells them with hyphens."""

    MAHNUNG = "mahnung"
    PFAENDUNG = "pfaendung"
    WEGNAHME_PERSON = "wegnahme_person"
    WEGNAHME_SACHE = "wegnahme_sache"
    VERWERTUNG = "verwertung"
    VERWERTUNG_ABGEWENDET = "verwertung_abgewendet"

    @property
    def cli_name(self) -> str:
        """The calculator's spelling: ``wegnahme-person``."""
        return self.value.replace("_", "-")

    @property
    def label_de(self) -> str:
        """German name of the fee, for messages about a kind a schedule does not contain."""
        return _KIND_LABELS_DE[self]


_KIND_LABELS_DE: Mapping[FeeKind, str] = MappingProxyType(
    {
        FeeKind.MAHNUNG: "Mahngebühr",
        FeeKind.PFAENDUNG: "Pfändungsgebühr",
        FeeKind.WEGNAHME_PERSON: "Wegnahmegebühr für die Wegnahme einer Person",
        FeeKind.WEGNAHME_SACHE: "Wegnahmegebühr für die Wegnahme beweglicher Sachen",
        FeeKind.VERWERTUNG: "Verwertungsgebühr",
        FeeKind.VERWERTUNG_ABGEWENDET: "Verwertungsgebühr bei abgewendeter Verwertung",
    }
)


class Occasion(StrEnum):
    """Events of a case at which a fee arises; the measure engine asks :func:`occasions` what they cost."""

    MAHNUNG_VERSANDT = "mahnung_versandt"
    PFEV_ZUGESTELLT = "pfev_zugestellt"
    AUSSENDIENST_TAETIG = "aussendienst_taetig"
    WEGNAHME = "wegnahme"
    VERWERTUNG = "verwertung"
    VERWERTUNG_ABGEWENDET = "verwertung_abgewendet"

    @property
    def label_de(self) -> str:
        """When the fee arises, as a German phrase completing "Die Gebühr entsteht …"."""
        return _OCCASION_LABELS_DE[self]


_OCCASION_LABELS_DE: Mapping[Occasion, str] = MappingProxyType(
    {
        Occasion.MAHNUNG_VERSANDT: "mit der Aufgabe der Mahnung zur Post",
        Occasion.PFEV_ZUGESTELLT: "mit der Zustellung jeder Pfändungsverfügung an einen Drittschuldner",
        Occasion.AUSSENDIENST_TAETIG: (
            "einmal je Vollstreckungsauftrag mit den ersten Schritten des Vollziehungsbeamten zu seiner Ausführung"
        ),
        Occasion.WEGNAHME: "mit den ersten Schritten des Vollziehungsbeamten zur Ausführung der Wegnahme",
        Occasion.VERWERTUNG: "mit den ersten Schritten zur Ausführung des Verwertungsauftrags",
        Occasion.VERWERTUNG_ABGEWENDET: "mit der Abwendung der Verwertung",
    }
)


class Computation(StrEnum):
    """How a schedule computes a fee (the ``computation`` key of a fee in the data file)."""

    FREE = "free"
    FIXED = "fixed"
    TIERED = "tiered"
    BASE_PLUS_PERCENT = "base_plus_percent"
    PER_STARTED_HOUR = "per_started_hour"


# --- errors ---------------------------------------------------------------------------------------------


class FeeError(ValueError):
    """A fee cannot be computed: ``str(error)`` is a German message, ``code`` a stable machine code."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class MissingFeeSetting(FeeError):
    """The schedule leaves an amount open and no setting supplies it; ``setting`` is the key to fill in."""

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message, code=SETTING_MISSING)
        self.setting = setting


class FeeScheduleError(FeeError):
    """A schedule data file is malformed; ``origin`` names the file."""

    def __init__(self, message: str, *, origin: str) -> None:
        super().__init__(message, code=SCHEDULE_INVALID)
        self.origin = origin


# --- schedules ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """A step of a tiered fee: arrears up to ``up_to`` (inclusive; ``None`` for the open last step)."""

    up_to: Cents | None
    amount: Cents | None
    setting: str | None
    label: str


@dataclass(frozen=True, slots=True)
class FeeRule:
    """One fee of a schedule as the data file states it (see the module docstring for the fields)."""

    kind: FeeKind
    name: str
    citation: str
    arises_citation: str | None
    occasions: tuple[Occasion, ...]
    computation: Computation
    amount: Cents | None = None
    setting: str | None = None
    tiers: tuple[Tier, ...] = ()
    base: Cents | None = None
    threshold: Cents | None = None
    percent: Decimal | None = None
    round_up_to: Cents | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """The fees of one regime from ``valid_from`` on, with the source they are taken from."""

    regime: Regime
    valid_from: date
    title: str
    statute: str
    statute_date: date
    amendment: str | None
    reference: str | None
    expenses_citation: str | None
    expenses_rule: str | None
    fees: Mapping[FeeKind, FeeRule]
    open_settings: Mapping[str, str]
    origin: str

    @property
    def source(self) -> str:
        """The statute and its version, in German, for citations."""
        return f"{self.statute} {self.amendment}" if self.amendment else self.statute


@dataclass(frozen=True, slots=True)
class FeeResult:
    """A computed fee and its derivation: German sentences, each citing its paragraph.

    ``occasions`` are the events at which the fee arises (empty when there is no fee, e.g. § 337 Abs. 2
    AO); ``source`` and ``valid_from`` name the schedule applied; ``settings_used`` the settings that
    supplied an amount the schedule leaves open.
    """

    amount: Cents
    kind: FeeKind
    regime: Regime
    name: str
    occasions: tuple[Occasion, ...]
    citation: str
    source: str
    valid_from: date
    steps: tuple[str, ...]
    settings_used: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Expense:
    """Expenses (Auslagen) passed on at cost (§ 344 AO; § 10 Kostenordnung SVwVG), e.g. postal service.

    ``reason`` says what was paid, in German; ``amount`` is what the office actually paid; ``citation``
    the rule (take :attr:`FeeSchedule.expenses_citation` of the regime).
    """

    reason: str
    amount: Cents
    citation: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Cents):
            raise TypeError(f"Expense.amount must be Cents, not {type(self.amount).__name__}")
        if not self.reason.strip():
            raise FeeError("Auslagen brauchen eine Bezeichnung (wofür wurde gezahlt?).", code=EXPENSE_INVALID)
        if self.amount < 0:
            raise FeeError(
                f"Auslagen „{self.reason}“ können nicht negativ sein ({self.amount.format()}).",
                code=EXPENSE_INVALID,
            )


def total_expenses(expenses: Iterable[Expense]) -> Cents:
    """Sum of expenses passed on at cost (§ 344 AO): ``Cents(0)`` for none."""
    return total(expense.amount for expense in expenses)


# --- parsing of input -----------------------------------------------------------------------------------


def parse_regime(value: Regime | str) -> Regime:
    """The :class:`Regime` named ``value`` (``ao``, ``svwvg_sl``), else a German :class:`FeeError`."""
    if isinstance(value, Regime):
        return value
    try:
        return Regime(value)
    except ValueError:
        allowed = ", ".join(regime.value for regime in Regime)
        raise FeeError(
            f"Unbekanntes Rechtsregime „{value}“; erlaubt sind {allowed}.", code=UNKNOWN_REGIME
        ) from None


def parse_fee_kind(value: FeeKind | str) -> FeeKind:
    """The :class:`FeeKind` named ``value`` in the calculator's spelling (``wegnahme-person``) or the code's
    (``wegnahme_person``), case-insensitive; else a German :class:`FeeError` listing the allowed names."""
    if isinstance(value, FeeKind):
        return value
    try:
        return FeeKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(kind.cli_name for kind in FeeKind)
        raise FeeError(
            f"Unbekannte Gebührenart „{value}“; erlaubt sind {allowed}.", code=UNKNOWN_KIND
        ) from None


_HOURS_RE = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,4})?")


def parse_hours(text: str) -> Decimal:
    """A duration in hours as the calculator takes it (``"1.5"``, ``"1,5"``, ``"2"``) as a Decimal."""
    stripped = text.strip()
    if not _HOURS_RE.fullmatch(stripped):
        raise FeeError(
            f"„{text}“ ist keine gültige Dauer in Stunden; erwartet wird z. B. „1,5“.", code=HOURS_INVALID
        )
    return Decimal(stripped.replace(",", "."))


# --- loading the data files -----------------------------------------------------------------------------


def _packaged_root() -> Traversable:
    root = resources.files("kofo.law")
    for part in DATA_FOLDER:
        root = root / part
    return root


@lru_cache(maxsize=8)
def _packaged_schedules(regime: Regime) -> tuple[FeeSchedule, ...]:
    folder = _packaged_root() / regime.value
    return _load_folder(folder, regime, origin=f"kofo.law/{'/'.join(DATA_FOLDER)}/{regime.value}")


def _load_folder(folder: Traversable, regime: Regime, *, origin: str) -> tuple[FeeSchedule, ...]:
    if not folder.is_dir():
        return ()
    loaded = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".toml"):
            continue
        where = f"{origin}/{entry.name}"
        try:
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise FeeScheduleError(
                f"Gebührenordnung {where}: kein gültiges TOML ({error}).", origin=where
            ) from None
        loaded.append(_parse_schedule(data, regime=regime, file_name=entry.name, origin=where))
    return tuple(loaded)


def schedules(
    regime: Regime | str, *, extra_dir: str | os.PathLike[str] | None = None
) -> tuple[FeeSchedule, ...]:
    """All schedules of ``regime``, oldest first: the packaged ones and those in ``extra_dir``.

    ``extra_dir`` has the packaged layout (``<extra_dir>/<regime>/<YYYY-MM-DD>.toml``); a file there with
    the same ``valid_from`` as a packaged one replaces it.
    """
    regime = parse_regime(regime)
    by_day = {schedule.valid_from: schedule for schedule in _packaged_schedules(regime)}
    if extra_dir is not None:
        folder = Path(extra_dir) / regime.value
        for schedule in _load_folder(folder, regime, origin=str(folder)):
            by_day[schedule.valid_from] = schedule
    return tuple(by_day[day] for day in sorted(by_day))


def schedule_for(
    regime: Regime | str, on: date, *, extra_dir: str | os.PathLike[str] | None = None
) -> FeeSchedule:
    """The schedule of ``regime`` that applies on ``on``: the latest whose ``valid_from`` is not after it.

    A day before every schedule raises :class:`FeeError` (``fee.no_schedule``): kofo holds no fees for it.
    """
    regime = parse_regime(regime)
    known = schedules(regime, extra_dir=extra_dir)
    applicable = [schedule for schedule in known if schedule.valid_from <= on]
    if not applicable:
        name = _REGIME_NAMES_DE[regime]
        if known:
            message = (
                f"Für den {format_date(on)} ist keine Gebührenordnung ({name}, „{regime.value}“) hinterlegt; die "
                f"früheste gilt ab {format_date(known[0].valid_from)}."
            )
        else:
            message = f"Für das Rechtsregime „{regime.value}“ ({name}) ist keine Gebührenordnung hinterlegt."
        raise FeeError(message, code=NO_SCHEDULE)
    return applicable[-1]


def open_settings(
    regime: Regime | str, on: date, *, extra_dir: str | os.PathLike[str] | None = None
) -> Mapping[str, str]:
    """The settings the schedule applying on ``on`` leaves for an administrator: key → German description."""
    return schedule_for(regime, on, extra_dir=extra_dir).open_settings


def occasions(
    regime: Regime | str, on: date, *, extra_dir: str | os.PathLike[str] | None = None
) -> Mapping[Occasion, tuple[FeeKind, ...]]:
    """Which fees arise at which event under the schedule applying on ``on``; every occasion is a key.

    E.g. ``occasions("ao", day)[Occasion.PFEV_ZUGESTELLT] == (FeeKind.PFAENDUNG,)`` (§ 339 Abs. 2 Nr. 2
    AO), ``occasions("ao", day)[Occasion.MAHNUNG_VERSANDT] == ()`` (§ 337 Abs. 2 Satz 1 AO). At
    ``wegnahme`` the measure decides which of the Wegnahme fees (person or things) applies.
    """
    schedule = schedule_for(regime, on, extra_dir=extra_dir)
    found: dict[Occasion, list[FeeKind]] = {occasion: [] for occasion in Occasion}
    for kind, rule in schedule.fees.items():
        for occasion in rule.occasions:
            found[occasion].append(kind)
    return MappingProxyType({occasion: tuple(kinds) for occasion, kinds in found.items()})


# --- schema of a data file ------------------------------------------------------------------------------

_TOP_KEYS = {"regime", "valid_from", "title", "source", "expenses", "fees"}
_SOURCE_KEYS = {"statute", "date", "amendment", "reference"}
_EXPENSES_KEYS = {"citation", "rule"}
_FEE_COMMON_KEYS = {"name", "citation", "arises_citation", "occasions", "computation", "note"}
_FEE_KEYS: Mapping[Computation, set[str]] = MappingProxyType(
    {
        Computation.FREE: {"reason"},
        Computation.FIXED: {"amount", "setting"},
        Computation.PER_STARTED_HOUR: {"amount", "setting"},
        Computation.TIERED: {"tiers"},
        Computation.BASE_PLUS_PERCENT: {"base", "threshold", "percent", "round_up_to"},
    }
)
_TIER_KEYS = {"up_to", "amount", "setting"}


class _Reader:
    """Reads one data file, every complaint naming the file and the key."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, detail: str) -> FeeScheduleError:
        return FeeScheduleError(f"Gebührenordnung {self.origin}: {detail}", origin=self.origin)

    def table(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"„{where}{key}“ fehlt oder ist keine Tabelle.")
        return value

    def keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"unbekannte Angabe(n) {', '.join(unknown)} in „{where or 'Kopf'}“.")

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"„{where}{key}“ fehlt oder ist kein Text.")
        return value

    def day(self, data: Mapping[str, Any], key: str, where: str) -> date:
        value = data.get(key)
        # tomllib returns datetime for a date-time; only a plain date is a valid day here.
        if type(value) is not date:
            raise self.fail(f"„{where}{key}“ fehlt oder ist kein Datum (JJJJ-MM-TT).")
        return value

    def cents(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> Cents | None:
        value = data.get(key)
        if (value is None or value == "") and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(
                f'„{where}{key}“ fehlt oder ist kein Betrag in Anführungszeichen (z. B. "28.60").'
            )
        try:
            amount = Cents.parse(value)
        except MoneyParseError as error:
            raise self.fail(f"„{where}{key}“: {error}") from None
        if amount < 0:
            raise self.fail(f"„{where}{key}“ darf nicht negativ sein.")
        return amount

    def rate(self, data: Mapping[str, Any], key: str, where: str) -> Decimal:
        value = data.get(key)
        try:
            rate = Decimal(value) if isinstance(value, str) else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate < 0:
            raise self.fail(
                f'„{where}{key}“ fehlt oder ist kein Prozentsatz in Anführungszeichen (z. B. "0.5").'
            )
        return rate

    def amount_or_setting(self, data: Mapping[str, Any], where: str) -> tuple[Cents | None, str | None]:
        amount = self.cents(data, "amount", where, required=False)
        setting = self.text(data, "setting", where, required=False)
        if amount is None and setting is None:
            raise self.fail(
                f"„{where}“ braucht einen Betrag (amount) oder den Namen einer Einstellung (setting)."
            )
        if amount is not None and setting is not None:
            raise self.fail(
                f"„{where}“ hat einen Betrag und eine Einstellung; eine offene Stelle hat nur setting."
            )
        return amount, setting


def _parse_schedule(data: Mapping[str, Any], *, regime: Regime, file_name: str, origin: str) -> FeeSchedule:
    read = _Reader(origin)
    read.keys(data, _TOP_KEYS, "")
    if data.get("regime") != regime.value:
        raise read.fail(f"„regime“ muss „{regime.value}“ lauten (der Ordner), nicht „{data.get('regime')}“.")
    valid_from = read.day(data, "valid_from", "")
    if file_name != f"{valid_from.isoformat()}.toml":
        raise read.fail(
            f"der Dateiname muss dem Gültigkeitsbeginn entsprechen: {valid_from.isoformat()}.toml."
        )
    title = read.text(data, "title", "") or ""

    source = read.table(data, "source", "")
    read.keys(source, _SOURCE_KEYS, "source")
    expenses = read.table(data, "expenses", "", required=False)
    read.keys(expenses, _EXPENSES_KEYS, "expenses")

    fee_tables = read.table(data, "fees", "")
    fees: dict[FeeKind, FeeRule] = {}
    open_: dict[str, str] = {}
    for key, table in fee_tables.items():
        try:
            kind = FeeKind(key)
        except ValueError:
            raise read.fail(f"unbekannte Gebührenart „fees.{key}“.") from None
        if not isinstance(table, dict):
            raise read.fail(f"„fees.{key}“ ist keine Tabelle.")
        rule = _parse_rule(read, kind, table)
        fees[kind] = rule
        if rule.setting is not None:
            open_[rule.setting] = f"{rule.name} der {title}"
        for tier in rule.tiers:
            if tier.setting is not None:
                open_[tier.setting] = f"Gebührenstufe {tier.label} der {title} ({rule.name})"

    return FeeSchedule(
        regime=regime,
        valid_from=valid_from,
        title=title,
        statute=read.text(source, "statute", "source.") or "",
        statute_date=read.day(source, "date", "source."),
        amendment=read.text(source, "amendment", "source.", required=False),
        reference=read.text(source, "reference", "source.", required=False),
        expenses_citation=read.text(expenses, "citation", "expenses.", required=bool(expenses)),
        expenses_rule=read.text(expenses, "rule", "expenses.", required=bool(expenses)),
        fees=MappingProxyType(fees),
        open_settings=MappingProxyType(open_),
        origin=origin,
    )


def _parse_rule(read: _Reader, kind: FeeKind, table: Mapping[str, Any]) -> FeeRule:
    where = f"fees.{kind.value}."
    try:
        computation = Computation(str(table.get("computation")))
    except ValueError:
        allowed = ", ".join(item.value for item in Computation)
        raise read.fail(f"„{where}computation“ muss eines von {allowed} sein.") from None
    read.keys(table, _FEE_COMMON_KEYS | _FEE_KEYS[computation], where.rstrip("."))
    raw_occasions = table.get("occasions")
    if not isinstance(raw_occasions, list):
        raise read.fail(f"„{where}occasions“ fehlt oder ist keine Liste.")
    try:
        occasions_ = tuple(Occasion(item) for item in raw_occasions)
    except ValueError:
        allowed = ", ".join(item.value for item in Occasion)
        raise read.fail(
            f"„{where}occasions“ enthält einen unbekannten Anlass; erlaubt sind {allowed}."
        ) from None
    common: dict[str, Any] = {
        "kind": kind,
        "name": read.text(table, "name", where),
        "citation": read.text(table, "citation", where),
        "arises_citation": read.text(table, "arises_citation", where, required=False),
        "occasions": occasions_,
        "computation": computation,
        "note": read.text(table, "note", where, required=False),
    }
    match computation:
        case Computation.FREE:
            return FeeRule(**common, reason=read.text(table, "reason", where))
        case Computation.FIXED | Computation.PER_STARTED_HOUR:
            amount, setting = read.amount_or_setting(table, where.rstrip("."))
            return FeeRule(**common, amount=amount, setting=setting)
        case Computation.BASE_PLUS_PERCENT:
            step = read.cents(table, "round_up_to", where)
            if step is not None and step <= 0:
                raise read.fail(f"„{where}round_up_to“ muss größer als 0 sein.")
            return FeeRule(
                **common,
                base=read.cents(table, "base", where),
                threshold=read.cents(table, "threshold", where),
                percent=read.rate(table, "percent", where),
                round_up_to=step,
            )
        case Computation.TIERED:
            return FeeRule(**common, tiers=_parse_tiers(read, table.get("tiers"), where))


def _parse_tiers(read: _Reader, raw: object, where: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise read.fail(f"„{where}tiers“ fehlt oder ist leer.")
    tiers: list[Tier] = []
    previous: Cents | None = None
    for index, item in enumerate(raw, start=1):
        at = f"{where}tiers[{index}]"
        if not isinstance(item, dict):
            raise read.fail(f"„{at}“ ist keine Tabelle.")
        read.keys(item, _TIER_KEYS, at)
        up_to = read.cents(item, "up_to", f"{at}.", required=False)
        if up_to is None and index != len(raw):
            raise read.fail(f"„{at}“ hat keine Obergrenze (up_to); nur die letzte Stufe darf offen sein.")
        if up_to is not None and previous is not None and up_to <= previous:
            raise read.fail(f"„{at}.up_to“ muss größer sein als die Obergrenze der vorigen Stufe.")
        amount, setting = read.amount_or_setting(item, at)
        tiers.append(Tier(up_to=up_to, amount=amount, setting=setting, label=_tier_label(previous, up_to)))
        previous = up_to
    return tuple(tiers)


# --- formatting -----------------------------------------------------------------------------------------


def _format_number(value: Decimal, *, places_min: int = 0) -> str:
    """German form of an exact Decimal, no digit lost: ``2,145``, ``0,5``, ``1.234,5``."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    fraction = fraction.rstrip("0").ljust(places_min, "0")
    grouped = f"{int(whole):_}".replace("_", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def _format_euros(value: Decimal) -> str:
    """An exact euro amount that may have more than two decimals: ``4,945 EUR``."""
    return f"{_format_number(value, places_min=2)} EUR"


def _format_limit(amount: Cents) -> str:
    """A tier limit as statutes write it: whole euros without cents (``1.000 EUR``), else ``150,50 EUR``."""
    if int(amount) % 100 == 0:
        return f"{amount.format(symbol=False)[:-3]} EUR"
    return amount.format()


def _format_step(step: Cents) -> str:
    """A rounding step as the ordinance names it: ``5 Cent``, ``1 EUR``."""
    return f"{int(step)} Cent" if step < 100 else _format_limit(step)


def _tier_label(lower: Cents | None, upper: Cents | None) -> str:
    if upper is None:
        return f"über {_format_limit(lower)}" if lower is not None else "ohne Obergrenze"
    if lower is None:
        return f"bis {_format_limit(upper)}"
    return f"über {_format_limit(lower)} bis {_format_limit(upper)}"


def _hours_text(hours: Decimal) -> str:
    return f"{_format_number(hours)} {'Stunde' if hours == 1 else 'Stunden'}"


# --- computing ------------------------------------------------------------------------------------------


class _Derivation:
    def __init__(self, schedule: FeeSchedule, rule: FeeRule, settings: Mapping[str, Cents]) -> None:
        self.schedule = schedule
        self.rule = rule
        self.settings = settings
        self.steps: list[str] = []
        self.used: list[str] = []

    def resolve(self, amount: Cents | None, setting: str | None, what: str) -> Cents:
        """The schedule's amount, or the administrator's setting where the schedule leaves it open."""
        if amount is not None:
            return amount
        assert setting is not None  # the reader guarantees one of both
        if setting not in self.settings:
            raise MissingFeeSetting(
                f"{what} der {self.schedule.title} ist nicht hinterlegt – bitte in den Einstellungen ergänzen "
                f"(Einstellung „{setting}“).",
                setting=setting,
            )
        value = self.settings[setting]
        if not isinstance(value, Cents) or value < 0:
            raise FeeError(
                f"Die Einstellung „{setting}“ muss ein Betrag von mindestens 0,00 EUR sein, nicht {value!r}.",
                code=SETTING_INVALID,
            )
        self.used.append(setting)
        self.steps.append(
            f"{what}: in der {self.schedule.title} nicht hinterlegt; Betrag aus den Einstellungen "
            f"(„{setting}“): {value.format()}."
        )
        return value


def _check_amount(amount: Cents | None) -> None:
    if amount is None:
        return
    if not isinstance(amount, Cents):
        raise TypeError(f"amount must be Cents, not {type(amount).__name__}")
    if amount < 0:
        raise FeeError(f"Der Betrag darf nicht negativ sein ({amount.format()}).", code=AMOUNT_NEGATIVE)


def _check_hours(hours: Decimal | int | None) -> Decimal | None:
    if hours is None:
        return None
    if isinstance(hours, bool) or not isinstance(hours, Decimal | int):
        raise TypeError(f"hours must be a Decimal (never float), not {type(hours).__name__}")
    value = Decimal(hours)
    if not value.is_finite() or value < 0:
        raise FeeError(f"Die Dauer muss eine Zahl von Stunden ab 0 sein, nicht {hours}.", code=HOURS_INVALID)
    return value


def fee_from_schedule(
    schedule: FeeSchedule,
    kind: FeeKind | str,
    *,
    amount: Cents | None = None,
    hours: Decimal | int | None = None,
    settings: Mapping[str, Cents] | None = None,
) -> FeeResult:
    """The fee ``kind`` under ``schedule`` (see :func:`compute_fee` for the arguments)."""
    return _compute(schedule, parse_fee_kind(kind), amount=amount, hours=hours, settings=settings, on=None)


def compute_fee(
    regime: Regime | str,
    kind: FeeKind | str,
    *,
    amount: Cents | None = None,
    hours: Decimal | int | None = None,
    on: date,
    settings: Mapping[str, Cents] | None = None,
    extra_dir: str | os.PathLike[str] | None = None,
) -> FeeResult:
    """The fee ``kind`` of ``regime`` under the schedule applying on ``on`` (§§ 337–346 AO; Kostenordnung
    SVwVG), with its derivation.

    * ``amount``: what the fee is measured by — the amount reminded for the Mahngebühr (Kostenordnung
      SVwVG: 2,80 EUR up to 51 EUR plus 0,5 % above, rounded up to full 5 cents), the arrears for a tiered
      Pfändungsgebühr. Fixed fees (§§ 339–341 AO) ignore it and say so.
    * ``hours``: duration of the Wegnahme for a fee per started hour (§ 2 Abs. 2 Kostenordnung SVwVG);
      a Decimal or int, never float. A fee per Wegnahme (§ 340 Abs. 3 AO) ignores it and says so.
    * ``settings``: amounts the administrator stored for the gaps of the schedule (:func:`open_settings`);
      without the one needed, :class:`MissingFeeSetting`.
    * ``extra_dir``: further schedule files (see :func:`schedules`).

    Errors are :class:`FeeError` with a German message and a code: unknown regime or kind, no schedule for
    ``on``, a kind the schedule does not know (``wegnahme_person`` under the AO), a missing setting,
    amount or duration.
    """
    schedule = schedule_for(regime, on, extra_dir=extra_dir)
    return _compute(schedule, parse_fee_kind(kind), amount=amount, hours=hours, settings=settings, on=on)


def _compute(
    schedule: FeeSchedule,
    kind: FeeKind,
    *,
    amount: Cents | None,
    hours: Decimal | int | None,
    settings: Mapping[str, Cents] | None,
    on: date | None,
) -> FeeResult:
    _check_amount(amount)
    hours_value = _check_hours(hours)
    rule = schedule.fees.get(kind)
    if rule is None:
        raise FeeError(
            f"Die {schedule.title} (gültig ab {format_date(schedule.valid_from)}) sieht keine "
            f"{kind.label_de} vor.",
            code=NOT_IN_SCHEDULE,
        )
    out = _Derivation(schedule, rule, settings or {})
    when = f" für den Stichtag {format_date(on)}" if on is not None else ""
    out.steps.append(f"Maßgeblich{when}: {schedule.source}, gültig ab {format_date(schedule.valid_from)}.")

    match rule.computation:
        case Computation.FREE:
            fee = Cents(0)
            out.steps.append(f"{rule.name}: keine Gebühr. {rule.reason} ({rule.citation}).")
        case Computation.FIXED:
            fee = out.resolve(rule.amount, rule.setting, rule.name)
            out.steps.append(f"{rule.name}: Festgebühr {fee.format()} ({rule.citation}).")
            if amount is not None:
                out.steps.append(
                    f"Die Gebühr hängt nicht vom Betrag ab; der angegebene Betrag von {amount.format()} bleibt "
                    f"ohne Einfluss ({rule.citation})."
                )
        case Computation.TIERED:
            fee = _tiered(out, rule, amount)
        case Computation.BASE_PLUS_PERCENT:
            fee = _base_plus_percent(out, rule, amount)
        case Computation.PER_STARTED_HOUR:
            fee = _per_started_hour(out, rule, hours_value)
    if hours_value is not None and rule.computation is not Computation.PER_STARTED_HOUR:
        out.steps.append(
            f"Die {rule.name} wird nicht nach Stunden bemessen; die angegebene Dauer von "
            f"{_hours_text(hours_value)} bleibt unberücksichtigt ({rule.citation})."
        )
    if rule.occasions:
        arises = " oder ".join(occasion.label_de for occasion in rule.occasions)
        out.steps.append(f"Die Gebühr entsteht {arises} ({rule.arises_citation or rule.citation}).")
    if rule.note:
        out.steps.append(f"Hinweis: {rule.note}")
    out.steps.append(f"{rule.name}: {fee.format()}.")
    return FeeResult(
        amount=fee,
        kind=kind,
        regime=schedule.regime,
        name=rule.name,
        occasions=rule.occasions,
        citation=rule.citation,
        source=schedule.source,
        valid_from=schedule.valid_from,
        steps=tuple(out.steps),
        settings_used=tuple(out.used),
    )


def _require_amount(rule: FeeRule, amount: Cents | None, what: str) -> Cents:
    if amount is None:
        raise FeeError(
            f"Die {rule.name} bemisst sich nach {what}; bitte den Betrag angeben.", code=AMOUNT_MISSING
        )
    return amount


def _tiered(out: _Derivation, rule: FeeRule, amount: Cents | None) -> Cents:
    """A fee by arrears (Kostenordnung SVwVG, Pfändungsgebühr): the first tier whose inclusive upper limit
    the arrears do not exceed."""
    arrears = _require_amount(rule, amount, "dem Rückstand")
    for tier in rule.tiers:
        if tier.up_to is None or arrears <= tier.up_to:
            fee = out.resolve(tier.amount, tier.setting, f"Gebührenstufe {tier.label}")
            out.steps.append(
                f"Rückstand {arrears.format()}: Gebührenstufe {tier.label} → {fee.format()} ({rule.citation})."
            )
            return fee
    highest = rule.tiers[-1].up_to
    assert highest is not None  # an open last tier catches every amount above
    raise FeeError(
        f"Die Tabelle der {rule.name} der {out.schedule.title} reicht bis {_format_limit(highest)}; für einen "
        f"Rückstand von {arrears.format()} ist keine Stufe hinterlegt.",
        code=TIER_MISSING,
    )


def _base_plus_percent(out: _Derivation, rule: FeeRule, amount: Cents | None) -> Cents:
    """Kostenordnung SVwVG, Mahngebühr: the base fee for an amount up to the threshold, plus the percentage
    of the amount above it; the sum (exact, in Decimal) rounded **up** (``ROUND_UP``) to a cent and then up
    to the rounding step (full 5 cents). Rounding up twice equals rounding the exact sum up to 5 cents once,
    as the base is a whole number of cents."""
    claim = _require_amount(rule, amount, "dem angemahnten Betrag")
    assert rule.base is not None and rule.threshold is not None
    assert rule.percent is not None and rule.round_up_to is not None
    step = _format_step(rule.round_up_to)
    out.steps.append(
        f"{rule.name}: {rule.base.format()} für einen Betrag bis {rule.threshold.format()}, dazu "
        f"{_format_number(rule.percent)} % des Mehrbetrags, aufgerundet auf volle {step} ({rule.citation})."
    )
    if claim <= rule.threshold:
        exact = rule.base.to_decimal()
        out.steps.append(
            f"Betrag {claim.format()}: nicht über {rule.threshold.format()}, kein Mehrbetrag; Gebühr "
            f"{rule.base.format()}."
        )
    else:
        excess = claim - rule.threshold
        with localcontext() as context:
            context.prec = 60  # exact for any amount Cents.parse accepts
            share = excess.to_decimal() * rule.percent / 100
            exact = rule.base.to_decimal() + share
        out.steps.append(
            f"Betrag {claim.format()}, davon über {rule.threshold.format()}: {excess.format()}; "
            f"{_format_number(rule.percent)} % davon = {_format_euros(share)}."
        )
        out.steps.append(f"Summe {rule.base.format()} + {_format_euros(share)} = {_format_euros(exact)}.")
    fee = Cents.from_decimal(exact, rounding=ROUND_UP).round_up_to(rule.round_up_to)
    out.steps.append(f"Aufgerundet auf volle {step}: {fee.format()} ({rule.citation}).")
    return fee


def _per_started_hour(out: _Derivation, rule: FeeRule, hours: Decimal | None) -> Cents:
    """§ 2 Abs. 1, 2 Kostenordnung SVwVG: the amount covers the first hour, every started further hour adds
    it again — the amount per started hour (rounded up, ``ROUND_UP``), at least one."""
    if hours is None:
        raise FeeError(
            f"Die {rule.name} wird je angefangene Stunde berechnet; bitte die Dauer in Stunden angeben.",
            code=HOURS_MISSING,
        )
    rate = out.resolve(rule.amount, rule.setting, rule.name)
    started = max(1, int(hours.to_integral_value(rounding=ROUND_UP)))
    out.steps.append(
        f"{rule.name}: {rate.format()} je angefangene Stunde, mindestens eine ({rule.citation})."
    )
    fee = rate * started
    out.steps.append(
        f"Dauer {_hours_text(hours)}: {started} angefangene {'Stunde' if started == 1 else 'Stunden'}; "
        f"{started} × {rate.format()} = {fee.format()}."
    )
    return fee
