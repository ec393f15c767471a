"""Template helpers of kofo's web UI: money, KERN form widgets, alerts, badges."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from kofo import limits
from kofo.intake.items import FIELD_LABELS
from kofo.ledger.models import Component
from kofo.money import Cents
from kofo.partners.models import ClaimType
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


def _german_decimal(value: float, places: int) -> str:
    text = f"{abs(value):,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return text


@register.filter
def decimal_de(value: Any, places: int = 2) -> str:
    """A number in German notation (``12,35``); empty for None. Used for match weights, never money."""
    if value is None or value == "":
        return ""
    number = float(value)
    return ("−" if number < 0 else "") + _german_decimal(number, int(places))


@register.filter
def signed_weight(value: Any) -> str:
    """A match weight with its sign: ``+2,35`` speaks for the same person, ``−4,10`` against; ``–`` if none."""
    if value is None or value == "":
        return "–"
    number = float(value)
    if number == 0:
        return "±0,00"
    return ("+" if number > 0 else "−") + _german_decimal(number, 2)


@register.inclusion_tag("web/includes/badge.html")
def claim_status(claim: Any) -> dict[str, Any]:
    return {
        "label": claim.get_status_display(),
        "variant": queries.CLAIM_STATUS_VARIANTS.get(claim.status, "info"),
    }


@register.inclusion_tag("web/includes/badge.html")
def item_status(item: Any) -> dict[str, Any]:
    return {
        "label": item.get_status_display(),
        "variant": queries.ITEM_STATUS_VARIANTS.get(item.status, "info"),
    }


@register.inclusion_tag("web/includes/badge.html")
def batch_status(batch: Any) -> dict[str, Any]:
    label = batch.get_status_display()
    if batch.status == "refused":
        variant = "danger"
    elif batch.items_rejected or batch.items_conflict:
        variant, label = "warning", f"{label}, mit Ablehnungen"
    else:
        variant = "success"
    return {"label": label, "variant": variant}


@register.filter
def field_label(field: str) -> str:
    """The German label of an intake field code (``due_date`` → ``Fälligkeit``)."""
    return FIELD_LABELS.get(field, field)


@register.filter
def component_label(code: str) -> str:
    try:
        return str(Component(code).label)
    except ValueError:
        return code


@register.filter
def claim_type_label(code: str) -> str:
    try:
        return str(ClaimType(code).label)
    except ValueError:
        return code
