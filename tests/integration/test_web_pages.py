"""Every page of the web UI renders for each role that may see it and is refused for the others."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.models import AccountKind, Transaction
from kofo.money import Cents
from kofo.partners.models import Partner
from kofo.partners.roles import Role
from kofo.web.context import vendored_versions
from tests import factories

pytestmark = pytest.mark.django_db

ALL_ROLES = tuple(Role)
OFFICE_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.AUSSENDIENST, Role.PRUEFUNG)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.3 s per user; these tests create five users each and test pages, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    partner: Partner
    other_partner: Partner
    agreement_pk: int
    other_agreement_pk: int
    account_pk: int
    transaction_pk: int
    users: dict[Role, Any]

    def client_for(self, role: Role) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client


@pytest.fixture
def world(office: Any) -> World:
    partner = factories.make_partner(
        name="Gemeinde Wadgassen", contact_name="Erika Mustermann", contact_email="e.mustermann@example.org"
    )
    other = factories.make_partner(name="Stadt Völklingen")
    agreement = factories.make_agreement(partner)
    other_agreement = factories.make_agreement(other)
    payable = partner_account(partner, AccountKind.PARTNER_PAYABLE)
    txn = do_post_transaction(
        [debit(office_account(AccountKind.BANK), Cents(25_000)), credit(payable, Cents(25_000))],
        reason_code="payment.test",
        description="Zahlungseingang Test",
        actor=factories.TEST_ACTOR,
        partner=partner,
    )
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    return World(partner, other, agreement.pk, other_agreement.pk, payable.pk, txn.pk, users)


def pages(world: World) -> dict[str, tuple[str, tuple[Role, ...]]]:
    """URL and the roles that may open it (everyone else gets 403)."""
    ledger_roles = (Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG)
    audit_roles = (Role.ADMINISTRATION, Role.PRUEFUNG)
    return {
        "dashboard": (reverse("web:dashboard"), ALL_ROLES),
        "partner_list": (reverse("web:partner_list"), ALL_ROLES),
        "partner_detail": (reverse("web:partner_detail", args=[world.partner.key]), ALL_ROLES),
        "agreement_list": (
            reverse("web:agreement_list"),
            (Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG, Role.PARTNER),
        ),
        "agreement_detail": (
            reverse("web:agreement_detail", args=[world.agreement_pk]),
            (Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG, Role.PARTNER),
        ),
        "ledger": (reverse("web:ledger"), ledger_roles),
        "account_detail": (reverse("web:account_detail", args=[world.account_pk]), ledger_roles),
        "transaction_detail": (reverse("web:transaction_detail", args=[world.transaction_pk]), ledger_roles),
        "audit_list": (reverse("web:audit_list"), audit_roles),
        "data_access_list": (reverse("web:data_access_list"), audit_roles),
        "token_list": (reverse("web:token_list"), audit_roles),
        "token_issue": (reverse("web:token_issue"), (Role.ADMINISTRATION,)),
        "password_change": (reverse("password_change"), ALL_ROLES),
        "password_change_done": (reverse("password_change_done"), ALL_ROLES),
    }


PAGE_NAMES = [
    "dashboard",
    "partner_list",
    "partner_detail",
    "agreement_list",
    "agreement_detail",
    "ledger",
    "account_detail",
    "transaction_detail",
    "audit_list",
    "data_access_list",
    "token_list",
    "token_issue",
    "password_change",
    "password_change_done",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_page_access_by_role(world: World, name: str, role: Role) -> None:
    url, allowed = pages(world)[name]
    response = world.client_for(role).get(url)
    if role in allowed:
        assert response.status_code == 200, f"{role} should see {name}"
        html = response.content.decode()
        assert '<html lang="de"' in html
        assert 'id="inhalt"' in html
    else:
        assert response.status_code == 403, f"{role} must not see {name}"
        assert "Keine Berechtigung" in response.content.decode()


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_anonymous_is_sent_to_login(world: World, name: str) -> None:
    url, _ = pages(world)[name]
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_partner_user_gets_404_for_other_partners(world: World) -> None:
    client = world.client_for(Role.PARTNER)
    assert client.get(reverse("web:partner_detail", args=[world.other_partner.key])).status_code == 404
    assert client.get(reverse("web:partner_detail", args=["gibt-es-nicht"])).status_code == 404
    assert client.get(reverse("web:agreement_detail", args=[world.other_agreement_pk])).status_code == 404
    listing = client.get(reverse("web:partner_list")).content.decode()
    assert world.partner.name in listing
    assert world.other_partner.name not in listing
    agreements = client.get(reverse("web:agreement_list")).content.decode()
    assert world.other_partner.name not in agreements


def test_office_staff_see_every_partner(world: World) -> None:
    html = world.client_for(Role.INNENDIENST).get(reverse("web:partner_list")).content.decode()
    assert world.partner.name in html
    assert world.other_partner.name in html


EXPECTED_NAV = {
    Role.ADMINISTRATION: [
        "Übersicht",
        "Arbeitsliste",
        "Partner",
        "Vereinbarungen",
        "Ersuchen",
        "Forderungen",
        "Akten",
        "Schriftstücke",
        "Schuldner",
        "Prüffälle",
        "Rechner",
        "Hauptbuch",
        "Zahlungsverkehr",
        "Prüfpfad",
        "Datenzugriffe",
        "API-Tokens",
        "Stammdaten",
        "Passwort ändern",
    ],
    Role.INNENDIENST: [
        "Übersicht",
        "Arbeitsliste",
        "Partner",
        "Vereinbarungen",
        "Ersuchen",
        "Forderungen",
        "Akten",
        "Schriftstücke",
        "Schuldner",
        "Prüffälle",
        "Rechner",
        "Hauptbuch",
        "Zahlungsverkehr",
        "Passwort ändern",
    ],
    Role.AUSSENDIENST: ["Übersicht", "Partner", "Akten", "Schriftstücke", "Rechner", "Passwort ändern"],
    Role.PARTNER: [
        "Übersicht",
        "Partner",
        "Vereinbarungen",
        "Ersuchen",
        "Forderungen",
        "Schriftstücke",
        "Rechner",
        "Passwort ändern",
    ],
    Role.PRUEFUNG: [
        "Übersicht",
        "Partner",
        "Vereinbarungen",
        "Ersuchen",
        "Forderungen",
        "Akten",
        "Schriftstücke",
        "Schuldner",
        "Prüffälle",
        "Rechner",
        "Hauptbuch",
        "Zahlungsverkehr",
        "Prüfpfad",
        "Datenzugriffe",
        "API-Tokens",
        "Passwort ändern",
    ],
}


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_navigation_per_role(world: World, role: Role) -> None:
    response = world.client_for(role).get(reverse("web:dashboard"))
    labels = [item["label"] for item in response.context["nav_items"]()]
    assert labels == EXPECTED_NAV[role]
    html = response.content.decode()
    nav = html.split('aria-label="Hauptnavigation"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'class="kofo-nav__link"[^>]*>([^<]+)</a>', nav) == EXPECTED_NAV[role]
    assert 'aria-current="page">Übersicht<' in nav
    assert role.value in html  # the role is shown in the header


def test_partner_nav_points_to_own_partner(world: World) -> None:
    response = world.client_for(Role.PARTNER).get(reverse("web:dashboard"))
    partner_item = next(i for i in response.context["nav_items"]() if i["label"] == "Partner")
    assert partner_item["url"] == reverse("web:partner_detail", args=[world.partner.key])


def test_frame_landmarks_and_assets(world: World) -> None:
    html = world.client_for(Role.ADMINISTRATION).get(reverse("web:dashboard")).content.decode()
    assert '<a class="kofo-skip-link" href="#inhalt">Zum Inhalt springen</a>' in html
    assert "<header" in html and "<footer" in html
    assert '<nav class="kofo-nav" aria-label="Hauptnavigation">' in html
    assert '<main id="inhalt"' in html
    for asset in ("vendor/kern-ux/fonts/fira-sans.css", "vendor/kern-ux/kern.min.css", "kofo/kofo.css"):
        assert asset in html
    assert re.search(r'<script src="[^"]*vendor/htmx/htmx\.min\.js" defer>', html)
    assert "Landesverwaltungsamt Saarland" in html  # office name from Office.current()
    footer = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split("<footer", 1)[1]))
    versions = vendored_versions()
    assert f"KERN UX {versions['kern']} (EUPL-1.2)" in footer
    assert f"htmx {versions['htmx']} (0BSD)" in footer
    # The logout is a POST form with a CSRF token.
    logout = html.split(f'action="{reverse("logout")}"', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" in logout
    assert 'method="post"' in html.split(f'action="{reverse("logout")}"', 1)[0].rsplit("<form", 1)[1]


def test_office_name_falls_back_to_kofo(db: Any) -> None:
    user = factories.make_user(Role.INNENDIENST)
    client = Client()
    client.force_login(user)
    html = client.get(reverse("web:dashboard")).content.decode()
    assert '<span class="kofo-brand__office">kofo</span>' in html


def test_tables_are_accessible(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    for url in (
        reverse("web:partner_list"),
        reverse("web:ledger"),
        reverse("web:audit_list"),
        reverse("web:token_list"),
        reverse("web:agreement_list"),
    ):
        html = client.get(url).content.decode()
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            assert "<caption" in table or "aria-label" in table, url
            for th in re.findall(r"<th\b[^>]*>", table):
                assert "scope=" in th, (url, th)


def test_every_input_has_a_label(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    for url in (
        reverse("web:partner_list"),
        reverse("web:ledger"),
        reverse("web:audit_list"),
        reverse("web:data_access_list"),
        reverse("web:token_issue"),
        reverse("password_change"),
    ):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            control_id = re.search(r'id="([^"]+)"', tag)
            assert control_id, (url, tag)
            assert f'for="{control_id.group(1)}"' in html, (url, tag)


def test_transaction_detail_shows_reversal(world: World) -> None:
    from kofo.ledger.actions import do_reverse_transaction

    original = Transaction.objects.get(pk=world.transaction_pk)
    reversal = do_reverse_transaction(original, reason="Fehlbuchung", actor=factories.TEST_ACTOR)
    client = world.client_for(Role.INNENDIENST)
    html = client.get(reverse("web:transaction_detail", args=[original.pk])).content.decode()
    assert "Storniert durch" in html
    assert reverse("web:transaction_detail", args=[reversal.pk]) in html
    html = client.get(reverse("web:transaction_detail", args=[reversal.pk])).content.decode()
    assert "Stornobuchung zu" in html


def test_account_statement_running_balance(world: World) -> None:
    payable = partner_account(world.partner, AccountKind.PARTNER_PAYABLE)
    do_post_transaction(
        [debit(payable, Cents(5_000)), credit(office_account(AccountKind.BANK), Cents(5_000))],
        reason_code="remittance.test",
        description="Auskehrung Test",
        actor=factories.TEST_ACTOR,
    )
    response = world.client_for(Role.PRUEFUNG).get(reverse("web:account_detail", args=[payable.pk]))
    postings = list(response.context["page"].object_list)
    assert [p.running_cents for p in postings] == [-20_000, -25_000]
    html = response.content.decode()
    assert "200,00 EUR Haben" in html
    assert "250,00 EUR Haben" in html


def test_ledger_filter_by_kind_and_partner(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    response = client.get(reverse("web:ledger"), {"kind": "partner_payable", "partner": world.partner.key})
    codes = [a.code for a in response.context["page"].object_list]
    assert codes == [f"3000-{world.partner.key}"]
    response = client.get(reverse("web:ledger"), {"kind": "bank"})
    assert [a.code for a in response.context["page"].object_list] == ["1000"]


def test_agreement_detail_shows_law_fields_and_history(world: World) -> None:
    from kofo.partners.actions import do_save_agreement
    from kofo.partners.models import Agreement

    agreement = Agreement.objects.get(pk=world.agreement_pk)
    agreement.small_amount_threshold_cents = 5000
    agreement.gazette_reference = "Amtsbl. I 2025 S. 123"
    agreement.notice_given_on = timezone.localdate() - dt.timedelta(days=10)
    do_save_agreement(agreement, actor=factories.TEST_ACTOR, reason="Kleinbetragsgrenze angehoben")
    response = world.client_for(Role.ADMINISTRATION).get(reverse("web:agreement_detail", args=[agreement.pk]))
    html = response.content.decode()
    assert "50,00 EUR" in html
    assert "Amtsbl. I 2025 S. 123" in html
    assert "Grundsteuer" in html and "Hundesteuer" in html
    assert "Saarländisches Verwaltungsvollstreckungsgesetz" in html
    assert agreement.earliest_end().strftime("%d.%m.%Y") in html
    assert "Kleinbetragsgrenze angehoben" in html
    history = response.context["history"]
    assert len(history) == 1
    assert history[0].revision.version == 1
    assert "Kleinbetragsgrenze (Cent)" in history[0].changed_fields
    assert "gekündigt" in html


def test_error_pages_are_german(world: World) -> None:
    from django.template.loader import render_to_string

    response = world.client_for(Role.INNENDIENST).get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
    html = render_to_string("500.html")
    assert "Interner Fehler" in html and '<html lang="de"' in html


def test_kofo_css_has_the_htmx_loader_and_focus_rules() -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("kofo/kofo.css")
    assert path
    css = Path(path).read_text(encoding="utf-8")
    assert ".htmx-request .kern-loader" in css
    assert ":focus-visible" in css
    assert '[aria-current="page"]' in css
