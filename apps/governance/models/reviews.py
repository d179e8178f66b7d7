"""Access reviews: every standing grant is recertified by its owner, or revoked."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.governance.models.cases import Case
from apps.governance.models.grants import EmployeeUserObjectPermission


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AccessReview(models.Model):
    """One review period. Open until `ends_at`; closing it revokes every item
    still undecided."""

    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default="open"
    )
    opened_at = models.DateTimeField(_("opened at"))
    ends_at = models.DateTimeField(_("ends at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values),
                name="access_review_status_known",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("opened_at")),
                name="access_review_ends_after_opening",
            ),
            # Two open reviews would ask owners twice and race on revocation.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="open"),
                name="access_review_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.opened_at:%Y-%m-%d}"


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the owner")
    RECERTIFIED = "recertified", _("Recertified")
    REVOKED = "revoked", _("Revoked")


class ReviewItem(models.Model):
    """One grant under review: an approved case, or a direct employee grant.

    The owner is the case's approver, or whoever made the direct grant. Items
    with no known owner are decided by a DPO.
    """

    review = models.ForeignKey(
        AccessReview, on_delete=models.CASCADE, related_name="items"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grant = models.ForeignKey(
        EmployeeUserObjectPermission,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_items",
        verbose_name=_("owner"),
    )
    # Kept as text so the exported result outlives the grant itself.
    grantee_label = models.CharField(_("who may read"), max_length=200)
    subject_label = models.CharField(_("whose data"), max_length=200)
    description = models.CharField(_("grant"), max_length=300)
    decision = models.CharField(
        _("decision"),
        max_length=12,
        choices=ReviewDecision.choices,
        default=ReviewDecision.PENDING,
    )
    decided_by_label = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values),
                name="review_item_decision_known",
            ),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_at__isnull=False),
                name="review_item_decision_dated",
            ),
            models.UniqueConstraint(
                fields=["review", "case"],
                condition=Q(case__isnull=False),
                name="review_item_case_once",
            ),
            models.UniqueConstraint(
                fields=["review", "grant"],
                condition=Q(grant__isnull=False),
                name="review_item_grant_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.get_decision_display()})"
