"""Web UI of the debtor files (issue 4): the Arbeitsliste, the list of files (Akten) and the file page with
its actions — notes, follow-ups, assignment, suspension — the access log and the timeline.

The data comes in as in production: two partners submit CSV requests, the daily run of 01.06.2025 opens
the files (assigned by the alphabet rules) and books the Säumniszuschläge (§ 240 AO; amounts as in
test_daily_run: GS-A 1.598,00 due 10.03.2025 → three started months by 01.06.2025 → 3 × 15,50 = 46,50).
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

from kofo import limits
from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.cases.actions import do_withdraw_claim
from kofo.cases.casefiles import (
    NOTE_CHARS_MAX,
    do_add_note,
    do_close_case_if_done,
    do_save_assignment_rule,
    do_schedule_follow_up,
    do_suspend_case,
)
from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.models import (
    AssignmentRule,
    AssignmentRuleKind,
    Case,
    CaseNote,
    CaseStatus,
    Claim,
    FollowUp,
    FollowUpKind,
    SurchargeAccrual,
)
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import component_balances
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Partner, Regime
from kofo.partners.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = factories.INTAKE_CSV_HEADER
MUELLER = "natuerlich;Müller;Anna;;12.03.1978;;;;;Hauptstraße;12;66740;Saarlouis;DE;;;;;"
SAARLOUIS_ROWS = [
    f"GS-A;grundsteuer;§ 25 GrStG;10.01.2025;13.01.2025;10.03.2025;20.03.2025;03.04.2025;1.598,00;;;;;1;{MUELLER}",
    f"HU-B;hundesteuer;Satzung;05.01.2025;08.01.2025;15.02.2025;01.03.2025;15.03.2025;120,00;;;;;1;{MUELLER}",
    "GS-D;grundsteuer;§ 25 GrStG;02.12.2024;05.12.2024;10.01.2025;20.01.2025;03.02.2025;500,00;15,00;10.04.2025;;;2;"
    "natuerlich;Becker;Jonas;;01.07.1990;;;;;Lisdorfer Straße;5;66740;Saarlouis;DE;;;;;",
    "GS-S;grundsteuer;§ 25 GrStG;02.03.2025;05.03.2025;15.04.2025;01.05.2025;15.05.2025;300,00;;;;;3;natuerlich;"
    "Schneider;Karl;;05.05.1960;;;;;Bahnhofstraße;1;66763;Dillingen;DE;;;;;",
]
# The same Anna Müller, known to a second partner: her file spans both.
DILLINGEN_ROWS = [
    f"GS-M;grundsteuer;§ 25 GrStG;10.01.2025;13.01.2025;10.03.2025;20.03.2025;03.04.2025;400,00;;;;;77;{MUELLER}",
]
INTAKE_DAY = dt.date(2025, 6, 1)
ALL_ROLES = tuple(Role)
FILE_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.AUSSENDIENST, Role.PRUEFUNG)
WORK_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST)


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_agreement(partner: Partner) -> Partner:
    factories.make_agreement(
        partner,
        regime=Regime.SVWVG_SL,
        valid_from=dt.date(2020, 1, 1),
        claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER],
    )
    return partner


def import_rows(partner: Partner, rows: list[str]) -> None:
    batch = do_import_request(
        partner,
        ("\n".join([HEADER, *rows]) + "\n").encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=INTAKE_DAY,
        actor=factories.TEST_ACTOR,
    )
    assert batch.items_accepted == len(rows), [i.problems for i in batch.items.all()]


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test-worker")


@dataclass
class World:
    partner: Partner
    other_partner: Partner
    users: dict[Role, Any]
    second: Any  # a second caseworker (Innendienst)

    def client_for(self, role: Role) -> Client:
        return logged_in(self.users[role])

    def case_of(self, kassenzeichen: str) -> Case:
        claim = Claim.objects.get(kassenzeichen=kassenzeichen)
        return Case.objects.get(debtor=claim.debtor_record.debtor)

    @property
    def mueller(self) -> Case:
        """Anna Müller: GS-A, HU-B (Saarlouis) and GS-M (Dillingen); worked by the Innendienst user."""
        return self.case_of("GS-A")

    @property
    def becker(self) -> Case:
        """Jonas Becker: worked by the second caseworker."""
        return self.case_of("GS-D")

    @property
    def schneider(self) -> Case:
        """Karl Schneider: no rule matches S, the file has no caseworker."""
        return self.case_of("GS-S")


@pytest.fixture
def world(office: Any) -> World:
    partner = with_agreement(factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis"))
    other = with_agreement(factories.make_partner(key="stadt-dillingen", name="Stadt Dillingen/Saar"))
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    second = factories.make_user(Role.INNENDIENST, username="innen-zwei")
    for low, high, caseworker in (("A", "L", second), ("M", "R", users[Role.INNENDIENST])):
        do_save_assignment_rule(
            AssignmentRule(
                kind=AssignmentRuleKind.ALPHABET, value_from=low, value_to=high, caseworker=caseworker
            ),
            actor=factories.TEST_ACTOR,
        )
    import_rows(partner, SAARLOUIS_ROWS)
    import_rows(other, DILLINGEN_ROWS)
    run_day(INTAKE_DAY)
    return World(partner, other, users, second)


def today() -> dt.date:
    return timezone.localdate()


def follow_up(case: Case, due_on: dt.date, reason: str, **kwargs: Any) -> FollowUp:
    return do_schedule_follow_up(case, due_on=due_on, reason=reason, actor=factories.TEST_ACTOR, **kwargs)


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> whose heading has ``element_id``."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


# --- who may see what ------------------------------------------------------------------------------------


def pages(world: World) -> dict[str, tuple[str, tuple[Role, ...]]]:
    return {
        "worklist": (reverse("web:worklist"), WORK_ROLES),
        "case_list": (reverse("web:case_list"), FILE_ROLES),
        "case_detail": (reverse("web:case_detail", args=[world.mueller.number]), FILE_ROLES),
    }


@pytest.mark.parametrize("name", ["worklist", "case_list", "case_detail"])
@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_page_access_by_role(world: World, name: str, role: Role) -> None:
    url, allowed = pages(world)[name]
    response = world.client_for(role).get(url)
    if role in allowed:
        assert response.status_code == 200, f"{role} should see {name}"
        assert '<html lang="de"' in response.content.decode()
    else:
        assert response.status_code == 403, f"{role} must not see {name}"
        assert "Keine Berechtigung" in response.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_a_partner_user_sees_no_file_and_nothing_is_logged(world: World) -> None:
    """A file spans partners: the Partner role gets no page of it, and a refused page reads nothing."""
    client = world.client_for(Role.PARTNER)
    assert client.get(reverse("web:case_detail", args=[world.mueller.number])).status_code == 403
    assert client.get(reverse("web:case_list"), {"q": "Müller"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()
    nav = [item["label"] for item in client.get(reverse("web:dashboard")).context["nav_items"]()]
    assert "Akten" not in nav and "Arbeitsliste" not in nav


def _posts(world: World, case: Case, open_follow_up: FollowUp) -> dict[str, dict[str, str]]:
    number = case.number
    return {
        reverse("web:case_add_note", args=[number]): {"vermerk-text": "Vermerk"},
        reverse("web:case_schedule_follow_up", args=[number]): {
            "wiedervorlage-due_on": today().isoformat(),
            "wiedervorlage-reason": "Anlass",
        },
        reverse("web:follow_up_done", args=[number, open_follow_up.pk]): {"ansicht": "akte"},
        reverse("web:case_assign", args=[number]): {"zuweisung-caseworker": world.second.username},
        reverse("web:case_suspend", args=[number]): {
            "zurueckstellung-until": (today() + dt.timedelta(days=30)).isoformat(),
            "zurueckstellung-reason": "Niederschlagung",
            "bestaetigt": "ja",
        },
        reverse("web:case_reopen", args=[number]): {"wiederaufnahme-reason": "Grund"},
    }


def test_changes_need_the_change_permission(world: World) -> None:
    case = world.mueller
    pending = follow_up(case, today(), "Rückruf")
    before = (CaseNote.objects.count(), FollowUp.objects.count(), AuditEvent.objects.count())
    for role in (Role.PRUEFUNG, Role.AUSSENDIENST, Role.PARTNER):
        client = world.client_for(role)
        for url, data in _posts(world, case, pending).items():
            assert client.post(url, data).status_code == 403, (role, url)
    assert (CaseNote.objects.count(), FollowUp.objects.count(), AuditEvent.objects.count()) == before
    case.refresh_from_db()
    pending.refresh_from_db()
    assert case.caseworker == world.users[Role.INNENDIENST] and case.status == CaseStatus.OPEN
    assert pending.done_at is None
    # Reading roles see the file without any form or button that changes it.
    for role in (Role.PRUEFUNG, Role.AUSSENDIENST):
        html = world.client_for(role).get(reverse("web:case_detail", args=[case.number])).content.decode()
        assert "Vermerk speichern" not in html and "Erledigt" not in html and "Zuweisen" not in html
        assert "Rückruf" in html
    # Every change is a POST.
    innen = world.client_for(Role.INNENDIENST)
    for url in _posts(world, case, pending):
        assert innen.get(url).status_code == 405, url


def test_unknown_file_is_404(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    assert client.get(reverse("web:case_detail", args=["VA-999999"])).status_code == 404
    assert (
        client.post(reverse("web:case_add_note", args=["VA-999999"]), {"vermerk-text": "x"}).status_code
        == 404
    )


# --- the Arbeitsliste ------------------------------------------------------------------------------------


def test_worklist_groups_the_due_follow_ups_and_marks_the_overdue(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    baseline = FollowUp.objects.filter(
        case__caseworker=user, done_at__isnull=True, due_on__lte=today()
    ).count()
    overdue = follow_up(case, today() - dt.timedelta(days=3), "Anschrift beim Einwohnermeldeamt erfragen")
    follow_up(case, today(), "Rückruf der Schuldnerin")
    follow_up(case, today() + dt.timedelta(days=1), "Erst morgen fällig")
    follow_up(case, today(), "Verjährung von GS-A prüfen", kind=FollowUpKind.LIMITATION, key="limitation:t")
    follow_up(
        case,
        today() - dt.timedelta(days=1),
        "Stundung abgelaufen",
        kind=FollowUpKind.DEFERRAL_ENDS,
        key="d:t",
    )
    follow_up(world.becker, today(), "Wiedervorlage einer Kollegin")

    html = logged_in(user).get(reverse("web:worklist")).content.decode()
    due = section(html, "due-title")
    for reason in (
        "Anschrift beim Einwohnermeldeamt erfragen",
        "Rückruf der Schuldnerin",
        "Verjährung von GS-A prüfen",
        "Stundung abgelaufen",
    ):
        assert reason in due, reason
    assert "Erst morgen fällig" not in due and "Wiedervorlage einer Kollegin" not in due
    # Grouped by kind, in the order of the work: Wiedervorlage, Verjährung droht, Stundung endet.
    kinds = re.findall(r'class="kern-table kern-table--striped kofo-follow-ups" data-kind="([a-z_]+)"', due)
    assert kinds[:3] == ["manual", "limitation", "deferral_ends"]
    assert ">Verjährung droht (1)<" in due and ">Stundung endet (1)<" in due
    # Overdue rows are marked in words, not by colour alone.
    row = due.split(f'data-follow-up="{overdue.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-overdue="true"' in due.split(f'data-follow-up="{overdue.pk}"', 1)[1][:40]
    assert "überfällig seit 3 Tagen" in row
    assert f'href="{reverse("web:case_detail", args=[case.number])}"' in row
    assert "Müller, Anna" in row
    assert figure(html, "follow-ups-due") == str(baseline + 4)
    assert int(figure(html, "follow-ups-overdue")) >= 2
    assert figure(html, "cases-open") == "1"  # Anna Müller's file
    # Files without caseworker: Karl Schneider's.
    assert figure(html, "cases-unassigned") == "1"
    assert world.schneider.number in section(html, "unassigned-title")
    # The filter over all caseworkers is for Administration only.
    assert 'name="sachbearbeitung"' not in html
    mine_only = logged_in(user).get(reverse("web:worklist"), {"sachbearbeitung": "alle"}).content.decode()
    assert "Wiedervorlage einer Kollegin" not in mine_only


def test_worklist_shows_every_kind_of_follow_up(world: World) -> None:
    """The four kinds of the daily work in their order, any other kind (e.g. of measures) after them."""
    for kind in FollowUpKind:
        follow_up(world.mueller, today(), f"Aufgabe {kind.value}", kind=kind, key=f"test:{kind.value}")
    due = section(
        world.client_for(Role.INNENDIENST).get(reverse("web:worklist")).content.decode(), "due-title"
    )
    kinds = re.findall(r'class="kern-table kern-table--striped kofo-follow-ups" data-kind="([a-z_]+)"', due)
    assert kinds[:4] == ["manual", "limitation", "deferral_ends", "review"]
    assert set(kinds) == {kind.value for kind in FollowUpKind}
    for kind in FollowUpKind:
        assert f"Aufgabe {kind.value}" in due and f">{kind.label} (1)<" in due


def test_administration_sees_the_worklist_of_all_caseworkers(world: World) -> None:
    follow_up(world.mueller, today(), "Aufgabe im Innendienst")
    follow_up(world.becker, today(), "Aufgabe der Kollegin")
    client = world.client_for(Role.ADMINISTRATION)
    own = client.get(reverse("web:worklist")).content.decode()
    assert 'name="sachbearbeitung"' in own and "alle Sachbearbeiter" in own
    assert (
        "Aufgabe im Innendienst" not in own and "Aufgabe der Kollegin" not in own
    )  # Administration has no files
    everyone = client.get(reverse("web:worklist"), {"sachbearbeitung": "alle"}).content.decode()
    assert "Aufgabe im Innendienst" in everyone and "Aufgabe der Kollegin" in everyone
    assert ">Sachbearbeitung</th>" in section(everyone, "due-title")
    assert world.second.username in section(everyone, "due-title")
    one = client.get(reverse("web:worklist"), {"sachbearbeitung": world.second.username}).content.decode()
    assert "Aufgabe der Kollegin" in one and "Aufgabe im Innendienst" not in one
    assert f"Arbeitsliste – {world.second.username}" in one


def test_mark_a_follow_up_done_via_htmx(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    pending = follow_up(case, today(), "Kontoauszug anfordern")
    client = logged_in(user)
    worklist = client.get(reverse("web:worklist")).content.decode()
    url = reverse("web:follow_up_done", args=[case.number, pending.pk])
    assert f'hx-post="{url}"' in worklist and 'hx-target="closest td"' in worklist
    assert "csrfmiddlewaretoken" in worklist.split(f'hx-post="{url}"', 1)[1].split("</form>", 1)[0]

    response = client.post(url, {"ansicht": "arbeitsliste"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert f'data-done="{pending.pk}"' in fragment and "erledigt" in fragment and user.username in fragment
    pending.refresh_from_db()
    assert pending.done_at is not None and pending.done_by == user.username
    event = AuditEvent.objects.get(action="cases.complete_follow_up")
    assert (event.object_type, event.object_id, event.actor) == ("cases.case", str(case.pk), user.username)
    assert event.summary == {"follow_up": pending.pk}
    # Twice: the action's German message, in place of the button.
    again = client.post(url, {"ansicht": "arbeitsliste"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Die Wiedervorlage ist bereits erledigt." in again and 'role="alert"' in again
    assert "Kontoauszug anfordern" not in client.get(reverse("web:worklist")).content.decode()
    detail = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    done = detail.split('data-state="done"', 1)[1].split("</table>", 1)[0]
    assert "Kontoauszug anfordern" in done


def test_mark_a_follow_up_done_without_javascript(world: World) -> None:
    case = world.mueller
    first = follow_up(case, today(), "Erste")
    second = follow_up(case, today(), "Zweite")
    client = world.client_for(Role.INNENDIENST)
    response = client.post(
        reverse("web:follow_up_done", args=[case.number, first.pk]), {"ansicht": "arbeitsliste"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("web:worklist")
    html = client.get(response["Location"]).content.decode()
    assert f"Wiedervorlage vom {today():%d.%m.%Y} zu {case.number} erledigt." in html
    response = client.post(reverse("web:follow_up_done", args=[case.number, second.pk]), {"ansicht": "akte"})
    assert response["Location"] == reverse("web:case_detail", args=[case.number]) + "#wiedervorlagen"
    again = client.post(reverse("web:follow_up_done", args=[case.number, second.pk]), follow=True)
    assert "Die Wiedervorlage ist bereits erledigt." in again.content.decode()
    # A follow-up is reached only through its own file.
    other = follow_up(world.becker, today(), "Fremd")
    assert client.post(reverse("web:follow_up_done", args=[case.number, other.pk])).status_code == 404


# --- the list of files -----------------------------------------------------------------------------------


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'data-case="(VA-\d+)"', html))


def test_case_list_search_and_filters(world: World) -> None:
    mueller, becker, schneider = world.mueller.number, world.becker.number, world.schneider.number
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:case_list")
    response = client.get(url)
    assert _numbers(response.content.decode()) == {mueller, becker, schneider}
    assert response.context["page"].paginator.per_page == limits.PAGE_SIZE_DEFAULT
    assert client.get(url, {"q": "Müller"}).context["page"].paginator.count == 1
    assert _numbers(client.get(url, {"q": "Müller"}).content.decode()) == {mueller}
    assert _numbers(client.get(url, {"q": "becker"}).content.decode()) == {becker}
    assert _numbers(client.get(url, {"q": schneider}).content.decode()) == {schneider}
    assert _numbers(client.get(url, {"q": schneider[-3:]}).content.decode()) == {schneider}
    fragment = client.get(url, {"q": "becker"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and _numbers(fragment.content.decode()) == {becker}
    assert "HX-Request" in fragment["Vary"]
    assert "Keine Akten gefunden." in client.get(url, {"q": "Niemand"}).content.decode()
    # Filters: caseworker, no caseworker, status.
    mine = client.get(url, {"sachbearbeitung": world.users[Role.INNENDIENST].username}).content.decode()
    assert _numbers(mine) == {mueller}
    assert _numbers(client.get(url, {"sachbearbeitung": "ohne"}).content.decode()) == {schneider}
    do_suspend_case(
        world.becker,
        until=today() + dt.timedelta(days=30),
        reason="Niederschlagung",
        actor=factories.TEST_ACTOR,
    )
    assert _numbers(client.get(url, {"status": "suspended"}).content.decode()) == {becker}
    assert _numbers(client.get(url, {"status": "open"}).content.decode()) == {mueller, schneider}
    both = client.get(url, {"status": "open", "sachbearbeitung": "ohne", "q": "schneider"}).content.decode()
    assert _numbers(both) == {schneider}
    # The live search: htmx attributes on the fields, results swapped into #case-results.
    page = response.content.decode()
    assert 'hx-get="/akten/"' in page and 'hx-target="#case-results"' in page and 'id="case-results"' in page
    assert page.count('hx-include="closest form"') == 3
    # A garbage filter value is answered at the field, the list stays whole.
    bad = client.get(url, {"sachbearbeitung": "gibt-es-nicht"})
    assert bad.status_code == 200 and _numbers(bad.content.decode()) == {mueller, becker, schneider}
    assert "kern-form-input--error" in bad.content.decode()


# --- the file --------------------------------------------------------------------------------------------


def test_file_page_shows_header_debtor_and_claims_by_partner(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    url = reverse("web:case_detail", args=[case.number])
    html = logged_in(user).get(url).content.decode()
    assert f'<h1 class="kern-heading-large">{case.number}</h1>' in html
    header = html.split('id="file-title"', 1)[1].split("</dl>", 1)[0]
    assert "in Bearbeitung" in header and user.username in header
    assert "zuständig nach: Buchstabe M (M–R)" in header
    assert "01.06.2025" in header  # opened by the daily run of that date
    debtor = html.split('id="debtor-title"', 1)[1].split("</dl>", 1)[0]
    assert "Müller, Anna" in debtor and "12.03.1978" in debtor
    assert "Hauptstraße 12, 66740 Saarlouis" in debtor
    assert f'href="{reverse("web:debtor_detail", args=[case.debtor.number])}"' in debtor

    # Claims grouped by partner, each with its open amount per component from the ledger.
    claims = section(html, "claims-title")
    tables = re.findall(r'data-partner="([a-z-]+)"', claims)
    assert tables == ["stadt-saarlouis", "stadt-dillingen"]  # by partner name: Kreisstadt …, Stadt …
    saarlouis = claims.split('data-partner="stadt-saarlouis"', 1)[1].split("</table>", 1)[0]
    assert "GS-A" in saarlouis and "HU-B" in saarlouis and "GS-M" not in saarlouis
    row = saarlouis.split('data-claim="GS-A"', 1)[1].split("</tr>", 1)[0]
    assert "10.03.2025" in row and "offen" in row and "Grundsteuer" in row
    cells = re.findall(r'kofo-amount"[^>]*>([^<]*)<', row)
    # Hauptforderung, Säumniszuschläge, Gebühren, Kosten, Zinsen, offen
    assert cells == ["1.598,00 EUR", "46,50 EUR", "0,00 EUR", "0,00 EUR", "0,00 EUR", "1.644,50 EUR"]
    total = Cents(0)
    for claim in Claim.objects.filter(kassenzeichen__in=["GS-A", "HU-B", "GS-M"]):
        balances = component_balances("cases.claim", claim.pk)
        open_amount = sum(balances.values(), Cents(0))
        total = total + open_amount
        table = claims.split(f'data-claim="{claim.kassenzeichen}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-figure="claim-open">{open_amount}<' in table
        assert str(balances[Component.SURCHARGE]) in table
    assert figure(html, "case-open-total") == str(total)
    assert figure(html, "case-total") == str(total)
    assert f"/forderungen/{Claim.objects.get(kassenzeichen='GS-M').pk}/" in claims
    # Booked surcharges: the accruals of the daily run.
    surcharges = section(html, "surcharges-title")
    booked = SurchargeAccrual.objects.filter(claim__kassenzeichen__in=["GS-A", "HU-B", "GS-M"])
    assert surcharges.split("<tbody", 1)[1].count('<tr class="kern-table__row">') == booked.count()
    assert figure(html, "surcharges-booked") == str(Cents(sum(a.amount_cents for a in booked)))

    # Every view of the page is in the access log.
    entry = PersonalDataAccess.objects.get()
    assert (entry.subject_type, entry.subject_id) == ("debtors.debtor", str(case.debtor_id))
    assert entry.user_id == user.pk and entry.path == url and entry.channel == "ui"
    assert case.number in entry.what
    logged_in(user).get(url)
    assert PersonalDataAccess.objects.count() == 2


def test_field_service_reads_the_file_without_links_it_may_not_follow(world: World) -> None:
    html = world.client_for(Role.AUSSENDIENST).get(reverse("web:case_detail", args=[world.mueller.number]))
    text = html.content.decode()
    assert "GS-A" in text and "/forderungen/" not in text and "/schuldner/" not in text
    assert "/hauptbuch/" not in text


def test_timeline_merges_events_bookings_notes_and_follow_ups(world: World) -> None:
    case = world.mueller
    follow_up(case, today(), "Bankverbindung ermitteln")
    do_add_note(case, text="Schuldnerin zahlt ab Juli in Raten.", actor=world.users[Role.INNENDIENST])
    html = (
        world.client_for(Role.INNENDIENST)
        .get(reverse("web:case_detail", args=[case.number]))
        .content.decode()
    )
    timeline = section(html, "verlauf")
    entries = re.findall(r'data-entry="([a-z_]+)"', timeline)
    assert entries[0] == "note"  # newest first
    assert {"event", "booking", "note", "follow_up"} <= set(entries)
    assert "Schuldnerin zahlt ab Juli in Raten." in timeline
    assert "Bankverbindung ermitteln" in timeline
    assert "Akte angelegt" in timeline and "Buchstabe M (M–R)" in timeline
    # The surcharge bookings of the daily run, with their amounts and a link to the ledger.
    assert "Säumniszuschlag gebucht" in timeline
    assert "Säumniszuschlag GS-A, 1. Säumnismonat ab 11.03.2025" in timeline
    assert "15,50 EUR" in timeline
    assert "/hauptbuch/buchungen/" in timeline
    # One entry per change: the audit event of a note is the note itself.
    assert "cases.add_note" not in timeline
    surcharge_bookings = SurchargeAccrual.objects.filter(claim__kassenzeichen__in=["GS-A", "HU-B", "GS-M"])
    assert timeline.count("Säumniszuschlag gebucht") == surcharge_bookings.count()


def test_timeline_pages(world: World) -> None:
    case = world.mueller
    for n in range(limits.PAGE_SIZE_DEFAULT + 5):
        do_add_note(case, text=f"Vermerk Nummer {n}", actor=factories.TEST_ACTOR)
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:case_detail", args=[case.number])
    first = section(client.get(url).content.decode(), "verlauf")
    assert first.count('<tr class="kern-table__row" data-entry=') == limits.PAGE_SIZE_DEFAULT
    assert f"Vermerk Nummer {limits.PAGE_SIZE_DEFAULT + 4}<" in first and "Vermerk Nummer 0<" not in first
    assert "verlauf=2#verlauf" in first
    second = section(client.get(url, {"verlauf": 2}).content.decode(), "verlauf")
    assert "Vermerk Nummer 0<" in second and "Akte angelegt" in second
    assert "Vermerk Nummer 54<" not in second
    assert section(client.get(url, {"verlauf": "x"}).content.decode(), "verlauf") == first


# --- the actions -----------------------------------------------------------------------------------------


def test_add_a_note(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    client = logged_in(user)
    url = reverse("web:case_add_note", args=[case.number])
    response = client.post(url, {"vermerk-text": "Schuldnerin hat angerufen.\nRückruf vereinbart."})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail", args=[case.number]) + "#vermerke"
    note = CaseNote.objects.get(case=case)
    assert note.author == user.username and note.text.startswith("Schuldnerin hat angerufen.")
    event = AuditEvent.objects.get(action="cases.add_note")
    assert (event.object_id, event.actor, event.summary["note"]) == (str(case.pk), user.username, note.pk)
    html = client.get(response["Location"]).content.decode()
    assert f"Der Vermerk ist in der Akte {case.number} gespeichert." in html
    assert "Schuldnerin hat angerufen.<br>Rückruf vereinbart." in section(html, "vermerke")

    for text in ("", "   "):
        refused = client.post(url, {"vermerk-text": text})
        assert refused.status_code == 200
        page = refused.content.decode()
        assert "Dieses Feld ist zwingend erforderlich." in page
        assert 'id="vermerk-anlegen" open' in page  # the form with the message is open
    too_long = client.post(url, {"vermerk-text": "x" * (NOTE_CHARS_MAX + 1)}).content.decode()
    assert "kern-form-input--error" in too_long and 'id="vermerk-anlegen" open' in too_long
    assert CaseNote.objects.filter(case=case).count() == 1


def test_schedule_a_follow_up(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    client = logged_in(user)
    url = reverse("web:case_schedule_follow_up", args=[case.number])
    due_on = today() + dt.timedelta(days=14)
    response = client.post(
        url, {"wiedervorlage-due_on": due_on.isoformat(), "wiedervorlage-reason": "Antwort der Bank abwarten"}
    )
    assert response.status_code == 302
    created = FollowUp.objects.get(case=case, reason="Antwort der Bank abwarten")
    assert (created.due_on, created.kind, created.created_by) == (due_on, FollowUpKind.MANUAL, user.username)
    assert AuditEvent.objects.filter(action="cases.schedule_follow_up", object_id=str(case.pk)).exists()
    html = client.get(response["Location"]).content.decode()
    assert f"Wiedervorlage zum {due_on:%d.%m.%Y} angelegt." in html
    assert "Antwort der Bank abwarten" in html.split('data-state="open"', 1)[1].split("</table>", 1)[0]

    past = client.post(
        url,
        {"wiedervorlage-due_on": (today() - dt.timedelta(days=1)).isoformat(), "wiedervorlage-reason": "x"},
    ).content.decode()
    assert "Eine Wiedervorlage liegt heute oder in der Zukunft." in past
    assert 'id="wiedervorlage-anlegen" open' in past
    no_reason = client.post(url, {"wiedervorlage-due_on": due_on.isoformat()}).content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in no_reason
    german_date = client.post(
        url, {"wiedervorlage-due_on": f"{due_on:%d.%m.%Y}", "wiedervorlage-reason": "Deutsches Datum"}
    )
    assert german_date.status_code == 302
    assert FollowUp.objects.filter(case=case, due_on=due_on, reason="Deutsches Datum").exists()


def test_assign_to_another_caseworker_and_back_by_rule(world: World) -> None:
    innen = world.users[Role.INNENDIENST]
    case = world.mueller
    client = logged_in(innen)
    url = reverse("web:case_assign", args=[case.number])
    page = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    options = re.findall(
        r'<option value="([^"]*)"', page.split('name="zuweisung-caseworker"', 1)[1].split("</select>")[0]
    )
    assert options[0] == "regel" and set(options[1:]) == {innen.username, world.second.username}

    response = client.post(
        url, {"zuweisung-caseworker": world.second.username, "zuweisung-reason": "Vertretung"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.caseworker, case.assignment_reason) == (world.second, "Vertretung")
    event = AuditEvent.objects.filter(action="cases.assign_case").latest("id")
    assert event.summary == {"before": innen.username, "after": world.second.username, "reason": "Vertretung"}
    html = client.get(response["Location"]).content.decode()
    assert f"Die Akte {case.number} ist jetzt {world.second.username} zugewiesen (Vertretung)." in html

    client.post(url, {"zuweisung-caseworker": innen.username})
    case.refresh_from_db()
    assert case.assignment_reason == f"von Hand zugewiesen ({innen.username})"
    client.post(url, {"zuweisung-caseworker": world.second.username})
    client.post(url, {"zuweisung-caseworker": "regel"})
    case.refresh_from_db()
    assert (case.caseworker, case.assignment_reason) == (innen, "Buchstabe M (M–R)")

    # No rule for S: "nach Regel" leaves Karl Schneider's file without caseworker, and says so.
    schneider = world.schneider
    warned = client.post(
        reverse("web:case_assign", args=[schneider.number]), {"zuweisung-caseworker": "regel"}, follow=True
    )
    assert "Keine Zuständigkeitsregel passt" in warned.content.decode()
    # Only Innendienst users can take a file.
    refused = client.post(url, {"zuweisung-caseworker": world.users[Role.PRUEFUNG].username})
    assert refused.status_code == 200 and "kern-form-input--error" in refused.content.decode()
    assert 'id="zuweisen" open' in refused.content.decode()
    case.refresh_from_db()
    assert case.caseworker == innen


def test_suspend_asks_for_confirmation_and_reopen_brings_the_file_back(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    case = world.mueller
    client = logged_in(user)
    url = reverse("web:case_suspend", args=[case.number])
    until = today() + dt.timedelta(days=90)
    data = {
        "zurueckstellung-until": until.isoformat(),
        "zurueckstellung-reason": "Niederschlagung (§ 261 AO)",
    }
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Akte zurückstellen?" in page and f"ruht bis zum {until:%d.%m.%Y}" in page
    assert 'name="bestaetigt" value="ja"' in page and "csrfmiddlewaretoken" in page
    assert f'name="zurueckstellung-until" value="{until.isoformat()}"' in page
    assert f'href="{reverse("web:case_detail", args=[case.number])}"' in page  # Abbrechen
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not AuditEvent.objects.filter(action="cases.suspend_case").exists()

    response = client.post(url, {**data, "bestaetigt": "ja"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.review_on) == (CaseStatus.SUSPENDED, until)
    event = AuditEvent.objects.get(action="cases.suspend_case")
    assert event.summary == {"until": until.isoformat(), "reason": "Niederschlagung (§ 261 AO)"}
    html = client.get(response["Location"]).content.decode()
    assert f"Die Akte {case.number} ist bis zum {until:%d.%m.%Y} zurückgestellt." in html
    assert f"Zurückgestellt bis {until:%d.%m.%Y}" in html
    assert "Akte zurückgestellt" in section(html, "verlauf")
    assert "Akte wieder aufnehmen" in html

    reopen = reverse("web:case_reopen", args=[case.number])
    missing = client.post(reopen, {})
    assert missing.status_code == 200 and 'id="wiederaufnehmen" open' in missing.content.decode()
    response = client.post(reopen, {"wiederaufnahme-reason": "Schuldnerin hat Erbschaft gemacht"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.review_on) == (CaseStatus.OPEN, None)
    review = case.follow_ups.get(kind=FollowUpKind.REVIEW)
    assert review.due_on == today() and "Schuldnerin hat Erbschaft gemacht" in review.reason
    assert AuditEvent.objects.filter(action="cases.reopen_case").exists()
    worklist = client.get(reverse("web:worklist")).content.decode()
    assert 'data-kind="review"' in worklist and "Prüfung der Zurückstellung (1)" in worklist
    again = client.post(reopen, {"wiederaufnahme-reason": "x"}, follow=True)
    assert f"Die Akte {case.number} ist nicht zurückgestellt." in again.content.decode()


def test_suspension_errors_are_shown_at_the_form(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    case = world.mueller
    url = reverse("web:case_suspend", args=[case.number])
    past = client.post(
        url, {"zurueckstellung-until": today().isoformat(), "zurueckstellung-reason": "x", "bestaetigt": "ja"}
    ).content.decode()
    assert "Die Zurückstellung muss in der Zukunft enden." in past
    assert 'id="zurueckstellen" open' in past
    assert "Akte zurückstellen?" not in past  # no confirmation for what cannot be done
    # A closed file cannot be suspended: the action's message, with the form (no longer offered otherwise).
    schneider = world.schneider
    do_withdraw_claim(
        Claim.objects.get(kassenzeichen="GS-S"), reason="bezahlt beim Partner", actor=factories.TEST_ACTOR
    )
    do_close_case_if_done(schneider, on=today(), actor=factories.TEST_ACTOR)
    closed_page = client.get(reverse("web:case_detail", args=[schneider.number])).content.decode()
    assert "Abgeschlossen" in closed_page and "Akte zurückstellen" not in closed_page
    refused = client.post(
        reverse("web:case_suspend", args=[schneider.number]),
        {
            "zurueckstellung-until": (today() + dt.timedelta(days=5)).isoformat(),
            "zurueckstellung-reason": "x",
            "bestaetigt": "ja",
        },
    ).content.decode()
    assert "Die Akte ist abgeschlossen." in refused and 'id="zurueckstellen" open' in refused
    assert Case.objects.get(pk=schneider.pk).status == CaseStatus.CLOSED


def test_case_pages_have_accessible_tables_and_labels(world: World) -> None:
    follow_up(world.mueller, today() - dt.timedelta(days=1), "Überfällige Aufgabe")
    client = world.client_for(Role.ADMINISTRATION)
    urls = [
        reverse("web:worklist"),
        reverse("web:worklist") + "?sachbearbeitung=alle",
        reverse("web:case_list"),
        reverse("web:case_detail", args=[world.mueller.number]),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            assert "<caption" in table, url
            for th in re.findall(r"<th\b[^>]*>", table):
                assert "scope=" in th, (url, th)
        for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in control:
                continue
            control_id = re.search(r'id="([^"]+)"', control)
            assert control_id, (url, control)
            assert f'for="{control_id.group(1)}"' in html, (url, control)
        for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
            assert "csrfmiddlewaretoken" in form, url
