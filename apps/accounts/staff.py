"""Who is staff, for the two-factor requirement and step-up.

Staff: apps.governance.permissions.is_staff_member (any role other than
plain employee, or the is_staff / is_superuser flags).
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

from apps.governance.permissions import is_staff_member
from apps.people.models import User

__all__ = ["is_staff_member", "second_factor_required"]


def second_factor_required(user: User) -> bool:
    """Whether this user must pass a second factor in every session: staff
    (when ACCOUNTS_REQUIRE_STAFF_2FA is on) and anyone who enrolled."""
    if not user.is_authenticated or not settings.ACCOUNTS_REQUIRE_STAFF_2FA:
        return False
    return is_staff_member(user) or user_has_device(user, confirmed=True)
