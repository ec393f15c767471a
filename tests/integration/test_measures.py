"""Enforcement measures (issue 4, item 4): preconditions, clocks, fees, effort, write-down, return, limitation.

Data come in as a partner's CSV request (``do_import_request``); the files are opened by the daily run's
``open_missing_cases``; every step is an action of :mod:`kofo.cases.measures`.

Sources of the expected values (cited again next to each value):

* LAW.md "Prerequisites of enforcement": notices posted are deemed received on the 4th day after posting
  (§ 122 Abs. 2 Nr. 1 AO as amended from 2025), moved to the next working day (§ 108 Abs. 3 AO); periods by
  §§ 187, 188 BGB via § 108 Abs. 1 AO, an end on a Saturday, Sunday or Saarland holiday moves to the next
  working day (§ 193 BGB, § 108 Abs. 3 AO). Weekdays and holidays checked with ``kofo.law.deadlines``
  (``holidays`` for subdivision SL).
* LAW.md "Garnishment of claims": declaration within 2 weeks of service (§ 316 AO); a natural person's bank
  balance is paid out no earlier than 4 weeks after service (§ 835 Abs. 3 ZPO via § 314 AO).
* LAW.md "Garnishment limits for earned income": the 2025/26 and 2024/25 tables (§ 850c ZPO).
* LAW.md "Asset disclosure": 2 weeks' demand, summons at least one month ahead, no new disclosure within
  2 years (§ 284 Abs. 4 AO), register entry (§ 284 Abs. 9 AO), Kontenabruf (§ 93 Abs. 8 AO).
* LAW.md "Enforcement fees": AO Pfändungsgebühr 28.60 (§ 339 Abs. 3 AO, arising with service of the order
  on the third party, § 339 Abs. 2 Nr. 2 AO, or when the field officer acts, Nr. 1); the SVwVG tiers
  14.00 / 20.00 / 23.50 / 28.00 up to 150 / 300 / 500 / 1,000 EUR; expenses at cost (§ 344 AO).
* LAW.md "Limitation": any enforcement measure interrupts (§ 231 Abs. 1 AO), a Niederschlagung does not; a
  new 5-year period starts at the end of the year of the interruption (§ 231 Abs. 3, § 228 Satz 2 AO).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kofo.cases.actions import do_defer_claim
from kofo.cases.casefiles import do_close_case_if_done
from kofo.cases.daily import DAILY_ACTOR, claim_expiry, do_plan_daily_run, open_missing_cases, work_batches
from kofo.cases.measures import (
    DECL_NO_CLAIM,
    DECL_RECOGNISED,
    DL_APPOINTMENT,
    DL_DECLARATION,
    DL_DISCLOSURE_DEMAND,
    DL_PAYMENT,
    DL_REGISTER_PAYMENT,
    FIELD_NOT_MET,
    FIELD_NOTHING,
    FIELD_PAID,
    FIELD_PARTIAL,
    VA_ABSENT,
    VA_INSUFFICIENT,
    VA_REFUSED,
    VA_SUFFICIENT,
    bank_for_iban,
    check_preconditions,
    do_finish_measure,
    do_propose_measure,
    do_record_declaration,
    do_record_disclosure,
    do_record_expense,
    do_record_field_result,
    do_record_service,
    do_return_to_partners,
    do_start_measure,
    do_summon_disclosure,
    do_write_down,
)
from kofo.cases.models import (
    Case,
    CaseCloseReason,
    CaseStatus,
    Claim,
    ClaimStatus,
    EffortRate,
    FollowUpKind,
    Measure,
    MeasureKind,
    MeasureStatus,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.intake.actions import do_import_request
from kofo.intake.models import Channel
from kofo.law.deadlines import deemed_receipt
from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.balances import balance, component_balances, trial_balance
from kofo.ledger.models import AccountKind, Component, Posting
from kofo.money import Cents
from kofo.partners.models import ClaimType, Partner, Regime
from kofo.payments.actions import do_record_payment
from kofo.payments.models import PaymentSource
from tests import factories

pytestmark = pytest.mark.django_db

K = MeasureKind
C = Cents.parse
D = dt.date
ACTOR = factories.TEST_ACTOR

HEADER = factories.INTAKE_CSV_HEADER
COLUMNS = HEADER.split(";")
INTAKE_DAY = D(2025, 5, 1)
OPENED_ON = D(2025, 5, 2)
COMMERZBANK_IBAN = "DE89370400440532013000"  # BIC COBADEFFXXX, Commerzbank (schwifty's bank registry)
DKB_IBAN = "DE02120300000000202051"  # BIC BYLADEM1001, Deutsche Kreditbank Berlin


def row(
    kassenzeichen: str,
    principal: str,
    *,
    claim_type: str = ClaimType.ELTERNBEITRAG,
    assessed: str = "10.02.2025",
    notified: str = "13.02.2025",
    due: str = "10.03.2025",
    reminded: str = "20.03.2025",
    reminder_deadline: str = "03.04.2025",
    legal: bool = False,
    iban: str = "",
) -> str:
    """One line of a partner's request; the debtor is Sabine Keller (or a GmbH), Saarlouis."""
    fields = {
        "kassenzeichen": kassenzeichen,
        "forderungsart": claim_type,
        "rechtsgrundlage": "Satzung",
        "bescheiddatum": assessed,
        "bekanntgabe": notified,
        "faelligkeit": due,
        "mahndatum": reminded,
        "mahnfrist": reminder_deadline,
        "hauptforderung": principal,
        "strasse": "Am Markt",
        "hausnummer": "3",
        "plz": "66740",
        "ort": "Saarlouis",
        "staat": "DE",
        "iban": iban,
    }
    if legal:
        fields |= {
            "schuldnernummer": "900",
            "schuldnerart": "juristisch",
            "firma": "Saarmetall Handels GmbH",
            "rechtsform": "GmbH",
            "registergericht": "Amtsgericht Saarbrücken",
            "registernummer": "HRB 10442",
        }
    else:
        fields |= {
            "schuldnernummer": "77",
            "schuldnerart": "natuerlich",
            "familienname": "Keller",
            "vornamen": "Sabine",
            "geburtsdatum": "04.04.1975",
        }
    return ";".join(fields.get(column, "") for column in COLUMNS)


