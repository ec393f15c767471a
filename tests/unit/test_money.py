"""kofo.money: integer cents, German parsing/formatting, refused arithmetic, exact splitting."""

from __future__ import annotations

import ast
import copy
import pickle
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kofo.money
from kofo.money import ROUNDING_MODES, ZERO, Cents, MoneyParseError, total

ALL_MODES = [ROUND_HALF_UP, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING, ROUND_HALF_EVEN]
WIDE = st.integers(min_value=-(10**18), max_value=10**18)


# --- construction -----------------------------------------------------------------------------------


def test_construct_from_int() -> None:
    amount = Cents(12345)
    assert amount == 12345
    assert isinstance(amount, int)
    assert type(amount) is Cents
    assert Cents(Cents(7)) == Cents(7)
    assert ZERO == Cents(0) == 0


@pytest.mark.parametrize("value", [12.5, 12.0, Decimal("12"), "12", True, False, None, Fraction(1, 2)])
def test_construct_refuses_non_int(value: Any) -> None:
    with pytest.raises(TypeError):
        Cents(value)


def test_from_euros() -> None:
    assert Cents.from_euros(50) == Cents(5000)
    assert Cents.from_euros(-3) == Cents(-300)
    for wrong in (1.5, Decimal(1), True, Cents(1), "1"):
        with pytest.raises(TypeError):
            Cents.from_euros(wrong)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (Decimal("12.345"), ROUND_HALF_UP, 1235),
        (Decimal("12.345"), ROUND_HALF_EVEN, 1234),
        (Decimal("12.355"), ROUND_HALF_EVEN, 1236),
        (Decimal("12.349"), ROUND_DOWN, 1234),
        (Decimal("12.341"), ROUND_UP, 1235),
        (Decimal("-12.345"), ROUND_HALF_UP, -1235),
        (Decimal("-12.341"), ROUND_DOWN, -1234),
        (Decimal("-12.341"), ROUND_UP, -1235),
        (Decimal("-12.341"), ROUND_FLOOR, -1235),
        (Decimal("-12.349"), ROUND_CEILING, -1234),
        (Decimal("12.34"), ROUND_UP, 1234),
        (Decimal("1E+3"), ROUND_DOWN, 100000),
        (Decimal("0"), ROUND_DOWN, 0),
    ],
)
def test_from_decimal(value: Decimal, rounding: str, expected: int) -> None:
    result = Cents.from_decimal(value, rounding=rounding)
    assert result == Cents(expected)
    assert type(result) is Cents


def test_from_decimal_requires_rounding_and_decimal() -> None:
    with pytest.raises(TypeError):
        Cents.from_decimal(Decimal("1.00"))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Cents.from_decimal(1.5, rounding=ROUND_DOWN)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Cents.from_decimal(1, rounding=ROUND_DOWN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not allowed"):
        Cents.from_decimal(Decimal("1.005"), rounding=ROUND_HALF_DOWN)
    with pytest.raises(ValueError, match="finite"):
        Cents.from_decimal(Decimal("NaN"), rounding=ROUND_DOWN)


def test_rounding_modes_are_the_documented_six() -> None:
    assert set(ALL_MODES) == ROUNDING_MODES


# --- parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", 123456),
        ("1234,56", 123456),
        ("1234,5", 123450),
        ("12", 1200),
        ("0", 0),
        ("-0,00", 0),
        ("0,01", 1),
        ("-1.234,56", -123456),
        ("+1.234,56", 123456),
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("-0.05", -5),
        ("12.34", 1234),
        ("1.234", 123400),  # German thousands, not 1,234 EUR
        ("12.345", 1234500),
        ("1.234.567", 123456700),
        ("1.234.567,89", 123456789),
        ("1,234.56", 123456),  # both separators: the last one is the decimal separator
        ("1,234,567.89", 123456789),
        ("12,345,678", 1234567800),
        ("  1.234,56  ", 123456),
        ("1.234,56 EUR", 123456),
        ("1.234,56EUR", 123456),
        ("1.234,56 eur", 123456),
        ("1.234,56 €", 123456),
        ("1.234,56€", 123456),
        ("1.234,56\u00a0€", 123456),  # no-break space, as word processors write it
        ("-12 EUR", -1200),
        ("\u22123,50", -350),  # typographic minus sign
        ("007,00", 700),
    ],
)
def test_parse(text: str, expected: int) -> None:
    result = Cents.parse(text)
    assert result == Cents(expected)
    assert type(result) is Cents


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "money.empty"),
        ("   ", "money.empty"),
        ("abc", "money.invalid"),
        ("12a", "money.invalid"),
        ("1e5", "money.invalid"),
        ("EUR", "money.invalid"),
        ("€ 12", "money.invalid"),
        ("12 34", "money.invalid"),
        ("- 12", "money.invalid"),
        ("+-12", "money.invalid"),
        ("--12", "money.invalid"),
        (",50", "money.invalid"),
        (".5", "money.invalid"),
        ("12,", "money.invalid"),
        ("1.234,", "money.invalid"),
        (",", "money.invalid"),
        ("١٢", "money.invalid"),  # Arabic-Indic digits
        ("12 EUR EUR", "money.invalid"),
        ("1,234", "money.too_many_decimals"),  # a single comma is always the decimal separator
        ("1234,567", "money.too_many_decimals"),
        ("0.123", "money.too_many_decimals"),  # a leading 0 is no thousands group
        ("1234.567", "money.too_many_decimals"),
        ("1.2345", "money.too_many_decimals"),
        ("1.234,567", "money.too_many_decimals"),
        ("1.23.4", "money.invalid_grouping"),
        ("1.234.56", "money.invalid_grouping"),
        ("1..2", "money.invalid_grouping"),
        ("12.34.567", "money.invalid_grouping"),
        ("1234.567,89", "money.invalid_grouping"),
        ("1.23,45", "money.invalid_grouping"),
        ("1,23.45", "money.invalid_grouping"),
        ("1,234,56", "money.invalid_grouping"),
        ("1,234.567,89", "money.invalid_grouping"),
        ("1" * 31, "money.too_large"),
    ],
)
def test_parse_errors(text: str, code: str) -> None:
    with pytest.raises(MoneyParseError) as info:
        Cents.parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert error.text == text
    message = str(error)
    assert "betrag" in message.lower()  # German: (Geld)Betrag
    assert not any(word in message.lower() for word in ("invalid", "amount", "decimal"))


