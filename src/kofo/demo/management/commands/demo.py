"""``kofo demo``: load the demo office (idempotent) and print the logins."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from kofo.demo.loader import DEMO_STEPS, load_demo


class Command(BaseCommand):
    help = "Lädt die Demo: Vollstreckungsstelle, Partner, Vereinbarungen und je Rolle einen Benutzer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Keine Anmeldedaten ausgeben")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
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
