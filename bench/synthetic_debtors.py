"""Write synthetic German debtor records with ground truth as CSV (the format of ``kofo debtors link``).

The generator and its noise model live in :mod:`kofo.debtors.linkage.synthetic` (documented in
docs/linkage.md); this script only writes its output: ``OUT.csv`` (the linkage CSV format) and
``OUT.truth.csv`` (``record_id,entity_id``).

Usage: ``python bench/synthetic_debtors.py --records 100000 --seed 1969 --out var/debtors-100k.csv``.
Without ``--out`` (as ``make bench`` runs every script) it only times the generator and prints one JSON
line with the shape of the data: records, debtors, true pairs, records per second.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from pathlib import Path

from kofo.debtors.linkage.csvformat import REQUIRED_COLUMNS
from kofo.debtors.linkage.synthetic import LabelledRecord, generate


def write(records: list[LabelledRecord], out: Path) -> Path:
    """Write ``out`` and its truth file next to it; returns the truth file's path."""
    truth = out.with_suffix(".truth.csv")
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(REQUIRED_COLUMNS)
        for item in records:
            r = item.record
            writer.writerow(
                [
                    r.record_id,
                    r.surname,
                    r.given_names,
                    r.birth_name,
                    r.birth_date,
                    r.street,
                    r.house_number,
                    r.postcode,
                    r.city,
                ]
            )
    with truth.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["record_id", "entity_id"])
        writer.writerows((item.record.record_id, item.entity_id) for item in records)
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1969)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    records = generate(args.records, seed=args.seed)
    seconds = time.perf_counter() - started
    if args.out is None:
        sizes = Counter(r.entity_id for r in records).values()
        print(
            json.dumps(
                {
                    "bench": "synthetic_debtors",
                    "records": len(records),
                    "debtors": len(sizes),
                    "true_pairs": sum(k * (k - 1) // 2 for k in sizes),
                    "seconds": round(seconds, 2),
                    "records_per_s": round(len(records) / seconds),
                }
            )
        )
        return
    truth = write(records, args.out)
    print(f"{args.records} Datensätze: {args.out}, Wahrheit: {truth}")


if __name__ == "__main__":
    main()
