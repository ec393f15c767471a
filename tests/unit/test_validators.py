"""Master-data validators (kofo.partners.validators): IBAN and BIC via schwifty, AGS, postcode, SEPA creditor id.

Each case states the value, whether it is valid, and for an invalid one the machine code and the German
message (rule 9). Sources of the valid examples: the IBAN and BIC are Commerzbank's published sample account
(DE89 3704 0044 0532 0130 00, COBADEFFXXX); DE98ZZZ09999999999 is the Bundesbank's sample creditor id; AGS
10044117 is Saarlouis (Statistisches Bundesamt, Gemeindeverzeichnis).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from kofo.partners.validators import (
    bank_name_for,
    normalize_iban,
    validate_ags,
    validate_bic,
    validate_creditor_id,
    validate_iban,
    validate_postcode,
)


def _check(validator: Callable[[str], None], value: str, code: str | None, message: str | None) -> None:
    if code is None:
        validator(value)  # must not raise
        return
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0].startswith(message or ""), excinfo.value.messages


IBAN_CASES = [
    pytest.param("DE89370400440532013000", None, None, id="valid-de"),
    pytest.param("de89 3704 0044 0532 0130 00", None, None, id="valid-lower-with-spaces"),
    pytest.param("DE02120300000000202051", None, None, id="valid-de-2"),
    pytest.param("GB82WEST12345698765432", None, None, id="valid-gb"),
    pytest.param("AT611904300234573201", None, None, id="valid-at"),
    pytest.param(
        "DE89370400440532013001",
        "iban.invalid",
        "Die IBAN DE89370400440532013001 ist ungültig",
        id="wrong-check-digits",
    ),
    pytest.param("DE00370400440532013000", "iban.invalid", "Die IBAN", id="check-digits-00"),
    pytest.param("DE8937040044053201300", "iban.invalid", "Die IBAN", id="too-short"),
    pytest.param("DE893704004405320130000", "iban.invalid", "Die IBAN", id="too-long"),
    pytest.param("XX89370400440532013000", "iban.invalid", "Die IBAN", id="unknown-country"),
    pytest.param("DE89-3704-0044-0532-0130-00", "iban.invalid", "Die IBAN", id="dashes"),
    pytest.param("", "iban.invalid", "Die IBAN", id="empty"),
]


@pytest.mark.parametrize(("value", "code", "message"), IBAN_CASES)
def test_validate_iban(value: str, code: str | None, message: str | None) -> None:
    """IBAN: country format, length and ISO 7064 check digits (schwifty)."""
    _check(validate_iban, value, code, message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("  DE89\t370400440532013000\n", "DE89370400440532013000"),
        ("", ""),
    ],
)
def test_normalize_iban(value: str, expected: str) -> None:
    """Stored form of an IBAN: no whitespace, capitals."""
    assert normalize_iban(value) == expected


def test_bank_name_for_known_and_invalid_iban() -> None:
    """The bank of a German IBAN is looked up from the Bundesbank's directory; an invalid IBAN gives ''."""
    assert "Commerzbank" in bank_name_for("DE89370400440532013000")
    assert bank_name_for("DE89370400440532013001") == ""


BIC_CASES = [
    pytest.param("COBADEFFXXX", None, None, id="valid-11"),
    pytest.param("COBADEFF", None, None, id="valid-8"),
    pytest.param("cobadeffxxx", None, None, id="lower-case"),
    pytest.param(" COBADEFFXXX ", None, None, id="surrounding-spaces"),
    pytest.param("", None, None, id="empty-is-optional"),
    pytest.param("COBADEF", "bic.invalid", "Die BIC COBADEF ist ungültig.", id="too-short"),
    pytest.param("COBADEFFXX", "bic.invalid", "Die BIC COBADEFFXX ist ungültig.", id="ten-chars"),
    pytest.param("COBAXXFFXXX", "bic.invalid", "Die BIC COBAXXFFXXX ist ungültig.", id="unknown-country"),
    pytest.param("COBADEFFXXXX", "bic.invalid", "Die BIC", id="too-long"),
]


@pytest.mark.parametrize(("value", "code", "message"), BIC_CASES)
def test_validate_bic(value: str, code: str | None, message: str | None) -> None:
    """BIC: 8 or 11 characters, ISO country code in positions 5-6; optional (blank allowed)."""
    _check(validate_bic, value, code, message)


