"""Importing bank files (camt.053 statements, camt.054 notifications): archive, parse, book, reconcile.

1. The file is archived under its SHA-256 before anything else, whether it is accepted or not.
2. It is parsed whole (:mod:`kofo.payments.camt`); a malformed file is rejected whole with line and reason —
   nothing of it is booked.
3. Each booked transaction detail becomes one :class:`BankEntry`, identified across files by the account,
   the bank's reference and its position: the same statement or entry imported again books nothing.
   Pending entries (status PDNG/INFO) are counted and left for the statement that books them.
4. Credits are matched (:mod:`kofo.payments.matching`) and allocated (:func:`do_record_payment`); what
   cannot be assigned with certainty goes to the suspense account as a Klärungsfall. Reversals and returned
   direct debits take their payment back and re-allocate the later ones. Bank charges are the office's
   expense; our own transfers were booked when their run was released. Anything else waits as a
   Klärungsfall — never dropped.
5. Each statement is reconciled: opening + credits − debits = closing, and the closing balance against the
   ledger's bank account; differences are stored and shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kofo.audit import archive
from kofo.audit.actors import Actor, actor_name
from kofo.audit.recording import record_event
from kofo.cases.models import Case, InstalmentPlan, InstalmentPlanStatus, InstalmentStatus
from kofo.ledger.accounts import office_account
from kofo.ledger.actions import credit, debit, do_post_transaction
from kofo.ledger.balances import balance
from kofo.ledger.models import AccountKind
from kofo.limits import BANK_FILE_BYTES_MAX, BANK_UNPACKED_BYTES_MAX, BANK_ZIP_MEMBERS_MAX
from kofo.money import Cents
from kofo.payments.actions import do_record_payment, do_reverse_payment
from kofo.payments.bulk import Accounts, book_credits, incoming_of
from kofo.payments.camt import CamtError, Entry, Statement, TransactionDetail, read_statements, read_upload
from kofo.payments.matching import Incoming, PrefetchedDirectory, match_credit
from kofo.payments.models import (
    BankEntry,
    BankImport,
    BankImportStatus,
    BankStatement,
    Clarification,
    ClarificationStatus,
    EntryKind,
    EntryOutcome,
    ImportSource,
    Payment,
    Refund,
    RefundStatus,
    Remittance,
    ReversalKind,
)

logger = logging.getLogger(__name__)

#: Our own outgoing transfers (remittances and refunds) carry end-to-end ids with this prefix.
OWN_TRANSFER_PREFIX = "KOFO-"
RETURN_CODES_DOMAIN = ("IDDT", "RDDT", "UPDD", "RCDD")


@dataclass(frozen=True, slots=True)
class Booking:
    """One bank booking as the import sees it: the entry and one of its transaction details."""

    statement: Statement
    entry: Entry
    detail: TransactionDetail | None
    position: int

    @property
    def amount_cents(self) -> int:
        return self.detail.amount_cents if self.detail else self.entry.amount_cents

    @property
    def credit(self) -> bool:
        return self.detail.credit if self.detail else self.entry.credit

    def text(self, name: str) -> str:
        return str(getattr(self.detail, name, "") or "") if self.detail else ""


def bookings(statement: Statement) -> list[Booking]:
    """Every booked transaction detail of a statement (an entry without details is one booking)."""
    found: list[Booking] = []
    for entry in statement.entries:
        details: tuple[TransactionDetail | None, ...] = entry.details or (None,)
        for number, detail in enumerate(details):
            found.append(Booking(statement, entry, detail, number))
    return found


def bank_key(booking: Booking) -> str:
    """The booking's identity across files (camt.054 first, camt.053 later: one entry)."""
    entry, statement = booking.entry, booking.statement
    reference = entry.account_servicer_ref or entry.entry_ref
    if not reference:
        basis = "|".join(
            str(part)
            for part in (
                statement.statement_id, entry.index, entry.booking_date, entry.amount_cents, entry.credit,
                booking.text("end_to_end_id"), booking.text("remittance"), booking.text("payer_name"),
            )
        )  # fmt: skip
        reference = "h:" + hashlib.sha256(basis.encode()).hexdigest()[:40]
    return f"{statement.account_iban}|{reference}|{booking.position}"[:120]


