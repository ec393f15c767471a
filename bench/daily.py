"""Daily-run benchmark (issue 4, item 8): the Tageslauf over a generated office, against a COPY floor.

For each database (SQLite file, PostgreSQL on 127.0.0.1:5432) the driver creates a fresh database, and in
one subprocess migrates it and generates the office, in a second subprocess runs the daily run for
``--run-date`` exactly as ``kofo daily --date`` plans and works it (``open_missing_cases``,
``do_plan_daily_run``, ``work_batches`` of :mod:`kofo.cases.daily`, in one process), timed. On PostgreSQL
the same subprocess then measures the floor: every row the run inserted or updated (found by ``xmin``) is
read out and written again with ``COPY … FROM STDIN`` into an empty copy of its table (``CREATE TABLE …
(LIKE … INCLUDING DEFAULTS)``: no indexes, no triggers), in one transaction; ``ratio`` is the run's time
over that. The subprocesses run with ``KOFO_DEBUG=0`` (no debug cursor), as in production.

Prints one JSON line per database and a summary line with the targets (1,000,000 claims within 10 minutes
on the 2-core machine — extrapolated linearly from a smaller ``--claims``, the field name says so — and
within 5× of the COPY floor). Usage::

    python bench/daily.py [--claims 1000000] [--files-ratio 2.5] [--seed 4] [--run-date 2026-11-25]
                          [--backends sqlite,postgresql] [--accrued-months 0] [--profile DIR]

The generated office: a normal day
==================================

Written with bulk inserts (``executemany`` on SQLite, ``COPY`` on PostgreSQL) in one transaction,
deterministic for a seed; the rows are those the actions would have written, except where listed below.

* The office (Saarland holidays), ``--partners`` partners (default 60: 1 Land under AO, 5 Landkreise, 4
  Zweckverbände, 50 Gemeinden — every other one under AO, the rest under SVwVG) with one agreement each
  and the claim types of their kind (Gemeinde: Grundsteuer, Gewerbesteuer, Hundesteuer,
  Abwassergebühren, Elternbeiträge, Bußgeld, Sonstige; Zweckverband: Abfall- and Abwassergebühren,
  Beiträge; Landkreis: Bußgeld, Rückforderung, Elternbeiträge, Sonstige; Land: Rückforderung, Zwangsgeld,
  Sonstige), ten caseworkers, the 10 banks of the debtors' IBANs as third parties, StrategySettings with
  ``automatic_kinds=["zahlungsaufforderung"]``.
* ``claims / files-ratio`` debtors (400,000 for 1,000,000 claims), 8 % legal entities; claims per debtor
  geometric (mean = the ratio); each claim from the debtor's home Gemeinde (65 %) or another partner. One
  ``DebtorRecord`` per debtor and partner, its content hash and normalised names as
  ``do_register_debtor_record`` computes them; 30 % of the debtors gave one partner an IBAN (a bank
  among ten Saarland/German banks). Not generated: the linkage index (``BlockingKey``), review queue.
* Every claim open (1 % deferred, the Stundung ending uniformly over the next 180 days, so about 1 in
  180 of them ends on the run date), due on a day of the last three years, handed over 30–150 days
  later; claim ids follow the day of hand-over. Principal log-normal by claim type (at least 36 EUR), 80 %
  reminded by the partner (a limitation event), 70 % with a 5 EUR reminder fee, 5 % with prior costs.
  The claims handed over *today* (0.2 % of the files, 1–2 claims each, a tenth of them due in 2021 so
  that their limitation warning is due) form new files.
* Säumniszuschläge (simplification, documented): the partner submitted every surcharge month of the
  claim up to *yesterday* (``surcharges_until = run date − 1``, ``surcharges_cents`` the months
  ``compute_surcharges`` gives up to yesterday), so the run books only the months that begin on the run
  date (about 1 in 30 of the surcharge-bearing claims). ``--accrued-months K`` moves the last K of those
  months from the partner's submission to the office's own bookings (``SurchargeAccrual`` rows with
  their transactions, as ``do_book_surcharge`` writes them), so that the run also reads booked months.
* Ledger: per claim the intake transaction (``intake.claim_taken_over``: debit the receivable of each
  component with an amount — principal, surcharge, fee, cost; ``1400-cases.claim-<id>-<component>`` —
  credit the partner's ``4000-<key>``). Every transaction balances; on PostgreSQL the load runs with
  ``session_replication_role = replica`` (triggers off: the deferred balance trigger, the append-only and
  foreign-key triggers) and the balance of every transaction is then checked with one query on both
  databases. Not generated: payments, fees of measures, the audit trail of the generated history (no
  ``AuditEvent``; the run starts the hash chain) and the intake archive (``ImportBatch``,
  ``RequestItem``).
* One open file (``Case``, number ``VA-nnnnnn``) per debtor, opened on the day its first claim came, a
  caseworker assigned; the known bank of an IBAN already noted (``CaseThirdParty``; in the files opened
  today the run notes it). Each file's measure history follows the strategy: the Zahlungsaufforderung went
  out the day the file was opened (its ``MeasureClaim`` rows are limitation events); its payment period
  ran out and the run finished it — unless it still runs (files of the last two weeks; those whose period
  ended yesterday are finished by this run, which then proposes the next measure). After it, per file at
  random: 6 % a second demand a year later, still running; 50 % a proposal waiting for the caseworker
  (PfEV Bank when a bank is known, else Vermögensauskunft, with its proposal follow-up); 30 % a running
  enforcement measure (PfEV Bank served and awaiting the declaration or the payout hold, or a
  Vermögensauskunft awaiting payment or the appointment — the clocks that ran out yesterday raise a
  follow-up in this run); 13 % suspended after a fruitless Vermögensauskunft and a Niederschlagung with
  review after 12 months (the files whose review date is the run date are reopened and get a new demand);
  1 % a measure the caseworker finished yesterday (PfEV Bank without result, or a fruitless
  Vermögensauskunft), so the strategy proposes the next one. A chain that does not fit between the file's
  opening and yesterday falls back to the waiting proposal.

So the run reads every open file and claim and writes what one ordinary day brings.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import cProfile
import datetime as dt
import hashlib
import io
import itertools
import json
import math
import os
import pstats
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_RUN_DATE = "2026-11-25"
TARGET_CLAIMS = 1_000_000
TARGET_SECONDS = 600
TARGET_COPY_RATIO = 5.0
GENERATOR = "system:bench-generator"
DAILY = "system:tageslauf"  # actor_name(DAILY_ACTOR): the run that started the generated measures
CHUNK_ROWS = 50_000
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"

# --- generated names and places -----------------------------------------------------------------------

SURNAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier",
    "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Schubert", "Vogel",
    "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
    "Franke", "Albrecht", "Schuster", "Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher"
)  # fmt: skip
GIVEN_NAMES = (
    "Anna", "Maria", "Julia", "Laura", "Lena", "Sarah", "Lisa", "Katharina", "Sabine", "Petra", "Monika",
    "Ursula", "Claudia", "Andrea", "Stefanie", "Nicole", "Sandra", "Christina", "Melanie", "Jana", "Peter",
    "Michael", "Thomas", "Andreas", "Stefan", "Markus", "Christian", "Frank", "Jürgen", "Klaus", "Wolfgang",
    "Dieter", "Uwe", "Martin", "Jan", "Tobias", "Daniel", "Alexander", "Sebastian", "Florian", "Lukas",
    "Jonas", "Felix", "Paul", "Hans", "Karl", "Heinz", "Werner", "Manfred", "Günter"
)  # fmt: skip
STREETS = (
    "Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Kirchstraße", "Saarbrücker Straße",
    "Lindenstraße", "Bergstraße", "Waldstraße", "Ringstraße", "Mühlenweg", "Am Markt", "Friedhofstraße",
    "Rosenstraße", "Wiesenstraße"
)  # fmt: skip
PLACES = [
    ("66111", "Saarbrücken"), ("66113", "Saarbrücken"), ("66121", "Saarbrücken"), ("66740", "Saarlouis"),
    ("66763", "Dillingen/Saar"), ("66538", "Neunkirchen"), ("66424", "Homburg"), ("66386", "St. Ingbert"),
    ("66606", "St. Wendel"), ("66663", "Merzig"), ("66333", "Völklingen"), ("66802", "Überherrn"),
    ("66787", "Wadgassen"), ("66773", "Schwalbach"), ("66271", "Kleinblittersdorf"), ("66450", "Bexbach"),
    ("66557", "Illingen"), ("66679", "Losheim am See"), ("66701", "Beckingen"), ("66839", "Schmelz"),
]  # fmt: skip
COMPANIES = (
    "Saar", "Bau", "Holzwerk", "Autohaus", "Elektro", "Gastro", "Transport", "Dach", "Immobilien",
    "Reinigung", "Pflege", "Metallbau", "Glas", "Sanitär", "Handel"
)  # fmt: skip
LEGAL_FORMS = ["GmbH", "UG (haftungsbeschränkt)", "GmbH & Co. KG", "e.K.", "AG"]
BANK_CODES = [
    "59050101", "59010066", "59190000", "59350110", "59351040",
    "59251020", "50070010", "37040044", "59390100", "54250010",
]  # fmt: skip

# claim type: (legal basis, median principal in EUR, prefix of the Kassenzeichen)
CLAIM_TYPES = {
    "grundsteuer": ("§ 25 GrStG, Hebesatzsatzung", 180, "GS"),
    "gewerbesteuer": ("§ 16 GewStG", 1200, "GW"),
    "hundesteuer": ("Hundesteuersatzung", 90, "HU"),
    "abfallgebuehren": ("Abfallgebührensatzung", 150, "AF"),
    "abwassergebuehren": ("Abwassergebührensatzung", 250, "AW"),
    "beitraege": ("§ 8 KAG", 400, "BE"),
    "elternbeitraege": ("Elternbeitragssatzung", 200, "EB"),
    "bussgeld": ("§ 90 OWiG", 80, "BG"),
    "rueckforderung": ("§ 49a VwVfG", 600, "RF"),
    "zwangsgeld": ("§ 20 SVwVG", 250, "ZG"),
    "sonstige": ("Satzung", 150, "SO"),
}
# partner kind: (claim weight of one partner, claim types with weights)
PARTNER_KINDS = {
    "gemeinde": (
        1.0,
        {"grundsteuer": 35, "gewerbesteuer": 8, "hundesteuer": 12, "abwassergebuehren": 15,
         "elternbeitraege": 8, "bussgeld": 12, "sonstige": 10},
    ),
    "zweckverband": (4.0, {"abfallgebuehren": 55, "abwassergebuehren": 30, "beitraege": 15}),
    "landkreis": (3.0, {"bussgeld": 50, "rueckforderung": 20, "elternbeitraege": 20, "sonstige": 10}),
    "land": (5.0, {"rueckforderung": 60, "zwangsgeld": 25, "sonstige": 15}),
}  # fmt: skip

NEW_FILE_SHARE = 0.002
DEFERRED_SHARE = 0.01
IBAN_SHARE = 0.30
LEGAL_SHARE = 0.08
# The state of a file after its first demand ran out (weights; see the module docstring).
STATE_WEIGHTS = {"repeat_demand": 6.0, "proposal": 50.0, "enforcement": 30.0, "suspended": 13.0, "idle": 1.0}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kofo.settings")
    django.setup()


# --- writing rows fast ---------------------------------------------------------------------------------


class Writer:
    """Bulk insert of rows given as tuples of str/int/None (dates as ISO strings, JSON as text)."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.vendor = connection.vendor
        self.raw: Any = connection.connection
        self.rows: dict[str, int] = {}

    def timestamp(self, day: str, clock: str = "09:00:00") -> str:
        """A DateTimeField value as Django stores it (UTC; naive text on SQLite)."""
        return f"{day} {clock}" if self.vendor == "sqlite" else f"{day} {clock}+00"

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        if self.vendor == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
            return
        text = "".join(
            "\t".join(["\\N" if value is None else str(value) for value in row]) + "\n" for row in rows
        )
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            copy.write(text.encode())


