"""Tenancy for documents: office staff see every document; a partner (its users and its API tokens) only the
documents addressed to it — remittance advices and return reports — and the assessments it attached to its
own claims.

A letter about a debtor file (to the debtor, a third party or the field service) lists the claims of every
creditor in the file, so it is never a partner's, even where the partner's own claims are among them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db.models import Q

from kofo.cases.casefiles import case_claims
from kofo.documents.models import Document, DocumentKind, PrintBatch, RecipientRole
from kofo.partners.access import Principal, is_office_staff, restrict


def access_documents(principal: Principal) -> Any:
    documents = Document.objects.select_related("case", "measure", "partner", "dispatch__batch")
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        return documents
    own = Q(recipient_role=RecipientRole.PARTNER) | Q(kind=DocumentKind.BESCHEID, partner__isnull=False)
    return restrict(documents.filter(own), principal)


def case_documents(case: Any) -> Q:
    """The documents of a debtor file: its own, and the assessments the partners attached to its claims
    (attached before the file was opened, they name no file)."""
    attached = case_claims(case).exclude(attachment_sha256="").values_list("partner_id", "attachment_sha256")
    q = Q(case=case)
    for partner_id, digest in attached:
        q |= Q(kind=DocumentKind.BESCHEID, partner_id=partner_id, sha256=digest)
    return q


def access_print_batches(principal: Principal) -> Any:
    """The print batches hold letters to debtors of every partner: office staff only."""
    if isinstance(principal, AbstractUser) and is_office_staff(principal):
        return PrintBatch.objects.all()
    return PrintBatch.objects.none()
