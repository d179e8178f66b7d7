"""The admin site ordered for the officers' daily work: the queue first.

Django lists apps alphabetically, which puts the audit log first and the
request queue somewhere in the middle. Officers open the admin to work the
rights-request queue, then cases and holds, then the catalog and people;
this site lists apps (and their models) in that order. Apps not named here
follow alphabetically.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

APP_ORDER = [
    "rights",
    "governance",
    "catalog",
    "people",
    "consent",
    "reports",
    "audit",
    "stores",
]
# Within an app, the models an officer opens most come first.
MODEL_ORDER = {
    "rights": ["Request", "Job", "ErasureCertificate"],
    "governance": ["Case", "LegalHold", "AccessReview"],
    "catalog": ["Program", "Dataset", "Store"],
    "people": ["Employee", "Department"],
    "reports": ["DpiaEntry", "Bundle", "Organisation"],
}


def _position(order: list[str], name: str) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


class CandorAdminSite(admin.AdminSite):
    site_header = _("Candor administration")
    site_title = _("Candor administration")
    index_title = _("Today's work")

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        apps.sort(key=lambda app: _position(APP_ORDER, app["app_label"]))
        for app in apps:
            order = MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(key=lambda m: _position(order, m["object_name"]))
        return apps


class CandorAdminConfig(AdminConfig):
    default_site = "apps.reports.admin_site.CandorAdminSite"
