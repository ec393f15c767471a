"""Forms of the Rechner page: one per calculator of :mod:`kofo.law.calculators`.

The forms only collect text: the calculators read amounts and dates themselves ("2150,00", "01.09.2025",
"2025-09-01") and answer bad input with a :class:`~kofo.law.calculators.CalculatorError` that names the
field in German; :meth:`CalculatorForm.add_calculator_error` puts that message on the form field it names.
Django's own checks are limited to required fields, lengths and the choices of the selects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from django import forms

from kofo.law import calculators
from kofo.law.calculators import Calculation, CalculatorError
from kofo.law.deadlines import DEFAULT_LAND, LAENDER
from kofo.law.fees import FeeKind
from kofo.law.garnishment import GarnishmentPeriod
from kofo.law.limitation import LimitationEventKind
from kofo.web.forms import KernFormMixin

#: Longest text a single-line field takes (an amount, a date, a number).
TEXT_CHARS_MAX = 30
#: Longest text of a list field (partial payments, interruptions): 50 lines of "DD.MM.YYYY 1.234.567,89".
LIST_CHARS_MAX = 2000

DATE_HINT = "TT.MM.JJJJ oder JJJJ-MM-TT"

# One line of a list field: a date, then a colon, semicolon or blank(s), then the rest (amount or kind).
_LIST_LINE = re.compile(r"(?P<day>[^\s:;]+)\s*(?:[:;]\s*|\s+)(?P<rest>\S.*)")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "_", "-": "_"})


def list_items(text: str, *, kind_words: bool = False) -> list[str]:
    """The lines of a list field as the calculators take them: ``DATUM:REST`` (or just ``DATUM``).

    ``20.03.2025 500,00``, ``20.03.2025: 500,00``, ``2025-03-20;500,00`` and ``2025-03-20:500,00`` all
    become ``…:500,00``. With ``kind_words`` the rest is an interruption kind, which may be written as
    its German name (``Aussetzung der Vollziehung`` → ``aussetzung_der_vollziehung``). A line that does not
    split is passed on unchanged: the calculator answers it with a message that quotes it.
    """
    items: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _LIST_LINE.fullmatch(line)
        if match is None:
            items.append(line)
            continue
        rest = match["rest"].strip()
        if kind_words:
            rest = rest.lower().translate(_TRANSLITERATION)
        items.append(f"{match['day']}:{rest}")
    return items


def format_day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _text(label: str, help_text: str, *, required: bool = True, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_CHARS_MAX,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs}),
    )


def _amount(label: str, help_text: str, *, required: bool = True) -> forms.CharField:
    return _text(label, help_text, required=required, inputmode="decimal")


def _date(label: str, help_text: str = DATE_HINT, *, required: bool = True) -> forms.CharField:
    return _text(label, help_text, required=required)


def _lines(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=LIST_CHARS_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )


#: The Länder for the select, by name: "Baden-Württemberg (BW)" … "Thüringen (TH)".
LAND_CHOICES: list[tuple[str, str]] = sorted(
    ((code, f"{name} ({code})") for code, name in LAENDER.items()), key=lambda choice: choice[1]
)


def _land(help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(label="Land", choices=LAND_CHOICES, initial=DEFAULT_LAND, help_text=help_text)


class CalculatorForm(KernFormMixin, forms.Form):
    """One calculator: its name (URL slug, form prefix, id of its section), texts and the call."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    #: The calculator names a field by its German label (``CalculatorError.field``); this maps it here.
    error_fields: ClassVar[Mapping[str, str]] = {}
    #: Fields that are prefilled with today's date.
    today_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.name)
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        for field in self.today_fields:
            initial.setdefault(field, format_day(today))
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.today = today

    def calculate(self) -> Calculation:
        """Run the calculator on ``cleaned_data`` (the form is valid). Raises :class:`CalculatorError`."""
        raise NotImplementedError

    def field_for(self, exc: CalculatorError) -> str | None:
        """The form field the error is about, or ``None`` when it concerns the calculation as a whole."""
        name = self.error_fields.get(exc.field)
        if name is None:
            name = next((key for key, field in self.fields.items() if field.label == exc.field), None)
        return name if name in self.fields else None

    def add_calculator_error(self, exc: CalculatorError) -> None:
        self.add_error(self.field_for(exc), exc.message)


