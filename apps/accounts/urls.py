"""Sign-in pages under /accounts/. No app_name: `login` and `logout` keep
the names Django's settings (LOGIN_URL) and templates use."""

from django.urls import path

from apps.accounts import stepup_views, views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("step-up/", stepup_views.step_up, name="step_up"),
]
