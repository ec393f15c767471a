"""One claim of a request, parsed from text fields (CSV cells or JSON values) into typed values.

Every problem becomes a :class:`Problem` with a machine code, the field and a German message; parsing
never stops at the first problem, so the rejection report lists all of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from kofo.money import Cents, MoneyParseError

FIELD_LABELS = {
    "kassenzeichen": "Kassenzeichen",
    "claim_type": "Forderungsart",
    "legal_basis": "Rechtsgrundlage",
    "assessment_date": "Bescheiddatum",
    "notified_on": "Bekanntgabe",
    "due_date": "Fälligkeit",
    "reminder_date": "Mahndatum",
    "reminder_deadline": "Mahnfrist",
    "principal": "Hauptforderung",
    "surcharges": "Säumniszuschläge",
    "surcharges_until": "Säumniszuschläge bis",
    "reminder_fee": "Mahngebühr",
    "prior_costs": "Kosten",
    "debtor_id": "Schuldnernummer",
    "debtor_kind": "Schuldnerart",
    "surname": "Familienname",
    "given_names": "Vornamen",
    "birth_name": "Geburtsname",
    "birth_date": "Geburtsdatum",
    "legal_name": "Firma",
    "legal_form": "Rechtsform",
    "register_court": "Registergericht",
    "register_number": "Registernummer",
    "street": "Straße",
    "house_number": "Hausnummer",
    "postcode": "PLZ",
    "city": "Ort",
    "country": "Staat",
    "phone": "Telefon",
    "email": "E-Mail",
    "iban": "IBAN",
    "requested_measures": "Maßnahmen",
    "notes": "Hinweise",
}

DEBTOR_KINDS = {
    "natuerlich": "natural",
    "natürlich": "natural",
    "natural": "natural",
    "person": "natural",
    "np": "natural",
    "juristisch": "legal",
    "legal": "legal",
    "firma": "legal",
    "jp": "legal",
}


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class DebtorInput:
    kind: str
    partner_debtor_id: str = ""
    surname: str = ""
    given_names: str = ""
    birth_name: str = ""
    birth_date: dt.date | None = None
    legal_name: str = ""
    legal_form: str = ""
    register_court: str = ""
    register_number: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "DE"
    phone: str = ""
    email: str = ""
    iban: str = ""

    def content_hash(self) -> str:
        data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(self).items()}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ClaimInput:
    kassenzeichen: str
    claim_type: str
    legal_basis: str
    assessment_date: dt.date
    notified_on: dt.date | None
    due_date: dt.date
    reminder_date: dt.date | None
    reminder_deadline: dt.date | None
    principal: Cents
    surcharges: Cents
    surcharges_until: dt.date | None
    reminder_fee: Cents
    prior_costs: Cents
    debtor: DebtorInput
    requested_measures: tuple[str, ...] = field(default=())
    notes: str = ""

    def content_hash(self) -> str:
        """What identifies the *content* of a claim: same Kassenzeichen + same hash = resubmission."""
        data: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key == "debtor":
                data[key] = self.debtor.content_hash()
            elif isinstance(value, dt.date):
                data[key] = value.isoformat()
            elif isinstance(value, tuple):
                data[key] = list(value)
            else:
                data[key] = int(value) if isinstance(value, Cents) else value
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @property
    def total(self) -> Cents:
        return self.principal + self.surcharges + self.reminder_fee + self.prior_costs


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> dt.date:
    """dd.mm.yyyy (the CSV standard) or YYYY-MM-DD (JSON)."""
    value = text.strip()
    match = _GERMAN.fullmatch(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.fullmatch(value)
        if not match:
            raise ValueError(value)
        year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


class _Parser:
    def __init__(self, raw: dict[str, str]) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def text(self, name: str, max_length: int = 200, required: bool = False) -> str:
        value = (self.raw.get(name) or "").strip()
        if required and not value:
            self.problems.append(
                Problem("item.missing", name, f"{FIELD_LABELS[name]} fehlt; die Angabe ist Pflicht.")
            )
        if len(value) > max_length:
            self.problems.append(
                Problem("item.too_long", name, f"{FIELD_LABELS[name]} ist länger als {max_length} Zeichen.")
            )
            value = value[:max_length]
        return value

    def date(self, name: str, required: bool = False) -> dt.date | None:
        value = self.text(name, 20, required)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.problems.append(
                Problem(
                    "item.date_invalid",
                    name,
                    f"{FIELD_LABELS[name]} „{value}“ ist kein gültiges Datum (erwartet TT.MM.JJJJ).",
                )
            )
            return None

    def money(self, name: str, required: bool = False) -> Cents | None:
        value = self.text(name, 30, required)
        if not value:
            return None if required else Cents(0)
        try:
            amount = Cents.parse(value)
        except MoneyParseError as exc:
            self.problems.append(Problem("item.amount_invalid", name, f"{FIELD_LABELS[name]}: {exc}"))
            return None
        if amount < 0:
            self.problems.append(
                Problem("item.amount_negative", name, f"{FIELD_LABELS[name]} darf nicht negativ sein.")
            )
            return None
        return amount


def parse_item(raw: dict[str, str]) -> tuple[ClaimInput | None, list[Problem]]:
    """Parse one item's text fields. Returns the typed claim (None if unusable) and every problem."""
    p = _Parser(raw)
    if raw.get("__extra_values__"):
        p.problems.append(
            Problem(
                "item.extra_values",
                "",
                f"Die Zeile hat {raw['__extra_values__']} Werte mehr als die Kopfzeile.",
            )
        )
    kassenzeichen = p.text("kassenzeichen", 60, required=True)
    claim_type = p.text("claim_type", 40, required=True).lower()
    legal_basis = p.text("legal_basis")
    assessment_date = p.date("assessment_date", required=True)
    notified_on = p.date("notified_on")
    due_date = p.date("due_date", required=True)
    reminder_date = p.date("reminder_date")
    reminder_deadline = p.date("reminder_deadline")
    principal = p.money("principal", required=True)
    surcharges = p.money("surcharges")
    surcharges_until = p.date("surcharges_until")
    reminder_fee = p.money("reminder_fee")
    prior_costs = p.money("prior_costs")

    kind_text = p.text("debtor_kind", 20, required=True).lower()
    kind = DEBTOR_KINDS.get(kind_text, "")
    if kind_text and not kind:
        p.problems.append(
            Problem(
                "item.debtor_kind_invalid",
                "debtor_kind",
                f"Schuldnerart „{kind_text}“ ist unbekannt (erlaubt: natuerlich, juristisch).",
            )
        )
    if principal is not None and principal == 0:
        p.problems.append(Problem("item.principal_zero", "principal", "Die Hauptforderung ist 0,00 EUR."))
        principal = None
    debtor = DebtorInput(
        kind=kind or "natural",
        partner_debtor_id=p.text("debtor_id", 60),
        surname=p.text("surname", 120, required=kind == "natural"),
        given_names=p.text("given_names", 120, required=kind == "natural"),
        birth_name=p.text("birth_name", 120),
        birth_date=p.date("birth_date"),
        legal_name=p.text("legal_name", 250, required=kind == "legal"),
        legal_form=p.text("legal_form", 60),
        register_court=p.text("register_court", 80),
        register_number=p.text("register_number", 40),
        street=p.text("street", 120),
        house_number=p.text("house_number", 20),
        postcode=p.text("postcode", 10, required=True),
        city=p.text("city", 80, required=True),
        country=(p.text("country", 2) or "DE").upper(),
        phone=p.text("phone", 40),
        email=p.text("email", 254),
        iban="".join(p.text("iban", 40).split()).upper(),
    )
    measures_text = p.text("requested_measures", 300)
    measures = tuple(m.strip() for m in re.split(r"[,|]", measures_text) if m.strip())
    notes = p.text("notes", 2000)
    if (
        p.problems
        or assessment_date is None
        or due_date is None
        or principal is None
        or surcharges is None
        or reminder_fee is None
        or prior_costs is None
    ):
        return None, p.problems
    return (
        ClaimInput(
            kassenzeichen=kassenzeichen,
            claim_type=claim_type,
            legal_basis=legal_basis,
            assessment_date=assessment_date,
            notified_on=notified_on,
            due_date=due_date,
            reminder_date=reminder_date,
            reminder_deadline=reminder_deadline,
            principal=principal,
            surcharges=surcharges,
            surcharges_until=surcharges_until,
            reminder_fee=reminder_fee,
            prior_costs=prior_costs,
            debtor=debtor,
            requested_measures=measures,
            notes=notes,
        ),
        p.problems,
    )
