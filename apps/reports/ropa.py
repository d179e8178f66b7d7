"""Records of processing (GDPR Art. 30(1)) generated from the catalog.

One row per program (processing activity). The columns are every field
Art. 30(1)(a)-(g) requires, then the columns of the ICO's controller
template that the catalog can fill. A required field the catalog leaves
empty is written as INCOMPLETE and named in the row's `missing` list: an
export is never silently blank. Optional fields that do not apply say so in
words ("None", "Not applicable").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import DpiaStatus, LegalBasis, Program
from apps.governance.permissions import has_capability
from apps.people.models import User
from apps.reports.organisation import OrganisationDetails, organisation_details

VIEW_ROPA = "reports.view_records_of_processing"
INCOMPLETE = "INCOMPLETE"
NONE = "None"
NOT_APPLICABLE = "Not applicable"


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # lazily translated
    # The Art. 30(1) point it answers, or "ICO" for the template's extras.
    article: str


# The order of every export and page.
COLUMNS = [
    Column("program_key", _("Program key"), "30(1)"),
    Column("program_name", _("Processing activity"), "30(1)"),
    Column("controller", _("Controller name and contact details"), "30(1)(a)"),
    Column("joint_controllers", _("Joint controllers"), "30(1)(a)"),
    Column("representative", _("Representative"), "30(1)(a)"),
    Column("dpo", _("Data protection officer"), "30(1)(a)"),
    Column("purposes", _("Purposes of the processing"), "30(1)(b)"),
    Column("data_subjects", _("Categories of data subjects"), "30(1)(c)"),
    Column("data_categories", _("Categories of personal data"), "30(1)(c)"),
    Column("recipients", _("Categories of recipients"), "30(1)(d)"),
    Column("third_countries", _("Transfers to third countries"), "30(1)(e)"),
    Column("transfer_safeguards", _("Safeguards for transfers"), "30(1)(e)"),
    Column("erasure_time_limits", _("Time limits for erasure"), "30(1)(f)"),
    Column("security_measures", _("Technical and organisational measures"), "30(1)(g)"),
    Column("legal_basis", _("Lawful basis (Art. 6)"), "ICO"),
    Column("special_category_condition", _("Art. 9 condition"), "ICO"),
    Column(
        "legitimate_interests_assessment", _("Legitimate interests assessment"), "ICO"
    ),
    Column("rights_available", _("Rights available to individuals"), "ICO"),
    Column("automated_decision_making", _("Automated decision-making"), "ICO"),
    Column("source", _("Source of the personal data"), "ICO"),
    Column("dpia_required", _("DPIA required"), "ICO"),
    Column("dpia_progress", _("DPIA progress"), "ICO"),
    Column("dpia_link", _("DPIA link"), "ICO"),
    Column("retention_policy", _("Retention policy reference"), "ICO"),
    Column("consent_records", _("Link to consent records"), "ICO"),
    Column("datasets", _("Where the data is held"), "ICO"),
    Column("complete", _("Complete"), "-"),
    Column("missing", _("Missing fields"), "-"),
]
COLUMN_KEYS = [c.key for c in COLUMNS]
# The fields Art. 30(1)(a)-(g) requires: tests check each in every format.
ARTICLE_30_KEYS = [c.key for c in COLUMNS if c.article.startswith("30(1)(")]


@dataclass
class RopaRow:
    program: Program
    values: dict[str, str]
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def as_list(self) -> list[str]:
        return [self.values[key] for key in COLUMN_KEYS]

    def cells(self) -> list[tuple[Column, str]]:
        """(column, value) for a page, the heading's columns left out."""
        return [
            (c, self.values[c.key])
            for c in COLUMNS
            if c.key not in ("program_name", "complete")
        ]


@dataclass
class Ropa:
    organisation: OrganisationDetails
    rows: list[RopaRow]

    @property
    def incomplete(self) -> list[RopaRow]:
        return [row for row in self.rows if not row.complete]


def _join(items) -> str:
    return "; ".join(str(i) for i in items if str(i).strip())


def _rights(program: Program) -> str:
    """The rights an employee has under this program's lawful basis."""
    rights = ["access", "rectification", "erasure", "restriction"]
    basis = program.legal_basis
    if basis in (LegalBasis.CONSENT, LegalBasis.CONTRACT):
        rights.append("portability")
    if program.objection_allowed or basis in (
        LegalBasis.LEGITIMATE_INTERESTS,
        LegalBasis.PUBLIC_TASK,
    ):
        rights.append("objection")
    if basis == LegalBasis.CONSENT:
        rights.append("withdraw consent at any time")
    return _join(rights)