@pytest.fixture
def world(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    factories.make_office()  # Land SL: Saarland holidays


def make_partner(regime: str = Regime.AO, key: str = "stadt-saarlouis") -> Partner:
    partner = factories.make_partner(key=key, name=f"Partner {key}")
    factories.make_agreement(
        partner,
        regime=regime,
        valid_from=D(2020, 1, 1),
        claim_types=[ClaimType.ELTERNBEITRAG, ClaimType.GRUNDSTEUER],
        small_amount_threshold_cents=1_000,
    )
    return partner


def intake(partner: Partner, *rows: str, as_of: dt.date = INTAKE_DAY) -> list[Claim]:
    batch = do_import_request(
        partner,
        ("\n".join([HEADER, *rows]) + "\n").encode(),
        channel=Channel.CSV,
        filename="ersuchen.csv",
        as_of=as_of,
        actor=ACTOR,
    )
    assert batch.items_accepted == len(rows), [i.problems for i in batch.items.all()]
    return list(Claim.objects.filter(partner=partner).order_by("pk"))


def open_file(claim: Claim, day: dt.date = OPENED_ON) -> Case:
    open_missing_cases(day)
    return Case.objects.get(debtor=claim.debtor_record.debtor)


def make_file(
    principal: str = "480,00",
    *,
    regime: str = Regime.AO,
    legal: bool = False,
    claim_type: str = "elternbeitraege",
) -> Case:
    """A debtor file with one claim (no Säumniszuschläge for Elternbeiträge, so amounts stay fixed)."""
    (claim,) = intake(make_partner(regime), row("EB-1", principal, legal=legal, claim_type=claim_type))
    return open_file(claim)


def run_day(day: dt.date) -> None:
    open_missing_cases(day)
    work_batches(do_plan_daily_run(day, actor=DAILY_ACTOR), worker="test")


def start(
    case: Case, kind: str, on: dt.date, *, third_party: ThirdParty | None = None, **kwargs: Any
) -> Measure:
    measure = do_propose_measure(
        case, kind, reason="Vorschlag der Sachbearbeitung", on=on, third_party=third_party, actor=ACTOR
    )
    return do_start_measure(measure, on=on, actor=ACTOR, **kwargs)


def commerzbank() -> ThirdParty:
    bank = bank_for_iban(COMMERZBANK_IBAN)
    assert bank is not None
    return bank


def dkb() -> ThirdParty:
    bank = bank_for_iban(DKB_IBAN)
    assert bank is not None
    return bank


def employer() -> ThirdParty:
    # No action creates third parties other than banks (bank_for_iban); an employer is entered as data.
    return ThirdParty.objects.get_or_create(kind=ThirdPartyKind.EMPLOYER, name="Saarstahl AG")[0]


def pension() -> ThirdParty:
    return ThirdParty.objects.get_or_create(
        kind=ThirdPartyKind.PENSION, name="Deutsche Rentenversicherung Saarland"
    )[0]


def file_balance(case: Case, component: Component) -> Cents:
    return component_balances("cases.case", case.pk)[component]


def fee_postings(case: Case) -> int:
    return (
        Posting.objects.filter(
            transaction__reason_code="measure.fee", account__code__contains=f"case-{case.pk}-"
        )
        .values("transaction")
        .distinct()
        .count()
    )


# The Vermögensauskunft used by the precondition table:
# * started (demand with notice of the duty to disclose posted) Mon 02.06.2025 → deemed received Fri
#   06.06.2025 (4th day, § 122 Abs. 2 Nr. 1 AO) → 2 weeks' payment period ends Fri 20.06.2025 (§ 188 Abs. 2
#   BGB; LAW.md "Asset disclosure");
# * summons served Tue 24.06.2025 → appointment at the earliest Thu 24.07.2025 (one month, LAW.md "Asset
#   disclosure"); the appointment is Tue 29.07.2025 and the disclosure is recorded that day.
VA_STARTED = D(2025, 6, 2)
VA_SUMMONS_SERVED = D(2025, 6, 24)
DISCLOSED_ON = D(2025, 7, 29)  # a Tuesday; 29.07.2026 is a Wednesday, 29.07.2027 a Thursday


def disclose(case: Case, outcome: str, on: dt.date = DISCLOSED_ON) -> Measure:
    va = start(case, K.VERMOEGENSAUSKUNFT, VA_STARTED)
    va = do_summon_disclosure(va, appointment_on=on, served_on=VA_SUMMONS_SERVED, actor=ACTOR)
    return do_record_disclosure(va, outcome=outcome, on=on, actor=ACTOR)


# --- preconditions ---------------------------------------------------------------------------------------


@dataclass
class Situation:
    case: Case
    parties: dict[str, ThirdParty] = field(default_factory=dict)


Setup = Callable[[Situation], None]


def nothing(s: Situation) -> None:
    pass


def active_bank_garnishment(s: Situation) -> None:
    start(s.case, K.PFEV_BANK, D(2025, 6, 2), third_party=s.parties["commerzbank"])


def failed_bank_garnishment(s: Situation) -> None:
    pfev = start(s.case, K.PFEV_BANK, D(2025, 6, 2), third_party=s.parties["commerzbank"])
    pfev = do_record_service(pfev, served_on=D(2025, 6, 5), actor=ACTOR)
    do_record_declaration(pfev, outcome=DECL_NO_CLAIM, declared_on=D(2025, 6, 12), actor=ACTOR)


def disclosed(outcome: str) -> Setup:
    def setup(s: Situation) -> None:
        disclose(s.case, outcome)

    setup.__name__ = f"disclosed_{outcome}"
    return setup


def disclosed_sufficient_then_paid(s: Situation) -> None:
    disclose(s.case, VA_SUFFICIENT)
    do_record_payment(
        s.case, amount=C("480,00"), received_on=D(2025, 8, 5), source=PaymentSource.DEBTOR, actor=ACTOR
    )


def paid_and_closed(s: Situation) -> None:
    do_record_payment(
        s.case, amount=C("480,00"), received_on=D(2025, 6, 2), source=PaymentSource.DEBTOR, actor=ACTOR
    )
    case = do_close_case_if_done(s.case, on=D(2025, 6, 3), actor=ACTOR)
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, CaseCloseReason.PAID)
    s.case = case


def deferred(s: Situation) -> None:
    # do_defer_claim wants an end after the real today; the Stundung's length does not matter here.
    claim = Claim.objects.get(debtor_record__debtor=s.case.debtor)
    do_defer_claim(
        claim, until=timezone.localdate() + dt.timedelta(days=365), reason="Stundung (§ 222 AO)", actor=ACTOR
    )


@dataclass(frozen=True)
class Pre:
    kind: str
    on: dt.date
    setup: Setup = nothing
    party: str | None = None
    changed_circumstances: bool = False
    refused_because: str | None = None  # a fragment of the German message; None: allowed


