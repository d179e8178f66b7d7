"""Cases: time-boxed, justified, DPO-approved access to one employee's data."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.people.models import Employee


class CaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    """A request to read `subject`'s records in `datasets` within a time window.

    Only an approved, unexpired case opens anything (apps.governance.access);
    its requester then reads exactly those datasets, records timestamped in
    [window_start, window_end), until `expires_at`.
    """

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_requested",
        verbose_name=_("requester"),
    )
    subject = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("employee concerned"),
    )
    datasets = models.ManyToManyField(
        Dataset, related_name="cases", verbose_name=_("datasets")
    )
    window_start = models.DateTimeField(_("records from"))
    window_end = models.DateTimeField(_("records until"))
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.REQUESTED,
    )
    # Zero: the employee is told as soon as the case is approved. More: an
    # investigation would be compromised by telling now; the reason is kept.
    notify_delay_days = models.PositiveIntegerField(
        _("delay before telling the employee (days)"), default=0
    )
    notify_delay_reason = models.TextField(_("reason for the delay"), blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    notify_subject_after = models.DateTimeField(
        _("tell the employee after"), null=True, blank=True
    )
    subject_notified_at = models.DateTimeField(
        _("employee told at"), null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("read_under_case", _("Can read the case's data while it is approved")),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(justification=""), name="case_has_justification"
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")),
                name="case_window_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(notify_delay_days=0) | ~Q(notify_delay_reason=""),
                name="case_notice_delay_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(approver__isnull=True) | ~Q(approver=F("requester")),
                name="case_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(
                    approver__isnull=False,
                    decided_at__isnull=False,
                    expires_at__isnull=False,
                    notify_subject_after__isnull=False,
                ),
                name="case_approval_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected")
                | Q(approver__isnull=False, decided_at__isnull=False)
                & ~Q(decision_reason=""),
                name="case_rejection_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject.full_name} ({self.get_status_display()})"
