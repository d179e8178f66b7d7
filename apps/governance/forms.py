"""Forms for governance pages. Validation of shape only; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.people.models import Employee

DATETIME = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


class EmployeeField(forms.CharField):
    """An employee named by employee number or work e-mail."""

    def clean(self, value):
        value = super().clean(value).strip()
        employee = (
            Employee.objects.filter(employee_number=value).first()
            or Employee.objects.filter(work_email__iexact=value).first()
        )
        if employee is None:
            raise forms.ValidationError(_("No employee has that number or e-mail."))
        return employee


class CaseForm(forms.Form):
    subject = EmployeeField(label=_("Employee (number or work e-mail)"), max_length=254)
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets"),
        queryset=Dataset.objects.select_related("program").order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    window_start = forms.DateTimeField(label=_("Records from"), widget=DATETIME)
    window_end = forms.DateTimeField(label=_("Records until"), widget=DATETIME)
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4})
    )
    notify_delay_days = forms.IntegerField(
        label=_("Delay before the employee is told (days)"),
        min_value=0,
        max_value=365,
        initial=0,
    )
    notify_delay_reason = forms.CharField(
        label=_("Why the employee cannot be told at once"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalHoldForm(forms.Form):
    employee = EmployeeField(
        label=_("Employee (number or work e-mail)"), max_length=254
    )
    all_datasets = forms.BooleanField(label=_("Every dataset"), required=False)
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets"),
        queryset=Dataset.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DATETIME)


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("recertify", _("Keep (recertify)")), ("revoke", _("Revoke now"))],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
