"""Garnishment limits for earned income (§ 850c ZPO) and the base protection of a P-Konto (§§ 899, 902 ZPO).

Every computation returns a :class:`GarnishmentResult`: the garnishable amount and the German sentences that
derive it, so that the calculator (``kofo calc pfaendung``), the garnishment order and the UI can explain each
step, like :class:`kofo.law.deadlines.DateResult`.

Rules implemented (see ../shared/LAW.md, "Garnishment limits for earned income"):

* § 850c Abs. 1 ZPO: earned income is exempt up to a base amount, stated monthly (Nr. 1), weekly (Nr. 2) and
  daily (Nr. 3), by the period for which it is paid.
* § 850c Abs. 2 ZPO: the exempt amount rises for each person the debtor supports by a legal duty: by one
  amount for the first person (Satz 1) and by another for each of the second to fifth (Satz 2). More than
  five persons count as five.
* § 850c Abs. 3 Satz 1, 2 ZPO: of the income above the exempt amount, 3/10 stay exempt, plus 2/10 for the
  first and 1/10 for each further supported person; the garnishable share is 7/10, 5/10, 4/10, 3/10, 2/10,
  1/10 for 0 to 5 persons.
* § 850c Abs. 3 Satz 3 ZPO: the part of the income above a cap is disregarded when the exempt amount is
  computed -- it is garnishable in full, in addition to the share computed at the cap.
* § 850c Abs. 4 ZPO: the amounts change every 1 July with the income tax's basic allowance (§ 32a Abs. 1
  Satz 2 Nr. 1 EStG) and are published as the Pfändungsfreigrenzenbekanntmachung. They are data here, one
  file per period in ``kofo/law/data/pfaendung/JJJJ-MM-TT.toml``, never an ``if`` in code.
* § 850c Abs. 5 ZPO: before the share is applied, the income (after deducting the fully garnishable part
  above the cap) is rounded **down** to a multiple of 10 EUR (monthly, Nr. 1), 2.50 EUR (weekly, Nr. 2) or
  0.50 EUR (daily, Nr. 3); the published table (Anhang der Bekanntmachung) lists the results, e.g. the row
  "1.560,00 bis 1.569,99" is computed from 1.560,00. The share is rounded to full cents **half up**, as the
  table does (LAW.md; 2025: 2.500,00 with one person → (2.500,00 − 2.140,23) × 5/10 = 179,885 → 179,89).
* § 899 Abs. 1 Satz 1 ZPO: on a P-Konto the debtor keeps each calendar month the monthly amount of § 850c
  Abs. 1 Nr. 1 ZPO rounded **up** to the next full 10 EUR (2025/26: 1.560,00 EUR); § 902 Satz 1 Nr. 1
  Buchst. a ZPO raises it by the amounts of § 850c Abs. 2 ZPO for each supported person (not rounded).

Not modelled: the court's decisions under § 850c Abs. 6 ZPO (a supported person with own income is
disregarded in whole or in part), § 850d ZPO (privileged maintenance creditors) and § 850f ZPO (changes of
the exempt amount by the court); the caller passes the number of persons the court counts.

An operator adds the next period without a code change: a file ``JJJJ-MM-TT.toml`` of the same format in a
directory passed as ``extra_dir``. A date that no file covers is an error with a German message -- there is
no fallback to the nearest period, because garnishing by an outdated table is unlawful.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kofo.law.deadlines import format_date
from kofo.money import ZERO, Cents

#: § 850c Abs. 2 Satz 2 ZPO raises the exempt amount for the second to fifth person, no further.
MAX_DEPENDANTS_COUNTED = 5

#: § 850c Abs. 3 Satz 1, 2 ZPO: the garnishable share in tenths for 0, 1, …, 5 supported persons
#: (10 minus 3/10, minus 2/10 for the first, minus 1/10 for each further person).
GARNISHABLE_TENTHS = (7, 5, 4, 3, 2, 1)

#: The packaged parameter files: ``kofo/law/data/pfaendung/JJJJ-MM-TT.toml`` (package data, no __init__.py).
DATA_PACKAGE = "kofo.law"
DATA_FOLDER = ("data", "pfaendung")

#: Limits on the operator's input (DESIGN.md rule 7): a parameter file is a few hundred bytes.
DATA_FILE_BYTES_MAX = 64 * 1024
DATA_FILES_MAX = 200

_AMOUNT_RE = re.compile(r"(\d{1,9})\.(\d{2})")
_PERIOD_KEYS = ("exempt_base", "first_dependant", "further_dependant", "cap")
_TOP_KEYS = ("valid_from", "valid_until", "source", "pkonto_base", "monat", "woche", "tag")
_ORDINALS_DE = {2: "zweite", 3: "dritte", 4: "vierte", 5: "fünfte"}


class GarnishmentPeriod(StrEnum):
    """The period for which the income is paid (§ 850c Abs. 1 Nr. 1–3 ZPO); the CLI's ``--zeitraum``."""

    MONAT = "monat"
    WOCHE = "woche"
    TAG = "tag"

    @property
    def number(self) -> int:
        """The "Nummer" of § 850c Abs. 1, Abs. 2, Abs. 3 Satz 3 and Abs. 5 Satz 1 ZPO for this period."""
        return _PERIOD_INFO[self][0]

    @property
    def adverb_de(self) -> str:
        """``monatlich``, ``wöchentlich``, ``täglich``."""
        return _PERIOD_INFO[self][1]

    @property
    def rounding_step(self) -> Cents:
        """§ 850c Abs. 5 Satz 1 ZPO: the income is rounded down to a multiple of 10 / 2,50 / 0,50 EUR."""
        return _PERIOD_INFO[self][2]


