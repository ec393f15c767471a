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
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from kofo.cases.casefiles import survivor
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
    return Case.objects.filter(debtor=survivor(case.debtor)).first() or case


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


def case_numbers_in(text: str) -> list[str]:
    return list(dict.fromkeys(f"{a}-{b}" for a, b in _CASE_NUMBER_IN_TEXT.findall(text.upper())))


def _text(incoming: Incoming) -> str:
    return f"{incoming.structured_reference} {incoming.remittance}"


def _name_tokens(name: str) -> list[str]:
    return [t for t in _WORD.findall(fold(name)) if len(t) > 2]


class Directory:
    """Where the rules look things up: the database, one query per question (single payments)."""

    def cases(self, numbers: list[str]) -> list[Case]:
        """The live files of these file numbers (a merged file's money goes to the survivor)."""
        found: list[Case] = []
        for case in Case.objects.filter(number__in=numbers).select_related("debtor"):
            live = live_case(case)
            if live not in found:
                found.append(live)
        return found

    def claims(self, keys: list[str]) -> list[tuple[Claim, Case]]:
        """Claims whose folded Kassenzeichen is one of ``keys``, with their live file."""
        result: list[tuple[Claim, Case]] = []
        for claim in Claim.objects.filter(reference_key__in=keys).order_by("pk"):
            case = self._case_of_debtor_record(claim.debtor_record_id)
            if case is not None:
                result.append((claim, case))
        return result

    def _case_of_debtor_record(self, record_id: int) -> Case | None:
        debtor_id = DebtorRecord.objects.filter(pk=record_id).values_list("debtor_id", flat=True).first()
        if debtor_id is None:
            return None
        case = (
            Case.objects.filter(debtor=survivor(Debtor.objects.get(pk=debtor_id)))
            .select_related("debtor")
            .first()
        )
        return live_case(case) if case else None

    def plans(self, incoming: Incoming) -> list[InstalmentPlan]:
        plans = InstalmentPlan.objects.filter(status=InstalmentPlanStatus.ACTIVE).select_related(
            "case__debtor"
        )
        if incoming.mandate_id:
            by_mandate = list(plans.filter(mandate_reference=incoming.mandate_id))
            if by_mandate:
                return by_mandate
        if not incoming.payer_iban:
            return []
        return list(
            plans.filter(iban=incoming.payer_iban.replace(" ", ""), instalment_cents=incoming.amount_cents)
        )

    def garnishment(self, case: Case) -> Measure | None:
        return (
            Measure.objects.filter(case=case, kind__in=GARNISHMENTS, status=MeasureStatus.ACTIVE)
            .order_by("created_on", "pk")
            .first()
        )

    def debtors_named(self, tokens: list[str]) -> list[tuple[int, str, str]]:
        """(debtor id, surname, given names) of records whose normalised surname is one of ``tokens``."""
        return list(
            DebtorRecord.objects.filter(norm_surname__in=tokens)
            .exclude(debtor__isnull=True)
            .values_list("debtor_id", "norm_surname", "norm_given")[:200]
        )

    def cases_of_debtors(self, debtor_ids: list[int]) -> list[Case]:
        return [live_case(c) for c in Case.objects.filter(debtor_id__in=debtor_ids).select_related("debtor")]


