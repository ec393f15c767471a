"""Person records in, normalised columns out.

A :class:`PersonRecord` is a debtor as one partner knows them (all text as delivered). The engine works on
a :class:`PersonTable`: the normalised fields of many records as integer codes into vocabularies, so that
blocking and comparison are numpy operations and every distinct spelling is normalised only once (a
million records hold perhaps a hundred thousand distinct surnames).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from kofo.debtors.linkage.given_names import sex_of
from kofo.debtors.linkage.normalise import (
    BirthDate,
    fold,
    normalise_city,
    normalise_postcode,
    parse_birth_date,
    skeleton,
    split_name,
    split_street_house_number,
)
from kofo.debtors.linkage.phonetics import koelner_phonetik

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A natural person as a partner delivered them. Every field is optional except the id.

    ``partner_debtor_id`` is the partner's own debtor number, prefixed by the partner's key
    (``"lk-sls:4711"``): two records with the same value are the same person for that partner.
    """

    record_id: str
    surname: str = ""
    given_names: str = ""
    birth_name: str = ""
    birth_date: str | date = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    partner_debtor_id: str = ""


@dataclass(frozen=True, slots=True)
class NormalisedPerson:
    """One record after normalisation (what the persistent index stores)."""

    record_id: str
    surname: str  # tokens joined by a space, particles and titles removed
    birth_name: str  # birth name or former name („geb.“), same form
    given_names: str
    given_first: str
    birth_date: BirthDate | None
    street: str
    house_number: str
    postcode: str
    city: str
    partner_debtor_id: str

    @property
    def surname_phonetics(self) -> tuple[str, ...]:
        return _token_phonetics(self.surname)

    @property
    def birth_name_phonetics(self) -> tuple[str, ...]:
        return _token_phonetics(self.birth_name)

    @property
    def given_phonetic(self) -> str:
        return koelner_phonetik(self.given_first)

    @property
    def street_phonetic(self) -> str:
        return koelner_phonetik(self.street)


def _token_phonetics(name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in (koelner_phonetik(t) for t in name.split()) if p))


def _birth_date_text(value: str | date) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _names(surname: str, birth_name: str) -> tuple[str, str]:
    parts = split_name(surname or "")
    previous = " ".join(split_name(birth_name or "").tokens) or " ".join(parts.previous)
    return " ".join(parts.tokens), previous


def normalise_person(record: PersonRecord) -> NormalisedPerson:
    """The normalised form of one record (see :mod:`kofo.debtors.linkage.normalise` for the rules)."""
    surname, birth_name = _names(record.surname, record.birth_name)
    given = split_name(record.given_names or "").tokens
    street, house = split_street_house_number(record.street or "", record.house_number or "")
    return NormalisedPerson(
        record_id=record.record_id,
        surname=surname,
        birth_name=birth_name,
        given_names=" ".join(given),
        given_first=given[0] if given else "",
        birth_date=parse_birth_date(_birth_date_text(record.birth_date)),
        street=street,
        house_number=house,
        postcode=normalise_postcode(record.postcode or ""),
        city=normalise_city(record.city or ""),
        partner_debtor_id=fold(record.partner_debtor_id or ""),
    )


