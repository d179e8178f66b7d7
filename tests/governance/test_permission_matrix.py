"""Every role x every named URL x own/other's object: the exact allowed set.

Also: anonymous visitors and the wrong method. Each cell builds its objects
afresh, so a POST that succeeds cannot change the next cell's answer.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.catalog.models import LegalBasis, Program
from apps.consent.models import ConsentEvent
from apps.consent.services.consent import consent_grant, notice_latest
from apps.consent.services.notices import notice_publish_from_catalog
from apps.governance.matrix import named_patterns
from apps.governance.models import AccessReview, Case, LegalHold, ReviewItem
from apps.people.models import Identifier
from apps.reports.models import Bundle
from tests.accounts.helpers import verified_login
from tests.governance.conftest import WINDOW_END, WINDOW_START, make_user
from tests.governance.matrix import MATRIX, ROLE_NAMES
from tests.monitoring_fixtures import _write_png
from tests.rights.matrix_urls import OFFICER_URLS, SUBJECT_URLS, rights_url, task_url

pytestmark = pytest.mark.django_db(databases=["default", "telemetry"], transaction=True)


def count_cases() -> int:
    """Role cells (x2 where there is an object), anonymous, wrong method."""
    return sum(
        len(ROLE_NAMES) * (1 if rule.allowed_other is None else 2) + 2
        for rule in MATRIX.values()
    )


def test_every_named_url_is_declared():
    names = {name for name, _route, _view in named_patterns()}
    assert sorted(names - set(MATRIX)) == [], (
        "declare these in tests/governance/matrix.py"
    )
    assert sorted(set(MATRIX) - names) == [], "these are declared but do not exist"
    print(f"\npermission matrix: {len(MATRIX)} URLs, {count_cases()} cases")


@pytest.fixture(autouse=True)
def _staff_two_factor_on(settings):
    """The matrix judges the production configuration: staff have passed
    their second factor (verified_login), as they must."""
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = True


@pytest.fixture
def world(roles, catalog, settings):
    users = {}
    for n, role in enumerate(ROLE_NAMES, start=1):
        user = make_user(role.replace("_", ""), role, employee_number=f"R{n:03}")
        serial = f"SN-ROLE-{n}"
        Identifier.objects.create(
            employee=user.employee, kind="device_serial", value=serial
        )
        when = dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC)
        _write_png(
            settings.TELEMETRY_FILES_ROOT / f"captures/{serial}/1.png", "red", when
        )
        users[role] = user
    strangers = {
        "investigator": make_user("stranger-si", "security_investigator"),
        "dpo": make_user("stranger-dpo", "dpo"),
    }
    training = Program.objects.create(
        key="training",
        name="AI training",
        purpose="Train the assistant",
        legal_basis=LegalBasis.CONSENT,
        data_subjects=["employee"],
        data_categories=["user.behavior.keystrokes"],
        data_uses=["train_ai_system"],
        retention_days=365,
    )
    notice_publish_from_catalog(program=training)
    settings.REPORTS_BUNDLE_DIR = settings.TELEMETRY_FILES_ROOT.parent / "bundles"
    return {"users": users, "strangers": strangers, "catalog": catalog}


def _consent_event(user) -> int:
    """A consent event of `user`'s own (a grant of the world's consent program)."""
    program = Program.objects.get(key="training")
    consent_grant(
        employee=user.employee, program=program, notice=notice_latest(program=program)
    )
    return ConsentEvent.objects.filter(employee=user.employee).latest("pk").pk


def _case(requester, world) -> Case:
    subject = world["users"]["employee"].employee
    case = Case.objects.create(
        requester=requester,
        subject=subject,
        window_start=WINDOW_START,
        window_end=WINDOW_END,
        justification="Matrix",
    )
    case.datasets.set([world["catalog"]["keystrokes"]])
    return case


def _hold(placed_by, world) -> LegalHold:
    return LegalHold.objects.create(
        employee=world["users"]["employee"].employee,
        all_datasets=True,
        reason="Matrix",
        placed_by=placed_by,
        starts_at=WINDOW_START,
    )


def _item(owner) -> ReviewItem:
    review = AccessReview.objects.filter(
        status="open"
    ).first() or AccessReview.objects.create(
        opened_at=WINDOW_START, ends_at=WINDOW_END + dt.timedelta(days=3650)
    )
    return ReviewItem.objects.create(
        review=review,
        owner=owner,
        grantee_label="x",
        subject_label="y",
        description="z",
    )


def _bundle(recipient, world) -> Bundle:
    """A ready evidence bundle prepared for `recipient` (its file a stub)."""
    folder = Path(settings.REPORTS_BUNDLE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    return Bundle.objects.create(
        recipient=recipient,
        requested_by=world["users"]["dpo"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        status="ready",
        sha256="0" * 64,
        file_name="matrix.zip",
    )


def url_for(name: str, actor, own: bool, world) -> str:
    """The URL of `name` on the actor's own object, or on someone else's."""
    other = world["strangers"]["investigator"]
    alice_like = (
        world["users"]["employee"]
        if actor != world["users"]["employee"]
        else world["users"]["manager"]
    )
    subject = (actor if own and actor else alice_like).employee
    if name == "people:subject_dataset":
        return reverse(
            name, kwargs={"public_id": subject.public_id, "key": "keystrokes"}
        )
    if name == "people:subject_file":
        serial = subject.identifiers.get().value
        return reverse(
            name,
            kwargs={
                "public_id": subject.public_id,
                "key": "screens",
                "file_key": f"captures/{serial}/1.png",
            },
        )
    if name in (
        "governance:case_detail",
        "governance:case_close",
        "governance:case_approve",
        "governance:case_reject",
    ):
        return reverse(
            name, kwargs={"pk": _case(actor if own and actor else other, world).pk}
        )
    if name == "governance:hold_release":
        return reverse(
            name, kwargs={"pk": _hold(actor if own and actor else other, world).pk}
        )
    if name == "governance:review_item_decision":
        return reverse(name, kwargs={"pk": _item(actor if own and actor else other).pk})
    if name == "governance:review_csv":
        return reverse(name, kwargs={"pk": _item(other).review_id})
    if name == "consent:receipt":
        owner = actor if own and actor else alice_like
        return reverse(name, kwargs={"event_id": _consent_event(owner)})
    if name in ("consent:grant", "consent:withdraw", "reports:dpia_update"):
        return reverse(name, kwargs={"key": "training"})
    if name == "rights:task_confirm":
        assignee = (actor if own and actor else other).email
        return task_url(assignee, alice_like.employee, world)
    if name in OFFICER_URLS:
        return rights_url(name, alice_like.employee, world)
    if name in SUBJECT_URLS:
        return rights_url(name, subject, world)
    if name in ("reports:bundle_detail", "reports:bundle_download"):
        recipient = actor if own and actor else other
        return reverse(name, kwargs={"public_id": _bundle(recipient, world).public_id})
    return reverse(name)


def _call(client, method: str, url: str, data: dict):
    return (
        getattr(client, method)(url, data)
        if method in ("get", "post")
        else getattr(client, method)(url)
    )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_the_matrix(client, world, name):
    rule = MATRIX[name]
    wrong = []
    for role in ROLE_NAMES:
        actor = world["users"][role]
        cells = [(True, rule.allowed)]
        if rule.allowed_other is not None:
            cells.append((False, rule.allowed_other))
        for own, allowed in cells:
            verified_login(client, actor)
            url = url_for(name, actor, own, world)
            expected = rule.ok if role in allowed else rule.denied
            got = _call(client, rule.method, url, rule.data).status_code
            if got != expected:
                wrong.append(
                    f"{role} {'own' if own else 'other'} {url}: {got} != {expected}"
                )
    client.logout()
    url = url_for(name, None, False, world)
    got = _call(client, rule.method, url, rule.data).status_code
    if got != rule.anonymous:
        wrong.append(f"anonymous {url}: {got} != {rule.anonymous}")
    verified_login(client, world["users"]["dpo"])
    got = _call(
        client, rule.wrong_method, url_for(name, None, False, world), {}
    ).status_code
    if got != 405:
        wrong.append(f"{rule.wrong_method.upper()} {url}: {got} != 405")
    assert wrong == []
