"""Create the role groups with their permissions (apps.governance.roles).

Permissions are normally created after all migrations (post_migrate); they
are created here first so the groups can hold them. Later changes to the
roles are applied by `manage.py sync_roles` (and a new data migration).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def sync_roles(apps, schema_editor):
    from apps.governance.services.roles import roles_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_cases_holds_reviews_retention"),
        ("audit", "0008_governance_audit_actions"),
        ("people", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
