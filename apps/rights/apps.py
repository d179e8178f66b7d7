from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "apps.rights"
    verbose_name = _("Rights requests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from apps.rights.views.reauth import remember_sign_in

        # Downloads and erasure filing ask for a recent sign-in of this session.
        user_logged_in.connect(remember_sign_in, dispatch_uid="rights_sign_in_time")