class PrefetchedDirectory(Directory):
    """The same answers for a whole bank file, read with a few queries per thousand credits."""

    CHUNK = 2_000

    def __init__(self, incomings: list[Incoming]) -> None:
        numbers: set[str] = set()
        keys: set[str] = set()
        mandates: set[str] = set()
        ibans: set[str] = set()
        tokens: set[str] = set()
        for incoming in incomings:
            text = _text(incoming)
            numbers.update(n for n in (case_number_of(r) for r in references_in(text)) if n)
            numbers.update(case_numbers_in(incoming.remittance))
            keys.update(reference_candidates(text))
            if incoming.mandate_id:
                mandates.add(incoming.mandate_id)
            if incoming.payer_iban:
                ibans.add(incoming.payer_iban.replace(" ", ""))
            tokens.update(_name_tokens(incoming.payer_name))
        self._cases: dict[str, Case] = {}
        for chunk in _chunks(sorted(numbers), self.CHUNK):
            for case in Case.objects.filter(number__in=chunk).select_related("debtor"):
                self._cases[case.number] = case
        self._claims: dict[str, list[Claim]] = defaultdict(list)
        for chunk in _chunks(sorted(keys), self.CHUNK):
            for claim in Claim.objects.filter(reference_key__in=chunk).order_by("pk"):
                self._claims[claim.reference_key].append(claim)
        record_ids = {c.debtor_record_id for claims in self._claims.values() for c in claims}
        debtor_of_record: dict[int, int] = {}
        for chunk in _chunks(sorted(record_ids), self.CHUNK):
            debtor_of_record.update(
                DebtorRecord.objects.filter(pk__in=chunk, debtor__isnull=False).values_list("pk", "debtor_id")
            )
        self._debtor_of_record = debtor_of_record
        self._case_of_debtor: dict[int, Case] = {}
        for chunk in _chunks(sorted(set(debtor_of_record.values())), self.CHUNK):
            for case in Case.objects.filter(debtor_id__in=chunk).select_related("debtor"):
                self._case_of_debtor[case.debtor_id] = case
        active = InstalmentPlan.objects.filter(status=InstalmentPlanStatus.ACTIVE).select_related(
            "case__debtor"
        )
        self._plans_by_mandate: dict[str, list[InstalmentPlan]] = defaultdict(list)
        self._plans_by_iban: dict[str, list[InstalmentPlan]] = defaultdict(list)
        for chunk in _chunks(sorted(mandates), self.CHUNK):
            for plan in active.filter(mandate_reference__in=chunk):
                self._plans_by_mandate[plan.mandate_reference].append(plan)
        for chunk in _chunks(sorted(ibans), self.CHUNK):
            for plan in active.filter(iban__in=chunk):
                self._plans_by_iban[plan.iban].append(plan)
        case_ids = [c.pk for c in self._cases.values()]
        self._garnishments: dict[int, Measure] = {}
        for chunk in _chunks(case_ids, self.CHUNK):
            for measure in Measure.objects.filter(
                case_id__in=chunk, kind__in=GARNISHMENTS, status=MeasureStatus.ACTIVE
            ).order_by("-created_on", "-pk"):
                self._garnishments[measure.case_id] = measure  # the oldest wins (written last)
        self._named: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for chunk in _chunks(sorted(tokens), self.CHUNK):
            for debtor_id, surname, given in DebtorRecord.objects.filter(
                norm_surname__in=chunk, debtor__isnull=False
            ).values_list("debtor_id", "norm_surname", "norm_given"):
                self._named[surname].append((debtor_id, surname, given))
        named_debtors = sorted(
            {row[0] for rows in self._named.values() for row in rows} - set(self._case_of_debtor)
        )
        for chunk in _chunks(named_debtors, self.CHUNK):
            for case in Case.objects.filter(debtor_id__in=chunk).select_related("debtor"):
                self._case_of_debtor[case.debtor_id] = case

    def _live(self, case: Case) -> Case:
        return live_case(case) if case.close_reason == CaseCloseReason.MERGED else case

    def cases(self, numbers: list[str]) -> list[Case]:
        found: list[Case] = []
        for number in numbers:
            case = self._cases.get(number)
            if case is not None and self._live(case) not in found:
                found.append(self._live(case))
        return found

    def claims(self, keys: list[str]) -> list[tuple[Claim, Case]]:
        result: list[tuple[Claim, Case]] = []
        for claim in sorted({c for key in keys for c in self._claims.get(key, [])}, key=lambda c: c.pk):
            debtor_id = self._debtor_of_record.get(claim.debtor_record_id)
            case = self._case_of_debtor.get(debtor_id) if debtor_id is not None else None
            if case is None:
                case = self._case_of_debtor_record(claim.debtor_record_id)  # merged debtor: follow it
            if case is not None:
                result.append((claim, self._live(case)))
        return result

    def plans(self, incoming: Incoming) -> list[InstalmentPlan]:
        if incoming.mandate_id and self._plans_by_mandate.get(incoming.mandate_id):
            return self._plans_by_mandate[incoming.mandate_id]
        iban = incoming.payer_iban.replace(" ", "")
        return [p for p in self._plans_by_iban.get(iban, []) if p.instalment_cents == incoming.amount_cents]

    def garnishment(self, case: Case) -> Measure | None:
        if case.pk in self._garnishments:
            return self._garnishments[case.pk]
        return None if case.number in self._cases else super().garnishment(case)

    def debtors_named(self, tokens: list[str]) -> list[tuple[int, str, str]]:
        return [row for token in tokens for row in self._named.get(token, [])][:200]

    def cases_of_debtors(self, debtor_ids: list[int]) -> list[Case]:
        return [self._live(self._case_of_debtor[d]) for d in debtor_ids if d in self._case_of_debtor]


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


