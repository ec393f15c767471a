"""The Rechner page: five calculators of ``kofo.law.calculators`` as KERN forms with htmx, for every role.

The expected figures are the published examples of the calculators (LAW.md, ``kofo calc``): Pfändung
2.150,00 EUR monthly with one dependant on 01.09.2025 → 4,89 EUR; Säumniszuschläge on 1.598,00 EUR due
10.03.2025, paid 15.04.2025 → 31,00 EUR (26,00 EUR after a partial payment of 500,00 EUR on 20.03.2025);
a notice posted 10.06.2025 is deemed received on 16.06.2025; a claim due 15.08.2020 with an enforcement
measure on 02.05.2023 is time-barred at the end of 31.12.2028; the Mahngebühr (Kostenordnung SVwVG) for
480,00 EUR is 4,95 EUR.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kofo.audit.models import AuditEvent, PersonalDataAccess
from kofo.law import calculators
from kofo.partners.roles import Role
from kofo.web.calculator_forms import CALCULATOR_FORMS, list_items
from tests import factories

pytestmark = pytest.mark.django_db

ALL_ROLES = tuple(Role)
TODAY = dt.date(2025, 9, 15)
NAMES = ("pfaendung", "saeumnis", "frist", "verjaehrung", "gebuehr")
TITLES = ("Pfändungsrechner", "Säumniszuschläge", "Fristen", "Verjährung", "Gebühren")


@pytest.fixture(autouse=True)
def _setup(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The forms are prefilled with today and Verjährung compares with today: pin it.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def users(office: Any) -> dict[Role, Any]:
    partner = factories.make_partner()
    return {role: factories.make_user(role, partner if role == Role.PARTNER else None) for role in Role}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client(users: dict[Role, Any]) -> Client:
    return logged_in(users[Role.INNENDIENST])


def post(client: Client, name: str, data: dict[str, str], *, htmx: bool = False) -> Any:
    fields = {f"{name}-{key}": value for key, value in data.items()}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("web:calculate", args=[name]), fields, headers=headers)


def result_of(page: str) -> tuple[str, str]:
    """``(data-result, result text)`` of the one result on the page."""
    found = re.findall(r'data-result="([^"]*)">([^<]*)<', page)
    assert len(found) == 1, found
    value, text = found[0]
    return value, html_lib.unescape(text)


def derivation_of(page: str) -> list[str]:
    ol = re.search(r'<ol class="kern-list kern-list--number"[^>]*>(.*?)</ol>', page, flags=re.S)
    assert ol is not None
    return [html_lib.unescape(item) for item in re.findall(r"<li>(.*?)</li>", ol.group(1), flags=re.S)]


def assert_inputs_kept(page: str, name: str, data: dict[str, str]) -> None:
    """The form shows what was typed or chosen."""
    for key, value in data.items():
        tag = control(page, f"id_{name}-{key}")
        if tag.startswith("<select"):
            options = page.split(tag, 1)[1].split("</select>", 1)[0]
            assert f'<option value="{value}" selected>' in options, key
        elif tag.startswith("<textarea"):
            assert page.split(tag, 1)[1].startswith(f"\n{html_lib.escape(value)}</textarea>"), key
        elif value:
            assert f'value="{html_lib.escape(value)}"' in tag, key
        else:
            assert "value=" not in tag, key


def machine(calculation: calculators.Calculation) -> str:
    """The result as the page's ``data-result``: cents as an integer or the date as ISO 8601."""
    return str(calculation.to_json()["result"])


