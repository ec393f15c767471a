"""The HTTP API under /api/v1/: health, partners, and who may read what.

Proves on SQLite and PostgreSQL: /health answers without login; a partner's bearer token reads only its own
partner (the other's key is 404, like a key that does not exist); wrong, malformed, unknown, revoked tokens
and tokens of a deactivated partner get 401 with a coded German error; only the SHA-256 of a token is
stored; a token's last use is recorded (at most every few minutes); office users read all partners through
their session, a Partner user only its own; page sizes are limited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

import kofo
from kofo import limits
from kofo.api import auth as api_auth
from kofo.partners.actions import do_issue_api_token, do_revoke_api_token, do_save_partner
from kofo.partners.models import ApiToken, Partner
from kofo.partners.roles import Role
from tests import factories
from tests.factories import TEST_ACTOR

PARTNERS = "/api/v1/partners"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs half a second per user; hashing is proven in test_partners, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _get(client: Client, path: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(path, params, headers=headers)


def _assert_401(response: Any) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "auth.invalid"
    assert body["message"] == "Nicht angemeldet: API-Token fehlt, ist falsch oder widerrufen."


@pytest.fixture
def tenants(db: Any) -> dict[str, Any]:
    """Partner A with an agreement and a token, partner B with an agreement and a token."""
    a, b = factories.make_partner(), factories.make_partner()
    agreement_a, agreement_b = factories.make_agreement(a), factories.make_agreement(b)
    token_a, secret_a = do_issue_api_token(a, name="Fachverfahren A", actor=TEST_ACTOR)
    token_b, secret_b = do_issue_api_token(b, name="Fachverfahren B", actor=TEST_ACTOR)
    return {
        "a": a,
        "b": b,
        "agreement_a": agreement_a,
        "agreement_b": agreement_b,
        "token_a": token_a,
        "secret_a": secret_a,
        "token_b": token_b,
        "secret_b": secret_b,
    }


# --- health -------------------------------------------------------------------------------------------------


def test_health_answers_without_login(client: Client, db: Any) -> None:
    """Load balancers ask /health without credentials: 200 with status, database and version."""
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": kofo.__version__}


def test_health_ignores_a_bad_token(client: Client, db: Any) -> None:
    """Health needs no authentication, so even a wrong token does not turn it into a 401."""
    response = _get(client, "/api/v1/health", token="kofo_00000000_falsch")
    assert response.status_code == 200


# --- a partner's token ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("me", "other"), [("a", "b"), ("b", "a")])
def test_token_lists_only_its_own_partner(
    client: Client, tenants: dict[str, Any], me: str, other: str
) -> None:
    """A partner's token sees exactly its partner and that partner's agreements in the list."""
    response = _get(client, PARTNERS, tenants[f"secret_{me}"])
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["key"] for item in body["items"]] == [tenants[me].key]
    assert [a["reference"] for a in body["items"][0]["agreements"]] == [tenants[f"agreement_{me}"].reference]
    assert tenants[other].key not in response.content.decode()
    assert tenants[f"agreement_{other}"].reference not in response.content.decode()


def test_token_reads_its_own_partner_in_detail(client: Client, tenants: dict[str, Any]) -> None:
    """The detail of the own partner: master data and agreements, in the documented shape."""
    a = tenants["a"]
    response = _get(client, f"{PARTNERS}/{a.key}", tenants["secret_a"])
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("key", "name", "kind", "ags", "postcode", "city", "iban", "active")} == {
        "key": a.key,
        "name": a.name,
        "kind": "gemeinde",
        "ags": a.ags,
        "postcode": a.postcode,
        "city": a.city,
        "iban": a.iban,
        "active": True,
    }
    agreement = body["agreements"][0]
    assert agreement["reference"] == tenants["agreement_a"].reference
    assert agreement["valid_from"] == "2025-01-01"
    assert agreement["regime"] == "svwvg_sl"
    assert agreement["version"] == 1


def test_token_cannot_read_another_partner(client: Client, tenants: dict[str, Any]) -> None:
    """B's record is 404 for A's token, with the same answer as a key that does not exist (no probing)."""
    other = _get(client, f"{PARTNERS}/{tenants['b'].key}", tenants["secret_a"])
    missing = _get(client, f"{PARTNERS}/gibt-es-nicht", tenants["secret_a"])
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"] == "not_found"
    assert other.json()["message"] == f"Partner {tenants['b'].key!r} nicht gefunden."
    assert tenants["b"].name not in other.content.decode()


def _wrong_secret(t: dict[str, Any]) -> str:
    return f"kofo_{t['token_a'].prefix}_{'x' * 43}"


def _a_prefix_b_secret(t: dict[str, Any]) -> str:
    return f"kofo_{t['token_a'].prefix}_" + t["secret_b"].split("_", 2)[2]


BAD_TOKENS = [
    pytest.param(_wrong_secret, id="right-prefix-wrong-secret"),
    pytest.param(_a_prefix_b_secret, id="prefix-of-a-secret-of-b"),
    pytest.param(lambda t: t["secret_a"][:-1], id="truncated"),
    pytest.param(lambda t: t["secret_a"] + "x", id="extended"),
    pytest.param(lambda t: t["secret_a"].upper(), id="upper-case"),
    pytest.param(lambda t: "kofo_00000000_" + "x" * 43, id="unknown-prefix"),
    pytest.param(lambda t: "kofo_abc_def", id="short-prefix"),
    pytest.param(lambda t: "not-a-token", id="malformed"),
    pytest.param(lambda t: t["secret_a"].replace("kofo_", "kofx_", 1), id="wrong-scheme-word"),
    pytest.param(lambda t: t["token_a"].secret_hash, id="the-stored-hash"),
]


@pytest.mark.parametrize("make_token", BAD_TOKENS)
@pytest.mark.parametrize("path", [PARTNERS, "detail"])
def test_wrong_or_malformed_token_gets_401(
    client: Client, tenants: dict[str, Any], make_token: Any, path: str
) -> None:
    """Anything but the exact token is 401 auth.invalid with a German message."""
    url = f"{PARTNERS}/{tenants['a'].key}" if path == "detail" else path
    _assert_401(_get(client, url, make_token(tenants)))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic a29mbzpnZWhlaW0=",
        "Token {secret}",
    ],
)
def test_missing_or_other_authorization_scheme_gets_401(
    client: Client, tenants: dict[str, Any], header: Any
) -> None:
    """No token, an empty header, or another scheme than Bearer: 401."""
    headers = {} if header is None else {"Authorization": header.format(secret=tenants["secret_a"])}
    _assert_401(client.get(PARTNERS, headers=headers))


def test_revoked_token_gets_401(client: Client, tenants: dict[str, Any]) -> None:
    """A revoked token no longer opens anything; the partner's other tokens still work."""
    assert _get(client, PARTNERS, tenants["secret_a"]).status_code == 200
    do_revoke_api_token(tenants["token_a"], actor=TEST_ACTOR)
    _assert_401(_get(client, PARTNERS, tenants["secret_a"]))
    _assert_401(_get(client, f"{PARTNERS}/{tenants['a'].key}", tenants["secret_a"]))
    _, second = do_issue_api_token(tenants["a"], name="Ersatz", actor=TEST_ACTOR)
    assert _get(client, PARTNERS, second).status_code == 200


