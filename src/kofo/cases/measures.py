"""Enforcement measures: their legal preconditions, clocks, fees and effort (issue 4, item 4).

Every measure is a :class:`~kofo.cases.models.Measure` in a debtor file and goes through actions:

* :func:`do_propose_measure` — the strategy (or a caseworker) proposes it, with the reason;
* :func:`do_start_measure` — it is taken: the preconditions are checked, the claims it enforces are
  linked with their open amounts, the clocks set, a fee booked where it arises on execution;
* kind-specific steps record what happens next — service on the third party
  (:func:`do_record_service`), its declaration (:func:`do_record_declaration`), the summons and result
  of the Vermögensauskunft (:func:`do_summon_disclosure`, :func:`do_record_disclosure`), the field
  officer's result (:func:`do_record_field_result`);
* :func:`do_finish_measure` / :func:`do_cancel_measure` end it.

The clocks (LAW.md):

=========================  ======================================================================================
Zahlungsaufforderung       payment period of one week after the deemed receipt of the letter
                           (§ 122 Abs. 2 AO; § 254 Abs. 1 AO)
PfEV (bank, wage, pension) declaration of the third party within 2 weeks after service (§ 316 AO); a natural
                           person's bank balance is paid out no earlier than 4 weeks after service (§ 835 Abs. 3
                           ZPO via § 314 AO)
Vermögensauskunft          demand to pay within 2 weeks with notice of the duty to disclose; the appointment at
                           least one month after service of the summons; no new disclosure within 2 years of the
                           last one unless circumstances changed (§ 284 AO)
Schuldnerverzeichnis       only after a failed or insufficient disclosure, or no payment within one month after it
Kontenabruf                only after the disclosure step failed or was insufficient (§ 93 Abs. 8 AO)
=========================  ======================================================================================

Fees belong to the office: they are booked on the file (receivable component ``fee`` with the file as subject)
against the office's fee income, under the schedule of the regime (:mod:`kofo.law.fees`). Which regime: the
one of the agreement of the claim with the largest open amount in the measure (a file can span AO and
SVwVG partners; the measure is one act).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kofo.audit.actions import action
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.actions import take_out
from kofo.cases.casefiles import case_claims, do_schedule_follow_up
from kofo.cases.models import (
    MEASURE_FINISHED,
    Case,
    CaseStatus,
    CaseThirdParty,
    Claim,
    ClaimStatus,
    EffortRate,
    FollowUpKind,
    Instalment,
    InstalmentPlan,
    InstalmentPlanStatus,
    InstalmentStatus,
    Measure,
    MeasureClaim,
    MeasureKind,
    MeasureStatus,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.debtors.models import DebtorKind
from kofo.law import fees as fee_rules
from kofo.law.deadlines import add_months, deemed_receipt, format_date, period_end
from kofo.ledger.accounts import office_account, receivable_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.balances import component_balances
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents
from kofo.partners.models import Office

K = MeasureKind

#: Effort units per measure kind (rate table for partner billing); EffortRate rows override them.
DEFAULT_EFFORT_UNITS: dict[str, Decimal] = {
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

GARNISHMENTS = (K.PFEV_BANK, K.PFEV_LOHN, K.PFEV_RENTE)
THIRD_PARTY_KIND = {
    K.PFEV_BANK: ThirdPartyKind.BANK,
    K.PFEV_LOHN: ThirdPartyKind.EMPLOYER,
    K.PFEV_RENTE: ThirdPartyKind.PENSION,
}
#: Measures that are enforcement measures interrupting the Zahlungsverjährung (§ 231 Abs. 1 Satz 1 Nr. 3
#: AO) — a written demand (Nr. 8) and an address inquiry (Nr. 7) interrupt too, see limitation_kind().
ENFORCEMENT_KINDS = (
    *GARNISHMENTS,
    K.VERMOEGENSAUSKUNFT,
    K.SCHULDNERVERZEICHNIS,
    K.KONTENABRUF,
    K.AUSSENDIENST,
)
DISCLOSURE_VALID_YEARS = 2

# Deadline kinds (Measure.deadline_kind): what the clock that runs now is.
DL_PAYMENT = "zahlungsfrist"
DL_DECLARATION = "drittschuldnererklaerung"
DL_PAYOUT_HOLD = "auszahlungssperre"
DL_DISCLOSURE_DEMAND = "zahlungsfrist_vermoegensauskunft"
DL_APPOINTMENT = "termin_vermoegensauskunft"
DL_REGISTER_PAYMENT = "zahlungsfrist_nach_auskunft"
DEADLINE_LABELS = {
    DL_PAYMENT: "Zahlungsfrist",
    DL_DECLARATION: "Drittschuldnererklärung (§ 316 AO)",
    DL_PAYOUT_HOLD: "Auszahlungssperre (§ 835 Abs. 3 ZPO)",
    DL_DISCLOSURE_DEMAND: "Zahlungsfrist vor der Vermögensauskunft",
    DL_APPOINTMENT: "Termin zur Vermögensauskunft",
    DL_REGISTER_PAYMENT: "Monatsfrist nach der Vermögensauskunft",
}

# Outcomes of a third party's declaration (§ 316 AO).
DECL_RECOGNISED = "anerkannt"
DECL_NO_CLAIM = "keine_forderung"
DECL_PKONTO = "pkonto_ohne_ueberschuss"
DECL_PRIOR = "vorrangige_pfaendungen"
DECLARATION_OUTCOMES = {
    DECL_RECOGNISED: "Forderung anerkannt, Zahlung bereit",
    DECL_NO_CLAIM: "keine Forderung (kein Guthaben, kein Arbeitsverhältnis)",
    DECL_PKONTO: "Pfändungsschutzkonto ohne pfändbaren Überschuss",
    DECL_PRIOR: "vorrangige Pfändungen, derzeit nichts frei",
}
# Outcomes of a Vermögensauskunft.
VA_SUFFICIENT = "abgegeben_ergiebig"
VA_INSUFFICIENT = "abgegeben_unergiebig"
VA_ABSENT = "nicht_erschienen"
VA_REFUSED = "verweigert"
DISCLOSURE_OUTCOMES = {
    VA_SUFFICIENT: "abgegeben, pfändbares Vermögen vorhanden",
    VA_INSUFFICIENT: "abgegeben, kein pfändbares Vermögen",
    VA_ABSENT: "Schuldner nicht erschienen",
    VA_REFUSED: "Abgabe verweigert",
}
# Outcomes of a field visit.
FIELD_PAID = "bezahlt"
FIELD_PARTIAL = "teilweise_bezahlt"
FIELD_NOTHING = "fruchtlos"
FIELD_NOT_MET = "nicht_angetroffen"
FIELD_OUTCOMES = {
    FIELD_PAID: "vollständig bezahlt",
    FIELD_PARTIAL: "teilweise bezahlt",
    FIELD_NOTHING: "fruchtlos (nichts Pfändbares)",
    FIELD_NOT_MET: "Schuldner nicht angetroffen",
}


def _land() -> str:
    return Office.current_land()


def effort_units(kind: str) -> Decimal:
    rate = EffortRate.objects.filter(kind=kind).values_list("units", flat=True).first()
    return rate if rate is not None else DEFAULT_EFFORT_UNITS.get(kind, Decimal(0))


def open_balance(claim: Claim) -> Cents:
    return sum(component_balances(claim._meta.label_lower, claim.pk).values(), Cents(0))


def enforceable_claims(case: Case, on: dt.date) -> list[Claim]:
    """The claims of the file that may be enforced on ``on``: open (not deferred, not closed), with money due."""
    claims = (
        case_claims(case)
        .filter(status=ClaimStatus.OPEN)
        .select_related("partner", "agreement")
        .order_by("due_date", "pk")
    )
    return [c for c in claims if c.due_date <= on and open_balance(c) > 0]


def open_total(claims: Iterable[Claim]) -> Cents:
    return sum((open_balance(c) for c in claims), Cents(0))


def limitation_kind(kind: str) -> str | None:
    """The § 231 AO event a measure of ``kind`` is (a LimitationEventKind value), or None."""
    if kind == K.ZAHLUNGSAUFFORDERUNG:
        return "schriftliche_geltendmachung"
    if kind == K.AUFENTHALTSERMITTLUNG:
        return "aufenthaltsermittlung"
    if kind == K.RATENZAHLUNG:
        return "vollstreckungsaufschub"
    if kind in ENFORCEMENT_KINDS:
        return "vollstreckungsmassnahme"
    return None


# --- preconditions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """Whether a measure may be taken now, and why not (German, citing the rule)."""

    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _last_disclosure(case: Case) -> Measure | None:
    return (
        case.measures.filter(kind=K.VERMOEGENSAUSKUNFT, status__in=(MeasureStatus.DONE, MeasureStatus.FAILED))
        .order_by("-finished_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class RegisterGround:
    """Why the entry in the Schuldnerverzeichnis may be ordered: the number of § 284 Abs. 9 Satz 1 AO and the
    facts of the file, in the words the order gives the debtor as its reason (§ 284 Abs. 9 Satz 3 AO)."""

    number: int
    facts: str

    @property
    def paragraph(self) -> str:
        return f"§ 284 Abs. 9 Satz 1 Nr. {self.number} AO"


def register_ground(case: Case, on: dt.date) -> RegisterGround | None:
    """The ground for an Eintragungsanordnung on ``on`` from the last Vermögensauskunft (LAW.md "Asset
    disclosure"; § 284 Abs. 9 Satz 1 AO): Nr. 1 not disclosed (absent or refused), Nr. 2 the disclosure
    shows enforcement cannot satisfy the claims, Nr. 3 not paid in full within one month after disclosing.
    None when there is no ground."""
    return _register_ground(_last_disclosure(case), on)


def _register_ground(last: Measure | None, on: dt.date) -> RegisterGround | None:
    if last is None or last.finished_on is None:
        return None
    outcome, day = last.result.get("outcome"), format_date(last.finished_on)
    if outcome == VA_ABSENT:
        return RegisterGround(
            1,
            f"Sie sind zum Termin am {day} zur Abgabe der Vermögensauskunft ohne ausreichende Entschuldigung "
            "nicht erschienen und damit Ihrer Pflicht zur Abgabe der Vermögensauskunft nicht nachgekommen.",
        )
    if outcome == VA_REFUSED:
        return RegisterGround(
            1,
            f"Sie haben im Termin am {day} die Abgabe der Vermögensauskunft ohne Grund verweigert und sind damit "
            "Ihrer Pflicht zur Abgabe der Vermögensauskunft nicht nachgekommen.",
        )
    if outcome == VA_INSUFFICIENT:
        return RegisterGround(
            2,
            f"Nach dem Inhalt des Vermögensverzeichnisses, das Sie am {day} abgegeben haben, ist eine Vollstreckung "
            "offensichtlich nicht geeignet, zu einer vollständigen Befriedigung der Forderungen zu führen.",
        )
    if outcome == VA_SUFFICIENT and period_end(last.finished_on, months=1, land=_land()).date < on:
        return RegisterGround(
            3,
            f"Sie haben am {day} die Vermögensauskunft abgegeben, die Forderungen aber nicht innerhalb eines "
            "Monats danach vollständig beglichen.",
        )
    return None


def check_preconditions(
    case: Case,
    kind: str,
    on: dt.date,
    *,
    third_party: ThirdParty | None = None,
    changed_circumstances: bool = False,
) -> Check:
    """The legal preconditions of taking a measure of ``kind`` in ``case`` on ``on`` (LAW.md)."""
    problems: list[str] = []
    if case.status == CaseStatus.CLOSED:
        problems.append("Die Akte ist abgeschlossen.")
    claims = enforceable_claims(case, on)
    if kind not in (K.RUECKGABE, K.NIEDERSCHLAGUNG) and not claims:
        problems.append(
            "Keine vollstreckbare offene Forderung in der Akte (fällig, nicht gestundet, nicht verjährt)."
        )
    if kind in GARNISHMENTS:
        expected = THIRD_PARTY_KIND[MeasureKind(kind)]
        if third_party is None:
            problems.append(f"Für die Pfändung fehlt der Drittschuldner ({expected.label}).")
        elif third_party.kind != expected:
            problems.append(
                f"Der Drittschuldner {third_party.name} ist {third_party.get_kind_display()}, erwartet: {expected.label}."
            )
        if case.measures.filter(kind=kind, third_party=third_party, status=MeasureStatus.ACTIVE).exists():
            problems.append("Bei diesem Drittschuldner läuft bereits eine Pfändung.")
    if kind == K.VERMOEGENSAUSKUNFT:
        last = _last_disclosure(case)
        if (
            last is not None
            and last.result.get("outcome") in (VA_SUFFICIENT, VA_INSUFFICIENT)
            and last.finished_on is not None
            and add_months(last.finished_on, 12 * DISCLOSURE_VALID_YEARS) >= on
            and not changed_circumstances
        ):
            problems.append(
                f"Der Schuldner hat am {format_date(last.finished_on)} eine Vermögensauskunft abgegeben; eine neue "
                "innerhalb von zwei Jahren nur bei veränderten Verhältnissen (§ 284 Abs. 4 AO)."
            )
    if kind in (K.SCHULDNERVERZEICHNIS, K.KONTENABRUF):
        last = _last_disclosure(case)
        outcome = last.result.get("outcome") if last is not None else None
        if kind == K.KONTENABRUF and outcome not in (VA_INSUFFICIENT, VA_ABSENT, VA_REFUSED):
            problems.append(
                "Ein Kontenabruf ist erst zulässig, wenn die Vermögensauskunft erfolglos oder unergiebig war "
                "(§ 93 Abs. 8 AO)."
            )
        if kind == K.SCHULDNERVERZEICHNIS and _register_ground(last, on) is None:
            problems.append(
                "Eine Eintragungsanordnung setzt voraus, dass der Schuldner die Vermögensauskunft nicht abgab, "
                "sie keine Befriedigung verspricht oder er einen Monat nach der Abgabe nicht gezahlt hat "
                "(§ 284 Abs. 9 AO)."
            )
    return Check(tuple(problems))


# --- fees and costs ---------------------------------------------------------------------------------------


def measure_regime(measure: Measure) -> str:
    links = list(measure.claim_links.select_related("claim__agreement"))
    if not links:
        return "ao"
    biggest = max(links, key=lambda link: (link.amount_cents, -link.claim_id))
    return str(biggest.claim.agreement.regime)


def _book_office_receivable(
    measure: Measure,
    amount: Cents,
    component: Component,
    *,
    reason_code: str,
    description: str,
    on: dt.date,
    actor: Actor,
) -> None:
    case = measure.case
    do_post_transaction(
        [
            debit(receivable_account(None, case, component, case.number), amount),
            credit(office_account(AccountKind.FEE_INCOME), amount),
        ],
        reason_code=reason_code,
        description=description,
        value_date=on,
        obj=measure,
        actor=actor,
    )


def book_fee(
    measure: Measure, fee_kind: str, on: dt.date, *, actor: Actor, hours: Decimal | None = None
) -> Cents:
    """Book the fee of ``fee_kind`` that arises now for ``measure`` (schedule of the regime, LAW.md)."""
    regime = measure_regime(measure)
    try:
        result = fee_rules.compute_fee(
            regime, fee_kind, amount=Cents(measure.amount_cents), hours=hours, on=on
        )
    except fee_rules.MissingFeeSetting as exc:
        # The fact (service, the officer's act) is recorded all the same; the fee waits for the setting.
        do_schedule_follow_up(
            measure.case,
            due_on=on,
            reason=f"Gebühr nicht gebucht: {exc}",
            kind=FollowUpKind.MANUAL,
            key=f"fee-missing:{measure.pk}:{fee_kind}",
            actor=actor,
        )
        measure.result = {**measure.result, "fee_missing": exc.setting}
        Measure.objects.filter(pk=measure.pk).update(result=measure.result)
        return Cents(0)
    except fee_rules.FeeError as exc:
        raise ValidationError(str(exc), code=exc.code) from None
    if result.amount > 0:
        _book_office_receivable(
            measure,
            result.amount,
            Component.FEE,
            reason_code="measure.fee",
            description=f"{result.name} {measure.case.number} ({result.citation})",
            on=on,
            actor=actor,
        )
        Measure.objects.filter(pk=measure.pk).update(fee_cents=measure.fee_cents + int(result.amount))
        measure.fee_cents += int(result.amount)
    return result.amount


@action
def do_record_expense(measure: Measure, *, amount: Cents, reason: str, on: dt.date, actor: Actor) -> Measure:
    """Expenses passed on at cost (§ 344 AO; § 10 Kostenordnung SVwVG), e.g. the postal service of a PfEV."""
    if amount <= 0:
        raise ValidationError("Auslagen müssen größer als 0 sein.", code="measure.expense_invalid")
    _book_office_receivable(
        measure,
        amount,
        Component.COST,
        reason_code="measure.expense",
        description=f"Auslagen {measure.case.number}: {reason}",
        on=on,
        actor=actor,
    )
    record_event(actor=actor, action="cases.record_expense", obj=measure.case,
                 summary={"measure": measure.pk, "amount_cents": int(amount), "reason": reason})  # fmt: skip
    return measure


# --- lifecycle --------------------------------------------------------------------------------------------


def _audit(measure: Measure, what: str, actor: Actor, **summary: Any) -> None:
    record_event(
        actor=actor,
        action=f"cases.{what}",
        obj=measure.case,
        summary={"measure": measure.pk, "kind": measure.kind, **summary},
    )


def _settle_proposal(measure: Measure, actor: Actor) -> None:
    """A proposal taken or dropped: its follow-up in the worklist is done."""
    from kofo.cases.casefiles import do_complete_follow_up
    from kofo.cases.models import FollowUp

    for follow_up in FollowUp.objects.filter(
        case_id=measure.case_id, key=f"proposal:{measure.pk}", done_at__isnull=True
    ):
        do_complete_follow_up(follow_up, actor=actor)


def _set_clock(measure: Measure, kind: str, day: dt.date | None) -> None:
    measure.deadline_kind = kind if day is not None else ""
    measure.deadline_on = day


@action
def do_propose_measure(
    case: Case,
    kind: str,
    *,
    reason: str,
    on: dt.date,
    actor: Actor,
    key: str = "",
    third_party: ThirdParty | None = None,
) -> Measure:
    """A proposal in the caseworker's worklist (idempotent with ``key``)."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("Die Akte ist abgeschlossen.", code="case.closed")
    if key:
        existing = case.measures.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            measure = Measure.objects.create(
                case=case,
                kind=kind,
                key=key,
                reason=reason[:500],
                proposed_by=actor_name(actor),
                third_party=third_party,
                created_on=on,
            )
    except IntegrityError:
        return case.measures.get(key=key)
    _audit(measure, "propose_measure", actor, reason=reason)
    return measure


@action
def do_cancel_measure(measure: Measure, *, reason: str, on: dt.date, actor: Actor) -> Measure:
    measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk)
    if measure.status in MEASURE_FINISHED:
        raise ValidationError("Die Maßnahme ist bereits abgeschlossen.", code="measure.finished")
    if measure.status == MeasureStatus.ACTIVE and measure.executed_on is not None:
        raise ValidationError(
            "Eine ausgeführte Maßnahme wird nicht verworfen, sondern mit ihrem Ergebnis abgeschlossen.",
            code="measure.executed",
        )
    _settle_proposal(measure, actor)
    measure.status = MeasureStatus.CANCELLED
    measure.finished_on = on
    measure.stage = reason[:120]
    measure.save(update_fields=["status", "finished_on", "stage"])
    _audit(measure, "cancel_measure", actor, reason=reason)
    return measure