ON = D(2025, 8, 4)  # Mon, after the disclosure of 29.07.2025
NO_CLAIM = "Keine vollstreckbare offene Forderung in der Akte"
PRECONDITIONS: dict[str, Pre] = {
    # Garnishment of claims (§ 309 AO): the order names the third-party debtor of the right kind.
    "bank garnishment without third party": Pre(
        K.PFEV_BANK, ON, refused_because="Für die Pfändung fehlt der Drittschuldner (Kreditinstitut)."
    ),
    "wage garnishment at a bank": Pre(
        K.PFEV_LOHN,
        ON,
        party="commerzbank",
        refused_because="Der Drittschuldner Commerzbank ist Kreditinstitut, erwartet: Arbeitgeber.",
    ),
    "pension garnishment at an employer": Pre(
        K.PFEV_RENTE,
        ON,
        party="employer",
        refused_because="Der Drittschuldner Saarstahl AG ist Arbeitgeber, erwartet: Rentenversicherungsträger.",
    ),
    "wage garnishment at an employer": Pre(K.PFEV_LOHN, ON, party="employer"),
    "second active garnishment at the same bank": Pre(
        K.PFEV_BANK,
        ON,
        setup=active_bank_garnishment,
        party="commerzbank",
        refused_because="Bei diesem Drittschuldner läuft bereits eine Pfändung.",
    ),
    "garnishment at another bank while one runs": Pre(
        K.PFEV_BANK, ON, setup=active_bank_garnishment, party="dkb"
    ),
    "garnishment at the same bank after the first failed": Pre(
        K.PFEV_BANK, ON, setup=failed_bank_garnishment, party="commerzbank"
    ),
    # § 284 Abs. 4 AO (LAW.md "Asset disclosure"): no new disclosure within 2 years unless circumstances
    # changed. Disclosure Tue 29.07.2025; one year later (Wed 29.07.2026) is within, Fri 30.07.2027 after.
    "disclosure within 2 years of a sufficient one": Pre(
        K.VERMOEGENSAUSKUNFT,
        D(2026, 7, 29),
        setup=disclosed(VA_SUFFICIENT),
        refused_because="am 29.07.2025 eine Vermögensauskunft abgegeben",
    ),
    "disclosure within 2 years of a fruitless one": Pre(
        K.VERMOEGENSAUSKUNFT,
        D(2026, 7, 29),
        setup=disclosed(VA_INSUFFICIENT),
        refused_because="(§ 284 Abs. 4 AO)",
    ),
    "disclosure within 2 years, circumstances changed": Pre(
        K.VERMOEGENSAUSKUNFT, D(2026, 7, 29), setup=disclosed(VA_SUFFICIENT), changed_circumstances=True
    ),
    "disclosure after 2 years": Pre(K.VERMOEGENSAUSKUNFT, D(2027, 7, 30), setup=disclosed(VA_SUFFICIENT)),
    "disclosure after the debtor stayed away": Pre(K.VERMOEGENSAUSKUNFT, ON, setup=disclosed(VA_ABSENT)),
    # § 93 Abs. 8 AO (LAW.md): Kontenabruf only after the disclosure failed or was insufficient.
    "Kontenabruf without disclosure": Pre(K.KONTENABRUF, ON, refused_because="(§ 93 Abs. 8 AO)"),
    "Kontenabruf after a sufficient disclosure": Pre(
        K.KONTENABRUF, ON, setup=disclosed(VA_SUFFICIENT), refused_because="(§ 93 Abs. 8 AO)"
    ),
    "Kontenabruf after a fruitless disclosure": Pre(K.KONTENABRUF, ON, setup=disclosed(VA_INSUFFICIENT)),
    "Kontenabruf after the debtor stayed away": Pre(K.KONTENABRUF, ON, setup=disclosed(VA_ABSENT)),
    "Kontenabruf after a refused disclosure": Pre(K.KONTENABRUF, ON, setup=disclosed(VA_REFUSED)),
    # § 284 Abs. 9 AO (LAW.md): register entry if the debtor does not disclose, the disclosure shows
    # enforcement cannot succeed, or the debtor does not pay within one month after disclosing.
    "register without disclosure": Pre(K.SCHULDNERVERZEICHNIS, ON, refused_because="(§ 284 Abs. 9 AO)"),
    "register after a fruitless disclosure": Pre(
        K.SCHULDNERVERZEICHNIS, ON, setup=disclosed(VA_INSUFFICIENT)
    ),
    "register after the debtor stayed away": Pre(K.SCHULDNERVERZEICHNIS, ON, setup=disclosed(VA_ABSENT)),
    "register after a refused disclosure": Pre(K.SCHULDNERVERZEICHNIS, ON, setup=disclosed(VA_REFUSED)),
    # Sufficient disclosure Tue 29.07.2025: the month runs to Fri 29.08.2025 (§ 188 Abs. 2 BGB, a working
    # day); still refused that day, allowed on Mon 01.09.2025.
    "register within the month after a sufficient disclosure": Pre(
        K.SCHULDNERVERZEICHNIS,
        D(2025, 8, 29),
        setup=disclosed(VA_SUFFICIENT),
        refused_because="einen Monat nach der Abgabe nicht gezahlt hat (§ 284 Abs. 9 AO)",
    ),
    "register a month after a sufficient disclosure without payment": Pre(
        K.SCHULDNERVERZEICHNIS, D(2025, 9, 1), setup=disclosed(VA_SUFFICIENT)
    ),
    "register after a sufficient disclosure and payment in full": Pre(
        K.SCHULDNERVERZEICHNIS,
        D(2025, 9, 1),
        setup=disclosed_sufficient_then_paid,
        refused_because=NO_CLAIM,
    ),
    # A closed file; no enforceable claim (§ 254 AO: due; a Stundung, § 222 AO, stops enforcement).
    "closed file": Pre(
        K.ZAHLUNGSAUFFORDERUNG,
        D(2025, 6, 4),
        setup=paid_and_closed,
        refused_because="Die Akte ist abgeschlossen.",
    ),
    "only a deferred claim": Pre(K.ZAHLUNGSAUFFORDERUNG, ON, setup=deferred, refused_because=NO_CLAIM),
    "claim not yet due (due Mon 10.03.2025)": Pre(
        K.ZAHLUNGSAUFFORDERUNG, D(2025, 3, 7), refused_because=NO_CLAIM
    ),
    "bank garnishment with everything in order": Pre(K.PFEV_BANK, ON, party="commerzbank"),
}


@pytest.mark.parametrize("pre", PRECONDITIONS.values(), ids=PRECONDITIONS.keys())
def test_preconditions(world: None, pre: Pre) -> None:
    situation = Situation(make_file(), {"commerzbank": commerzbank(), "dkb": dkb(), "employer": employer()})
    pre.setup(situation)
    case = Case.objects.get(pk=situation.case.pk)
    party = situation.parties[pre.party] if pre.party else None

    check = check_preconditions(
        case, pre.kind, pre.on, third_party=party, changed_circumstances=pre.changed_circumstances
    )
    if case.status == CaseStatus.CLOSED:
        # Nothing is even proposed in a closed file.
        assert not check.ok
        with pytest.raises(ValidationError) as refused_proposal:
            do_propose_measure(case, pre.kind, reason="Vorschlag der Sachbearbeitung", on=pre.on, actor=ACTOR)
        assert refused_proposal.value.code == "case.closed"
        return
    measure = do_propose_measure(
        case, pre.kind, reason="Vorschlag der Sachbearbeitung", on=pre.on, actor=ACTOR
    )
    if pre.refused_because is None:
        assert check.ok, check.problems
        started = do_start_measure(
            measure,
            on=pre.on,
            third_party=party,
            changed_circumstances=pre.changed_circumstances,
            actor=ACTOR,
        )
        assert (started.status, started.executed_on) == (MeasureStatus.ACTIVE, pre.on)
        assert started.claim_links.count() == 1
        return
    assert not check.ok
    assert any(pre.refused_because in problem for problem in check.problems), check.problems
    with pytest.raises(ValidationError) as refused:
        do_start_measure(
            measure,
            on=pre.on,
            third_party=party,
            changed_circumstances=pre.changed_circumstances,
            actor=ACTOR,
        )
    assert refused.value.code == "measure.precondition"
    assert refused.value.messages == [" ".join(check.problems)]
    measure.refresh_from_db()
    assert (measure.status, measure.claim_links.count()) == (MeasureStatus.PROPOSED, 0)


