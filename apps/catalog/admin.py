"""Officers edit the catalog here; the forms apply the loader's rules."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.catalog.forms import (
    DatasetForm,
    FieldForm,
    FieldInlineFormSet,
    ProgramForm,
    StoreForm,
)
from apps.catalog.models import Dataset, Field, Program, Store


class DatasetInline(admin.TabularInline):
    model = Dataset
    form = DatasetForm
    # Erasure, subject field and fields are edited on the dataset's own page,
    # where its fields can be checked with them.
    fields = ["key", "name", "store", "location", "identifier_kind"]
    extra = 0
    show_change_link = True


class FieldInline(admin.TabularInline):
    model = Field
    form = FieldForm
    formset = FieldInlineFormSet
    fields = ["name", "data_category", "mask", "description"]
    extra = 1


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramForm
    inlines = [DatasetInline]
    list_display = [
        "name",
        "key",
        "legal_basis",
        "retention_days",
        "dpia_status",
        "objection_allowed",
        "updated_at",
    ]
    list_filter = ["legal_basis", "dpia_status", "objection_allowed"]
    search_fields = ["key", "name", "purpose", "description"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["key", "name", "description", "purpose", "source"]}),
        (
            _("Lawfulness"),
            {
                "fields": [
                    "legal_basis",
                    "special_category_condition",
                    "legitimate_interests_assessment",
                    "objection_allowed",
                    "automated_decision_making",
                ]
            },
        ),
        (
            _("Data (fideslang taxonomy keys)"),
            {"fields": ["data_subjects", "data_categories", "data_uses"]},
        ),
        (
            _("Recipients, retention and transfers"),
            {
                "fields": [
                    "recipients",
                    "access",
                    "retention_days",
                    "leaver_retention_days",
                    "international_transfers",
                    "transfer_safeguards",
                ]
            },
        ),
        (
            _("Risk"),
            {"fields": ["dpia_status", "dpia_reference", "security_measures"]},
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreForm
    list_display = ["name", "key", "kind", "owner"]
    list_filter = ["kind"]
    search_fields = ["key", "name", "owner", "description"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    form = DatasetForm
    inlines = [FieldInline]
    list_display = [
        "name",
        "key",
        "program",
        "store",
        "identifier_kind",
        "erasure_strategy",
    ]
    list_filter = ["store", "program", "identifier_kind", "erasure_strategy"]
    search_fields = ["key", "name", "location", "fields__name"]
    list_select_related = ["program", "store"]
