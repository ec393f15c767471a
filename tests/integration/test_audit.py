"""The audit trail: append-only, SHA-256 hash-chained events, verified by ``kofo audit verify``.

Proves on SQLite and PostgreSQL: a sequence of actions yields an intact chain; the command passes on it and
detects (exit code 2, first broken event id) a tampered field, a changed summary, a re-hashed forgery and
a deleted row; the audit tables refuse UPDATE/DELETE in code and in the database; an event is only written
inside a transaction and disappears with a failed action; access to personal data is logged.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction
from django.utils import timezone

from kofo import limits
from kofo.audit.actions import action
from kofo.audit.actors import SystemActor
from kofo.audit.appendonly import AppendOnlyError
from kofo.audit.chain import event_hash, hash_of, verify_chain
from kofo.audit.models import GENESIS_HASH, AuditEvent, PersonalDataAccess
from kofo.audit.recording import NotInTransactionError, changes, log_personal_data_access, record_event
from kofo.ledger.accounts import office_account, partner_account
from kofo.ledger.actions import credit, debit, do_post_transaction, do_reverse_transaction
from kofo.ledger.models import AccountKind
from kofo.money import Cents
from kofo.partners.actions import do_save_agreement, do_save_partner
from kofo.partners.roles import Role
from tests import factories
from tests.factories import TEST_ACTOR

DB_ERRORS = (IntegrityError, InternalError, DatabaseError)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 costs half a second per user; hashing is proven in test_partners, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- helpers --------------------------------------------------------------------------------------------


@pytest.fixture
def history(db: Any) -> list[AuditEvent]:
    """A realistic run of actions: office, partners, agreement concluded and amended, a booking, a reversal."""
    factories.make_office()
    a = factories.make_partner()
    factories.make_partner()
    agreement = factories.make_agreement(a)
    agreement.notice_period_months = 3
    do_save_agreement(agreement, actor=TEST_ACTOR, reason="Nachtrag 1")
    a.city = "Völklingen"
    do_save_partner(a, actor=TEST_ACTOR)
    txn = do_post_transaction(
        [
            debit(office_account(AccountKind.BANK), Cents(4_200)),
            credit(partner_account(a, AccountKind.PARTNER_PAYABLE), Cents(4_200)),
        ],
        reason_code="payment.allocation",
        description="Zahlung",
        actor=TEST_ACTOR,
        partner=a,
    )
    do_reverse_transaction(txn, reason="Fehlbuchung", actor=TEST_ACTOR)
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 7
    return events


def _verify(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@contextmanager
def _audit_triggers_off() -> Iterator[None]:
    """Tamper like an attacker with database rights: take the append-only trigger of the audit table away.

    Inside the test's transaction, so the rollback at the end of the test restores the trigger.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; ALTER TABLE refuses while trigger events are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
    yield


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the intact chain -----------------------------------------------------------------------------------


