"""Enforcement requests and claim changes through the API (issue 3, items 2 and 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kofo.audit.models import AuditEvent
from kofo.cases.models import Claim, ClaimStatus
from kofo.ledger.balances import component_balances, trial_balance
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.actions import do_issue_api_token
from kofo.partners.models import ClaimType, Regime
from tests import factories

pytestmark = pytest.mark.django_db


def claim_item(kassenzeichen: str, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kassenzeichen": kassenzeichen,
        "claim_type": "grundsteuer",
        "assessment_date": "2026-02-10",
        "notified_on": "2026-02-13",
        "due_date": "2026-05-15",
        "reminder_date": "2026-09-15",
        "reminder_deadline": "2026-09-29",
        "principal": "1598.00",
        "surcharges": "47.50",
        "surcharges_until": "2026-09-30",
        "debtor": {
            "kind": "natuerlich",
            "debtor_id": "4711",
            "surname": "Müller",
            "given_names": "Anna",
            "birth_date": "1978-03-12",
            "street": "Hauptstraße",
            "house_number": "12a",
            "postcode": "66740",
            "city": "Saarlouis",
        },
    }
    item.update(overrides)
    return item


@pytest.fixture
def setup(db: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.DATA_DIR = tmp_path
    a, b = factories.make_partner(), factories.make_partner()
    for partner in (a, b):
        factories.make_agreement(
            partner, regime=Regime.SVWVG_SL, claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER]
        )
    _t, secret_a = do_issue_api_token(a, name="A", actor=factories.TEST_ACTOR)
    _t, secret_b = do_issue_api_token(b, name="B", actor=factories.TEST_ACTOR)
    return {"a": a, "b": b, "auth_a": f"Bearer {secret_a}", "auth_b": f"Bearer {secret_b}"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks run as of 2 Nov 2026, whatever day the suite runs."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 11, 2))


def post(client: Client, auth: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=auth)


def test_post_request_answers_each_item(client: Client, setup: dict[str, Any]) -> None:
    items = [
        claim_item("GS-1"),
        claim_item("GS-2", principal="10.00", surcharges="", surcharges_until=""),
        claim_item("GS-3", due_date="2026-02-30"),
    ]
    response = post(client, setup["auth_a"], "/api/v1/requests", {"items": items})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(i["kassenzeichen"], i["status"]) for i in body["items"]] == [
        ("GS-1", "accepted"),
        ("GS-2", "rejected"),
        ("GS-3", "rejected"),
    ]
    assert body["items"][1]["problems"][0]["code"] == "item.below_threshold"
    assert body["items"][2]["problems"][0]["code"] == "item.date_invalid"
    again = client.get(f"/api/v1/requests/{body['id']}", HTTP_AUTHORIZATION=setup["auth_a"])
    assert again.status_code == 200
    assert again.json() == body


def test_other_partner_cannot_read_the_request_or_claim(client: Client, setup: dict[str, Any]) -> None:
    body = post(client, setup["auth_a"], "/api/v1/requests", {"items": [claim_item("GS-1")]}).json()
    assert client.get(f"/api/v1/requests/{body['id']}", HTTP_AUTHORIZATION=setup["auth_b"]).status_code == 404
    assert client.get("/api/v1/claims/GS-1", HTTP_AUTHORIZATION=setup["auth_b"]).status_code == 404
    assert client.get("/api/v1/claims/GS-1", HTTP_AUTHORIZATION=setup["auth_a"]).status_code == 200


def test_batch_limit_and_shape_are_validated(client: Client, setup: dict[str, Any]) -> None:
    response = post(client, setup["auth_a"], "/api/v1/requests", {"items": [{"kassenzeichen": "X"}]})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_request_needs_a_partner_token(client: Client, setup: dict[str, Any]) -> None:
    assert post(client, "Bearer kofo_00000000_falsch", "/api/v1/requests", {"items": []}).status_code == 401


@pytest.fixture
def claim(client: Client, setup: dict[str, Any]) -> Claim:
    post(client, setup["auth_a"], "/api/v1/requests", {"items": [claim_item("GS-1")]})
    return Claim.objects.get(kassenzeichen="GS-1")


def change(client: Client, setup: dict[str, Any], body: dict[str, Any]) -> Any:
    return post(client, setup["auth_a"], "/api/v1/claims/GS-1/changes", body)


def test_reduction_posts_to_the_ledger(client: Client, setup: dict[str, Any], claim: Claim) -> None:
    response = change(client, setup, {"kind": "reduction", "amount": "98.00", "reason": "Bescheid geändert"})
    assert response.status_code == 200, response.content
    assert response.json()["open_cents"]["principal"] == 150000
    assert component_balances("cases.claim", claim.pk)[Component.PRINCIPAL] == Cents(150000)
    assert AuditEvent.objects.filter(action="cases.reduce_claim").exists()
    assert trial_balance() == Cents(0)


def test_reduction_beyond_open_amount_is_refused(client: Client, setup: dict[str, Any], claim: Claim) -> None:
    response = change(client, setup, {"kind": "reduction", "amount": "5000.00"})
    assert response.status_code == 422
    assert response.json()["code"] == "claim.reduction_invalid"


def test_direct_payment_is_allocated_like_a_payment_to_the_office(
    client: Client, setup: dict[str, Any], claim: Claim
) -> None:
    """The claim is enforced under the SVwVG, which has no order of its own: §§ 366, 367 BGB by analogy
    (LAW.md, the office's default ``svwvg_sl_rule``) — within one debt costs, then interest and the
    interest-like surcharges, then the principal (§ 367 Abs. 1 BGB); the same path as a bank payment."""
    response = change(client, setup, {"kind": "direct_payment", "amount": "1600.00", "paid_on": "2026-10-20"})
    assert response.status_code == 200, response.content
    open_cents = response.json()["open_cents"]
    assert (open_cents["principal"], open_cents["surcharge"]) == (4550, 0)
    response = change(client, setup, {"kind": "direct_payment", "amount": "45.50", "paid_on": "2026-10-21"})
    assert response.json()["status"] == ClaimStatus.SETTLED


def test_deferral_and_withdrawal(client: Client, setup: dict[str, Any], claim: Claim) -> None:
    response = change(client, setup, {"kind": "deferral", "until": "2027-03-31", "reason": "Stundung"})
    assert response.json()["status"] == ClaimStatus.DEFERRED
    assert response.json()["deferred_until"] == "2027-03-31"
    response = change(client, setup, {"kind": "withdrawal", "reason": "Rücknahme"})
    assert response.json()["status"] == ClaimStatus.WITHDRAWN
    assert all(v == 0 for v in response.json()["open_cents"].values())
    response = change(client, setup, {"kind": "cancellation"})
    assert response.status_code == 422
    assert response.json()["code"] == "claim.closed"


def test_claim_of_another_partner_cannot_be_changed(
    client: Client, setup: dict[str, Any], claim: Claim
) -> None:
    response = post(client, setup["auth_b"], "/api/v1/claims/GS-1/changes", {"kind": "cancellation"})
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.OPEN


def test_remission_in_part_and_in_full(client: Client, setup: dict[str, Any], claim: Claim) -> None:
    """Erlass (§ 227 AO, LAW.md "Instalments, deferral, suspension"): the creditor remits the claim, wholly
    or in part; remitted to nothing it is extinguished and no longer enforced."""
    response = change(client, setup, {"kind": "remission", "amount": "98.00", "reason": "Billigkeit"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["open_cents"]["principal"]) == (
        ClaimStatus.OPEN,
        150000,
    )
    too_much = change(client, setup, {"kind": "remission", "amount": "5000.00", "reason": "Billigkeit"})
    assert (too_much.status_code, too_much.json()["code"]) == (422, "claim.remission_invalid")
    response = change(client, setup, {"kind": "remission", "reason": "Erlass des Restes"})
    assert response.json()["status"] == ClaimStatus.REMITTED
    assert all(v == 0 for v in response.json()["open_cents"].values())
    events = AuditEvent.objects.filter(action="cases.remission_claim").order_by("pk")
    assert [e.summary.get("part", False) for e in events] == [True, False]
    assert trial_balance() == Cents(0)
    assert change(client, setup, {"kind": "remission"}).json()["code"] == "claim.closed"