class Vocabulary:
    """Distinct strings and their integer codes; code 0 is always the empty string (missing)."""

    __slots__ = ("_index", "values")

    def __init__(self) -> None:
        self._index: dict[str, int] = {"": 0}
        self.values: list[str] = [""]

    def code(self, value: str) -> int:
        index = self._index
        code = index.get(value)
        if code is None:
            code = len(self.values)
            index[value] = code
            self.values.append(value)
        return code

    def codes(self, values: Iterable[str]) -> Int32Array:
        # Factorise with C-level loops (dict.fromkeys, map over a bound method), then code the distinct values.
        items = values if isinstance(values, list) else list(values)
        local = {v: i for i, v in enumerate(dict.fromkeys(items))}
        positions = np.fromiter(map(local.__getitem__, items), dtype=np.int64, count=len(items))
        mapping = np.fromiter((self.code(v) for v in local), dtype=np.int32, count=len(local))
        return mapping[positions] if len(items) else np.empty(0, dtype=np.int32)

    def array(self) -> npt.NDArray[np.object_]:
        return np.array(self.values, dtype=object)

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class PersonTable:
    """Normalised records as columns of integer codes (0 = missing), plus what the codes stand for.

    ``names`` holds surnames and birth names in one vocabulary, so a surname can be compared with the
    other record's birth name by code. ``phonetic`` holds every Kölner-Phonetik code in use.
    """

    record_ids: list[str]
    surname: Int32Array
    birth_name: Int32Array
    given: Int32Array
    given_first: Int32Array
    birth_date: Int32Array  # yyyymmdd as written, 0 = missing
    street: Int32Array
    house_number: Int32Array
    postcode: Int32Array
    city: Int32Array
    partner_debtor_id: Int32Array
    names: Vocabulary
    givens: Vocabulary
    given_firsts: Vocabulary
    streets: Vocabulary
    house_numbers: Vocabulary
    postcodes: Vocabulary
    cities: Vocabulary
    partner_debtor_ids: Vocabulary
    phonetic: Vocabulary = field(default_factory=Vocabulary)

    def __len__(self) -> int:
        return len(self.record_ids)

    # Derived per-vocabulary arrays, computed once on first use.
    _cache: dict[str, object] = field(default_factory=dict)

    def _vocab_derived(self, key: str, vocab: Vocabulary, fn: object) -> Int32Array:
        cached = self._cache.get(key)
        if cached is None:
            assert callable(fn)
            cached = np.fromiter((fn(v) for v in vocab.values), dtype=np.int32, count=len(vocab))
            self._cache[key] = cached
        assert isinstance(cached, np.ndarray)
        return cached

    def name_skeleton(self) -> Int32Array:
        """Per name code: code of its :func:`skeleton` (in ``phonetic``'s sister space ``_skel``)."""
        skel = self._cache.setdefault("_skel_vocab", Vocabulary())
        assert isinstance(skel, Vocabulary)
        return self._vocab_derived("name_skeleton", self.names, lambda v: skel.code(skeleton(v)))

    def name_phonetic(self) -> Int32Array:
        """Per name code: Kölner Phonetik of the whole name (all tokens)."""
        return self._vocab_derived(
            "name_phonetic", self.names, lambda v: self.phonetic.code(koelner_phonetik(v.replace(" ", "")))
        )

    def name_first_token_phonetic(self) -> Int32Array:
        return self._vocab_derived(
            "name_first_phonetic",
            self.names,
            lambda v: self.phonetic.code(koelner_phonetik(v.split(" ", 1)[0]) if v else ""),
        )

    def name_first_token_sex(self) -> Int32Array:
        """Per code of ``names``: the sex of the surname field's first token read as a given name.

        Meaningful only for records whose surname and given-name fields were swapped at the source.
        """
        return self._vocab_derived(
            "name_first_sex", self.names, lambda v: int(sex_of(v.split(" ", 1)[0])) if v else 0
        )

    def name_as_given(self) -> Int32Array:
        """Per code of ``names``: the code of the same string in ``givens`` (0 when no given name is it).

        Lets a comparison see that two records with swapped name fields agree *exactly*, crosswise.
        """
        return self._vocab_derived(
            "name_as_given", self.names, lambda v: self.givens._index.get(v, 0) if v else 0
        )

    def given_first_phonetic(self) -> Int32Array:
        return self._vocab_derived(
            "given_first_phonetic", self.given_firsts, lambda v: self.phonetic.code(koelner_phonetik(v))
        )

    def given_first_sex(self) -> Int32Array:
        """Per code of ``given_firsts``: the :class:`~kofo.debtors.linkage.given_names.Sex` of the name."""
        return self._vocab_derived("given_first_sex", self.given_firsts, lambda v: int(sex_of(v)))

    def given_first_initial(self) -> Int32Array:
        return self._vocab_derived("given_first_initial", self.given_firsts, lambda v: ord(v[0]) if v else 0)

    def street_phonetic(self) -> Int32Array:
        return self._vocab_derived(
            "street_phonetic", self.streets, lambda v: self.phonetic.code(koelner_phonetik(v))
        )

    def multi_token(self, vocabulary: str) -> npt.NDArray[np.bool_]:
        """Per code of ``names`` or ``givens``: does the value have more than one token?"""
        vocab = self.names if vocabulary == "names" else self.givens
        return self._vocab_derived(f"multi_{vocabulary}", vocab, lambda v: " " in v).astype(bool)

    def house_digits(self) -> Int32Array:
        from kofo.debtors.linkage.blocking import house_digits

        return self._vocab_derived("house_digits", self.house_numbers, house_digits)

    def postcode_prefix(self, digits: int) -> Int32Array:
        return self._vocab_derived(
            f"postcode_prefix_{digits}", self.postcodes, lambda v: int(v[:digits]) + 1 if v else 0
        )

    def name_token_phonetics(self) -> tuple[Int32Array, Int32Array]:
        """CSR form of the token phonetics of every name code: ``(offsets, values)``."""
        cached = self._cache.get("name_token_phonetics")
        if cached is None:
            offsets = [0]
            values: list[int] = []
            for v in self.names.values:
                values.extend(self.phonetic.code(p) for p in _token_phonetics(v))
                offsets.append(len(values))
            cached = (np.asarray(offsets, dtype=np.int32), np.asarray(values, dtype=np.int32))
            self._cache["name_token_phonetics"] = cached
        assert isinstance(cached, tuple)
        return cached


