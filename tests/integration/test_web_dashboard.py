"""The dashboard and lists show what the database holds: partners, agreements, ledger totals, audit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kofo.audit.models import AuditEvent
from kofo.ledger.accounts import office_account, partner_account, receivable_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents
from kofo.partners.models import Partner, PartnerKind
from kofo.partners.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_of(role: Role, partner: Partner | None = None) -> Client:
    client = Client()
    client.force_login(factories.make_user(role, partner))
    return client


def text(html: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def kind_row(html: str, kind: str) -> str:
    match = re.search(rf'<tr[^>]*data-kind="{kind}"[^>]*>(.*?)</tr>', html, flags=re.S)
    assert match, kind
    return text(match.group(1))


@pytest.fixture
def populated(office: Any) -> dict[str, Any]:
    today = timezone.localdate()
    landkreis = factories.make_partner(name="Landkreis Saarlouis", kind=PartnerKind.LANDKREIS, ags="10044000")
    gemeinde_a = factories.make_partner(name="Gemeinde Ensdorf")
    gemeinde_b = factories.make_partner(name="Gemeinde Schwalbach")
    verband = factories.make_partner(name="Zweckverband Abfall", kind=PartnerKind.ZWECKVERBAND, ags="")
    factories.make_partner(name="Gemeinde Alt", active=False)

    # In force, no notice.
    factories.make_agreement(landkreis, valid_from=today - dt.timedelta(days=400))
    # In force, notice given today: ends within the 6-month horizon.
    factories.make_agreement(
        gemeinde_a, valid_from=today - dt.timedelta(days=200), notice_given_on=today, notice_period_months=3
    )
    # In force, fixed term ending in two months.
    factories.make_agreement(
        gemeinde_b, valid_from=today - dt.timedelta(days=30), valid_to=today + dt.timedelta(days=60)
    )
    # Ended last month, and one that starts next year: not in force.
    factories.make_agreement(
        verband, valid_from=today - dt.timedelta(days=800), valid_to=today - dt.timedelta(days=30)
    )
    factories.make_agreement(verband, valid_from=today + dt.timedelta(days=365))

    # Ledger: a claim of 1.598,00 EUR handed over by the Landkreis, 250,00 EUR collected and owed to it,
    # 28,60 EUR fee income of the office.
    receivable = receivable_account(landkreis, landkreis, Component.PRINCIPAL, "Testforderung")
    do_post_transaction(
        [
            debit(receivable, Cents(159_800)),
            credit(partner_account(landkreis, AccountKind.PARTNER_CLAIMS), Cents(159_800)),
        ],
        reason_code="claim.handover",
        description="Übernahme Forderung",
        actor=factories.TEST_ACTOR,
        partner=landkreis,
    )
    do_post_transaction(
        [
            debit(office_account(AccountKind.BANK), Cents(27_860)),
            credit(partner_account(landkreis, AccountKind.PARTNER_PAYABLE), Cents(25_000)),
            credit(office_account(AccountKind.FEE_INCOME), Cents(2_860)),
        ],
        reason_code="payment.allocation",
        description="Zahlung mit Gebühr",
        actor=factories.TEST_ACTOR,
        partner=landkreis,
    )
    return {"landkreis": landkreis, "gemeinde_a": gemeinde_a, "gemeinde_b": gemeinde_b, "verband": verband}


def test_office_dashboard_shows_database_figures(populated: dict[str, Any]) -> None:
    response = client_of(Role.ADMINISTRATION).get(reverse("web:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()

    assert figure(html, "partners-active") == str(Partner.objects.filter(active=True).count()) == "4"
    counts = {row.kind: row.count for row in response.context["partner_counts"]}
    assert counts[PartnerKind.GEMEINDE] == 2
    assert counts[PartnerKind.LANDKREIS] == 1
    assert counts[PartnerKind.ZWECKVERBAND] == 1
    assert 'data-kind="gemeinde">2<' in html
    assert response.context["partners_inactive"] == 1

    assert figure(html, "agreements-in-force") == "3"
    assert figure(html, "agreements-notice") == "1"
    assert figure(html, "agreements-ending") == "2"
    ending = [a.partner.name for a in response.context["agreements"].ending_soon]
    assert sorted(ending) == ["Gemeinde Ensdorf", "Gemeinde Schwalbach"]

    assert "1.598,00 EUR" in kind_row(html, "receivable")
    assert "Soll" in kind_row(html, "receivable")
    assert "1.598,00 EUR" in kind_row(html, "partner_claims")  # sign-corrected: a credit shown positive
    assert "Haben" in kind_row(html, "partner_claims")
    assert "278,60 EUR" in kind_row(html, "bank")
    assert "250,00 EUR" in kind_row(html, "partner_payable")
    assert "28,60 EUR" in kind_row(html, "fee_income")
    assert "0,00 EUR" in kind_row(html, "suspense")
    assert "Hauptbuch ausgeglichen" in html

    events = response.context["events"]
    assert len(events) == 10
    assert events[0].pk == AuditEvent.objects.order_by("-id").first().pk
    assert "ledger.post_transaction" in html


def test_dashboard_sections_follow_permissions(populated: dict[str, Any]) -> None:
    aussendienst = client_of(Role.AUSSENDIENST).get(reverse("web:dashboard"))
    assert aussendienst.status_code == 200
    assert "partner_counts" in aussendienst.context
    assert "agreements" not in aussendienst.context
    assert "totals" not in aussendienst.context
    assert "events" not in aussendienst.context
    assert "Prüfpfad" not in aussendienst.content.decode()

    innendienst = client_of(Role.INNENDIENST).get(reverse("web:dashboard"))
    assert "totals" in innendienst.context and "agreements" in innendienst.context
    assert "events" not in innendienst.context

    pruefung = client_of(Role.PRUEFUNG).get(reverse("web:dashboard"))
    assert "events" in pruefung.context and "totals" in pruefung.context


def test_partner_dashboard_shows_own_data_only(populated: dict[str, Any]) -> None:
    landkreis = populated["landkreis"]
    response = client_of(Role.PARTNER, landkreis).get(reverse("web:dashboard"))
    assert response.status_code == 200
    assert response.templates[0].name == "web/dashboard_partner.html"
    html = response.content.decode()
    assert "Landkreis Saarlouis" in html
    assert landkreis.iban in html
    assert [a.partner_id for a in response.context["agreements_in_force"]] == [landkreis.pk]
    assert "1.598,00 EUR" in kind_row(html, "receivable")
    assert "250,00 EUR" in kind_row(html, "partner_payable")
    assert [row.kind for row in response.context["totals"]] == [
        AccountKind.RECEIVABLE,
        AccountKind.PARTNER_CLAIMS,
        AccountKind.PARTNER_PAYABLE,
    ]
    # Nothing of the office or of other partners.
    for other in (
        "Gemeinde Ensdorf",
        "Gemeinde Schwalbach",
        "Zweckverband Abfall",
        "28,60 EUR",
        "278,60 EUR",
    ):
        assert other not in html


def test_partner_dashboard_without_agreement_warns(office: Any) -> None:
    partner = factories.make_partner(name="Gemeinde Neu")
    html = client_of(Role.PARTNER, partner).get(reverse("web:dashboard")).content.decode()
    assert "Zurzeit gilt keine Kooperationsvereinbarung." in html


def test_dashboard_flags_unbalanced_ledger(populated: dict[str, Any], monkeypatch: Any) -> None:
    from kofo.web import queries

    monkeypatch.setattr(queries, "trial_balance", lambda: Cents(1))
    html = client_of(Role.INNENDIENST).get(reverse("web:dashboard")).content.decode()
    assert "Hauptbuch nicht ausgeglichen" in html
    assert "0,01 EUR" in html


def test_partner_list_shows_agreement_and_payable(populated: dict[str, Any]) -> None:
    html = client_of(Role.INNENDIENST).get(reverse("web:partner_list")).content.decode()
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>.*?Landkreis Saarlouis.*?</tr>", html, flags=re.S)
    assert row
    row_text = text(row.group(0))
    assert "Landkreis" in row_text and "10044000" in row_text
    assert "KV-" in row_text and "SVwVG" in row_text
    assert "250,00 EUR" in row_text


def test_partner_search_filters_with_and_without_htmx(populated: dict[str, Any]) -> None:
    client = client_of(Role.INNENDIENST)
    full = client.get(reverse("web:partner_list"), {"q": "ensdorf"})
    assert "<html" in full.content.decode()
    assert [p.name for p in full.context["page"].object_list] == ["Gemeinde Ensdorf"]

    fragment = client.get(reverse("web:partner_list"), {"q": "Schwalb"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'id="partner-rows"' in html
    assert "Gemeinde Schwalbach" in html and "Gemeinde Ensdorf" not in html
    assert "HX-Request" in fragment["Vary"]

    # The search box drives the live filter.
    page = client.get(reverse("web:partner_list")).content.decode()
    search = re.search(r"<input[^>]*name=\"q\"[^>]*>", page)
    assert search
    assert 'hx-get="/partner/"' in search.group(0)
    assert 'hx-trigger="keyup changed delay:300ms, search"' in search.group(0)
    assert 'hx-target="#partner-results"' in search.group(0)


def test_partner_list_paginates(office: Any, settings: Any) -> None:
    from kofo import limits

    for n in range(limits.PAGE_SIZE_DEFAULT + 3):
        factories.make_partner(name=f"Gemeinde Seite {n:03d}")
    client = client_of(Role.INNENDIENST)
    first = client.get(reverse("web:partner_list"))
    assert len(first.context["page"].object_list) == limits.PAGE_SIZE_DEFAULT
    assert "Seite 1 von 2" in first.content.decode()
    second = client.get(reverse("web:partner_list"), {"seite": 2})
    assert len(second.context["page"].object_list) == 3
    assert "Gemeinde Seite 052" in second.content.decode()


def test_audit_trail_verify_and_filter(populated: dict[str, Any]) -> None:
    client = client_of(Role.PRUEFUNG)
    response = client.post(reverse("web:audit_verify"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prüfkette intakt" in html
    assert f"{AuditEvent.objects.count()} Einträge geprüft" in html
    assert "<html" not in html

    # Without htmx: the result comes back as a message after a redirect.
    response = client.post(reverse("web:audit_verify"), follow=True)
    assert "Prüfkette intakt" in response.content.decode()

    listing = client.get(reverse("web:audit_list"), {"action": "ledger.post_transaction"})
    actions = {event.action for event in listing.context["page"].object_list}
    assert actions == {"ledger.post_transaction"}
    assert client.get(reverse("web:audit_verify")).status_code == 405


def test_audit_verify_reports_broken_chain(populated: dict[str, Any]) -> None:
    from django.db import connection

    event = AuditEvent.objects.order_by("id")[3]
    with connection.cursor() as cursor:
        # Tamper like an attacker with database rights; the test's rollback restores the trigger.
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
        cursor.execute("UPDATE audit_auditevent SET actor = %s WHERE id = %s", ["mallory", event.pk])
    html = (
        client_of(Role.ADMINISTRATION)
        .post(reverse("web:audit_verify"), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert f"Prüfkette unterbrochen bei Eintrag {event.pk}" in html
    assert "Inhalt verändert" in html


def test_data_access_log_lists_entries(populated: dict[str, Any]) -> None:
    partner = factories.make_partner(name="Gemeinde Kontakt", contact_name="Max Muster")
    admin = client_of(Role.ADMINISTRATION)
    admin.get(reverse("web:partner_detail", args=[partner.key]))
    html = admin.get(reverse("web:data_access_list"), {"subject": "Kontakt"}).content.decode()
    assert "Gemeinde Kontakt" in html
    assert "Ansprechperson: Name" in html
    assert reverse("web:partner_detail", args=[partner.key]) in html
