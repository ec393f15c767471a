"""Batch linkage: person records in, clusters (one per debtor), review pairs and the model out.

The pipeline is :func:`table_from_records` → :func:`candidate_pairs` → :func:`compare` →
:func:`estimate_model` (unless a model is given) → :func:`match_weights` → :func:`cluster_pairs`.

**Determinism.** Records are processed in the order of their ``record_id``, random pairs for u come
from a fixed seed and every tie is broken by position, so the same set of records gives the same
clusters whatever order it arrives in (a property test checks it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kofo.debtors.linkage.blocking import BLOCK_SIZE_MAX, BlockingStats, candidate_pairs
from kofo.debtors.linkage.cluster import Clustering, cluster_pairs
from kofo.debtors.linkage.compare import FIELD_NAMES, FIELDS, Comparison, compare
from kofo.debtors.linkage.model import (
    DEFAULT_THRESHOLDS,
    EXCLUDED_WEIGHT,
    FloatArray,
    LinkageModel,
    TermFrequencies,
    Thresholds,
    estimate_model,
    excluded,
    field_weights,
    household_adjustments,
    match_weights,
    probability,
    tf_adjustments,
)
from kofo.debtors.linkage.records import (
    IntArray,
    PersonColumns,
    PersonRecord,
    PersonTable,
    table_from_columns,
)

#: Below this many records the data cannot carry an EM estimate; the default model is used instead.
ESTIMATION_RECORDS_MIN = 2_000
#: Upper bound of records in one batch run (the CLI's limit, rules of the house no. 7).
RECORDS_MAX = 5_000_000


@dataclass(frozen=True)
class FieldExplanation:
    """One field's part in a pair's score: its agreement level and the weight that level carries."""

    field: str
    level: str  # a level name from :data:`kofo.debtors.linkage.compare.FIELDS`, or "missing"
    weight: float  # bits; a term-frequency adjustment is included for exact surname/given names
    term_frequency_adjustment: float = 0.0


@dataclass(frozen=True)
class PairExplanation:
    """Why the engine thinks two records are (not) the same person: prior plus one line per field."""

    prior_weight: float
    fields: tuple[FieldExplanation, ...]
    weight: float
    probability: float


@dataclass(frozen=True)
class ReviewPair:
    """A pair for a person to decide: between the thresholds, or a link the chaining guard refused."""

    left_id: str
    right_id: str
    weight: float
    probability: float
    reason: str  # "between_thresholds" or "refused_by_guard"
    explanation: PairExplanation


class Assignment(NamedTuple):
    """One record's result (a named tuple: a batch has a million of them)."""

    record_id: str
    cluster_id: str  # the smallest record_id in the cluster
    match_score: float | None  # best link probability into its cluster; None for a record alone


@dataclass(frozen=True)
class LinkageStats:
    records: int
    clusters: int
    candidate_pairs: int
    linked_pairs: int
    review_pairs: int
    refused_links: int
    inconsistent_components: int
    blocking: BlockingStats


@dataclass
class LinkageRun:
    """Everything a batch run computed, as arrays (for the benchmark and for diagnostics)."""

    table: PersonTable
    left: IntArray
    right: IntArray
    comparison: Comparison
    weights: FloatArray
    clustering: Clustering
    model: LinkageModel
    tf: TermFrequencies
    blocking: BlockingStats
    timings: dict[str, float]  # seconds per stage (blocking, comparison, estimation, scoring, clustering)


@dataclass
class LinkageResult:
    assignments: list[Assignment]
    review_pairs: list[ReviewPair]
    model: LinkageModel
    stats: LinkageStats
    run: LinkageRun


