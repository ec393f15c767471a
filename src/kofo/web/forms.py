"""Forms of the web UI. They are rendered field by field with ``web/includes/field.html`` (KERN markup)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from kofo.ledger.models import AccountKind
from kofo.partners.models import Partner


class KernFormMixin:
    """Marks optional fields with KERN's "– optional" (filter forms switch it off: all fields are optional)."""

    mark_optional = True


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
