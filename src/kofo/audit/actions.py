"""The action convention (rules of the house, no. 2).

Every write is a named function ``do_<verb>_<noun>(..., *, actor)`` in its app's ``actions.py``. The
:func:`action` decorator runs it in one database transaction and refuses a call without an actor; the
function itself writes its audit event with :func:`kofo.audit.recording.record_event`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")


def action(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs.get("actor") is None:
            raise TypeError(f"{func.__name__}() braucht das Schlüsselwort-Argument actor.")
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper
