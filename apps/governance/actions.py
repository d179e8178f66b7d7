"""Audit actions governance writes (apps.audit.models.AuditRecord.action).

Plain strings until apps.audit.models.AuditAction lists them; the field is a
CharField of at most 32 characters, so each fits.
"""

CASE_OPENED = "case_opened"
CASE_APPROVED = "case_approved"
CASE_REJECTED = "case_rejected"
CASE_CLOSED = "case_closed"
CASE_EXPIRED = "case_expired"
CASE_SUBJECT_NOTIFIED = "case_subject_notified"
LEGAL_HOLD_PLACED = "legal_hold_placed"
LEGAL_HOLD_RELEASED = "legal_hold_released"
ACCESS_REVIEW_OPENED = "access_review_opened"
ACCESS_REVIEW_CLOSED = "access_review_closed"
GRANT_RECERTIFIED = "grant_recertified"
GRANT_REVOKED_IN_REVIEW = "grant_revoked_in_review"
RETENTION_ERASED = "retention_erased"
LEAVER_DATA_PURGED = "leaver_data_purged"

ALL = [
    CASE_OPENED,
    CASE_APPROVED,
    CASE_REJECTED,
    CASE_CLOSED,
    CASE_EXPIRED,
    CASE_SUBJECT_NOTIFIED,
    LEGAL_HOLD_PLACED,
    LEGAL_HOLD_RELEASED,
    ACCESS_REVIEW_OPENED,
    ACCESS_REVIEW_CLOSED,
    GRANT_RECERTIFIED,
    GRANT_REVOKED_IN_REVIEW,
    RETENTION_ERASED,
    LEAVER_DATA_PURGED,
]
