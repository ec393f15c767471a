"""Several worker processes run one date of the daily run together (issue 4, item 6) — on PostgreSQL.

The batches of a run are independent units of work by debtor file: any number of ``kofo daily --worker``
processes (on several machines sharing the database) take free batches until none is left. These tests start
real, separate OS processes against the test database and compare the end state with a single-process run
of the same date on the same data.

How the comparison is made sound:

* The data is **committed** (``transaction=True``): the worker processes have their own connections and see
  only committed rows. The scenario is built once: 48 debtors (distinct persons, so one file each) with
  claims of several types and bank details, imported through ``do_import_request``; a baseline run of an
  earlier date (committed) leaves limitation warnings, proposals and known banks; then debtors are merged
  (within a batch), claims deferred, files suspended, proposals dropped and a payment recorded, so the date
  under test has every kind of work to do (surcharges, time-barred claims and files, merged files, a
  reopened file, an ended deferral, demands started automatically with their fees and clocks).
* The run for the date under test is **planned once** (committed). The **single-process reference** is then
  computed in this test process inside ``transaction.atomic()`` and rolled back (``set_rollback``): the
  database is back at the planned starting point, with the same rows and ids. Rows the run creates get new
  ids in the second run (sequences are not rolled back), so the compared state names them by what they are:
  a follow-up key pointing at a measure by the measure's file, kind and key; creation times are left out.
* The **workers are real processes** (``python -m kofo daily --date D --worker``, kofo's own settings, the
  test database's URL). To prove that both really share the work — without any timing assumption — the test
  holds a row lock on every file while they start: each worker leases a batch and waits on the lock of its
  first file. Once two distinct workers (``host:pid``) hold a lease, the test releases the files; each worker
  does its batch and takes further free ones.
* After both exit (status 0, 120 s limit), the end state — postings, claims, files, follow-ups, notes,
  surcharge months, measures, known third parties, each batch's result, the run's summary, the kinds and
  number of audit events — must equal the reference, the audit chain must verify and the ledger balance.

The same two tests run with ``kofo daily`` itself (dispatching every batch as a task through Django's task
interface, immediate backend) beside one ``--worker``.

Two tests force an interleaving two machines meet in practice — with the audit chain's lock held by the
test, the workers are started one after the other and let go when each is stopped:

* two workers meeting at a bank new to the office must note it once (``bank_for_iban``: without the chain
  lock before the insert the bank was created twice, with only a unique constraint the workers deadlocked);
* a merge across batches must not deadlock two workers (``process_batch`` with the survivor's file) —
  a known bug, marked as a strict expected failure with its cause;

and one checks that ``kofo daily`` knows the immediate backend ran the tasks (``_immediate``, also a strict
expected failure). Once a bug is fixed its test passes, strict ``xfail`` reports that, and the marker goes.

Skipped on SQLite: it serialises writers, so several workers are a PostgreSQL setup (docs/daily-run.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from schwifty import IBAN

from kofo.audit.chain import verify_chain
from kofo.audit.models import AuditEvent
from kofo.audit.recording import _CHAIN_LOCK_KEY
from kofo.cases.actions import do_record_direct_payment
from kofo.cases.daily import DAILY_ACTOR, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import do_cancel_measure
from kofo.cases.models import (
    Case,
    CaseNote,
    CaseStatus,
    CaseThirdParty,
    Claim,
    ClaimStatus,
    DailyRun,
    DailyRunStatus,
    FollowUp,
    FollowUpKind,
    Measure,
    MeasureClaim,
    MeasureStatus,
    StrategySettings,
    SurchargeAccrual,
    ThirdParty,
)
from kofo.debtors.actions import do_merge_debtors
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import trial_balance
from kofo.ledger.models import Posting
from kofo.money import Cents
from kofo.partners.models import ClaimType, Partner, Regime
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several daily-run workers need PostgreSQL (SQLite serialises writers; one process there)",
    ),
    pytest.mark.django_db(transaction=True),
]

REPO = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_S = 120
GATE_TIMEOUT_S = 60

INTAKE_DAY = dt.date(2025, 6, 1)
BASELINE_DAY = dt.date(2025, 7, 1)  # an earlier run: surcharges, limitation warnings (expiry 31.12.2025)
DAY = dt.date(2026, 1, 2)  # the date under test: old claims time-barred, a deferral ended, a review due
BATCH_FILES = 3
DEBTORS = 48

HEADER_LINE = (
    "kassenzeichen;forderungsart;rechtsgrundlage;bescheiddatum;bekanntgabe;faelligkeit;mahndatum;mahnfrist;"
    "hauptforderung;saeumniszuschlaege;saeumniszuschlaege_bis;mahngebuehr;kosten;schuldnernummer;schuldnerart;"
    "familienname;vornamen;geburtsname;geburtsdatum;firma;rechtsform;registergericht;registernummer;strasse;"
    "hausnummer;plz;ort;staat;telefon;email;iban;massnahmen;hinweise"
)
HEADER = HEADER_LINE.split(";")
SURNAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
    "Braun", "Krüger", "Vogel", "Hartmann", "Lange", "Friedrich", "Werner", "Keller", "Krause", "Günther",
    "Lehmann", "Frank", "Berger", "Winkler", "Köhler", "Herrmann", "König", "Walter", "Roth", "Huber",
    "Kaiser", "Fuchs", "Peters", "Beck", "Scholz", "Möller", "Weiß", "Jung",
]  # fmt: skip
GIVEN_NAMES = ["Anna", "Jonas", "Karl", "Maria", "Peter", "Sabine", "Thomas", "Ursula", "Lukas", "Petra"]
TOWNS = [("66740", "Saarlouis"), ("66763", "Dillingen"), ("66111", "Saarbrücken"), ("66424", "Homburg")]
BANK_CODES = ["37040044", "59050101", None]  # Commerzbank, Sparkasse Saarbrücken, no bank details

ONLY_OLD = {i for i in range(DEBTORS) if i % 16 == 15}  # whose only claim becomes time-barred: file closes
OLD = {i for i in range(DEBTORS) if i % 5 == 0} | ONLY_OLD  # a claim with Mahnung 2020: expiry 31.12.2025
# (source, target) merged after the baseline run, each pair within one batch (BATCH_FILES consecutive files;
# a merge across batches deadlocks two workers today: test_a_merge_across_batches_does_not_stop_a_worker).
# The sources carry a limitation warning that moves to the survivor's file.
MERGES = [(5, 3), (20, 18), (40, 41)]
DEFERRED = {7: dt.date(2025, 11, 28), 14: dt.date(2026, 2, 27)}  # ended by DAY / still running on DAY
SUSPENDED = {9: DAY, 27: dt.date(2026, 3, 2)}  # review due on DAY / later
PAID = 10  # a partial direct payment lowers the surcharge base


def eur(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def de(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def iban(bank_code: str | None, i: int) -> str:
    return (
        ""
        if bank_code is None
        else str(IBAN.generate("DE", bank_code=bank_code, account_code=f"{i + 1:010d}"))
    )


def claim_row(
    i: int, kz: str, kind: str, basis: str, due: dt.date, cents: int, *, bank: str | None, **extra: str
) -> str:
    reminder = due + dt.timedelta(days=14)
    town = TOWNS[i % len(TOWNS)]
    fields = {
        "kassenzeichen": kz,
        "forderungsart": kind,
        "rechtsgrundlage": basis,
        "bescheiddatum": de(due - dt.timedelta(days=40)),
        "bekanntgabe": de(due - dt.timedelta(days=37)),
        "faelligkeit": de(due),
        "mahndatum": de(reminder),
        "mahnfrist": de(reminder + dt.timedelta(days=14)),
        "hauptforderung": eur(cents),
        "schuldnernummer": str(i + 1),
        "schuldnerart": "natuerlich",
        "familienname": SURNAMES[i],
        "vornamen": GIVEN_NAMES[i % len(GIVEN_NAMES)],
        "geburtsdatum": de(dt.date(1950, 1, 1) + dt.timedelta(days=331 * i)),
        "strasse": f"{SURNAMES[i]}weg",
        "hausnummer": str(i + 1),
        "plz": town[0],
        "ort": town[1],
        "staat": "DE",
        "iban": iban(bank, i),
        **extra,
    }
    return ";".join(fields.get(column, "") for column in HEADER)


def request_csv() -> bytes:
    """One file per debtor; deterministic claims of several types, some of them old."""
    rows = []
    for i in range(DEBTORS):
        bank = BANK_CODES[i % len(BANK_CODES)]
        if i in ONLY_OLD:
            rows.append(
                claim_row(
                    i, f"ALT-{i:03d}", "grundsteuer", "§ 25 GrStG", dt.date(2020, 6, 15), 20_000, bank=bank
                )
            )
            continue
        due = dt.date(2025, 1 + i % 4, 15)
        rows.append(
            claim_row(i, f"GS-{i:03d}", "grundsteuer", "§ 25 GrStG", due, 20_000 + 3_700 * i, bank=bank)
        )
        if i % 2 == 0:
            rows.append(
                claim_row(
                    i, f"HU-{i:03d}", "hundesteuer", "Satzung", dt.date(2025, 3, 3), 12_000 + i, bank=bank
                )
            )
        if i % 3 == 0:  # no Säumniszuschläge on fines
            rows.append(
                claim_row(i, f"BG-{i:03d}", "bussgeld", "§ 17 OWiG", dt.date(2025, 2, 17), 8_000, bank=bank)
            )
        if i % 4 == 1:  # the partner charged the first month itself
            rows.append(
                claim_row(
                    i, f"GW-{i:03d}", "gewerbesteuer", "§ 16 GewStG", dt.date(2025, 2, 14), 150_000, bank=bank,
                    saeumniszuschlaege="15,00", saeumniszuschlaege_bis="14.03.2025",
                )
            )  # fmt: skip
        if i in OLD:  # Mahnung 2020: Zahlungsverjährung with the end of 2025 (§§ 228, 231 AO)
            rows.append(
                claim_row(
                    i,
                    f"ALT-{i:03d}",
                    "grundsteuer",
                    "§ 25 GrStG",
                    dt.date(2020, 6, 15),
                    20_000 + i,
                    bank=bank,
                )
            )
    return ("\n".join([HEADER_LINE, *rows]) + "\n").encode()


def make_partner() -> Partner:
    factories.make_office()
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(
        partner,
        regime=Regime.SVWVG_SL,
        valid_from=dt.date(2019, 1, 1),
        claim_types=[
            ClaimType.GRUNDSTEUER,
            ClaimType.HUNDESTEUER,
            ClaimType.GEWERBESTEUER,
            ClaimType.BUSSGELD,
        ],
    )
    return partner


def import_csv(partner: Partner, content: bytes) -> None:
    batch = do_import_request(
        partner, content, channel=Channel.CSV, filename="ersuchen.csv", as_of=INTAKE_DAY,
        actor=factories.TEST_ACTOR,
    )  # fmt: skip
    rows = content.decode().count("\n") - 1
    assert batch.items_accepted == rows, [i.problems for i in batch.items.exclude(status="accepted")]


# --- the compared state ------------------------------------------------------------------------------------


def _measure_names() -> dict[int, str]:
    return {
        pk: f"{number}/{kind}/{key or created_on}"
        for pk, number, kind, key, created_on in Measure.objects.values_list(
            "pk", "case__number", "kind", "key", "created_on"
        )
    }


def _follow_up_key(key: str, measures: dict[int, str], follow_ups: dict[int, str]) -> str:
    """A follow-up key with the ids of rows a run creates replaced by what those rows are."""
    prefix, _, rest = key.partition(":")
    ref, _, tail = rest.partition(":")
    names: dict[str, dict[int, str]] = {
        "proposal": measures,
        "clock": measures,
        "field-order": measures,
        "merged": follow_ups,
    }
    if prefix in names and ref.isdigit():
        return ":".join(part for part in (prefix, names[prefix].get(int(ref), f"?{ref}"), tail) if part)
    return key


def state() -> dict[str, Any]:
    """What the run may change, named without the ids a run assigns anew and without clock times."""
    measures = _measure_names()
    follow_up_rows = list(
        FollowUp.objects.values_list("pk", "case__number", "kind", "key", "due_on", "reason", "done_at")
    )
    originals = {pk: f"{number}/{key}" for pk, number, _k, key, _d, _r, _t in follow_up_rows}
    return {
        "postings": sorted(
            Posting.objects.values_list(
                "account__code", "amount_cents", "transaction__value_date", "transaction__reason_code"
            )
        ),
        "claims": sorted(Claim.objects.values_list("kassenzeichen", "status", "deferred_until")),
        "cases": sorted(
            Case.objects.values_list("number", "status", "close_reason", "closed_on", "review_on")
        ),
        "follow_ups": sorted(
            (number, kind, _follow_up_key(key, measures, originals), due_on, reason, done_at is not None)
            for _pk, number, kind, key, due_on, reason, done_at in follow_up_rows
        ),
        "notes": sorted(CaseNote.objects.values_list("case__number", "author", "text")),
        "accruals": sorted(
            SurchargeAccrual.objects.values_list(
                "claim__kassenzeichen", "month_index", "starts_on", "base_cents", "amount_cents"
            )
        ),
        "measures": sorted(
            (measures[pk], *rest)
            for pk, *rest in Measure.objects.values_list(
                "pk",
                "status",
                "reason",
                "third_party__bic",
                "amount_cents",
                "executed_on",
                "deadline_on",
                "deadline_kind",
                "stage",
                "fee_cents",
                "effort_units",
                "finished_on",
            )
        ),
        "measure_claims": sorted(
            (measures[pk], kz, amount)
            for pk, kz, amount in MeasureClaim.objects.values_list(
                "measure_id", "claim__kassenzeichen", "amount_cents"
            )
        ),
        "third_parties": sorted(ThirdParty.objects.values_list("kind", "bic", "name")),
        "known_third_parties": sorted(
            CaseThirdParty.objects.values_list(
                "case__number", "third_party__bic", "source", "noted_on", "iban"
            )
        ),
    }


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def run_outcome(run: DailyRun, *, since_event: int) -> dict[str, Any]:
    run.refresh_from_db()
    return {
        "status": run.status,
        "summary": run.summary,
        "batches": {
            number: (done_at is not None, result)
            for number, done_at, result in run.batches.values_list("number", "done_at", "result")
        },
        "audit_actions": Counter(
            AuditEvent.objects.filter(pk__gt=since_event).values_list("action", flat=True)
        ),
    }


# --- the scenario ------------------------------------------------------------------------------------------


@pytest.fixture
def planned(settings: Any, tmp_path: Path) -> DailyRun:
    """The scenario, committed, with the run for DAY planned and not started."""
    settings.DATA_DIR = tmp_path
    import_csv(make_partner(), request_csv())

    # The baseline: an earlier run, committed, that only proposes (an automatic demand would interrupt the
    # limitation of the old claims, § 231 Abs. 1 Nr. 8 AO).
    StrategySettings.objects.create(pk=1, automatic_kinds=[])
    assert open_missing_cases(BASELINE_DAY) == DEBTORS
    work_batches(do_plan_daily_run(BASELINE_DAY, actor=DAILY_ACTOR, batch_cases=BATCH_FILES), worker="base")
    assert FollowUp.objects.filter(kind=FollowUpKind.LIMITATION).count() == len(OLD)

    # What happened between the two dates.
    debtors = {
        i: Claim.objects.filter(kassenzeichen__in=[f"GS-{i:03d}", f"ALT-{i:03d}"])
        .select_related("debtor_record__debtor")
        .first()
        .debtor_record.debtor  # type: ignore[union-attr]
        for i in range(DEBTORS)
    }
    for source, target in MERGES:
        do_merge_debtors(
            debtors[source], debtors[target], actor=factories.TEST_ACTOR, reason="dieselbe Person"
        )
    # The actions refuse a Stundung or a Zurückstellung ending before the real today: set what one granted
    # back then leaves behind.
    for i, until in DEFERRED.items():
        Claim.objects.filter(kassenzeichen=f"GS-{i:03d}").update(
            status=ClaimStatus.DEFERRED, deferred_until=until
        )
    for i, review_on in SUSPENDED.items():
        Case.objects.filter(debtor=debtors[i]).update(status=CaseStatus.SUSPENDED, review_on=review_on)
    do_record_direct_payment(
        Claim.objects.get(kassenzeichen=f"GS-{PAID:03d}"),
        amount=Cents.parse("100,00"),
        paid_on=dt.date(2025, 8, 15),
        actor=factories.TEST_ACTOR,
    )
    # Half of the proposals were dropped; on DAY the strategy proposes again and sends demands by itself.
    for measure in Measure.objects.filter(status=MeasureStatus.PROPOSED).order_by("pk")[::2]:
        do_cancel_measure(measure, reason="nicht jetzt", on=dt.date(2025, 9, 1), actor=factories.TEST_ACTOR)
    StrategySettings.objects.filter(pk=1).update(automatic_kinds=["zahlungsaufforderung"])

    assert open_missing_cases(DAY) == 0
    run = do_plan_daily_run(DAY, actor=DAILY_ACTOR, batch_cases=BATCH_FILES)
    assert run.batches.count() == DEBTORS // BATCH_FILES
    return run


def reference(run: DailyRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """The single-process run of the planned date, rolled back: (state, outcome)."""
    mark = last_event()
    with transaction.atomic():
        work_batches(run, worker="reference")
        result = state(), run_outcome(run, since_event=mark)
        transaction.set_rollback(True)
    run.refresh_from_db()
    assert run.status == DailyRunStatus.RUNNING
    assert not run.batches.filter(done_at__isnull=False).exists()
    assert result[1]["status"] == DailyRunStatus.DONE
    return result


# --- the worker processes ----------------------------------------------------------------------------------


def worker_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process: kofo's own settings, pointed at the test database."""
    name = connection.settings_dict["NAME"]
    url = urlsplit(django_settings.DATABASE_URL)._replace(path=f"/{name}").geturl()
    env = {k: v for k, v in os.environ.items() if k not in {"KOFO_TASKS_BACKEND", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kofo.settings",
            "KOFO_DEBUG": "1",
            "KOFO_DATABASE_URL": url,
            "KOFO_DATA_DIR": str(tmp_path),
        }
    )
    return env


