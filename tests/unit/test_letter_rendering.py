"""Rendering letters (kofo.documents.rendering): batches cut into letters, page numbers per letter, template
versions and overrides, the locked-down fetcher, escaping. The data are built by hand here, so these tests
need no database; the letters of real files are tested in tests/integration/test_letters_*.py."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from kofo.documents import rendering

OFFICE = {
    "name": "Landesverwaltungsamt Saarland", "department": "Zentrale Vollstreckungsstelle",
    "street": "Hochstraße 67", "postcode": "66115", "city": "Saarbrücken", "phone": "0681 9712-0",
    "email": "vollstreckung@example.org", "website": "", "iban": "DE02120300000000202051", "bic": "BYLADEM1001",
    "bank_name": "Deutsche Kreditbank", "creditor_id": "DE98ZZZ09999999999", "land": "SL",
    "sender_line": "Landesverwaltungsamt Saarland · Hochstraße 67 · 66115 Saarbrücken",
}  # fmt: skip


def letter_data(name: str, claims: int = 1, number: str = "VA-000001") -> dict[str, Any]:
    rows = [
        {"partner": "Gemeinde Wadgassen", "partner_key": "gemeinde-wadgassen", "kassenzeichen": f"GS-{i:04d}",
         "claim_type": "grundsteuer", "claim_type_label": "Grundsteuer", "legal_basis": "GrStG",
         "assessment_date": "2026-01-15", "notified_on": "", "due_date": "2026-02-15", "reminder_date": "",
         "amounts": {"principal": 10000, "surcharge": 100, "fee": 0, "cost": 0, "interest": 0}, "total": 10100}
        for i in range(claims)
    ]  # fmt: skip
    total = sum(r["total"] for r in rows)
    return {
        "kind": "zahlungsaufforderung", "title": "Zahlungsaufforderung und Ankündigung der Vollstreckung",
        "date": "2026-11-25", "regime": "ao", "regime_label": "Abgabenordnung",
        "enforcement_basis": "§§ 249 ff. Abgabenordnung (AO)", "office": OFFICE,
        "recipient": {"lines": [name, "Hauptstraße 1", "66787 Wadgassen"], "role": "debtor"},
        "case": {"number": number, "payment_reference": "RF65VA000001"},
        "caseworker": {"name": "Ingo Innendienst", "phone": "0681 9712-12", "email": ""},
        "debtor": {"name": name, "birth_date": "1970-01-01", "lines": [name], "salutation": "Guten Tag,"},
        "claims": rows, "partners": [{"name": "Gemeinde Wadgassen", "claims": rows, "total": total}],
        "office_items": {"fee": 0, "cost": 0, "total": 0}, "totals": {}, "total_cents": total,
        "payment": {"name": OFFICE["name"], "iban": OFFICE["iban"], "bic": OFFICE["bic"], "bank_name": "",
                    "amount_cents": total, "reference": "RF65VA000001", "deadline": "2026-12-07"},
    }  # fmt: skip


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def bundle() -> rendering.Bundle:
    return rendering.bundle_for("zahlungsaufforderung", "ao")


def test_a_batch_is_cut_into_one_pdf_per_letter_with_its_own_page_numbers(bundle: rendering.Bundle) -> None:
    # A long letter (many claims, several pages) between short ones: each letter counts its own pages.
    datas = [letter_data("Anna Erste"), letter_data("Bernd Lang", claims=40), letter_data("Clara Dritte")]
    results = rendering.render_letters(bundle, datas)
    assert len(results) == 3
    long_pages = results[1].pages
    assert long_pages > 1
    for result, data in zip(results, datas, strict=True):
        pages = texts(result.pdf)
        assert len(pages) == result.pages
        name = data["recipient"]["lines"][0]
        assert name in pages[0]
        others = {d["recipient"]["lines"][0] for d in datas} - {name}
        assert not any(other in "".join(pages) for other in others)
        for number, text in enumerate(pages, start=1):
            assert f"Seite {number} von {result.pages}" in text


def test_rendering_is_reproducible_byte_for_byte(bundle: rendering.Bundle) -> None:
    data = letter_data("Dora Gleich")
    assert rendering.render_letter(bundle, data).pdf == rendering.render_letter(bundle, data).pdf


def test_the_bundle_version_covers_every_source(bundle: rendering.Bundle) -> None:
    assert set(bundle.sources) >= {"page.html", "letter.css", "letter.html", "parts/head.html", bundle.name}
    changed = rendering.Bundle(
        bundle.name, {**bundle.sources, "letter.css": bundle.sources["letter.css"] + " "}
    )
    assert changed.sha256 != bundle.sha256


def test_variables_are_escaped(bundle: rendering.Bundle) -> None:
    html = rendering.render_html(bundle, letter_data("<b>Eve</b> & Co"))
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; Co" in html
    assert "<b>Eve</b>" not in html


def test_an_administrators_template_overrides_the_shipped_one_per_regime(
    tmp_path: Any, settings: Any
) -> None:
    shipped = rendering.bundle_for("zahlungsaufforderung", "svwvg_sl")
    (tmp_path / "svwvg_sl" / "letters").mkdir(parents=True)
    (tmp_path / "svwvg_sl" / "letters" / "zahlungsaufforderung.html").write_text(
        '{% extends "letter.html" %}{% block body %}<p>Angepasster Text für {{ debtor.name }}</p>{% endblock %}',
        encoding="utf-8",
    )
    settings.KOFO_LETTER_TEMPLATES = str(tmp_path)
    adjusted = rendering.bundle_for("zahlungsaufforderung", "svwvg_sl")
    assert adjusted.sha256 != shipped.sha256
    assert (
        rendering.bundle_for("zahlungsaufforderung", "ao").sources[adjusted.name]
        == shipped.sources[shipped.name]
    )
    text = rendering.pdf_text(rendering.render_letter(adjusted, letter_data("Frieda Frei")).pdf)
    assert "Angepasster Text für Frieda Frei" in text


def test_templates_cannot_fetch_anything(bundle: rendering.Bundle) -> None:
    # A template (an administrator's, or one with injected markup) must not reach the network or the disk.
    for url in ("http://example.org/logo.png", "file:///etc/passwd"):
        hostile = rendering.Bundle(
            bundle.name, {**bundle.sources, bundle.name: f'<article><img src="{url}"></article>'}
        )
        with pytest.raises(BaseException, match="nichts nachladen"):
            rendering.render_letter(hostile, letter_data("Gustav Gast"))


def test_a_missing_template_is_a_clear_error() -> None:
    with pytest.raises(rendering.RenderError, match=r"Vorlage letters/gibt_es_nicht\.html fehlt"):
        rendering.bundle_for("gibt_es_nicht", "ao")


def test_print_batches_merge_letters_in_order(bundle: rendering.Bundle) -> None:
    results = rendering.render_letters(bundle, [letter_data("Hanna Eins"), letter_data("Ida Zwei")])
    merged = texts(rendering.merge([r.pdf for r in results]))
    assert len(merged) == sum(r.pages for r in results)
    assert "Hanna Eins" in merged[0]
    assert "Ida Zwei" in merged[results[0].pages]
