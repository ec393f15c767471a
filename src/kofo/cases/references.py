"""The kofo payment reference and the tolerant reading of references in a bank transfer (pure, no Django).

Every letter that asks for payment prints the debtor file's payment reference, a structured creditor
reference after ISO 11649 (``RF`` + two check digits + the file number without its dash, e.g.
``RF69VA000123`` for file ``VA-000123``). Its check digits (ISO 7064 MOD 97-10) let the bank statement
import tell a reference the debtor typed correctly from one with a typo, so only a valid reference assigns
money without a person looking at it.

Kassenzeichen in a free-text Verwendungszweck are compared after :func:`fold_reference`: spaces, dashes,
slashes and dots removed, upper case, and the OCR/typing confusions of letters and digits (O/0, I/l/1, S/5,
B/8, Z/2) folded to the digit — the same fold on both sides, so ``GS-2026 0O17`` finds ``GS2026-0017``.
"""

from __future__ import annotations

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

_CASE_NUMBER = re.compile(r"^[A-Z]{1,4}-?\d{1,12}$")
#: An RF reference anywhere in a text, allowing the groups of four a printed reference is written in.
_RF_IN_TEXT = re.compile(r"R\s?F\s?\d\s?\d(?:\s?[0-9A-Z]){1,21}")
_FOLD = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
_SEPARATORS = re.compile(r"[\s\-/._:,;]+")


def payment_reference(case_number: str) -> str:
    """The ISO 11649 creditor reference of a debtor file, e.g. ``VA-000123`` → ``RF69VA000123``."""
    body = case_number.replace("-", "").upper()
    if not _CASE_NUMBER.match(case_number.upper()) or not body.isalnum():
        raise ValueError(f"Kein gültiges Aktenzeichen für eine Zahlungsreferenz: {case_number!r}")
    check = mod_97_10.calc_check_digits(body + "RF")
    return f"RF{check}{body}"


def format_reference(reference: str) -> str:
    """Printed form in groups of four (``RF69 VA00 0123``)."""
    return iso11649.format(reference)


def is_valid_reference(reference: str) -> bool:
    return bool(iso11649.is_valid(reference))


def references_in(text: str) -> list[str]:
    """Every valid kofo payment reference in a remittance text, compact, in order of appearance.

    A candidate whose check digits fail is not returned: it may be a typo pointing at another file.
    """
    found: list[str] = []
    upper = text.upper()
    for match in _RF_IN_TEXT.finditer(upper):
        compact = re.sub(r"\s", "", match.group())
        # The regex is greedy into following words; shorten until the check digits hold.
        for end in range(len(compact), 4, -1):
            candidate = compact[:end]
            if iso11649.is_valid(candidate):
                if candidate not in found:
                    found.append(candidate)
                break
    return found


def case_number_of(reference: str) -> str | None:
    """The file number a valid reference names (``RF69VA000123`` → ``VA-000123``), else ``None``."""
    if not iso11649.is_valid(reference):
        return None
    body = iso11649.compact(reference)[4:]
    match = re.match(r"^([A-Z]+)(\d+)$", body)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def fold_reference(text: str) -> str:
    """Fold a Kassenzeichen or text for tolerant comparison (separators out, look-alikes to digits)."""
    return _SEPARATORS.sub("", text.upper()).translate(_FOLD)