def daily(*args: str) -> list[str]:
    return [sys.executable, "-m", "kofo", "daily", "--date", DAY.isoformat(), *args]


def lessees(run: DailyRun) -> set[str]:
    return set(run.batches.exclude(worker="").values_list("worker", flat=True))


Ready = Callable[[list[str]], bool]


def run_gated(
    run: DailyRun, steps: list[tuple[list[str], Ready]], env: dict[str, str], *, hold: Callable[[], Any]
) -> list[tuple[int, str, str, str]]:
    """Start processes one after the other while ``hold`` keeps them from finishing their first file.

    Each step starts a process, then waits until its condition holds for the names (``host:pid``) of the
    processes started so far; after the last step the hold is released. ``hold`` is a context manager
    factory. Returns (exit code, worker name, stdout, stderr) per process.
    """
    host = socket.gethostname()
    processes: list[subprocess.Popen[str]] = []
    outcomes: list[tuple[int, str, str, str]] = []
    gated = False
    try:
        with hold():
            for args, ready in steps:
                processes.append(
                    subprocess.Popen(
                        args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    )
                )
                names = [f"{host}:{p.pid}" for p in processes]
                deadline = time.monotonic() + GATE_TIMEOUT_S
                while not (gated := ready(names)):
                    if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                if not gated:
                    break
        for process in processes:  # let go: the processes go on
            try:
                out, err = process.communicate(timeout=WORKER_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                sessions = database_sessions()
                process.kill()
                out, err = process.communicate()
                pytest.fail(
                    f"{host}:{process.pid} did not finish within {WORKER_TIMEOUT_S} s; the database sessions: "
                    f"{sessions}\n{err[-4000:]}"
                )
            outcomes.append((process.returncode, f"{host}:{process.pid}", out, err))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    for code, name, _out, err in outcomes:
        assert code == 0, f"{name} exited with {code}:\n{err[-4000:]}"
    assert gated, f"the processes did not all get to work while held back (leases: {lessees(run)})"
    return outcomes


def database_sessions() -> list[tuple[Any, ...]]:
    """The other sessions on the test database: what they wait for, what they run (for a failure message)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 300) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return list(cursor.fetchall())


def at_once(args: list[str]) -> tuple[list[str], Ready]:
    return args, lambda names: True


class FilesLocked:
    """Every file locked by this test: a worker leases a batch and then waits on its first file."""

    def __enter__(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        assert list(Case.objects.select_for_update().values_list("pk", flat=True))

    def __exit__(self, *exc: Any) -> None:
        self.atomic.__exit__(*exc)


def check_end_state(run: DailyRun, workers: set[str], ref_state: Any, ref_outcome: Any, mark: int) -> None:
    outcome = run_outcome(run, since_event=mark)
    assert outcome["status"] == DailyRunStatus.DONE
    assert run.finished_at is not None
    assert not outcome["summary"].get("files_failed"), outcome["summary"]
    # Every batch done, by the processes started, each of which did at least one.
    done_by = Counter(run.batches.values_list("worker", flat=True))
    assert set(done_by) == workers, done_by
    assert all(done for done, _result in outcome["batches"].values())
    # Each batch's result, the summary and the audit events equal the single-process run: no batch was
    # worked twice (a second pass would have found its surcharges booked and reported none).
    assert outcome["batches"] == ref_outcome["batches"]
    assert outcome["summary"] == ref_outcome["summary"]
    assert outcome["audit_actions"] == ref_outcome["audit_actions"]
    current = state()
    for part in ref_state:
        assert current[part] == ref_state[part], part
    # A surcharge month once per claim (also enforced by a unique constraint).
    months = list(SurchargeAccrual.objects.values_list("claim_id", "month_index"))
    assert len(months) == len(set(months))
    assert trial_balance() == 0
    assert verify_chain().ok  # the writers kept one unbroken audit chain


# --- the tests ---------------------------------------------------------------------------------------------


def test_the_scenario_gives_every_kind_of_work(planned: DailyRun) -> None:
    """The reference run does what the date calls for (so that the comparisons below compare something)."""
    ref_state, ref_outcome = reference(planned)
    summary = ref_outcome["summary"]
    assert not summary.get("files_failed"), summary
    assert summary["files"] == DEBTORS  # every file of the plan
    assert summary["files_merged"] == len(MERGES)
    assert summary["files_reopened"] == 1
    assert summary["deferrals_ended"] == 1
    assert summary["claims_time_barred"] == len(OLD)
    assert summary["files_closed"] == len(ONLY_OLD)  # the debtors whose only claim became time-barred
    assert summary["claims_with_new_surcharges"] > DEBTORS // 2
    assert summary["measures_started"] > BATCH_FILES
    moved = [
        f for f in ref_state["follow_ups"] if f[1] == FollowUpKind.LIMITATION and f[2].startswith("merged:")
    ]
    # The merged debtors' limitation warnings went to the survivors' files.
    assert len(moved) == len([source for source, _target in MERGES if source in OLD])
    assert len(ref_state["third_parties"]) == 2  # the two banks of the requests, noted on the baseline


def test_two_worker_processes_end_like_one_process(planned: DailyRun, tmp_path: Path) -> None:
    ref_state, ref_outcome = reference(planned)
    mark = last_event()

    outcomes = run_gated(
        planned,
        [at_once(daily("--worker")), (daily("--worker"), lambda names: lessees(planned) == set(names))],
        worker_env(tmp_path),
        hold=FilesLocked,
    )

    check_end_state(planned, {name for _c, name, _o, _e in outcomes}, ref_state, ref_outcome, mark)
    # One more worker for the finished date changes nothing.
    before = state(), AuditEvent.objects.count()
    again = subprocess.run(
        daily("--worker", "--json"), cwd=REPO, env=worker_env(tmp_path), capture_output=True, text=True,
        timeout=WORKER_TIMEOUT_S,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.strip().splitlines()[-1])["status"] == DailyRunStatus.DONE
    assert (state(), AuditEvent.objects.count()) == before


def test_the_dispatching_command_and_a_worker_share_one_date(planned: DailyRun, tmp_path: Path) -> None:
    """``kofo daily`` dispatches every batch as a task (immediate backend: in its own process) while a
    ``--worker`` takes batches too: a task whose batch the other process holds is skipped."""
    ref_state, ref_outcome = reference(planned)
    mark = last_event()

    outcomes = run_gated(
        planned,
        [at_once(daily("--json")), (daily("--worker"), lambda names: lessees(planned) == set(names))],
        worker_env(tmp_path),
        hold=FilesLocked,
    )

    check_end_state(planned, {name for _c, name, _o, _e in outcomes}, ref_state, ref_outcome, mark)
    summary = json.loads(outcomes[0][2].strip().splitlines()[-1])
    # The command reports "done" unless the worker finished the last batch after it; either way the run is.
    assert summary["status"] in {DailyRunStatus.DONE, DailyRunStatus.RUNNING}


class ChainLocked:
    """The audit chain's lock held by this test: a worker stops at the first audit event of a file."""

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_CHAIN_LOCK_KEY])

    def __exit__(self, *exc: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_CHAIN_LOCK_KEY])


