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
#: An RF reference in a text: written compact (one word) or printed in groups of four separated by spaces.
_RF_COMPACT = re.compile(r"(?<![0-9A-Z])RF\d{2}[0-9A-Z]{1,21}(?![0-9A-Z])")
_RF_GROUPED = re.compile(r"(?<![0-9A-Z])RF\d{2}(?: [0-9A-Z]{4})*(?: [0-9A-Z]{1,4})(?![0-9A-Z])")
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

    A reference is one word (``RF69VA000123``) or printed in groups of four (``RF69 VA00 0123``); a
    grouped one may be followed by other words, so trailing groups are dropped until the check digits
    hold (preferring a candidate that names a file number). A candidate whose check digits fail is not returned: it may be a typo pointing at another file.
    """
    found: list[tuple[int, str]] = []
    upper = re.sub(r"\s+", " ", text.upper())
    for match in _RF_COMPACT.finditer(upper):
        if iso11649.is_valid(match.group()):
            found.append((match.start(), match.group()))
    for match in _RF_GROUPED.finditer(upper):
        groups = match.group().split(" ")
        valid = [
            candidate
            for candidate in ("".join(groups[:end]) for end in range(len(groups), 1, -1))
            if len(candidate) <= 25 and iso11649.is_valid(candidate)
        ]
        # One in 97 longer candidates holds by chance (a following word read as a group): a candidate
        # naming a file number wins, then the longest.
        chosen = next((c for c in valid if case_number_of(c)), valid[0] if valid else None)
        if chosen:
            found.append((match.start(), chosen))
    result: list[str] = []
    for _position, reference in sorted(found):
        if reference not in result:
            result.append(reference)
    return result


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
