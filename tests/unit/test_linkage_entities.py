"""Legal entities: normalised name and legal form, register number, address — the rule table."""

from __future__ import annotations

import pytest

from kofo.debtors.linkage.entities import (
    LegalEntityRecord,
    compare_entities,
    link_entities,
    normalise_entity,
    normalise_register,
    split_legal_form,
)


@pytest.mark.parametrize(
    ("name", "expected", "reason"),
    [
        ("Müller Bau GmbH & Co. KG", ("mueller bau", "gmbh_co_kg"), "the longest form wins over GmbH and KG"),
        ("Müller-Bau GmbH", ("mueller bau", "gmbh"), "hyphen splits the name"),
        ("Schmidt UG (haftungsbeschränkt)", ("schmidt", "ug"), "UG with its mandatory addition"),
        ("Sportverein Dillingen e.V.", ("sportverein dillingen", "ev"), "registered association"),
        ("Hans Meier e.K.", ("hans meier", "ek"), "registered merchant"),
        ("Alpha AG", ("alpha", "ag"), "stock corporation"),
        ("Bäckerei Klein", ("baeckerei klein", ""), "no legal form"),
    ],
)
def test_split_legal_form(name: str, expected: tuple[str, str], reason: str) -> None:
    assert split_legal_form(name) == expected, reason


@pytest.mark.parametrize(
    ("court", "number", "expected"),
    [
        ("Amtsgericht Saarbrücken", "HRB 1234", ("hrb:1234", "sarbrucken")),
        ("AG Saarbrücken", "HR B 1234", ("hrb:1234", "sarbrucken")),
        ("", "HRB1234", ("hrb:1234", "")),
        ("", "", ("", "")),
    ],
)
def test_normalise_register(court: str, number: str, expected: tuple[str, str]) -> None:
    assert normalise_register(court, number) == expected


def _e(record_id: str, **fields: str) -> LegalEntityRecord:
    base = {"name": "Müller Bau GmbH", "postcode": "66111", "city": "Saarbrücken", "street": "Hauptstraße"}
    base.update(fields)
    return LegalEntityRecord(record_id=record_id, **base)


@pytest.mark.parametrize(
    ("a", "b", "decision", "rule", "reason"),
    [
        (
            _e("a", register_number="HRB 1"),
            _e("b", name="MB GmbH", register_number="HRB 1"),
            "link",
            "register",
            "same register entry, whatever the name",
        ),
        (
            _e("a", register_number="HRB 1"),
            _e("b", register_number="HRB 2"),
            "distinct",
            "register_differs",
            "two register entries: two companies",
        ),
        (
            _e("a"),
            _e("b", name="Mueller-Bau G.m.b.H."),
            "link",
            "name_form_place",
            "same name, form and place",
        ),
        (
            _e("a"),
            _e("b", name="Müller Bau GmbH & Co. KG"),
            "review",
            "name_place",
            "same name, other legal form",
        ),
        (_e("a"), _e("b", name="Müller Baum GmbH"), "review", "name_similar", "similar name, same place"),
        (_e("a"), _e("b", postcode="54290", city="Trier"), "review", "name_only", "same name elsewhere"),
        (_e("a"), _e("b", name="Schmidt Transporte GmbH"), "distinct", "", "nothing agrees"),
    ],
)
def test_rules(a: LegalEntityRecord, b: LegalEntityRecord, decision: str, rule: str, reason: str) -> None:
    result = compare_entities(normalise_entity(a), normalise_entity(b))
    assert (result.decision, result.rule) == (decision, rule), reason


def test_link_entities_clusters_by_link_decisions() -> None:
    clusters = link_entities(
        [
            _e("c"),
            _e("a", name="Mueller-Bau GmbH"),
            _e("b", name="Schmidt Transporte GmbH"),
            _e("d", register_number="HRB 9"),
        ]
    )
    assert clusters == {"a": "a", "b": "b", "c": "a", "d": "a"}
