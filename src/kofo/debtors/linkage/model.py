"""Fellegi–Sunter match weights, estimated from the data, stored as a versioned model.

The model (Fellegi & Sunter, "A Theory for Record Linkage", JASA 64 (1969), 1183–1210): for each
field level *l*, ``m = P(level l | same person)`` and ``u = P(level l | different persons)``; a pair's
match weight is ``log2(λ / (1 − λ)) + Σ log2(m / u)`` over its fields, where λ is the share of true
matches among the candidate pairs. A missing value contributes 0 (neutral).

Estimation, with no labelled data:

* **u** from random pairs (almost all of them are different persons), drawn with a fixed seed; for the
  ``exact`` level of surname, given names and birth date ``u = Σ p(v)²`` over the value frequencies,
  which is what random sampling estimates, without its noise.
* **m** by expectation maximisation (Dempster, Laird & Rubin 1977) with u fixed, in two sessions as
  Splink does, so that a session never estimates the field it is conditioned on: pairs with equal
  birth dates estimate the name and address fields; pairs with equal surname and given names estimate
  the birth date and address. Conditioning keeps households (same surname and address, different
  persons) out of the match class, which plain EM over all candidates would absorb.
* **λ** by EM over all candidate pairs with m and u fixed.
* **Term frequencies**: an exact surname or given-name agreement on a common value („Müller“) is weaker
  evidence than on a rare one; the exact level's u is replaced by the value's frequency (floored at
  ``tf_minimum``): ``+ log2(u_exact / max(tf(v), tf_minimum))``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from kofo.debtors.linkage.compare import FIELD_NAMES, FIELDS, MISSING, Comparison, FloatArray, compare
from kofo.debtors.linkage.records import IntArray, PersonTable

MODEL_FORMAT = "kofo-linkage-model/1"
#: Random pairs drawn for u (fewer when the data has fewer pairs).
U_SAMPLE_PAIRS = 400_000
EM_ITERATIONS_MAX = 100
EM_TOLERANCE = 1e-6
PROBABILITY_FLOOR = 1e-7
TF_MINIMUM = 1e-5


@dataclass(frozen=True)
class LevelParameters:
    name: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        """log2(m/u): the evidence this level gives, in bits."""
        return math.log2(max(self.m, PROBABILITY_FLOOR) / max(self.u, PROBABILITY_FLOOR))


@dataclass(frozen=True)
class FieldParameters:
    name: str
    levels: tuple[LevelParameters, ...]
    term_frequency: bool = False
    #: Chance that two random records agree exactly (Σ p(v)²): the average a value's frequency is
    #: compared with in the term-frequency adjustment (0 = no adjustment).
    tf_reference: float = 0.0

    def weights(self) -> FloatArray:
        """Weights by level index, with one extra last entry 0.0 for ``MISSING`` (index -1)."""
        return np.array([lv.weight for lv in self.levels] + [0.0])


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds on the match weight (log2 odds, prior included).

    ``link``: at or above, the pair is linked automatically. ``review``: at or above (and below ``link``),
    a person decides. ``veto``: a pair this far below is a contradiction; two groups of records that
    contain such a pair are never joined into one cluster, whatever links lead there (no chaining).
    """

    link: float
    review: float
    veto: float

    def __post_init__(self) -> None:
        if not (self.review <= self.link and self.veto <= self.link):
            raise ValueError("Schwellen: review und veto dürfen nicht über link liegen.")


@dataclass(frozen=True)
class EmSession:
    conditioned_on: tuple[str, ...]
    pairs: int
    iterations: int
    converged: bool
    match_share: float


@dataclass(frozen=True)
class TrainingInfo:
    records: int
    candidate_pairs: int
    u_sample_pairs: int
    seed: int
    sessions: tuple[EmSession, ...] = ()
    trained_at: str = ""  # set by the caller (the engine has no clock); ISO 8601
    source: str = ""


