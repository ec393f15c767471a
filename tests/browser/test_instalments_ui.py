"""The instalment plan in a real browser: the Innendienst opens a file of the demo, arranges a Ratenzahlung
(the preview shows the schedule, then it is confirmed) and sees the schedule on the file page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kofo.money import Cents

pytestmark = pytest.mark.browser

KOFO = Path(sys.executable).with_name("kofo")


@pytest.fixture(scope="module")
def case_files(kofo_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo has requests but no files yet: ``kofo daily`` on the server's database opens them (as in
    test_measures_ui; a second run of the day changes nothing)."""
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


def test_arrange_an_instalment_plan_and_see_the_schedule(page: Any, login: Any, case_files: None) -> None:
    login("innendienst")
    page.goto("/akten/?sachbearbeitung=innendienst&status=open")
    # The second file of the first page (test_cases_ui takes the first, test_measures_ui the last).
    link = page.locator("#case-rows tr").nth(1).get_by_role("link")
    number = link.inner_text()
    link.click()
    page.wait_for_url(f"**/akten/{number}/")
    main = page.get_by_role("main")
    section = page.locator("section", has=page.locator("#ratenzahlung"))
    assert "Keine laufende Ratenzahlung." in section.inner_text()

    # Three instalments: the rate is a third of the enforceable total, rounded up.
    page.locator("#ratenzahlung-vereinbaren summary").click()
    form = page.locator("#ratenzahlung-vereinbaren form")
    payable = Cents.parse(page.locator('[data-figure="instalment-payable"]').inner_text())
    rate = Cents(-(-int(payable) // 3))
    form.get_by_label("monatliche Rate").fill(rate.format(symbol=False))
    first_due = form.get_by_label("erste Rate fällig am").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-01", first_due), first_due  # the 1st of next month
    form.get_by_role("button", name="Weiter zur Vorschau").click()

    # The preview: the claims and the schedule, nothing arranged yet.
    page.wait_for_url(f"**/akten/{number}/ratenzahlung/")
    assert page.get_by_role("heading", name="Ratenzahlung vereinbaren?").is_visible()
    schedule = page.locator('table[data-preview="schedule"] tbody tr')
    count = schedule.count()
    assert count in (3, 4), count  # the remainder of the rounding may need a last small one
    assert rate.format() in schedule.first.inner_text()
    page.screenshot(path="/tmp/kofo-ratenzahlung-vorschau.png", full_page=True)  # noqa: S108 - agreed place
    page.get_by_role("button", name="Ratenzahlung vereinbaren").click()

    page.wait_for_url(f"**/akten/{number}/#ratenzahlung")
    assert "Ratenzahlung vereinbart" in main.get_by_role("status").first.inner_text()
    plan = section.locator('article[data-status="active"]')
    assert "läuft" in plan.locator('[data-field="plan-status"]').inner_text()
    assert plan.locator('[data-figure="plan-instalment"]').inner_text() == rate.format()
    rows = plan.locator("table.kofo-instalments tbody tr")
    assert rows.count() == count
    assert "offen" in rows.first.inner_text()
    assert page.locator("#ratenzahlung-vereinbaren").count() == 0
    # The running measure links to the schedule.
    assert page.locator('article[data-kind="ratenzahlung"] a[href="#ratenzahlung"]').count() == 1
    section.screenshot(path="/tmp/kofo-ratenzahlung.png")  # noqa: S108 - agreed place