def _table(
    record_ids: list[str], columns: dict[str, Int32Array], vocabs: dict[str, Vocabulary]
) -> PersonTable:
    return PersonTable(
        record_ids=record_ids,
        surname=columns["surname"],
        birth_name=columns["birth_name"],
        given=columns["given"],
        given_first=columns["given_first"],
        birth_date=columns["birth_date"],
        street=columns["street"],
        house_number=columns["house_number"],
        postcode=columns["postcode"],
        city=columns["city"],
        partner_debtor_id=columns["partner_debtor_id"],
        names=vocabs["names"],
        givens=vocabs["givens"],
        given_firsts=vocabs["given_firsts"],
        streets=vocabs["streets"],
        house_numbers=vocabs["house_numbers"],
        postcodes=vocabs["postcodes"],
        cities=vocabs["cities"],
        partner_debtor_ids=vocabs["partner_debtor_ids"],
    )


def _new_vocabs() -> dict[str, Vocabulary]:
    return {
        k: Vocabulary()
        for k in (
            "names",
            "givens",
            "given_firsts",
            "streets",
            "house_numbers",
            "postcodes",
            "cities",
            "partner_debtor_ids",
        )
    }


def table_from_persons(persons: Sequence[NormalisedPerson]) -> PersonTable:
    """A table of already normalised persons (the incremental path: a handful of candidates)."""
    v = _new_vocabs()
    columns = {
        "surname": v["names"].codes(p.surname for p in persons),
        "birth_name": v["names"].codes(p.birth_name for p in persons),
        "given": v["givens"].codes(p.given_names for p in persons),
        "given_first": v["given_firsts"].codes(p.given_first for p in persons),
        "birth_date": np.fromiter(
            (p.birth_date.as_int() if p.birth_date else 0 for p in persons),
            dtype=np.int32,
            count=len(persons),
        ),
        "street": v["streets"].codes(p.street for p in persons),
        "house_number": v["house_numbers"].codes(p.house_number for p in persons),
        "postcode": v["postcodes"].codes(p.postcode for p in persons),
        "city": v["cities"].codes(p.city for p in persons),
        "partner_debtor_id": v["partner_debtor_ids"].codes(p.partner_debtor_id for p in persons),
    }
    return _table([p.record_id for p in persons], columns, v)


def _map_raw(raw: Sequence[str], fn: object, vocab: Vocabulary) -> Int32Array:
    """Codes of ``fn(value)`` for every value, calling ``fn`` once per distinct raw value."""
    assert callable(fn)
    raw_vocab = Vocabulary()
    raw_codes = raw_vocab.codes(raw)
    mapped = np.fromiter((vocab.code(fn(v)) for v in raw_vocab.values), dtype=np.int32, count=len(raw_vocab))
    return mapped[raw_codes]


def _map_raw_int(raw: Sequence[str], fn: object) -> Int32Array:
    """``fn(value)`` (an int) for every value, calling ``fn`` once per distinct raw value."""
    assert callable(fn)
    raw_vocab = Vocabulary()
    raw_codes = raw_vocab.codes(raw)
    mapped = np.fromiter((fn(v) for v in raw_vocab.values), dtype=np.int32, count=len(raw_vocab))
    return mapped[raw_codes]


def _date_int(text: str) -> int:
    parsed = parse_birth_date(text)
    return parsed.as_int() if parsed else 0


