"""The strategy (issue 4, item 5): one test per rule of the table in :mod:`kofo.cases.strategy`, run through the
daily run as in production (CSV request → ``open_missing_cases`` → ``work_batches``).

Dates and sources used throughout:

* Claim due Mon 10.03.2025, request taken in Thu 01.05.2025.
* Day 1, Fri 02.05.2025: the file is opened, the Zahlungsaufforderung posted; deemed received Tue 06.05.2025
  (4th day, § 122 Abs. 2 Nr. 1 AO as amended from 2025, LAW.md "Prerequisites of enforcement"); its one
  week's payment period ends Tue 13.05.2025 (§ 254 Abs. 1 AO, §§ 187, 188 Abs. 2 BGB).
* Day 2, Wed 14.05.2025: the period has passed; the daily run ends the demand and the strategy proposes the
  next measure.
* Vermögensauskunft started Thu 15.05.2025 → received Mon 19.05.2025 → 2 weeks' payment period to Mon
  02.06.2025; summons served Tue 03.06.2025 → appointment at the earliest Thu 03.07.2025 (LAW.md "Asset
  disclosure", § 188 Abs. 2 BGB); the result is recorded on Thu 03.07.2025.
* Thresholds: StrategySettings defaults — small amounts below 36.00 EUR (LAW.md "Shared office specifics":
  requests below 36 EUR are not pursued), field orders from 100.00 EUR, P-Konto lock 6 months, a new demand
  after 12 months.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from kofo.cases.daily import DAILY_ACTOR, apply_strategy, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import (
    DECL_NO_CLAIM,
    DECL_PKONTO,
    DL_DISCLOSURE_DEMAND,
    DL_PAYMENT,
    FIELD_NOTHING,
    VA_ABSENT,
    VA_INSUFFICIENT,
    VA_REFUSED,
    bank_for_iban,
    do_finish_measure,
    do_note_third_party,
    do_record_declaration,
    do_record_disclosure,
    do_record_field_result,
    do_record_service,
    do_start_measure,
    do_summon_disclosure,
    do_write_down,
)
from kofo.cases.models import (
    Case,
    CaseStatus,
    Claim,
    ClaimStatus,
    FollowUp,
    FollowUpKind,
    Measure,
    MeasureKind,
    MeasureStatus,
    StrategySettings,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.cases.strategy import propose
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.ledger.balances import trial_balance
from kofo.money import Cents
from kofo.partners.models import ClaimType, Regime
from tests import factories

pytestmark = pytest.mark.django_db

K = MeasureKind
C = Cents.parse
D = dt.date
ACTOR = factories.TEST_ACTOR

HEADER = factories.INTAKE_CSV_HEADER
INTAKE_DAY = D(2025, 5, 1)
DAY1 = D(2025, 5, 2)  # Fri: file opened, demand posted
DAY2 = D(2025, 5, 14)  # Wed: the demand's period (to Tue 13.05.2025) has passed
COMMERZBANK_IBAN = "DE89370400440532013000"  # BIC COBADEFFXXX, Commerzbank (schwifty's bank registry)
DKB_IBAN = "DE02120300000000202051"  # BIC BYLADEM1001, Deutsche Kreditbank Berlin
GERMAN = re.compile(r"[äöüÄÖÜß§]")


def row(principal: str, iban: str = "") -> str:
    # Elternbeiträge carry no Säumniszuschläge: the open amount stays the principal.
    return (
        f"EB-1;{ClaimType.ELTERNBEITRAG};Satzung;10.02.2025;13.02.2025;10.03.2025;20.03.2025;03.04.2025;{principal};"
        f";;;;77;natuerlich;Keller;Sabine;;04.04.1975;;;;;Am Markt;3;66740;Saarlouis;DE;;;{iban};;"
    )


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    factories.make_office()


def make_file(principal: str = "480,00", iban: str = "") -> Case:
    """Take in one claim and run day 1: the file is opened and the strategy's first rule applies."""
    partner = factories.make_partner(key="stadt-saarlouis", name="Kreisstadt Saarlouis")
    factories.make_agreement(
        partner,
        regime=Regime.AO,
        claim_types=[ClaimType.ELTERNBEITRAG],
        small_amount_threshold_cents=1_000,  # lets a 30.00 claim in, to reach the strategy's small rule
    )
    batch = do_import_request(
        partner,
        f"{HEADER}\n{row(principal, iban)}\n".encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=INTAKE_DAY,
        actor=ACTOR,
    )
    assert batch.items_accepted == 1, [i.problems for i in batch.items.all()]
    run_day(DAY1)
    return Case.objects.get()


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test")


