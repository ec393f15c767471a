"""One debtor file from acceptance to closure (issue 4, "how it is checked"): payment demand, bank
garnishment, third-party declaration, payout, closure — with the ledger right at every step.

Sources of the expected values:
* Säumniszuschläge (§ 240 AO, LAW.md): 1,598.00 EUR → base 1,550 → 15.50 EUR per started month; due Mon
  10.03.2025, months start 11.03., 11.04., 11.05., 11.06.2025.
* Zahlungsaufforderung posted Fri 02.05.2025: deemed receipt on the 4th day, Tue 06.05.2025 (§ 122 Abs. 2
  Nr. 1 AO as amended from 2025); payment period one week → Tue 13.05.2025 (§ 188 Abs. 2 BGB).
* PfEV served Mon 19.05.2025: declaration within 2 weeks → Mon 02.06.2025 (§ 316 AO); a natural person's
  bank balance is paid out no earlier than 4 weeks after service → Mon 16.06.2025 (§ 835 Abs. 3 ZPO via
  § 314 AO); Pfändungsgebühr 28.60 EUR arises with the service (§ 339 Abs. 2 Nr. 2, Abs. 4 AO).
* The payout is proceeds of enforcement: the office's own costs first, then the claim (§ 225 AO, LAW.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import (
    DECL_RECOGNISED,
    DL_PAYMENT,
    do_record_declaration,
    do_record_service,
    do_start_measure,
)
from kofo.cases.models import (
    Case,
    CaseCloseReason,
    CaseStatus,
    Claim,
    ClaimStatus,
    FollowUpKind,
    Measure,
    MeasureKind,
    MeasureStatus,
)
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.balances import balance, component_balances, trial_balance
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.payments.actions import do_record_payment
from kofo.payments.models import PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = factories.INTAKE_CSV_HEADER
ROW = (
    "GW-2025-1;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;77;"
    "natuerlich;Keller;Sabine;;04.04.1975;;;;;Am Markt;3;66740;Saarlouis;DE;;;DE89370400440532013000;;"
)
C = Cents.parse
D = dt.date


@pytest.fixture
def claim(db: Any, settings: Any, tmp_path: Path) -> Claim:
    settings.DATA_DIR = tmp_path
    factories.make_office()
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(partner, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    batch = do_import_request(
        partner,
        f"{HEADER}\n{ROW}\n".encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=D(2025, 5, 1),
        actor=factories.TEST_ACTOR,
    )
    assert batch.items_accepted == 1, [i.problems for i in batch.items.all()]
    return Claim.objects.get()


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test")


def components(claim: Claim) -> dict[str, Cents]:
    return {str(k): v for k, v in component_balances("cases.claim", claim.pk).items() if v}


def test_a_file_walks_from_acceptance_to_closure(claim: Claim) -> None:
    partner = claim.partner
    actor = factories.TEST_ACTOR

    # Day 1: the file is opened, surcharges booked, the bank of the IBAN is known, the demand goes out.
    run_day(D(2025, 5, 2))
    case = Case.objects.get()
    assert components(claim) == {"principal": C("1598,00"), "surcharge": C("31,00")}
    assert case.third_party_links.get().third_party.bic == "COBADEFFXXX"
    demand = case.measures.get()
    assert (demand.kind, demand.status, demand.deadline_kind, demand.deadline_on) == (
        MeasureKind.ZAHLUNGSAUFFORDERUNG,
        MeasureStatus.ACTIVE,
        DL_PAYMENT,
        D(2025, 5, 13),
    )
    assert trial_balance() == 0

    # The payment period passes unpaid: the demand is done, the strategy proposes the bank garnishment.
    run_day(D(2025, 5, 14))
    demand.refresh_from_db()
    assert demand.status == MeasureStatus.DONE
    pfev = case.measures.get(kind=MeasureKind.PFEV_BANK)
    assert pfev.status == MeasureStatus.PROPOSED
    assert "Commerzbank" in pfev.reason
    assert case.follow_ups.filter(kind=FollowUpKind.PROPOSAL).count() == 1
    assert components(claim)["surcharge"] == C("46,50")

    # The caseworker sends the order; it is served; the fee arises; the clocks run.
    pfev = do_start_measure(pfev, on=D(2025, 5, 15), actor=actor)
    assert pfev.amount_cents == int(C("1644,50"))
    pfev = do_record_service(pfev, served_on=D(2025, 5, 19), actor=actor)
    assert (pfev.deadline_kind, pfev.deadline_on, pfev.payout_hold_until) == (
        "drittschuldnererklaerung",
        D(2025, 6, 2),
        D(2025, 6, 16),
    )
    assert component_balances("cases.case", case.pk)[Component.FEE] == C("28,60")
    assert balance(office_account(AccountKind.FEE_INCOME)) == -C("28,60")
    assert trial_balance() == 0

    # The bank recognises the claim; the payout waits for the 4-week hold.
    pfev = do_record_declaration(
        pfev, outcome=DECL_RECOGNISED, declared_on=D(2025, 5, 28), amount=C("2000,00"), actor=actor
    )
    assert (pfev.deadline_kind, pfev.deadline_on) == ("auszahlungssperre", D(2025, 6, 16))
    run_day(D(2025, 6, 17))
    assert (
        case.follow_ups.filter(kind=FollowUpKind.DEADLINE, reason__contains="Auszahlungssperre").count() == 1
    )
    assert components(claim) == {"principal": C("1598,00"), "surcharge": C("62,00")}

    # The bank pays: office costs first, then the claim; the partner's share becomes its payable.
    payment = do_record_payment(
        case, amount=C("1688,60"), received_on=D(2025, 6, 18), source=PaymentSource.THIRD_PARTY, measure=pfev,
        payer="Commerzbank", actor=actor,
    )  # fmt: skip
    assert payment.leftover_cents == 0
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SETTLED
    assert components(claim) == {}
    assert component_balances("cases.case", case.pk)[Component.FEE] == 0
    assert balance(partner_account(partner, AccountKind.PARTNER_PAYABLE)) == -C("1660,00")
    assert balance(partner_account(partner, AccountKind.PARTNER_CLAIMS)) == 0
    assert balance(office_account(AccountKind.BANK)) == C("1688,60")
    assert trial_balance() == 0

    # The next daily run closes the file and the garnishment.
    run_day(D(2025, 6, 19))
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CaseCloseReason.PAID)
    assert Measure.objects.get(pk=pfev.pk).status == MeasureStatus.DONE
    assert trial_balance() == 0


def test_the_partner_reads_its_claim_with_file_surcharges_and_measures_through_the_api(claim: Claim) -> None:
    """GET /api/v1/claims/{kassenzeichen}: the partner's own claim with the file it is in, the surcharges
    booked and the measures covering it — but no other partner's amounts (a file spans partners)."""
    from django.test import Client

    from kofo.partners.actions import do_issue_api_token

    other = factories.make_partner(key="evs", name="Entsorgungsverband Saar")
    factories.make_agreement(other, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    other_row = ROW.replace("GW-2025-1", "EVS-1").replace("1.598,00", "250,00")
    do_import_request(
        other, f"{HEADER}\n{other_row}\n".encode(), channel=Channel.CSV, filename="evs.csv",
        as_of=D(2025, 5, 1), actor=factories.TEST_ACTOR,
    )  # fmt: skip
    run_day(D(2025, 5, 2))  # one file for Sabine Keller with both partners' claims; the demand goes out
    assert Case.objects.count() == 1
    _token, secret = do_issue_api_token(claim.partner, name="Fachverfahren", actor=factories.TEST_ACTOR)
    client = Client()
    response = client.get(f"/api/v1/claims/{claim.kassenzeichen}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["case"]["number"] == Case.objects.get().number
    assert [s["amount_cents"] for s in body["surcharges"]] == [1550, 1550]
    [demand] = body["measures"]
    assert (demand["kind"], demand["status"], demand["executed_on"]) == (
        "zahlungsaufforderung",
        "active",
        "2025-05-02",
    )
    assert demand["claim_amount_cents"] == int(C("1629,00"))  # this claim only: 1,598.00 + 31.00
    assert "EVS-1" not in str(body) and "Entsorgungsverband" not in str(body)
    # The other partner's claim in the same file is not the partner's to read.
    assert client.get("/api/v1/claims/EVS-1", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404


def test_a_debtor_under_garnishment_is_never_linked_automatically(claim: Claim) -> None:
    """Issue 3: a link that would join a debtor with open garnishments is never automatic — the same
    person's record from another partner goes to the review queue with the reason (without the running
    garnishment it joins automatically, see the API test above)."""
    from kofo.debtors.models import DebtorRecord, LinkDecision, LinkReview

    run_day(D(2025, 5, 2))
    run_day(D(2025, 5, 14))
    pfev = Measure.objects.get(kind=MeasureKind.PFEV_BANK)
    do_record_service(do_start_measure(pfev, on=D(2025, 5, 15), actor=factories.TEST_ACTOR), served_on=D(2025, 5, 19),
                      actor=factories.TEST_ACTOR)  # fmt: skip
    other = factories.make_partner(key="evs", name="Entsorgungsverband Saar")
    factories.make_agreement(other, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    row = ROW.replace("GW-2025-1", "EVS-1").replace("1.598,00", "250,00")
    do_import_request(
        other, f"{HEADER}\n{row}\n".encode(), channel=Channel.CSV, filename="evs.csv", as_of=D(2025, 5, 20),
        actor=factories.TEST_ACTOR,
    )  # fmt: skip
    record = DebtorRecord.objects.get(partner=other)
    assert record.link_decision == LinkDecision.REVIEW
    assert record.debtor_id != claim.debtor_record.debtor_id
    review = LinkReview.objects.get(record=record)
    assert review.candidate_id == claim.debtor_record.debtor_id
    assert "laufende Pfändung" in review.reason
