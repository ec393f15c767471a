"""Blocking: which pairs of records are compared at all.

Comparing every pair of a million records is 5·10¹¹ comparisons; blocking compares only records that
share a *blocking key*. A pair no key brings together can never be linked, so the keys are designed for
**recall**: each one survives a different kind of damage, and a pair needs to share only one of them.

=====================  ===========================================================  ========================
key                    made of                                                      survives
=====================  ===========================================================  ========================
``sy`` name + year     Kölner Phonetik of each surname/birth-name token, birth year  move, typo in given name,
                                                                                     day/month typos,
                                                                                     marriage when the birth
                                                                                     name is given
``dg`` date + initial  birth date, first letter of the first given name            changed surname, move
``dp`` date + given    birth date, Kölner Phonetik of the first given name         changed surname, C/K
``ps`` address         postcode, Kölner Phonetik of the street, house number       missing birth date,
                       (digits only: 12a and 12 are one key)                        changed surname, typos
``cs`` address         city, Kölner Phonetik of the street, house number           the same without (or with
                                                                                     a mistyped) postcode
``id`` partner id      the partner's own debtor number                              anything
``nm`` names           unordered pair (given-name phonetic, surname-token          missing or mistyped
                       phonetic)                                                    birth date *and* a move,
                                                                                     swapped name order
``ny`` names + year    the same unordered pair, birth year                          swapped name order, move
=====================  ===========================================================  ========================

``nm`` is the key that survives a missing birth date; it has no area part (a postcode area would lose
the debtor who moved to the next Land), so its blocks are the largest and rely on the cap below.

**Block sizes are capped** (:data:`BLOCK_SIZE_MAX`): a block larger than that (the Müllers born in 1965
in one Land, or a long street) is not compared all against all; its records are sorted by surname
phonetic, given-name phonetic and birth date and each is compared with its ``BLOCK_WINDOW - 1`` nearest
neighbours on either side (sorted neighbourhood). Common names cost linear, not quadratic, time and a true
pair in such a block is still found, because the same person's records sort next to each other.

The same keys, as strings (:func:`blocking_keys`), are what the persistent index stores per record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kofo.debtors.linkage.records import IntArray, NormalisedPerson, PersonTable

#: Largest block compared all against all.
BLOCK_SIZE_MAX = 40
#: In a larger block each record meets only its ``BLOCK_WINDOW - 1`` neighbours on either side in sort order.
BLOCK_WINDOW = 12
KEY_KINDS = ("sy", "dg", "dp", "ps", "cs", "id", "nm", "ny")


def _pair(a: str, b: str) -> str:
    return f"{a}:{b}" if a <= b else f"{b}:{a}"


def house_digits(house_number: str) -> int:
    """The leading number of a house number („12a“ → 12, „12-14“ → 12); 0 when there is none."""
    digits = ""
    for ch in house_number:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits[:4]) if digits else 0


def blocking_keys(person: NormalisedPerson) -> list[str]:
    """The blocking keys of one record, as strings: what the index stores (``kind:part:part``)."""
    keys: list[str] = []
    names = dict.fromkeys(person.surname_phonetics + person.birth_name_phonetics)
    dob = person.birth_date
    given = person.given_phonetic
    if dob is not None:
        year = str(dob.year)
        keys.extend(f"sy:{p}:{year}" for p in names)
        if person.given_first:
            keys.append(f"dg:{dob.as_int()}:{ord(person.given_first[0]) & 0xFF}")
        if given:
            keys.append(f"dp:{dob.as_int()}:{given}")
        if given:
            keys.extend(f"ny:{_pair(given, p)}:{year}" for p in names)
    street = person.street_phonetic
    house = house_digits(person.house_number)
    if person.postcode and street:
        keys.append(f"ps:{person.postcode}:{street}:{house}")
    if person.city and street:
        keys.append(f"cs:{person.city}:{street}:{house}")
    if person.partner_debtor_id:
        keys.append(f"id:{person.partner_debtor_id}")
    if given:
        keys.extend(f"nm:{_pair(given, p)}" for p in names)
    return list(dict.fromkeys(keys))


@dataclass(frozen=True)
class BlockingStats:
    """What blocking did: pairs per key kind (before de-duplication) and the capped blocks."""

    candidate_pairs: int
    pairs_by_kind: dict[str, int]
    blocks_over_cap: int
    largest_block: int


def _unordered(a: IntArray, b: IntArray) -> tuple[IntArray, IntArray]:
    return np.minimum(a, b), np.maximum(a, b)


def _name_rows(table: PersonTable) -> tuple[IntArray, IntArray]:
    """(record, phonetic) for every surname and birth-name token of every record, without repeats."""
    offsets, values = table.name_token_phonetics()
    rows: list[IntArray] = []
    phons: list[IntArray] = []
    for column in (table.surname, table.birth_name):
        starts = offsets[column].astype(np.int64)
        lengths = (offsets[column + 1] - offsets[column]).astype(np.int64)
        total = int(lengths.sum())
        rec = np.repeat(np.arange(len(table), dtype=np.int64), lengths)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows.append(rec)
        phons.append(values[np.repeat(starts, lengths) + within].astype(np.int64))
    rec = np.concatenate(rows)
    phon = np.concatenate(phons)
    packed = np.unique(rec << 24 | phon)
    return packed >> 24, packed & 0xFFFFFF


def key_columns(table: PersonTable) -> dict[str, tuple[IntArray, IntArray]]:
    """Per key kind: (record index, integer key); the batch twin of :func:`blocking_keys`."""
    n = len(table)
    idx = np.arange(n, dtype=np.int64)
    dob = table.birth_date.astype(np.int64)
    year = dob // 10_000
    has_dob = dob > 0
    gphon = table.given_first_phonetic()[table.given_first].astype(np.int64)
    ginit = table.given_first_initial()[table.given_first].astype(np.int64) & 0xFF
    has_given = gphon > 0
    stphon = table.street_phonetic()[table.street].astype(np.int64)
    house = table.house_digits()[table.house_number].astype(np.int64) & 0xFFFF
    pc = table.postcode.astype(np.int64)
    city = table.city.astype(np.int64)
    name_rec, name_phon = _name_rows(table)
    name_dob = dob[name_rec]
    name_given = gphon[name_rec]
    lo, hi = _unordered(name_given, name_phon)
    pair = lo << 24 | hi

    out: dict[str, tuple[IntArray, IntArray]] = {}
    m = name_dob > 0
    out["sy"] = (name_rec[m], name_phon[m] << 16 | (name_dob[m] // 10_000))
    m = has_dob & (table.given_first > 0)
    out["dg"] = (idx[m], dob[m] << 8 | ginit[m])
    m = has_dob & has_given
    out["dp"] = (idx[m], dob[m] << 24 | gphon[m])
    m = (pc > 0) & (stphon > 0)
    out["ps"] = (idx[m], (pc[m] << 24 | stphon[m]) << 16 | house[m])
    m = (city > 0) & (stphon > 0)
    out["cs"] = (idx[m], (city[m] << 24 | stphon[m]) << 16 | house[m])
    m = table.partner_debtor_id > 0
    out["id"] = (idx[m], table.partner_debtor_id[m].astype(np.int64))
    m = name_given > 0
    out["nm"] = (name_rec[m], pair[m])
    m = (name_given > 0) & (name_dob > 0)
    out["ny"] = (name_rec[m], pair[m] << 12 | year[name_rec][m])
    return out


def _sort_rank(table: PersonTable) -> IntArray:
    """Rank of each record in the order used inside oversized blocks (similar records next to each other)."""
    # Phonetic codes are ranked as strings, as the index sorts them (vocabulary codes are arrival order).
    first_codes = table.name_first_token_phonetic()[table.surname]
    given_codes = table.given_first_phonetic()[table.given_first]
    values = np.array(table.phonetic.values, dtype=object)
    as_string = np.empty(len(values), dtype=np.int64)
    as_string[np.argsort(values, kind="stable")] = np.arange(len(values))
    first = as_string[first_codes]
    given = as_string[given_codes]
    order = np.lexsort((np.arange(len(table)), table.birth_date, given, first))
    rank = np.empty(len(table), dtype=np.int64)
    rank[order] = np.arange(len(table), dtype=np.int64)
    return rank


def _block_pairs(
    records: IntArray, keys: IntArray, rank: IntArray, size_max: int, window: int
) -> tuple[IntArray, IntArray, int, int]:
    """All pairs inside each block of ≤ ``size_max`` records; in larger blocks, each record with its next
    ``window - 1`` records in sort order (sorted neighbourhood)."""
    empty = np.empty(0, dtype=np.int64)
    if len(keys) == 0:
        return empty, empty, 0, 0
    order = np.lexsort((rank[records], keys))
    k = keys[order]
    r = records[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    over_cap = int((sizes > size_max).sum())
    largest = int(sizes.max())
    small = np.repeat(sizes <= size_max, sizes)  # per sorted row: is its block compared all against all?
    left: list[IntArray] = []
    right: list[IntArray] = []
    active = np.flatnonzero(k[:-1] == k[1:])
    d = 1
    while len(active) and d < max(size_max, window):
        if d >= window:
            active = active[small[active]]
        left.append(r[active])
        right.append(r[active + d])
        d += 1
        active = active[active + d < len(k)]
        active = active[k[active + d] == k[active]]
    if not left:
        return empty, empty, over_cap, largest
    return np.concatenate(left), np.concatenate(right), over_cap, largest


def _distinct(codes: IntArray) -> IntArray:
    """Sorted distinct values (an in-place sort: cheaper than np.unique on tens of millions of pairs)."""
    codes.sort()
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes


def candidate_pairs(
    table: PersonTable, *, block_size_max: int = BLOCK_SIZE_MAX, window: int = BLOCK_WINDOW
) -> tuple[IntArray, IntArray, BlockingStats]:
    """Distinct candidate pairs ``(left, right)`` with ``left < right`` (record positions), and stats."""
    n = len(table)
    rank = _sort_rank(table)
    codes: list[IntArray] = []
    by_kind: dict[str, int] = {}
    over_cap = 0
    largest = 0
    for kind, (records, keys) in key_columns(table).items():
        a, b, capped, big = _block_pairs(records, keys, rank, block_size_max, window)
        over_cap += capped
        largest = max(largest, big)
        keep = a != b
        lo, hi = _unordered(a[keep], b[keep])
        by_kind[kind] = len(lo)
        codes.append(lo * n + hi)
    unique = _distinct(np.concatenate(codes)) if codes else np.empty(0, dtype=np.int64)
    left = unique // max(n, 1)
    right = unique % max(n, 1)
    stats = BlockingStats(len(unique), by_kind, over_cap, largest)
    return left, right, stats


def pairs_from_string_keys(keys_per_record: list[list[str]]) -> set[tuple[int, int]]:
    """All pairs sharing a string key, uncapped (the reference the batch keys are tested against)."""
    blocks: dict[str, list[int]] = {}
    for i, keys in enumerate(keys_per_record):
        for key in keys:
            blocks.setdefault(key, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                if a != b:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


__all__ = [
    "BLOCK_SIZE_MAX",
    "BLOCK_WINDOW",
    "KEY_KINDS",
    "BlockingStats",
    "blocking_keys",
    "candidate_pairs",
    "key_columns",
    "pairs_from_string_keys",
]