def settings_row(**fields: Any) -> StrategySettings:
    fields.setdefault("automatic_kinds", [K.ZAHLUNGSAUFFORDERUNG])
    return StrategySettings.objects.create(pk=1, **fields)


def newest(case: Case) -> Measure:
    return case.measures.order_by("-pk").first()  # type: ignore[return-value]


def kinds(case: Case) -> list[str]:
    return list(case.measures.order_by("pk").values_list("kind", flat=True))


def assert_german_reason(measure: Measure) -> None:
    assert measure.reason.strip(), measure
    assert GERMAN.search(measure.reason), measure.reason


def assert_proposed(case: Case, measure: Measure, kind: str, third_party: ThirdParty | None = None) -> None:
    """Proposed by the daily run, not started, with a follow-up of kind "proposal" carrying the reason."""
    assert (measure.kind, measure.status, measure.third_party) == (kind, MeasureStatus.PROPOSED, third_party)
    assert measure.proposed_by == DAILY_ACTOR.name
    assert_german_reason(measure)
    follow_up = case.follow_ups.get(key=f"proposal:{measure.pk}")
    assert follow_up.kind == FollowUpKind.PROPOSAL
    assert follow_up.reason.startswith(f"Vorschlag: {measure.get_kind_display()} – ")
    assert measure.reason[:100] in follow_up.reason


def employer(kind: str = ThirdPartyKind.EMPLOYER, name: str = "Saarstahl AG") -> ThirdParty:
    # No action creates third parties other than banks (bank_for_iban); an employer is entered as data.
    return ThirdParty.objects.create(kind=kind, name=name)


def disclose(case: Case, outcome: str) -> Measure:
    """The Vermögensauskunft the strategy proposed on day 2, taken and ended with ``outcome``."""
    va = case.measures.get(kind=K.VERMOEGENSAUSKUNFT, status=MeasureStatus.PROPOSED)
    va = do_start_measure(va, on=D(2025, 5, 15), actor=ACTOR)
    assert (va.deadline_kind, va.deadline_on) == (DL_DISCLOSURE_DEMAND, D(2025, 6, 2))
    va = do_summon_disclosure(va, appointment_on=D(2025, 7, 3), served_on=D(2025, 6, 3), actor=ACTOR)
    return do_record_disclosure(va, outcome=outcome, on=D(2025, 7, 3), actor=ACTOR)


def desk_measures_exhausted(case: Case, outcome: str = VA_INSUFFICIENT) -> dt.date:
    """Demand, Vermögensauskunft, register entry and Kontenabruf, each proposed by the daily run and taken by
    the caseworker; returns the next day for the daily run."""
    run_day(DAY2)
    disclose(case, outcome)
    run_day(D(2025, 7, 4))
    register = newest(case)
    assert_proposed(case, register, K.SCHULDNERVERZEICHNIS)
    register = do_start_measure(register, on=D(2025, 7, 7), actor=ACTOR)
    do_finish_measure(register, status=MeasureStatus.DONE, on=D(2025, 7, 7), note="Eintragung angeordnet", actor=ACTOR)  # fmt: skip
    run_day(D(2025, 7, 8))
    accounts = newest(case)
    assert_proposed(case, accounts, K.KONTENABRUF)
    accounts = do_start_measure(accounts, on=D(2025, 7, 9), actor=ACTOR)
    do_finish_measure(accounts, status=MeasureStatus.FAILED, on=D(2025, 7, 9), note="keine weiteren Konten", actor=ACTOR)  # fmt: skip
    return D(2025, 7, 10)