#: Thresholds chosen on the synthetic benchmark (docs/linkage.md): automatic links reach a pairwise
#: precision of at least 0.995 at 10k and 100k records.
DEFAULT_THRESHOLDS = Thresholds(link=2.0, review=-4.0, veto=-2.0)


@dataclass(frozen=True)
class LinkageModel:
    """A versioned, JSON-serialisable Fellegi–Sunter model."""

    version: str
    #: μ: how many other records of the same person a record has, on average. The prior of a pair among
    #: n records is λ = μ / (n − 1): the chance that two records drawn at random are one person.
    duplicates_per_record: float
    fields: tuple[FieldParameters, ...]
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    tf_minimum: float = TF_MINIMUM
    #: How many records of *other* persons in the same household (same surname and address) a record has,
    #: on average; the household agreement's u among n records is this / (n − 1). 0 = no household
    #: correction. See :func:`household_adjustments`.
    household_per_record: float = 0.0
    training: TrainingInfo = field(default_factory=lambda: TrainingInfo(0, 0, 0, 0))
    format: str = MODEL_FORMAT

    def prior(self, records: int) -> float:
        """λ: the chance that two random records among ``records`` are the same person."""
        return min(self.duplicates_per_record / max(records - 1, 1), 0.5)

    def prior_weight(self, records: int) -> float:
        """log2(λ / (1 − λ)): where every pair starts before its fields are looked at."""
        lam = self.prior(records)
        return math.log2(lam / (1.0 - lam))

    def field(self, name: str) -> FieldParameters:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def with_thresholds(self, thresholds: Thresholds) -> LinkageModel:
        return replace(self, thresholds=thresholds)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LinkageModel:
        """Parse and check a model: format, fields and level names must be the engine's."""
        data = json.loads(text)
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"Unbekanntes Modellformat {data.get('format')!r}, erwartet {MODEL_FORMAT!r}.")
        fields = tuple(
            FieldParameters(
                name=f["name"],
                levels=tuple(LevelParameters(**lv) for lv in f["levels"]),
                term_frequency=bool(f.get("term_frequency", False)),
                tf_reference=float(f.get("tf_reference", 0.0)),
            )
            for f in data["fields"]
        )
        names = tuple(f.name for f in fields)
        if names != FIELD_NAMES:
            raise ValueError(f"Modellfelder {names} passen nicht zur Engine {FIELD_NAMES}.")
        for f in fields:
            if tuple(lv.name for lv in f.levels) != FIELDS[f.name]:
                raise ValueError(f"Stufen des Felds {f.name!r} passen nicht zur Engine.")
        training = data.get("training") or {}
        sessions = tuple(
            EmSession(
                conditioned_on=tuple(s["conditioned_on"]),
                pairs=s["pairs"],
                iterations=s["iterations"],
                converged=s["converged"],
                match_share=s["match_share"],
            )
            for s in training.get("sessions", ())
        )
        return cls(
            version=data["version"],
            duplicates_per_record=float(data["duplicates_per_record"]),
            fields=fields,
            thresholds=Thresholds(**data["thresholds"]),
            tf_minimum=float(data.get("tf_minimum", TF_MINIMUM)),
            household_per_record=float(data.get("household_per_record", 0.0)),
            training=TrainingInfo(**{**training, "sessions": sessions}),
            format=data["format"],
        )


# --- scoring -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermFrequencies:
    """Relative frequency of each surname and given-names code (index = code)."""

    surname: FloatArray
    given: FloatArray

    @classmethod
    def of_table(cls, table: PersonTable) -> TermFrequencies:
        return cls(
            _frequencies(table.surname, len(table.names)), _frequencies(table.given, len(table.givens))
        )


def _frequencies(codes: npt.NDArray[np.int32], size: int) -> FloatArray:
    """Share of all records (missing values included in the count, as the index counts them)."""
    counts = np.bincount(codes, minlength=size).astype(np.float64)
    counts[0] = 0.0
    return counts / max(len(codes), 1)


