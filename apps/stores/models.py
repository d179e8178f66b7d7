"""What the stores' connectors last said about each store's health."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Store


class StoreStatus(models.Model):
    """The latest probe of one store, overwritten by each probe."""

    store = models.OneToOneField(
        Store,
        on_delete=models.CASCADE,
        related_name="status",
        verbose_name=_("store"),
    )
    checked_at = models.DateTimeField(_("checked at"))
    ok = models.BooleanField(_("answering"))
    error = models.TextField(_("error"), blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))

    class Meta:
        ordering = ["store__name"]
        verbose_name = _("store status")
        verbose_name_plural = _("store statuses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ok=False) | models.Q(error=""),
                name="store_status_ok_has_no_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store}: {'ok' if self.ok else 'failing'}"
