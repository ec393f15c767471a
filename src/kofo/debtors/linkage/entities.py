"""Legal entities (companies, associations): a rule set on name, legal form, register number, address.

Legal entities are far fewer than persons and carry a near-unique identifier (the register entry), so a
transparent rule set is enough; each decision names the rule that made it:

==================  =================================================================  ==========
rule                condition                                                          decision
==================  =================================================================  ==========
``register``        same register type and number, courts equal or one missing          link
``register_differs``  both have a register entry and the entries differ                 distinct
``name_form_place``   same normalised name and same legal form, same postcode or city    link
``name_place``        same normalised name, legal form differs or is missing, same place review
``name_similar``      name Jaro-Winkler ≥ 0.93, same place                              review
``name_only``         same normalised name, nothing else agrees                        review
(none)                                                                                 distinct
==================  =================================================================  ==========

Register entries are normalised („HRB 1234“, „HR B 1234“, „Amtsgericht Saarbrücken HRB1234“); legal forms
are recognised in the name in their usual spellings (GmbH, gGmbH, UG (haftungsbeschränkt), AG, KG,
GmbH & Co. KG, OHG, e.K., e.V., eG, GbR, PartG, SE, KGaA, Ltd.) and removed from the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from kofo.debtors.linkage.normalise import fold, normalise_city, normalise_postcode, normalise_street

NAME_SIMILAR = 0.93

# Longest forms first: "gmbh & co. kg" must win over "gmbh" and "kg".
_LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    (r"gmbh\s*&\s*co\.?\s*kgaa", "gmbh_co_kgaa"),
    (r"gmbh\s*&\s*co\.?\s*kg", "gmbh_co_kg"),
    (r"ug\s*\(?haftungsbeschraenkt\)?\s*&\s*co\.?\s*kg", "ug_co_kg"),
    (r"ug\s*\(?haftungsbeschraenkt\)?", "ug"),
    (r"ggmbh", "ggmbh"),
    (r"gmbh|g\.m\.b\.h\.?|gesellschaft mit beschraenkter haftung", "gmbh"),
    (r"kgaa|kommanditgesellschaft auf aktien", "kgaa"),
    (r"aktiengesellschaft|ag", "ag"),
    (r"kommanditgesellschaft|kg", "kg"),
    (r"offene handelsgesellschaft|ohg", "ohg"),
    (r"e\.\s*k(?:fm|ffr)?\.?|eingetragene[rs]? kauf(?:mann|frau)", "ek"),
    (r"e\.\s*v\.?|eingetragener verein", "ev"),
    (r"e\.\s*g\.?|eingetragene genossenschaft", "eg"),
    (r"gbr|gesellschaft buergerlichen rechts", "gbr"),
    (r"partg(?:\s*mbb)?|partnerschaftsgesellschaft", "partg"),
    (r"se", "se"),
    (r"ltd\.?|limited", "ltd"),
)
_FORM_PATTERNS = tuple(
    (re.compile(r"(?:^|(?<=[\s,]))(?:" + pattern + r")(?=$|[\s,.])"), code) for pattern, code in _LEGAL_FORMS
)
_REGISTER = re.compile(r"\b(hra|hrb|vr|gnr|pr|gsr)\s*(\d+)\s*([a-z]{0,3})\b")
_COURT = re.compile(r"(?:amtsgericht|ag)\s+([a-z\s-]+?)(?=\s*(?:hra|hrb|vr|gnr|pr|gsr|,|$))")
_NOISE_WORDS = frozenset({"und", "the", "der", "die", "das", "co", "firma", "fa"})


@dataclass(frozen=True, slots=True)
class LegalEntityRecord:
    record_id: str
    name: str
    legal_form: str = ""
    register_court: str = ""
    register_number: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class NormalisedEntity:
    record_id: str
    name: str  # without legal form, punctuation and filler words
    legal_form: str  # code, e.g. "gmbh"; "" when unknown
    register: str  # e.g. "hrb:1234"; "" when unknown
    register_court: str
    street: str
    postcode: str
    city: str


@lru_cache(maxsize=100_000)
def split_legal_form(name: str) -> tuple[str, str]:
    """(name without legal form, legal-form code): „Müller Bau GmbH & Co. KG“ → ("mueller bau", "gmbh_co_kg")."""
    s = fold(name)
    form = ""
    for pattern, code in _FORM_PATTERNS:
        m = pattern.search(s)
        if m is not None:
            form = code
            s = s[: m.start()] + " " + s[m.end() :]
            break
    tokens = [t for t in re.split(r"[^0-9a-z]+", s) if t and t not in _NOISE_WORDS]
    return " ".join(tokens), form


def normalise_register(court: str, number: str) -> tuple[str, str]:
    """(``"hrb:1234"``, court) from a register number and court in the usual spellings."""
    text = fold(f"{court} {number}").replace("hr b", "hrb").replace("hr a", "hra")
    m = _REGISTER.search(text)
    register = f"{m.group(1)}:{int(m.group(2))}{m.group(3)}" if m else ""
    court_match = _COURT.search(fold(court) or text)
    court_name = normalise_city(court_match.group(1)) if court_match else normalise_city(court)
    return register, court_name


def normalise_entity(record: LegalEntityRecord) -> NormalisedEntity:
    name, form_in_name = split_legal_form(record.name)
    _, form_given = split_legal_form(record.legal_form) if record.legal_form else ("", "")
    register, court = normalise_register(record.register_court, record.register_number)
    return NormalisedEntity(
        record_id=record.record_id,
        name=name,
        legal_form=form_given or form_in_name,
        register=register,
        register_court=court,
        street=normalise_street(record.street),
        postcode=normalise_postcode(record.postcode),
        city=normalise_city(record.city),
    )


@dataclass(frozen=True)
class EntityDecision:
    decision: str  # "link", "review" or "distinct"
    rule: str  # the rule of the module's table that decided ("" when none applied)


def compare_entities(a: NormalisedEntity, b: NormalisedEntity) -> EntityDecision:
    """Apply the rule set (first rule that holds decides)."""
    if a.register and b.register:
        if a.register == b.register and (
            not a.register_court or not b.register_court or a.register_court == b.register_court
        ):
            return EntityDecision("link", "register")
        return EntityDecision("distinct", "register_differs")
    same_place = (a.postcode and a.postcode == b.postcode) or (a.city and a.city == b.city)
    if a.name and a.name == b.name:
        if same_place and a.legal_form and a.legal_form == b.legal_form:
            return EntityDecision("link", "name_form_place")
        if same_place:
            return EntityDecision("review", "name_place")
        return EntityDecision("review", "name_only")
    if same_place and a.name and b.name and JaroWinkler.normalized_similarity(a.name, b.name) >= NAME_SIMILAR:
        return EntityDecision("review", "name_similar")
    return EntityDecision("distinct", "")


def link_entities(records: list[LegalEntityRecord]) -> dict[str, str]:
    """Cluster legal entities: record id → cluster id (smallest record id), from ``link`` decisions only.

    Blocking: same register entry, or same first name token (names of companies are short; the cap of
    the person engine is not needed at the volumes of legal entities an office holds).
    """
    entities = sorted((normalise_entity(r) for r in records), key=lambda e: e.record_id)
    blocks: dict[str, list[int]] = {}
    for i, e in enumerate(entities):
        if e.register:
            blocks.setdefault("r:" + e.register, []).append(i)
        if e.name:
            blocks.setdefault("n:" + e.name.split()[0], []).append(i)
    parent = list(range(len(entities)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in blocks.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                a, b = members[x], members[y]
                if compare_entities(entities[a], entities[b]).decision == "link":
                    ra, rb = find(a), find(b)
                    parent[max(ra, rb)] = min(ra, rb)
    return {e.record_id: entities[find(i)].record_id for i, e in enumerate(entities)}
