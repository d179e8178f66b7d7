"""Users, employees and every identifier a monitoring store may key on."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Employees have one; so do officers and auditors."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """A data subject of the monitoring programs, one per user."""

    # Public id for URLs: primary keys are guessable, this is not.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="employee", verbose_name=_("user")
    )
    employee_number = models.CharField(_("employee number"), max_length=64, unique=True)
    work_email = models.EmailField(_("work e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("department"),
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=8,
        default="EU",
        help_text=_("Sets the statutory clock for requests: EU, UK or US-CA."),
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_leaver = models.BooleanField(_("leaver"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        permissions = [
            ("view_telemetry", _("Can read this employee's monitoring data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(left_on__gte=models.F("started_on")),
                name="employee_leaves_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(manager=models.F("pk")),
                name="employee_not_own_manager",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"


class IdentifierKind(models.TextChoices):
    """The keys monitoring stores use for a person."""

    EMAIL = "email", _("work e-mail")
    EMPLOYEE_NUMBER = "employee_number", _("employee number")
    DEVICE_SERIAL = "device_serial", _("device serial")
    OS_USERNAME = "os_username", _("operating-system username")
    CHAT_HANDLE = "chat_handle", _("chat handle")
    AI_USERNAME = "ai_username", _("AI-tool username")


class Identifier(models.Model):
    """One value a store may key an employee's records on.

    E-mail and employee number live on Employee too; they are mirrored here by
    the people services so that every store lookup is the same query.
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=IdentifierKind.choices)
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            # One value names one person: a shared device serial would leak.
            models.UniqueConstraint(fields=["kind", "value"], name="identifier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"

    def save(self, *args, **kwargs) -> None:
        self.value = identifier_normal(self.kind, self.value)
        super().save(*args, **kwargs)


def identifier_normal(kind: str, value: str) -> str:
    """`value` as Identifier rows keep it: e-mail addresses in lower case,
    since collectors ask in whatever case their system holds (the address on
    Employee keeps the roster's spelling, so stores keyed on it still match)."""
    if kind == IdentifierKind.EMAIL:
        return value.lower()
    return value
