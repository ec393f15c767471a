"""Normalisation of German names, addresses and dates: one table per rule, each row with its reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.debtors.linkage.normalise import (
    BirthDate,
    fold,
    normalise_city,
    normalise_house_number,
    normalise_postcode,
    normalise_street,
    parse_birth_date,
    skeleton,
    split_name,
    split_street_house_number,
)
from kofo.debtors.linkage.records import PersonRecord, normalise_person


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("Müller", "mueller", "umlaut ü → ue (DIN 5007-2 form)"),
        ("MUELLER", "mueller", "case folded; the ae-form is already the target"),
        ("Weiß", "weiss", "ß → ss"),
        ("GROSSE", "grosse", "upper-case SS stays ss"),
        ("Ärger", "aerger", "capital umlaut"),
        ("José", "jose", "other diacritics stripped"),
        ("Łukasz", "lukasz", "ł does not decompose under NFKD: mapped explicitly"),
        ("  Anna   Maria ", "anna maria", "whitespace collapsed and trimmed"),
    ],
)
def test_fold(raw: str, expected: str, reason: str) -> None:
    assert fold(raw) == expected, reason


@pytest.mark.parametrize(
    ("a", "b", "equal", "reason"),
    [
        ("Müller", "Muller", True, "the folded form without e agrees with the umlaut"),
        ("Mueller", "Muller", True, "… and with the ae-form"),
        ("Schmitt", "Schmit", True, "double letters count once"),
        ("Meyer", "Meier", False, "y/i is a real spelling difference, left to the phonetic level"),
    ],
)
def test_skeleton(a: str, b: str, equal: bool, reason: str) -> None:
    assert (skeleton(a) == skeleton(b)) is equal, reason


@pytest.mark.parametrize(
    ("raw", "tokens", "particles", "previous", "reason"),
    [
        ("Müller-Lüdenscheidt", ("mueller", "luedenscheidt"), (), (), "double surname → token set"),
        ("Müller Lüdenscheidt", ("mueller", "luedenscheidt"), (), (), "space instead of hyphen: same tokens"),
        ("Dr. Hans-Peter", ("hans", "peter"), (), (), "title dropped, hyphenated given names split"),
        ("Prof. Dr. Tim", ("tim",), (), (), "several titles"),
        ("Dipl.-Ing. Maier", ("maier",), (), (), "Dipl.-Ing. is two title tokens"),
        ("von Müller", ("mueller",), ("von",), (), "particle kept apart"),
        ("van der Berg", ("berg",), ("van", "der"), (), "multi-word particle"),
        ("zu Guttenberg", ("guttenberg",), ("zu",), (), "zu is a particle"),
        ("Schmidt geb. Müller", ("schmidt",), (), ("mueller",), "birth name in the surname field"),
        ("Schmidt, geborene Müller", ("schmidt",), (), ("mueller",), "spelled out"),
        ("Schmidt verh. Weber", ("schmidt",), (), ("weber",), "former name after verh."),
        ("De", ("de",), (), (), "a name that is only a particle stays the name"),
    ],
)
def test_split_name(
    raw: str, tokens: tuple[str, ...], particles: tuple[str, ...], previous: tuple[str, ...], reason: str
) -> None:
    parts = split_name(raw)
    assert (parts.tokens, parts.particles, parts.previous) == (tokens, particles, previous), reason


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("Hauptstraße", "hauptstrasse", "ß → ss"),
        ("Hauptstr.", "hauptstrasse", "abbreviation str."),
        ("Hauptstr", "hauptstrasse", "abbreviation without dot"),
        ("Haupt-Str.", "hauptstrasse", "hyphen and capital Str."),
        ("Haupt Strasse", "hauptstrasse", "separate word"),
        ("RingStr.", "ringstrasse", "camel-case abbreviation"),
        ("Strandweg", "strandweg", "a street starting with Str is not an abbreviation"),
        ("St.-Johanner-Markt", "sanktjohannermarkt", "St. at the start is Sankt"),
        ("Marktpl.", "marktplatz", "pl. is Platz"),
    ],
)
def test_normalise_street(raw: str, expected: str, reason: str) -> None:
    assert normalise_street(raw) == expected, reason


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("12a", "12a", "suffix letter kept"),
        ("12 A", "12a", "space and case of the suffix do not matter"),
        ("012", "12", "leading zero dropped"),
        ("12-14", "12-14", "range kept"),
        ("12 - 14 b", "12-14b", "range with spaces and suffix"),
        ("", "", "missing stays missing"),
    ],
)
def test_normalise_house_number(raw: str, expected: str, reason: str) -> None:
    assert normalise_house_number(raw) == expected, reason


@pytest.mark.parametrize(
    ("street", "house", "expected", "reason"),
    [
        ("Rosenstr 71 B", "", ("rosenstrasse", "71b"), "house number written into the street field"),
        ("Rosenstr.", "71b", ("rosenstrasse", "71b"), "separate columns stay separate"),
        ("Am Markt", "", ("ammarkt", ""), "no number: nothing moved"),
    ],
)
def test_split_street_house_number(street: str, house: str, expected: tuple[str, str], reason: str) -> None:
    assert split_street_house_number(street, house) == expected, reason


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Saarbrücken", "Saarbruecken", "umlaut and ae-form"),
        ("Saarbrücken", "Saarbrucken", "umlaut and folded form"),
        ("Saarbrücken", "Sbr.", "the usual abbreviation"),
        ("Dillingen/Saar", "Dillingen", "qualifier after a slash"),
        ("Dillingen (Saar)", "Dillingen", "qualifier in parentheses"),
        ("St. Ingbert", "Sankt Ingbert", "St. is Sankt"),
        ("St.Ingbert", "Sankt Ingbert", "without a space"),
        ("Losheim am See", "Losheim", "am … qualifier"),
        ("Frankfurt a. M.", "Frankfurt", "a. M. qualifier"),
    ],
)
def test_city_variants_agree(a: str, b: str, reason: str) -> None:
    assert normalise_city(a) == normalise_city(b), reason


def test_different_cities_stay_different() -> None:
    assert normalise_city("Saarlouis") != normalise_city("Saarbrücken")


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("66111", "66111", "five digits"),
        ("D-66111", "66111", "country prefix"),
        ("1067", "01067", "four digits: the leading zero was lost (Dresden)"),
        ("661", "", "too short: noise"),
        ("", "", "missing"),
    ],
)
def test_normalise_postcode(raw: str, expected: str, reason: str) -> None:
    assert normalise_postcode(raw) == expected, reason


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("1970-05-03", BirthDate(1970, 5, 3), "ISO 8601"),
        ("03.05.1970", BirthDate(1970, 5, 3), "German dd.mm.yyyy"),
        ("3.5.1970", BirthDate(1970, 5, 3), "without leading zeros"),
        ("1970-13-05", BirthDate(1970, 13, 5), "day/month swap of 1970-05-13: kept as evidence"),
        ("31.02.1970", BirthDate(1970, 2, 31), "calendar-invalid but plausible typo: kept"),
        ("1970-90-21", None, "month and day both over 12: garbage"),
        ("1870-01-01", None, "before the plausible range"),
        ("05/03/1970", None, "not one of the two formats: noise"),
        ("", None, "missing"),
        ("unbekannt", None, "text: noise"),
    ],
)
def test_parse_birth_date(raw: str, expected: BirthDate | None, reason: str) -> None:
    assert parse_birth_date(raw) == expected, reason


def test_birth_date_validity() -> None:
    assert BirthDate(1970, 5, 3).valid
    assert not BirthDate(1970, 2, 31).valid


def test_normalise_person_combines_the_rules() -> None:
    person = normalise_person(
        PersonRecord(
            record_id="1",
            surname="Dr. von Müller geb. Schmidt",
            given_names="Hans-Peter",
            birth_date="03.05.1970",
            street="Hauptstr. 12 A",
            postcode="66111",
            city="Saarbrücken",
        )
    )
    assert person.surname == "mueller"
    assert person.birth_name == "schmidt"
    assert person.given_names == "hans peter"
    assert person.given_first == "hans"
    assert person.street == "hauptstrasse"
    assert person.house_number == "12a"
    assert person.birth_date == BirthDate(1970, 5, 3)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(_TEXT)
def test_normalisation_is_idempotent(text: str) -> None:
    """Normalising normalised text changes nothing (the index stores normalised values)."""
    for fn in (fold, skeleton, normalise_street, normalise_city, normalise_postcode, normalise_house_number):
        once = fn(text)
        assert fn(once) == once, fn.__name__