def explain_many(
    model: LinkageModel,
    comparison: Comparison,
    indices: IntArray,
    tf: TermFrequencies | None,
    *,
    records: int,
) -> list[PairExplanation]:
    """The explanations of the pairs ``indices`` of ``comparison`` (vectorised; objects built at the end)."""
    levels = comparison.levels[indices]
    zeros = np.zeros(len(indices), dtype=np.int32)
    sub = Comparison(levels, comparison.surname_code[indices], comparison.given_code[indices])
    per_field = field_weights(model, sub)
    tf_surname = np.zeros(len(indices))
    tf_given = np.zeros(len(indices))
    if tf is not None:
        tf_surname = tf_adjustments(model, Comparison(levels, sub.surname_code, zeros), tf)
        tf_given = tf_adjustments(model, Comparison(levels, zeros, sub.given_code), tf)
    household = household_adjustments(model, sub, tf, records=records)
    prior = model.prior_weight(records)
    totals = prior + per_field.sum(axis=1) + tf_surname + tf_given + household
    totals[excluded(levels)] = EXCLUDED_WEIGHT
    probabilities = probability(totals)
    names = [(*FIELDS[f.name], "missing") for f in model.fields]
    tf_column = {FIELD_NAMES.index("surname"): tf_surname, FIELD_NAMES.index("given_names"): tf_given}
    out = []
    for k in range(len(indices)):
        lines = []
        for j, f in enumerate(model.fields):
            adjust = float(tf_column[j][k]) if j in tf_column else 0.0
            lines.append(
                FieldExplanation(
                    field=f.name,
                    level=names[j][int(levels[k, j])],
                    weight=float(per_field[k, j]) + adjust,
                    term_frequency_adjustment=adjust,
                )
            )
        if household[k]:
            lines.append(FieldExplanation("household", "surname_and_address", float(household[k])))
        out.append(PairExplanation(prior, tuple(lines), float(totals[k]), float(probabilities[k])))
    return out


def explain(
    model: LinkageModel, comparison: Comparison, index: int, tf: TermFrequencies | None, *, records: int
) -> PairExplanation:
    """The explanation of pair ``index`` of ``comparison``: prior, each field's level and weight (term
    frequency included), the household correction when it applies; the weights sum to the match weight."""
    return explain_many(model, comparison, np.array([index], dtype=np.int64), tf, records=records)[0]


def _canonical(columns: PersonColumns) -> PersonColumns:
    ids = columns.record_id
    if len(ids) > RECORDS_MAX:
        raise ValueError(f"Höchstens {RECORDS_MAX} Datensätze je Lauf, erhalten: {len(ids)}.")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicate = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise ValueError(
            f"record_id {duplicate!r} kommt mehrfach vor; jede Zeile braucht eine eigene Kennung."
        )
    return columns.reordered(sorted(range(len(ids)), key=ids.__getitem__))


def link_table(
    table: PersonTable,
    *,
    model: LinkageModel | None = None,
    thresholds: Thresholds | None = None,
    seed: int = 1969,
    version: str = "",
    trained_at: str = "",
    block_size_max: int = BLOCK_SIZE_MAX,
) -> LinkageRun:
    """Block, compare, estimate (when no model is given), score and cluster an already built table."""
    from kofo.debtors.linkage.default_model import DEFAULT_MODEL

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    left, right, blocking = candidate_pairs(table, block_size_max=block_size_max)
    lap("blocking")
    comparison = compare(table, left, right)
    lap("comparison")
    if model is None:
        if len(table) >= ESTIMATION_RECORDS_MIN:
            model = estimate_model(
                table,
                comparison,
                version=version or f"estimated-{len(table)}",
                seed=seed,
                thresholds=thresholds or DEFAULT_THRESHOLDS,
                trained_at=trained_at,
                source="estimated from the linked records",
            )
        else:
            model = DEFAULT_MODEL
    if thresholds is not None:
        model = model.with_thresholds(thresholds)
    lap("estimation")
    tf = TermFrequencies.of_table(table)
    n = len(table)
    weights = match_weights(model, comparison, tf, records=n)
    lap("scoring")

    def score(a: IntArray, b: IntArray) -> FloatArray:
        return match_weights(model, compare(table, a, b), tf, records=n)

    clustering = cluster_pairs(len(table), left, right, weights, model.thresholds, score)
    lap("clustering")
    return LinkageRun(table, left, right, comparison, weights, clustering, model, tf, blocking, timings)