def test_a_closed_file_names_both_problems(world: None) -> None:
    situation = Situation(make_file())
    paid_and_closed(situation)
    check = check_preconditions(situation.case, K.VERMOEGENSAUSKUNFT, D(2025, 6, 4))
    assert check.problems == (
        "Die Akte ist abgeschlossen.",
        "Keine vollstreckbare offene Forderung in der Akte (fällig, nicht gestundet, nicht verjährt).",
    )


def test_a_new_disclosure_is_refused_on_the_last_day_of_the_two_years(world: None) -> None:
    """Disclosure Tue 29.07.2025: the day is not counted (§ 187 Abs. 1 BGB), the 2 years end with the expiry
    of Thu 29.07.2027 (§ 188 Abs. 2 BGB) — on that day the disclosure still lies "within the last two years"
    (§ 284 Abs. 4 AO); from Fri 30.07.2027 a new one may be demanded (see the table above)."""
    case = make_file()
    disclose(case, VA_SUFFICIENT)
    assert not check_preconditions(case, K.VERMOEGENSAUSKUNFT, D(2027, 7, 29)).ok


# --- clocks: Zahlungsaufforderung -------------------------------------------------------------------------

DEMAND_CLOCKS = {
    # posted → deemed receipt (4th day, § 122 Abs. 2 Nr. 1 AO; moved, § 108 Abs. 3 AO) → one week's payment
    # period (§ 254 Abs. 1 AO, § 188 Abs. 2 BGB; moved, § 193 BGB / § 108 Abs. 3 AO)
    "Fri 02.05.2025: receipt Tue 06.05., period Tue 13.05.": (D(2025, 5, 2), D(2025, 5, 6), D(2025, 5, 13)),
    # 4th day Sat 14.06.2025 → Mon 16.06.2025; + 1 week Mon 23.06.2025
    "Tue 10.06.2025 before a weekend": (D(2025, 6, 10), D(2025, 6, 16), D(2025, 6, 23)),
    # 4th day Fri 15.08.2025 Mariä Himmelfahrt (Saarland holiday), Sat, Sun → Mon 18.08.; + 1 week Mon 25.08.
    "Mon 11.08.2025 before Mariä Himmelfahrt": (D(2025, 8, 11), D(2025, 8, 18), D(2025, 8, 25)),
    # 4th day Fri 26.09.2025 (working day); + 1 week Fri 03.10.2025 Tag der Deutschen Einheit, Sat, Sun →
    # Mon 06.10.2025
    "Mon 22.09.2025, period ends on 03.10.": (D(2025, 9, 22), D(2025, 9, 26), D(2025, 10, 6)),
    # 4th day Fri 26.12.2025 Zweiter Weihnachtstag, Sat, Sun → Mon 29.12.2025; + 1 week Mon 05.01.2026
    "Mon 22.12.2025 before Christmas": (D(2025, 12, 22), D(2025, 12, 29), D(2026, 1, 5)),
}


@pytest.mark.parametrize(
    ("posted", "receipt", "period_ends"), DEMAND_CLOCKS.values(), ids=DEMAND_CLOCKS.keys()
)
def test_payment_demand_period(world: None, posted: dt.date, receipt: dt.date, period_ends: dt.date) -> None:
    assert deemed_receipt(posted, land="SL").date == receipt  # the intermediate step, kofo.law.deadlines
    demand = start(make_file(), K.ZAHLUNGSAUFFORDERUNG, posted)
    assert (demand.status, demand.stage, demand.deadline_kind, demand.deadline_on) == (
        MeasureStatus.ACTIVE,
        "versandt",
        DL_PAYMENT,
        period_ends,
    )
    assert demand.amount_cents == int(C("480,00"))
    assert demand.fee_cents == 0  # no fee for a demand (§ 337 Abs. 2 Satz 1 AO)


def test_the_daily_run_ends_the_demand_after_its_period(world: None) -> None:
    # Posted Tue 10.06.2025 → the period runs to the end of Mon 23.06.2025 (see DEMAND_CLOCKS).
    demand = start(make_file(), K.ZAHLUNGSAUFFORDERUNG, D(2025, 6, 10))
    run_day(D(2025, 6, 23))
    assert Measure.objects.get(pk=demand.pk).status == MeasureStatus.ACTIVE  # the last day still counts
    run_day(D(2025, 6, 24))
    demand.refresh_from_db()
    assert (demand.status, demand.finished_on, demand.deadline_on) == (
        MeasureStatus.DONE,
        D(2025, 6, 24),
        None,
    )


# --- clocks: garnishment ------------------------------------------------------------------------------------

GARNISHMENT_CLOCKS = {
    # Served Mon 19.05.2025: declaration by Mon 02.06.2025 (2 weeks, § 316 AO, § 188 Abs. 2 BGB); payout hold
    # to Mon 16.06.2025 (4 weeks, § 835 Abs. 3 ZPO via § 314 AO) — a natural person's bank account.
    "natural person, bank, served Mon 19.05.2025": (
        False, K.PFEV_BANK, D(2025, 5, 15), D(2025, 5, 19), D(2025, 6, 2), D(2025, 6, 16),
    ),
    # Served Thu 05.06.2025: 2 weeks end Thu 19.06.2025, Fronleichnam (Saarland holiday) → Fri 20.06.2025
    # (§ 193 BGB, § 108 Abs. 3 AO); 4 weeks → Thu 03.07.2025.
    "natural person, bank, declaration due on Fronleichnam": (
        False, K.PFEV_BANK, D(2025, 6, 2), D(2025, 6, 5), D(2025, 6, 20), D(2025, 7, 3),
    ),
    # A legal entity's account: no payout hold (§ 835 Abs. 3 Satz 2 ZPO protects natural persons only).
    "legal entity, bank": (True, K.PFEV_BANK, D(2025, 6, 2), D(2025, 6, 5), D(2025, 6, 20), None),
    # Wages: declaration Tue 01.07. → Tue 15.07.2025; the hold of § 835 Abs. 3 ZPO is for bank balances only.
    "natural person, wages": (False, K.PFEV_LOHN, D(2025, 6, 26), D(2025, 7, 1), D(2025, 7, 15), None),
}  # fmt: skip


