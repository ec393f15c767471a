"""The web UI in a real browser (Debian's Chromium through Playwright) against ``kofo serve`` with the demo."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

NAV = {
    "admin": [
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
    "innendienst": [
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
    "aussendienst": ["Übersicht", "Partner", "Akten", "Schriftstücke", "Rechner", "Passwort ändern"],
    "partner": [
        "Übersicht",
        "Partner",
        "Vereinbarungen",
        "Ersuchen",
        "Forderungen",
        "Schriftstücke",
        "Rechner",
        "Passwort ändern",
    ],
    "pruefung": [
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
ROLE_LABEL = {
    "admin": "Administration",
    "innendienst": "Innendienst",
    "aussendienst": "Außendienst",
    "partner": "Partner",
    "pruefung": "Prüfung",
}


@pytest.mark.parametrize("username", list(NAV))
def test_each_role_sees_its_dashboard_and_navigation(page: Any, login: Any, username: str) -> None:
    login(username)
    assert page.title().startswith("Übersicht – ")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    labels = [text.strip() for text in nav.get_by_role("link").all_inner_texts()]
    assert labels == NAV[username], "Navigation passt nicht zu den Rechten der Rolle"
    assert nav.get_by_role("link", name="Übersicht").get_attribute("aria-current") == "page"
    assert f"Rolle: {ROLE_LABEL[username]}" in page.get_by_role("banner").inner_text()
    main = page.get_by_role("main")
    if username == "partner":
        assert main.get_by_role("heading", level=1).inner_text() == "Landkreis Saarlouis"
        assert "Vereinbarungen in Kraft" in main.inner_text()
    else:
        assert "aktive Partner" in main.inner_text()
    if username in ("admin", "innendienst", "pruefung"):
        assert "Hauptbuch ausgeglichen" in main.inner_text()
    # Logout is a button (POST), and brings the user back to the login page.
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r".*/(login|anmelden)/.*"))
    assert page.get_by_role("heading", name="Anmelden").is_visible()


def test_partner_search_filters_live_via_htmx(page: Any, login: Any) -> None:
    login("innendienst")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Partner").click()
    rows = page.locator("#partner-rows tr")
    total = rows.count()
    assert total >= 9
    with page.expect_response(
        lambda r: "/partner/?q=" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_role("searchbox", name="Suche").press_sequentially("Wadg", delay=30)
    page.wait_for_function("document.querySelectorAll('#partner-rows tr').length === 1")
    assert rows.count() == 1
    assert "Gemeinde Wadgassen" in rows.first.inner_text()
    assert "q=Wadg" in page.url  # hx-push-url keeps the search in the address bar
    # Without JavaScript the same form works as a plain GET.
    page.goto("/partner/?q=Lebach")
    assert page.locator("#partner-rows tr").count() == 1


def test_audit_chain_check_via_htmx(page: Any, login: Any) -> None:
    login("pruefung")
    page.goto("/pruefpfad/")
    page.get_by_role("button", name="Kette prüfen").click()
    result = page.locator("#chain-result")
    result.get_by_text("Prüfkette intakt").wait_for()
    assert "Einträge geprüft" in result.inner_text()


def test_skip_link_and_landmarks(page: Any, login: Any) -> None:
    login("admin")
    assert page.get_attribute("html", "lang") == "de"
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("navigation", name="Hauptnavigation").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    page.keyboard.press("Tab")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    assert page.url.endswith("#inhalt")


def test_keyboard_reaches_login_button(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Benutzername").wait_for()
    active = "document.activeElement.id || document.activeElement.textContent.trim()"
    visited = [page.evaluate(active)]  # the username field has autofocus
    for _ in range(10):
        if visited[-1] == "Anmelden":
            break
        page.keyboard.press("Tab")
        visited.append(page.evaluate(active))
    assert visited[-1] == "Anmelden", visited
    assert visited.index("id_username") < visited.index("id_password") < visited.index("Anmelden")
    # The focused button shows a visible outline.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")  # submitting the empty form by keyboard answers with field errors
    page.get_by_role("alert").first.wait_for()
    assert "Dieses Feld ist zwingend erforderlich." in page.get_by_role("main").inner_text()


def test_token_issue_shows_secret_once(page: Any, login: Any) -> None:
    login("admin")
    page.goto("/api-tokens/neu/")
    page.get_by_label("Partner").select_option(label="Gemeinde Wadgassen")
    page.get_by_label("Bezeichnung").fill("Browser-Test")
    page.get_by_role("button", name="Token ausgeben").click()
    secret = page.get_by_label(re.compile("API-Token für")).input_value()
    assert re.fullmatch(r"kofo_[0-9a-f]{8}_[A-Za-z0-9_-]+", secret)
    assert "nur jetzt angezeigt" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name="Fertig, zur Token-Liste").click()
    assert secret not in page.content()
    assert "Browser-Test" in page.get_by_role("main").inner_text()


def test_dashboard_screenshot(page: Any, login: Any) -> None:
    login("admin")
    page.screenshot(path="/tmp/kofo-dashboard.png", full_page=True)  # noqa: S108 - agreed place
    # KERN's stylesheet and font are really applied.
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Fira Sans" in family
    assert page.evaluate("document.fonts.check('16px \"Fira Sans\"')")
    nav_bg = page.evaluate("getComputedStyle(document.querySelector('.kofo-nav')).backgroundColor")
    assert nav_bg not in ("rgba(0, 0, 0, 0)", "transparent")