DATABASE = Directory()


def _name_suggestions(incoming: Incoming, directory: Directory) -> list[Suggestion]:
    tokens = _name_tokens(incoming.payer_name)
    if not tokens:
        return []
    best: dict[int, float] = {}
    payer = fold(incoming.payer_name)
    for debtor_id, surname, given in directory.debtors_named(tokens):
        score = fuzz.token_set_ratio(payer, f"{given} {surname}") / 100
        best[debtor_id] = max(best.get(debtor_id, 0.0), score)
    if not best:
        return []
    return [
        Suggestion(
            case.number, 0.5 * best.get(case.debtor_id, 0.0), f"Name des Einzahlers ähnlich: {case.debtor}"
        )
        for case in directory.cases_of_debtors(list(best))
    ]


def suggest(
    incoming: Incoming, seeds: list[Suggestion] | None = None, directory: Directory = DATABASE
) -> list[Suggestion]:
    """Ranked suggestions for a Klärungsfall (never applied by the machine)."""
    found: dict[str, Suggestion] = {}
    for suggestion in [*(seeds or []), *_name_suggestions(incoming, directory)]:
        known = found.get(suggestion.case_number)
        if known is None or known.score < suggestion.score:
            found[suggestion.case_number] = suggestion
    for number in case_numbers_in(incoming.remittance):
        for live in directory.cases([number]):
            score = max(0.8, found[live.number].score) if live.number in found else 0.8
            found[live.number] = Suggestion(live.number, score, f"Aktenzeichen {number} im Verwendungszweck")
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.case_number))
    return ranked[:SUGGESTIONS_MAX]


def match_credit(incoming: Incoming, directory: Directory = DATABASE) -> Match:
    """Find the debtor file of an incoming credit, or explain why a person must decide."""
    text = _text(incoming)
    refs = references_in(text)
    cases = directory.cases([n for n in (case_number_of(ref) for ref in refs) if n])
    if len(cases) == 1:
        return Match(case=cases[0], rule="reference", reason=f"Zahlungsreferenz {refs[0]}")
    if len(cases) > 1:
        seeds = [Suggestion(c.number, 0.9, "Zahlungsreferenz im Verwendungszweck") for c in cases]
        return Match(
            reason="Mehrere Zahlungsreferenzen verschiedener Akten.",
            suggestions=suggest(incoming, seeds, directory),
        )

    keys = reference_candidates(text)
    found = directory.claims(keys) if keys else []
    # A key that is a Kassenzeichen of an enforced claim beats the same key of a settled one.
    enforced = [(claim, case) for claim, case in found if claim.status in ENFORCED]
    by_kz: dict[int, tuple[Case, list[str]]] = {}
    for claim, case in enforced or found:
        entry = by_kz.setdefault(case.pk, (case, []))
        if claim.kassenzeichen not in entry[1]:
            entry[1].append(claim.kassenzeichen)
    if len(by_kz) == 1:
        case, named = next(iter(by_kz.values()))
        return Match(
            case=case, rule="kassenzeichen", designation=named, reason=f"Kassenzeichen {', '.join(named)}"
        )
    if len(by_kz) > 1:
        seeds = [Suggestion(c.number, 0.85, f"Kassenzeichen {', '.join(kz)}") for c, kz in by_kz.values()]
        return Match(
            reason="Das Kassenzeichen passt zu Forderungen in mehreren Akten.",
            suggestions=suggest(incoming, seeds, directory),
        )

    plans = directory.plans(incoming)
    if len(plans) == 1:
        plan = plans[0]
        how = (
            "Mandatsreferenz"
            if incoming.mandate_id and incoming.mandate_id == plan.mandate_reference
            else "Rate und IBAN"
        )
        return Match(case=live_case(plan.case), rule="instalment", reason=f"Ratenzahlung ({how})")

    for number in case_numbers_in(incoming.remittance):
        for live in directory.cases([number]):
            measure = directory.garnishment(live)
            if measure is not None:
                return Match(
                    case=live, rule="third_party", source=PaymentSource.THIRD_PARTY, measure=measure,
                    reason=f"Drittschuldnerzahlung zur Pfändung in {live.number}",
                )  # fmt: skip

    seeds = [Suggestion(p.case.number, 0.6, "Betrag einer Rate") for p in plans]
    return Match(
        reason="Keine Zahlungsreferenz und kein Kassenzeichen erkannt.",
        suggestions=suggest(incoming, seeds, directory),
    )