# --- demand -------------------------------------------------------------------------------------------------------


def test_demand_first(world: None) -> None:
    case = make_file()
    (demand,) = case.measures.all()
    # Zahlungsaufforderung is automatic by default (StrategySettings.current()): posted on day 1, payment
    # period to Tue 13.05.2025 (see module docstring).
    assert (demand.kind, demand.status, demand.executed_on, demand.deadline_kind, demand.deadline_on) == (
        K.ZAHLUNGSAUFFORDERUNG,
        MeasureStatus.ACTIVE,
        DAY1,
        DL_PAYMENT,
        D(2025, 5, 13),
    )
    assert demand.key == "strategy:zahlungsaufforderung:-:0"
    assert demand.proposed_by == DAILY_ACTOR.name
    assert_german_reason(demand)
    assert "Offen sind 480,00 EUR aus 1 Forderung(en)" in demand.reason
    assert not case.follow_ups.filter(kind=FollowUpKind.PROPOSAL).exists()  # started, nothing to decide
    assert trial_balance() == 0


def test_demand_first_even_when_a_bank_is_known(world: None) -> None:
    case = make_file(iban=COMMERZBANK_IBAN)
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG]  # desk before field, the written demand before all else


# --- bank -----------------------------------------------------------------------------------------------------------


def test_bank_after_the_demand_when_an_iban_is_known(world: None) -> None:
    case = make_file(iban=COMMERZBANK_IBAN)
    link = case.third_party_links.get()
    assert (link.third_party.kind, link.third_party.bic, link.third_party.name) == (
        ThirdPartyKind.BANK,
        "COBADEFFXXX",
        "Commerzbank",
    )
    assert (link.iban, link.noted_on, link.source) == (
        COMMERZBANK_IBAN,
        DAY1,
        "IBAN aus dem Ersuchen von Kreisstadt Saarlouis",
    )
    run_day(D(2025, 5, 13))  # the last day of the payment period: nothing new
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG]

    run_day(DAY2)
    demand = case.measures.get(kind=K.ZAHLUNGSAUFFORDERUNG)
    assert (demand.status, demand.finished_on) == (MeasureStatus.DONE, DAY2)
    pfev = newest(case)
    assert_proposed(case, pfev, K.PFEV_BANK, link.third_party)
    assert pfev.reason == (
        "Bankverbindung bei Commerzbank bekannt; Kontopfändung über 480,00 EUR (§ 309 AO, Schreibtischmaßnahme)."
    )
    assert pfev.key == f"strategy:pfev_bank:{link.third_party.pk}:0"
    assert case.third_party_links.count() == 1  # the IBAN is noted once


def pkonto_declared(case: Case) -> Measure:
    """Day 2's bank garnishment: sent Thu 15.05., served Mon 19.05., the bank declares on Wed 28.05.2025 a
    P-Konto without surplus (§ 316 AO; §§ 850k, 899 ZPO) — the garnishment ends unsuccessfully that day."""
    run_day(DAY2)
    pfev = do_start_measure(newest(case), on=D(2025, 5, 15), actor=ACTOR)
    pfev = do_record_service(pfev, served_on=D(2025, 5, 19), actor=ACTOR)
    pfev = do_record_declaration(pfev, outcome=DECL_PKONTO, declared_on=D(2025, 5, 28), actor=ACTOR)
    assert (pfev.status, pfev.finished_on) == (MeasureStatus.FAILED, D(2025, 5, 28))
    return pfev


