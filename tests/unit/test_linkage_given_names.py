"""The given-name sex lexicon that keeps Peter and Petra apart (kofo.debtors.linkage.given_names)."""

from __future__ import annotations

import pytest

from kofo.debtors.linkage.given_names import FEMALE, MALE, Sex, sex_of
from kofo.debtors.linkage.normalise import fold


def test_the_lists_are_disjoint_and_folded() -> None:
    assert not MALE & FEMALE
    for name in MALE | FEMALE:
        assert name == fold(name), name
        assert name.isascii() and name.isalpha(), name


@pytest.mark.parametrize(
    ("name", "sex"),
    [
        ("Peter", Sex.MALE),
        ("Petra", Sex.FEMALE),
        ("Jürgen", Sex.MALE),  # folded to juergen
        ("Bärbel", Sex.FEMALE),
        ("Ayşe", Sex.FEMALE),  # folded to ayse
        ("Mehmet", Sex.MALE),
        ("Kim", Sex.UNKNOWN),  # given to both sexes
        ("Luca", Sex.UNKNOWN),
        ("Sascha", Sex.UNKNOWN),
        ("Ptera", Sex.UNKNOWN),  # a typo says nothing
        ("", Sex.UNKNOWN),
    ],
)
def test_sex_of(name: str, sex: Sex) -> None:
    assert sex_of(fold(name)) is sex