@pytest.mark.parametrize(
    ("legal", "kind", "sent", "served", "declaration_due", "hold_until"),
    GARNISHMENT_CLOCKS.values(),
    ids=GARNISHMENT_CLOCKS.keys(),
)
def test_garnishment_clocks(
    world: None,
    legal: bool,
    kind: str,
    sent: dt.date,
    served: dt.date,
    declaration_due: dt.date,
    hold_until: dt.date | None,
) -> None:
    case = make_file(legal=legal)
    party = commerzbank() if kind == K.PFEV_BANK else employer()
    pfev = start(case, kind, sent, third_party=party)
    assert (pfev.stage, pfev.deadline_on, pfev.fee_cents) == ("zur Zustellung", None, 0)  # nothing served yet

    with pytest.raises(ValidationError) as early:
        do_record_service(pfev, served_on=sent - dt.timedelta(days=1), actor=ACTOR)
    assert early.value.code == "measure.service_before"

    pfev = do_record_service(pfev, served_on=served, actor=ACTOR)
    assert (pfev.served_on, pfev.deadline_kind, pfev.deadline_on, pfev.payout_hold_until) == (
        served,
        DL_DECLARATION,
        declaration_due,
        hold_until,
    )
    assert pfev.fee_cents == int(C("28,60"))  # § 339 Abs. 2 Nr. 2, Abs. 3 AO (AO partner)
    with pytest.raises(ValidationError) as twice:
        do_record_service(pfev, served_on=served, actor=ACTOR)
    assert twice.value.code == "measure.no_service"

    # The daily run raises a follow-up once the declaration is overdue, not on its last day.
    run_day(declaration_due)
    assert not case.follow_ups.filter(kind=FollowUpKind.DEADLINE).exists()
    run_day(declaration_due + dt.timedelta(days=1))
    overdue = case.follow_ups.get(kind=FollowUpKind.DEADLINE)
    assert "Drittschuldnererklärung überfällig (§ 316 AO)" in overdue.reason
    assert Measure.objects.get(pk=pfev.pk).deadline_on is None
    assert trial_balance() == 0


WAGE_DECLARATIONS = {
    # 2,150.00 EUR net, 1 dependant, Stichtag Mon 14.07.2025 (table 01.07.2025–30.06.2026, LAW.md): exempt
    # 1,555.00 + 585.23 = 2,140.23; income rounded down to 10 EUR = 2,150.00; (2,150.00 − 2,140.23) × 5/10 =
    # 4.885 → 4.89 half up (§ 850c Abs. 1–3, 5 ZPO).
    "2025/26 table": (D(2025, 7, 1), D(2025, 7, 14), C("4,89")),
    # The same income declared Mon 30.06.2025 falls under the 2024/25 table (LAW.md: 1,491.75; 561.43):
    # exempt 2,053.18; (2,150.00 − 2,053.18) × 5/10 = 48.41.
    "2024/25 table": (D(2025, 6, 16), D(2025, 6, 30), C("48,41")),
}


@pytest.mark.parametrize(
    ("served", "declared", "garnishable"), WAGE_DECLARATIONS.values(), ids=WAGE_DECLARATIONS.keys()
)
def test_wage_declaration_computes_the_garnishable_amount(
    world: None, served: dt.date, declared: dt.date, garnishable: Cents
) -> None:
    case = make_file()
    pfev = start(case, K.PFEV_LOHN, served - dt.timedelta(days=3), third_party=employer())
    pfev = do_record_service(pfev, served_on=served, actor=ACTOR)
    pfev = do_record_declaration(
        pfev,
        outcome=DECL_RECOGNISED,
        declared_on=declared,
        net_income=C("2150,00"),
        dependants=1,
        actor=ACTOR,
    )
    assert pfev.result["garnishable_cents"] == int(garnishable)
    assert pfev.result["recognised_cents"] == int(garnishable)
    assert (pfev.result["net_income_cents"], pfev.result["dependants"]) == (215_000, 1)
    assert any("§ 850c" in step for step in pfev.result["derivation"])
    # Recognised: the garnishment keeps running, payment expected; wages know no payout hold.
    assert (pfev.status, pfev.stage, pfev.deadline_on) == (
        MeasureStatus.ACTIVE,
        "anerkannt, Zahlung erwartet",
        None,
    )


def test_a_recognised_bank_balance_waits_for_the_payout_hold(world: None) -> None:
    # Served Mon 19.05.2025 → hold to Mon 16.06.2025 (§ 835 Abs. 3 ZPO via § 314 AO, see GARNISHMENT_CLOCKS).
    pfev = start(make_file(), K.PFEV_BANK, D(2025, 5, 15), third_party=commerzbank())
    pfev = do_record_service(pfev, served_on=D(2025, 5, 19), actor=ACTOR)
    with pytest.raises(ValidationError) as no_amount:
        do_record_declaration(pfev, outcome=DECL_RECOGNISED, declared_on=D(2025, 5, 28), actor=ACTOR)
    assert no_amount.value.code == "measure.amount_missing"
    pfev = do_record_declaration(
        pfev, outcome=DECL_RECOGNISED, declared_on=D(2025, 5, 28), amount=C("612,40"), actor=ACTOR
    )
    assert (pfev.deadline_kind, pfev.deadline_on, pfev.result["recognised_cents"]) == (
        "auszahlungssperre",
        D(2025, 6, 16),
        61_240,
    )


