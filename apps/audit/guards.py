"""Names of the PostgreSQL objects of migrations 0007 and 0010 (docs/audit.md).

Each guarded table has a row trigger refusing UPDATE and DELETE and a
statement trigger refusing TRUNCATE; both call one function that raises
SQLSTATE 42501 (insufficient_privilege), the error a REVOKE would give.
"""

GUARDED_TABLES = ("audit_auditrecord", "audit_auditcheckpoint")
ROW_TRIGGER = "audit_append_only"
TRUNCATE_TRIGGER = "audit_no_truncate"
REFUSE_FUNCTION = "audit_refuse_change"

# Chains and inserts records in one statement (migration 0010).
APPEND_FUNCTION = "candor_audit_append"
