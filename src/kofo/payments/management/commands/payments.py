"""``kofo payments import FILE`` · ``inbox`` · ``replay ID`` · ``remit --until DATE`` · ``collect --date DATE``
· ``sepa RUN``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kofo import limits
from kofo.audit import archive
from kofo.audit.actors import SystemActor
from kofo.money import Cents
from kofo.payments.collections import do_collection_run
from kofo.payments.imports import do_import_bank_file
from kofo.payments.models import BankImport, BankImportStatus, ImportSource, RemittanceRun
from kofo.payments.remittance import do_remittance_run, rebuild_file

CLI = SystemActor("system:cli")


def inbox_folder() -> Path:
    return Path(getattr(settings, "KOFO_BANK_INBOX", "") or Path(settings.DATA_DIR) / "inbox" / "bank")


class Command(BaseCommand):
    help = "Kontoauszüge (camt.053/.054) einlesen, Auskehrungslauf mit SEPA-Datei (pain.001) erstellen."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Kontoauszugsdatei (XML oder ZIP) einlesen")
        imp.add_argument("file")
        imp.add_argument("--json", action="store_true", help="Ergebnis als JSON")
        sub.add_parser(
            "inbox", help="Alle Dateien im Eingangsordner einlesen (danach nach done/ bzw. rejected/)"
        )
        replay = sub.add_parser(
            "replay", help="Archivierte Kontoauszugsdatei erneut einlesen (bucht nichts doppelt)"
        )
        replay.add_argument("bank_import", type=int)
        remit = sub.add_parser("remit", help="Auskehrungslauf bis zu einem Datum")
        remit.add_argument("--until", required=True, help="Zahlungen bis JJJJ-MM-TT")
        remit.add_argument("--execution-date", help="Ausführungstag (Standard: --until)")
        remit.add_argument("--out", help="SEPA-Datei (pain.001) zusätzlich hierhin schreiben")
        collect = sub.add_parser("collect", help="Lastschrifteinzug der fälligen Raten (pain.008)")
        collect.add_argument("--date", required=True, help="Fälligkeitstag des Einzugs JJJJ-MM-TT")
        collect.add_argument("--out", help="SEPA-Datei (pain.008) zusätzlich hierhin schreiben")
        sepa = sub.add_parser("sepa", help="SEPA-Datei eines Laufs ausgeben und gegen das Archiv prüfen")
        sepa.add_argument("run", type=int)
        sepa.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options["subcommand"]
        if sub == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"Datei {path} nicht gefunden.")
            if path.stat().st_size > limits.BANK_FILE_BYTES_MAX:
                raise CommandError(
                    f"Die Datei ist größer als {limits.BANK_FILE_BYTES_MAX // 1_000_000} MB (Fehlercode camt.too_large)."
                )
            result = do_import_bank_file(path.name, path.read_bytes(), source=ImportSource.CLI, actor=CLI)
            self._report(result, as_json=options["json"])
            if result.status == BankImportStatus.REJECTED:
                raise CommandError(f"Datei abgewiesen ({result.error_code}): {result.error_message}")
        elif sub == "inbox":
            self._inbox()
        elif sub == "replay":
            original = BankImport.objects.filter(pk=options["bank_import"]).first()
            if original is None:
                raise CommandError(f"Kontoauszugsdatei {options['bank_import']} gibt es nicht.")
            data = archive.load(original.sha256)
            self._report(do_import_bank_file(original.filename, data, source=ImportSource.CLI, actor=CLI))
        elif sub == "remit":
            self._remit(options)
        elif sub == "collect":
            self._collect(options)
        else:
            run = RemittanceRun.objects.filter(number=options["run"]).first()
            if run is None:
                raise CommandError(f"Auskehrungslauf {options['run']} gibt es nicht.")
            content = rebuild_file(run)
            if archive.load(run.sha256) != content:
                raise CommandError(
                    f"Die neu erzeugte Datei weicht von der archivierten ab (Lauf {run.number})."
                )
            Path(options["out"]).write_bytes(content)
            self.stdout.write(
                f"Lauf {run.number}: SEPA-Datei geschrieben, identisch mit dem Archiv ({run.sha256[:12]}…)."
            )

    def _report(self, result: BankImport, *, as_json: bool = False) -> None:
        if as_json:
            fields = ("status", "error_code", "error_message", "error_line", "statements", "entries_new",
                      "entries_known", "entries_pending", "matched", "clarification", "sha256")  # fmt: skip
            self.stdout.write(json.dumps({"id": result.pk, **{f: getattr(result, f) for f in fields}}))
            return
        if result.status == BankImportStatus.REJECTED:
            line = f" (Zeile {result.error_line})" if result.error_line else ""
            self.stdout.write(f"{result.filename}: abgewiesen{line}: {result.error_message}")
            return
        self.stdout.write(
            f"{result.filename} (Eingang {result.pk}, SHA-256 {result.sha256[:12]}…): {result.statements} Auszüge, "
            f"{result.entries_new} neue Umsätze ({result.matched} zugeordnet, {result.clarification} Klärungsfälle), "
            f"{result.entries_known} bereits eingelesen, {result.entries_pending} vorgemerkt."
        )

    def _inbox(self) -> None:
        folder = inbox_folder()
        folder.mkdir(parents=True, exist_ok=True)
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".zip"))
        if not files:
            self.stdout.write(f"Eingangsordner {folder}: keine Dateien.")
        for path in files:
            if path.stat().st_size > limits.BANK_FILE_BYTES_MAX:
                target = folder / "rejected"
                self.stdout.write(f"{path.name}: zu groß, nicht eingelesen.")
            else:
                result = do_import_bank_file(
                    path.name, path.read_bytes(), source=ImportSource.INBOX, actor=CLI
                )
                self._report(result)
                target = folder / ("rejected" if result.status == BankImportStatus.REJECTED else "done")
            target.mkdir(exist_ok=True)
            shutil.move(str(path), target / path.name)

    def _collect(self, options: dict[str, Any]) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"Datum ungültig: {exc}") from exc
        run = do_collection_run(collection_date=day, actor=CLI)
        if run is None:
            self.stdout.write(f"Keine fälligen Raten mit Lastschriftmandat bis {day:%d.%m.%Y}.")
            return
        self.stdout.write(
            f"Lastschriftlauf {run.number} zum {day:%d.%m.%Y}: {run.debits} Lastschriften, {Cents(run.total_cents)}, "
            f"SEPA-Datei SHA-256 {run.sha256[:12]}…"
        )
        if options.get("out"):
            Path(options["out"]).write_bytes(archive.load(run.sha256))
            self.stdout.write(f"SEPA-Datei geschrieben: {options['out']}")

    def _remit(self, options: dict[str, Any]) -> None:
        try:
            until = dt.date.fromisoformat(options["until"])
            execution = (
                dt.date.fromisoformat(options["execution_date"]) if options["execution_date"] else None
            )
        except ValueError as exc:
            raise CommandError(f"Datum ungültig: {exc}") from exc
        try:
            run = do_remittance_run(until=until, execution_date=execution, actor=CLI)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if run is None:
            self.stdout.write(f"Nichts auszukehren bis {until:%d.%m.%Y}.")
            return
        self.stdout.write(
            f"Auskehrungslauf {run.number} bis {run.until:%d.%m.%Y}: {run.transfers} Überweisungen, "
            f"{Cents(run.total_cents)}, SEPA-Datei SHA-256 {run.sha256[:12]}…"
        )
        for remittance in run.remittances.select_related("partner"):
            self.stdout.write(f"  {remittance.partner.name}: {Cents(remittance.amount_cents)}")
        if options.get("out"):
            Path(options["out"]).write_bytes(archive.load(run.sha256))
            self.stdout.write(f"SEPA-Datei geschrieben: {options['out']}")
