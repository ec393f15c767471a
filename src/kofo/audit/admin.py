from django.contrib import admin

from kofo.audit.models import AuditEvent, PersonalDataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "actor", "action", "object_repr", "partner")
    list_filter = ("action",)
    search_fields = ("actor", "action", "object_repr", "object_id")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("id", "accessed_at", "actor", "subject_repr", "what", "channel")
    search_fields = ("actor", "subject_repr", "subject_id")