def test_no_new_bank_garnishment_at_a_pkonto_bank(world: None) -> None:
    case = make_file(iban=COMMERZBANK_IBAN)
    pfev = pkonto_declared(case)
    # pkonto_recent_months = 6: the declaration of 28.05.2025 locks the bank up to and including 28.11.2025
    # (finished_on >= on − 6 months, months counted like § 188 Abs. 2 BGB by add_months).
    rule = propose(case, D(2025, 5, 29))
    assert rule is not None and rule.rule == "disclose"
    rule = propose(case, D(2025, 11, 28))
    assert rule is not None and rule.rule == "disclose"
    rule = propose(case, D(2025, 11, 29))
    assert rule is not None and (rule.rule, rule.third_party) == ("bank", pfev.third_party)
    # A shorter lock set by the office: 3 months → from 29.08.2025.
    shorter = StrategySettings(pk=1, pkonto_recent_months=3, automatic_kinds=[K.ZAHLUNGSAUFFORDERUNG])
    rule = propose(case, D(2025, 8, 28), shorter)
    assert rule is not None and rule.rule == "disclose"
    rule = propose(case, D(2025, 8, 29), shorter)
    assert rule is not None and rule.rule == "bank"

    # The daily run of 29.05.2025 proposes the next rule, not a second garnishment at Commerzbank.
    run_day(D(2025, 5, 29))
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG, K.PFEV_BANK, K.VERMOEGENSAUSKUNFT]
    assert_proposed(case, newest(case), K.VERMOEGENSAUSKUNFT)


def test_another_bank_is_still_garnished_after_a_pkonto_declaration(world: None) -> None:
    case = make_file(iban=COMMERZBANK_IBAN)
    pkonto_declared(case)
    other = bank_for_iban(DKB_IBAN)
    assert other is not None and other.name == "Deutsche Kreditbank Berlin"
    do_note_third_party(case, third_party=other, source="Vermögensauskunft", on=D(2025, 5, 28), iban=DKB_IBAN, actor=ACTOR)  # fmt: skip
    run_day(D(2025, 5, 29))
    assert_proposed(case, newest(case), K.PFEV_BANK, other)


# --- wage -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party_kind", "kind", "name"),
    [
        (ThirdPartyKind.EMPLOYER, K.PFEV_LOHN, "Saarstahl AG"),
        (ThirdPartyKind.PENSION, K.PFEV_RENTE, "Deutsche Rentenversicherung Saarland"),
    ],
    ids=["employer", "pension insurer"],
)
def test_wage_when_an_employer_is_known(world: None, party_kind: str, kind: str, name: str) -> None:
    case = make_file()
    party = employer(party_kind, name)
    do_note_third_party(case, third_party=party, source="Auskunft der Meldebehörde", on=D(2025, 5, 5), actor=ACTOR)  # fmt: skip
    run_day(DAY2)
    measure = newest(case)
    assert_proposed(case, measure, kind, party)
    assert f"{name} bekannt; Pfändung des Einkommens im Rahmen des § 850c ZPO (§ 313 AO)." in measure.reason


def test_bank_before_wage_then_wage(world: None) -> None:
    case = make_file(iban=COMMERZBANK_IBAN)
    party = employer()
    do_note_third_party(case, third_party=party, source="Vermögensauskunft", on=D(2025, 5, 5), actor=ACTOR)
    run_day(DAY2)
    pfev = newest(case)
    assert pfev.kind == K.PFEV_BANK  # the table's order: bank before wage
    pfev = do_start_measure(pfev, on=D(2025, 5, 15), actor=ACTOR)
    pfev = do_record_service(pfev, served_on=D(2025, 5, 19), actor=ACTOR)
    do_record_declaration(pfev, outcome=DECL_NO_CLAIM, declared_on=D(2025, 5, 28), actor=ACTOR)
    run_day(D(2025, 5, 29))
    assert_proposed(case, newest(case), K.PFEV_LOHN, party)