class Table:
    """Rows of one table, buffered and flushed in chunks; the columns are checked against the model."""

    def __init__(self, writer: Writer, model: Any, columns: str) -> None:
        self.writer = writer
        self.table = model._meta.db_table
        self.columns = tuple(columns.split())
        expected = {f.column for f in model._meta.concrete_fields}
        if set(self.columns) != expected:
            raise SystemExit(
                f"bench/daily.py: columns of {self.table} changed: missing {sorted(expected - set(self.columns))}, "
                f"unknown {sorted(set(self.columns) - expected)} — update the generator."
            )
        self.buffer: list[tuple[Any, ...]] = []
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def add(self, row: tuple[Any, ...]) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= CHUNK_ROWS:
            self.flush()

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def flush(self) -> None:
        self.writer.insert(self.table, self.columns, self.buffer)
        self.buffer = []


# --- the generator -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        self.rng = random.Random(args.seed)
        self.claims_total: int = args.claims
        self.debtors_total = max(1, round(args.claims / args.files_ratio))
        self.run_date = dt.date.fromisoformat(args.run_date)
        self.yesterday = self.run_date - dt.timedelta(days=1)
        self.partner_count: int = args.partners
        self.accrued_months: int = args.accrued_months
        self._iso: dict[dt.date, str] = {}
        self._months: dict[tuple[dt.date, dt.date | None], list[Any]] = {}
        self._payment_deadline: dict[dt.date, dt.date] = {}
        self._norm: dict[tuple[str, str], tuple[str, str]] = {}

    def iso(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        text = self._iso.get(day)
        if text is None:
            text = self._iso[day] = day.isoformat()
        return text

    # -- law, cached -----------------------------------------------------------------------------------

    def surcharge_months(self, due: dt.date, deferred_until: dt.date | None) -> list[Any]:
        """The surcharge months (index, starts_on) that have begun by yesterday, as the run computes them."""
        key = (due, deferred_until)
        months = self._months.get(key)
        if months is None:
            from kofo.law.surcharges import compute_surcharges
            from kofo.money import Cents

            result = compute_surcharges(
                Cents(5000), due, until=self.yesterday, deferred_until=deferred_until, land="SL"
            )
            months = self._months[key] = [m for m in result.months if m.starts_on <= self.yesterday]
        return months

    def payment_deadline(self, posted: dt.date) -> dt.date:
        """End of the payment period of a demand posted on ``posted`` (as ``do_start_measure`` sets it)."""
        deadline = self._payment_deadline.get(posted)
        if deadline is None:
            from kofo.law.deadlines import deemed_receipt, period_end

            receipt = deemed_receipt(posted, land="SL").date
            deadline = self._payment_deadline[posted] = period_end(receipt, weeks=1, land="SL").date
        return deadline

    def norm_names(self, surname: str, given: str) -> tuple[str, str]:
        key = (surname, given)
        names = self._norm.get(key)
        if names is None:
            from kofo.debtors.matching import prepare
            from kofo.debtors.models import DebtorRecord

            record = DebtorRecord(kind="natural", surname=surname, given_names=given)
            prepare(record)
            names = self._norm[key] = (record.norm_surname, record.norm_given)
        return names

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    # -- the fixed part, through the ORM ---------------------------------------------------------------

    def setup(self) -> None:
        from django.contrib.auth import get_user_model
        from schwifty import IBAN

        from kofo.cases.models import StrategySettings, ThirdParty, ThirdPartyKind
        from kofo.ledger.accounts import partner_account
        from kofo.ledger.models import AccountKind
        from kofo.partners.models import Agreement, Office, Partner

        def iban(bank_code: str, account: int) -> str:
            return str(IBAN.generate("DE", bank_code=bank_code, account_code=f"{account:010d}"))

        self.iban = iban
        Office.objects.create(
            pk=1, name="Landesverwaltungsamt Saarland", department="Zentrale Vollstreckungsstelle",
            street="Hochstraße 67", postcode="66115", city="Saarbrücken", iban=iban("59050000", 4711001),
            bic="SALADE55XXX", bank_name="Landesbank Saar", creditor_id="DE98ZZZ09999999999", land="SL",
        )  # fmt: skip
        StrategySettings.objects.create(pk=1, automatic_kinds=["zahlungsaufforderung"])
        User = get_user_model()
        self.caseworkers = []
        for i in range(10):
            user = User(
                username=f"sachbearbeitung{i + 1:02d}", first_name="Sachbearbeitung", last_name=str(i + 1)
            )
            user.set_unusable_password()
            user.save()
            self.caseworkers.append(user.pk)

        kinds = ["land"] + ["landkreis"] * 5 + ["zweckverband"] * 4
        kinds += ["gemeinde"] * max(1, self.partner_count - len(kinds))
        kinds = kinds[: self.partner_count] if self.partner_count >= 2 else ["gemeinde"]
        self.partners: list[dict[str, Any]] = []
        for index, kind in enumerate(kinds):
            key = f"{kind}-{index + 1:03d}"
            name = f"{kind.capitalize()} {index + 1:03d}"
            postcode, city = PLACES[index % len(PLACES)]
            partner = Partner.objects.create(
                key=key, name=name, kind=kind, street="Rathausplatz 1", postcode=postcode, city=city,
                iban=iban("59050101", 100_000 + index), account_holder=name,
            )  # fmt: skip
            regime = "ao" if kind == "land" or (kind == "gemeinde" and index % 2 == 0) else "svwvg_sl"
            weight, types = PARTNER_KINDS[kind]
            agreement = Agreement.objects.create(
                partner=partner, reference=f"KV-{index + 1:03d}/2024", valid_from=dt.date(2023, 1, 1),
                claim_types=list(types), regime=regime, billing_modality="per_measure",
            )  # fmt: skip
            account = partner_account(partner, AccountKind.PARTNER_CLAIMS)
            self.partners.append(
                {
                    "id": partner.pk, "name": name, "kind": kind, "agreement": agreement.pk,
                    "account": account.pk, "weight": weight, "types": list(types),
                    "type_weights": list(itertools.accumulate(types.values())),
                }
            )  # fmt: skip
        self.partner_cum = list(itertools.accumulate(p["weight"] for p in self.partners))
        self.gemeinden = [i for i, p in enumerate(self.partners) if p["kind"] == "gemeinde"] or [0]
        self.banks: list[int] = []
        for code in BANK_CODES:
            parsed = IBAN.generate("DE", bank_code=code, account_code="0000000001")
            self.banks.append(
                ThirdParty.objects.create(
                    kind=ThirdPartyKind.BANK,
                    bic=str(parsed.bic),
                    name=(parsed.bank_name or str(parsed.bic))[:200],
                ).pk
            )

    # -- debtors and claims ----------------------------------------------------------------------------

    def plan(self) -> None:
        """Who owes which claim, due when, handed over when: claim ids in the order of hand-over."""
        rng = self.rng
        files_today = min(self.debtors_total - 1, max(1, round(self.debtors_total * NEW_FILE_SHARE)))
        today_counts = [2 if rng.random() < 0.25 else 1 for _ in range(files_today)]
        old_debtors = self.debtors_total - files_today
        old_claims = self.claims_total - sum(today_counts)
        if old_debtors < 1 or old_claims < old_debtors:
            raise SystemExit("bench/daily.py: too few claims for the number of files")
        mean = old_claims / old_debtors
        p = 1 / mean
        counts = [
            1 if p >= 1 else 1 + int(math.log(1 - rng.random()) / math.log(1 - p)) for _ in range(old_debtors)
        ]
        counts = [min(c, 60) for c in counts]
        diff = old_claims - sum(counts)
        while diff != 0:
            i = rng.randrange(old_debtors)
            if diff > 0 and counts[i] < 60:
                counts[i] += 1
                diff -= 1
            elif diff < 0 and counts[i] > 1:
                counts[i] -= 1
                diff += 1
        owners = [label for label, count in enumerate(counts) for _ in range(count)]
        rng.shuffle(owners)
        days = []
        horizon = 3 * 365
        for _ in range(old_claims):
            due = self.run_date - dt.timedelta(days=rng.randint(30, horizon))
            received = min(due + dt.timedelta(days=rng.randint(30, 150)), self.yesterday)
            days.append((received, due))
        days.sort()
        # Debtor ids by their first claim; claims (debtor, due, received) in id order.
        relabel: dict[int, int] = {}
        self.claim_plan: list[tuple[int, dt.date, dt.date]] = []
        for (received, due), owner in zip(days, owners, strict=True):
            debtor = relabel.setdefault(owner, len(relabel) + 1)
            self.claim_plan.append((debtor, due, received))
        for i, count in enumerate(today_counts):
            debtor = old_debtors + i + 1
            for _ in range(count):
                if rng.random() < 0.1:  # an old claim, due in 2021: its limitation warning is due
                    due = dt.date(2021, rng.randint(1, 6), rng.randint(1, 28))
                else:
                    due = self.run_date - dt.timedelta(days=rng.randint(40, 120))
                self.claim_plan.append((debtor, due, self.run_date))
        self.files_today = files_today

    def debtor_identity(self, debtor: int) -> dict[str, Any]:
        rng = self.rng
        postcode, city = rng.choice(PLACES)
        identity: dict[str, Any] = {
            "street": rng.choice(STREETS), "house_number": str(rng.randint(1, 120)),
            "postcode": postcode, "city": city,
            "home": rng.choice(self.gemeinden),
            "bank": rng.randrange(len(BANK_CODES)) if rng.random() < IBAN_SHARE else None,
        }  # fmt: skip
        if rng.random() < LEGAL_SHARE:
            identity.update(
                kind="legal", legal_name=f"{rng.choice(COMPANIES)} {rng.choice(SURNAMES)}",
                legal_form=rng.choice(LEGAL_FORMS), register_court="Amtsgericht Saarbrücken",
                register_number=f"HRB {rng.randint(1000, 109999)}", surname="", given_names="", birth_date=None,
            )  # fmt: skip
            identity["name"] = f"{identity['legal_name']} {identity['legal_form']}"
        else:
            identity.update(
                kind="natural", surname=rng.choice(SURNAMES), given_names=rng.choice(GIVEN_NAMES),
                birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 64 * 365)),
                legal_name="", legal_form="", register_court="", register_number="",
            )  # fmt: skip
            identity["name"] = f"{identity['surname']}, {identity['given_names']}"
        if identity["bank"] is not None:
            identity["iban"] = self.iban(BANK_CODES[identity["bank"]], 1_000_000 + debtor)
        return identity

    def write(self, writer: Writer) -> None:
        from kofo.cases.models import (
            SURCHARGE_CLAIM_TYPES,
            Case,
            CaseThirdParty,
            Claim,
            FollowUp,
            Measure,
            MeasureClaim,
            SurchargeAccrual,
        )
        from kofo.cases.references import fold_reference
        from kofo.debtors.models import Debtor, DebtorRecord
        from kofo.law.deadlines import format_date
        from kofo.law.surcharges import surcharge_for
        from kofo.ledger.models import Account, Posting, Transaction
        from kofo.money import Cents

        rng = self.rng
        iso = self.iso
        debtors = Table(
            writer, Debtor, "id number kind display_name birth_date postcode city merged_into_id created_at"
        )
        records = Table(
            writer,
            DebtorRecord,
            "id partner_id partner_debtor_id kind surname given_names birth_name birth_date legal_name legal_form "
            "register_court register_number street house_number postcode city country phone email iban "
            "content_hash norm_surname norm_given sort_key debtor_id link_decision link_score created_at",
        )
        claims = Table(
            writer,
            Claim,
            "id partner_id agreement_id debtor_record_id kassenzeichen reference_key claim_type legal_basis assessment_date "
            "notified_on due_date reminder_date reminder_deadline principal_cents surcharges_cents "
            "surcharges_until reminder_fee_cents prior_costs_cents requested_measures notes attachment_sha256 "
            "status deferred_until content_hash received_at",
        )
        accounts = Table(
            writer, Account, "id code name kind partner_id component subject_type subject_id opened_at"
        )
        transactions = Table(
            writer,
            Transaction,
            "id booking_date value_date reason_code description object_type object_id reverses_id created_at created_by",
        )
        postings = Table(writer, Posting, "id transaction_id account_id amount_cents")
        accruals = Table(
            writer,
            SurchargeAccrual,
            "id claim_id month_index starts_on base_cents amount_cents transaction_id",
        )

        identities: dict[int, dict[str, Any]] = {}
        record_ids: dict[tuple[int, int], int] = {}
        self.debtor_claims: dict[int, list[tuple[int, dt.date, dt.date, str, int]]] = {}
        pending_accruals: list[tuple[int, str, int, int, Any, int, int]] = []
        component_labels = {"principal": "Hauptforderung", "surcharge": "Säumniszuschläge", "fee": "Gebühren",
                            "cost": "Auslagen und Kosten"}  # fmt: skip
        surcharge_amount: dict[int, tuple[int, int]] = {}

        for claim_id, (debtor, due, received) in enumerate(self.claim_plan, start=1):
            identity = identities.get(debtor)
            received_iso = iso(received)
            stamp = writer.timestamp(received_iso)  # type: ignore[arg-type]
            if identity is None:
                identity = identities[debtor] = self.debtor_identity(debtor)
                debtors.add(
                    (debtor, f"S-{debtor:07d}", identity["kind"], identity["name"][:250], iso(identity["birth_date"]),
                     identity["postcode"], identity["city"], None, stamp)
                )  # fmt: skip
            partner_index = identity["home"]
            if rng.random() >= 0.65:
                partner_index = bisect.bisect_left(self.partner_cum, rng.random() * self.partner_cum[-1])
            partner = self.partners[partner_index]
            record_id = record_ids.get((debtor, partner_index))
            if record_id is None:
                record_id = record_ids[(debtor, partner_index)] = records.new_id()
                first = identity.setdefault("records", 0) == 0
                identity["records"] += 1
                iban = identity.get("iban", "") if first else ""
                fields = {
                    "kind": identity["kind"], "partner_debtor_id": f"{partner_index + 1}-{debtor}",
                    "surname": identity["surname"], "given_names": identity["given_names"], "birth_name": "",
                    "birth_date": iso(identity["birth_date"]) or "", "legal_name": identity["legal_name"],
                    "legal_form": identity["legal_form"], "register_court": identity["register_court"],
                    "register_number": identity["register_number"], "street": identity["street"],
                    "house_number": identity["house_number"], "postcode": identity["postcode"],
                    "city": identity["city"], "country": "DE", "phone": "", "email": "", "iban": iban,
                }  # fmt: skip
                content_hash = hashlib.sha256(
                    json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()
                ).hexdigest()
                norm = (
                    self.norm_names(identity["surname"], identity["given_names"])
                    if identity["kind"] == "natural"
                    else ("", "")
                )
                if first and iban:
                    identity["iban_partner"] = partner["name"]
                records.add(
                    (record_id, partner["id"], fields["partner_debtor_id"], identity["kind"], identity["surname"],
                     identity["given_names"], "", iso(identity["birth_date"]), identity["legal_name"],
                     identity["legal_form"], identity["register_court"], identity["register_number"],
                     identity["street"], identity["house_number"], identity["postcode"], identity["city"], "DE", "",
                     "", iban, content_hash, norm[0], norm[1], "", debtor, "new" if first else "auto",
                     None if first else 42.0, stamp)
                )  # fmt: skip

            # the claim
            claim_type = partner["types"][
                bisect.bisect_left(partner["type_weights"], rng.random() * partner["type_weights"][-1])
            ]
            legal_basis, median, prefix = CLAIM_TYPES[claim_type]
            principal = int(median * 100 * math.exp(rng.gauss(0, 0.8)))
            principal = max(3600, min(principal, 5_000_000))
            status, deferred_until = "open", None
            if received < self.run_date and rng.random() < DEFERRED_SHARE:
                status, deferred_until = (
                    "deferred",
                    self.day_between(self.yesterday, self.run_date + dt.timedelta(days=180)),
                )
            reminder_date = reminder_deadline = None
            if rng.random() < 0.8:
                reminder_date = due + dt.timedelta(days=rng.randint(10, 25))
                reminder_deadline = reminder_date + dt.timedelta(days=14)
            assessment = due - dt.timedelta(days=rng.randint(14, 45))
            fee = 500 if rng.random() < 0.7 else 0
            costs = rng.randint(5, 30) * 100 if rng.random() < 0.05 else 0
            surcharges, surcharges_until, accrue = 0, None, []
            if claim_type in SURCHARGE_CLAIM_TYPES:
                months = self.surcharge_months(due, deferred_until)
                base_amount = surcharge_amount.get(principal)
                if base_amount is None:
                    base, amount = surcharge_for(Cents(principal))
                    base_amount = surcharge_amount[principal] = (int(base), int(amount))
                if base_amount[1] > 0:
                    k = min(self.accrued_months, len(months))
                    accrue = months[len(months) - k :]
                    surcharges = (len(months) - k) * base_amount[1]
                surcharges_until = accrue[0].starts_on - dt.timedelta(days=1) if accrue else self.yesterday
            kassenzeichen = f"{prefix}-{due.year}-{claim_id:07d}"
            claims.add(
                (claim_id, partner["id"], partner["agreement"], record_id, kassenzeichen,
                 fold_reference(kassenzeichen), claim_type, legal_basis,
                 iso(assessment), iso(assessment + dt.timedelta(days=3)), iso(due), iso(reminder_date),
                 iso(reminder_deadline), principal, surcharges, iso(surcharges_until), fee, costs, "[]", "", "",
                 status, iso(deferred_until), hashlib.sha256(kassenzeichen.encode()).hexdigest(), stamp)
            )  # fmt: skip
            open_total = (
                principal + surcharges + fee + costs + (len(accrue) * base_amount[1] if accrue else 0)
            )
            self.debtor_claims.setdefault(debtor, []).append((claim_id, due, received, status, open_total))

            # its ledger: one receivable per component, the intake transaction
            txn = transactions.new_id()
            transactions.add(
                (txn, received_iso, received_iso, "intake.claim_taken_over",
                 f"Übernahme {kassenzeichen} ({partner['name']})", "cases.claim", str(claim_id), None, stamp,
                 GENERATOR)
            )  # fmt: skip
            surcharge_account = None
            for component, amount in (
                ("principal", principal),
                ("surcharge", surcharges),
                ("fee", fee),
                ("cost", costs),
            ):
                if not amount and not (component == "surcharge" and accrue):
                    continue
                account = accounts.new_id()
                accounts.add(
                    (account, f"1400-cases.claim-{claim_id}-{component}",
                     f"{component_labels[component]} {kassenzeichen}", "receivable", partner["id"], component,
                     "cases.claim", str(claim_id), stamp)
                )  # fmt: skip
                if component == "surcharge":
                    surcharge_account = account
                if amount:
                    postings.add((postings.new_id(), txn, account, amount))
            postings.add(
                (postings.new_id(), txn, partner["account"], -(principal + surcharges + fee + costs))
            )
            for month in accrue:
                pending_accruals.append(
                    (claim_id, kassenzeichen, surcharge_account, partner["account"], month, *base_amount)  # type: ignore[arg-type]
                )

        # the office's own surcharge bookings (--accrued-months), in the order of their days
        pending_accruals.sort(key=lambda a: (a[4].starts_on, a[0]))
        for claim_id, kassenzeichen, account, partner_account, month, base, amount in pending_accruals:
            txn = transactions.new_id()
            day = iso(month.starts_on)
            transactions.add(
                (txn, day, day, "claim.surcharge",
                 f"Säumniszuschlag {kassenzeichen}, {month.index}. Säumnismonat ab {format_date(month.starts_on)}",
                 "cases.claim", str(claim_id), None, writer.timestamp(day, "02:00:00"), DAILY)  # type: ignore[arg-type]
            )  # fmt: skip
            postings.add((postings.new_id(), txn, account, amount))
            postings.add((postings.new_id(), txn, partner_account, -amount))
            accruals.add((accruals.new_id(), claim_id, month.index, day, base, amount, txn))

        for table in (debtors, records, claims, accounts, transactions, postings, accruals):
            table.flush()
        self.identities = identities
        self.write_files(writer, Case, Measure, MeasureClaim, FollowUp, CaseThirdParty)

    # -- files and their measures ----------------------------------------------------------------------

    def write_files(self, writer: Writer, *models: Any) -> None:
        from kofo.cases.casefiles import case_number

        Case, Measure, MeasureClaim, FollowUp, CaseThirdParty = models
        rng = self.rng
        iso = self.iso
        cases = Table(
            writer,
            Case,
            "id number debtor_id status caseworker_id assignment_reason opened_on review_on closed_on close_reason",
        )
        tables = {
            "measures": Table(
                writer,
                Measure,
                "id case_id kind status key reason proposed_by third_party_id amount_cents created_on executed_on "
                "served_on deadline_on deadline_kind payout_hold_until stage result fee_cents effort_units "
                "finished_on",
            ),
            "links": Table(writer, MeasureClaim, "id measure_id claim_id amount_cents"),
            "follow_ups": Table(
                writer, FollowUp, "id case_id kind key due_on reason created_by created_at done_at done_by"
            ),
        }
        third_parties = Table(writer, CaseThirdParty, "id case_id third_party_id source noted_on iban")
        state_names = list(STATE_WEIGHTS)
        state_cum = list(itertools.accumulate(STATE_WEIGHTS.values()))
        self.file_states: dict[str, int] = {}

        for debtor in range(1, self.debtors_total + 1):
            identity = self.identities[debtor]
            file_claims = self.debtor_claims[debtor]
            opened = min(c[2] for c in file_claims)
            case = debtor  # one file per debtor, opened in the order of the debtors
            bank = self.banks[identity["bank"]] if identity["bank"] is not None else None
            history = FileHistory(self, writer, tables, case, file_claims)
            status, review_on = "open", None
            state = "new"
            if opened < self.run_date:
                state = "demand"
                free = history.demand(opened)
                if free is not None:
                    state = state_names[bisect.bisect_left(state_cum, rng.random() * state_cum[-1])]
                    state = self.history(state, free, bank, history)
                    if state == "suspended":
                        status, review_on = "suspended", history.review_on
            self.file_states[state] = self.file_states.get(state, 0) + 1
            cases.add(
                (case, case_number(case), debtor, status, self.caseworkers[debtor % len(self.caseworkers)],
                 f"Buchstabe {identity['name'][:1].upper()} (generiert)", iso(opened), iso(review_on), None, "")
            )  # fmt: skip
            if bank is not None and opened < self.run_date:  # a new file's bank is noted by the run
                third_parties.add(
                    (third_parties.new_id(), case, bank,
                     f"IBAN aus dem Ersuchen von {identity.get('iban_partner', '')}"[:200], iso(opened),
                     identity["iban"])
                )  # fmt: skip

        for table in (cases, *tables.values(), third_parties):
            table.flush()

    def history(self, state: str, free: dt.date, bank: int | None, file: FileHistory) -> str:
        """The measures after the first demand ran out on ``free``; returns the state actually written."""
        from kofo.law.deadlines import add_months, deemed_receipt, period_end

        rng = self.rng
        yesterday = self.yesterday
        day = dt.timedelta(days=1)
        if state == "repeat_demand":
            # A second demand a year after the first, sent within the last two weeks and still running.
            earliest = max(add_months(free, 12), self.run_date - 16 * day)
            window = [
                self.run_date - d * day
                for d in range(1, 17)
                if self.run_date - d * day >= earliest
                and self.payment_deadline(self.run_date - d * day) >= yesterday
            ]
            if window:
                file.demand(rng.choice(window))
                return state
            state = "proposal"
        if state == "idle" and free <= yesterday - 45 * day:
            executed = self.day_between(free, yesterday - 45 * day)
            if bank is not None:
                file.measure("pfev_bank", "failed", created=executed, executed=executed, third_party=bank,
                             served=executed + 3 * day, finished=yesterday, stage="keine Forderung",
                             result=json.dumps({"declaration": "keine_forderung", "declared_on": iso_(yesterday)}))  # fmt: skip
            else:
                file.measure("vermoegensauskunft", "done", created=executed, executed=executed, finished=yesterday,
                             stage="abgegeben, kein pfändbares Vermögen",
                             result=json.dumps({"outcome": "abgegeben_unergiebig", "note": ""}))  # fmt: skip
            return state
        if state == "enforcement":
            executed = self.day_between(free, yesterday)
            if bank is not None:
                served = executed + 3 * day
                if served > yesterday:
                    file.measure("pfev_bank", "active", created=executed, executed=executed, third_party=bank,
                                 stage="zur Zustellung")  # fmt: skip
                    return state
                declaration = period_end(served, weeks=2, land="SL").date
                hold = period_end(served, weeks=4, land="SL").date
                if declaration >= yesterday:
                    file.measure("pfev_bank", "active", created=executed, executed=executed, third_party=bank,
                                 served=served, deadline=("drittschuldnererklaerung", declaration),
                                 payout_hold=hold, stage="zugestellt, Erklärung des Drittschuldners abwarten")  # fmt: skip
                else:
                    file.measure("pfev_bank", "active", created=executed, executed=executed, third_party=bank,
                                 served=served, payout_hold=hold,
                                 deadline=("auszahlungssperre", hold) if hold >= yesterday else None,
                                 stage="anerkannt, Zahlung erwartet",
                                 result=json.dumps({"declaration": "anerkannt", "declared_on": iso_(declaration),
                                                    "recognised_cents": 25_000}))  # fmt: skip
                return state
            receipt = deemed_receipt(executed, land="SL").date
            demand_end = period_end(receipt, weeks=2, land="SL").date
            if demand_end >= yesterday:
                file.measure("vermoegensauskunft", "active", created=executed, executed=executed,
                             deadline=("zahlungsfrist_vermoegensauskunft", demand_end),
                             stage="Zahlungsaufforderung mit Hinweis auf die Auskunftspflicht")  # fmt: skip
                return state
            served = min(demand_end + 5 * day, yesterday)
            appointment = max(add_months(served, 1), yesterday) + rng.randint(0, 45) * day
            file.measure("vermoegensauskunft", "active", created=executed, executed=executed, served=served,
                         deadline=("termin_vermoegensauskunft", appointment), stage="geladen",
                         result=json.dumps({"appointment_on": iso_(appointment)}))  # fmt: skip
            return state
        if state == "suspended":
            first = max(add_months(self.run_date, -12), free + 46 * day)
            if first <= yesterday:
                written_down = self.day_between(first, yesterday)
                executed = self.day_between(free, written_down - 45 * day)
                file.measure("vermoegensauskunft", "done", created=executed, executed=executed,
                             finished=executed + 45 * day, stage="abgegeben, kein pfändbares Vermögen",
                             result=json.dumps({"outcome": "abgegeben_unergiebig", "note": ""}))  # fmt: skip
                file.review_on = add_months(written_down, 12)
                file.measure("niederschlagung", "done", created=written_down, executed=written_down,
                             finished=written_down, stage=f"Wiedervorlage {file.review_on:%d.%m.%Y}",
                             reason="Alle verhältnismäßigen Maßnahmen blieben erfolglos (§ 261 AO).")  # fmt: skip
                return state
        # proposal (and every chain that does not fit): the next measure waits for the caseworker.
        created = self.day_between(free, yesterday)
        if bank is not None:
            file.propose("pfev_bank", created, bank)
        else:
            file.propose("vermoegensauskunft", created)
        return "proposal"


