"""Login, lockout, password change, API tokens and the access log of personal data in the web UI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from kofo import limits
from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.partners.models import ApiToken, Partner
from kofo.partners.roles import Role
from kofo.partners.tokens import hash_token
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"kofo_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- login, logout, lockout, password change ---------------------------------------------------------


def test_login_page_is_german_and_accessible(db: Any) -> None:
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "<h1" in html and "Anmelden" in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert 'autocomplete="current-password"' in html
    assert "Hauptnavigation" not in html  # no navigation before login
    assert f"Nach {limits.LOGIN_FAILURES_MAX} Fehlversuchen" in html


def test_login_and_logout(db: Any) -> None:
    user = factories.make_user(Role.INNENDIENST, username="sachbearbeiterin")
    client = Client()
    response = client.post(reverse("login"), {"username": "sachbearbeiterin", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert client.session[SESSION_KEY] == str(user.pk)
    # A logged-in user who opens the login page goes to the dashboard.
    assert client.get(reverse("login"))["Location"] == reverse("web:dashboard")

    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session


def test_login_redirects_to_next(db: Any) -> None:
    factories.make_user(Role.INNENDIENST, username="weiter")
    client = Client()
    target = reverse("web:partner_list")
    response = client.get(target)
    assert response["Location"] == f"{reverse('login')}?next={target}"
    response = client.post(
        f"{reverse('login')}?next={target}",
        {"username": "weiter", "password": factories.PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_wrong_password_shows_german_error(db: Any) -> None:
    factories.make_user(Role.INNENDIENST, username="vertippt")
    response = Client().post(reverse("login"), {"username": "vertippt", "password": "falsch"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Benutzername" in html and "Passwort" in html
    assert "kern-alert--danger" in html


def test_csrf_failure_page_is_german(db: Any) -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Sicherheitsprüfung fehlgeschlagen" in html and '<html lang="de"' in html


def test_lockout_after_repeated_failures(db: Any) -> None:
    factories.make_user(Role.INNENDIENST, username="gesperrt")
    client = Client()
    responses = [
        client.post(reverse("login"), {"username": "gesperrt", "password": f"falsch-{n}"})
        for n in range(limits.LOGIN_FAILURES_MAX)
    ]
    assert all(r.status_code == 200 for r in responses[:-1])
    locked = responses[-1]
    assert locked.status_code == 429
    html = locked.content.decode()
    minutes = round(limits.LOGIN_LOCKOUT_HOURS * 60)
    assert "Zu viele Fehlversuche." in html
    assert f"in {minutes} Minuten erneut versuchen" in html
    assert '<html lang="de"' in html
    # Even the right password is refused while locked.
    again = client.post(reverse("login"), {"username": "gesperrt", "password": factories.PASSWORD})
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


def test_password_change(db: Any) -> None:
    user = factories.make_user(Role.PRUEFUNG, username="pruefer")
    client = logged_in(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Passwort ändern" in page and 'for="id_old_password"' in page

    bad = client.post(
        reverse("password_change"),
        {
            "old_password": "falsch",
            "new_password1": "Neu-Passwort-2026!",
            "new_password2": "Neu-Passwort-2026!",
        },
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_old_password_error"' in html
    assert 'id="id_old_password_error"' in html

    ok = client.post(
        reverse("password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": "Neu-Passwort-2026!",
            "new_password2": "Neu-Passwort-2026!",
        },
    )
    assert ok["Location"] == reverse("password_change_done")
    done = client.get(reverse("password_change_done"))
    assert "Ihr Passwort wurde geändert." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("Neu-Passwort-2026!")


# --- API tokens ----------------------------------------------------------------------------------------


@pytest.fixture
def partner_with_admin(office: Any) -> tuple[Partner, Client]:
    partner = factories.make_partner(name="Gemeinde Token")
    return partner, logged_in(factories.make_user(Role.ADMINISTRATION))


def test_token_secret_is_shown_once_and_only_its_hash_is_stored(
    partner_with_admin: tuple[Partner, Client],
) -> None:
    partner, client = partner_with_admin
    response = client.post(
        reverse("web:token_issue"), {"partner": partner.key, "name": "Fachverfahren Kasse"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secrets = set(TOKEN_RE.findall(html))
    assert len(secrets) == 1
    secret = secrets.pop()
    assert "nur jetzt angezeigt" in html

    token = ApiToken.objects.get(partner=partner)
    assert token.name == "Fachverfahren Kasse"
    assert token.secret_hash == hash_token(secret)
    assert secret.split("_", 2)[1] == token.prefix
    stored = [
        str(v) for v in ApiToken.objects.values_list("name", "prefix", "secret_hash", "created_by").get()
    ]
    assert all(secret not in value for value in stored)
    assert not AuditEvent.objects.filter(summary__icontains=secret.split("_", 2)[2]).exists()
    assert all(secret not in str(value) for value in client.session.values())

    # Not shown again anywhere.
    for url in (reverse("web:token_list"), reverse("web:partner_detail", args=[partner.key])):
        page = client.get(url).content.decode()
        assert secret not in page
        assert f"kofo_{token.prefix}_…" in page
    assert AuditEvent.objects.filter(action="partners.issue_api_token", object_id=str(token.pk)).exists()


def test_token_issue_form_errors(partner_with_admin: tuple[Partner, Client]) -> None:
    _, client = partner_with_admin
    response = client.post(reverse("web:token_issue"), {"partner": "", "name": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_partner_error"' in html and 'id="id_name_error"' in html
    assert "kern-form-input--error" in html
    assert not ApiToken.objects.exists()


def test_token_revocation(partner_with_admin: tuple[Partner, Client]) -> None:
    partner, client = partner_with_admin
    client.post(reverse("web:token_issue"), {"partner": partner.key, "name": "Altes Verfahren"})
    token = ApiToken.objects.get()
    assert client.get(reverse("web:token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("web:token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "wurde widerrufen" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by
    assert AuditEvent.objects.filter(action="partners.revoke_api_token", object_id=str(token.pk)).exists()
    # Revoked tokens leave the default list and appear under "alle".
    assert token not in client.get(reverse("web:token_list")).context["page"].object_list
    assert token in client.get(reverse("web:token_list"), {"anzeigen": "alle"}).context["page"].object_list


def test_pruefung_sees_tokens_read_only(partner_with_admin: tuple[Partner, Client]) -> None:
    partner, admin = partner_with_admin
    admin.post(reverse("web:token_issue"), {"partner": partner.key, "name": "Kasse"})
    token = ApiToken.objects.get()
    pruefung = logged_in(factories.make_user(Role.PRUEFUNG))
    html = pruefung.get(reverse("web:token_list")).content.decode()
    assert "Kasse" in html
    assert "Widerrufen" not in html and "Token ausgeben" not in html
    assert pruefung.post(reverse("web:token_revoke", args=[token.pk])).status_code == 403
    assert pruefung.post(reverse("web:token_issue"), {"partner": partner.key, "name": "x"}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_partner_user_cannot_touch_tokens(partner_with_admin: tuple[Partner, Client]) -> None:
    partner, admin = partner_with_admin
    admin.post(reverse("web:token_issue"), {"partner": partner.key, "name": "Kasse"})
    token = ApiToken.objects.get()
    client = logged_in(factories.make_user(Role.PARTNER, partner))
    assert client.get(reverse("web:token_list")).status_code == 403
    assert client.post(reverse("web:token_revoke", args=[token.pk])).status_code == 403


# --- personal data ------------------------------------------------------------------------------------


def test_viewing_contact_person_is_logged(office: Any) -> None:
    partner = factories.make_partner(
        name="Gemeinde Datenschutz",
        contact_name="Erika Mustermann",
        contact_email="erika@example.org",
        contact_phone="06898 123",
    )
    user = factories.make_user(Role.AUSSENDIENST)
    client = logged_in(user)
    url = reverse("web:partner_detail", args=[partner.key])
    html = client.get(url).content.decode()
    assert "Erika Mustermann" in html and "erika@example.org" in html and "06898 123" in html
    entry = PersonalDataAccess.objects.get()
    assert entry.user_id == user.pk
    assert entry.actor == user.username
    assert entry.subject_type == "partners.partner" and entry.subject_id == str(partner.pk)
    assert entry.what == "Ansprechperson: Name, E-Mail, Telefon"
    assert entry.channel == "ui" and entry.path == url

    client.get(url)
    assert PersonalDataAccess.objects.count() == 2  # every view is logged


def test_no_log_without_contact_person(office: Any) -> None:
    partner = factories.make_partner(name="Gemeinde Ohne Kontakt")
    logged_in(factories.make_user(Role.INNENDIENST)).get(reverse("web:partner_detail", args=[partner.key]))
    assert not PersonalDataAccess.objects.exists()


def test_refused_views_log_nothing(office: Any) -> None:
    partner = factories.make_partner(name="Gemeinde Geheim", contact_name="Max Muster")
    other = factories.make_partner(name="Gemeinde Fremd")
    client = logged_in(factories.make_user(Role.PARTNER, other))
    assert client.get(reverse("web:partner_detail", args=[partner.key])).status_code == 404
    assert not PersonalDataAccess.objects.exists()
