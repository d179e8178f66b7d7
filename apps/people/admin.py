"""HR and officers manage users, employees and departments here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.consent.subjects import identities_refresh_on_commit
from apps.people.models import Department, Employee, Identifier, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin, for Candor's own user model."""


class IdentifierInline(admin.TabularInline):
    model = Identifier
    fields = ["kind", "value"]
    extra = 1


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    inlines = [IdentifierInline]
    list_display = [
        "full_name",
        "employee_number",
        "work_email",
        "department",
        "jurisdiction",
        "is_leaver",
    ]
    list_filter = ["department", "jurisdiction", "is_leaver"]
    search_fields = [
        "full_name",
        "work_email",
        "employee_number",
        "identifiers__value",
    ]
    list_select_related = ["department"]
    autocomplete_fields = ["user", "manager"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["user", "employee_number", "work_email", "full_name"]},
        ),
        (
            _("Organisation"),
            {"fields": ["department", "manager", "jurisdiction"]},
        ),
        (
            _("Employment"),
            {"fields": ["started_on", "left_on", "is_leaver"]},
        ),
        (
            _("History"),
            {"fields": ["public_id", "created_at", "updated_at"]},
        ),
    ]

    # The consent decision API holds identifiers and leaver status in Redis.
    # The admin saves models itself (no people service does this), so it
    # names the identifiers held before each change: removed ones stop
    # resolving, and leaver edits count at once.
    def save_related(self, request, form, formsets, change) -> None:
        before = list(form.instance.identifiers.values_list("kind", "value"))
        super().save_related(request, form, formsets, change)
        identities_refresh_on_commit(
            employee_ids=[form.instance.pk], identifiers=before
        )

    def delete_model(self, request, obj) -> None:
        before = list(obj.identifiers.values_list("kind", "value"))
        super().delete_model(request, obj)
        identities_refresh_on_commit(identifiers=before)

    def delete_queryset(self, request, queryset) -> None:
        before = list(
            Identifier.objects.filter(employee__in=queryset).values_list(
                "kind", "value"
            )
        )
        super().delete_queryset(request, queryset)
        identities_refresh_on_commit(identifiers=before)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
