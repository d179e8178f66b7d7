"""Admin for the organisation record, the DPIA register and bundles.

DPIA entries are saved through dpia_entry_update, the same service as the
register page, so Program.dpia_status follows. Bundles are read-only here:
they are prepared and downloaded on the reports pages, which audit both.
"""

from django.contrib import admin

from apps.reports.models import Bundle, DpiaEntry, Organisation
from apps.reports.services import dpia_entry_update


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["controller_name", "dpo_name", "updated_at"]

    def has_add_permission(self, request):
        # One record at most (a database constraint holds it too).
        return super().has_add_permission(request) and not Organisation.objects.exists()


@admin.register(DpiaEntry)
class DpiaEntryAdmin(admin.ModelAdmin):
    list_display = ["program", "status", "reviewer", "decided_on", "review_due_on"]
    list_filter = ["status"]
    search_fields = ["program__name", "program__key", "notes"]
    date_hierarchy = "review_due_on"

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data.get(name)
            for name in (
                "status",
                "reviewer",
                "started_on",
                "decided_on",
                "review_due_on",
            )
        }
        saved = dpia_entry_update(
            program=form.cleaned_data["program"],
            actor=request.user,
            document_url=form.cleaned_data.get("document_url") or "",
            notes=form.cleaned_data.get("notes") or "",
            **fields,
        )
        obj.pk = saved.pk


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "period_start",
        "period_end",
        "status",
        "progress",
    ]
    list_filter = ["status"]
    search_fields = ["recipient__username", "note", "sha256"]
    readonly_fields = [f.name for f in Bundle._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
