"""The CSV format of ``kofo debtors link`` (docs/formats/linkage-csv.md): parse and write, no file access.

The caller reads the bytes and writes the lines; this module only turns bytes into records and results
into lines, so it stays free of I/O like the rest of the engine.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from kofo.debtors.linkage.engine import Assignment, ReviewPair
from kofo.debtors.linkage.records import PersonColumns, PersonRecord

REQUIRED_COLUMNS = (
    "record_id",
    "surname",
    "given_names",
    "birth_name",
    "birth_date",
    "street",
    "house_number",
    "postcode",
    "city",
)
OPTIONAL_COLUMNS = ("partner_debtor_id",)
#: Largest input file (rules of the house no. 7).
CSV_BYTES_MAX = 1024 * 1024 * 1024
#: Most data rows in one file.
CSV_ROWS_MAX = 5_000_000
#: Rows parsed before they are turned into columns (bounds the memory of the intermediate rows).
PARSE_CHUNK_ROWS = 50_000
#: A single field longer than this is cut (names and addresses are short; a longer field is garbage).
FIELD_CHARS_MAX = 200


class CsvFormatError(ValueError):
    """A whole-file problem: the file cannot be read as the format at all. ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RowNote:
    """Something about one row that was tolerated (treated as noise) and is worth telling the user."""

    line: int
    code: str
    message: str


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM; Windows-1252 when the bytes are not UTF-8 (older finance systems)."""
    if len(data) > CSV_BYTES_MAX:
        raise CsvFormatError(
            "file_too_large",
            f"Die Datei ist größer als {CSV_BYTES_MAX // (1024 * 1024)} MB und wird nicht gelesen.",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise CsvFormatError(
                "encoding",
                "Die Datei ist weder UTF-8 noch Windows-1252 kodiert und kann nicht gelesen werden.",
            ) from exc


def detect_delimiter(header: str) -> str:
    """Semicolon or comma, whichever separates more fields in the header line."""
    return ";" if header.count(";") > header.count(",") else ","


def parse_persons(text: str) -> tuple[list[PersonRecord], list[RowNote]]:
    """Person records from CSV text (see :func:`parse_person_columns`)."""
    columns, notes = parse_person_columns(text)
    return columns.records(), notes


def parse_person_columns(text: str) -> tuple[PersonColumns, list[RowNote]]:
    """Person records from CSV text, one list per field. Bad values are kept as noise (the engine treats
    them as missing); only a file that is not this format at all raises :class:`CsvFormatError`."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise CsvFormatError(
            "empty", "Die Datei ist leer oder beginnt mit einer Leerzeile; erwartet wird eine Kopfzeile."
        )
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise CsvFormatError("header", f"Die Kopfzeile ist kein gültiges CSV: {exc}.") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CsvFormatError(
            "missing_columns",
            "Es fehlen Spalten: "
            + ", ".join(missing)
            + f". Erwartet werden (Trennzeichen „{delimiter}“): "
            + ", ".join(REQUIRED_COLUMNS)
            + ".",
        )
    columns = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    width = len(header)
    # Positions of the record's fields in a row padded to the header's width (+1: an always-empty cell).
    positions = [header.index(c) if c in header else width for c in columns]
    pick = itemgetter(*positions)  # on a row with one extra empty cell at index ``width``
    rows: list[tuple[str, ...]] = []
    notes: list[RowNote] = []
    seen: dict[str, int] = {}
    out: list[list[str]] = [[] for _ in columns]
    # One string object per distinct value (cities, postcodes, names repeat): a million rows of ten
    # fields would otherwise hold ten million strings.
    shared: list[dict[str, str]] = [{} for _ in columns]

    def flush() -> None:
        for j, values in enumerate(zip(*rows, strict=True)):
            out[j].extend(values if j == 0 else map(shared[j].setdefault, values, values))
        rows.clear()

    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if len(row) != width:
                if not any(cell.strip() for cell in row):
                    continue
                notes.append(
                    RowNote(
                        line,
                        "field_count",
                        f"Zeile {line}: {len(row)} statt {width} Felder; fehlende gelten als leer.",
                    )
                )
                row = (row + [""] * width)[:width]
            row.append("")
            values = pick(row)
            # Only the id is stripped here: every other field is normalised (and stripped) by the engine.
            record_id = values[0].strip()
            if max(map(len, values)) > FIELD_CHARS_MAX:
                values = tuple(v[:FIELD_CHARS_MAX] for v in values)
                record_id = record_id[:FIELD_CHARS_MAX]
            if not record_id:
                if not any(v.strip() for v in values):
                    continue
                record_id = f"zeile-{line}"
                notes.append(
                    RowNote(
                        line,
                        "record_id_missing",
                        f"Zeile {line}: keine record_id, verwendet wird „{record_id}“.",
                    )
                )
            if record_id != values[0]:
                values = (record_id, *values[1:])
            if record_id in seen:
                raise CsvFormatError(
                    "duplicate_record_id",
                    f"record_id „{record_id}“ kommt in Zeile {seen[record_id]} und Zeile {line} vor; jede Zeile braucht eine eigene Kennung.",
                )
            seen[record_id] = line
            if len(seen) > CSV_ROWS_MAX:
                raise CsvFormatError(
                    "too_many_rows", f"Mehr als {CSV_ROWS_MAX} Zeilen; bitte die Datei teilen."
                )
            rows.append(values)
            if len(rows) >= PARSE_CHUNK_ROWS:
                flush()
    except csv.Error as exc:
        raise CsvFormatError("csv_syntax", f"Zeile {line}: kein gültiges CSV ({exc}).") from exc
    if rows:
        flush()
    return PersonColumns(*out), notes


def format_assignments(assignments: Iterable[Assignment]) -> Iterator[str]:
    """``record_id,cluster_id,match_score`` lines (with header), comma-separated, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["record_id", "cluster_id", "match_score"])
    yield buffer.getvalue()
    for a in assignments:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([a.record_id, a.cluster_id, "" if a.match_score is None else f"{a.match_score:.4f}"])
        yield buffer.getvalue()


def format_review_pairs(pairs: Iterable[ReviewPair]) -> Iterator[str]:
    """Review pairs with the per-field explanation: ``left_id,right_id,match_weight,match_probability,reason,``
    then ``<field>_level`` and ``<field>_weight`` for every field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header_written = False
    for pair in pairs:
        fields = [f for f in pair.explanation.fields if f.field != "household"]
        household = sum(f.weight for f in pair.explanation.fields if f.field == "household")
        if not header_written:
            header = ["left_id", "right_id", "match_weight", "match_probability", "reason", "prior_weight"]
            for f in fields:
                header += [f"{f.field}_level", f"{f.field}_weight"]
            writer.writerow([*header, "household_weight"])
            header_written = True
        row = [
            pair.left_id,
            pair.right_id,
            f"{pair.weight:.2f}",
            f"{pair.probability:.4f}",
            pair.reason,
            f"{pair.explanation.prior_weight:.2f}",
        ]
        for f in fields:
            row += [f.level, f"{f.weight:.2f}"]
        writer.writerow([*row, f"{household:.2f}"])
    if not header_written:
        writer.writerow(["left_id", "right_id", "match_weight", "match_probability", "reason"])
    yield buffer.getvalue()