# --- small ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "kind"),
    [
        # 30.00 below small_amount_cents (default 3,600 = 36.00 EUR, LAW.md "Shared office specifics")
        ("30,00", K.NIEDERSCHLAGUNG),
        # exactly 36.00 is not below the threshold: the next rule (disclosure) applies
        ("36,00", K.VERMOEGENSAUSKUNFT),
    ],
    ids=["30.00 below 36.00", "36.00 at the threshold"],
)
def test_small_amounts_are_written_down(world: None, principal: str, kind: str) -> None:
    # Niederschlagung is listed as automatic, yet the daily run only proposes it (MANUAL_ONLY: it needs a
    # decision on the review date).
    settings_row(automatic_kinds=[K.ZAHLUNGSAUFFORDERUNG, K.NIEDERSCHLAGUNG])
    case = make_file(principal)
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG]  # the demand comes first, also for small amounts
    run_day(DAY2)
    measure = newest(case)
    assert_proposed(case, measure, kind)
    if kind == K.NIEDERSCHLAGUNG:
        assert measure.reason.startswith("Kleinbetrag: offen 30,00 EUR unter 36,00 EUR;")
        assert "(§ 261 AO)" in measure.reason


def test_writing_down_a_proposed_niederschlagung_does_not_block_the_file(world: None) -> None:
    case = make_file("30,00")
    run_day(DAY2)
    proposal = newest(case)
    assert_proposed(case, proposal, K.NIEDERSCHLAGUNG)
    # The caseworker follows the proposal (§ 261 AO): written down, review in a year.
    do_write_down(case, review_on=D(2026, 5, 14), reason=proposal.reason, on=D(2025, 5, 15), actor=ACTOR)
    assert not case.measures.filter(status=MeasureStatus.PROPOSED).exists()
    # On the review date the file is reopened and worked again: the last demand (02.05.2025) is older than
    # demand_repeat_months (12) → a new automatic demand.
    run_day(D(2026, 5, 14))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert case.measures.filter(kind=K.ZAHLUNGSAUFFORDERUNG, executed_on=D(2026, 5, 14)).exists()


# --- disclose, register, accounts -----------------------------------------------------------------------------------


def test_disclosure_when_nothing_is_known(world: None) -> None:
    case = make_file()
    run_day(DAY2)
    va = newest(case)
    assert_proposed(case, va, K.VERMOEGENSAUSKUNFT)
    assert va.reason == "Keine pfändbare Forderung bekannt; Vermögensauskunft über 480,00 EUR (§ 284 AO)."


@pytest.mark.parametrize(
    ("outcome", "wording"),
    [(VA_INSUFFICIENT, "unergiebig"), (VA_ABSENT, "nicht abgegeben"), (VA_REFUSED, "nicht abgegeben")],
    ids=["fruitless", "debtor absent", "refused"],
)
def test_register_then_kontenabruf_after_a_fruitless_disclosure(
    world: None, outcome: str, wording: str
) -> None:
    case = make_file()
    run_day(DAY2)
    disclose(case, outcome)
    # § 284 Abs. 9 AO (LAW.md "Asset disclosure"): the register entry first …
    run_day(D(2025, 7, 4))
    register = newest(case)
    assert_proposed(case, register, K.SCHULDNERVERZEICHNIS)
    assert register.reason.startswith(f"Vermögensauskunft vom 03.07.2025: {wording};")
    assert "(§ 284 Abs. 9 AO)" in register.reason
    register = do_start_measure(register, on=D(2025, 7, 7), actor=ACTOR)
    do_finish_measure(register, status=MeasureStatus.DONE, on=D(2025, 7, 7), note="Eintragung angeordnet", actor=ACTOR)  # fmt: skip
    # … then the Kontenabruf (§ 93 Abs. 8 AO: only after the disclosure step failed).
    run_day(D(2025, 7, 8))
    accounts = newest(case)
    assert_proposed(case, accounts, K.KONTENABRUF)
    assert "(§ 93 Abs. 8 AO)" in accounts.reason