def link_persons(
    records: Sequence[PersonRecord],
    *,
    model: LinkageModel | None = None,
    thresholds: Thresholds | None = None,
    seed: int = 1969,
    version: str = "",
    trained_at: str = "",
    review_pairs_max: int = 100_000,
) -> LinkageResult:
    """Cluster person records into debtors.

    Without ``model``, m/u/λ are estimated from the records themselves (from
    :data:`ESTIMATION_RECORDS_MIN` records on; fewer use the default model). ``thresholds`` overrides the
    model's. Raises :class:`ValueError` on duplicate record ids or more than :data:`RECORDS_MAX` records.
    """
    return link_columns(
        PersonColumns.of_records(records),
        model=model,
        thresholds=thresholds,
        seed=seed,
        version=version,
        trained_at=trained_at,
        review_pairs_max=review_pairs_max,
    )


def link_columns(
    columns: PersonColumns,
    *,
    model: LinkageModel | None = None,
    thresholds: Thresholds | None = None,
    seed: int = 1969,
    version: str = "",
    trained_at: str = "",
    review_pairs_max: int = 100_000,
) -> LinkageResult:
    """:func:`link_persons` for records given as columns (the CSV path: no object per record)."""
    started = time.perf_counter()
    table = table_from_columns(_canonical(columns))
    normalised = round(time.perf_counter() - started, 3)
    run = link_table(
        table, model=model, thresholds=thresholds, seed=seed, version=version, trained_at=trained_at
    )
    run.timings = {"normalisation": normalised, **run.timings}
    started = time.perf_counter()
    result = _result(run, review_pairs_max)
    run.timings["result"] = round(time.perf_counter() - started, 3)
    return result


def _result(run: LinkageRun, review_pairs_max: int) -> LinkageResult:
    table, model = run.table, run.model
    n = len(table)
    labels = run.clustering.labels
    ids = table.record_ids  # sorted: position order is record_id order, so the min position is the min id
    link = run.weights >= model.thresholds.link
    same = labels[run.left] == labels[run.right]
    used = np.flatnonzero(link & same)
    best = np.full(n, -np.inf)
    np.maximum.at(best, run.left[used], run.weights[used])
    np.maximum.at(best, run.right[used], run.weights[used])
    scores = np.round(probability(best), 6).tolist()
    alone = (best == -np.inf).tolist()
    assignments = [
        Assignment(record_id, ids[label], None if lonely else score)
        for record_id, label, lonely, score in zip(ids, labels.tolist(), alone, scores, strict=True)
    ]
    between = np.flatnonzero((run.weights >= model.thresholds.review) & ~link & ~same)
    refused = run.clustering.refused_links
    refused = refused[labels[run.left[refused]] != labels[run.right[refused]]]
    review_idx = np.concatenate([refused, between])
    reasons = ["refused_by_guard"] * len(refused) + ["between_thresholds"] * len(between)
    order = np.argsort(-run.weights[review_idx], kind="stable")[:review_pairs_max]
    chosen = review_idx[order]
    explanations = explain_many(model, run.comparison, chosen, run.tf, records=n)
    review = [
        ReviewPair(
            ids[int(run.left[e])],
            ids[int(run.right[e])],
            float(run.weights[e]),
            float(probability(run.weights[e])),
            reasons[k],
            explanation,
        )
        for k, e, explanation in zip(order.tolist(), chosen.tolist(), explanations, strict=True)
    ]
    stats = LinkageStats(
        records=n,
        clusters=len(np.unique(labels)),
        candidate_pairs=len(run.left),
        linked_pairs=int(link.sum()),
        review_pairs=len(review_idx),  # all of them; ``review_pairs`` holds the strongest ones
        refused_links=len(refused),
        inconsistent_components=run.clustering.inconsistent_components,
        blocking=run.blocking,
    )
    return LinkageResult(assignments, review, model, stats, run)