def test_chain_of_a_sequence_of_actions_verifies(history: list[AuditEvent]) -> None:
    """Each event links to its predecessor's hash (the first to the genesis hash) and its own hash matches."""
    assert history[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(history):
        assert event.prev_hash == previous.hash
    for event in history:
        assert hash_of(event) == event.hash
        assert len(event.hash) == 64
    result = verify_chain()
    assert result.ok
    assert result.first_break is None
    assert result.events_checked == len(history)
    actions = [event.action for event in history]
    assert actions[:4] == [
        "partners.save_office",
        "partners.create_partner",
        "partners.create_partner",
        "partners.conclude_agreement",
    ]
    assert actions[-3:] == [
        "partners.change_partner",
        "ledger.post_transaction",
        "ledger.reverse_transaction",
    ]


def test_empty_chain_verifies(db: Any) -> None:
    """No events: nothing to break."""
    if AuditEvent.objects.exists():  # e.g. data migrations writing events
        pytest.skip("the database starts with audit events")
    result = verify_chain()
    assert (result.ok, result.events_checked) == (True, 0)


def test_verify_command_passes_on_an_intact_chain(history: list[AuditEvent]) -> None:
    """``kofo audit verify`` reports the number of events and a closed chain, without error."""
    out, error = _verify()
    assert error is None
    assert f"Prüfpfad in Ordnung: {len(history)} Einträge" in out
    out, error = _verify("--json")
    assert error is None
    assert json.loads(out) == {"ok": True, "events_checked": len(history), "first_break": None}


def test_verification_reads_the_chain_across_batches(
    history: list[AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading in batches (limit AUDIT_VERIFY_BATCH_SIZE) neither drops events nor breaks the link between batches."""
    monkeypatch.setattr(limits, "AUDIT_VERIFY_BATCH_SIZE", 2)
    result = verify_chain()
    assert (result.ok, result.events_checked) == (True, len(history))
    with _audit_triggers_off():
        _raw("UPDATE audit_auditevent SET actor = 'eindringling' WHERE id = %s", [history[-2].id])
    result = verify_chain()
    assert result.first_break is not None
    assert result.first_break.event_id == history[-2].id


# --- tampering is detected ------------------------------------------------------------------------------

TAMPERED_FIELDS = [
    pytest.param("actor", "'eindringling'", id="actor"),
    pytest.param("action", "'partners.nothing'", id="action"),
    pytest.param("object_id", "'999999'", id="object_id"),
    pytest.param("object_repr", "'andere Person'", id="object_repr"),
    pytest.param("partner_id", "NULL", id="partner"),
    pytest.param("created_at", "%s", id="created_at"),
    pytest.param("summary", "%s", id="summary"),
]


@pytest.mark.parametrize(("column", "value"), TAMPERED_FIELDS)
def test_verify_command_detects_a_tampered_row(history: list[AuditEvent], column: str, value: str) -> None:
    """Changing any hashed field of a row breaks the chain exactly at that row; the command exits with 2."""
    target = next(e for e in history[1:-1] if e.partner_id is not None)
    params: list[Any] = []
    if column == "created_at":
        params = [target.created_at - dt.timedelta(days=1)]
    elif column == "summary":
        params = [json.dumps({"changes": {"iban": [None, "DE02120300000000202051"]}})]
    with _audit_triggers_off():
        _raw(f"UPDATE audit_auditevent SET {column} = {value} WHERE id = %s", [*params, target.id])  # noqa: S608

    out, error = _verify("--json")
    assert error is not None
    assert error.returncode == 2
    assert f"#{target.id}" in str(error)
    assert "Inhalt verändert" in str(error)
    report = json.loads(out)
    assert report["ok"] is False
    assert report["first_break"]["event_id"] == target.id
    assert report["events_checked"] == history.index(target) + 1


def test_changed_summary_is_detected_without_json(history: list[AuditEvent]) -> None:
    """The plain (human) form of the command also refuses a changed change summary, naming the event."""
    target = next(e for e in history if e.action == "ledger.post_transaction")
    forged = dict(target.summary, postings=[["1000", 1], ["3000-x", -1]])
    with _audit_triggers_off():
        _raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", [json.dumps(forged), target.id])
    out, error = _verify()
    assert error is not None
    assert error.returncode == 2
    assert str(error).startswith(f"Prüfpfad verletzt bei Eintrag #{target.id}:")
    assert "in Ordnung" not in out


def test_rehashed_forgery_is_detected_at_the_next_event(history: list[AuditEvent]) -> None:
    """A forger who also recomputes the row's own hash still breaks the link to the following event."""
    target = history[3]
    forged_summary = {"forged": True}
    forged_hash = event_hash(
        prev_hash=target.prev_hash,
        created_at=target.created_at,
        actor=target.actor,
        action=target.action,
        object_type=target.object_type,
        object_id=target.object_id,
        object_repr=target.object_repr,
        partner_id=target.partner_id,
        summary=forged_summary,
    )
    with _audit_triggers_off():
        _raw(
            "UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s",
            [json.dumps(forged_summary), forged_hash, target.id],
        )
    out, error = _verify("--json")
    assert error is not None and error.returncode == 2
    report = json.loads(out)
    assert report["first_break"]["event_id"] == history[4].id
    assert "Verkettung unterbrochen" in report["first_break"]["reason"]


@pytest.mark.parametrize("position", [0, 3, -2])
def test_verify_command_detects_a_deleted_row(history: list[AuditEvent], position: int) -> None:
    """Deleting a row (first or in the middle) breaks the link at the following event."""
    deleted, successor = history[position], history[position + 1]
    with _audit_triggers_off():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [deleted.id])
    out, error = _verify("--json")
    assert error is not None
    assert error.returncode == 2
    assert f"#{successor.id}" in str(error)
    report = json.loads(out)
    assert report["first_break"]["event_id"] == successor.id
    assert "Verkettung unterbrochen" in report["first_break"]["reason"]


def test_swapped_rows_are_detected(history: list[AuditEvent]) -> None:
    """Exchanging the contents of two rows (reordering history) breaks the chain at the first of them."""
    first, second = history[2], history[3]
    columns = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "summary",
        "prev_hash",
    ]
    with _audit_triggers_off():
        # hash is unique: park both rows' hashes while swapping.
        _raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["x" * 64, first.id])
        _raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["y" * 64, second.id])
        for source, target in ((second, first), (first, second)):
            values = [getattr(source, c) if c != "summary" else json.dumps(source.summary) for c in columns]
            assignments = ", ".join(f"{c} = %s" for c in columns)
            _raw(
                f"UPDATE audit_auditevent SET {assignments}, hash = %s, partner_id = %s WHERE id = %s",  # noqa: S608
                [*values, source.hash, source.partner_id, target.id],
            )
    result = verify_chain()
    assert result.first_break is not None
    assert result.first_break.event_id == first.id


