"""Fellegi–Sunter model: serialisation, estimation from data, term frequencies, the household rule."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from kofo.debtors.linkage.compare import FIELD_NAMES, FIELDS, Comparison, compare
from kofo.debtors.linkage.default_model import DEFAULT_MODEL
from kofo.debtors.linkage.model import (
    EXCLUDED_WEIGHT,
    MODEL_FORMAT,
    LevelParameters,
    LinkageModel,
    TermFrequencies,
    Thresholds,
    estimate_model,
    excluded,
    match_weights,
    probability,
    run_em,
)
from kofo.debtors.linkage.records import table_from_records
from kofo.debtors.linkage.synthetic import generate


def test_json_round_trip_keeps_everything() -> None:
    text = DEFAULT_MODEL.to_json()
    assert json.loads(text)["format"] == MODEL_FORMAT
    assert LinkageModel.from_json(text) == DEFAULT_MODEL


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(format="kofo-linkage-model/0"), "another format version is refused"),
        (lambda d: d["fields"].pop(), "a missing field is refused"),
        (lambda d: d["fields"][0]["levels"][0].update(name="gleich"), "renamed levels are refused"),
    ],
)
def test_incompatible_models_are_refused(change: object, reason: str) -> None:
    data = json.loads(DEFAULT_MODEL.to_json())
    assert callable(change)
    change(data)
    with pytest.raises(ValueError):
        LinkageModel.from_json(json.dumps(data))


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        Thresholds(link=0.0, review=1.0, veto=-5.0)


@pytest.mark.parametrize(
    ("m", "u", "weight", "reason"),
    [
        (0.9, 0.0009, math.log2(1000), "m/u = 1000 → about 10 bits"),
        (0.5, 0.5, 0.0, "equal probabilities carry no evidence"),
        (0.01, 0.99, math.log2(0.01 / 0.99), "a disagreement is evidence against"),
    ],
)
def test_level_weight_is_log2_m_over_u(m: float, u: float, weight: float, reason: str) -> None:
    assert LevelParameters("x", m, u).weight == pytest.approx(weight), reason


@pytest.mark.parametrize(
    ("records", "expected", "reason"),
    [
        (2, 0.5, "capped at even odds"),
        (1_001, 2.0 / 1_000, "μ = 2 other records per record among 1,001: λ = 2/1000"),
        (1_000_001, 2.0 / 1_000_000, "the prior shrinks with the data: more chances of a coincidence"),
    ],
)
def test_prior_scales_with_the_number_of_records(records: int, expected: float, reason: str) -> None:
    model = dataclasses.replace(DEFAULT_MODEL, duplicates_per_record=2.0)
    assert model.prior(records) == pytest.approx(expected), reason


def test_probability_of_weight() -> None:
    assert probability(0.0) == pytest.approx(0.5)
    assert probability(10.0) == pytest.approx(1024 / 1025)


def _one(levels: list[int], surname_code: int = 0, given_code: int = 0) -> Comparison:
    return Comparison(
        np.array([levels], dtype=np.int8),
        np.array([surname_code], dtype=np.int32),
        np.array([given_code], dtype=np.int32),
    )


def test_term_frequency_makes_common_surnames_weaker() -> None:
    """An exact agreement on „Müller“ (1 % of records) is weaker than on a name 1 in 100,000 have."""
    tf = TermFrequencies(surname=np.array([0.0, 0.01, 0.00001]), given=np.array([0.0]))
    common = match_weights(DEFAULT_MODEL, _one([0, -1, -1, -1, -1], surname_code=1), tf, records=10_000)
    rare = match_weights(DEFAULT_MODEL, _one([0, -1, -1, -1, -1], surname_code=2), tf, records=10_000)
    assert common[0] < rare[0]
    assert rare[0] - common[0] == pytest.approx(math.log2(0.01 / 0.00001))


def test_given_names_that_differ_exclude_the_pair() -> None:
    """Spouses and twins agree on surname, address and even birth date; different given names rule it out."""
    different = FIELDS["given_names"].index("different")
    levels = [0, different, 0, 0, -1]
    assert excluded(np.array([levels], dtype=np.int8))[0]
    assert match_weights(DEFAULT_MODEL, _one(levels), None, records=10_000)[0] == EXCLUDED_WEIGHT


def test_household_agreement_counts_less_than_its_parts() -> None:
    """Surname and address agreeing together is what households share: the joint weight is smaller."""
    without = dataclasses.replace(DEFAULT_MODEL, household_per_record=0.0)
    levels = _one([0, 0, -1, 0, -1])
    assert (
        match_weights(DEFAULT_MODEL, levels, None, records=10_000)[0]
        < match_weights(without, levels, None, records=10_000)[0]
    )


def test_em_recovers_a_known_mixture() -> None:
    """Two fields, 30 % matches with m = (0.9 exact), u = (0.1 exact): EM finds m and λ again."""
    rng = np.random.default_rng(1)
    n = 20_000
    match = rng.random(n) < 0.3

    def draw(p_exact: np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < p_exact, 0, 1).astype(np.int8)

    levels = np.stack([draw(np.where(match, 0.9, 0.1)), draw(np.where(match, 0.8, 0.05))], axis=1)
    u = [np.array([0.1, 0.9]), np.array([0.05, 0.95])]
    m0 = [np.array([0.6, 0.4]), np.array([0.6, 0.4])]
    m, _, prior, _, converged = run_em(levels, m0, u, 0.5, fields=(0, 1), estimate_m=(0, 1))
    assert converged
    assert prior == pytest.approx(0.3, abs=0.02)
    assert m[0][0] == pytest.approx(0.9, abs=0.03)
    assert m[1][0] == pytest.approx(0.8, abs=0.03)


def test_estimation_from_synthetic_data() -> None:
    """Estimated from 3,000 records: exact levels carry positive, 'different' levels negative evidence,
    μ is near the generator's truth (about 2 other records per record), and metadata are recorded."""
    data = generate(3_000, seed=5)
    table = table_from_records([d.record for d in data])
    from kofo.debtors.linkage.blocking import candidate_pairs

    left, right, _ = candidate_pairs(table)
    model = estimate_model(table, compare(table, left, right), version="test-1", trained_at="2026-01-01")
    for name in ("surname", "given_names", "birth_date", "address"):
        f = model.field(name)
        assert f.levels[0].weight > 3, name
        assert f.levels[-1].weight < 0, name
    entity = np.array([d.entity_id for d in data])
    _, counts = np.unique(entity, return_counts=True)
    true_mu = float((counts * (counts - 1)).sum() / len(entity))
    assert model.duplicates_per_record == pytest.approx(true_mu, rel=0.25)
    assert model.training.records == 3_000
    assert model.training.trained_at == "2026-01-01"
    assert [s.conditioned_on for s in model.training.sessions] == [
        ("birth_date",),
        ("surname", "given_names"),
        (),
    ]
    assert tuple(f.name for f in model.fields) == FIELD_NAMES
