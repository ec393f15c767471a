"""The kofo payment reference (ISO 11649 creditor reference, check digits ISO 7064 MOD 97-10) and the
tolerant reading of references in a transfer's text (``kofo.cases.references``).

Expected check digits computed by the standard's rule: the reference ``RFkk<body>`` is valid when
``<body>RFkk`` read with A=10 … Z=35 is 1 modulo 97 (ISO 11649:2009, clause 5; python-stdnum ``iso11649``
checks the same).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kofo.cases.references import (
    case_number_of,
    fold_reference,
    format_reference,
    is_valid_reference,
    payment_reference,
    references_in,
)


@pytest.mark.parametrize(
    ("case_number", "reference", "printed"),
    [
        ("VA-000123", "RF69VA000123", "RF69 VA00 0123"),
        ("VA-000124", "RF42VA000124", "RF42 VA00 0124"),
        ("VA-000125", "RF15VA000125", "RF15 VA00 0125"),
    ],
)
def test_payment_reference(case_number: str, reference: str, printed: str) -> None:
    assert payment_reference(case_number) == reference
    assert format_reference(reference) == printed
    assert is_valid_reference(reference) and case_number_of(reference) == case_number


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("RF69VA000123", ["RF69VA000123"]),
        ("Zahlung RF69 VA00 0123 Mueller", ["RF69VA000123"]),  # printed form, followed by a name
        ("rf69 va00 0123", ["RF69VA000123"]),  # lower case
        ("RF43VA007866 SEPA-GUTSCHRIFT", ["RF43VA007866"]),  # not read into the next word (bench finding)
        ("RF69VA000124", []),  # typo: check digits fail, nothing guessed
        ("RF69 VA00 0123, RF42VA000124", ["RF69VA000123", "RF42VA000124"]),
        ("Kassenzeichen 2026-0001", []),
    ],
)
def test_references_in_text(text: str, found: list[str]) -> None:
    assert references_in(text) == found


@pytest.mark.parametrize(
    ("a", "b"),
    [("GS-2026-0017", "GS 2026 0O17"), ("AB-7781", "ab7781"), ("HU/2026.0815", "HU-2026-O8I5")],
)
def test_fold_reference_makes_typed_variants_equal(a: str, b: str) -> None:
    assert fold_reference(a) == fold_reference(b)


@given(st.integers(1, 999_999), st.sampled_from(["VA", "AB", "XYZ"]), st.sampled_from(["", "Zahlung ", "x "]))
def test_every_payment_reference_is_found_again_in_any_printing(number: int, prefix: str, lead: str) -> None:
    reference = payment_reference(f"{prefix}-{number:06d}")
    for printed in (reference, format_reference(reference)):
        assert references_in(f"{lead}{printed} SEPA-GUTSCHRIFT") == [reference]
