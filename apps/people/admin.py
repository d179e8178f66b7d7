"""HR and officers manage users, employees and departments here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

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


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
