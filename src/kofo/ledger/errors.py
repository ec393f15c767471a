"""Errors of the ledger, each with a German message and a machine-readable code."""

from __future__ import annotations


class LedgerError(Exception):
    code = "ledger.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UnbalancedTransactionError(LedgerError):
    code = "ledger.unbalanced"


class TooFewPostingsError(LedgerError):
    code = "ledger.too_few_postings"


class AlreadyReversedError(LedgerError):
    code = "ledger.already_reversed"
