"""Assigning an incoming credit to a debtor file, certain rules first, suggestions last (issue 5, no. 2).

The rules, in order — the first that identifies exactly one file decides:

1. ``reference``: a valid kofo payment reference (ISO 11649, ``RF…``, check digits right) in the
   structured creditor reference or the free text;
2. ``kassenzeichen``: a partner's Kassenzeichen in the free text, compared after folding (spaces, dashes,
   O/0, I/1 …); the named claims become the debtor's designation (Tilgungsbestimmung);
3. ``instalment``: an instalment plan's mandate reference, or its instalment amount from its IBAN;
4. ``third_party``: a file number in the text of a file with a garnishment running (the third-party
   debtor pays under the order's reference), booked as proceeds of that measure.

Anything else — no rule, or a rule pointing at several files — is not decided by the machine: it becomes a
Klärungsfall with ranked suggestions (a file number without check digits, the payer's name against
debtors' names, the amount against open balances), each explained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kofo.cases.models import (
    Case,
    CaseCloseReason,
    Claim,
    ClaimStatus,
    InstalmentPlan,
    InstalmentPlanStatus,
    Measure,
    MeasureKind,
    MeasureStatus,
)
from kofo.cases.references import case_number_of, fold_reference, references_in
from kofo.debtors.linkage.normalise import fold
from kofo.debtors.models import Debtor, DebtorRecord
from kofo.payments.models import PaymentSource

_TOKEN = re.compile(r"[0-9A-Za-zÄÖÜäöüß]+")
_WORD = re.compile(r"[a-z]+")
_CASE_NUMBER_IN_TEXT = re.compile(r"\b([A-Z]{2})[\s\-]?(\d{6})\b")
#: Measures whose third-party debtor pays the office directly.
GARNISHMENTS = (MeasureKind.PFEV_BANK, MeasureKind.PFEV_LOHN, MeasureKind.PFEV_RENTE)
ENFORCED = (ClaimStatus.OPEN, ClaimStatus.DEFERRED)
SUGGESTIONS_MAX = 5


@dataclass(frozen=True, slots=True)
class Incoming:
    """What the matching looks at in a credit."""

    amount_cents: int
    payer_name: str = ""
    payer_iban: str = ""
    remittance: str = ""
    structured_reference: str = ""
    mandate_id: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    case_number: str
    score: float
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"case": self.case_number, "score": round(self.score, 3), "reason": self.reason}


@dataclass(slots=True)
class Match:
    """The outcome: a file with the rule that found it, or none with the reason and suggestions."""

    case: Case | None = None
    rule: str = ""
    source: str = PaymentSource.DEBTOR
    designation: list[str] = field(default_factory=list)
    measure: Measure | None = None
    reason: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)


def live_case(case: Case) -> Case:
    """A file closed by a merge hands its money to the surviving debtor's file."""
    if case.close_reason != CaseCloseReason.MERGED:
        return case
    debtor = case.debtor
    seen: set[int] = set()
    while debtor.merged_into_id is not None and debtor.pk not in seen:
        seen.add(debtor.pk)
        debtor = Debtor.objects.get(pk=debtor.merged_into_id)
    return Case.objects.filter(debtor=debtor).first() or case


def _case_of_claim(claim: Claim) -> Case | None:
    debtor_id = (
        DebtorRecord.objects.filter(pk=claim.debtor_record_id).values_list("debtor_id", flat=True).first()
    )
    if debtor_id is None:
        return None
    case = Case.objects.filter(debtor_id=debtor_id).first()
    if case is None:
        debtor = Debtor.objects.get(pk=debtor_id)
        while debtor.merged_into_id is not None:
            debtor = Debtor.objects.get(pk=debtor.merged_into_id)
        case = Case.objects.filter(debtor=debtor).first()
    return live_case(case) if case else None


def reference_candidates(text: str) -> list[str]:
    """Folded windows of one to four adjacent tokens: a Kassenzeichen written with or without separators."""
    tokens = _TOKEN.findall(text)
    found: list[str] = []
    for start in range(len(tokens)):
        joined = ""
        for width in range(4):
            if start + width >= len(tokens):
                break
            joined += tokens[start + width]
            key = fold_reference(joined)
            if len(key) >= 4 and any(ch.isdigit() for ch in key) and key not in found:
                found.append(key[:60])
    return found


def _by_reference(incoming: Incoming) -> tuple[list[Case], list[str]]:
    refs = references_in(f"{incoming.structured_reference} {incoming.remittance}")
    numbers = [n for n in (case_number_of(ref) for ref in refs) if n]
    cases: list[Case] = []
    for case in Case.objects.filter(number__in=numbers).select_related("debtor"):
        live = live_case(case)
        if live not in cases:
            cases.append(live)
    return cases, refs


def _by_kassenzeichen(incoming: Incoming) -> dict[int, tuple[Case, list[str]]]:
    keys = reference_candidates(f"{incoming.structured_reference} {incoming.remittance}")
    if not keys:
        return {}
    claims = list(Claim.objects.filter(reference_key__in=keys).order_by("pk"))
    # A key that is a Kassenzeichen of an enforced claim beats the same key of a settled one.
    enforced = [c for c in claims if c.status in ENFORCED]
    result: dict[int, tuple[Case, list[str]]] = {}
    for claim in enforced or claims:
        case = _case_of_claim(claim)
        if case is None:
            continue
        entry = result.setdefault(case.pk, (case, []))
        if claim.kassenzeichen not in entry[1]:
            entry[1].append(claim.kassenzeichen)
    return result


