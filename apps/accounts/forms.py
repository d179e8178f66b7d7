from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OTPTokenForm(forms.Form):
    """The second step: a code from the authenticator, or a recovery code."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
            }
        ),
    )


class StepUpForm(forms.Form):
    """Confirming it is you: the password (local accounts) and, for staff,
    the second factor. Fields not needed for this person are removed."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = OTPTokenForm.base_fields["otp_token"]

    def __init__(self, *args, ask_password: bool, ask_otp: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not ask_password:
            del self.fields["password"]
        if not ask_otp:
            del self.fields["otp_token"]
