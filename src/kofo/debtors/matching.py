"""The persistent side of debtor linkage: the blocking-key index in the database, scored with exactly the
engine of :class:`kofo.debtors.linkage.index.PersonIndex` (same candidates, same weights, same term
frequencies) — only the index lives in tables instead of memory."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection
from django.db.models import Count, F

from kofo.debtors.linkage.blocking import blocking_keys
from kofo.debtors.linkage.default_model import DEFAULT_MODEL
from kofo.debtors.linkage.entities import LegalEntityRecord, compare_entities, normalise_entity
from kofo.debtors.linkage.index import PersonIndex, sort_order
from kofo.debtors.linkage.model import LinkageModel
from kofo.debtors.linkage.records import NormalisedPerson, PersonRecord, normalise_person
from kofo.debtors.models import BlockingKey, DebtorKind, DebtorRecord, IndexStatistics, NameCount

#: Records read for one lookup at most (the engine cuts oversized blocks to the sort neighbourhood).
CANDIDATES_MAX = 2_000
#: Rows of (key, record, sort key) one match reads at most: a safety bound, far above any real block.
KEY_ROWS_MAX = 200_000

FIELD_LABELS = {
    "surname": "Familienname",
    "given_names": "Vornamen",
    "birth_date": "Geburtsdatum",
    "address": "Anschrift",
    "partner_id": "Schuldnernummer des Partners",
    "household": "Haushalt (gleiche Anschrift, anderer Vorname)",
    "surname_and_address": "Name und Anschrift zusammen",
}
LEVEL_LABELS = {
    "exact": "gleich",
    "variant": "Schreibvariante",
    "birth_name": "über Geburtsnamen",
    "close": "ähnlich",
    "far": "entfernt ähnlich",
    "different": "verschieden",
    "missing": "fehlt",
    "first_or_subset": "erster Vorname gleich",
    "same": "gleich",
    "day_month_swapped": "Tag und Monat vertauscht",
    "digits_transposed": "Ziffern vertauscht",
    "one_component_off": "ein Bestandteil abweichend",
    "year_only": "nur das Jahr gleich",
    "same_street": "gleiche Straße",
    "same_place": "gleicher Ort",
    "same_area": "gleiche Gegend",
}


def linkage_model() -> LinkageModel:
    return DEFAULT_MODEL


#: The columns a stored record is compared by (read without building model instances on the hot path).
PERSON_COLUMNS = ("id", "surname", "given_names", "birth_name", "birth_date", "street", "house_number", "postcode",
                  "city", "partner_id", "partner_debtor_id")  # fmt: skip


def _person(
    pk: Any, surname: str, given_names: str, birth_name: str, birth_date: Any, street: str, house_number: str,
    postcode: str, city: str, partner_id: Any, partner_debtor_id: str,
) -> PersonRecord:  # fmt: skip
    return PersonRecord(
        record_id=str(pk), surname=surname, given_names=given_names, birth_name=birth_name,
        birth_date=birth_date or "", street=street, house_number=house_number, postcode=postcode, city=city,
        partner_debtor_id=f"{partner_id}:{partner_debtor_id}" if partner_debtor_id else "",
    )  # fmt: skip


def person_of(record: DebtorRecord) -> PersonRecord:
    return _person(*(getattr(record, "pk" if column == "id" else column) for column in PERSON_COLUMNS))


def _entity_of(record: DebtorRecord) -> LegalEntityRecord:
    return LegalEntityRecord(
        record_id=str(record.pk),
        name=record.legal_name,
        legal_form=record.legal_form,
        register_court=record.register_court,
        register_number=record.register_number,
        street=record.street,
        house_number=record.house_number,
        postcode=record.postcode,
        city=record.city,
    )


def normalise(record: DebtorRecord) -> NormalisedPerson:
    return normalise_person(person_of(record))


def keys_of(record: DebtorRecord) -> list[str]:
    """Blocking keys of a record. Legal entities: register number and normalised name."""
    if record.kind == DebtorKind.LEGAL:
        entity = normalise_entity(_entity_of(record))
        keys = [f"jn:{entity.name[:70]}"]
        if entity.register:
            keys.append(f"jr:{entity.register[:70]}")
        return keys
    return [key[:80] for key in blocking_keys(normalise(record))]


def sort_key_of(person: NormalisedPerson) -> str:
    """The index's sort order of a person (surname phonetic, given-name phonetic, birth date) as one string
    that sorts like the tuple: the phonetic codes are digits, the separator sorts before every digit."""
    surname, given, born = sort_order(person)
    return f"{surname}\x1f{given}\x1f{born:08d}"


def prepare(record: DebtorRecord) -> None:
    """Set the normalised name columns and the sort key before the record is saved."""
    if record.kind == DebtorKind.NATURAL:
        person = normalise(record)
        record.norm_surname = person.surname[:120]
        record.norm_given = person.given_names[:120]
        record.sort_key = sort_key_of(person)[:60]


def index_record(record: DebtorRecord) -> None:
    BlockingKey.objects.bulk_create(
        [BlockingKey(key=key, record=record) for key in keys_of(record)], ignore_conflicts=True
    )
    if record.kind == DebtorKind.NATURAL:
        # The statistics row first: its lock orders concurrent inserts, so the name rows below cannot deadlock.
        updated = IndexStatistics.objects.filter(pk=1).update(natural_records=F("natural_records") + 1)
        if not updated:
            natural_record_count()  # creates the row from a count
        names = [(field, value) for field, value in
                 ((NameCount.SURNAME, record.norm_surname), (NameCount.GIVEN, record.norm_given)) if value]  # fmt: skip
        if names:
            table = NameCount._meta.db_table
            with connection.cursor() as cursor:  # one statement for both names
                cursor.execute(
                    f"INSERT INTO {table} (field, value, records) VALUES {', '.join(['(%s, %s, 1)'] * len(names))} "  # noqa: S608
                    f"ON CONFLICT (field, value) DO UPDATE SET records = {table}.records + 1",
                    [part for name in names for part in name],
                )


def rebuild_index_statistics() -> None:
    """Count the natural persons and their names again from the records — after a bulk load that bypassed
    :func:`index_record` (benchmarks, a restored database); the migration that added the name counts does
    the same."""
    natural = DebtorRecord.objects.filter(kind=DebtorKind.NATURAL)
    IndexStatistics.objects.update_or_create(pk=1, defaults={"natural_records": natural.count()})
    NameCount.objects.all().delete()
    for field, column in ((NameCount.SURNAME, "norm_surname"), (NameCount.GIVEN, "norm_given")):
        rows = natural.exclude(**{column: ""}).values(column).annotate(n=Count("id")).values_list(column, "n")
        NameCount.objects.bulk_create(
            (NameCount(field=field, value=value, records=n) for value, n in rows.iterator()), batch_size=5000
        )


def natural_record_count() -> int:
    """The number of indexed natural persons (the prior's n), from the statistics row; one count creates it."""
    with connection.cursor() as cursor:  # hot path of every match: plain SQL, no query compilation
        cursor.execute(f"SELECT natural_records FROM {IndexStatistics._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    count = DebtorRecord.objects.filter(kind=DebtorKind.NATURAL).count()
    IndexStatistics.objects.get_or_create(pk=1, defaults={"natural_records": count})
    return count


class _Persons(Mapping[str, NormalisedPerson]):
    """The index's records: the loaded candidates; its length is the number of indexed persons."""

    def __init__(self) -> None:
        self.loaded: dict[str, NormalisedPerson] = {}
        self.count: int | None = None

    def __getitem__(self, key: str) -> NormalisedPerson:
        return self.loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.loaded)

    def __len__(self) -> int:
        if self.count is None:  # read once per match
            self.count = natural_record_count()
        return self.count


class _Counts:
    """How many indexed persons carry each name of the match, read from :class:`NameCount`."""

    def __init__(self, field: str) -> None:
        self.field = field  # NameCount.SURNAME or NameCount.GIVEN
        self.cache: dict[str, int] = {}

    def load(self, values: set[str]) -> None:
        missing = [v for v in values if v and v not in self.cache]
        if not missing:
            return
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:  # hot path of every match: plain SQL, one index lookup per name
            cursor.execute(
                f"SELECT value, records FROM {NameCount._meta.db_table} WHERE field = %s AND value IN ({marks})",  # noqa: S608
                [self.field, *missing],
            )
            rows = cursor.fetchall()
        self.cache.update(dict.fromkeys(missing, 0))
        self.cache.update({value: int(n) for value, n in rows})

    def get(self, value: str, default: int = 0) -> int:
        return self.cache.get(value, default)


class DatabasePersonIndex(PersonIndex):
    """:class:`PersonIndex` whose blocks, records and name counts are read from the database."""

    def __init__(self, model: LinkageModel) -> None:
        super().__init__(model)
        self.persons = _Persons()  # type: ignore[assignment]
        self.surname_counts = _Counts(NameCount.SURNAME)  # type: ignore[assignment]
        self.given_counts = _Counts(NameCount.GIVEN)  # type: ignore[assignment]

    def candidate_ids(self, person: NormalisedPerson) -> list[str]:
        """The candidates of ``person``'s blocking keys, oversized blocks cut to the sort neighbourhood in
        SQL-read sort keys *before* any record is loaded (a common name's block has thousands of members
        among a million debtors; only the ``BLOCK_WINDOW - 1`` nearest on either side are compared)."""
        keys = [key[:80] for key in blocking_keys(person)]
        rows: list[tuple[str, int, str]] = []
        if keys:
            marks = ", ".join(["%s"] * len(keys))
            with connection.cursor() as cursor:  # hot path of every match: plain SQL
                cursor.execute(
                    f"SELECT k.key, k.record_id, r.sort_key FROM {BlockingKey._meta.db_table} k "  # noqa: S608
                    f"JOIN {DebtorRecord._meta.db_table} r ON r.id = k.record_id "
                    f"WHERE k.key IN ({marks}) AND r.kind = %s LIMIT %s",
                    [*keys, DebtorKind.NATURAL.value, KEY_ROWS_MAX],
                )
                rows = [(key, int(record_id), sort_key) for key, record_id, sort_key in cursor.fetchall()]
        members: dict[str, list[tuple[str, str]]] = {}
        for key, record_id, sort_key in rows:
            members.setdefault(key, []).append((sort_key, str(record_id)))
        mine = sort_key_of(person)
        reach = self.window - 1
        chosen: dict[str, list[str]] = {}
        for key, block in members.items():
            if len(block) + 1 <= self.block_size_max:
                chosen[key] = [record_id for _sort, record_id in block]
                continue
            ranked = sorted(m for m in block if m[1] != person.record_id)
            at = bisect.bisect_left([sort for sort, _id in ranked], mine)
            chosen[key] = [record_id for _sort, record_id in ranked[max(0, at - reach) : at + reach]]
        ids = {record_id for block in chosen.values() for record_id in block}
        ids.discard(person.record_id)
        # The compared columns only, as tuples: a million-record office loads a few dozen per match, and
        # model instances (with their debtor) are made for the few candidates returned (candidates_for).
        persons: dict[str, NormalisedPerson] = {}
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:  # plain SQL: compiling an ORM query costs about a millisecond
                cursor.execute(
                    f"SELECT {', '.join(PERSON_COLUMNS)} FROM {DebtorRecord._meta.db_table} WHERE id IN ({marks})",  # noqa: S608
                    [int(record_id) for record_id in ids],
                )
                for row in cursor.fetchall():
                    persons[str(row[0])] = normalise_person(_person(*row))
        self.persons.loaded = persons  # type: ignore[attr-defined]
        self.blocks = {
            key: [record_id for record_id in block if record_id in persons] for key, block in chosen.items()
        }
        self.surname_counts.load({person.surname} | {p.surname for p in persons.values()})  # type: ignore[attr-defined]
        self.given_counts.load({person.given_names} | {p.given_names for p in persons.values()})  # type: ignore[attr-defined]
        return super().candidate_ids(person)


@dataclass(frozen=True)
class Candidate:
    record: DebtorRecord
    weight: float
    decision: str  # "link", "review"
    explanation: list[dict[str, Any]]


def _explanation(candidate: Any) -> list[dict[str, Any]]:
    return [
        {
            "field": FIELD_LABELS.get(line.field, line.field),
            "level": LEVEL_LABELS.get(line.level, line.level),
            "weight": round(line.weight, 2),
        }
        for line in candidate.explanation.fields
    ]


def _legal_candidates(record: DebtorRecord) -> list[Candidate]:
    keys = keys_of(record)
    ids = BlockingKey.objects.filter(key__in=keys, record__kind=DebtorKind.LEGAL).values_list(
        "record_id", flat=True
    )
    if record.pk is not None:
        ids = ids.exclude(record_id=record.pk)
    mine = normalise_entity(_entity_of(record))
    thresholds = linkage_model().thresholds
    out = []
    for other in DebtorRecord.objects.filter(pk__in=list(ids)[:CANDIDATES_MAX]).select_related("debtor"):
        decision = compare_entities(mine, normalise_entity(_entity_of(other)))
        if decision.decision == "distinct":
            continue
        weight = thresholds.link + 1 if decision.decision == "link" else thresholds.review
        out.append(
            Candidate(
                other,
                weight,
                decision.decision,
                [{"field": "Firma", "level": decision.rule or decision.decision, "weight": None}],
            )
        )
    return out


def candidates_for(record: DebtorRecord) -> list[Candidate]:
    """Known records that may be the same debtor as ``record`` (at or above the review threshold), best first."""
    if record.kind == DebtorKind.LEGAL:
        return _legal_candidates(record)
    index = DatabasePersonIndex(linkage_model())
    person = person_of(record)
    if record.pk is None:
        person = replace(person, record_id="neu")  # not stored yet: an id no stored record has
    found = index.match(person)
    records = DebtorRecord.objects.select_related("debtor").in_bulk([int(c.record_id) for c in found])
    return [
        Candidate(records[int(c.record_id)], c.weight, c.decision, _explanation(c))
        for c in found
        if int(c.record_id) in records
    ]
