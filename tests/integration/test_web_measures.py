"""Web UI of the enforcement measures on the file page (issue 4): proposals, running measures with their
clocks and steps, the file-level actions (own proposal, Niederschlagung, Rückgabe, payment, third parties),
read-only for the other office roles, every change through the actions of ``kofo.cases.measures`` and
``kofo.payments.actions``.

The data comes in as in production (like test_case_walk): a partner submits a CSV request, the daily run of
02.05.2025 opens the files and sends the payment demands, the run of 14.05.2025 ends them and the strategy
proposes the next measure. Expected values (sources as in test_case_walk):
* Sabine Keller, GW-2025-1 1.598,00 EUR due 10.03.2025 with the IBAN of a Commerzbank account: by
  14.05.2025 three Säumniszuschläge of 15,50 EUR (46,50 EUR); the strategy proposes the bank garnishment
  (1.644,50 EUR). Service on Mon 19.05.2025: declaration due Mon 02.06.2025 (§ 316 AO), payout hold until
  Mon 16.06.2025 (§ 835 Abs. 3 ZPO), Pfändungsgebühr 28,60 EUR (§ 339 AO); by 17.06.2025 a fourth
  Säumniszuschlag → 1.688,60 EUR settle the file.
* Jonas Becker, GW-2025-2 and GW-2025-3, no IBAN: the strategy proposes the Vermögensauskunft.
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

from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import DL_DECLARATION, DL_DISCLOSURE_DEMAND
from kofo.cases.models import (
    Case,
    CaseStatus,
    CaseThirdParty,
    Claim,
    ClaimStatus,
    FollowUpKind,
    Measure,
    MeasureKind,
    MeasureStatus,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.documents.models import Document, DocumentKind
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.law.deadlines import add_months
from kofo.law.garnishment import garnishable_amount
from kofo.ledger.balances import component_balances, trial_balance
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from kofo.partners.roles import Role
from kofo.payments.models import Payment, PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db

C = Cents.parse
D = dt.date
HEADER = factories.INTAKE_CSV_HEADER
KELLER = (
    "GW-2025-1;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;77;"
    "natuerlich;Keller;Sabine;;04.04.1975;;;;;Am Markt;3;66740;Saarlouis;DE;;;DE89370400440532013000;;"
)
BECKER = "natuerlich;Becker;Jonas;;01.07.1990;;;;;Lisdorfer Straße;5;66740;Saarlouis;DE;;;;;"
BECKER_ROWS = [
    f"GW-2025-2;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;800,00;;;;;78;{BECKER}",
    f"GW-2025-3;gewerbesteuer;§ 1 GewStG;10.02.2025;13.02.2025;10.04.2025;20.04.2025;04.05.2025;200,00;;;;;78;{BECKER}",
]
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

    @staticmethod
    def case_of(kassenzeichen: str) -> Case:
        return Case.objects.get(debtor=Claim.objects.get(kassenzeichen=kassenzeichen).debtor_record.debtor)

    @property
    def keller(self) -> Case:
        return self.case_of("GW-2025-1")

    @property
    def becker(self) -> Case:
        return self.case_of("GW-2025-2")


@pytest.fixture
def world(office: Any) -> World:
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(partner, regime=Regime.AO, claim_types=[ClaimType.GEWERBESTEUER])
    batch = do_import_request(
        partner,
        "\n".join([HEADER, KELLER, *BECKER_ROWS, ""]).encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=D(2025, 5, 1),
        actor=factories.TEST_ACTOR,
    )
    assert batch.items_accepted == 3, [i.problems for i in batch.items.all()]
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    run_day(D(2025, 5, 2))  # the files are opened, the payment demands go out
    run_day(D(2025, 5, 14))  # the payment periods have passed: the strategy proposes the next measure
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


def card(html: str, measure: Measure) -> str:
    start = html.index(f'id="massnahme-{measure.pk}"')
    return html[start : html.index("</article>", start)]


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def step(client: Client, measure: Measure, name: str, **fields: Any) -> Any:
    data = {f"{name}-{measure.pk}-{key}": str(value) for key, value in fields.items()}
    return client.post(reverse("web:measure_step", args=[measure.case.number, measure.pk, name]), data)


def post(client: Client, url_name: str, case: Case, prefix: str, **fields: Any) -> Any:
    data = {f"{prefix}-{key}": str(value) for key, value in fields.items() if key != "bestaetigt"}
    if "bestaetigt" in fields:
        data["bestaetigt"] = fields["bestaetigt"]
    return client.post(reverse(url_name, args=[case.number]), data)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def proposal(case: Case, kind: MeasureKind) -> Measure:
    return case.measures.get(kind=kind, status=MeasureStatus.PROPOSED)


def open_amounts(kassenzeichen: str) -> dict[str, Cents]:
    claim = Claim.objects.get(kassenzeichen=kassenzeichen)
    return {str(k): v for k, v in component_balances("cases.claim", claim.pk).items() if v}


# --- the section ----------------------------------------------------------------------------------------


def test_the_section_shows_proposals_first_then_running_then_finished(world: World) -> None:
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    html = page(world.client_for(), case)
    measures = section(html, "massnahmen")
    # Proposals first, with the strategy's reason; running (none) after; the finished demand collapsed.
    assert (
        measures.index("Vorgeschlagen (1)")
        < measures.index("Laufend (0)")
        < measures.index("Abgeschlossene Maßnahmen (1)")
    )
    proposed = card(html, pfev)
    assert "Pfändung eines Kontos (PfEV Bank)" in proposed and "Commerzbank" in proposed
    assert pfev.reason in proposed and "1.644,50 EUR" in proposed
    assert "Voraussetzungen heute nicht erfüllt" not in proposed
    # „Ausführen“ with today's date and the bank preselected from the file's known third parties;
    # „Verwerfen“ with a reason.
    start = proposed.split(f'id="massnahme-{pfev.pk}-ausfuehren"', 1)[1].split("</details>", 1)[0]
    assert f'name="ausfuehren-{pfev.pk}-executed_on" value="{today().isoformat()}"' in start
    bank = case.third_party_links.get().third_party
    assert re.search(rf'<option value="{bank.pk}" selected>{re.escape(bank.name)} \(Kreditinstitut', start)
    assert "Maßnahme ausführen" in start
    assert f'name="verwerfen-{pfev.pk}-reason"' in proposed and "Vorschlag verwerfen" in proposed
    # No steps of running measures on a proposal.
    assert "Zustellung erfassen" not in proposed
    # The finished demand: collapsed, with its result.
    finished = measures.split('id="massnahmen-abgeschlossen"', 1)[1].split("</details>", 1)[0]
    assert not finished.startswith(" open")
    assert "Zahlungsaufforderung mit Vollstreckungsankündigung" in finished
    assert "Zahlungsfrist abgelaufen" in finished and "02.05.2025" in finished
    # The known third parties of the file, with the debtor's IBAN.
    parties = section(html, "drittschuldner")
    assert bank.name in parties and "COBADEFFXXX" in parties and "DE89370400440532013000" in parties
    assert "IBAN aus dem Ersuchen von Kreisstadt Saarlouis" in parties
    # The file-level actions.
    for title in ("Maßnahme vorschlagen", "Niederschlagen", "An die Partner zurückgeben", "Zahlung erfassen",
                  "Drittschuldner erfassen", "IBAN des Schuldners"):  # fmt: skip
        assert f'<span class="kern-title">{title}</span>' in html, title
    # The personal data shown is logged, as before, now naming the third parties and the IBAN.
    entry = PersonalDataAccess.objects.latest("id")
    assert case.number in entry.what and "IBAN" in entry.what


def test_execute_serve_declare_and_pay_until_the_file_is_settled(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    client = world.client_for()
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    proposal_follow_up = case.follow_ups.get(kind=FollowUpKind.PROPOSAL)
    bank = case.third_party_links.get().third_party

    response = step(client, pfev, "ausfuehren", executed_on="15.05.2025", third_party=bank.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.number]) + f"#massnahme-{pfev.pk}"
    pfev.refresh_from_db()
    assert (pfev.status, pfev.executed_on, pfev.amount_cents) == (
        MeasureStatus.ACTIVE,
        D(2025, 5, 15),
        int(C("1644,50")),
    )
    event = AuditEvent.objects.get(action="cases.start_measure", summary__measure=pfev.pk)
    assert (event.actor, event.object_id) == (user.username, str(case.pk))
    # The proposal is dealt with: its follow-up in the worklist is done.
    proposal_follow_up.refresh_from_db()
    assert proposal_follow_up.done_by == user.username
    html = client.get(response["Location"]).content.decode()
    assert "Pfändung eines Kontos (PfEV Bank) am 15.05.2025 ausgeführt (1.644,50 EUR)." in html
    running = card(html, pfev)
    assert 'data-status="active"' in running and "zur Zustellung" in running
    assert 'data-claim="GW-2025-1"' in running and "1.644,50 EUR" in running
    assert figure(running, "measure-fee") == "0,00 EUR" and figure(running, "measure-effort") == "1,5"
    assert "Zustellung erfassen" in running and "Drittschuldnererklärung erfassen" not in running
    assert "Abschließen" in running and "Auslagen erfassen" in running
    assert "Maßnahme begonnen" in section(html, "verlauf")

    # Service: the fee arises, the declaration clock runs (long passed by now: highlighted).
    assert step(client, pfev, "zustellung", served_on="2025-05-19").status_code == 302
    pfev.refresh_from_db()
    assert (pfev.deadline_kind, pfev.deadline_on, pfev.payout_hold_until) == (
        DL_DECLARATION,
        D(2025, 6, 2),
        D(2025, 6, 16),
    )
    html = page(client, case)
    running = card(html, pfev)
    clock = running.split('data-field="clock"', 1)[1].split("</dd>", 1)[0]
    assert (
        'data-passed="true"' in clock
        and "Drittschuldnererklärung (§ 316 AO): <strong>02.06.2025</strong>" in clock
    )
    assert f"abgelaufen seit {(today() - D(2025, 6, 2)).days} Tagen" in clock
    assert "16.06.2025" in running.split('data-field="payout-hold"', 1)[1].split("</dd>", 1)[0]
    assert figure(running, "measure-fee") == "28,60 EUR"
    assert "Drittschuldnererklärung erfassen" in running and "Zustellung erfassen" not in running
    # The bank account of a bank garnishment: no income fields.
    assert f"erklaerung-{pfev.pk}-net_income" not in running

    # The declaration: recognised.
    response = step(
        client, pfev, "erklaerung", outcome="anerkannt", declared_on="2025-05-28", amount="2.000,00"
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Drittschuldnererklärung erfasst: anerkannt 2.000,00 EUR." in html
    running = card(html, pfev)
    assert "anerkannt, Zahlung erwartet" in running and "Forderung anerkannt, Zahlung bereit" in running
    assert "Zahlung des Drittschuldners erfassen" in running

    # The payout hold ends (the daily run of 17.06.2025 books the fourth Säumniszuschlag); the payment form
    # preselected from the garnishment's link; the bank pays costs and claim.
    run_day(D(2025, 6, 17))
    prefilled = page(client, case, formular="zahlung", massnahme=str(pfev.pk))
    form = prefilled.split('id="zahlung-erfassen"', 1)[1].split("</details>", 1)[0]
    assert form.startswith(" open") and f'<option value="{pfev.pk}" selected>' in form
    assert '<option value="third_party" selected>' in form
    assert figure(prefilled, "case-payable") == "1.688,60 EUR"  # 1.598,00 + 4 × 15,50 + 28,60
    response = post(
        client, "web:case_record_payment", case, "zahlung", amount="1.688,60", received_on="2025-06-18",
        source=PaymentSource.THIRD_PARTY, measure=pfev.pk, payer="Commerzbank", reference="PfEV " + case.number,
    )  # fmt: skip
    assert response.status_code == 302
    payment = Payment.objects.get(case=case)
    assert response["Location"].endswith(f"?zahlung={payment.pk}#zahlung-{payment.pk}")
    assert (payment.measure_id, payment.leftover_cents) == (pfev.pk, 0)
    assert Claim.objects.get(kassenzeichen="GW-2025-1").status == ClaimStatus.SETTLED
    assert open_amounts("GW-2025-1") == {} and trial_balance() == 0
    html = client.get(response["Location"]).content.decode()
    assert "Zahlung über 1.688,60 EUR vom 18.06.2025 erfasst und verteilt." in html
    assert "Alle Forderungen der Akte sind bezahlt; der Tageslauf schließt die Akte." in html
    payments = section(html, "zahlungen")
    shown = payments.split(f'data-payment="{payment.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-derivation="{payment.pk}" open' in shown
    for line in payment.derivation:
        assert str(line).replace("&", "&amp;") in shown or line in shown
    assert "Vollstreckungsstelle, Gebühren: <span" in shown and "GW-2025-1, Hauptforderung" in shown
    assert figure(html, "case-payable") == "0,00 EUR" and figure(html, "case-total") == "0,00 EUR"
    assert "Zahlung erfasst" in section(html, "verlauf")

    # The next daily run closes the file; the page then offers no change of measures any more.
    run_day(D(2025, 6, 19))
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    closed = page(client, case)
    assert "Maßnahme ausführen" not in closed and "Zahlung buchen" not in closed
    assert "Maßnahme vorschlagen" not in closed


def test_preconditions_and_other_refusals_are_shown_at_the_form(world: World) -> None:
    client = world.client_for()
    case = world.keller
    # A caseworker's own proposal of a Kontenabruf: no failed disclosure yet (§ 93 Abs. 8 AO).
    response = post(
        client, "web:measure_propose", case, "vorschlag", kind="kontenabruf", reason="Konten prüfen"
    )
    assert response.status_code == 302
    abruf = proposal(case, MeasureKind.KONTENABRUF)
    assert abruf.proposed_by == world.users[Role.INNENDIENST].username
    html = page(client, case)
    hint = card(html, abruf)
    assert "Voraussetzungen heute nicht erfüllt" in hint and "§ 93 Abs. 8 AO" in hint
    refused = step(client, abruf, "ausfuehren", executed_on=today().isoformat())
    assert refused.status_code == 200
    text = refused.content.decode()
    form = text.split(f'id="massnahme-{abruf.pk}-ausfuehren"', 1)[1].split("</details>", 1)[0]
    assert form.startswith(" open") and 'role="alert"' in form
    assert (
        "Ein Kontenabruf ist erst zulässig, wenn die Vermögensauskunft erfolglos oder unergiebig war" in form
    )
    abruf.refresh_from_db()
    assert abruf.status == MeasureStatus.PROPOSED
    assert not AuditEvent.objects.filter(action="cases.start_measure", summary__measure=abruf.pk).exists()

    # A wage garnishment without a known employer: the third party is missing.
    post(client, "web:measure_propose", case, "vorschlag", kind="pfev_lohn", reason="Arbeitgeber erfragt")
    lohn = proposal(case, MeasureKind.PFEV_LOHN)
    text = step(client, lohn, "ausfuehren", executed_on=today().isoformat()).content.decode()
    assert "Für die Pfändung fehlt der Drittschuldner (Arbeitgeber)." in text

    # A date in the future is refused by the form; a measure taken twice by the action.
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    future = step(client, pfev, "ausfuehren", executed_on=(today() + dt.timedelta(days=1)).isoformat())
    assert "Das Datum darf nicht in der Zukunft liegen." in future.content.decode()
    assert step(client, pfev, "ausfuehren", executed_on="2025-05-15").status_code == 302
    again = step(client, pfev, "ausfuehren", executed_on="2025-05-15").content.decode()
    assert "Die Maßnahme ist laufend und kann nicht erneut ausgeführt werden." in again
    # Service before the order was sent: the action's message at the date field.
    early = step(client, pfev, "zustellung", served_on="2025-05-14").content.decode()
    field = early.split(f'id="massnahme-{pfev.pk}-zustellung"', 1)[1].split("</details>", 1)[0]
    assert "kern-form-input--error" in field and "Die Zustellung kann nicht vor dem Versand liegen." in field
    # A declaration before the service: refused by the action, the form shown with the message.
    early_declaration = step(client, pfev, "erklaerung", outcome="keine_forderung", declared_on="2025-05-20")
    assert "Eine Drittschuldnererklärung setzt eine zugestellte, laufende Pfändung voraus." in (
        early_declaration.content.decode()
    )
    # Unknown steps and measures of another file are not found.
    assert step(client, pfev, "zaubern").status_code == 404
    other = proposal(world.becker, MeasureKind.VERMOEGENSAUSKUNFT)
    url = reverse("web:measure_step", args=[case.number, other.pk, "verwerfen"])
    assert client.post(url, {f"verwerfen-{other.pk}-reason": "x"}).status_code == 404


def test_drop_a_proposal(world: World) -> None:
    client = world.client_for()
    case = world.becker
    va = proposal(case, MeasureKind.VERMOEGENSAUSKUNFT)
    missing = step(client, va, "verwerfen", reason="")
    assert missing.status_code == 200 and "Dieses Feld ist zwingend erforderlich." in missing.content.decode()
    assert f'id="massnahme-{va.pk}-verwerfen" open' in missing.content.decode()
    response = step(client, va, "verwerfen", reason="Schuldner hat Ratenzahlung angeboten")
    assert response.status_code == 302
    va.refresh_from_db()
    assert (va.status, va.stage) == (MeasureStatus.CANCELLED, "Schuldner hat Ratenzahlung angeboten")
    assert not case.follow_ups.filter(kind=FollowUpKind.PROPOSAL, done_at__isnull=True).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Vorschlag „Vermögensauskunft“ verworfen." in html
    assert "Kein Vorschlag offen." in section(html, "massnahmen")
    assert "Maßnahme verworfen" in section(html, "verlauf")


def test_wage_garnishment_with_the_garnishable_amount_and_its_derivation(world: World) -> None:
    client = world.client_for()
    case = world.becker
    # The employer, from the disclosure, noted by hand.
    response = post(
        client, "web:case_add_third_party", case, "drittschuldner", kind="employer", name="Dillinger Hütte",
        street="Werkstraße 1", postcode="66763", city="Dillingen", source="Angabe des Schuldners",
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("#drittschuldner")
    employer = ThirdParty.objects.get(name="Dillinger Hütte")
    assert (employer.kind, employer.city) == (ThirdPartyKind.EMPLOYER, "Dillingen")
    link = CaseThirdParty.objects.get(case=case, third_party=employer)
    assert link.source == "Angabe des Schuldners"
    assert AuditEvent.objects.filter(
        action="cases.note_third_party", summary__third_party="Dillinger Hütte"
    ).exists()
    # Noted twice: the same third party, said so.
    again = post(client, "web:case_add_third_party", case, "drittschuldner", kind="employer",
                 name="dillinger hütte", postcode="66763")  # fmt: skip
    assert ThirdParty.objects.filter(kind=ThirdPartyKind.EMPLOYER).count() == 1
    assert "bereits als Drittschuldner vermerkt" in " ".join(messages_of(again))
    # The wrong kind of third party for the proposal is refused at the field.
    bank = post(
        client,
        "web:measure_propose",
        case,
        "vorschlag",
        kind="pfev_bank",
        reason="x",
        third_party=employer.pk,
    )
    assert "Dillinger Hütte ist Arbeitgeber; für diese Pfändung: Kreditinstitut." in bank.content.decode()

    post(client, "web:measure_propose", case, "vorschlag", kind="pfev_lohn", reason="Arbeitgeber bekannt",
         third_party=employer.pk)  # fmt: skip
    lohn = proposal(case, MeasureKind.PFEV_LOHN)
    assert lohn.third_party == employer
    assert (
        step(client, lohn, "ausfuehren", executed_on="2025-07-01", third_party=employer.pk).status_code == 302
    )
    assert step(client, lohn, "zustellung", served_on="2025-07-03").status_code == 302
    # Recognised without an amount or an income: the action asks for it, at the amount.
    missing = step(client, lohn, "erklaerung", outcome="anerkannt", declared_on="2025-07-10", dependants="0",
                   pay_period="monat").content.decode()  # fmt: skip
    field = missing.split(f'id="massnahme-{lohn.pk}-erklaerung"', 1)[1].split("</details>", 1)[0]
    assert "Bitte den anerkannten Betrag angeben." in field and "kern-form-input--error" in field

    response = step(client, lohn, "erklaerung", outcome="anerkannt", declared_on="2025-07-10",
                    net_income="3.000,00", dependants="1", pay_period="monat")  # fmt: skip
    assert response.status_code == 302
    expected = garnishable_amount(C("3000,00"), 1, "monat", D(2025, 7, 10))
    lohn.refresh_from_db()
    assert lohn.result["garnishable_cents"] == int(expected.amount)
    html = client.get(response["Location"]).content.decode()
    assert f"Drittschuldnererklärung erfasst: anerkannt {expected.amount}." in html
    running = card(html, lohn)
    assert "Nettoeinkommen" in running and "3.000,00 EUR monatlich" in running
    assert f"{expected.amount} monatlich" in running.split('data-fact="pfandbar-850c-zpo"', 1)[1]
    assert "Herleitung des pfändbaren Betrags" in running
    derivation = running.split('class="kern-list kern-list--number kofo-derivation"', 1)[1].split("</ol>", 1)[
        0
    ]
    assert derivation.count("<li>") == len(expected.steps)


def test_disclosure_summons_and_result(world: World) -> None:
    client = world.client_for()
    case = world.becker
    va = proposal(case, MeasureKind.VERMOEGENSAUSKUNFT)
    assert step(client, va, "ausfuehren", executed_on="2025-05-15").status_code == 302
    va.refresh_from_db()
    assert va.deadline_kind == DL_DISCLOSURE_DEMAND and va.deadline_on is not None
    html = page(client, case)
    running = card(html, va)
    assert (
        "Zahlungsfrist vor der Vermögensauskunft" in running and "Ladung" in running and "Ergebnis" in running
    )
    assert f"ausfuehren-{va.pk}-changed_circumstances" not in running  # only when executing
    # The summons only after the payment period; the appointment a month after service at the earliest.
    early = step(client, va, "ladung", served_on=va.deadline_on.isoformat(), appointment_on="2025-08-01",
                 appointment_time="09:30")  # fmt: skip
    assert f"Die Ladung folgt erst nach Ablauf der Zahlungsfrist am {va.deadline_on:%d.%m.%Y}." in (
        early.content.decode()
    )
    served = va.deadline_on + dt.timedelta(days=7)
    short = step(client, va, "ladung", served_on=served.isoformat(), appointment_on=served.isoformat(),
                 appointment_time="09:30")  # fmt: skip
    field = short.content.decode().split(f'id="massnahme-{va.pk}-ladung"', 1)[1].split("</details>", 1)[0]
    assert "Der Termin muss mindestens einen Monat nach der Zustellung der Ladung liegen" in field
    appointment = add_months(served, 1) + dt.timedelta(days=3)
    # A summons names the hour: without it the form says so.
    no_time = step(client, va, "ladung", served_on=served.isoformat(), appointment_on=appointment.isoformat())
    assert no_time.status_code == 200
    response = step(client, va, "ladung", served_on=served.isoformat(), appointment_on=appointment.isoformat(),
                    appointment_time="9.30", appointment_room="Zimmer 2.14")  # fmt: skip
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert f"Ladung erfasst: Termin am {appointment:%d.%m.%Y} um 09:30 Uhr." in html
    running = card(html, va)
    assert "Termin zur Vermögensauskunft" in running and "geladen" in running
    assert f"{appointment:%d.%m.%Y}, 09:30 Uhr, Zimmer 2.14" in running
    # The summons is in the file at once (issue 6), dated the day of service.
    summons = Document.objects.get(measure=va, kind=DocumentKind.VA_LADUNG)
    assert summons.letter_date == served and summons.data["appointment_time"] == "09:30"
    response = step(client, va, "auskunft", outcome="abgegeben_unergiebig", on=appointment.isoformat(),
                    note="kein pfändbares Vermögen")  # fmt: skip
    assert response.status_code == 302
    va.refresh_from_db()
    assert (va.status, va.finished_on, va.result["outcome"]) == (
        MeasureStatus.DONE,
        appointment,
        "abgegeben_unergiebig",
    )
    finished = section(client.get(response["Location"]).content.decode(), "massnahmen")
    assert "abgegeben, kein pfändbares Vermögen" in finished.split('id="massnahmen-abgeschlossen"', 1)[1]
    assert "Vermögensauskunft erfasst" in page(client, case)


def test_field_order_result_books_the_fee(world: World) -> None:
    client = world.client_for()
    case = world.becker
    post(client, "web:measure_propose", case, "vorschlag", kind="aussendienst", reason="Hausbesuch")
    field_order = proposal(case, MeasureKind.AUSSENDIENST)
    assert step(client, field_order, "ausfuehren", executed_on="2025-05-20").status_code == 302
    assert case.follow_ups.filter(key=f"field-order:{field_order.pk}").exists()
    running = card(page(client, case), field_order)
    assert "Ergebnis des Außendienstes" in running and "an den Außendienst übergeben" in running
    response = step(client, field_order, "aussendienst", outcome="fruchtlos", on="2025-06-03", hours="1,5",
                    note="Wohnung leer, nichts Pfändbares")  # fmt: skip
    assert response.status_code == 302
    field_order.refresh_from_db()
    assert field_order.status == MeasureStatus.FAILED and field_order.fee_cents > 0
    assert component_balances("cases.case", case.pk)[Component.FEE] == Cents(field_order.fee_cents)
    html = client.get(response["Location"]).content.decode()
    assert "Ergebnis des Außendienstes erfasst: fruchtlos (nichts Pfändbares)." in html
    assert figure(html, "measure-fees-total") == str(Cents(field_order.fee_cents))
    assert (
        f'davon Gebühren <span class="kofo-amount" data-figure="office-gebuhren">{Cents(field_order.fee_cents)}'
        in html
    )


def test_expenses_and_finishing_a_running_measure(world: World) -> None:
    client = world.client_for()
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    step(client, pfev, "ausfuehren", executed_on="2025-05-15")
    bad = step(client, pfev, "auslagen", amount="0", reason="Porto").content.decode()
    assert "Der Betrag muss größer als 0,00 EUR sein." in bad
    response = step(client, pfev, "auslagen", amount="3,45", reason="Postzustellungsurkunde")
    assert response.status_code == 302
    assert component_balances("cases.case", case.pk)[Component.COST] == C("3,45")
    event = AuditEvent.objects.get(action="cases.record_expense")
    assert event.summary["amount_cents"] == 345 and event.summary["reason"] == "Postzustellungsurkunde"
    assert "Auslagen von 3,45 EUR auf die Akte gebucht." in " ".join(messages_of(response))

    no_note = step(client, pfev, "abschluss", status="failed", on=today().isoformat(), note="")
    assert "Dieses Feld ist zwingend erforderlich." in no_note.content.decode()
    response = step(
        client, pfev, "abschluss", status="failed", on=today().isoformat(), note="Konto aufgelöst"
    )
    assert response.status_code == 302
    pfev.refresh_from_db()
    assert (pfev.status, pfev.stage, pfev.finished_on) == (MeasureStatus.FAILED, "Konto aufgelöst", today())
    html = client.get(response["Location"]).content.decode()
    assert "abgeschlossen (erfolglos)" in html and "Laufend (0)" in html


def test_an_instalment_plan_is_shown_but_not_finished_by_hand(world: World) -> None:
    """A Ratenzahlung ends with its plan (paid in full or revoked by the daily run), not by „Abschließen“."""
    from kofo.cases.measures import do_arrange_instalments

    case = world.becker
    do_arrange_instalments(case, instalment=C("100,00"), first_due_on=today(), on=today(), reason="",
                           actor=factories.TEST_ACTOR)  # fmt: skip
    plan = case.measures.get(kind=MeasureKind.RATENZAHLUNG)
    running = card(page(world.client_for(), case), plan)
    assert "Ratenzahlung (Vollstreckungsaufschub)" in running and "Raten zu 100,00 EUR" in running
    assert "Abschließen" not in running and "Auslagen erfassen" in running
    assert "Ratenzahlung vereinbart" in section(page(world.client_for(), case), "verlauf")


def test_write_down_asks_for_confirmation(world: World) -> None:
    client = world.client_for()
    case = world.becker
    va = proposal(case, MeasureKind.VERMOEGENSAUSKUNFT)
    html = page(client, case)
    review = add_months(today(), 12)  # StrategySettings.niederschlagung_review_months
    assert f'name="niederschlagung-review_on" value="{review.isoformat()}"' in html
    past = post(
        client, "web:case_write_down", case, "niederschlagung", review_on=today().isoformat(), reason="x"
    )
    assert "Die Wiedervorlage muss nach dem heutigen Tag liegen." in past.content.decode()
    assert 'id="niederschlagen" open' in past.content.decode()
    data = {"review_on": review.isoformat(), "reason": "Vollstreckung aussichtslos"}
    confirm = post(client, "web:case_write_down", case, "niederschlagung", **data)
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Niederschlagen?" in text
    assert f"Die Akte {case.number} ruht bis zum {review:%d.%m.%Y}." in text
    assert 'name="bestaetigt" value="ja"' in text and f'value="{review.isoformat()}"' in text
    case.refresh_from_db()
    assert (
        case.status == CaseStatus.OPEN and not AuditEvent.objects.filter(action="cases.write_down").exists()
    )

    response = post(client, "web:case_write_down", case, "niederschlagung", **data, bestaetigt="ja")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.review_on) == (CaseStatus.SUSPENDED, review)
    written = case.measures.get(kind=MeasureKind.NIEDERSCHLAGUNG)
    assert written.status == MeasureStatus.DONE and written.finished_on == today()
    va.refresh_from_db()
    assert va.status == MeasureStatus.CANCELLED
    assert not case.follow_ups.filter(kind=FollowUpKind.PROPOSAL, done_at__isnull=True).exists()
    html = client.get(response["Location"]).content.decode()
    assert f"Die Akte {case.number} ist niedergeschlagen; Wiedervorlage am {review:%d.%m.%Y}." in html
    # Suspended: no new proposal or write-down; payments can still come in.
    assert 'id="vorschlagen"' not in html and 'id="niederschlagen"' not in html
    assert 'id="zahlung-erfassen"' in html


def test_return_to_the_partners_asks_for_confirmation(world: World) -> None:
    client = world.client_for()
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    missing = post(client, "web:case_return", case, "rueckgabe", reason="")
    assert 'id="zurueckgeben" open' in missing.content.decode()
    confirm = post(client, "web:case_return", case, "rueckgabe", reason="Schuldner verzogen ins Ausland")
    text = confirm.content.decode()
    assert "An die Partner zurückgeben?" in text and "GW-2025-1" in text and "1.644,50 EUR" in text
    assert Claim.objects.get(kassenzeichen="GW-2025-1").status == ClaimStatus.OPEN
    response = post(client, "web:case_return", case, "rueckgabe", reason="Schuldner verzogen ins Ausland",
                    bestaetigt="ja")  # fmt: skip
    assert response.status_code == 302
    assert Claim.objects.get(kassenzeichen="GW-2025-1").status == ClaimStatus.RETURNED
    pfev.refresh_from_db()
    assert pfev.status == MeasureStatus.CANCELLED
    returned = case.measures.get(kind=MeasureKind.RUECKGABE)
    assert returned.status == MeasureStatus.DONE and returned.result == {"claims": ["GW-2025-1"]}
    assert "1 Forderung an die Partner zurückgegeben" in " ".join(messages_of(response))
    assert AuditEvent.objects.filter(action="cases.return_to_partners").exists()
    assert trial_balance() == 0


def test_payment_with_designation_and_its_errors(world: World) -> None:
    client = world.client_for()
    case = world.becker
    html = page(client, case)
    form = html.split('id="zahlung-erfassen"', 1)[1].split("</details>", 1)[0]
    assert '<option value="GW-2025-2">GW-2025-2 (Kreisstadt Saarlouis)</option>' in form
    assert f'name="zahlung-received_on" value="{today().isoformat()}"' in form
    future = post(client, "web:case_record_payment", case, "zahlung", amount="50,00",
                  received_on=(today() + dt.timedelta(days=2)).isoformat(), source="debtor")  # fmt: skip
    assert "Das Datum darf nicht in der Zukunft liegen." in future.content.decode()
    assert 'id="zahlung-erfassen" open' in future.content.decode()
    bad = post(client, "web:case_record_payment", case, "zahlung", amount="abc", received_on="2025-05-20",
               source="debtor")  # fmt: skip
    assert "kern-form-input--error" in bad.content.decode()
    assert not Payment.objects.exists()

    # A voluntary payment naming the later claim goes to that claim first.
    before = open_amounts("GW-2025-3")
    response = post(client, "web:case_record_payment", case, "zahlung", amount="100,00", received_on="2025-05-20",
                    source="debtor", designation="GW-2025-3", payer="Jonas Becker")  # fmt: skip
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert payment.designation == ["GW-2025-3"]
    assert sum(before.values(), Cents(0)) - sum(open_amounts("GW-2025-3").values(), Cents(0)) == C("100,00")
    html = client.get(response["Location"]).content.decode()
    shown = section(html, "zahlungen").split(f'data-payment="{payment.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Tilgungsbestimmung: GW-2025-3" in shown and "Jonas Becker" in shown
    assert f'data-derivation="{payment.pk}" open' in shown and "<li" in shown
    event = AuditEvent.objects.get(action="payments.record_payment")
    assert event.actor == world.users[Role.INNENDIENST].username and event.object_id == str(case.pk)

    # Cash the field service took: a numbered receipt, the money on the cash account (issue 5, no. 6).
    response = post(client, "web:case_record_payment", case, "zahlung", amount="20,00", received_on="2025-05-21",
                    source="field", payer="Jonas Becker")  # fmt: skip
    assert response.status_code == 302
    cash = Payment.objects.get(source="field")
    assert cash.funding == "cash" and cash.cash_receipt.number == "Q-2025-000001"
    html = client.get(response["Location"]).content.decode()
    assert "Quittung Q-2025-000001" in html
    # The receipt to hand over is in the file at once (issue 6).
    receipt = Document.objects.get(case=case, kind=DocumentKind.QUITTUNG)
    assert receipt.letter_date == D(2025, 5, 21) and "„Quittung" in html


def test_the_debtors_iban_notes_its_bank(world: World) -> None:
    client = world.client_for()
    case = world.becker
    invalid = post(client, "web:case_add_iban", case, "iban", iban="DE00 1234 5678 9012 3456 78")
    assert (
        "Die IBAN ist ungültig" in invalid.content.decode()
        and 'id="iban-erfassen" open' in invalid.content.decode()
    )
    response = post(client, "web:case_add_iban", case, "iban", iban="de89 3704 0044 0532 0130 00")
    assert response.status_code == 302
    link = CaseThirdParty.objects.get(case=case)
    assert (link.iban, link.third_party.bic, link.third_party.kind) == (
        "DE89370400440532013000",
        "COBADEFFXXX",
        ThirdPartyKind.BANK,
    )
    assert link.source.startswith("IBAN, von Hand erfasst")
    # The same bank as Keller's: one third party for both files.
    assert ThirdParty.objects.filter(bic="COBADEFFXXX").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "als Drittschuldner vermerkt." in html and "DE89370400440532013000" in section(
        html, "drittschuldner"
    )
    again = post(client, "web:case_add_iban", case, "iban", iban="DE89370400440532013000")
    assert "bereits als Drittschuldner vermerkt" in " ".join(messages_of(again))
    # A bank by hand, by its BIC: the known one.
    post(client, "web:case_add_third_party", case, "drittschuldner", kind="bank", name="Commerzbank Saarlouis",
         bic="cobadeffxxx")  # fmt: skip
    assert ThirdParty.objects.filter(kind=ThirdPartyKind.BANK).count() == 1
    bad_bic = post(
        client, "web:case_add_third_party", case, "drittschuldner", kind="bank", name="x", bic="12"
    )
    assert "Eine BIC hat 8 oder 11 Stellen" in bad_bic.content.decode()


# --- who may do what ----------------------------------------------------------------------------------------


def _posts(world: World) -> dict[str, dict[str, str]]:
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    number = case.number
    return {
        reverse("web:measure_step", args=[number, pfev.pk, "ausfuehren"]): {
            f"ausfuehren-{pfev.pk}-executed_on": "2025-05-15"
        },
        reverse("web:measure_step", args=[number, pfev.pk, "verwerfen"]): {
            f"verwerfen-{pfev.pk}-reason": "x"
        },
        reverse("web:measure_propose", args=[number]): {
            "vorschlag-kind": "aussendienst",
            "vorschlag-reason": "x",
        },
        reverse("web:case_write_down", args=[number]): {
            "niederschlagung-review_on": (today() + dt.timedelta(days=90)).isoformat(),
            "niederschlagung-reason": "x",
            "bestaetigt": "ja",
        },
        reverse("web:case_return", args=[number]): {"rueckgabe-reason": "x", "bestaetigt": "ja"},
        reverse("web:case_record_payment", args=[number]): {
            "zahlung-amount": "10,00",
            "zahlung-received_on": "2025-05-20",
            "zahlung-source": "debtor",
        },
        reverse("web:case_add_third_party", args=[number]): {
            "drittschuldner-kind": "employer",
            "drittschuldner-name": "x",
        },
        reverse("web:case_add_iban", args=[number]): {"iban-iban": "DE02120300000000202051"},
    }


def test_the_other_roles_read_the_measures_without_forms(world: World) -> None:
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    posts = _posts(world)
    before = (
        AuditEvent.objects.count(),
        Measure.objects.count(),
        Payment.objects.count(),
        ThirdParty.objects.count(),
    )
    for role in (*READ_ONLY, Role.PARTNER):
        client = world.client_for(role)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, (role, url)
    assert (AuditEvent.objects.count(), Measure.objects.count(), Payment.objects.count(),
            ThirdParty.objects.count()) == before  # fmt: skip
    pfev.refresh_from_db()
    assert pfev.status == MeasureStatus.PROPOSED
    for role in READ_ONLY:
        html = page(world.client_for(role), case)
        measures = section(html, "massnahmen")
        assert pfev.reason in measures and "Abgeschlossene Maßnahmen (1)" in measures
        assert "Commerzbank" in section(html, "drittschuldner")
        assert "<form" not in measures and "<form" not in section(html, "drittschuldner")
        assert "<form" not in section(html, "zahlungen")
        for text in ("Maßnahme ausführen", "Vorschlag verwerfen", "Zahlung buchen", "Niederschlagen<",
                     "Drittschuldner vermerken", "Zahlung des Drittschuldners erfassen"):  # fmt: skip
            assert text not in html, (role, text)
    # Partner users see no file at all (as before).
    assert (
        world.client_for(Role.PARTNER).get(reverse("web:case_detail", args=[case.number])).status_code == 403
    )
    # Every change is a POST.
    innen = world.client_for()
    for url in posts:
        assert innen.get(url).status_code == 405, url


def test_the_timeline_tells_the_measures_in_german(world: World) -> None:
    client = world.client_for()
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    step(client, pfev, "ausfuehren", executed_on="2025-05-15")
    step(client, pfev, "zustellung", served_on="2025-05-19")
    timeline = section(page(client, case), "verlauf")
    assert "Zustellung erfasst" in timeline and "zugestellt am 19.05.2025" in timeline
    assert "Maßnahme begonnen" in timeline and "ausgeführt am 15.05.2025" in timeline
    assert "Pfändung eines Kontos (PfEV Bank)" in timeline
    assert "Drittschuldner vermerkt" in timeline and "cases." not in timeline


def test_the_file_page_with_measures_has_accessible_tables_and_labels(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    case = world.keller
    pfev = proposal(case, MeasureKind.PFEV_BANK)
    step(client, pfev, "ausfuehren", executed_on="2025-05-15")
    step(client, pfev, "zustellung", served_on="2025-05-19")
    post(
        client,
        "web:case_record_payment",
        case,
        "zahlung",
        amount="10,00",
        received_on="2025-05-20",
        source="debtor",
    )
    html = page(client, case)
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
