"""The intake CSV standard (docs/formats/intake-csv.md): decoding, headers, column mapping, rows.

Semicolon separated, decimal comma, dates dd.mm.yyyy, UTF-8 with or without BOM or Windows-1252
(detected: UTF-8 is tried first; a file that is not valid UTF-8 is read as Windows-1252).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kofo import limits

# kofo field name -> standard CSV header (German, lower case, ASCII).
CSV_COLUMNS: dict[str, str] = {
    "kassenzeichen": "kassenzeichen",
    "claim_type": "forderungsart",
    "legal_basis": "rechtsgrundlage",
    "assessment_date": "bescheiddatum",
    "notified_on": "bekanntgabe",
    "due_date": "faelligkeit",
    "reminder_date": "mahndatum",
    "reminder_deadline": "mahnfrist",
    "principal": "hauptforderung",
    "surcharges": "saeumniszuschlaege",
    "surcharges_until": "saeumniszuschlaege_bis",
    "reminder_fee": "mahngebuehr",
    "prior_costs": "kosten",
    "debtor_id": "schuldnernummer",
    "debtor_kind": "schuldnerart",
    "surname": "familienname",
    "given_names": "vornamen",
    "birth_name": "geburtsname",
    "birth_date": "geburtsdatum",
    "legal_name": "firma",
    "legal_form": "rechtsform",
    "register_court": "registergericht",
    "register_number": "registernummer",
    "street": "strasse",
    "house_number": "hausnummer",
    "postcode": "plz",
    "city": "ort",
    "country": "staat",
    "phone": "telefon",
    "email": "email",
    "iban": "iban",
    "requested_measures": "massnahmen",
    "notes": "hinweise",
}

# Columns every file must have (the rest may be missing or empty).
REQUIRED_FIELDS = (
    "kassenzeichen",
    "claim_type",
    "assessment_date",
    "due_date",
    "principal",
    "debtor_kind",
    "postcode",
    "city",
)


class FileProblem(Exception):
    """The whole file cannot be read: one clear German message and a machine code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Row:
    line: int  # line number in the file (header is line 1)
    fields: dict[str, str]


def decode(content: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 (with or without BOM) first, else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "file.encoding",
            f"Die Datei ist weder UTF-8 noch Windows-1252 (unlesbares Byte an Stelle {exc.start + 1}).",
        ) from exc
    return text, "cp1252"


def _normalise_header(text: str) -> str:
    return text.strip().strip('"').strip().lower()


def read_rows(content: bytes, mapping: Mapping[str, str] | None = None) -> tuple[str, Iterator[Row]]:
    """Check the whole file and return (encoding, rows). ``mapping``: kofo field -> the partner's header."""
    if len(content) > limits.INTAKE_FILE_BYTES_MAX:
        raise FileProblem(
            "file.too_large",
            f"Die Datei ist {f'{len(content) / 1_000_000:.1f}'.replace('.', ',')} MB groß; erlaubt sind höchstens "
            f"{limits.INTAKE_FILE_BYTES_MAX // 1_000_000} MB. Bitte in mehrere Dateien teilen.",
        )
    if not content.strip():
        raise FileProblem("file.empty", "Die Datei ist leer.")
    text, encoding = decode(content)
    if "\x00" in text:
        raise FileProblem("file.binary", "Die Datei enthält Binärdaten; erwartet wird eine CSV-Textdatei.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileProblem("file.header", f"Die Kopfzeile der Datei ist nicht lesbar ({exc}).") from exc
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        raise FileProblem(
            "file.delimiter",
            "Die Spalten sind nicht durch Semikolon getrennt. Der kofo-Standard verlangt ';' als Trennzeichen.",
        )
    expected = dict(CSV_COLUMNS)
    if mapping:
        expected.update({field: _normalise_header(header_name) for field, header_name in mapping.items()})
    positions: dict[str, int] = {}
    by_header = {_normalise_header(name): index for index, name in enumerate(header)}
    for field, header_name in expected.items():
        if header_name in by_header:
            positions[field] = by_header[header_name]
    missing = [expected[field] for field in REQUIRED_FIELDS if field not in positions]
    if missing:
        raise FileProblem(
            "file.missing_columns",
            "Es fehlen Pflichtspalten: " + ", ".join(missing) + ". Die Kopfzeile muss die Spalten des "
            "kofo-Standards enthalten (oder die Spaltenzuordnung des Partners).",
        )
    rows = list(_rows(reader, positions, len(header)))
    if len(rows) > limits.INTAKE_ROWS_MAX:
        raise FileProblem(
            "file.too_many_rows",
            f"Die Datei hat {len(rows):,} Zeilen; erlaubt sind höchstens {limits.INTAKE_ROWS_MAX:,}.".replace(
                ",", "."
            ),
        )
    if not rows:
        raise FileProblem("file.no_rows", "Die Datei enthält keine Forderungen (nur die Kopfzeile).")
    return encoding, iter(rows)


def _rows(reader: Iterator[list[str]], positions: dict[str, int], width: int) -> Iterator[Row]:
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileProblem(
                "file.syntax", f"Zeile {line + 1}: die CSV-Syntax ist fehlerhaft ({exc})."
            ) from exc
        line += 1
        if not any(value.strip() for value in values):
            continue  # blank lines are not claims
        fields = {
            field: (values[index].strip() if index < len(values) else "")
            for field, index in positions.items()
        }
        if len(values) > width:
            fields["__extra_values__"] = str(len(values) - width)
        yield Row(line=reader.line_num if hasattr(reader, "line_num") else line, fields=fields)