@action
def do_start_measure(
    measure: Measure,
    *,
    on: dt.date,
    actor: Actor,
    third_party: ThirdParty | None = None,
    changed_circumstances: bool = False,
) -> Measure:
    """Take the measure on ``on`` (the letter posted, the order sent): preconditions, claims, clocks, fees."""
    measure = Measure.objects.select_for_update(no_key=True).select_related("case__debtor").get(pk=measure.pk)
    if measure.status != MeasureStatus.PROPOSED:
        raise ValidationError(
            "Die Maßnahme ist %(status)s und kann nicht erneut ausgeführt werden.",
            code="measure.not_proposed",
            params={"status": measure.get_status_display()},
        )
    if measure.kind == K.NIEDERSCHLAGUNG:
        raise ValidationError(
            "Eine Niederschlagung wird mit Wiedervorlagedatum beschlossen (Aktion „Niederschlagen“), nicht ausgeführt.",
            code="measure.use_write_down",
        )
    if measure.kind == K.RUECKGABE:
        raise ValidationError(
            "Die Rückgabe an die Partner ist eine eigene Aktion (Aktion „Zurückgeben“).",
            code="measure.use_return",
        )
    third_party = third_party or measure.third_party
    check = check_preconditions(
        measure.case, measure.kind, on, third_party=third_party, changed_circumstances=changed_circumstances
    )
    if not check.ok:
        raise ValidationError(" ".join(check.problems), code="measure.precondition")
    _settle_proposal(measure, actor)
    claims = enforceable_claims(measure.case, on)
    total = Cents(0)
    for claim in claims:
        amount = open_balance(claim)
        MeasureClaim.objects.create(measure=measure, claim=claim, amount_cents=int(amount))
        total = total + amount
    land = _land()
    measure.third_party = third_party
    measure.amount_cents = int(total)
    measure.status = MeasureStatus.ACTIVE
    measure.executed_on = on
    measure.effort_units = effort_units(measure.kind)
    kind = measure.kind
    if kind == K.ZAHLUNGSAUFFORDERUNG:
        receipt = deemed_receipt(on, land=land).date
        _set_clock(measure, DL_PAYMENT, period_end(receipt, weeks=1, land=land).date)
        measure.stage = "versandt"
    elif kind in GARNISHMENTS:
        measure.stage = "zur Zustellung"
    elif kind == K.VERMOEGENSAUSKUNFT:
        receipt = deemed_receipt(on, land=land).date
        _set_clock(measure, DL_DISCLOSURE_DEMAND, period_end(receipt, weeks=2, land=land).date)
        measure.stage = "Zahlungsaufforderung mit Hinweis auf die Auskunftspflicht"
    elif kind == K.AUSSENDIENST:
        measure.stage = "an den Außendienst übergeben"
    else:
        measure.stage = "ausgeführt"
    measure.save()
    if kind == K.AUSSENDIENST:
        do_schedule_follow_up(
            measure.case,
            due_on=on,
            reason=f"Vollstreckungsauftrag über {total.format()} an den Außendienst",
            kind=FollowUpKind.DEADLINE,
            key=f"field-order:{measure.pk}",
            actor=actor,
        )
    _audit(measure, "start_measure", actor, executed_on=on, amount_cents=int(total),
           claims=[c.kassenzeichen for c in claims], third_party=third_party.name if third_party else None)  # fmt: skip
    return measure


