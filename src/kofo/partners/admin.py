"""Django admin for master data, restricted to Administration; every save goes through an action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from kofo.audit.admin import ReadOnlyAdmin
from kofo.partners.actions import do_change_user, do_save_agreement, do_save_office, do_save_partner
from kofo.partners.models import Agreement, AgreementRevision, ApiToken, Office, Partner
from kofo.partners.roles import Role


class AdministrationOnly(admin.ModelAdmin):
    """Admin pages for Administration only; deleting master data is not offered (history stays)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.groups.filter(name=Role.ADMINISTRATION.value).exists())

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ("reference", "valid_from", "valid_to", "regime", "version")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Partner)
class PartnerAdmin(AdministrationOnly):
    list_display = ("name", "key", "kind", "ags", "city", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "key", "ags", "city")
    inlines = [AgreementInline]

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        do_save_partner(obj, actor=request.user)  # type: ignore[arg-type]


@admin.register(Agreement)
class AgreementAdmin(AdministrationOnly):
    list_display = ("reference", "partner", "regime", "valid_from", "valid_to", "billing_modality", "version")
    list_filter = ("regime", "billing_modality")
    search_fields = ("reference", "partner__name")
    readonly_fields = ("version",)

    def save_model(self, request: HttpRequest, obj: Agreement, form: Any, change: bool) -> None:
        do_save_agreement(obj, actor=request.user, reason="Änderung in der Stammdatenverwaltung")  # type: ignore[arg-type]


@admin.register(Office)
class OfficeAdmin(AdministrationOnly):
    list_display = ("name", "city", "iban", "creditor_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not Office.objects.exists()

    def save_model(self, request: HttpRequest, obj: Office, form: Any, change: bool) -> None:
        do_save_office(obj, actor=request.user)  # type: ignore[arg-type]


@admin.register(AgreementRevision)
class AgreementRevisionAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "version", "changed_at", "changed_by", "reason")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "partner", "name", "created_at", "last_used_at", "revoked_at")
    exclude = ("secret_hash",)


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class KofoUserAdmin(UserAdmin):
    """User accounts: Administration only; changes are audited. New users: ``kofo createuser`` or the UI."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return AdministrationOnly.has_module_permission(self, request)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        do_change_user(obj, actor=request.user)  # type: ignore[arg-type]
