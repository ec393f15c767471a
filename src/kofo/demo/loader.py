"""The demo office: Landesverwaltungsamt Saarland with the Landkreis Saarlouis, six of its Gemeinden,
the Entsorgungsverband Saar and the Land, agreements under both regimes, one user per role.

Everything is created through kofo's actions, so the demo writes the same audit trail as real work.
Loading is idempotent: what exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from schwifty import IBAN

from kofo.audit.actors import SystemActor
from kofo.cases.casefiles import do_save_assignment_rule
from kofo.cases.models import AssignmentRule, AssignmentRuleKind
from kofo.partners.actions import (
    do_create_user,
    do_issue_api_token,
    do_save_agreement,
    do_save_office,
    do_save_partner,
)
from kofo.partners.models import (
    Agreement,
    BillingModality,
    ClaimType,
    Office,
    Partner,
    PartnerKind,
    Regime,
    RemittanceFrequency,
)
from kofo.partners.roles import Role

DEMO_ACTOR = SystemActor("system:demo")


def _iban(bank_code: str, account: int) -> str:
    return str(IBAN.generate("DE", bank_code=bank_code, account_code=f"{account:010d}"))


OFFICE = {
    "name": "Landesverwaltungsamt Saarland",
    "department": "Zentrale Vollstreckungsstelle",
    "street": "Hochstraße 67",
    "postcode": "66115",
    "city": "Saarbrücken",
    "iban": _iban("59050000", 4711001),
    "bank_name": "Landesbank Saar",
    "bic": "SALADE55XXX",
    "creditor_id": "DE98ZZZ09999999999",
    "phone": "0681 9712-0",
    "email": "vollstreckung@lava.saarland.de",
    "land": "SL",
}

# key, name, kind, AGS, street, postcode, city, bank code, contact
PARTNERS: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    (
        "landkreis-saarlouis",
        "Landkreis Saarlouis",
        PartnerKind.LANDKREIS,
        "10044000",
        "Kaiser-Wilhelm-Straße 4–6",
        "66740",
        "Saarlouis",
        "59350110",
        "Petra Schneider",
    ),
    (
        "stadt-saarlouis",
        "Kreisstadt Saarlouis",
        PartnerKind.GEMEINDE,
        "10044117",
        "Großer Markt 1",
        "66740",
        "Saarlouis",
        "59350110",
        "Thomas Becker",
    ),
    (
        "stadt-dillingen",
        "Stadt Dillingen/Saar",
        PartnerKind.GEMEINDE,
        "10044112",
        "Merziger Straße 51",
        "66763",
        "Dillingen/Saar",
        "59350110",
        "Sabine Klein",
    ),
    (
        "stadt-lebach",
        "Stadt Lebach",
        PartnerKind.GEMEINDE,
        "10044114",
        "Marktplatz 1",
        "66822",
        "Lebach",
        "59350110",
        "Michael Wagner",
    ),
    (
        "gemeinde-wadgassen",
        "Gemeinde Wadgassen",
        PartnerKind.GEMEINDE,
        "10044122",
        "Lindenstraße 114",
        "66787",
        "Wadgassen",
        "59350110",
        "Andrea Hoffmann",
    ),
    (
        "gemeinde-schwalbach",
        "Gemeinde Schwalbach",
        PartnerKind.GEMEINDE,
        "10044120",
        "Hauptstraße 92",
        "66773",
        "Schwalbach",
        "59350110",
        "Jürgen Müller",
    ),
    (
        "gemeinde-saarwellingen",
        "Gemeinde Saarwellingen",
        PartnerKind.GEMEINDE,
        "10044118",
        "Schlossplatz 1",
        "66793",
        "Saarwellingen",
        "59350110",
        "Monika Weber",
    ),
    (
        "evs",
        "Entsorgungsverband Saar (EVS)",
        PartnerKind.ZWECKVERBAND,
        "",
        "Untertürkheimer Straße 21",
        "66117",
        "Saarbrücken",
        "59050101",
        "Stefan Schmitt",
    ),
    (
        "land-saarland",
        "Saarland – Landeshauptkasse",
        PartnerKind.LAND,
        "10000000",
        "Am Stadtgraben 6–8",
        "66111",
        "Saarbrücken",
        "59050000",
        "Claudia Meyer",
    ),
]

MUNICIPAL_TYPES = [
    ClaimType.GRUNDSTEUER,
    ClaimType.GEWERBESTEUER,
    ClaimType.HUNDESTEUER,
    ClaimType.ABWASSER,
    ClaimType.ELTERNBEITRAG,
    ClaimType.BUSSGELD,
    ClaimType.SONSTIGE,
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str
    partner_key: str | None = None


DEMO_USERS = [
    DemoUser("admin", "Admin-Demo-2026!", Role.ADMINISTRATION, "Anna", "Administratorin"),
    DemoUser("innendienst", "Innen-Demo-2026!", Role.INNENDIENST, "Ingo", "Innendienst"),
    DemoUser("aussendienst", "Aussen-Demo-2026!", Role.AUSSENDIENST, "Aylin", "Außendienst"),
    DemoUser("partner", "Partner-Demo-2026!", Role.PARTNER, "Paul", "Partner", "landkreis-saarlouis"),
    DemoUser("pruefung", "Pruefung-Demo-2026!", Role.PRUEFUNG, "Petra", "Prüfung"),
]


def _agreement_for(partner: Partner, index: int) -> Agreement:
    base: dict[str, Any] = {
        "partner": partner,
        "reference": f"LaVA-KV-{2025 if index else 2024}-{index + 1:03d}",
        "valid_from": dt.date(2025, 1, 1) if index else dt.date(2024, 7, 1),
        "notice_period_months": 6,
        "signed_on": dt.date(2024, 11, 15) if index else dt.date(2024, 5, 2),
        "gazette_reference": f"Amtsbl. I 2024 S. {1480 + 12 * index}",
        "gazette_published_on": dt.date(2024, 12, 12) if index else dt.date(2024, 6, 20),
        "financing": "Kosten nach Aufwand gemäß Kostensatzverzeichnis der Kooperation; "
        "Nachkalkulation zum Jahresende.",
        "termination_rights": "Ordentliche Kündigung mit sechs Monaten Frist zum Jahresende; "
        "außerordentliche Kündigung aus wichtigem Grund.",
        "small_amount_threshold_cents": 3600,
    }
    if partner.kind == PartnerKind.LAND:
        base.update(
            regime=Regime.AO,
            claim_types=[ClaimType.RUECKFORDERUNG, ClaimType.ZWANGSGELD, ClaimType.SONSTIGE],
            billing_modality=BillingModality.QUARTERLY_INVOICE,
            remittance_frequency=RemittanceFrequency.DAILY,
            small_amount_threshold_cents=2500,
        )
    elif partner.kind == PartnerKind.ZWECKVERBAND:
        base.update(
            regime=Regime.SVWVG_SL,
            claim_types=[ClaimType.ABFALL, ClaimType.ABWASSER, ClaimType.BEITRAG],
            billing_modality=BillingModality.FLAT_RATE,
            remittance_frequency=RemittanceFrequency.WEEKLY,
        )
    elif partner.kind == PartnerKind.LANDKREIS:
        base.update(
            regime=Regime.SVWVG_SL,
            claim_types=[
                ClaimType.BUSSGELD,
                ClaimType.RUECKFORDERUNG,
                ClaimType.ELTERNBEITRAG,
                ClaimType.SONSTIGE,
            ],
            billing_modality=BillingModality.OFFSET,
            costs_offset=True,
            remittance_frequency=RemittanceFrequency.WEEKLY,
        )
    else:
        base.update(
            regime=Regime.SVWVG_SL,
            claim_types=[str(t) for t in MUNICIPAL_TYPES],
            billing_modality=BillingModality.OFFSET if index % 2 else BillingModality.PER_MEASURE,
            costs_offset=bool(index % 2),
            remittance_frequency=RemittanceFrequency.MONTHLY
            if index % 3 == 0
            else RemittanceFrequency.WEEKLY,
        )
    return Agreement(**base)


@dataclass
class DemoResult:
    created: list[str]
    users: list[DemoUser]
    api_token: str | None


def load_demo(step: Callable[[str], None] = lambda _label: None) -> DemoResult:
    """Create the demo data; ``step`` is called once per unit of work (for a progress bar)."""
    created: list[str] = []
    if Office.current() is None:
        do_save_office(Office(**OFFICE), actor=DEMO_ACTOR)
        created.append("Vollstreckungsstelle")
    step("Vollstreckungsstelle")

    partners: dict[str, Partner] = {}
    for index, (key, name, kind, ags, street, postcode, city, bank_code, contact) in enumerate(PARTNERS):
        partner = Partner.objects.filter(key=key).first()
        if partner is None:
            partner = do_save_partner(
                Partner(
                    key=key,
                    name=name,
                    kind=kind,
                    ags=ags,
                    street=street,
                    postcode=postcode,
                    city=city,
                    iban=_iban(bank_code, 90_000 + index * 1_111),
                    account_holder=name,
                    contact_name=contact,
                    contact_email=f"kasse@{key}.example",
                    contact_phone=f"06831 {4400 + index}",
                ),
                actor=DEMO_ACTOR,
            )
            created.append(name)
        partners[key] = partner
        if not partner.agreements.exists():
            agreement = do_save_agreement(_agreement_for(partner, index), actor=DEMO_ACTOR)
            created.append(agreement.reference)
            if key == "stadt-dillingen":
                # History: the small-amount threshold was raised by an amendment.
                agreement.small_amount_threshold_cents = 5000
                do_save_agreement(
                    agreement, actor=DEMO_ACTOR, reason="Kleinbetragsgrenze angehoben (Ratsbeschluss)"
                )
            if key == "gemeinde-schwalbach":
                agreement.notice_given_on = dt.date(2026, 6, 30)
                do_save_agreement(agreement, actor=DEMO_ACTOR, reason="Kündigung der Gemeinde eingegangen")
        step(name)

    User = get_user_model()
    for demo_user in DEMO_USERS:
        if not User.objects.filter(username=demo_user.username).exists():
            do_create_user(
                username=demo_user.username,
                password=demo_user.password,
                role=demo_user.role,
                first_name=demo_user.first_name,
                last_name=demo_user.last_name,
                email=f"{demo_user.username}@lava.saarland.de",
                partner=partners[demo_user.partner_key] if demo_user.partner_key else None,
                actor=DEMO_ACTOR,
            )
            created.append(f"Benutzer {demo_user.username}")
        step(demo_user.username)

    if not AssignmentRule.objects.exists():
        innendienst = User.objects.get(username="innendienst")
        for letters in (("A", "K"), ("L", "Z")):
            do_save_assignment_rule(
                AssignmentRule(
                    kind=AssignmentRuleKind.ALPHABET,
                    value_from=letters[0],
                    value_to=letters[1],
                    caseworker=innendienst,
                ),
                actor=DEMO_ACTOR,
            )
        created.append("Zuständigkeitsregeln A–K, L–Z (Innendienst)")

    token_secret = None
    landkreis = partners["landkreis-saarlouis"]
    if not landkreis.api_tokens.exists():
        _token, token_secret = do_issue_api_token(landkreis, name="Demo-Fachverfahren", actor=DEMO_ACTOR)
        created.append("API-Token Landkreis Saarlouis")
    step("API-Token")

    from kofo.demo.requests import load_requests

    for batch in load_requests(timezone.localdate()):
        created.append(
            f"Ersuchen {batch.filename}: {batch.items_accepted} angenommen, {batch.items_rejected} abgelehnt"
        )
    step("Vollstreckungsersuchen")
    return DemoResult(created=created, users=DEMO_USERS, api_token=token_secret)


DEMO_STEPS = 1 + len(PARTNERS) + len(DEMO_USERS) + 2
