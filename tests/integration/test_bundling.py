"""Bundling across creditors (issue 3, "How it is checked"): three partners submit claims for the same
people with realistic variations; the debtor files must bundle them as the ground truth says, and the
uncertain pairs must appear in the review queue with an explanation per field.

Ground truth and variations come from the documented synthetic generator (docs/linkage.md): typos, umlaut
variants, double names, birth names, moves, missing birth dates, common names.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from typing import Any

import pytest

from kofo.debtors.actions import current, do_decide_link_review
from kofo.debtors.linkage.synthetic import generate
from kofo.debtors.models import LinkReview, ReviewStatus
from kofo.intake.actions import do_import_request
from kofo.intake.items import parse_date
from kofo.intake.models import Channel, ItemStatus
from kofo.partners.models import ClaimType, Regime
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 11, 2)
RECORDS = 240


def usable(record: Any) -> bool:
    """What a partner's finance system would deliver: a five-digit postcode, a city, a valid date or none."""
    if not re.fullmatch(r"[0-9]{5}", record.postcode) or not record.city or not record.surname:
        return False
    if record.birth_date:
        try:
            born = parse_date(str(record.birth_date))
        except ValueError:
            return False
        if not dt.date(1916, 1, 1) <= born <= AS_OF:  # intake refuses these (item.birth_date_implausible)
            return False
    return True


def item(kassenzeichen: str, record: Any) -> dict[str, Any]:
    return {
        "kassenzeichen": kassenzeichen,
        "claim_type": "grundsteuer",
        "assessment_date": "2026-02-10",
        "notified_on": "2026-02-13",
        "due_date": "2026-05-15",
        "reminder_date": "2026-09-15",
        "reminder_deadline": "2026-09-29",
        "principal": "250.00",
        "debtor": {
            "kind": "natuerlich",
            "surname": record.surname,
            "given_names": record.given_names,
            "birth_name": record.birth_name,
            "birth_date": str(record.birth_date),
            "street": record.street,
            "house_number": record.house_number,
            "postcode": record.postcode,
            "city": record.city,
        },
    }


def pairs(groups: dict[Any, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}  # type: ignore[misc]


def test_three_partners_bundle_as_the_ground_truth_says(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path
    partners = [factories.make_partner() for _ in range(3)]
    for partner in partners:
        factories.make_agreement(partner, regime=Regime.SVWVG_SL, claim_types=[ClaimType.GRUNDSTEUER])
    labelled = [r for r in generate(RECORDS, seed=2026) if usable(r.record)]
    truth: dict[str, int] = {}
    per_partner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for index, entry in enumerate(labelled):
        kz = f"KZ-{index:05d}"
        truth[kz] = entry.entity_id
        per_partner[index % 3].append(item(kz, entry.record))
    for index, partner in enumerate(partners):
        content = json.dumps({"items": per_partner[index]}).encode()
        batch = do_import_request(
            partner, content, channel=Channel.JSON, as_of=AS_OF, actor=factories.TEST_ACTOR
        )
        assert batch.items_rejected == 0, [
            i.problems for i in batch.items.exclude(status=ItemStatus.ACCEPTED)[:3]
        ]

    # The prior's n comes from the statistics row, kept with every insert: it equals a count.
    from kofo.debtors.matching import natural_record_count
    from kofo.debtors.models import DebtorKind, DebtorRecord

    assert natural_record_count() == DebtorRecord.objects.filter(kind=DebtorKind.NATURAL).count() > 0

    from kofo.cases.models import Claim

    def bundles() -> tuple[float, float]:
        found: dict[Any, list[str]] = defaultdict(list)
        expected: dict[Any, list[str]] = defaultdict(list)
        for claim in Claim.objects.select_related("debtor_record__debtor"):
            found[current(claim.debtor_record.debtor).pk].append(claim.kassenzeichen)
            expected[truth[claim.kassenzeichen]].append(claim.kassenzeichen)
        found_pairs, true_pairs = pairs(found), pairs(expected)
        return len(found_pairs & true_pairs) / len(found_pairs), len(found_pairs & true_pairs) / len(
            true_pairs
        )

    # Automatic links are precise; bundles span partners (the point of the office).
    precision, recall = bundles()
    assert precision >= 0.99, (precision, recall)
    assert Claim.objects.values("debtor_record__debtor").distinct().count() < len(truth)

    # Every uncertain pair is in the review queue with an explanation per field ...
    reviews = list(
        LinkReview.objects.filter(status=ReviewStatus.OPEN).select_related("record", "candidate_record")
    )
    assert reviews
    for review in reviews:
        fields = {entry["field"] for entry in review.explanation}
        assert {"Familienname", "Vornamen", "Geburtsdatum", "Anschrift"} <= fields
        assert all("level" in entry and "weight" in entry for entry in review.explanation)
    # ... and a caseworker deciding the queue as the ground truth says completes the bundles.
    entity_of_record = {
        claim.debtor_record_id: truth[claim.kassenzeichen]
        for claim in Claim.objects.only("debtor_record_id", "kassenzeichen")
    }
    for review in reviews:
        review.refresh_from_db()
        if review.status != ReviewStatus.OPEN:
            continue
        same = entity_of_record[review.record_id] == entity_of_record[review.candidate_record_id]
        do_decide_link_review(review, confirm=same, actor=factories.TEST_ACTOR)
    precision, recall = bundles()
    assert precision >= 0.99, (precision, recall)
    assert recall >= 0.95, (precision, recall)
