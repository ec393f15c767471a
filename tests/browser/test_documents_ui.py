"""Documents in a real browser: after the daily run and the day's print step (as ``make run`` does), the
Innendienst finds the day's payment demands under „Schriftstücke“, opens a file, sees the letter in its
section „Schriftstücke“, opens the document page, downloads the archived PDF and has it rendered again."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_cases_ui import KOFO, case_files

__all__ = ["case_files"]  # the module fixture of test_cases_ui: ``kofo daily`` on the server's database

pytestmark = pytest.mark.browser
DEMAND = "Zahlungsaufforderung und Ankündigung der Vollstreckung"


@pytest.fixture(scope="module")
def letters(case_files: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``kofo documents print`` on the server's database: the day's letters, produced and posted."""
    folders = {
        p.resolve() for p in tmp_path_factory.getbasetemp().glob("kofo-e2e*") if (p / "kofo.sqlite3").exists()
    }
    assert len(folders) == 1, folders
    env = {key: value for key, value in os.environ.items() if key != "KOFO_DATABASE_URL"}
    env.update({"KOFO_DATA_DIR": str(folders.pop()), "KOFO_DEBUG": "1"})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [str(KOFO), "documents", "print", "--serial", "--json"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    assert printed["problems"] == [], printed["problems"]
    return printed


def test_file_documents_and_the_document_page(
    page: Any, login: Any, letters: dict[str, Any], tmp_path: Path
) -> None:
    login("innendienst")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Schriftstücke").click()
    page.wait_for_url("**/dokumente/")
    assert page.get_by_role("heading", level=1).inner_text() == "Schriftstücke"
    # The day's print batch of the payment demands, with its merged PDF and manifest.
    batch = page.locator("table.kofo-print-batches tr[data-batch]").filter(has_text="Zahlungsaufforderung")
    assert batch.count() >= 1
    assert batch.first.get_by_role("link", name=re.compile("Manifest")).count() == 1

    # A payment demand: to its file.
    page.get_by_label("Art").select_option("zahlungsaufforderung")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url(re.compile(r".*/dokumente/\?.*art=zahlungsaufforderung.*"))
    row = page.locator("#document-rows tr").first
    number = row.locator("td").nth(1).inner_text().strip()
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/akten/{number}/")

    # The file's section „Schriftstücke“ lists the letter; its title opens the document page.
    documents = page.locator("section", has=page.locator("#schriftstuecke"))
    letter = documents.locator('tr[data-kind="zahlungsaufforderung"]').first
    assert "Post (Druckstapel)" in letter.inner_text()
    assert "Eingegangenes Schriftstück ablegen" in documents.inner_text()
    letter.get_by_role("link", name=DEMAND, exact=True).click()
    page.wait_for_url(re.compile(r".*/dokumente/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == DEMAND
    main = page.get_by_role("main")
    assert number in page.locator('[data-field="case"]').inner_text()
    assert "Post (Druckstapel) am" in page.locator('[data-field="dispatch"]').inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator('[data-field="sha256"] code').inner_text())
    assert "Ihr Zugriff wurde protokolliert" in main.inner_text()
    page.screenshot(path="/tmp/kofo-schriftstueck.png", full_page=True)  # noqa: S108 - agreed place

    # The download is the archived PDF (a reprint).
    with page.expect_download() as info:
        main.get_by_role("link", name=re.compile("Herunterladen")).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".pdf" and target.read_bytes().startswith(b"%PDF-")

    # Rendered again from its archived data and template version: the same text.
    main.get_by_role("button", name="Neu erstellen und prüfen").click()
    result = page.locator("#pruefung-ergebnis")
    assert result.get_attribute("data-same-text") == "true"
    assert "der Text stimmt mit dem archivierten Schreiben überein" in result.inner_text()
