"""The organisation record, the DPIA register and regulators' evidence bundles.

Records of processing and request records are generated on demand from the
catalog and the rights engine; only what has no other home is stored here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import DpiaStatus


class Organisation(models.Model):
    """The controller's details for GDPR Art. 30(1)(a): one row at most.

    Until an officer saves it in the admin, the REPORTS_* settings answer
    (apps.reports.services.organisation_get).
    """

    # Always 1: a database constraint keeps the table to one row.
    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    controller_name = models.CharField(_("controller"), max_length=200)
    controller_contact = models.TextField(
        _("controller's contact details"),
        help_text=_("Postal address, e-mail and telephone."),
    )
    joint_controllers = models.TextField(
        _("joint controllers"),
        blank=True,
        help_text=_("Names and contact details; leave empty when there are none."),
    )
    representative = models.TextField(
        _("representative in the Union"),
        blank=True,
        help_text=_("Art. 27 representative; leave empty when not required."),
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200)
    dpo_contact = models.TextField(_("data protection officer's contact details"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(singleton=1), name="reports_organisation_singleton"
            ),
        ]
        # The reports' capabilities, held by roles (apps.governance.roles).
        # They hang on this model because every permission needs one.
        permissions = [
            ("view_records_of_processing", _("Can read records of processing")),
            ("view_request_records", _("Can read request records and metrics")),
            ("prepare_bundle", _("Can prepare evidence bundles for regulators")),
            ("receive_bundle", _("Can download evidence bundles prepared for them")),
            ("manage_dpia", _("Can update the DPIA register")),
        ]

    def __str__(self) -> str:
        return self.controller_name


class DpiaEntry(models.Model):
    """A program's data-protection impact assessment, one per program.

    `status` is mirrored onto Program.dpia_status by dpia_entry_update, so
    the catalog, its exports and the dashboards always agree.
    """

    program = models.OneToOneField(
        "catalog.Program",
        on_delete=models.CASCADE,
        related_name="dpia_entry",
        verbose_name=_("program"),
    )
    status = models.CharField(_("status"), max_length=20, choices=DpiaStatus.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    document_url = models.URLField(_("document link"), max_length=500, blank=True)
    review_due_on = models.DateField(_("review due on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program__name"]
        verbose_name = _("DPIA register entry")
        verbose_name_plural = _("DPIA register")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(decided_on__gte=models.F("started_on")),
                name="reports_dpia_decided_after_start",
            ),
            # An approval or rejection is a decision: it has a date and a reviewer.
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"])
                | (Q(decided_on__isnull=False) & Q(reviewer__isnull=False)),
                name="reports_dpia_decision_has_date_and_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} ({self.get_status_display()})"


class BundleStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Bundle(models.Model):
    """A signed evidence ZIP prepared for one regulator over one period.

    Built by a Celery task (apps.reports.tasks.build_bundle): PENDING ->
    RUNNING (progress 0..100) -> READY (file, sha256) or FAILED (last_error).
    Only its recipient and the officers who prepare bundles may see it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("regulator"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BundleStatus.choices,
        default=BundleStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Relative to REPORTS_BUNDLE_DIR: the setting may move between machines.
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evidence bundle")
        verbose_name_plural = _("evidence bundles")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="reports_bundle_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_bundle_progress_le_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(sha256=""),
                name="reports_bundle_ready_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}..{self.period_end} for {self.recipient}"

    @property
    def download_name(self) -> str:
        return f"candor-evidence-{self.period_start}-{self.period_end}.zip"