def test_a_declaration_without_a_claim_ends_the_garnishment_unsuccessfully(world: None) -> None:
    pfev = start(make_file(), K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    with pytest.raises(ValidationError) as unserved:
        do_record_declaration(pfev, outcome=DECL_NO_CLAIM, declared_on=D(2025, 6, 12), actor=ACTOR)
    assert unserved.value.code == "measure.no_declaration"
    pfev = do_record_service(pfev, served_on=D(2025, 6, 5), actor=ACTOR)
    pfev = do_record_declaration(pfev, outcome=DECL_NO_CLAIM, declared_on=D(2025, 6, 12), actor=ACTOR)
    assert (pfev.status, pfev.finished_on, pfev.deadline_on) == (MeasureStatus.FAILED, D(2025, 6, 12), None)
    assert pfev.result["declaration"] == DECL_NO_CLAIM


# --- clocks: Vermögensauskunft ------------------------------------------------------------------------------


def test_summons_at_least_one_month_after_service(world: None) -> None:
    va = start(make_file(), K.VERMOEGENSAUSKUNFT, VA_STARTED)
    # Posted Mon 02.06.2025 → deemed received Fri 06.06.2025 (§ 122 Abs. 2 Nr. 1 AO) → 2 weeks' payment
    # period to Fri 20.06.2025 (LAW.md "Asset disclosure", § 188 Abs. 2 BGB).
    assert (va.deadline_kind, va.deadline_on) == (DL_DISCLOSURE_DEMAND, D(2025, 6, 20))

    with pytest.raises(ValidationError) as before_period:
        do_summon_disclosure(va, appointment_on=D(2025, 7, 31), served_on=D(2025, 6, 20), actor=ACTOR)
    assert before_period.value.code == "measure.summons_early"
    assert "20.06.2025" in before_period.value.messages[0]

    # Summons served Tue 24.06.2025: the appointment at least one month later, Thu 24.07.2025 (LAW.md "Asset
    # disclosure"; § 188 Abs. 2 BGB).
    with pytest.raises(ValidationError) as early:
        do_summon_disclosure(va, appointment_on=D(2025, 7, 23), served_on=D(2025, 6, 24), actor=ACTOR)
    assert early.value.code == "measure.appointment_early"
    assert early.value.messages == [
        "Der Termin muss mindestens einen Monat nach der Zustellung der Ladung liegen, frühestens am 24.07.2025."
    ]
    va = do_summon_disclosure(va, appointment_on=D(2025, 7, 24), served_on=D(2025, 6, 24), actor=ACTOR)
    assert (va.stage, va.served_on, va.deadline_kind, va.deadline_on) == (
        "geladen",
        D(2025, 6, 24),
        DL_APPOINTMENT,
        D(2025, 7, 24),
    )


DISCLOSURE_OUTCOMES = {
    # A disclosure given ends the measure as done; a sufficient one starts the month in which the debtor must
    # pay, else the register entry may be ordered (§ 284 Abs. 9 Nr. 3 AO): Tue 29.07.2025 → Fri 29.08.2025
    # (§ 188 Abs. 2 BGB, a working day).
    VA_SUFFICIENT: (MeasureStatus.DONE, DL_REGISTER_PAYMENT, D(2025, 8, 29)),
    VA_INSUFFICIENT: (MeasureStatus.DONE, "", None),
    VA_ABSENT: (MeasureStatus.FAILED, "", None),
    VA_REFUSED: (MeasureStatus.FAILED, "", None),
}


@pytest.mark.parametrize(("outcome", "expected"), DISCLOSURE_OUTCOMES.items(), ids=DISCLOSURE_OUTCOMES.keys())
def test_disclosure_outcomes(world: None, outcome: str, expected: tuple[str, str, dt.date | None]) -> None:
    va = disclose(make_file(), outcome)
    assert (va.status, va.deadline_kind, va.deadline_on) == expected
    assert (va.finished_on, va.result["outcome"]) == (DISCLOSED_ON, outcome)
    with pytest.raises(ValidationError) as again:
        do_record_disclosure(va, outcome=outcome, on=DISCLOSED_ON, actor=ACTOR)
    assert again.value.code == "measure.no_disclosure"


# --- fees and expenses --------------------------------------------------------------------------------------


def test_ao_pfaendungsgebuehr_arises_with_each_service(world: None) -> None:
    case = make_file()
    first = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    second = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=dkb())
    assert file_balance(case, Component.FEE) == 0  # sending the order costs nothing yet
    do_record_service(first, served_on=D(2025, 6, 5), actor=ACTOR)
    # § 339 Abs. 2 Nr. 2, Abs. 3 AO (LAW.md "Enforcement fees"): 28.60 EUR per order served on a third party.
    assert file_balance(case, Component.FEE) == C("28,60")
    assert balance(office_account(AccountKind.FEE_INCOME)) == -C("28,60")
    assert trial_balance() == 0
    do_record_service(second, served_on=D(2025, 6, 6), actor=ACTOR)
    assert file_balance(case, Component.FEE) == C("57,20")  # 2 × 28.60
    assert fee_postings(case) == 2
    # The office's fee is on the file, not on the partner's claim.
    assert component_balances("cases.claim", Claim.objects.get().pk)[Component.FEE] == 0
    assert trial_balance() == 0


SVWVG_TIERS = {
    # Kostenordnung SVwVG of 02.03.2021 (LAW.md "Enforcement fees"), upper limits inclusive.
    "120.00 → 14.00 (up to 150)": ("120,00", "14,00"),
    "150.00 → 14.00 (up to 150)": ("150,00", "14,00"),
    "150.01 → 20.00 (up to 300)": ("150,01", "20,00"),
    "300.00 → 20.00 (up to 300)": ("300,00", "20,00"),
    "480.00 → 23.50 (up to 500)": ("480,00", "23,50"),
    "1,000.00 → 28.00 (up to 1,000)": ("1.000,00", "28,00"),
}


@pytest.mark.parametrize(("open_amount", "fee"), SVWVG_TIERS.values(), ids=SVWVG_TIERS.keys())
def test_svwvg_pfaendungsgebuehr_by_tier(world: None, open_amount: str, fee: str) -> None:
    case = make_file(open_amount, regime=Regime.SVWVG_SL)
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    assert pfev.amount_cents == int(C(open_amount))
    pfev = do_record_service(pfev, served_on=D(2025, 6, 5), actor=ACTOR)
    assert pfev.fee_cents == int(C(fee))
    assert file_balance(case, Component.FEE) == C(fee)
    assert trial_balance() == 0


def test_svwvg_fee_above_the_confirmed_tiers_waits_for_the_setting(world: None) -> None:
    """LAW.md: tiers above 1,000 EUR are "per the schedule" and not confirmed — a setting an administrator
    fills in (svwvg_sl.pfaendung.ueber_1000). The service is a fact and is recorded all the same; the fee is
    not booked, and the caseworker gets a follow-up naming the missing setting."""
    case = make_file("1.000,01", regime=Regime.SVWVG_SL)
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    pfev = do_record_service(pfev, served_on=D(2025, 6, 5), actor=ACTOR)
    pfev.refresh_from_db()
    assert (pfev.served_on, pfev.fee_cents) == (D(2025, 6, 5), 0)
    assert pfev.result["fee_missing"] == "svwvg_sl.pfaendung.ueber_1000"
    follow_up = case.follow_ups.get(key__startswith="fee-missing:")
    assert "svwvg_sl.pfaendung.ueber_1000" in follow_up.reason
    assert trial_balance() == 0


def test_the_fee_follows_the_regime_of_the_largest_claim(world: None) -> None:
    """One file, two partners: an AO claim of 100.00 and an SVwVG claim of 400.00. The measure is one act;
    its fee follows the regime of the claim with the largest open amount (module docstring of measures.py):
    SVwVG, arrears 500.00 → 23.50 (tier up to 500, LAW.md), not the AO's 28.60."""
    (ao_claim,) = intake(make_partner(Regime.AO, "stadt-saarlouis"), row("EB-AO", "100,00"))
    (sl_claim,) = intake(make_partner(Regime.SVWVG_SL, "gemeinde-wallerfangen"), row("EB-SL", "400,00"))
    case = open_file(ao_claim)
    assert Case.objects.get(debtor=sl_claim.debtor_record.debtor) == case  # one debtor, one file
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    assert pfev.amount_cents == int(C("500,00"))
    pfev = do_record_service(pfev, served_on=D(2025, 6, 5), actor=ACTOR)
    assert pfev.fee_cents == int(C("23,50"))


