"""The database index chooses exactly the candidates the in-memory index chooses (docs/linkage.md).

Oversized blocks (more than BLOCK_SIZE_MAX records share a key: the Müllers born in one year) are cut to the
sort neighbourhood of the new record; the database does this on the stored sort keys before it loads any
record. Both indexes must agree, or a record would be linked differently at intake than in a batch run.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from kofo.debtors.linkage.blocking import BLOCK_SIZE_MAX
from kofo.debtors.linkage.index import PersonIndex
from kofo.debtors.linkage.records import PersonRecord, normalise_person
from kofo.debtors.matching import (
    DatabasePersonIndex,
    index_record,
    linkage_model,
    normalise,
    prepare,
    rebuild_index_statistics,
)
from kofo.debtors.models import Debtor, DebtorKind, DebtorRecord, LinkDecision, NameCount
from tests import factories

pytestmark = pytest.mark.django_db

GIVEN = ["Anna", "Peter", "Maria", "Klaus", "Sabine", "Thomas", "Petra", "Jürgen", "Monika", "Stefan"]


def store(partner: Any, index: int, given: str, birth: str, street: str) -> DebtorRecord:
    debtor = Debtor.objects.create(number=f"T{index:05d}", kind=DebtorKind.NATURAL, display_name="Müller")
    record = DebtorRecord(
        partner=partner, kind=DebtorKind.NATURAL, surname="Müller", given_names=given, birth_date=birth,
        street=street, house_number=str(index % 90 + 1), postcode="66740", city="Saarlouis",
        content_hash=hashlib.sha256(str(index).encode()).hexdigest(), debtor=debtor,
        link_decision=LinkDecision.NEW,
    )  # fmt: skip
    prepare(record)
    record.save()
    index_record(record)
    return record


def test_oversized_blocks_are_cut_like_the_in_memory_index(db: Any) -> None:
    partner = factories.make_partner()
    stored = [
        store(partner, i, GIVEN[i % len(GIVEN)], f"1970-{i % 12 + 1:02d}-{i % 28 + 1:02d}", f"Straße {i % 7}")
        for i in range(3 * BLOCK_SIZE_MAX)  # one surname-and-year block of 120 records
    ]
    memory = PersonIndex(linkage_model())
    memory.add_many(PersonRecord(**{**normalise_record_fields(r)}) for r in stored)
    for query in (
        PersonRecord(record_id="neu", surname="Müller", given_names="Peter", birth_date="1970-06-15",
                     street="Straße 3", house_number="5", postcode="66740", city="Saarlouis"),
        PersonRecord(record_id="neu", surname="Mueller", given_names="Anna", birth_date="1970-01-01",
                     street="Straße 0", house_number="1", postcode="66740", city="Saarlouis"),
    ):  # fmt: skip
        person = normalise_person(query)
        database = DatabasePersonIndex(linkage_model())
        assert sorted(database.candidate_ids(person)) == sorted(memory.candidate_ids(person))
        assert len(database.candidate_ids(person)) < len(stored)  # the block was cut
    assert all(r.sort_key for r in stored)
    assert normalise(stored[0]).surname == "mueller"


def normalise_record_fields(record: DebtorRecord) -> dict[str, Any]:
    return {
        "record_id": str(record.pk),
        "surname": record.surname,
        "given_names": record.given_names,
        "birth_name": record.birth_name,
        "birth_date": str(record.birth_date) if record.birth_date else "",
        "street": record.street,
        "house_number": record.house_number,
        "postcode": record.postcode,
        "city": record.city,
    }


def counted_by_query() -> dict[tuple[str, str], int]:
    from django.db.models import Count

    natural = DebtorRecord.objects.filter(kind=DebtorKind.NATURAL)
    counts: dict[tuple[str, str], int] = {}
    for field, column in ((NameCount.SURNAME, "norm_surname"), (NameCount.GIVEN, "norm_given")):
        for value, n in (
            natural.exclude(**{column: ""}).values(column).annotate(n=Count("id")).values_list(column, "n")
        ):
            counts[(field, value)] = n
    return counts


def stored_counts() -> dict[tuple[str, str], int]:
    return {(c.field, c.value): c.records for c in NameCount.objects.all()}


def test_name_counts_are_kept_exactly_with_each_record(db: Any) -> None:
    """The term frequencies of the match weights come from NameCount (one lookup per name, not a count over
    the records): index_record keeps them exactly, and a rebuild after a bulk load gives the same."""
    partner = factories.make_partner()
    for i in range(30):
        store(partner, i, GIVEN[i % 4], f"1980-01-{i % 28 + 1:02d}", "Hauptstraße")
    assert stored_counts() == counted_by_query()
    assert stored_counts()[(NameCount.SURNAME, "mueller")] == 30
    assert stored_counts()[(NameCount.GIVEN, "klaus")] == 7
    NameCount.objects.update(records=0)  # as after a bulk load that bypassed index_record
    rebuild_index_statistics()
    assert stored_counts() == counted_by_query()
    database = DatabasePersonIndex(linkage_model())
    database.candidate_ids(normalise(DebtorRecord.objects.first()))  # type: ignore[arg-type]
    assert database.given_counts.get("klaus") == 7 and database.surname_counts.get("mueller") == 30