def _by_instalment(incoming: Incoming) -> list[InstalmentPlan]:
    plans = InstalmentPlan.objects.filter(status=InstalmentPlanStatus.ACTIVE).select_related("case")
    if incoming.mandate_id:
        by_mandate = list(plans.filter(mandate_reference=incoming.mandate_id))
        if by_mandate:
            return by_mandate
    if not incoming.payer_iban:
        return []
    return list(
        plans.filter(iban=incoming.payer_iban.replace(" ", ""), instalment_cents=incoming.amount_cents)
    )


def _case_numbers_in(text: str) -> list[str]:
    return list(dict.fromkeys(f"{a}-{b}" for a, b in _CASE_NUMBER_IN_TEXT.findall(text.upper())))


def _garnishment(case: Case) -> Measure | None:
    return (
        Measure.objects.filter(case=case, kind__in=GARNISHMENTS, status=MeasureStatus.ACTIVE)
        .order_by("created_on", "pk")
        .first()
    )


def _name_suggestions(incoming: Incoming) -> list[Suggestion]:
    tokens = [t for t in _WORD.findall(fold(incoming.payer_name)) if len(t) > 2]
    if not tokens:
        return []
    records = (
        DebtorRecord.objects.filter(norm_surname__in=tokens)
        .exclude(debtor__isnull=True)
        .values_list("debtor_id", "norm_surname", "norm_given")[:200]
    )
    best: dict[int, float] = {}
    for debtor_id, surname, given in records:
        score = fuzz.token_set_ratio(fold(incoming.payer_name), f"{given} {surname}") / 100
        best[debtor_id] = max(best.get(debtor_id, 0.0), score)
    suggestions: list[Suggestion] = []
    for case in Case.objects.filter(debtor_id__in=list(best)).select_related("debtor"):
        live = live_case(case)
        suggestions.append(
            Suggestion(live.number, 0.5 * best[case.debtor_id], f"Name des Einzahlers ähnlich: {case.debtor}")
        )
    return suggestions


def suggest(incoming: Incoming, seeds: list[Suggestion] | None = None) -> list[Suggestion]:
    """Ranked suggestions for a Klärungsfall (never applied by the machine)."""
    found: dict[str, Suggestion] = {}
    for suggestion in [*(seeds or []), *_name_suggestions(incoming)]:
        known = found.get(suggestion.case_number)
        if known is None or known.score < suggestion.score:
            found[suggestion.case_number] = suggestion
    for number in _case_numbers_in(incoming.remittance):
        case = Case.objects.filter(number=number).first()
        if case is not None:
            live = live_case(case)
            score = 0.8 if live.number not in found else max(0.8, found[live.number].score)
            found[live.number] = Suggestion(live.number, score, f"Aktenzeichen {number} im Verwendungszweck")
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.case_number))
    return ranked[:SUGGESTIONS_MAX]


def match_credit(incoming: Incoming) -> Match:
    """Find the debtor file of an incoming credit, or explain why a person must decide."""
    cases, refs = _by_reference(incoming)
    if len(cases) == 1:
        return Match(case=cases[0], rule="reference", reason=f"Zahlungsreferenz {refs[0]}")
    if len(cases) > 1:
        seeds = [Suggestion(c.number, 0.9, "Zahlungsreferenz im Verwendungszweck") for c in cases]
        return Match(
            reason="Mehrere Zahlungsreferenzen verschiedener Akten.", suggestions=suggest(incoming, seeds)
        )

    by_kz = _by_kassenzeichen(incoming)
    if len(by_kz) == 1:
        case, named = next(iter(by_kz.values()))
        return Match(
            case=case, rule="kassenzeichen", designation=named, reason=f"Kassenzeichen {', '.join(named)}"
        )
    if len(by_kz) > 1:
        seeds = [Suggestion(c.number, 0.85, f"Kassenzeichen {', '.join(kz)}") for c, kz in by_kz.values()]
        return Match(
            reason="Das Kassenzeichen passt zu Forderungen in mehreren Akten.",
            suggestions=suggest(incoming, seeds),
        )

    plans = _by_instalment(incoming)
    if len(plans) == 1:
        plan = plans[0]
        how = (
            "Mandatsreferenz"
            if incoming.mandate_id and incoming.mandate_id == plan.mandate_reference
            else "Rate und IBAN"
        )
        return Match(case=live_case(plan.case), rule="instalment", reason=f"Ratenzahlung ({how})")

    for number in _case_numbers_in(incoming.remittance):
        garnished = Case.objects.filter(number=number).first()
        if garnished is None:
            continue
        live = live_case(garnished)
        measure = _garnishment(live)
        if measure is not None:
            return Match(
                case=live, rule="third_party", source=PaymentSource.THIRD_PARTY, measure=measure,
                reason=f"Drittschuldnerzahlung zur Pfändung in {live.number}",
            )  # fmt: skip

    seeds = [Suggestion(p.case.number, 0.6, "Betrag einer Rate") for p in plans]
    return Match(
        reason="Keine Zahlungsreferenz und kein Kassenzeichen erkannt.", suggestions=suggest(incoming, seeds)
    )
