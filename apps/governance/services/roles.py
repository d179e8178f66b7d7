"""Keeping the role groups exactly as apps.governance.roles defines them."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import transaction

from apps.governance.roles import ROLES


class UnknownPermission(LookupError):
    """A role names a permission that no installed app defines."""


@transaction.atomic
def roles_sync(*, apps=global_apps) -> dict[str, tuple[int, int]]:
    """Create each role's group and give it exactly its permissions.

    Idempotent. Permissions a group holds beyond its role's set are removed
    (someone widened a role by hand: the code is the reference). Returns
    {role: (permissions added, permissions removed)}. `apps` lets the data
    migration pass its historical registry.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    changes: dict[str, tuple[int, int]] = {}
    for role in ROLES.values():
        wanted = {_permission(Permission, name).pk for name in role.permissions}
        group, _ = Group.objects.get_or_create(name=role.name)
        held = set(group.permissions.values_list("pk", flat=True))
        group.permissions.add(*(wanted - held))
        group.permissions.remove(*(held - wanted))
        changes[role.name] = (len(wanted - held), len(held - wanted))
    return changes


def _permission(Permission, name: str):
    app_label, _, codename = name.partition(".")
    try:
        return Permission.objects.get(
            content_type__app_label=app_label, codename=codename
        )
    except Permission.DoesNotExist:
        raise UnknownPermission(f"permission {name} does not exist") from None
