"""Allocation of a payment to open items — Tilgungsreihenfolge (§ 225 AO; §§ 366, 367 BGB).

One pure function, :func:`allocate_payment`, distributes a payment of one debtor over the open items of
his debtor file (the bundle across creditors) and explains every step in German. It is deterministic and
does not depend on the order of its input: the items are sorted by a total key first, so replaying the
ledger (e.g. after a payment was reversed) allocates every later payment exactly as before.

An **item** (:class:`OpenItem`) is one open component of one claim: its principal, a Säumniszuschlag (each
month's surcharge may be its own item), a fee, interest or costs. Each item carries the rule its claim
follows (:class:`AllocationRegime`).

Rules (see ../shared/LAW.md, "Allocation of payments"):

* **Voluntary payment with designation** (§ 225 Abs. 1 AO, § 366 Abs. 1 BGB): the debtor's designation
  (claim ids or Kassenzeichen named in the transfer) decides; the payment goes first to the items of the
  named claims (a Kassenzeichen names its whole claim, all components), among them in the order of their rule (below), not-yet-due items of named claims last.
  *Decided here:* a designation names claims, not components (§ 367 Abs. 2 BGB lets the creditor refuse a
  designation that puts the principal before costs and interest; the office does not model refusals). What
  exceeds the named claims is allocated like an undesignated payment — the debtor wanted to pay debts, and
  a refund of money owed elsewhere in the same file would only delay the collection.
* **Without designation, AO** (§ 225 Abs. 2 AO): "zunächst die Geldbußen, sodann nacheinander die
  Zwangsgelder, die Steuerabzugsbeträge, die übrigen Steuern, die Kosten, die Verspätungszuschläge, die
  Zinsen, die Verzögerungsgelder und die Säumniszuschläge". The classes are the **tiers** below (late-filing
  surcharges and Verzögerungsgelder are not modelled; their tiers stay empty). Principals of other
  public-law claims (``sonstige``) rank with the "übrigen Steuern"; fees and costs are both "Kosten" (§ 3
  Abs. 4 AO, § 337 Abs. 1 AO: Gebühren und Auslagen). Satz 2: within a class by due date; at the same due
  date and among Säumniszuschläge the authority decides — here by the stable key (claim id, item id).
  Items not yet due are not touched by an undesignated payment; the surplus stays unallocated (a credit
  of the debtor: refund or offset, § 37 Abs. 2, § 226 AO).
* **BGB** (``bgb``; by default also ``svwvg_sl`` — public-law claims without their own rule follow
  §§ 366, 367 BGB by analogy, a setting ``svwvg_sl_rule``; municipal taxes under a KAG that refers to the
  AO are passed as ``ao``): § 366 Abs. 2 BGB orders the debts — "zunächst die fällige Schuld, unter
  mehreren fälligen Schulden diejenige, welche dem Gläubiger geringere Sicherheit bietet, unter mehreren
  gleich sicheren die dem Schuldner lästigere, unter mehreren gleich lästigen die ältere Schuld und bei
  gleichem Alter jede Schuld verhältnismäßig" (``secured``, ``burden``; the age is the earliest due date
  of the debt's open items); § 367 Abs. 1 BGB orders within one debt: costs (costs and fees), then
  interest (interest and, by their interest-like character, surcharges), then the principal. A BGB debt
  is one **unit** in the tier of the principal claims (tier 3); debts not yet due come last (tier 9).
* **Proceeds of enforcement** (§ 225 Abs. 3 AO: the authority decides; LAW.md default): the office's own
  costs (``office_own``) first, oldest first; then the order above. A designation does not count, and only
  due items are paid (enforcement presupposes a due claim, § 254 Abs. 1 AO).
* **Across creditors** (LAW.md: a setting of the office): the tiers apply across the whole debtor file;
  within a tier each creditor keeps its legal order, and the creditors' queues are merged
  ``oldest_due_first`` (the creditor whose next debt is due earliest goes first; ties by creditor id) or
  served ``pro_rata`` (the tier's money is split over the creditors in proportion to their open amounts in
  that tier, largest remainder, :meth:`Cents.allocate`, then each creditor's share runs down its queue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from kofo.law.deadlines import format_date
from kofo.money import ZERO, Cents, total


class Component(StrEnum):
    """Components of a claim (the ledger's names): principal and ancillary amounts."""

    PRINCIPAL = "principal"
    SURCHARGE = "surcharge"
    FEE = "fee"
    INTEREST = "interest"
    COST = "cost"

    @property
    def label_de(self) -> str:
        """German name of the component for explanations."""
        return _COMPONENT_LABELS[self]


_COMPONENT_LABELS: Mapping[Component, str] = MappingProxyType(
    {
        Component.PRINCIPAL: "Hauptforderung",
        Component.SURCHARGE: "Säumniszuschlag",
        Component.FEE: "Gebühr",
        Component.INTEREST: "Zinsen",
        Component.COST: "Kosten",
    }
)


class ClaimClass(StrEnum):
    """Kind of the claim, for the classes of § 225 Abs. 2 Satz 1 AO."""

    BUSSGELD = "bussgeld"
    ZWANGSGELD = "zwangsgeld"
    STEUERABZUG = "steuerabzug"
    STEUER = "steuer"
    SONSTIGE = "sonstige"


class AllocationRegime(StrEnum):
    """The legal regime of the claim an item belongs to."""

    AO = "ao"
    BGB = "bgb"
    SVWVG_SL = "svwvg_sl"


class AllocationRule(StrEnum):
    """The order a regime's claims follow: § 225 AO or §§ 366, 367 BGB."""

    AO = "ao"
    BGB = "bgb"


class PaymentKind(StrEnum):
    """A voluntary payment (the debtor's designation counts) or proceeds of enforcement (§ 225 Abs. 3 AO)."""

    FREIWILLIG = "freiwillig"
    VOLLSTRECKUNG = "vollstreckung"


class CreditorPolicy(StrEnum):
    """How one payment is shared across creditors within a tier (LAW.md: a setting of the office)."""

    OLDEST_DUE_FIRST = "oldest_due_first"
    PRO_RATA = "pro_rata"


#: The tiers of the general rule, in order (§ 225 Abs. 2 Satz 1 AO; BGB debts in tier 3; undue last).
TIER_BUSSGELD: Final = 0
TIER_ZWANGSGELD: Final = 1
TIER_STEUERABZUG: Final = 2
TIER_HAUPTFORDERUNG: Final = 3
TIER_KOSTEN: Final = 4
TIER_VERSPAETUNGSZUSCHLAG: Final = 5  # not modelled, stays empty
TIER_ZINSEN: Final = 6
TIER_VERZOEGERUNGSGELD: Final = 7  # not modelled, stays empty
TIER_SAEUMNISZUSCHLAG: Final = 8
TIER_NICHT_FAELLIG: Final = 9

TIER_LABELS: Mapping[int, str] = MappingProxyType(
    {
        TIER_BUSSGELD: "Geldbußen",
        TIER_ZWANGSGELD: "Zwangsgelder",
        TIER_STEUERABZUG: "Steuerabzugsbeträge",
        TIER_HAUPTFORDERUNG: "übrige Steuern und sonstige Hauptforderungen",
        TIER_KOSTEN: "Kosten",
        TIER_VERSPAETUNGSZUSCHLAG: "Verspätungszuschläge",
        TIER_ZINSEN: "Zinsen",
        TIER_VERZOEGERUNGSGELD: "Verzögerungsgelder",
        TIER_SAEUMNISZUSCHLAG: "Säumniszuschläge",
        TIER_NICHT_FAELLIG: "noch nicht fällige Beträge",
    }
)

_PRINCIPAL_TIERS: Mapping[ClaimClass, int] = MappingProxyType(
    {
        ClaimClass.BUSSGELD: TIER_BUSSGELD,
        ClaimClass.ZWANGSGELD: TIER_ZWANGSGELD,
        ClaimClass.STEUERABZUG: TIER_STEUERABZUG,
        ClaimClass.STEUER: TIER_HAUPTFORDERUNG,
        ClaimClass.SONSTIGE: TIER_HAUPTFORDERUNG,
    }
)
_ANCILLARY_TIERS: Mapping[Component, int] = MappingProxyType(
    {
        Component.COST: TIER_KOSTEN,
        Component.FEE: TIER_KOSTEN,
        Component.INTEREST: TIER_ZINSEN,
        Component.SURCHARGE: TIER_SAEUMNISZUSCHLAG,
    }
)
#: § 367 Abs. 1 BGB: costs, then interest, then the principal.
_BGB_COMPONENT_ORDER: Mapping[Component, int] = MappingProxyType(
    {
        Component.COST: 0,
        Component.FEE: 0,
        Component.INTEREST: 1,
        Component.SURCHARGE: 1,
        Component.PRINCIPAL: 2,
    }
)
_RULE_ORDER: Mapping[AllocationRule, int] = MappingProxyType({AllocationRule.AO: 0, AllocationRule.BGB: 1})

AO_CITATION: Final = "§ 225 Abs. 2 AO"
BGB_CITATION: Final = "§§ 366 Abs. 2, 367 Abs. 1 BGB"
DESIGNATION_CITATION: Final = "§ 225 Abs. 1 AO, § 366 Abs. 1 BGB"
ENFORCEMENT_CITATION: Final = "§ 225 Abs. 3 AO"


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One open component of one claim.

    ``office_own``: fees or costs of the enforcing office itself (they belong to the office, not to the
    creditor). ``secured`` and ``burden`` matter only under §§ 366 BGB: a debt that gives the creditor
    security is paid after one that does not; a higher ``burden`` (more onerous for the debtor, e.g.
    interest-bearing or titled) before a lower one. ``kassenzeichen`` lets a designation name the claim by
    the reference printed on the payment.
    """

    item_id: str
    claim_id: str
    partner_id: str
    component: Component
    due_on: date
    balance: Cents
    claim_class: ClaimClass = ClaimClass.SONSTIGE
    regime: AllocationRegime = AllocationRegime.AO
    office_own: bool = False
    kassenzeichen: str = ""
    secured: bool = False
    burden: int = 0

    def __post_init__(self) -> None:
        # Accept the plain strings of the ledger and the API; keep enums inside.
        object.__setattr__(self, "component", Component(self.component))
        object.__setattr__(self, "claim_class", ClaimClass(self.claim_class))
        object.__setattr__(self, "regime", AllocationRegime(self.regime))
        if not self.item_id:
            raise ValueError("Ein offener Posten braucht eine Kennung (item_id).")
        if not isinstance(self.balance, Cents):
            raise TypeError(f"Der offene Betrag muss Cents sein, nicht {type(self.balance).__name__}.")
        if self.balance < 0:
            raise ValueError(f"Der offene Betrag von {self.item_id} darf nicht negativ sein: {self.balance}.")


@dataclass(frozen=True, slots=True)
class Allocation:
    """An amount of the payment put on one item."""

    item_id: str
    amount: Cents


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """Where the payment went, what is left over, and the derivation in German.

    ``allocations`` are in the order they were made, one per item, none of zero;
    ``allocated + leftover`` is the payment.
    """

    allocations: tuple[Allocation, ...]
    leftover: Cents
    steps: tuple[str, ...]

    @property
    def allocated(self) -> Cents:
        """Sum of the allocations."""
        return total(allocation.amount for allocation in self.allocations)

    def amount_for(self, item_id: str) -> Cents:
        """What the payment put on ``item_id`` (zero if nothing)."""
        return total(a.amount for a in self.allocations if a.item_id == item_id)


def rule_for(
    regime: AllocationRegime | str, *, svwvg_sl_rule: AllocationRule | str = AllocationRule.BGB
) -> AllocationRule:
    """The order a regime follows: ``ao`` → § 225 AO, ``bgb`` → §§ 366, 367 BGB, ``svwvg_sl`` → the setting
    ``svwvg_sl_rule`` (default §§ 366, 367 BGB by analogy: the SVwVG has no order of its own)."""
    match AllocationRegime(regime):
        case AllocationRegime.AO:
            return AllocationRule.AO
        case AllocationRegime.BGB:
            return AllocationRule.BGB
        case AllocationRegime.SVWVG_SL:
            return AllocationRule(svwvg_sl_rule)


def ao_tier(item: OpenItem) -> int:
    """The class of § 225 Abs. 2 Satz 1 AO an item belongs to (see ``TIER_LABELS``)."""
    if item.component is Component.PRINCIPAL:
        return _PRINCIPAL_TIERS[item.claim_class]
    return _ANCILLARY_TIERS[item.component]


# --- the machinery --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Unit:
    """Items paid together: one AO item, or one BGB debt's items in the order of § 367 Abs. 1 BGB."""

    partner_id: str
    tier: int
    key: tuple[int, int, int, date, int, str, str]
    group: tuple[object, ...] | None  # units of one creditor with the same group are paid pro rata
    items: tuple[OpenItem, ...]
    rule: AllocationRule

    @property
    def due_on(self) -> date:
        return self.key[3]


class _Book:
    """Remaining balances, the allocations made and the derivation."""

    def __init__(self, items: Sequence[OpenItem]) -> None:
        self.remaining: dict[str, Cents] = {item.item_id: item.balance for item in items}
        self.paid: dict[str, Cents] = {}
        self.steps: list[str] = []

    def open_of(self, unit: _Unit) -> Cents:
        return total(self.remaining[item.item_id] for item in unit.items)

    def pay_item(self, item: OpenItem, amount: Cents, reason: str) -> Cents:
        """Put up to ``amount`` on ``item``; return what is left of ``amount``."""
        share = min(amount, self.remaining[item.item_id])
        if share <= 0:
            return amount
        self.remaining[item.item_id] = self.remaining[item.item_id] - share
        self.paid[item.item_id] = self.paid.get(item.item_id, ZERO) + share
        reference = (
            f"Kassenzeichen {item.kassenzeichen}" if item.kassenzeichen else f"Forderung {item.claim_id}"
        )
        settled = (
            "getilgt"
            if self.remaining[item.item_id] == 0
            else f"offen bleiben {self.remaining[item.item_id]}"
        )
        self.steps.append(
            f"{share} auf {item.component.label_de} ({reference}, Gläubiger {item.partner_id}, fällig "
            f"{format_date(item.due_on)}; {settled}): {reason}."
        )
        return amount - share

    def pay_unit(self, unit: _Unit, amount: Cents, reason: str) -> Cents:
        for item in unit.items:
            if amount <= 0:
                break
            amount = self.pay_item(item, amount, reason)
        return amount

    def pay_group(self, group: Sequence[_Unit], amount: Cents, reason: str) -> Cents:
        """Pay the units of one group; if the amount does not cover them, pro rata (§ 366 Abs. 2 BGB)."""
        opens = [self.open_of(unit) for unit in group]
        group_open = total(opens)
        if group_open <= 0 or amount <= 0:
            return amount
        if amount >= group_open or len(group) == 1:
            for unit in group:
                amount = self.pay_unit(unit, amount, reason)
            return amount
        self.steps.append(
            f"{amount} reichen für die gleichrangigen Schulden ({group_open}) nicht aus: verhältnismäßige "
            "Tilgung (§ 366 Abs. 2 BGB)."
        )
        for unit, share in zip(group, amount.allocate(opens), strict=True):
            self.pay_unit(unit, share, reason)
        return ZERO


def _reason(unit: _Unit, stage: str) -> str:
    if stage == "designation":
        return f"Tilgungsbestimmung des Schuldners ({DESIGNATION_CITATION})"
    if unit.tier == TIER_NICHT_FAELLIG:
        return (
            "noch nicht fällig, nach allen fälligen Beträgen (§ 366 Abs. 2 BGB: zunächst die fällige Schuld)"
        )
    if unit.rule is AllocationRule.BGB:
        return f"{BGB_CITATION}: Kosten, dann Zinsen, dann Hauptforderung"
    return f"{AO_CITATION}: {TIER_LABELS[unit.tier]}"


def _units(items: Iterable[OpenItem], *, paid_on: date, svwvg_sl_rule: AllocationRule) -> list[_Unit]:
    """Build the units: each AO item alone; each BGB debt (claim, due or not) as one unit."""
    units: list[_Unit] = []
    debts: dict[tuple[str, str, bool], list[OpenItem]] = {}
    for item in items:
        rule = rule_for(item.regime, svwvg_sl_rule=svwvg_sl_rule)
        is_due = item.due_on <= paid_on
        if rule is AllocationRule.AO:
            rank = ao_tier(item)
            units.append(
                _Unit(
                    partner_id=item.partner_id,
                    tier=rank if is_due else TIER_NICHT_FAELLIG,
                    key=(rank, 0, 0, item.due_on, _RULE_ORDER[rule], item.claim_id, item.item_id),
                    group=None,
                    items=(item,),
                    rule=rule,
                )
            )
        else:
            debts.setdefault((item.partner_id, item.claim_id, is_due), []).append(item)
    for (partner_id, claim_id, is_due), debt_items in sorted(debts.items()):
        ordered = tuple(
            sorted(debt_items, key=lambda i: (_BGB_COMPONENT_ORDER[i.component], i.due_on, i.item_id))
        )
        secured = int(any(i.secured for i in ordered))
        burden = max(i.burden for i in ordered)
        age = min(i.due_on for i in ordered)
        rank = TIER_HAUPTFORDERUNG
        units.append(
            _Unit(
                partner_id=partner_id,
                tier=rank if is_due else TIER_NICHT_FAELLIG,
                key=(
                    rank,
                    secured,
                    -burden,
                    age,
                    _RULE_ORDER[AllocationRule.BGB],
                    claim_id,
                    ordered[0].item_id,
                ),
                group=("bgb", rank, secured, -burden, age),
                items=ordered,
                rule=AllocationRule.BGB,
            )
        )
    return units


def _queue(units: Sequence[_Unit]) -> list[list[_Unit]]:
    """One creditor's units of one tier in legal order, tied BGB debts grouped for pro rata payment."""
    queue: list[list[_Unit]] = []
    for unit in sorted(units, key=lambda u: u.key):
        if queue and unit.group is not None and queue[-1][-1].group == unit.group:
            queue[-1].append(unit)
        else:
            queue.append([unit])
    return queue


def _run(book: _Book, units: Sequence[_Unit], amount: Cents, *, policy: CreditorPolicy, stage: str) -> Cents:
    """Pay ``units`` tier by tier, across creditors by ``policy``; return what is left of ``amount``."""
    for tier in sorted({unit.tier for unit in units}):
        if amount <= 0:
            break
        by_partner: dict[str, list[_Unit]] = {}
        for unit in units:
            if unit.tier == tier and book.open_of(unit) > 0:
                by_partner.setdefault(unit.partner_id, []).append(unit)
        if not by_partner:
            continue
        queues = {partner: _queue(partner_units) for partner, partner_units in sorted(by_partner.items())}
        if policy is CreditorPolicy.PRO_RATA and len(queues) > 1:
            opens = {
                partner: total(book.open_of(u) for g in queue for u in g) for partner, queue in queues.items()
            }
            tier_open = total(opens.values())
            if amount < tier_open:
                shares = amount.allocate(list(opens.values()))
                split_text = ", ".join(f"{p}: {s}" for p, s in zip(opens, shares, strict=True))
                book.steps.append(
                    f"{TIER_LABELS[tier]}: {amount} reichen für die offenen {tier_open} nicht aus; Aufteilung auf "
                    f"die Gläubiger nach ihren offenen Beträgen ({split_text}; Einstellung der Behörde: anteilig)."
                )
                for (_partner, queue), share in zip(queues.items(), shares, strict=True):
                    for group in queue:
                        share = book.pay_group(group, share, _reason(group[0], stage))
                amount = ZERO
                continue
        # Oldest due first: merge the creditors' queues by the due date of their next debt.
        heads = dict.fromkeys(queues, 0)
        while amount > 0:
            candidates = [
                (min(u.due_on for u in queues[partner][index]), partner)
                for partner, index in heads.items()
                if index < len(queues[partner])
            ]
            if not candidates:
                break
            _, partner = min(candidates)
            group = queues[partner][heads[partner]]
            heads[partner] += 1
            amount = book.pay_group(group, amount, _reason(group[0], stage))
    return amount


# --- the rule -------------------------------------------------------------------------------------------


def allocate_payment(
    items: Iterable[OpenItem],
    amount: Cents,
    *,
    paid_on: date,
    kind: PaymentKind | str = PaymentKind.FREIWILLIG,
    designation: Iterable[str] = (),
    policy: CreditorPolicy | str = CreditorPolicy.OLDEST_DUE_FIRST,
    svwvg_sl_rule: AllocationRule | str = AllocationRule.BGB,
) -> AllocationResult:
    """Allocate ``amount`` received on ``paid_on`` to the open ``items`` (§ 225 AO; §§ 366, 367 BGB; the
    rules and the decided readings are those of the module docstring).

    * ``kind``: ``freiwillig`` (voluntary; ``designation`` counts, § 225 Abs. 1 AO, § 366 Abs. 1 BGB) or
      ``vollstreckung`` (proceeds of enforcement: the office's own costs first, then the general order;
      § 225 Abs. 3 AO, LAW.md).
    * ``designation``: claim ids or Kassenzeichen the debtor named; ignored for proceeds of enforcement.
    * ``policy``: across creditors within a tier, ``oldest_due_first`` (default) or ``pro_rata``.
    * ``svwvg_sl_rule``: the order for ``svwvg_sl`` claims (default §§ 366, 367 BGB).

    Items with a zero balance are ignored; item ids must be unique. What cannot be allocated is
    ``leftover`` (an overpayment, or money for items that are not yet due and were not named).
    """
    if not isinstance(amount, Cents):
        raise TypeError(f"Der Zahlbetrag muss Cents sein, nicht {type(amount).__name__}.")
    if amount < 0:
        raise ValueError(f"Der Zahlbetrag darf nicht negativ sein, nicht {amount}.")
    payment_kind = PaymentKind(kind)
    creditor_policy = CreditorPolicy(policy)
    svwvg_rule = AllocationRule(svwvg_sl_rule)
    ordered = sorted(items, key=lambda item: item.item_id)
    for first, second in pairwise(ordered):
        if first.item_id == second.item_id:
            raise ValueError(f"Der offene Posten {first.item_id} ist doppelt angegeben.")
    named = frozenset(name for name in designation if name)
    book = _Book(ordered)
    open_items = [item for item in ordered if item.balance > 0]

    voluntary = payment_kind is PaymentKind.FREIWILLIG
    book.steps.append(
        f"Zahlung von {amount} am {format_date(paid_on)}: "
        + ("freiwillige Zahlung." if voluntary else f"Erlös aus der Vollstreckung ({ENFORCEMENT_CITATION}).")
    )
    if amount == 0:
        book.steps.append("Nichts zu verrechnen.")
        return AllocationResult((), ZERO, tuple(book.steps))
    policy_text = (
        "die Gläubiger werden nach der Fälligkeit ihrer ältesten Schuld bedient"
        if creditor_policy is CreditorPolicy.OLDEST_DUE_FIRST
        else "reicht der Betrag in einer Rangstufe nicht, wird er anteilig nach offenen Beträgen aufgeteilt"
    )
    if len({i.partner_id for i in open_items}) > 1:
        book.steps.append(f"Mehrere Gläubiger: {policy_text} (Einstellung der Behörde).")
    left = amount

    if not voluntary:
        if named:
            book.steps.append(
                "Eine Tilgungsbestimmung des Schuldners gilt für Vollstreckungserlöse nicht; die "
                f"Vollstreckungsbehörde bestimmt die Reihenfolge ({ENFORCEMENT_CITATION})."
            )
        own = sorted(
            (i for i in open_items if i.office_own and i.due_on <= paid_on),
            key=lambda i: (i.due_on, i.claim_id, i.item_id),
        )
        for item in own:
            if left <= 0:
                break
            left = book.pay_item(
                item, left, f"eigene Kosten der Vollstreckungsbehörde zuerst ({ENFORCEMENT_CITATION}, LAW.md)"
            )
    elif named:
        # A Kassenzeichen names its whole claim, with all its components.
        named_claims = {
            i.claim_id
            for i in open_items
            if i.claim_id in named or (i.kassenzeichen and i.kassenzeichen in named)
        }
        designated = [i for i in open_items if i.claim_id in named_claims]
        names = ", ".join(sorted(named))
        if designated:
            book.steps.append(f"Tilgungsbestimmung des Schuldners: {names} ({DESIGNATION_CITATION}).")
            # Named claims may be paid before they are due (§ 271 Abs. 2 BGB; § 224 AO): tier 9 last.
            units = _units(designated, paid_on=paid_on, svwvg_sl_rule=svwvg_rule)
            left = _run(book, units, left, policy=creditor_policy, stage="designation")
            if left > 0:
                book.steps.append(
                    f"Die bestimmten Forderungen sind getilgt; der Rest von {left} wird nach der gesetzlichen "
                    "Reihenfolge verrechnet."
                )
        else:
            book.steps.append(
                f"Die Tilgungsbestimmung ({names}) trifft keine offene Forderung; es gilt die gesetzliche "
                "Reihenfolge."
            )

    if left > 0:
        remaining = [i for i in open_items if book.remaining[i.item_id] > 0]
        eligible: list[OpenItem] = []
        skipped: list[OpenItem] = []
        for item in remaining:
            not_due = item.due_on > paid_on
            excluded = not_due and (
                not voluntary or rule_for(item.regime, svwvg_sl_rule=svwvg_rule) is AllocationRule.AO
            )
            (skipped if excluded else eligible).append(item)
        units = _units(eligible, paid_on=paid_on, svwvg_sl_rule=svwvg_rule)
        left = _run(book, units, left, policy=creditor_policy, stage="general")
        if skipped and left > 0:
            why = (
                "Vollstreckungserlöse tilgen nur fällige Forderungen (§ 254 Abs. 1 AO)"
                if not voluntary
                else "ohne Tilgungsbestimmung werden nach § 225 Abs. 2 AO nur fällige Schulden getilgt"
            )
            listed = ", ".join(i.item_id for i in skipped)
            book.steps.append(f"Nicht fällig und daher nicht getilgt: {listed} ({why}).")

    if left > 0:
        book.steps.append(
            f"Nicht verrechnet: {left} bleiben als Guthaben des Schuldners (Erstattung oder Umbuchung, "
            "§ 37 Abs. 2, § 226 AO)."
        )
    allocations = tuple(Allocation(item_id, paid) for item_id, paid in book.paid.items())
    book.steps.append(f"Ergebnis: verrechnet {amount - left}, nicht verrechnet {left}.")
    return AllocationResult(allocations, left, tuple(book.steps))