EFFORT_UNITS = {"zahlungsaufforderung": "0.50", "pfev_bank": "1.50", "vermoegensauskunft": "3.00",
                "niederschlagung": "0.50"}  # fmt: skip


class FileHistory:
    """The measures of one file as the strategy, the caseworkers and the runs of earlier days left them."""

    def __init__(
        self,
        gen: Generator,
        writer: Writer,
        tables: dict[str, Table],
        case: int,
        claims: list[tuple[int, dt.date, dt.date, str, int]],
    ) -> None:
        self.gen, self.writer, self.case, self.claims = gen, writer, case, claims
        self.measures, self.links, self.follow_ups = tables["measures"], tables["links"], tables["follow_ups"]
        self.counts: dict[str, int] = {}
        self.review_on: dt.date | None = None

    def measure(
        self,
        kind: str,
        status: str,
        *,
        created: dt.date,
        executed: dt.date | None = None,
        finished: dt.date | None = None,
        third_party: int | None = None,
        served: dt.date | None = None,
        deadline: tuple[str, dt.date] | None = None,
        payout_hold: dt.date | None = None,
        stage: str = "",
        result: str = "{}",
        reason: str = "",
    ) -> int:
        """One measure; an executed one covers the file's open claims due and handed over by then."""
        iso = self.gen.iso
        measure_id = self.measures.new_id()
        amount = 0
        if executed is not None:
            for claim_id, due, received, claim_status, open_total in self.claims:
                if claim_status == "open" and due <= executed and received <= executed:
                    self.links.add((self.links.new_id(), measure_id, claim_id, open_total))
                    amount += open_total
        number = self.counts.get(kind, 0)
        self.counts[kind] = number + 1
        key = f"strategy:{kind}:{third_party if third_party is not None else '-'}:{number}"
        self.measures.add(
            (measure_id, self.case, kind, status, key, reason or f"Vorschlag der Strategie ({kind})", DAILY,
             third_party, amount, iso(created), iso(executed), iso(served), iso(deadline[1]) if deadline else None,
             deadline[0] if deadline else "", iso(payout_hold), stage, result, 0, EFFORT_UNITS.get(kind, "1.00"),
             iso(finished))
        )  # fmt: skip
        return measure_id

    def demand(self, executed: dt.date) -> dt.date | None:
        """A demand sent on ``executed``; done when its payment period ran out before yesterday (the day
        after which it was finished is returned), else still running."""
        deadline = self.gen.payment_deadline(executed)
        if deadline >= self.gen.yesterday:
            self.measure("zahlungsaufforderung", "active", created=executed, executed=executed,
                         deadline=("zahlungsfrist", deadline), stage="versandt")  # fmt: skip
            return None
        finished = deadline + dt.timedelta(days=1)
        self.measure("zahlungsaufforderung", "done", created=executed, executed=executed, finished=finished,
                     stage="Zahlungsfrist abgelaufen")  # fmt: skip
        return finished

    def propose(self, kind: str, on: dt.date, third_party: int | None = None) -> None:
        """A proposal waiting for the caseworker, with its follow-up."""
        measure_id = self.measure(kind, "proposed", created=on, third_party=third_party)
        day = self.gen.iso(on)
        assert day is not None
        self.follow_ups.add(
            (self.follow_ups.new_id(), self.case, "proposal", f"proposal:{measure_id}", day,
             f"Vorschlag: {kind} – Vorschlag der Strategie", DAILY, self.writer.timestamp(day, "02:00:00"), None, "")
        )  # fmt: skip


