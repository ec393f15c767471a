"""From scored pairs to clusters (one cluster = one debtor), with a guard against chaining.

Linking every pair above the threshold and taking connected components has a known failure: *chaining*.
A links to B (same person, new address), B links to C (same address, similar name) — and A, B, C become
one debtor although A and C are plainly different people (say, mother and daughter). Garnishing the wrong
person is the worst error the office can make, so:

1. Pairs at or above ``thresholds.link`` are linked; connected components are the first clusters.
2. **Consistency check.** In every component of three or more records, *every* pair is scored (pairs
   that blocking did not produce are compared now). A component with no pair below ``thresholds.veto``
   stands.
3. **Re-linking by evidence** otherwise: starting from single records, the two linked groups whose pairs
   between them (each clipped to ±``JOIN_WEIGHT_CLIP`` bits) sum to the most evidence are joined, as long
   as that sum is positive or no pair between them is below the veto. One garbled record of a debtor with
   many records does not split the debtor; a record that fits two persons (no birth date, common name)
   joins the one with more evidence; a chain through one similar record is cut. The links that were refused are
   returned, so they go to review instead of disappearing.

Components larger than :data:`CLUSTER_SIZE_MAX` are never accepted whole; they are re-linked strongest
link first, with that size as a cap (no person has that many records in one run, a chain through a common
name does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kofo.debtors.linkage.model import FloatArray, Thresholds
from kofo.debtors.linkage.records import IntArray

#: Largest cluster accepted without highest-weight re-linking; also the cap on a re-linked cluster.
CLUSTER_SIZE_MAX = 40

ScorePairs = Callable[[IntArray, IntArray], FloatArray]


def connected_components(n: int, left: IntArray, right: IntArray) -> IntArray:
    """Label of each of ``n`` nodes: the smallest node index in its component (vectorised union-find)."""
    labels = np.arange(n, dtype=np.int64)
    if len(left) == 0:
        return labels
    a, b = left.astype(np.int64), right.astype(np.int64)
    while True:
        la, lb = labels[a], labels[b]
        differ = la != lb
        if not differ.any():
            return labels
        lo = np.minimum(la[differ], lb[differ])
        hi = np.maximum(la[differ], lb[differ])
        np.minimum.at(labels, hi, lo)
        while True:  # pointer jumping: every node points at its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        a, b = a[differ], b[differ]


@dataclass
class Clustering:
    """Final cluster label per record (smallest record position in it), and what the guard did."""

    labels: IntArray
    refused_links: IntArray  # indices into the scored pairs: links the guard did not follow
    inconsistent_components: int
    extra_pairs_scored: int


def _internal_pairs(labels: IntArray, members_of: list[IntArray]) -> tuple[IntArray, IntArray, IntArray]:
    """All pairs inside each component of ``members_of`` (grouped by size for vectorisation)."""
    lefts: list[IntArray] = []
    rights: list[IntArray] = []
    comps: list[IntArray] = []
    by_size: dict[int, list[IntArray]] = {}
    for members in members_of:
        by_size.setdefault(len(members), []).append(members)
    for size, groups in by_size.items():
        matrix = np.stack(groups)
        i, j = np.triu_indices(size, 1)
        lefts.append(matrix[:, i].ravel())
        rights.append(matrix[:, j].ravel())
        comps.append(np.repeat(labels[matrix[:, 0]], len(i)))
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(lefts), np.concatenate(rights), np.concatenate(comps)


#: Cross-pair weights are clipped to ± this many bits when two groups are weighed against each other, so
#: one contradiction (an excluded pair weighs −64) counts as much as one strong link, not more.
JOIN_WEIGHT_CLIP = 16.0


def _may_join(ga: list[int], gb: list[int], weight_of: Callable[[int, int], float], veto: float) -> bool:
    """Two groups may become one when there is no contradiction between them, or when the evidence of all
    pairs between them (each clipped to ±``JOIN_WEIGHT_CLIP``) still speaks for one person: a debtor with
    five records, one of them garbled, stays one debtor; a chain through one similar record does not."""
    weights = [weight_of(x, y) for x in ga for y in gb]
    if min(weights) >= veto:
        return True
    return sum(min(max(w, -JOIN_WEIGHT_CLIP), JOIN_WEIGHT_CLIP) for w in weights) > 0


def _greedy(
    members: IntArray,
    edges: list[tuple[float, int, int, int]],
    weight_of: Callable[[int, int], float],
    veto: float,
    size_max: int,
) -> tuple[dict[int, int], list[int]]:
    """Highest-weight linking inside one component: returns root per member and the refused edges."""
    root = {int(m): int(m) for m in members}
    groups = {int(m): [int(m)] for m in members}
    refused: list[int] = []
    for _, a, b, edge in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = root[a], root[b]
        if ra == rb:
            continue
        ga, gb = groups[ra], groups[rb]
        if len(ga) + len(gb) > size_max or not _may_join(ga, gb, weight_of, veto):
            refused.append(edge)
            continue
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        groups[keep].extend(groups.pop(drop))
        for x in groups[keep]:
            root[x] = keep
    return root, refused


def _agglomerate(
    members: IntArray,
    edges: list[tuple[float, int, int, int]],
    weight_of: Callable[[int, int], float],
    veto: float,
    size_max: int,
) -> tuple[dict[int, int], list[int]]:
    """Re-link one inconsistent component by evidence: start from single records, and repeatedly join the
    two linked groups whose pairs between them (each clipped to ±``JOIN_WEIGHT_CLIP``) sum to the most
    evidence, while that sum is positive or no pair between them is below the veto.

    A record that fits two persons (no birth date, common name) goes to the one with more evidence, not
    to whichever link happened to be strongest; a record that contradicts both stays alone.
    Returns root (smallest member) per member, and the link edges that end up between groups.
    """
    nodes = [int(m) for m in members]
    k = len(nodes)
    position = {m: i for i, m in enumerate(nodes)}
    weight = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            weight[i, j] = weight[j, i] = weight_of(nodes[i], nodes[j])
    clipped = np.clip(weight, -JOIN_WEIGHT_CLIP, JOIN_WEIGHT_CLIP)
    vetoed = (weight < veto).astype(np.float64)
    linked = np.zeros((k, k))
    for _, a, b, _ in edges:
        linked[position[a], position[b]] = linked[position[b], position[a]] = 1.0
    membership = np.eye(k)  # node × group
    while membership.shape[1] > 1:
        evidence = membership.T @ clipped @ membership
        contradictions = membership.T @ vetoed @ membership
        links = membership.T @ linked @ membership
        sizes = membership.sum(axis=0)
        allowed = (
            (links > 0)
            & ((evidence > 0) | (contradictions == 0))
            & (sizes[:, None] + sizes[None, :] <= size_max)
        )
        allowed = np.triu(allowed, 1)
        if not allowed.any():
            break
        scores = np.where(allowed, evidence, -np.inf)
        x, y = np.unravel_index(int(np.argmax(scores)), scores.shape)  # first maximum: deterministic
        membership[:, x] += membership[:, y]
        membership = np.delete(membership, y, axis=1)
    group = membership.argmax(axis=1)
    root_of_group = {g: min(nodes[i] for i in range(k) if group[i] == g) for g in set(group.tolist())}
    root = {nodes[i]: root_of_group[int(group[i])] for i in range(k)}
    refused = [edge for _, a, b, edge in edges if root[a] != root[b]]
    return root, refused


def cluster_pairs(
    n: int,
    left: IntArray,
    right: IntArray,
    weights: FloatArray,
    thresholds: Thresholds,
    score_pairs: ScorePairs,
    *,
    size_max: int = CLUSTER_SIZE_MAX,
) -> Clustering:
    """Cluster ``n`` records from scored pairs (``left < right``, sorted by ``left * n + right``)."""
    link = np.flatnonzero(weights >= thresholds.link)
    labels = connected_components(n, left[link], right[link])
    sizes = np.bincount(labels, minlength=n)
    if not (sizes >= 3).any():
        return Clustering(labels, np.empty(0, dtype=np.int64), 0, 0)

    in_big = np.flatnonzero(sizes[labels] >= 3)
    order = in_big[np.argsort(labels[in_big], kind="stable")]
    sorted_labels = labels[order]
    bounds = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    ends = np.r_[bounds[1:], len(order)]
    members_of: dict[int, IntArray] = {
        int(sorted_labels[s]): order[s:e] for s, e in zip(bounds.tolist(), ends.tolist(), strict=True)
    }

    checkable = [m for c, m in members_of.items() if sizes[c] <= size_max]
    pl, pr, pc = _internal_pairs(labels, checkable)
    codes = left.astype(np.int64) * n + right
    want = np.minimum(pl, pr) * n + np.maximum(pl, pr)
    pos = np.searchsorted(codes, want)
    pos_clipped = np.minimum(pos, max(len(codes) - 1, 0))
    known = (pos < len(codes)) & (codes[pos_clipped] == want) if len(codes) else np.zeros(len(want), bool)
    internal_w = np.empty(len(want), dtype=np.float64)
    internal_w[known] = weights[pos_clipped[known]]
    unknown = ~known
    extra = int(unknown.sum())
    if extra:
        internal_w[unknown] = score_pairs(np.minimum(pl, pr)[unknown], np.maximum(pl, pr)[unknown])
    vetoed_comps = set(np.unique(pc[internal_w < thresholds.veto]).tolist())
    vetoed_comps |= {c for c in members_of if sizes[c] > size_max}
    if not vetoed_comps:
        return Clustering(labels, np.empty(0, dtype=np.int64), 0, extra)

    pair_weight: dict[int, float] = dict(zip(want.tolist(), internal_w.tolist(), strict=True))
    link_comp = labels[left[link]]
    refused_all: list[int] = []
    new_labels = labels.copy()
    for comp in sorted(vetoed_comps):
        members = members_of[comp]
        sel = link[link_comp == comp]
        edges = [(float(weights[e]), int(left[e]), int(right[e]), int(e)) for e in sel.tolist()]

        def weight_of(x: int, y: int, comp_size: int = len(members)) -> float:
            key = min(x, y) * n + max(x, y)
            w = pair_weight.get(key)
            if w is None:
                if comp_size <= size_max:
                    return float("inf")  # cannot happen: every internal pair was scored
                w = float(score_pairs(np.array([min(x, y)]), np.array([max(x, y)]))[0])
                pair_weight[key] = w
            return w

        if len(members) <= size_max:
            root, refused = _agglomerate(members, edges, weight_of, thresholds.veto, size_max)
        else:
            root, refused = _greedy(members, edges, weight_of, thresholds.veto, size_max)
        refused_all.extend(refused)
        for member, r in root.items():
            new_labels[member] = r
    return Clustering(new_labels, np.array(sorted(refused_all), dtype=np.int64), len(vetoed_comps), extra)
