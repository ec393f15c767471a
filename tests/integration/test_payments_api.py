"""Remittances and direct payments through the API (/api/v1/remittances, /api/v1/direct-payments).

Proves on SQLite and PostgreSQL: a partner's token lists and reads only its own remittances (another
partner's id answers 404 like one that does not exist), with the statement exactly as the run archived it,
as JSON and as CSV download; direct payments are answered per item, accepted ones stay booked when others
are rejected, each rejection with a machine-readable code; no or a wrong token gets 401.

The office (two partners, claims, a bank statement, one remittance run) is built like
``test_bank_import.py``: the example statement ``tests/data/camt/camt053_v02.xml`` assigns payments to
claims of both partners, then ``do_remittance_run(until=30.11.2026)`` pays each partner its share.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kofo import limits
from kofo.audit import archive
from kofo.audit.models import AuditEvent
from kofo.cases.actions import open_components
from kofo.cases.models import Case, Claim, ClaimStatus
from kofo.ledger.balances import trial_balance
from kofo.money import Cents
from kofo.partners.actions import do_issue_api_token
from kofo.partners.models import Partner
from kofo.partners.roles import Role
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import BankImportStatus, Remittance, RemittanceRun
from kofo.payments.remittance import do_remittance_run
from tests import factories
from tests.integration import test_bank_import as bank

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "camt"
ACTOR = factories.TEST_ACTOR
D = dt.date
REMITTANCES = "/api/v1/remittances"
DIRECT_PAYMENTS = "/api/v1/direct-payments"

office_files = bank.office_files  # the debtor files the example statement names


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything runs as of the run's date, 30 Nov 2026, whatever day the suite runs."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D(2026, 11, 30))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def office(office_files: dict[str, Case]) -> dict[str, Any]:
    """Two partners with claims, the example bank statement booked, one remittance run, a token each."""
    stadt, zv = Partner.objects.get(key="stadt"), Partner.objects.get(key="zv-saar")
    result = do_import_bank_file("camt053_v02.xml", (DATA / "camt053_v02.xml").read_bytes(), actor=ACTOR)
    assert result.status == BankImportStatus.DONE, result.error_message
    run = do_remittance_run(until=D(2026, 11, 30), actor=ACTOR)
    assert run is not None
    _t, secret_stadt = do_issue_api_token(stadt, name="Kasse Stadt", actor=ACTOR)
    _t, secret_zv = do_issue_api_token(zv, name="Kasse ZV", actor=ACTOR)
    return {
        "run": run,
        "stadt": stadt,
        "zv": zv,
        "r_stadt": Remittance.objects.get(run=run, partner=stadt),
        "r_zv": Remittance.objects.get(run=run, partner=zv),
        "auth_stadt": f"Bearer {secret_stadt}",
        "auth_zv": f"Bearer {secret_zv}",
    }


def get(client: Client, path: str, auth: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": auth} if auth is not None else {}
    return client.get(path, params, headers=headers)


def post(client: Client, auth: str | None, path: str, body: Any) -> Any:
    headers = {"Authorization": auth} if auth is not None else {}
    return client.post(path, body, content_type="application/json", headers=headers)


# --- remittances ----------------------------------------------------------------------------------------------


def test_partner_lists_only_its_own_remittances(client: Client, office: dict[str, Any]) -> None:
    body = get(client, REMITTANCES, office["auth_stadt"]).json()
    assert (body["count"], body["offset"], body["limit"]) == (1, 0, limits.PAGE_SIZE_DEFAULT)
    r = office["r_stadt"]
    assert body["items"] == [
        {
            "id": r.pk,
            "run": office["run"].number,
            "until": "2026-11-30",
            "execution_date": "2026-11-30",
            "amount_cents": r.amount_cents,
            "collected_cents": r.collected_cents,
            "retained_cents": 0,
            "end_to_end_id": r.end_to_end_id,
        }
    ]
    # The statement's payments of the Stadt: 80.00 + 120.00 + 310.50 (150.00 paid and taken back).
    assert r.amount_cents == 51050
    zv_items = get(client, REMITTANCES, office["auth_zv"]).json()["items"]
    assert [(i["id"], i["amount_cents"]) for i in zv_items] == [(office["r_zv"].pk, 18000)]


def test_list_is_newest_first_and_paged(client: Client, office: dict[str, Any]) -> None:
    """A later run's remittance comes first; pages report count, offset and limit; limits are enforced.

    The example statement has no further money for a second real run, so its rows are written here."""
    second = RemittanceRun.objects.create(
        number=office["run"].number + 1, until=D(2026, 12, 7), execution_date=D(2026, 12, 8),
        message_id="KOFO-AUS-TEST02", created_by="test",
    )  # fmt: skip
    later = Remittance.objects.create(
        run=second, partner=office["stadt"], amount_cents=100, collected_cents=100,
        end_to_end_id="KOFO-AUS-TEST02-0001", statement_json_sha256="0" * 64, statement_csv_sha256="0" * 64,
    )  # fmt: skip
    body = get(client, REMITTANCES, office["auth_stadt"]).json()
    assert [i["id"] for i in body["items"]] == [later.pk, office["r_stadt"].pk]
    page = get(client, REMITTANCES, office["auth_stadt"], limit=1, offset=1).json()
    assert (page["count"], page["offset"], page["limit"]) == (2, 1, 1)
    assert [i["id"] for i in page["items"]] == [office["r_stadt"].pk]
    too_big = get(client, REMITTANCES, office["auth_stadt"], limit=limits.PAGE_SIZE_MAX + 1)
    assert too_big.status_code == 422 and too_big.json()["code"] == "request.invalid"


def test_detail_has_the_archived_statement(client: Client, office: dict[str, Any]) -> None:
    r = office["r_stadt"]
    response = get(client, f"{REMITTANCES}/{r.pk}", office["auth_stadt"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["statement_sha256"] == r.statement_json_sha256
    assert body["statement_csv_sha256"] == r.statement_csv_sha256
    statement = body["statement"]
    archived = json.loads(archive.load(r.statement_json_sha256))
    assert statement == archived
    assert statement["partner"]["key"] == "stadt"
    assert statement["paid_cents"] == r.amount_cents == body["amount_cents"]
    claims = {c["kassenzeichen"]: c for c in statement["claims"]}
    assert "AB-7781" not in claims  # the other partner's claim is not in this statement
    assert claims["GS-2026-0001"]["components"] == {"principal": 8000}
    # The value date of the transfer (booked on 24 Nov, value 23 Nov).
    assert claims["GS-2026-0001"]["payments"] == [
        {"date": "2026-11-23", "component": "principal", "amount_cents": 8000, "reversal": False}
    ]
    total = sum(sum(c["components"].values()) for c in statement["claims"])
    assert total == r.collected_cents
    reversed_claim = claims["GS-2026-0100"]
    assert sum(reversed_claim["components"].values()) == 0
    assert sorted(p["reversal"] for p in reversed_claim["payments"]) == [False, True]


def test_other_partners_remittance_is_404(client: Client, office: dict[str, Any]) -> None:
    other = office["r_zv"].pk
    missing = Remittance.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    for path in (f"{REMITTANCES}/{other}", f"{REMITTANCES}/{other}/statement.csv"):
        response = get(client, path, office["auth_stadt"])
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": f"Auskehrung {other} nicht gefunden."}
    # The same answer as for an id that does not exist: no probing of other partners' remittances.
    assert get(client, f"{REMITTANCES}/{missing}", office["auth_stadt"]).json()["code"] == "not_found"
    assert get(client, f"{REMITTANCES}/{other}", office["auth_zv"]).status_code == 200


def test_statement_csv_download(client: Client, office: dict[str, Any]) -> None:
    r = office["r_stadt"]
    response = get(client, f"{REMITTANCES}/{r.pk}/statement.csv", office["auth_stadt"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    number = office["run"].number
    assert response["Content-Disposition"] == f'attachment; filename="auskehrung-{number:06d}-stadt.csv"'
    assert response.content == archive.load(r.statement_csv_sha256)
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Kassenzeichen;Bestandteil;Zahlungsdatum;Betrag;Rückbuchung"
    assert any(line.startswith("GS-2026-0001;") and ";80,00;nein" in line for line in lines)
    assert not any(line.startswith("AB-7781;") for line in lines)


def test_damaged_archive_is_a_coded_500(client: Client, office: dict[str, Any]) -> None:
    r = office["r_stadt"]
    for sha, path in (
        (r.statement_json_sha256, f"{REMITTANCES}/{r.pk}"),
        (r.statement_csv_sha256, f"{REMITTANCES}/{r.pk}/statement.csv"),
    ):
        stored = archive.path_for(sha)
        stored.chmod(0o640)
        stored.write_bytes(b"manipuliert")
        response = get(client, path, office["auth_stadt"])
        assert response.status_code == 500
        assert response.json()["code"] == "remittance.statement_unavailable"


def test_office_session_sees_all_partner_user_only_its_own(client: Client, office: dict[str, Any]) -> None:
    client.force_login(factories.make_user(Role.INNENDIENST))
    ids = {i["id"] for i in client.get(REMITTANCES).json()["items"]}
    assert ids == {office["r_stadt"].pk, office["r_zv"].pk}
    client.logout()
    client.force_login(factories.make_user(Role.PARTNER, partner=office["zv"]))
    assert [i["id"] for i in client.get(REMITTANCES).json()["items"]] == [office["r_zv"].pk]
    assert client.get(f"{REMITTANCES}/{office['r_stadt'].pk}").status_code == 404


@pytest.mark.parametrize("path", ["", "/{id}", "/{id}/statement.csv"])
@pytest.mark.parametrize("auth", [None, "Bearer kofo_00000000_falsch"])
def test_remittances_need_a_token(
    client: Client, office: dict[str, Any], path: str, auth: str | None
) -> None:
    response = get(client, REMITTANCES + path.format(id=office["r_stadt"].pk), auth)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid"


# --- direct payments ------------------------------------------------------------------------------------------


def _open(kassenzeichen: str) -> int:
    return int(sum(open_components(Claim.objects.get(kassenzeichen=kassenzeichen)).values(), Cents(0)))


def test_direct_payments_are_answered_item_by_item(client: Client, office: dict[str, Any]) -> None:
    before = {kz: _open(kz) for kz, *_ in bank.DEBTORS}
    assert before["GS-2026-0102"] == before["HU-2026-0815"] == 48000  # no payment yet
    assert before["GS-2026-0001"] == 44050  # 480.00 + 40.50 Säumniszuschläge at the payment − 80.00
    items = [
        {
            "kassenzeichen": "GS-2026-0102",
            "amount": "120,00",
            "paid_on": "2026-11-20",
            "reason": "Barzahlung",
        },
        {"kassenzeichen": "GS-9999-0000", "amount": "10.00", "paid_on": "2026-11-20"},
        {"kassenzeichen": "GS-2026-0001", "amount": "500.00", "paid_on": "2026-11-20"},
        {"kassenzeichen": "AB-7781", "amount": "10.00", "paid_on": "2026-11-20"},  # the other partner's
        {"kassenzeichen": "GS-2026-0101", "amount": "zehn", "paid_on": "2026-11-20"},
        {"kassenzeichen": "GS-2026-0101", "amount": "10.00", "paid_on": "2026-12-01"},
        {"kassenzeichen": "HU-2026-0815", "amount": "480.00", "paid_on": "2026-11-29"},
        {"kassenzeichen": "HU-2026-0815", "amount": "1.00", "paid_on": "2026-11-29"},  # settled by item 7
    ]
    response = post(client, office["auth_stadt"], DIRECT_PAYMENTS, {"items": items})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["items_total"], body["items_accepted"], body["items_rejected"]) == (8, 2, 6)
    assert [(i["position"], i["kassenzeichen"], i["status"], i["code"]) for i in body["items"]] == [
        (1, "GS-2026-0102", "accepted", "direct_payment.recorded"),
        (2, "GS-9999-0000", "rejected", "claim.not_found"),
        (3, "GS-2026-0001", "rejected", "claim.direct_payment_invalid"),
        (4, "AB-7781", "rejected", "claim.not_found"),
        (5, "GS-2026-0101", "rejected", "direct_payment.amount_invalid"),
        (6, "GS-2026-0101", "rejected", "claim.payment_in_future"),
        (7, "HU-2026-0815", "accepted", "direct_payment.recorded"),
        (8, "HU-2026-0815", "rejected", "claim.closed"),
    ]
    good = body["items"][0]
    assert good["open_cents"] == 36000 == _open("GS-2026-0102")
    assert good["open_components_cents"]["principal"] == 36000
    assert good["claim_status"] == Claim.objects.get(kassenzeichen="GS-2026-0102").status
    assert good["message"]
    over = body["items"][2]
    assert over["open_cents"] is None and "offen sind 440,50 EUR" in over["message"]
    settled = body["items"][6]
    assert settled["open_cents"] == 0 and settled["claim_status"] == ClaimStatus.SETTLED
    # Rejected items changed nothing; accepted ones are booked, audited and the ledger balances.
    after = {kz: _open(kz) for kz, *_ in bank.DEBTORS}
    assert after == {**before, "GS-2026-0102": 36000, "HU-2026-0815": 0}
    assert AuditEvent.objects.filter(action="cases.record_direct_payment").count() == 2
    assert trial_balance() == Cents(0)


def test_direct_payments_request_shape_is_checked_whole(client: Client, office: dict[str, Any]) -> None:
    """An empty list, too many items or a malformed date: 422 request.invalid and nothing is booked."""
    good = {"kassenzeichen": "GS-2026-0102", "amount": "1.00", "paid_on": "2026-11-20"}
    bad_date = {**good, "paid_on": "20.11.2026"}
    bodies: list[Any] = [{"items": []}, {"items": [good] * 1001}, {"items": [good, bad_date]}, [good]]
    for body in bodies:
        response = post(client, office["auth_stadt"], DIRECT_PAYMENTS, body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "request.invalid"
    assert _open("GS-2026-0102") == 48000


def test_direct_payments_need_a_partner_token(client: Client, office: dict[str, Any]) -> None:
    body = {"items": [{"kassenzeichen": "GS-2026-0102", "amount": "1.00", "paid_on": "2026-11-20"}]}
    for auth in (None, "Bearer kofo_00000000_falsch"):
        response = post(client, auth, DIRECT_PAYMENTS, body)
        assert response.status_code == 401 and response.json()["code"] == "auth.invalid"
    client.force_login(factories.make_user(Role.INNENDIENST))
    assert post(client, None, DIRECT_PAYMENTS, body).status_code == 403
    assert _open("GS-2026-0102") == 48000
