"""The statement the payments benchmark writes (bench/payments.py): readable by kofo and valid by the XSD."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench.payments import Garnishment, OfficeFile, german_iban, kind_counts, write_statement
from lxml import etree

from kofo.cases.references import payment_reference
from kofo.payments.camt import read_statements

XSD = Path(__file__).resolve().parents[1] / "data" / "xsd" / "camt.053.001.08.xsd"
DAY = dt.date(2026, 11, 25)


def _office() -> tuple[list[OfficeFile], list[Garnishment]]:
    files = [
        OfficeFile(
            number=f"VA-{n:06d}",
            payer="Müller & Söhne GmbH" if n % 7 == 0 else f"Anna Schmidt {n}",
            iban=german_iban("59050101", 1_000_000 + n) if n % 3 == 0 else "",
            claims=tuple((f"GS-2025-{n * 10 + k:07d}", 4_500 + 1_000 * k) for k in range(1 + n % 3)),
        )
        for n in range(1, 31)
    ]
    return files, [Garnishment("VA-000004", "Sparkasse Saarbrücken")]


def test_statement_parses_and_validates(tmp_path: Path) -> None:
    files, garnishments = _office()
    path = tmp_path / "camt053.xml"
    account = german_iban("59050000", 4_711_001)
    written = write_statement(path, files, garnishments, entries=50, seed=7, day=DAY, account_iban=account)

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log

    statements = read_statements(path.read_bytes())
    assert len(statements) == 1
    statement = statements[0]
    assert statement.account_iban == account
    assert len(statement.entries) == written["entries"] == 50
    assert written["by_kind"].keys() == {
        "reference", "kassenzeichen", "third_party", "unreferenced", "batch", "reversal", "charges",
    }  # fmt: skip
    assert len({e.account_servicer_ref for e in statement.entries}) == 50
    credits = sum(e.amount_cents for e in statement.entries if e.credit)
    debits = sum(e.amount_cents for e in statement.entries if not e.credit)
    assert statement.opening_cents is not None
    assert statement.opening_cents + credits - debits == statement.closing_cents

    details = [d for e in statement.entries for d in e.details]
    references = {payment_reference(f.number) for f in files}
    assert any(d.structured_reference in references for d in details)
    assert any(len(e.details) > 1 for e in statement.entries)  # a batch booking
    # the reversal takes back an earlier credit: same end-to-end id and amount, after it in the file
    reversal = next(e for e in statement.entries if e.reversal)
    original = next(
        e
        for e in statement.entries
        if e.credit and e.details and e.details[0].end_to_end_id == reversal.details[0].end_to_end_id
    )
    assert original.index < reversal.index and original.amount_cents == reversal.amount_cents


def test_same_seed_same_file(tmp_path: Path) -> None:
    files, garnishments = _office()
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    for path in (first, second):
        write_statement(path, files, garnishments, entries=60, seed=3, day=DAY, account_iban=files[2].iban)
    assert first.read_bytes() == second.read_bytes()


def test_kind_counts_add_up() -> None:
    for entries in (1, 14, 50, 100_000):
        counts = kind_counts(entries)
        assert sum(counts.values()) == entries
    assert kind_counts(100_000) == {
        "reference": 55_000, "kassenzeichen": 25_000, "third_party": 5_000, "unreferenced": 8_000,
        "batch": 3_000, "returned": 2_000, "charges": 2_000,
    }  # fmt: skip
