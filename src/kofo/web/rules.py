"""Who may see which page of the web UI: one predicate per page, used by the views and the navigation.

Permissions come from the roles (``kofo.partners.roles``); the tenancy rule comes from
``kofo.partners.access``: a user bound to a partner sees only that partner, and office-wide pages
(ledger, audit trail, API tokens) are for office staff only.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, AnonymousUser

from kofo.partners.access import bound_partner
from kofo.partners.models import Partner

User = AbstractUser | AnonymousUser

_CACHE_ATTR = "_kofo_bound_partner"


def partner_of(user: User) -> Partner | None:
    """The partner the user is bound to, looked up once per request (cached on the user object)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, _CACHE_ATTR):
        setattr(user, _CACHE_ATTR, bound_partner(user))
    cached: Partner | None = getattr(user, _CACHE_ATTR)
    return cached


def has(user: User, *perms: str) -> bool:
    """True if the user holds at least one of ``perms``."""
    return user.is_authenticated and user.is_active and any(user.has_perm(p) for p in perms)


def is_office(user: User) -> bool:
    return user.is_authenticated and partner_of(user) is None


def can_view_partners(user: User) -> bool:
    if partner_of(user) is not None:
        return has(user, "partners.view_own_partner")
    return has(user, "partners.view_partner")


def can_view_agreements(user: User) -> bool:
    if partner_of(user) is not None:
        return has(user, "partners.view_own_partner")
    return has(user, "partners.view_agreement")


def can_view_agreement_history(user: User) -> bool:
    """A partner's own users see the history of their own agreements; office staff need the permission."""
    if partner_of(user) is not None:
        return has(user, "partners.view_own_partner")
    return has(user, "partners.view_agreementrevision")


def can_view_partner_balances(user: User) -> bool:
    """Ledger figures of a partner: office staff with ledger access, or the partner's own users."""
    if partner_of(user) is not None:
        return has(user, "partners.view_own_partner")
    return has(user, "ledger.view_account")


def can_use_calculators(user: User) -> bool:
    return has(user, "partners.use_calculators")


def can_view_ledger(user: User) -> bool:
    return is_office(user) and has(user, "ledger.view_account")


def can_view_audit(user: User) -> bool:
    return is_office(user) and has(user, "audit.view_auditevent")


def can_view_data_access(user: User) -> bool:
    return is_office(user) and has(user, "audit.view_personaldataaccess")


def can_view_tokens(user: User) -> bool:
    return is_office(user) and has(user, "partners.view_apitoken", "partners.add_apitoken")


def can_issue_tokens(user: User) -> bool:
    return is_office(user) and has(user, "partners.add_apitoken")


def can_revoke_tokens(user: User) -> bool:
    return is_office(user) and has(user, "partners.change_apitoken")


def can_use_admin(user: User) -> bool:
    """Django admin for master data: Administration only (its accounts are ``is_staff``)."""
    return user.is_authenticated and user.is_active and bool(getattr(user, "is_staff", False))


# --- Intake, claims, debtors (issue 3) ---------------------------------------------------------------
# Rows are limited by the apps' access functions (access_import_batches, access_claims); these predicates
# only decide whether the page opens at all.


def can_view_batches(user: User) -> bool:
    return has(user, "intake.view_importbatch")


def can_upload_batches(user: User) -> bool:
    return has(user, "intake.add_importbatch")


def can_replay_batches(user: User) -> bool:
    """Re-import an archived submission: Administration only (office staff who may change batches)."""
    return is_office(user) and has(user, "intake.change_importbatch")


def can_view_claims(user: User) -> bool:
    return has(user, "cases.view_claim")


def can_change_claims(user: User) -> bool:
    return has(user, "cases.change_claim")


def can_view_debtors(user: User) -> bool:
    """The debtor file spans partners: office staff only."""
    return is_office(user) and has(user, "debtors.view_debtor")


def can_change_debtors(user: User) -> bool:
    return is_office(user) and has(user, "debtors.change_debtor")


def can_view_reviews(user: User) -> bool:
    return is_office(user) and has(user, "debtors.view_linkreview")


def can_decide_reviews(user: User) -> bool:
    return is_office(user) and has(user, "debtors.change_linkreview")


# --- Debtor files (Schuldnerakten, issue 4) ------------------------------------------------------------
# A file spans partners: office staff only, like the debtors. Partner users see their claims, never files.


def can_view_cases(user: User) -> bool:
    return is_office(user) and has(user, "cases.view_case")


def can_change_cases(user: User) -> bool:
    """Notes, follow-ups, assignment and suspension of a file."""
    return is_office(user) and has(user, "cases.change_case")


def can_use_worklist(user: User) -> bool:
    """The Arbeitsliste: for the office staff who work files (Innendienst, Administration)."""
    return can_change_cases(user)


def can_view_all_worklists(user: User) -> bool:
    """The worklists of every caseworker: for those who set the rules of assignment (Administration)."""
    return can_change_cases(user) and has(user, "cases.change_assignmentrule")


# --- Documents (Schriftstücke, issue 6) ------------------------------------------------------------------
# Rows are limited by kofo.documents.access: office staff see every document, a Partner user only the
# documents addressed to its partner (remittance advices, return reports) — the partner's portal.


def can_view_documents(user: User) -> bool:
    if partner_of(user) is not None:
        return has(user, "partners.view_own_partner")
    return has(user, "cases.view_case", "documents.view_document")


def can_check_documents(user: User) -> bool:
    """Render a letter again and compare it with the archive (reads only): office staff."""
    return is_office(user) and has(user, "cases.view_case", "documents.view_document")


def can_file_documents(user: User) -> bool:
    """File a received document in a debtor file: the staff who work the files."""
    return can_change_cases(user)
