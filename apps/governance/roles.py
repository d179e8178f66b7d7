"""The roles: Django groups with a fixed permission set each, defined here.

`python manage.py sync_roles` (and the data migration that calls the same
function) makes the groups hold exactly these permissions, no more.
`python manage.py permission_matrix` renders docs/permissions.md from here.

Least privilege throughout: no role holds `people.view_telemetry`. Reading
another person's monitoring data needs an approved case (an object
permission on that case, apps.governance.permissions), never a role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    doc: str
    permissions: frozenset[str]
    # Words that name the role in a program's "who may access" list (the
    # exposure report's test of whether a reader's role is listed).
    aliases: tuple[str, ...] = ()


AGGREGATES = "governance.view_aggregate_reports"
# The audit log with its signed checkpoints and verification results.
AUDIT_LOG = (
    "audit.view_auditrecord",
    "audit.view_auditcheckpoint",
    "audit.view_auditverification",
)
# What every reader of reports holds: officers, the DPO, auditors, regulators.
REPORTS = frozenset(
    {
        "governance.view_exposure_report",
        "governance.view_retention_runs",
        "governance.export_access_reviews",
        AGGREGATES,
        *AUDIT_LOG,
        "reports.view_records_of_processing",
        "reports.view_request_records",
    }
)
# Preparing regulators' evidence bundles and keeping the DPIA register.
REPORT_KEEPERS = frozenset({"reports.prepare_bundle", "reports.manage_dpia"})

EMPLOYEE = Role(
    name="employee",
    label=_("Employee"),
    doc="Sees their own data, their own consent and who looked at their data. "
    "Holds no permission: everything they see is theirs by ownership.",
    permissions=frozenset(),
    aliases=("employee",),
)
MANAGER = Role(
    name="manager",
    label=_("Manager"),
    doc="Reads aggregate figures over groups of at least five people. Never an "
    "individual's telemetry, consent choice or request.",
    permissions=frozenset({AGGREGATES}),
    aliases=("manager",),
)
HR = Role(
    name="hr",
    label=_("HR"),
    doc="Maintains the roster (employee records, leavers) and reads aggregate "
    "figures. Never an individual's telemetry or consent choice.",
    permissions=frozenset(
        {"people.view_employee", "people.change_employee", AGGREGATES}
    ),
    aliases=("hr", "human resources"),
)
PRIVACY_OFFICER = Role(
    name="privacy_officer",
    label=_("Privacy officer"),
    doc="Handles data-subject requests, places and releases legal holds, reads "
    "the exposure report, retention reports and the audit log; keeps the "
    "DPIA register and prepares regulators' evidence bundles. Reads raw "
    "telemetry only through a case a DPO approved.",
    permissions=REPORTS
    | frozenset(
        {
            "governance.open_case",
            "governance.handle_requests",
            "governance.manage_legal_holds",
            "governance.view_legal_holds",
        }
    )
    | REPORT_KEEPERS,
    aliases=("privacy officer",),
)
DPO = Role(
    name="dpo",
    label=_("Data protection officer"),
    doc="Approves or rejects cases (never their own), owns the grants they "
    "approved in access reviews, places legal holds, reads every report and "
    "the audit log; keeps the DPIA register and prepares regulators' evidence "
    "bundles. Opens no case and reads no telemetry.",
    permissions=REPORTS
    | frozenset(
        {
            "governance.decide_case",
            "governance.manage_legal_holds",
            "governance.view_legal_holds",
        }
    )
    | REPORT_KEEPERS,
    aliases=("dpo", "data protection officer"),
)
SECURITY_INVESTIGATOR = Role(
    name="security_investigator",
    label=_("Security investigator"),
    doc="Opens cases with a justification and a scope; reads the case's "
    "datasets of its employee within its time window once a DPO approves, "
    "until it expires. Nothing else.",
    permissions=frozenset({"governance.open_case"}),
    aliases=("security investigator",),
)
AUDITOR = Role(
    name="auditor",
    label=_("Auditor"),
    doc="Reads the exposure report, legal holds, retention reports, access-"
    "review results and the audit log. Never raw telemetry.",
    permissions=REPORTS | {"governance.view_legal_holds"},
    aliases=("auditor",),
)
REGULATOR = Role(
    name="regulator",
    label=_("Regulator"),
    doc="Reads reports (exposure, retention, access reviews, aggregates, "
    "records of processing, request records) and the audit log; downloads "
    "the evidence bundles prepared for them. Never raw telemetry, never an "
    "individual's legal hold.",
    permissions=REPORTS | {"reports.receive_bundle"},
    aliases=("regulator",),
)

ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        EMPLOYEE,
        MANAGER,
        HR,
        PRIVACY_OFFICER,
        DPO,
        SECURITY_INVESTIGATOR,
        AUDITOR,
        REGULATOR,
    )
}


def role_label(group_name: str) -> str:
    """A role's name as people read it ("Privacy officer"); other groups as named."""
    role = ROLES.get(group_name)
    return str(role.label) if role else group_name


def all_role_permissions() -> list[str]:
    """Every permission some role holds, sorted."""
    return sorted({perm for role in ROLES.values() for perm in role.permissions})
