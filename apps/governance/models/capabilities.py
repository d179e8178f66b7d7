"""Permissions that belong to no one table: what a role may do in the portal.

The model has no table (managed = False); it exists so that Django creates
these permissions and roles (apps.governance.roles) can hold them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Capability(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        permissions = [
            ("open_case", _("Can open a case to read one employee's data")),
            ("decide_case", _("Can approve or reject cases (never one's own)")),
            ("view_exposure_report", _("Can read the exposure report")),
            ("manage_legal_holds", _("Can place and release legal holds")),
            ("view_legal_holds", _("Can read legal holds")),
            ("export_access_reviews", _("Can export access-review results")),
            ("view_retention_runs", _("Can read retention reports")),
            ("handle_requests", _("Can handle data-subject requests")),
            (
                "view_aggregate_reports",
                _("Can read aggregate figures over groups of at least five"),
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
