"""Access reviews: open every interval, recertify or revoke, close and revoke
what nobody recertified."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.audit.models import AuditRecord
from apps.audit.services import audit_record_access
from apps.governance import actions
from apps.governance.models import (
    AccessReview,
    Case,
    CaseStatus,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
)
from apps.governance.permissions import (
    has_capability,
    telemetry_access_revoke,
    telemetry_user_grants,
)
from apps.governance.services.cases import DECIDE_CASE, _end
from apps.governance.services.common import now
from apps.people.models import User


def access_review_due(*, at: dt.datetime | None = None) -> bool:
    """Whether a new review should open: none is open and the last one
    opened at least settings.GOVERNANCE_REVIEW_INTERVAL_DAYS ago."""
    at = at or now()
    if AccessReview.objects.filter(status=ReviewStatus.OPEN).exists():
        return False
    last = AccessReview.objects.order_by("-opened_at").first()
    interval = dt.timedelta(days=settings.GOVERNANCE_REVIEW_INTERVAL_DAYS)
    return last is None or last.opened_at + interval <= at


def _grant_owner_id(grant) -> int | None:
    """Who made a direct grant: the actor of its latest audit record."""
    record = (
        AuditRecord.objects.filter(
            action="granted_access",
            subject_id=grant.content_object_id,
            detail__grantee=grant.user.get_username(),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return record.actor_id if record else None


def _items(review: AccessReview) -> list[ReviewItem]:
    items = []
    live = Case.objects.filter(status=CaseStatus.APPROVED, expires_at__gt=now())
    for case in live.select_related("subject", "requester"):
        items.append(
            ReviewItem(
                review=review,
                case=case,
                owner_id=case.approver_id,
                grantee_label=case.requester.get_username(),
                subject_label=str(case.subject),
                description=_("Case #%(id)s until %(date)s")
                % {"id": case.pk, "date": f"{case.expires_at:%Y-%m-%d}"},
            )
        )
    for grant in telemetry_user_grants():
        items.append(
            ReviewItem(
                review=review,
                grant=grant,
                owner_id=_grant_owner_id(grant),
                grantee_label=grant.user.get_username(),
                subject_label=str(grant.content_object),
                description=_("Direct grant to read all monitoring data"),
            )
        )
    return items


def access_review_open() -> AccessReview | None:
    """Open a review of every live case and direct grant; None if one is open.

    Owners have settings.GOVERNANCE_REVIEW_DAYS to recertify their items.
    """
    opened = now()
    try:
        with transaction.atomic():
            review = AccessReview(
                opened_at=opened,
                ends_at=opened + dt.timedelta(days=settings.GOVERNANCE_REVIEW_DAYS),
            )
            review.full_clean(validate_constraints=False)
            review.save()
            items = ReviewItem.objects.bulk_create(_items(review))
            audit_record_access(
                actor=None,  # Candor's own scheduled work
                subject=None,
                action=actions.ACCESS_REVIEW_OPENED,
                purpose="Periodic access review",
                detail={"review_id": review.pk, "items": len(items)},
            )
    except IntegrityError:
        return None  # Another worker opened one a moment ago.
    return review


def _revoke(item: ReviewItem, *, actor: User | None, reason: str) -> None:
    if item.case_id:
        case = Case.objects.select_for_update().select_related("subject")
        case = case.filter(pk=item.case_id, status=CaseStatus.APPROVED).first()
        if case is not None:
            _end(
                case,
                status=CaseStatus.CLOSED,
                actor=actor,
                action=actions.GRANT_REVOKED_IN_REVIEW,
                reason=reason,
            )
    elif item.grant_id:
        grant = item.grant
        telemetry_access_revoke(
            revoked_by=actor,
            user=grant.user,
            employee=grant.content_object,
            reason=reason,
        )


def _may_decide(item: ReviewItem, user: User) -> bool:
    if item.owner_id is not None:
        return item.owner_id == user.pk and user.is_active
    return has_capability(user=user, perm=DECIDE_CASE)


@transaction.atomic
def review_item_decide(
    *, item: ReviewItem, decided_by: User, recertify: bool, note: str = ""
) -> ReviewItem:
    """The owner keeps (recertifies) or revokes a grant under review. Audited."""
    item = (
        ReviewItem.objects.select_for_update().select_related("review").get(pk=item.pk)
    )
    if not _may_decide(item, decided_by):
        raise PermissionDenied(_("Only the grant's owner decides this item."))
    if item.review.status != ReviewStatus.OPEN:
        raise ValidationError(_("This review has closed."), code="closed")
    if item.decision != ReviewDecision.PENDING:
        raise ValidationError(_("This item was already decided."), code="decided")
    item.decision = ReviewDecision.RECERTIFIED if recertify else ReviewDecision.REVOKED
    item.decided_at = now()
    item.decided_by_label = decided_by.get_username()
    item.note = note.strip()[:300]
    item.full_clean()
    item.save()
    reason = _("Access review #%(id)s: %(decision)s") % {
        "id": item.review_id,
        "decision": item.get_decision_display(),
    }
    if recertify:
        audit_record_access(
            actor=decided_by,
            subject=_subject(item),
            action=actions.GRANT_RECERTIFIED,
            purpose=reason,
            detail={"review_id": item.review_id, "item_id": item.pk, **_ids(item)},
        )
    else:
        _revoke(item, actor=decided_by, reason=reason)
    return item


def _subject(item: ReviewItem):
    if item.case_id:
        return item.case.subject
    return item.grant.content_object if item.grant_id else None


def _ids(item: ReviewItem) -> dict:
    return {"case_id": item.case_id} if item.case_id else {"grant_id": item.grant_id}


def access_review_close_due() -> list[int]:
    """Close every open review past its end: undecided items are revoked.

    Returns the ids closed.
    """
    closed = []
    for pk in AccessReview.objects.filter(
        status=ReviewStatus.OPEN, ends_at__lte=now()
    ).values_list("pk", flat=True):
        with transaction.atomic():
            review = AccessReview.objects.select_for_update().get(pk=pk)
            if review.status != ReviewStatus.OPEN:
                continue
            pending = review.items.filter(decision=ReviewDecision.PENDING)
            reason = _("Not recertified in access review #%(id)s") % {"id": pk}
            revoked = 0
            for item in pending.select_related("case__subject", "grant"):
                item.decision = ReviewDecision.REVOKED
                item.decided_at = now()
                item.decided_by_label = "candor"
                item.note = reason
                # Saved before the grant goes: deleting it sets item.grant to NULL.
                item.save()
                _revoke(item, actor=None, reason=reason)
                revoked += 1
            review.status = ReviewStatus.CLOSED
            review.closed_at = now()
            review.save()
            audit_record_access(
                actor=None,  # Candor's own scheduled work
                subject=None,
                action=actions.ACCESS_REVIEW_CLOSED,
                purpose=reason,
                detail={"review_id": pk, "revoked": revoked},
            )
            closed.append(pk)
    return closed
