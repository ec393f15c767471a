"""Money: integer euro cents, never float.

The rule of the house, enforced by this module:

* **An amount of money is a whole number of euro cents**, represented by :class:`Cents`, a subclass
  of ``int``. ``float`` never touches money: binary floating point cannot represent 0,10 EUR exactly,
  and a Vollstreckungsstelle that is off by a cent has to explain itself.
* **Rates and percentages are** :class:`decimal.Decimal` (or ``int``), never ``float``.
* **Rounding is explicit and named.** Every operation that can produce a fraction of a cent takes a
  required keyword ``rounding=`` with one of the :mod:`decimal` module's constants
  (``ROUND_HALF_UP``, ``ROUND_DOWN``, ``ROUND_UP``, ``ROUND_FLOOR``, ``ROUND_CEILING``,
  ``ROUND_HALF_EVEN``), or its name says how it rounds (:meth:`Cents.round_down_to`,
  :meth:`Cents.round_up_to`). There is no default rounding mode: the law decides, and the caller
  has to say which rule applies (e.g. § 240 Abs. 1 AO: the surcharge base is rounded *down* to a
  full 50 EUR, the surcharge itself is 1 % of it).
* **Splitting never loses a cent.** :meth:`Cents.split` and :meth:`Cents.allocate` always return
  parts that add up exactly to the amount.

Arithmetic is restricted so that mistakes fail loudly: ``Cents ± Cents`` and ``Cents * int`` stay
``Cents``; adding a plain number, multiplying by a float/Decimal, or dividing raises ``TypeError``.
``sum()`` works (``0 + Cents`` is allowed) and returns ``Cents`` -- except for an empty iterable,
where ``sum()`` returns the int ``0``; use :func:`total` when the input may be empty.

Known limit of an ``int`` subclass: when a *float*, *Decimal* or *bool* is the **left** operand
(``1.5 * amount``, ``Decimal("2") + amount``, ``True + amount``) Python asks that type first and it
happily treats the amount as a plain int; the result is then not ``Cents`` and the type checker (and
review) has to catch it. Always put the amount on the left.

This module is pure Python and must not import Django (an import-linter contract forbids it).
Database columns store the plain integer (``int(amount)``); pass ``int(amount)`` to raw SQL as
``str(amount)`` is the German display form.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
)
from fractions import Fraction
from typing import Final, NoReturn, SupportsIndex

__all__ = [
    "ROUNDING_MODES",
    "ZERO",
    "Cents",
    "MoneyParseError",
    "total",
]

#: The rounding modes accepted wherever a ``rounding=`` keyword is required.
ROUNDING_MODES: Final = frozenset(
    {ROUND_HALF_UP, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING, ROUND_HALF_EVEN}
)

# More digits than this are refused by Cents.parse: 10**28 EUR is no claim anyone enforces, and an
# upper bound keeps int() of attacker-controlled text cheap.
_MAX_PARSE_DIGITS: Final = 30

# A Decimal rate/weight whose exponent is further from zero than this is refused (its exact fraction
# would need an absurdly large integer).
_MAX_DECIMAL_EXPONENT: Final = 1000

_ARITHMETIC_HINT: Final = (
    "use Cents.split(n) or Cents.allocate(weights) to divide an amount, "
    "Cents.percent(rate, rounding=...) or Cents.mul(factor, rounding=...) for rates"
)


class MoneyParseError(ValueError):
    """Text could not be read as an amount of money.

    ``str(error)`` is a German message fit for the user interface; ``code`` is a stable machine code:

    * ``money.empty`` -- nothing entered
    * ``money.invalid`` -- not a number (letters, stray characters, missing digits)
    * ``money.too_many_decimals`` -- more than two decimal places
    * ``money.invalid_grouping`` -- malformed thousands separators (``1.23.4``)
    * ``money.too_large`` -- more digits than any real amount has
    """

    def __init__(self, message: str, *, code: str, text: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.text = text


def _quote(text: str) -> str:
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f"„{shown}“"


def _error(code: str, text: str) -> MoneyParseError:
    quoted = _quote(text)
    messages = {
        "money.empty": "Bitte einen Geldbetrag angeben.",
        "money.invalid": f"{quoted} ist kein gültiger Geldbetrag. Erwartet wird z. B. „1.234,56“.",
        "money.too_many_decimals": (
            f"Der Betrag {quoted} hat mehr als zwei Nachkommastellen; "
            "Geldbeträge werden auf den Cent genau angegeben."
        ),
        "money.invalid_grouping": (
            f"Der Betrag {quoted} hat ungültige Tausendertrennzeichen. Erwartet wird z. B. „1.234.567,89“."
        ),
        "money.too_large": f"Der Betrag {quoted} ist zu groß.",
    }
    return MoneyParseError(messages[code], code=code, text=text)


# Sign, number, optional currency. Digits are ASCII only (\d would accept e.g. Arabic-Indic digits).
_AMOUNT_RE: Final = re.compile(
    r"(?P<sign>[+\-\u2212]?)(?P<body>[0-9.,]*)\s*(?:EUR|€)?",
    re.IGNORECASE,
)
_DIGITS_RE: Final = re.compile(r"[0-9]+")
_GROUPED_RE: Final = {sep: re.compile(r"[1-9][0-9]{0,2}(?:" + re.escape(sep) + r"[0-9]{3})+") for sep in ".,"}


def _check_rounding(rounding: str) -> None:
    if not isinstance(rounding, str):
        raise TypeError(f"rounding must be one of the decimal module's ROUND_* constants, not {rounding!r}")
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"rounding mode {rounding!r} is not allowed; use one of {sorted(ROUNDING_MODES)}")


def _round_fraction(numerator: int, denominator: int, rounding: str) -> int:
    """Round ``numerator / denominator`` to an integer, exactly, with a decimal rounding mode."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)  # floor division, remainder >= 0
    if remainder == 0:
        return quotient
    floor, ceiling = quotient, quotient + 1
    positive = numerator > 0
    if rounding == ROUND_FLOOR:
        return floor
    if rounding == ROUND_CEILING:
        return ceiling
    if rounding == ROUND_DOWN:  # toward zero
        return floor if positive else ceiling
    if rounding == ROUND_UP:  # away from zero
        return ceiling if positive else floor
    twice = 2 * remainder
    if twice < denominator:
        return floor
    if twice > denominator:
        return ceiling
    if rounding == ROUND_HALF_UP:  # tie: away from zero
        return ceiling if positive else floor
    if rounding == ROUND_HALF_EVEN:
        return floor if floor % 2 == 0 else ceiling
    raise ValueError(f"rounding mode {rounding!r} is not allowed")  # pragma: no cover - checked before


