"""kofo.law.allocation: order of payment allocation (§ 225 AO; §§ 366, 367 BGB).

Every row names the rule that decides its expected split. The wording the rows rest on:

* § 225 Abs. 2 Satz 1 AO: "zunächst die Geldbußen, sodann nacheinander die Zwangsgelder, die
  Steuerabzugsbeträge, die übrigen Steuern, die Kosten, die Verspätungszuschläge, die Zinsen, die
  Verzögerungsgelder und die Säumniszuschläge"; Satz 2: within a class by due date.
* § 225 Abs. 1 AO, § 366 Abs. 1 BGB: the debtor's designation; § 225 Abs. 3 AO: proceeds of enforcement.
* § 366 Abs. 2 BGB: due, less secured, more burdensome, older, then pro rata; § 367 Abs. 1 BGB: costs,
  interest, principal.
* LAW.md: proceeds of enforcement — the office's own costs first; across creditors oldest due first or
  pro rata (a setting of the office).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kofo.law.allocation import (
    AllocationRegime,
    ClaimClass,
    Component,
    CreditorPolicy,
    OpenItem,
    PaymentKind,
    allocate_payment,
    ao_tier,
    rule_for,
)
from kofo.money import Cents

D = date.fromisoformat
EUR = Cents.parse
PAID_ON = D("2025-06-02")


def item(
    item_id: str,
    claim_id: str,
    component: str,
    due_on: str,
    euros: str,
    *,
    partner: str = "P1",
    **options: Any,
) -> OpenItem:
    return OpenItem(
        item_id=item_id,
        claim_id=claim_id,
        partner_id=partner,
        component=Component(component),
        due_on=D(due_on),
        balance=EUR(euros),
        **options,
    )


TAX = {"claim_class": ClaimClass.STEUER}
BGB = {"regime": AllocationRegime.BGB}

ALLOCATION_CASES = [
    # --- § 225 Abs. 2 AO ----------------------------------------------------------------------------------
    pytest.param(
        [
            item("s", "K1", "surcharge", "2025-02-11", "3.00", **TAX),
            item("i", "K1", "interest", "2025-01-20", "5.00", **TAX),
            item("c", "K1", "cost", "2025-03-01", "10.00", **TAX),
            item("p", "K1", "principal", "2025-01-10", "100.00", **TAX),
        ],
        "112.00",
        {},
        {"p": "100.00", "c": "10.00", "i": "2.00"},
        "0.00",
        "§ 225 Abs. 2 Satz 1 AO: übrige Steuern → Kosten → Zinsen → Säumniszuschläge",
        id="ao-components",
    ),
    pytest.param(
        [
            item("tax", "K4", "principal", "2024-01-10", "100.00", **TAX),
            item("abzug", "K3", "principal", "2025-01-10", "40.00", claim_class=ClaimClass.STEUERABZUG),
            item("zwang", "K2", "principal", "2025-02-10", "30.00", claim_class=ClaimClass.ZWANGSGELD),
            item("busse", "K1", "principal", "2025-05-10", "50.00", claim_class=ClaimClass.BUSSGELD),
        ],
        "100.00",
        {},
        {"busse": "50.00", "zwang": "30.00", "abzug": "20.00"},
        "0.00",
        "§ 225 Abs. 2 Satz 1 AO: Geldbußen → Zwangsgelder → Steuerabzugsbeträge → übrige Steuern, "
        "regardless of the due dates",
        id="ao-classes",
    ),
    pytest.param(
        [
            item("new", "K1", "principal", "2024-01-10", "50.00", **TAX),
            item("old", "K2", "principal", "2023-05-10", "50.00", **TAX),
        ],
        "60.00",
        {},
        {"old": "50.00", "new": "10.00"},
        "0.00",
        "§ 225 Abs. 2 Satz 2 AO: within a class by due date",
        id="ao-by-due-date",
    ),
    pytest.param(
        [
            item("s-old", "K1", "surcharge", "2023-06-11", "20.00", **TAX),
            item("p-new", "K2", "principal", "2024-11-10", "30.00", **TAX),
        ],
        "30.00",
        {},
        {"p-new": "30.00"},
        "0.00",
        "§ 225 Abs. 2 Satz 1 AO: Säumniszuschläge last, even when older than another claim's tax",
        id="ao-surcharge-last",
    ),
    pytest.param(
        [
            item("fee", "K1", "fee", "2025-01-20", "2.80"),
            item("cost", "K1", "cost", "2025-01-10", "28.60"),
            item("p", "K1", "principal", "2025-01-01", "10.00"),
        ],
        "20.00",
        {},
        {"p": "10.00", "cost": "10.00"},
        "0.00",
        "§ 225 Abs. 2 AO: fees and costs are both Kosten (§ 337 Abs. 1 AO), among them by due date",
        id="ao-fees-are-costs",
    ),
    pytest.param(
        [
            item("due", "K1", "principal", "2025-05-01", "30.00", **TAX),
            item("later", "K2", "principal", "2025-07-01", "50.00", **TAX),
        ],
        "50.00",
        {},
        {"due": "30.00"},
        "20.00",
        "§ 225 Abs. 2 AO: without designation only due debts are paid; the rest is a credit (§ 37 Abs. 2 AO)",
        id="ao-undue-not-paid",
    ),
    # --- designation (§ 225 Abs. 1 AO, § 366 Abs. 1 BGB) -------------------------------------------------
    pytest.param(
        [
            item("old", "K1", "principal", "2024-01-10", "50.00", **TAX),
            item("named-s", "K2", "surcharge", "2025-03-11", "5.00", **TAX),
            item("named", "K2", "principal", "2025-02-10", "40.00", **TAX),
        ],
        "60.00",
        {"designation": ["K2"]},
        {"named": "40.00", "named-s": "5.00", "old": "15.00"},
        "0.00",
        "§ 225 Abs. 1 AO: the named claim first (its tax before its surcharge, § 225 Abs. 2); the rest by the "
        "general rule (decided reading)",
        id="designation-claim",
    ),
    pytest.param(
        [
            item("old", "K1", "principal", "2024-01-10", "50.00", kassenzeichen="111.222"),
            item("named", "K2", "principal", "2025-02-10", "40.00", kassenzeichen="333.444"),
        ],
        "30.00",
        {"designation": ["333.444"]},
        {"named": "30.00"},
        "0.00",
        "§ 225 Abs. 1 AO: the Kassenzeichen in the transfer names the claim",
        id="designation-kassenzeichen",
    ),
    pytest.param(
        [
            item("old", "K1", "principal", "2024-01-10", "50.00", kassenzeichen="111.222", **TAX),
            item("named-s", "K2", "surcharge", "2025-03-11", "5.00", **TAX),
            item("named", "K2", "principal", "2025-02-10", "40.00", kassenzeichen="333.444", **TAX),
        ],
        "50.00",
        {"designation": ["333.444"]},
        {"named": "40.00", "named-s": "5.00", "old": "5.00"},
        "0.00",
        "§ 225 Abs. 1 AO: a Kassenzeichen names its whole claim, surcharges included",
        id="designation-kassenzeichen-whole-claim",
    ),
    pytest.param(
        [
            item("due", "K1", "principal", "2025-05-01", "30.00", **TAX),
            item("later", "K2", "principal", "2025-07-01", "50.00", **TAX),
        ],
        "50.00",
        {"designation": ["K2"]},
        {"later": "50.00"},
        "0.00",
        "§ 225 Abs. 1 AO: a named claim may be paid before it is due",
        id="designation-undue",
    ),
    pytest.param(
        [item("p", "K1", "principal", "2025-05-01", "30.00", **TAX)],
        "10.00",
        {"designation": ["K9"]},
        {"p": "10.00"},
        "0.00",
        "§ 225 Abs. 2 AO: a designation that names no open claim → the general rule",
        id="designation-unknown",
    ),
    # --- proceeds of enforcement (§ 225 Abs. 3 AO, LAW.md) ------------------------------------------------
    pytest.param(
        [
            item("p", "K1", "principal", "2024-01-10", "100.00", **TAX),
            item("own", "K1", "cost", "2025-04-01", "28.60", office_own=True),
            item("named", "K2", "principal", "2025-02-10", "40.00", **TAX),
        ],
        "50.00",
        {"kind": PaymentKind.VOLLSTRECKUNG, "designation": ["K2"]},
        {"own": "28.60", "p": "21.40"},
        "0.00",
        "§ 225 Abs. 3 AO, LAW.md: the office's own costs first, then § 225 Abs. 2; no designation",
        id="enforcement-own-costs-first",
    ),
    pytest.param(
        [
            item("due", "K1", "principal", "2025-05-01", "30.00", **BGB),
            item("later", "K2", "principal", "2025-07-01", "50.00", **BGB),
        ],
        "50.00",
        {"kind": "vollstreckung"},
        {"due": "30.00"},
        "20.00",
        "§ 254 Abs. 1 AO: enforcement only for due claims; not even § 366 BGB lets the proceeds pay undue debts",
        id="enforcement-only-due",
    ),
    # --- §§ 366, 367 BGB -------------------------------------------------------------------------------------
    pytest.param(
        [
            item("p", "K1", "principal", "2025-01-10", "100.00", **BGB),
            item("i", "K1", "interest", "2025-03-01", "20.00", **BGB),
            item("c", "K1", "cost", "2025-04-01", "10.00", **BGB),
        ],
        "25.00",
        {},
        {"c": "10.00", "i": "15.00"},
        "0.00",
        "§ 367 Abs. 1 BGB: costs → interest → principal",
        id="bgb-367",
    ),
    pytest.param(
        [
            item("new-p", "K2", "principal", "2025-02-10", "40.00", **BGB),
            item("old-c", "K1", "cost", "2025-03-01", "5.00", **BGB),
            item("old-p", "K1", "principal", "2024-02-10", "40.00", **BGB),
        ],
        "50.00",
        {},
        {"old-c": "5.00", "old-p": "40.00", "new-p": "5.00"},
        "0.00",
        "§ 366 Abs. 2 BGB: the older debt first, inside it § 367 Abs. 1 BGB",
        id="bgb-366-older",
    ),
    pytest.param(
        [
            item("secured", "K1", "principal", "2024-01-10", "40.00", secured=True, **BGB),
            item("plain", "K2", "principal", "2025-01-10", "40.00", **BGB),
        ],
        "40.00",
        {},
        {"plain": "40.00"},
        "0.00",
        "§ 366 Abs. 2 BGB: the debt that gives the creditor less security first, before age",
        id="bgb-366-less-secured",
    ),
    pytest.param(
        [
            item("mild", "K1", "principal", "2024-01-10", "40.00", **BGB),
            item("onerous", "K2", "principal", "2025-01-10", "40.00", burden=1, **BGB),
        ],
        "40.00",
        {},
        {"onerous": "40.00"},
        "0.00",
        "§ 366 Abs. 2 BGB: the more burdensome debt before the older one",
        id="bgb-366-burdensome",
    ),
    pytest.param(
        [
            item("a", "K1", "principal", "2025-01-10", "100.00", **BGB),
            item("b", "K2", "principal", "2025-01-10", "300.00", **BGB),
        ],
        "100.00",
        {},
        {"a": "25.00", "b": "75.00"},
        "0.00",
        "§ 366 Abs. 2 BGB: equal age → each debt pro rata (100 : 300)",
        id="bgb-366-pro-rata",
    ),
    pytest.param(
        [
            item("a", "K1", "principal", "2025-01-10", "1.00", **BGB),
            item("b", "K2", "principal", "2025-01-10", "1.00", **BGB),
            item("c", "K3", "principal", "2025-01-10", "1.00", **BGB),
        ],
        "0.02",
        {},
        {"a": "0.01", "b": "0.01"},
        "0.00",
        "§ 366 Abs. 2 BGB pro rata, largest remainder; the tie goes to the first debt by claim id",
        id="bgb-366-pro-rata-cent",
    ),
    pytest.param(
        [
            item("later", "K2", "principal", "2025-07-01", "50.00", **BGB),
            item("due", "K1", "principal", "2025-05-01", "30.00", **BGB),
        ],
        "50.00",
        {},
        {"due": "30.00", "later": "20.00"},
        "0.00",
        "§ 366 Abs. 2 BGB: zunächst die fällige Schuld, then the debt not yet due (§ 271 Abs. 2 BGB)",
        id="bgb-due-first",
    ),
    pytest.param(
        [
            item("p", "K1", "principal", "2025-01-10", "100.00", regime="svwvg_sl"),
            item("c", "K1", "cost", "2025-04-01", "10.00", regime="svwvg_sl"),
        ],
        "10.00",
        {},
        {"c": "10.00"},
        "0.00",
        "svwvg_sl follows §§ 366, 367 BGB by default: costs first",
        id="svwvg-default-bgb",
    ),
    pytest.param(
        [
            item("p", "K1", "principal", "2025-01-10", "100.00", regime="svwvg_sl"),
            item("c", "K1", "cost", "2025-04-01", "10.00", regime="svwvg_sl"),
        ],
        "10.00",
        {"svwvg_sl_rule": "ao"},
        {"p": "10.00"},
        "0.00",
        "svwvg_sl set to § 225 AO (e.g. a KAG that refers to the AO): principal first",
        id="svwvg-set-to-ao",
    ),
    # --- across creditors (LAW.md) ---------------------------------------------------------------------------
    pytest.param(
        [
            item("p1", "K1", "principal", "2024-03-10", "100.00", partner="P1"),
            item("p2", "K2", "principal", "2023-11-10", "100.00", partner="P2"),
        ],
        "150.00",
        {},
        {"p2": "100.00", "p1": "50.00"},
        "0.00",
        "LAW.md default: across creditors the oldest due date first",
        id="creditors-oldest-first",
    ),
    pytest.param(
        [
            item("p1", "K1", "principal", "2024-03-10", "100.00", partner="P1"),
            item("p2", "K2", "principal", "2023-11-10", "300.00", partner="P2"),
        ],
        "200.00",
        {"policy": CreditorPolicy.PRO_RATA},
        {"p1": "50.00", "p2": "150.00"},
        "0.00",
        "LAW.md alternative: pro rata by open balance (100 : 300)",
        id="creditors-pro-rata",
    ),
    pytest.param(
        [
            item("p1", "K1", "principal", "2024-03-10", "100.00", partner="P1"),
            item("s1", "K1", "surcharge", "2024-04-11", "10.00", partner="P1"),
            item("p2", "K2", "principal", "2025-01-10", "100.00", partner="P2"),
        ],
        "205.00",
        {"policy": "pro_rata"},
        {"p1": "100.00", "p2": "100.00", "s1": "5.00"},
        "0.00",
        "§ 225 Abs. 2 AO across the file: every creditor's principal before any surcharge; pro rata per tier",
        id="creditors-tiers-first",
    ),
    pytest.param(
        [
            item("p1", "K1", "principal", "2024-03-10", "100.00", partner="P1"),
            item("s1", "K1", "surcharge", "2024-04-11", "10.00", partner="P1"),
            item("p2", "K2", "principal", "2025-01-10", "100.00", partner="P2"),
        ],
        "150.00",
        {},
        {"p1": "100.00", "p2": "50.00"},
        "0.00",
        "§ 225 Abs. 2 AO across the file with the default policy: P2's tax before P1's older surcharge",
        id="creditors-oldest-first-tiers",
    ),
    # --- edges -----------------------------------------------------------------------------------------------
    pytest.param(
        [item("p", "K1", "principal", "2025-01-10", "10.00")],
        "15.00",
        {},
        {"p": "10.00"},
        "5.00",
        "overpayment: what exceeds the open items is left over",
        id="overpayment",
    ),
    pytest.param(
        [item("p", "K1", "principal", "2025-01-10", "10.00")],
        "0.00",
        {},
        {},
        "0.00",
        "zero payment → nothing",
        id="zero-payment",
    ),
    pytest.param(
        [
            item("z", "K1", "principal", "2025-01-10", "0.00"),
            item("p", "K2", "principal", "2025-02-10", "5.00"),
        ],
        "5.00",
        {},
        {"p": "5.00"},
        "0.00",
        "a settled item (balance 0) takes nothing",
        id="zero-balance",
    ),
]


@pytest.mark.parametrize(("items", "payment", "options", "expected", "leftover", "source"), ALLOCATION_CASES)
def test_allocate_payment(
    items: list[OpenItem],
    payment: str,
    options: dict[str, Any],
    expected: dict[str, str],
    leftover: str,
    source: str,
) -> None:
    result = allocate_payment(items, EUR(payment), paid_on=PAID_ON, **options)
    assert {a.item_id: a.amount for a in result.allocations} == {k: EUR(v) for k, v in expected.items()}, (
        source
    )
    assert result.leftover == EUR(leftover), source
    assert result.allocated + result.leftover == EUR(payment)


def test_derivation_in_german() -> None:
    # § 225 Abs. 2 AO; the amounts in German form (Cents.format), the dates with format_date.
    items = [
        item("p", "K1", "principal", "2025-01-10", "100.00", kassenzeichen="111.222", **TAX),
        item("s", "K1", "surcharge", "2025-02-11", "1.00", kassenzeichen="111.222", **TAX),
    ]
    result = allocate_payment(items, EUR("105.00"), paid_on=PAID_ON)
    assert result.steps[0] == "Zahlung von 105,00 EUR am 02.06.2025: freiwillige Zahlung."
    assert (
        "100,00 EUR auf Hauptforderung (Kassenzeichen 111.222, Gläubiger P1, fällig 10.01.2025; getilgt): "
        "§ 225 Abs. 2 AO: übrige Steuern und sonstige Hauptforderungen."
    ) in result.steps
    assert any(step.startswith("1,00 EUR auf Säumniszuschlag") for step in result.steps)
    assert any(step.startswith("Nicht verrechnet: 4,00 EUR") for step in result.steps)
    assert result.steps[-1] == "Ergebnis: verrechnet 101,00 EUR, nicht verrechnet 4,00 EUR."


def test_enforcement_ignores_designation_and_says_so() -> None:
    # § 225 Abs. 3 AO.
    items = [item("p", "K1", "principal", "2025-01-10", "10.00")]
    result = allocate_payment(items, EUR("5.00"), paid_on=PAID_ON, kind="vollstreckung", designation=["K1"])
    assert any("§ 225 Abs. 3 AO" in step and "Tilgungsbestimmung" in step for step in result.steps)


def test_amount_for() -> None:
    items = [item("p", "K1", "principal", "2025-01-10", "10.00")]
    result = allocate_payment(items, EUR("4.00"), paid_on=PAID_ON)
    assert result.amount_for("p") == EUR("4.00")
    assert result.amount_for("other") == Cents(0)


AO_TIER_CASES = [
    pytest.param("principal", ClaimClass.BUSSGELD, 0, "§ 225 Abs. 2 AO: Geldbußen", id="bussgeld"),
    pytest.param("principal", ClaimClass.ZWANGSGELD, 1, "§ 225 Abs. 2 AO: Zwangsgelder", id="zwangsgeld"),
    pytest.param("principal", ClaimClass.STEUERABZUG, 2, "§ 225 Abs. 2 AO: Steuerabzug", id="abzug"),
    pytest.param("principal", ClaimClass.STEUER, 3, "§ 225 Abs. 2 AO: übrige Steuern", id="steuer"),
    pytest.param("principal", ClaimClass.SONSTIGE, 3, "other principal ranks with taxes", id="sonstige"),
    pytest.param("cost", ClaimClass.STEUER, 4, "§ 225 Abs. 2 AO: Kosten", id="cost"),
    pytest.param("fee", ClaimClass.STEUER, 4, "§ 337 Abs. 1 AO: fees are Kosten", id="fee"),
    pytest.param("interest", ClaimClass.STEUER, 6, "§ 225 Abs. 2 AO: Zinsen", id="interest"),
    pytest.param("surcharge", ClaimClass.STEUER, 8, "§ 225 Abs. 2 AO: Säumniszuschläge last", id="surcharge"),
]


@pytest.mark.parametrize(("component", "claim_class", "expected", "source"), AO_TIER_CASES)
def test_ao_tier(component: str, claim_class: ClaimClass, expected: int, source: str) -> None:
    assert ao_tier(item("x", "K", component, "2025-01-01", "1.00", claim_class=claim_class)) == expected, (
        source
    )


def test_rule_for_regimes() -> None:
    assert rule_for("ao") == "ao"
    assert rule_for("bgb") == "bgb"
    assert rule_for("svwvg_sl") == "bgb"
    assert rule_for("svwvg_sl", svwvg_sl_rule="ao") == "ao"


@pytest.mark.parametrize(
    ("items", "payment", "error"),
    [
        pytest.param([], Cents(-1), ValueError, id="negative-payment"),
        pytest.param([], 100, TypeError, id="int-payment"),
        pytest.param(
            [
                item("x", "K1", "principal", "2025-01-10", "1.00"),
                item("x", "K2", "principal", "2025-01-10", "2.00"),
            ],
            Cents(100),
            ValueError,
            id="duplicate-item",
        ),
    ],
)
def test_bad_input_is_refused(items: list[OpenItem], payment: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        allocate_payment(items, payment, paid_on=PAID_ON)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"balance": Cents(-1)}, id="negative-balance"),
        pytest.param({"balance": 100}, id="int-balance"),
        pytest.param({"item_id": ""}, id="empty-id"),
        pytest.param({"component": "penalty"}, id="unknown-component"),
    ],
)
def test_bad_item_is_refused(options: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "item_id": "x",
        "claim_id": "K1",
        "partner_id": "P1",
        "component": "principal",
        "due_on": D("2025-01-10"),
        "balance": Cents(100),
    }
    fields.update(options)
    with pytest.raises((ValueError, TypeError)):
        OpenItem(**fields)


# --- properties -----------------------------------------------------------------------------------------


@st.composite
def open_items(draw: st.DrawFn) -> list[OpenItem]:
    count = draw(st.integers(min_value=0, max_value=12))
    result = []
    for index in range(count):
        claim = draw(st.sampled_from(["K1", "K2", "K3", "K4", "K5"]))
        result.append(
            OpenItem(
                item_id=f"i{index}",
                claim_id=claim,
                partner_id=draw(st.sampled_from(["P1", "P2", "P3"])),
                component=draw(st.sampled_from(list(Component))),
                due_on=draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31))),
                balance=Cents(draw(st.integers(min_value=0, max_value=200_000))),
                claim_class=draw(st.sampled_from(list(ClaimClass))),
                regime=draw(st.sampled_from(list(AllocationRegime))),
                office_own=draw(st.booleans()),
                kassenzeichen=draw(st.sampled_from(["", f"KZ-{claim}"])),
                secured=draw(st.booleans()),
                burden=draw(st.integers(min_value=0, max_value=2)),
            )
        )
    return result


OPTIONS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(list(PaymentKind)),
        "policy": st.sampled_from(list(CreditorPolicy)),
        "designation": st.lists(st.sampled_from(["K1", "K2", "KZ-K3", "K9"]), max_size=2),
        "svwvg_sl_rule": st.sampled_from(["ao", "bgb"]),
    }
)
PAYMENTS = st.integers(min_value=0, max_value=1_500_000).map(Cents)


@settings(max_examples=300, deadline=None)
@given(items=open_items(), payment=PAYMENTS, options=OPTIONS)
def test_allocation_adds_up_and_respects_balances(
    items: list[OpenItem], payment: Cents, options: dict[str, Any]
) -> None:
    result = allocate_payment(items, payment, paid_on=PAID_ON, **options)
    balances = {i.item_id: i.balance for i in items}
    assert result.allocated <= payment
    assert result.leftover >= 0
    assert result.allocated + result.leftover == payment
    assert len({a.item_id for a in result.allocations}) == len(result.allocations)
    for allocation in result.allocations:
        assert 0 < allocation.amount <= balances[allocation.item_id]
    if payment == 0:
        assert result.allocations == ()


@settings(max_examples=200, deadline=None)
@given(data=st.data(), items=open_items(), payment=PAYMENTS, options=OPTIONS)
def test_allocation_is_deterministic_and_order_independent(
    data: st.DataObject, items: list[OpenItem], payment: Cents, options: dict[str, Any]
) -> None:
    first = allocate_payment(items, payment, paid_on=PAID_ON, **options)
    again = allocate_payment(items, payment, paid_on=PAID_ON, **options)
    shuffled = data.draw(st.permutations(items))
    designation = list(reversed(options["designation"]))
    permuted = allocate_payment(shuffled, payment, paid_on=PAID_ON, **{**options, "designation": designation})
    assert first == again
    assert permuted == first


@settings(max_examples=200, deadline=None)
@given(items=open_items(), payment=PAYMENTS, policy=st.sampled_from(list(CreditorPolicy)))
def test_a_leftover_means_every_due_item_is_paid(
    items: list[OpenItem], payment: Cents, policy: CreditorPolicy
) -> None:
    # A voluntary payment leaves money over only when every due item is settled.
    result = allocate_payment(items, payment, paid_on=PAID_ON, policy=policy)
    if result.leftover > 0:
        for open_item in items:
            if open_item.due_on <= PAID_ON:
                assert result.amount_for(open_item.item_id) == open_item.balance
