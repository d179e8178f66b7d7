"""What index.html in an access archive says: GDPR Art. 15(1)(a)-(h) and
15(2) from the catalog, next to the data that was found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from apps.catalog.models import LegalBasis, Program
from apps.rights.models import Job, JobStatus, Request
from apps.rights.services.lifecycle import COMPLAINT_NOTICE

RIGHTS = [
    _("Access (Art. 15): you may ask again for a copy of your data."),
    _("Rectification (Art. 16): ask us to correct what is wrong."),
    _(
        "Erasure (Art. 17): ask us to erase your data, unless the law or a "
        "legal claim requires that we keep it."
    ),
    _("Restriction (Art. 18): ask us to keep but stop using your data."),
    _("Portability (Art. 20): ask for your data in a machine-readable form."),
    _(
        "Objection (Art. 21): object to processing based on legitimate "
        "interests or a public task."
    ),
]


@dataclass
class ProgramSummary:
    program: Program
    legal_basis: str
    retention: str
    datasets: list[dict] = field(default_factory=list)


def _retention(program: Program) -> str:
    text = _("%(days)s days from collection") % {"days": program.retention_days}
    if program.leaver_retention_days:
        text += str(
            _("; %(days)s days after you leave")
            % {"days": program.leaver_retention_days}
        )
    return str(text)


def index_context(
    *, request: Request, jobs: list[Job], generated_at: dt.datetime
) -> dict:
    programs: dict[int, ProgramSummary] = {}
    for job in jobs:
        program = job.dataset.program
        summary = programs.setdefault(
            program.pk,
            ProgramSummary(
                program=program,
                legal_basis=str(LegalBasis(program.legal_basis).label),
                retention=_retention(program),
            ),
        )
        output = job.output or {}
        summary.datasets.append(
            {
                "name": job.dataset.name,
                "key": job.dataset.key,
                "description": job.dataset.description,
                "store": job.dataset.store.name,
                "categories": sorted(
                    {f.data_category for f in job.dataset.fields.all()}
                ),
                "records": job.records_done if job.status == JobStatus.DONE else None,
                "files": output.get("files", 0),
                "status": job.get_status_display(),
                "note": job.abandon_reason or job.confirmation_note,
            }
        )
    return {
        "request": request,
        "subject": request.subject,
        "generated_at": generated_at,
        "programs": list(programs.values()),
        "rights": RIGHTS,
        "complaint": COMPLAINT_NOTICE,
    }
