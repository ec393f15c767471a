"""The GiroCode (EPC QR code) of letters that ask for payment, read back with a QR decoder (zxing-cpp).

Expected payload per the EPC guideline EPC069-12 ("Quick Response Code: Guidelines to Enable Data Capture
for the Initiation of a SEPA Credit Transfer", version 3.0), section 3: one element per line — service tag
``BCD``, version ``002``, character set (``1`` UTF-8, ``2`` ISO 8859-1, …), identification ``SCT``, BIC, name of the beneficiary,
IBAN, amount as ``EUR`` followed by the euros with a decimal point and at most two decimals (segno drops
trailing zeros: 1,949.00 EUR is ``EUR1949``, as the guideline allows), purpose, structured creditor reference
(ISO 11649, ``RF…``), unstructured text (empty: reference and text exclude each other). The amount lies
between 0.01 and 999,999,999.99 EUR. The reference ``RF69VA000123`` is the payment reference of file
VA-000123 (``tests/unit/test_references.py``).
"""

from __future__ import annotations

import io

import pytest
import segno
import zxingcpp
from PIL import Image

from kofo.cases.references import payment_reference
from kofo.documents import girocode

OFFICE = {
    "name": "Landesverwaltungsamt Saarland",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
}


def decoded(code: segno.QRCode) -> list[str]:
    """Rasterise ``code`` as PNG (5 pixels a module, the 4-module quiet zone) and read it back, line by line.

    segno writes PNG itself; ``to_pil`` would need the qrcode-artistic plugin.
    """
    png = io.BytesIO()
    code.save(png, kind="png", scale=5, border=4)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.getvalue())))
    assert len(results) == 1
    return str(results[0].text).split("\n")


def test_payload_read_back_from_the_image() -> None:
    reference = payment_reference("VA-000123")
    assert reference == "RF69VA000123"
    code = girocode.epc_qr(amount_cents=127_678, reference=reference, **OFFICE)
    assert code.error == "M"  # error correction level M, as EPC069-12 requires
    lines = decoded(code)
    assert (lines[0], lines[1], lines[3]) == ("BCD", "002", "SCT")
    assert lines[2] in {"1", "2"}  # segno picks the narrowest set that holds the text: UTF-8 or ISO 8859-1
    assert lines[4] == "COBADEFFXXX"
    assert lines[5] == "Landesverwaltungsamt Saarland"
    assert lines[6] == "DE89370400440532013000"  # printed in groups, encoded without spaces
    assert lines[7] == "EUR1276.78"
    assert lines[8] == ""  # no purpose code
    assert lines[9] == "RF69VA000123"
    assert all(line == "" for line in lines[10:])  # no unstructured text besides the reference


def test_matrix_rasterised_by_hand_reads_the_same() -> None:
    """The same code drawn from ``qr.matrix`` (no segno imaging): any renderer of the modules reads alike."""
    code = girocode.epc_qr(
        name=OFFICE["name"], iban=OFFICE["iban"], bic="", amount_cents=1, reference="RF18539007547034"
    )
    scale, border = 6, 4
    size = (len(code.matrix) + 2 * border) * scale
    image = Image.new("L", (size, size), 255)
    for y, row in enumerate(code.matrix):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + border) * scale, (y + border) * scale
                image.paste(0, (left, top, left + scale, top + scale))
    (result,) = zxingcpp.read_barcodes(image)
    lines = str(result.text).split("\n")
    assert lines[4] == ""  # without a BIC (optional within the EEA since version 002)
    assert lines[7] == "EUR0.01"  # the smallest amount allowed
    assert lines[9] == "RF18539007547034"


@pytest.mark.parametrize("name", ["Stadtkasse Saarbrücken", "Zweckverband Straße – Ost €"])
def test_umlauts_and_the_euro_sign_survive_the_character_set(name: str) -> None:
    lines = decoded(
        girocode.epc_qr(name=name, iban=OFFICE["iban"], bic="", amount_cents=100, reference="RF69VA000123")
    )
    assert lines[5] == name


def test_long_names_are_cut_to_70_characters() -> None:
    name = "Zweckverband " + "Wasserversorgung " * 6
    lines = decoded(
        girocode.epc_qr(name=name, iban=OFFICE["iban"], bic="", amount_cents=100, reference="RF69VA000123")
    )
    assert lines[5] == name[:70]


@pytest.mark.parametrize("amount_cents", [0, -1, 99_999_999_999 + 1])
def test_amounts_outside_the_epc_limits_are_refused(amount_cents: int) -> None:
    with pytest.raises(ValueError, match="GiroCode"):
        girocode.epc_qr(amount_cents=amount_cents, reference="RF69VA000123", **OFFICE)


@pytest.mark.parametrize(("amount_cents", "encoded"), [(194_900, "EUR1949"), (120, "EUR1.2"), (5, "EUR0.05")])
def test_amounts_are_written_without_trailing_zeros(amount_cents: int, encoded: str) -> None:
    lines = decoded(girocode.epc_qr(amount_cents=amount_cents, reference="RF69VA000123", **OFFICE))
    assert lines[7] == encoded


def test_the_largest_amount_is_allowed() -> None:
    lines = decoded(girocode.epc_qr(amount_cents=99_999_999_999, reference="RF69VA000123", **OFFICE))
    assert lines[7] == "EUR999999999.99"