@action
def do_record_service(measure: Measure, *, served_on: dt.date, actor: Actor) -> Measure:
    """The garnishment order was served on the third party (§ 309 Abs. 2 AO): the lien arises, the fee
    arises (§ 339 Abs. 2 Nr. 2 AO), the declaration is due in 2 weeks (§ 316 AO), a natural person's bank
    balance is held for 4 weeks (§ 835 Abs. 3 ZPO via § 314 AO)."""
    measure = Measure.objects.select_for_update(no_key=True).select_related("case__debtor").get(pk=measure.pk)
    if (
        measure.kind not in GARNISHMENTS
        or measure.status != MeasureStatus.ACTIVE
        or measure.served_on is not None
    ):
        raise ValidationError("Für diese Maßnahme ist keine Zustellung offen.", code="measure.no_service")
    if measure.executed_on is not None and served_on < measure.executed_on:
        raise ValidationError(
            "Die Zustellung kann nicht vor dem Versand liegen.", code="measure.service_before"
        )
    land = _land()
    measure.served_on = served_on
    measure.stage = "zugestellt, Erklärung des Drittschuldners abwarten"
    _set_clock(measure, DL_DECLARATION, period_end(served_on, weeks=2, land=land).date)
    if measure.kind == K.PFEV_BANK and measure.case.debtor.kind == DebtorKind.NATURAL:
        measure.payout_hold_until = period_end(served_on, weeks=4, land=land).date
    measure.save()
    book_fee(measure, fee_rules.FeeKind.PFAENDUNG, served_on, actor=actor)
    _audit(measure, "record_service", actor, served_on=served_on)
    return measure


