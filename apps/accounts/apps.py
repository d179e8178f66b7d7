from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Sign-in")

    def ready(self) -> None:
        # Failures and lockouts are audited wherever they happen (the admin's
        # form too). Successful sign-ins are audited by the sign-in views, not
        # on user_logged_in, which tests' force_login sends as well.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from apps.accounts import audit

        user_login_failed.connect(
            audit.on_sign_in_failed, dispatch_uid="accounts_sign_in_failed"
        )
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="accounts_locked_out")
