"""The Rechner page in a real browser: the Pfändungsrechner via htmx (result, derivation, an error at the
field), and the Fristenrechner without JavaScript (the form posts and the whole page comes back)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DEMO_LOGINS

pytestmark = pytest.mark.browser


def test_pfaendungsrechner_via_htmx(page: Any, login: Any) -> None:
    login("aussendienst")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Rechner").click()
    page.wait_for_url("**/rechner/")
    assert page.title().startswith("Rechner – ")
    assert nav.get_by_role("link", name="Rechner").get_attribute("aria-current") == "page"
    main = page.get_by_role("main")
    assert main.get_by_role("heading", level=1).inner_text() == "Rechner"
    headings = [text.strip() for text in main.get_by_role("heading", level=2).all_inner_texts()]
    assert headings == ["Pfändungsrechner", "Säumniszuschläge", "Fristen", "Verjährung", "Gebühren"]

    section = page.get_by_role("region", name="Pfändungsrechner")
    section.get_by_label("Nettoeinkommen").fill("2150,00")
    section.get_by_label("Unterhaltspflichten").fill("1")
    section.get_by_label("Zeitraum").select_option("monat")
    section.get_by_label("Stichtag").fill("01.09.2025")
    with page.expect_response(
        lambda r: r.url.endswith("/rechner/pfaendung/") and r.request.headers.get("hx-request") == "true"
    ):
        section.get_by_role("button", name="Berechnen").click()
    result = page.locator("#pfaendung-result")
    result.get_by_text("Pfändbar monatlich: 4,89 EUR").wait_for()
    assert result.get_by_role("heading", name="Pfändbarer Betrag des Arbeitseinkommens").is_visible()
    steps = result.get_by_role("list", name="Herleitung").get_by_role("listitem")
    assert steps.count() == 5
    assert "Pfändungsfreigrenzen vom 01.07.2025 bis 30.06.2026" in steps.first.inner_text()
    assert "4,885 EUR" in steps.nth(3).inner_text()
    assert page.url.endswith("/rechner/")  # htmx swapped the answer in, the page was not reloaded
    page.screenshot(path="/tmp/kofo-rechner.png", full_page=True)  # noqa: S108 - agreed place

    # Bad input: a German message in a danger alert, the field marked, what was typed kept.
    netto = section.get_by_label("Nettoeinkommen")
    netto.fill("zweitausend")
    section.get_by_role("button", name="Berechnen").click()
    alert = result.get_by_role("alert")
    alert.get_by_text("Berechnung nicht möglich").wait_for()
    assert "Nettoeinkommen: „zweitausend“ ist kein gültiger Geldbetrag" in alert.inner_text()
    assert result.get_by_text("4,89 EUR").count() == 0
    netto = section.get_by_label("Nettoeinkommen")
    assert netto.get_attribute("aria-invalid") == "true"
    assert netto.input_value() == "zweitausend"
    assert "kein gültiger Geldbetrag" in section.locator("#id_pfaendung-netto_error").inner_text()
    assert section.get_by_label("Stichtag").input_value() == "01.09.2025"

    # Corrected, the result comes back and the error is gone.
    netto.fill("2150")
    section.get_by_role("button", name="Berechnen").click()
    result.get_by_text("Pfändbar monatlich: 4,89 EUR").wait_for()
    assert section.get_by_label("Nettoeinkommen").get_attribute("aria-invalid") is None
    assert result.get_by_role("alert").count() == 0


def test_fristenrechner_without_javascript(browser: Any, kofo_server: str) -> None:
    context = browser.new_context(base_url=kofo_server, locale="de-DE", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/rechner/")
        page.get_by_label("Benutzername").fill("partner")
        page.get_by_label("Passwort").fill(DEMO_LOGINS["partner"])
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url("**/rechner/")
        section = page.get_by_role("region", name="Fristen")
        section.get_by_label("Tag des Ereignisses").fill("10.06.2025")
        section.get_by_label("Art der Frist").select_option("bekanntgabe")
        assert section.get_by_label("Land").input_value() == "SL"
        section.get_by_role("button", name="Berechnen").click()
        page.wait_for_url(re.compile(r".*/rechner/frist/#frist$"))
        result = page.locator("#frist-result")
        assert "Bekanntgabe gilt am Montag, 16.06.2025 als bewirkt" in result.inner_text()
        assert "Aufgabe zur Post am Dienstag, 10.06.2025." in result.inner_text()
        assert page.get_by_role("region", name="Fristen").get_by_label(
            "Tag des Ereignisses"
        ).input_value() == ("10.06.2025")
    finally:
        context.close()
