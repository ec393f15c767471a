"""`kofo debtors link`: the command's file handling on small files (no database involved)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kofo.debtors.linkage.csvformat import CsvFormatError, decode, detect_delimiter, parse_persons
from kofo.debtors.linkage.model import LinkageModel
from kofo.debtors.management.commands.debtors import Command, LinkError, run_link

HEADER = "record_id,surname,given_names,birth_name,birth_date,street,house_number,postcode,city"
ROWS = [
    "1,Müller,Anna,,1970-05-03,Hauptstraße,12,66111,Saarbrücken",
    "2,MUELLER,Anna,,03.05.1970,Hauptstr.,12 A,66111,Sbr.",
    "3,Schmidt,Peter,,1980-01-01,Am Markt,1,66740,Saarlouis",
    "4,Weber,Jonas,,kein Datum,,,,",
]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _result(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["record_id", "cluster_id", "match_score"]
    return {r["record_id"]: (r["cluster_id"], r["match_score"]) for r in rows}


@pytest.mark.parametrize(
    ("text", "encoding", "reason"),
    [
        ("\n".join([HEADER, *ROWS]) + "\n", "utf-8", "UTF-8, comma"),
        ("\ufeff" + "\n".join([HEADER, *ROWS]) + "\n", "utf-8", "UTF-8 with BOM"),
        ("\n".join([HEADER.replace(",", ";")] + [r.replace(",", ";") for r in ROWS]), "utf-8", "semicolon"),
        ("\r\n".join([HEADER, *ROWS]), "cp1252", "Windows-1252 and CRLF from an older finance system"),
    ],
)
def test_link_writes_one_line_per_record(tmp_path: Path, text: str, encoding: str, reason: str) -> None:
    src = _write(tmp_path / "in.csv", text, encoding)
    out = tmp_path / "out.csv"
    summary = run_link(src, out)
    result = _result(out)
    assert list(result) == ["1", "2", "3", "4"], reason  # input order kept
    assert result["1"][0] == result["2"][0] == "1", reason  # one person, cluster id = smallest record id
    assert float(result["1"][1]) > 0.99
    assert result["3"] == ("3", "") and result["4"] == ("4", ""), reason
    assert summary.records == 4 and summary.clusters == 3


def test_the_documented_example(tmp_path: Path) -> None:
    """docs/formats/linkage-csv.md: rows 1–3 are one person (row 3 through the birth name), row 4 another."""
    rows = [
        "1,Müller,Anna,,1970-05-03,Hauptstraße,12,66111,Saarbrücken",
        "2,MUELLER,Anna,,03.05.1970,Hauptstr.,12 A,66111,Sbr.",
        "3,Schmidt,Anna,Müller,1970-05-03,Am Markt,1,66740,Saarlouis",
        "4,Schmidt,Peter,,,Am Markt,1,66740,Saarlouis",
    ]
    src = _write(tmp_path / "in.csv", "\n".join([HEADER, *rows]))
    out = tmp_path / "out.csv"
    run_link(src, out)
    clusters = {k: v[0] for k, v in _result(out).items()}
    assert clusters == {"1": "1", "2": "1", "3": "1", "4": "4"}


def test_invalid_values_are_noise_not_a_crash(tmp_path: Path) -> None:
    rows = [
        "a,,,,31.02.1970,,,abc,",
        "b,Müller,Anna,,1970-99-99,Hauptstr.,xx,1,",
        ",Weber,Jonas,,,,,,",  # no record_id: one is made up and reported
        "c,Weber,Jonas",  # too few fields
    ]
    src = _write(tmp_path / "in.csv", "\n".join([HEADER, *rows]))
    out = tmp_path / "out.csv"
    summary = run_link(src, out)
    assert set(_result(out)) == {"a", "b", "zeile-4", "c"}
    assert {n.code for n in summary.notes} == {"record_id_missing", "field_count"}


@pytest.mark.parametrize(
    ("text", "message", "reason"),
    [
        (
            "record_id,surname\n1,Müller\n",
            "Es fehlen Spalten: given_names",
            "missing columns named in German",
        ),
        ("", "leer", "empty file"),
        ("\n".join([HEADER, ROWS[0], ROWS[0]]), "kommt in Zeile 2 und Zeile 3 vor", "duplicate record ids"),
    ],
)
def test_whole_file_problems_get_a_german_message(
    tmp_path: Path, text: str, message: str, reason: str
) -> None:
    src = _write(tmp_path / "in.csv", text)
    with pytest.raises(LinkError, match=message):
        run_link(src, tmp_path / "out.csv")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="gibt es nicht"):
        run_link(tmp_path / "fehlt.csv", tmp_path / "out.csv")
    with pytest.raises(LinkError, match="Verzeichnis"):
        run_link(tmp_path, tmp_path / "out.csv")


def test_review_and_model_files(tmp_path: Path) -> None:
    rows = [
        "1,Müller,Anna,,,Hauptstraße,12,66111,Saarbrücken",
        "2,Müller,Anna,,,Am Markt,1,54290,Trier",
    ]
    src = _write(tmp_path / "in.csv", "\n".join([HEADER, *rows]))
    review, model = tmp_path / "review.csv", tmp_path / "model.json"
    run_link(src, tmp_path / "out.csv", review_path=review, save_model_path=model)
    with review.open(encoding="utf-8") as f:
        pairs = list(csv.DictReader(f))
    assert (
        len(pairs) == 1 and pairs[0]["surname_level"] == "exact" and pairs[0]["birth_date_level"] == "missing"
    )
    loaded = LinkageModel.from_json(model.read_text(encoding="utf-8"))
    run_link(src, tmp_path / "out2.csv", model_path=model)
    assert (tmp_path / "out2.csv").read_text() == (tmp_path / "out.csv").read_text()
    assert loaded.version


def test_bad_model_file(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", "\n".join([HEADER, *ROWS]))
    bad = _write(tmp_path / "model.json", '{"format": "x"}')
    with pytest.raises(LinkError, match="kein gültiges kofo-Modell"):
        run_link(src, tmp_path / "out.csv", model_path=bad)


def test_command_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "in.csv", "\n".join([HEADER, *ROWS]))
    out = tmp_path / "out.csv"
    call_command("debtors", "link", str(src), "--out", str(out))
    assert out.exists()
    with pytest.raises(CommandError) as excinfo:
        call_command("debtors", "link", str(tmp_path / "fehlt.csv"), "--out", str(out))
    assert excinfo.value.returncode == 2


def test_command_needs_no_database() -> None:
    assert Command.requires_system_checks == []
    assert Command.requires_migrations_checks is False


@pytest.mark.parametrize(("header", "delimiter"), [("a,b;c", ","), ("a;b;c", ";"), ("a", ",")])
def test_detect_delimiter(header: str, delimiter: str) -> None:
    assert detect_delimiter(header) == delimiter


def test_decode_and_parse_helpers() -> None:
    assert decode("Müller".encode("cp1252")) == "Müller"
    with pytest.raises(CsvFormatError):
        parse_persons("\n")
