"""``kofo documents print [--date D]`` · ``verify ID | --date D`` · ``export ID --out FILE`` · ``batch ID --out DIR``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kofo.audit import archive
from kofo.audit.actors import SystemActor
from kofo.documents.actions import content_of, verify
from kofo.documents.models import Document, PrintBatch
from kofo.documents.printing import print_day

CLI = SystemActor("system:cli")


def _day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Ungültiges Datum {value!r}: erwartet JJJJ-MM-TT.") from error


class Command(BaseCommand):
    help = (
        "Briefe des Tages erstellen und in Druckstapel fassen; archivierte Schriftstücke prüfen und ausgeben."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        printing = sub.add_parser(
            "print", help="Briefe eines Tages erstellen und versenden (Druckstapel je Art)"
        )
        printing.add_argument("--date", help="Tag JJJJ-MM-TT (Standard: heute)")
        printing.add_argument("--json", action="store_true", help="Ergebnis als JSON")
        printing.add_argument("--serial", action="store_true", help="ohne parallele Prozesse erstellen")
        check = sub.add_parser(
            "verify", help="Schriftstück aus den gespeicherten Daten neu erstellen und vergleichen"
        )
        check.add_argument("document", type=int, nargs="?")
        check.add_argument("--date", help="alle Briefe dieses Tages prüfen")
        export = sub.add_parser("export", help="archiviertes Schriftstück (PDF) ausgeben")
        export.add_argument("document", type=int)
        export.add_argument("--out", required=True)
        batch = sub.add_parser("batch", help="Druckstapel (Sammel-PDF und Manifest) ausgeben")
        batch.add_argument("batch", type=int)
        batch.add_argument("--out", required=True, help="Ordner")

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options["subcommand"]
        if sub == "print":
            self._print(_day(options["date"]), as_json=options["json"], parallel=not options["serial"])
        elif sub == "verify":
            self._verify(options["document"], options["date"])
        elif sub == "export":
            document = Document.objects.filter(pk=options["document"]).first()
            if document is None:
                raise CommandError(f"Schriftstück {options['document']} gibt es nicht.")
            Path(options["out"]).write_bytes(content_of(document))
            self.stdout.write(f"{document.title} → {options['out']} (SHA-256 {document.sha256})")
        elif sub == "batch":
            batch = PrintBatch.objects.filter(pk=options["batch"]).first()
            if batch is None:
                raise CommandError(f"Druckstapel {options['batch']} gibt es nicht.")
            folder = Path(options["out"])
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{batch.day.isoformat()}_{batch.kind}_{batch.sequence}"
            (folder / f"{stem}.pdf").write_bytes(archive.load(batch.pdf_sha256, archive.DOCUMENTS))
            (folder / f"{stem}.csv").write_bytes(archive.load(batch.manifest_sha256, archive.DOCUMENTS))
            self.stdout.write(f"{batch} → {folder}/{stem}.pdf, .csv")

    def _print(self, day: dt.date, *, as_json: bool, parallel: bool) -> None:
        result = print_day(day, actor=CLI, parallel=parallel)
        if as_json:
            payload = {
                "date": day.isoformat(), "produced": result.produced, "skipped": result.skipped,
                "posted": result.posted, "electronic": result.electronic, "handed": result.handed,
                "batches": [{"id": b.pk, "kind": b.kind, "count": b.count, "pages": b.pages} for b in result.batches],
                "problems": result.problems,
            }  # fmt: skip
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(
            f"Briefe vom {day:%d.%m.%Y}: {result.produced} erstellt, {result.skipped} schon vorhanden; "
            f"{result.posted} in {len(result.batches)} Druckstapel(n), {result.electronic} elektronisch, "
            f"{result.handed} ausgehändigt/intern."
        )
        for batch in result.batches:
            self.stdout.write(
                f"  Stapel {batch.pk}: {batch.get_kind_display()} – {batch.count} Briefe, {batch.pages} Seiten"
            )
        for problem in result.problems:
            self.stderr.write(f"  nicht erstellt: {problem}")

    def _verify(self, document_id: int | None, date: str | None) -> None:
        if document_id is None and not date:
            raise CommandError("Schriftstück-Nummer oder --date angeben.")
        documents = (
            Document.objects.filter(pk=document_id)
            if document_id is not None
            else Document.objects.filter(letter_date=_day(date), template__isnull=False)
        )
        failures = 0
        for document in documents.order_by("pk"):
            result = verify(document)
            state = (
                "gleich (Byte für Byte)"
                if result.same_bytes
                else ("Text gleich" if result.same_text else "ABWEICHEND")
            )
            failures += not result.same_text
            self.stdout.write(f"{document.pk} {document.title}: {state}")
        if failures:
            raise CommandError(f"{failures} Schriftstück(e) weichen im Text ab.")