# --- field and rest -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "kind"),
    [
        ("100,00", K.AUSSENDIENST),  # at field_min_amount_cents (10,000 = 100.00 EUR): a field order
        ("99,99", K.NIEDERSCHLAGUNG),  # below it: disproportionate, the rest rule writes the file down
    ],
    ids=["100.00 at the minimum", "99.99 below"],
)
def test_field_order_only_from_the_minimum_amount(world: None, principal: str, kind: str) -> None:
    # A field order is never started by the daily run (MANUAL_ONLY), even when listed as automatic.
    settings_row(automatic_kinds=[K.ZAHLUNGSAUFFORDERUNG, K.AUSSENDIENST])
    case = make_file(principal)
    run_day(desk_measures_exhausted(case))
    measure = newest(case)
    assert_proposed(case, measure, kind)
    if kind == K.AUSSENDIENST:
        assert measure.reason == (
            "Schreibtischmaßnahmen ausgeschöpft; offen 100,00 EUR (ab 100,00 EUR verhältnismäßig): "
            "Vollstreckungsauftrag an den Außendienst."
        )
    else:
        assert measure.reason.startswith(
            "Alle verhältnismäßigen Maßnahmen blieben erfolglos; offen 99,99 EUR."
        )


def test_rest_is_written_down_after_the_field_order(world: None) -> None:
    case = make_file()
    run_day(desk_measures_exhausted(case))
    field = newest(case)
    assert field.kind == K.AUSSENDIENST
    field = do_start_measure(field, on=D(2025, 7, 11), actor=ACTOR)
    do_record_field_result(field, outcome=FIELD_NOTHING, on=D(2025, 7, 21), actor=ACTOR)
    run_day(D(2025, 7, 22))
    rest = newest(case)
    assert_proposed(case, rest, K.NIEDERSCHLAGUNG)
    # The office's own fee (28.60, § 339 AO) is not part of the partners' open amount.
    assert rest.reason == (
        "Alle verhältnismäßigen Maßnahmen blieben erfolglos; offen 480,00 EUR. Niederschlagung mit "
        "Wiedervorlage bis zur Verjährung (§ 261 AO)."
    )
    assert trial_balance() == 0


def test_the_rules_in_order_each_with_a_german_reason(world: None) -> None:
    case = make_file()
    day = desk_measures_exhausted(case)
    run_day(day)
    field = do_start_measure(newest(case), on=D(2025, 7, 11), actor=ACTOR)
    do_record_field_result(field, outcome=FIELD_NOTHING, on=D(2025, 7, 21), actor=ACTOR)
    run_day(D(2025, 7, 22))
    assert kinds(case) == [
        K.ZAHLUNGSAUFFORDERUNG,  # demand
        K.VERMOEGENSAUSKUNFT,  # disclose (nothing known)
        K.SCHULDNERVERZEICHNIS,  # register
        K.KONTENABRUF,  # accounts
        K.AUSSENDIENST,  # field
        K.NIEDERSCHLAGUNG,  # rest
    ]
    for measure in case.measures.all():
        assert_german_reason(measure)
    proposals = case.follow_ups.filter(kind=FollowUpKind.PROPOSAL)
    assert proposals.count() == 5  # all but the automatic demand
    assert all(GERMAN.search(f.reason) for f in proposals)


# --- one thing at a time, automation, idempotency -----------------------------------------------------------------


def test_nothing_while_a_measure_is_proposed_or_active(world: None) -> None:
    case = make_file()
    assert newest(case).status == MeasureStatus.ACTIVE
    run_day(D(2025, 5, 5))  # the demand runs: nothing new
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG]
    assert propose(case, D(2025, 5, 5)) is None

    run_day(DAY2)
    va = newest(case)
    assert va.status == MeasureStatus.PROPOSED
    run_day(D(2025, 5, 15))  # proposed and not decided yet: nothing new
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG, K.VERMOEGENSAUSKUNFT]
    assert case.follow_ups.filter(kind=FollowUpKind.PROPOSAL).count() == 1

    do_start_measure(va, on=D(2025, 5, 16), actor=ACTOR)
    run_day(D(2025, 5, 19))  # running: nothing new
    assert kinds(case) == [K.ZAHLUNGSAUFFORDERUNG, K.VERMOEGENSAUSKUNFT]
    assert propose(case, D(2025, 5, 19)) is None


