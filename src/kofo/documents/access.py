"""Tenancy for documents: office staff see every document; a partner (its users and its API tokens) only the
documents addressed to it — remittance advices and return reports.

A letter about a debtor file (to the debtor, a third party or the field service) lists the claims of every
creditor in the file, so it is never a partner's, even where the partner's own claims are among them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser

from kofo.documents.models import Document, PrintBatch, RecipientRole
from kofo.partners.access import Principal, is_office_staff, restrict


def access_documents(principal: Principal) -> Any:
    documents = Document.objects.select_related("case", "measure", "partner", "dispatch__batch")
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        return documents
    return restrict(documents.filter(recipient_role=RecipientRole.PARTNER), principal)


def access_print_batches(principal: Principal) -> Any:
    """The print batches hold letters to debtors of every partner: office staff only."""
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        return PrintBatch.objects.all()
    return PrintBatch.objects.none()