def waiting_on_locks() -> int:
    """How many other connections to the test database wait on a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_two_workers_meeting_at_a_new_bank_note_it_once(settings: Any, tmp_path: Path) -> None:
    """Two batches of two files; three debtors have accounts at one bank that no run has noted yet.

    Batch 1: a file without bank details (its proposal is an audit event), then a file at the bank. Batch 2:
    two files at the bank. The test holds the audit chain's lock, starts the first worker and waits until it
    is stopped (at the first file's audit event), then starts the second and waits until it is stopped too
    (having reached the bank of its first file). Released, the first worker — first in the lock's queue, and
    holding it from then on until its batch commits — comes to the same bank while the second has not
    committed: two machines meet this whenever two batches in flight hold a bank new to the office. Whatever
    the interleaving, the bank must exist once and no file may fail.
    """
    settings.DATA_DIR = tmp_path
    partner = make_partner()
    StrategySettings.objects.create(pk=1, automatic_kinds=[])
    bank = BANK_CODES[0]
    rows = [
        claim_row(0, "GS-000", "grundsteuer", "§ 25 GrStG", dt.date(2025, 3, 14), 50_000, bank=None),
        *(
            claim_row(i, f"BG-{i:03d}", "bussgeld", "§ 17 OWiG", dt.date(2025, 2, 17), 8_000, bank=bank)
            for i in range(1, 4)
        ),
    ]
    import_csv(partner, ("\n".join([HEADER_LINE, *rows]) + "\n").encode())
    open_missing_cases(DAY)
    run = do_plan_daily_run(DAY, actor=DAILY_ACTOR, batch_cases=2)
    assert not ThirdParty.objects.exists()

    def stopped(count: int) -> Ready:
        return lambda names: lessees(run) == set(names) and waiting_on_locks() == count

    problem: BaseException | None = None
    try:
        run_gated(
            run,
            [(daily("--worker"), stopped(1)), (daily("--worker"), stopped(2))],
            worker_env(tmp_path),
            hold=ChainLocked,
        )
    except (AssertionError, pytest.fail.Exception) as exc:
        problem = exc
    run.refresh_from_db()
    banks = list(ThirdParty.objects.values_list("bic", flat=True))
    assert banks == ["COBADEFFXXX"], f"the bank is there {len(banks)} times; the run: {run.summary}"
    assert not run.summary.get("files_failed"), run.summary
    if problem is not None:
        raise problem
    assert run.status == DailyRunStatus.DONE
    assert CaseThirdParty.objects.count() == 3


def test_a_merge_across_batches_does_not_stop_a_worker(settings: Any, tmp_path: Path) -> None:
    """Four files in two batches of two; the first file's debtor was merged into the third file's.

    The test holds the audit chain's lock, starts the first worker and waits until it is stopped (closing
    the merged file, at its first audit event), then starts the second, which locks its batch — the
    survivor's file among it — and stops at its first audit event too. Released, the first worker goes first
    and commits; the note it wrote into the survivor's file must not make the two wait for each other.
    """
    settings.DATA_DIR = tmp_path
    partner = make_partner()
    StrategySettings.objects.create(pk=1, automatic_kinds=[])
    rows = [
        claim_row(i, f"GS-{i:03d}", "grundsteuer", "§ 25 GrStG", dt.date(2025, 3, 14), 50_000, bank=None)
        for i in range(4)
    ]
    import_csv(partner, ("\n".join([HEADER_LINE, *rows]) + "\n").encode())
    assert open_missing_cases(DAY) == 4
    cases = list(Case.objects.select_related("debtor").order_by("pk"))
    do_merge_debtors(cases[0].debtor, cases[2].debtor, actor=factories.TEST_ACTOR, reason="dieselbe Person")
    run = do_plan_daily_run(DAY, actor=DAILY_ACTOR, batch_cases=2)
    assert run.batches.count() == 2

    def stopped(count: int) -> Ready:
        return lambda names: lessees(run) == set(names) and waiting_on_locks() == count

    run_gated(
        run,
        [(daily("--worker"), stopped(1)), (daily("--worker"), stopped(2))],
        worker_env(tmp_path),
        hold=ChainLocked,
    )
    run.refresh_from_db()
    assert run.status == DailyRunStatus.DONE
    assert not run.summary.get("files_failed"), run.summary
    assert Case.objects.get(pk=cases[0].pk).close_reason == "merged"
    assert CaseNote.objects.filter(case=cases[2]).count() == 1


def test_the_command_knows_it_runs_the_tasks_itself() -> None:
    from kofo.cases.management.commands.daily import _immediate

    assert django_settings.TASKS["default"]["BACKEND"].endswith(".ImmediateBackend")
    assert _immediate()