def classify(booking: Booking) -> str:
    entry = booking.entry
    code = (booking.text("bank_tx_code") or entry.bank_tx_code).upper()
    end_to_end = booking.text("end_to_end_id")
    if booking.credit:
        return EntryKind.OTHER if entry.reversal else EntryKind.CREDIT
    if entry.reversal:
        return EntryKind.REVERSAL
    if booking.text("return_reason") or any(part in code for part in RETURN_CODES_DOMAIN):
        return EntryKind.RETURN
    if "CHRG" in code or (entry.charges_cents and entry.charges_cents == entry.amount_cents):
        return EntryKind.CHARGES
    if end_to_end.startswith(OWN_TRANSFER_PREFIX):
        return EntryKind.OUTGOING
    return EntryKind.OTHER


def _open_clarification(entry: BankEntry, reason: str, suggestions: list[dict[str, object]]) -> Clarification:
    return Clarification.objects.create(
        entry=entry,
        amount_cents=entry.amount_cents,
        open_cents=entry.amount_cents,
        reason=reason[:300],
        suggestions=suggestions,
        created_on=entry.booking_date,
    )


def _to_suspense(entry: BankEntry, actor: Actor) -> None:
    amount = Cents(entry.amount_cents)
    bank, suspense = office_account(AccountKind.BANK), office_account(AccountKind.SUSPENSE)
    lines = (
        [debit(bank, amount), credit(suspense, amount)]
        if entry.credit
        else [debit(suspense, amount), credit(bank, amount)]
    )
    txn = do_post_transaction(
        lines,
        reason_code="bank.suspense",
        description=f"Klärungsfall: {entry.payer_name or 'unbekannt'} {entry.remittance}"[:300],
        value_date=entry.value_date,
        obj=entry,
        actor=actor,
    )
    entry.transaction = txn
    entry.save(update_fields=["transaction"])


def _find_original(entry: BankEntry) -> BankEntry | None:
    """The credit a reversal or return takes back: same end-to-end id, else same mandate and amount."""
    candidates = BankEntry.objects.filter(credit=True, amount_cents=entry.amount_cents).exclude(pk=entry.pk)
    if entry.end_to_end_id:
        found = candidates.filter(end_to_end_id=entry.end_to_end_id).order_by("-booking_date", "-pk").first()
        if found is not None:
            return found
    if entry.mandate_id:
        return candidates.filter(mandate_id=entry.mandate_id).order_by("-booking_date", "-pk").first()
    return None


def _undo_credit(original: BankEntry, entry: BankEntry, actor: Actor) -> None:
    """Take back everything a credit paid: its payments (with re-allocation), its suspense money, refunds."""
    reason = f"Rückgabe {entry.return_reason}" if entry.return_reason else "Storno der Bank"
    while True:
        payment = (
            Payment.objects.filter(bank_entry=original, reversal__isnull=True)
            .order_by("received_on", "pk")
            .first()
        )
        if payment is None:
            break
        do_reverse_payment(
            payment,
            on=entry.value_date,
            reason=reason,
            actor=actor,
            kind=ReversalKind.RETURNED,
            bank_entry=entry,
        )
    suspense, bank = office_account(AccountKind.SUSPENSE), office_account(AccountKind.BANK)
    refunds = office_account(AccountKind.REFUND_PAYABLE)
    lines = []
    clarification = Clarification.objects.filter(entry=original).first()
    if clarification is not None:
        if clarification.open_cents:
            lines += [
                debit(suspense, Cents(clarification.open_cents)),
                credit(bank, Cents(clarification.open_cents)),
            ]
        for refund in clarification.refunds.filter(status__in=(RefundStatus.PROPOSED, RefundStatus.APPROVED)):
            lines += [debit(refunds, Cents(refund.amount_cents)), credit(bank, Cents(refund.amount_cents))]
            refund.status = RefundStatus.CANCELLED
            refund.save(update_fields=["status"])
        clarification.open_cents = 0
        clarification.status = ClarificationStatus.BOOKED
        clarification.resolved_on = entry.booking_date
        clarification.resolved_by = actor_name(actor)
        clarification.note = f"{reason}: Gutschrift zurückgebucht."[:500]
        clarification.save(update_fields=["open_cents", "status", "resolved_on", "resolved_by", "note"])
    txn = None
    if lines:
        txn = do_post_transaction(
            lines, reason_code="bank.returned", description=f"{reason}: {original.payer_name}"[:300],
            value_date=entry.value_date, obj=entry, actor=actor,
        )  # fmt: skip
    entry.case = original.case
    entry.outcome = EntryOutcome.REVERSED
    entry.match_rule = "original"
    entry.transaction = txn
    entry.save(update_fields=["case", "outcome", "match_rule", "transaction"])
    if entry.kind == EntryKind.RETURN and original.case is not None:
        _mark_instalment_missed(original.case, entry.booking_date)


