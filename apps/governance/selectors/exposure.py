"""The exposure report: who can read each dataset right now, and what is wrong.

Readers are people other than the subjects themselves: holders of a direct
grant (it opens every dataset of that employee), members of a group holding
a grant, and requesters of live cases naming the dataset. A dataset is
flagged when more people can read it than its program allows
(ProgramExposureLimit, else settings.GOVERNANCE_DEFAULT_MAX_READERS), or when
a reader holds no role that the program's "who may access" list names
(matched on the role's aliases in apps.governance.roles). A table or folder
in a store that no dataset names is reported as unregistered.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from apps.catalog.models import Dataset, Program, Store
from apps.governance.models import Case, CaseStatus, ProgramExposureLimit
from apps.governance.permissions import (
    has_capability,
    telemetry_group_grants,
    telemetry_user_grants,
)
from apps.governance.roles import ROLES
from apps.people.models import User
from apps.stores.base import StoreError
from apps.stores.registry import CONNECTORS, get_connector

VIEW_REPORT = "governance.view_exposure_report"
# Bookkeeping tables of the database itself, never monitoring data.
IGNORED_LOCATIONS = {"django_migrations"}


@dataclass
class Reader:
    username: str
    via: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)


@dataclass
class DatasetExposure:
    dataset: Dataset
    readers: dict[int, Reader]
    groups: set[str]
    case_ids: set[int]
    subject_ids: set[int]
    max_readers: int
    listed_roles: set[str]

    @property
    def reader_count(self) -> int:
        return len(self.readers)

    @property
    def subject_count(self) -> int:
        return len(self.subject_ids)

    @property
    def over_limit(self) -> bool:
        return self.reader_count > self.max_readers

    @property
    def unlisted_roles(self) -> list[str]:
        """Roles (or "none") of readers the program's access list does not name."""
        found = set()
        for reader in self.readers.values():
            if not reader.roles & self.listed_roles:
                found |= (reader.roles - self.listed_roles) or {"none"}
        return sorted(found)

    @property
    def flagged(self) -> bool:
        return self.over_limit or bool(self.unlisted_roles)


@dataclass(frozen=True)
class Unregistered:
    store: Store
    location: str


@dataclass
class ExposureReport:
    datasets: list[DatasetExposure]
    unregistered: list[Unregistered]
    store_errors: list[str]


def roles_listed(program: Program) -> set[str]:
    """The roles whose aliases appear (as words, plural allowed) in the access list."""
    text = " ".join(str(entry) for entry in program.access or []).lower()
    return {
        role.name
        for role in ROLES.values()
        if any(re.search(rf"\b{re.escape(a)}s?\b", text) for a in role.aliases)
    }


def _role_names(users: set[int]) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = defaultdict(set)
    pairs = User.groups.through.objects.filter(
        user_id__in=users, group__name__in=ROLES
    ).values_list("user_id", "group__name")
    for user_id, name in pairs:
        roles[user_id].add(name)
    return roles


def exposure_report(*, user: User) -> ExposureReport | None:
    """The report for those whose role reads it; None for anyone else."""
    if not has_capability(user=user, perm=VIEW_REPORT):
        return None
    everywhere: dict[int, Reader] = {}
    subjects: set[int] = set()
    groups: set[str] = set()
    for grant in telemetry_user_grants():
        reader = everywhere.setdefault(grant.user_id, Reader(grant.user.get_username()))
        reader.via.add("grant")
        subjects.add(grant.content_object_id)
    for grant in telemetry_group_grants():
        groups.add(grant.group.name)
        subjects.add(grant.content_object_id)
        for member in grant.group.user_set.all():
            reader = everywhere.setdefault(member.pk, Reader(member.get_username()))
            reader.via.add(f"group {grant.group.name}")
    limits = dict(ProgramExposureLimit.objects.values_list("program_id", "max_readers"))
    live = Case.objects.filter(
        status=CaseStatus.APPROVED, expires_at__gt=timezone.now()
    )
    rows = []
    for dataset in Dataset.objects.select_related("program", "store").order_by("key"):
        readers = {pk: Reader(r.username, set(r.via)) for pk, r in everywhere.items()}
        row = DatasetExposure(
            dataset=dataset,
            readers=readers,
            groups=set(groups),
            case_ids=set(),
            subject_ids=set(subjects),
            max_readers=limits.get(
                dataset.program_id, settings.GOVERNANCE_DEFAULT_MAX_READERS
            ),
            listed_roles=roles_listed(dataset.program),
        )
        for case in live.filter(datasets=dataset).select_related("requester"):
            reader = readers.setdefault(
                case.requester_id, Reader(case.requester.get_username())
            )
            reader.via.add(f"case #{case.pk}")
            row.case_ids.add(case.pk)
            row.subject_ids.add(case.subject_id)
        rows.append(row)
    roles = _role_names({pk for row in rows for pk in row.readers})
    for row in rows:
        for pk, reader in row.readers.items():
            reader.roles = roles.get(pk, set())
    unregistered, errors = _unregistered()
    return ExposureReport(datasets=rows, unregistered=unregistered, store_errors=errors)


def _registered(dataset: Dataset) -> str:
    """The location as the store's list_locations() names it."""
    if dataset.store.kind == "files":
        return dataset.location.split("/", 1)[0]
    if dataset.store.kind == "redis":
        # Redis lists key prefixes: "presence:{identifier}:*" -> "presence".
        return dataset.location.split(":", 1)[0]
    return dataset.location


def _unregistered() -> tuple[list[Unregistered], list[str]]:
    found, errors = [], []
    for store in Store.objects.filter(kind__in=list(CONNECTORS)).order_by("key"):
        known = {_registered(d) for d in store.datasets.all()}
        try:
            locations = get_connector(store).list_locations()
        except StoreError as exc:
            errors.append(str(exc))
            continue
        for location in locations:
            if location not in known and location not in IGNORED_LOCATIONS:
                found.append(Unregistered(store=store, location=location))
    return found, errors