class PfaendungForm(CalculatorForm):
    name = "pfaendung"
    title = "Pfändungsrechner"
    intro = (
        "Pfändbarer Betrag des Arbeitseinkommens nach § 850c ZPO, mit den Pfändungsfreigrenzen, "
        "die am Stichtag gelten."
    )
    error_fields = {
        "Nettoeinkommen": "netto",
        "Unterhaltspflichten": "unterhaltspflichten",
        "Zeitraum": "zeitraum",
        "Stichtag": "stichtag",
    }
    today_fields = ("stichtag",)

    netto = _amount("Nettoeinkommen", "in Euro, z. B. 2150,00")
    unterhaltspflichten = _text(
        "Unterhaltspflichten",
        "Zahl der Personen, denen der Schuldner auf Grund einer gesetzlichen Verpflichtung Unterhalt "
        "gewährt (0 bis 99)",
        inputmode="numeric",
    )
    zeitraum = forms.ChoiceField(
        label="Zeitraum",
        choices=[(period.value, f"{period.adverb_de} gezahlt") for period in GarnishmentPeriod],
        initial=GarnishmentPeriod.MONAT.value,
        help_text="für welchen Zeitraum das Einkommen gezahlt wird",
    )
    stichtag = _date("Stichtag", f"Tag der Auszahlung, {DATE_HINT}")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"unterhaltspflichten": "0"})
        super().__init__(*args, **kwargs)

    def calculate(self) -> Calculation:
        data = self.cleaned_data
        return calculators.pfaendung(
            data["netto"], data["unterhaltspflichten"], data["zeitraum"], data["stichtag"]
        )


class SaeumnisForm(CalculatorForm):
    name = "saeumnis"
    title = "Säumniszuschläge"
    intro = (
        "Säumniszuschläge nach § 240 AO: 1 % des auf volle 50 Euro abgerundeten Rückstands für jeden "
        "angefangenen Monat der Säumnis, bis zur Zahlung des Rests."
    )
    error_fields = {
        "Betrag": "betrag",
        "Fälligkeit": "faellig",
        "Zahlung": "zahlung",
        "Teilzahlung": "teilzahlungen",
        "Stundung bis": "stundung_bis",
        "Land": "land",
    }
    today_fields = ("zahlung",)

    betrag = _amount(
        "Rückständige Hauptforderung",
        "in Euro, z. B. 1598,00 – ohne Säumniszuschläge, Zinsen, Gebühren und Kosten (§ 240 Abs. 2 AO)",
    )
    faellig = _date("Fälligkeit")
    zahlung = _date("Zahlung des Rests am", f"Zuschläge bis zu diesem Tag, {DATE_HINT}")
    teilzahlungen = _lines(
        "Teilzahlungen",
        "Eine Teilzahlung je Zeile: Datum und Betrag, z. B. „20.03.2025 500,00“ oder „2025-03-20:500,00“; "
        f"höchstens {calculators.LIST_ITEMS_MAX}.",
    )
    stundung_bis = _date(
        "Gestundet bis", f"Eine Stundung (§ 222 AO) verschiebt die Fälligkeit; {DATE_HINT}", required=False
    )
    land = _land("Seine Feiertage verschieben Fälligkeit und Schonfrist (§ 108 Abs. 3 AO).")

    def calculate(self) -> Calculation:
        data = self.cleaned_data
        return calculators.saeumnis(
            data["betrag"],
            data["faellig"],
            zahlung=data["zahlung"],
            teilzahlungen=list_items(data["teilzahlungen"]),
            stundung_bis=data["stundung_bis"] or None,
            land=data["land"],
        )


class FristForm(CalculatorForm):
    name = "frist"
    title = "Fristen"
    intro = (
        "Ende einer Frist oder Tag der Bekanntgabe eines Bescheids nach §§ 187–193 BGB, §§ 108, 122 AO, "
        "mit den Feiertagen des Landes."
    )
    error_fields = {"Beginn": "beginn", "Art": "art", "Land": "land"}
    today_fields = ("beginn",)

    beginn = _date(
        "Tag des Ereignisses",
        f"Aufgabe zur Post, Zustellung oder Fälligkeit; er wird nicht mitgezählt (§ 187 Abs. 1 BGB). {DATE_HINT}",
    )
    art = forms.ChoiceField(
        label="Art der Frist",
        choices=[(kind, calculators.PERIOD_LABELS[kind]) for kind in calculators.PERIOD_KINDS],
    )
    land = _land("Seine Feiertage verschieben ein Fristende (§ 193 BGB, § 108 Abs. 3 AO).")

    def calculate(self) -> Calculation:
        data = self.cleaned_data
        return calculators.frist(data["beginn"], data["art"], data["land"])


