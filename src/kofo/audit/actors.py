"""Who acts: a person (a Django user) or the system itself (a job, the demo loader, an API token)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


@dataclass(frozen=True)
class SystemActor:
    """A non-human actor, named like ``system:demo`` or ``api-token:<partner>/<token>``."""

    name: str

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = AbstractBaseUser | SystemActor

SYSTEM = SystemActor("system")


def actor_name(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.name
    if isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        raise ValueError("Aktionen brauchen einen angemeldeten Akteur.")
    return str(actor.get_username())


def actor_user_id(actor: Actor) -> int | None:
    if isinstance(actor, SystemActor):
        return None
    return int(actor.pk)
