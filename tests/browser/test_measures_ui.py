"""Measures in a real browser: the Innendienst opens a file of the demo, notes the debtor's IBAN, proposes
the bank garnishment, executes it, records the service and the bank's declaration, records the bank's
payment and sees the file settled."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

KOFO = Path(sys.executable).with_name("kofo")
IBAN = "DE89370400440532013000"  # a Commerzbank account (BIC COBADEFFXXX)


@pytest.fixture(scope="module")
def case_files(kofo_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo has requests but no files yet: ``kofo daily`` on the server's database opens them and sends
    the payment demands (as in test_cases_ui; a second run of the day changes nothing)."""
    folders = {
        p.resolve() for p in tmp_path_factory.getbasetemp().glob("kofo-e2e*") if (p / "kofo.sqlite3").exists()
    }
    assert len(folders) == 1, folders
    env = {key: value for key, value in os.environ.items() if key != "KOFO_DATABASE_URL"}
    env.update({"KOFO_DATA_DIR": str(folders.pop()), "KOFO_DEBUG": "1"})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [str(KOFO), "daily", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bank_garnishment_from_proposal_to_payment(page: Any, login: Any, case_files: None) -> None:
    login("innendienst")
    page.goto("/akten/?sachbearbeitung=innendienst&status=open")
    # The last file of the first page (the first one is test_cases_ui's).
    link = page.locator("#case-rows tr").last.get_by_role("link")
    number = link.inner_text()
    link.click()
    page.wait_for_url(f"**/akten/{number}/")
    main = page.get_by_role("main")
    measures = page.locator("section", has=page.locator("#massnahmen"))
    # The daily run sent the payment demand: it runs, with its payment period.
    demand = measures.locator('article[data-kind="zahlungsaufforderung"][data-status="active"]')
    assert "Zahlungsfrist" in demand.locator('[data-field="clock"]').inner_text()

    # The debtor's IBAN: its bank becomes a known third party.
    page.locator("#iban-erfassen summary").click()
    iban_form = page.locator("#iban-erfassen form")
    iban_form.get_by_label("IBAN des Schuldners").fill(IBAN)
    iban_form.get_by_role("button", name="Bank vermerken").click()
    page.wait_for_url(f"**/akten/{number}/#drittschuldner")
    assert "als Drittschuldner vermerkt" in main.get_by_role("status").first.inner_text()
    bank_row = page.locator("table.kofo-third-parties tr", has_text=IBAN)
    assert "COBADEFFXXX" in bank_row.inner_text()

    # The caseworker proposes the bank garnishment at that bank.
    page.locator("#vorschlagen summary").click()
    propose = page.locator("#vorschlagen form")
    propose.get_by_label("Maßnahme", exact=True).select_option(label="Pfändung eines Kontos (PfEV Bank)")
    propose.get_by_label("Begründung").fill("Bankverbindung aus der Überweisung des Schuldners bekannt.")
    propose.get_by_label("Drittschuldner").select_option(index=1)
    propose.get_by_role("button", name="Vorschlagen").click()
    page.wait_for_url(re.compile(rf".*/akten/{number}/#massnahme-\d+$"))
    pfev = measures.locator('article[data-kind="pfev_bank"]')
    assert pfev.get_attribute("data-status") == "proposed"
    assert "Bankverbindung aus der Überweisung" in pfev.inner_text()

    # Ausführen: today's date and the bank are preselected.
    pfev.locator('details[data-step="ausfuehren"] summary').click()
    start = pfev.locator('details[data-step="ausfuehren"] form')
    assert start.get_by_label("ausgeführt am").input_value() == time.strftime("%Y-%m-%d")
    assert "Commerzbank" in start.locator("select option:checked").inner_text()
    start.get_by_role("button", name="Maßnahme ausführen").click()
    page.wait_for_url(re.compile(rf".*/akten/{number}/#massnahme-\d+$"))
    assert pfev.get_attribute("data-status") == "active"
    assert "zur Zustellung" in pfev.inner_text()

    # Service today: the fee is booked, the declaration is due in two weeks.
    pfev.locator('details[data-step="zustellung"] summary').click()
    pfev.locator('details[data-step="zustellung"] form').get_by_role(
        "button", name="Zustellung speichern"
    ).click()
    page.wait_for_url(re.compile(rf".*/akten/{number}/#massnahme-\d+$"))
    assert "Drittschuldnererklärung (§ 316 AO)" in pfev.locator('[data-field="clock"]').inner_text()
    assert pfev.locator('[data-figure="measure-fee"]').inner_text() != "0,00 EUR"

    # The bank's declaration: the claim is recognised.
    pfev.locator('details[data-step="erklaerung"] summary').click()
    declaration = pfev.locator('details[data-step="erklaerung"] form')
    declaration.get_by_label("Ergebnis").select_option("anerkannt")
    declaration.get_by_label("anerkannter Betrag").fill("10.000,00")
    declaration.get_by_role("button", name="Erklärung speichern").click()
    page.wait_for_url(re.compile(rf".*/akten/{number}/#massnahme-\d+$"))
    assert "anerkannt, Zahlung erwartet" in pfev.inner_text()
    page.screenshot(path="/tmp/kofo-massnahmen.png", full_page=True)  # noqa: S108 - agreed place

    # The bank pays everything open, the office's fee included.
    pfev.get_by_role("link", name="Zahlung des Drittschuldners erfassen").click()
    page.wait_for_url(re.compile(r".*\?formular=zahlung&massnahme=\d+#zahlung-erfassen$"))
    payment = page.locator("#zahlung-erfassen form")
    assert payment.get_by_label("Herkunft").input_value() == "third_party"
    payable = page.locator('[data-figure="case-payable"]').inner_text().removesuffix(" EUR")
    payment.get_by_label("Betrag", exact=True).fill(payable)
    payment.get_by_label("Einzahler").fill("Commerzbank AG")
    payment.get_by_role("button", name="Zahlung buchen").click()
    page.wait_for_url(re.compile(rf".*/akten/{number}/\?zahlung=\d+#zahlung-\d+$"))
    message = main.get_by_role("status").first.inner_text()
    assert f"Zahlung über {payable} EUR" in message and "Alle Forderungen der Akte sind bezahlt" in message
    assert page.locator('[data-figure="case-payable"]').inner_text() == "0,00 EUR"
    assert page.locator('[data-figure="case-total"]').inner_text() == "0,00 EUR"
    for status in page.locator("table.kofo-claims tbody tr").all():
        assert "erledigt" in status.inner_text()
    derivation = page.locator("details[data-derivation][open]")
    assert "§ 225" in derivation.inner_text()
    assert "Zahlung erfasst" in page.locator("table.kofo-timeline").inner_text()
    page.screenshot(path="/tmp/kofo-zahlung.png", full_page=True)  # noqa: S108 - agreed place
