"""Audit actions the reports app writes, by name.

The audit log has no action of its own for exports yet; an export is a read
of records (READ_RECORDS) with no single subject, its report, format, row
count and period in `detail`. Should apps.audit gain REPORT_EXPORTED and
BUNDLE_* actions, only this module changes.
"""

from apps.audit.models import AuditAction

REPORT_EXPORTED = AuditAction.READ_RECORDS
BUNDLE_REQUESTED = AuditAction.READ_RECORDS
BUNDLE_DOWNLOADED = AuditAction.READ_RECORDS