def test_parse_error_message_quotes_long_input_shortened() -> None:
    with pytest.raises(MoneyParseError) as info:
        Cents.parse("x" * 500)
    assert len(str(info.value)) < 120


def test_parse_refuses_non_str() -> None:
    for value in (12, 12.5, Decimal("1"), b"12", None):
        with pytest.raises(TypeError):
            Cents.parse(value)  # type: ignore[arg-type]


# --- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "with_symbol", "without_symbol"),
    [
        (123456, "1.234,56 EUR", "1.234,56"),
        (-123456, "-1.234,56 EUR", "-1.234,56"),
        (0, "0,00 EUR", "0,00"),
        (5, "0,05 EUR", "0,05"),
        (-5, "-0,05 EUR", "-0,05"),
        (100, "1,00 EUR", "1,00"),
        (99999, "999,99 EUR", "999,99"),
        (100000, "1.000,00 EUR", "1.000,00"),
        (123456789012, "1.234.567.890,12 EUR", "1.234.567.890,12"),
    ],
)
def test_format(cents: int, with_symbol: str, without_symbol: str) -> None:
    amount = Cents(cents)
    assert amount.format() == with_symbol
    assert str(amount) == with_symbol
    assert f"{amount}" == with_symbol
    assert amount.format(symbol=False) == without_symbol


def test_repr_and_format_spec() -> None:
    assert repr(Cents(123456)) == "Cents(123456)"
    assert f"[{Cents(123456):>14}]" == "[  1.234,56 EUR]"
    assert int(Cents(123456)) == 123456
    assert type(int(Cents(1))) is int


@pytest.mark.parametrize(
    ("cents", "expected"),
    [(123456, "1234.56"), (-5, "-0.05"), (0, "0.00"), (100, "1.00"), (10**20, "1000000000000000000.00")],
)
def test_to_decimal(cents: int, expected: str) -> None:
    result = Cents(cents).to_decimal()
    assert isinstance(result, Decimal)
    assert str(result) == expected
    assert result.as_tuple().exponent == -2


def test_float_conversion_is_refused() -> None:
    with pytest.raises(TypeError, match="to_decimal"):
        float(Cents(1))


# --- arithmetic -----------------------------------------------------------------------------------


