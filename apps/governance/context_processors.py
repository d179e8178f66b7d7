"""What the navigation may offer the signed-in user, from their roles."""

from django.contrib.auth.models import Permission
from django.http import HttpRequest


def role_capabilities(request: HttpRequest) -> dict:
    """`capabilities`: the "app.codename" permissions the user's roles hold.

    One query per page. Only group permissions count, as in
    apps.governance.permissions.has_capability: the menu never offers a
    page that would answer 404.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"capabilities": frozenset()}
    rows = Permission.objects.filter(group__user=user).values_list(
        "content_type__app_label", "codename"
    )
    return {"capabilities": frozenset(f"{app}.{code}" for app, code in rows)}