INTERRUPTION_EXAMPLE = "„02.05.2023“ (Vollstreckungsmaßnahme) oder „02.05.2023 stundung“"


class VerjaehrungForm(CalculatorForm):
    name = "verjaehrung"
    title = "Verjährung"
    intro = (
        "Zahlungsverjährung nach §§ 228–232 AO: fünf Jahre ab Ende des Jahres der Fälligkeit, neu "
        "beginnend nach jeder Unterbrechung."
    )
    error_fields = {
        "Fälligkeit": "faellig",
        "Unterbrechung": "unterbrechungen",
        "Art der Unterbrechung": "unterbrechungen",
    }

    faellig = _date("Fälligkeit")
    unterbrechungen = _lines(
        "Unterbrechungen",
        f"Eine je Zeile: Datum, dahinter die Art, wenn es keine Vollstreckungsmaßnahme ist, z. B. "
        f"{INTERRUPTION_EXAMPLE}; höchstens {calculators.LIST_ITEMS_MAX}.",
    )

    #: For the table under the field: code, German name, whether it interrupts, the rule that says so.
    interruption_kinds = tuple(
        (kind.value, kind.label_de, kind.interrupts, kind.citation) for kind in LimitationEventKind
    )

    def calculate(self) -> Calculation:
        data = self.cleaned_data
        return calculators.verjaehrung(
            data["faellig"], list_items(data["unterbrechungen"], kind_words=True), heute=self.today
        )


REGIME_LABELS = {
    "ao": "Abgabenordnung (§§ 337–346 AO)",
    "svwvg_sl": "Saarland: Kostenordnung zum SVwVG",
}

# Fee errors the schedule reports about the fee as a whole, but that a missing input causes.
_FEE_ERROR_FIELDS = {
    "fee.amount_missing": "betrag",
    "fee.amount_negative": "betrag",
    "fee.hours_missing": "stunden",
    "fee.hours_invalid": "stunden",
    "fee.no_schedule": "stichtag",
}


class GebuehrForm(CalculatorForm):
    name = "gebuehr"
    title = "Gebühren"
    intro = "Vollstreckungsgebühren nach der Gebührenordnung, die am Stichtag gilt."
    error_fields = {
        "Regime": "regime",
        "Art": "art",
        "Betrag": "betrag",
        "Stunden": "stunden",
        "Stichtag": "stichtag",
    }
    today_fields = ("stichtag",)

    regime = forms.ChoiceField(
        label="Rechtsgrundlage",
        choices=[(regime, REGIME_LABELS.get(regime, regime)) for regime in calculators.REGIMES],
        initial="svwvg_sl",
    )
    art = forms.ChoiceField(label="Gebühr", choices=[(kind.cli_name, kind.label_de) for kind in FeeKind])
    betrag = _amount(
        "Betrag",
        "in Euro, nach dem sich die Gebühr bemisst (Mahnung, Pfändung, Verwertung), z. B. 480,00",
        required=False,
    )
    stunden = _text(
        "Dauer in Stunden", "nur bei der Wegnahme, z. B. 1,5", required=False, inputmode="decimal"
    )
    stichtag = _date("Stichtag", f"Tag, an dem die Gebühr entsteht, {DATE_HINT}")

    def field_for(self, exc: CalculatorError) -> str | None:
        return _FEE_ERROR_FIELDS.get(exc.code) or super().field_for(exc)

    def calculate(self) -> Calculation:
        data = self.cleaned_data
        return calculators.gebuehr(
            data["regime"],
            data["art"],
            data["betrag"] or None,
            stunden=data["stunden"] or None,
            stichtag=data["stichtag"],
        )


CALCULATOR_FORMS: dict[str, type[CalculatorForm]] = {
    form.name: form for form in (PfaendungForm, SaeumnisForm, FristForm, VerjaehrungForm, GebuehrForm)
}
