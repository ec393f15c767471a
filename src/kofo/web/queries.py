"""Read models of the web UI: the figures of the dashboard and the lists, straight from the database.

Nothing here writes. Balances come from ``kofo.ledger.balances`` (sums of postings, never stored).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.forms.models import model_to_dict
from django.utils import timezone

from kofo.audit.recording import jsonable
from kofo.cases.models import CLOSED_STATUSES, Claim
from kofo.ledger.balances import totals_by_kind, trial_balance
from kofo.ledger.models import PARTNER_KINDS, AccountKind, Posting
from kofo.money import Cents
from kofo.partners.models import Agreement, AgreementRevision, Partner, PartnerKind

# Liability, income and counter accounts have a credit (Haben) balance in the normal case; the UI shows
# them with the sign turned, so that "the office owes the partner 100 EUR" reads as +100,00 EUR.
CREDIT_NORMAL_KINDS = frozenset(
    {
        AccountKind.PARTNER_CLAIMS,
        AccountKind.PARTNER_PAYABLE,
        AccountKind.FEE_INCOME,
        AccountKind.REFUND_PAYABLE,
        AccountKind.SUSPENSE,
    }
)

# Agreements that end (by notice or term) within this many months are flagged on the dashboard.
ENDING_SOON_MONTHS = 6


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month (31 Aug + 6 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def display_balance(kind: AccountKind | str, balance_cents: int) -> Cents:
    """The balance as the UI shows it: debit-positive, credit-normal kinds turned around."""
    amount = int(balance_cents or 0)
    return Cents(-amount if AccountKind(kind) in CREDIT_NORMAL_KINDS else amount)


@dataclass(frozen=True)
class KindTotal:
    kind: AccountKind
    label: str
    balance: Cents  # debit-positive, as stored
    amount: Cents  # sign-corrected for display


def ledger_totals(*, partner_id: int | None = None) -> list[KindTotal]:
    """Totals per account kind (all kinds for the office, the partner kinds for one partner)."""
    totals = totals_by_kind(partner_id=partner_id)
    kinds = PARTNER_KINDS if partner_id is not None else tuple(AccountKind)
    return [
        KindTotal(kind, str(kind.label), totals[kind], display_balance(kind, int(totals[kind])))
        for kind in kinds
    ]


@dataclass(frozen=True)
class LedgerCheck:
    difference: Cents

    @property
    def balanced(self) -> bool:
        return int(self.difference) == 0


def ledger_check() -> LedgerCheck:
    return LedgerCheck(trial_balance())


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def active_partners_by_kind(partners: QuerySet[Partner]) -> list[KindCount]:
    rows = dict(partners.filter(active=True).values_list("kind").annotate(n=Count("id")).order_by())
    return [KindCount(kind, str(label), int(rows.get(kind, 0))) for kind, label in PartnerKind.choices]


def in_force(agreements: QuerySet[Agreement], on: dt.date | None = None) -> QuerySet[Agreement]:
    day = on or today()
    return agreements.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


@dataclass(frozen=True)
class AgreementFigures:
    in_force: int
    notice_given: int
    ending_soon: list[Agreement]
    horizon: dt.date


def agreement_figures(agreements: QuerySet[Agreement], on: dt.date | None = None) -> AgreementFigures:
    """Agreements in force; of those, the ones with notice given and the ones ending within 6 months."""
    day = on or today()
    horizon = add_months(day, ENDING_SOON_MONTHS)
    current = list(in_force(agreements, day).select_related("partner").order_by("partner__name", "reference"))
    ending = []
    for agreement in current:
        end = agreement.earliest_end()
        if agreement.notice_given_on is not None or (end is not None and end <= horizon):
            ending.append(agreement)
    ending.sort(key=lambda a: (a.earliest_end() or dt.date.max, a.reference))
    return AgreementFigures(
        in_force=len(current),
        notice_given=sum(1 for a in current if a.notice_given_on is not None),
        ending_soon=ending,
        horizon=horizon,
    )


def agreement_status(agreement: Agreement, on: dt.date | None = None) -> tuple[str, str]:
    """A short German status and the KERN badge variant for it."""
    day = on or today()
    if agreement.valid_from > day:
        return "künftig", "info"
    end = agreement.earliest_end()
    if end is not None and end < day:
        return "beendet", "danger"
    if agreement.notice_given_on is not None:
        return "gekündigt", "warning"
    return "in Kraft", "success"


@dataclass(frozen=True)
class RevisionView:
    revision: AgreementRevision
    changed_fields: list[str]


def agreement_state(agreement: Agreement) -> dict[str, Any]:
    """The agreement's stored fields as JSON values: the same form the revision snapshots have."""
    return dict(jsonable(model_to_dict(agreement)))


def agreement_history(agreement: Agreement) -> list[RevisionView]:
    """The former versions, newest first, each with the fields the next version changed."""
    revisions = list(agreement.revisions.order_by("version"))
    if not revisions:
        return []
    labels = {f.name: str(f.verbose_name) for f in Agreement._meta.get_fields() if hasattr(f, "verbose_name")}
    later_states = [r.snapshot for r in revisions[1:]] + [agreement_state(agreement)]
    views = []
    for revision, after in zip(revisions, later_states, strict=True):
        before = revision.snapshot or {}
        changed = [
            labels.get(key, key)
            for key in sorted(set(before) | set(after))
            if key not in ("version", "updated_at", "id") and before.get(key) != after.get(key)
        ]
        views.append(RevisionView(revision, changed))
    views.reverse()
    return views


