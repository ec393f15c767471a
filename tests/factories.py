"""Test data built through kofo's own actions (never by writing models directly)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from kofo.audit.actors import SystemActor
from kofo.partners.actions import do_create_user, do_save_agreement, do_save_office, do_save_partner
from kofo.partners.models import (
    Agreement,
    BillingModality,
    ClaimType,
    Office,
    Partner,
    PartnerKind,
    Regime,
)
from kofo.partners.roles import Role

TEST_ACTOR = SystemActor("system:test")
#: The header line of the intake CSV standard (docs/formats/intake-csv.md), for tests that build requests.
INTAKE_CSV_HEADER = (
    "kassenzeichen;forderungsart;rechtsgrundlage;bescheiddatum;bekanntgabe;faelligkeit;mahndatum;mahnfrist;"
    "hauptforderung;saeumniszuschlaege;saeumniszuschlaege_bis;mahngebuehr;kosten;schuldnernummer;schuldnerart;"
    "familienname;vornamen;geburtsname;geburtsdatum;firma;rechtsform;registergericht;registernummer;strasse;"
    "hausnummer;plz;ort;staat;telefon;email;iban;massnahmen;hinweise"
)
PASSWORD = "Test-Passwort-2026!"
_seq = itertools.count(1)

# Valid German IBANs (check digits correct) for test partners.
IBANS = [
    "DE02120300000000202051",
    "DE02500105170137075030",
    "DE89370400440532013000",
    "DE02100500000054540402",
]


def make_office(**overrides: Any) -> Office:
    fields: dict[str, Any] = {
        "name": "Landesverwaltungsamt Saarland",
        "department": "Zentrale Vollstreckungsstelle",
        "street": "Hochstraße 67",
        "postcode": "66115",
        "city": "Saarbrücken",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "creditor_id": "DE98ZZZ09999999999",
    }
    fields.update(overrides)
    return do_save_office(Office(**fields), actor=TEST_ACTOR)


def make_partner(**overrides: Any) -> Partner:
    n = next(_seq)
    fields: dict[str, Any] = {
        "key": f"gemeinde-test-{n}",
        "name": f"Gemeinde Test {n}",
        "kind": PartnerKind.GEMEINDE,
        "ags": "10044117",
        "street": "Rathausplatz 1",
        "postcode": "66740",
        "city": "Saarlouis",
        "iban": IBANS[n % len(IBANS)],
        "account_holder": f"Gemeinde Test {n}",
    }
    fields.update(overrides)
    return do_save_partner(Partner(**fields), actor=TEST_ACTOR)


def make_agreement(partner: Partner, **overrides: Any) -> Agreement:
    fields: dict[str, Any] = {
        "partner": partner,
        "reference": f"KV-{partner.key}-{next(_seq)}",
        "valid_from": dt.date(2025, 1, 1),
        "claim_types": [ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER],
        "regime": Regime.SVWVG_SL,
        "billing_modality": BillingModality.PER_MEASURE,
    }
    fields.update(overrides)
    return do_save_agreement(Agreement(**fields), actor=TEST_ACTOR)


def make_user(role: Role, partner: Partner | None = None, username: str | None = None) -> Any:
    return do_create_user(
        username=username or f"{role.name.lower()}-{next(_seq)}",
        password=PASSWORD,
        role=role,
        partner=partner,
        actor=TEST_ACTOR,
    )