@action
def do_record_declaration(
    measure: Measure,
    *,
    outcome: str,
    declared_on: dt.date,
    actor: Actor,
    amount: Cents | None = None,
    net_income: Cents | None = None,
    dependants: int = 0,
    pay_period: str = "monat",
) -> Measure:
    """The third party's declaration (§ 316 AO). A recognised claim waits for payment (after the payout
    hold); for wages the garnishable amount per pay period follows from § 850c ZPO; nothing to get ends
    the garnishment as unsuccessful."""
    from kofo.law.garnishment import NoGarnishmentParameters, garnishable_amount

    measure = Measure.objects.select_for_update(no_key=True).select_related("case__debtor").get(pk=measure.pk)
    if (
        measure.kind not in GARNISHMENTS
        or measure.status != MeasureStatus.ACTIVE
        or measure.served_on is None
    ):
        raise ValidationError(
            "Eine Drittschuldnererklärung setzt eine zugestellte, laufende Pfändung voraus.",
            code="measure.no_declaration",
        )
    if outcome not in DECLARATION_OUTCOMES:
        raise ValidationError(
            "Unbekanntes Ergebnis der Erklärung: %(o)s", code="measure.outcome", params={"o": outcome}
        )
    result: dict[str, Any] = {"declaration": outcome, "declared_on": declared_on.isoformat()}
    if outcome == DECL_RECOGNISED:
        if measure.kind in (K.PFEV_LOHN, K.PFEV_RENTE) and net_income is not None:
            try:
                garnish = garnishable_amount(net_income, dependants, pay_period, declared_on)
            except NoGarnishmentParameters as exc:
                raise ValidationError(exc.message, code=exc.code) from None
            result.update(
                net_income_cents=int(net_income), dependants=dependants, pay_period=pay_period,
                garnishable_cents=int(garnish.amount), derivation=list(garnish.steps),
            )  # fmt: skip
            amount = garnish.amount
        if amount is None or amount <= 0:
            raise ValidationError("Bitte den anerkannten Betrag angeben.", code="measure.amount_missing")
        result["recognised_cents"] = int(amount)
        measure.stage = "anerkannt, Zahlung erwartet"
        if measure.payout_hold_until is not None and measure.payout_hold_until > declared_on:
            _set_clock(measure, DL_PAYOUT_HOLD, measure.payout_hold_until)
        else:
            _set_clock(measure, "", None)
    else:
        measure.status = MeasureStatus.FAILED
        measure.finished_on = declared_on
        measure.stage = DECLARATION_OUTCOMES[outcome][:120]
        _set_clock(measure, "", None)
    measure.result = {**measure.result, **result}
    measure.save()
    _audit(
        measure, "record_declaration", actor, outcome=outcome, amount_cents=int(amount) if amount else None
    )
    return measure


