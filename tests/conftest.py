"""Shared fixtures. Database tests run on SQLite and, with KOFO_DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

import pytest

from kofo.partners.roles import Role
from tests import factories


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    return factories.make_office()


@pytest.fixture
def partner(db):  # type: ignore[no-untyped-def]
    return factories.make_partner()


@pytest.fixture
def other_partner(db):  # type: ignore[no-untyped-def]
    return factories.make_partner()


@pytest.fixture
def user_of(db):  # type: ignore[no-untyped-def]
    """Factory: ``user_of(Role.INNENDIENST)`` or ``user_of(Role.PARTNER, partner)``."""
    return factories.make_user


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return factories.make_user(Role.ADMINISTRATION)