# --- Claims ------------------------------------------------------------------------------------------

CLAIM_SUBJECT_TYPE = Claim._meta.label_lower  # "cases.claim": the subject of a claim's receivables

CLAIM_STATUS_VARIANTS = {
    "open": "info",
    "deferred": "warning",
    "settled": "success",
    "cancelled": "danger",
    "withdrawn": "danger",
    "remitted": "danger",
}

ITEM_STATUS_VARIANTS = {
    "accepted": "success",
    "rejected": "danger",
    "duplicate": "info",
    "conflict": "warning",
}


def open_totals(claim_ids: list[int]) -> dict[int, Cents]:
    """Open amount (sum of the receivables) of each claim, in one query for a page of claims."""
    rows = (
        Posting.objects.filter(
            account__kind=AccountKind.RECEIVABLE,
            account__subject_type=CLAIM_SUBJECT_TYPE,
            account__subject_id__in=[str(pk) for pk in claim_ids],
        )
        .values("account__subject_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    totals = {pk: Cents(0) for pk in claim_ids}
    for row in rows:
        totals[int(row["account__subject_id"])] = Cents(int(row["total"] or 0))
    return totals


def claim_postings(claim: Claim) -> QuerySet[Posting]:
    """The postings on the claim's receivable accounts, in booking order."""
    return (
        Posting.objects.filter(account__subject_type=CLAIM_SUBJECT_TYPE, account__subject_id=str(claim.pk))
        .select_related("account", "transaction")
        .order_by("transaction_id", "id")
    )


@dataclass(frozen=True)
class ClaimFigures:
    open_count: int
    open_total: Cents


def claim_figures(claims: QuerySet[Claim], *, partner_id: int | None = None) -> ClaimFigures:
    """Claims still enforced and their open amount (receivables of one partner, or of all)."""
    receivables = totals_by_kind(partner_id=partner_id)[AccountKind.RECEIVABLE]
    return ClaimFigures(claims.exclude(status__in=CLOSED_STATUSES).count(), receivables)


# --- Debtor linkage: the explanation of a review pair ------------------------------------------------

# Agreement levels of the linkage engine (kofo.debtors.linkage.compare.FIELDS) in German.
LEVEL_LABELS = {
    "exact": "gleich",
    "same": "gleich",
    "gleich": "gleich",
    "variant": "Schreibvariante (z. B. ä/ae, ß/ss)",
    "birth_name": "entspricht dem Geburtsnamen",
    "close": "sehr ähnlich",
    "far": "entfernt ähnlich",
    "different": "verschieden",
    "verschieden": "verschieden",
    "first_or_subset": "erster Vorname oder Teil der Vornamen gleich",
    "day_month_swapped": "Tag und Monat vertauscht",
    "digits_transposed": "Zahlendreher",
    "one_component_off": "Tag, Monat oder Jahr abweichend",
    "year_only": "nur das Jahr gleich",
    "same_street": "gleiche Straße, andere Hausnummer",
    "same_place": "gleicher Ort, andere Straße",
    "same_area": "gleiches Postleitzahlgebiet",
    "fehlt": "fehlt (neutral)",
    "missing": "fehlt (neutral)",
    "surname_and_address": "gleicher Familienname und gleiche Anschrift",
    # legal entities: the rule of kofo.debtors.linkage.entities that decided
    "register": "gleicher Registereintrag",
    "name_form_place": "gleicher Name, gleiche Rechtsform, gleicher Ort",
    "name_place": "gleicher Name und Ort, Rechtsform abweichend",
    "name_only": "nur der Name gleich",
    "name_similar": "Name ähnlich",
    "link": "gleich",
    "review": "unsicher",
}

# Field names of the engine that the explanation may carry untranslated.
EXPLANATION_FIELD_LABELS = {
    "surname": "Familienname",
    "given_names": "Vornamen",
    "birth_date": "Geburtsdatum",
    "address": "Anschrift",
    "partner_id": "Schuldnernummer des Partners",
    "household": "Haushalt (Abzug: Angehörige teilen Namen und Anschrift)",
}


def level_label(level: Any) -> str:
    text = str(level or "")
    return LEVEL_LABELS.get(text, text or "–")


@dataclass(frozen=True)
class ExplanationRow:
    field: str
    level: str
    level_label: str
    weight: float | None

    @property
    def sign(self) -> str:
        """ "plus" (speaks for the same person), "minus" (against) or "neutral"."""
        if self.weight is None or self.weight == 0:
            return "neutral"
        return "plus" if self.weight > 0 else "minus"


def explanation_rows(explanation: Any) -> list[ExplanationRow]:
    rows = []
    for entry in explanation or []:
        if not isinstance(entry, dict):
            continue
        weight = entry.get("weight")
        rows.append(
            ExplanationRow(
                field=EXPLANATION_FIELD_LABELS.get(str(entry.get("field", "")), str(entry.get("field", ""))),
                level=str(entry.get("level", "")),
                level_label=level_label(entry.get("level")),
                weight=float(weight) if isinstance(weight, int | float) else None,
            )
        )
    return rows
