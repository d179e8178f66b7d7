from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import DpiaStatus
from apps.people.models import User

FORMAT_CHOICES = [("csv", "CSV"), ("json", "JSON"), ("xlsx", "XLSX")]


class PeriodForm(forms.Form):
    """A period of days, both ends included."""

    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class BundleForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("Regulator"),
        queryset=User.objects.none(),
        empty_label=None,
        to_field_name="username",
    )
    period_start = forms.DateField(label=_("Period from"))
    period_end = forms.DateField(label=_("Period to"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, regulators=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regulators is not None:
            self.fields["recipient"].queryset = regulators

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class DpiaForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DpiaStatus.choices)
    started_on = forms.DateField(label=_("Started on"), required=False)
    decided_on = forms.DateField(label=_("Decided on"), required=False)
    document_url = forms.URLField(
        label=_("Document link"), required=False, assume_scheme="https"
    )
    review_due_on = forms.DateField(label=_("Review due on"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
