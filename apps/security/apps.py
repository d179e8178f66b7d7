from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "apps.security"
    label = "security"
    verbose_name = _("Sessions and deployment checks")

    def ready(self) -> None:
        # Registered here, not at import of settings: signal receivers and
        # system checks need the app registry.
        from apps.security import checks, signals  # noqa: F401
