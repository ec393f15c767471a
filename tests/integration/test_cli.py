"""The command line: demo (idempotent), createuser, token, audit verify, openapi contract."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from kofo.api.management.commands.openapi import openapi_document
from kofo.audit.chain import verify_chain
from kofo.audit.models import AuditEvent
from kofo.demo.loader import DEMO_USERS, PARTNERS
from kofo.partners.models import Agreement, ApiToken, Office, Partner, Regime
from kofo.partners.roles import Role

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_office_partners_agreements_and_one_user_per_role() -> None:
    output = run("demo")
    assert Office.current() is not None
    assert Partner.objects.filter(kind="gemeinde").count() == 6
    assert Partner.objects.filter(kind="landkreis").count() == 1
    assert Partner.objects.filter(kind="zweckverband").count() == 1
    assert Partner.objects.count() == len(PARTNERS)
    assert set(Agreement.objects.values_list("regime", flat=True)) == {Regime.AO, Regime.SVWVG_SL}
    users = get_user_model().objects.all()
    assert {g for u in users for g in u.groups.values_list("name", flat=True)} == {r.value for r in Role}
    for demo_user in DEMO_USERS:
        assert demo_user.password in output  # the logins are printed
        assert get_user_model().objects.get(username=demo_user.username).check_password(demo_user.password)
    assert "kofo_" in output  # the demo API token is shown once
    assert verify_chain().ok


def test_demo_is_idempotent() -> None:
    run("demo")
    counts = (
        Partner.objects.count(),
        Agreement.objects.count(),
        AuditEvent.objects.count(),
        ApiToken.objects.count(),
    )
    output = run("demo")
    assert "nichts geändert" in output
    assert (
        Partner.objects.count(),
        Agreement.objects.count(),
        AuditEvent.objects.count(),
        ApiToken.objects.count(),
    ) == counts


def test_demo_agreement_history_is_kept() -> None:
    run("demo", "--quiet")
    agreement = Agreement.objects.get(partner__key="stadt-dillingen")
    assert agreement.version == 2
    assert agreement.revisions.get().snapshot["small_amount_threshold_cents"] == 3600


def test_createuser_with_generated_password_and_partner_binding(partner: Partner) -> None:
    output = run("createuser", "kasse1", "--role", "partner", "--partner", partner.key, "--generate-password")
    user = get_user_model().objects.get(username="kasse1")
    password = output.rsplit(": ", 1)[1].strip()
    assert user.check_password(password)
    assert user.kofo_profile.partner == partner
    assert AuditEvent.objects.filter(action="partners.create_user", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x1", "--role", "partner", "--generate-password"], "braucht einen Partner"),
        (["x2", "--role", "partner", "--partner", "gibt-es-nicht", "--generate-password"], "gibt es nicht"),
    ],
)
def test_createuser_refuses_bad_input_in_german(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("createuser", *args)


def test_token_create_list_revoke(partner: Partner) -> None:
    output = run("token", "create", "--partner", partner.key, "--name", "Fachverfahren")
    secret = output.strip().splitlines()[-1]
    token = ApiToken.objects.get(partner=partner)
    assert secret.startswith(f"kofo_{token.prefix}_")
    assert secret not in token.secret_hash
    assert "aktiv" in run("token", "list")
    run("token", "revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_audit_verify_reports_intact_chain_as_json() -> None:
    run("demo", "--quiet")
    result = json.loads(run("audit", "verify", "--json"))
    assert result["ok"] is True
    assert result["events_checked"] == AuditEvent.objects.count()


def test_committed_openapi_contract_matches_the_code() -> None:
    committed = (REPO / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_document(), "docs/openapi.json ist veraltet: 'make openapi' ausführen"
