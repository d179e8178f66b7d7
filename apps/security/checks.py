"""`check --deploy` fails when a production safeguard is off.

Django's own deploy checks are warnings and pass a project with no CSP, two
-week sessions and plain cookie names; these are errors.
"""

from django.core.checks import Error, register

from apps.security.deployment import settings_findings


@register("security", deploy=True)
def production_safeguards(app_configs=None, **kwargs) -> list[Error]:
    return [
        Error(f"{f.item}: {f.detail}", hint="docs/security.md", id=f.key)
        for f in settings_findings()
        if not f.ok
    ]
