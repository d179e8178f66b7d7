"""Admin forms for the catalog: the loader's rules, applied to officers' edits.

Every rule comes from apps.catalog.validation, the module the catalog loader
uses, so a catalog edited by hand obeys the same rules as one loaded from a
file.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from apps.catalog import taxonomy
from apps.catalog.models import Dataset, Field, Program, Store
from apps.catalog.validation import (
    Problem,
    connection_problems,
    dataset_problems,
    field_problems,
    taxonomy_problems,
)


class LinesField(forms.CharField):
    """A list of strings edited as one item per line (a JSON list field)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("help_text", _("One per line."))
        # JSONField passes these; a CharField does not take them.
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial or []) != self.to_python(data)


def _add_problems(form: forms.BaseForm, problems: Iterable[Problem]) -> None:
    """Attach each problem to its form field, or to the form if not shown."""
    for problem in problems:
        name = problem.attribute.split(".")[0]
        form.add_error(name if name in form.fields else None, problem.message)


class ProgramForm(forms.ModelForm):
    data_subjects = LinesField(label=_("data subjects"))
    data_categories = LinesField(label=_("data categories"))
    data_uses = LinesField(label=_("data uses"))
    recipients = LinesField(label=_("recipients"), required=False)
    access = LinesField(label=_("who may access"), required=False)

    class Meta:
        model = Program
        fields = [
            "key",
            "name",
            "description",
            "purpose",
            "legal_basis",
            "special_category_condition",
            "legitimate_interests_assessment",
            "data_subjects",
            "data_categories",
            "data_uses",
            "recipients",
            "access",
            "source",
            "retention_days",
            "leaver_retention_days",
            "international_transfers",
            "transfer_safeguards",
            "dpia_status",
            "dpia_reference",
            "security_measures",
            "automated_decision_making",
            "objection_allowed",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, kind in (
            ("data_subjects", taxonomy.TaxonomyKind.DATA_SUBJECT),
            ("data_categories", taxonomy.TaxonomyKind.DATA_CATEGORY),
            ("data_uses", taxonomy.TaxonomyKind.DATA_USE),
        ):
            if name in cleaned:
                _add_problems(self, taxonomy_problems(name, kind, cleaned[name]))
        return cleaned


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["key", "name", "kind", "description", "connection", "owner"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "kind" in cleaned and "connection" in cleaned:
            _add_problems(
                self, connection_problems(cleaned["kind"], cleaned["connection"])
            )
        return cleaned


class DatasetForm(forms.ModelForm):
    derived_from = LinesField(label=_("derived from"), required=False)

    class Meta:
        model = Dataset
        fields = [
            "program",
            "store",
            "key",
            "name",
            "description",
            "location",
            "primary_key",
            "subject_field",
            "identifier_kind",
            "timestamp_field",
            "file_pattern",
            "erasure_strategy",
            "derived_from",
        ]

    def _value(self, name: str) -> Any:
        # The program page's inline shows only some fields; the others keep
        # the dataset's current values.
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        store = self._value("store")
        if store is not None:
            _add_problems(
                self,
                dataset_problems(
                    store_kind=store.kind,
                    location=self._value("location") or "",
                    subject_field=self._value("subject_field") or "",
                    file_pattern=self._value("file_pattern") or "",
                    erasure_strategy=self._value("erasure_strategy") or "",
                ),
            )
        derived = cleaned.get("derived_from") or []
        known = set(
            Dataset.objects.filter(key__in=derived).values_list("key", flat=True)
        )
        for key in derived:
            if key not in known:
                self.add_error(
                    "derived_from",
                    _("%(key)r is not a dataset of the catalog") % {"key": key},
                )
            elif key == cleaned.get("key"):
                self.add_error(
                    "derived_from", _("a dataset cannot be derived from itself")
                )
        return cleaned


class FieldForm(forms.ModelForm):
    class Meta:
        model = Field
        fields = ["name", "description", "data_category", "mask"]

    def clean_data_category(self) -> str:
        value = self.cleaned_data["data_category"]
        problems = taxonomy_problems(
            "data_category", taxonomy.TaxonomyKind.DATA_CATEGORY, [value]
        )
        if problems:
            raise forms.ValidationError(problems[0].message)
        return value


class FieldInlineFormSet(BaseInlineFormSet):
    """Checks the fields together, against the dataset being saved."""

    def clean(self) -> None:
        super().clean()
        # Blank extra forms have no name; forms ticked for deletion go.
        kept = [
            form
            for form in self.forms
            if "name" in getattr(form, "cleaned_data", {})
            and not self._should_delete_form(form)
        ]
        problems = field_problems(
            erasure_strategy=self.instance.erasure_strategy,
            subject_field=self.instance.subject_field,
            fields=[
                (f.cleaned_data["name"], f.cleaned_data.get("mask", "")) for f in kept
            ],
        )
        for problem in problems:
            if problem.index is not None:
                form = kept[problem.index]
                name = problem.attribute if problem.attribute in form.fields else None
                form.add_error(name, problem.message)
            else:
                raise forms.ValidationError(problem.message)
