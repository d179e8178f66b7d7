"""The people the fuzzers act as, each with data of their own.

Two employees (alice, bob) with requests in several states and a ready
archive each, a privacy officer, a regulator and an anonymous caller. Every
identity signs in with a DRF token (the API) or force_login (the pages), so
sign-in changes (two-factor for staff) do not change what is fuzzed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from rest_framework.authtoken.models import Token

from apps.consent.services import notice_publish
from apps.governance.services.roles import roles_sync
from apps.people.models import Employee, User
from apps.rights.models import Request
from apps.rights.services.lifecycle import message_post
from apps.rights.views.downloads import export_link
from tests.governance.conftest import make_user
from tests.rights.pages import file, ready_export

OFFICER, REGULATOR, ANONYMOUS = "officer", "regulator", "anonymous"


@dataclass
class Identity:
    name: str
    user: User | None
    token: str | None
    employee: Employee | None = None
    # What belongs to this person: request ids and archive download tokens.
    request_ids: list[str] = field(default_factory=list)
    download_tokens: list[str] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}


@dataclass
class World:
    identities: dict[str, Identity]
    # An id that names nothing: every caller gets 404 for it.
    unknown_id: str = "00000000-0000-4000-8000-000000000000"

    @property
    def employees(self) -> list[Identity]:
        return [i for i in self.identities.values() if i.employee and i.request_ids]

    def owner_of(self, request_id: str) -> Identity | None:
        for identity in self.identities.values():
            if request_id in identity.request_ids:
                return identity
        return None

    def all_request_ids(self) -> list[str]:
        return [r for i in self.identities.values() for r in i.request_ids]

    def all_download_tokens(self) -> list[str]:
        return [t for i in self.identities.values() for t in i.download_tokens]

    def foreign_ids(self, identity: Identity) -> list[str]:
        """Request ids that are not this identity's own."""
        return [r for r in self.all_request_ids() if r not in identity.request_ids]


def _token(user: User) -> str:
    return Token.objects.create(user=user).key


def _employee_with_requests(employee: Employee) -> Identity:
    """An access request with its archive ready, an erasure waiting for an
    officer, and a message to the team on it."""
    access = file(employee, kind="access")
    export = ready_export(access)
    erasure = file(employee, kind="erasure")
    message_post(request=erasure, author=employee.user, body="Hello team")
    token = export_link(access)["token"]
    assert export.request_id == access.pk
    return Identity(
        name=employee.user.username.split("@")[0],
        user=employee.user,
        token=_token(employee.user),
        employee=employee,
        request_ids=[str(access.public_id), str(erasure.public_id)],
        download_tokens=[token],
    )


@pytest.fixture
def fuzz_world(alice, bob, light_catalog, settings, tmp_path) -> World:
    settings.RIGHTS_EXPORT_ROOT = tmp_path / "exports"
    roles_sync()
    officer = make_user("olga", "privacy_officer", employee_number="S002")
    regulator = make_user("rita", "regulator")
    # A consent-based program with its notice, for the consent pages and API.
    notice_publish(
        program=light_catalog["training"],
        title="AI training",
        text="Notice",
        collected="Chat",
        why="Train the assistant",
        retention="365 days",
        recipients="ML team",
    )
    people = [_employee_with_requests(alice), _employee_with_requests(bob)]
    identities = {i.name: i for i in people}
    identities[OFFICER] = Identity(OFFICER, officer, _token(officer), officer.employee)
    identities[REGULATOR] = Identity(REGULATOR, regulator, _token(regulator))
    identities[ANONYMOUS] = Identity(ANONYMOUS, None, None)
    assert Request.objects.count() == 4
    assert uuid.UUID(World.unknown_id).version == 4
    return World(identities=identities)