def control(page: str, control_id: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(control_id)}"[^>]*>', page)
    assert match is not None, control_id
    return match.group(0)


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_page_shows_all_five_calculators_to_every_role(users: dict[Role, Any], role: Role) -> None:
    response = logged_in(users[role]).get(reverse("web:calculators"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="de"' in page and 'id="inhalt"' in page
    assert "<title>Rechner –" in page
    assert '<h1 class="kern-heading-large">Rechner</h1>' in page
    assert re.findall(r'<form method="post"[^>]*data-calculator="([a-z]+)"', page) == list(NAMES)
    for name, title in zip(NAMES, TITLES, strict=True):
        assert f'<h2 class="kern-heading-medium" id="{name}-title">{title}</h2>' in page
        assert f'hx-post="{reverse("web:calculate", args=[name])}"' in page
        assert f'id="{name}-result" aria-live="polite"' in page
    assert page.count('name="csrfmiddlewaretoken"') >= len(NAMES)
    nav = response.context["nav_items"]()
    assert [item["label"] for item in nav if item["active"]] == ["Rechner"]


@pytest.mark.parametrize("role", ALL_ROLES, ids=lambda r: r.name.lower())
def test_navigation_offers_the_calculators_to_every_role(users: dict[Role, Any], role: Role) -> None:
    response = logged_in(users[role]).get(reverse("web:dashboard"))
    items = {item["label"]: item["url"] for item in response.context["nav_items"]()}
    assert items["Rechner"] == reverse("web:calculators") == "/rechner/"


def test_a_user_without_a_role_may_not_use_them(db: Any) -> None:
    """The role permission partners.use_calculators decides (every role of kofo has it)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("ohne-rolle", password=factories.PASSWORD)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("web:calculators")).status_code == 403


def test_anonymous_is_sent_to_login(db: Any) -> None:
    for response in (
        Client().get(reverse("web:calculators")),
        Client().post(reverse("web:calculate", args=["pfaendung"]), {"pfaendung-netto": "2150,00"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_posting_needs_the_csrf_token(users: dict[Role, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.PARTNER])
    response = client.post(reverse("web:calculate", args=["frist"]), {"frist-beginn": "10.06.2025"})
    assert response.status_code == 403


def test_unknown_calculator_is_404_and_get_goes_back_to_the_page(client: Client) -> None:
    assert client.post(reverse("web:calculate", args=["zinsen"]), {}).status_code == 404
    response = client.get(reverse("web:calculate", args=["frist"]))
    assert response.status_code == 302
    assert response["Location"] == "/rechner/#frist"
    assert client.put(reverse("web:calculate", args=["frist"])).status_code == 405


# --- the form ------------------------------------------------------------------------------------------


def test_defaults_today_and_saarland(client: Client) -> None:
    page = client.get(reverse("web:calculators")).content.decode()
    for control_id in (
        "id_pfaendung-stichtag",
        "id_saeumnis-zahlung",
        "id_frist-beginn",
        "id_gebuehr-stichtag",
    ):
        assert 'value="15.09.2025"' in control(page, control_id), control_id
    for name in ("saeumnis", "frist"):
        select = page.split(f'id="id_{name}-land"', 1)[1].split("</select>", 1)[0]
        assert re.search(r'<option value="SL" selected>Saarland \(SL\)</option>', select)
        assert select.count("<option") == 16
    assert 'value="0"' in control(page, "id_pfaendung-unterhaltspflichten")
    assert 'inputmode="decimal"' in control(page, "id_pfaendung-netto")
    assert "z. B. 2150,00" in page
    assert "„20.03.2025 500,00“ oder „2025-03-20:500,00“" in page


def test_controls_are_labelled_and_described(client: Client) -> None:
    page = client.get(reverse("web:calculators")).content.decode()
    controls = re.findall(r"<(?:input|select|textarea)\b[^>]*>", page)
    assert len(controls) > 20
    for tag in controls:
        if 'type="hidden"' in tag:
            continue
        control_id = re.search(r'id="([^"]+)"', tag)
        assert control_id, tag
        assert f'for="{control_id.group(1)}"' in page, tag
        assert "aria-invalid" not in tag
    assert 'aria-describedby="id_pfaendung-netto_helptext"' in control(page, "id_pfaendung-netto")
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        assert "<caption" in table
        for th in re.findall(r"<th\b[^>]*>", table):
            assert "scope=" in th
    # Optional fields are marked as KERN wants it, required ones carry the attribute.
    assert re.search(
        r'for="id_saeumnis-teilzahlungen">Teilzahlungen <span class="kern-label__optional">', page
    )
    assert " required" in control(page, "id_saeumnis-faellig")


# --- the published examples -----------------------------------------------------------------------------

EXAMPLES = {
    "pfaendung": (
        {"netto": "2150,00", "unterhaltspflichten": "1", "zeitraum": "monat", "stichtag": "01.09.2025"},
        "489",
        "Pfändbar monatlich: 4,89 EUR",
        lambda: calculators.pfaendung("2150,00", "1", "monat", "01.09.2025"),
    ),
    "saeumnis": (
        {"betrag": "1598,00", "faellig": "10.03.2025", "zahlung": "15.04.2025", "land": "SL"},
        "3100",
        "Säumniszuschläge: 31,00 EUR",
        lambda: calculators.saeumnis("1598,00", "10.03.2025", zahlung="15.04.2025"),
    ),
    "frist": (
        {"beginn": "10.06.2025", "art": "bekanntgabe", "land": "SL"},
        "2025-06-16",
        "Bekanntgabe gilt am Montag, 16.06.2025 als bewirkt",
        lambda: calculators.frist("10.06.2025", "bekanntgabe", "SL"),
    ),
    "verjaehrung": (
        {"faellig": "15.08.2020", "unterbrechungen": "02.05.2023"},
        "2028-12-31",
        "Verjährung mit Ablauf des 31.12.2028",
        lambda: calculators.verjaehrung("15.08.2020", ["02.05.2023"], heute=TODAY),
    ),
    "gebuehr": (
        {"regime": "svwvg_sl", "art": "mahnung", "betrag": "480,00", "stichtag": "01.09.2025"},
        "495",
        "Mahngebühr: 4,95 EUR",
        lambda: calculators.gebuehr("svwvg_sl", "mahnung", "480,00", stichtag="01.09.2025"),
    ),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", NAMES)
def test_published_examples(client: Client, name: str, htmx: bool) -> None:
    data, value, text, direct = EXAMPLES[name]
    response = post(client, name, data, htmx=htmx)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    page = response.content.decode()
    assert result_of(page) == (value, text)
    expected = direct()
    assert derivation_of(page) == list(expected.derivation)
    assert f'<h3 class="kern-title" id="{name}-result-title">{expected.title}</h3>' in page
    assert "kern-alert--danger" not in page and "aria-invalid" not in page
    assert_inputs_kept(page, name, data)
    if htmx:
        assert "<html" not in page
        assert page.count("<form") == 1 and f'data-calculator="{name}"' in page
        assert f'<div id="{name}-result" hx-swap-oob="innerHTML">' in page
    else:
        assert '<html lang="de"' in page
        assert page.count('<form method="post"') == len(NAMES) + 1  # the calculators and the logout
        assert f'action="{reverse("web:calculate", args=[name])}#{name}"' in page


@pytest.mark.parametrize(
    "lines",
    [
        "20.03.2025 500,00",
        "20.03.2025: 500,00",
        "2025-03-20:500,00",
        "2025-03-20;500.00",
        "  20.03.2025\t500,00 EUR  \r\n\r\n",
    ],
)
def test_partial_payment_lines_in_either_form(client: Client, lines: str) -> None:
    data = {**EXAMPLES["saeumnis"][0], "teilzahlungen": lines}
    page = post(client, "saeumnis", data, htmx=True).content.decode()
    assert result_of(page) == ("2600", "Säumniszuschläge: 26,00 EUR")
    assert html_lib.escape(lines.strip()) in page  # the textarea keeps what was typed


def test_several_partial_payments_and_a_deferral(client: Client) -> None:
    data = {
        **EXAMPLES["saeumnis"][0],
        "teilzahlungen": "20.03.2025 500,00\n2025-04-02:98,00",
        "stundung_bis": "14.03.2025",
    }
    page = post(client, "saeumnis", data).content.decode()
    expected = calculators.saeumnis(
        "1598,00",
        "10.03.2025",
        zahlung="15.04.2025",
        teilzahlungen=["20.03.2025:500,00", "2025-04-02:98,00"],
        stundung_bis="14.03.2025",
    )
    assert result_of(page) == (machine(expected), expected.result_text)
    assert derivation_of(page) == list(expected.derivation)


def test_interruptions_with_kinds_by_code_or_german_name(client: Client) -> None:
    lines = "02.05.2023\n2024-01-10 Stundung\n01.06.2024: Aussetzung der Vollziehung\n03.07.2024 teilzahlung"
    page = post(client, "verjaehrung", {"faellig": "15.08.2020", "unterbrechungen": lines}).content.decode()
    expected = calculators.verjaehrung(
        "15.08.2020",
        [
            "02.05.2023",
            "2024-01-10:stundung",
            "01.06.2024:aussetzung_der_vollziehung",
            "03.07.2024:teilzahlung",
        ],
        heute=TODAY,
    )
    assert result_of(page) == (machine(expected), expected.result_text)
    assert derivation_of(page) == list(expected.derivation)


def test_list_items() -> None:
    assert list_items("") == []
    assert list_items(" 20.03.2025   500,00 \n\n2025-03-20:1.500,00\n20.03.2025") == [
        "20.03.2025:500,00",
        "2025-03-20:1.500,00",
        "20.03.2025",
    ]
    assert list_items("02.05.2023 Vollstreckungsmaßnahme", kind_words=True) == [
        "02.05.2023:vollstreckungsmassnahme"
    ]


def test_fee_with_hours_and_the_derivation_cites_the_schedule(client: Client) -> None:
    data = {"regime": "ao", "art": "wegnahme-sache", "stunden": "1,5", "stichtag": "01.09.2025"}
    page = post(client, "gebuehr", data, htmx=True).content.decode()
    expected = calculators.gebuehr("ao", "wegnahme-sache", None, stunden="1,5", stichtag="01.09.2025")
    assert result_of(page) == (machine(expected), expected.result_text)
    assert derivation_of(page) == list(expected.derivation)


# --- bad input --------------------------------------------------------------------------------------------

ERRORS = [
    # calculator, input, field marked, start of the German message, code
    ("pfaendung", {"netto": "zweitausend"}, "netto", "Nettoeinkommen: ", "calc.invalid_amount"),
    ("pfaendung", {"unterhaltspflichten": "-1"}, "unterhaltspflichten", "Unterhaltspflichten: ", None),
    (
        "pfaendung",
        {"stichtag": "31.02.2025"},
        "stichtag",
        "Stichtag: „31.02.2025“ ist kein gültiges Datum",
        None,
    ),
    (
        "saeumnis",
        {"zahlung": "01.03.2025"},
        "zahlung",
        "Zahlung: der 01.03.2025 liegt vor der Fälligkeit",
        None,
    ),
    ("saeumnis", {"teilzahlungen": "20.03.2025"}, "teilzahlungen", "Teilzahlung: „20.03.2025“", None),
    ("saeumnis", {"teilzahlungen": "20.03.2025 2000,00"}, "teilzahlungen", "Teilzahlung: zusammen", None),
    ("saeumnis", {"stundung_bis": "morgen"}, "stundung_bis", "Stundung bis: „morgen“", "calc.invalid_date"),
    ("frist", {"beginn": "10.13.2025"}, "beginn", "Beginn: „10.13.2025“ ist kein gültiges Datum", None),
    (
        "verjaehrung",
        {"unterbrechungen": "02.05.2019"},
        "unterbrechungen",
        "Unterbrechung: der 02.05.2019",
        None,
    ),
    (
        "verjaehrung",
        {"unterbrechungen": "02.05.2023 Mahnbescheid"},
        "unterbrechungen",
        "Art der Unterbrechung: „mahnbescheid“ ist nicht vorgesehen",
        "calc.invalid_choice",
    ),
    (
        "gebuehr",
        {"art": "wegnahme-person", "betrag": ""},
        "stunden",
        "Die Wegnahmegebühr",
        "fee.hours_missing",
    ),
    ("gebuehr", {"betrag": "-5,00"}, "betrag", "Betrag: der Betrag muss größer als 0 sein", None),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("name", "change", "field", "message", "code"), ERRORS)
def test_bad_input_is_answered_in_german_at_the_field(
    client: Client, name: str, change: dict[str, str], field: str, message: str, code: str | None, htmx: bool
) -> None:
    data = {**EXAMPLES[name][0], **change}
    response = post(client, name, data, htmx=htmx)
    assert response.status_code == 200
    page = response.content.decode()
    alert = re.search(
        r'<div class="kern-alert kern-alert--danger" role="alert" data-error="([^"]+)">(.*?)</div>\s*</div>',
        page,
        flags=re.S,
    )
    assert alert is not None
    assert "Berechnung nicht möglich" in alert.group(2)
    assert message in html_lib.unescape(alert.group(2))
    if code:
        assert alert.group(1) == code
        assert f"(Fehlercode {code})" in alert.group(2)
    # The field named by the error is marked (KERN error classes, aria-invalid, its message linked).
    control_id = f"id_{name}-{field}"
    tag = control(page, control_id)
    assert 'aria-invalid="true"' in tag and "--error" in tag
    assert f"{control_id}_error" in tag
    error = re.search(
        rf'<p class="kern-error" id="{control_id}_error" role="alert">(.*?)</p>', page, flags=re.S
    )
    assert error is not None and message in html_lib.unescape(error.group(1))
    assert page.count('aria-invalid="true"') == 1
    assert "data-result=" not in page
    assert_inputs_kept(page, name, data)


def test_missing_required_field_is_a_german_form_error(client: Client) -> None:
    page = post(client, "frist", {"beginn": "", "art": "monat", "land": "SL"}).content.decode()
    assert 'data-error="form.invalid"' in page
    assert "Die markierten Felder sind nicht vollständig oder nicht gültig." in page
    assert "Dieses Feld ist zwingend erforderlich." in page
    assert 'aria-invalid="true"' in control(page, "id_frist-beginn")


def test_unknown_choice_is_refused_by_the_form(client: Client) -> None:
    page = post(client, "frist", {"beginn": "10.06.2025", "art": "jahr", "land": "XX"}).content.decode()
    assert 'aria-invalid="true"' in control(page, "id_frist-art")
    assert 'aria-invalid="true"' in control(page, "id_frist-land")
    assert "Bitte eine gültige Auswahl treffen. jahr ist keine gültige Auswahl." in page


def test_too_many_partial_payments_are_refused(client: Client) -> None:
    lines = "\n".join(f"2025-03-{day:02d}:1,00" for day in range(11, 31)) * 3
    page = post(client, "saeumnis", {**EXAMPLES["saeumnis"][0], "teilzahlungen": lines}).content.decode()
    assert f"höchstens {calculators.LIST_ITEMS_MAX} Angaben" in page
    assert 'aria-invalid="true"' in control(page, "id_saeumnis-teilzahlungen")


def test_calculating_writes_nothing(client: Client) -> None:
    audit, access = AuditEvent.objects.count(), PersonalDataAccess.objects.count()
    for name, (data, *_rest) in EXAMPLES.items():
        assert post(client, name, data).status_code == 200
    assert post(client, "pfaendung", {"netto": "x"}).status_code == 200
    assert (AuditEvent.objects.count(), PersonalDataAccess.objects.count()) == (audit, access)


def test_every_calculator_has_a_form() -> None:
    assert tuple(CALCULATOR_FORMS) == NAMES
    assert tuple(form.title for form in CALCULATOR_FORMS.values()) == TITLES
