"""The pure matching engine that finds one person behind several partners' debtor records.

No Django, no I/O (an import-linter contract enforces it): records in, candidate links out.
"""

from kofo.debtors.linkage.blocking import BLOCK_SIZE_MAX, blocking_keys, candidate_pairs
from kofo.debtors.linkage.compare import FIELDS, compare
from kofo.debtors.linkage.engine import (
    Assignment,
    FieldExplanation,
    LinkageResult,
    PairExplanation,
    ReviewPair,
    link_columns,
    link_persons,
    link_table,
)
from kofo.debtors.linkage.entities import LegalEntityRecord, compare_entities, link_entities, normalise_entity
from kofo.debtors.linkage.index import Candidate, PersonIndex
from kofo.debtors.linkage.model import MODEL_FORMAT, LinkageModel, Thresholds, estimate_model
from kofo.debtors.linkage.phonetics import koelner_phonetik
from kofo.debtors.linkage.records import (
    NormalisedPerson,
    PersonColumns,
    PersonRecord,
    normalise_person,
    table_from_records,
)

__all__ = [
    "BLOCK_SIZE_MAX",
    "FIELDS",
    "MODEL_FORMAT",
    "Assignment",
    "Candidate",
    "FieldExplanation",
    "LegalEntityRecord",
    "LinkageModel",
    "LinkageResult",
    "NormalisedPerson",
    "PairExplanation",
    "PersonColumns",
    "PersonIndex",
    "PersonRecord",
    "ReviewPair",
    "Thresholds",
    "blocking_keys",
    "candidate_pairs",
    "compare",
    "compare_entities",
    "estimate_model",
    "koelner_phonetik",
    "link_columns",
    "link_entities",
    "link_persons",
    "link_table",
    "normalise_entity",
    "normalise_person",
    "table_from_records",
]
