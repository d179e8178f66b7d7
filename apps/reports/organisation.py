"""The controller's details (Art. 30(1)(a)): the admin's record, else settings."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apps.reports.models import Organisation


@dataclass(frozen=True)
class OrganisationDetails:
    controller: str
    joint_controllers: str
    representative: str
    dpo: str
    # "admin" or "settings": where the details came from (shown on the page).
    source: str


def _person(name: str, contact: str) -> str:
    return ", ".join(part.strip() for part in (name, contact) if part.strip())


def organisation_details() -> OrganisationDetails:
    """The organisation record if an officer saved one, else REPORTS_* settings."""
    org = Organisation.objects.first()
    if org is not None:
        return OrganisationDetails(
            controller=_person(org.controller_name, org.controller_contact),
            joint_controllers=org.joint_controllers.strip(),
            representative=org.representative.strip(),
            dpo=_person(org.dpo_name, org.dpo_contact),
            source="admin",
        )
    return OrganisationDetails(
        controller=_person(
            settings.REPORTS_CONTROLLER_NAME, settings.REPORTS_CONTROLLER_CONTACT
        ),
        joint_controllers=settings.REPORTS_JOINT_CONTROLLERS.strip(),
        representative=settings.REPORTS_REPRESENTATIVE.strip(),
        dpo=_person(settings.REPORTS_DPO_NAME, settings.REPORTS_DPO_CONTACT),
        source="settings",
    )
