from apps.rights.lifecycle import RequestStatus
from apps.rights.models.jobs import Exemption, Job, JobAction, JobStatus
from apps.rights.models.outputs import (
    ErasureCertificate,
    Export,
    ExportStatus,
    ObjectionDecision,
    Restriction,
)
from apps.rights.models.requests import (
    Request,
    RequestChannel,
    RequestKind,
    RequestMessage,
    RequestTransition,
)

__all__ = [
    "ErasureCertificate",
    "Exemption",
    "Export",
    "ExportStatus",
    "Job",
    "JobAction",
    "JobStatus",
    "ObjectionDecision",
    "Request",
    "RequestChannel",
    "RequestKind",
    "RequestMessage",
    "RequestStatus",
    "RequestTransition",
    "Restriction",
]