def _retention(program: Program) -> str:
    text = f"{program.retention_days} days after collection"
    if program.leaver_retention_days is not None:
        text += f"; {program.leaver_retention_days} days after the employee leaves"
    return text


def _dpia(program: Program) -> tuple[str, str, str]:
    """(required, progress, link), from the register entry when there is one."""
    entry = getattr(program, "dpia_entry", None)
    status = entry.status if entry else program.dpia_status
    label = str(DpiaStatus(status).label)
    if status == DpiaStatus.NOT_REQUIRED:
        return "No", label, NOT_APPLICABLE
    progress = label
    if entry and entry.review_due_on:
        progress += f" (review due {entry.review_due_on.isoformat()})"
    link = (entry.document_url if entry else "") or program.dpia_reference
    return "Yes", progress, link


def _row(program: Program, org: OrganisationDetails, base_url: str) -> RopaRow:
    missing: list[str] = []

    def required(key: str, value: str) -> str:
        if value.strip():
            return value
        missing.append(key)
        return INCOMPLETE

    def optional(value: str, otherwise: str = NONE) -> str:
        return value if value.strip() else otherwise

    transfers = program.international_transfers.strip()
    dpia_required, dpia_progress, dpia_link = _dpia(program)
    is_li = program.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
    values = {
        "program_key": program.key,
        "program_name": program.name,
        "controller": required("controller", org.controller),
        "joint_controllers": optional(org.joint_controllers),
        "representative": optional(org.representative, NOT_APPLICABLE),
        "dpo": optional(org.dpo, "Not appointed"),
        "purposes": required("purposes", program.purpose),
        "data_subjects": required("data_subjects", _join(program.data_subjects)),
        "data_categories": required("data_categories", _join(program.data_categories)),
        "recipients": required("recipients", _join(program.recipients)),
        "third_countries": optional(transfers, "None (no transfers)"),
        "transfer_safeguards": (
            required("transfer_safeguards", program.transfer_safeguards)
            if transfers
            else NOT_APPLICABLE
        ),
        "erasure_time_limits": _retention(program),
        "security_measures": required("security_measures", program.security_measures),
        "legal_basis": required(
            "legal_basis",
            str(LegalBasis(program.legal_basis).label) if program.legal_basis else "",
        ),
        "special_category_condition": (
            str(program.get_special_category_condition_display())
            if program.special_category_condition
            else "None (no special-category data)"
        ),
        "legitimate_interests_assessment": (
            required(
                "legitimate_interests_assessment",
                program.legitimate_interests_assessment,
            )
            if is_li
            else optional(program.legitimate_interests_assessment, NOT_APPLICABLE)
        ),
        "rights_available": _rights(program),
        "automated_decision_making": optional(program.automated_decision_making),
        "source": required("source", program.source),
        "dpia_required": dpia_required,
        "dpia_progress": dpia_progress,
        "dpia_link": (
            required("dpia_link", dpia_link) if dpia_required == "Yes" else dpia_link
        ),
        "retention_policy": (
            f"Enforced daily by Candor's retention job: "
            f"{base_url}{reverse('governance:retention_runs')}"
        ),
        "consent_records": (
            f"{base_url}{reverse('consent:rates')}"
            if program.is_consent_based
            else NOT_APPLICABLE + " (not consent-based)"
        ),
        "datasets": optional(
            _join(f"{d.name} ({d.store.name})" for d in program.datasets.all()),
            "No dataset registered",
        ),
    }
    values["complete"] = "No" if missing else "Yes"
    values["missing"] = _join(missing) or NONE
    return RopaRow(program=program, values=values, missing=missing)


def ropa_rows(*, programs=None, base_url: str = "") -> Ropa:
    """The records of processing for every program (or `programs`), in name
    order. No access check: callers are ropa_for_user and the bundle builder."""
    if programs is None:
        programs = (
            Program.objects.select_related("dpia_entry")
            .prefetch_related("datasets__store")
            .order_by("name", "pk")
        )
    org = organisation_details()
    return Ropa(organisation=org, rows=[_row(p, org, base_url) for p in programs])


def ropa_for_user(*, user: User, base_url: str = "") -> Ropa | None:
    """The records of processing, or None when `user` may not read them."""
    if not has_capability(user=user, perm=VIEW_ROPA):
        return None
    return ropa_rows(base_url=base_url)
