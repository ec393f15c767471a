"""Demo enforcement requests: three partners hand over claims against the same people, each knowing
them slightly differently (the synthetic generator's documented noise model, docs/linkage.md), as CSV
files in the intake standard — so the demo shows bundling across creditors, the review queue and a
rejection report. Dates are relative to the day the demo is loaded, so the claims are enforceable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re

from kofo.audit.actors import SystemActor
from kofo.debtors.linkage.synthetic import generate
from kofo.intake.actions import do_import_request
from kofo.intake.formats import CSV_COLUMNS
from kofo.intake.models import Channel, ImportBatch
from kofo.money import Cents
from kofo.partners.models import Partner

DEMO_ACTOR = SystemActor("system:demo")
SEED = 66740
PEOPLE_RECORDS = 150

# partner key, claim types with (min, max) principal in euros
SUBMITTERS = [
    ("stadt-saarlouis", [("grundsteuer", 180, 1900), ("hundesteuer", 90, 240)]),
    ("evs", [("abfallgebuehren", 120, 640)]),
    ("landkreis-saarlouis", [("bussgeld", 60, 900), ("rueckforderung", 300, 2400)]),
]


def _usable(record: object) -> bool:
    postcode = getattr(record, "postcode", "")
    return bool(re.fullmatch(r"6[0-9]{4}", postcode)) and bool(getattr(record, "city", ""))


def _german(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    headers = list(CSV_COLUMNS.values())
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(field, "") for field in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def build_files(today: dt.date) -> dict[str, bytes]:
    """One CSV file per submitting partner (deterministic for a given day)."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    people = [r for r in generate(PEOPLE_RECORDS, seed=SEED) if _usable(r.record)]
    rows: dict[str, list[dict[str, str]]] = {key: [] for key, _ in SUBMITTERS}
    for index, entry in enumerate(people):
        key, types = SUBMITTERS[index % len(SUBMITTERS)]
        claim_type, low, high = rng.choice(types)
        assessment = today - dt.timedelta(days=rng.randint(150, 420))
        due = assessment + dt.timedelta(days=30)
        reminder = due + dt.timedelta(days=rng.randint(30, 70))
        record = entry.record
        birth = str(record.birth_date)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", birth):
            birth = _german(dt.date.fromisoformat(birth)) if _valid_iso(birth) else ""
        elif not re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", birth) or not _valid_german(birth):
            birth = ""
        rows[key].append(
            {
                "kassenzeichen": f"{claim_type[:2].upper()}-{assessment.year}-{index + 1:06d}",
                "claim_type": claim_type,
                "assessment_date": _german(assessment),
                "notified_on": _german(assessment + dt.timedelta(days=3)),
                "due_date": _german(due),
                "reminder_date": _german(reminder),
                "reminder_deadline": _german(reminder + dt.timedelta(days=14)),
                "principal": Cents(rng.randint(low * 100, high * 100)).format(symbol=False),
                "debtor_id": f"{key[:3].upper()}{entry.entity_id:05d}",
                "debtor_kind": "natuerlich",
                "surname": record.surname,
                "given_names": record.given_names,
                "birth_name": record.birth_name,
                "birth_date": birth,
                "street": record.street,
                "house_number": record.house_number,
                "postcode": record.postcode,
                "city": record.city,
            }
        )
    # Two companies known to two partners, and two rows a partner got wrong (for the rejection report).
    company = {
        "debtor_kind": "juristisch",
        "legal_name": "Saarbau Müller",
        "legal_form": "GmbH",
        "register_court": "Amtsgericht Saarbrücken",
        "register_number": "HRB 12345",
        "street": "Industriestraße",
        "house_number": "20",
        "postcode": "66740",
        "city": "Saarlouis",
    }
    base = {
        "assessment_date": _german(today - dt.timedelta(days=200)),
        "notified_on": _german(today - dt.timedelta(days=197)),
        "due_date": _german(today - dt.timedelta(days=170)),
        "reminder_date": _german(today - dt.timedelta(days=120)),
        "reminder_deadline": _german(today - dt.timedelta(days=106)),
    }
    rows["stadt-saarlouis"].append(
        {
            **base,
            **company,
            "kassenzeichen": "GW-DEMO-000042",
            "claim_type": "gewerbesteuer",
            "principal": "2.450,00",
        }
    )
    rows["evs"].append(
        {
            **base,
            **company,
            "legal_name": "Saarbau Mueller",
            "kassenzeichen": "AB-DEMO-000043",
            "claim_type": "abfallgebuehren",
            "principal": "612,40",
        }
    )
    rows["evs"].append(
        {**base, **company, "legal_name": "Bäckerei Klein", "register_number": "", "kassenzeichen": "AB-DEMO-000044",
         "claim_type": "abfallgebuehren", "principal": "18,00"}
    )  # fmt: skip
    rows["landkreis-saarlouis"].append(
        {**base, "reminder_date": "", "reminder_deadline": "", "kassenzeichen": "BU-DEMO-000045",
         "claim_type": "bussgeld", "principal": "150,00", "debtor_kind": "natuerlich", "surname": "Wagner",
         "given_names": "Peter", "birth_date": "09.09.1960", "street": "Bahnhofstraße", "house_number": "7",
         "postcode": "66740", "city": "Saarlouis"}
    )  # fmt: skip
    return {key: _csv(partner_rows) for key, partner_rows in rows.items()}


def _valid_iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_german(text: str) -> bool:
    day, month, year = text.split(".")
    return _valid_iso(f"{year}-{month}-{day}")


def load_requests(today: dt.date) -> list[ImportBatch]:
    """Import the demo files once (a partner that already submitted is skipped)."""
    batches = []
    for key, content in build_files(today).items():
        partner = Partner.objects.get(key=key)
        if ImportBatch.objects.filter(partner=partner).exists():
            continue
        batches.append(
            do_import_request(
                partner,
                content,
                channel=Channel.CSV,
                filename=f"ersuchen-{key}.csv",
                as_of=today,
                actor=DEMO_ACTOR,
            )
        )
    return batches
