"""Synthetic German debtor records with ground truth (deterministic by seed).

The population is built as households in the Saarland and its neighbourhood, so that the data contain
the hard negatives a real office sees (spouses and children at one address with one surname, twins,
the many Müllers and Schmidts). Each debtor then appears in one or more partners' records, each record
showing the person as that partner knows them. The noise model is documented in ``docs/linkage.md``;
its rates are the constants below. Pure Python, no I/O: the benchmark writes the CSV.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from kofo.debtors.linkage.records import PersonRecord

# --- the noise model (probabilities per record unless said otherwise) -----------------------------------

#: Records per debtor: weights for 1, 2, 3, … records (one debtor, several partners or requests).
RECORDS_PER_DEBTOR = (0.50, 0.22, 0.12, 0.07, 0.04, 0.03, 0.02)
#: Household sizes 1..5 (adult members and children who are debtors themselves).
HOUSEHOLD_SIZES = (0.40, 0.33, 0.13, 0.10, 0.04)
P_MOVED_ONCE = 0.25  # per debtor: has an earlier address
P_MOVED_TWICE = 0.08  # per debtor: has two earlier addresses
P_MARRIED_NAME_CHANGE = 0.55  # per married woman: took the spouse's name (birth name differs)
P_RECORD_BEFORE_MARRIAGE = 0.25  # per record of such a woman: shows the birth name as surname
P_BIRTH_NAME_GIVEN = 0.35  # per record after the change: birth name column filled
P_BIRTH_NAME_IN_SURNAME = 0.05  # … or written into the surname field („Schmidt geb. Müller“)
P_DOUBLE_SURNAME = 0.05  # per debtor: a double surname (Müller-Lüdenscheidt)
P_DOUBLE_GIVEN = 0.18  # per debtor: two given names
P_PARTICLE = 0.006  # per debtor: a name particle (von, van, de)
P_SURNAME_TYPO = 0.07
P_GIVEN_TYPO = 0.05
P_STREET_TYPO = 0.03
P_UMLAUT_AE = 0.20  # the source system writes ü as ue
P_UMLAUT_FOLDED = 0.08  # … or as u
P_UPPER_CASE = 0.12
P_TITLE = 0.03
P_SWAPPED_NAMES = 0.015
P_BIRTH_DATE_MISSING = 0.10
P_BIRTH_DATE_TYPO = 0.06
P_GERMAN_DATE_FORMAT = 0.40  # dd.mm.yyyy instead of YYYY-MM-DD
P_STREET_ABBREVIATED = 0.30
P_HOUSE_NUMBER_MISSING = 0.05
P_HOUSE_NUMBER_IN_STREET = 0.04
P_POSTCODE_MISSING = 0.04
P_POSTCODE_TYPO = 0.02
P_CITY_VARIANT = 0.20
P_CITY_MISSING = 0.03
P_STREET_MISSING = 0.03
P_TWINS = 0.015  # per household with children

# --- name and place data ---------------------------------------------------------------------------------

# Common surnames with their approximate share per mille in Germany (Saarland names raised), the rest of
# the population gets generated names from a long tail.
COMMON_SURNAMES: tuple[tuple[str, float], ...] = (
    ("Müller", 3.2), ("Schmidt", 2.3), ("Schneider", 1.4), ("Fischer", 1.2), ("Weber", 1.1),
    ("Meyer", 1.0), ("Wagner", 1.0), ("Becker", 0.95), ("Schulz", 0.9), ("Hoffmann", 0.9),
    ("Schäfer", 0.8), ("Koch", 0.75), ("Bauer", 0.72), ("Richter", 0.7), ("Klein", 0.9),
    ("Wolf", 0.62), ("Schröder", 0.6), ("Neumann", 0.6), ("Schwarz", 0.6), ("Zimmermann", 0.58),
    ("Braun", 0.55), ("Krüger", 0.55), ("Hofmann", 0.52), ("Hartmann", 0.5), ("Lange", 0.5),
    ("Schmitt", 0.8), ("Werner", 0.48), ("Schmitz", 0.48), ("Krause", 0.47), ("Meier", 0.6),
    ("Lehmann", 0.45), ("Schmid", 0.44), ("Schulze", 0.44), ("Maier", 0.43), ("Köhler", 0.42),
    ("Herrmann", 0.42), ("König", 0.41), ("Walter", 0.4), ("Mayer", 0.4), ("Huber", 0.38),
    ("Kaiser", 0.37), ("Fuchs", 0.36), ("Peters", 0.36), ("Lang", 0.35), ("Scholz", 0.35),
    ("Möller", 0.34), ("Weiß", 0.34), ("Jung", 0.6), ("Hahn", 0.33), ("Schubert", 0.32),
    ("Vogel", 0.32), ("Friedrich", 0.31), ("Keller", 0.31), ("Günther", 0.3), ("Frank", 0.3),
    ("Berger", 0.3), ("Winkler", 0.29), ("Roth", 0.29), ("Beck", 0.29), ("Lorenz", 0.28),
    ("Baumann", 0.28), ("Franke", 0.27), ("Albrecht", 0.27), ("Schuster", 0.27), ("Simon", 0.27),
    ("Ludwig", 0.26), ("Böhm", 0.26), ("Winter", 0.26), ("Kraus", 0.25), ("Martin", 0.25),
    ("Schumacher", 0.25), ("Krämer", 0.25), ("Vogt", 0.24), ("Stein", 0.24), ("Jäger", 0.24),
    ("Otto", 0.24), ("Sommer", 0.23), ("Groß", 0.23), ("Seidel", 0.23), ("Heinrich", 0.23),
    ("Brandt", 0.22), ("Haas", 0.22), ("Schreiber", 0.22), ("Graf", 0.22), ("Schulte", 0.21),
    ("Dietrich", 0.21), ("Ziegler", 0.21), ("Kuhn", 0.21), ("Kühn", 0.21), ("Pohl", 0.2),
    ("Engel", 0.2), ("Horn", 0.2), ("Busch", 0.2), ("Bergmann", 0.2), ("Thomas", 0.2),
    ("Voigt", 0.2), ("Sauer", 0.2), ("Arnold", 0.19), ("Wolff", 0.19), ("Pfeiffer", 0.19),
    ("Zimmer", 0.3), ("Scherer", 0.3), ("Theis", 0.28), ("Kiefer", 0.25), ("Bach", 0.22),
    ("Recktenwald", 0.2), ("Maas", 0.2), ("Schwan", 0.15), ("Altmeyer", 0.15), ("Kreutzer", 0.15),
    ("Ecker", 0.14), ("Thiel", 0.14), ("Ney", 0.12), ("Yılmaz", 0.2), ("Kaya", 0.15),
    ("Demir", 0.15), ("Nowak", 0.12), ("Kowalski", 0.1), ("Rossi", 0.08), ("Dubois", 0.05),
)  # fmt: skip
COMMON_SURNAME_SHARE = 0.15

MALE_GIVEN: tuple[str, ...] = (
    "Peter", "Michael", "Thomas", "Andreas", "Wolfgang", "Klaus", "Jürgen", "Stefan", "Hans", "Christian",
    "Uwe", "Werner", "Frank", "Markus", "Bernd", "Alexander", "Martin", "Matthias", "Dieter", "Manfred",
    "Daniel", "Günter", "Jan", "Sebastian", "Tobias", "Florian", "Lukas", "Jonas", "Leon", "Paul",
    "Felix", "Maximilian", "Tim", "Niklas", "Dirk", "Jörg", "Karl", "Heinz", "Horst", "Helmut",
    "Gerhard", "Rainer", "Ralf", "Sven", "Torsten", "Oliver", "Patrick", "Marco", "Kevin", "Dennis",
    "Björn", "Kai", "Lars", "Nils", "Philipp", "Simon", "David", "Fabian", "Julian", "Moritz",
    "Elias", "Ben", "Finn", "Noah", "Luca", "Mehmet", "Ali", "Ahmet", "Mustafa", "Hüseyin",
    "Josef", "Georg", "Franz", "Heinrich", "Walter", "Kurt", "Erich", "Rolf", "Norbert", "Reinhard",
    "Christoph", "Carsten", "Holger", "Volker", "Joachim", "Harald", "Hartmut", "Detlef", "Achim", "René",
    "Jens", "Mario", "Sascha", "Benjamin", "Dominik", "Marcel", "Robin", "Pascal", "Yannick", "Emil",
)  # fmt: skip
FEMALE_GIVEN: tuple[str, ...] = (
    "Maria", "Ursula", "Monika", "Petra", "Elisabeth", "Sabine", "Renate", "Helga", "Karin", "Brigitte",
    "Ingrid", "Erika", "Andrea", "Gisela", "Claudia", "Susanne", "Gabriele", "Christa", "Christine",
    "Hildegard", "Anna", "Birgit", "Barbara", "Heike", "Nicole", "Stefanie", "Julia", "Katharina",
    "Sandra", "Anja", "Tanja", "Melanie", "Jessica", "Lisa", "Laura", "Sarah", "Lena", "Lea", "Hannah",
    "Emma", "Mia", "Sophie", "Marie", "Jana", "Kerstin", "Silke", "Martina", "Angelika", "Doris",
    "Jutta", "Marion", "Bärbel", "Käthe", "Zoë", "Chantal", "Ayşe", "Fatma", "Özlem", "Elke", "Anke",
    "Manuela", "Simone", "Daniela", "Nadine", "Yvonne", "Carina", "Vanessa", "Franziska", "Johanna",
    "Charlotte", "Luisa", "Ella", "Clara", "Greta", "Ida", "Frieda", "Margarete", "Irmgard", "Gertrud",
    "Waltraud", "Rosemarie", "Edith", "Hannelore", "Ilse", "Inge", "Christel", "Ute", "Beate", "Dagmar",
    "Cornelia", "Iris", "Regina", "Tina", "Kathrin", "Miriam", "Svenja", "Nina", "Jasmin", "Michelle",
)  # fmt: skip
SECOND_GIVEN_MALE = (
    "Peter",
    "Josef",
    "Maria",
    "Heinz",
    "Karl",
    "Michael",
    "Walter",
    "Friedrich",
    "Georg",
    "Jürgen",
)
SECOND_GIVEN_FEMALE = (
    "Maria",
    "Luise",
    "Marie",
    "Christine",
    "Elisabeth",
    "Anna",
    "Katharina",
    "Sophie",
    "Helene",
)
PARTICLES = ("von", "van", "de", "von der")
TITLES = ("Dr.", "Prof. Dr.", "Dipl.-Ing.")

# Places: (city as usually written, variants, postcodes, relative population).
PLACES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("Saarbrücken", ("Saarbruecken", "Sbr.", "SAARBRÜCKEN"), ("66111", "66113", "66115", "66117", "66119", "66121", "66123", "66125", "66127", "66128", "66129", "66130", "66131", "66132", "66133"), 180.0),
    ("Völklingen", ("Voelklingen",), ("66333",), 39.0),
    ("Neunkirchen", ("Neunkirchen/Saar",), ("66538", "66539", "66540"), 46.0),
    ("Homburg", ("Homburg/Saar",), ("66424",), 42.0),
    ("Saarlouis", ("Saarlouis-Roden",), ("66740",), 35.0),
    ("Merzig", (), ("66663",), 30.0),
    ("St. Ingbert", ("Sankt Ingbert", "St.Ingbert"), ("66386",), 35.0),
    ("St. Wendel", ("Sankt Wendel",), ("66606",), 26.0),
    ("Dillingen/Saar", ("Dillingen", "Dillingen (Saar)"), ("66763",), 20.0),
    ("Blieskastel", (), ("66440",), 20.0),
    ("Lebach", (), ("66822",), 19.0),
    ("Sulzbach/Saar", ("Sulzbach",), ("66280",), 16.0),
    ("Püttlingen", ("Puettlingen",), ("66346",), 18.0),
    ("Wadern", (), ("66687",), 15.0),
    ("Friedrichsthal", (), ("66299",), 10.0),
    ("Quierschied", (), ("66287",), 13.0),
    ("Heusweiler", (), ("66265",), 18.0),
    ("Riegelsberg", (), ("66292",), 14.0),
    ("Schwalbach", (), ("66773",), 17.0),
    ("Bexbach", (), ("66450",), 17.0),
    ("Ottweiler", (), ("66564",), 14.0),
    ("Illingen", (), ("66557",), 16.0),
    ("Eppelborn", (), ("66571",), 17.0),
    ("Tholey", (), ("66636",), 12.0),
    ("Losheim am See", ("Losheim",), ("66679",), 16.0),
    ("Mettlach", (), ("66693",), 12.0),
    ("Wadgassen", (), ("66787",), 17.0),
    ("Überherrn", ("Ueberherrn",), ("66802",), 11.0),
    ("Saarwellingen", (), ("66793",), 13.0),
    ("Kleinblittersdorf", (), ("66271",), 11.0),
    ("Kirkel", (), ("66459",), 10.0),
    ("Spiesen-Elversberg", ("Spiesen Elversberg",), ("66583",), 13.0),
    ("Schiffweiler", (), ("66578",), 15.0),
    ("Marpingen", (), ("66646",), 10.0),
    ("Zweibrücken", ("Zweibruecken",), ("66482",), 34.0),
    ("Kaiserslautern", (), ("67655", "67657", "67659", "67661", "67663"), 100.0),
    ("Pirmasens", (), ("66953", "66954", "66955"), 40.0),
    ("Trier", (), ("54290", "54292", "54294", "54295", "54296"), 110.0),
)  # fmt: skip

STREET_BASES = (
    "Haupt", "Bahnhof", "Schul", "Garten", "Kirch", "Dorf", "Berg", "Wald", "Ring", "Wiesen", "Linden",
    "Friedhof", "Goethe", "Schiller", "Kaiser", "Mozart", "Beethoven", "Blumen", "Birken", "Buchen",
    "Eichen", "Tannen", "Rosen", "Mühlen", "Brunnen", "Kloster", "Markt", "Post", "Rathaus", "Saarbrücker",
    "Neunkircher", "Trierer", "Luisen", "Wilhelm", "Friedrich", "Karl", "Ludwig", "Bismarck", "Sonnen",
    "Höhen", "Feld", "Acker", "Weiher", "Schloss", "Burg", "Brücken", "Hütten", "Gruben", "Eisenbahn",
    "Industrie", "Jahn", "Uhland", "Lessing", "Herder", "Kant", "Richard-Wagner", "Beckinger", "Römer",
    "Hohenzollern", "Mainzer", "Metzer", "Lothringer", "Pfälzer", "Schwalbacher", "Heinrich-Böll",
    "Albert-Schweitzer", "Am Schäfer", "Im Winkel", "Auf der Höh", "St.-Johanner", "Keltern", "Quer",
)  # fmt: skip
STREET_PREFIXES = ("", "", "", "", "Alte ", "Neue ", "Obere ", "Untere ", "Kleine ", "Große ", "Hintere ")
#: Streets per unit of a place's population weight (the weights are thousands of inhabitants).
STREETS_PER_POPULATION = 8
P_PERSON_STREET = 0.4
STREET_SUFFIXES = (
    ("straße", 0.7),
    ("weg", 0.15),
    ("platz", 0.04),
    ("gasse", 0.05),
    ("allee", 0.03),
    ("ring", 0.03),
)
_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "r": "et", "s": "ad",
    "t": "rz", "u": "zi", "v": "cb", "w": "qe", "z": "tu",
}  # fmt: skip
_SYLLABLES_START = ("Ba", "Be", "Bre", "Da", "Dre", "Ek", "Fa", "Fe", "Ga", "Ge", "Gro", "Ha", "He", "Hi", "Ho", "Ka", "Ke", "Kle", "Kno", "Kra", "Kro", "La", "Le", "Lo", "Ma", "Me", "Mo", "Na", "Ne", "No", "Pa", "Pe", "Pfe", "Ra", "Re", "Ri", "Ro", "Sa", "Sche", "Schi", "Schna", "Se", "Spe", "Sta", "Ste", "Stro", "Ta", "Te", "Tho", "Vo", "Wa", "We", "Wi", "Za", "Ze", "Zi")  # fmt: skip
_SYLLABLES_MID = ("", "", "l", "n", "r", "s", "ck", "ch", "nd", "rt", "tz", "mm", "ss", "ll", "hn", "ß", "ns")
_SYLLABLES_END = ("er", "el", "mann", "ner", "ler", "berger", "inger", "ert", "ke", "ling", "bach", "meier", "hofer", "wald", "stein", "haus", "rich", "s", "en", "e", "z", "ig", "old", "hard", "ow", "ski", "ich", "i", "ü", "äuser", "öcker")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    house_number: str
    postcode: str
    city: str
    city_variants: tuple[str, ...]


@dataclass
class Person:
    """A true debtor: what a perfect register would say."""

    entity_id: int
    sex: str
    given: tuple[str, ...]
    surname: str
    birth_surname: str  # differs from surname after a marriage name change
    particle: str
    birth_date: tuple[int, int, int]
    addresses: list[Address]  # current first, then earlier ones


@dataclass(frozen=True, slots=True)
class LabelledRecord:
    record: PersonRecord
    entity_id: int


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        rng = self.rng
        # Long tail of surnames: Zipf-like weights over generated names.
        tail = sorted(
            {
                rng.choice(_SYLLABLES_START) + rng.choice(_SYLLABLES_MID) + rng.choice(_SYLLABLES_END)
                for _ in range(60_000)
            }
        )
        rng.shuffle(tail)
        tail_weights = [1.0 / (i + 10) ** 0.9 for i in range(len(tail))]
        scale = (1 - COMMON_SURNAME_SHARE) / sum(tail_weights)
        common_total = sum(w for _, w in COMMON_SURNAMES)
        self.surnames = [n for n, _ in COMMON_SURNAMES] + tail
        self.surname_weights = [w / common_total * COMMON_SURNAME_SHARE for _, w in COMMON_SURNAMES] + [
            w * scale for w in tail_weights
        ]
        self.surname_cum = list(accumulate(self.surname_weights))
        self.male_cum = list(accumulate(1.0 / (i + 3) for i in range(len(MALE_GIVEN))))
        self.female_cum = list(accumulate(1.0 / (i + 3) for i in range(len(FEMALE_GIVEN))))
        self.place_cum = list(accumulate(p[3] for p in PLACES))
        self.streets: list[list[str]] = []
        for _, _, _, population in PLACES:
            # About one street per 125 inhabitants of the population weight's scale: Saarbrücken ≈ 1,400.
            count = max(40, int(population * STREETS_PER_POPULATION))
            names: set[str] = set()
            while len(names) < count:
                if rng.random() < P_PERSON_STREET:  # Heinrich-Böll-Straße, Käthe-Kollwitz-Weg
                    given = rng.choice(MALE_GIVEN[:40] + FEMALE_GIVEN[:40])
                    family = rng.choice(COMMON_SURNAMES)[0]
                    suffix = rng.choice(("Straße", "Straße", "Weg", "Platz", "Allee"))
                    names.add(f"{given}-{family}-{suffix}")
                    continue
                base = rng.choice(STREET_BASES)
                suffix = rng.choices([s for s, _ in STREET_SUFFIXES], [w for _, w in STREET_SUFFIXES])[0]
                prefix = rng.choice(STREET_PREFIXES)
                if base.startswith(("Am ", "Im ", "Auf ")):
                    names.add(base)
                elif "-" in base or base.endswith("er"):
                    names.add(f"{prefix}{base} {suffix.capitalize()}")
                else:
                    names.add(prefix + base + suffix)
            self.streets.append(sorted(names))
        self.next_entity = 0

    def surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_cum)[0]

    def given(self, sex: str) -> tuple[str, ...]:
        rng = self.rng
        pool, cum = (MALE_GIVEN, self.male_cum) if sex == "m" else (FEMALE_GIVEN, self.female_cum)
        first = rng.choices(pool, cum_weights=cum)[0]
        if rng.random() < P_DOUBLE_GIVEN:
            second = rng.choice(SECOND_GIVEN_MALE if sex == "m" else SECOND_GIVEN_FEMALE)
            if second != first:
                return (first, second)
        return (first,)

    def address(self) -> Address:
        rng = self.rng
        i = rng.choices(range(len(PLACES)), cum_weights=self.place_cum)[0]
        city, variants, postcodes, _ = PLACES[i]
        street = rng.choice(self.streets[i])
        number = str(int(rng.expovariate(1 / 25)) + 1)
        if rng.random() < 0.08:
            number += rng.choice("abc")
        return Address(street, number, rng.choice(postcodes), city, variants)

    def birth_date(self, year_from: int, year_to: int) -> tuple[int, int, int]:
        rng = self.rng
        year = rng.randint(year_from, year_to)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
        return (year, month, day)

    def person(self, sex: str, surname: str, birth: tuple[int, int, int], address: Address) -> Person:
        rng = self.rng
        self.next_entity += 1
        addresses = [address]
        moves = 2 if rng.random() < P_MOVED_TWICE else 1 if rng.random() < P_MOVED_ONCE else 0
        addresses.extend(self.address() for _ in range(moves))
        particle = rng.choice(PARTICLES) if rng.random() < P_PARTICLE else ""
        return Person(self.next_entity, sex, self.given(sex), surname, surname, particle, birth, addresses)

    def household(self) -> list[Person]:
        rng = self.rng
        size = rng.choices(range(1, 6), HOUSEHOLD_SIZES)[0]
        address = self.address()
        surname = self.surname()
        if rng.random() < P_DOUBLE_SURNAME:
            surname = f"{surname}-{self.surname()}"
        first_birth = self.birth_date(1940, 2004)
        first_sex = rng.choice("mf")
        members = [self.person(first_sex, surname, first_birth, address)]
        if size >= 2:
            year = min(2004, max(1938, first_birth[0] + rng.randint(-6, 6)))
            spouse_sex = "f" if first_sex == "m" else "m"
            spouse = self.person(spouse_sex, surname, self.birth_date(year, year), address)
            if rng.random() < P_MARRIED_NAME_CHANGE:
                spouse.birth_surname = self.surname()  # the spouse took the family's name at marriage
            members.append(spouse)
        base_year = first_birth[0]
        for _ in range(max(0, size - 2)):
            year = min(2006, base_year + rng.randint(20, 38))
            child = self.person(rng.choice("mf"), surname, self.birth_date(year, year), address)
            members.append(child)
            if rng.random() < P_TWINS:
                members.append(self.person(rng.choice("mf"), surname, child.birth_date, address))
        return members


def _typo(rng: random.Random, text: str) -> str:
    """One keyboard error: substitution by a neighbour key, deletion, insertion or transposition."""
    if len(text) < 3:
        return text
    i = rng.randint(1, len(text) - 2)
    kind = rng.random()
    ch = text[i].lower()
    if kind < 0.35 and ch in _KEYBOARD_NEIGHBOURS:
        return text[:i] + rng.choice(_KEYBOARD_NEIGHBOURS[ch]) + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _umlauts(text: str, style: str) -> str:
    if style == "ae":
        return (
            text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
            .replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
        )  # fmt: skip
    if style == "folded":
        return (
            text.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("ß", "ss")
            .replace("Ä", "A").replace("Ö", "O").replace("Ü", "U")
        )  # fmt: skip
    return text


def _date_typo(rng: random.Random, birth: tuple[int, int, int]) -> tuple[int, int, int]:
    year, month, day = birth
    kind = rng.random()
    if kind < 0.3:  # two adjacent digits transposed
        digits = list(f"{year:04d}{month:02d}{day:02d}")
        i = rng.choice([2, 4, 6])  # inside the year's last two digits, the month or the day
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        text = "".join(digits)
        return int(text[:4]), int(text[4:6]), int(text[6:])
    if kind < 0.5 and day <= 12:  # day and month swapped
        return year, day, month
    if kind < 0.8:  # one digit off in the day
        return year, month, min(28, max(1, day + rng.choice((-1, 1, 10, -10))))
    return year + rng.choice((-1, 1)), month, day


def _format_date(rng: random.Random, birth: tuple[int, int, int]) -> str:
    year, month, day = birth
    if rng.random() < P_GERMAN_DATE_FORMAT:
        return f"{day:02d}.{month:02d}.{year:04d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _street_variant(rng: random.Random, street: str) -> str:
    if rng.random() < P_STREET_ABBREVIATED and street.endswith("straße"):
        return street[: -len("straße")] + rng.choice(("str.", "str", "strasse", "Str."))
    if rng.random() < P_STREET_ABBREVIATED and street.endswith(" Straße"):
        return street[: -len(" Straße")] + rng.choice((" Str.", "-Str.", " Strasse"))
    return street


def _record(rng: random.Random, person: Person, record_id: str) -> PersonRecord:
    style = "ae" if rng.random() < P_UMLAUT_AE else "folded" if rng.random() < P_UMLAUT_FOLDED else "plain"
    # Which surname this partner knows: before a marriage name change, the birth name.
    changed = person.birth_surname != person.surname
    before = changed and rng.random() < P_RECORD_BEFORE_MARRIAGE
    surname = person.birth_surname if before else person.surname
    birth_name = ""
    if changed and not before:
        r = rng.random()
        if r < P_BIRTH_NAME_GIVEN:
            birth_name = person.birth_surname
        elif r < P_BIRTH_NAME_GIVEN + P_BIRTH_NAME_IN_SURNAME:
            surname = f"{surname} geb. {person.birth_surname}"
    if "-" in surname and " geb. " not in surname:
        r = rng.random()
        if r < 0.2:
            surname = surname.split("-")[0]
        elif r < 0.3:
            surname = surname.split("-")[1]
        elif r < 0.4:
            surname = surname.replace("-", " ")
    if person.particle and rng.random() < 0.7:
        surname = f"{person.particle} {surname}"
    given_tokens = person.given
    if len(given_tokens) > 1 and rng.random() < 0.4:
        given_tokens = given_tokens[:1]
    given = (" " if rng.random() < 0.5 else "-").join(given_tokens)
    if rng.random() < P_SURNAME_TYPO:
        surname = _typo(rng, surname)
    if rng.random() < P_GIVEN_TYPO:
        given = _typo(rng, given)
    if rng.random() < P_TITLE:
        given = f"{rng.choice(TITLES)} {given}"
    if rng.random() < P_UPPER_CASE:
        surname = surname.upper()
    if rng.random() < P_SWAPPED_NAMES:
        surname, given = given, surname
    birth = ""
    if rng.random() >= P_BIRTH_DATE_MISSING:
        date = _date_typo(rng, person.birth_date) if rng.random() < P_BIRTH_DATE_TYPO else person.birth_date
        birth = _format_date(rng, date)
    address = rng.choice(person.addresses)
    street = _street_variant(rng, address.street)
    if rng.random() < P_STREET_TYPO:
        street = _typo(rng, street)
    house = address.house_number
    if house[-1:].isalpha() and rng.random() < 0.5:
        house = f"{house[:-1]} {house[-1].upper()}"
    if rng.random() < P_HOUSE_NUMBER_MISSING:
        house = ""
    elif rng.random() < P_HOUSE_NUMBER_IN_STREET:
        street, house = f"{street} {house}", ""
    if rng.random() < P_STREET_MISSING:
        street, house = "", ""
    postcode = address.postcode
    if rng.random() < P_POSTCODE_MISSING:
        postcode = ""
    elif rng.random() < P_POSTCODE_TYPO:
        i = rng.randint(2, 4)
        postcode = postcode[:i] + str(rng.randint(0, 9)) + postcode[i + 1 :]
    city = address.city
    if address.city_variants and rng.random() < P_CITY_VARIANT:
        city = rng.choice(address.city_variants)
    if rng.random() < P_CITY_MISSING:
        city = ""
    return PersonRecord(
        record_id=record_id,
        surname=_umlauts(surname, style),
        given_names=_umlauts(given, style),
        birth_name=_umlauts(birth_name, style),
        birth_date=birth,
        street=_umlauts(street, style),
        house_number=house,
        postcode=postcode,
        city=_umlauts(city, style),
    )


def generate(records: int, *, seed: int = 1969) -> list[LabelledRecord]:
    """``records`` person records with their true debtor (``entity_id``), deterministic by ``seed``.

    Record ids are ``R`` plus a number; the order of the list is random (but fixed by the seed).
    """
    gen = _Generator(seed)
    rng = gen.rng
    out: list[tuple[PersonRecord, int]] = []
    people: Iterator[Person] = iter(())

    def next_person() -> Person:
        nonlocal people
        for p in people:
            return p
        people = iter(gen.household())
        return next_person()

    while len(out) < records:
        person = next_person()
        count = rng.choices(range(1, len(RECORDS_PER_DEBTOR) + 1), RECORDS_PER_DEBTOR)[0]
        for _ in range(min(count, records - len(out))):
            out.append((_record(rng, person, ""), person.entity_id))
    rng.shuffle(out)
    width = len(str(records))
    return [
        LabelledRecord(
            PersonRecord(
                record_id=f"R{i:0{width}d}",
                surname=r.surname,
                given_names=r.given_names,
                birth_name=r.birth_name,
                birth_date=r.birth_date,
                street=r.street,
                house_number=r.house_number,
                postcode=r.postcode,
                city=r.city,
            ),
            entity,
        )
        for i, (r, entity) in enumerate(out)
    ]
