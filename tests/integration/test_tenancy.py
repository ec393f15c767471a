"""Tenancy at one choke point (rules of the house, no. 6): ``access_partners`` and ``access_agreements``.

Proves on SQLite and PostgreSQL, for every role and for API tokens: office staff see every partner (and
the agreements if their role may read agreements), a Partner user or a partner's token sees only its own
partner and its agreements, and nobody else sees anything (anonymous, revoked token, inactive user, user
without role). The binding to a partner wins over any extra permission.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from kofo.partners.access import (
    access_agreements,
    access_partners,
    bound_partner,
    is_office_staff,
    roles_of,
)
from kofo.partners.actions import do_issue_api_token, do_revoke_api_token
from kofo.partners.models import Agreement, Partner
from kofo.partners.roles import Role
from tests import factories
from tests.factories import TEST_ACTOR

User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs half a second per user; hashing is proven in test_partners, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Three partners, two agreements for A, one for B, none for C."""
    a, b, c = factories.make_partner(), factories.make_partner(), factories.make_partner()
    return {
        "a": a,
        "b": b,
        "c": c,
        "a_agreements": {factories.make_agreement(a).pk, factories.make_agreement(a).pk},
        "b_agreements": {factories.make_agreement(b).pk},
    }


def _pks(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def _fresh(user: Any) -> Any:
    return User.objects.get(pk=user.pk)  # no cached permissions


@pytest.mark.parametrize(
    ("role", "sees_agreements"),
    [
        (Role.ADMINISTRATION, True),
        (Role.INNENDIENST, True),
        (Role.PRUEFUNG, True),
        (Role.AUSSENDIENST, False),
    ],
)
def test_office_roles_see_every_partner(world: dict[str, Any], role: Role, sees_agreements: bool) -> None:
    """Office staff see all partners; agreements only with the role's view_agreement permission."""
    user = factories.make_user(role)
    assert is_office_staff(user)
    assert bound_partner(user) is None
    assert _pks(access_partners(user)) == set(Partner.objects.values_list("pk", flat=True))
    assert {world["a"].pk, world["b"].pk, world["c"].pk} <= _pks(access_partners(user))
    expected = world["a_agreements"] | world["b_agreements"] if sees_agreements else set()
    assert _pks(access_agreements(user)) == expected


@pytest.mark.parametrize("me", ["a", "b", "c"])
def test_partner_user_sees_only_its_partner(world: dict[str, Any], me: str) -> None:
    """A Partner user sees exactly its partner and that partner's agreements."""
    user = factories.make_user(Role.PARTNER, world[me])
    assert not is_office_staff(user)
    assert bound_partner(user) == world[me]
    assert _pks(access_partners(user)) == {world[me].pk}
    assert _pks(access_agreements(user)) == world.get(f"{me}_agreements", set())


@pytest.mark.parametrize("me", ["a", "b"])
def test_token_sees_only_its_partner(world: dict[str, Any], me: str) -> None:
    """A partner's API token sees exactly its partner and that partner's agreements."""
    token, _ = do_issue_api_token(world[me], name="Fachverfahren", actor=TEST_ACTOR)
    assert not is_office_staff(token)
    assert bound_partner(token) == world[me]
    assert _pks(access_partners(token)) == {world[me].pk}
    assert _pks(access_agreements(token)) == world[f"{me}_agreements"]


def test_revoked_token_sees_nothing(world: dict[str, Any]) -> None:
    """Revocation takes effect at the choke point itself, not only in the API's authentication."""
    token, _ = do_issue_api_token(world["a"], name="alt", actor=TEST_ACTOR)
    token = do_revoke_api_token(token, actor=TEST_ACTOR)
    assert not access_partners(token).exists()
    assert not access_agreements(token).exists()


def test_anonymous_sees_nothing(world: dict[str, Any]) -> None:
    """Not logged in: no partner, no agreement, no role."""
    anonymous = AnonymousUser()
    assert not is_office_staff(anonymous)
    assert bound_partner(anonymous) is None
    assert not access_partners(anonymous).exists()
    assert not access_agreements(anonymous).exists()
    assert roles_of(anonymous) == []


def test_inactive_office_user_sees_nothing(world: dict[str, Any]) -> None:
    """A deactivated account loses its access even if a session object is still around."""
    user = factories.make_user(Role.INNENDIENST)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no deactivation action exists yet
    user = _fresh(user)
    assert not is_office_staff(user)
    assert not access_partners(user).exists()
    assert not access_agreements(user).exists()


def test_inactive_partner_user_sees_nothing(world: dict[str, Any]) -> None:
    """A deactivated Partner user loses the view_own_partner permission with the account."""
    user = factories.make_user(Role.PARTNER, world["a"])
    User.objects.filter(pk=user.pk).update(is_active=False)
    user = _fresh(user)
    assert not access_partners(user).exists()
    assert not access_agreements(user).exists()


def test_user_without_role_sees_nothing(world: dict[str, Any]) -> None:
    """Permissions come from the role group only: without it, nothing is visible."""
    user = factories.make_user(Role.INNENDIENST)
    user.groups.clear()
    user = _fresh(user)
    assert roles_of(user) == []
    assert not is_office_staff(user)
    assert not access_partners(user).exists()
    assert not access_agreements(user).exists()


def test_partner_binding_wins_over_extra_office_permissions(world: dict[str, Any]) -> None:
    """A Partner user who also got an office group still sees only its own partner (binding first)."""
    user = factories.make_user(Role.PARTNER, world["a"])
    user.groups.add(Group.objects.get(name=Role.INNENDIENST.value))
    user = _fresh(user)
    assert user.has_perm("partners.view_partner")
    assert set(roles_of(user)) == {Role.PARTNER, Role.INNENDIENST}
    assert not is_office_staff(user)
    assert _pks(access_partners(user)) == {world["a"].pk}
    assert _pks(access_agreements(user)) == world["a_agreements"]


def test_agreements_of_a_new_partner_are_invisible_to_others(world: dict[str, Any]) -> None:
    """Data added later for another partner does not leak into an existing principal's view."""
    token, _ = do_issue_api_token(world["a"], name="Fachverfahren", actor=TEST_ACTOR)
    user = factories.make_user(Role.PARTNER, world["b"])
    newcomer = factories.make_partner()
    agreement = factories.make_agreement(newcomer)
    for principal in (token, user):
        assert newcomer.pk not in _pks(access_partners(principal))
        assert agreement.pk not in _pks(access_agreements(principal))
    assert Agreement.objects.filter(pk=agreement.pk).exists()