def test_automatic_kinds_are_started_by_the_daily_run(world: None) -> None:
    settings_row(automatic_kinds=[K.ZAHLUNGSAUFFORDERUNG, K.VERMOEGENSAUSKUNFT])
    case = make_file()
    run_day(DAY2)
    va = newest(case)
    # Started on day 2, Wed 14.05.2025 → received Sun 18.05. → Mon 19.05.2025 (§ 122 Abs. 2 Nr. 1, § 108
    # Abs. 3 AO) → 2 weeks → Mon 02.06.2025 (LAW.md "Asset disclosure", § 188 Abs. 2 BGB).
    assert (va.kind, va.status, va.executed_on, va.deadline_kind, va.deadline_on) == (
        K.VERMOEGENSAUSKUNFT,
        MeasureStatus.ACTIVE,
        DAY2,
        DL_DISCLOSURE_DEMAND,
        D(2025, 6, 2),
    )
    assert_german_reason(va)
    assert not case.follow_ups.filter(kind=FollowUpKind.PROPOSAL).exists()


def test_without_automatic_kinds_even_the_demand_is_only_proposed(world: None) -> None:
    settings_row(automatic_kinds=[])
    case = make_file()
    demand = newest(case)
    assert_proposed(case, demand, K.ZAHLUNGSAUFFORDERUNG)
    assert (demand.executed_on, demand.deadline_on) == (None, None)


def snapshot() -> dict[str, Any]:
    return {
        "measures": sorted(
            Measure.objects.values_list("case__number", "kind", "status", "key", "reason", "executed_on")
        ),
        "follow_ups": sorted(FollowUp.objects.values_list("case__number", "kind", "key", "due_on", "reason")),
    }


def test_proposals_are_idempotent(world: None) -> None:
    settings_row(automatic_kinds=[])
    case = make_file()
    after_day1 = snapshot()
    assert len(after_day1["measures"]) == 1
    # The same date again, through the daily run and the strategy step of the file directly (as a second
    # worker on the same file would).
    run_day(DAY1)
    assert apply_strategy(case, DAY1, actor=DAILY_ACTOR) == {}
    assert snapshot() == after_day1

    # Day 2 with the demand taken: one proposal, however often the day runs.
    demand = do_start_measure(newest(case), on=DAY1, actor=ACTOR)
    assert demand.deadline_on == D(2025, 5, 13)
    run_day(DAY2)
    after_day2 = snapshot()
    assert len(after_day2["measures"]) == 2
    run_day(DAY2)
    assert apply_strategy(case, DAY2, actor=DAILY_ACTOR) == {}
    assert apply_strategy(case, DAY2, actor=DAILY_ACTOR) == {}
    assert snapshot() == after_day2
    assert Claim.objects.get().status == ClaimStatus.OPEN


def test_a_rejected_proposal_rests_and_the_rules_move_on(world: None) -> None:
    """A caseworker who rejects a proposal is not asked the same again the same day (strategy.py:
    REJECTED_REST_DAYS); the next rule proposes instead, and after the rest the proposal may come back."""
    from kofo.cases.daily import apply_strategy
    from kofo.cases.measures import do_cancel_measure
    from kofo.cases.strategy import REJECTED_REST_DAYS

    settings_row(automatic_kinds=[])
    case = make_file("480,00")
    demand = newest(case)
    assert (demand.kind, demand.status) == (K.ZAHLUNGSAUFFORDERUNG, MeasureStatus.PROPOSED)
    do_cancel_measure(demand, reason="Schuldner hat angerufen", on=DAY1, actor=ACTOR)
    apply_strategy(case, DAY1, actor=ACTOR)
    following = newest(case)
    assert following.kind != K.ZAHLUNGSAUFFORDERUNG
    assert following.status == MeasureStatus.PROPOSED
    do_cancel_measure(following, reason="später", on=DAY1, actor=ACTOR)
    later = DAY1 + dt.timedelta(days=REJECTED_REST_DAYS)
    apply_strategy(case, later, actor=ACTOR)
    assert newest(case).kind == K.ZAHLUNGSAUFFORDERUNG