def test_allowed_arithmetic_keeps_cents() -> None:
    a, b = Cents(1000), Cents(250)
    for result, expected in [
        (a + b, 1250),
        (a - b, 750),
        (b - a, -750),
        (-a, -1000),
        (+a, 1000),
        (abs(Cents(-5)), 5),
        (a * 3, 3000),
        (3 * a, 3000),
        (a * -2, -2000),
        (a + 0, 1000),
        (0 + a, 1000),
        (sum([a, b, b]), 1500),
        (round(a), 1000),
        (round(a, 2), 1000),
    ]:
        assert result == expected
        assert type(result) is Cents, result
    accumulated = Cents(0)
    accumulated += a
    accumulated -= b
    assert accumulated == Cents(750)
    assert type(accumulated) is Cents


@pytest.mark.parametrize(
    "operation",
    [
        lambda a: a + 1,
        lambda a: 1 + a,
        lambda a: a + 1.5,
        lambda a: a + Decimal("1"),
        lambda a: a + True,
        lambda a: a + False,
        lambda a: a + 0.0,
        lambda a: a - 1,
        lambda a: 1 - a,
        lambda a: 0 - a,
        lambda a: a - 0.5,
        lambda a: a - Decimal(1),
        lambda a: a * 1.5,
        lambda a: a * Decimal("1.5"),
        lambda a: a * a,
        lambda a: a * True,
        lambda a: a / 2,
        lambda a: a / a,
        lambda a: 2 / a,
        lambda a: a // 2,
        lambda a: 2 // a,
        lambda a: a % 2,
        lambda a: 2 % a,
        lambda a: a**2,
        lambda a: 2**a,
        lambda a: pow(a, 2, 5),
        lambda a: divmod(a, 2),
        lambda a: divmod(2, a),
        lambda a: a & 1,
        lambda a: a | 1,
        lambda a: a ^ 1,
        lambda a: a << 1,
        lambda a: a >> 1,
        lambda a: ~a,
        lambda a: round(a, -2),
    ],
)
def test_refused_arithmetic(operation: Any) -> None:
    with pytest.raises(TypeError):
        operation(Cents(1000))


