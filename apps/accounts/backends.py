"""Password sign-in, only where local accounts are enabled."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from apps.people.models import Employee


class LocalPasswordBackend(ModelBackend):
    """ModelBackend that checks no password when ACCOUNTS_LOCAL_LOGIN is off,
    and never signs in a leaver (inactive users are refused by ModelBackend).

    It still loads the signed-in user of every session (get_user) and
    answers permission questions, so it stays listed either way; the admin's
    own sign-in form, which calls authenticate() too, is refused as well.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.ACCOUNTS_LOCAL_LOGIN:
            return None
        user = super().authenticate(request, username, password, **kwargs)
        if (
            user is not None
            and Employee.objects.filter(user=user, is_leaver=True).exists()
        ):
            return None
        return user
