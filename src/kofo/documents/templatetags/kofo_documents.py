"""Filters of the letter templates. The data of a letter is JSON: cents as integers, dates as ISO strings.

Documented for administrators who adjust the texts in ``docs/documents.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from kofo.documents import girocode as epc
from kofo.money import Cents

register = template.Library()

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")  # fmt: skip


@register.filter
def euro(value: Any) -> str:
    """Cents in German form: ``1.234,56 EUR``."""
    if value is None or value == "":
        return ""
    return str(Cents(int(value)))


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@register.filter
def datum(value: Any) -> str:
    """An ISO date as ``25.11.2026``."""
    day = _date(value)
    return f"{day:%d.%m.%Y}" if day else ""


@register.filter
def datum_lang(value: Any) -> str:
    """An ISO date as ``25. November 2026``."""
    day = _date(value)
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}" if day else ""


@register.filter
def iban(value: Any) -> str:
    """An IBAN in groups of four, as printed."""
    compact = str(value or "").replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@register.filter
def girocode(payment: dict[str, Any]) -> str:
    """The GiroCode of a letter's ``payment`` block as an image data URI for ``<img src>``."""
    return epc.image_data_uri(payment)
