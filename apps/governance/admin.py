"""Governance in the admin: cases, holds and reviews readable and filterable;
every change goes through the pages and services (audited), so the admin
offers no add, change or delete for them. Retention runs are read-only."""

from django.contrib import admin

from apps.governance.models import (
    AccessReview,
    Case,
    LegalHold,
    ProgramExposureLimit,
    RetentionEntry,
    RetentionRun,
    ReviewItem,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "subject", "requester", "status", "expires_at", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject__full_name", "subject__employee_number", "justification"]
    list_select_related = ["subject", "requester"]


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "employee",
        "all_datasets",
        "starts_at",
        "ends_at",
        "released_at",
    ]
    list_filter = ["all_datasets", "released_at"]
    search_fields = ["employee__full_name", "employee__employee_number", "reason"]
    list_select_related = ["employee"]


class ReviewItemInline(ReadOnlyInline):
    model = ReviewItem
    fields = ["description", "grantee_label", "subject_label", "owner", "decision"]


@admin.register(AccessReview)
class AccessReviewAdmin(ReadOnlyAdmin):
    list_display = ["pk", "status", "opened_at", "ends_at", "closed_at"]
    list_filter = ["status"]
    inlines = [ReviewItemInline]


class RetentionEntryInline(ReadOnlyInline):
    model = RetentionEntry
    fields = ["dataset_key", "kind", "employee", "deleted", "skipped_for_hold", "note"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "started_at", "finished_at", "status"]
    list_filter = ["status"]
    inlines = [RetentionEntryInline]


@admin.register(ProgramExposureLimit)
class ProgramExposureLimitAdmin(admin.ModelAdmin):
    list_display = ["program", "max_readers"]
