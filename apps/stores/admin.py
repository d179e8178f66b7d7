from django.contrib import admin

from apps.stores.models import StoreStatus


@admin.register(StoreStatus)
class StoreStatusAdmin(admin.ModelAdmin):
    """Read-only: statuses are written by probes, never by hand."""

    list_display = ["store", "ok", "checked_at", "latency_ms", "error"]
    list_filter = ["ok"]
    search_fields = ["store__name", "store__key"]
    readonly_fields = ["store", "checked_at", "ok", "error", "latency_ms"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
