"""The audit log in the admin: readable by officers, never editable."""

from django.contrib import admin

from apps.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "subject", "dataset_key"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_label", "dataset_key", "purpose"]
    date_hierarchy = "created_at"
    list_select_related = ["subject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