# --- append-only ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda e: e.save(), id="save"),
        pytest.param(lambda e: e.delete(), id="delete"),
        pytest.param(lambda e: AuditEvent.objects.filter(pk=e.pk).update(actor="x"), id="qs-update"),
        pytest.param(lambda e: AuditEvent.objects.filter(pk=e.pk).delete(), id="qs-delete"),
        pytest.param(lambda e: AuditEvent.objects.bulk_update([e], ["actor"]), id="bulk-update"),
    ],
)
def test_orm_cannot_change_audit_events(history: list[AuditEvent], edit: Any) -> None:
    """Audit events are append-only in code."""
    event = AuditEvent.objects.get(pk=history[1].pk)
    event.actor = "eindringling"
    with pytest.raises(AppendOnlyError):
        edit(event)
    assert AuditEvent.objects.get(pk=event.pk).actor == history[1].actor
    assert verify_chain().ok


@pytest.mark.parametrize(
    ("sql", "operation", "table"),
    [
        ("UPDATE audit_auditevent SET actor = 'x' WHERE id = %s", "UPDATE", "audit_auditevent"),
        ("DELETE FROM audit_auditevent WHERE id = %s", "DELETE", "audit_auditevent"),
        (
            "UPDATE audit_personaldataaccess SET what = 'x' WHERE id = %s",
            "UPDATE",
            "audit_personaldataaccess",
        ),
        ("DELETE FROM audit_personaldataaccess WHERE id = %s", "DELETE", "audit_personaldataaccess"),
    ],
)
def test_database_refuses_raw_sql_on_audit_tables(
    history: list[AuditEvent], admin_user: Any, sql: str, operation: str, table: str
) -> None:
    """The audit tables' triggers refuse a hand-written UPDATE/DELETE (SQLite and PostgreSQL)."""
    access = log_personal_data_access(actor=admin_user, subject=admin_user, what="Anschrift")
    row_id = history[1].id if table == "audit_auditevent" else access.id
    with pytest.raises(DB_ERRORS) as excinfo, transaction.atomic():
        _raw(sql, [row_id])
    assert f"{operation} auf {table} abgelehnt" in str(excinfo.value)
    assert "unveränderlich" in str(excinfo.value)
    assert verify_chain().ok
    assert PersonalDataAccess.objects.filter(pk=access.pk, what="Anschrift").exists()


# --- writing events ---------------------------------------------------------------------------------------


def test_record_event_outside_a_transaction_raises() -> None:
    """Rule 2: an audit event is written only inside the action's transaction (checked before any query)."""
    assert not connection.in_atomic_block
    with pytest.raises(NotInTransactionError, match="außerhalb einer Transaktion"):
        record_event(actor=TEST_ACTOR, action="test.outside")


def test_record_event_refuses_an_anonymous_actor(db: Any) -> None:
    """Every event has a named actor: an anonymous user cannot act."""
    with pytest.raises(ValueError, match="angemeldeten Akteur"), transaction.atomic():
        record_event(actor=AnonymousUser(), action="test.anonymous")
    assert not AuditEvent.objects.filter(action="test.anonymous").exists()


