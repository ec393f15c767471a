"""``kofo audit verify``: recompute the hash chain of the audit trail and report the first broken link."""

from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress

from kofo.audit.chain import verify_chain
from kofo.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Prüfpfad: 'verify' prüft die Hash-Kette aller Einträge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Hash-Kette neu berechnen und den ersten Bruch melden")
        verify.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        as_json = options.get("json")
        if as_json or total < 10_000:
            result = verify_chain()
        else:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("Prüfe Hash-Kette …", total=total)
                result = verify_chain(progress=lambda: progress.advance(task))
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "events_checked": result.events_checked,
                        "first_break": None
                        if result.first_break is None
                        else {"event_id": result.first_break.event_id, "reason": result.first_break.reason},
                    }
                )
            )
        if result.first_break is not None:
            raise CommandError(
                f"Prüfpfad verletzt bei Eintrag #{result.first_break.event_id}: {result.first_break.reason}",
                returncode=2,
            )
        if not as_json:
            console.print(f"Prüfpfad in Ordnung: {result.events_checked} Einträge, Hash-Kette geschlossen.")
