"""Writing audit events and personal-data access entries.

``record_event`` must be called inside the action's database transaction (rules of the house, no. 2), so
the change and its audit event are committed together or not at all.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from kofo.audit.actors import Actor, actor_name, actor_user_id
from kofo.audit.chain import event_hash
from kofo.audit.models import GENESIS_HASH, AuditEvent, PersonalDataAccess

# Advisory lock key serialising writers of the chain on PostgreSQL (SQLite serialises writers itself).
_CHAIN_LOCK_KEY = 0x6B6F666F  # "kofo"


class NotInTransactionError(RuntimeError):
    pass


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def jsonable(summary: Any) -> Any:
    # Round-trip through JSON so the hashed value is exactly what the database gives back later.
    return json.loads(json.dumps(summary, cls=DjangoJSONEncoder, ensure_ascii=False))


def record_event(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    partner: Any = None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. ``partner`` is the partner whose data the action touched."""
    if not connection.in_atomic_block:
        raise NotInTransactionError(f"Prüfpfad-Eintrag {action!r} außerhalb einer Transaktion.")
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or GENESIS_HASH
    created_at = timezone.now()
    name = actor_name(actor)
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    object_repr = str(obj)[:200] if obj is not None else ""
    partner_id = getattr(partner, "pk", partner)
    payload = jsonable(summary or {})
    digest = event_hash(
        prev_hash=prev_hash,
        created_at=created_at,
        actor=name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        partner_id=partner_id,
        summary=payload,
    )
    return AuditEvent.objects.create(
        created_at=created_at,
        actor=name,
        actor_user_id=actor_user_id(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        partner_id=partner_id,
        summary=payload,
        prev_hash=prev_hash,
        hash=digest,
    )


def log_personal_data_access(
    *,
    actor: Actor,
    subject: models.Model,
    what: str,
    purpose: str = "",
    channel: str = "ui",
    path: str = "",
) -> PersonalDataAccess:
    """Record that ``actor`` read personal data of ``subject`` (a debtor, a contact person …)."""
    name = actor_name(actor)  # refuses anonymous readers with a German message
    return PersonalDataAccess.objects.create(
        accessed_at=timezone.now(),
        user_id=actor_user_id(actor),
        actor=name,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_repr=str(subject)[:200],
        what=what[:200],
        purpose=purpose[:200],
        channel=channel,
        path=path[:300],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ, as ``{field: [old, new]}``: the summary of an update."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
