"""The rejection report of a batch: one CSV line per problem of every item that was not accepted."""

from __future__ import annotations

import csv
import io

from kofo.intake.items import FIELD_LABELS
from kofo.intake.models import ImportBatch, ItemStatus

REPORT_COLUMNS = ["zeile", "kassenzeichen", "ergebnis", "code", "feld", "meldung"]


def rejection_report(batch: ImportBatch) -> str:
    """CSV (semicolon, UTF-8 with BOM for spreadsheet programs) of every problem; whole-file refusal too."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    if batch.error_code:
        writer.writerow(["", "", "Datei abgewiesen", batch.error_code, "", batch.error_message])
    items = batch.items.exclude(status__in=[ItemStatus.ACCEPTED, ItemStatus.DUPLICATE]).order_by("position")
    for item in items.iterator(chunk_size=2000):
        for problem in item.problems:
            writer.writerow(
                [
                    item.position,
                    item.kassenzeichen,
                    item.get_status_display(),
                    problem["code"],
                    FIELD_LABELS.get(problem["field"], problem["field"]),
                    problem["message"],
                ]
            )
    return out.getvalue()