def _exact(value: Decimal | int, what: str) -> Fraction:
    """An exact Fraction for a rate, factor or weight; refuses float, bool and non-finite values."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} must be a Decimal or an int (never a float), not {type(value).__name__}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} must be finite, not {value}")
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite Decimals have an int exponent
        if abs(exponent) > _MAX_DECIMAL_EXPONENT or abs(value.adjusted()) > _MAX_DECIMAL_EXPONENT:
            raise ValueError(f"{what} {value} is out of any sensible range")
        return Fraction(value)
    return Fraction(int(value))  # a plain int: Fraction arithmetic must never meet Cents' operators


def _refuse(operation: str) -> NoReturn:
    raise TypeError(f"Cents do not support {operation}: {_ARITHMETIC_HINT}")


class Cents(int):
    """An amount of money in euro cents: ``Cents(123456)`` is 1.234,56 EUR.

    Immutable and hashable like ``int``; compares with ``Cents`` and ``int``. Construct it from an
    ``int`` only -- text goes through :meth:`parse`, decimal euros through :meth:`from_decimal`
    (with an explicit rounding mode), whole euros through :meth:`from_euros`.
    """

    __slots__ = ()

    def __new__(cls, value: int = 0) -> Cents:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"Cents() takes an int number of cents, not {type(value).__name__}; "
                "use Cents.parse(text), Cents.from_decimal(value, rounding=...) or Cents.from_euros(n)"
            )
        return super().__new__(cls, int(value))

    # --- construction ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Cents:
        """Read an amount as people and other systems write it.

        Accepted: ``"1.234,56"``, ``"1234,56"``, ``"1234,5"``, ``"12"``, ``"-1.234,56"``,
        ``"+12"``, ``"1234.56"`` (dot decimal, as in JSON/CSV from other systems), ``"1.234"``
        (German thousands: 1.234,00 EUR), each with optional surrounding whitespace and an optional
        trailing ``EUR`` or ``€``.

        The rules, in order:

        * both ``,`` and ``.`` occur: the **last** one is the decimal separator, the other one must be
          correct thousands grouping (``"1.234,56"`` and ``"1,234.56"`` are both 1.234,56 EUR);
        * only dots, in the shape ``d.ddd``, ``dd.ddd.ddd`` ... (1--3 digits, not starting with 0,
          then groups of three): German thousands separators;
        * a single ``,`` or a single ``.`` otherwise: the decimal separator;
        * several commas in the shape ``1,234,567``: thousands separators.

        At most two decimal places; anything else raises :class:`MoneyParseError`.
        """
        if not isinstance(text, str):
            raise TypeError(f"Cents.parse() takes a str, not {type(text).__name__}")
        stripped = text.strip()
        if not stripped:
            raise _error("money.empty", text)
        match = _AMOUNT_RE.fullmatch(stripped)
        if match is None or not match["body"]:
            raise _error("money.invalid", text)
        euros_text, fraction_text = _split_body(match["body"], text)
        if len(euros_text) + len(fraction_text) > _MAX_PARSE_DIGITS:
            raise _error("money.too_large", text)
        cents = int(euros_text) * 100 + int(fraction_text.ljust(2, "0"))
        return cls(-cents if match["sign"] in ("-", "\u2212") else cents)

    @classmethod
    def from_decimal(cls, value: Decimal, *, rounding: str) -> Cents:
        """Decimal euros to cents, rounded with the given mode (required, there is no default).

        ``Cents.from_decimal(Decimal("12.345"), rounding=ROUND_HALF_UP) == Cents(1235)``.
        """
        if not isinstance(value, Decimal):
            raise TypeError(
                f"Cents.from_decimal() takes a Decimal, not {type(value).__name__} "
                "(use Cents.from_euros() for whole euros, Cents() for cents)"
            )
        _check_rounding(rounding)
        exact = _exact(value, "value") * 100
        return cls(_round_fraction(exact.numerator, exact.denominator, rounding))

    @classmethod
    def from_euros(cls, euros: int) -> Cents:
        """Whole euros: ``Cents.from_euros(50) == Cents(5000)``."""
        if isinstance(euros, bool) or not isinstance(euros, int) or isinstance(euros, Cents):
            raise TypeError(f"Cents.from_euros() takes a plain int of euros, not {type(euros).__name__}")
        return cls(euros * 100)

    # --- conversion and display -----------------------------------------------------------------

    def to_decimal(self) -> Decimal:
        """The amount in euros as a Decimal with exactly two places: ``Decimal("1234.56")``."""
        return Decimal(f"{int(self)}E-2")  # exact, independent of the decimal context

    def format(self, *, symbol: bool = True) -> str:
        """German display form: ``"1.234,56 EUR"``, ``"-1.234,56 EUR"``, ``"0,00 EUR"``.

        ``symbol=False`` leaves the currency off: ``"1.234,56"``. :meth:`parse` reads both back.
        """
        value = int(self)
        euros, cents = divmod(abs(value), 100)
        sign = "-" if value < 0 else ""
        number = f"{sign}{euros:_}".replace("_", ".") + f",{cents:02d}"
        return f"{number} EUR" if symbol else number

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Cents({int(self)})"

    def __format__(self, format_spec: str) -> str:
        """f-strings show the German form; a spec aligns it like a str (``f"{amount:>16}"``)."""
        return format(self.format(), format_spec)

    def __float__(self) -> NoReturn:
        raise TypeError("Cents never become float; use to_decimal() for euros or int() for cents")

    # --- arithmetic that stays money ------------------------------------------------------------

    def __add__(self, other: int) -> Cents:
        if isinstance(other, Cents):
            return Cents(int(self) + int(other))
        if type(other) is int and other == 0:  # lets sum() start from its int 0
            return self
        raise TypeError(f"Cents can only be added to Cents, not {type(other).__name__} ({other!r})")

    def __radd__(self, other: int) -> Cents:
        return self.__add__(other)

    def __sub__(self, other: int) -> Cents:
        if isinstance(other, Cents):
            return Cents(int(self) - int(other))
        raise TypeError(f"only Cents can be subtracted from Cents, not {type(other).__name__} ({other!r})")

    def __rsub__(self, other: int) -> Cents:
        raise TypeError(f"Cents can only be subtracted from Cents, not from {type(other).__name__}")

    def __mul__(self, other: int) -> Cents:
        if isinstance(other, bool | Cents) or not isinstance(other, int):
            raise TypeError(
                f"Cents can only be multiplied by an int count, not {type(other).__name__}; "
                "use Cents.mul(factor, rounding=...) or Cents.percent(rate, rounding=...)"
            )
        return Cents(int(self) * int(other))

    def __rmul__(self, other: int) -> Cents:
        return self.__mul__(other)

    def __neg__(self) -> Cents:
        return Cents(-int(self))

    def __pos__(self) -> Cents:
        return self

    def __abs__(self) -> Cents:
        return Cents(abs(int(self)))

    def __round__(self, ndigits: SupportsIndex | None = None) -> Cents:
        if ndigits is not None and operator.index(ndigits) < 0:
            raise TypeError(
                "Cents do not round to tens or hundreds of cents with round(): the rounding must be "
                "named, use Cents.round_down_to(step) or Cents.round_up_to(step)"
            )
        return self

    def __trunc__(self) -> Cents:
        return self

    def __floor__(self) -> Cents:
        return self

    def __ceil__(self) -> Cents:
        return self

    # --- arithmetic that is refused -------------------------------------------------------------

    def __truediv__(self, other: object) -> NoReturn:
        _refuse("/")

    def __rtruediv__(self, other: object) -> NoReturn:
        _refuse("/")

    def __floordiv__(self, other: object) -> NoReturn:
        _refuse("//")

    def __rfloordiv__(self, other: object) -> NoReturn:
        _refuse("//")

    def __mod__(self, other: object) -> NoReturn:
        _refuse("%")

    def __rmod__(self, other: object) -> NoReturn:
        _refuse("%")

    def __divmod__(self, other: object) -> NoReturn:
        _refuse("divmod()")

    def __rdivmod__(self, other: object) -> NoReturn:
        _refuse("divmod()")

    def __pow__(self, other: object, modulo: object = None) -> NoReturn:
        _refuse("**")

    def __rpow__(self, other: object, modulo: object = None) -> NoReturn:
        _refuse("**")

    def __and__(self, other: object) -> NoReturn:
        _refuse("&")

    def __rand__(self, other: object) -> NoReturn:
        _refuse("&")

    def __or__(self, other: object) -> NoReturn:
        _refuse("|")

    def __ror__(self, other: object) -> NoReturn:
        _refuse("|")

    def __xor__(self, other: object) -> NoReturn:
        _refuse("^")

    def __rxor__(self, other: object) -> NoReturn:
        _refuse("^")

    def __lshift__(self, other: object) -> NoReturn:
        _refuse("<<")

    def __rlshift__(self, other: object) -> NoReturn:
        _refuse("<<")

    def __rshift__(self, other: object) -> NoReturn:
        _refuse(">>")

    def __rrshift__(self, other: object) -> NoReturn:
        _refuse(">>")

    def __invert__(self) -> NoReturn:
        _refuse("~")

    # --- rates and rounding ---------------------------------------------------------------------

    def mul(self, factor: Decimal | int, *, rounding: str) -> Cents:
        """Multiply by a Decimal factor and round to a cent with the given mode.

        ``Cents(1000).mul(Decimal("0.333"), rounding=ROUND_HALF_UP) == Cents(333)``. Floats are refused.
        """
        _check_rounding(rounding)
        exact = _exact(factor, "factor") * int(self)
        return Cents(_round_fraction(exact.numerator, exact.denominator, rounding))

    def percent(self, rate_percent: Decimal | int, *, rounding: str) -> Cents:
        """``rate_percent`` per cent of the amount, rounded to a cent with the given mode.

        ``Cents(155000).percent(Decimal("1"), rounding=ROUND_DOWN) == Cents(1550)`` (1 % of 1.550 EUR).
        """
        _check_rounding(rounding)
        exact = _exact(rate_percent, "rate_percent") * int(self) / 100
        return Cents(_round_fraction(exact.numerator, exact.denominator, rounding))

    def round_down_to(self, step: Cents) -> Cents:
        """Round toward zero to a multiple of ``step`` (like ``ROUND_DOWN``).

        § 240 Abs. 1 AO: the amount on which the late-payment surcharge is computed is rounded down
        to the next full 50 EUR, so ``Cents(159800).round_down_to(Cents(5000)) == Cents(155000)``
        (1.598,00 EUR -> 1.550,00 EUR). Negative amounts are mirrored: -1.598,00 -> -1.550,00.
        """
        step_value = _check_step(step)
        magnitude = abs(int(self)) // step_value * step_value
        return Cents(magnitude if self >= 0 else -magnitude)

    def round_up_to(self, step: Cents) -> Cents:
        """Round away from zero to a multiple of ``step`` (like ``ROUND_UP``).

        E.g. a reminder fee to be charged in full 5 cents: ``Cents(101).round_up_to(Cents(5)) ==
        Cents(105)``. Negative amounts are mirrored: -1,01 -> -1,05.
        """
        step_value = _check_step(step)
        magnitude = -(-abs(int(self)) // step_value) * step_value
        return Cents(magnitude if self >= 0 else -magnitude)

    # --- dividing without losing a cent ---------------------------------------------------------

    def split(self, n: int) -> list[Cents]:
        """Split into ``n`` parts as equal as possible that add up exactly to the amount.

        Larger parts (by magnitude) come first: ``Cents(100).split(3) == [34, 33, 33]`` and
        ``Cents(-100).split(3) == [-34, -33, -33]`` (a negative amount splits like its mirror image).
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"split() takes an int number of parts, not {type(n).__name__}")
        if n < 1:
            raise ValueError(f"split() needs at least one part, not {n}")
        sign = -1 if self < 0 else 1
        quotient, remainder = divmod(abs(int(self)), int(n))
        return [Cents(sign * (quotient + 1))] * remainder + [Cents(sign * quotient)] * (int(n) - remainder)

    def allocate(self, weights: Sequence[int | Cents | Decimal]) -> list[Cents]:
        """Distribute the amount pro rata over ``weights`` without losing or inventing a cent.

        Largest-remainder method: every part is the exact share rounded toward zero, then the cents
        left over go one each to the parts with the largest remainders; ties go to the earlier
        index, so the result is deterministic. Every part is within 1 cent of its exact share, the
        parts add up exactly to the amount, a zero weight gets nothing. Negative amounts are
        mirrored. Weights must be non-negative ints, Cents or Decimals (no floats), not all zero.

        ``Cents(100).allocate([1, 1, 1]) == [34, 33, 33]``.
        """
        if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
            raise TypeError("allocate() takes a sequence of weights")
        exact_weights = [_exact(weight, "weight") for weight in weights]
        if not exact_weights:
            raise ValueError("allocate() needs at least one weight")
        if any(weight < 0 for weight in exact_weights):
            raise ValueError("allocate() weights must not be negative")
        weight_sum = sum(exact_weights, Fraction(0))
        if weight_sum == 0:
            raise ValueError("allocate() needs at least one weight greater than zero")
        sign = -1 if self < 0 else 1
        magnitude = abs(int(self))
        shares = [magnitude * weight / weight_sum for weight in exact_weights]
        parts = [share.numerator // share.denominator for share in shares]
        leftover = magnitude - sum(parts)
        # Largest remainder first; sorted() is stable, so equal remainders keep index order.
        order = sorted(range(len(shares)), key=lambda index: parts[index] - shares[index])
        for index in order[:leftover]:
            parts[index] += 1
        return [Cents(sign * part) for part in parts]


def _check_step(step: Cents) -> int:
    if not isinstance(step, Cents):
        raise TypeError(f"the rounding step must be Cents (e.g. Cents(5000) for 50 EUR), not {step!r}")
    if step <= 0:
        raise ValueError(f"the rounding step must be positive, not {step!r}")
    return int(step)


def _split_body(body: str, text: str) -> tuple[str, str]:
    """Split the unsigned number into (euro digits, decimal digits) following Cents.parse's rules."""
    last_comma, last_dot = body.rfind(","), body.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_at = max(last_comma, last_dot)
        decimal_separator = body[decimal_at]
        group_separator = "." if decimal_separator == "," else ","
        euros_text, fraction_text = body[:decimal_at], body[decimal_at + 1 :]
        if not fraction_text:
            raise _error("money.invalid", text)
        if not _GROUPED_RE[group_separator].fullmatch(euros_text):
            raise _error("money.invalid_grouping", text)
        euros_text = euros_text.replace(group_separator, "")
    elif last_dot >= 0 and _GROUPED_RE["."].fullmatch(body):
        euros_text, fraction_text = body.replace(".", ""), ""
    elif last_comma >= 0 and body.count(",") > 1:
        if not _GROUPED_RE[","].fullmatch(body):
            raise _error("money.invalid_grouping", text)
        euros_text, fraction_text = body.replace(",", ""), ""
    elif last_dot >= 0 and body.count(".") > 1:
        raise _error("money.invalid_grouping", text)
    elif last_dot >= 0 or last_comma >= 0:
        euros_text, _, fraction_text = body.partition("," if last_comma >= 0 else ".")
        if not fraction_text:
            raise _error("money.invalid", text)
    else:
        euros_text, fraction_text = body, ""
    if not _DIGITS_RE.fullmatch(euros_text) or (fraction_text and not _DIGITS_RE.fullmatch(fraction_text)):
        raise _error("money.invalid", text)
    if len(fraction_text) > 2:
        raise _error("money.too_many_decimals", text)
    return euros_text, fraction_text


def total(amounts: Iterable[Cents]) -> Cents:
    """Sum of amounts that is ``Cents`` even for an empty iterable (where ``sum()`` gives int 0)."""
    return sum(amounts, ZERO)


#: No money.
ZERO: Final = Cents(0)