@pytest.mark.parametrize(
    "operation", [lambda a: a / 2, lambda a: a // 2, lambda a: a % 2, lambda a: divmod(a, 2)]
)
def test_division_error_points_to_helpers(operation: Any) -> None:
    with pytest.raises(TypeError, match=r"split.*allocate.*percent"):
        operation(Cents(1000))


def test_comparisons_and_hashing() -> None:
    assert Cents(5) < Cents(6)
    assert Cents(5) <= 5
    assert Cents(5) == 5
    assert Cents(5) > 4
    assert 6 > Cents(5)  # noqa: SIM300 - the int on the left is the point
    assert Cents(-1) < ZERO
    assert sorted([Cents(3), Cents(-1), Cents(2)]) == [Cents(-1), Cents(2), Cents(3)]
    assert max(Cents(3), Cents(7)) == Cents(7)
    assert {Cents(5): "a"}[Cents(5)] == "a"
    assert len({Cents(5), Cents(5), Cents(6)}) == 2
    assert hash(Cents(5)) == hash(5)
    assert not ZERO
    assert Cents(1)


def test_immutable_and_picklable() -> None:
    amount = Cents(123)
    with pytest.raises(AttributeError):
        amount.extra = 1  # type: ignore[attr-defined]
    restored = pickle.loads(pickle.dumps(amount))  # noqa: S301 - our own bytes
    assert restored == amount
    assert type(restored) is Cents
    assert type(copy.deepcopy(amount)) is Cents


def test_total() -> None:
    assert total([]) == ZERO
    assert type(total([])) is Cents
    assert total(Cents(n) for n in (1, 2, 3)) == Cents(6)


# --- rates and rounding helpers -------------------------------------------------------------------


def test_percent_and_mul_examples() -> None:
    assert Cents(155000).percent(Decimal("1"), rounding=ROUND_DOWN) == Cents(1550)
    assert Cents(1000).mul(Decimal("0.333"), rounding=ROUND_HALF_UP) == Cents(333)
    assert Cents(1001).percent(Decimal("0.5"), rounding=ROUND_HALF_UP) == Cents(5)  # 5,005 -> 5
    assert Cents(1001).percent(Decimal("0.5"), rounding=ROUND_UP) == Cents(6)
    assert Cents(1000).percent(Decimal("0.05"), rounding=ROUND_HALF_UP) == Cents(1)  # 0,5 -> 1
    assert Cents(1000).percent(Decimal("0.05"), rounding=ROUND_HALF_EVEN) == Cents(0)
    assert Cents(-1001).percent(Decimal("0.5"), rounding=ROUND_DOWN) == Cents(-5)
    assert Cents(-1001).percent(Decimal("0.5"), rounding=ROUND_FLOOR) == Cents(-6)
    assert Cents(1000).mul(3, rounding=ROUND_DOWN) == Cents(3000)
    assert type(Cents(1000).percent(Decimal(12), rounding=ROUND_DOWN)) is Cents


def test_surcharge_example_section_240_ao() -> None:
    """§ 240 Abs. 1 AO: 1 % per month started of the tax rounded down to full 50 EUR."""
    tax = Cents.parse("1.598,00")
    base = tax.round_down_to(Cents(5000))
    assert base == Cents.parse("1.550,00")
    assert base.percent(Decimal("1"), rounding=ROUND_DOWN) == Cents.parse("15,50")


@pytest.mark.parametrize(
    ("cents", "step", "down", "up"),
    [
        (159800, 5000, 155000, 160000),
        (155000, 5000, 155000, 155000),
        (4999, 5000, 0, 5000),
        (0, 5000, 0, 0),
        (-159800, 5000, -155000, -160000),
        (101, 5, 100, 105),
        (105, 5, 105, 105),
        (-101, 5, -100, -105),
        (7, 1, 7, 7),
    ],
)
def test_round_to_step(cents: int, step: int, down: int, up: int) -> None:
    assert Cents(cents).round_down_to(Cents(step)) == Cents(down)
    assert Cents(cents).round_up_to(Cents(step)) == Cents(up)
    assert type(Cents(cents).round_up_to(Cents(step))) is Cents


def test_round_to_step_refuses_bad_steps() -> None:
    with pytest.raises(TypeError):
        Cents(100).round_down_to(50)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        Cents(100).round_up_to(Cents(0))
    with pytest.raises(ValueError, match="positive"):
        Cents(100).round_down_to(Cents(-5))


@pytest.mark.parametrize("method", ["percent", "mul"])
def test_rates_refuse_float_and_require_rounding(method: str) -> None:
    amount = Cents(1000)
    with pytest.raises(TypeError, match="float"):
        getattr(amount, method)(1.5, rounding=ROUND_DOWN)
    with pytest.raises(TypeError):
        getattr(amount, method)(True, rounding=ROUND_DOWN)
    with pytest.raises(TypeError):
        getattr(amount, method)(Decimal("1"))
    with pytest.raises(ValueError):
        getattr(amount, method)(Decimal("1"), rounding=ROUND_HALF_DOWN)
    with pytest.raises(ValueError):
        getattr(amount, method)(Decimal("1"), rounding="nearest")
    with pytest.raises(ValueError):
        getattr(amount, method)(Decimal("Infinity"), rounding=ROUND_DOWN)
    with pytest.raises(ValueError):
        getattr(amount, method)(Decimal("1E+999999"), rounding=ROUND_DOWN)


# --- split and allocate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "n", "expected"),
    [
        (100, 3, [34, 33, 33]),
        (-100, 3, [-34, -33, -33]),
        (101, 3, [34, 34, 33]),
        (2, 3, [1, 1, 0]),
        (0, 2, [0, 0]),
        (100, 1, [100]),
        (99, 3, [33, 33, 33]),
    ],
)
def test_split(cents: int, n: int, expected: list[int]) -> None:
    parts = Cents(cents).split(n)
    assert parts == [Cents(p) for p in expected]
    assert all(type(part) is Cents for part in parts)


def test_split_refuses_bad_counts() -> None:
    with pytest.raises(ValueError):
        Cents(100).split(0)
    with pytest.raises(ValueError):
        Cents(100).split(-1)
    for wrong in (2.0, True, Decimal(2)):
        with pytest.raises(TypeError):
            Cents(100).split(wrong)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (100, [1, 1], [50, 50]),
        (100, [1, 0, 1], [50, 0, 50]),
        (1, [1, 1, 1], [1, 0, 0]),  # tie: earliest index wins
        (2, [1, 1, 1], [1, 1, 0]),
        (100, [0, 1], [0, 100]),
        (1000, [Decimal("0.2"), Decimal("0.3"), Decimal("0.5")], [200, 300, 500]),
        (100, [Cents(3000), Cents(7000)], [30, 70]),
        (10, [3, 3, 4], [3, 3, 4]),
        (10, [1, 2], [3, 7]),  # 3,33 / 6,67: the larger remainder gets the cent
        (-100, [1, 1, 1], [-34, -33, -33]),
        (0, [1, 2], [0, 0]),
    ],
)
def test_allocate(cents: int, weights: list[Any], expected: list[int]) -> None:
    parts = Cents(cents).allocate(weights)
    assert parts == [Cents(p) for p in expected]
    assert all(type(part) is Cents for part in parts)


