"""GiroCode (EPC QR code, EPC069-12 version 002) for letters that ask for payment, made with segno.

The code carries the office's name, IBAN and BIC, the amount and the kofo payment reference (ISO 11649,
``RF…``) as the structured creditor reference, so the transfer comes back with exactly what matching looks
for first (:mod:`kofo.payments.matching`). EPC allows either a structured reference or a free text, not both.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import segno
from segno import helpers

from kofo.money import Cents

#: EPC069-12: the amount must lie between 0.01 and 999,999,999.99 EUR.
AMOUNT_CENTS_MAX = 99_999_999_999


def epc_qr(*, name: str, iban: str, bic: str, amount_cents: int, reference: str) -> segno.QRCode:
    """The GiroCode; error correction M, as the EPC guideline requires."""
    if not 0 < amount_cents <= AMOUNT_CENTS_MAX:
        raise ValueError(f"GiroCode: Betrag {Cents(amount_cents)} liegt außerhalb des Erlaubten.")
    amount = Decimal(amount_cents) / 100
    return helpers.make_epc_qr(
        name=name[:70], iban=iban.replace(" ", ""), amount=amount, reference=reference, bic=bic or None
    )


def image_data_uri(payment: dict[str, Any]) -> str:
    """The GiroCode of a letter's ``payment`` data as a PNG ``data:`` URI.

    A bitmap, not SVG: drawn as hundreds of vector squares it cost ~40 ms per letter in the PDF; at 10
    pixels per module and 24 mm printed it is well over 300 dpi, with every module a whole number of pixels.
    """
    qr = epc_qr(
        name=payment["name"],
        iban=payment["iban"],
        bic=payment.get("bic", ""),
        amount_cents=int(payment["amount_cents"]),
        reference=payment["reference"],
    )
    uri: str = qr.png_data_uri(scale=10, border=0)
    return uri
