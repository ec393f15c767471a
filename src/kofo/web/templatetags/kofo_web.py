"""Template helpers of kofo's web UI: money, KERN form widgets, alerts, badges."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from kofo import limits
from kofo.money import Cents
from kofo.web import queries

register = template.Library()


@register.filter
def cents(value: Any) -> str:
    """An integer amount of cents (or Cents) in German form: ``1.234,56 EUR``; empty for None."""
    if value is None or value == "":
        return ""
    return str(Cents(int(value)))


@register.filter
def cents_abs(value: Any) -> str:
    """The absolute amount, for ledger columns that show the side (Soll/Haben) separately."""
    if value is None or value == "":
        return ""
    return str(Cents(abs(int(value))))


@register.filter
def ledger_side(value: Any) -> str:
    """Soll for a debit balance, Haben for a credit balance, nothing for zero."""
    amount = int(value or 0)
    if amount > 0:
        return "Soll"
    if amount < 0:
        return "Haben"
    return ""


@register.filter
def debit_part(value: Any) -> str:
    amount = int(value or 0)
    return str(Cents(amount)) if amount > 0 else ""


@register.filter
def credit_part(value: Any) -> str:
    amount = int(value or 0)
    return str(Cents(-amount)) if amount < 0 else ""


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


@register.filter
def alert_variant(level_tag: str) -> str:
    """Django message level → KERN alert variant (and icon name)."""
    return {"error": "danger", "warning": "warning", "success": "success"}.get(level_tag, "info")


@register.simple_tag
def lockout_minutes() -> int:
    return round(limits.LOGIN_LOCKOUT_HOURS * 60)


@register.simple_tag
def login_failures_max() -> int:
    return limits.LOGIN_FAILURES_MAX


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    if value is None:
        return lockout_minutes()
    return max(1, round(value.total_seconds() / 60))


@register.simple_tag
def kern_widget(field: BoundField) -> SafeString:
    """Render a form field's control with KERN classes, ``aria-invalid`` and ``aria-describedby``.

    The hint and the error message are rendered by ``web/includes/field.html`` with the ids
    ``<id>_helptext`` and ``<id>_error`` (the same ids Django itself uses).
    """
    widget_type = field.widget_type
    if widget_type == "checkbox":
        css = "kern-form-check__checkbox"
    elif widget_type in ("select", "selectmultiple", "nullbooleanselect"):
        css = "kern-form-input__select"
    else:
        css = "kern-form-input__input"
    classes = [css]
    if field.errors:
        classes.append(f"{css}--error")
    own_class = field.field.widget.attrs.get("class")
    if own_class:
        classes.append(own_class)
    attrs: dict[str, Any] = {"class": " ".join(classes)}
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("web/includes/agreement_status.html")
def agreement_status(agreement: Any, on: dt.date | None = None) -> dict[str, Any]:
    label, variant = queries.agreement_status(agreement, on)
    return {"label": label, "variant": variant}
