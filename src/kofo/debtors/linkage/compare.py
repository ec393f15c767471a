"""Graded field comparisons of candidate pairs, vectorised.

Each pair gets one *level* per field (a small integer, or :data:`MISSING` when either side lacks the
value: missing is neutral, weight 0). String similarities come from rapidfuzz's batch scorer
(:func:`rapidfuzz.process.cpdist`) and are computed once per distinct pair of *values*, not per pair of
records: a million candidate pairs hold far fewer distinct (surname, surname) combinations.

Levels, best first (the order is the order of the tests; the first that holds wins):

``surname``
    ``exact`` equal after normalisation · ``variant`` same skeleton (Muller/Mueller) or one token set
    inside the other (Müller-Lüdenscheidt/Müller), or the two name fields swapped · ``birth_name`` one
    record's birth name is the other's surname (marriage) or both birth names agree · ``close``
    Jaro-Winkler ≥ 0.92 or equal Kölner Phonetik · ``far`` Jaro-Winkler ≥ 0.80 · ``different``
``given_names``
    ``exact`` · ``first_or_subset`` same first given name, or one set of given names inside the other
    („Anna Maria“/„Anna“) · ``close`` Jaro-Winkler ≥ 0.92, or equal phonetic with Jaro-Winkler ≥ 0.80 ·
    ``far`` ≥ 0.80 · ``different``; first given names of different sex (Peter/Petra, see
    :mod:`~kofo.debtors.linkage.given_names`) are ``different`` unless one set lies inside the other
``birth_date``
    ``exact`` · ``day_month_swapped`` (05.03. / 03.05.) · ``digits_transposed`` two adjacent digits
    swapped (1967/1976, 12/21) · ``one_component_off`` two of day, month, year agree · ``year_only`` ·
    ``different``
``address``
    ``exact`` same street, house number and postcode or city · ``same_street`` · ``same_place`` same
    postcode or city · ``same_area`` first three postcode digits · ``different``
``partner_id``
    ``same`` the same partner's same debtor number · ``different`` same partner, other number
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from kofo.debtors.linkage.records import Int32Array, IntArray, PersonTable, Vocabulary

MISSING = -1
NAME_CLOSE = 0.92
NAME_FAR = 0.80
STREET_SAME = 0.92
POSTCODE_AREA_COMPARE_DIGITS = 3
#: Pairs compared in one slice (bounds the memory of the intermediate arrays).
COMPARE_CHUNK = 2_000_000
# cpdist is fed in slices of this many distinct value pairs (bounded memory for the string lists).
SIMILARITY_BATCH = 200_000
# Below these sizes the scorer is called directly / cpdist runs on one thread (thread start-up dominates).
SMALL_BATCH = 64
PARALLEL_BATCH = 20_000

FIELDS: dict[str, tuple[str, ...]] = {
    "surname": ("exact", "variant", "birth_name", "close", "far", "different"),
    "given_names": ("exact", "first_or_subset", "close", "far", "different"),
    "birth_date": (
        "exact",
        "day_month_swapped",
        "digits_transposed",
        "one_component_off",
        "year_only",
        "different",
    ),
    "address": ("exact", "same_street", "same_place", "same_area", "different"),
    "partner_id": ("same", "different"),
}
FIELD_NAMES = tuple(FIELDS)
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def level(field: str, name: str) -> int:
    return FIELDS[field].index(name)


@dataclass
class Comparison:
    """Levels of every field for every pair (``MISSING`` = -1), and the codes that term frequencies need."""

    levels: Int8Array  # shape (pairs, fields)
    surname_code: Int32Array  # the agreed surname where the surname level is exact, else 0
    given_code: Int32Array  # the agreed given names where that level is exact, else 0

    def __len__(self) -> int:
        return int(self.levels.shape[0])


def similarity(vocab: Vocabulary, a: Int32Array, b: Int32Array, scorer: Any) -> npt.NDArray[np.float32]:
    """Score of ``scorer`` between the values of codes ``a`` and ``b`` (1.0 when equal, 0.0 when missing)."""
    out = np.zeros(len(a), dtype=np.float32)
    equal = (a == b) & (a > 0)
    out[equal] = 1.0
    todo = (a != b) & (a > 0) & (b > 0)
    if not todo.any():
        return out
    lo = np.minimum(a[todo], b[todo]).astype(np.int64)
    hi = np.maximum(a[todo], b[todo]).astype(np.int64)
    size = len(vocab)
    unique, inverse = np.unique(lo * size + hi, return_inverse=True)
    values = vocab.values
    scores = np.empty(len(unique), dtype=np.float32)
    for start in range(0, len(unique), SIMILARITY_BATCH):
        chunk = unique[start : start + SIMILARITY_BATCH]
        left = [values[i] for i in (chunk // size).tolist()]
        right = [values[i] for i in (chunk % size).tolist()]
        if len(chunk) <= SMALL_BATCH:
            # A single record's candidates: starting worker threads costs more than the scoring.
            scores[start : start + len(chunk)] = [scorer(x, y) for x, y in zip(left, right, strict=True)]
        else:
            workers = -1 if len(chunk) >= PARALLEL_BATCH else 1
            scores[start : start + len(chunk)] = process.cpdist(left, right, scorer=scorer, workers=workers)
    out[todo] = scores[inverse]
    return out


def _jaro_winkler(vocab: Vocabulary, a: Int32Array, b: Int32Array) -> npt.NDArray[np.float32]:
    return similarity(vocab, a, b, JaroWinkler.normalized_similarity)


def _token_subset(vocab: Vocabulary, a: Int32Array, b: Int32Array) -> BoolArray:
    return similarity(vocab, a, b, fuzz.token_set_ratio) >= 100.0


def _select(conditions: list[BoolArray], missing: BoolArray) -> Int8Array:
    out = np.full(len(missing), len(conditions), dtype=np.int8)
    for lvl in range(len(conditions) - 1, -1, -1):
        out[conditions[lvl]] = lvl
    out[missing] = MISSING
    return out


def _swapped_digits(a: IntArray, b: IntArray, width: int) -> BoolArray:
    """``a`` and ``b`` (numbers of ``width`` digits) differ by one swap of two adjacent digits."""
    out = np.zeros(len(a), dtype=bool)
    for i in range(width - 1):
        low, high = 10**i, 10 ** (i + 1)
        da_lo, da_hi = a // low % 10, a // high % 10
        db_lo, db_hi = b // low % 10, b // high % 10
        rest_equal = (a - da_lo * low - da_hi * high) == (b - db_lo * low - db_hi * high)
        out |= rest_equal & (da_lo == db_hi) & (da_hi == db_lo) & (da_lo != da_hi)
    return out


def _date_levels(a: Int32Array, b: Int32Array) -> Int8Array:
    a64 = a.astype(np.int64)
    b64 = b.astype(np.int64)
    ya, ma, da = a64 // 10_000, a64 // 100 % 100, a64 % 100
    yb, mb, db = b64 // 10_000, b64 // 100 % 100, b64 % 100
    same_y, same_m, same_d = ya == yb, ma == mb, da == db
    same_components = same_y.astype(np.int8) + same_m + same_d
    # A transposition stays inside one component (1967/1976, 12./21.): test only where exactly one differs.
    transposed = np.zeros(len(a64), dtype=bool)
    one_off = np.flatnonzero(same_components == 2)
    if len(one_off):
        y_off = ~same_y[one_off]
        m_off = ~same_m[one_off]
        d_off = ~same_d[one_off]
        t = np.zeros(len(one_off), dtype=bool)
        t[y_off] = _swapped_digits(ya[one_off][y_off], yb[one_off][y_off], 4)
        t[m_off] = _swapped_digits(ma[one_off][m_off], mb[one_off][m_off], 2)
        t[d_off] = _swapped_digits(da[one_off][d_off], db[one_off][d_off], 2)
        transposed[one_off] = t
    conditions = [
        a64 == b64,
        same_y & (da == mb) & (ma == db),
        transposed,
        same_components == 2,
        same_y,
    ]
    return _select(conditions, (a64 == 0) | (b64 == 0))


def _partner_prefix(table: PersonTable) -> Int32Array:
    cached = table._cache.get("partner_prefix")
    if cached is None:
        prefixes = Vocabulary()
        cached = np.fromiter(
            (prefixes.code(v.partition(":")[0] if ":" in v else "") for v in table.partner_debtor_ids.values),
            dtype=np.int32,
            count=len(table.partner_debtor_ids),
        )
        table._cache["partner_prefix"] = cached
    assert isinstance(cached, np.ndarray)
    return cached


def compare(table: PersonTable, left: IntArray, right: IntArray) -> Comparison:
    """The comparison levels of the pairs ``(left[i], right[i])`` (positions in ``table``).

    Runs in slices of :data:`COMPARE_CHUNK` pairs, so the intermediate arrays stay small."""
    if len(left) <= COMPARE_CHUNK:
        return _compare(table, left, right)
    parts = [
        _compare(table, left[i : i + COMPARE_CHUNK], right[i : i + COMPARE_CHUNK])
        for i in range(0, len(left), COMPARE_CHUNK)
    ]
    return Comparison(
        np.concatenate([p.levels for p in parts]),
        np.concatenate([p.surname_code for p in parts]),
        np.concatenate([p.given_code for p in parts]),
    )


def _compare(table: PersonTable, left: IntArray, right: IntArray) -> Comparison:
    t = table
    sa, sb = t.surname[left], t.surname[right]
    ba, bb = t.birth_name[left], t.birth_name[right]
    ga, gb = t.given[left], t.given[right]
    fa, fb = t.given_first[left], t.given_first[right]

    skeleton = t.name_skeleton()
    gphon = t.given_first_phonetic()
    phon = t.name_phonetic()
    names_multi = t.multi_token("names")
    givens_multi = t.multi_token("givens")

    # given names: string similarity only where the cheaper tests leave the level open
    g_present = (ga > 0) & (gb > 0)
    g_exact = (ga == gb) & (ga > 0)
    g_first = (fa == fb) & (fa > 0)
    open_ = g_present & ~g_exact & ~g_first & (givens_multi[ga] | givens_multi[gb])
    g_subset = np.zeros(len(ga), dtype=bool)
    g_subset[open_] = _token_subset(t.givens, ga[open_], gb[open_])
    open_ = g_present & ~g_exact & ~g_first & ~g_subset
    g_jw = np.zeros(len(ga), dtype=np.float32)
    g_jw[open_] = _jaro_winkler(t.given_firsts, fa[open_], fb[open_])
    multi = open_ & (givens_multi[ga] | givens_multi[gb])
    g_jw[multi] = np.maximum(g_jw[multi], _jaro_winkler(t.givens, ga[multi], gb[multi]))
    # A shared Kölner Phonetik code alone is weak for short given names (Michael/Nicole: 645,
    # Jörg/Erika: 074); it counts only where the spelling is at least "far" alike.
    g_phon = (gphon[fa] == gphon[fb]) & (gphon[fa] > 0) & (g_jw >= NAME_FAR)
    # A man's and a woman's name are two people however alike they are spelled (Peter/Petra).
    sex = t.given_first_sex()
    sex_conflict = (sex[fa] > 0) & (sex[fb] > 0) & (sex[fa] != sex[fb])
    g_levels = _select(
        [
            g_exact,
            g_first | g_subset,
            ~sex_conflict & (g_phon | (g_jw >= NAME_CLOSE)),
            ~sex_conflict & (g_jw >= NAME_FAR),
        ],
        ~g_present,
    )

    # surnames
    s_present = (sa > 0) & (sb > 0)
    s_exact = (sa == sb) & (sa > 0)
    ksa, ksb, kba, kbb = skeleton[sa], skeleton[sb], skeleton[ba], skeleton[bb]
    s_variant = (ksa == ksb) & (ksa > 0)
    open_ = s_present & ~s_exact & ~s_variant & (names_multi[sa] | names_multi[sb])
    s_variant[open_] = _token_subset(t.names, sa[open_], sb[open_])
    alt_a = (kba > 0) & ((kba == ksb) | (kba == kbb))
    alt_b = (kbb > 0) & (kbb == ksa)
    s_alt = alt_a | alt_b
    s_phon = (phon[sa] == phon[sb]) & (phon[sa] > 0)
    open_ = s_present & ~s_exact & ~s_variant & ~s_alt & ~s_phon
    s_jw = np.zeros(len(sa), dtype=np.float32)
    s_jw[open_] = _jaro_winkler(t.names, sa[open_], sb[open_])
    s_levels = _select(
        [s_exact, s_variant, s_alt, s_phon | (s_jw >= NAME_CLOSE), s_jw >= NAME_FAR],
        ~s_present,
    )
    # Surname and given name swapped between the two fields: the names agree, crosswise.
    first = t.name_first_token_phonetic()
    swapped = (
        (s_levels >= level("surname", "far"))
        & (first[sa] > 0)
        & (first[sa] == gphon[fb])
        & (first[sb] == gphon[fa])
    )
    s_levels[swapped] = level("surname", "variant")
    g_levels[swapped] = level("given_names", "first_or_subset")
    as_given = t.name_as_given()
    swapped_exact = swapped & (as_given[sa] == gb) & (as_given[sb] == ga) & (gb > 0) & (ga > 0)
    s_levels[swapped_exact] = level("surname", "exact")
    g_levels[swapped_exact] = level("given_names", "exact")
    # Both records swapped at the source ("Sabine Gassling" / "Jürgen Gassling" in surname, given name):
    # the given names sit in the surname fields, and a man's and a woman's name there are two people.
    name_sex = t.name_first_token_sex()
    swapped_conflict = (name_sex[sa] > 0) & (name_sex[sb] > 0) & (name_sex[sa] != name_sex[sb])
    g_levels[swapped_conflict & ~swapped] = level("given_names", "different")

    # birth date
    d_levels = _date_levels(t.birth_date[left], t.birth_date[right])

    # address
    sta, stb = t.street[left], t.street[right]
    pa, pb = t.postcode[left], t.postcode[right]
    ca, cb = t.city[left], t.city[right]
    ha, hb = t.house_number[left], t.house_number[right]
    place = ((pa == pb) & (pa > 0)) | ((ca == cb) & (ca > 0))
    street_same = (sta == stb) & (sta > 0)
    open_ = place & ~street_same & (sta > 0) & (stb > 0)  # the street matters only in the same place
    street_same[open_] = _jaro_winkler(t.streets, sta[open_], stb[open_]) >= STREET_SAME
    area = t.postcode_prefix(POSTCODE_AREA_COMPARE_DIGITS)
    a_levels = _select(
        [
            street_same & place & (ha == hb) & (ha > 0),
            street_same & place,
            place,
            (area[pa] == area[pb]) & (area[pa] > 0),
        ],
        ((sta == 0) & (pa == 0) & (ca == 0)) | ((stb == 0) & (pb == 0) & (cb == 0)),
    )

    # partner's debtor number
    ia, ib = t.partner_debtor_id[left], t.partner_debtor_id[right]
    prefix = _partner_prefix(t)
    same_partner = (prefix[ia] == prefix[ib]) & (prefix[ia] > 0)
    p_levels = _select(
        [(ia == ib) & (ia > 0), same_partner & (ia != ib)], ~((ia == ib) & (ia > 0) | same_partner)
    )
    p_levels[(ia == 0) | (ib == 0)] = MISSING

    levels = np.stack([s_levels, g_levels, d_levels, a_levels, p_levels], axis=1)
    # Term frequencies are those of the value in its field; a swapped pair's surname field holds a given
    # name (rare as a surname), so it gets no frequency adjustment at all.
    s_exact = (s_levels == 0) & ~swapped
    g_exact = (g_levels == 0) & ~swapped
    return Comparison(
        levels=levels,
        surname_code=np.where(s_exact, sa, 0).astype(np.int32),
        given_code=np.where(g_exact, ga, 0).astype(np.int32),
    )
