"""Forms of the web UI. They are rendered field by field with ``web/includes/field.html`` (KERN markup)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from kofo import limits
from kofo.cases.models import Case, ClaimStatus, Measure
from kofo.debtors.models import Debtor
from kofo.intake.models import BatchStatus
from kofo.ledger.models import AccountKind, Component
from kofo.money import Cents, MoneyParseError
from kofo.partners.models import Partner


class KernFormMixin:
    """Marks optional fields with KERN's "– optional" (filter forms switch it off: all fields are optional)."""

    mark_optional = True


class MeasureChoiceField(forms.ModelChoiceField[Measure]):
    def label_from_instance(self, obj: Measure) -> str:
        executed = f", ausgeführt am {obj.executed_on:%d.%m.%Y}" if obj.executed_on else ""
        return f"{obj.get_kind_display()}{executed} ({obj.get_status_display()})"


def executed_measures(case: Case) -> Any:
    """The measures of a file a payment or a document can belong to: those taken, newest first."""
    return case.measures.filter(executed_on__isnull=False).order_by("-executed_on", "-pk")


class LoginForm(KernFormMixin, AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class KofoPasswordChangeForm(KernFormMixin, PasswordChangeForm):
    pass


class PartnerSearchForm(KernFormMixin, forms.Form):
    mark_optional = False

    q = forms.CharField(
        label="Suche",
        required=False,
        max_length=100,
        help_text="Name, Kurzname, Amtlicher Gemeindeschlüssel oder Ort",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class LedgerFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    kind = forms.ChoiceField(
        label="Kontoart", required=False, choices=[("", "alle Kontoarten"), *AccountKind.choices]
    )
    partner = forms.ModelChoiceField(
        label="Partner",
        required=False,
        queryset=Partner.objects.none(),
        empty_label="alle Partner",
        to_field_name="key",
    )
    q = forms.CharField(
        label="Konto",
        required=False,
        max_length=100,
        help_text="Kontonummer oder Bezeichnung",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners


class AuditFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    action = forms.ChoiceField(label="Aktion", required=False)
    actor = forms.CharField(
        label="Akteur",
        required=False,
        max_length=150,
        help_text="Benutzername oder Systemkennung",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "alle Aktionen"), *((a, a) for a in actions)]


class DataAccessFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    actor = forms.CharField(
        label="Akteur", required=False, max_length=150, widget=forms.TextInput(attrs={"type": "search"})
    )
    subject = forms.CharField(
        label="Betroffene",
        required=False,
        max_length=200,
        help_text="Name oder Kennung der betroffenen Person",
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class TokenIssueForm(KernFormMixin, forms.Form):
    partner = forms.ModelChoiceField(
        label="Partner", queryset=Partner.objects.none(), empty_label="Bitte wählen …", to_field_name="key"
    )
    name = forms.CharField(
        label="Bezeichnung",
        max_length=80,
        help_text="Wofür das Token dient, z. B. „Fachverfahren Kasse“. Höchstens 80 Zeichen.",
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners


# --- Intake (Vollstreckungsersuchen) -----------------------------------------------------------------

UPLOAD_EXTENSIONS = (".csv", ".txt")


def file_too_large_message(size_bytes: int) -> str:
    """The same wording as the intake's whole-file check (code ``file.too_large``)."""
    size = f"{size_bytes / 1_000_000:.1f}".replace(".", ",")
    return (
        f"Die Datei ist {size} MB groß; erlaubt sind höchstens "
        f"{limits.INTAKE_FILE_BYTES_MAX // 1_000_000} MB. Bitte in mehrere Dateien teilen."
    )


class BatchFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    partner = forms.ModelChoiceField(
        label="Partner",
        required=False,
        queryset=Partner.objects.none(),
        empty_label="alle Partner",
        to_field_name="key",
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "alle"), *BatchStatus.choices])

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners


class UploadForm(KernFormMixin, forms.Form):
    """A CSV file of one partner. Office staff choose the partner; a partner's own user does not."""

    partner = forms.ModelChoiceField(
        label="Partner", queryset=Partner.objects.none(), empty_label="Bitte wählen …", to_field_name="key"
    )
    file = forms.FileField(
        label="CSV-Datei",
        allow_empty_file=True,  # an empty file is answered by the intake itself (code file.empty)
        help_text=(
            "Nach dem kofo-Standard: Semikolon als Trennzeichen, Dezimalkomma, Datum TT.MM.JJJJ, UTF-8 oder "
            f"Windows-1252. Endung .csv oder .txt, höchstens {limits.INTAKE_FILE_BYTES_MAX // 1_000_000} MB "
            f"und {limits.INTAKE_ROWS_MAX:_} Zeilen.".replace("_", ".")
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def __init__(
        self,
        *args: Any,
        partners: Any,
        choose_partner: bool,
        too_large_bytes: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners
        if not choose_partner:
            del self.fields["partner"]
        # The upload handler dropped a file over the limit: answer that, not "field required".
        self.too_large_bytes = too_large_bytes
        if too_large_bytes is not None:
            self.fields["file"].required = False

    @staticmethod
    def too_large(size_bytes: int) -> ValidationError:
        return ValidationError(
            "%(message)s (Fehlercode file.too_large)",
            code="file.too_large",
            params={"message": file_too_large_message(size_bytes)},
        )

    def clean_file(self) -> Any:
        if self.too_large_bytes is not None:
            raise self.too_large(self.too_large_bytes)
        upload = self.cleaned_data["file"]
        # A second guard for files that reach the form another way: the size is known without reading.
        if upload.size is not None and upload.size > limits.INTAKE_FILE_BYTES_MAX:
            raise self.too_large(upload.size)
        if PurePath(upload.name or "").suffix.lower() not in UPLOAD_EXTENSIONS:
            raise ValidationError(
                "Bitte eine CSV-Datei mit der Endung .csv oder .txt hochladen (Fehlercode file.extension).",
                code="file.extension",
            )
        return upload


# --- Claims (Forderungen) ----------------------------------------------------------------------------


class ClaimFilterForm(KernFormMixin, forms.Form):
    mark_optional = False

    q = forms.CharField(
        label="Kassenzeichen",
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "alle"), *ClaimStatus.choices])
    partner = forms.ModelChoiceField(
        label="Partner",
        required=False,
        queryset=Partner.objects.none(),
        empty_label="alle Partner",
        to_field_name="key",
    )

    def __init__(self, *args: Any, partners: Any, choose_partner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners
        if not choose_partner:
            del self.fields["partner"]


class AmountField(forms.Field):
    """An amount in German notation ("1.234,56"), read with ``Cents.parse``; never a float."""

    widget = forms.TextInput
    max_length = 20

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "in Euro, z. B. 1.234,56")
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "maxlength": str(self.max_length)})
        return attrs

    def to_python(self, value: Any) -> Cents | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if len(text) > self.max_length:
            raise ValidationError("Der Betrag ist zu lang.", code="money.too_large")
        try:
            amount = Cents.parse(text)
        except MoneyParseError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        if amount <= 0:
            raise ValidationError("Der Betrag muss größer als 0,00 EUR sein.", code="money.not_positive")
        return amount


class GermanDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Begründung",
        max_length=300,
        help_text="Wird im Prüfpfad und im Buchungstext festgehalten. Höchstens 300 Zeichen.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimChangeForm(KernFormMixin, forms.Form):
    """Base of the change forms on the claim page; ``kind`` is the URL slug of the change."""

    kind = ""
    title = ""
    submit_label = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.kind)
        super().__init__(*args, **kwargs)


