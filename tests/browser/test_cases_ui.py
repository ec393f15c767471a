"""Debtor files in a real browser: the Innendienst opens the Arbeitsliste, opens a file, writes a note,
schedules a follow-up and marks it done via htmx."""

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


@pytest.fixture(scope="module")
def case_files(kofo_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo has requests but no files yet: run ``kofo daily`` on the server's database, as an office does
    every morning. The server's data folder is the session's one ``kofo-e2e*`` folder (see conftest)."""
    # pytest adds a "…current" symlink to numbered folders: count each folder once.
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


def test_worklist_file_note_and_follow_up(page: Any, login: Any, case_files: None) -> None:
    login("innendienst")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Arbeitsliste").click()
    page.wait_for_url("**/arbeitsliste/")
    assert page.get_by_role("heading", level=1).inner_text() == "Arbeitsliste"
    assert nav.get_by_role("link", name="Arbeitsliste").get_attribute("aria-current") == "page"
    assert int(page.locator('[data-figure="cases-open"]').inner_text()) > 0  # the demo's rules: all to her

    # Her files, then the first one.
    page.get_by_role("link", name="Meine Akten anzeigen").click()
    page.wait_for_url(re.compile(r".*/akten/\?sachbearbeitung=innendienst$"))
    assert nav.get_by_role("link", name="Akten").get_attribute("aria-current") == "page"
    first = page.locator("#case-rows tr").first.get_by_role("link")
    number = first.inner_text()
    first.click()
    page.wait_for_url(f"**/akten/{number}/")
    assert page.get_by_role("heading", level=1).inner_text() == number
    main = page.get_by_role("main")
    assert "Ihr Zugriff wurde protokolliert" in main.inner_text()
    assert page.locator('[data-figure="case-open-total"]').inner_text().endswith("EUR")
    assert "Säumniszuschlag gebucht" in page.locator("table.kofo-timeline").inner_text()

    # A note: the accordion opens, the form posts, the page comes back with the note on top.
    stamp = time.strftime("%H%M%S")
    page.get_by_text("Vermerk schreiben").click()
    page.get_by_label("Vermerk", exact=True).fill(f"Browsertest {stamp}: Schuldner telefonisch erreicht.")
    page.locator("#vermerk-anlegen form").get_by_role("button", name="Vermerk speichern").click()
    page.wait_for_url(f"**/akten/{number}/#vermerke")
    assert (
        f"Der Vermerk ist in der Akte {number} gespeichert." in main.get_by_role("status").first.inner_text()
    )
    assert f"Browsertest {stamp}" in page.locator(".kofo-notes li").first.inner_text()

    # A follow-up for today: it appears in the Arbeitsliste.
    reason = f"Browsertest {stamp}: Antwort der Bank prüfen"
    page.get_by_text("Wiedervorlage anlegen").first.click()
    form = page.locator("#wiedervorlage-anlegen form")
    form.get_by_label("Wiedervorlage am").fill(time.strftime("%Y-%m-%d"))
    form.get_by_label("Anlass").fill(reason)
    form.get_by_role("button", name="Wiedervorlage anlegen").click()
    page.wait_for_url(f"**/akten/{number}/#wiedervorlagen")
    assert reason in page.locator('table[data-state="open"]').inner_text()
    page.screenshot(path="/tmp/kofo-akte.png", full_page=True)  # noqa: S108 - agreed place

    nav.get_by_role("link", name="Arbeitsliste").click()
    row = page.locator("tr", has_text=reason)
    assert row.count() == 1
    assert number in row.inner_text()
    page.screenshot(path="/tmp/kofo-arbeitsliste.png", full_page=True)  # noqa: S108 - agreed place

    # Done via htmx: the action cell turns into "erledigt", the page stays.
    url = page.url
    with page.expect_response(
        lambda r: "/erledigt/" in r.url and r.request.headers.get("hx-request") == "true"
    ) as answer:
        row.get_by_role("button", name=re.compile("^Erledigt")).click()
    assert answer.value.status == 200
    row.get_by_text("erledigt", exact=True).wait_for()
    assert "innendienst" in row.inner_text()
    assert page.url == url
    page.reload()
    assert page.locator("tr", has_text=reason).count() == 0