def _mark_instalment_missed(case: Case, on: dt.date) -> None:
    plan = InstalmentPlan.objects.filter(case=case, status=InstalmentPlanStatus.ACTIVE).first()
    if plan is None:
        return
    plan.instalments.filter(status=InstalmentStatus.OPEN, due_on__lte=on).update(
        status=InstalmentStatus.MISSED
    )


def _book_credit(entry: BankEntry, actor: Actor) -> str:
    match = match_credit(
        Incoming(
            amount_cents=entry.amount_cents, payer_name=entry.payer_name, payer_iban=entry.payer_iban,
            remittance=entry.remittance, structured_reference=entry.structured_reference, mandate_id=entry.mandate_id,
        )
    )  # fmt: skip
    if match.case is None:
        _to_suspense(entry, actor)
        _open_clarification(entry, match.reason, [s.as_json() for s in match.suggestions])
        entry.outcome = EntryOutcome.CLARIFICATION
        entry.save(update_fields=["outcome"])
        return "clarification"
    payment = do_record_payment(
        match.case, amount=Cents(entry.amount_cents), received_on=entry.value_date, source=match.source,
        actor=actor, measure=match.measure, payer=entry.payer_name, reference=entry.remittance[:300],
        designation=match.designation, bank_entry=entry, payer_iban=entry.payer_iban,
    )  # fmt: skip
    entry.case = match.case
    entry.match_rule = match.rule
    entry.outcome = EntryOutcome.MATCHED
    entry.transaction = payment.transaction
    entry.save(update_fields=["case", "match_rule", "outcome", "transaction"])
    return "matched"


def _book(entry: BankEntry, actor: Actor) -> str:
    if entry.kind == EntryKind.CREDIT:
        return _book_credit(entry, actor)
    if entry.kind in (EntryKind.REVERSAL, EntryKind.RETURN):
        original = _find_original(entry)
        if original is not None:
            _undo_credit(original, entry, actor)
            return "reversed"
        reason = "Rückbuchung ohne erkennbare ursprüngliche Gutschrift."
    elif entry.kind == EntryKind.CHARGES:
        amount = Cents(entry.amount_cents)
        entry.transaction = do_post_transaction(
            [debit(office_account(AccountKind.EXPENSE), amount), credit(office_account(AccountKind.BANK), amount)],
            reason_code="bank.charges", description=f"Bankentgelt {entry.remittance}"[:300],
            value_date=entry.value_date, obj=entry, actor=actor,
        )  # fmt: skip
        entry.outcome = EntryOutcome.BOOKED
        entry.save(update_fields=["transaction", "outcome"])
        return "booked"
    elif entry.kind == EntryKind.OUTGOING:
        if _own_transfer_known(entry.end_to_end_id, entry.amount_cents):
            entry.outcome = EntryOutcome.BOOKED
            entry.match_rule = "own_transfer"
            entry.save(update_fields=["outcome", "match_rule"])
            return "booked"
        reason = f"Eigene Überweisung {entry.end_to_end_id} ist keinem Auskehrungslauf bekannt."
    else:
        reason = "Buchungsart nicht automatisch zuzuordnen."
    _to_suspense(entry, actor)
    _open_clarification(entry, reason, [])
    entry.outcome = EntryOutcome.CLARIFICATION
    entry.save(update_fields=["outcome"])
    return "clarification"


