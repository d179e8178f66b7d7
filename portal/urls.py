from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("apps.accounts.urls")),
    path("oidc/", include("apps.accounts.oidc_urls")),
    path("admin/", admin.site.urls),
    path("", include("apps.people.urls")),
    path("", include("apps.consent.urls")),
    path("", include("apps.audit.urls")),
    path("", include("apps.governance.urls")),
    path("", include("apps.reports.urls")),
    path("rights/", include("apps.rights.urls")),
    path("api/v1/", include("apps.rights.api.urls")),
]
