"""`kofo payments import | inbox | replay | remit | sepa` (issue 5, nos. 1 and 4)."""

from __future__ import annotations

import json
import os
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kofo.cases.models import Case
from kofo.payments.models import BankEntry, BankImport, RemittanceRun
from kofo.payments.sepa import check_totals
from tests.integration import test_bank_import as bank

pytestmark = pytest.mark.django_db
office_files = bank.office_files


def _run(*args: str) -> str:
    out = StringIO()
    call_command("payments", *args, stdout=out)
    return out.getvalue()


def test_import_twice_replay_and_json(office_files: dict[str, Case]) -> None:
    path = bank.DATA / "camt053_v08.xml"
    first = json.loads(_run("import", str(path), "--json"))
    assert first["status"] == "done" and first["entries_new"] == BankEntry.objects.count() == 10
    assert "0 neue Umsätze" in _run("import", str(path))
    assert "0 neue Umsätze" in _run("replay", str(first["id"]))
    assert BankEntry.objects.count() == 10


def test_rejected_file_fails_with_the_reason(office_files: dict[str, Case], tmp_path: Path) -> None:
    path = tmp_path / "kaputt.xml"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(CommandError, match=r"camt\.doctype"):
        _run("import", str(path))
    assert BankImport.objects.get().status == "rejected"


def test_inbox_moves_files_after_reading(
    office_files: dict[str, Case], settings: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings.KOFO_BANK_INBOX = str(inbox)
    shutil.copy(bank.DATA / "camt054_v02.xml", inbox / "avis.xml")
    (inbox / "kaputt.xml").write_bytes(b"<nicht xml")
    output = _run("inbox")
    assert "avis.xml" in output and "kaputt.xml: abgewiesen" in output
    assert (inbox / "done" / "avis.xml").exists() and (inbox / "rejected" / "kaputt.xml").exists()
    assert "keine Dateien" in _run("inbox")


def test_remit_writes_a_valid_file_and_sepa_reproduces_it(
    office_files: dict[str, Case], tmp_path: Path
) -> None:
    _run("import", str(bank.DATA / "camt053_v02.xml"))
    target = tmp_path / "lauf1.xml"
    output = _run("remit", "--until", "2026-11-30", "--out", str(target))
    assert "Auskehrungslauf 1" in output
    run = RemittanceRun.objects.get()
    assert check_totals(target.read_bytes()).control_sum_cents == run.total_cents
    again = tmp_path / "nochmal.xml"
    assert "identisch mit dem Archiv" in _run("sepa", "1", "--out", str(again))
    assert again.read_bytes() == target.read_bytes()
    assert "Nichts auszukehren" in _run("remit", "--until", "2026-11-30")
    with pytest.raises(CommandError, match="Datum"):
        _run("remit", "--until", "30.11.2026")


def test_collect_without_due_instalments_says_so(office_files: dict[str, Case]) -> None:
    assert "Keine fälligen Raten" in _run("collect", "--date", "2026-11-30")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("KOFO_DATABASE_URL") or ""),
    reason="committed test data needs PostgreSQL (SQLite's flush deletes rows the append-only triggers keep)",
)
def test_import_commits_step_by_step_outside_any_transaction(settings: Any, tmp_path: Path) -> None:
    """The import commits each booking itself (no surrounding transaction): its audit events must too."""
    from tests import factories

    settings.DATA_DIR = tmp_path
    factories.make_office()
    assert "3 neue Umsätze" in _run("import", str(bank.DATA / "camt054_v08.xml"))
    assert BankImport.objects.get().clarification == 3
    with pytest.raises(CommandError):
        _run("import", str(bank.DATA / "../xsd/README.md"))


def test_demo_statement_is_the_same_every_time(settings: Any, tmp_path: Path) -> None:
    from django.utils import timezone

    from kofo.cases.daily import open_missing_cases
    from kofo.demo.loader import load_demo
    from kofo.demo.statement import load_statement

    settings.DATA_DIR = tmp_path
    today = timezone.localdate()
    load_demo()
    open_missing_cases(today)
    first = load_statement(today)
    assert first is not None and first.matched >= 4 and first.clarification == 1
    again = load_statement(today)
    assert again is not None and (again.entries_new, again.entries_known) == (0, first.entries_new)