def test_token_of_a_deactivated_partner_gets_401(client: Client, tenants: dict[str, Any]) -> None:
    """When a partner leaves the cooperation (inactive), its tokens stop working; others are unaffected."""
    a = Partner.objects.get(pk=tenants["a"].pk)
    a.active = False
    do_save_partner(a, actor=TEST_ACTOR)
    _assert_401(_get(client, PARTNERS, tenants["secret_a"]))
    assert _get(client, PARTNERS, tenants["secret_b"]).status_code == 200


def test_only_the_hash_of_a_token_is_stored(client: Client, tenants: dict[str, Any]) -> None:
    """The secret (and its random part) appears in no row of any table; the stored value is its SHA-256."""
    secret = tenants["secret_a"]
    assert _get(client, PARTNERS, secret).status_code == 200
    random_part = secret.split("_", 2)[2]
    token = ApiToken.objects.get(pk=tenants["token_a"].pk)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(f"kofo_{token.prefix}_")
    rows = 0
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            rows += 1
            text = repr(row)
            assert random_part not in text, f"secret found in {model._meta.label}"
    assert rows > 10


def test_last_used_at_is_recorded_at_most_every_few_minutes(client: Client, tenants: dict[str, Any]) -> None:
    """A successful request stamps last_used_at; within LAST_USED_RESOLUTION_SECONDS it is not rewritten."""
    token = tenants["token_a"]
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None
    before = timezone.now()
    assert _get(client, PARTNERS, tenants["secret_a"]).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None and before <= first <= timezone.now()

    assert _get(client, PARTNERS, tenants["secret_a"]).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    stale = timezone.now() - dt.timedelta(seconds=api_auth.LAST_USED_RESOLUTION_SECONDS + 5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    assert _get(client, PARTNERS, tenants["secret_a"]).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > stale + dt.timedelta(seconds=5)
    # A failed request does not count as a use; the other partner's token is untouched.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    _get(client, PARTNERS, _wrong_secret(tenants))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == stale
    assert ApiToken.objects.get(pk=tenants["token_b"].pk).last_used_at is None


# --- office users through the session ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATION, Role.INNENDIENST, Role.AUSSENDIENST, Role.PRUEFUNG])
def test_office_users_see_all_partners_through_the_session(
    client: Client, tenants: dict[str, Any], role: Role
) -> None:
    """Office staff logged into the UI read every partner through the API (no token needed)."""
    client.force_login(factories.make_user(role))
    response = client.get(PARTNERS)
    assert response.status_code == 200
    keys = [item["key"] for item in response.json()["items"]]
    assert keys == sorted([tenants["a"].key, tenants["b"].key])
    assert client.get(f"{PARTNERS}/{tenants['b'].key}").status_code == 200


def test_agreements_in_the_api_follow_the_role(client: Client, tenants: dict[str, Any]) -> None:
    """Außendienst sees partners but not agreements; Innendienst sees both."""
    client.force_login(factories.make_user(Role.AUSSENDIENST))
    items = client.get(PARTNERS).json()["items"]
    assert all(item["agreements"] == [] for item in items)
    client.force_login(factories.make_user(Role.INNENDIENST))
    items = client.get(PARTNERS).json()["items"]
    assert sorted(a["reference"] for item in items for a in item["agreements"]) == sorted(
        [tenants["agreement_a"].reference, tenants["agreement_b"].reference]
    )


def test_partner_user_sees_only_its_partner_through_the_session(
    client: Client, tenants: dict[str, Any]
) -> None:
    """A Partner-role user's session is bound to its partner exactly like the partner's token."""
    client.force_login(factories.make_user(Role.PARTNER, tenants["b"]))
    body = client.get(PARTNERS).json()
    assert body["count"] == 1
    assert [item["key"] for item in body["items"]] == [tenants["b"].key]
    assert client.get(f"{PARTNERS}/{tenants['b'].key}").status_code == 200
    assert client.get(f"{PARTNERS}/{tenants['a'].key}").status_code == 404


def test_logged_out_session_gets_401(client: Client, tenants: dict[str, Any]) -> None:
    """After logout the session no longer authenticates."""
    client.force_login(factories.make_user(Role.INNENDIENST))
    assert client.get(PARTNERS).status_code == 200
    client.logout()
    _assert_401(client.get(PARTNERS))


# --- paging limits --------------------------------------------------------------------------------------------


@pytest.fixture
def office_client(client: Client, db: Any) -> Client:
    for _ in range(5):
        factories.make_partner()
    client.force_login(factories.make_user(Role.INNENDIENST))
    return client


@pytest.mark.parametrize(
    ("params", "count_items", "offset", "limit"),
    [
        ({}, 5, 0, limits.PAGE_SIZE_DEFAULT),
        ({"limit": 2}, 2, 0, 2),
        ({"limit": 2, "offset": 4}, 1, 4, 2),
        ({"offset": 5}, 0, 5, limits.PAGE_SIZE_DEFAULT),
        ({"limit": limits.PAGE_SIZE_MAX}, 5, 0, limits.PAGE_SIZE_MAX),
    ],
)
def test_pagination(
    office_client: Client, params: dict[str, int], count_items: int, offset: int, limit: int
) -> None:
    """Pages report count, offset and limit; pages follow the order of the keys without overlap."""
    body = office_client.get(PARTNERS, params).json()
    assert (body["count"], body["offset"], body["limit"]) == (5, offset, limit)
    assert len(body["items"]) == count_items
    all_keys = sorted(Partner.objects.values_list("key", flat=True))
    assert [item["key"] for item in body["items"]] == all_keys[offset : offset + limit]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": limits.PAGE_SIZE_MAX + 1},
        {"limit": 0},
        {"limit": -1},
        {"offset": -1},
        {"limit": "viele"},
    ],
)
def test_page_limits_are_enforced(office_client: Client, params: dict[str, Any]) -> None:
    """Rule 7: a page larger than PAGE_SIZE_MAX (or a nonsensical one) is 422 request.invalid, in German."""
    response = office_client.get(PARTNERS, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request.invalid"
    assert body["message"] == "Die Anfrage ist ungültig."
    assert body["details"]
