"""Money is conserved through payments and reversals (issue 5, "how it is checked").

Property tests over random sequences of payments and reversals on one debtor file with claims of two
partners (hypothesis; each example rolled back):

* sum of the standing payments' allocations + refunds (overpayment) = sum received and not taken back;
* the bank account holds exactly that; no claim component below zero; the ledger balances;
* replay after a reversal is deterministic: the file ends exactly as if only the standing payments had
  been recorded, in their order (§ 225 AO takes the oldest open items first, so a reversal must re-allocate
  every later payment).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kofo.cases.casefiles import case_claims
from kofo.cases.daily import accrue_surcharges, open_missing_cases
from kofo.cases.models import Case
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.accounts import office_account
from kofo.ledger.balances import balance, component_balances, trial_balance
from kofo.ledger.models import AccountKind
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.payments.actions import current_payments, do_record_payment, do_reverse_payment
from kofo.payments.models import PaymentAllocation, PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db
ACTOR = factories.TEST_ACTOR
D = dt.date


@pytest.fixture
def case(settings: Any, tmp_path: Path) -> Case:
    settings.DATA_DIR = tmp_path
    factories.make_office()
    rows = {
        "stadt": "GS-1;grundsteuer;GrStG;10.02.2026;13.02.2026;10.03.2026;20.03.2026;03.04.2026;300,00;;;5,00;;1;",
        "kreis": "BG-1;bussgeld;OWiG;10.01.2026;13.01.2026;10.02.2026;20.02.2026;03.03.2026;150,00;;;;12,00;2;",
    }
    person = "natuerlich;Roth;Petra;;02.02.1972;;;;;Am Hang;4;66333;Völklingen;DE;;;;;"
    for key, claim_types, regime in (
        ("stadt", [ClaimType.GRUNDSTEUER], Regime.AO),
        ("kreis", [ClaimType.BUSSGELD], Regime.SVWVG_SL),
    ):
        partner = factories.make_partner(key=f"{key}-test")
        factories.make_agreement(partner, regime=regime, claim_types=claim_types)
        csv = f"{factories.INTAKE_CSV_HEADER}\n{rows[key]}{person}\n"
        batch = do_import_request(
            partner, csv.encode(), channel=Channel.CSV, filename="e.csv", as_of=D(2026, 6, 1), actor=ACTOR
        )
        assert batch.items_accepted == 1, batch.error_message
    open_missing_cases(D(2026, 6, 2))
    return Case.objects.get()


def _state(case: Case) -> dict[str, int]:
    """Open amount per claim component, after booking the surcharges that arose up to the end of the test."""
    state: dict[str, int] = {}
    for claim in case_claims(case).order_by("pk"):
        accrue_surcharges(claim, D(2026, 9, 30), land="SL", actor=ACTOR)
        for component, amount in component_balances(claim._meta.label_lower, claim.pk).items():
            state[f"{claim.kassenzeichen}:{component}"] = int(amount)
    return state


#: A step: pay (days after the previous payment, cents, source) or reverse the n-th standing payment.
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.integers(0, 12),
            st.integers(1, 60_000),
            st.sampled_from(["debtor", "third_party"]),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 10), st.just(0), st.just("")),
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_money_is_conserved_and_replay_is_deterministic(
    case: Case, sequence: list[tuple[str, int, int, str]]
) -> None:
    day = D(2026, 7, 1)
    with transaction.atomic():
        received = 0
        for kind, a, b, source in sequence:
            if kind == "pay":
                day += dt.timedelta(days=a)  # statements arrive in order: each payment on or after the last
                do_record_payment(
                    case, amount=Cents(b), received_on=day, source=source, actor=ACTOR,
                    payer="Petra Roth", payer_iban="DE89370400440532013000",
                )  # fmt: skip
                received += b
            else:
                standing = current_payments(case)
                if standing:
                    victim = standing[a % len(standing)]
                    do_reverse_payment(victim, on=victim.received_on, reason="Rücklastschrift", actor=ACTOR)
                    received -= victim.amount_cents
        standing = current_payments(case)
        assert sum(p.amount_cents for p in standing) == received
        allocated = (
            PaymentAllocation.objects.filter(payment__in=standing).aggregate(s=Sum("amount_cents"))["s"] or 0
        )
        leftovers = sum(p.leftover_cents for p in standing)
        assert allocated + leftovers == received
        assert balance(office_account(AccountKind.BANK)) == received
        assert -balance(office_account(AccountKind.REFUND_PAYABLE)) == leftovers
        after = _state(case)
        assert all(amount >= 0 for amount in after.values()), after
        assert trial_balance() == 0
        plan = [(p.received_on, p.amount_cents, p.source) for p in standing]
        transaction.set_rollback(True)
    # The same file with only the standing payments, recorded in their order: the same end.
    with transaction.atomic():
        for received_on, amount, source in plan:
            do_record_payment(case, amount=Cents(amount), received_on=received_on, source=source, actor=ACTOR)
        assert _state(case) == after
        transaction.set_rollback(True)


def test_reversal_reallocates_later_payment_and_reopens_claim(case: Case) -> None:
    first = do_record_payment(
        case, amount=Cents(50_000), received_on=D(2026, 7, 1), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    second = do_record_payment(
        case, amount=Cents(10_000), received_on=D(2026, 7, 5), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    assert second.leftover_cents > 0  # the file was paid in full by the first payment
    replayed = do_reverse_payment(first, on=D(2026, 7, 10), reason="Rücklastschrift MD06", actor=ACTOR)
    assert [p.replaces_id for p in replayed] == [second.pk]
    assert replayed[0].leftover_cents == 0  # now the 100.00 pays claims instead of being refunded
    assert {c.status for c in case_claims(case)} == {"open"}
    with pytest.raises(Exception, match="bereits zurückgebucht"):
        do_reverse_payment(first, on=D(2026, 7, 10), reason="nochmals", actor=ACTOR)
