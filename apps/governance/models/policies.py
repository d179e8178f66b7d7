"""How many people may read a program's data (the exposure report's limit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Program


class ProgramExposureLimit(models.Model):
    """At most `max_readers` people other than the subjects themselves may be
    able to read the program's datasets at any moment. Programs without a
    row use settings.GOVERNANCE_DEFAULT_MAX_READERS."""

    program = models.OneToOneField(
        Program,
        on_delete=models.CASCADE,
        related_name="exposure_limit",
        verbose_name=_("program"),
    )
    max_readers = models.PositiveIntegerField(_("most readers at once"))

    class Meta:
        verbose_name = _("exposure limit")
        verbose_name_plural = _("exposure limits")

    def __str__(self) -> str:
        return f"{self.program}: {self.max_readers}"