@pytest.mark.parametrize(
    ("weights", "error"),
    [
        ([0, 0], ValueError),
        ([], ValueError),
        ([1, -1], ValueError),
        ([Decimal("NaN")], ValueError),
        ([1.0, 2.0], TypeError),
        ([True, False], TypeError),
        ("12", TypeError),
    ],
)
def test_allocate_refuses_bad_weights(weights: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        Cents(100).allocate(weights)


# --- purity ---------------------------------------------------------------------------------------


def test_module_imports_no_django() -> None:
    tree = ast.parse(Path(kofo.money.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert imported <= {"__future__", "collections.abc", "decimal", "fractions", "operator", "re", "typing"}


# --- properties -----------------------------------------------------------------------------------


@given(WIDE, st.booleans())
def test_parse_inverts_format(cents: int, symbol: bool) -> None:
    amount = Cents(cents)
    parsed = Cents.parse(amount.format(symbol=symbol))
    assert parsed == amount
    assert type(parsed) is Cents


@given(WIDE)
def test_parse_reads_dot_decimal(cents: int) -> None:
    assert Cents.parse(str(Cents(cents).to_decimal())) == Cents(cents)


@given(WIDE, st.integers(min_value=1, max_value=60))
def test_split_conserves_and_is_fair(cents: int, n: int) -> None:
    parts = Cents(cents).split(n)
    assert len(parts) == n
    assert sum(parts) == cents
    assert all(type(part) is Cents for part in parts)
    # every part within (strictly) less than 1 cent of the exact share cents / n
    assert all(abs(int(part) * n - cents) < n for part in parts)
    assert max(parts) - min(parts) <= 1
    magnitudes = [abs(part) for part in parts]
    assert magnitudes == sorted(magnitudes, reverse=True)


weights_strategy = st.one_of(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20),
    st.lists(
        st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=20,
    ),
).filter(lambda weights: any(weight > 0 for weight in weights))


@given(WIDE, weights_strategy)
def test_allocate_conserves_and_is_within_a_cent(cents: int, weights: list[Any]) -> None:
    parts = Cents(cents).allocate(weights)
    assert len(parts) == len(weights)
    assert sum(parts) == cents
    assert all(type(part) is Cents for part in parts)
    weight_sum = sum(Fraction(weight) for weight in weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(cents) * Fraction(weight) / weight_sum
        assert abs(int(part) - exact) < 1
        if weight == 0:
            assert part == 0


@given(st.lists(WIDE.map(Cents), min_size=1, max_size=12))
def test_sum_stays_cents(amounts: list[Cents]) -> None:
    result = sum(amounts)
    assert type(result) is Cents
    assert result == sum(int(amount) for amount in amounts)
    assert type(total(amounts)) is Cents


rates = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False)


@given(st.integers(min_value=0, max_value=10**15), rates.filter(lambda rate: rate >= 0))
def test_percent_round_down_le_exact_le_round_up(cents: int, rate: Decimal) -> None:
    exact = Fraction(cents) * Fraction(rate) / 100
    down = Cents(cents).percent(rate, rounding=ROUND_DOWN)
    up = Cents(cents).percent(rate, rounding=ROUND_UP)
    assert down <= exact <= up
    assert up - down <= Cents(1)


@given(WIDE, rates, st.sampled_from(ALL_MODES))
def test_percent_matches_decimal_quantize(cents: int, rate: Decimal, rounding: str) -> None:
    """The exact integer rounding agrees with the decimal module's own rounding modes."""
    with localcontext() as context:
        context.prec = 100
        expected = (Decimal(cents) * rate / 100).quantize(Decimal(1), rounding=rounding)
    result = Cents(cents).percent(rate, rounding=rounding)
    assert result == int(expected)
    assert (
        Cents(cents).percent(rate, rounding=ROUND_FLOOR)
        <= result
        <= Cents(cents).percent(rate, rounding=ROUND_CEILING)
    )


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=5, allow_nan=False, allow_infinity=False),
    st.sampled_from(ALL_MODES),
)
def test_from_decimal_matches_quantize(value: Decimal, rounding: str) -> None:
    with localcontext() as context:
        context.prec = 100
        expected = value.quantize(Decimal("0.01"), rounding=rounding)
    assert Cents.from_decimal(value, rounding=rounding).to_decimal() == expected
