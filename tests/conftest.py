"""Fixtures shared by every test module: users named alice, bob and charlie.

App-specific fixtures live in tests/<app>/conftest.py.
"""

import copy
import os
import uuid

import pytest
from django.conf import settings

from apps.people.models import Employee, Identifier, IdentifierKind, User
from apps.stores.engines import engines_dispose

# The cache as configured (Redis in CI), before tests swap in a local one.
CONFIGURED_CACHES = copy.deepcopy(settings.CACHES)

# A small monitoring system (SQL table + file set): fixtures `catalog` & co.
pytest_plugins = ["tests.monitoring_fixtures"]

DEMO_PASSWORD = "correct horse battery staple"


def pytest_sessionstart(session):
    """Let the test runner empty the audit tables between tests; and in CI
    require the real services: a missing one fails, never skips."""
    settings.AUDIT_ALLOW_FLUSH = True
    if os.environ.get("CI") != "true":
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        pytest.exit("CI must run on PostgreSQL: set DATABASE_URL", returncode=3)
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.exit("CI must run on Redis: set CELERY_BROKER_URL", returncode=3)
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is not answering: {exc}", returncode=3)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Close the connectors' pooled connections before the test databases go:
    PostgreSQL refuses to drop a database that still has sessions."""
    yield
    engines_dispose()


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Cached store counts must never leak from one test into the next.

    Each test gets an empty in-process cache; the configured backend (Redis
    in CI) is left alone, since clearing it would touch other processes.
    tests/test_cache.py exercises the configured backend itself.
    """
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    yield


def make_employee(
    name: str, *, number: str, device: str | None = None, **fields
) -> Employee:
    user = User.objects.create_user(
        username=f"{name}@example.com",
        email=f"{name}@example.com",
        password=DEMO_PASSWORD,
    )
    employee = Employee.objects.create(
        user=user,
        employee_number=number,
        work_email=f"{name}@example.com",
        full_name=name.capitalize(),
        **fields,
    )
    if device:
        Identifier.objects.create(
            employee=employee, kind=IdentifierKind.DEVICE_SERIAL, value=device
        )
    return employee


@pytest.fixture
def alice(db) -> Employee:
    return make_employee("alice", number="E00001", device="SN-ALICE-1")


@pytest.fixture
def bob(db) -> Employee:
    return make_employee("bob", number="E00002", device="SN-BOB-1")


@pytest.fixture
def charlie(db) -> Employee:
    return make_employee("charlie", number="E00003", device="SN-CHARLIE-1")


@pytest.fixture(autouse=True)
def _own_consent_mirror(settings):
    """Each test's consent mirror (Redis) lives under a prefix of its own.

    Employee ids are reused after each test's flush; a mirror entry left by
    an earlier test would otherwise answer for a different person. The keys
    are removed afterwards.
    """
    settings.CONSENT_REDIS_PREFIX = f"test:{uuid.uuid4().hex}"
    yield
    if settings.CONSENT_REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(settings.CONSENT_REDIS_URL)
            keys = list(client.scan_iter(f"{settings.CONSENT_REDIS_PREFIX}:*"))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass  # A test that stopped Redis on purpose; nothing to clean.


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Uploads (a manual job's evidence) go to the test's own folder, never
    into the working tree or a developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without `collectstatic`: no manifest of hashed names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Argon2 is slow on purpose and the tests create many users: hash with
    MD5 here (every real hasher stays listed, so their hashes still verify).
    tests/security/test_hashers.py checks the order of the real settings."""
    from django.test.utils import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=fast + list(settings.PASSWORD_HASHERS)):
        yield


@pytest.fixture(autouse=True)
def _staff_two_factor_off(settings):
    """Suites that are not about sign-in sign staff in with force_login and
    never pass the second step. The suites that are (tests/accounts, the
    permission matrix, the browser journeys) turn the requirement back on."""
    settings.ACCOUNTS_REQUIRE_STAFF_2FA = False
