"""Retention runs: what each pass of the retention task deleted, and why not more."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.people.models import Employee


class RetentionRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Finished with errors")


class RetentionRun(models.Model):
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RetentionRunStatus.choices,
        default=RetentionRunStatus.RUNNING,
    )
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RetentionRunStatus.values),
                name="retention_run_status_known",
            ),
            # Two runs at once would count the same deletions twice.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="retention_run_one_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.started_at:%Y-%m-%d %H:%M}"


class RetentionEntryKind(models.TextChoices):
    AGE = "age", _("Older than the retention period")
    LEAVER = "leaver", _("Leaver past the leaver period")


class RetentionEntry(models.Model):
    """One dataset in one run (and, for leavers, one employee)."""

    run = models.ForeignKey(
        RetentionRun, on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RetentionEntryKind.choices)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dataset_key = models.CharField(_("dataset"), max_length=100)
    employee = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cutoff = models.DateTimeField(_("records older than"), null=True, blank=True)
    deleted = models.PositiveIntegerField(_("records removed"), default=0)
    skipped_for_hold = models.PositiveIntegerField(
        _("records kept for a legal hold"), default=0
    )
    held_employees = models.PositiveIntegerField(_("employees on hold"), default=0)
    note = models.CharField(_("why"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("retention entry")
        verbose_name_plural = _("retention entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RetentionEntryKind.values),
                name="retention_entry_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_key}: {self.deleted}"
