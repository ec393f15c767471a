"""Validators for master data: IBAN/BIC (schwifty), AGS, SEPA creditor identifier, postcode."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


_IBAN_REASONS = {
    "InvalidChecksumDigits": "Prüfziffer falsch",
    "InvalidBBANChecksum": "Prüfziffer der Kontonummer falsch",
    "InvalidLength": "Länge passt nicht zum Land",
    "InvalidStructure": "Aufbau passt nicht zum Land",
    "InvalidCountryCode": "Länderkennung unbekannt",
    "InvalidBankCode": "Bankleitzahl unbekannt",
    "InvalidBranchCode": "Filialkennung ungültig",
    "InvalidAccountCode": "Kontonummer ungültig",
}


def validate_iban(value: str) -> None:
    try:
        IBAN(normalize_iban(value))
    except SchwiftyException as exc:
        reason = _IBAN_REASONS.get(type(exc).__name__, "Format ungültig")
        raise ValidationError(
            "Die IBAN %(value)s ist ungültig (%(reason)s).",
            code="iban.invalid",
            params={"value": value, "reason": reason},
        ) from exc


def validate_bic(value: str) -> None:
    if not value:
        return
    try:
        BIC(value.strip().upper())
    except SchwiftyException as exc:
        raise ValidationError(
            "Die BIC %(value)s ist ungültig.", code="bic.invalid", params={"value": value}
        ) from exc


def bank_name_for(iban: str) -> str:
    try:
        name = IBAN(normalize_iban(iban)).bank_name
    except SchwiftyException:
        return ""
    return str(name or "")


_AGS = re.compile(r"[0-9]{8}")


def validate_ags(value: str) -> None:
    """Amtlicher Gemeindeschlüssel: 8 digits (Land 2, Regierungsbezirk 1, Kreis 2, Gemeinde 3)."""
    if value and not _AGS.fullmatch(value):
        raise ValidationError(
            "Der Amtliche Gemeindeschlüssel (AGS) hat genau 8 Ziffern, z. B. 10044117.",
            code="ags.invalid",
        )


_POSTCODE = re.compile(r"[0-9]{5}")


def validate_postcode(value: str) -> None:
    if value and not _POSTCODE.fullmatch(value):
        raise ValidationError("Die Postleitzahl hat fünf Ziffern.", code="postcode.invalid")


_CREDITOR_ID = re.compile(r"([A-Z]{2})([0-9]{2})([A-Z0-9]{3})([A-Z0-9]{1,28})")


def validate_creditor_id(value: str) -> None:
    """SEPA Gläubiger-Identifikationsnummer (e.g. DE98ZZZ09999999999): ISO 7064 mod 97-10 check digits.

    The business code (positions 5–7) is not part of the check (EPC262-08).
    """
    text = (value or "").replace(" ", "").upper()
    match = _CREDITOR_ID.fullmatch(text)
    if not match:
        raise ValidationError("Die Gläubiger-ID hat die Form DE98ZZZ09999999999.", code="creditor_id.invalid")
    country, check, _business, national = match.groups()
    digits = "".join(str(int(ch, 36)) for ch in national + country + "00")
    if 98 - int(digits) % 97 != int(check):
        raise ValidationError(
            "Die Prüfziffer der Gläubiger-ID %(value)s stimmt nicht.",
            code="creditor_id.checksum",
            params={"value": value},
        )
