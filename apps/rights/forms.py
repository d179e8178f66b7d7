"""Forms of the rights pages. They check shape only; the services decide
(apps.rights.services.lifecycle raises RequestRefused with the reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.rights.lifecycle import RequestStatus
from apps.rights.models import RequestKind

# What each right means, in plain words, next to its choice on the form.
RIGHT_HELP = {
    RequestKind.ACCESS: _(
        "Get a copy of everything the monitoring holds about you, with why it "
        "is kept, who receives it and for how long."
    ),
    RequestKind.PORTABILITY: _(
        "Get your data in machine-readable files (JSON and CSV) to take elsewhere."
    ),
    RequestKind.ERASURE: _(
        "Have your data deleted. Some of it may have to be kept (a legal hold, "
        "a legal duty): you are told exactly what and why."
    ),
    RequestKind.RECTIFICATION: _(
        "Have a wrong record corrected. Say which record and what it should say."
    ),
    RequestKind.RESTRICTION: _(
        "Have your data kept but not used, for example while you contest it. "
        "You are told before the restriction ends."
    ),
    RequestKind.OBJECTION: _(
        "Ask that a program based on the company's interests stop processing "
        "your data, giving your reasons. An officer weighs them and tells you "
        "the decision."
    ),
}

ALL, CHOSEN = "all", "chosen"


class DatasetChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Dataset) -> str:
        return f"{obj.program.name}: {obj.name}"


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=_("Which data?"),
        choices=[
            (ALL, _("Everything the monitoring holds about me")),
            (CHOSEN, _("Only the datasets I choose")),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    datasets = DatasetChoices(
        label=_("Datasets"),
        queryset=Dataset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("Anything the privacy team should know"),
        help_text=_("For an objection: your reasons (required)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    record = forms.CharField(
        label=_("Which record is wrong (its reference)"),
        required=False,
        max_length=200,
    )
    changes = forms.CharField(
        label=_("The corrections, one per line as “field: correct value”"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, datasets: Sequence[Dataset] = (), **kwargs):
        super().__init__(*args, **kwargs)
        pks = [d.pk for d in datasets]
        self.fields["datasets"].queryset = (
            Dataset.objects.filter(pk__in=pks)
            .select_related("program")
            .order_by("program__name", "name")
        )

    def kind_help(self) -> list[tuple[str, str, str]]:
        """(value, label, plain words) of every right, for the template."""
        return [(v, label, RIGHT_HELP[v]) for v, label in RequestKind.choices]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        chosen = list(data.get("datasets") or [])
        if data.get("scope") == CHOSEN and not chosen:
            self.add_error("datasets", _("Choose at least one dataset."))
        if kind == RequestKind.OBJECTION and not data.get("text", "").strip():
            self.add_error("text", _("Say why you object."))
        data["details"] = {}
        if kind == RequestKind.RECTIFICATION:
            if len(chosen) != 1:
                self.add_error(
                    "datasets", _("Choose the one dataset that holds the record.")
                )
            changes = parse_changes(data.get("changes", ""))
            if changes is None:
                self.add_error(
                    "changes", _("Write each correction as “field: correct value”.")
                )
            elif chosen:
                data["details"] = {
                    "dataset": chosen[0].key,
                    "record": data.get("record", "").strip(),
                    "changes": changes,
                }
        return data


def parse_changes(text: str) -> dict[str, str] | None:
    """`field: value` lines to a dict; None when a line has no colon."""
    changes: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            return None
        changes[name.strip()] = value.strip()
    return changes


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
    )


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question to the employee"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class SplitForm(forms.Form):
    datasets = DatasetChoices(
        label=_("Datasets to split off"),
        queryset=Dataset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, datasets: Sequence[Dataset] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = Dataset.objects.filter(
            pk__in=[d.pk for d in datasets]
        ).select_related("program")


class ObjectionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("yes", _("Upheld: the program stops processing this employee's data")),
            ("no", _("Not upheld: compelling legitimate grounds override")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reasoning = forms.CharField(
        label=_("The balancing, as the employee will read it"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )


class ManualConfirmForm(forms.Form):
    records = forms.IntegerField(
        label=_("How many records it concerned"), min_value=0, initial=0
    )
    note = forms.CharField(
        label=_("What you did"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    evidence = forms.FileField(
        label=_("Evidence (an export file, a screenshot, a signed note)"),
        required=False,
        help_text=_("For an access request, the exported file goes into the archive."),
    )


OPEN_STATUSES = "open"
ANY = ""


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(OPEN_STATUSES, _("Open")), (ANY, _("Any")), *RequestStatus.choices],
        initial=OPEN_STATUSES,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[(ANY, _("Any")), *RequestKind.choices], required=False
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"),
        choices=[
            (ANY, _("Any")),
            ("overdue", _("Overdue")),
            ("week", _("Due within 7 days")),
        ],
        required=False,
    )

    def filters(self) -> dict:
        """The arguments of apps.rights.selectors.officer_queue: open requests
        by default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or (OPEN_STATUSES if not self.is_bound else ANY)
        now = timezone.now()
        due_before = {"overdue": now, "week": now + dt.timedelta(days=7)}.get(
            data.get("deadline", "")
        )
        return {
            "status": "" if status == OPEN_STATUSES else status,
            "kind": data.get("kind", ""),
            "due_before": due_before,
            "open_only": status == OPEN_STATUSES,
        }
