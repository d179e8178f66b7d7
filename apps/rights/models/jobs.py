"""Jobs: one row per dataset a request reaches, carried out by a worker.

A job row is also the request's outbox: it is written in the same
transaction as the request, so a message lost between commit and broker
(or a worker killed mid-task) only delays it; the beat sweeper
(apps.rights.tasks) re-drives pending jobs whose `run_after` has passed and
running jobs whose lease ran out.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.rights.models.requests import Request


class JobAction(models.TextChoices):
    EXPORT = "export", _("Export")
    ERASE = "erase", _("Erase")
    RECTIFY = "rectify", _("Rectify")
    RESTRICT = "restrict", _("Restrict")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # Not carried out, for a reason told to the employee (a legal hold, a
    # retention duty, legal claims: Art. 17(3)).
    SKIPPED = "skipped", _("Kept")
    # A store without an API: a named person does it and confirms.
    MANUAL = "manual", _("With a person")


class Exemption(models.TextChoices):
    NONE = "", _("None")
    LEGAL_HOLD = "legal_hold", _("A legal hold (Art. 17(3)(e))")
    LEGAL_OBLIGATION = (
        "legal_obligation",
        _("Kept to meet a legal obligation (Art. 17(3)(b))"),
    )
    LEGAL_CLAIMS = "legal_claims", _("Needed for legal claims (Art. 17(3)(e))")


class Job(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="jobs")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=JobAction.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    # Attempts are counted here, not in the broker: a SIGKILLed worker's
    # redelivered message still counts, and the cap holds across restarts.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("attempts allowed"), default=5)
    run_after = models.DateTimeField(_("next attempt after"))
    lease_expires_at = models.DateTimeField(_("lease ends"), null=True, blank=True)
    claimed_by = models.CharField(_("worker"), max_length=200, blank=True)
    records_found = models.PositiveBigIntegerField(_("records found"), null=True)
    records_done = models.PositiveBigIntegerField(_("records done"), default=0)
    records_remaining = models.PositiveBigIntegerField(
        _("records remaining after erasure"), null=True
    )
    bytes_written = models.PositiveBigIntegerField(_("bytes"), default=0)
    # Where an export job left its part files and their hashes, for assembly.
    output = models.JSONField(_("output"), default=dict, blank=True)
    exemption = models.CharField(
        _("exemption"), max_length=20, choices=Exemption.choices, blank=True
    )
    exemption_detail = models.TextField(_("why it was kept"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Manual stores.
    assignee_email = models.EmailField(_("assigned to"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="rights/evidence/", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_note = models.TextField(_("note"), blank=True)
    # An officer gave up on a failed job: the request finishes without it,
    # partially, and the employee is told why.
    abandoned_at = models.DateTimeField(_("given up"), null=True, blank=True)
    abandoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given up by"),
    )
    abandon_reason = models.TextField(_("why it was given up"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["status", "run_after"])]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "dataset", "action"], name="job_once_per_dataset"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(lease_expires_at__isnull=False),
                name="job_running_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="skipped")
                | ~Q(exemption="") & ~Q(exemption_detail=""),
                name="job_skip_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(last_error=""),
                name="job_failure_has_error",
            ),
            models.CheckConstraint(
                condition=Q(abandoned_at__isnull=True)
                | Q(status="failed") & ~Q(abandon_reason=""),
                name="job_abandoned_is_failed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.dataset_id} {self.action} {self.status}"
