"""Access reviews as owners and auditors see them."""

from __future__ import annotations

from django.db.models import Q

from apps.governance.models import AccessReview, ReviewDecision, ReviewItem
from apps.governance.permissions import has_capability
from apps.people.models import User

DECIDE_CASE = "governance.decide_case"
EXPORT = "governance.export_access_reviews"


def _owned(user: User) -> Q:
    owned = Q(owner=user)
    if has_capability(user=user, perm=DECIDE_CASE):
        owned |= Q(owner__isnull=True)
    return owned


def review_items_for_owner(*, user: User) -> list[ReviewItem]:
    """Pending items of open reviews that `user` must decide."""
    if not user.is_authenticated:
        return []
    return list(
        ReviewItem.objects.filter(
            _owned(user), review__status="open", decision=ReviewDecision.PENDING
        ).select_related("review")
    )


def review_item_for_owner(*, user: User, pk: int) -> ReviewItem | None:
    """Item `pk` if `user` owns it (a DPO for items without owner); else None."""
    return (
        ReviewItem.objects.filter(_owned(user), pk=pk)
        .select_related("review", "case__subject", "grant")
        .first()
    )


def reviews_for_export(*, user: User) -> list[AccessReview]:
    """Every review, newest first, for roles that export results; else []."""
    if not has_capability(user=user, perm=EXPORT):
        return []
    return list(AccessReview.objects.order_by("-opened_at", "-pk"))


def review_for_export(*, user: User, pk: int) -> AccessReview | None:
    if not has_capability(user=user, perm=EXPORT):
        return None
    return AccessReview.objects.filter(pk=pk).first()
