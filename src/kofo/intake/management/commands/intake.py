"""``kofo intake import FILE --partner KEY`` · ``kofo intake replay ID`` · ``kofo intake report ID``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kofo import limits
from kofo.audit.actors import SystemActor
from kofo.intake.actions import do_import_request, do_replay_request
from kofo.intake.models import BatchStatus, Channel, ImportBatch
from kofo.intake.report import rejection_report
from kofo.partners.models import Partner

CLI = SystemActor("system:cli")


class Command(BaseCommand):
    help = "Vollstreckungsersuchen einlesen (CSV), wiederholen und Ablehnungsbericht ausgeben."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="CSV-Datei eines Partners einlesen")
        imp.add_argument("file")
        imp.add_argument("--partner", required=True, help="Kurzname des Partners")
        imp.add_argument("--as-of", help="Prüfstichtag JJJJ-MM-TT (Standard: heute)")
        imp.add_argument("--report", help="Ablehnungsbericht in diese Datei schreiben")
        replay = sub.add_parser("replay", help="Archivierten Eingang erneut einlesen")
        replay.add_argument("batch", type=int)
        report = sub.add_parser("report", help="Ablehnungsbericht eines Eingangs ausgeben")
        report.add_argument("batch", type=int)
        report.add_argument("--out", help="Datei (Standard: Ausgabe)")

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options["subcommand"]
        if sub == "import":
            partner = Partner.objects.filter(key=options["partner"]).first()
            if partner is None:
                raise CommandError(f"Partner {options['partner']!r} gibt es nicht.")
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"Datei {path} nicht gefunden.")
            if path.stat().st_size > limits.INTAKE_FILE_BYTES_MAX:
                raise CommandError(
                    f"Die Datei ist größer als {limits.INTAKE_FILE_BYTES_MAX // 1_000_000} MB "
                    "(Fehlercode file.too_large). Bitte in mehrere Dateien teilen."
                )
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
            batch = do_import_request(
                partner, path.read_bytes(), channel=Channel.CSV, filename=path.name, as_of=as_of, actor=CLI
            )
        elif sub == "replay":
            original = ImportBatch.objects.filter(pk=options["batch"]).first()
            if original is None:
                raise CommandError(f"Eingang {options['batch']} gibt es nicht.")
            batch = do_replay_request(original, actor=CLI)
        else:
            found = ImportBatch.objects.filter(pk=options["batch"]).first()
            if found is None:
                raise CommandError(f"Eingang {options['batch']} gibt es nicht.")
            self._write_report(found, options.get("out"))
            return
        self._summary(batch)
        if sub == "import" and options.get("report"):
            self._write_report(batch, options["report"])
        if batch.status == BatchStatus.REFUSED:
            raise CommandError(f"Datei abgewiesen ({batch.error_code}): {batch.error_message}")

    def _summary(self, batch: ImportBatch) -> None:
        self.stdout.write(
            f"Eingang {batch.pk} ({batch.partner.name}, SHA-256 {batch.sha256[:12]}…): "
            f"{batch.items_total} Positionen, {batch.items_accepted} angenommen, {batch.items_rejected} abgelehnt, "
            f"{batch.items_duplicate} unverändert vorhanden, {batch.items_conflict} Konflikte."
        )

    def _write_report(self, batch: ImportBatch, out: str | None) -> None:
        text = rejection_report(batch)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            self.stdout.write(f"Ablehnungsbericht geschrieben: {out}")
        else:
            self.stdout.write(text, ending="")
