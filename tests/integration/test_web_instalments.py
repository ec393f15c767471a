"""Web UI of the instalment plan on the file page (Ratenzahlung as Vollstreckungsaufschub, § 258 AO): the form
„Ratenzahlung vereinbaren“ with its preview and confirmation, the refusals at the form, the schedule with the
payments and overdue instalments, „Widerrufen“; read-only for the other office roles, no access for partners.

The data comes in as in production (like test_instalments): a partner submits a CSV request, the daily run of
02.05.2025 opens the file and sends the payment demand, the run of 14.05.2025 ends it and the strategy proposes
the next measure. Expected values (sources as in test_instalments): Peter Lang, GW-2025-9, 1.598,00 EUR due Mon
10.03.2025; Säumniszuschläge 15,50 EUR per started month from 11.03., 11.04., 11.05. (LAW.md) → 46,50 EUR by
14.05.2025, 1.644,50 EUR enforceable. The pages use the real date (``timezone.localdate()``); the runs of
2025 book no later surcharges, so the total stays 1.644,50 EUR.
"""

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

from kofo.audit.models import AuditEvent
from kofo.cases.casefiles import do_suspend_case
from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import do_arrange_instalments
from kofo.cases.models import (
    Case,
    FollowUpKind,
    InstalmentPlan,
    InstalmentPlanStatus,
    InstalmentStatus,
    MeasureKind,
    MeasureStatus,
)
from kofo.documents.models import Document, DocumentKind
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.law.deadlines import add_months
from kofo.ledger.balances import trial_balance
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.partners.roles import Role
from kofo.payments.actions import do_record_payment
from kofo.payments.models import PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db

C = Cents.parse
D = dt.date
ACTOR = factories.TEST_ACTOR
ROW = (
    "GW-2025-9;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;9;"
    "natuerlich;Lang;Peter;;04.04.1971;;;;;Am Markt;3;66740;Saarlouis;DE;;;;;"
)
TOTAL = "1.644,50 EUR"
IBAN = "DE89370400440532013000"
READ_ONLY = (Role.AUSSENDIENST, Role.PRUEFUNG)


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test-worker")


@dataclass
class World:
    users: dict[Role, Any]

    def client_for(self, role: Role = Role.INNENDIENST) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client

    @property
    def case(self) -> Case:
        return Case.objects.get()


