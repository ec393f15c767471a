"""Request and response schemas of the API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class Health(Schema):
    status: str
    database: str
    version: str


class Error(Schema):
    code: str
    message: str


class AgreementOut(Schema):
    reference: str
    valid_from: dt.date
    valid_to: dt.date | None
    regime: str
    claim_types: list[str]
    small_amount_threshold_cents: int
    billing_modality: str
    remittance_frequency: str
    notice_period_months: int
    notice_given_on: dt.date | None
    gazette_reference: str
    version: int


class PartnerOut(Schema):
    key: str
    name: str
    kind: str
    ags: str
    street: str
    postcode: str
    city: str
    iban: str
    active: bool
    agreements: list[AgreementOut]


class PartnerPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[PartnerOut]
