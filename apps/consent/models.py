"""Consent: versioned notices, the append-only event log and its projection.

The log (ConsentEvent) is the truth; ConsentState is a projection of it that
`rebuild_consent_projection` recomputes from the log. Collectors authenticate
with CollectorToken and ask apps.consent.decisions whether they may capture.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Program
from apps.people.models import Employee


class Notice(models.Model):
    """What an employee is asked to agree to for one program, in one version.

    A version with `material_change` widens or changes the scope: consent given
    under an earlier version no longer covers the program until re-granted.
    Published notices are never edited (receipts point at them): officers
    publish a new version instead.
    """

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="notices"
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("plain-language text"))
    collected = models.TextField(_("what is collected"))
    why = models.TextField(_("why"))
    retention = models.CharField(_("how long it is kept"), max_length=300)
    recipients = models.TextField(_("who sees it"))
    material_change = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Changes the scope: everyone who consented is asked again."),
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["program", "-version"]
        get_latest_by = "version"
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "version"], name="notice_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="notice_version_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.key} v{self.version}"


class EventKind(models.TextChoices):
    GRANTED = "granted", _("granted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")


class Channel(models.TextChoices):
    PORTAL = "portal", _("portal")
    API = "api", _("API")
    OFFICER = "officer", _("officer, on the employee's behalf")
    # Expiry: nobody acted, the grant's time ran out.
    SYSTEM = "system", _("system")


class ConsentEvent(models.Model):
    """One grant, withdrawal or expiry. Append-only: never updated or deleted
    through the app (apps.consent.services only inserts; the admin is
    read-only)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="consent_events"
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="consent_events"
    )
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="consent_events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [
            models.Index(fields=["employee", "program", "id"], name="consent_ev_sub"),
        ]
        constraints = [
            # An officer acting for someone else must say why.
            models.CheckConstraint(
                condition=~Q(channel="officer") | ~Q(reason=""),
                name="consent_event_officer_gives_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind="granted") | Q(expires_at__isnull=True),
                name="consent_event_expiry_only_on_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.program_id} {self.kind} #{self.pk}"


class ConsentStateKind(models.TextChoices):
    GRANTED = "granted", _("granted")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")


class ConsentState(models.Model):
    """The projection: where each employee stands for each program now.

    No row means the employee has never answered ("none"). Every field is
    derived from `event` (updated_at is the event's time, not the row's), so
    a rebuild from the log reproduces the live table exactly.
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="consent_states"
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="consent_states"
    )
    state = models.CharField(_("state"), max_length=16, choices=ConsentStateKind)
    notice_version = models.PositiveIntegerField(_("notice version covered"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "program"], name="consent_state_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="consent_state_expiring"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.program_id} {self.state}"


class ConsentErasureWish(models.Model):
    """An employee's wish, given with a withdrawal, to erase what was collected
    under the consent. The rights engine does not exist yet: when it lands it
    files an erasure request for each unfiled wish and sets `filed_at`."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="consent_erasure_wishes"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    event = models.OneToOneField(
        ConsentEvent, on_delete=models.PROTECT, related_name="erasure_wish"
    )
    created_at = models.DateTimeField(_("at"))
    filed_at = models.DateTimeField(_("filed as a request at"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure wish")
        verbose_name_plural = _("erasure wishes")

    def __str__(self) -> str:
        return f"{self.employee_id} {self.program_id} erasure wish"


class BlockKind(models.TextChoices):
    RESTRICTION = "restriction", _("restriction of processing (Art. 18)")
    OBJECTION = "objection", _("upheld objection (Art. 21)")


class ProcessingBlock(models.Model):
    """Processing of one employee's data for one program that must stop.

    Written by the rights engine (restriction, upheld objection) through
    apps.consent.services.processing_block_place/lift; the decision API denies
    capture while a block is active (lifted_at is null), whatever the legal
    basis or consent.
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="processing_blocks"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=BlockKind.choices)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("placed at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("processing block")
        verbose_name_plural = _("processing blocks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="processing_block_has_reason"
            ),
        ]
        indexes = [
            models.Index(
                fields=["program", "employee"],
                condition=Q(lifted_at__isnull=True),
                name="processing_block_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.program_id} {self.kind}"


class CollectorToken(models.Model):
    """A monitoring collector's credential for the decision API.

    Only a SHA-256 digest of the secret is stored: the secret is shown once,
    when the token is created. A revoked token is refused at once.
    """

    name = models.CharField(_("name"), max_length=200)
    # First characters of the secret, to tell tokens apart in lists.
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    programs = models.ManyToManyField(
        Program, related_name="collector_tokens", verbose_name=_("programs")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), editable=False)
    revoked_at = models.DateTimeField(
        _("revoked at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("collector token")
        verbose_name_plural = _("collector tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class MirrorRepair(models.Model):
    """A change the Redis mirror may have missed (its write failed).

    Rows are consumed by apps.consent.mirror.mirror_repair (beat), which
    re-syncs the whole mirror; until then processes that saw a Redis error
    answer from the database.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    detail = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("mirror repair")
        verbose_name_plural = _("mirror repairs")

    def __str__(self) -> str:
        return self.detail