@action
def do_summon_disclosure(
    measure: Measure,
    *,
    appointment_on: dt.date,
    served_on: dt.date,
    actor: Actor,
    appointment_time: dt.time | None = None,
    appointment_room: str = "",
) -> Measure:
    """Summons to the Vermögensauskunft, served personally; the appointment at least one month after service
    (LAW.md, § 284 Abs. 6 AO). The summons names the day, the hour and the room (the letter prints them)."""
    measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk)
    if measure.kind != K.VERMOEGENSAUSKUNFT or measure.status != MeasureStatus.ACTIVE:
        raise ValidationError("Keine laufende Vermögensauskunft.", code="measure.no_disclosure")
    if (
        measure.deadline_kind == DL_DISCLOSURE_DEMAND
        and measure.deadline_on
        and served_on <= measure.deadline_on
    ):
        raise ValidationError(
            "Die Ladung folgt erst nach Ablauf der Zahlungsfrist am %(d)s.",
            code="measure.summons_early",
            params={"d": format_date(measure.deadline_on)},
        )
    earliest = add_months(served_on, 1)
    if appointment_on < earliest:
        raise ValidationError(
            "Der Termin muss mindestens einen Monat nach der Zustellung der Ladung liegen, frühestens am %(d)s.",
            code="measure.appointment_early",
            params={"d": format_date(earliest)},
        )
    measure.served_on = served_on
    measure.stage = "geladen"
    appointment: dict[str, str] = {"appointment_on": appointment_on.isoformat()}
    if appointment_time is not None:
        appointment["appointment_time"] = appointment_time.strftime("%H:%M")
    if appointment_room.strip():
        appointment["appointment_room"] = appointment_room.strip()[:120]
    measure.result = {**measure.result, **appointment}
    _set_clock(measure, DL_APPOINTMENT, appointment_on)
    measure.save()
    _audit(measure, "summon_disclosure", actor, served_on=served_on, **appointment)
    return measure


