"""``kofo demo``: load the demo office (idempotent) and print the logins."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kofo.demo.loader import DEMO_STEPS, load_demo
from kofo.demo.statement import load_statement


class Command(BaseCommand):
    help = "Lädt die Demo: Vollstreckungsstelle, Partner, Vereinbarungen und je Rolle einen Benutzer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Keine Anmeldedaten ausgeben")
        parser.add_argument(
            "--statement",
            action="store_true",
            help="Nur den Demo-Kontoauszug von heute einlesen (nach dem Tageslauf; mehrfach ausführbar)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        if options["statement"]:
            imported = load_statement(timezone.localdate())
            if imported is None:
                console.print("Noch keine offenen Akten: erst `kofo daily`, dann den Demo-Kontoauszug.")
            else:
                console.print(
                    f"Demo-Kontoauszug: {imported.entries_new} neue Umsätze ({imported.matched} zugeordnet, "
                    f"{imported.clarification} Klärungsfälle), {imported.entries_known} bereits eingelesen."
                )
            return
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Demo wird geladen …", total=DEMO_STEPS)
            result = load_demo(step=lambda label: progress.update(task, advance=1, description=label))
        if result.created:
            console.print(f"Demo geladen: {len(result.created)} Objekte angelegt.")
        else:
            console.print("Demo war bereits geladen; nichts geändert.")
        if options["quiet"]:
            return
        table = Table(title="Demo-Anmeldungen (nur für die Demo!)")
        table.add_column("Benutzer")
        table.add_column("Passwort")
        table.add_column("Rolle")
        for user in result.users:
            table.add_row(user.username, user.password, user.role.value)
        console.print(table)
        if result.api_token:
            console.print(
                f"API-Token des Landkreises Saarlouis (wird nur jetzt angezeigt):\n  {result.api_token}"
            )
