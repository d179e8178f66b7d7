"""Object-permission grants (django-guardian), direct-foreign-key models.

Direct foreign keys with CASCADE make a grant die with its object (generic
grants would re-attach to a reused key) and keep permission queries indexed.
All use goes through apps.governance.permissions.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.people.models import Employee


class EmployeeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Employee, on_delete=models.CASCADE)


class EmployeeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Employee, on_delete=models.CASCADE)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """`governance.read_under_case` on one approved case, held by its requester."""

    content_object = models.ForeignKey("governance.Case", on_delete=models.CASCADE)
