"""Who is staff, for the two-factor requirement and step-up.

Staff: any role (apps.governance.roles) other than plain employee, or the
is_staff / is_superuser flags. Roles are the Django groups `sync_roles`
keeps, read as apps.governance.permissions reads them: group membership.
"""

from __future__ import annotations

from django.conf import settings
from django_otp import user_has_device

from apps.governance.roles import EMPLOYEE, ROLES
from apps.people.models import User

STAFF_ROLES = frozenset(ROLES) - {EMPLOYEE.name}


def is_staff_member(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def second_factor_required(user: User) -> bool:
    """Whether this user must pass a second factor in every session: staff
    (when ACCOUNTS_REQUIRE_STAFF_2FA is on) and anyone who enrolled."""
    if not user.is_authenticated or not settings.ACCOUNTS_REQUIRE_STAFF_2FA:
        return False
    return is_staff_member(user) or user_has_device(user, confirmed=True)
