"""Web UI of the debtors (issue 3, item 7): search, the debtor file across partners, merge and split, the
review queue with both records side by side and the engine's explanation, and the access log."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.cases.models import Claim
from kofo.debtors.actions import current, do_register_debtor_record
from kofo.debtors.models import Debtor, DebtorRecord, LinkReview, ReviewStatus
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.partners.models import ClaimType, Partner, Regime
from kofo.partners.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "formats" / "intake-example.csv"
AS_OF = dt.date(2026, 11, 2)
ALL_ROLES = tuple(Role)
DEBTOR_ROLES = (Role.ADMINISTRATION, Role.INNENDIENST, Role.PRUEFUNG)

# A person as one partner knows her, and variants another partner might send. Which variant lands between
# the thresholds depends on the trained model; the fixture takes the first one that makes a review case.
PERSON = {
    "kind": "natural",
    "surname": "Becker",
    "given_names": "Jonas",
    "birth_name": "",
    "birth_date": dt.date(1990, 7, 1),
    "street": "Lisdorfer Straße",
    "house_number": "5",
    "postcode": "66740",
    "city": "Saarlouis",
}
UNCERTAIN_VARIANTS = [
    {
        "birth_date": None,
        "street": "Lindenweg",
        "house_number": "3",
        "postcode": "66763",
        "city": "Dillingen",
    },
    {"birth_date": None},
    {"birth_date": dt.date(1990, 1, 1), "street": "Lindenweg", "house_number": "3", "postcode": "66763"},
    {"given_names": "J.", "birth_date": None, "street": "Am Markt", "house_number": "1"},
]


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
        claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER, ClaimType.GEWERBESTEUER],
    )
    return partner


@dataclass
class World:
    partner: Partner
    other_partner: Partner
    users: dict[Role, Any]
    review: LinkReview

    def client_for(self, role: Role) -> Client:
        return logged_in(self.users[role])

    @property
    def mueller(self) -> Debtor:
        """Anna Maria Müller: two records of each partner (Müller/Mueller), four claims."""
        claim = Claim.objects.get(partner=self.partner, kassenzeichen="GS-2026-000123")
        return current(claim.debtor_record.debtor)

    @property
    def saarbau(self) -> Debtor:
        claim = Claim.objects.get(partner=self.partner, kassenzeichen="GW-2026-000042")
        return current(claim.debtor_record.debtor)


def make_review(first: Partner, second: Partner) -> LinkReview:
    do_register_debtor_record(first, dict(PERSON), actor=factories.TEST_ACTOR)
    for variant in UNCERTAIN_VARIANTS:
        record = do_register_debtor_record(second, {**PERSON, **variant}, actor=factories.TEST_ACTOR)
        review = LinkReview.objects.filter(record=record, status=ReviewStatus.OPEN).first()
        if review is not None:
            return review
    pytest.fail(
        "Keine der Varianten liegt zwischen den Schwellen: UNCERTAIN_VARIANTS an das Modell anpassen."
    )


@pytest.fixture
def world(office: Any) -> World:
    partner = with_agreement(factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis"))
    other = with_agreement(factories.make_partner(key="stadt-dillingen", name="Stadt Dillingen/Saar"))
    for p in (partner, other):
        do_import_request(
            p,
            EXAMPLE.read_bytes(),
            channel=Channel.CSV,
            filename="e.csv",
            as_of=AS_OF,
            actor=factories.TEST_ACTOR,
        )
    review = make_review(partner, other)
    users = {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}
    return World(partner, other, users, review)


def pages(world: World) -> dict[str, str]:
    return {
        "debtor_list": reverse("web:debtor_list"),
        "debtor_detail": reverse("web:debtor_detail", args=[world.mueller.number]),
        "review_list": reverse("web:review_list"),
        "review_detail": reverse("web:review_detail", args=[world.review.pk]),
    }


@pytest.mark.parametrize("name", ["debtor_list", "debtor_detail", "review_list", "review_detail"])
@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_page_access_by_role(world: World, name: str, role: Role) -> None:
    url = pages(world)[name]
    response = world.client_for(role).get(url)
    if role in DEBTOR_ROLES:
        assert response.status_code == 200, f"{role} should see {name}"
        assert '<html lang="de"' in response.content.decode()
    else:
        assert response.status_code == 403, f"{role} must not see {name}"
    assert Client().get(url).status_code == 302


def test_refused_pages_log_nothing(world: World) -> None:
    for name in ("debtor_detail", "review_detail"):
        world.client_for(Role.PARTNER).get(pages(world)[name])
    assert not PersonalDataAccess.objects.exists()


def test_post_endpoints_need_the_change_permissions(world: World) -> None:
    number = world.mueller.number
    posts = {
        reverse("web:debtor_merge", args=[number]): {"zusammenfuehren-target": world.saarbau.number},
        reverse("web:debtor_split", args=[number]): {"abspalten-records": "1"},
        reverse("web:review_decide", args=[world.review.pk]): {"entscheidung": "gleich"},
    }
    for role in (Role.PRUEFUNG, Role.PARTNER, Role.AUSSENDIENST):
        for url, data in posts.items():
            assert world.client_for(role).post(url, data).status_code == 403, (role, url)
    world.review.refresh_from_db()
    assert world.review.status == ReviewStatus.OPEN
    html = world.client_for(Role.PRUEFUNG).get(pages(world)["debtor_detail"]).content.decode()
    assert "Zuordnung korrigieren" not in html
    html = world.client_for(Role.PRUEFUNG).get(pages(world)["review_detail"]).content.decode()
    assert "Gleiche Person (zusammenführen)" not in html


# --- search and the debtor file ------------------------------------------------------------------------


def test_search_by_name_number_and_postcode(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    url = reverse("web:debtor_list")
    everyone = client.get(url).content.decode()
    assert world.mueller.number in everyone and world.saarbau.number in everyone
    by_name = client.get(url, {"q": "mueller"}).content.decode()  # the second record's spelling
    assert world.mueller.number in by_name and "Saarbau" not in by_name
    by_number = client.get(url, {"q": world.saarbau.number}).content.decode()
    assert "Saarbau" in by_number and world.mueller.number not in by_number
    by_postcode = client.get(url, {"q": "66763"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in by_postcode
    assert world.mueller.number not in by_postcode
    nobody = client.get(url, {"q": "Niemand"}).content.decode()
    assert "Keine Schuldner gefunden." in nobody


def test_debtor_file_bundles_records_and_claims_of_all_partners(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    debtor = world.mueller
    url = reverse("web:debtor_detail", args=[debtor.number])
    html = logged_in(user).get(url).content.decode()
    records = html.split('class="kern-table kern-table--striped kern-table--small kofo-records"', 1)[1]
    records = records.split("</table>", 1)[0]
    assert records.count("data-record=") == 4  # Müller and Mueller, from each partner
    assert world.partner.name in records and world.other_partner.name in records
    assert "Müller, Anna Maria" in records and "Mueller, Anna" in records
    assert "12.03.1978" in records and "Schmidt" in records  # birth date and birth name as submitted
    assert "automatisch zugeordnet" in records
    # Claims of both partners, with the open total of the bundle: 2 × (1.648,30 + 122,80).
    assert html.count('class="kern-link" href="/forderungen/') == 4
    assert 'data-figure="debtor-open-total">3.542,20 EUR<' in html
    entry = PersonalDataAccess.objects.get()
    assert entry.subject_type == "debtors.debtor" and entry.subject_id == str(debtor.pk)
    assert entry.user_id == user.pk and entry.path == url and entry.channel == "ui"
    logged_in(user).get(url)
    assert PersonalDataAccess.objects.count() == 2  # every view is logged


def test_unknown_debtor_is_404(world: World) -> None:
    assert (
        world.client_for(Role.INNENDIENST).get(reverse("web:debtor_detail", args=["S-9999999"])).status_code
        == 404
    )


# --- merge and split -------------------------------------------------------------------------------------


def test_merge_form(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    source, target = world.review.record.debtor, world.review.candidate
    url = reverse("web:debtor_merge", args=[source.number])
    unknown = client.post(url, {"zusammenfuehren-target": "S-9999999", "zusammenfuehren-reason": "x"})
    assert "Einen Schuldner mit der Nummer S-9999999 gibt es nicht." in unknown.content.decode()
    itself = client.post(url, {"zusammenfuehren-target": source.number, "zusammenfuehren-reason": "x"})
    assert "nicht mit sich selbst zusammengeführt" in itself.content.decode()
    kinds = client.post(url, {"zusammenfuehren-target": world.saarbau.number, "zusammenfuehren-reason": "x"})
    assert "Natürliche und juristische Personen werden nicht zusammengeführt." in kinds.content.decode()
    no_reason = client.post(url, {"zusammenfuehren-target": target.number})
    assert "Dieses Feld ist zwingend erforderlich." in no_reason.content.decode()

    response = client.post(
        url, {"zusammenfuehren-target": target.number.lower(), "zusammenfuehren-reason": "Umzug bekannt"}
    )
    assert response["Location"] == reverse("web:debtor_detail", args=[target.number])
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert AuditEvent.objects.filter(action="debtors.merge").exists()
    assert f"in {target.number} zusammengeführt" in client.get(response["Location"]).content.decode()
    html = client.get(reverse("web:debtor_detail", args=[source.number])).content.decode()
    assert (
        f'zusammengeführt in <a class="kern-link" href="{reverse("web:debtor_detail", args=[target.number])}"'
        in html
    )
    assert "Zuordnung korrigieren" not in html  # a merged debtor is corrected at the survivor


def test_split_form(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    debtor = world.mueller
    records = list(debtor.records.order_by("id"))
    url = reverse("web:debtor_split", args=[debtor.number])
    page = client.get(reverse("web:debtor_detail", args=[debtor.number])).content.decode()
    assert page.count('name="abspalten-records"') == 4
    nothing = client.post(url, {"abspalten-reason": "x"})
    assert "Bitte mindestens eine Angabe auswählen." in nothing.content.decode()
    everything = client.post(url, {"abspalten-records": [r.pk for r in records], "abspalten-reason": "x"})
    assert "Mindestens eine Angabe muss beim Schuldner bleiben." in everything.content.decode()
    stranger = DebtorRecord.objects.exclude(debtor=debtor).first()
    assert stranger is not None
    foreign = client.post(url, {"abspalten-records": [stranger.pk], "abspalten-reason": "x"})
    assert "Auswahl" in foreign.content.decode()  # not one of the choices

    moved = [r.pk for r in records if r.partner_id == world.other_partner.pk]
    response = client.post(url, {"abspalten-records": moved, "abspalten-reason": "andere Person"})
    new = Debtor.objects.get(records__pk=moved[0])
    assert new.pk != debtor.pk
    assert response["Location"] == reverse("web:debtor_detail", args=[new.number])
    assert set(new.records.values_list("pk", flat=True)) == set(moved)
    assert AuditEvent.objects.filter(action="debtors.split").exists()
    html = client.get(response["Location"]).content.decode()
    assert f"als neuer Schuldner {new.number} abgespalten" in html
    # The claims follow their records.
    assert html.count('class="kern-link" href="/forderungen/') == 2


# --- review queue ----------------------------------------------------------------------------------------


def test_review_queue_ordered_by_score(world: World) -> None:
    second = make_review(factories.make_partner(), factories.make_partner())
    html = world.client_for(Role.INNENDIENST).get(reverse("web:review_list")).content.decode()
    rows = re.findall(r'href="/schuldner/pruefung/(\d+)/"', html)
    expected = [str(r.pk) for r in LinkReview.objects.filter(status="open").order_by("-score", "id")]
    assert rows == expected and str(second.pk) in rows
    assert "Keine offenen Prüffälle." not in html
    decided = world.client_for(Role.INNENDIENST).get(reverse("web:review_list"), {"status": "entschieden"})
    assert "Noch kein Prüffall entschieden." in decided.content.decode()


def test_review_detail_shows_both_records_and_the_explanation(world: World) -> None:
    user = world.users[Role.INNENDIENST]
    review = world.review
    html = logged_in(user).get(reverse("web:review_detail", args=[review.pk])).content.decode()
    pair = html.split('class="kern-table kofo-pair"', 1)[1].split("</table>", 1)[0]
    for label in ("Familienname", "Vornamen", "Geburtsname", "Geburtsdatum", "Straße", "Hausnummer", "PLZ", "Ort",
                  "Partner", "Schuldnernummer beim Partner"):  # fmt: skip
        assert f">{label}" in pair, label
    assert "Becker" in pair and "01.07.1990" in pair
    assert review.record.partner.name in pair and review.candidate_record.partner.name in pair
    assert "kofo-pair__row--differs" in pair  # the fields that differ are marked
    explanation = html.split('class="kern-table kofo-explanation"', 1)[1].split("</table>", 1)[0]
    assert "Familienname" in explanation and "Anschrift" in explanation
    for entry in review.explanation:
        assert f'data-level="{entry["level"]}"' in explanation
    assert "fehlt (neutral)" in explanation or "gleich" in explanation
    assert re.search(r"[+−±]\d+,\d\d", explanation)  # signed German weights
    assert "kofo-weight--" in explanation
    assert 'data-figure="score"' in explanation
    assert "Gleiche Person (zusammenführen)" in html and "Verschiedene Personen" in html
    logged = PersonalDataAccess.objects.filter(user_id=user.pk)
    assert {(e.subject_type, e.subject_id) for e in logged} == {
        ("debtors.debtorrecord", str(review.record_id)),
        ("debtors.debtorrecord", str(review.candidate_record_id)),
    }


def test_confirming_a_review_merges_the_debtors(world: World) -> None:
    review = world.review
    source, target = review.record.debtor, review.candidate
    client = world.client_for(Role.INNENDIENST)
    response = client.post(reverse("web:review_decide", args=[review.pk]), {"entscheidung": "gleich"})
    assert response.status_code == 302
    review.refresh_from_db()
    source.refresh_from_db()
    assert review.status == ReviewStatus.CONFIRMED
    assert review.decided_by == world.users[Role.INNENDIENST].username
    assert source.merged_into_id == target.pk
    assert DebtorRecord.objects.get(pk=review.record_id).debtor_id == target.pk
    html = client.get(response["Location"]).content.decode()
    assert f"Schuldner {source.number} ist jetzt Teil von {target.number}" in html
    # Deciding twice is answered with the action's German message.
    again = client.post(
        reverse("web:review_decide", args=[review.pk]), {"entscheidung": "verschieden"}, follow=True
    )
    assert "Dieser Prüffall ist bereits entschieden." in again.content.decode()
    detail = client.get(reverse("web:review_detail", args=[review.pk])).content.decode()
    assert "Dieser Prüffall ist entschieden." in detail and "gleiche Person" in detail
    assert "Gleiche Person (zusammenführen)" not in detail


def test_rejecting_a_review_leaves_the_debtors_apart(world: World) -> None:
    review = world.review
    source, target = review.record.debtor, review.candidate
    client = world.client_for(Role.ADMINISTRATION)
    response = client.post(reverse("web:review_decide", args=[review.pk]), {"entscheidung": "verschieden"})
    assert response.status_code == 302
    review.refresh_from_db()
    source.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert source.merged_into_id is None
    assert DebtorRecord.objects.get(pk=review.record_id).debtor_id == source.pk != target.pk
    assert AuditEvent.objects.filter(action="debtors.reject_link").exists()
    html = client.get(reverse("web:review_list"), {"status": "entschieden"}).content.decode()
    assert f'href="/schuldner/pruefung/{review.pk}/"' in html and "verschiedene Personen" in html


def test_review_decision_needs_a_choice(world: World) -> None:
    client = world.client_for(Role.INNENDIENST)
    response = client.post(reverse("web:review_decide", args=[world.review.pk]), {}, follow=True)
    assert "Bitte „Gleiche Person“ oder „Verschiedene Personen“ wählen." in response.content.decode()
    world.review.refresh_from_db()
    assert world.review.status == ReviewStatus.OPEN


def test_dashboard_counts_open_reviews(world: World) -> None:
    html = world.client_for(Role.INNENDIENST).get(reverse("web:dashboard")).content.decode()
    assert f'data-figure="reviews-open">{LinkReview.objects.filter(status="open").count()}<' in html


def test_debtor_pages_have_accessible_tables_and_labels(world: World) -> None:
    client = world.client_for(Role.ADMINISTRATION)
    for url in pages(world).values():
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