def _own_transfer_known(end_to_end_id: str, amount_cents: int) -> bool:
    if Remittance.objects.filter(end_to_end_id=end_to_end_id, amount_cents=amount_cents).exists():
        return True
    return Refund.objects.filter(
        status=RefundStatus.PAID, amount_cents=amount_cents, remittance_run__isnull=False,
        pk=_refund_id(end_to_end_id),
    ).exists()  # fmt: skip


def _refund_id(end_to_end_id: str) -> int:
    tail = end_to_end_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _entry_row(statement_row: BankStatement, booking: Booking, key: str) -> BankEntry:
    entry = booking.entry
    booked_on = entry.booking_date or entry.value_date or statement_row.closing_date or timezone.localdate()
    return BankEntry(
        statement=statement_row,
        bank_key=key,
        position=entry.index,
        kind=classify(booking),
        outcome=EntryOutcome.BOOKED,
        amount_cents=booking.amount_cents,
        credit=booking.credit,
        booking_date=booked_on,
        value_date=entry.value_date or booked_on,
        payer_name=(booking.text("payer_name") if booking.credit else booking.text("payee_name"))[:140],
        payer_iban=(booking.text("payer_iban") if booking.credit else booking.text("payee_iban"))[:34],
        remittance=(booking.text("remittance") or entry.additional_info)[:500],
        structured_reference=booking.text("structured_reference")[:35],
        end_to_end_id=booking.text("end_to_end_id")[:35],
        mandate_id=booking.text("mandate_id")[:35],
        return_reason=booking.text("return_reason")[:4],
        bank_tx_code=(booking.text("bank_tx_code") or entry.bank_tx_code)[:40],
        bank_reference=(entry.account_servicer_ref or entry.entry_ref)[:60],
    )


def _statement_row(bank_import: BankImport, statement: Statement) -> BankStatement:
    existing = BankStatement.objects.filter(
        account_iban=statement.account_iban, kind=statement.kind, statement_id=statement.statement_id
    ).first()
    if existing is not None:
        return existing
    booked = [e for e in statement.entries if e.status == "BOOK"]
    credits = sum(e.amount_cents for e in booked if e.credit)
    debits = sum(e.amount_cents for e in booked if not e.credit)
    difference = None
    if statement.opening_cents is not None and statement.closing_cents is not None:
        difference = statement.opening_cents + credits - debits - statement.closing_cents
    return BankStatement.objects.create(
        bank_import=bank_import, kind=statement.kind, version=statement.version,
        message_id=statement.message_id[:35], statement_id=statement.statement_id[:35],
        sequence=statement.sequence[:20], account_iban=statement.account_iban[:34],
        opening_cents=statement.opening_cents, opening_date=statement.opening_date,
        closing_cents=statement.closing_cents, closing_date=statement.closing_date,
        credits_cents=credits, debits_cents=debits, entries=len(statement.entries), difference_cents=difference,
    )  # fmt: skip


def reconcile(statement_row: BankStatement) -> None:
    """Compare the statement's closing balance with the ledger's bank account on that date."""
    if statement_row.closing_cents is None or statement_row.closing_date is None:
        return
    ledger = balance(office_account(AccountKind.BANK), as_of=statement_row.closing_date)
    statement_row.ledger_difference_cents = statement_row.closing_cents - int(ledger)
    statement_row.save(update_fields=["ledger_difference_cents"])


@transaction.atomic
def _reject(bank_import: BankImport, error: CamtError, actor: Actor) -> BankImport:
    bank_import.status = BankImportStatus.REJECTED
    bank_import.error_code = error.code
    bank_import.error_message = error.message
    bank_import.error_line = error.line
    bank_import.save()
    record_event(
        actor=actor, action="payments.bank_file_rejected", obj=bank_import,
        summary={"sha256": bank_import.sha256, "code": error.code, "line": error.line},
    )  # fmt: skip
    return bank_import


#: Credits booked together (one transaction, a handful of queries); a failing chunk is booked one by one.
BULK_CHUNK = 2_000