@pytest.fixture
def world(office: Any) -> World:
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(partner, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    batch = do_import_request(
        partner, f"{factories.INTAKE_CSV_HEADER}\n{ROW}\n".encode(), channel=Channel.CSV,
        filename="ersuchen.csv", as_of=D(2025, 5, 1), actor=ACTOR,
    )  # fmt: skip
    assert batch.items_accepted == 1
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    run_day(D(2025, 5, 2))  # the file is opened, the payment demand goes out
    run_day(D(2025, 5, 14))  # the payment period has passed: the strategy proposes the next measure
    return World(users)


def today() -> dt.date:
    return timezone.localdate()


def page(client: Client, case: Case, **params: str) -> str:
    response = client.get(reverse("web:case_detail", args=[case.number]), params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def arrange(client: Client, case: Case, **fields: Any) -> Any:
    data = {
        f"ratenzahlung-{key}": str(value)
        for key, value in fields.items()
        if key not in ("bestaetigt", "gesamt")
    }
    if "bestaetigt" in fields:
        data["bestaetigt"] = fields["bestaetigt"]
    if "gesamt" in fields:
        data["vorschau_gesamt"] = str(fields["gesamt"])
    return client.post(reverse("web:case_arrange_instalments", args=[case.number]), data)


def revoke(client: Client, plan: InstalmentPlan, reason: str, **extra: str) -> Any:
    url = reverse("web:case_revoke_instalments", args=[plan.case.number, plan.pk])
    return client.post(url, {f"widerruf-{plan.pk}-reason": reason, **extra})


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def plan_row(html: str, number: int) -> str:
    start = html.index(f'data-instalment="{number}"')
    return html[start : html.index("</tr>", start)]


def first_of_next_month() -> dt.date:
    return add_months(today().replace(day=1), 1)


# --- arranging -------------------------------------------------------------------------------------------


def test_arrange_with_preview_and_confirmation(world: World) -> None:
    client = world.client_for()
    case = world.case
    proposed = case.measures.get(status=MeasureStatus.PROPOSED)
    html = page(client, case)
    ratenzahlung = section(html, "ratenzahlung")
    assert "Keine laufende Ratenzahlung." in ratenzahlung
    form = ratenzahlung.split('id="ratenzahlung-vereinbaren"', 1)[1]
    assert f'name="ratenzahlung-first_due_on" value="{first_of_next_month().isoformat()}"' in form
    assert f'data-figure="instalment-payable">{TOTAL}<' in form
    assert "mehr als 12 Raten nur mit Begründung" in form
    for label in ("monatliche Rate", "erste Rate fällig am", "IBAN für Lastschrift", "Mandatsreferenz"):
        assert label in form

    first = first_of_next_month()
    fields = {"instalment": "500,00", "first_due_on": first.isoformat(), "reason": "",
              "iban": "de89 3704 0044 0532 0130 00", "mandate_reference": "KOFO-VA-1"}  # fmt: skip
    preview = arrange(client, case, **fields)
    text = preview.content.decode()
    assert preview.status_code == 200 and "Ratenzahlung vereinbaren?" in text
    lead = re.sub(
        r"<[^>]+>", "", re.search(r'data-figure="preview-lead">(.*?)</span>\s*</div>', text, re.S)[1]
    )  # type: ignore[index]
    assert lead == (
        f"4 Raten zu 500,00 EUR über {TOTAL}, die erste am {first:%d.%m.%Y}, "
        f"die letzte am {add_months(first, 3):%d.%m.%Y}."
    )
    schedule = text.split('data-preview="schedule"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r"kofo-amount\">([^<]+)<", schedule) == ["500,00 EUR"] * 3 + ["144,50 EUR"]
    assert add_months(first, 2).strftime("%d.%m.%Y") in schedule
    claims = text.split('data-preview="claims"', 1)[1].split("</table>", 1)[0]
    assert "GW-2025-9" in claims and "Kreisstadt Saarlouis" in claims and TOTAL in claims
    assert f"Einzug per Lastschrift von IBAN {IBAN}, Mandatsreferenz KOFO-VA-1" in text
    assert 'name="bestaetigt" value="ja"' in text and 'name="vorschau_gesamt" value="164450"' in text
    assert 'name="ratenzahlung-instalment" value="500,00"' in text
    assert not InstalmentPlan.objects.exists()  # nothing arranged yet

    response = arrange(client, case, **fields, bestaetigt="ja", gesamt=164450)
    assert response.status_code == 302 and response["Location"].endswith("#ratenzahlung")
    plan = InstalmentPlan.objects.get()
    assert (plan.status, plan.instalment_cents, plan.total_cents) == (
        InstalmentPlanStatus.ACTIVE,
        50_000,
        164_450,
    )
    assert (plan.first_due_on, plan.agreed_on, plan.grace_days) == (first, today(), 14)
    assert (plan.iban, plan.mandate_reference) == (IBAN, "KOFO-VA-1")
    assert [i.amount_cents for i in plan.instalments.all()] == [50_000, 50_000, 50_000, 14_450]
    assert AuditEvent.objects.filter(action="cases.arrange_instalments").exists()
    # Enforcement rests: the proposal is dropped, its worklist follow-up done, the demand finished.
    proposed.refresh_from_db()
    assert proposed.status == MeasureStatus.CANCELLED
    assert not case.follow_ups.filter(kind=FollowUpKind.PROPOSAL, done_at__isnull=True).exists()
    assert case.measures.get(kind=MeasureKind.ZAHLUNGSAUFFORDERUNG).status == MeasureStatus.DONE

    html = client.get(response["Location"]).content.decode()
    assert (
        f"Ratenzahlung vereinbart: 4 Raten zu 500,00 EUR, die erste am {first:%d.%m.%Y}. "
        "Die Vollstreckung ruht, solange die Raten eingehen."
    ) in html
    ratenzahlung = section(html, "ratenzahlung")
    assert 'id="ratenzahlung-vereinbaren"' not in html  # one plan at a time
    assert f'data-plan="{plan.pk}" data-status="active"' in ratenzahlung
    assert f"vereinbart am {today():%d.%m.%Y}" in ratenzahlung
    assert 'data-figure="plan-instalment">500,00 EUR<' in ratenzahlung
    assert 'data-field="grace-days">14 Tage' in ratenzahlung
    assert f"IBAN {IBAN}, Mandatsreferenz KOFO-VA-1" in ratenzahlung
    assert first.strftime("%d.%m.%Y") in plan_row(ratenzahlung, 1) and "offen" in plan_row(ratenzahlung, 1)
    assert "144,50 EUR" in plan_row(ratenzahlung, 4)
    assert "Widerrufen" in ratenzahlung and "data-overdue" not in ratenzahlung
    # The notice with the schedule is in the file at once (issue 6); the day's print step sends it.
    notice = Document.objects.get(case=case, kind=DocumentKind.RATENZAHLUNG)
    assert (notice.measure_id, notice.letter_date) == (plan.measure_id, today())
    assert "1 Schreiben erstellt und in der Akte abgelegt: „Bewilligung von Ratenzahlungen" in html
    # The running measure links to its schedule.
    assert 'href="#ratenzahlung">Zahlungsplan</a>' in html


def test_refusals_are_shown_at_the_form(world: World) -> None:
    client = world.client_for()
    case = world.case
    first = first_of_next_month().isoformat()

    def refused(**fields: Any) -> str:
        response = arrange(client, case, **fields)
        assert response.status_code == 200
        text = response.content.decode()
        assert 'id="ratenzahlung-vereinbaren" open' in text, text[:200]
        return text

    text = refused(instalment="20,00", first_due_on=first)
    assert "länger als fünf Jahre" in text
    text = refused(instalment="0,00", first_due_on=first)
    assert "Der Betrag muss größer als 0,00 EUR sein." in text
    text = refused(instalment="abc", first_due_on=first)
    assert 'id="ratenzahlung-vereinbaren" open' in text
    text = refused(instalment="100,00", first_due_on=first)  # 17 instalments
    assert "Mehr als 12 Raten (hier 17): bitte begründen" in text
    text = refused(instalment="500,00", first_due_on=(today() - dt.timedelta(days=1)).isoformat())
    assert "Die erste Rate kann nicht vor der Vereinbarung fällig sein." in text
    text = refused(instalment="500,00", first_due_on=first, iban="DE00123")
    assert "Die IBAN ist ungültig" in text
    text = refused(instalment="500,00", first_due_on=first, mandate_reference="M-1")
    assert "Zur Mandatsreferenz gehört die IBAN" in text
    text = refused(instalment="500,00", first_due_on=first, iban=IBAN, mandate_reference="Mandat#1")
    assert "Die Mandatsreferenz darf nur" in text
    assert not InstalmentPlan.objects.exists()

    # With a reason, 17 instalments are previewed (and marked as longer than usual).
    preview = arrange(client, case, instalment="100,00", first_due_on=first, reason="Rente 980 EUR")
    text = preview.content.decode()
    assert (
        "17 Raten zu 100,00 EUR" in text
        and 'data-long="true"' in text
        and "Begründung: Rente 980 EUR" in text
    )

    # The open total changed between preview and confirmation: the preview again, nothing arranged.
    stale = arrange(client, case, instalment="500,00", first_due_on=first, bestaetigt="ja", gesamt=100)
    assert stale.status_code == 200 and 'data-changed="true"' in stale.content.decode()
    assert not InstalmentPlan.objects.exists()

    # A running plan: the form is gone, a second one is refused.
    arrange(client, case, instalment="500,00", first_due_on=first, bestaetigt="ja", gesamt=164450)
    assert InstalmentPlan.objects.count() == 1
    text = refused(instalment="500,00", first_due_on=first)
    assert "Für die Akte läuft bereits eine Ratenzahlung." in text
    assert InstalmentPlan.objects.count() == 1


def test_a_suspended_file_and_a_paid_file_are_refused(world: World) -> None:
    client = world.client_for()
    case = world.case
    first = first_of_next_month().isoformat()
    do_record_payment(case, amount=C("1644,50"), received_on=D(2025, 5, 20), source=PaymentSource.DEBTOR,
                      actor=ACTOR)  # fmt: skip
    text = arrange(client, case, instalment="500,00", first_due_on=first).content.decode()
    assert "Keine vollstreckbare offene Forderung in der Akte." in text
    do_suspend_case(case, until=today() + dt.timedelta(days=30), reason="Krankheit", actor=ACTOR)
    html = page(client, case)
    assert 'id="ratenzahlung-vereinbaren"' not in html
    text = arrange(client, case, instalment="500,00", first_due_on=first).content.decode()
    assert "Ratenzahlung nur in einer Akte in Bearbeitung." in text
    assert not InstalmentPlan.objects.exists()


# --- the schedule -------------------------------------------------------------------------------------------


def test_payments_on_the_page_pay_the_instalments(world: World) -> None:
    client = world.client_for()
    case = world.case
    first = first_of_next_month()
    arrange(client, case, instalment="500,00", first_due_on=first.isoformat(), bestaetigt="ja", gesamt=164450)
    payment = {
        "zahlung-amount": "600,00",
        "zahlung-received_on": today().isoformat(),
        "zahlung-source": "debtor",
    }
    response = client.post(reverse("web:case_record_payment", args=[case.number]), payment)
    assert response.status_code == 302
    assert any(
        "Ratenzahlung: 1. Rate bezahlt; 2. Rate teilweise bezahlt." in m for m in messages_of(response)
    )
    html = page(client, case)
    ratenzahlung = section(html, "ratenzahlung")
    one, two = plan_row(ratenzahlung, 1), plan_row(ratenzahlung, 2)
    assert 'data-status="paid"' in one and "bezahlt" in one and f"am {today():%d.%m.%Y}" in one
    assert 'data-figure="instalment-paid">500,00 EUR<' in one
    assert 'data-status="open"' in two and 'data-figure="instalment-paid">100,00 EUR<' in two
    assert "teilweise bezahlt" in two
    assert 'data-figure="plan-paid">600,00 EUR<' in ratenzahlung
    assert 'data-figure="plan-outstanding">1.044,50 EUR<' in ratenzahlung
    assert trial_balance() == 0


def test_overdue_instalments_are_highlighted(world: World) -> None:
    case = world.case
    agreed = today() - dt.timedelta(days=40)
    do_arrange_instalments(case, instalment=C("500,00"), first_due_on=agreed + dt.timedelta(days=5), on=agreed,
                           reason="", actor=ACTOR)  # fmt: skip
    ratenzahlung = section(page(world.client_for(), case), "ratenzahlung")
    row = plan_row(ratenzahlung, 1)
    assert 'data-overdue="true"' in row and "überfällig seit 35 Tagen" in row
    assert "<strong>" in row
    assert "überfällig" not in plan_row(ratenzahlung, 3)
    assert "Rate überfällig" in ratenzahlung or "Raten überfällig" in ratenzahlung


# --- revoking ---------------------------------------------------------------------------------------------


def test_revoke_asks_for_confirmation(world: World) -> None:
    client = world.client_for()
    case = world.case
    arrange(client, case, instalment="500,00", first_due_on=first_of_next_month().isoformat(), bestaetigt="ja",
            gesamt=164450)  # fmt: skip
    plan = InstalmentPlan.objects.get()
    empty = revoke(client, plan, "")
    assert (
        empty.status_code == 200 and f'id="ratenzahlung-{plan.pk}-widerrufen" open' in empty.content.decode()
    )
    confirm = revoke(client, plan, "Schuldner zahlt nicht, neue Bankverbindung bekannt")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Ratenzahlung widerrufen?" in text
    assert "Grund: Schuldner zahlt nicht, neue Bankverbindung bekannt" in text
    assert 'name="bestaetigt" value="ja"' in text
    plan.refresh_from_db()
    assert plan.status == InstalmentPlanStatus.ACTIVE

    response = revoke(client, plan, "Schuldner zahlt nicht, neue Bankverbindung bekannt", bestaetigt="ja")
    assert response.status_code == 302 and response["Location"].endswith("#ratenzahlung")
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (InstalmentPlanStatus.REVOKED, today())
    assert plan.measure.status == MeasureStatus.FAILED
    assert case.follow_ups.filter(kind=FollowUpKind.DEADLINE, key=f"instalments-revoked:{plan.pk}").exists()
    html = client.get(response["Location"]).content.decode()
    assert "Ratenzahlung widerrufen; die Vollstreckung wird fortgesetzt." in html
    revocation = Document.objects.get(case=case, kind=DocumentKind.RATENZAHLUNG_WIDERRUF)
    assert revocation.letter_date == today() and "Schreiben erstellt und in der Akte abgelegt" in html
    ratenzahlung = section(html, "ratenzahlung")
    assert "Keine laufende Ratenzahlung." in ratenzahlung
    assert f"Ratenzahlung vom {today():%d.%m.%Y} (widerrufen am {today():%d.%m.%Y})" in ratenzahlung
    assert 'id="ratenzahlung-vereinbaren"' in ratenzahlung  # a new plan may be arranged
    assert "Weiter zur Bestätigung" not in ratenzahlung.split('id="ratenzahlung-vereinbaren"')[0]

    # Revoking again is answered at the form.
    again = revoke(client, plan, "nochmal", bestaetigt="ja")
    assert (
        again.status_code == 200
        and "Die Ratenzahlung läuft nicht mehr (widerrufen)." in again.content.decode()
    )


# --- who may do what ----------------------------------------------------------------------------------------


def test_the_other_roles_read_the_plan_without_forms(world: World) -> None:
    case = world.case
    plan = do_arrange_instalments(case, instalment=C("500,00"), first_due_on=first_of_next_month(), on=today(),
                                  reason="", actor=ACTOR)  # fmt: skip
    posts = {
        reverse("web:case_arrange_instalments", args=[case.number]): {
            "ratenzahlung-instalment": "500,00",
            "ratenzahlung-first_due_on": first_of_next_month().isoformat(),
            "bestaetigt": "ja",
            "vorschau_gesamt": "164450",
        },
        reverse("web:case_revoke_instalments", args=[case.number, plan.pk]): {
            f"widerruf-{plan.pk}-reason": "x",
            "bestaetigt": "ja",
        },
    }
    before = AuditEvent.objects.count()
    for role in (*READ_ONLY, Role.PARTNER):
        client = world.client_for(role)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, (role, url)
    assert AuditEvent.objects.count() == before
    plan.refresh_from_db()
    assert plan.status == InstalmentPlanStatus.ACTIVE
    for role in READ_ONLY:
        html = page(world.client_for(role), case)
        ratenzahlung = section(html, "ratenzahlung")
        assert f'data-plan="{plan.pk}" data-status="active"' in ratenzahlung
        assert "500,00 EUR" in plan_row(ratenzahlung, 1)
        assert "<form" not in ratenzahlung and "Widerrufen" not in ratenzahlung
        assert "Ratenzahlung vereinbaren" not in html
    # Partner users see no file at all (as before).
    assert (
        world.client_for(Role.PARTNER).get(reverse("web:case_detail", args=[case.number])).status_code == 403
    )
    innen = world.client_for()
    for url in posts:
        assert innen.get(url).status_code == 405, url
    assert plan.instalments.filter(status=InstalmentStatus.OPEN).count() == 4


def test_the_pages_have_accessible_tables_and_labels(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    case = world.case
    preview = arrange(client, case, instalment="500,00", first_due_on=first_of_next_month().isoformat())
    agreed = today() - dt.timedelta(days=40)
    do_arrange_instalments(
        case, instalment=C("500,00"), first_due_on=agreed, on=agreed, reason="", actor=ACTOR
    )
    for html in (page(client, case), preview.content.decode()):
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            assert "<caption" in table
            for th in re.findall(r"<th\b[^>]*>", table):
                assert "scope=" in th, th
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in control:
                continue
            control_id = re.search(r'id="([^"]+)"', control)
            assert control_id, control
            assert f'for="{control_id.group(1)}"' in html, control
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            assert "csrfmiddlewaretoken" in form
