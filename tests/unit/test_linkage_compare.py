"""Graded field comparisons: one row per level, with the reason the pair lands there."""

from __future__ import annotations

import numpy as np
import pytest

from kofo.debtors.linkage.compare import FIELD_NAMES, FIELDS, MISSING, compare
from kofo.debtors.linkage.records import PersonRecord, table_from_records

BASE = {
    "surname": "Müller",
    "given_names": "Anna Maria",
    "birth_name": "",
    "birth_date": "1970-05-13",
    "street": "Hauptstraße",
    "house_number": "12",
    "postcode": "66111",
    "city": "Saarbrücken",
}


def _levels(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    table = table_from_records(
        [PersonRecord(record_id="a", **{**BASE, **a}), PersonRecord(record_id="b", **{**BASE, **b})]
    )
    levels = compare(table, np.array([0]), np.array([1])).levels[0]
    return {
        name: "missing" if lvl == MISSING else FIELDS[name][lvl]
        for name, lvl in zip(FIELD_NAMES, levels.tolist(), strict=True)
    }


@pytest.mark.parametrize(
    ("a", "b", "level", "reason"),
    [
        ({}, {}, "exact", "equal"),
        ({}, {"surname": "MUELLER"}, "exact", "case and ae-form normalise to the same string"),
        ({}, {"surname": "Muller"}, "variant", "folded umlaut: same skeleton"),
        ({"surname": "Müller-Lüdenscheidt"}, {}, "variant", "one token set inside the other (double name)"),
        ({"surname": "Schmidt", "birth_name": "Müller"}, {}, "birth_name", "a's birth name is b's surname"),
        ({"surname": "Schmidt geb. Müller"}, {}, "birth_name", "birth name written into the surname field"),
        ({}, {"surname": "Müler"}, "variant", "a dropped double letter is the same skeleton"),
        ({}, {"surname": "Mülle"}, "close", "one letter missing: Jaro-Winkler ≥ 0.92"),
        ({"surname": "Meier"}, {"surname": "Mayer"}, "close", "same Kölner Phonetik"),
        ({"surname": "Schneider"}, {"surname": "Schreiner"}, "far", "Jaro-Winkler between 0.80 and 0.92"),
        ({}, {"surname": "Schmidt"}, "different", "nothing in common"),
        ({}, {"surname": ""}, "missing", "missing is neutral"),
    ],
)
def test_surname_levels(a: dict[str, str], b: dict[str, str], level: str, reason: str) -> None:
    assert _levels(a, b)["surname"] == level, reason


@pytest.mark.parametrize(
    ("a", "b", "level", "reason"),
    [
        ({}, {}, "exact", "equal"),
        ({}, {"given_names": "Anna"}, "first_or_subset", "second given name left out"),
        ({}, {"given_names": "Maria"}, "first_or_subset", "only the second given name: a subset"),
        ({"given_names": "Christoph"}, {"given_names": "Christof"}, "close", "Jaro-Winkler ≥ 0.92"),
        ({"given_names": "Carl"}, {"given_names": "Karl"}, "close", "same Kölner Phonetik"),
        ({"given_names": "Anna"}, {"given_names": "Peter"}, "different", "unrelated names"),
        ({"given_names": "Peter"}, {"given_names": "Petra"}, "different", "a man's and a woman's name"),
        (
            {"given_names": "Martin"},
            {"given_names": "Martina"},
            "different",
            "Martin is male, Martina female",
        ),
        (
            {"given_names": "Andreas"},
            {"given_names": "Andrea"},
            "different",
            "Andrea is female in German use",
        ),
        (
            {"given_names": "Michael"},
            {"given_names": "Nicole"},
            "different",
            "same phonetic 645, unlike spelling",
        ),
        (
            {"given_names": "Jörg"},
            {"given_names": "Erika"},
            "different",
            "same phonetic 074, unlike spelling",
        ),
        ({"given_names": "Marie"}, {"given_names": "Maria"}, "close", "both female: a variant"),
        (
            {"given_names": "Petra"},
            {"given_names": "Ptera"},
            "close",
            "a typo is not in the lexicon: neutral",
        ),
        ({"given_names": "Luca"}, {"given_names": "Lucas"}, "close", "Luca is given to both sexes: no rule"),
        ({"given_names": "Peter Maria"}, {"given_names": "Maria"}, "first_or_subset", "a man's second name"),
        ({}, {"given_names": ""}, "missing", "missing is neutral"),
    ],
)
def test_given_name_levels(a: dict[str, str], b: dict[str, str], level: str, reason: str) -> None:
    assert _levels(a, b)["given_names"] == level, reason


def test_swapped_name_order_counts_as_agreement() -> None:
    levels = _levels({"given_names": "Anna"}, {"surname": "Anna", "given_names": "Müller"})
    assert levels["surname"] == "exact"
    assert levels["given_names"] == "exact"


def test_swapped_name_order_with_a_typo_is_a_variant() -> None:
    levels = _levels({"given_names": "Anna"}, {"surname": "Anna", "given_names": "Mülller"})
    assert levels["surname"] == "variant"
    assert levels["given_names"] == "first_or_subset"


def test_swapped_pairs_get_no_term_frequency_code() -> None:
    """A given name in the surname field is rare *as a surname*; that must not look like evidence."""
    table = table_from_records(
        [
            PersonRecord(record_id="a", **{**BASE, "given_names": "Anna"}),
            PersonRecord(record_id="b", **{**BASE, "surname": "Anna", "given_names": "Müller"}),
        ]
    )
    comparison = compare(table, np.array([0]), np.array([1]))
    assert comparison.surname_code.tolist() == [0]
    assert comparison.given_code.tolist() == [0]


def test_both_records_swapped_with_given_names_of_different_sex_are_different() -> None:
    """„Sabine Gassling“ and „Jürgen Gassling“, both written surname-first: two people."""
    levels = _levels(
        {"surname": "Sabine", "given_names": "Gassling"}, {"surname": "Jürgen", "given_names": "Gassling"}
    )
    assert levels["given_names"] == "different"


@pytest.mark.parametrize(
    ("a", "b", "level", "reason"),
    [
        ("1970-05-13", "13.05.1970", "exact", "same date in the two accepted formats"),
        ("1970-05-03", "1970-03-05", "day_month_swapped", "day and month exchanged"),
        ("1967-05-13", "1976-05-13", "digits_transposed", "adjacent digits of the year swapped"),
        ("1970-05-12", "1970-05-21", "digits_transposed", "adjacent digits of the day swapped"),
        (
            "1970-05-13",
            "1970-05-14",
            "one_component_off",
            "day and month agree, year agrees: one component off",
        ),
        ("1970-05-13", "1971-05-13", "one_component_off", "year off by one"),
        ("1970-05-13", "1970-08-27", "year_only", "only the year agrees"),
        ("1970-05-13", "1985-08-27", "different", "nothing agrees"),
        ("1970-05-13", "", "missing", "missing is neutral"),
        ("1970-05-13", "kein Datum", "missing", "an unparseable date is missing, not a crash"),
    ],
)
def test_birth_date_levels(a: str, b: str, level: str, reason: str) -> None:
    assert _levels({"birth_date": a}, {"birth_date": b})["birth_date"] == level, reason


@pytest.mark.parametrize(
    ("b", "level", "reason"),
    [
        ({}, "exact", "same street, number and postcode"),
        ({"street": "Hauptstr.", "house_number": "12"}, "exact", "abbreviation is the same street"),
        ({"house_number": "14"}, "same_street", "neighbour house"),
        ({"street": "Bahnhofstraße"}, "same_place", "same postcode, other street"),
        (
            {"postcode": "66119", "city": "Sbr.", "street": "Am Markt"},
            "same_place",
            "same city (abbreviated)",
        ),
        ({"postcode": "66113", "city": "", "street": "Am Markt"}, "same_area", "first three postcode digits"),
        ({"postcode": "54290", "city": "Trier", "street": "Am Markt"}, "different", "moved far away"),
        ({"postcode": "", "city": "", "street": "", "house_number": ""}, "missing", "no address at all"),
    ],
)
def test_address_levels(b: dict[str, str], level: str, reason: str) -> None:
    assert _levels({}, b)["address"] == level, reason


@pytest.mark.parametrize(
    ("a", "b", "level", "reason"),
    [
        ("lk:1", "lk:1", "same", "same partner, same debtor number"),
        ("lk:1", "lk:2", "different", "same partner, other number"),
        ("lk:1", "gem:1", "missing", "different partners' numbers say nothing"),
        ("lk:1", "", "missing", "missing is neutral"),
    ],
)
def test_partner_id_levels(a: str, b: str, level: str, reason: str) -> None:
    table = table_from_records(
        [
            PersonRecord(record_id="a", partner_debtor_id=a, **BASE),
            PersonRecord(record_id="b", partner_debtor_id=b, **BASE),
        ]
    )
    lvl = int(compare(table, np.array([0]), np.array([1])).levels[0, FIELD_NAMES.index("partner_id")])
    assert ("missing" if lvl == MISSING else FIELDS["partner_id"][lvl]) == level, reason


def test_comparison_is_vectorised_over_many_pairs() -> None:
    records = [PersonRecord(record_id=str(i), **BASE) for i in range(50)]
    table = table_from_records(records)
    left = np.arange(49)
    right = np.arange(1, 50)
    comparison = compare(table, left, right)
    assert comparison.levels.shape == (49, len(FIELD_NAMES))
    assert (comparison.levels[:, :4] == 0).all()
