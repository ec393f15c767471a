"""Intake of enforcement requests (issue 3): mixed files, codes per row, archive and replay, conflicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kofo.audit import archive
from kofo.audit.models import AuditEvent
from kofo.cases.models import Claim
from kofo.debtors.models import Debtor, LinkDecision
from kofo.intake.actions import do_import_request, do_replay_request
from kofo.intake.models import BatchStatus, Channel, ItemStatus
from kofo.intake.report import rejection_report
from kofo.ledger.balances import component_balances, partner_balance, trial_balance
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "formats" / "intake-example.csv"
AS_OF = dt.date(2026, 11, 2)

# Expected result per Kassenzeichen of docs/formats/intake-example.csv (each row says why in its notes).
EXPECTED = {
    "GS-2026-000123": (ItemStatus.ACCEPTED, None),
    "HU-2026-000456": (ItemStatus.ACCEPTED, None),
    "GS-2026-000789": (ItemStatus.REJECTED, "enforce.reminder_missing"),  # SVwVG § 31: Mahnung is a condition
    "HU-2026-000999": (ItemStatus.REJECTED, "item.below_threshold"),  # 20,00 EUR < 36 EUR threshold
    "KFZ-2026-000001": (ItemStatus.REJECTED, "item.claim_type_not_covered"),
    "GS-2026-001000": (ItemStatus.REJECTED, "item.date_invalid"),  # 31.02.2026 does not exist
    "GS-2026-001001": (ItemStatus.REJECTED, "item.postcode_invalid"),  # 6674: four digits
    "GW-2026-000042": (ItemStatus.ACCEPTED, None),
    "GS-2019-000007": (ItemStatus.REJECTED, "item.time_barred"),  # due 2019: expired end of 2024 (§ 229 AO)
}


@pytest.fixture
def gemeinde(db: Any, settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(
        partner,
        regime=Regime.SVWVG_SL,
        claim_types=[ClaimType.GRUNDSTEUER, ClaimType.HUNDESTEUER, ClaimType.GEWERBESTEUER],
    )
    return partner


def import_example(partner: Any, content: bytes | None = None) -> Any:
    return do_import_request(
        partner,
        content if content is not None else EXAMPLE.read_bytes(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=AS_OF,
        actor=factories.TEST_ACTOR,
    )


def results(batch: Any) -> dict[str, tuple[str, str | None]]:
    return {
        item.kassenzeichen: (item.status, item.problems[0]["code"] if item.problems else None)
        for item in batch.items.all()
    }


def test_mixed_file_accepts_good_rows_and_answers_every_bad_row_with_its_code(gemeinde: Any) -> None:
    batch = import_example(gemeinde)
    assert batch.status == BatchStatus.DONE
    assert results(batch) == EXPECTED
    assert (batch.items_total, batch.items_accepted, batch.items_rejected) == (9, 3, 6)
    assert Claim.objects.count() == 3  # accepted rows are committed, nothing else
    # German messages for the rejected rows.
    messages = [p["message"] for item in batch.items.exclude(status="accepted") for p in item.problems]
    assert all(message and message[0].isupper() for message in messages)


def test_accepted_claims_are_booked_per_component(gemeinde: Any) -> None:
    import_example(gemeinde)
    claim = Claim.objects.get(kassenzeichen="GS-2026-000123")
    balances = component_balances("cases.claim", claim.pk)
    assert balances[Component.PRINCIPAL] == Cents(159800)
    assert balances[Component.SURCHARGE] == Cents(4750)
    assert balances[Component.FEE] == Cents(280)
    total = Cents(159800 + 4750 + 280) + Cents(12000 + 280) + Cents(245000 + 7350)
    assert partner_balance(gemeinde.pk, AccountKind.PARTNER_CLAIMS) == -total
    assert trial_balance() == Cents(0)


def test_rejection_report_lists_exactly_the_bad_rows(gemeinde: Any) -> None:
    batch = import_example(gemeinde)
    report = rejection_report(batch).lstrip("\ufeff").splitlines()
    assert report[0] == "zeile;kassenzeichen;ergebnis;code;feld;meldung"
    reported = {line.split(";")[1] for line in report[1:]}
    assert reported == {kz for kz, (status, _code) in EXPECTED.items() if status == ItemStatus.REJECTED}


def test_the_same_person_in_two_spellings_becomes_one_debtor(gemeinde: Any) -> None:
    """Müller/Mueller, Anna Maria/Anna, Hauptstraße 12a/Hauptstr. 12 A, same birth date: one debtor."""
    import_example(gemeinde)
    first = Claim.objects.get(kassenzeichen="GS-2026-000123").debtor_record
    second = Claim.objects.get(kassenzeichen="HU-2026-000456").debtor_record
    assert first.debtor_id == second.debtor_id
    assert second.link_decision == LinkDecision.AUTO
    legal = Claim.objects.get(kassenzeichen="GW-2026-000042").debtor_record
    assert legal.debtor_id != first.debtor_id


def test_file_is_archived_and_replay_gives_the_identical_result(gemeinde: Any) -> None:
    batch = import_example(gemeinde)
    assert archive.load(batch.sha256) == EXAMPLE.read_bytes()
    replay = do_replay_request(batch, actor=factories.TEST_ACTOR)
    assert replay.replay_of == batch
    assert replay.as_of == batch.as_of
    # In the same database the accepted rows are now reported no-ops; every rejection is identical.
    expected = {
        kz: ((ItemStatus.DUPLICATE, None) if status == ItemStatus.ACCEPTED else (status, code))
        for kz, (status, code) in EXPECTED.items()
    }
    assert results(replay) == expected
    assert Claim.objects.count() == 3


def test_resubmitting_with_other_content_is_a_conflict_naming_the_correction_path(gemeinde: Any) -> None:
    import_example(gemeinde)
    changed = EXAMPLE.read_bytes().replace(b"1.598,00", b"1.698,00")
    batch = import_example(gemeinde, changed)
    item = batch.items.get(kassenzeichen="GS-2026-000123")
    assert item.status == ItemStatus.CONFLICT
    assert item.problems[0]["code"] == "item.conflict"
    assert "Absetzung" in item.problems[0]["message"]
    assert Claim.objects.get(kassenzeichen="GS-2026-000123").principal_cents == 159800


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "file.empty"),
        (b"kassenzeichen;forderungsart\r\nX;grundsteuer\r\n", "file.missing_columns"),
        (b"kassenzeichen,forderungsart,bescheiddatum\r\n", "file.delimiter"),
        (b"\x81\x8d\x8f\x90\x9d", "file.encoding"),
    ],
)
def test_whole_file_problems_get_one_clear_message(gemeinde: Any, content: bytes, code: str) -> None:
    batch = import_example(gemeinde, content)
    assert batch.status == BatchStatus.REFUSED
    assert batch.error_code == code
    assert batch.error_message
    assert not batch.items.exists()
    assert AuditEvent.objects.filter(action="intake.import_request", object_id=str(batch.pk)).exists()


def test_windows_1252_file_is_detected(gemeinde: Any) -> None:
    content = EXAMPLE.read_text(encoding="utf-8").encode("cp1252")
    batch = import_example(gemeinde, content)
    assert batch.encoding == "cp1252"
    assert results(batch) == EXPECTED
    assert Claim.objects.get(kassenzeichen="GS-2026-000123").debtor_record.surname == "Müller"


def test_utf8_with_bom_is_read(gemeinde: Any) -> None:
    batch = import_example(gemeinde, b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert batch.encoding == "utf-8-sig"
    assert results(batch) == EXPECTED


def test_partner_column_mapping(gemeinde: Any) -> None:
    from kofo.intake.models import ColumnMapping

    ColumnMapping.objects.create(partner=gemeinde, columns={"kassenzeichen": "KZ", "principal": "Betrag"})
    text = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("kassenzeichen;", "KZ;", 1)
        .replace(";hauptforderung;", ";Betrag;", 1)
    )
    batch = import_example(gemeinde, text.encode("utf-8"))
    assert results(batch) == EXPECTED


def test_no_agreement_in_force_rejects_every_item(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    partner = factories.make_partner()
    factories.make_agreement(partner, valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 12, 31))
    batch = import_example(partner)
    assert batch.items_accepted == 0
    assert all(
        item.problems[0]["code"] in {"item.no_agreement", "item.date_invalid"} for item in batch.items.all()
    )
    assert not Debtor.objects.exists()
