"""The incremental index: one new record against the known ones, as intake will use it."""

from __future__ import annotations

import numpy as np

from kofo.debtors.linkage.blocking import blocking_keys
from kofo.debtors.linkage.default_model import DEFAULT_MODEL
from kofo.debtors.linkage.engine import link_table
from kofo.debtors.linkage.index import PersonIndex
from kofo.debtors.linkage.records import PersonRecord, normalise_person, table_from_records
from kofo.debtors.linkage.synthetic import generate

ANNA = PersonRecord(
    record_id="k1",
    surname="Müller",
    given_names="Anna",
    birth_date="1970-05-03",
    street="Hauptstraße",
    house_number="12",
    postcode="66111",
    city="Saarbrücken",
)


def _index(*records: PersonRecord) -> PersonIndex:
    index = PersonIndex(DEFAULT_MODEL)
    index.add_many(records)
    return index


def test_add_returns_the_keys_the_database_stores() -> None:
    index = PersonIndex(DEFAULT_MODEL)
    keys = index.add(ANNA)
    assert keys == blocking_keys(normalise_person(ANNA))
    assert all(index.blocks[k] == ["k1"] for k in keys)


def test_match_finds_the_same_person_with_explanation() -> None:
    index = _index(
        ANNA, PersonRecord(record_id="k2", surname="Schmidt", given_names="Peter", birth_date="1980-01-01")
    )
    new = PersonRecord(
        record_id="n1", surname="MUELLER", given_names="Anna", birth_date="03.05.1970", city="Sbr."
    )
    candidates = index.match(new)
    assert [c.record_id for c in candidates] == ["k1"]
    assert candidates[0].decision == "link"
    fields = {f.field: f.level for f in candidates[0].explanation.fields}
    assert (
        fields["surname"] == "exact" and fields["birth_date"] == "exact" and fields["address"] == "same_place"
    )


def test_no_candidate_means_a_new_debtor() -> None:
    index = _index(ANNA)
    assert (
        index.match(
            PersonRecord(record_id="n", surname="Becker", given_names="Jonas", birth_date="2001-02-03")
        )
        == []
    )


def test_remove_takes_the_record_out_of_every_block() -> None:
    index = _index(ANNA)
    index.remove("k1")
    assert index.blocks == {}
    assert len(index) == 0


def test_incremental_weight_equals_batch_weight() -> None:
    """A pair gets the same weight in the batch run and when one record arrives alone (same model, same
    number of records, same name frequencies)."""
    records = [d.record for d in generate(400, seed=4)]
    records.sort(key=lambda r: r.record_id)
    run = link_table(table_from_records(records), model=DEFAULT_MODEL)
    strongest = int(np.argmax(run.weights))
    left, right = int(run.left[strongest]), int(run.right[strongest])
    index = _index(*[r for i, r in enumerate(records) if i != right])
    by_id = {c.record_id: c.weight for c in index.match(records[right])}
    assert by_id[records[left].record_id] == __import__("pytest").approx(
        float(run.weights[strongest]), abs=1e-6
    )


def test_oversized_blocks_are_cut_like_the_batch() -> None:
    """In a block over the cap the index, like the batch run, offers only the sort neighbourhood: the
    same surname and birth year for 200 people, the new record meets at most 2 · (window − 1) of them
    through that key, and the nearest ones (same given name) are among them."""
    from kofo.debtors.linkage.blocking import BLOCK_WINDOW

    given = ["Anna", "Berta", "Clara", "Dora", "Emma", "Frieda", "Greta", "Hilde"]
    index = PersonIndex(DEFAULT_MODEL)
    for i in range(200):
        index.add(
            PersonRecord(
                record_id=f"r{i:03d}",
                surname="Müller",
                given_names=given[i % len(given)],
                birth_date=f"1970-{1 + i % 12:02d}-{1 + i % 28:02d}",
            )
        )
    new = normalise_person(
        PersonRecord(record_id="n", surname="Müller", given_names="Emma", birth_date="1970-05-05")
    )
    year_key = next(k for k in blocking_keys(new) if k.startswith("sy:"))
    assert len(index.blocks[year_key]) == 200
    found = set(index.candidate_ids(new))
    through_year = found & set(index.blocks[year_key])
    assert len(through_year) <= 2 * (BLOCK_WINDOW - 1) + 25  # + the records reached through other keys
    assert any(index.persons[i].given_first == "emma" for i in through_year)
