"""The strategy: the next proportionate measure for a debtor file, with the reason (issue 4, item 5).

An explicit, ordered rule set — the first rule that applies proposes; each proposal says why. The rules
follow the office's principles: desk before field (written measures first), proportionality (no field
visit below :attr:`~kofo.cases.models.StrategySettings.field_min_amount_cents`, no new account
garnishment at a bank whose recent declaration showed a P-Konto without surplus), small amounts are
written down rather than chased. One thing at a time: while a measure of the file is proposed or running,
the strategy proposes nothing new. A proposal the caseworker rejected is not made again for
:data:`REJECTED_REST_DAYS` days; the rules move on to the next measure.

========  ===================================================================================================
rule      proposes
========  ===================================================================================================
demand    a Zahlungsaufforderung mit Vollstreckungsankündigung when none was sent in the last
          ``demand_repeat_months`` (also a written demand that interrupts limitation, § 231 Abs. 1 Nr. 8 AO)
bank      a PfEV on a known bank account (the debtor's IBAN from a request or a disclosure), unless that bank
          declared a P-Konto without surplus within ``pkonto_recent_months``
wage      a PfEV on a known employer or pension insurer
small     Niederschlagung when the open amount is below ``small_amount_cents`` and the demand went unanswered
disclose  a Vermögensauskunft when none was given within two years (§ 284 Abs. 4 AO)
register  the order of entry in the Schuldnerverzeichnis after a failed or fruitless disclosure
accounts  a Kontenabruf after a fruitless disclosure (§ 93 Abs. 8 AO)
field     a field order when the open amount reaches ``field_min_amount_cents`` and no field order ran in
          the last 12 months
rest      Niederschlagung with review: every proportionate measure was tried
========  ===================================================================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kofo.cases.measures import (
    DECL_PKONTO,
    VA_ABSENT,
    VA_INSUFFICIENT,
    VA_REFUSED,
    check_preconditions,
    enforceable_claims,
    open_total,
)
from kofo.cases.models import (
    Case,
    CaseStatus,
    Measure,
    MeasureKind,
    MeasureStatus,
    StrategySettings,
    ThirdParty,
    ThirdPartyKind,
)
from kofo.law.deadlines import add_months, format_date
from kofo.money import Cents

K = MeasureKind

#: A proposal the caseworker rejected is not made again for this many days (the rule moves on to the next).
REJECTED_REST_DAYS = 30


@dataclass(frozen=True)
class Proposal:
    kind: MeasureKind
    reason: str
    rule: str
    third_party: ThirdParty | None = None

    def key(self, case: Case) -> str:
        """Stable per file, kind, third party and how many measures of the kind the file had: idempotent."""
        count = case.measures.filter(kind=self.kind).count()
        party = self.third_party.pk if self.third_party is not None else "-"
        return f"strategy:{self.kind}:{party}:{count}"


def _last(case: Case, kind: str, statuses: tuple[str, ...] | None = None) -> Measure | None:
    qs = case.measures.filter(kind=kind)
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("-executed_on", "-created_on", "-pk").first()


def _since(case: Case, kind: str, day: dt.date) -> bool:
    return (
        case.measures.filter(kind=kind, executed_on__gte=day).exclude(status=MeasureStatus.CANCELLED).exists()
    )


def _rejected(case: Case, kind: str, on: dt.date, third_party: ThirdParty | None = None) -> bool:
    """A proposal of ``kind`` (at ``third_party``) was rejected within :data:`REJECTED_REST_DAYS`."""
    return case.measures.filter(
        kind=kind,
        third_party=third_party,
        status=MeasureStatus.CANCELLED,
        executed_on__isnull=True,
        finished_on__gt=on - dt.timedelta(days=REJECTED_REST_DAYS),
    ).exists()


def _known(case: Case, kind: ThirdPartyKind) -> list[ThirdParty]:
    return [
        link.third_party
        for link in case.third_party_links.select_related("third_party").order_by("noted_on", "pk")
        if link.third_party.kind == kind
    ]


def propose(case: Case, on: dt.date, settings: StrategySettings | None = None) -> Proposal | None:
    """The next measure for ``case`` on ``on``, or None (nothing to do, or something is under way)."""
    settings = settings or StrategySettings.current()
    if case.status != CaseStatus.OPEN:
        return None
    if case.measures.filter(status__in=(MeasureStatus.PROPOSED, MeasureStatus.ACTIVE)).exists():
        return None
    claims = enforceable_claims(case, on)
    if not claims:
        return None
    total = open_total(claims)

    # demand: desk before field; a written demand first.
    if not _since(
        case, K.ZAHLUNGSAUFFORDERUNG, add_months(on, -settings.demand_repeat_months)
    ) and not _rejected(case, K.ZAHLUNGSAUFFORDERUNG, on):
        return Proposal(
            K.ZAHLUNGSAUFFORDERUNG,
            f"Offen sind {total.format()} aus {len(claims)} Forderung(en); zuerst schriftlich zur Zahlung "
            "auffordern und die Vollstreckung ankündigen (Innendienst vor Außendienst).",
            "demand",
        )

    # bank: a known account, unless a recent declaration showed a P-Konto without surplus.
    pkonto_since = add_months(on, -settings.pkonto_recent_months)
    for bank in _known(case, ThirdPartyKind.BANK):
        recent = case.measures.filter(kind=K.PFEV_BANK, third_party=bank)
        if recent.filter(finished_on__gte=pkonto_since, result__declaration=DECL_PKONTO).exists():
            continue
        if recent.filter(finished_on__gte=pkonto_since).exists():
            continue  # tried lately, whatever the outcome
        if check_preconditions(case, K.PFEV_BANK, on, third_party=bank).ok:
            return Proposal(
                K.PFEV_BANK,
                f"Bankverbindung bei {bank.name} bekannt; Kontopfändung über {total.format()} "
                "(§ 309 AO, Schreibtischmaßnahme).",
                "bank",
                bank,
            )

    # wage / pension: a known employer or pension insurer.
    for party_kind, kind in ((ThirdPartyKind.EMPLOYER, K.PFEV_LOHN), (ThirdPartyKind.PENSION, K.PFEV_RENTE)):
        for party in _known(case, party_kind):
            if (
                case.measures.filter(kind=kind, third_party=party)
                .exclude(status=MeasureStatus.CANCELLED)
                .exists()
            ) or _rejected(case, kind, on, party):
                continue
            if check_preconditions(case, kind, on, third_party=party).ok:
                return Proposal(
                    kind,
                    f"{party.get_kind_display()} {party.name} bekannt; Pfändung des Einkommens im Rahmen des "
                    "§ 850c ZPO (§ 313 AO).",
                    "wage",
                    party,
                )

    # small: chasing small amounts costs more than it yields.
    if total < Cents(settings.small_amount_cents) and not _rejected(case, K.NIEDERSCHLAGUNG, on):
        return Proposal(
            K.NIEDERSCHLAGUNG,
            f"Kleinbetrag: offen {total.format()} unter {Cents(settings.small_amount_cents).format()}; die "
            "Zahlungsaufforderung blieb erfolglos, weitere Kosten stünden außer Verhältnis (§ 261 AO).",
            "small",
        )

    # disclose: a Vermögensauskunft unless one was given within two years.
    if (
        check_preconditions(case, K.VERMOEGENSAUSKUNFT, on).ok
        and not _since(case, K.VERMOEGENSAUSKUNFT, add_months(on, -24))
        and not _rejected(case, K.VERMOEGENSAUSKUNFT, on)
    ):
        return Proposal(
            K.VERMOEGENSAUSKUNFT,
            f"Keine pfändbare Forderung bekannt; Vermögensauskunft über {total.format()} (§ 284 AO).",
            "disclose",
        )

    last_va = _last(case, K.VERMOEGENSAUSKUNFT, (MeasureStatus.DONE, MeasureStatus.FAILED))
    outcome = last_va.result.get("outcome") if last_va is not None else None
    if outcome in (VA_INSUFFICIENT, VA_ABSENT, VA_REFUSED) and last_va is not None:
        assert last_va.finished_on is not None
        if (
            not _since(case, K.SCHULDNERVERZEICHNIS, last_va.finished_on)
            and not _rejected(case, K.SCHULDNERVERZEICHNIS, on)
            and check_preconditions(case, K.SCHULDNERVERZEICHNIS, on).ok
        ):
            return Proposal(
                K.SCHULDNERVERZEICHNIS,
                f"Vermögensauskunft vom {format_date(last_va.finished_on)}: "
                f"{'unergiebig' if outcome == VA_INSUFFICIENT else 'nicht abgegeben'}; Eintragung in das "
                "Schuldnerverzeichnis anordnen (§ 284 Abs. 9 AO).",
                "register",
            )
        if (
            not _since(case, K.KONTENABRUF, last_va.finished_on)
            and not _rejected(case, K.KONTENABRUF, on)
            and check_preconditions(case, K.KONTENABRUF, on).ok
        ):
            return Proposal(
                K.KONTENABRUF,
                "Die Vermögensauskunft blieb erfolglos; Kontenabruf beim Bundeszentralamt für Steuern "
                "(§ 93 Abs. 8 AO).",
                "accounts",
            )

    # field: only where the amount justifies a visit.
    if (
        total >= Cents(settings.field_min_amount_cents)
        and not _since(case, K.AUSSENDIENST, add_months(on, -12))
        and not _rejected(case, K.AUSSENDIENST, on)
    ):
        return Proposal(
            K.AUSSENDIENST,
            f"Schreibtischmaßnahmen ausgeschöpft; offen {total.format()} (ab "
            f"{Cents(settings.field_min_amount_cents).format()} verhältnismäßig): Vollstreckungsauftrag an den "
            "Außendienst.",
            "field",
        )

    if _rejected(case, K.NIEDERSCHLAGUNG, on):
        return None
    return Proposal(
        K.NIEDERSCHLAGUNG,
        f"Alle verhältnismäßigen Maßnahmen blieben erfolglos; offen {total.format()}. Niederschlagung mit "
        "Wiedervorlage bis zur Verjährung (§ 261 AO).",
        "rest",
    )
