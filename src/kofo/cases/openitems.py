"""Open items of a debtor file for the allocation of a payment (:func:`kofo.law.allocation.allocate_payment`):
every open component of every enforced claim, and the office's own fees and costs of the file.

Shared by payments to the office (:mod:`kofo.payments`) and payments a partner received directly
(:func:`kofo.cases.actions.do_record_direct_payment`), so both follow one order (§ 225 AO, §§ 366, 367 BGB).
"""

from __future__ import annotations

from kofo.cases.models import Case, Claim, ClaimStatus
from kofo.law.allocation import AllocationRegime, ClaimClass, OpenItem
from kofo.law.allocation import Component as ItemComponent
from kofo.money import Cents

#: § 225 Abs. 2 AO classes by claim type (fines, coercive fines, taxes; the rest "sonstige").
CLAIM_CLASSES = {
    "bussgeld": "bussgeld",
    "zwangsgeld": "zwangsgeld",
    "grundsteuer": "steuer",
    "gewerbesteuer": "steuer",
    "hundesteuer": "steuer",
}
OFFICE = "office"


def items_of(
    case: Case | None,
    claims: list[Claim],
    claim_balances: dict[int, dict[str, Cents]],
    case_balances: dict[str, Cents],
) -> tuple[list[OpenItem], dict[str, Claim]]:
    """Open items from the file's enforced claims (with partner and agreement) and their balances."""
    items: list[OpenItem] = []
    by_id: dict[str, Claim] = {}
    for claim in sorted(claims, key=lambda c: c.pk):
        by_id[str(claim.pk)] = claim
        due = (
            claim.deferred_until
            if claim.status == ClaimStatus.DEFERRED and claim.deferred_until
            else claim.due_date
        )
        for component, balance in claim_balances.get(claim.pk, {}).items():
            if balance > 0:
                items.append(
                    OpenItem(
                        item_id=f"{claim.pk}:{component}",
                        claim_id=str(claim.pk),
                        partner_id=claim.partner.key,
                        component=ItemComponent(str(component)),
                        due_on=due,
                        balance=balance,
                        claim_class=ClaimClass(CLAIM_CLASSES.get(claim.claim_type, "sonstige")),
                        regime=AllocationRegime(str(claim.agreement.regime)),
                        kassenzeichen=claim.kassenzeichen,
                    )
                )
    for component, balance in case_balances.items():
        if balance > 0 and case is not None:
            items.append(
                OpenItem(
                    item_id=f"{OFFICE}:{component}",
                    claim_id=f"{OFFICE}-{case.pk}",
                    partner_id=OFFICE,
                    component=ItemComponent(str(component)),
                    due_on=case.opened_on,
                    balance=balance,
                    office_own=True,
                )
            )
    return items, by_id
