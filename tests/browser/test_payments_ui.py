"""Zahlungsverkehr in a real browser: upload the example bank statement as Innendienst, read the import,
open the Klärungsfall of „Unbekannt GmbH“ (42,00 EUR), return the money to the payer, see the queue without it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "camt" / "camt053_v02.xml"


def test_upload_statement_and_return_a_payment_to_the_payer(page: Any, login: Any, tmp_path: Path) -> None:
    login("innendienst")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Zahlungsverkehr").click()
    page.wait_for_url(re.compile(r".*/zahlungsverkehr/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Zahlungsverkehr"

    upload = tmp_path / "kontoauszug-24-11-2026.xml"
    upload.write_bytes(EXAMPLE.read_bytes())
    page.get_by_label("Kontoauszugsdatei", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Einlesen").click()
    page.wait_for_url(re.compile(r".*/zahlungsverkehr/dateien/\d+/$"))
    main = page.get_by_role("main")
    assert "kontoauszug-24-11-2026.xml eingelesen" in main.get_by_role("status").first.inner_text()
    new, known = (
        int(page.locator(f'[data-figure="{n}"]').inner_text()) for n in ("entries-new", "entries-known")
    )
    assert new + known == 10  # ten bookings; none booked twice should the server have seen the file before
    assert int(page.locator('[data-figure="clarifications"]').inner_text()) >= 1
    assert "stimmt" in page.locator('[data-figure="difference"]').inner_text()
    assert "Unbekannt GmbH" in main.inner_text() and "Rechnung 4711" in main.inner_text()
    page.screenshot(path="/tmp/kofo-kontoauszug.png", full_page=True)  # noqa: S108 - agreed place

    # The queue: the Klärungsfall of „Unbekannt GmbH“ over 42,00 EUR.
    page.get_by_role("navigation", name="Bereiche des Zahlungsverkehrs").get_by_role(
        "link", name="Klärungsfälle"
    ).click()
    page.wait_for_url(re.compile(r".*/zahlungsverkehr/klaerung/$"))
    rows = page.locator("#clarification-rows tr")
    row = rows.filter(has_text="Unbekannt GmbH").filter(has_text="42,00 EUR")
    assert row.count() == 1
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r".*/zahlungsverkehr/klaerung/\d+/$"))
    clarification_id = page.url.rstrip("/").rsplit("/", 1)[1]
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Klärungsfall {clarification_id}: Unbekannt GmbH, 42,00 EUR"
    assert "Personenbezogene Daten: Ihr Zugriff wurde protokolliert." in page.get_by_role("main").inner_text()

    # Return it to the payer: amount and IBAN are prefilled with the open amount and the payer's account.
    page.get_by_text("An den Einzahler zurücküberweisen").click()
    form = page.locator("#erstatten")
    assert form.get_by_label("Betrag").input_value() == "42,00"
    assert form.get_by_label("IBAN").input_value() == "DE89370400440532013000"
    form.get_by_label("Grund").fill("Rechnung 4711 ist keine Forderung der Vollstreckungsstelle")
    page.screenshot(path="/tmp/kofo-klaerungsfall.png", full_page=True)  # noqa: S108 - agreed place
    form.get_by_role("button", name="Erstattung freigeben").click()

    page.wait_for_url(re.compile(r".*/zahlungsverkehr/klaerung/$"))
    status = page.get_by_role("main").get_by_role("status").first.inner_text()
    assert "Erstattung über 42,00 EUR an Unbekannt GmbH freigegeben" in status
    assert page.locator(f'#clarification-rows tr[data-clarification="{clarification_id}"]').count() == 0
    assert rows.filter(has_text="Unbekannt GmbH").count() == 0

    # The refund waits for the next remittance run.
    page.get_by_role("navigation", name="Bereiche des Zahlungsverkehrs").get_by_role(
        "link", name="Erstattungen"
    ).click()
    refund = page.locator("tr[data-refund]").filter(has_text="Unbekannt GmbH")
    assert refund.count() == 1 and "freigegeben" in refund.inner_text()

    # The overview counts one Klärungsfall less and lists the file.
    page.get_by_role("navigation", name="Bereiche des Zahlungsverkehrs").get_by_role(
        "link", name="Kontoauszüge"
    ).click()
    assert page.locator("tr[data-import]").filter(has_text="kontoauszug-24-11-2026.xml").count() >= 1
    assert "bis 7 Tage" in page.get_by_role("main").inner_text()
    page.screenshot(path="/tmp/kofo-zahlungsverkehr.png", full_page=True)  # noqa: S108 - agreed place
