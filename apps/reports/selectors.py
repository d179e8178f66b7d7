"""Reads of evidence bundles, each taking the acting user.

Officers who prepare bundles see every bundle; a regulator sees the bundles
prepared for them, and nobody else's (404, never 403).
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from apps.governance.permissions import has_capability
from apps.people.models import User
from apps.reports.models import Bundle

PREPARE_BUNDLE = "reports.prepare_bundle"
RECEIVE_BUNDLE = "reports.receive_bundle"


def _visible(user: User) -> tuple[QuerySet[Bundle], bool] | None:
    bundles = Bundle.objects.select_related("recipient", "requested_by")
    if has_capability(user=user, perm=PREPARE_BUNDLE):
        return bundles, True
    if has_capability(user=user, perm=RECEIVE_BUNDLE):
        return bundles.filter(recipient=user), False
    return None


def bundles_for_user(*, user: User) -> tuple[list[Bundle], bool] | None:
    """(bundles the user may see, whether they may prepare), or None."""
    found = _visible(user)
    if found is None:
        return None
    bundles, may_prepare = found
    return list(bundles[:100]), may_prepare


def bundle_for_user(*, user: User, public_id) -> Bundle | None:
    found = _visible(user)
    if found is None:
        return None
    return found[0].filter(public_id=public_id).first()


def regulators() -> QuerySet[User]:
    """Active users whose role receives bundles."""
    app_label, _, codename = RECEIVE_BUNDLE.partition(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    )
    return (
        User.objects.filter(is_active=True, groups__permissions__in=permission)
        .distinct()
        .order_by("username")
    )