def iso_(day: dt.date) -> str:
    return day.isoformat()


def generate(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    gen = Generator(args)
    writer = Writer()
    with transaction.atomic():
        if writer.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        gen.setup()
        gen.plan()
        gen.write(writer)
        if writer.vendor == "postgresql":
            from django.apps import apps
            from django.core.management.color import no_style

            models = [m for m in apps.get_models() if m._meta.db_table in writer.rows]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT t.id FROM ledger_transaction t "
                "LEFT JOIN ledger_posting p ON p.transaction_id = t.id GROUP BY t.id "
                "HAVING COUNT(p.id) < 2 OR COALESCE(SUM(p.amount_cents), 0) <> 0) unbalanced"
            )
            unbalanced = cursor.fetchone()[0]
        if unbalanced:
            raise SystemExit(f"bench/daily.py: {unbalanced} generated transactions do not balance")
    written = time.perf_counter()
    with connection.cursor() as cursor:
        if writer.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    done = time.perf_counter()
    return {
        "migrate_seconds": round(migrated - started, 2),
        "generate_seconds": round(written - migrated, 2),
        "vacuum_analyze_checkpoint_seconds": round(done - written, 2),
        "rows": dict(sorted(writer.rows.items())),
        "files_by_state": dict(sorted(gen.file_states.items())),
        "files_opened_today": gen.files_today,
        "accrued_months": gen.accrued_months,
        "peak_rss_mb": round(_peak_rss_mb()),
    }