def import_statements(
    bank_import: BankImport, statements: list[Statement], actor: Actor, *, bulk: bool = True
) -> Counter[str]:
    """Book the statements of an accepted file. Credits go through the bulk path in chunks
    (:mod:`kofo.payments.bulk`), everything else — and any credit the bulk path hands back — one by one in
    the file's order, each in its own transaction; all is committed as it goes, so an interrupted import
    is completed by importing the file again."""
    counts: Counter[str] = Counter()
    for statement in statements:
        with transaction.atomic():
            row = _statement_row(bank_import, statement)
        counts["statements"] += 1
        todo: list[tuple[Booking, str]] = []
        for booking in bookings(statement):
            if booking.entry.status != "BOOK":
                counts["pending"] += 1
                continue
            todo.append((booking, bank_key(booking)))
        known = _known_keys([key for _booking, key in todo])
        fresh: list[BankEntry] = []
        for booking, key in todo:
            if key in known:
                counts["known"] += 1
                continue
            known.add(key)
            fresh.append(_entry_row(row, booking, key))
        one_by_one = [e for e in fresh if not bulk or e.kind != EntryKind.CREDIT]
        credits = [e for e in fresh if bulk and e.kind == EntryKind.CREDIT]
        if credits:
            directory = PrefetchedDirectory([incoming_of(e) for e in credits])
            accounts = Accounts()
            for start in range(0, len(credits), BULK_CHUNK):
                chunk = credits[start : start + BULK_CHUNK]
                try:
                    with transaction.atomic():
                        done, slow = book_credits(chunk, directory, accounts, actor)
                except Exception:
                    logger.exception("Sammelbuchung fehlgeschlagen; die Gutschriften werden einzeln gebucht.")
                    for entry in chunk:
                        entry.pk = None
                    one_by_one.extend(chunk)
                    accounts = Accounts()  # accounts created in the rolled-back chunk are gone
                    continue
                counts.update(done)
                one_by_one.extend(slow)
        # Money is booked in the order it arrived (value date), within a day in the order of the file.
        one_by_one.sort(key=lambda e: (e.value_date, e.position, e.bank_key))
        for entry in one_by_one:
            with transaction.atomic():
                if BankEntry.objects.filter(bank_key=entry.bank_key).exists():
                    counts["known"] += 1
                    continue
                entry.save()
                counts["new"] += 1
                counts[_book(entry, actor)] += 1
        reconcile(row)
    return counts


def _known_keys(keys: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), 2_000):
        known.update(
            BankEntry.objects.filter(bank_key__in=keys[start : start + 2_000]).values_list(
                "bank_key", flat=True
            )
        )
    return known


def do_import_bank_file(
    filename: str, data: bytes, *, source: str = ImportSource.CLI, actor: Actor
) -> BankImport:
    """Import one bank file (XML or ZIP): archived, parsed whole, booked once, reconciled."""
    sha256 = archive.store(data)
    bank_import = BankImport(
        filename=filename[:255], sha256=sha256, size_bytes=len(data), source=source,
        status=BankImportStatus.DONE, created_by=actor_name(actor),
    )  # fmt: skip
    if len(data) > BANK_FILE_BYTES_MAX:
        return _reject(
            bank_import,
            CamtError("camt.too_large", f"Die Datei ist größer als {BANK_FILE_BYTES_MAX // 1_000_000} MB."),
            actor,
        )
    try:
        members = read_upload(
            filename, data, max_bytes=BANK_UNPACKED_BYTES_MAX, max_members=BANK_ZIP_MEMBERS_MAX
        )
        statements: list[Statement] = []
        for name, content in members:
            try:
                statements.extend(read_statements(content, max_bytes=BANK_UNPACKED_BYTES_MAX))
            except CamtError as exc:
                if len(members) > 1:
                    raise CamtError(exc.code, f"{name}: {exc.message}", exc.line) from exc
                raise
    except CamtError as exc:
        return _reject(bank_import, exc, actor)
    bank_import.save()
    counts = import_statements(bank_import, statements, actor)
    bank_import.statements = counts["statements"]
    bank_import.entries_new = counts["new"]
    bank_import.entries_known = counts["known"]
    bank_import.entries_pending = counts["pending"]
    bank_import.matched = counts["matched"]
    bank_import.clarification = counts["clarification"]
    with transaction.atomic():
        bank_import.save()
        record_event(
            actor=actor, action="payments.import_bank_file", obj=bank_import,
            summary={"sha256": sha256, "filename": filename, **{k: int(v) for k, v in sorted(counts.items())}},
        )  # fmt: skip
    return bank_import
