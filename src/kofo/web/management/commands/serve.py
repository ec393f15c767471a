"""``kofo serve``: the production server (uvicorn, ASGI), static files through WhiteNoise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Startet den Webserver (uvicorn) für Oberfläche und API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Adresse (Standard 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="Port (Standard 8000)")
        parser.add_argument("--workers", type=int, default=1, help="Anzahl Arbeitsprozesse")
        parser.add_argument(
            "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        # WhiteNoise serves collected files from here when present; create it so it never warns.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

        self.stdout.write(
            f"kofo läuft auf http://{options['host']}:{options['port']}/ "
            f"(Datenbank: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
            f"Debug: {'an' if settings.DEBUG else 'aus'}). Beenden mit Strg+C."
        )
        uvicorn.run(
            "kofo.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            log_level=options["log_level"],
            proxy_headers=True,
            server_header=False,
        )
