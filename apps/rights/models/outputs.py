"""What a request produces: an export archive, an erasure certificate,
restrictions of processing and objection decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.rights.models.requests import Request


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Export(models.Model):
    """The access or portability archive: one encrypted ZIP on disk."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="export"
    )
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    # Relative to settings.RIGHTS_EXPORT_ROOT; the file is encrypted.
    path = models.CharField(max_length=300, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # Of the plain ZIP, as the employee will receive it.
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A worker assembling the archive holds it until then; a killed worker's
    # assembly is taken over by the sweeper once this has passed.
    assembling_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready")
                | ~Q(path="") & ~Q(sha256="") & Q(expires_at__isnull=False),
                name="export_ready_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.request_id} {self.status}"


class ErasureCertificate(models.Model):
    """Per dataset counts before and after, and the verification: signed by
    the portal (apps.rights.signing) and verifiable by `verify_certificate`."""

    request = models.OneToOneField(
        Request, on_delete=models.PROTECT, related_name="certificate"
    )
    payload = models.JSONField()
    signature = models.TextField()
    key_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("erasure certificate")
        verbose_name_plural = _("erasure certificates")

    def __str__(self) -> str:
        return f"certificate {self.request_id}"


class Restriction(models.Model):
    """A dataset of the employee's that may be stored but not processed
    (Art. 18), until lifted; the employee is told before it is lifted."""

    request = models.ForeignKey(
        Request, on_delete=models.PROTECT, related_name="restrictions"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lift_reason = models.TextField(blank=True)
    subject_told_at = models.DateTimeField(null=True, blank=True)
    lift_after = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "dataset"], name="restriction_once_per_dataset"
            ),
            # Art. 18(3): the employee is told before the restriction goes.
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True)
                | Q(subject_told_at__isnull=False) & ~Q(lift_reason=""),
                name="restriction_lift_told_first",
            ),
        ]

    def __str__(self) -> str:
        return f"restriction {self.request_id}/{self.dataset_id}"


class ObjectionDecision(models.Model):
    """The officer's balancing of the employee's grounds against the
    program's interests (Art. 21(1))."""

    request = models.OneToOneField(
        Request, on_delete=models.PROTECT, related_name="objection_decision"
    )
    upheld = models.BooleanField(_("objection upheld"))
    reasoning = models.TextField(_("balancing reasoning"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("objection decision")
        verbose_name_plural = _("objection decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reasoning=""), name="objection_decision_reasoned"
            ),
        ]

    def __str__(self) -> str:
        return f"objection {self.request_id}: {'upheld' if self.upheld else 'not'}"
