"""Clustering: connected components, the consistency check and highest-weight linking against chaining."""

from __future__ import annotations

import numpy as np
import pytest

from kofo.debtors.linkage.cluster import cluster_pairs, connected_components
from kofo.debtors.linkage.model import Thresholds

THRESHOLDS = Thresholds(link=4.0, review=-4.0, veto=-8.0)


@pytest.mark.parametrize(
    ("n", "edges", "labels", "reason"),
    [
        (3, [], [0, 1, 2], "no edges: every node alone"),
        (4, [(0, 1), (2, 3)], [0, 0, 2, 2], "two pairs"),
        (5, [(3, 4), (1, 2), (2, 3)], [0, 1, 1, 1, 1], "a chain ends at its smallest node"),
        (6, [(4, 5), (0, 5), (1, 2)], [0, 1, 1, 3, 0, 0], "label = smallest index in the component"),
    ],
)
def test_connected_components(n: int, edges: list[tuple[int, int]], labels: list[int], reason: str) -> None:
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    assert connected_components(n, left, right).tolist() == labels, reason


def _cluster(n: int, scored: dict[tuple[int, int], float]) -> list[int]:
    pairs = sorted(scored)
    left = np.array([a for a, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b in pairs], dtype=np.int64)
    weights = np.array([scored[p] for p in pairs])

    def score(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.array([scored.get((int(x), int(y)), 0.0) for x, y in zip(a, b, strict=True)])

    return cluster_pairs(n, left, right, weights, THRESHOLDS, score).labels.tolist()


@pytest.mark.parametrize(
    ("n", "scored", "labels", "reason"),
    [
        (2, {(0, 1): 10.0}, [0, 0], "one strong link"),
        (2, {(0, 1): 3.9}, [0, 1], "below the link threshold: two debtors"),
        (3, {(0, 1): 10.0, (1, 2): 10.0, (0, 2): 2.0}, [0, 0, 0], "weak but not contradictory third pair"),
        (
            3,
            {(0, 1): 10.0, (1, 2): 6.0, (0, 2): -20.0},
            [0, 0, 2],
            "chain through 1: 0 and 2 contradict each other, the weaker link is refused",
        ),
        (
            3,
            {(0, 1): 6.0, (1, 2): 10.0, (0, 2): -20.0},
            [0, 1, 1],
            "the stronger link wins, whichever side it is on",
        ),
        (
            4,
            {(0, 1): 12.0, (2, 3): 12.0, (1, 2): 5.0},
            [0, 0, 0, 0],
            "pairs not produced by blocking are scored (0.0 here): no contradiction, one cluster",
        ),
        (
            5,
            {
                (0, 1): 20.0,
                (0, 2): 20.0,
                (1, 2): 20.0,
                (2, 3): 6.0,
                (0, 3): 3.0,
                (1, 3): 3.0,
                (3, 4): 8.0,
                (0, 4): -30.0,
                (1, 4): -30.0,
                (2, 4): -30.0,
            },
            [0, 0, 0, 0, 4],
            "record 3 fits both: it joins the three records with more evidence (12 bits) than record 4 (8)",
        ),
        (
            4,
            {(0, 1): 20.0, (1, 2): 3.0, (0, 2): -30.0, (2, 3): 20.0, (0, 3): -30.0, (1, 3): -30.0},
            [0, 0, 2, 2],
            "two persons bridged by one weak link stay two",
        ),
    ],
)
def test_chaining_guard(n: int, scored: dict[tuple[int, int], float], labels: list[int], reason: str) -> None:
    assert _cluster(n, scored) == labels, reason


def test_refused_links_are_reported() -> None:
    left = np.array([0, 0, 1])
    right = np.array([1, 2, 2])
    weights = np.array([10.0, -20.0, 6.0])
    result = cluster_pairs(3, left, right, weights, THRESHOLDS, lambda a, b: np.zeros(len(a)))
    assert result.refused_links.tolist() == [2]
    assert result.inconsistent_components == 1


def test_oversized_components_are_relinked_with_a_cap() -> None:
    n = 10
    left = np.arange(n - 1)
    right = np.arange(1, n)
    weights = np.full(n - 1, 10.0)
    result = cluster_pairs(n, left, right, weights, THRESHOLDS, lambda a, b: np.zeros(len(a)), size_max=4)
    sizes = np.bincount(result.labels)
    assert sizes.max() <= 4
