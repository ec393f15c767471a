"""The day's letters (kofo.documents.printing, ``kofo documents print``): produced once, collected into one
print batch per letter kind with a manifest, each letter dispatched with its posting date; electronic
delivery to an outbox; re-rendering from the archive.

Payment demands are taken on Wednesday 25.11.2026 through the real actions; the clocks they carry (§ 122
Abs. 2 AO deemed receipt, one week § 254 AO) are tested in test_measures.py and test_letters_*.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kofo.audit import archive
from kofo.audit.actors import SystemActor
from kofo.cases.measures import check_preconditions, do_propose_measure, do_start_measure
from kofo.cases.models import Case, MeasureKind
from kofo.debtors.models import DebtorRecord
from kofo.documents.actions import content_of, verify
from kofo.documents.models import Dispatch, DispatchChannel, Document, DocumentKind, PrintBatch
from kofo.documents.printing import MANIFEST_HEADER, print_day
from kofo.documents.rendering import pdf_text
from tests.integration.test_bank_import import office_files  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)
ACTOR = SystemActor("test:documents")


@pytest.fixture
def demanded(office_files: dict[str, Case]) -> list[Case]:  # noqa: F811
    """Every file whose claims may be enforced gets its payment demand on DAY."""
    cases = []
    for case in office_files.values():
        if not check_preconditions(case, MeasureKind.ZAHLUNGSAUFFORDERUNG, DAY).ok:
            continue
        measure = do_propose_measure(
            case, MeasureKind.ZAHLUNGSAUFFORDERUNG, reason="Test", on=DAY, actor=ACTOR
        )
        do_start_measure(measure, on=DAY, actor=ACTOR)
        cases.append(case)
    assert len(cases) >= 3
    return cases


def test_the_days_letters_become_one_print_batch_with_manifest(demanded: list[Case]) -> None:
    result = print_day(DAY, actor=ACTOR, parallel=False)
    assert result.problems == []
    assert result.produced == len(demanded) and result.skipped == 0
    batch = PrintBatch.objects.get()
    assert (batch.kind, batch.day, batch.channel, batch.count) == (
        DocumentKind.ZAHLUNGSAUFFORDERUNG, DAY, DispatchChannel.POST, len(demanded)
    )  # fmt: skip
    documents = list(Document.objects.filter(kind=DocumentKind.ZAHLUNGSAUFFORDERUNG))
    assert batch.pages == sum(d.pages for d in documents)
    # Every letter posted on DAY, in this batch.
    assert set(Dispatch.objects.values_list("posted_on", "batch_id", "channel")) == {
        (DAY, batch.pk, DispatchChannel.POST)
    }
    # The manifest lists the letters in the order of the merged PDF, with the page each one starts on.
    rows = list(
        csv.reader(
            io.StringIO(archive.load(batch.manifest_sha256, archive.DOCUMENTS).decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert rows[0] == MANIFEST_HEADER
    assert len(rows) == 1 + len(demanded)
    merged = archive.load(batch.pdf_sha256, archive.DOCUMENTS)
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(merged)).pages
    assert len(pages) == batch.pages
    for row in rows[1:]:
        document = Document.objects.get(pk=int(row[1]))
        assert row[3] == document.case.number and row[7] == document.sha256
        first = pages[int(row[6]) - 1].extract_text()
        assert document.case.number in first and document.data["recipient"]["lines"][0] in first


def test_printing_again_produces_and_sends_nothing_twice(demanded: list[Case]) -> None:
    first = print_day(DAY, actor=ACTOR, parallel=False)
    again = print_day(DAY, actor=ACTOR, parallel=False)
    assert (again.produced, again.posted, again.batches) == (0, 0, [])
    assert Document.objects.count() == first.produced
    assert PrintBatch.objects.count() == 1 and Dispatch.objects.count() == first.produced


def test_electronic_delivery_writes_the_outbox(demanded: list[Case], settings: Any, tmp_path: Path) -> None:
    settings.KOFO_ELECTRONIC_DELIVERY = "outbox"
    settings.KOFO_DOCUMENT_OUTBOX = str(tmp_path / "outbox")
    by_mail = demanded[0]
    DebtorRecord.objects.filter(debtor=by_mail.debtor).update(email="schuldner@example.org")
    result = print_day(DAY, actor=ACTOR, parallel=False)
    assert result.electronic == 1 and result.posted == len(demanded) - 1
    document = Document.objects.get(case=by_mail)
    dispatch = document.dispatch
    assert (dispatch.channel, dispatch.address, dispatch.batch) == (
        DispatchChannel.ELECTRONIC, "schuldner@example.org", None
    )  # fmt: skip
    folder = tmp_path / "outbox" / DAY.isoformat()
    assert (folder / f"{document.pk}.pdf").read_bytes() == content_of(document)
    envelope = json.loads((folder / f"{document.pk}.json").read_text("utf-8"))
    assert envelope["to"] == "schuldner@example.org" and envelope["sha256"] == document.sha256


def test_archived_letters_are_reproduced_from_their_data(demanded: list[Case]) -> None:
    print_day(DAY, actor=ACTOR, parallel=False)
    for document in Document.objects.all():
        assert document.template is not None and document.data["case"]["number"] == document.case.number
        check = verify(document)
        assert check.same_text, document.pk
        assert document.retain_until == dt.date(2036, 12, 31)
        text = pdf_text(content_of(document))
        assert document.case.payment_reference in text


def test_command_prints_and_verifies(demanded: list[Case], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("documents", "print", "--date", DAY.isoformat(), "--json", "--serial", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["produced"] == len(demanded) and payload["posted"] == len(demanded)
    assert [b["kind"] for b in payload["batches"]] == [DocumentKind.ZAHLUNGSAUFFORDERUNG]
    out = io.StringIO()
    call_command("documents", "verify", "--date", DAY.isoformat(), stdout=out)
    assert out.getvalue().count("gleich") == len(demanded)
    batch = PrintBatch.objects.get()
    call_command("documents", "batch", str(batch.pk), "--out", str(tmp_path), stdout=io.StringIO())
    stem = f"{DAY.isoformat()}_{batch.kind}_1"
    assert (tmp_path / f"{stem}.pdf").read_bytes() == archive.load(batch.pdf_sha256, archive.DOCUMENTS)
    document = Document.objects.first()
    assert document is not None
    call_command(
        "documents", "export", str(document.pk), "--out", str(tmp_path / "x.pdf"), stdout=io.StringIO()
    )
    assert (tmp_path / "x.pdf").read_bytes() == content_of(document)


def test_a_kind_that_cannot_be_rendered_loses_nothing_else(
    demanded: list[Case], settings: Any, tmp_path: Path
) -> None:
    """An administrator's broken template for SVwVG letters: the AO letters are made, printed and sent; the
    others are reported, and made by the next run once the template is fixed."""
    from kofo.documents.letters import letters_on_start

    def regime(case: Case) -> str:
        demand = case.measures.get(kind=MeasureKind.ZAHLUNGSAUFFORDERUNG, executed_on=DAY)
        return letters_on_start(demand)[0].regime

    assert {regime(case) for case in demanded} == {"ao", "svwvg_sl"}
    broken = tmp_path / "vorlagen" / "svwvg_sl" / "letters"
    broken.mkdir(parents=True)
    (broken / "zahlungsaufforderung.html").write_text(
        '{% extends "letter.html" %}{% block body %}<img src="https://example.org/logo.png">{% endblock %}',
        encoding="utf-8",
    )
    settings.KOFO_LETTER_TEMPLATES = str(tmp_path / "vorlagen")
    result = print_day(DAY, actor=ACTOR, parallel=False)
    svwvg = [case for case in demanded if regime(case) == "svwvg_sl"]
    assert result.produced == len(demanded) - len(svwvg) and result.posted == result.produced
    assert result.problems == [
        f"{len(svwvg)} × Zahlungsaufforderung mit Vollstreckungsankündigung: Briefvorlagen dürfen nichts "
        "nachladen: https://example.org/logo.png"
    ]
    assert not Document.objects.filter(case__in=svwvg).exists()

    settings.KOFO_LETTER_TEMPLATES = ""  # fixed
    again = print_day(DAY, actor=ACTOR, parallel=False)
    assert (again.produced, again.posted, again.problems) == (len(svwvg), len(svwvg), [])
    assert Document.objects.filter(case__in=svwvg).count() == len(svwvg)
    assert Document.objects.count() == Dispatch.objects.count() == len(demanded)