FIELD_RESULTS = {
    # § 339 Abs. 2 Nr. 1, Abs. 3, 4 AO (LAW.md): 28.60 once per field order when the officer acts — also
    # when the attempt is fruitless; a debtor not met is no act of enforcement yet.
    FIELD_PAID: (MeasureStatus.DONE, "28,60", 1),
    FIELD_PARTIAL: (MeasureStatus.DONE, "28,60", 1),
    FIELD_NOTHING: (MeasureStatus.FAILED, "28,60", 1),
    FIELD_NOT_MET: (MeasureStatus.FAILED, "0,00", 0),
}


@pytest.mark.parametrize(("outcome", "expected"), FIELD_RESULTS.items(), ids=FIELD_RESULTS.keys())
def test_field_result_books_the_fee_once(world: None, outcome: str, expected: tuple[str, str, int]) -> None:
    status, fee, postings = expected
    case = make_file()
    order = start(case, K.AUSSENDIENST, D(2025, 6, 2))
    assert order.stage == "an den Außendienst übergeben"
    assert case.follow_ups.filter(key=f"field-order:{order.pk}", kind=FollowUpKind.DEADLINE).count() == 1
    order = do_record_field_result(order, outcome=outcome, on=D(2025, 6, 12), actor=ACTOR)
    assert (order.status, order.finished_on, order.fee_cents) == (status, D(2025, 6, 12), int(C(fee)))
    assert file_balance(case, Component.FEE) == C(fee)
    with pytest.raises(ValidationError) as again:
        do_record_field_result(order, outcome=outcome, on=D(2025, 6, 13), actor=ACTOR)
    assert again.value.code == "measure.no_field_order"
    assert fee_postings(case) == postings
    assert trial_balance() == 0


def test_expenses_are_a_cost_on_the_file(world: None) -> None:
    case = make_file()
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 2), third_party=commerzbank())
    # § 344 AO (LAW.md "Enforcement fees"): postal service of the order passed on at cost — here 3.45 EUR.
    do_record_expense(pfev, amount=C("3,45"), reason="Zustellung mit Postzustellungsurkunde", on=D(2025, 6, 3), actor=ACTOR)  # fmt: skip
    do_record_expense(pfev, amount=C("3,45"), reason="Zustellung an den Schuldner", on=D(2025, 6, 3), actor=ACTOR)  # fmt: skip
    assert file_balance(case, Component.COST) == C("6,90")
    assert file_balance(case, Component.FEE) == 0
    assert component_balances("cases.claim", Claim.objects.get().pk)[Component.COST] == 0
    assert trial_balance() == 0
    for amount in (C("0,00"), C("-1,00")):
        with pytest.raises(ValidationError) as invalid:
            do_record_expense(pfev, amount=amount, reason="falsch", on=D(2025, 6, 3), actor=ACTOR)
        assert invalid.value.code == "measure.expense_invalid"
    assert file_balance(case, Component.COST) == C("6,90")


# --- effort units ---------------------------------------------------------------------------------------------

# The office's rate table for partner billing (DEFAULT_EFFORT_UNITS in kofo.cases.measures; an office
# setting, not law). Every kind is listed so that a new kind without a rate shows up here.
EFFORT = {
    K.ZAHLUNGSAUFFORDERUNG: Decimal("0.5"),
    K.AUFENTHALTSERMITTLUNG: Decimal("0.5"),
    K.PFEV_BANK: Decimal("1.5"),
    K.PFEV_LOHN: Decimal("2.0"),
    K.PFEV_RENTE: Decimal("1.5"),
    K.VERMOEGENSAUSKUNFT: Decimal("3.0"),
    K.SCHULDNERVERZEICHNIS: Decimal("1.0"),
    K.KONTENABRUF: Decimal("1.0"),
    K.AUSSENDIENST: Decimal("4.0"),
    K.RATENZAHLUNG: Decimal("1.0"),
    K.NIEDERSCHLAGUNG: Decimal("0.5"),
    K.RUECKGABE: Decimal("1.0"),
}


def take(case: Case, kind: str) -> Measure:
    """Take a measure of ``kind`` the way the office would (with what its preconditions need)."""
    on = D(2025, 8, 4)
    if kind == K.NIEDERSCHLAGUNG:
        return do_write_down(case, review_on=D(2026, 8, 4), reason="aussichtslos", on=on, actor=ACTOR)
    if kind == K.RUECKGABE:
        return do_return_to_partners(case, reason="aussichtslos", on=on, actor=ACTOR)
    if kind in (K.SCHULDNERVERZEICHNIS, K.KONTENABRUF):
        disclose(case, VA_INSUFFICIENT)
    party = {K.PFEV_BANK: commerzbank, K.PFEV_LOHN: employer, K.PFEV_RENTE: pension}.get(MeasureKind(kind))
    return start(case, kind, on, third_party=party() if party else None)


def test_every_kind_has_an_effort_rate() -> None:
    assert set(EFFORT) == set(MeasureKind)


@pytest.mark.parametrize(("kind", "units"), EFFORT.items(), ids=EFFORT.keys())
def test_effort_units_per_kind(world: None, kind: str, units: Decimal) -> None:
    measure = take(make_file(), kind)
    assert Measure.objects.get(pk=measure.pk).effort_units == units


def test_an_effort_rate_row_overrides_the_default(world: None) -> None:
    EffortRate.objects.create(kind=K.PFEV_BANK, units=Decimal("2.25"))
    case = make_file()
    bank = take(case, K.PFEV_BANK)
    va = take(case, K.VERMOEGENSAUSKUNFT)
    assert Measure.objects.get(pk=bank.pk).effort_units == Decimal("2.25")
    assert Measure.objects.get(pk=va.pk).effort_units == Decimal("3.0")  # no row: the default


# --- Niederschlagung and Rückgabe -----------------------------------------------------------------------------


