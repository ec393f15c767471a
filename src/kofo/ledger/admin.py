from django.contrib import admin

from kofo.audit.admin import ReadOnlyAdmin
from kofo.ledger.models import Account, Posting, Transaction


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    readonly_fields = ("account", "amount_cents")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "partner", "component")
    list_filter = ("kind", "component")
    search_fields = ("code", "name")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "booking_date", "value_date", "reason_code", "description", "reverses")
    list_filter = ("reason_code",)
    inlines = [PostingInline]
