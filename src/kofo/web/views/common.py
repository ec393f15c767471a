"""Helpers shared by the views: permission gate, pagination, htmx detection."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from kofo import limits
from kofo.audit import archive
from kofo.web.rules import User

View = Callable[..., HttpResponse]


def require(predicate: Callable[[User], bool]) -> Callable[[View], View]:
    """Login required (redirect to the login page), then 403 unless ``predicate(request.user)``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not predicate(request.user):
                raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def paginate(request: HttpRequest, items: Any, per_page: int = limits.PAGE_SIZE_DEFAULT) -> Page[Any]:
    """One page of ``items`` (``?seite=N``); out-of-range or garbage page numbers fall back gracefully."""
    per_page = max(1, min(per_page, limits.PAGE_SIZE_MAX))
    return Paginator(items, per_page).get_page(request.GET.get("seite"))


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the full page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def acting_user(request: HttpRequest) -> AbstractBaseUser:
    """The logged-in user as the actor of an action (views behind ``require`` always have one)."""
    user = request.user
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        raise PermissionDenied("Nicht angemeldet.")
    return user


def archived_or_report(request: HttpRequest, sha256: str, what: str, area: str) -> bytes | None:
    """The archived bytes of a download, or None with the German reason in the page's messages (the file is
    damaged or missing); the caller answers with the page to go back to."""
    try:
        return archive.load(sha256, area)
    except archive.ArchiveError as exc:
        messages.error(request, f"{what} kann nicht geliefert werden: {exc}")
    except OSError:
        messages.error(
            request,
            f"{what} kann nicht geliefert werden: die Datei mit SHA-256 {sha256[:12]}… fehlt im Archiv.",
        )
    return None
