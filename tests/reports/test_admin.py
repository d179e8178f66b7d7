"""The admin is Candor's, and lists the officers' daily work first."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.people.models import User
from apps.reports.admin_site import CandorAdminSite

pytestmark = pytest.mark.django_db


def test_the_default_site_is_ordered_for_officers():
    assert isinstance(admin.site, CandorAdminSite)
    request = RequestFactory().get("/admin/")
    request.user = User.objects.create_superuser("root", "root@example.test", "x")
    labels = [app["app_label"] for app in admin.site.get_app_list(request)]
    known = [a for a in ["rights", "governance", "catalog", "people"] if a in labels]
    assert labels[: len(known)] == known
    governance = next(
        a for a in admin.site.get_app_list(request) if a["app_label"] == "governance"
    )
    names = [m["object_name"] for m in governance["models"]]
    assert names.index("Case") < names.index("LegalHold")


def test_the_index_is_titled(client):
    user = User.objects.create_superuser("root", "root@example.test", "x")
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert "| Candor administration</title>" in page
    assert "◐</span> Candor administration</a>" in page
