"""Fixtures for consent tests: programs, a notice, collector tokens, and the
decision backend (database, or the Redis mirror on a real server)."""

import json
import uuid

import pytest
import redis
from django.conf import settings

from apps.catalog.models import LegalBasis, Program
from apps.consent import mirror
from apps.consent.services import collector_token_create, notice_publish
from apps.people.models import Identifier, IdentifierKind, User

# The mirror as configured (Redis when CELERY_BROKER_URL is redis://).
CONFIGURED_REDIS_URL = settings.CONSENT_REDIS_URL
DECISIONS_URL = "/api/v1/consent/decisions/"


def redis_answers() -> bool:
    if not CONFIGURED_REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(CONFIGURED_REDIS_URL).ping())
    except redis.RedisError:
        return False


def skip_reason() -> str:
    return (
        "No Redis: CELERY_BROKER_URL is not redis:// (or Redis is down), so the "
        "database path answers; CI (CI=true) always runs this against Redis."
    )


@pytest.fixture(autouse=True)
def _database_backend(settings):
    """By default the database answers; `redis_backend` switches to Redis."""
    settings.CONSENT_REDIS_URL = ""
    settings.CONSENT_REDIS_PREFIX = f"h6test:{uuid.uuid4().hex}"
    mirror._suspect = False
    yield
    mirror._suspect = False


@pytest.fixture
def redis_backend(settings):
    """The real Redis mirror under a prefix of this test's own, removed after."""
    if not redis_answers():
        import os

        if os.environ.get("CI") == "true":
            pytest.fail("CI must test the Redis mirror: Redis is not answering")
        pytest.skip(skip_reason())
    settings.CONSENT_REDIS_URL = CONFIGURED_REDIS_URL
    yield mirror.mirror_client()
    mirror.mirror_clear()


@pytest.fixture
def officer(db) -> User:
    return User.objects.create_user(
        username="officer@example.com", password="x", is_staff=True
    )


def make_program(key: str, *, legal_basis: str, **fields) -> Program:
    defaults = {
        "name": key.replace("_", " ").capitalize(),
        "purpose": f"Purpose of {key}",
        "retention_days": 30,
        "data_subjects": ["employee"],
        "data_categories": ["user.behavior.keystrokes"],
    }
    return Program.objects.create(
        key=key, legal_basis=legal_basis, **{**defaults, **fields}
    )


@pytest.fixture
def training(db) -> Program:
    return make_program("ai_model_training", legal_basis=LegalBasis.CONSENT)


@pytest.fixture
def security(db) -> Program:
    return make_program(
        "endpoint_security",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        objection_allowed=True,
    )


def publish(program: Program, *, material: bool = False):
    return notice_publish(
        program=program,
        title=f"{program.name} notice",
        text="We copy some of your typing to train a model.",
        collected="Keystroke snippets",
        why="Train the assistant",
        retention="365 days",
        recipients="Machine learning team",
        material_change=material,
    )


@pytest.fixture
def notice(training):
    return publish(training)


def add_email(employee) -> None:
    Identifier.objects.get_or_create(
        employee=employee, kind=IdentifierKind.EMAIL, value=employee.work_email
    )


@pytest.fixture
def subjects(alice, bob, charlie):
    """alice, bob and charlie with their e-mail mirrored as identifiers."""
    for employee in (alice, bob, charlie):
        add_email(employee)
    return alice, bob, charlie


@pytest.fixture
def token(officer, training, security) -> str:
    """A collector token's secret, scoped to both programs."""
    _, secret = collector_token_create(
        name="agent", programs=[training, security], created_by=officer
    )
    return secret


def ask(client, secret, program, *, kind="email", value=None, subjects=None):
    """POST a decision request; returns the response."""
    if subjects is None:
        body = {"program": program, "subject": {"kind": kind, "value": value}}
    else:
        body = {"program": program, "subjects": subjects}
    return client.post(
        DECISIONS_URL,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def answer(client, secret, program, value, kind="email") -> tuple[str, str]:
    response = ask(client, secret, program, kind=kind, value=value)
    assert response.status_code == 200, response.content
    data = response.json()
    return data["decision"], data["reason"]
