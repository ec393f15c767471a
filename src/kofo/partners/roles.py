"""Roles of kofo as Django groups, and the permissions each role holds.

The groups are (re)created after every ``migrate`` (see ``apps.py``), so the role model is data kept in
code review, not clicks in an admin screen.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATION = "Administration"
    INNENDIENST = "Innendienst"
    AUSSENDIENST = "Außendienst"
    PARTNER = "Partner"
    PRUEFUNG = "Prüfung"


ROLE_DESCRIPTIONS = {
    Role.ADMINISTRATION: "Stammdaten, Benutzer, Vereinbarungen und Schnittstellen verwalten",
    Role.INNENDIENST: "Schuldnerakten bearbeiten, Maßnahmen des Innendienstes",
    Role.AUSSENDIENST: "Außendienstaufträge des Vollziehungsbeamten",
    Role.PARTNER: "Finanzverwaltung eines Kooperationspartners: nur eigene Daten",
    Role.PRUEFUNG: "Prüfung (Rechnungsprüfung, Datenschutz): alles lesen, nichts ändern",
}

# kofo's own apps: Administration may change them, Prüfung may read all of them.
KOFO_APPS = ("partners", "ledger", "audit", "debtors", "cases", "intake")

# Permissions by "app_label.codename". "*" entries are expanded to every permission of the app.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.ADMINISTRATION: (
        "partners.*",
        "ledger.view_account",
        "ledger.view_transaction",
        "ledger.view_posting",
        "audit.view_auditevent",
        "audit.view_personaldataaccess",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "debtors.*",
        "cases.*",
        "intake.*",
    ),
    Role.INNENDIENST: (
        "partners.view_partner",
        "partners.view_agreement",
        "partners.view_office",
        "ledger.view_account",
        "ledger.view_transaction",
        "ledger.view_posting",
        "partners.use_calculators",
        "partners.view_agreementrevision",
        "debtors.view_debtor",
        "debtors.view_debtorrecord",
        "debtors.change_debtor",
        "debtors.view_linkreview",
        "debtors.change_linkreview",
        "cases.view_claim",
        "cases.change_claim",
        # Debtor files: notes, follow-ups, assignment, suspension (kofo.cases.casefiles).
        "cases.view_case",
        "cases.change_case",
        "intake.view_importbatch",
        "intake.add_importbatch",
        "intake.view_requestitem",
    ),
    Role.AUSSENDIENST: (
        "partners.view_partner",
        "partners.view_office",
        "partners.use_calculators",
        # The field officer reads the debtor file of an order; changes stay with the Innendienst.
        "cases.view_case",
    ),
    # A Partner user's rows are limited to its own partner by kofo.partners.access.restrict.
    Role.PARTNER: (
        "partners.view_own_partner",
        # The calculators read no data of the office; partners check surcharges before they submit.
        "partners.use_calculators",
        "cases.view_claim",
        "cases.change_claim",
        "intake.view_importbatch",
        "intake.add_importbatch",
        "intake.view_requestitem",
    ),
    Role.PRUEFUNG: (
        "partners.view_partner",
        "partners.view_agreement",
        "partners.view_agreementrevision",
        "partners.view_office",
        "partners.view_apitoken",
        "ledger.view_account",
        "ledger.view_transaction",
        "ledger.view_posting",
        "audit.view_auditevent",
        "audit.view_personaldataaccess",
        # Auditors re-compute surcharges, fees and garnishable amounts.
        "partners.use_calculators",
        # Debtor files, read only (sync_role_groups adds every other view_* of kofo's apps).
        "cases.view_case",
    ),
}

# Office staff see every partner; a Partner user sees only the one partner bound to the account.
OFFICE_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.AUSSENDIENST, Role.PRUEFUNG)
