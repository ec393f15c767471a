"""``kofo daily --date YYYY-MM-DD``: the daily run (see :mod:`kofo.cases.daily`)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Sum
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kofo.cases.daily import (
    DAILY_ACTOR,
    do_plan_daily_run,
    finish_run,
    open_missing_cases,
    release_dead_leases,
    work_batches,
)
from kofo.cases.models import DailyRun
from kofo.cases.tasks import run_daily_batch
from kofo.money import Cents

LABELS = {
    "files": "Akten bearbeitet",
    "claims": "Forderungen geprüft",
    "claims_with_new_surcharges": "Forderungen mit neuen Säumniszuschlägen",
    "limitation_warnings": "Verjährungswarnungen",
    "claims_time_barred": "Forderungen verjährt (Vollstreckung eingestellt)",
    "deferrals_ended": "Stundungen abgelaufen",
    "files_reopened": "zurückgestellte Akten wieder aufgenommen",
    "files_merged": "Akten zusammengeführt",
    "files_closed": "Akten abgeschlossen",
    "payment_periods_ended": "Zahlungsfristen abgelaufen",
    "deadline_follow_ups": "Wiedervorlagen aus Fristen von Maßnahmen",
    "measures_proposed": "Maßnahmen vorgeschlagen",
    "measures_started": "Maßnahmen automatisch ausgeführt",
    "instalment_plans_revoked": "Ratenzahlungen widerrufen (Rate versäumt)",
    "instalment_plans_completed": "Ratenzahlungen erfüllt",
}
POLL_SECONDS = 2.0


class Command(BaseCommand):
    help = "Tageslauf: Säumniszuschläge, Fristen, Verjährung, Wiedervorlagen – idempotent je Stichtag."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Stichtag JJJJ-MM-TT (Vorgabe: heute)")
        parser.add_argument(
            "--worker",
            action="store_true",
            help="als zusätzlicher Arbeitsprozess freie Pakete des Stichtags bearbeiten, bis keine mehr frei sind",
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="nur planen und die Pakete als Aufgaben verteilen (bei einem Aufgaben-Backend mit Workern)",
        )
        parser.add_argument("--json", action="store_true", help="Zusammenfassung als JSON ausgeben")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run_date = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date: „{options['date']}“ ist kein Datum der Form JJJJ-MM-TT.") from None
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        quiet = bool(options.get("json"))
        started = time.perf_counter()

        if options.get("worker"):
            run = DailyRun.objects.filter(run_date=run_date).first()
            if run is None:
                raise CommandError(f"Für den {run_date:%d.%m.%Y} ist noch kein Tageslauf geplant.")
            work_batches(run)
        else:
            opened = open_missing_cases(run_date)
            run = do_plan_daily_run(run_date, actor=DAILY_ACTOR)
            release_dead_leases(run)
            pending = list(run.batches.filter(done_at__isnull=True).order_by("number"))
            total_cases = sum(b.cases for b in pending)
            if not quiet and opened:
                console.print(f"{opened} neue Schuldnerakten angelegt.")
            with Progress(
                TextColumn("Tageslauf {task.fields[day]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=quiet,
            ) as progress:
                bar = progress.add_task("run", total=total_cases, day=f"{run_date:%d.%m.%Y}")
                for batch in pending:
                    result = run_daily_batch.enqueue(run.pk, batch.number)
                    if _immediate():  # the task ran in this process
                        if str(result.status) == "FAILED":
                            detail = result.errors[-1].traceback if result.errors else "unbekannter Fehler"
                            raise CommandError(
                                f"Paket {batch.number} des Tageslaufs ist fehlgeschlagen:\n{detail}"
                            )
                        progress.advance(bar, batch.cases)
                if not _immediate() and not options.get("no_wait"):
                    while run.batches.filter(done_at__isnull=True).exists():
                        done = run.batches.filter(done_at__isnull=False).aggregate(n=Sum("cases"))["n"] or 0
                        progress.update(bar, completed=done)
                        time.sleep(POLL_SECONDS)
            run = finish_run(run)

        run.refresh_from_db()
        seconds = round(time.perf_counter() - started, 2)
        summary = {"run_date": run_date.isoformat(), "status": run.status, "seconds": seconds, **run.summary}
        if quiet:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if run.status != "done":
            console.print(f"Tageslauf {run_date:%d.%m.%Y}: Pakete verteilt, Bearbeitung läuft noch.")
            return
        console.print(f"[bold]Tageslauf {run_date:%d.%m.%Y} abgeschlossen[/bold] ({seconds} s)")
        for key, label in LABELS.items():
            if key in run.summary:
                console.print(f"  {label}: {run.summary[key]}")
        console.print(
            f"  Säumniszuschläge gebucht: {Cents(int(run.summary.get('surcharges_cents', 0))).format()}"
        )


def _immediate() -> bool:
    """Whether tasks run at once in this process (the default backend), not in separate workers."""
    return isinstance(task_backends["default"], ImmediateBackend)
