"""What each letter says, as data: the snapshot a letter is rendered from and archived with.

Every builder returns plain JSON (cents as integers, dates as ISO strings) — nothing a template could use
to reach the database — so the archived data alone reproduces the letter. The variables are documented
for administrators in ``docs/documents.md``; deadlines come from :mod:`kofo.law.deadlines`, fees and
surcharges from the ledger, never from the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from kofo.cases.measures import (
    DL_APPOINTMENT,
    DL_DISCLOSURE_DEMAND,
    DL_PAYMENT,
    GARNISHMENTS,
    measure_regime,
    register_ground,
)
from kofo.cases.models import Case, Claim, InstalmentPlan, Measure, MeasureKind, ThirdParty
from kofo.debtors.models import DebtorKind, DebtorRecord
from kofo.documents.models import DocumentKind, RecipientRole
from kofo.law.deadlines import deemed_receipt, period_end
from kofo.ledger.balances import subjects_balances
from kofo.ledger.models import Component
from kofo.partners.models import ClaimType, Office, Partner, Regime

K = MeasureKind
D = DocumentKind
CLAIM = Claim._meta.label_lower
CASE = Case._meta.label_lower

#: Components in the order letters show them (Hauptforderung first).
COMPONENTS = (Component.PRINCIPAL, Component.SURCHARGE, Component.FEE, Component.COST, Component.INTEREST)

#: Retention per document type in years after the end of the year it was made. Enforcement files are kept
#: ten years (the common Aktenordnung of the Länder); receipts and remittance advices are accounting records
#: (§ 147 Abs. 1 Nr. 4, Abs. 3 AO: eight years for Buchungsbelege since 2025, kept ten here to match the file).
RETENTION_YEARS: dict[str, int] = dict.fromkeys(DocumentKind.values, 10)

#: Letters that ask for payment carry the GiroCode and the payment reference.
ASKS_PAYMENT = frozenset(
    {
        D.ZAHLUNGSAUFFORDERUNG,
        D.PFEV_SCHULDNER,
        D.VA_ZAHLUNGSAUFFORDERUNG,
        D.RATENZAHLUNG,
        D.RATENZAHLUNG_WIDERRUF,
    }
)
#: Letters that are administrative acts and therefore end with the legal-remedies notice.
ADMINISTRATIVE_ACTS = frozenset(
    {D.PFEV_DRITTSCHULDNER, D.PFEV_SCHULDNER, D.VA_LADUNG, D.EINTRAGUNGSANORDNUNG, D.RATENZAHLUNG,
     D.RATENZAHLUNG_WIDERRUF}
)  # fmt: skip

#: The legal remedy per regime: AO → Einspruch (§§ 347, 355 AO); SVwVG → Widerspruch (§§ 68, 70 VwGO).
REMEDIES = {
    Regime.AO: {
        "name": "Einspruch",
        "basis": "§§ 347, 355 Abgabenordnung",
        "text": (
            "Gegen diesen Bescheid ist der Einspruch zulässig. Der Einspruch ist innerhalb eines Monats nach "
            "Bekanntgabe dieses Bescheids bei der oben genannten Vollstreckungsbehörde schriftlich einzureichen, "
            "dieser elektronisch zu übermitteln oder dort zur Niederschrift zu erklären. Ein Einspruch hemmt die "
            "Vollstreckung nicht (§ 361 Abgabenordnung)."
        ),
    },
    Regime.SVWVG_SL: {
        "name": "Widerspruch",
        "basis": "§§ 68, 70 Verwaltungsgerichtsordnung",
        "text": (
            "Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch erhoben "
            "werden. Der Widerspruch ist schriftlich, in elektronischer Form oder zur Niederschrift bei der oben "
            "genannten Vollstreckungsbehörde zu erheben. Rechtsbehelfe gegen Maßnahmen der Verwaltungsvollstreckung "
            "haben keine aufschiebende Wirkung (§ 80 Abs. 2 Satz 2 VwGO in Verbindung mit § 20 AGVwGO)."
        ),
    },
}

#: The enforcement law a letter cites, per regime.
ENFORCEMENT_BASIS = {
    Regime.AO: "§§ 249 ff. Abgabenordnung (AO)",
    Regime.SVWVG_SL: "§§ 30 ff. Saarländisches Verwaltungsvollstreckungsgesetz (SVwVG)",
}
GARNISHMENT_BASIS = {
    Regime.AO: "§§ 309, 314 Abgabenordnung",
    Regime.SVWVG_SL: "§ 52 SVwVG in Verbindung mit §§ 309, 314 Abgabenordnung",
}


class LetterError(Exception):
    code = "document.data"


@dataclass(frozen=True)
class Letter:
    """One letter to produce: its kind, recipient, what it belongs to and the data it is rendered from."""

    kind: str
    key: str
    data: dict[str, Any]
    recipient_role: str
    case: Case | None = None
    measure: Measure | None = None
    partner: Partner | None = None
    email: str = ""

    @property
    def regime(self) -> str:
        return str(self.data.get("regime") or Regime.AO)

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def recipient(self) -> str:
        return ", ".join(self.data["recipient"]["lines"])[:300]


# --- building blocks ------------------------------------------------------------------------------------


def office_data(office: Office | None = None) -> dict[str, Any]:
    office = office or Office.current()
    if office is None:
        raise LetterError(
            "Die Vollstreckungsstelle ist nicht eingerichtet (Verwaltung → Vollstreckungsstelle)."
        )
    return {
        "name": office.name,
        "department": office.department,
        "street": office.street,
        "postcode": office.postcode,
        "city": office.city,
        "phone": office.phone,
        "email": office.email,
        "website": office.website,
        "iban": office.iban,
        "bic": office.bic,
        "bank_name": office.bank_name,
        "creditor_id": office.creditor_id,
        "land": office.land,
        "sender_line": f"{office.name} · {office.street} · {office.postcode} {office.city}",
    }


def _record_for_address(case: Case) -> DebtorRecord | None:
    """The newest record of the debtor with an address (the partners' newest knowledge)."""
    return (
        DebtorRecord.objects.filter(debtor=case.debtor)
        .exclude(Q(street="") & Q(postcode="") & Q(city=""))
        .order_by("-created_at", "-pk")
        .first()
    )


def debtor_data(case: Case) -> dict[str, Any]:
    debtor = case.debtor
    record = _record_for_address(case)
    lines = []
    if debtor.kind == DebtorKind.NATURAL and record is not None and record.given_names:
        lines.append(f"{record.given_names} {record.surname}".strip())
    elif record is not None and record.legal_name:
        lines.append(f"{record.legal_name} {record.legal_form}".strip())
    else:
        lines.append(debtor.display_name)
    if record is not None:
        lines.append(f"{record.street} {record.house_number}".strip())
        place = f"{record.postcode} {record.city}".strip()
        if record.country and record.country != "DE":
            place = f"{place}\n{record.country}"
        lines.extend(place.split("\n"))
    return {
        "number": debtor.number,
        "name": debtor.display_name,
        "kind": debtor.kind,
        "birth_date": debtor.birth_date.isoformat() if debtor.birth_date else "",
        "lines": [line for line in lines if line],
        "salutation": _salutation(debtor.kind, record),
        "email": record.email if record is not None else "",
        "register": (
            f"{record.register_court} {record.register_number}".strip()
            if record is not None and record.register_number
            else ""
        ),
    }


def _salutation(kind: str, record: DebtorRecord | None) -> str:
    if kind == DebtorKind.NATURAL and record is not None and record.surname:
        return f"Guten Tag {record.given_names} {record.surname},".replace("  ", " ")
    return "Sehr geehrte Damen und Herren,"


def caseworker_data(case: Case) -> dict[str, str]:
    user = case.caseworker
    if user is None:
        return {"name": "", "phone": "", "email": ""}
    profile = getattr(user, "kofo_profile", None)
    return {
        "name": user.get_full_name() or user.get_username(),
        "phone": getattr(profile, "phone", "") or "",
        "email": user.email or "",
    }


def claims_data(claims: list[Claim], as_of: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The claims with their open components as of ``as_of``, and the same grouped by partner."""
    balances = subjects_balances(CLAIM, [c.pk for c in claims], as_of=as_of)
    rows: list[dict[str, Any]] = []
    for claim in sorted(claims, key=lambda c: (c.partner.name, c.due_date, c.kassenzeichen)):
        amounts = {str(component): int(balances[claim.pk][component]) for component in COMPONENTS}
        rows.append(
            {
                "partner": claim.partner.name,
                "partner_key": claim.partner.key,
                "kassenzeichen": claim.kassenzeichen,
                "claim_type": claim.claim_type,
                "claim_type_label": _claim_type_label(claim.claim_type),
                "legal_basis": claim.legal_basis,
                "assessment_date": claim.assessment_date.isoformat(),
                "notified_on": claim.notified_on.isoformat() if claim.notified_on else "",
                "due_date": claim.due_date.isoformat(),
                "reminder_date": claim.reminder_date.isoformat() if claim.reminder_date else "",
                "amounts": amounts,
                "total": sum(amounts.values()),
            }
        )
    partners: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = partners.setdefault(row["partner"], {"name": row["partner"], "claims": [], "total": 0})
        group["claims"].append(row)
        group["total"] += row["total"]
    return rows, list(partners.values())


def _claim_type_label(code: str) -> str:
    try:
        return str(ClaimType(code).label)
    except ValueError:
        return code


def office_items(case: Case, as_of: dt.date) -> dict[str, int]:
    """The office's own fees and costs of the file (Kosten der Vollstreckung, § 337 ff. AO)."""
    balances = subjects_balances(CASE, [case.pk], as_of=as_of)[case.pk]
    fee, cost = int(balances[Component.FEE]), int(balances[Component.COST])
    return {"fee": fee, "cost": cost, "total": fee + cost}


def _total_row(rows: list[dict[str, Any]], office: dict[str, int]) -> dict[str, int]:
    totals = {str(component): sum(r["amounts"][str(component)] for r in rows) for component in COMPONENTS}
    totals[str(Component.FEE)] += office["fee"]
    totals[str(Component.COST)] += office["cost"]
    return totals


def payment_block(
    office: dict[str, Any], case: Case, amount: int, deadline: dt.date | None
) -> dict[str, Any]:
    return {
        "name": office["name"],
        "iban": office["iban"],
        "bic": office["bic"],
        "bank_name": office["bank_name"],
        "amount_cents": amount,
        "reference": case.payment_reference,
        "deadline": deadline.isoformat() if deadline else "",
    }


def _measure_claims(measure: Measure) -> list[Claim]:
    preview: list[Claim] | None = getattr(measure, "preview_claims", None)
    if preview is not None:
        return preview
    claims = [link.claim for link in measure.claim_links.select_related("claim__partner", "claim__agreement")]
    if not claims:
        raise LetterError(f"Die Maßnahme {measure.pk} umfasst keine Forderung.")
    return claims


def case_letter(
    kind: str,
    measure: Measure,
    *,
    date: dt.date,
    title: str,
    recipient_role: str = RecipientRole.DEBTOR,
    recipient_lines: list[str] | None = None,
    deadline: dt.date | None = None,
    extra: dict[str, Any] | None = None,
    key_suffix: str = "",
) -> Letter:
    """The data every letter about a debtor file shares: office, recipient, information block, claims,
    totals; the payment block with the GiroCode where the letter asks for payment."""
    case = measure.case
    office = office_data()
    claims = _measure_claims(measure)
    rows, partners = claims_data(claims, date)
    if getattr(measure, "preview_claims", None) is None:
        regime = measure_regime(measure)
    else:  # as measure_regime decides once the claims are linked: the regime of the biggest claim
        open_of = {(r["partner_key"], r["kassenzeichen"]): r["total"] for r in rows}
        biggest = max(claims, key=lambda c: (open_of[(c.partner.key, c.kassenzeichen)], -c.pk))
        regime = str(biggest.agreement.regime)
    own = office_items(case, date)
    totals = _total_row(rows, own)
    total = sum(r["total"] for r in rows) + own["total"]
    debtor = debtor_data(case)
    receipt = deemed_receipt(date, land=office["land"] or _land()).date
    data: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "date": date.isoformat(),
        "regime": regime,
        "regime_label": str(Regime(regime).label),
        "enforcement_basis": ENFORCEMENT_BASIS[Regime(regime)],
        "garnishment_basis": GARNISHMENT_BASIS[Regime(regime)],
        "office": office,
        "recipient": {"lines": recipient_lines or debtor["lines"], "role": str(recipient_role)},
        "case": {"number": case.number, "payment_reference": case.payment_reference},
        "caseworker": caseworker_data(case),
        "debtor": debtor,
        "claims": rows,
        "partners": partners,
        "office_items": own,
        "totals": totals,
        "total_cents": total,
        "deemed_receipt": receipt.isoformat(),
        "measure": {"kind": measure.kind, "label": measure.get_kind_display(), "id": measure.pk},
    }
    if kind in ASKS_PAYMENT and total > 0:
        data["payment"] = payment_block(office, case, total, deadline)
    if kind in ADMINISTRATIVE_ACTS:
        data["remedies"] = REMEDIES[Regime(regime)]
    data.update(extra or {})
    key = f"{kind}:m{measure.pk}{':' + key_suffix if key_suffix else ''}"
    email = debtor["email"] if recipient_role == RecipientRole.DEBTOR else ""
    return Letter(kind, key, data, str(recipient_role), case=case, measure=measure, email=email)


def third_party_data(third_party: ThirdParty) -> dict[str, Any]:
    return {
        "name": third_party.name,
        "kind": third_party.kind,
        "kind_label": third_party.get_kind_display(),
        "lines": [line for line in (third_party.name, third_party.street,
                                    f"{third_party.postcode} {third_party.city}".strip()) if line],
    }  # fmt: skip


# --- the letters of measures ------------------------------------------------------------------------------


def _demand(measure: Measure, kind: str, *, clock: str, weeks: int, title: str) -> list[Letter]:
    """A demand to pay within ``weeks`` of the deemed receipt: the measure's own clock where it runs."""
    date = _executed(measure)
    deadline = measure.deadline_on if measure.deadline_kind == clock else None
    deadline = deadline or _period_after_receipt(date, weeks=weeks)
    return [case_letter(kind, measure, date=date, deadline=deadline, title=title)]


def payment_demand(measure: Measure) -> list[Letter]:
    """Zahlungsaufforderung mit Vollstreckungsankündigung (§ 254 AO; §§ 30, 31 SVwVG): one week to pay."""
    return _demand(measure, D.ZAHLUNGSAUFFORDERUNG, clock=DL_PAYMENT, weeks=1,
                   title="Zahlungsaufforderung und Ankündigung der Vollstreckung")  # fmt: skip


def garnishment_orders(measure: Measure) -> list[Letter]:
    """PfEV: the third party's copy states one total (§ 309 Abs. 2 AO); the debtor's copy the breakdown."""
    date = _executed(measure)
    third_party = measure.third_party
    if third_party is None:
        raise LetterError("Die Pfändung nennt keinen Drittschuldner.")
    party = third_party_data(third_party)
    subject = {
        K.PFEV_BANK: "alle Guthaben und Ansprüche aus der Geschäftsverbindung, insbesondere aus Girokonten",
        K.PFEV_LOHN: "das gegenwärtige und künftige Arbeitseinkommen im Rahmen der Pfändungsgrenzen des § 850c ZPO",
        K.PFEV_RENTE: "die gegenwärtigen und künftigen Rentenansprüche im Rahmen der Pfändungsgrenzen des § 850c ZPO",
    }[K(measure.kind)]
    extra = {"third_party": party, "garnished": subject, "declaration_weeks": 2, "payout_hold_weeks": 4}
    title = "Pfändungs- und Einziehungsverfügung"
    to_third = case_letter(
        D.PFEV_DRITTSCHULDNER, measure, date=date, title=title, recipient_role=RecipientRole.THIRD_PARTY,
        recipient_lines=party["lines"], extra=extra,
    )  # fmt: skip
    to_debtor = case_letter(D.PFEV_SCHULDNER, measure, date=date, title=f"Abschrift: {title}", extra=extra)
    return [to_third, to_debtor]


def garnishment_notice(measure: Measure) -> list[Letter]:
    """Mitteilung der Zustellung an den Schuldner (§ 309 Abs. 2 Satz 3 AO), with the payout hold."""
    if measure.served_on is None or measure.third_party is None:
        raise LetterError("Die Pfändung ist noch nicht zugestellt.")
    extra = {
        "third_party": third_party_data(measure.third_party),
        "served_on": measure.served_on.isoformat(),
        "payout_hold_until": measure.payout_hold_until.isoformat() if measure.payout_hold_until else "",
    }
    return [case_letter(D.PFAENDUNG_MITTEILUNG, measure, date=measure.served_on, extra=extra,
                        title="Mitteilung über die Zustellung einer Pfändungs- und Einziehungsverfügung")]  # fmt: skip


def disclosure_demand(measure: Measure) -> list[Letter]:
    """Zahlungsaufforderung mit Hinweis auf die Pflicht zur Vermögensauskunft (§ 284 Abs. 1 AO): two weeks."""
    return _demand(measure, D.VA_ZAHLUNGSAUFFORDERUNG, clock=DL_DISCLOSURE_DEMAND, weeks=2,
                   title="Zahlungsaufforderung mit Hinweis auf die Pflicht zur Vermögensauskunft")  # fmt: skip


def disclosure_summons(measure: Measure) -> list[Letter]:
    """Ladung zur Abgabe der Vermögensauskunft (§ 284 Abs. 5, 6 AO), served personally."""
    result = measure.result if isinstance(measure.result, dict) else {}
    appointment = result.get("appointment_on")
    if measure.served_on is None or not appointment:
        raise LetterError("Für die Vermögensauskunft ist kein Termin bestimmt.")
    if measure.deadline_kind == DL_APPOINTMENT and measure.deadline_on:
        appointment = measure.deadline_on.isoformat()
    extra = {
        "appointment_on": appointment,
        "appointment_time": result.get("appointment_time", ""),
        "appointment_room": result.get("appointment_room", ""),
        "served_on": measure.served_on.isoformat(),
    }
    return [case_letter(D.VA_LADUNG, measure, date=measure.served_on, extra=extra,
                        title="Ladung zur Abgabe der Vermögensauskunft")]  # fmt: skip


def register_order(measure: Measure) -> list[Letter]:
    """Eintragungsanordnung (§ 284 Abs. 9 AO): reasoned, served, with remedies."""
    date = _executed(measure)
    ground = register_ground(measure.case, date)
    if ground is None:
        raise LetterError("Für die Eintragungsanordnung liegt kein Grund nach § 284 Abs. 9 AO vor.")
    extra = {"ground": {"number": ground.number, "paragraph": ground.paragraph, "facts": ground.facts}}
    return [case_letter(D.EINTRAGUNGSANORDNUNG, measure, date=date, extra=extra,
                        title="Anordnung der Eintragung in das Schuldnerverzeichnis")]  # fmt: skip


def field_order(measure: Measure) -> list[Letter]:
    """Vollstreckungsauftrag an den Außendienst: everything the officer needs (VollstrA Abschn. 34)."""
    date = _executed(measure)
    case = measure.case
    third_parties = [
        {"name": link.third_party.name, "kind": link.third_party.get_kind_display(), "iban": link.iban,
         "source": link.source}
        for link in case.third_party_links.select_related("third_party").order_by("noted_on", "pk")
    ]  # fmt: skip
    record = _record_for_address(case)
    contact = {"phone": record.phone, "email": record.email} if record is not None else {}
    history = [
        {"label": m.get_kind_display(), "executed_on": m.executed_on.isoformat() if m.executed_on else "",
         "stage": m.stage, "status": m.get_status_display()}
        for m in case.measures.exclude(pk=measure.pk).exclude(executed_on=None).order_by("executed_on", "pk")
    ]  # fmt: skip
    extra = {"third_parties": third_parties, "contact": contact, "history": history, "reason": measure.reason}
    return [case_letter(D.VOLLSTRECKUNGSAUFTRAG, measure, date=date, recipient_role=RecipientRole.OFFICER,
                        recipient_lines=["Außendienst", office_data()["name"]], extra=extra,
                        title="Vollstreckungsauftrag")]  # fmt: skip


def instalment_notice(plan: InstalmentPlan) -> list[Letter]:
    """Bescheid über den Vollstreckungsaufschub (§ 258 AO) with the schedule and the consequences of default."""
    schedule = [
        {"number": i.number, "due_on": i.due_on.isoformat(), "amount_cents": i.amount_cents}
        for i in plan.instalments.order_by("number")
    ]
    extra = {
        "plan": {
            "total_cents": plan.total_cents, "instalment_cents": plan.instalment_cents,
            "first_due_on": plan.first_due_on.isoformat(), "grace_days": plan.grace_days,
            "direct_debit": bool(plan.mandate_reference), "mandate_reference": plan.mandate_reference,
            "schedule": schedule, "count": len(schedule),
        }
    }  # fmt: skip
    letter = case_letter(D.RATENZAHLUNG, plan.measure, date=plan.agreed_on, extra=extra,
                         title="Bewilligung von Ratenzahlungen (Vollstreckungsaufschub)")  # fmt: skip
    if plan.mandate_reference:
        letter.data.pop("payment", None)  # collected by direct debit: no transfer slip, or it is paid twice
    elif "payment" in letter.data and schedule:
        letter.data["payment"]["amount_cents"] = schedule[0]["amount_cents"]
        letter.data["payment"]["deadline"] = schedule[0]["due_on"]
    return [letter]


def instalment_revocation(plan: InstalmentPlan) -> list[Letter]:
    """Widerruf des Vollstreckungsaufschubs (§ 258 AO; § 131 Abs. 2 Nr. 2 AO): the whole amount is due."""
    if plan.ended_on is None:
        raise LetterError("Die Ratenzahlung ist nicht widerrufen.")
    missed = [
        {"number": i.number, "due_on": i.due_on.isoformat(), "amount_cents": i.amount_cents - i.paid_cents}
        for i in plan.instalments.filter(status="missed").order_by("number")
    ]
    reason = plan.measure.stage.removeprefix("widerrufen: ") if plan.measure.stage else ""
    date = plan.ended_on
    deadline = _period_after_receipt(date, weeks=1)
    extra = {"plan": {"agreed_on": plan.agreed_on.isoformat(), "missed": missed, "reason": reason}}
    return [case_letter(D.RATENZAHLUNG_WIDERRUF, plan.measure, date=date, deadline=deadline, extra=extra,
                        title="Widerruf der Ratenzahlung (Vollstreckungsaufschub)")]  # fmt: skip


def _land() -> str:
    return Office.current_land()


def _period_after_receipt(posted_on: dt.date, *, weeks: int) -> dt.date:
    """A payment period of ``weeks`` from the deemed receipt of a posted letter (§ 122 Abs. 2 AO, § 108 AO)."""
    land = _land()
    return period_end(deemed_receipt(posted_on, land=land).date, weeks=weeks, land=land).date


def _executed(measure: Measure) -> dt.date:
    if measure.executed_on is None:
        raise LetterError("Die Maßnahme ist noch nicht ausgeführt.")
    return measure.executed_on


#: The letters a measure produces when it is taken, by measure kind.
ON_START = {
    K.ZAHLUNGSAUFFORDERUNG: payment_demand,
    **dict.fromkeys(GARNISHMENTS, garnishment_orders),
    K.VERMOEGENSAUSKUNFT: disclosure_demand,
    K.SCHULDNERVERZEICHNIS: register_order,
    K.AUSSENDIENST: field_order,
}


def letters_on_start(measure: Measure) -> list[Letter]:
    builder = ON_START.get(K(measure.kind))
    return builder(measure) if builder is not None else []


def preview_letters(measure: Measure, on: dt.date) -> list[Letter]:
    """The letters a proposed measure would produce if it were taken on ``on`` (nothing is stored)."""
    from copy import copy

    from kofo.cases.measures import enforceable_claims

    draft = copy(measure)
    draft.executed_on = on
    draft.preview_claims = enforceable_claims(measure.case, on)  # type: ignore[attr-defined]
    if not draft.preview_claims:  # type: ignore[attr-defined]
        raise LetterError("Die Akte hat am {} keine vollstreckbare Forderung.".format(f"{on:%d.%m.%Y}"))
    return letters_on_start(draft)


# --- receipts, returns, remittance advices ---------------------------------------------------------------


def _person_name(username: str) -> str:
    """A user's full name for a letter (a receipt names the officer, not the login)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    return (user.get_full_name() or username) if user is not None else username


def cash_receipt(receipt: Any) -> list[Letter]:
    """Quittung of the field service (numbered; handed to the payer, a copy in the file)."""
    payment = receipt.payment
    case = payment.case
    office = office_data()
    debtor = debtor_data(case)
    # The derivation of the allocation (§ 225 AO) in German, one line per step, as the payment recorded it.
    allocations = [str(step) for step in (payment.derivation or [])]
    data = {
        "kind": D.QUITTUNG,
        "title": f"Quittung Nr. {receipt.number}",
        "date": receipt.received_on.isoformat(),
        "regime": Regime.AO,
        "office": office,
        "recipient": {"lines": [receipt.payer, *debtor["lines"][1:]], "role": str(RecipientRole.DEBTOR)},
        "case": {"number": case.number, "payment_reference": case.payment_reference},
        "caseworker": caseworker_data(case),
        "debtor": debtor,
        "receipt": {
            "number": receipt.number, "received_on": receipt.received_on.isoformat(), "payer": receipt.payer,
            "officer": _person_name(receipt.officer), "amount_cents": payment.amount_cents, "allocations": allocations,
            "leftover_cents": payment.leftover_cents,
        },
    }  # fmt: skip
    return [Letter(D.QUITTUNG, f"{D.QUITTUNG}:r{receipt.pk}", data, str(RecipientRole.DEBTOR), case=case)]


def return_reports(measure: Measure) -> list[Letter]:
    """Rückgabe an die Partner: one letter per partner with its returned claims and the enforcement report."""
    case = measure.case
    date = measure.executed_on or measure.finished_on
    if date is None:
        raise LetterError("Die Rückgabe ist noch nicht ausgeführt.")
    office = office_data()
    links = list(
        measure.claim_links.select_related("claim__partner").order_by("claim__partner__name", "claim_id")
    )
    history = [
        {"label": m.get_kind_display(), "executed_on": m.executed_on.isoformat() if m.executed_on else "",
         "finished_on": m.finished_on.isoformat() if m.finished_on else "", "stage": m.stage,
         "status": m.get_status_display(), "fee_cents": m.fee_cents}
        for m in case.measures.exclude(pk=measure.pk).exclude(executed_on=None).order_by("executed_on", "pk")
    ]  # fmt: skip
    by_partner: dict[int, list[Any]] = {}
    for link in links:
        by_partner.setdefault(link.claim.partner_id, []).append(link)
    letters = []
    debtor = debtor_data(case)
    for partner_links in by_partner.values():
        partner = partner_links[0].claim.partner
        claims = [
            {"kassenzeichen": link.claim.kassenzeichen, "claim_type_label": _claim_type_label(link.claim.claim_type),
             "due_date": link.claim.due_date.isoformat(), "principal_cents": link.claim.principal_cents,
             "returned_cents": link.amount_cents}
            for link in partner_links
        ]  # fmt: skip
        data = {
            "kind": D.RUECKGABE, "title": "Rückgabe von Vollstreckungsersuchen mit Vollstreckungsbericht",
            "date": date.isoformat(), "regime": measure_regime(measure), "office": office,
            "recipient": {"lines": [partner.name, *partner.address_lines], "role": str(RecipientRole.PARTNER)},
            "case": {"number": case.number, "payment_reference": case.payment_reference},
            "caseworker": caseworker_data(case), "debtor": debtor, "partner": {"name": partner.name, "key": partner.key},
            "claims": claims, "returned_cents": sum(c["returned_cents"] for c in claims), "history": history,
            "reason": measure.reason,
        }  # fmt: skip
        letters.append(
            Letter(D.RUECKGABE, f"{D.RUECKGABE}:m{measure.pk}:p{partner.pk}", data, str(RecipientRole.PARTNER),
                   case=case, measure=measure, partner=partner, email=partner.contact_email)
        )  # fmt: skip
    return letters


def remittance_advice(remittance: Any, statement: dict[str, Any]) -> list[Letter]:
    """Auskehrungsmitteilung: what a partner receives in a run, per Kassenzeichen and component.

    ``statement`` is the run's archived JSON statement of this partner (:mod:`kofo.payments.remittance`).
    """
    run, partner = remittance.run, remittance.partner
    labels = dict(Component.choices)
    claims = [
        {"kassenzeichen": c["kassenzeichen"],
         "components": [{"label": str(labels.get(k, k)), "amount_cents": v} for k, v in c["components"].items()],
         "total_cents": sum(c["components"].values())}
        for c in statement.get("claims", [])
    ]  # fmt: skip
    data = {
        "kind": D.AUSKEHRUNG, "title": f"Auskehrungsmitteilung – Lauf {run.number}",
        "date": run.execution_date.isoformat(), "regime": Regime.AO, "office": office_data(),
        "recipient": {"lines": [partner.name, *partner.address_lines], "role": str(RecipientRole.PARTNER)},
        "caseworker": {"name": "", "phone": "", "email": ""},
        "partner": {"name": partner.name, "key": partner.key, "iban": partner.iban},
        "run": {"number": run.number, "until": run.until.isoformat(), "execution_date": run.execution_date.isoformat(),
                "end_to_end_id": remittance.end_to_end_id},
        "collected_cents": remittance.collected_cents, "retained_cents": remittance.retained_cents,
        "paid_cents": remittance.amount_cents, "claims": claims,
    }  # fmt: skip
    return [Letter(D.AUSKEHRUNG, f"{D.AUSKEHRUNG}:rem{remittance.pk}", data, str(RecipientRole.PARTNER),
                   partner=partner, email=partner.contact_email)]  # fmt: skip
