"""``kofo debtors link INPUT.csv --out OUT.csv``: cluster a CSV of person records, without a database.

For a partner cleaning its own data and for bundling a new partner's backlog at onboarding. The format
is docs/formats/linkage-csv.md. This command reads and writes files only; it never opens the database
(no system checks, no migrations check), so it runs on any machine with kofo installed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kofo.debtors.linkage.csvformat import (
    CsvFormatError,
    RowNote,
    decode,
    format_assignments,
    format_review_pairs,
    parse_person_columns,
)
from kofo.debtors.linkage.engine import LinkageStats, link_columns
from kofo.debtors.linkage.model import LinkageModel

#: Review pairs written at most (the strongest first).
REVIEW_PAIRS_MAX = 100_000
#: Row notes printed at most (the rest are counted).
NOTES_SHOWN_MAX = 20


@dataclass(frozen=True)
class LinkSummary:
    records: int
    clusters: int
    review_pairs: int
    notes: list[RowNote]
    stats: LinkageStats
    model_version: str
    seconds: float


class LinkError(Exception):
    """A whole-file problem, with a German message for the user."""


def run_link(
    input_path: Path,
    out_path: Path,
    *,
    review_path: Path | None = None,
    model_path: Path | None = None,
    save_model_path: Path | None = None,
) -> LinkSummary:
    """Read ``input_path``, link, write ``out_path`` (and the review pairs and model when asked)."""
    started = time.perf_counter()
    try:
        data = input_path.read_bytes()
    except FileNotFoundError as exc:
        raise LinkError(f"Die Datei {input_path} gibt es nicht.") from exc
    except IsADirectoryError as exc:
        raise LinkError(f"{input_path} ist ein Verzeichnis, keine CSV-Datei.") from exc
    except OSError as exc:
        raise LinkError(f"Die Datei {input_path} kann nicht gelesen werden: {exc.strerror}.") from exc
    model = None
    if model_path is not None:
        try:
            model = LinkageModel.from_json(model_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LinkError(f"Das Modell {model_path} kann nicht gelesen werden: {exc.strerror}.") from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise LinkError(f"Das Modell {model_path} ist kein gültiges kofo-Modell: {exc}") from exc
    try:
        columns, notes = parse_person_columns(decode(data))
    except CsvFormatError as exc:
        raise LinkError(f"{input_path}: {exc.message}") from exc
    del data
    # Explanations cost time: only computed when the review file is asked for.
    result = link_columns(columns, model=model, review_pairs_max=REVIEW_PAIRS_MAX if review_path else 0)
    by_id = {a.record_id: a for a in result.assignments}
    try:
        with out_path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(format_assignments(by_id[i] for i in columns.record_id))
        if review_path is not None:
            with review_path.open("w", encoding="utf-8", newline="") as out:
                out.writelines(format_review_pairs(result.review_pairs))
        if save_model_path is not None:
            save_model_path.write_text(result.model.to_json(), encoding="utf-8")
    except OSError as exc:
        raise LinkError(
            f"Die Ausgabe kann nicht geschrieben werden: {exc.strerror} ({exc.filename})."
        ) from exc
    return LinkSummary(
        records=len(columns),
        clusters=result.stats.clusters,
        review_pairs=result.stats.review_pairs,
        notes=notes,
        stats=result.stats,
        model_version=result.model.version,
        seconds=time.perf_counter() - started,
    )


class Command(BaseCommand):
    help = "Schuldner: 'link' bündelt eine CSV-Datei von Personendatensätzen zu Personen (ohne Datenbank)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        link = sub.add_parser(
            "link", help="Personendatensätze einer CSV-Datei bündeln (docs/formats/linkage-csv.md)"
        )
        link.add_argument(
            "input", type=Path, help="CSV mit record_id, surname, given_names, … (UTF-8, , oder ;)"
        )
        link.add_argument(
            "--out", type=Path, required=True, help="Ergebnis: record_id,cluster_id,match_score"
        )
        link.add_argument(
            "--review", type=Path, help="Zweifelsfälle mit Begründung je Feld als CSV schreiben"
        )
        link.add_argument(
            "--model", type=Path, help="Modell (JSON) verwenden statt es aus den Daten zu schätzen"
        )
        link.add_argument("--save-model", type=Path, help="Das verwendete Modell als JSON speichern")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = run_link(
                options["input"],
                options["out"],
                review_path=options.get("review"),
                model_path=options.get("model"),
                save_model_path=options.get("save_model"),
            )
        except LinkError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        for note in summary.notes[:NOTES_SHOWN_MAX]:
            self.stderr.write(f"Hinweis: {note.message}")
        if len(summary.notes) > NOTES_SHOWN_MAX:
            self.stderr.write(f"… und {len(summary.notes) - NOTES_SHOWN_MAX} weitere Hinweise.")
        self.stdout.write(
            f"{summary.records} Datensätze → {summary.clusters} Personen; "
            f"{summary.review_pairs} Zweifelsfälle; Modell {summary.model_version}; "
            f"{summary.seconds:.1f} s. Ergebnis: {options['out']}"
        )