@dataclass
class PersonColumns:
    """Person records as one list per field (the CSV path: no object per record)."""

    record_id: list[str]
    surname: list[str]
    given_names: list[str]
    birth_name: list[str]
    birth_date: list[str]
    street: list[str]
    house_number: list[str]
    postcode: list[str]
    city: list[str]
    partner_debtor_id: list[str]

    FIELDS = (
        "record_id",
        "surname",
        "given_names",
        "birth_name",
        "birth_date",
        "street",
        "house_number",
        "postcode",
        "city",
        "partner_debtor_id",
    )

    def __len__(self) -> int:
        return len(self.record_id)

    @classmethod
    def of_records(cls, records: Sequence[PersonRecord]) -> PersonColumns:
        return cls(
            record_id=[r.record_id for r in records],
            surname=[r.surname or "" for r in records],
            given_names=[r.given_names or "" for r in records],
            birth_name=[r.birth_name or "" for r in records],
            birth_date=[_birth_date_text(r.birth_date) for r in records],
            street=[r.street or "" for r in records],
            house_number=[r.house_number or "" for r in records],
            postcode=[r.postcode or "" for r in records],
            city=[r.city or "" for r in records],
            partner_debtor_id=[r.partner_debtor_id or "" for r in records],
        )

    def records(self) -> list[PersonRecord]:
        return [
            PersonRecord(*values) for values in zip(*(getattr(self, f) for f in self.FIELDS), strict=True)
        ]

    def reordered(self, order: Sequence[int]) -> PersonColumns:
        """The same records in the order of the positions ``order``."""
        if not order:
            return self
        pick = itemgetter(*order) if len(order) > 1 else (lambda values: (values[order[0]],))
        return PersonColumns(*(list(pick(getattr(self, f))) for f in self.FIELDS))


def table_from_records(records: Sequence[PersonRecord]) -> PersonTable:
    """The batch path for record objects (see :func:`table_from_columns`)."""
    return table_from_columns(PersonColumns.of_records(records))


def table_from_columns(columns: PersonColumns) -> PersonTable:
    """The batch path: normalise each distinct raw value once, then gather codes per record.

    Gives the same normalised values as :func:`normalise_person` record by record.
    """
    v = _new_vocabs()
    c = columns
    # Surname and birth name depend on each other („Schmidt geb. Müller“ in one field): key on the pair.
    pair_vocab = Vocabulary()
    pair_codes = pair_vocab.codes([f"{s}\x1f{b}" for s, b in zip(c.surname, c.birth_name, strict=True)])
    sn_map = np.empty(len(pair_vocab), dtype=np.int32)
    bn_map = np.empty(len(pair_vocab), dtype=np.int32)
    for i, key in enumerate(pair_vocab.values):
        surname, _, birth = key.partition("\x1f")
        s, b = _names(surname, birth)
        sn_map[i] = v["names"].code(s)
        bn_map[i] = v["names"].code(b)
    street_pair = Vocabulary()
    street_codes = street_pair.codes([f"{s}\x1f{h}" for s, h in zip(c.street, c.house_number, strict=True)])
    st_map = np.empty(len(street_pair), dtype=np.int32)
    hn_map = np.empty(len(street_pair), dtype=np.int32)
    for i, key in enumerate(street_pair.values):
        street, _, house = key.partition("\x1f")
        st, hn = split_street_house_number(street, house)
        st_map[i] = v["streets"].code(st)
        hn_map[i] = v["house_numbers"].code(hn)
    codes = {
        "surname": sn_map[pair_codes],
        "birth_name": bn_map[pair_codes],
        "given": _map_raw(c.given_names, lambda g: " ".join(split_name(g).tokens), v["givens"]),
        "given_first": _map_raw(
            c.given_names, lambda g: (split_name(g).tokens or ("",))[0], v["given_firsts"]
        ),
        "birth_date": _map_raw_int(c.birth_date, _date_int),
        "street": st_map[street_codes],
        "house_number": hn_map[street_codes],
        "postcode": _map_raw(c.postcode, normalise_postcode, v["postcodes"]),
        "city": _map_raw(c.city, normalise_city, v["cities"]),
        "partner_debtor_id": _map_raw(c.partner_debtor_id, fold, v["partner_debtor_ids"]),
    }
    return _table(list(c.record_id), codes, v)
