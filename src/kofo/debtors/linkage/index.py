"""The incremental case: match one new record against a persistent index of known records.

:class:`PersonIndex` is the in-memory form of what the Django side keeps in two tables: the normalised
record per id, and ``(blocking key, record id)`` rows with an index on the key (the keys are the strings
of :func:`kofo.debtors.linkage.blocking.blocking_keys`). A lookup reads the rows of the new record's keys,
compares the candidates with the same vectorised comparison as the batch run and scores them with the
same model -- so a record gets the same weight against a candidate whether it arrives in a batch or alone.

Oversized blocks are cut exactly as in the batch run: of a block larger than ``BLOCK_SIZE_MAX``, only the
``BLOCK_WINDOW - 1`` records nearest to the new one in the sort order (surname phonetic, given-name
phonetic, birth date) on either side are compared.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from kofo.debtors.linkage.blocking import BLOCK_SIZE_MAX, BLOCK_WINDOW, blocking_keys
from kofo.debtors.linkage.compare import compare
from kofo.debtors.linkage.engine import PairExplanation, explain
from kofo.debtors.linkage.model import LinkageModel, TermFrequencies, match_weights, probability
from kofo.debtors.linkage.records import NormalisedPerson, PersonRecord, normalise_person, table_from_persons

#: Candidates returned by :meth:`PersonIndex.match` at most.
CANDIDATES_MAX = 20


@dataclass(frozen=True)
class Candidate:
    """A known record that may be the same person as the new one."""

    record_id: str
    weight: float
    probability: float
    decision: str  # "link" (at or above the link threshold), "review" or "distinct"
    explanation: PairExplanation


def sort_order(person: NormalisedPerson) -> tuple[str, str, int]:
    first = person.surname_phonetics[0] if person.surname_phonetics else ""
    return (first, person.given_phonetic, person.birth_date.as_int() if person.birth_date else 0)


class PersonIndex:
    """Blocking key → record ids, plus the normalised records and name frequencies (for term frequencies)."""

    def __init__(
        self, model: LinkageModel, *, block_size_max: int = BLOCK_SIZE_MAX, window: int = BLOCK_WINDOW
    ) -> None:
        self.model = model
        self.block_size_max = block_size_max
        self.window = window
        self.persons: dict[str, NormalisedPerson] = {}
        self.blocks: dict[str, list[str]] = {}
        self.surname_counts: Counter[str] = Counter()
        self.given_counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self.persons)

    def add(self, record: PersonRecord | NormalisedPerson) -> list[str]:
        """Index a record (replacing one with the same id); returns its blocking keys."""
        person = record if isinstance(record, NormalisedPerson) else normalise_person(record)
        if person.record_id in self.persons:
            self.remove(person.record_id)
        self.persons[person.record_id] = person
        keys = blocking_keys(person)
        for key in keys:
            self.blocks.setdefault(key, []).append(person.record_id)
        if person.surname:
            self.surname_counts[person.surname] += 1
        if person.given_names:
            self.given_counts[person.given_names] += 1
        return keys

    def add_many(self, records: Iterable[PersonRecord | NormalisedPerson]) -> None:
        for record in records:
            self.add(record)

    def remove(self, record_id: str) -> None:
        person = self.persons.pop(record_id)
        for key in blocking_keys(person):
            members = self.blocks.get(key)
            if members is not None:
                members.remove(record_id)
                if not members:
                    del self.blocks[key]
        if person.surname:
            self.surname_counts[person.surname] -= 1
        if person.given_names:
            self.given_counts[person.given_names] -= 1

    def candidate_ids(self, person: NormalisedPerson) -> list[str]:
        """Ids sharing a blocking key with ``person`` (oversized blocks cut to its sort neighbourhood)."""
        found: dict[str, None] = {}
        reach = self.window - 1
        for key in blocking_keys(person):
            members = self.blocks.get(key)
            if not members:
                continue
            if len(members) + 1 <= self.block_size_max:
                found.update(dict.fromkeys(members))
                continue
            ranked = sorted(
                ((sort_order(self.persons[m]), m) for m in members if m != person.record_id),
                key=lambda item: item[0] + (item[1],),
            )
            at = bisect.bisect_left([k for k, _ in ranked], sort_order(person))
            found.update(dict.fromkeys(m for _, m in ranked[max(0, at - reach) : at + reach]))
        found.pop(person.record_id, None)
        return list(found)

    def match(self, record: PersonRecord, *, limit: int = CANDIDATES_MAX) -> list[Candidate]:
        """Known records that may be the same person, best first, with weights and explanations.

        Only candidates at or above the review threshold are returned; an empty list means: a new debtor.
        """
        person = normalise_person(record)
        ids = self.candidate_ids(person)
        if not ids:
            return []
        persons = [person] + [self.persons[i] for i in ids]
        table = table_from_persons(persons)
        left = np.zeros(len(ids), dtype=np.int64)
        right = np.arange(1, len(ids) + 1, dtype=np.int64)
        comparison = compare(table, left, right)
        # Frequencies as if the new record were already indexed: the batch run counts every record too.
        total = len(self.persons) + 1
        surname_freq = np.array(
            [0.0]
            + [
                (self.surname_counts.get(v, 0) + (v == person.surname)) / total
                for v in table.names.values[1:]
            ],
            dtype=np.float64,
        )
        given_freq = np.array(
            [0.0]
            + [
                (self.given_counts.get(v, 0) + (v == person.given_names)) / total
                for v in table.givens.values[1:]
            ],
            dtype=np.float64,
        )
        tf = TermFrequencies(surname_freq, given_freq)
        records = len(self.persons) + 1
        weights = match_weights(self.model, comparison, tf, records=records)
        thresholds = self.model.thresholds
        order = np.argsort(-weights, kind="stable")
        out: list[Candidate] = []
        for k in order.tolist():
            w = float(weights[k])
            if w < thresholds.review or len(out) >= limit:
                break
            out.append(
                Candidate(
                    record_id=ids[k],
                    weight=w,
                    probability=float(probability(w)),
                    decision="link" if w >= thresholds.link else "review",
                    explanation=explain(self.model, comparison, k, tf, records=records),
                )
            )
        return out