def test_write_down_suspends_the_file_until_its_review(world: None) -> None:
    case = make_file()
    with pytest.raises(ValidationError) as past:
        do_write_down(case, review_on=D(2025, 7, 1), reason="aussichtslos", on=D(2025, 7, 1), actor=ACTOR)
    assert past.value.code == "measure.review_past"

    # § 261 AO (LAW.md "Instalments, deferral, suspension"): collection suspended, the claim lives on, the
    # file comes back for review.
    measure = do_write_down(
        case, review_on=D(2026, 7, 1), reason="kein pfändbares Vermögen", on=D(2025, 7, 1), actor=ACTOR
    )
    assert (measure.kind, measure.status, measure.executed_on, measure.stage) == (
        K.NIEDERSCHLAGUNG,
        MeasureStatus.DONE,
        D(2025, 7, 1),
        "Wiedervorlage 01.07.2026",
    )
    # The claim written down with its open amount, 480.00 (principal only; Elternbeiträge carry no surcharge).
    assert list(measure.claim_links.values_list("amount_cents", flat=True)) == [48_000]
    case.refresh_from_db()
    assert (case.status, case.review_on) == (CaseStatus.SUSPENDED, D(2026, 7, 1))
    assert Claim.objects.get().status == ClaimStatus.OPEN  # the claim lives on
    assert component_balances("cases.claim", Claim.objects.get().pk)[Component.PRINCIPAL] == C("480,00")

    run_day(D(2026, 6, 30))
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert case.measures.count() == 1  # the strategy leaves a suspended file alone
    run_day(D(2026, 7, 1))
    case.refresh_from_db()
    assert (case.status, case.review_on) == (CaseStatus.OPEN, None)
    review = case.follow_ups.get(kind=FollowUpKind.REVIEW)
    assert review.due_on == D(2026, 7, 1)
    assert "01.07.2026" in review.reason
    assert trial_balance() == 0


def test_return_to_partners_takes_the_claims_out_of_the_books(world: None) -> None:
    partner = make_partner()
    # Grundsteuer carries Säumniszuschläge (§ 240 AO): 1,598.00 due Mon 10.03.2025 → base 1,550 → 15.50 per
    # started month; by Fri 02.05.2025 the months from 11.03. and 11.04. → 31.00 (LAW.md "Säumniszuschlag").
    claims = intake(
        partner,
        row("GS-1", "1.598,00", claim_type=ClaimType.GRUNDSTEUER),
        row("EB-2", "120,00"),
    )
    run_day(D(2025, 5, 2))  # opens the file, books the surcharges, starts the automatic demand
    case = Case.objects.get()
    assert component_balances("cases.claim", claims[0].pk)[Component.SURCHARGE] == C("31,00")
    claims_account = partner_account(partner, AccountKind.PARTNER_CLAIMS)
    assert balance(claims_account) == -C("1749,00")  # 1,598.00 + 31.00 + 120.00 handed over
    demand = case.measures.get(kind=K.ZAHLUNGSAUFFORDERUNG)

    measure = do_return_to_partners(case, reason="Vollstreckung aussichtslos", on=D(2025, 5, 5), actor=ACTOR)
    assert (measure.kind, measure.status, measure.finished_on) == (
        K.RUECKGABE,
        MeasureStatus.DONE,
        D(2025, 5, 5),
    )
    assert sorted(measure.result["claims"]) == ["EB-2", "GS-1"]
    # Open when returned: EB-2 120.00; GS-1 1,598.00 + 31.00 surcharges = 1,629.00 (see above).
    assert sorted(measure.claim_links.values_list("amount_cents", flat=True)) == [12_000, 162_900]
    for claim in Claim.objects.all():
        assert claim.status == ClaimStatus.RETURNED
        assert all(amount == 0 for amount in component_balances("cases.claim", claim.pk).values())
    assert balance(claims_account) == 0
    assert trial_balance() == 0

    run_day(D(2025, 5, 6))
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, D(2025, 5, 6))
    # Every claim went back to its partner: the file closes as returned.
    assert case.close_reason == CaseCloseReason.RETURNED
    demand.refresh_from_db()
    # The running demand ended with the return itself.
    assert (demand.status, demand.stage) == (MeasureStatus.DONE, "Rückgabe an die Partner")
    with pytest.raises(ValidationError) as closed:
        do_return_to_partners(case, reason="nochmals", on=D(2025, 5, 7), actor=ACTOR)
    assert closed.value.code == "case.closed"


# --- limitation ------------------------------------------------------------------------------------------------


def limitation_file() -> tuple[Case, Claim]:
    """A claim due Mon 15.06.2020, reminded Wed 01.07.2020: the 5 years run from the end of 2020 (§§ 228,
    229 Abs. 1, 231 Abs. 1 Nr. 8 AO) and expire on 31.12.2025."""
    partner = make_partner()
    (claim,) = intake(
        partner,
        row("EB-2020", "200,00", assessed="02.05.2020", notified="05.05.2020", due="15.06.2020",
            reminded="01.07.2020", reminder_deadline="15.07.2020"),
        as_of=D(2025, 6, 1),
    )  # fmt: skip
    return open_file(claim, D(2025, 6, 2)), claim


LIMITATION = {
    # Any enforcement measure interrupts (§ 231 Abs. 1 Satz 1 Nr. 3 AO, LAW.md "Limitation"): executed
    # Mon 30.06.2025 → a new period from the end of 2025 → 31.12.2030 (§ 231 Abs. 3, § 228 Satz 2 AO).
    "bank garnishment": (K.PFEV_BANK, D(2030, 12, 31)),
    "Vermögensauskunft": (K.VERMOEGENSAUSKUNFT, D(2030, 12, 31)),
    # A written demand interrupts as well (§ 231 Abs. 1 Satz 1 Nr. 8 AO).
    "Zahlungsaufforderung": (K.ZAHLUNGSAUFFORDERUNG, D(2030, 12, 31)),
    # A Niederschlagung does not (LAW.md "Limitation": "Not interrupted by … Niederschlagung").
    "Niederschlagung": (K.NIEDERSCHLAGUNG, D(2025, 12, 31)),
}


@pytest.mark.parametrize(("kind", "expires_on"), LIMITATION.values(), ids=LIMITATION.keys())
def test_measures_and_limitation(world: None, kind: str, expires_on: dt.date) -> None:
    case, claim = limitation_file()
    assert claim_expiry(claim) == D(2025, 12, 31)
    on = D(2025, 6, 30)
    if kind == K.NIEDERSCHLAGUNG:
        do_write_down(case, review_on=D(2025, 12, 1), reason="aussichtslos", on=on, actor=ACTOR)
    else:
        start(case, kind, on, third_party=commerzbank() if kind == K.PFEV_BANK else None)
    assert claim_expiry(Claim.objects.get(pk=claim.pk)) == expires_on


def test_a_proposal_alone_does_not_interrupt_the_limitation(world: None) -> None:
    case, claim = limitation_file()
    do_propose_measure(case, K.PFEV_BANK, reason="Vorschlag", on=D(2025, 6, 30), third_party=commerzbank(), actor=ACTOR)  # fmt: skip
    assert claim_expiry(claim) == D(2025, 12, 31)  # nothing executed yet (§ 231 Abs. 1 AO)


def test_a_finished_measure_still_counts(world: None) -> None:
    case, claim = limitation_file()
    pfev = start(case, K.PFEV_BANK, D(2025, 6, 30), third_party=commerzbank())
    do_finish_measure(pfev, status=MeasureStatus.FAILED, on=D(2025, 7, 15), note="kein Guthaben", actor=ACTOR)
    assert claim_expiry(claim) == D(2030, 12, 31)  # § 231 Abs. 1, 3 AO: the measure was taken in 2025