_PERIOD_INFO: Mapping[GarnishmentPeriod, tuple[int, str, Cents]] = MappingProxyType(
    {
        GarnishmentPeriod.MONAT: (1, "monatlich", Cents(1000)),
        GarnishmentPeriod.WOCHE: (2, "wöchentlich", Cents(250)),
        GarnishmentPeriod.TAG: (3, "täglich", Cents(50)),
    }
)


def check_period(period: GarnishmentPeriod | str) -> GarnishmentPeriod:
    """``period`` as :class:`GarnishmentPeriod`; a German ``ValueError`` for anything else."""
    try:
        return GarnishmentPeriod(period)
    except ValueError:
        allowed = ", ".join(member.value for member in GarnishmentPeriod)
        raise ValueError(f"Unbekannter Zeitraum „{period}“; erlaubt sind {allowed}.") from None


# --- errors ---------------------------------------------------------------------------------------------


class GarnishmentParameterError(ValueError):
    """A parameter file is unreadable, malformed or overlaps another one.

    ``str(error)`` is a German message naming the file; ``code`` a stable machine code:
    ``pfaendung.verzeichnis_fehlt``, ``pfaendung.datei_fehlerhaft``, ``pfaendung.ueberschneidung``,
    ``pfaendung.zu_viele_dateien``.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NoGarnishmentParameters(LookupError):
    """No parameter file covers the day (code ``pfaendung.keine_parameter``).

    The administration has to add the file of the Pfändungsfreigrenzenbekanntmachung for that period; no
    other period's amounts are used instead.
    """

    code = "pfaendung.keine_parameter"

    def __init__(self, day: date, available: tuple[tuple[date, date], ...]) -> None:
        self.day = day
        self.available = available
        known = ", ".join(f"{format_date(start)} bis {format_date(end)}" for start, end in available)
        self.message = (
            f"Für den Stichtag {format_date(day)} sind keine Pfändungsfreigrenzen (§ 850c ZPO) hinterlegt "
            f"(vorhanden: {known or 'keine'}). Die Verwaltung muss die Werte der maßgeblichen "
            "Pfändungsfreigrenzenbekanntmachung als Datei pfaendung/JJJJ-MM-TT.toml ergänzen; mit den Werten "
            "eines anderen Zeitraums wird nicht gerechnet."
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


# --- parameters -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeriodAmounts:
    """The published amounts for one payment period (§ 850c Abs. 1, 2, 3 Satz 3 ZPO)."""

    exempt_base: Cents  # Abs. 1: unpfändbarer Grundbetrag
    first_dependant: Cents  # Abs. 2 Satz 1: Erhöhung für die erste unterhaltsberechtigte Person
    further_dependant: Cents  # Abs. 2 Satz 2: Erhöhung je für die zweite bis fünfte Person
    cap: Cents  # Abs. 3 Satz 3: Höchstbetrag; der Teil darüber ist voll pfändbar

    def dependant_increase(self, dependants: int) -> Cents:
        """The increase of § 850c Abs. 2 ZPO for ``dependants`` persons (more than five count as five)."""
        counted = min(dependants, MAX_DEPENDANTS_COUNTED)
        if counted <= 0:
            return ZERO
        return self.first_dependant + self.further_dependant * (counted - 1)

    def exempt(self, dependants: int) -> Cents:
        """The exempt amount of § 850c Abs. 1, 2 ZPO for ``dependants`` supported persons."""
        return self.exempt_base + self.dependant_increase(dependants)


@dataclass(frozen=True, slots=True)
class GarnishmentParameters:
    """One Pfändungsfreigrenzenbekanntmachung: its validity, source and amounts (§ 850c Abs. 4 ZPO).

    ``pkonto_base`` is the P-Konto's monthly base protection of § 899 Abs. 1 Satz 1 ZPO; ``origin`` names
    the file the parameters were read from.
    """

    valid_from: date
    valid_until: date
    source: str
    monat: PeriodAmounts
    woche: PeriodAmounts
    tag: PeriodAmounts
    pkonto_base: Cents
    origin: str
    #: Why the amounts are not (yet) those of the published notice, e.g. derived by § 850c Abs. 4 ZPO
    #: before the Bekanntmachung was at hand; empty for confirmed values. Shown in every derivation.
    provisional: str = ""

    def amounts(self, period: GarnishmentPeriod | str) -> PeriodAmounts:
        """The amounts for the payment period (§ 850c Abs. 1 Nr. 1–3 ZPO)."""
        match check_period(period):
            case GarnishmentPeriod.MONAT:
                return self.monat
            case GarnishmentPeriod.WOCHE:
                return self.woche
            case GarnishmentPeriod.TAG:
                return self.tag

    def covers(self, day: date) -> bool:
        """Whether ``day`` lies in the validity period (both ends included)."""
        return self.valid_from <= day <= self.valid_until

    @property
    def validity_de(self) -> str:
        """``01.07.2025 bis 30.06.2026``."""
        return f"{format_date(self.valid_from)} bis {format_date(self.valid_until)}"


def _file_error(origin: str, detail: str) -> GarnishmentParameterError:
    return GarnishmentParameterError(
        f"Die Datei der Pfändungsfreigrenzen {origin} ist fehlerhaft: {detail}",
        code="pfaendung.datei_fehlerhaft",
    )


def _amount(origin: str, key: str, value: Any) -> Cents:
    """A positive amount written as text ``"1555.00"`` (euros, a dot, exactly two decimals)."""
    if not isinstance(value, str) or (match := _AMOUNT_RE.fullmatch(value)) is None:
        raise _file_error(
            origin,
            f"„{key}“ muss ein Betrag als Text mit Punkt und genau zwei Nachkommastellen sein, "
            f'z. B. "1555.00", nicht {value!r}.',
        )
    amount = Cents(int(match[1]) * 100 + int(match[2]))
    if amount <= 0:
        raise _file_error(origin, f"„{key}“ muss größer als 0,00 EUR sein.")
    return amount


def _day(origin: str, key: str, value: Any) -> date:
    # tomllib reads 2025-07-01 as datetime.date; a datetime (a subclass of date) is refused.
    if type(value) is not date:
        raise _file_error(origin, f"„{key}“ muss ein Datum der Form 2025-07-01 sein, nicht {value!r}.")
    return value


def _check_keys(origin: str, where: str, table: Mapping[str, Any], expected: tuple[str, ...]) -> None:
    missing = [key for key in expected if key not in table]
    unknown = sorted(key for key in table if key not in expected)
    if missing:
        raise _file_error(origin, f"es fehlt {', '.join(f'„{key}“' for key in missing)}{where}.")
    if unknown:
        raise _file_error(origin, f"unbekannte Angabe {', '.join(f'„{key}“' for key in unknown)}{where}.")


def _period_amounts(origin: str, period: GarnishmentPeriod, table: Any) -> PeriodAmounts:
    where = f" im Abschnitt [{period.value}]"
    if not isinstance(table, dict):
        raise _file_error(origin, f"[{period.value}] muss ein Abschnitt mit {', '.join(_PERIOD_KEYS)} sein.")
    _check_keys(origin, where, table, _PERIOD_KEYS)
    amounts = PeriodAmounts(*(_amount(origin, f"{period.value}.{key}", table[key]) for key in _PERIOD_KEYS))
    highest_exempt = amounts.exempt(MAX_DEPENDANTS_COUNTED)
    if amounts.cap.round_down_to(period.rounding_step) <= highest_exempt:
        raise _file_error(
            origin,
            f"der Höchstbetrag {amounts.cap} ({period.adverb_de}) muss über dem unpfändbaren Betrag für fünf "
            f"Personen ({highest_exempt}) liegen (§ 850c Abs. 3 Satz 3 ZPO).",
        )
    return amounts


def parse_parameters(text: str, origin: str) -> GarnishmentParameters:
    """Read one parameter file's ``text``; ``origin`` is its name (``JJJJ-MM-TT.toml``) or path.

    Checks: the keys (none missing, none unknown), amounts as text with two decimals (no TOML floats),
    ``valid_from`` ≤ ``valid_until``, the file name equals ``valid_from``, each cap above the exempt amount
    for five persons, and the P-Konto amount equals the monthly base rounded up to 10 EUR (§ 899 Abs. 1
    Satz 1 ZPO). Raises :class:`GarnishmentParameterError` with a German message.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _file_error(origin, f"kein gültiges TOML ({error}).") from None
    provisional = data.pop("provisional", "")
    if not isinstance(provisional, str):
        raise _file_error(origin, "„provisional“ muss ein Text sein, der die Herkunft der Werte erklärt.")
    _check_keys(origin, "", data, _TOP_KEYS)
    valid_from = _day(origin, "valid_from", data["valid_from"])
    valid_until = _day(origin, "valid_until", data["valid_until"])
    if valid_until < valid_from:
        raise _file_error(
            origin, f"valid_until {format_date(valid_until)} liegt vor valid_from {format_date(valid_from)}."
        )
    name = Path(origin).name
    if name != f"{valid_from.isoformat()}.toml":
        raise _file_error(
            origin, f"der Dateiname muss dem Beginn entsprechen: {valid_from.isoformat()}.toml."
        )
    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise _file_error(origin, "„source“ muss die Bekanntmachung mit Fundstelle nennen.")
    monat = _period_amounts(origin, GarnishmentPeriod.MONAT, data["monat"])
    pkonto_base = _amount(origin, "pkonto_base", data["pkonto_base"])
    expected_pkonto = monat.exempt_base.round_up_to(Cents(1000))
    if pkonto_base != expected_pkonto:
        raise _file_error(
            origin,
            f"pkonto_base {pkonto_base} muss der Monatsbetrag {monat.exempt_base}, aufgerundet auf volle "
            f"10 Euro, sein: {expected_pkonto} (§ 899 Abs. 1 Satz 1 ZPO).",
        )
    return GarnishmentParameters(
        valid_from=valid_from,
        valid_until=valid_until,
        source=source.strip(),
        monat=monat,
        woche=_period_amounts(origin, GarnishmentPeriod.WOCHE, data["woche"]),
        tag=_period_amounts(origin, GarnishmentPeriod.TAG, data["tag"]),
        pkonto_base=pkonto_base,
        origin=origin,
        provisional=provisional.strip(),
    )


