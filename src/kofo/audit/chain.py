"""The hash chain of the audit trail: how an event's hash is computed and how the chain is verified."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kofo import limits
from kofo.audit.models import GENESIS_HASH, AuditEvent


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    partner_id: int | None,
    summary: Any,
) -> str:
    content = canonical_json(
        {
            "prev": prev_hash,
            "at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "partner": partner_id,
            "summary": summary,
        }
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        partner_id=event.partner_id,
        summary=event.summary,
    )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events() -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(id__gt=last_id).order_by("id")[: limits.AUDIT_VERIFY_BATCH_SIZE]
        )
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def verify_chain(progress: Any = None) -> VerifyResult:
    """Recompute every hash in order; report the first event whose link or content does not match."""
    expected_prev = GENESIS_HASH
    count = 0
    for event in _events():
        count += 1
        if event.prev_hash != expected_prev:
            return VerifyResult(
                count,
                ChainBreak(
                    event.id,
                    "Verkettung unterbrochen: der gespeicherte Vorgänger-Hash passt nicht zum vorigen Eintrag "
                    "(Eintrag davor gelöscht, eingefügt oder verändert).",
                ),
            )
        if hash_of(event) != event.hash:
            return VerifyResult(
                count, ChainBreak(event.id, "Inhalt verändert: der Hash des Eintrags stimmt nicht mehr.")
            )
        expected_prev = event.hash
        if progress is not None:
            progress()
    return VerifyResult(count, None)