# --- the run ---------------------------------------------------------------------------------------------


def _table_counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("bench_copy_")]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _written_since(start_xid: int, end_xid: int) -> str:
    """SQL condition: the row version was written by a transaction between the two (64-bit) xids."""
    low, high = start_xid % 2**32, end_xid % 2**32
    if end_xid - start_xid >= 2**31:
        raise SystemExit("bench/daily.py: the run spans too many transaction ids for xmin")
    xmin = "xmin::text::bigint"
    return f"{xmin} BETWEEN {low} AND {high}" if low <= high else f"({xmin} >= {low} OR {xmin} <= {high})"


def _pg_written(condition: str) -> dict[str, int]:
    """Rows of each table the run inserted or updated (their current version's ``xmin``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("bench_copy_")]
        written = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {condition}")  # noqa: S608
            n = cursor.fetchone()[0]
            if n:
                written[table] = n
    return written


def copy_floor(condition: str, written: dict[str, int]) -> dict[str, Any]:
    """Write the rows the run wrote once more, with COPY into empty tables without indexes or triggers."""
    from django.db import connection

    data: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in written:
            cursor.execute(f"DROP TABLE IF EXISTS bench_copy_{table}")
            cursor.execute(f"CREATE TABLE bench_copy_{table} (LIKE {table} INCLUDING DEFAULTS)")
            buffer = io.BytesIO()
            raw = cursor.cursor
            query = f"COPY (SELECT * FROM {table} WHERE {condition}) TO STDOUT (FORMAT binary)"  # noqa: S608
            with raw.copy(query) as copy:
                for block in copy:
                    buffer.write(block)
            data[table] = buffer.getvalue()
    raw_connection = connection.connection
    started = time.perf_counter()
    with raw_connection.transaction(), raw_connection.cursor() as cursor:
        for table, payload in data.items():
            with cursor.copy(f"COPY bench_copy_{table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(payload)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in data:
            cursor.execute(f"DROP TABLE bench_copy_{table}")
    return {
        "copy_seconds": round(seconds, 3),
        "copy_rows": sum(written.values()),
        "copy_bytes": sum(len(p) for p in data.values()),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from django.db import connection

    import kofo.cases.daily
    from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
    from kofo.cases.models import Case, CaseStatus, Claim, ClaimStatus

    code = hashlib.sha256(Path(kofo.cases.daily.__file__).read_bytes()).hexdigest()[:12]
    run_date = dt.date.fromisoformat(args.run_date)
    files = Case.objects.exclude(status=CaseStatus.CLOSED).count()
    claims = Claim.objects.filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED)).count()
    before = _table_counts()
    server: Any = None
    start_xid = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current(), pg_backend_pid()")
            start_xid, backend_pid = cursor.fetchone()
        try:
            import psutil

            server = psutil.Process(backend_pid)
            server_cpu = sum(server.cpu_times()[:2])
        except (ImportError, OSError):  # psutil missing, or the server runs as another user elsewhere
            server = None

    done = 0
    step = max(1, files // 10)
    started = time.perf_counter()

    def progress() -> None:
        nonlocal done
        done += 1
        if done % step == 0:
            elapsed = time.perf_counter() - started
            print(
                f"  {connection.vendor}: {done}/{files} files, {elapsed:.0f} s", file=sys.stderr, flush=True
            )

    profiler = cProfile.Profile() if args.profile else None
    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    if profiler is not None:
        profiler.enable()
    t0 = time.perf_counter()
    opened = open_missing_cases(run_date)
    t1 = time.perf_counter()
    daily_run = do_plan_daily_run(run_date, actor=DAILY_ACTOR)
    t2 = time.perf_counter()
    work_batches(daily_run, on_case=progress)
    t3 = time.perf_counter()
    if profiler is not None:
        profiler.disable()
    client_cpu = time.process_time() - cpu
    peak = _peak_rss_mb()
    seconds = t3 - t0
    daily_run.refresh_from_db()
    out: dict[str, Any] = {
        "daily_py_sha256": code,  # the version of kofo/cases/daily.py measured
        "seconds": round(seconds, 2),
        "claims_per_s": round(claims / seconds, 1),
        "files_per_s": round(files / seconds, 1),
        "phase_seconds": {
            "open_missing_cases": round(t1 - t0, 2),
            "plan": round(t2 - t1, 2),
            "work_batches": round(t3 - t2, 2),
        },
        "python_cpu_seconds": round(client_cpu, 1),
        # 1-minute load average before and after: other work on the machine makes `seconds` noisy.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "status": daily_run.status,
        "summary": daily_run.summary,
        "files_opened": opened,
        "batches": daily_run.batches_total,
        "peak_rss_mb": round(peak),
    }
    if server is not None:
        with contextlib.suppress(OSError):
            out["server_cpu_seconds"] = round(sum(server.cpu_times()[:2]) - server_cpu, 1)
    after = _table_counts()
    out["rows_inserted"] = {
        t: after[t] - before.get(t, 0) for t in sorted(after) if after[t] != before.get(t, 0)
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            condition = _written_since(start_xid, cursor.fetchone()[0])
        written = _pg_written(condition)
        out["rows_written"] = dict(sorted(written.items()))
        floor = copy_floor(condition, written)
        out.update(floor)
        out["ratio"] = round(seconds / floor["copy_seconds"], 1) if floor["copy_seconds"] else None
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('shared_buffers'), current_setting('synchronous_commit')")
            shared_buffers, synchronous_commit = cursor.fetchone()
        out["server"] = {"shared_buffers": shared_buffers, "synchronous_commit": synchronous_commit}
    if profiler is not None:
        path = Path(args.profile) / f"daily-{connection.vendor}-{args.claims}.prof"
        path.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(path))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        print(text.getvalue(), file=sys.stderr)
        out["profile"] = str(path)
        out["profiled"] = True  # times include cProfile's overhead
    return out


# --- driver ----------------------------------------------------------------------------------------------


def _pg_available() -> bool:
    return (
        subprocess.run([sys.executable, str(REPO / "scripts" / "pg-available")], check=False).returncode == 0
    )


def _pg_admin(statement: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        cursor = conn.execute(statement)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def run_child(script: str, step: str, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one step of a bench script in a fresh process (its own settings and database); its last line
    of output is the step's JSON. Shared by the benches that build on this one."""
    proc = subprocess.run(
        [sys.executable, script, "--child", step, *argv],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench/{Path(script).name}: {step} failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _child(step: str, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    return run_child(__file__, step, argv, env)


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _state_key(argv: list[str]) -> str:
    """What the generated state depends on: the parameters, this file and every migration."""
    migrations = REPO.glob("src/kofo/*/migrations/*.py")
    return hashlib.sha256(
        (" ".join(argv) + _digest([Path(__file__).resolve(), *migrations])).encode()
    ).hexdigest()[:12]


def _generated_state(
    backend: str, argv: list[str], env: dict[str, str], tmp: str, name: str, cache: Path | None
) -> dict[str, Any]:
    """Generate the office into the fresh database, or copy it from the cache (``--cache``)."""
    key = _state_key(argv)
    if backend == "sqlite":
        target = Path(tmp) / "bench.sqlite3"
        cached = cache / f"daily-{key}.sqlite3" if cache else None
        if cached is not None and cached.exists():
            shutil.copyfile(cached, target)
            return {**json.loads(cached.with_suffix(".json").read_text()), "from_cache": str(cached)}
        generated = _child("generate", argv, env)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob("daily-*.sqlite3"):
                old.unlink()
                old.with_suffix(".json").unlink(missing_ok=True)
            shutil.copyfile(target, cached)
            cached.with_suffix(".json").write_text(json.dumps(generated))
        return generated
    template = f"kofo_bench_daily_tpl_{key}"
    if cache is not None:
        query = "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = "
        found = _pg_admin(f"{query}'{template}'")
        if found:
            _pg_admin(f"DROP DATABASE {name}")
            _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
            return {**json.loads(found[0][1]), "from_cache": template}
    generated = _child("generate", argv, env)
    if cache is not None:
        for (old,) in _pg_admin(
            "SELECT datname FROM pg_database WHERE datname LIKE 'kofo_bench_daily_tpl_%'"
        ):
            _pg_admin(f"DROP DATABASE {old}")
        _pg_admin(f"CREATE DATABASE {template} TEMPLATE {name} STRATEGY FILE_COPY")
        comment = json.dumps(generated).replace("'", "''")
        _pg_admin(f"COMMENT ON DATABASE {template} IS '{comment}'")
    return generated


def main() -> None:
    parser = argparse.ArgumentParser(description="Daily run over a generated office, against a COPY floor")
    parser.add_argument("--claims", type=int, default=TARGET_CLAIMS, help="open claims (default 1,000,000)")
    parser.add_argument("--files-ratio", type=float, default=2.5, help="claims per debtor file (default 2.5)")
    parser.add_argument("--partners", type=int, default=60)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--run-date", default=DEFAULT_RUN_DATE, help=f"Stichtag (default {DEFAULT_RUN_DATE})")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--accrued-months",
        type=int,
        default=0,
        help="the last K surcharge months booked by the office (SurchargeAccrual) instead of submitted",
    )
    parser.add_argument("--profile", metavar="DIR", help="run under cProfile; stats to DIR, top 25 to stderr")
    parser.add_argument(
        "--cache",
        metavar="DIR",
        type=Path,
        help="keep the generated state (SQLite file in DIR, PostgreSQL template database "
        "kofo_bench_daily_tpl_<key>) and reuse it while parameters, this file and the migrations are unchanged",
    )
    parser.add_argument("--child", choices=["generate", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        result = generate(args) if args.child == "generate" else run(args)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        return

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not _pg_available():
        print("# PostgreSQL on 127.0.0.1:5432 not reachable: SQLite only", file=sys.stderr)
        backends.remove("postgresql")
    argv = [
        "--claims", str(args.claims), "--files-ratio", str(args.files_ratio), "--partners", str(args.partners),
        "--seed", str(args.seed), "--run-date", args.run_date, "--accrued-months", str(args.accrued_months),
    ]  # fmt: skip
    results: dict[str, dict[str, Any]] = {}
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="kofo-bench-daily-") as tmp:
            env = {
                **os.environ,
                "KOFO_DEBUG": "0",
                "KOFO_SECRET_KEY": secrets.token_urlsafe(50),
                "KOFO_DATA_DIR": tmp,
                "KOFO_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(REPO / "src"),
            }
            name = f"kofo_bench_daily_{os.getpid()}"
            if backend == "sqlite":
                env["KOFO_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
            else:
                _pg_admin(f"DROP DATABASE IF EXISTS {name}")
                _pg_admin(f"CREATE DATABASE {name}")
                env["KOFO_DATABASE_URL"] = f"{PG_SERVER}/{name}"
            try:
                print(f"# {backend}: generating {args.claims} claims", file=sys.stderr, flush=True)
                generated = _generated_state(backend, argv, env, tmp, name, args.cache)
                print(f"# {backend}: daily run {args.run_date}", file=sys.stderr, flush=True)
                measured = _child("run", [*argv, *(["--profile", args.profile] if args.profile else [])], env)
            finally:
                if backend == "postgresql":
                    _pg_admin(f"DROP DATABASE IF EXISTS {name}")
        line = {
            "bench": "daily",
            "backend": backend,
            "claims": args.claims,
            "files": round(args.claims / args.files_ratio),
            "seed": args.seed,
            "run_date": args.run_date,
            **measured,
            "generate": generated,
        }
        results[backend] = line
        print(json.dumps(line, ensure_ascii=False), flush=True)

    scale = TARGET_CLAIMS / args.claims
    suffix = "" if args.claims == TARGET_CLAIMS else "_extrapolated"
    summary: dict[str, Any] = {"bench": "daily", "summary": True, "claims": args.claims}
    for backend, line in results.items():
        projected = line["seconds"] * scale
        summary[f"{backend}_seconds_for_1M{suffix}"] = round(projected)
        summary[f"{backend}_under_10_min_for_1M{suffix}"] = projected <= TARGET_SECONDS
    pg = results.get("postgresql")
    if pg is not None and pg.get("ratio") is not None:
        summary["copy_ratio"] = pg["ratio"]
        summary["within_5x_copy_floor"] = pg["ratio"] <= TARGET_COPY_RATIO
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