class ClaimReductionForm(ClaimChangeForm):
    kind = "absetzung"
    title = "Absetzung eines Betrags"
    submit_label = "Betrag absetzen"

    amount = AmountField(label="Betrag")
    component = forms.ChoiceField(label="Forderungsbestandteil", choices=Component.choices)
    reason = _reason_field()

    def __init__(self, *args: Any, open_amounts: dict[Component, Cents] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if open_amounts is not None:
            field = self.fields["component"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (component.value, f"{component.label} (offen {open_amounts.get(component, Cents(0))})")
                for component in Component
            ]


class ClaimCancelForm(ClaimChangeForm):
    kind = "absetzung-ganz"
    title = "Absetzung der ganzen Forderung"
    submit_label = "Ganze Forderung absetzen"

    reason = _reason_field()


class ClaimDeferralForm(ClaimChangeForm):
    kind = "stundung"
    title = "Stundung"
    submit_label = "Stundung eintragen"

    until = forms.DateField(label="gestundet bis", widget=GermanDateInput(), help_text="Datum in der Zukunft")
    reason = _reason_field()


class ClaimDirectPaymentForm(ClaimChangeForm):
    kind = "direktzahlung"
    title = "Direktzahlung an den Partner"
    submit_label = "Direktzahlung eintragen"

    amount = AmountField(label="Betrag")
    paid_on = forms.DateField(
        label="Zahlungseingang beim Partner", widget=GermanDateInput(), help_text="nicht in der Zukunft"
    )


class ClaimRemissionForm(ClaimReductionForm):
    """Erlass (§ 227 AO) by the creditor: of the whole claim (no amount) or of an amount of one component."""

    kind = "erlass"
    title = "Erlass (§ 227 AO)"
    submit_label = "Erlass eintragen"

    amount = AmountField(
        label="Betrag", required=False, help_text="leer lassen, wenn die ganze Forderung erlassen ist"
    )


class ClaimWithdrawalForm(ClaimChangeForm):
    kind = "ruecknahme"
    title = "Rücknahme des Ersuchens"
    submit_label = "Ersuchen zurücknehmen"

    reason = _reason_field()


CLAIM_CHANGE_FORMS: dict[str, type[ClaimChangeForm]] = {
    form.kind: form
    for form in (
        ClaimReductionForm,
        ClaimCancelForm,
        ClaimDeferralForm,
        ClaimDirectPaymentForm,
        ClaimRemissionForm,
        ClaimWithdrawalForm,
    )
}


# --- Debtors (Schuldner) -----------------------------------------------------------------------------


class DebtorSearchForm(KernFormMixin, forms.Form):
    mark_optional = False

    q = forms.CharField(
        label="Suche",
        required=False,
        max_length=100,
        help_text="Name, Schuldnernummer oder Postleitzahl",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    merged = forms.BooleanField(label="auch zusammengeführte Schuldner anzeigen", required=False)


class DebtorMergeForm(KernFormMixin, forms.Form):
    target = forms.CharField(
        label="Zusammenführen in Schuldner",
        max_length=20,
        help_text="Schuldnernummer des Schuldners, der bestehen bleibt, z. B. S-0000042",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = _reason_field()

    def __init__(self, *args: Any, debtor: Debtor, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "zusammenfuehren")
        super().__init__(*args, **kwargs)
        self.debtor = debtor

    def clean_target(self) -> Debtor:
        number = self.cleaned_data["target"].strip().upper()
        target = Debtor.objects.filter(number=number).first()
        if target is None:
            raise ValidationError(
                "Einen Schuldner mit der Nummer %(number)s gibt es nicht.",
                code="merge.target_unknown",
                params={"number": number},
            )
        return target


class DebtorSplitForm(KernFormMixin, forms.Form):
    records = forms.TypedMultipleChoiceField(
        label="Abzuspaltende Angaben",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Die gewählten Angaben (mit ihren Forderungen) werden ein neuer Schuldner.",
        error_messages={"required": "Bitte mindestens eine Angabe auswählen."},
    )
    reason = _reason_field()

    def __init__(self, *args: Any, record_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "abspalten")
        super().__init__(*args, **kwargs)
        field = self.fields["records"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = record_choices


# --- Zahlungsverkehr: bank files, Klärungsfälle, refunds, remittance runs -----------------------------

#: A bank file through the UI: bounded by the bank-file limit and by what one request may carry (larger
#: files go through ``kofo payments import`` or the inbox folder).
BANK_UPLOAD_BYTES_MAX = min(limits.BANK_FILE_BYTES_MAX, limits.REQUEST_BODY_BYTES_MAX)
BANK_UPLOAD_EXTENSIONS = (".xml", ".zip")
#: Rows of the assignment form of a Klärungsfall (one file, or a split over up to this many).
ASSIGN_ROWS = 3


def bank_file_too_large_message(size_bytes: int) -> str:
    size = f"{size_bytes / 1_000_000:.1f}".replace(".", ",")
    return (
        f"Die Datei ist {size} MB groß; über die Oberfläche erlaubt sind höchstens "
        f"{BANK_UPLOAD_BYTES_MAX // 1_000_000} MB. Größere Dateien bitte mit „kofo payments import“ "
        "oder über den Eingangsordner einlesen."
    )


def _compact_iban(value: str, code: str = "refund.iban") -> str:
    """The IBAN without spaces, upper case, checked (length, country format, check digits)."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    text = "".join(str(value).split()).upper()
    if not text:
        return ""
    try:
        return str(IBAN(text).compact)
    except (SchwiftyException, ValueError):
        raise ValidationError(
            "Die IBAN %(iban)s ist ungültig (Länge oder Prüfziffer stimmen nicht).",
            code=code,
            params={"iban": text},
        ) from None


def _iban_field(help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label="IBAN",
        required=False,
        max_length=42,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class BankUploadForm(KernFormMixin, forms.Form):
    """One bank file: camt.053 statement or camt.054 notification as XML, or a ZIP of them."""

    file = forms.FileField(
        label="Kontoauszugsdatei",
        allow_empty_file=True,  # an empty file is answered by the import itself, with its code
        help_text=(
            "camt.053 (Kontoauszug) oder camt.054 (Buchungsbenachrichtigung), Version 001.02 oder 001.08, "
            f"als XML oder mehrere in einer ZIP-Datei; höchstens {BANK_UPLOAD_BYTES_MAX // 1_000_000} MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xml,.zip,application/xml,text/xml,application/zip"}
        ),
    )

    def __init__(self, *args: Any, too_large_bytes: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The upload handler dropped a file over the limit: answer that, not "field required".
        self.too_large_bytes = too_large_bytes
        if too_large_bytes is not None:
            self.fields["file"].required = False

    @staticmethod
    def too_large(size_bytes: int) -> ValidationError:
        return ValidationError(
            "%(message)s (Fehlercode file.too_large)",
            code="file.too_large",
            params={"message": bank_file_too_large_message(size_bytes)},
        )

    def clean_file(self) -> Any:
        if self.too_large_bytes is not None:
            raise self.too_large(self.too_large_bytes)
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > BANK_UPLOAD_BYTES_MAX:
            raise self.too_large(upload.size)
        if PurePath(upload.name or "").suffix.lower() not in BANK_UPLOAD_EXTENSIONS:
            raise ValidationError(
                "Bitte eine XML- oder ZIP-Datei hochladen (Endung .xml oder .zip, Fehlercode file.extension).",
                code="file.extension",
            )
        return upload


class ClarificationAssignForm(KernFormMixin, forms.Form):
    """Assign a Klärungsfall to one debtor file, or split it over up to ``ASSIGN_ROWS`` files.

    ``cleaned_data["parts"]`` is a list of ``(case, amount, kassenzeichen)``. A single row without an amount
    takes the whole open amount.
    """

    prefix = "zuordnung"

    note = forms.CharField(
        label="Vermerk",
        required=False,
        max_length=500,
        help_text="Warum die Zahlung zu dieser Akte gehört; wird im Prüfpfad festgehalten.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, open_cents: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_cents = Cents(open_cents)
        for row in range(1, ASSIGN_ROWS + 1):
            self.fields[f"akte_{row}"] = forms.CharField(
                label="Aktenzeichen",
                required=row == 1,
                max_length=20,
                help_text="z. B. VA-000123" if row == 1 else "",
                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            )
            self.fields[f"betrag_{row}"] = AmountField(
                label="Betrag",
                required=False,
                help_text="in Euro; leer: der ganze offene Betrag" if row == 1 else "",
            )
            self.fields[f"kassenzeichen_{row}"] = forms.CharField(
                label="Kassenzeichen",
                required=False,
                max_length=60,
                help_text="Tilgungsbestimmung des Einzahlers" if row == 1 else "",
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
        self.fields["akte_1"].error_messages["required"] = "Bitte das Aktenzeichen angeben."
        self.order_fields([name for name in self.fields if name != "note"] + ["note"])

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The bound fields per row, for the template."""
        return [
            (row, [self[f"akte_{row}"], self[f"betrag_{row}"], self[f"kassenzeichen_{row}"]])
            for row in range(1, ASSIGN_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        from kofo.cases.models import Case, Claim

        data = super().clean() or {}
        filled = [
            row
            for row in range(1, ASSIGN_ROWS + 1)
            if data.get(f"akte_{row}") or data.get(f"betrag_{row}") or data.get(f"kassenzeichen_{row}")
        ]
        parts: list[tuple[Any, Cents, str]] = []
        for row in filled:
            number = str(data.get(f"akte_{row}") or "").strip().upper()
            amount = data.get(f"betrag_{row}")
            kassenzeichen = str(data.get(f"kassenzeichen_{row}") or "").strip()
            if f"akte_{row}" in self.errors or f"betrag_{row}" in self.errors:
                continue
            if not number:
                self.add_error(
                    f"akte_{row}", ValidationError("Bitte das Aktenzeichen angeben.", code="required")
                )
                continue
            case = Case.objects.filter(number=number).first()
            if case is None:
                self.add_error(
                    f"akte_{row}",
                    ValidationError(
                        "Eine Akte mit dem Aktenzeichen %(number)s gibt es nicht.",
                        code="clarification.case_unknown",
                        params={"number": number},
                    ),
                )
                continue
            if amount is None:
                if len(filled) > 1:
                    self.add_error(
                        f"betrag_{row}",
                        ValidationError(
                            "Bei einer Aufteilung braucht jede Zeile einen Betrag.",
                            code="clarification.amount",
                        ),
                    )
                    continue
                amount = self.open_cents
            if (
                kassenzeichen
                and not Claim.objects.filter(
                    debtor_record__debtor_id=case.debtor_id, kassenzeichen=kassenzeichen
                ).exists()
            ):
                self.add_error(
                    f"kassenzeichen_{row}",
                    ValidationError(
                        "Das Kassenzeichen %(kz)s gehört zu keiner Forderung der Akte %(number)s.",
                        code="clarification.kassenzeichen",
                        params={"kz": kassenzeichen, "number": case.number},
                    ),
                )
                continue
            parts.append((case, amount, kassenzeichen))
        data["parts"] = parts
        return data


class ClarificationReturnForm(KernFormMixin, forms.Form):
    """Send the money of a Klärungsfall (or a part) back to the payer."""

    prefix = "erstattung"

    amount = AmountField(label="Betrag", required=False, help_text="in Euro; ohne Angabe der offene Betrag")
    name = forms.CharField(label="Empfänger", required=False, max_length=140, help_text="Kontoinhaber")
    iban = _iban_field("ohne Angabe die IBAN, von der das Geld kam")
    reason = forms.CharField(
        label="Grund",
        required=False,
        max_length=300,
        help_text="ohne Angabe: „Zahlung nicht für das Amt bestimmt“. Höchstens 300 Zeichen.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_iban(self) -> str:
        return _compact_iban(self.cleaned_data["iban"])


class ClarificationBookForm(KernFormMixin, forms.Form):
    """Book an unexplained debit as the office's expense."""

    prefix = "ausbuchung"

    note = forms.CharField(
        label="Grund der Ausbuchung",
        max_length=500,
        help_text="z. B. Kontoführungsentgelt laut Schreiben der Bank vom … Wird im Prüfpfad festgehalten.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Bitte den Grund der Ausbuchung angeben."},
    )


class RefundApproveForm(KernFormMixin, forms.Form):
    """Release a proposed refund (an overpayment) for the next transfer run."""

    name = forms.CharField(label="Empfänger", required=False, max_length=140, help_text="Kontoinhaber")
    iban = _iban_field()

    def __init__(self, *args: Any, refund_pk: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"freigabe-{refund_pk}")
        super().__init__(*args, **kwargs)
        self.refund_pk = refund_pk

    def clean_iban(self) -> str:
        return _compact_iban(self.cleaned_data["iban"])


class RemittanceRunForm(KernFormMixin, forms.Form):
    """Start an Auskehrungslauf: payments up to a date, transferred on an execution date."""

    until = forms.DateField(
        label="Zahlungen bis",
        widget=GermanDateInput(),
        help_text="Stichtag: ausgekehrt wird, was bis zu diesem Tag (Wertstellung) eingegangen ist.",
    )
    execution_date = forms.DateField(
        label="Ausführung am",
        required=False,
        widget=GermanDateInput(),
        help_text="Tag, an dem die Bank überweist; ohne Angabe der Stichtag.",
    )

    def __init__(self, *args: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["until"].initial = today

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until > self.today:
            raise ValidationError(
                "Der Stichtag darf nicht in der Zukunft liegen.", code="remittance.until_future"
            )
        return until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        until, execution = data.get("until"), data.get("execution_date")
        if until and execution and execution < until:
            self.add_error(
                "execution_date",
                ValidationError(
                    "Die Ausführung kann nicht vor dem Stichtag liegen.", code="remittance.execution_early"
                ),
            )
        return data