def _decode(origin: str, raw: bytes) -> str:
    if len(raw) > DATA_FILE_BYTES_MAX:
        raise _file_error(origin, f"größer als {DATA_FILE_BYTES_MAX // 1024} KiB.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _file_error(origin, "nicht in UTF-8 kodiert.") from None


@lru_cache(maxsize=1)
def packaged_parameters() -> tuple[GarnishmentParameters, ...]:
    """The parameter files shipped with kofo (``kofo/law/data/pfaendung/*.toml``), oldest first."""
    folder = resources.files(DATA_PACKAGE).joinpath(*DATA_FOLDER)
    found = []
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.endswith(".toml"):
            origin = "/".join(("kofo", "law", *DATA_FOLDER, entry.name))
            found.append(parse_parameters(_decode(origin, entry.read_bytes()), origin))
    return tuple(sorted(found, key=lambda parameters: parameters.valid_from))


def _extra_parameters(extra_dir: Path) -> list[GarnishmentParameters]:
    if not extra_dir.is_dir():
        raise GarnishmentParameterError(
            f"Das Verzeichnis {extra_dir} für zusätzliche Pfändungsfreigrenzen gibt es nicht.",
            code="pfaendung.verzeichnis_fehlt",
        )
    paths = sorted(path for path in extra_dir.glob("*.toml") if path.is_file())
    if len(paths) > DATA_FILES_MAX:
        raise GarnishmentParameterError(
            f"Das Verzeichnis {extra_dir} enthält mehr als {DATA_FILES_MAX} Dateien mit Pfändungsfreigrenzen.",
            code="pfaendung.zu_viele_dateien",
        )
    found = []
    for path in paths:
        if path.stat().st_size > DATA_FILE_BYTES_MAX:
            raise _file_error(str(path), f"größer als {DATA_FILE_BYTES_MAX // 1024} KiB.")
        found.append(parse_parameters(_decode(str(path), path.read_bytes()), str(path)))
    return found


def _check_no_overlap(sets: Iterable[GarnishmentParameters]) -> None:
    ordered = sorted(sets, key=lambda parameters: parameters.valid_from)
    for earlier, later in pairwise(ordered):
        if later.valid_from <= earlier.valid_until:
            raise GarnishmentParameterError(
                f"Die Pfändungsfreigrenzen {later.origin} ({later.validity_de}) überschneiden sich mit "
                f"{earlier.origin} ({earlier.validity_de}); je Tag darf nur eine Datei gelten.",
                code="pfaendung.ueberschneidung",
            )


def parameter_sets(extra_dir: Path | None = None) -> tuple[GarnishmentParameters, ...]:
    """All parameter sets, oldest first: the packaged files plus those in ``extra_dir`` (read on each call).

    Raises :class:`GarnishmentParameterError` for a malformed file or two files whose periods overlap.
    """
    sets = list(packaged_parameters())
    if extra_dir is not None:
        sets.extend(_extra_parameters(Path(extra_dir)))
    _check_no_overlap(sets)
    return tuple(sorted(sets, key=lambda parameters: parameters.valid_from))


def parameters_for(day: date, *, extra_dir: Path | None = None) -> GarnishmentParameters:
    """The Pfändungsfreigrenzenbekanntmachung in force on ``day`` (§ 850c Abs. 4 ZPO).

    Raises :class:`NoGarnishmentParameters` (German message: the administration must add the data file)
    when no file covers ``day``; there is no fallback to another period.
    """
    sets = parameter_sets(extra_dir)
    for parameters in sets:
        if parameters.covers(day):
            return parameters
    raise NoGarnishmentParameters(day, tuple((item.valid_from, item.valid_until) for item in sets))


# --- the computation ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GarnishmentResult:
    """The garnishable part of one payment of earned income and its derivation (§ 850c ZPO).

    * ``amount``: garnishable in total (share of the rounded income plus the fully garnishable excess);
    * ``exempt``: the exempt amount of § 850c Abs. 1, 2 ZPO for the persons counted;
    * ``rounded_income``: the income the share is computed from -- the net income, or the cap when the
      income is above it, rounded down per § 850c Abs. 5 Satz 1 ZPO (the table row's lower bound);
    * ``share``: the garnishable share of the part above ``exempt`` (7/10 … 1/10);
    * ``excess_over_cap``: the part above the cap, garnishable in full (§ 850c Abs. 3 Satz 3 ZPO);
    * ``steps``: German sentences, each citing its paragraph.
    """

    amount: Cents
    exempt: Cents
    rounded_income: Cents
    share: Fraction
    period: GarnishmentPeriod
    source: str
    steps: tuple[str, ...]
    net_income: Cents
    dependants_counted: int
    excess_over_cap: Cents

    @property
    def retained(self) -> Cents:
        """What the debtor keeps of the payment."""
        return self.net_income - self.amount


def _format_milli_euros(milli: int) -> str:
    """An exact non-negative amount in thousandths of a euro, German form: ``4,885 EUR`` or ``3,50 EUR``."""
    if milli % 10 == 0:
        return Cents(milli // 10).format()
    euros, rest = divmod(milli, 1000)
    return f"{euros:_}".replace("_", ".") + f",{rest:03d} EUR"


def _dependants_sentence(amounts: PeriodAmounts, counted: int, number: int, adverb: str) -> str:
    base = f"Grundbetrag {amounts.exempt_base} (§ 850c Abs. 1 Nr. {number} ZPO)"
    if counted == 0:
        return f"Unpfändbarer Betrag ohne Unterhaltspflichten: {base}, {adverb}."
    first = (
        f"{amounts.first_dependant} für die erste unterhaltsberechtigte Person "
        f"(§ 850c Abs. 2 Satz 1 Nr. {number} ZPO)"
    )
    if counted == 1:
        increase = first
    else:
        further = counted - 1
        if further == 1:
            persons = "die zweite"
        elif further == 2:
            persons = "die zweite und dritte"
        else:
            persons = f"die zweite bis {_ORDINALS_DE[counted]}"
        multiple = "" if further == 1 else f"{further} × "
        increase = (
            f"{first} und {multiple}{amounts.further_dependant} für {persons} Person "
            f"(§ 850c Abs. 2 Satz 2 Nr. {number} ZPO)"
        )
    return f"Unpfändbarer Betrag: {base} zuzüglich {increase} = {amounts.exempt(counted)} {adverb}."


def _kept_share_text(counted: int) -> tuple[str, str]:
    """What stays exempt of the part above the exempt amount, and the citation (§ 850c Abs. 3 ZPO)."""
    if counted == 0:
        return "3/10", "§ 850c Abs. 3 Satz 1 ZPO"
    if counted == 1:
        return "3/10 sowie 2/10 für die erste Person", "§ 850c Abs. 3 Satz 1, 2 ZPO"
    further = (
        "1/10 für die zweite Person" if counted == 2 else f"je 1/10 für die {counted - 1} weiteren Personen"
    )
    return f"3/10 sowie 2/10 für die erste und {further}", "§ 850c Abs. 3 Satz 1, 2 ZPO"


def garnishable_amount(
    net_income: Cents,
    dependants: int,
    period: GarnishmentPeriod | str,
    on: date,
    *,
    extra_dir: Path | None = None,
) -> GarnishmentResult:
    """The garnishable part of a payment of ``net_income`` for ``period`` on ``on`` (§ 850c ZPO).

    ``dependants`` is the number of persons the debtor supports by a legal duty (§ 850c Abs. 2 ZPO); more
    than five count as five. The amounts are those of the Pfändungsfreigrenzenbekanntmachung in force on
    ``on`` (§ 850c Abs. 4 ZPO, :func:`parameters_for`). As the published table does:

    1. the exempt amount is the base of § 850c Abs. 1 ZPO plus the increases of Abs. 2;
    2. the part of the income above the cap is garnishable in full and left out of the rest of the
       computation (§ 850c Abs. 3 Satz 3 ZPO);
    3. the (remaining) income is rounded down to 10 EUR monthly, 2,50 EUR weekly, 0,50 EUR daily (§ 850c
       Abs. 5 Satz 1 ZPO);
    4. of the rounded income above the exempt amount, 7/10, 5/10, 4/10, 3/10, 2/10 or 1/10 (0 … 5 persons)
       are garnishable (§ 850c Abs. 3 Satz 1, 2 ZPO), rounded to full cents half up (ROUND_HALF_UP);
    5. the result is that share plus the excess of step 2.

    Raises ``TypeError`` unless ``net_income`` is :class:`Cents`, ``ValueError`` for a negative income or
    number of persons or an unknown period, :class:`NoGarnishmentParameters` when no data file covers ``on``.
    """
    if not isinstance(net_income, Cents):
        raise TypeError(f"net_income muss Cents sein, nicht {type(net_income).__name__}")
    if isinstance(dependants, bool) or not isinstance(dependants, int):
        raise TypeError(f"dependants muss eine ganze Zahl sein, nicht {type(dependants).__name__}")
    if net_income < 0:
        raise ValueError(f"Das Nettoeinkommen darf nicht negativ sein, nicht {net_income}.")
    if dependants < 0:
        raise ValueError(f"Die Zahl der Unterhaltspflichten darf nicht negativ sein, nicht {dependants}.")
    period = check_period(period)
    parameters = parameters_for(on, extra_dir=extra_dir)
    amounts = parameters.amounts(period)
    number, adverb = period.number, period.adverb_de
    counted = min(dependants, MAX_DEPENDANTS_COUNTED)
    exempt = amounts.exempt(counted)
    tenths = GARNISHABLE_TENTHS[counted]

    steps = [
        f"Maßgeblich sind die Pfändungsfreigrenzen vom {parameters.validity_de} (§ 850c Abs. 4 ZPO), "
        f"Quelle: {parameters.source}. Stichtag {format_date(on)}; Nettoeinkommen {net_income} {adverb}."
    ]
    if parameters.provisional:
        steps.append(f"Achtung, vorläufige Werte: {parameters.provisional}")
    if dependants > MAX_DEPENDANTS_COUNTED:
        steps.append(
            f"Der Schuldner gewährt {dependants} Personen Unterhalt; berücksichtigt werden höchstens fünf "
            "(§ 850c Abs. 2 Satz 2 ZPO: Erhöhung für die zweite bis fünfte Person)."
        )
    steps.append(_dependants_sentence(amounts, counted, number, adverb))

    if net_income > amounts.cap:
        excess = net_income - amounts.cap
        considered = amounts.cap
        steps.append(
            f"Das Nettoeinkommen übersteigt den Höchstbetrag von {amounts.cap} {adverb}; der Mehrbetrag von "
            f"{excess} bleibt bei der Berechnung des unpfändbaren Betrages unberücksichtigt und ist voll "
            f"pfändbar (§ 850c Abs. 3 Satz 3 Nr. {number} ZPO). Weiter gerechnet wird mit {amounts.cap}."
        )
    else:
        excess = ZERO
        considered = net_income

    step = period.rounding_step
    rounded = considered.round_down_to(step)
    row_upper = min(rounded + step - Cents(1), amounts.cap)
    step_text = "volle 10 Euro" if period is GarnishmentPeriod.MONAT else f"ein Vielfaches von {step}"
    steps.append(
        f"{considered} abgerundet auf {step_text}: {rounded} (§ 850c Abs. 5 Satz 1 Nr. {number} ZPO; "
        f"Tabellenstufe {rounded.format(symbol=False)} bis {row_upper})."
    )

    if rounded > exempt:
        above = rounded - exempt
        share_amount = above.mul(Decimal(tenths).scaleb(-1), rounding=ROUND_HALF_UP)
        exact_milli = int(above) * tenths  # cents × tenths/10 = thousandths of a euro
        exact = _format_milli_euros(exact_milli)
        rounding_note = (
            "" if exact_milli % 10 == 0 else f", kaufmännisch auf volle Cent gerundet {share_amount}"
        )
        kept, citation = _kept_share_text(counted)
        steps.append(
            f"Mehrbetrag über dem unpfändbaren Betrag: {rounded} − {exempt} = {above}. Davon bleiben {kept} "
            f"unpfändbar ({citation}); pfändbar sind {tenths}/10: {above} × {tenths}/10 = {exact}"
            f"{rounding_note}."
        )
    else:
        share_amount = ZERO
        steps.append(
            f"{rounded} übersteigt den unpfändbaren Betrag von {exempt} nicht; davon ist nichts pfändbar "
            f"(§ 850c Abs. {'1, 2' if counted else '1'} ZPO)."
        )

    amount = share_amount + excess
    if excess:
        steps.append(
            f"Pfändbar sind {share_amount} zuzüglich des voll pfändbaren Mehrbetrags von {excess} = {amount} "
            f"(§ 850c Abs. 3 Satz 3 ZPO)."
        )
    steps.append(f"Pfändbarer Betrag: {amount} {adverb}; dem Schuldner verbleiben {net_income - amount}.")
    return GarnishmentResult(
        amount=amount,
        exempt=exempt,
        rounded_income=rounded,
        share=Fraction(tenths, 10),
        period=period,
        source=parameters.source,
        steps=tuple(steps),
        net_income=net_income,
        dependants_counted=counted,
        excess_over_cap=excess,
    )


def pkonto_base_protection(on: date, dependants: int = 0, *, extra_dir: Path | None = None) -> Cents:
    """Monthly amount a P-Konto protects from a garnishment on ``on`` (§ 899 Abs. 1, § 902 ZPO).

    * § 899 Abs. 1 Satz 1 ZPO: the monthly amount of § 850c Abs. 1 Nr. 1 ZPO (in the version of the
      Bekanntmachung, Abs. 4) rounded up to the next full 10 EUR -- ``pkonto_base`` of the data file
      (2025/26: 1.560,00 EUR, LAW.md).
    * § 902 Satz 1 Nr. 1 Buchst. a ZPO: raised by the amounts of § 850c Abs. 2 Satz 1, 2 ZPO (monthly, not
      rounded) when the debtor supports ``dependants`` persons by a legal duty; the first person adds the
      amount of Satz 1, the second to fifth that of Satz 2 each, more than five count as five.

    The bank applies the increase only on the certificate of § 903 ZPO; other increases of § 902 ZPO
    (social benefits, Kindergeld) and transfers of unused amounts (§ 899 Abs. 2 ZPO) are not modelled here.
    """
    if isinstance(dependants, bool) or not isinstance(dependants, int):
        raise TypeError(f"dependants muss eine ganze Zahl sein, nicht {type(dependants).__name__}")
    if dependants < 0:
        raise ValueError(f"Die Zahl der Unterhaltspflichten darf nicht negativ sein, nicht {dependants}.")
    parameters = parameters_for(on, extra_dir=extra_dir)
    return parameters.pkonto_base + parameters.monat.dependant_increase(dependants)
