"""The audit log: who read whose personal data, when and why.

Append-only: records are only ever inserted (apps.audit.services). The
governance issue adds the hash chain and the database-level guards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ_COUNTS = "read_counts", _("Counted records")
    READ_RECORDS = "read_records", _("Read records")
    READ_FILE = "read_file", _("Opened a file")
    GRANTED_ACCESS = "granted_access", _("Granted access")
    REVOKED_ACCESS = "revoked_access", _("Revoked access")


class AuditRecord(models.Model):
    """One access to personal data. Metadata only, never the data itself."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Kept as plain values as well as keys: the record must outlive renames
    # and must never be cascaded away.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    subject = models.ForeignKey(
        "people.Employee",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    dataset_key = models.CharField(_("dataset"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["subject", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