@action
def do_record_disclosure(
    measure: Measure, *, outcome: str, on: dt.date, actor: Actor, note: str = ""
) -> Measure:
    """The result of the Vermögensauskunft (§ 284 AO)."""
    measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk)
    if measure.kind != K.VERMOEGENSAUSKUNFT or measure.status != MeasureStatus.ACTIVE:
        raise ValidationError("Keine laufende Vermögensauskunft.", code="measure.no_disclosure")
    if outcome not in DISCLOSURE_OUTCOMES:
        raise ValidationError("Unbekanntes Ergebnis: %(o)s", code="measure.outcome", params={"o": outcome})
    measure.status = (
        MeasureStatus.DONE if outcome in (VA_SUFFICIENT, VA_INSUFFICIENT) else MeasureStatus.FAILED
    )
    measure.finished_on = on
    measure.stage = DISCLOSURE_OUTCOMES[outcome][:120]
    measure.result = {**measure.result, "outcome": outcome, "note": note}
    if outcome == VA_SUFFICIENT:
        _set_clock(measure, DL_REGISTER_PAYMENT, period_end(on, months=1, land=_land()).date)
    else:
        _set_clock(measure, "", None)
    measure.save()
    _audit(measure, "record_disclosure", actor, outcome=outcome)
    return measure


@action
def do_record_field_result(
    measure: Measure, *, outcome: str, on: dt.date, actor: Actor, note: str = "", hours: Decimal | None = None
) -> Measure:
    """The field officer's report. The Pfändungsgebühr arises once per field order when the officer acts
    (§ 339 Abs. 2 Nr. 1 AO, LAW.md); a debtor not met is no act of enforcement yet."""
    measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk)
    if measure.kind != K.AUSSENDIENST or measure.status != MeasureStatus.ACTIVE:
        raise ValidationError("Kein laufender Vollstreckungsauftrag.", code="measure.no_field_order")
    if outcome not in FIELD_OUTCOMES:
        raise ValidationError("Unbekanntes Ergebnis: %(o)s", code="measure.outcome", params={"o": outcome})
    acted = outcome != FIELD_NOT_MET
    if acted and not measure.result.get("fee_booked"):
        book_fee(measure, fee_rules.FeeKind.PFAENDUNG, on, actor=actor)
        measure.result = {**measure.result, "fee_booked": True}
    measure.status = MeasureStatus.DONE if outcome in (FIELD_PAID, FIELD_PARTIAL) else MeasureStatus.FAILED
    measure.finished_on = on
    measure.stage = FIELD_OUTCOMES[outcome][:120]
    measure.result = {**measure.result, "outcome": outcome, "note": note}
    measure.save()
    _audit(measure, "record_field_result", actor, outcome=outcome)
    return measure


@action
def do_finish_measure(measure: Measure, *, status: str, on: dt.date, note: str, actor: Actor) -> Measure:
    """End a running measure with its result (done or unsuccessful)."""
    measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk)
    if measure.status != MeasureStatus.ACTIVE:
        raise ValidationError("Die Maßnahme läuft nicht.", code="measure.not_active")
    if status not in (MeasureStatus.DONE, MeasureStatus.FAILED):
        raise ValidationError("Abschluss nur als erledigt oder erfolglos.", code="measure.finish_status")
    measure.status = status
    measure.finished_on = on
    measure.stage = note[:120]
    _set_clock(measure, "", None)
    measure.save()
    _audit(measure, "finish_measure", actor, status=status, note=note)
    return measure