AGS_MESSAGE = "Der Amtliche Gemeindeschlüssel (AGS) hat genau 8 Ziffern, z. B. 10044117."
AGS_CASES = [
    pytest.param("10044117", None, None, id="saarlouis"),
    pytest.param("01001000", None, None, id="leading-zero"),
    pytest.param("", None, None, id="empty-is-optional"),
    pytest.param("1004411", "ags.invalid", AGS_MESSAGE, id="seven-digits"),
    pytest.param("100441170", "ags.invalid", AGS_MESSAGE, id="nine-digits"),
    pytest.param("1004411A", "ags.invalid", AGS_MESSAGE, id="letter"),
    pytest.param("10 044 117", "ags.invalid", AGS_MESSAGE, id="spaces"),
    pytest.param("１００４４１１７", "ags.invalid", AGS_MESSAGE, id="fullwidth-digits"),
    pytest.param("10044117\n", "ags.invalid", AGS_MESSAGE, id="trailing-newline"),
]


@pytest.mark.parametrize(("value", "code", "message"), AGS_CASES)
def test_validate_ags(value: str, code: str | None, message: str | None) -> None:
    """Amtlicher Gemeindeschlüssel: exactly 8 digits (Land 2, Regierungsbezirk 1, Kreis 2, Gemeinde 3)."""
    _check(validate_ags, value, code, message)


POSTCODE_MESSAGE = "Die Postleitzahl hat fünf Ziffern."
POSTCODE_CASES = [
    pytest.param("66115", None, None, id="saarbruecken"),
    pytest.param("01067", None, None, id="leading-zero"),
    pytest.param("", None, None, id="empty-is-optional"),
    pytest.param("6611", "postcode.invalid", POSTCODE_MESSAGE, id="four-digits"),
    pytest.param("661155", "postcode.invalid", POSTCODE_MESSAGE, id="six-digits"),
    pytest.param("D-66115", "postcode.invalid", POSTCODE_MESSAGE, id="country-prefix"),
    pytest.param("6611a", "postcode.invalid", POSTCODE_MESSAGE, id="letter"),
    pytest.param("６６１１５", "postcode.invalid", POSTCODE_MESSAGE, id="fullwidth-digits"),
    pytest.param("66115\n", "postcode.invalid", POSTCODE_MESSAGE, id="trailing-newline"),
]


@pytest.mark.parametrize(("value", "code", "message"), POSTCODE_CASES)
def test_validate_postcode(value: str, code: str | None, message: str | None) -> None:
    """German postcode: five digits."""
    _check(validate_postcode, value, code, message)


CREDITOR_FORM = "Die Gläubiger-ID hat die Form DE98ZZZ09999999999."
CREDITOR_CASES = [
    pytest.param("DE98ZZZ09999999999", None, None, id="bundesbank-sample"),
    pytest.param("de98zzz09999999999", None, None, id="lower-case"),
    pytest.param("DE98 ZZZ 09999999999", None, None, id="spaces"),
    # The business code (positions 5-7) is not part of the check (EPC262-08): any code is accepted.
    pytest.param("DE98ABC09999999999", None, None, id="other-business-code"),
    pytest.param(
        "DE97ZZZ09999999999",
        "creditor_id.checksum",
        "Die Prüfziffer der Gläubiger-ID DE97ZZZ09999999999 stimmt nicht.",
        id="wrong-check-digit",
    ),
    pytest.param("DE98ZZZ09999999998", "creditor_id.checksum", "Die Prüfziffer", id="changed-national-id"),
    pytest.param("AT98ZZZ09999999999", "creditor_id.checksum", "Die Prüfziffer", id="other-country"),
    pytest.param("DE98ZZZ", "creditor_id.invalid", CREDITOR_FORM, id="no-national-id"),
    pytest.param("DE9ZZZ09999999999", "creditor_id.invalid", CREDITOR_FORM, id="one-check-digit"),
    pytest.param("1298ZZZ09999999999", "creditor_id.invalid", CREDITOR_FORM, id="no-country"),
    pytest.param("DE98ZZZ0999999999-", "creditor_id.invalid", CREDITOR_FORM, id="dash"),
    pytest.param("", "creditor_id.invalid", CREDITOR_FORM, id="empty"),
    pytest.param("DE98ZZZ09999999999\n", "creditor_id.invalid", CREDITOR_FORM, id="trailing-newline"),
]


@pytest.mark.parametrize(("value", "code", "message"), CREDITOR_CASES)
def test_validate_creditor_id(value: str, code: str | None, message: str | None) -> None:
    """SEPA Gläubiger-Identifikationsnummer: form CCpp BBB national-id, ISO 7064 mod 97-10 check digits."""
    _check(validate_creditor_id, value, code, message)


def test_creditor_id_check_digits_are_the_only_valid_ones() -> None:
    """Exactly one pair of check digits (98 for the sample) makes the id valid; all others are refused."""
    valid = []
    for check in range(100):
        try:
            validate_creditor_id(f"DE{check:02d}ZZZ09999999999")
        except ValidationError as exc:
            assert exc.code == "creditor_id.checksum"
        else:
            valid.append(check)
    assert valid == [98]
