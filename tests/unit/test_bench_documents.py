"""The documents benchmark (bench/documents.py): its mix, and one tiny run end to end (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.documents import KIND_SHARES, PFEV_PAIR, claims_for, mix_counts, sample_indices

REPO = Path(__file__).resolve().parents[2]


def test_mix_counts_add_up_and_pair_the_garnishment_copies() -> None:
    for letters in (1, 6, 7, 199, 2_000):
        counts = mix_counts(letters)
        assert sum(counts.values()) == letters
        assert counts[PFEV_PAIR[0]] == counts[PFEV_PAIR[1]]
    assert mix_counts(2_000) == {
        "zahlungsaufforderung": 800, "pfev_drittschuldner": 300, "pfev_schuldner": 300,
        "pfaendung_mitteilung": 300, "va_zahlungsaufforderung": 300,
    }  # fmt: skip
    assert all(count >= 1 for count in mix_counts(6).values())
    assert len(mix_counts(6)) == len(KIND_SHARES)


def test_mix_without_a_template_gives_its_share_to_the_others() -> None:
    counts = mix_counts(100, ["zahlungsaufforderung", "pfev_drittschuldner", "va_zahlungsaufforderung"])
    assert sum(counts.values()) == 100
    assert "pfev_drittschuldner" in counts and "pfev_schuldner" not in counts
    assert counts == {"zahlungsaufforderung": 57, "pfev_drittschuldner": 22, "va_zahlungsaufforderung": 21}


def test_sample_and_office_size() -> None:
    assert sample_indices(10, 0) == list(range(10))
    assert sample_indices(10, 4) == [0, 2, 5, 7]
    assert claims_for(2_000) == 12_000 and claims_for(5) == 1_000


def test_tiny_run_prints_the_figures() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "documents.py"), "--letters", "6", "--backends", "sqlite"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=600,
    )
    line, summary = (json.loads(text) for text in proc.stdout.strip().splitlines()[-2:])
    assert line["bench"] == "documents" and line["backend"] == "sqlite" and line["letters"] == 6
    assert sum(line["mix"]["letters_by_kind"].values()) == 6
    kofo = line["kofo"]
    assert kofo["documents_new"] == kofo["documents"] == kofo["audit_events"] == 6
    for key in ("seconds", "letters_per_s", "cpu_seconds", "pages_total", "pdf_bytes_total", "load_average"):
        assert key in kofo
    peers = line["peers"]
    for peer in ("weasyprint_single", "weasyprint_batch"):
        assert peers[peer]["letters_rendered"] == 6 and not peers[peer]["extrapolated"]
        assert peers[peer]["seconds"] > 0
    assert {"ratio_to_weasyprint_single", "ratio_to_weasyprint_batch"} <= line.keys()
    assert summary["summary"] is True and summary["letters"] == 6
    for key in (
        "sqlite_6_letters_per_s",
        "sqlite_6_at_least_20_letters_per_s",
        "sqlite_6_ratio_to_weasyprint_single",
        "sqlite_6_ratio_to_weasyprint_batch",
        "sqlite_6_under_1_5x_bare_weasyprint",
    ):
        assert key in summary
