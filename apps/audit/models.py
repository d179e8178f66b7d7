"""The audit log: who read whose personal data, or did something privileged.

Append-only and hash-chained (docs/audit.md): records are only ever inserted
by apps.audit.services, each one carrying the hash of the one before it;
signed checkpoints pin the chain at intervals. On PostgreSQL, triggers refuse
UPDATE, DELETE and TRUNCATE on records and checkpoints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.audit.chain import CanonicalDetailEncoder


class AuditAction(models.TextChoices):
    READ_COUNTS = "read_counts", _("Counted records")
    READ_RECORDS = "read_records", _("Read records")
    READ_FILE = "read_file", _("Opened a file")
    # A dashboard or report over a group of at least five people: no subject,
    # the group in detail["group"] and, when it is one, detail["department_id"].
    READ_AGGREGATE = "read_aggregate", _("Read figures about a group")
    GRANTED_ACCESS = "granted_access", _("Granted access")
    REVOKED_ACCESS = "revoked_access", _("Revoked access")
    # Privileged actions of governance (apps.governance.actions).
    CASE_OPENED = "case_opened", _("Opened a case")
    CASE_APPROVED = "case_approved", _("Approved a case")
    CASE_REJECTED = "case_rejected", _("Rejected a case")
    CASE_CLOSED = "case_closed", _("Closed a case")
    CASE_EXPIRED = "case_expired", _("A case expired")
    CASE_SUBJECT_NOTIFIED = "case_subject_notified", _("Told the employee of a case")
    LEGAL_HOLD_PLACED = "legal_hold_placed", _("Placed a legal hold")
    LEGAL_HOLD_RELEASED = "legal_hold_released", _("Released a legal hold")
    ACCESS_REVIEW_OPENED = "access_review_opened", _("Opened an access review")
    ACCESS_REVIEW_CLOSED = "access_review_closed", _("Closed an access review")
    GRANT_RECERTIFIED = "grant_recertified", _("Recertified a grant")
    GRANT_REVOKED_IN_REVIEW = (
        "grant_revoked_in_review",
        _("Revoked a grant in a review"),
    )
    RETENTION_ERASED = "retention_erased", _("Erased data past its retention")
    LEAVER_DATA_PURGED = "leaver_data_purged", _("Purged a leaver's data")
    # Rights requests (apps.rights).
    RIGHTS_REQUEST_FILED = "rights_request_filed", _("Filed a rights request")
    RIGHTS_REQUEST_MOVED = "rights_request_moved", _("Moved a rights request on")
    RIGHTS_DATA_EXPORTED = "rights_data_exported", _("Exported data for a request")
    RIGHTS_DATA_ERASED = "rights_data_erased", _("Erased data for a request")
    RIGHTS_DATA_RECTIFIED = "rights_data_rectified", _("Rectified data for a request")
    RIGHTS_EXPORT_DOWNLOADED = "rights_export_downloaded", _(
        "Downloaded a request's archive"
    )
    RIGHTS_CERTIFICATE_ISSUED = "rights_certificate_issued", _(
        "Issued an erasure certificate"
    )
    RIGHTS_PROCESSING_RESTRICTED = "rights_processing_restricted", _(
        "Restricted processing"
    )
    RIGHTS_RESTRICTION_LIFTED = "rights_restriction_lifted", _(
        "Lifted a restriction of processing"
    )
    # Sign-in (apps.accounts): the person in `actor` when known, else the
    # name tried in detail["username"].
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed to sign in")
    SIGN_IN_LOCKED_OUT = "sign_in_locked_out", _("Sign-in locked out")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Set up two-factor sign-in")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")
    STEPPED_UP = "stepped_up", _("Confirmed it was them")
    SSO_REFUSED = "sso_refused", _("Single sign-on refused")


class AuditRecord(models.Model):
    """One access to personal data or one privileged action. Metadata only.

    `seq` numbers the chain without gaps from 1; `hash` is the SHA-256 of the
    record's canonical form, which includes `prev_hash`, the hash of record
    seq - 1 (apps.audit.chain).
    """

    seq = models.PositiveBigIntegerField(_("sequence number"), editable=False)
    # Set by the service, not auto_now_add: the value hashed is the value stored.
    created_at = models.DateTimeField(_("when"), editable=False, db_index=True)
    # Kept as plain values as well as keys: the record must outlive renames
    # and must never be cascaded away.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    subject = models.ForeignKey(
        "people.Employee",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    dataset_key = models.CharField(_("dataset"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    # Stored in the chain's canonical text, so that it is hashed as stored.
    detail = models.JSONField(
        _("detail"), default=dict, blank=True, encoder=CanonicalDetailEncoder
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["subject", "created_at"]),
            # Aggregate reads are rare: "who looked at my data" finds them
            # without scanning the whole log.
            models.Index(
                fields=["created_at"],
                condition=Q(action="read_aggregate"),
                name="audit_aggregate_reads",
            ),
        ]
        constraints = [
            # Gapless numbering is checked by verify_audit; uniqueness and the
            # start at 1 are held here, so two writers can never fork the chain.
            models.UniqueConstraint(fields=["seq"], name="audit_record_seq_unique"),
            models.CheckConstraint(
                condition=Q(seq__gte=1), name="audit_record_seq_gte_1"
            ),
            # A verbatim replay of a record (same hash) is refused outright.
            models.UniqueConstraint(fields=["hash"], name="audit_record_hash_unique"),
            models.CheckConstraint(
                condition=~Q(action="read_aggregate") | Q(subject__isnull=True),
                name="audit_aggregate_has_no_subject",
            ),
        ]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"#{self.seq} {when} {self.actor_label} {self.action}"


class AuditCheckpoint(models.Model):
    """A signed statement that record `seq` had hash `record_hash` at `signed_at`.

    The signature is an HMAC-SHA256 with a key kept outside the database
    (AUDIT_SIGNING_KEY), so whoever can rewrite the table cannot re-sign it.
    """

    seq = models.PositiveBigIntegerField(_("last record covered"), editable=False)
    record_hash = models.CharField(_("hash of that record"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"), editable=False)
    key_id = models.CharField(_("signing key id"), max_length=16)
    signature = models.CharField(_("signature"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["seq"], name="audit_checkpoint_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.signed_at:%Y-%m-%d %H:%M}"


class AuditVerification(models.Model):
    """One run of the chain verification, intact or not, for the dashboards."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    ok = models.BooleanField(_("chain intact"))
    records = models.PositiveBigIntegerField(_("records checked"))
    last_seq = models.PositiveBigIntegerField(_("last record"), null=True)
    # The first problem found, e.g. "record #41 was altered ...".
    message = models.TextField(_("result"))
    problem_seq = models.PositiveBigIntegerField(_("first bad record"), null=True)
    checkpoint = models.ForeignKey(
        AuditCheckpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checkpoint signed"),
    )

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"
