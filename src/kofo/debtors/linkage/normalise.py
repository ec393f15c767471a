"""Normalisation of German person data as partners deliver it.

Every function is pure and idempotent (``f(f(x)) == f(x)``): the same person written by three finance
systems -- „Dr. Hans-Peter Müller“, „MUELLER, Hans Peter“, „Muller“ -- should come out the same, or as
close as the data allow.

* **Case and umlauts.** Everything is lower case; ä, ö, ü, ß become ae, oe, ue, ss (the form German
  systems without umlauts write, DIN 5007-2), so „Müller“ and „Mueller“ are equal. The *folded* form
  without the e („Muller“) stays different as a string but has the same Kölner Phonetik and the same
  :func:`skeleton`, which the comparisons use as a second level of equality.
* **Other diacritics** are stripped (é → e, ł → l, ø → o).
* **Titles** (Dr., Prof., Dipl.-Ing., …) are removed; **name particles** (von, van, de, zu, …) are kept
  apart, because „von Müller“ and „Müller“ are one family name in practice.
* **Double names** and hyphens become token sets: „Müller-Lüdenscheidt“ → ``("mueller", "luedenscheidt")``.
* **Birth names** written into the surname field („Schmidt geb. Müller“) are split off.
* **Streets**: „Hauptstr. 12a“, „Haupt-Straße 12 A“ and „Hauptstrasse 12a“ are one address.
* **Cities**: „Saarbrücken“, „Saarbruecken“ and „Sbr.“; „Dillingen/Saar“ and „Dillingen“.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)
# Letters that NFKD does not decompose.
_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"})

#: Academic and professional titles that are no part of a name.
TITLES = frozenset(
    {
        "dr",
        "prof",
        "professor",
        "dipl",
        "ing",
        "dipl-ing",
        "diplom",
        "med",
        "dent",
        "vet",
        "rer",
        "nat",
        "pol",
        "phil",
        "jur",
        "oec",
        "habil",
        "mag",
        "ba",
        "ma",
        "msc",
        "bsc",
        "mba",
        "llm",
        "hc",
        "h.c",
        "kfm",
        "kffr",
        "herr",
        "frau",
    }
)
#: Name particles (Adelsprädikate and their foreign equivalents); kept apart from the surname tokens.
PARTICLES = frozenset(
    {
        "von",
        "van",
        "de",
        "zu",
        "zum",
        "zur",
        "vom",
        "der",
        "den",
        "dem",
        "del",
        "della",
        "di",
        "du",
        "la",
        "le",
    }
    | {"ten", "ter", "da", "dos", "das", "y", "vander", "op", "am", "auf"}
)
# Markers before a previous name: geboren, verheiratet(e), verwitwet(e), geschieden(e).
_BIRTH_NAME_MARKERS = re.compile(r"\b(?:geb(?:oren|orene)?|verh|verw|gesch|geschiedene|verwitwete)\b\.?")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=500_000)
def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue/ss, other diacritics stripped, whitespace collapsed."""
    current = text
    for _ in range(5):  # until stable: NFKD can produce upper case (𝝖 → Α), lower() combining marks (İ → i̇)
        lowered = current.translate(_UMLAUTS).lower().translate(_UMLAUTS).translate(_SPECIAL)
        if not lowered.isascii():
            decomposed = unicodedata.normalize("NFKD", lowered)
            lowered = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        lowered = _SPACES.sub(" ", lowered).strip()
        if lowered == current:
            break
        current = lowered
    return current


@lru_cache(maxsize=500_000)
def skeleton(text: str) -> str:
    """A coarser key under which „Mueller“, „Müller“ and „Muller“ agree (and „Meyer“/„Meier“ do not).

    The e of a transliterated umlaut is dropped, double letters are single and ß/ss is s: the spellings
    a finance system without umlauts produces for one name collapse, real names rarely do.
    """
    current = _NON_ALNUM.sub("", fold(text))
    while True:  # until nothing changes, so that skeleton(skeleton(x)) == skeleton(x)
        reduced = current.replace("ae", "a").replace("oe", "o").replace("ue", "u")
        out: list[str] = []
        for ch in reduced:
            if not out or out[-1] != ch:
                out.append(ch)
        result = "".join(out)
        if result == current:
            return result
        current = result