def field_weights(model: LinkageModel, comparison: Comparison) -> FloatArray:
    """Per pair and field: the weight of its level (0 for missing), before term-frequency adjustment."""
    out = np.empty(comparison.levels.shape, dtype=np.float64)
    for j, f in enumerate(model.fields):
        out[:, j] = f.weights()[comparison.levels[:, j]]
    return out


def tf_adjustments(model: LinkageModel, comparison: Comparison, tf: TermFrequencies) -> FloatArray:
    """Per pair: term-frequency adjustment of the surname and the given-names exact level, in bits."""
    adjust = np.zeros(len(comparison), dtype=np.float64)
    for name, codes, freq in (
        ("surname", comparison.surname_code, tf.surname),
        ("given_names", comparison.given_code, tf.given),
    ):
        f = model.field(name)
        if not f.term_frequency:
            continue
        if f.tf_reference <= 0:
            continue
        hit = codes > 0
        value_freq = np.maximum(freq[codes[hit]], model.tf_minimum)
        adjust[hit] += np.log2(f.tf_reference / value_freq)
    return adjust


_GIVEN_DIFFERENT = FIELDS["given_names"].index("different")
#: The weight an excluded pair gets: far below any veto threshold.
EXCLUDED_WEIGHT = -64.0


def excluded(levels: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    """Pairs that are different persons by rule: both records have given names, and they disagree.

    The Fellegi–Sunter model assumes fields independent given the match status. Households break that
    assumption: spouses, siblings, parents and twins share surname and address (twins even the birth
    date) far more often than random pairs do, so those agreements would outweigh the one field that
    tells them apart. A person keeps their given names for life; where they clearly differ (not a typo,
    not one set inside the other, not swapped with the surname), no other agreement makes the two records
    one debtor -- an error here means garnishing the wrong person.
    """
    return levels[:, FIELD_NAMES.index("given_names")] == _GIVEN_DIFFERENT


_SURNAME = FIELD_NAMES.index("surname")
_ADDRESS = FIELD_NAMES.index("address")
_HOUSEHOLD_SURNAME_LEVELS = tuple(FIELDS["surname"].index(level) for level in ("exact", "variant", "close"))
_ADDRESS_EXACT = FIELDS["address"].index("exact")


def household(levels: npt.NDArray[np.int8]) -> npt.NDArray[np.bool_]:
    """Pairs that agree on surname (exact or variant) and on the full address: what households share."""
    return np.isin(levels[:, _SURNAME], _HOUSEHOLD_SURNAME_LEVELS) & (levels[:, _ADDRESS] == _ADDRESS_EXACT)


def household_adjustments(
    model: LinkageModel, comparison: Comparison, tf: TermFrequencies | None, *, records: int
) -> FloatArray:
    """Per pair: the correction that replaces surname + address weights by their *joint* weight.

    Spouses, children and parents share surname and address: among different persons, agreeing on both is
    far likelier than the product of the two u values says. For such pairs the two weights (and the
    surname's term-frequency adjustment: a household shares a rare name as surely as a common one) are
    replaced by ``log2(m_surname · m_address / u_household)``, with ``u_household`` estimated from the data
    (:func:`estimate_household_u`).
    """
    adjust = np.zeros(len(comparison), dtype=np.float64)
    if model.household_per_record <= 0:
        return adjust
    household_u = min(model.household_per_record / max(records - 1, 1), 0.5)
    rows = household(comparison.levels)
    if not rows.any():
        return adjust
    surname, address = model.fields[_SURNAME], model.fields[_ADDRESS]
    s_levels = comparison.levels[rows, _SURNAME]
    m_s = np.array([lv.m for lv in surname.levels])[s_levels]
    joint = np.log2(m_s * address.levels[_ADDRESS_EXACT].m / household_u)
    separate = surname.weights()[s_levels] + address.weights()[_ADDRESS_EXACT]
    adjust[rows] = joint - separate
    if tf is not None and surname.term_frequency and surname.tf_reference > 0:
        codes = comparison.surname_code[rows]
        hit = codes > 0
        tf_part = np.zeros(len(codes))
        tf_part[hit] = np.log2(surname.tf_reference / np.maximum(tf.surname[codes[hit]], model.tf_minimum))
        adjust[rows] -= tf_part
    return adjust


def match_weights(
    model: LinkageModel, comparison: Comparison, tf: TermFrequencies | None, *, records: int
) -> FloatArray:
    """The match weight of every pair among ``records`` records: prior + field weights + term frequencies.

    Pairs :func:`excluded` by rule get :data:`EXCLUDED_WEIGHT`.
    """
    total = model.prior_weight(records) + field_weights(model, comparison).sum(axis=1)
    if tf is not None:
        total += tf_adjustments(model, comparison, tf)
    total += household_adjustments(model, comparison, tf, records=records)
    total[excluded(comparison.levels)] = EXCLUDED_WEIGHT
    return total


def probability(weight: FloatArray | float) -> Any:
    """Match probability of a match weight (log2 odds)."""
    return 1.0 / (1.0 + np.exp2(-np.asarray(weight, dtype=np.float64)))


# --- estimation --------------------------------------------------------------------------------------


def _level_counts(levels: npt.NDArray[np.int8], n_levels: int) -> FloatArray:
    present = levels[levels != MISSING]
    return np.bincount(present, minlength=n_levels).astype(np.float64)


def _value_match_probability(codes: npt.NDArray[np.int32]) -> float:
    """Σ p(v)² over the non-missing values: the chance that two random records agree exactly."""
    counts = np.unique(codes[codes > 0], return_counts=True)[1].astype(np.float64)
    total = counts.sum()
    if total < 2:
        return PROBABILITY_FLOOR
    return float(((counts / total) ** 2).sum())


def estimate_u(
    table: PersonTable, *, seed: int, pairs: int = U_SAMPLE_PAIRS
) -> tuple[list[FloatArray], int, dict[str, float]]:
    """u per field level from random record pairs (seeded), exact levels from value frequencies."""
    n = len(table)
    rng = np.random.default_rng(seed)
    size = min(pairs, n * (n - 1) // 2)
    left = rng.integers(0, n, size=size, dtype=np.int64)
    right = rng.integers(0, n, size=size, dtype=np.int64)
    keep = left != right
    comparison = compare(table, left[keep], right[keep])
    exact = {
        "surname": _value_match_probability(table.surname),
        "given_names": _value_match_probability(table.given),
        "birth_date": _value_match_probability(table.birth_date),
    }
    us: list[FloatArray] = []
    for j, name in enumerate(FIELD_NAMES):
        n_levels = len(FIELDS[name])
        counts = _level_counts(comparison.levels[:, j], n_levels) + 0.5  # Laplace: no level is impossible
        u = counts / counts.sum()
        if name in exact:
            rest = u[1:] / u[1:].sum()
            u = np.concatenate([[exact[name]], rest * (1.0 - exact[name])])
        us.append(np.maximum(u, PROBABILITY_FLOOR))
    return us, int(keep.sum()), exact


def _initial_m(n_levels: int) -> FloatArray:
    m = np.array([0.9 * 0.5**i for i in range(n_levels)])
    m[-1] = 0.05
    return m / m.sum()


def _patterns(levels: npt.NDArray[np.int8]) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """Distinct comparison vectors and how often each occurs (EM then runs over patterns, not pairs)."""
    if len(levels) == 0:
        return levels, np.zeros(0)
    # Each level (−1 … 6) fits in 3 bits: one int64 per pair, so np.unique works on a flat array.
    code = np.zeros(len(levels), dtype=np.int64)
    for j in range(levels.shape[1]):
        code = code << 3 | (levels[:, j].astype(np.int64) + 1)
    unique, counts = np.unique(code, return_counts=True)
    rows = np.empty((len(unique), levels.shape[1]), dtype=np.int8)
    for j in range(levels.shape[1] - 1, -1, -1):
        rows[:, j] = (unique & 7) - 1
        unique = unique >> 3
    return rows, counts.astype(np.float64)


def run_em(
    levels: npt.NDArray[np.int8],
    m: list[FloatArray],
    u: list[FloatArray],
    prior: float,
    *,
    fields: tuple[int, ...],
    estimate_m: tuple[int, ...],
    estimate_u: tuple[int, ...] = (),
    total_pairs: int | None = None,
    iterations_max: int = EM_ITERATIONS_MAX,
) -> tuple[list[FloatArray], list[FloatArray], float, int, bool]:
    """EM over the comparison vectors: updates m of ``estimate_m``, u of ``estimate_u`` and λ.

    Only ``fields`` enter the likelihood (a session leaves out the fields it is conditioned on). With
    ``total_pairs``, λ is the share of matches among *all* pairs (the pairs blocking left out count as
    non-matches): the prior that goes with u from random pairs.
    """
    patterns, counts = _patterns(levels)
    ruled_out = excluded(patterns) if len(patterns) else np.zeros(0, dtype=bool)
    m = [x.copy() for x in m]
    u = [x.copy() for x in u]
    if len(patterns) == 0:
        return m, u, prior, 0, True
    converged = False
    iteration = 0
    for iteration in range(1, iterations_max + 1):  # noqa: B007 - the count is returned
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for j in fields:
            log_m += np.append(np.log(np.maximum(m[j], PROBABILITY_FLOOR)), 0.0)[patterns[:, j]]
            log_u += np.append(np.log(np.maximum(u[j], PROBABILITY_FLOOR)), 0.0)[patterns[:, j]]
        logit = math.log(prior) - math.log(1.0 - prior) + log_m - log_u
        post = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        post[ruled_out] = 0.0
        denominator = counts.sum() if total_pairs is None else total_pairs
        new_prior = float(np.clip((post * counts).sum() / denominator, 1e-12, 1 - 1e-9))
        change = abs(new_prior - prior)
        for params, which, weighted in ((m, estimate_m, post * counts), (u, estimate_u, (1 - post) * counts)):
            for j in which:
                col = patterns[:, j]
                present = col != MISSING
                sums = np.bincount(col[present], weights=weighted[present], minlength=len(params[j]))
                total = sums.sum()
                if total > 0:
                    new = np.maximum(sums / total, PROBABILITY_FLOOR)
                    change = max(change, float(np.abs(new - params[j]).max()))
                    params[j] = new
        prior = new_prior
        if change < EM_TOLERANCE:
            converged = True
            break
    return m, u, prior, iteration, converged


def estimate_household_u(levels: npt.NDArray[np.int8], u_given_different: float, total_pairs: int) -> float:
    """u of the household agreement, from the pairs that share surname and address *and* differ in the
    given names: those are different persons (household members); since household members' given names
    differ about as often as random persons' do (``u_given_different``), dividing by it counts them all.
    """
    given_different = levels[:, FIELD_NAMES.index("given_names")] == _GIVEN_DIFFERENT
    members = int((household(levels) & given_different).sum())
    return max(members + 1, 1) / (max(u_given_different, 0.5) * max(total_pairs, 1))


def coresident_address_u(
    levels: npt.NDArray[np.int8], u_address: FloatArray, u_given_different: float, total_pairs: int
) -> FloatArray:
    """u of the address levels ``exact`` and ``same_street``, corrected for co-residents.

    Random pairs say how often two persons share an address by chance; people do not live at random:
    households, flats in one building and neighbours share it far more often. The pairs at one address
    (or street) whose given names differ are different persons; dividing their number by the share of
    random pairs whose given names differ counts all co-resident pairs. The larger of the two estimates is
    kept, and the other levels are scaled so that u still sums to one.
    """
    given = levels[:, FIELD_NAMES.index("given_names")]
    address = levels[:, FIELD_NAMES.index("address")]
    different = given == _GIVEN_DIFFERENT
    u = u_address.copy()
    for name in ("exact", "same_street"):
        k = FIELDS["address"].index(name)
        coresidents = int((different & (address == k)).sum())
        u[k] = max(u[k], coresidents / (max(u_given_different, 0.5) * total_pairs))
    fixed = [FIELDS["address"].index("exact"), FIELDS["address"].index("same_street")]
    rest = [k for k in range(len(u)) if k not in fixed]
    u[rest] *= (1.0 - u[fixed].sum()) / u[rest].sum()
    return u


def estimate_model(
    table: PersonTable,
    comparison: Comparison,
    *,
    version: str,
    seed: int = 1969,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    trained_at: str = "",
    source: str = "",
) -> LinkageModel:
    """Estimate u (random pairs), m (EM in two conditioned sessions) and λ from the candidate pairs."""
    u, u_pairs, exact = estimate_u(table, seed=seed)
    m = [_initial_m(len(FIELDS[name])) for name in FIELD_NAMES]
    idx = {name: j for j, name in enumerate(FIELD_NAMES)}
    levels = comparison.levels
    n_pairs = max(len(table) * (len(table) - 1) // 2, 1)
    u[idx["address"]] = coresident_address_u(
        levels, u[idx["address"]], float(u[idx["given_names"]][-1]), n_pairs
    )
    sessions: list[EmSession] = []
    plan = (
        (("birth_date",), ("surname", "given_names", "address", "partner_id")),
        (("surname", "given_names"), ("birth_date", "address")),
    )
    address_estimates: list[FloatArray] = []
    for conditioned, estimated in plan:
        mask = np.ones(len(levels), dtype=bool)
        for name in conditioned:
            mask &= levels[:, idx[name]] == 0
        in_model = tuple(j for name, j in idx.items() if name not in conditioned)
        est = tuple(idx[name] for name in estimated)
        new_m, _, share, iterations, converged = run_em(
            levels[mask], m, u, 0.5, fields=in_model, estimate_m=est
        )
        for j in est:
            m[j] = new_m[j]
        address_estimates.append(new_m[idx["address"]])
        sessions.append(EmSession(conditioned, int(mask.sum()), iterations, converged, share))
    # The address level m from both sessions: each sees a different slice of the matches.
    m[idx["address"]] = np.mean(address_estimates, axis=0)
    all_fields = tuple(range(len(FIELD_NAMES)))
    n = len(table)
    total_pairs = max(n * (n - 1) // 2, 1)
    _, _, prior, iterations, converged = run_em(
        levels, m, u, min(0.5, 1.0 / max(n, 2)), fields=all_fields, estimate_m=(), total_pairs=total_pairs
    )
    sessions.append(EmSession((), len(levels), iterations, converged, prior))
    fields = tuple(
        FieldParameters(
            name=name,
            levels=tuple(
                LevelParameters(level_name, float(m[j][k]), float(u[j][k]))
                for k, level_name in enumerate(FIELDS[name])
            ),
            term_frequency=name in ("surname", "given_names"),
            tf_reference=exact.get(name, 0.0) if name in ("surname", "given_names") else 0.0,
        )
        for j, name in enumerate(FIELD_NAMES)
    )
    return LinkageModel(
        version=version,
        duplicates_per_record=prior * max(n - 1, 1),
        household_per_record=estimate_household_u(levels, float(u[idx["given_names"]][-1]), total_pairs)
        * max(n - 1, 1),
        fields=fields,
        thresholds=thresholds,
        training=TrainingInfo(
            records=len(table),
            candidate_pairs=len(levels),
            u_sample_pairs=u_pairs,
            seed=seed,
            sessions=tuple(sessions),
            trained_at=trained_at,
            source=source,
        ),
    )


def pair_weights(
    model: LinkageModel, table: PersonTable, left: IntArray, right: IntArray, tf: TermFrequencies | None
) -> FloatArray:
    """Compare and score pairs of ``table`` in one step."""
    return match_weights(model, compare(table, left, right), tf, records=len(table))
