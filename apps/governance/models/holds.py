"""Legal holds: an employee's data that must not be erased, whatever asks."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset
from apps.people.models import Employee


class LegalHold(models.Model):
    """Keeps `employee`'s records in `datasets` (or in every dataset) from
    erasure and retention between `starts_at` and `ends_at` (open-ended when
    blank), until released."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("employee"),
    )
    all_datasets = models.BooleanField(_("every dataset"), default=False)
    datasets = models.ManyToManyField(
        Dataset, blank=True, related_name="legal_holds", verbose_name=_("datasets")
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="legal_holds_placed",
        verbose_name=_("placed by"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds_released",
        verbose_name=_("released by"),
    )
    release_reason = models.TextField(_("reason for release"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="legal_hold_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="legal_hold_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | Q(released_by__isnull=False) & ~Q(release_reason=""),
                name="legal_hold_release_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.employee.full_name}"