def _tokens(text: str) -> list[str]:
    return [t for t in _NON_ALNUM.split(fold(text).replace(".", " ")) if t]


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name split into what the comparison needs."""

    tokens: tuple[str, ...]
    particles: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()  # a birth name or former name written into the same field


@lru_cache(maxsize=500_000)
def split_name(text: str) -> NameParts:
    """Tokens of a surname or given-name field: titles dropped, particles and a „geb.“ name split off.

    >>> split_name("Dr. von Müller-Lüdenscheidt geb. Schmidt")
    NameParts(tokens=('mueller', 'luedenscheidt'), particles=('von',), previous=('schmidt',))
    """
    folded = fold(text)
    previous: list[str] = []
    marker = _BIRTH_NAME_MARKERS.search(folded)
    if marker is not None:
        previous = [t for t in _tokens(folded[marker.end() :]) if t not in TITLES and t not in PARTICLES]
        folded = folded[: marker.start()]
    tokens: list[str] = []
    particles: list[str] = []
    for token in _tokens(folded):
        if token in TITLES:
            continue
        if token in PARTICLES:
            particles.append(token)
        else:
            tokens.append(token)
    if not tokens and particles:  # a surname that is only a particle ("De") is the name itself
        tokens, particles = particles, []
    return NameParts(tuple(tokens), tuple(particles), tuple(previous))


# --- addresses ---------------------------------------------------------------------------------------

_STREET_SUFFIXES = (
    (re.compile(r"(?:strasse|str\.?|strase|strsse)(?=\s|$|-|\d)"), "strasse"),
    (re.compile(r"pl\.(?=\s|$|-)"), "platz"),
    (re.compile(r"\bstr\b"), "strasse"),
)
_SANKT = re.compile(r"\b(?:st|skt)(?:\.\s*-?\s*|\s+)(?=[a-z])")
_HOUSE_IN_STREET = re.compile(r"^(.*?)[\s,]*(\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?)$")
_HOUSE = re.compile(r"^(\d+)\s*([a-z]?)(?:\s*[-/]\s*(\d+)\s*([a-z]?))?$")


@lru_cache(maxsize=200_000)
def normalise_street(text: str) -> str:
    """„Hauptstr.“, „Haupt-Straße“, „Haupt Str“ → ``"hauptstrasse"``; „St.-Johanner-Markt“ → ``"sanktjohannermarkt"``."""
    s = fold(text)
    s = _SANKT.sub("sankt ", s)
    for pattern, replacement in _STREET_SUFFIXES:
        s = pattern.sub(replacement, s)
    return _NON_ALNUM.sub("", s)


@lru_cache(maxsize=100_000)
def normalise_house_number(text: str) -> str:
    """„12a“, „12 A“, „12-14“, „12 - 14 b“ → ``"12a"``, ``"12a"``, ``"12-14"``, ``"12-14b"``; other text folded."""
    s = fold(text).replace(" ", "")
    m = _HOUSE.match(s)
    if m is None:
        rest = _NON_ALNUM.sub("", s)
        return normalise_house_number(rest) if rest != s else rest
    number, letter, upper, upper_letter = m.groups()
    out = str(int(number)) + letter
    if upper:
        out += "-" + str(int(upper)) + (upper_letter or "")
    return out


def split_street_house_number(street: str, house_number: str) -> tuple[str, str]:
    """Street and house number; a house number written into the street field is moved out of it."""
    if house_number.strip() or not street.strip():
        return normalise_street(street), normalise_house_number(house_number)
    m = _HOUSE_IN_STREET.match(fold(street))
    if m is None or not m.group(1):
        return normalise_street(street), ""
    return normalise_street(m.group(1)), normalise_house_number(m.group(2))


#: Abbreviations and colloquial names of places (Saarland first, the office's home).
CITY_ALIASES = {
    "sbr": "saarbruecken",
    "sb": "saarbruecken",
    "saarbr": "saarbruecken",
    "nk": "neunkirchen",
    "hom": "homburg",
    "igb": "sanktingbert",
    "wnd": "sanktwendel",
    "mzg": "merzig",
    "sls": "saarlouis",
    "vk": "voelklingen",
    "ffm": "frankfurt",
}
# Qualifiers after the name: "/Saar", "(Saar)", "a.d. Saar", "an der Saar", "am Main", "i. Allgäu".
_CITY_QUALIFIER = re.compile(
    r"(?:\s*[/(,].*$)|(?:\s+(?:a\.?\s*d\.?|an\s+der|am|a\.|i\.|im|in\s+der|ob\s+der|o\.?\s*d\.?|bei)(?:\s.*|$))"
)


@lru_cache(maxsize=100_000)
def normalise_city(text: str) -> str:
    """„Saarbrücken“, „Saarbruecken“, „Saarbrucken“, „Sbr.“ → ``"sarbrucken"``; „Dillingen/Saar“ → ``"diligen"``.

    The result is the :func:`skeleton` of the name (a place is compared, never displayed, in this form):
    place names are few and distinct, so the coarse key costs nothing and absorbs every umlaut spelling.
    """
    s = fold(text)
    s = _CITY_QUALIFIER.sub("", s)
    s = _SANKT.sub("sankt ", s)
    key = _NON_ALNUM.sub("", s)
    return skeleton(CITY_ALIASES.get(key, key))


@lru_cache(maxsize=100_000)
def normalise_postcode(text: str) -> str:
    """Five digits, or ``""``: „D-66111“ → ``"66111"``; four digits (old eastern notation, lost zero) padded."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 4:
        digits = "0" + digits
    return digits if len(digits) == 5 else ""


# --- dates -------------------------------------------------------------------------------------------

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_GERMAN = re.compile(r"^\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\s*$")
BIRTH_YEAR_MIN = 1880
BIRTH_YEAR_MAX = 2030


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A birth date as written: components are kept even when the calendar rejects them (31.02., or a
    day/month swap like 1970-13-05), because a typo is evidence too; ``valid`` says whether it is a date."""

    year: int
    month: int
    day: int

    @property
    def valid(self) -> bool:
        try:
            date(self.year, self.month, self.day)
        except ValueError:
            return False
        return True

    def as_int(self) -> int:
        return self.year * 10_000 + self.month * 100 + self.day

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@lru_cache(maxsize=200_000)
def parse_birth_date(text: str) -> BirthDate | None:
    """``YYYY-MM-DD`` or ``dd.mm.yyyy``; anything else, or an implausible value, is ``None`` (noise)."""
    m = _ISO.match(text)
    if m is not None:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _GERMAN.match(text)
        if m is None:
            return None
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (BIRTH_YEAR_MIN <= year <= BIRTH_YEAR_MAX and 1 <= month <= 31 and 1 <= day <= 31):
        return None
    if month > 12 and day > 12:
        return None
    return BirthDate(year, month, day)
