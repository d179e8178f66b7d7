"""Data-subject requests, the transitions they went through and the messages
exchanged about them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Dataset, Program
from apps.people.models import Employee
from apps.rights.lifecycle import RequestStatus, allowed_pairs


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    RESTRICTION = "restriction", _("Restriction of processing (Art. 18)")
    OBJECTION = "objection", _("Objection (Art. 21)")
    PORTABILITY = "portability", _("Portability (Art. 20)")


class RequestChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    # Filed by an officer for an employee who asked by e-mail, letter or in
    # person (and for the erasure an employee asked for when withdrawing).
    OFFICER = "officer", _("Privacy team")


class Request(models.Model):
    """One employee's request to exercise a right over their monitoring data.

    The scope is every program covering the employee (`all_programs`), or the
    chosen programs and datasets. `due_at` is the statutory deadline
    (apps.rights.deadlines): it moves later by the time spent waiting on the
    employee and by an extension.
    """

    public_id = models.UUIDField(_("reference"), unique=True, editable=False)
    subject = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="rights_requests",
        verbose_name=_("employee"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=RequestKind.choices)
    channel = models.CharField(
        _("received through"),
        max_length=16,
        choices=RequestChannel.choices,
        default=RequestChannel.PORTAL,
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
    )
    all_programs = models.BooleanField(_("every program"), default=True)
    programs = models.ManyToManyField(
        Program, blank=True, related_name="+", verbose_name=_("programs")
    )
    datasets = models.ManyToManyField(
        Dataset, blank=True, related_name="+", verbose_name=_("datasets")
    )
    # What the employee wrote: their request, grounds for an objection.
    text = models.TextField(_("details"), blank=True)
    # Rectification: {"dataset": key, "record": key, "changes": {field: value}}.
    details = models.JSONField(_("structured details"), default=dict, blank=True)
    # Set when an officer split this request off another.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="splits",
        verbose_name=_("split from"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    # The statutory clock (apps.rights.deadlines).
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8)
    received_at = models.DateTimeField(_("received"))
    acknowledge_by = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    # The status to go back to when the employee answers.
    resume_status = models.CharField(
        _("resume at"), max_length=24, choices=RequestStatus.choices, blank=True
    )
    extended_days = models.PositiveIntegerField(_("extended by (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    warned_7d_at = models.DateTimeField(null=True, blank=True, editable=False)
    warned_1d_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_flagged_at = models.DateTimeField(
        _("flagged overdue"), null=True, blank=True, editable=False
    )
    # The answer.
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    response_summary = models.TextField(_("answer"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["subject", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="request_status_known",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RequestKind.values), name="request_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("received_at")),
                name="request_due_after_received",
            ),
            models.CheckConstraint(
                condition=Q(extended_days=0)
                | ~Q(extension_reason="") & Q(extended_at__isnull=False),
                name="request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused")
                | ~Q(refusal_reason="") & Q(responded_at__isnull=False),
                name="request_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "partially_completed"])
                | Q(responded_at__isnull=False),
                name="request_completion_is_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_subject")
                | Q(paused_at__isnull=False) & ~Q(resume_status=""),
                name="request_wait_pauses_clock",
            ),
            # One open request per employee, type and scope at a time: a
            # double click or a second tab files nothing new. Scoped requests
            # are checked by the service (the scope lives in M2M tables).
            models.UniqueConstraint(
                fields=["subject", "kind"],
                condition=Q(all_programs=True)
                & Q(parent__isnull=True)
                & ~Q(
                    status__in=[
                        "completed",
                        "partially_completed",
                        "refused",
                        "withdrawn",
                    ]
                ),
                name="request_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.public_id)[:8]}"


def _pair_condition() -> Q:
    condition = Q()
    for from_status, to_status in allowed_pairs():
        condition |= Q(from_status=from_status, to_status=to_status)
    return condition


class RequestTransition(models.Model):
    """One step of a request's life: who moved it, when and why. Append-only."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(
        max_length=24, choices=RequestStatus.choices, blank=True
    )
    to_status = models.CharField(max_length=24, choices=RequestStatus.choices)
    # None: Candor's own work (a worker finishing the jobs).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("request transition")
        verbose_name_plural = _("request transitions")
        constraints = [
            models.CheckConstraint(
                condition=_pair_condition(), name="request_transition_allowed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} -> {self.to_status}"


class RequestMessage(models.Model):
    """A message between the employee and the privacy team about a request."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_subject = models.BooleanField(_("from the employee"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="request_message_body"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} message {self.pk}"