def test_record_event_names_user_object_and_partner(admin_user: Any, partner: Any) -> None:
    """An event records who (name and user), what (object type, id, text), whose (partner), when, and the change."""
    before = timezone.now()
    with transaction.atomic():
        event = record_event(
            actor=admin_user,
            action="test.look",
            obj=partner,
            partner=partner,
            summary={"betrag": Cents(1234), "am": dt.date(2025, 5, 1)},
        )
    event.refresh_from_db()
    assert event.actor == admin_user.username
    assert event.actor_user_id == admin_user.pk
    assert (event.object_type, event.object_id, event.object_repr) == (
        "partners.partner",
        str(partner.pk),
        partner.name,
    )
    assert event.partner_id == partner.pk
    assert event.summary == {"betrag": 1234, "am": "2025-05-01"}
    assert before <= event.created_at <= timezone.now()
    assert hash_of(event) == event.hash
    assert verify_chain().ok


def test_failed_action_leaves_no_audit_event(db: Any) -> None:
    """An @action runs in one transaction: when it fails after recording, its event is rolled back too."""

    @action
    def do_fail(*, actor: Any) -> None:
        record_event(actor=actor, action="test.failing")
        raise RuntimeError("Fehler nach dem Eintrag")

    with pytest.raises(RuntimeError):
        do_fail(actor=TEST_ACTOR)
    assert not AuditEvent.objects.filter(action="test.failing").exists()


@pytest.mark.parametrize("kwargs", [{}, {"actor": None}])
def test_action_without_actor_is_refused(db: Any, kwargs: dict[str, Any]) -> None:
    """Rule 2: an action without ``actor`` raises before anything runs."""
    ran = []

    @action
    def do_thing(*, actor: Any = None) -> None:
        ran.append(actor)

    with pytest.raises(TypeError, match="actor"):
        do_thing(**kwargs)
    assert ran == []


def test_system_actor_has_no_user(db: Any) -> None:
    """A job or the API acts as a named system actor, with no user row."""
    with transaction.atomic():
        event = record_event(actor=SystemActor("api-token:gemeinde/abc"), action="test.system")
    assert (event.actor, event.actor_user_id) == ("api-token:gemeinde/abc", None)


def test_changes_lists_only_differing_fields() -> None:
    """The summary of an update is ``{field: [old, new]}`` for changed fields only, added and removed included."""
    assert changes({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 4}) == {
        "b": [2, 5],
        "c": [3, None],
        "d": [None, 4],
    }
    assert changes({"a": 1}, {"a": 1}) == {}


# --- personal-data access log ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.INNENDIENST, Role.PRUEFUNG])
def test_personal_data_access_is_logged(user_of: Any, partner: Any, role: Role) -> None:
    """Who read whose personal data, what, why, how and when (Art. 5 Abs. 2 DSGVO)."""
    user = user_of(role)
    before = timezone.now()
    entry = log_personal_data_access(
        actor=user,
        subject=partner,
        what="Anschrift und Bankverbindung",
        purpose="Vollstreckungsauftrag prüfen",
        channel="api",
        path="/api/v1/partners/x",
    )
    entry.refresh_from_db()
    assert entry.user_id == user.pk
    assert entry.actor == user.username
    assert (entry.subject_type, entry.subject_id, entry.subject_repr) == (
        "partners.partner",
        str(partner.pk),
        partner.name,
    )
    assert (entry.what, entry.purpose, entry.channel, entry.path) == (
        "Anschrift und Bankverbindung",
        "Vollstreckungsauftrag prüfen",
        "api",
        "/api/v1/partners/x",
    )
    assert before <= entry.accessed_at <= timezone.now()
    assert str(entry) == f"{user.username} → {partner.name}: Anschrift und Bankverbindung"


def test_personal_data_access_truncates_long_text(admin_user: Any, partner: Any) -> None:
    """Overlong descriptions are cut to the column size; the entry itself is append-only."""
    entry = log_personal_data_access(actor=admin_user, subject=partner, what="x" * 500, path="/" * 400)
    assert (len(entry.what), len(entry.path)) == (200, 300)
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_personal_data_access_by_anonymous_is_refused_and_not_logged(partner: Any) -> None:
    """An anonymous reader cannot be logged as anyone: refused, no entry written."""
    with pytest.raises((ValueError, TypeError)):
        log_personal_data_access(actor=AnonymousUser(), subject=partner, what="Anschrift")
    assert not PersonalDataAccess.objects.exists()


def test_personal_data_access_by_anonymous_gets_the_german_refusal(partner: Any) -> None:
    """The refusal is the same precise German message as for actions (rule 9)."""
    with pytest.raises(ValueError, match="angemeldeten Akteur"):
        log_personal_data_access(actor=AnonymousUser(), subject=partner, what="Anschrift")
