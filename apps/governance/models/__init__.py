"""Governance models: grants, cases, legal holds, access reviews, retention runs."""

from apps.governance.models.capabilities import Capability
from apps.governance.models.cases import Case, CaseStatus
from apps.governance.models.grants import (
    CaseUserObjectPermission,
    EmployeeGroupObjectPermission,
    EmployeeUserObjectPermission,
)
from apps.governance.models.holds import LegalHold
from apps.governance.models.policies import ProgramExposureLimit
from apps.governance.models.retention import (
    RetentionEntry,
    RetentionEntryKind,
    RetentionRun,
    RetentionRunStatus,
)
from apps.governance.models.reviews import (
    AccessReview,
    ReviewDecision,
    ReviewItem,
    ReviewStatus,
)

__all__ = [
    "AccessReview",
    "Capability",
    "Case",
    "CaseStatus",
    "CaseUserObjectPermission",
    "EmployeeGroupObjectPermission",
    "EmployeeUserObjectPermission",
    "LegalHold",
    "ProgramExposureLimit",
    "RetentionEntry",
    "RetentionEntryKind",
    "RetentionRun",
    "RetentionRunStatus",
    "ReviewDecision",
    "ReviewItem",
    "ReviewStatus",
]
