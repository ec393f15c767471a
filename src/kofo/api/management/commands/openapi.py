"""``kofo openapi [--output FILE]``: write the OpenAPI contract (docs/openapi.json is its committed copy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def openapi_document() -> str:
    from kofo.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Gibt den OpenAPI-Vertrag der API aus (oder schreibt ihn in eine Datei)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Datei, z. B. docs/openapi.json")

    def handle(self, *args: Any, **options: Any) -> None:
        document = openapi_document()
        if options.get("output"):
            Path(options["output"]).write_text(document, encoding="utf-8")
            self.stdout.write(f"OpenAPI-Vertrag geschrieben: {options['output']}")
        else:
            self.stdout.write(document, ending="")
