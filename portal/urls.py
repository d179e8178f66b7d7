from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("apps.people.urls")),
    path("", include("apps.consent.urls")),
    path("", include("apps.audit.urls")),
    path("", include("apps.governance.urls")),
    path("", include("apps.reports.urls")),
    path("rights/", include("apps.rights.urls")),
    path("api/v1/", include("apps.rights.api.urls")),
]
