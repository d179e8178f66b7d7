"""The one-click forms of "My choices"."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GrantForm(forms.Form):
    # The version the employee read: a newer one must be read before granting.
    notice_version = forms.IntegerField(min_value=1)


class WithdrawForm(forms.Form):
    erase = forms.BooleanField(
        required=False,
        label=_("Also erase what was collected under this consent"),
    )
