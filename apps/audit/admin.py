"""The audit log in the admin: readable by officers, never editable."""

from django.contrib import admin

from apps.audit.models import AuditCheckpoint, AuditRecord, AuditVerification


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete, whoever asks: these tables are evidence."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "created_at",
        "actor_label",
        "action",
        "subject",
        "dataset_key",
    ]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_label", "dataset_key", "purpose"]
    date_hierarchy = "created_at"
    list_select_related = ["subject"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "signed_at", "key_id", "record_hash"]
    date_hierarchy = "signed_at"


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "ok", "records", "last_seq", "problem_seq", "message"]
    list_filter = ["ok"]
    date_hierarchy = "started_at"