@action
def do_write_down(case: Case, *, review_on: dt.date, reason: str, on: dt.date, actor: Actor) -> Measure:
    """Niederschlagung (§ 261 AO): collection suspended, the claims live on; the file rests until
    ``review_on`` and comes back for review (LAW.md: until limitation)."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("Die Akte ist abgeschlossen.", code="case.closed")
    if review_on <= on:
        raise ValidationError(
            "Die Wiedervorlage muss nach dem heutigen Tag liegen.", code="measure.review_past"
        )
    # The strategy's pending proposal is the measure taken; other proposals lapse with the suspension.
    measure = (
        case.measures.filter(kind=K.NIEDERSCHLAGUNG, status=MeasureStatus.PROPOSED).order_by("pk").first()
    )
    if measure is None:
        measure = do_propose_measure(case, K.NIEDERSCHLAGUNG, reason=reason, on=on, actor=actor)
    for pending in case.measures.filter(status=MeasureStatus.PROPOSED).exclude(pk=measure.pk):
        do_cancel_measure(pending, reason="Niederschlagung", on=on, actor=actor)
    for claim in enforceable_claims(case, on):
        MeasureClaim.objects.create(measure=measure, claim=claim, amount_cents=int(open_balance(claim)))
    _settle_proposal(measure, actor)
    measure.status = MeasureStatus.DONE
    measure.executed_on = measure.finished_on = on
    measure.effort_units = effort_units(K.NIEDERSCHLAGUNG)
    measure.stage = f"Wiedervorlage {format_date(review_on)}"
    measure.save()
    case.status = CaseStatus.SUSPENDED
    case.review_on = review_on
    case.save(update_fields=["status", "review_on"])
    _audit(measure, "write_down", actor, review_on=review_on, reason=reason)
    return measure


@action
def do_return_to_partners(case: Case, *, reason: str, on: dt.date, actor: Actor) -> Measure:
    """Rückgabe: the office stops; every open claim goes back to its partner with the enforcement report."""
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("Die Akte ist abgeschlossen.", code="case.closed")
    measure = case.measures.filter(kind=K.RUECKGABE, status=MeasureStatus.PROPOSED).order_by("pk").first()
    if measure is None:
        measure = do_propose_measure(case, K.RUECKGABE, reason=reason, on=on, actor=actor)
    for pending in case.measures.filter(status__in=(MeasureStatus.PROPOSED, MeasureStatus.ACTIVE)).exclude(
        pk=measure.pk
    ):
        if pending.status == MeasureStatus.PROPOSED:
            do_cancel_measure(pending, reason="Rückgabe an die Partner", on=on, actor=actor)
        else:
            do_finish_measure(
                pending, status=MeasureStatus.DONE, on=on, note="Rückgabe an die Partner", actor=actor
            )
    returned = []
    for claim in (
        case_claims(case)
        .filter(status__in=(ClaimStatus.OPEN, ClaimStatus.DEFERRED))
        .select_related("partner")
    ):
        amounts = {c: a for c, a in component_balances(claim._meta.label_lower, claim.pk).items() if a > 0}
        MeasureClaim.objects.create(
            measure=measure, claim=claim, amount_cents=int(sum(amounts.values(), Cents(0)))
        )
        if amounts:
            take_out(claim, amounts, reason_code="claim.returned", description=f"Rückgabe {claim.kassenzeichen}: {reason}",
                     value_date=on, actor=actor)  # fmt: skip
        claim.status = ClaimStatus.RETURNED
        claim.save(update_fields=["status"])
        returned.append(claim.kassenzeichen)
    _settle_proposal(measure, actor)
    measure.status = MeasureStatus.DONE
    measure.executed_on = measure.finished_on = on
    measure.effort_units = effort_units(K.RUECKGABE)
    measure.stage = "zurückgegeben"
    measure.result = {"claims": returned}
    measure.save()
    _audit(measure, "return_to_partners", actor, claims=returned, reason=reason)
    return measure


# --- third parties ----------------------------------------------------------------------------------------


def bank_for_iban(iban: str, *, actor: Actor | None = None) -> ThirdParty | None:
    """The bank of a German IBAN as a third party (BIC and name from schwifty's bank registry).

    A bank new to the office is registered once: with an ``actor`` the registration is audited, and it
    takes the audit chain's lock *before* inserting, so two daily-run workers meeting the same new bank
    wait for each other instead of creating it twice (the unique BIC per kind backs this up) — and never
    deadlock, because every writer takes the chain lock first.
    """
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        parsed = IBAN(iban)
        bic = parsed.bic
    except (SchwiftyException, ValueError):
        return None
    if bic is None:
        return None
    existing = ThirdParty.objects.filter(kind=ThirdPartyKind.BANK, bic=str(bic)).first()
    if existing is not None:
        return existing
    name = (parsed.bank_name or str(bic))[:200]
    with transaction.atomic():
        if actor is not None:
            record_event(actor=actor, action="cases.register_bank", summary={"bic": str(bic), "name": name})
            existing = ThirdParty.objects.filter(kind=ThirdPartyKind.BANK, bic=str(bic)).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                return ThirdParty.objects.create(kind=ThirdPartyKind.BANK, bic=str(bic), name=name)
        except IntegrityError:
            return ThirdParty.objects.get(kind=ThirdPartyKind.BANK, bic=str(bic))


@action
def do_save_third_party(third_party: ThirdParty, *, actor: Actor) -> ThirdParty:
    """Create or change a third-party debtor entered by hand (employer, pension insurer, bank …)."""
    third_party.name = third_party.name.strip()
    if not third_party.name:
        raise ValidationError("Bitte den Namen des Drittschuldners angeben.", code="third_party.name_missing")
    created = third_party.pk is None
    try:
        with transaction.atomic():
            third_party.save()
    except IntegrityError:
        raise ValidationError(
            "Ein Kreditinstitut mit dieser BIC ist bereits erfasst.", code="third_party.bic_exists"
        ) from None
    record_event(
        actor=actor,
        action="cases.create_third_party" if created else "cases.change_third_party",
        obj=third_party,
        summary={"kind": third_party.kind, "name": third_party.name, "bic": third_party.bic,
                 "address": f"{third_party.street}, {third_party.postcode} {third_party.city}".strip(", ")},
    )  # fmt: skip
    return third_party


@action
def do_note_third_party(
    case: Case, *, third_party: ThirdParty, source: str, on: dt.date, actor: Actor, iban: str = ""
) -> CaseThirdParty:
    """Record that ``third_party`` owes the debtor (idempotent)."""
    link, created = CaseThirdParty.objects.get_or_create(
        case=case, third_party=third_party, defaults={"source": source[:200], "noted_on": on, "iban": iban}
    )
    if created:
        record_event(actor=actor, action="cases.note_third_party", obj=case,
                     summary={"third_party": third_party.name, "kind": third_party.kind, "source": source})  # fmt: skip
    return link


# --- instalments (§ 258 AO) -------------------------------------------------------------------------------

#: § 258 AO as LAW.md states it: never more than five years.
INSTALMENT_MONTHS_LIMIT = 60


def instalment_schedule(
    total: Cents, instalment: Cents, first_due_on: dt.date
) -> list[tuple[dt.date, Cents]]:
    """Monthly instalments of ``instalment`` from ``first_due_on`` (same day each month, § 188 BGB month
    arithmetic) until ``total`` is covered; the last one is the remainder."""
    if instalment <= 0:
        raise ValidationError("Die Rate muss größer als 0 sein.", code="instalment.amount_invalid")
    schedule: list[tuple[dt.date, Cents]] = []
    remaining = total
    number = 0
    while remaining > 0:
        amount = min(instalment, remaining)
        schedule.append((add_months(first_due_on, number), amount))
        remaining = remaining - amount
        number += 1
        if number > INSTALMENT_MONTHS_LIMIT:
            raise ValidationError(
                "Mit dieser Rate dauerte die Tilgung länger als fünf Jahre; ein Vollstreckungsaufschub ist nie länger "
                "als fünf Jahre (§ 258 AO).",
                code="instalment.too_long",
            )
    return schedule


@action
def do_arrange_instalments(
    case: Case,
    *,
    instalment: Cents,
    first_due_on: dt.date,
    on: dt.date,
    reason: str,
    actor: Actor,
    iban: str = "",
    mandate_reference: str = "",
) -> InstalmentPlan:
    """Vollstreckungsaufschub with instalments (§ 258 AO): enforcement rests while the instalments come in;
    Säumniszuschläge keep running (LAW.md); a missed instalment lets the office revoke it (daily run, after
    ``StrategySettings.instalment_grace_days``). Longer than ``instalment_months_max`` needs a reason, longer
    than five years is refused."""
    from kofo.cases.models import StrategySettings

    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("Ratenzahlung nur in einer Akte in Bearbeitung.", code="case.not_open")
    if InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).exists():
        raise ValidationError("Für die Akte läuft bereits eine Ratenzahlung.", code="instalment.exists")
    if first_due_on < on:
        raise ValidationError(
            "Die erste Rate kann nicht vor der Vereinbarung fällig sein.", code="instalment.first_past"
        )
    claims = enforceable_claims(case, on)
    total = open_total(claims)
    if total <= 0:
        raise ValidationError(
            "Keine vollstreckbare offene Forderung in der Akte.", code="measure.precondition"
        )
    schedule = instalment_schedule(total, instalment, first_due_on)
    settings = StrategySettings.current()
    if len(schedule) > settings.instalment_months_max and not reason.strip():
        raise ValidationError(
            "Mehr als %(max)s Raten: bitte begründen, warum der Vollstreckungsaufschub länger dauern soll (§ 258 AO).",
            code="instalment.reason_needed",
            params={"max": settings.instalment_months_max},
        )
    for pending in case.measures.filter(status=MeasureStatus.PROPOSED):
        do_cancel_measure(pending, reason="Ratenzahlung vereinbart", on=on, actor=actor)
    for running in case.measures.filter(status=MeasureStatus.ACTIVE).exclude(kind__in=GARNISHMENTS):
        do_finish_measure(
            running, status=MeasureStatus.DONE, on=on, note="Ratenzahlung vereinbart", actor=actor
        )
    measure = do_propose_measure(
        case, K.RATENZAHLUNG, reason=reason or "Ratenzahlung vereinbart", on=on, actor=actor
    )
    for claim in claims:
        MeasureClaim.objects.create(measure=measure, claim=claim, amount_cents=int(open_balance(claim)))
    measure.status = MeasureStatus.ACTIVE
    measure.executed_on = on
    measure.amount_cents = int(total)
    measure.effort_units = effort_units(K.RATENZAHLUNG)
    measure.stage = f"{len(schedule)} Raten zu {instalment.format()}"
    _set_clock(measure, "", None)
    measure.save()
    plan = InstalmentPlan.objects.create(
        case=case, measure=measure, total_cents=int(total), instalment_cents=int(instalment),
        first_due_on=first_due_on, grace_days=settings.instalment_grace_days, iban=iban,
        mandate_reference=mandate_reference, agreed_on=on,
    )  # fmt: skip
    Instalment.objects.bulk_create(
        [
            Instalment(plan=plan, number=i, due_on=due_on, amount_cents=int(amount))
            for i, (due_on, amount) in enumerate(schedule, start=1)
        ]
    )
    _audit(measure, "arrange_instalments", actor, instalments=len(schedule), instalment_cents=int(instalment),
           first_due_on=first_due_on, total_cents=int(total))  # fmt: skip
    return plan


def apply_payment_to_plan(case: Case, amount: Cents, received_on: dt.date) -> None:
    """A payment for a file with a running instalment plan pays its instalments in order."""
    plan = InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).first()
    if plan is None:
        return
    remaining = amount
    for instalment in plan.instalments.filter(status__in=(InstalmentStatus.OPEN, InstalmentStatus.MISSED)):
        if remaining <= 0:
            break
        share = min(remaining, Cents(instalment.amount_cents - instalment.paid_cents))
        instalment.paid_cents += int(share)
        remaining = remaining - share
        if instalment.paid_cents >= instalment.amount_cents:
            instalment.status = InstalmentStatus.PAID
            instalment.paid_on = received_on
        instalment.save(update_fields=["paid_cents", "status", "paid_on"])


@action
def do_revoke_instalment_plan(
    plan: InstalmentPlan, *, on: dt.date, reason: str, actor: Actor
) -> InstalmentPlan:
    """Widerruf of the Vollstreckungsaufschub (§ 258 AO): enforcement resumes."""
    plan = InstalmentPlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if plan.status != InstalmentPlanStatus.ACTIVE:
        return plan
    plan.status = InstalmentPlanStatus.REVOKED
    plan.ended_on = on
    plan.save(update_fields=["status", "ended_on"])
    do_finish_measure(
        plan.measure, status=MeasureStatus.FAILED, on=on, note=f"widerrufen: {reason}", actor=actor
    )
    do_schedule_follow_up(
        plan.case, due_on=on, reason=f"Ratenzahlung widerrufen ({reason}): Widerruf bekannt geben, Vollstreckung fortsetzen.",
        kind=FollowUpKind.DEADLINE, key=f"instalments-revoked:{plan.pk}", actor=actor,
    )  # fmt: skip
    _audit(plan.measure, "revoke_instalments", actor, reason=reason)
    return plan


def check_instalment_plans(case: Case, run_date: dt.date, *, actor: Actor) -> Counter[str]:
    """Daily: a plan whose instalment is more than the grace period overdue is revoked; a plan fully paid
    (or whose file has nothing open any more) is fulfilled."""
    counts: Counter[str] = Counter()
    for plan in InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE):
        late = (
            plan.instalments.filter(
                status=InstalmentStatus.OPEN, due_on__lt=run_date - dt.timedelta(days=plan.grace_days)
            )
            .order_by("number")
            .first()
        )
        if late is not None:
            Instalment.objects.filter(pk=late.pk).update(status=InstalmentStatus.MISSED)
            do_revoke_instalment_plan(
                plan, on=run_date, actor=actor,
                reason=f"{late.number}. Rate vom {format_date(late.due_on)} nicht bezahlt",
            )  # fmt: skip
            counts["instalment_plans_revoked"] += 1
        elif not plan.instalments.exclude(status=InstalmentStatus.PAID).exists():
            with transaction.atomic():
                InstalmentPlan.objects.filter(pk=plan.pk).update(
                    status=InstalmentPlanStatus.COMPLETED, ended_on=run_date
                )
                do_finish_measure(
                    plan.measure,
                    status=MeasureStatus.DONE,
                    on=run_date,
                    note="alle Raten bezahlt",
                    actor=actor,
                )
            counts["instalment_plans_completed"] += 1
    return counts
