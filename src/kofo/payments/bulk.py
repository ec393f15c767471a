"""Booking the credits of a bank file in bulk: the same rules as one payment at a time, a few queries per
few hundred credits (issue 5, no. 9: 100,000 entries within a minute).

:func:`book_credits` takes the new credit bookings of a chunk and does what :func:`_book_credit` in
:mod:`kofo.payments.imports` does for one — match (with a :class:`PrefetchedDirectory` for the whole
file), book the Säumniszuschläge that arose up to the payment day, allocate by
:func:`kofo.law.allocation.allocate_payment` over the same open items (:func:`items_of`), post one balanced
transaction per payment (:func:`do_post_transactions`), record payments, allocations, refund proposals and
settled claims — but reads the chunk's files, claims, balances and accounts with a handful of queries and
writes with bulk inserts, one audit event per chunk and kind. A file that needs more than a plain payment
— a second credit in the same chunk, a running instalment plan — is handed back to the one-by-one path, so
the result is the same either way (tested: ``test_bulk_equals_one_by_one``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum

from kofo.audit.actors import Actor
from kofo.audit.recording import record_event
from kofo.cases.daily import BatchContext, new_surcharge_months
from kofo.cases.models import Case, Claim, ClaimStatus, InstalmentPlan, InstalmentPlanStatus
from kofo.cases.openitems import OFFICE, items_of
from kofo.law.allocation import PaymentKind, allocate_payment
from kofo.ledger.accounts import office_account, partner_account, receivable_account, receivable_code
from kofo.ledger.actions import Entry, credit, debit, do_post_transactions
from kofo.ledger.models import Account, AccountKind, Component, Posting
from kofo.money import Cents
from kofo.partners.models import Partner
from kofo.payments.actions import _lines
from kofo.payments.matching import Incoming, Match, PrefetchedDirectory, match_credit
from kofo.payments.models import (
    BankEntry,
    Clarification,
    EntryOutcome,
    Funding,
    Payment,
    PaymentAllocation,
    PaymentSource,
    Refund,
)

ENFORCED = (ClaimStatus.OPEN, ClaimStatus.DEFERRED)


def incoming_of(entry: BankEntry) -> Incoming:
    return Incoming(
        amount_cents=entry.amount_cents, payer_name=entry.payer_name, payer_iban=entry.payer_iban,
        remittance=entry.remittance, structured_reference=entry.structured_reference, mandate_id=entry.mandate_id,
    )  # fmt: skip


class Accounts:
    """Receivable, partner and office accounts, read in bulk (per chunk: the chunk's claims and files; once:
    every partner's) and created only when missing; kept for the whole import."""

    def __init__(self) -> None:
        self.by_code: dict[str, Account] = {}
        self.partners: dict[tuple[int, str], Account] = {
            (a.partner_id, str(a.kind)): a
            for a in Account.objects.filter(
                kind__in=(AccountKind.PARTNER_CLAIMS, AccountKind.PARTNER_PAYABLE), partner__isnull=False
            )
            if a.partner_id is not None
        }
        self.office_accounts: dict[str, Account] = {}
        self.chunk: list[Account] = []

    def load(self, claims: list[Claim], cases: list[Case]) -> None:
        codes = [receivable_code("cases.claim", c.pk, component) for c in claims for component in Component]
        codes += [receivable_code("cases.case", c.pk, component) for c in cases for component in Component]
        found = list(Account.objects.filter(code__in=codes))
        self.by_code.update({a.code: a for a in found})
        self.chunk = found

    def partner(self, partner: Partner, kind: AccountKind) -> Account:
        key = (partner.pk, str(kind))
        if key not in self.partners:
            self.partners[key] = partner_account(partner, kind)
        return self.partners[key]

    def office(self, kind: AccountKind) -> Account:
        if str(kind) not in self.office_accounts:
            self.office_accounts[str(kind)] = office_account(kind)
        return self.office_accounts[str(kind)]

    def receivable(
        self, partner: Partner | None, subject: object, component: Component, label: str
    ) -> Account:
        code = receivable_code(subject._meta.label_lower, subject.pk, component)  # type: ignore[attr-defined]
        account = self.by_code.get(code)
        if account is None:
            account = receivable_account(partner, subject, component, label)  # type: ignore[arg-type]
            self.by_code[code] = account
        return account

    def balances(self) -> dict[tuple[str, int], dict[str, Cents]]:
        """(subject type, id) → component → balance, for the accounts of the chunk (one query)."""
        by_id = {a.pk: a for a in self.chunk}
        result: dict[tuple[str, int], dict[str, Cents]] = defaultdict(dict)
        rows = (
            Posting.objects.filter(account_id__in=list(by_id))
            .values("account_id")
            .annotate(s=Sum("amount_cents"))
        )
        for row in rows:
            account = by_id[row["account_id"]]
            result[(account.subject_type, int(account.subject_id))][account.component] = Cents(
                int(row["s"] or 0)
            )
        return result


@dataclass
class Pending:
    entry: BankEntry
    match: Match
    case: Case | None = None


def book_credits(
    entries: list[BankEntry], directory: PrefetchedDirectory, accounts: Accounts, actor: Actor
) -> tuple[Counter[str], list[BankEntry]]:
    """Book new credit entries (not saved yet) in bulk; returns the counts and the entries left for the
    one-by-one path (not saved). Several credits for one file are booked in rounds, in their order."""
    counts: Counter[str] = Counter()
    matches = [(entry, match_credit(incoming_of(entry), directory)) for entry in entries]
    case_ids = sorted({m.case.pk for _e, m in matches if m.case is not None})
    with_plan = set(
        InstalmentPlan.objects.filter(case_id__in=case_ids, status=InstalmentPlanStatus.ACTIVE).values_list(
            "case_id", flat=True
        )
    )
    slow: list[BankEntry] = []
    unmatched: list[Pending] = []
    per_case: dict[int, list[Pending]] = defaultdict(list)
    for entry, match in matches:
        if match.case is None:
            unmatched.append(Pending(entry, match))
        elif match.case.pk in with_plan:
            slow.append(entry)
        else:
            per_case[match.case.pk].append(Pending(entry, match, match.case))
    _book_unmatched(unmatched, actor)
    counts["new"] += len(unmatched)
    counts["clarification"] += len(unmatched)
    rounds: list[list[Pending]] = []
    for pending in per_case.values():
        pending.sort(key=lambda p: (p.entry.value_date, p.entry.position, p.entry.bank_key))
        for number, item in enumerate(pending):
            if number == len(rounds):
                rounds.append([])
            rounds[number].append(item)
    for batch in rounds:
        _book_payments(batch, accounts, actor)
        counts["new"] += len(batch)
        counts["matched"] += len(batch)
    return counts, slow


def _book_unmatched(pending: list[Pending], actor: Actor) -> None:
    if not pending:
        return
    BankEntry.objects.bulk_create([p.entry for p in pending])
    bank, suspense = office_account(AccountKind.BANK), office_account(AccountKind.SUSPENSE)
    txns = do_post_transactions(
        [
            Entry(
                lines=[
                    debit(bank, Cents(p.entry.amount_cents)),
                    credit(suspense, Cents(p.entry.amount_cents)),
                ],
                value_date=p.entry.value_date,
                description=f"Klärungsfall: {p.entry.payer_name or 'unbekannt'} {p.entry.remittance}"[:300],
                object_type="payments.bankentry",
                object_id=str(p.entry.pk),
            )
            for p in pending
        ],
        reason_code="bank.suspense",
        actor=actor,
    )
    for p, txn in zip(pending, txns, strict=True):
        p.entry.transaction = txn
        p.entry.outcome = EntryOutcome.CLARIFICATION
    BankEntry.objects.bulk_update([p.entry for p in pending], ["transaction", "outcome"])
    Clarification.objects.bulk_create(
        [
            Clarification(
                entry=p.entry,
                amount_cents=p.entry.amount_cents,
                open_cents=p.entry.amount_cents,
                reason=p.match.reason[:300],
                suggestions=[s.as_json() for s in p.match.suggestions],
                created_on=p.entry.booking_date,
            )
            for p in pending
        ]
    )


def _book_payments(pending: list[Pending], accounts: Accounts, actor: Actor) -> None:
    if not pending:
        return
    case_ids = [p.case.pk for p in pending if p.case is not None]
    cases = list(Case.objects.select_for_update(no_key=True).filter(pk__in=case_ids))
    by_pk = {c.pk: c for c in cases}
    claims = list(
        Claim.objects.filter(debtor_record__debtor_id__in=[c.debtor_id for c in cases], status__in=ENFORCED)
        .select_related("partner", "agreement", "debtor_record")
        .order_by("pk")
    )
    run_date = max(p.entry.value_date for p in pending)
    land = getattr(settings, "KOFO_LAND", "SL")
    # Säumniszuschläge that arose up to each payment's day belong to what it pays (§ 240 AO).
    context = BatchContext.load([], run_date, actor=actor, claims=claims)  # claims only: no measures
    for p in pending:
        case = by_pk[p.case.pk if p.case else 0]
        for claim in context.claims.get(case.debtor_id, []):
            for month in new_surcharge_months(
                claim, p.entry.value_date, land=land, payments=context.credits.get(claim.pk, []),
                booked=context.booked.get(claim.pk, set()),
            ):  # fmt: skip
                context.add_surcharge(claim, month)
    context.flush()
    accounts.load(claims, cases)
    balances = accounts.balances()
    policy = getattr(settings, "KOFO_ALLOCATION_POLICY", "oldest_due_first")
    entries: list[Entry] = []
    results = []
    for p in pending:
        case = by_pk[p.case.pk if p.case else 0]
        case_claims = context.claims.get(case.debtor_id, [])
        items, claim_map = items_of(
            case, case_claims, {c.pk: balances.get(("cases.claim", c.pk), {}) for c in case_claims},
            balances.get(("cases.case", case.pk), {}),
        )  # fmt: skip
        kind = PaymentKind.FREIWILLIG if p.match.source == PaymentSource.DEBTOR else PaymentKind.VOLLSTRECKUNG
        amount = Cents(p.entry.amount_cents)
        result = allocate_payment(
            items,
            amount,
            paid_on=p.entry.value_date,
            kind=kind,
            designation=p.match.designation,
            policy=policy,
        )
        results.append((p, case, result, claim_map))
        entries.append(
            Entry(
                lines=_lines(
                    case,
                    result,
                    claim_map,
                    amount,
                    Funding.BANK,
                    accounts.receivable,
                    accounts.partner,
                    accounts.office,
                ),
                value_date=p.entry.value_date,
                description=f"Zahlung {case.number}: {p.entry.remittance or p.entry.payer_name}"[:300],
                object_type="cases.case",
                object_id=str(case.pk),
            )
        )
    txns = do_post_transactions(entries, reason_code="payment.received", actor=actor)
    for (p, case, _result, _claims), txn in zip(results, txns, strict=True):
        p.entry.case = case
        p.entry.match_rule = p.match.rule
        p.entry.outcome = EntryOutcome.MATCHED
        p.entry.transaction = txn
    BankEntry.objects.bulk_create([p.entry for p in pending])
    payments = Payment.objects.bulk_create(
        [
            Payment(
                case=case,
                amount_cents=p.entry.amount_cents,
                received_on=p.entry.value_date,
                source=p.match.source,
                measure=p.match.measure,
                payer=p.entry.payer_name[:200],
                reference=p.entry.remittance[:300],
                designation=list(p.match.designation),
                derivation=list(result.steps),
                leftover_cents=int(result.leftover),
                transaction=txn,
                funding=Funding.BANK,
                bank_entry=p.entry,
            )
            for (p, case, result, _claims), txn in zip(results, txns, strict=True)
        ]
    )
    allocations: list[PaymentAllocation] = []
    refunds: list[Refund] = []
    paid: dict[tuple[int, str], int] = defaultdict(int)
    for (p, case, result, claim_map), payment in zip(results, payments, strict=True):
        for allocation in result.allocations:
            owner, _, component = allocation.item_id.partition(":")
            paid_claim: Claim | None = None if owner == OFFICE else claim_map[owner]
            allocations.append(
                PaymentAllocation(
                    payment=payment,
                    claim=paid_claim,
                    component=component,
                    amount_cents=int(allocation.amount),
                )
            )
            if paid_claim is not None:
                paid[(paid_claim.pk, component)] += int(allocation.amount)
        if result.leftover > 0:
            refunds.append(
                Refund(
                    case=case,
                    payment=payment,
                    amount_cents=int(result.leftover),
                    name=(p.entry.payer_name or "Einzahler")[:140],
                    iban=p.entry.payer_iban,
                    reason=f"Überzahlung {case.number}",
                    created_on=p.entry.value_date,
                )
            )
    PaymentAllocation.objects.bulk_create(allocations)
    Refund.objects.bulk_create(refunds)
    paid_claims = {claim_id for claim_id, _component in paid}
    settled = [
        claim.pk
        for claim in claims
        if claim.pk in paid_claims
        and all(
            int(balance) - paid.get((claim.pk, component), 0) == 0
            for component, balance in balances.get(("cases.claim", claim.pk), {}).items()
        )
    ]
    Claim.objects.filter(pk__in=settled).update(status=ClaimStatus.SETTLED)
    record_event(
        actor=actor,
        action="payments.record_payments",
        summary={
            "payments": [
                [case.number, payment.pk, payment.amount_cents, str(payment.received_on), p.match.rule,
                 payment.leftover_cents]
                for (p, case, _r, _c), payment in zip(results, payments, strict=True)
            ],
            "settled_claims": settled,
        },
    )  # fmt: skip
